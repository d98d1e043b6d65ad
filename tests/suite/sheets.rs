//! The action sheets ("fiches actions"): one per action in `fiches.pdf`, found by
//! its bookmark, with every field of the action; a contents page whose numbers
//! are the sheets' pages; a long sheet that repeats its heading; and one web page
//! per action whose every link leads somewhere.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::*;
use ctg::{Plan, Value};

fn build(name: &str, root: &Path) -> PathBuf {
    build_in_test_area(&format!("fiches-{name}"), root)
}

fn plan(root: &Path) -> Plan {
    ctg::load_and_validate(root)
        .expect("the project is valid")
        .0
}

/// The shipped plan, the long sheets' fixture (a declared title, a hidden
/// column, follow-up over two years) and the plan of another model.
static PROJECTS: LazyLock<Vec<(PathBuf, PathBuf)>> = LazyLock::new(|| {
    [
        ("reference", project_root()),
        ("fiche-longue", fixture("fiche-longue")),
        ("autre-modele", fixture("autre-modele")),
    ]
    .into_iter()
    .map(|(name, root)| (build(name, &root), root))
    .collect()
});

/// Each sheet's bookmark: its number, title and first page, in order.
fn sheet_starts(pdf: &Path) -> Vec<(usize, String, usize)> {
    pdf_outline(pdf)
        .into_iter()
        .filter(|(level, _, _)| *level == 2)
        .map(|(_, title, page)| {
            let number = title
                .strip_prefix("Fiche ")
                .and_then(|t| t.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bookmark {title:?}"));
            (number, title, page)
        })
        .collect()
}

fn page_count(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).unwrap().get_pages().len()
}

/// A value as the sheet prints it, for a containment check.
fn printed(value: &Value) -> String {
    let text = match value {
        Value::Text(markdown) => ctg::markdown_to_plain(markdown),
        Value::Deadline(d) => d.text.clone(),
        Value::Amount(a) => a.french(),
        Value::Number(n) => n.to_string(),
        Value::Absent => String::new(),
    };
    // With French typography: superscript ordinals print as their letters.
    ctg::segments(&text)
        .into_iter()
        .map(|s| match s {
            ctg::Segment::Plain(t) | ctg::Segment::Super(t) => t,
        })
        .collect()
}

/// Text for containment checks: `normalise`, with the characters a PDF's text
/// layer writes differently from the data (the list bullet, the apostrophe).
fn comparable(text: &str) -> String {
    normalise(text)
        .replace(['’', '\u{2060}'], "")
        .replace('\'', "")
        .replace('•', "")
}

/// The text of pages `first` to `last` without their header and footer (the
/// margins of the A4 page, in points), so that a text that runs on over a page
/// break reads on.
fn body_text(pdf: &Path, first: usize, last: usize) -> String {
    pdftotext_with(
        pdf,
        first,
        last,
        &["-x", "0", "-y", "74", "-W", "595", "-H", "716"],
    )
}

#[test]
fn every_action_has_exactly_one_sheet_holding_each_of_its_fields() {
    if !tool(
        "every_action_has_exactly_one_sheet_holding_each_of_its_fields",
        missing_pdftotext(),
    ) {
        return;
    }
    for (out, root) in PROJECTS.iter() {
        let plan = plan(root);
        let pdf = out.join("fiches.pdf");
        let starts = sheet_starts(&pdf);
        let numbers: Vec<usize> = starts.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(
            numbers,
            (1..=plan.actions.len()).collect::<Vec<_>>(),
            "{}",
            root.display()
        );
        let pages = page_count(&pdf);
        for (i, action) in plan.actions.iter().enumerate() {
            let (number, bookmark, first) = &starts[i];
            let last = starts.get(i + 1).map_or(pages, |(_, _, next)| next - 1);
            assert!(first <= &last, "{bookmark}: pages {first}-{last}");
            // The bookmark has the heading's French typography (no-break spaces).
            let title = ctg::sheet_title(&plan, action);
            let spaces = |t: &str| t.replace(['\u{a0}', '\u{202f}'], " ");
            assert_eq!(
                spaces(bookmark),
                spaces(&format!("Fiche {number} – {title}"))
            );
            let text = comparable(&body_text(&pdf, *first, last));
            let field = plan.convention.field(&action.field).unwrap();
            assert!(
                text.contains(&comparable(&format!("Fiche {number} –"))),
                "{bookmark}"
            );
            // The field named in the singular: « Axe : … », not « Axes : … ».
            let one = plan
                .convention
                .sheets
                .field_label
                .clone()
                .unwrap_or_else(|| ctg::singular(&plan.convention.shape.first_column));
            assert!(
                text.contains(&comparable(&format!("{one} : {}", field.label))),
                "{bookmark}: field {}",
                field.label
            );
            for (column, value) in plan.convention.shape.columns.iter().zip(&action.values) {
                if matches!(value, Value::Absent) {
                    continue;
                }
                assert!(
                    text.contains(&comparable(&column.label)),
                    "{bookmark}: label {}",
                    column.label
                );
                let expected = comparable(&printed(value));
                assert!(
                    text.contains(&expected),
                    "{bookmark}, {} : {expected:?} absent de\n{text}",
                    column.key
                );
            }
        }
    }
}

