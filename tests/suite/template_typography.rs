//! The built-in templates' own French text follows the typography of the data:
//! no plain space before `:`, `;`, `!` or `?`, and narrow no-break spaces inside
//! « ». Checked on what a reader gets, every document of every built-in
//! template: the PDF's text (pages, table summaries and figure descriptions) and
//! the HTML's visible text, of the plan and of the reviews, with projects chosen
//! so that every branch of the templates that writes text is taken. The Word
//! documents' own text (their writer's sentences and headings) too.

use crate::common;

use std::fs;
use std::path::Path;

use common::*;
use scraper::{Html, Node};

/// Every place in `text` where French typography is not followed, with its
/// context: a plain space (or a line break, which only a plain space allows)
/// before `:`, `;`, `!`, `?` or `»`, and after `«`; a guillemet without a
/// narrow no-break space inside.
fn typography_problems(what: &str, text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut problems = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let wrong = match c {
            ':' | ';' | '!' | '?' => matches!(before, Some(' ' | '\n')),
            '«' => after != Some('\u{202F}'),
            '»' => before != Some('\u{202F}'),
            _ => false,
        };
        if wrong {
            let from = i.saturating_sub(30);
            let to = (i + 30).min(chars.len());
            let context: String = chars[from..to].iter().collect();
            problems.push(format!("{what} : « {} »", context.replace('\n', "⏎")));
        }
    }
    problems
}

/// The text of a PDF as read: each line of each page (runs of one line joined as
/// they are, lines by a line break), then its table summaries and the
/// descriptions of its figures, one a line.
fn pdf_text(pdf: &ctg::Rendered) -> String {
    let mut out = String::new();
    for page in page_runs(pdf.layout()) {
        let mut y = None;
        for run in page {
            if y.is_some_and(|y: f64| (y - run.y).abs() > 0.5) {
                out.push('\n');
            }
            y = Some(run.y);
            out.push_str(&run.text);
        }
        out.push('\n');
    }
    let doc = lopdf::Document::load_mem(pdf.pdf()).expect("a readable PDF");
    for object in doc.objects.values() {
        tagged_texts(object, &mut out);
    }
    out
}

/// The `/Summary` and `/Alt` strings under `object`, one a line.
fn tagged_texts(object: &lopdf::Object, out: &mut String) {
    match object {
        lopdf::Object::Dictionary(dict) => {
            for (key, value) in dict.iter() {
                match value {
                    lopdf::Object::String(bytes, _) if key == b"Summary" || key == b"Alt" => {
                        out.push_str(&pdf_string(bytes));
                        out.push('\n');
                    }
                    other => tagged_texts(other, out),
                }
            }
        }
        lopdf::Object::Array(items) => items.iter().for_each(|i| tagged_texts(i, out)),
        _ => {}
    }
}

