//! The signatories' logos and the documents' colours (`tests/fixtures/logos`:
//! an SVG logo with the default text alternative, a PNG logo with one that
//! looks like code, a third signatory without logo, its own colours, and a
//! follow-up for a review of 2024): on the first page of every document and in
//! the signature boxes, each a tagged figure with its alternative; in the web
//! pages, inlined or embedded, with their names; never in the fragment.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::*;
use lopdf::{Document, Object};
use typst::layout::{Frame, FrameItem};

const SVG_ALT: &str = "Logo de Caf d'Exemple";
const PNG_ALT: &str = r#"Logo <b>"CC"</b> & #exemple $x$"#;

/// The fixture, built once to a folder of the test area.
static BUILT: LazyLock<PathBuf> = LazyLock::new(|| build_to("logos-a"));

fn build_to(name: &str) -> PathBuf {
    build_in_test_area(name, &fixture("logos"))
}

/// How many images each page of a compiled document shows.
fn images_per_page(document: &typst_layout::PagedDocument) -> Vec<usize> {
    fn count(frame: &Frame) -> usize {
        frame
            .items()
            .map(|(_, item)| match item {
                FrameItem::Group(group) => count(&group.frame),
                FrameItem::Image(..) => 1,
                _ => 0,
            })
            .sum()
    }
    document.pages().iter().map(|p| count(&p.frame)).collect()
}

/// The `/Alt` of every `/Figure` of the PDF's tag tree.
fn figure_alternatives(bytes: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(bytes).expect("a readable PDF");
    let mut alts: Vec<String> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"S").and_then(Object::as_name).ok() == Some(b"Figure".as_slice()))
        .map(|dict| match dict.get(b"Alt") {
            Ok(Object::String(bytes, _)) => pdf_string(bytes),
            other => panic!("a figure without alternative: {other:?}"),
        })
        .collect();
    alts.sort();
    alts
}

#[test]
fn both_logos_on_the_first_page_and_in_the_signature_boxes_as_tagged_figures() {
    let (plan, rendered) = ctg::render_project(&fixture("logos")).expect("the fixture builds");
    let logos: Vec<_> = plan
        .convention
        .signatories
        .iter()
        .map(|s| s.logo.as_ref().map(|l| (l.format, l.alt.as_str())))
        .collect();
    use ctg::LogoFormat;
    assert_eq!(
        logos,
        [
            Some((LogoFormat::Svg, SVG_ALT)),
            Some((LogoFormat::Png, PNG_ALT)),
            None
        ]
    );
    let pages = images_per_page(&rendered.layout());
    assert_eq!(pages.first(), Some(&2), "{pages:?}");
    assert_eq!(pages.last(), Some(&2), "signature page: {pages:?}");
    assert_eq!(pages.iter().sum::<usize>(), 4, "{pages:?}");
    // The title follows the logos on the first page.
    let first = &rendered.page_texts()[0];
    assert!(
        first.starts_with("Convention Territoriale Globale"),
        "{first}"
    );
    let mut expected = vec![SVG_ALT, SVG_ALT, PNG_ALT, PNG_ALT];
    expected.sort();
    assert_eq!(figure_alternatives(&rendered.pdf()), expected);
}

#[test]
fn the_review_and_the_sheets_open_on_the_same_logos() {
    let out = &*BUILT;
    for name in ["bilan-2024.pdf", "fiches.pdf"] {
        let bytes = fs::read(out.join(name)).unwrap();
        let mut expected = vec![SVG_ALT, PNG_ALT];
        expected.sort();
        // The review's chart is a figure too.
        let mut logos = figure_alternatives(&bytes);
        logos.retain(|alt| alt.starts_with("Logo"));
        assert_eq!(logos, expected, "{name}");
    }
}

