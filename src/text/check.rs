//! The one check that every text reaching a document goes
//! through, wherever it is written: an action's cells and the convention's texts
//! (`model`), a year's follow-up and the review's Markdown texts (`review`). A
//! text that the documents could not show is refused here, at its place in its
//! file, rather than by the compiler, which could only blame a template.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::diag::{Diagnostic, SourceFile};

/// The Markdown syntax of every text: CommonMark, strikethrough, `^superscript^`
/// and tables. The converters and the checks read texts with these options.
pub const MARKDOWN_OPTIONS: Options = Options::ENABLE_STRIKETHROUGH
    .union(Options::ENABLE_SUPERSCRIPT)
    .union(Options::ENABLE_TABLES);

/// Deepest nesting of quotes, lists and inline formatting a text may use. Each
/// level becomes a nested element in the PDF, where the layout engine has its own
/// limit; ten levels are far more than any plan needs and always compile.
pub const MAX_MARKDOWN_DEPTH: usize = 10;

/// What a text is, for its check.
#[derive(Debug, Clone, Copy)]
pub struct TextKind<'a> {
    /// Its key (`descriptif`, `commentaire`) or file, named in messages.
    pub key: &'a str,
    /// Markdown, converted before printing: its nesting is limited, and the
    /// characters it stands for (`&#x6F22;`) are checked as well.
    pub markdown: bool,
    /// What to write instead of a blank text; `None` when the text may be blank.
    pub required: Option<&'a str>,
}

impl<'a> TextKind<'a> {
    /// A cell of the plan's table or a note: Markdown, never blank.
    pub fn cell(key: &'a str) -> Self {
        Self {
            key,
            markdown: true,
            required: Some(
                "écrivez le contenu de la cellule, ou « - » si elle est vide dans le plan signé",
            ),
        }
    }

    /// A title, a label, a name: shown as written, never blank.
    pub fn label(key: &'a str) -> Self {
        Self {
            key,
            markdown: false,
            required: Some("écrivez le texte à afficher dans le document"),
        }
    }

    /// A text shown as written that may be left blank.
    pub fn optional(key: &'a str) -> Self {
        Self {
            key,
            markdown: false,
            required: None,
        }
    }

    /// A Markdown text that may be left blank: a comment, a review's text.
    pub fn markdown(key: &'a str) -> Self {
        Self {
            key,
            markdown: true,
            required: None,
        }
    }

    /// The same, never blank: `hint` says what to write.
    pub fn required(self, hint: &'a str) -> Self {
        Self {
            required: Some(hint),
            ..self
        }
    }
}

/// Checks `text`, the value written at `span` of `file`: not blank when it is
/// required, not nested too deeply when it is Markdown, printable by the
/// embedded fonts, without a character that would change how it reads (a
/// direction control) and, as a warning, without an invisible zero-width
/// character. Each problem is pushed to `diags` at its place; `true` when
/// there is no error.
pub fn check(
    file: &SourceFile,
    span: Range<usize>,
    text: &str,
    kind: TextKind<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let before = diags.len();
    let key = kind.key;
    if let Some(hint) = kind.required
        && text.trim().is_empty()
    {
        diags.push(
            Diagnostic::error(format!("le texte de `{key}` est vide"))
                .at(file, span.clone())
                .label("texte vide")
                .hint(hint),
        );
    }
    // The text is parsed here, under a guard, so that a panic of the Markdown
    // parser is reported at this text; its conversion comes at rendering, which
    // is guarded as a whole.
    let parsed = crate::diag::guard(&file.name, || {
        let depth = if kind.markdown {
            markdown_depth(text)
        } else {
            0
        };
        (depth, unprintable(text, kind.markdown))
    });
    let (depth, unprintable) = match parsed {
        Ok(found) => found,
        Err(panic) => {
            diags.push(panic.at(file, span).label("texte en cause"));
            return false;
        }
    };
    if depth > MAX_MARKDOWN_DEPTH {
        diags.push(
            Diagnostic::error(format!(
                "texte de `{key}` trop imbriqué : {depth} niveaux de citations, listes ou mises en forme les uns dans les autres"
            ))
            .at(file, span.clone())
            .label("imbrication trop profonde")
            .hint(format!(
                "{MAX_MARKDOWN_DEPTH} niveaux au plus : un `>` ou un `-` en début de ligne ouvre un niveau, `*…*` aussi ; écrivez `\\>` ou `\\-` pour le caractère lui-même"
            )),
        );
    }
    if let Some((c, written)) = unprintable {
        let at = place(file, span.clone(), text, written);
        diags.push(unprintable_error(file, at, key, c));
    }
    if let Some((c, written, more)) = zero_width(text) {
        let at = place(file, span, text, written);
        diags.push(zero_width_warning(file, at, key, c, more));
    }
    diags[before..].iter().all(|d| !d.is_error())
}

