//! Text is data: whatever an officer writes in a text field, including Typst and
//! HTML syntax, is printed literally in the PDF, the HTML page and the Word
//! document, and can never become code or markup there (property tests).

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::Config;
use scraper::Html;

/// Characters drawn for the strings: the syntax of Typst, HTML and Markdown
/// first, then letters and symbols of the scripts the embedded fonts cover
/// (Latin, Greek, Cyrillic, punctuation, arrows and mathematics). Left out:
/// control and format characters (not text); right-to-left scripts, which the
/// PDF lays out in visual order, so that their runs read in another order; and
/// scripts without a glyph in the embedded fonts (CJK, emoji…), which the
/// PDF/A export refuses with an error.
fn any_char() -> impl Strategy<Value = char> {
    let drawn = prop_oneof![
        4 => prop::sample::select(
            "#$*_`<>@[]~'\"-+=/\\.:;!?{}()&%^|,"
                .chars()
                .collect::<Vec<_>>()
        ),
        3 => prop::char::range('a', 'z'),
        1 => prop::char::range(' ', '~'),
        1 => prop::char::range('\u{A0}', '\u{24F}'),
        1 => prop::char::range('\u{370}', '\u{4FF}'),
        1 => prop::char::range('\u{2010}', '\u{2027}'),
        1 => prop::char::range('\u{2190}', '\u{22FF}'),
        1 => prop::sample::select(vec![' ', '\n', '\t', '\u{A0}', '\u{2009}', '€', '«', '»']),
    ];
    drawn
        .prop_filter("no glyph in the body font", |c| {
            c.is_whitespace() || has_glyph(*c)
        })
        // A combining mark that makes no composed letter with the character
        // before it (a Cyrillic mark on a Latin letter) is read twice from the
        // PDF's text layer: the compiler maps both glyphs to the pair (typst
        // issue 8767). Accents that compose are tested below.
        .prop_filter("combining mark", |c| {
            !unicode_normalization::char::is_combining_mark(*c)
        })
}

/// Whether the body font (Liberation Sans) can print `c`.
fn has_glyph(c: char) -> bool {
    use std::sync::LazyLock;
    static FONT: LazyLock<typst::text::Font> = LazyLock::new(|| {
        let data = include_bytes!("../../templates/fonts/LiberationSans-Regular.ttf");
        typst::text::Font::new(typst::foundations::Bytes::new(data.as_slice()), 0)
            .expect("the body font")
    });
    FONT.info().coverage.contains(c as u32)
}

/// The text as typography prints it, whitespace aside.
fn typeset(text: &str) -> String {
    use ctg::{Segment, segments};
    let printed: String = segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Plain(t) | Segment::Super(t) => t,
        })
        .collect();
    squeeze(&printed)
}

fn squeeze(text: &str) -> String {
    normalise(text)
}

/// A non-blank string that French typography prints letter for letter (it
/// raises ordinal endings such as "2e" and respaces punctuation; the spacing is
/// whitespace, which the comparison ignores).
fn literal_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 1..40)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        .prop_filter("blank", |s| !squeeze(s).is_empty())
        .prop_filter("typography changes letters", |s| typeset(s) == squeeze(s))
}

/// `text` as Markdown that displays it literally: CommonMark lets a backslash
/// escape any ASCII punctuation; whitespace is collapsed, which also keeps
/// indentation from starting a code block.
fn markdown_escape(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The value of `key = …` on the line that starts with `key = ` (after
/// `skip` such lines), replaced by `value` as a TOML string.
fn set_key(file: &Path, key: &str, skip: usize, value: &str) {
    let text = fs::read_to_string(file).unwrap();
    let quoted = toml::Value::String(value.to_string()).to_string();
    let mut seen = 0;
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !done && line.starts_with(&format!("{key} = ")) {
                if seen == skip {
                    done = true;
                    return format!("{key} = {quoted}");
                }
                seen += 1;
            }
            line.to_string()
        })
        .collect();
    assert!(done, "{key} not found in {file:?}");
    fs::write(file, lines.join("\n") + "\n").unwrap();
}