#[test]
fn the_contents_give_the_page_where_each_sheet_starts() {
    if !tool(
        "the_contents_give_the_page_where_each_sheet_starts",
        missing_pdftotext(),
    ) {
        return;
    }
    // The page number of an entry follows its dotted leader and a word joiner.
    let leader = regex::Regex::new(r"\x{2060}(\d+)").unwrap();
    for (out, _) in PROJECTS.iter() {
        let pdf = out.join("fiches.pdf");
        let starts = sheet_starts(&pdf);
        // The contents take the pages before the first sheet.
        let contents = pdftotext(&pdf, 1, starts[0].2 - 1);
        for (number, bookmark, page) in &starts {
            let entry = format!("Fiche {number} –");
            let at = contents
                .find(&entry)
                .unwrap_or_else(|| panic!("{entry} absent du sommaire"));
            let listed: usize = leader.captures(&contents[at..]).unwrap()[1]
                .parse()
                .unwrap();
            assert_eq!(listed, *page, "{bookmark}");
        }
        // The fields come first, each at the page of its first sheet.
        let fields: Vec<(usize, String, usize)> = pdf_outline(&pdf)
            .into_iter()
            .filter(|(level, _, _)| *level == 1)
            .collect();
        assert!(!fields.is_empty());
        for (_, label, page) in fields {
            let first = starts.iter().find(|(_, _, p)| *p >= page).unwrap();
            assert_eq!(first.2, page, "{label}");
        }
    }
}

#[test]
fn a_sheet_longer_than_a_page_repeats_its_heading() {
    if !tool(
        "a_sheet_longer_than_a_page_repeats_its_heading",
        missing_pdftotext(),
    ) {
        return;
    }
    let (out, _) = &PROJECTS[1];
    let pdf = out.join("fiches.pdf");
    let starts = sheet_starts(&pdf);
    let (_, _, first) = starts[0];
    let (_, _, next) = starts[1];
    assert!(
        next - first >= 3,
        "the long sheet spans {} pages",
        next - first
    );
    let heading = "Fiche 1 (suite) – Diagnostic des besoins d'accueil commune par commune";
    assert!(!pdftotext(&pdf, first, first).contains("(suite)"));
    for page in first + 1..next {
        let text = pdftotext(&pdf, page, page);
        assert!(text.contains(heading), "page {page}:\n{text}");
    }
    for page in next..=page_count(&pdf) {
        assert!(
            !pdftotext(&pdf, page, page).contains("(suite)"),
            "page {page}"
        );
    }
}