#[test]
fn the_pages_show_the_logos_inlined_or_embedded_with_their_names() {
    use scraper::{Html, Selector};
    let out = &*BUILT;
    let png = fs::read(fixture("logos").join("logos/cc-exemple.png")).unwrap();
    let pages = [
        "plan.html",
        "bilan-2024.html",
        "actions/index.html",
        "actions/enfance-creche.html",
    ];
    for name in pages {
        let html = fs::read_to_string(out.join(name)).unwrap();
        let page = Html::parse_document(&html);
        let svgs: Vec<_> = page
            .select(&Selector::parse(".ctg-logos > svg").unwrap())
            .collect();
        assert_eq!(svgs.len(), 1, "{name}");
        let svg = svgs[0].value();
        assert_eq!(svg.attr("role"), Some("img"), "{name}");
        assert_eq!(svg.attr("aria-label"), Some(SVG_ALT), "{name}");
        // Its ids are its own: prefixed, and referred to as such.
        assert!(html.contains("id=\"ctg-logo-1-fond\""), "{name}");
        assert!(html.contains("fill=\"url(#ctg-logo-1-fond)\""), "{name}");
        assert!(!html.contains("<!-- Logo fictif"), "{name}");
        let images: Vec<_> = page
            .select(&Selector::parse(".ctg-logos > img").unwrap())
            .collect();
        assert_eq!(images.len(), 1, "{name}");
        let img = images[0].value();
        assert_eq!(img.attr("alt"), Some(PNG_ALT), "{name}");
        let src = img.attr("src").unwrap();
        let data = src.strip_prefix("data:image/png;base64,").expect(src);
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert!(decoded == png, "{name}: the PNG's bytes");
        // The text alternative looks like code: it is text, no element.
        assert!(page.select(&Selector::parse("b").unwrap()).next().is_none());
        // The logos come first in the title block, before the title.
        let body = &html[html.find("<body>").unwrap()..];
        let block = body.find("class=\"ctg-logos\"").unwrap();
        assert!(
            block < body.find("Convention Territoriale Globale").unwrap(),
            "{name}"
        );
    }
    // The theme's colours: the header cells' fill and the title's colour.
    let plan = fs::read_to_string(out.join("plan.html")).unwrap();
    assert!(plan.contains("thead th { background: #fde9c9;"), "fill");
    assert!(plan.contains(".ctg-titre { color: #0a4a8f; }"), "title");
    let sheet = fs::read_to_string(out.join("actions/enfance-creche.html")).unwrap();
    assert!(sheet.contains("thead th { background: #fde9c9; }"));
}

#[test]
fn the_fragment_has_no_logo() {
    let fragment = fs::read_to_string(BUILT.join("plan.fragment.html")).unwrap();
    for absent in ["ctg-logos", "<svg", "<img", "data:image"] {
        assert!(!fragment.contains(absent), "{absent}");
    }
    // Its table keeps the declared colour of the header cells.
    assert!(fragment.contains("background: #fde9c9"));
}

/// Two builds' files: the same names, each with the same bytes.
fn assert_same_files(
    first: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    second: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
) {
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in first {
        assert!(bytes == &second[path], "{} differs", path.display());
    }
}

#[test]
fn two_builds_with_logos_give_the_same_bytes() {
    let first = files_in(&BUILT);
    let second = files_in(&build_to("logos-b"));
    assert!(first.len() >= 10, "{:?}", first.keys());
    assert_same_files(&first, &second);
}

#[test]
fn the_reference_plan_has_no_logo() {
    let convention = fs::read_to_string(project_root().join("data/convention.toml")).unwrap();
    assert!(!convention.contains("logo"));
    assert!(!convention.contains("[couleurs]"));
    let (plan, rendered) = ctg::render_project(&project_root()).unwrap();
    assert!(plan.convention.signatories.iter().all(|s| s.logo.is_none()));
    assert_eq!(plan.convention.colours, ctg::Colours::default());
    let pages = images_per_page(&rendered.layout());
    assert!(pages.iter().all(|n| *n == 0), "{pages:?}");
    assert!(!rendered.html().contains("class=\"ctg-logos\""));
    assert!(rendered.html().contains("thead th { background: #d9e2f3;"));
}

/// The footer's fingerprint traces a printed page to its logos too.
#[test]
fn the_fingerprint_follows_the_logos() {
    let project = copy_project(&fixture("logos"));
    let fingerprint = || {
        let (plan, _, _) =
            ctg::load_and_validate(project.path()).unwrap_or_else(|e| panic!("{e:?}"));
        ctg::plan_fingerprint(&plan)
    };
    let before = fingerprint();
    let svg = project.path().join("logos/caf.svg");
    let text = fs::read_to_string(&svg).unwrap();
    fs::write(&svg, text.replace("#ffffff", "#fefefe")).unwrap();
    let after = fingerprint();
    assert_ne!(before, after);
    // A comment is no change of the drawing.
    fs::write(
        &svg,
        text.replace("#ffffff", "#fefefe")
            .replace("Logo fictif", "Logo"),
    )
    .unwrap();
    assert_eq!(fingerprint(), after);
}