/// The error for character `c` of text `key`, at `at`: a direction control or
/// a byte order mark, another control character, or one the fonts lack.
fn unprintable_error(file: &SourceFile, at: Range<usize>, key: &str, c: char) -> Diagnostic {
    // A control character is invisible: it is named, never printed.
    if is_direction_control(c) || c == BYTE_ORDER_MARK {
        Diagnostic::error(format!(
            "caractère invisible {} dans `{key}` : U+{:04X}",
            if c == BYTE_ORDER_MARK {
                "de marque d'ordre des octets"
            } else {
                "qui change le sens d'écriture"
            },
            c as u32
        ))
        .at(file, at)
        .label("caractère invisible")
        .hint(format!(
            "ce caractère ne se voit pas mais change l'affichage du texte qui l'entoure (un montant peut s'y lire à l'envers) ; il vient souvent d'un copier-coller : supprimez-le (dans le fichier TOML, il peut être écrit `\\u{:04X}`)",
            c as u32
        ))
    } else if c.is_control() {
        Diagnostic::error(format!(
            "caractère de contrôle invisible dans `{key}` : U+{:04X}",
            c as u32
        ))
        .at(file, at)
        .label("caractère de contrôle")
        .hint(format!(
            "ce caractère vient souvent d'un copier-coller depuis un autre logiciel : supprimez-le (dans le fichier TOML, il peut être écrit `\\u{:04X}`)",
            c as u32
        ))
    } else {
        Diagnostic::error(format!(
            "caractère impossible à imprimer dans le PDF : « {c} » (U+{:04X})",
            c as u32
        ))
        .at(file, at)
        .label("absent des polices du document")
        .hint("les polices intégrées couvrent l'alphabet latin, les symboles courants et les émojis ; remplacez ce caractère ou transcrivez-le")
    }
}

/// The warning for the zero-width character `c` of text `key`, at `at`, which
/// has `more` others.
fn zero_width_warning(
    file: &SourceFile,
    at: Range<usize>,
    key: &str,
    c: char,
    more: usize,
) -> Diagnostic {
    let others = match more {
        0 => String::new(),
        n => format!(
            " (et {} dans ce texte)",
            crate::french::count(n, "autre", "autres")
        ),
    };
    Diagnostic::warning(format!(
        "caractère invisible de largeur nulle dans `{key}` : U+{:04X}{others}",
        c as u32
    ))
    .at(file, at)
    .label("caractère invisible")
    .hint("il vient souvent d'un copier-coller : il ne se voit pas, mais coupe un mot pour la recherche et la lecture à voix haute ; supprimez-le")
}

/// The byte order mark: at the start of a file it says how the file is
/// encoded; inside a text it is an invisible character that nothing needs.
const BYTE_ORDER_MARK: char = '\u{FEFF}';