/// The visible text of an HTML document: its title and the text of its body (a
/// style sheet, a script or an attribute is not text), plus the attributes that
/// people read or hear: a small screen shows `data-label`, a screen reader says
/// `aria-label`. Whitespace between tags, which the templates indent with, counts
/// as a line break.
fn html_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::new();
    for node in doc.tree.root().descendants() {
        match node.value() {
            Node::Text(text) => {
                let hidden = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "style" | "script"))
                });
                if hidden {
                    continue;
                }
                if text.trim().is_empty() && text.contains('\n') {
                    out.push('\n');
                } else {
                    out.push_str(text);
                }
            }
            Node::Element(e) => {
                for name in ["data-label", "aria-label"] {
                    if let Some(value) = e.attr(name) {
                        out.push('\n');
                        out.push_str(value);
                        out.push('\n');
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The text of a Word document: each paragraph of its body, header and footer a
/// line, then the text alternatives of its images.
fn docx_text(docx: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx");
    let names: Vec<String> = archive
        .file_names()
        .filter(|n| n.starts_with("word/") && n.ends_with(".xml"))
        .map(str::to_string)
        .collect();
    let mut out = String::new();
    for name in names {
        let mut xml = String::new();
        archive
            .by_name(&name)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let doc = roxmltree::Document::parse(&xml).expect("valid XML");
        for n in doc.descendants() {
            match n.tag_name().name() {
                "p" => {
                    for t in n.descendants().filter(|t| t.tag_name().name() == "t") {
                        out.push_str(t.text().unwrap_or_default());
                    }
                    out.push('\n');
                }
                "docPr" => {
                    out.push_str(n.attribute("descr").unwrap_or_default());
                    out.push('\n');
                }
                _ => {}
            }
        }
    }
    out
}

/// A copy of the small plan with two years of follow-up, 2024 (its first review)
/// and 2025, when no action is due, none is late and none changed state: the
/// reviews' sentences for empty lists are written.
fn mini_with_reviews() -> tempfile::TempDir {
    let project = copy_project(&fixture("mini"));
    let suivi = project.path().join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    let actions = project.path().join("data/actions");
    for (file, from, to) in [
        ("enfance/01-creche.toml", "\"2024 - 2025\"", "\"2024\""),
        ("logement/02-decence.toml", "\"2024-2026\"", "\"2024\""),
    ] {
        let path = actions.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        fs::write(&path, text.replace(from, to)).unwrap();
    }
    // Both actions due in 2024 are done; the third starts in 2026.
    let done = "[actions.enfance-creche]\netat = \"réalisé\"\n\n\
                [actions.logement-decence]\netat = \"réalisé\"\n";
    for year in [2024, 2025] {
        fs::write(suivi.join(format!("{year}.toml")), done).unwrap();
    }
    project
}

/// Every document built from `root`: the plan's PDF, page, fragment and Word
/// document, the action sheets' PDF and pages, then each review's PDF, page and
/// Word document, each with its name.
fn documents(root: &Path) -> Vec<(String, String)> {
    let (plan, templates, mut warnings) = ctg::load_and_validate(root).expect("a valid project");
    let follow_ups = ctg::load_follow_ups(root, &plan, &mut warnings).expect("a valid follow-up");
    let (_, rendered) = ctg::render_project(root).expect("the plan builds");
    let mut documents = vec![
        ("plan.pdf".to_string(), pdf_text(&rendered)),
        ("plan.html".to_string(), html_text(&rendered.html())),
        (
            "plan.fragment.html".to_string(),
            html_text(&rendered.text("plan.fragment.html")),
        ),
        ("plan.docx".to_string(), docx_text(&rendered.docx())),
    ];
    let sheets = ctg::Document::Sheets
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .expect("the sheets build");
    documents.push(("fiches.pdf".to_string(), pdf_text(&sheets)));
    for (name, _) in sheets.files.iter().filter(|(n, _)| n.ends_with(".html")) {
        documents.push((name.clone(), html_text(sheets.text(name))));
    }
    for year in follow_ups.years.keys() {
        let review = ctg::Document::Review(*year)
            .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
            .expect("the review builds");
        documents.push((format!("bilan-{year}.pdf"), pdf_text(&review)));
        documents.push((format!("bilan-{year}.html"), html_text(&review.html())));
        documents.push((format!("bilan-{year}.docx"), docx_text(&review.docx())));
    }
    documents
}

#[test]
fn the_templates_own_text_follows_french_typography() {
    let mini = mini_with_reviews();
    let projects = [
        ("plan de référence", project_root()),
        (
            "examples/bilan-demo",
            project_root().join("examples/bilan-demo"),
        ),
        ("petit plan avec suivi", mini.path().to_path_buf()),
        ("fiches actions", fixture("fiche-longue")),
    ];
    let mut problems = Vec::new();
    let mut all = String::new();
    for (project, root) in &projects {
        for (name, text) in documents(root) {
            problems.extend(typography_problems(&format!("{project}, {name}"), &text));
            all.push_str(&text);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // The texts of the templates that the projects above are chosen to show.
    for written in [
        "Télécharger l'annexe de la convention\u{A0}: plan d'actions",
        "«\u{202F}Nature de l'offre",
        "Premier bilan\u{A0}: aucune année précédente à comparer.",
        "Aucune action n'arrive à échéance en 2025.",
        "Aucune action en retard.",
        "Thématique\u{A0}: Accueil du jeune enfant",
        "Fiche 1 (suite) – Diagnostic",
        "avancement\u{A0}: 100\u{A0}%",
        "Fiche suivante\u{A0}: fiche 2",
        "Aucun changement d'état depuis 2024.",
        "action ni réalisée ni abandonnée\u{A0}:",
        "champ d'intervention\u{202F}; chaque état a son motif",
        "Fait à",
    ] {
        assert!(all.contains(written), "{written:?} absent");
    }
}

#[test]
fn the_check_finds_plain_spaces_and_reads_only_visible_html_text() {
    assert!(
        typography_problems("t", "Note\u{A0}: «\u{202F}a\u{202F}» b\u{202F}; c\u{202F}?")
            .is_empty()
    );
    assert_eq!(typography_problems("t", "Note : a").len(), 1);
    assert_eq!(typography_problems("t", "a ; b ! c ?").len(), 3);
    assert_eq!(typography_problems("t", "« a »").len(), 2);
    assert_eq!(typography_problems("t", "fin de ligne\n: suite").len(), 1);
    // Times and addresses have no space to check.
    assert!(typography_problems("t", "à 14:30, https://exemple.fr/a?b").is_empty());

    let page = "<html><head><title>Titre : x</title><style>a { color: #fff; }</style></head>\
                <body><p class=\"a : b\">Texte\u{A0}: ici</p><span data-label=\"Libellé : x\">\
                </span><script>let a = b ? c : d;</script></body></html>";
    let problems = typography_problems("page", &html_text(page));
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("Titre :") && problems[1].contains("Libellé :"));
}