/// The fixture with the given texts in its fields: plain-text fields get the
/// string as is, Markdown fields get `markdown`.
fn project_with(plain: &str, markdown: &str) -> tempfile::TempDir {
    let project = copy_project(&fixture("mini"));
    let data = project.path().join("data");
    let convention = data.join("convention.toml");
    set_key(&convention, "titre", 0, plain);
    set_key(&convention, "legende", 0, plain);
    set_key(&convention, "descriptif", 0, plain);
    // The second field of the plan, "Logement".
    set_key(&convention, "libelle", 1, plain);
    set_key(&convention, "texte", 0, markdown);
    let action = data.join("actions/logement/01-impayes.toml");
    set_key(&action, "descriptif", 0, markdown);
    set_key(&action, "objectifs", 0, markdown);
    set_key(&action, "impact_envisage", 0, markdown);
    project
}

/// Every element of the page, with its attribute names.
fn elements(html: &str) -> BTreeSet<(String, Vec<String>)> {
    let doc = Html::parse_document(html);
    doc.root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .map(|e| {
            let mut attrs: Vec<String> = e.value().attrs().map(|(k, _)| k.to_string()).collect();
            attrs.sort();
            (e.value().name().to_string(), attrs)
        })
        .collect()
}

/// The elements of the page when every field holds a plain word: what the
/// template writes.
fn template_elements() -> BTreeSet<(String, Vec<String>)> {
    let project = project_with("Texte", "Texte");
    let (_, out) = ctg::render_project(project.path()).expect("the plain fixture builds");
    elements(&out.html())
}

/// The Word document's XML parts that hold text, each parsed (an invalid part
/// fails), and the targets of its links.
fn word_text_and_links(docx: &[u8]) -> (String, Vec<String>) {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx");
    let mut part = |name: &str| {
        let mut xml = String::new();
        archive
            .by_name(name)
            .expect("a part of the .docx")
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    let (document, rels, core) = (
        part("word/document.xml"),
        part("word/_rels/document.xml.rels"),
        part("docProps/core.xml"),
    );
    let document = roxmltree::Document::parse(&document).expect("valid XML");
    roxmltree::Document::parse(&core).expect("valid XML");
    let text = document
        .descendants()
        .filter(|n| n.tag_name().name() == "t")
        .filter_map(|n| n.text())
        .collect();
    let rels = roxmltree::Document::parse(&rels).expect("valid XML");
    let links = rels
        .descendants()
        .filter(|n| n.attribute("TargetMode") == Some("External"))
        .filter_map(|n| n.attribute("Target").map(str::to_string))
        .collect();
    (text, links)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// An accent typed as a character of its own after its letter, as some systems
/// save text, is printed and read back as the accented letter.
#[test]
fn accents_typed_apart_are_composed() {
    let decomposed = "De\u{301}cision a\u{300} l\u{2019}e\u{301}te\u{301}";
    let project = project_with(decomposed, decomposed);
    let (_, out) = ctg::render_project(project.path()).expect("the fixture builds");
    let pdf = out.page_texts().join(" ");
    let page = html_text(&out.html());
    for text in [&pdf, &page] {
        assert!(
            text.matches("Décision à l’été").count() >= 6,
            "composed in every field: {text}"
        );
        assert!(!text.contains('\u{301}') && !text.contains('\u{300}'));
    }
}

/// A link glued to a long word, in a narrow column, builds: a line may break
/// after the link (Typst cannot tag a link whose word is broken with the text
/// glued to it), and the text reads as written.
#[test]
fn a_link_glued_to_a_long_word_builds() {
    let text = "Voir [le site](https://exemple.fr \"titre\")pé`#eval(\"1\")`ékéaxxxxxxxxxxxxxxxxxx";
    let project = project_with("Titre", text);
    let (_, out) = ctg::render_project(project.path()).expect("the link builds");
    let pdf = squeeze(&out.page_texts().join(" ")).replace('\u{200B}', "");
    assert!(
        pdf.contains("Voirlesitepé#eval(\"1\")ékéaxxxxxxxxxxxxxxxxxx"),
        "{pdf}"
    );
}

proptest! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, ..Config::default() })]

    /// Any string, in every kind of field, is printed as written in the PDF, the
    /// page and the Word document, and adds no element or attribute to the page.
    #[test]
    fn any_text_is_printed_literally(text in literal_text()) {
        let project = project_with(&text, &markdown_escape(&text));
        let (_, out) = ctg::render_project(project.path())
            .map_err(|f| TestCaseError::fail(format!("{f:?}")))?;
        let pdf = squeeze(&out.page_texts().join(" "));
        let html = &out.html();
        let page = squeeze(&html_text(html));
        // Text is printed in composed form (U+0387 is printed as U+00B7).
        let wanted = squeeze(&unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect::<String>());
        // Title, caption, column, field label, note and three cells.
        prop_assert!(pdf.matches(&wanted).count() >= 6, "{text:?} missing from the PDF: {pdf}");
        prop_assert!(page.matches(&wanted).count() >= 6, "{text:?} missing from the page");
        let (word, _) = word_text_and_links(&out.docx());
        prop_assert!(squeeze(&word).matches(&wanted).count() >= 6, "{text:?} missing from the Word document");
        let extra: Vec<_> = elements(html).difference(&template_elements()).cloned().collect();
        prop_assert!(extra.is_empty(), "{text:?} added {extra:?}");
    }

    /// Raw Markdown with HTML and Typst in it always builds, and the page holds
    /// no element or attribute beyond the template's and the Markdown
    /// converter's own (emphasis, lists, quotes, safe links…); the Word document
    /// is valid XML and links to web addresses only.
    #[test]
    fn raw_markdown_never_injects(text in raw_markdown()) {
        let project = project_with("Titre", &text);
        let (_, out) = ctg::render_project(project.path())
            .map_err(|f| TestCaseError::fail(format!("{text:?}: {f:?}")))?;
        let allowed = template_elements();
        for (name, attrs) in elements(&out.html()).difference(&allowed) {
            let converter = match name.as_str() {
                "a" => attrs.iter().all(|a| a == "href" || a == "title"),
                "ol" => attrs.iter().all(|a| a == "start"),
                "code" => attrs.iter().all(|a| a == "class"),
                "p" | "em" | "strong" | "del" | "sup" | "sub" | "ul" | "li" | "blockquote"
                | "h4" | "h5" | "h6" | "pre" | "hr" | "br" => attrs.is_empty(),
                _ => false,
            };
            prop_assert!(converter, "{text:?} added <{name} {attrs:?}>");
        }
        let doc = Html::parse_document(&out.html());
        let links = scraper::Selector::parse("a[href]").unwrap();
        for a in doc.select(&links) {
            let href = a.value().attr("href").unwrap_or_default().to_ascii_lowercase();
            prop_assert!(
                ["https://", "http://", "mailto:", "#"].iter().any(|p| href.starts_with(p))
                    || !href.contains(':'),
                "{text:?} made a link to {href}"
            );
        }
        let (_, links) = word_text_and_links(&out.docx());
        for link in links {
            let lower = link.to_ascii_lowercase();
            prop_assert!(
                ["https://", "http://", "mailto:"].iter().any(|p| lower.starts_with(p)),
                "{text:?} made a Word link to {link}"
            );
        }
    }
}