/// Characters that change the direction of the text around them: an override
/// shows « 0001 € par place » for « 1000 € par place ». No plan in French
/// needs one; they are refused in every text, like control characters.
fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character refused in a text: one the fonts cannot print, a control
/// character, a direction control, a byte order mark.
fn refused(c: char) -> bool {
    !crate::fonts::printable(c) || is_direction_control(c) || c == BYTE_ORDER_MARK
}

/// The first character of `text` that prints nothing and has no use in a
/// French text (a zero-width space, a word joiner, a joiner between two
/// letters: a joiner inside an emoji sequence composes the emoji), where it is
/// written, and how many more there are.
fn zero_width(text: &str) -> Option<(char, Range<usize>, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = chars.iter().enumerate().filter(|(i, (_, c))| match c {
        '\u{200B}' | '\u{200C}' | '\u{2060}' => true,
        '\u{200D}' => {
            let letter = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|(_, c)| c.is_alphanumeric())
            };
            letter(i.checked_sub(1)) && letter(Some(i + 1))
        }
        _ => false,
    });
    let (_, &(at, c)) = found.next()?;
    Some((c, at..at + c.len_utf8(), found.count()))
}

/// How deeply the Markdown of `text` nests quotes, lists and inline formatting.
pub fn markdown_depth(text: &str) -> usize {
    let counted = |tag: &Tag<'_>| {
        matches!(
            tag,
            Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Heading { .. }
        )
    };
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut open: Vec<bool> = Vec::new();
    for event in Parser::new_ext(text, MARKDOWN_OPTIONS) {
        match event {
            Event::Start(tag) => {
                let c = counted(&tag);
                open.push(c);
                if c {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            Event::End(_) => depth -= usize::from(open.pop() == Some(true)),
            _ => {}
        }
    }
    deepest
}

/// The first character of `text` that the documents cannot print, and the part
/// of `text` that writes it: the character itself, or in Markdown the character
/// reference that stands for it (`&#x6F22;`).
fn unprintable(text: &str, markdown: bool) -> Option<(char, Range<usize>)> {
    let written = text
        .char_indices()
        .find(|(_, c)| refused(*c))
        .map(|(at, c)| (c, at..at + c.len_utf8()));
    if !markdown {
        return written;
    }
    // Only a character reference adds a character to what is written; the
    // parser gives each its own text event.
    let referenced = Parser::new_ext(text, MARKDOWN_OPTIONS)
        .into_offset_iter()
        .take_while(|(_, range)| written.as_ref().is_none_or(|(_, w)| range.start < w.start))
        .find_map(|(event, range)| match event {
            Event::Text(t) | Event::Code(t) => {
                let c = t.chars().find(|c| refused(*c))?;
                (!text[range.clone()].contains(c)).then_some((c, range))
            }
            _ => None,
        });
    referenced.or(written)
}

/// Where, in `file`, the part `written` of `text` (the value at `span`) stands.
/// A TOML string is written between quotes, and may write a character as an
/// escape: the value is found in its span where it is written as it reads, else
/// the part alone, else the whole value is shown.
fn place(file: &SourceFile, span: Range<usize>, text: &str, written: Range<usize>) -> Range<usize> {
    let Some(source) = file.text.get(span.clone()) else {
        return span;
    };
    if let Some(at) = source.find(text) {
        let start = span.start + at + written.start;
        return start..span.start + at + written.end;
    }
    let part = &text[written];
    match source.find(part) {
        Some(at) => span.start + at..span.start + at + part.len(),
        None => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(written: &str, kind: TextKind<'_>) -> Vec<Diagnostic> {
        let file = SourceFile::new("f.toml", format!("x = {written}\n"));
        let toml: toml::Table = toml::from_str(&file.text).unwrap();
        let value = toml["x"].as_str().unwrap().to_string();
        let mut diags = Vec::new();
        check(&file, 4..4 + written.len(), &value, kind, &mut diags);
        diags
    }

    fn location(d: &Diagnostic) -> String {
        d.location().unwrap()
    }

    #[test]
    fn the_character_is_shown_where_it_is_written() {
        let d = report("\"Accueil 漢字\"", TextKind::optional("x"));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("« 漢 » (U+6F22)"), "{}", d[0].message);
        assert_eq!(location(&d[0]), "f.toml:1:14");
    }

    #[test]
    fn a_character_reference_of_markdown_is_checked_where_it_is_written() {
        let d = report("\"Accueil &#x6F22;\"", TextKind::markdown("x"));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("« 漢 »"), "{}", d[0].message);
        assert_eq!(location(&d[0]), "f.toml:1:14");
        assert_eq!(d[0].span.as_ref().unwrap().len(), "&#x6F22;".len());
        // Shown as written in a plain text, and in code.
        assert!(report("\"&#x6F22;\"", TextKind::optional("x")).is_empty());
        assert!(report("\"`&#x6F22;`\"", TextKind::markdown("x")).is_empty());
    }

    #[test]
    fn an_escaped_character_is_shown_in_its_text() {
        let d = report("\"a \\u6F22\"", TextKind::optional("x"));
        assert_eq!(d.len(), 1);
        assert_eq!(location(&d[0]), "f.toml:1:5");
    }

    #[test]
    fn blank_texts_are_refused_only_when_required() {
        assert!(report("\" \"", TextKind::markdown("x")).is_empty());
        let d = report("\" \"", TextKind::cell("x"));
        assert_eq!(d[0].message, "le texte de `x` est vide");
    }

    #[test]
    fn direction_controls_and_a_byte_order_mark_are_refused_where_they_are() {
        // U+202E shows « 0001 € par place » for « 1000 € par place ».
        let d = report("\"1000 \u{202E}€ par place\"", TextKind::cell("x"));
        assert_eq!(d.len(), 1);
        assert!(d[0].is_error());
        assert_eq!(
            d[0].message,
            "caractère invisible qui change le sens d'écriture dans `x` : U+202E"
        );
        assert_eq!(location(&d[0]), "f.toml:1:11");
        for c in ['\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{200F}'] {
            let d = report(&format!("\"a{c}b\""), TextKind::optional("x"));
            assert!(d.len() == 1 && d[0].is_error(), "U+{:04X}", c as u32);
        }
        // Also as a character reference of Markdown.
        let d = report("\"a &#x202E; b\"", TextKind::markdown("x"));
        assert!(d[0].message.contains("U+202E"), "{}", d[0].message);
        let d = report("\"a\u{FEFF}b\"", TextKind::optional("x"));
        assert!(
            d[0].message.contains("marque d'ordre des octets"),
            "{}",
            d[0].message
        );
        assert!(d[0].is_error());
    }

    #[test]
    fn zero_width_characters_are_warned_about_once_per_text() {
        let d = report(
            "\"Relais\u{200B} petite\u{200B} enfance\u{2060}\"",
            TextKind::cell("x"),
        );
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_error());
        assert_eq!(
            d[0].message,
            "caractère invisible de largeur nulle dans `x` : U+200B (et 2 autres dans ce texte)"
        );
        assert_eq!(location(&d[0]), "f.toml:1:12");
        // A joiner that composes an emoji is no mistake; one between letters is.
        assert!(report("\"Familles 👨\u{200D}👩\u{200D}👧\"", TextKind::cell("x")).is_empty());
        assert_eq!(report("\"pa\u{200D}rents\"", TextKind::cell("x")).len(), 1);
    }

    #[test]
    fn nesting_is_limited_in_markdown_only() {
        let deep = format!("\"{}a\"", "> ".repeat(12));
        assert!(report(&deep, TextKind::optional("x")).is_empty());
        let d = report(&deep, TextKind::markdown("x"));
        assert!(d[0].message.contains("12 niveaux"), "{}", d[0].message);
    }
}