/// Wherever a page break falls, a part's label is never the last line of a
/// page: the long description grows by one paragraph at a time, so that the
/// labels after it take every place on the page, the foot included.
#[test]
fn a_label_is_never_left_alone_at_the_foot_of_a_page() {
    if !tool(
        "a_label_is_never_left_alone_at_the_foot_of_a_page",
        missing_pdftotext(),
    ) {
        return;
    }
    let source = fixture("fiche-longue");
    let file = "data/actions/accueil/01-diagnostic.toml";
    let original = fs::read_to_string(source.join(file)).unwrap();
    let labels = [
        "Descriptif",
        "Mise en œuvre",
        "Pilote",
        "Budget prévisionnel",
        "Calendrier",
        "Public visé",
        "Suivi",
    ];
    let mut footers_checked = 0;
    for extra in 0..12 {
        let project = copy_project(&source);
        let padding = "Ligne de plus.\n\n".repeat(extra);
        let text = original.replacen(
            "descriptif = '''\n",
            &format!("descriptif = '''\n{padding}"),
            1,
        );
        fs::write(project.path().join(file), text).unwrap();
        let out = project.path().join("out");
        ctg::build(&ctg::BuildOptions {
            root: project.path().to_path_buf(),
            out: Some(out.clone()),
            write: true,
            ..Default::default()
        })
        .unwrap();
        let pdf = out.join("fiches.pdf");
        for page in 1..=page_count(&pdf) {
            let text = pdftotext(&pdf, page, page);
            // The page's lines above its footer (which names the parties).
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take_while(|l| !l.starts_with("Convention Territoriale Globale – Caf des Coteaux"))
                .collect();
            footers_checked += 1;
            if let Some(last) = lines.last() {
                assert!(
                    !labels.contains(last),
                    "+{extra} paragraphes, page {page} : « {last} » seul en bas de page"
                );
            }
        }
    }
    assert!(footers_checked >= 12 * 5);
}

/// Every `href` of the page at `file`, resolved: the file it leads to and the
/// `id` it names, if any.
fn links(file: &Path) -> Vec<(String, PathBuf, Option<String>)> {
    let html = scraper::Html::parse_document(&fs::read_to_string(file).unwrap());
    let a = scraper::Selector::parse("a[href]").unwrap();
    html.select(&a)
        .map(|link| {
            let href = link.value().attr("href").unwrap().to_string();
            let (path, id) = match href.split_once('#') {
                Some((path, id)) => (path.to_string(), Some(id.to_string())),
                None => (href.clone(), None),
            };
            let target = if path.is_empty() {
                file.to_path_buf()
            } else {
                file.parent().unwrap().join(&path)
            };
            (href, target, id)
        })
        .collect()
}

fn ids(file: &Path) -> BTreeSet<String> {
    let html = scraper::Html::parse_document(&fs::read_to_string(file).unwrap());
    let any = scraper::Selector::parse("[id]").unwrap();
    html.select(&any)
        .map(|e| e.value().attr("id").unwrap().to_string())
        .collect()
}