/// Markdown made of pieces of Markdown, HTML and Typst syntax, in any order.
fn raw_markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[lien](javascript:alert(1))",
            "[lien](https://exemple.fr \"titre\")",
            "<https://exemple.fr>",
            "![image](https://exemple.fr/x.png)",
            "#read(\"/etc/passwd\")",
            "$x^2$",
            "#set page(width: 1cm)",
            "```\ncode\n```",
            "`#eval(\"1\")`",
            "    indenté",
            "> ",
            "- ",
            "1. ",
            "* ",
            "**",
            "_",
            "~~",
            "^",
            "\n",
            "\n\n",
            "  \n",
            "# ",
            "---",
            "\\",
            "&amp;",
            "&#x3C;",
            "<!-- c -->",
            "]",
            "[",
            "(",
        ])
        .prop_map(str::to_string),
        "[a-zé ]{1,8}",
    ];
    prop::collection::vec(piece, 1..12)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("blank", |s| !s.trim().is_empty())
        .prop_filter("nested beyond the limit", |s| {
            ctg::markdown_depth(s) <= ctg::MAX_MARKDOWN_DEPTH
        })
}

/// A line indented by four spaces is a code block in Markdown: it is printed as
/// code, and does not break the build.
#[test]
fn indented_text_builds() {
    let project = project_with("Titre", "Début\n\n    #code indenté\n\nFin");
    let (_, out) = ctg::render_project(project.path()).expect("builds");
    let pdf = out.page_texts().join(" ");
    assert!(squeeze(&pdf).contains("#codeindenté"), "{pdf}");
}