/// A logo over 5 Mo is refused before it is read, with its size; `out/` stays
/// as it was.
#[test]
fn a_logo_over_five_megabytes_is_refused() {
    let project = copy_project(&fixture("logos"));
    let root = project.path().to_str().unwrap();
    let ok = ctg(&["build", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = project.path().join("out");
    let before = files_in(&out);
    // A PNG's signature, then zeros: 5 000 001 bytes.
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(5_000_001, 0);
    fs::write(project.path().join("logos/cc-exemple.png"), big).unwrap();
    let failed = ctg(&["build", "--root", root]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    let said = normalise(&stderr.replace('│', ""));
    for expected in [
        "data/convention.toml:",
        "le logo `logos/cc-exemple.png` pèse 5,1 Mo : au-delà de 5 Mo",
        "enregistrez-le en SVG",
        "aucun fichier n'a été modifié",
    ] {
        assert!(
            said.contains(&normalise(expected)),
            "`{expected}` in\n{stderr}"
        );
    }
    assert!(files_in(&out) == before, "out/ changed");
}

/// The text alternatives of the images of a Word document, in order, and the
/// number of images it holds.
fn word_images(docx: &Path) -> (Vec<String>, usize) {
    let file = fs::File::open(docx).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let media = archive
        .file_names()
        .filter(|n| n.starts_with("word/media/"))
        .count();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let alts = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "docPr")
        .map(|n| n.attribute("descr").unwrap_or_default().to_string())
        .collect();
    (alts, media)
}

#[test]
fn the_word_documents_open_on_the_same_logos() {
    let out = &*BUILT;
    let (alts, media) = word_images(&out.join("plan.docx"));
    assert_eq!(alts, [SVG_ALT, PNG_ALT]);
    assert_eq!(media, 2);
    // The review: the logos, then its chart.
    let (alts, media) = word_images(&out.join("bilan-2024.docx"));
    assert_eq!(&alts[..2], [SVG_ALT, PNG_ALT]);
    assert_eq!(alts.len(), 3);
    assert_eq!(media, 3);
    // The reference plan's has none.
    let reference = build_in_test_area("logos-reference-docx", &project_root());
    assert_eq!(word_images(&reference.join("plan.docx")), (Vec::new(), 0));
}

/// Where `logos/caf.svg` is declared in the fixture's convention.
const CAF_LOGO_AT: &str = "data/convention.toml:43:8";

/// What a run printed on stderr, for containment checks: the report's
/// gutters, line breaks and hyphens removed (see [`normalise`]).
fn said(output: &std::process::Output) -> String {
    normalise(&String::from_utf8_lossy(&output.stderr).replace('│', ""))
}

/// The fixture with `svg` as the Caf's logo.
fn project_with_caf_logo(svg: &str) -> tempfile::TempDir {
    let project = copy_project(&fixture("logos"));
    fs::write(project.path().join("logos/caf.svg"), svg).unwrap();
    project
}

/// A logo as a communication department sends it (an Illustrator export: a
/// style sheet of classes, text in a font that ctg does not have) is accepted:
/// its colours are the style sheet's, its text drawn as outlines, with a
/// warning at its declaration; two builds give the same bytes.
#[test]
fn a_designers_svg_with_a_style_sheet_and_text_is_accepted() {
    let svg = fs::read_to_string(fixture("logos").join("exports/caf-communication.svg")).unwrap();
    let project = project_with_caf_logo(&svg);
    let root = project.path().to_str().unwrap();
    let checked = ctg(&["check", "--root", root]);
    let said = said(&checked);
    assert!(checked.status.success(), "{said}");
    for expected in [
        CAF_LOGO_AT,
        "le logo `logos/caf.svg` demande la police « Marianne-Bold », que ctg n'a pas : son texte est dessiné en Liberation Sans",
        "demandez-le avec son texte converti en tracés",
    ] {
        assert!(
            said.contains(&normalise(expected)),
            "`{expected}` in\n{said}"
        );
    }
    assert_eq!(said.matches("MarianneBold").count(), 1, "{said}");

    let out = build_in_test_area("logos-communication-a", project.path());
    let html = fs::read_to_string(out.join("plan.html")).unwrap();
    let page = scraper::Html::parse_document(&html);
    let selector = scraper::Selector::parse(".ctg-logos > svg").unwrap();
    let element = page.select(&selector).next().unwrap();
    assert_eq!(element.value().attr("aria-label"), Some(SVG_ALT));
    let svg = element.html();
    // The style sheet's colours, upper case as written, applied to the shapes.
    for colour in ["fill=\"#e30613\"", "fill=\"#004f9f\"", "stroke=\"#ffffff\""] {
        assert!(svg.contains(colour), "{colour} in {svg}");
    }
    // The text is outlines: paths in the text's white, no text, no style left.
    assert!(svg.matches("<path").count() >= 3, "{svg}");
    for gone in ["<text", "<style", "class=\"st", "Marianne", "Caf 52"] {
        assert!(!svg.contains(gone), "{gone} in {svg}");
    }
    // The PDF and the Word document show it, with its text alternative.
    let mut expected = vec![SVG_ALT, SVG_ALT, PNG_ALT, PNG_ALT];
    expected.sort();
    let pdf = fs::read(out.join("plan.pdf")).unwrap();
    assert_eq!(figure_alternatives(&pdf), expected);
    assert_eq!(word_images(&out.join("plan.docx")).0, [SVG_ALT, PNG_ALT]);

    let again = build_in_test_area("logos-communication-b", project.path());
    let (first, second) = (files_in(&out), files_in(&again));
    assert_same_files(&first, &second);
}

/// Normalising an SVG opens no door: what could run or reach outside the file
/// is still refused, at the logo's declaration, style sheet or not.
#[test]
fn hostile_svgs_are_still_refused_at_their_declaration() {
    let svg = |body: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 200 80\"><style>.a{{fill:#e30613}}</style><rect class=\"a\" width=\"200\" height=\"80\"/>{body}</svg>"
        )
    };
    let cases = [
        (
            "<script>alert(document.cookie)</script>",
            "il contient un script (`<script>`)",
        ),
        (
            "<rect width=\"1\" height=\"1\" onload=\"alert(1)\"/>",
            "il contient un attribut d'événement (`onload`)",
        ),
        (
            "<image xlink:href=\"https://exemple.fr/fond.png\" width=\"10\" height=\"10\"/>",
            "il fait référence à un autre fichier (`href=\"https://exemple.fr/fond.png\"`)",
        ),
        (
            "<style>@import url(\"https://exemple.fr/charte.css\");</style>",
            "sa feuille de style (`<style>`) en importe une autre (`@import`)",
        ),
        (
            "<style>.b{fill:url(autre.svg#degrade)}</style>",
            "sa feuille de style (`<style>`) fait référence à un autre fichier (`url(autre.svg#degrade)`)",
        ),
        (
            "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></foreignObject>",
            "il contient un objet étranger (`<foreignObject>`)",
        ),
    ];
    let project = copy_project(&fixture("logos"));
    let root = project.path().to_str().unwrap();
    for (body, expected) in cases {
        fs::write(project.path().join("logos/caf.svg"), svg(body)).unwrap();
        let checked = ctg(&["check", "--root", root]);
        let said = said(&checked);
        assert_eq!(checked.status.code(), Some(1), "{body}: {said}");
        for expected in [
            CAF_LOGO_AT,
            &format!("logo `logos/caf.svg` refusé : {expected}"),
        ] {
            assert!(
                said.contains(&normalise(expected)),
                "{body}: `{expected}` in\n{said}"
            );
        }
    }
}

/// An SVG of 5 000 nested groups, which the compiler cannot read (« failed to
/// parse SVG (nodes limit reached) »), is refused at its declaration, in
/// French, quickly, before any document is made.
#[test]
fn five_thousand_nested_groups_are_refused_at_the_declaration() {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\">{}<rect width=\"200\" height=\"80\"/>{}</svg>",
        "<g>".repeat(5000),
        "</g>".repeat(5000)
    );
    let project = project_with_caf_logo(&svg);
    let started = std::time::Instant::now();
    let built = ctg(&["build", "--root", project.path().to_str().unwrap()]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&built.stderr);
    let said = said(&built);
    assert_eq!(built.status.code(), Some(1), "{stderr}");
    for expected in [
        CAF_LOGO_AT,
        "logo `logos/caf.svg` refusé : ses éléments sont imbriqués sur 5002 niveaux, au-delà de 256",
        "dégroupez ses objets",
    ] {
        assert!(
            said.contains(&normalise(expected)),
            "`{expected}` in\n{stderr}"
        );
    }
    for absent in ["failed to parse", "nodes limit", ".typ"] {
        assert!(!stderr.contains(absent), "`{absent}` in\n{stderr}");
    }
    assert!(!project.path().join("out").exists());
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
}