fn select_all(file: &Path, selector: &str) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(&fs::read_to_string(file).unwrap());
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| {
            (
                e.value().attr("href").unwrap_or_default().to_string(),
                e.text().collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

#[test]
fn one_page_per_action_and_every_link_leads_somewhere() {
    for (out, root) in PROJECTS.iter() {
        let plan = plan(root);
        let dir = out.join(ctg::SHEETS_DIR);
        let mut pages: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        pages.sort();
        let mut expected: Vec<String> = plan
            .actions
            .iter()
            .map(|a| format!("{}.html", a.id))
            .chain(["index.html".to_string()])
            .collect();
        expected.sort();
        assert_eq!(pages, expected, "{}", root.display());

        for (i, action) in plan.actions.iter().enumerate() {
            let page = dir.join(format!("{}.html", action.id));
            let crumbs = select_all(&page, "nav[aria-label=\"Fil d'Ariane\"] a");
            assert_eq!(
                crumbs,
                [
                    ("../plan.html".to_string(), "Plan d'actions".to_string()),
                    (
                        format!("index.html#champ-{}", action.field),
                        plan.convention.field(&action.field).unwrap().label.clone()
                    ),
                ]
            );
            let previous = select_all(&page, "a[rel=prev]");
            let next = select_all(&page, "a[rel=next]");
            let neighbour = |j: Option<usize>| -> Vec<String> {
                j.and_then(|j| plan.actions.get(j))
                    .map(|a| format!("{}.html", a.id))
                    .into_iter()
                    .collect()
            };
            assert_eq!(
                previous.into_iter().map(|(h, _)| h).collect::<Vec<_>>(),
                neighbour(i.checked_sub(1))
            );
            assert_eq!(
                next.into_iter().map(|(h, _)| h).collect::<Vec<_>>(),
                neighbour(Some(i + 1))
            );
            let h1 = select_all(&page, "h1");
            assert_eq!(h1.len(), 1);
        }

        // The index lists every sheet, by field, in the plan's order.
        let index = dir.join("index.html");
        let listed: Vec<String> = select_all(&index, "main li a")
            .into_iter()
            .map(|(href, _)| href)
            .collect();
        let in_order: Vec<String> = plan
            .actions
            .iter()
            .map(|a| format!("{}.html", a.id))
            .collect();
        assert_eq!(listed, in_order);

        // Each action's row on the plan's page links to its sheet.
        let plan_page = out.join("plan.html");
        let rows: Vec<String> = select_all(&plan_page, "tr.ctg-action a[href^=\"actions/\"]")
            .into_iter()
            .map(|(href, _)| href)
            .collect();
        let to_sheets: Vec<String> = plan
            .actions
            .iter()
            .map(|a| format!("actions/{}.html", a.id))
            .collect();
        assert_eq!(rows, to_sheets);

        // Every link of every page leads to a file of the output, and to an
        // element of it when it names one.
        let mut checked = 0;
        let reviews = fs::read_dir(out).unwrap().filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name()?.to_str()?.to_string();
            (name.starts_with("bilan-") && name.ends_with(".html")).then_some(path)
        });
        let files = pages
            .iter()
            .map(|p| dir.join(p))
            .chain([plan_page.clone()])
            .chain(reviews);
        for file in files {
            for (href, target, id) in links(&file) {
                if href.starts_with("https://") || href.starts_with("mailto:") {
                    continue;
                }
                assert!(
                    target.is_file(),
                    "{} : lien {href} vers un fichier absent",
                    file.display()
                );
                assert!(
                    fs::canonicalize(&target)
                        .unwrap()
                        .starts_with(fs::canonicalize(out).unwrap()),
                    "{href}"
                );
                if let Some(id) = id {
                    assert!(
                        ids(&target).contains(&id),
                        "{} : lien {href} vers un id absent",
                        file.display()
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 4 * plan.actions.len(), "{checked} liens");
    }
}

#[test]
fn text_that_looks_like_code_is_shown_as_written() {
    let (out, _) = &PROJECTS[1];
    let page = fs::read_to_string(out.join("actions/jeunesse-conseil.html")).unwrap();
    assert!(page.contains("#1 [pilote] $x$ &lt;script&gt;alert(1)&lt;/script&gt; @moi \\fin"));
    assert_eq!(page.matches("<script").count(), 0);
    let typ = {
        let root = fixture("fiche-longue");
        let (plan, templates, mut warnings) = ctg::load_and_validate(&root).unwrap();
        let follow_ups = ctg::load_follow_ups(&root, &plan, &mut warnings).unwrap();
        ctg::Document::Sheets
            .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
            .unwrap()
    };
    let text = typ.page_texts().join(" ");
    assert!(
        text.contains("#1 [pilote] $x$ <script>alert(1)</script> @moi \\fin"),
        "{text}"
    );
}

#[test]
fn the_sheets_show_the_latest_follow_up_and_the_indicators_by_year() {
    let (out, _) = &PROJECTS[1];
    let page = fs::read_to_string(out.join("actions/accueil-diagnostic.html")).unwrap();
    let text = html_text(&page).replace("&nbsp;", " ");
    let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("État en 2026 : réalisé · avancement : 100 %"),
        "{words}"
    );
    assert!(words.contains("Diagnostic remis au comité de pilotage"));
    // One row per indicator, a column per year: 2025 and 2026.
    let rows = select_all(&out.join("actions/accueil-diagnostic.html"), "tbody tr");
    let rows: Vec<String> = rows
        .into_iter()
        .map(|(_, t)| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        [
            "Communes rencontrées communes 0 40 12 40",
            "Familles interrogées familles 312,5"
        ]
    );
    // An action without follow-up has no such part.
    let (reference, root) = &PROJECTS[0];
    let first = &plan(root).actions[0];
    let page = fs::read_to_string(reference.join(format!("actions/{}.html", first.id))).unwrap();
    assert!(page.contains("<h1>"));
    assert!(!page.contains("id=\"suivi\""));
}

#[test]
fn a_convention_may_turn_the_sheets_off() {
    let project = copy_project(&fixture("mini"));
    let convention = project.path().join("data/convention.toml");
    let mut text = fs::read_to_string(&convention).unwrap();
    text.push_str("\n[fiches]\npublier = false\n");
    fs::write(&convention, text).unwrap();
    let out = project.path().join("out");
    let report = ctg::build(&ctg::BuildOptions {
        root: project.path().to_path_buf(),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    })
    .unwrap();
    assert!(out.join("plan.pdf").is_file());
    assert!(!out.join("fiches.pdf").exists());
    assert!(!out.join("actions").exists());
    assert!(
        report
            .written
            .iter()
            .all(|w| !w.path.starts_with(out.join("actions")))
    );
    let page = fs::read_to_string(out.join("plan.html")).unwrap();
    assert!(!page.contains("href=\"actions/"));
}

#[test]
fn the_pages_of_removed_actions_go_and_two_builds_give_the_same_bytes() {
    let project = copy_project(&fixture("mini"));
    let out = project.path().join("out");
    let options = ctg::BuildOptions {
        root: project.path().to_path_buf(),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    };
    ctg::build(&options).unwrap();
    let first: Vec<(PathBuf, Vec<u8>)> = [
        "fiches.pdf",
        "actions/index.html",
        "actions/logement-decence.html",
    ]
    .iter()
    .map(|f| (out.join(f), fs::read(out.join(f)).unwrap()))
    .collect();
    ctg::build(&options).unwrap();
    for (path, bytes) in &first {
        assert_eq!(&fs::read(path).unwrap(), bytes, "{}", path.display());
    }
    // A file of the user's in the folder stays; the page of a removed action goes.
    fs::write(out.join("actions/notes.txt"), "à garder").unwrap();
    fs::remove_file(project.path().join("data/actions/logement/02-decence.toml")).unwrap();
    ctg::build(&options).unwrap();
    assert!(!out.join("actions/logement-decence.html").exists());
    assert!(out.join("actions/logement-impayes.html").is_file());
    assert!(out.join("actions/notes.txt").is_file());
}

#[test]
fn sheets_snapshots() {
    let root = fixture("fiche-longue");
    let (plan, templates, mut warnings) = ctg::load_and_validate(&root).unwrap();
    let follow_ups = ctg::load_follow_ups(&root, &plan, &mut warnings).unwrap();
    let rendered = ctg::Document::Sheets
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    // The long description is cut short: the snapshot shows the structure.
    let typ: String = rendered
        .typst_source()
        .lines()
        .filter(|l| !l.starts_with("Étape ") || l.starts_with("Étape 1 "))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("fiches_typ", typ);
    let page = |name: &str| rendered.text(&format!("actions/{name}")).to_string();
    insta::assert_snapshot!("fiche_jeunesse_conseil_html", page("jeunesse-conseil.html"));
    insta::assert_snapshot!("fiches_index_html", page("index.html"));
}

#[test]
fn each_sheet_names_its_field_in_the_singular_and_its_footer_holds_on_one_line() {
    let root = project_root();
    let (plan, templates, mut warnings) = ctg::load_and_validate(&root).unwrap();
    let follow_ups = ctg::load_follow_ups(&root, &plan, &mut warnings).unwrap();
    let rendered = ctg::Document::Sheets
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let text = rendered.page_texts().join(" ");
    let text = text.replace('\u{a0}', " ");
    assert!(
        text.contains("Champ d'intervention : Petite Enfance"),
        "{text}"
    );
    assert!(!text.contains("Champs d'intervention : "), "{text}");
    // The footer: every run below the text area is on one baseline.
    for (page, runs) in page_runs(&rendered.layout()).iter().enumerate() {
        let height = rendered.layout().pages()[page].frame.height().to_pt();
        let footer: Vec<&Run> = runs.iter().filter(|r| r.y > height - 50.0).collect();
        assert!(!footer.is_empty(), "page {}", page + 1);
        let first = footer[0].y;
        assert!(
            footer.iter().all(|r| (r.y - first).abs() < 1.0),
            "page {} : pied de page sur plusieurs lignes : {footer:?}",
            page + 1
        );
    }
    // A convention may say how a sheet names its field.
    let project = copy_project(&fixture("autre-modele"));
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(
        &convention,
        format!("{text}\n[fiches]\nlibelle_champ = \"Axe stratégique\"\n"),
    )
    .unwrap();
    let (plan, templates, mut warnings) = ctg::load_and_validate(project.path()).unwrap();
    let follow_ups = ctg::load_follow_ups(project.path(), &plan, &mut warnings).unwrap();
    let rendered = ctg::Document::Sheets
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let text = rendered.page_texts().join(" ").replace('\u{a0}', " ");
    assert!(text.contains("Axe stratégique : "), "{text}");
}
