//! The yearly follow-up collected by spreadsheet: `ctg suivi export` writes a
//! workbook to fill in (read back here from its parts: validation, protection,
//! page set-up, pre-filled values), a partner fills it in, `ctg suivi import`
//! reads it back into `data/suivi/<année>.toml` and the review shows what the
//! partner wrote. Every mistake in a workbook is named by its cell, and nothing
//! is written while one remains.

#[path = "suite/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use common::*;

const YEAR: &str = "2026";
const SHEET: &str = "Suivi 2026";

/// The demo project (twelve actions, follow-up for 2024 and 2025), copied.
fn demo() -> tempfile::TempDir {
    copy_project(&project_root().join("examples/bilan-demo"))
}

fn run(args: &[&str]) -> Output {
    ctg(args)
}

/// `ctg suivi export` in `root`, which must succeed; the workbook's path.
fn export(root: &Path, more: &[&str]) -> PathBuf {
    let root_arg = root.to_str().unwrap();
    let mut args = vec!["suivi", "export", YEAR, "--root", root_arg];
    args.extend_from_slice(more);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr_line(&out));
    root.join("out/suivi-2026.xlsx")
}

fn import(root: &Path, files: &[&Path], more: &[&str]) -> Output {
    let mut args = vec!["suivi", "import"];
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    args.extend(files);
    args.extend(["--root", root.to_str().unwrap()]);
    args.extend_from_slice(more);
    run(&args)
}

/// The cells of a sheet of a workbook, as text, from A1.
fn grid(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let (top, left) = range.start().unwrap();
    let (height, width) = range.get_size();
    let mut rows = vec![vec![String::new(); left as usize + width]; top as usize + height];
    for (r, c, data) in range.used_cells() {
        let text = match data {
            Data::String(s) => s.clone(),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            other => other.to_string(),
        };
        rows[top as usize + r][left as usize + c] = text;
    }
    rows
}

/// The 1-based row of the workbook where column A is `id` (after the header).
fn row_of(path: &Path, sheet: &str, id: &str, nth: usize) -> u32 {
    let rows = grid(path, sheet);
    let found: Vec<usize> = rows
        .iter()
        .enumerate()
        .skip(2)
        .filter(|(_, r)| r.first().is_some_and(|a| a == id))
        .map(|(i, _)| i)
        .collect();
    *found
        .get(nth)
        .unwrap_or_else(|| panic!("{id} absent de la feuille {sheet} : {rows:?}")) as u32
        + 1
}

/// The first row of the indicators' sheet left for new indicators.
fn first_blank_indicator_row(path: &Path) -> u32 {
    let rows = grid(path, "Indicateurs");
    let used = rows
        .iter()
        .skip(2)
        .take_while(|r| r.first().is_some_and(|a| !a.is_empty()))
        .count();
    (2 + used + 1) as u32
}

/// A value typed into a cell.
#[derive(Clone)]
enum V {
    Text(String),
    Number(f64),
    Blank,
}

fn text(s: &str) -> V {
    V::Text(s.to_string())
}

/// The part of the workbook holding `sheet`: the export writes the follow-up
/// sheet first, the indicators second.
fn part(sheet: &str) -> &'static str {
    match sheet {
        "Indicateurs" => "xl/worksheets/sheet2.xml",
        _ => "xl/worksheets/sheet1.xml",
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Types values into cells of the workbook at `path`, as a spreadsheet
/// saves them (a cell keeps its format; text is written inline), and writes
/// the result to `to`. Each edit is (sheet, cell reference, value).
fn fill(path: &Path, to: &Path, edits: &[(&str, String, V)]) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        parts.push((file.name().to_string(), data));
    }
    for (sheet, cell, value) in edits {
        let (_, data) = parts.iter_mut().find(|(n, _)| n == part(sheet)).unwrap();
        let xml = String::from_utf8(data.clone()).unwrap();
        let pattern = regex::Regex::new(&format!(
            r#"<c r="{cell}"((?: [a-z]+="[^"]*")*)\s*(?:/>|>.*?</c>)"#
        ))
        .unwrap();
        let found = pattern
            .captures(&xml)
            .unwrap_or_else(|| panic!("cellule {cell} absente de {sheet}"));
        let style = regex::Regex::new(r#" s="\d+""#)
            .unwrap()
            .find(&found[1])
            .map_or(String::new(), |m| m.as_str().to_string());
        let new = match value {
            V::Text(t) => format!(
                r#"<c r="{cell}"{style} t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                escape(t)
            ),
            V::Number(n) => format!(r#"<c r="{cell}"{style}><v>{n}</v></c>"#),
            V::Blank => format!(r#"<c r="{cell}"{style}/>"#),
        };
        let xml = xml.replacen(&found[0], &new, 1);
        *data = xml.into_bytes();
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in &parts {
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(data).unwrap();
    }
    std::fs::write(to, out.finish().unwrap().into_inner()).unwrap();
}

/// The column letter of each column of the follow-up sheet.
const ID: &str = "A";
const STATE: &str = "F";
const PROGRESS: &str = "G";
const COMMENT: &str = "H";
/// And of the indicators' sheet.
const IND_ID: &str = "A";
const IND_NAME: &str = "C";
const IND_UNIT: &str = "D";
const IND_VALUE: &str = "G";

fn at(col: &str, row: u32) -> String {
    format!("{col}{row}")
}

/// The text of the cells of an action's row in the review's plan table, by
/// the suffix of their `headers` (`ctg-suivi-etat`, `ctg-suivi-commentaire`).
fn review_row(html: &str, description: &str) -> BTreeMap<String, String> {
    let page = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("tr.ctg-action").unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    for row in page.select(&rows) {
        let texts: BTreeMap<String, String> = row
            .select(&cells)
            .map(|td| {
                let headers = td.value().attr("headers").unwrap_or_default();
                let key = headers.split_whitespace().last().unwrap_or_default();
                (key.to_string(), spaces(&td.text().collect::<String>()))
            })
            .collect();
        if texts.values().any(|t| t.contains(description)) {
            return texts;
        }
    }
    panic!("aucune ligne du bilan ne contient « {description} »");
}

/// The rows of the review's indicators table of an action: name → cells.
fn review_indicators(html: &str, description: &str) -> BTreeMap<String, Vec<String>> {
    let page = scraper::Html::parse_document(html);
    let tables = scraper::Selector::parse("table").unwrap();
    let caption = scraper::Selector::parse("caption").unwrap();
    let rows = scraper::Selector::parse("tbody tr").unwrap();
    let th = scraper::Selector::parse("th").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    for table in page.select(&tables) {
        let title = spaces(
            &table
                .select(&caption)
                .flat_map(|c| c.text())
                .collect::<String>(),
        );
        if !title.contains(description) || !title.contains('–') {
            continue;
        }
        return table
            .select(&rows)
            .map(|r| {
                let name = spaces(&r.select(&th).flat_map(|c| c.text()).collect::<String>());
                let cells = r
                    .select(&td)
                    .map(|c| spaces(&c.text().collect::<String>()))
                    .collect();
                (name, cells)
            })
            .collect();
    }
    panic!("aucun tableau d'indicateurs pour « {description} »");
}

/// Text with the typography's non-breaking spaces as plain spaces.
fn spaces(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

fn build_review(root: &Path) -> String {
    let out = run(&["build", "--root", root.to_str().unwrap(), "--bilan", YEAR]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    std::fs::read_to_string(root.join("out/bilan-2026.html")).unwrap()
}

/// What a partner types into the demo's 2026 workbook, and what the review
/// must then show.
struct Filled {
    edits: Vec<(&'static str, String, V)>,
}

/// Text that looks like code: it must reach the review as typed.
const COMMENT_TEXT: &str = "Locaux livrés ; *tarif* 12 € #2 <b>gras</b> \\o/ [lien] @caf";

fn partner_edits(workbook: &Path) -> Filled {
    let horaires = row_of(workbook, SHEET, "enfance-horaires-atypiques", 0);
    let mam = row_of(workbook, SHEET, "enfance-mam-nord", 0);
    let places = row_of(workbook, "Indicateurs", "enfance-creche-centre-bourg", 0);
    let blank = first_blank_indicator_row(workbook);
    Filled {
        edits: vec![
            (SHEET, at(STATE, horaires), text("réalisé")),
            (SHEET, at(PROGRESS, horaires), V::Number(100.0)),
            (SHEET, at(COMMENT, horaires), text(COMMENT_TEXT)),
            // LibreOffice capitalises what is typed: the state is read whatever its case.
            (SHEET, at(STATE, mam), text("En cours")),
            (SHEET, at(PROGRESS, mam), V::Number(35.0)),
            (
                SHEET,
                at(COMMENT, mam),
                text("Terrain trouvé.\nPermis déposé."),
            ),
            ("Indicateurs", at(IND_VALUE, places), V::Number(24.0)),
            (
                "Indicateurs",
                at(IND_ID, blank),
                text("jeunesse-projets-ados"),
            ),
            ("Indicateurs", at(IND_NAME, blank), text("Projets déposés")),
            ("Indicateurs", at(IND_UNIT, blank), text("projets")),
            ("Indicateurs", at(IND_VALUE, blank), V::Number(7.5)),
        ],
    }
}

#[test]
fn round_trip_the_review_shows_what_the_partners_wrote() {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("rempli.xlsx");
    fill(&workbook, &filled, &partner_edits(&workbook).edits);
    let out = import(root, &[&filled], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(
        said.contains("écrit data/suivi/2026.toml : 12 actions ajoutées"),
        "{said}"
    );

    let html = build_review(root);
    let horaires = review_row(&html, "Accueil en horaires atypiques");
    assert!(
        horaires["ctg-suivi-etat"].contains("réalisé"),
        "{horaires:?}"
    );
    assert!(horaires["ctg-suivi-etat"].contains("100"), "{horaires:?}");
    // The comment is data: every character as typed, no markup made of it.
    assert_eq!(horaires["ctg-suivi-commentaire"], COMMENT_TEXT);
    let mam = review_row(&html, "maison d'assistants maternels");
    assert!(mam["ctg-suivi-etat"].contains("en cours"), "{mam:?}");
    assert!(mam["ctg-suivi-etat"].contains("35"), "{mam:?}");
    assert!(
        mam["ctg-suivi-commentaire"].contains("Terrain trouvé."),
        "{mam:?}"
    );
    assert!(
        mam["ctg-suivi-commentaire"].contains("Permis déposé."),
        "{mam:?}"
    );
    // Untouched rows carry the values the workbook was pre-filled with (2025).
    let laep = review_row(&html, "lieu d'accueil enfants-parents");
    assert!(laep["ctg-suivi-etat"].contains("réorienté"), "{laep:?}");
    assert!(
        laep["ctg-suivi-commentaire"].contains("itinérant"),
        "{laep:?}"
    );

    let creche = review_indicators(&html, "crèche de 20 places");
    assert_eq!(creche["Places d'accueil"][0], "24", "{creche:?}");
    let ados = review_indicators(&html, "projets portés par des adolescents");
    assert_eq!(ados["Projets déposés"][0], "7,5", "{ados:?}");
    assert_eq!(ados["Projets déposés"][1], "projets", "{ados:?}");

    // The file is the one the review reads, in the README's form.
    let toml = std::fs::read_to_string(root.join("data/suivi/2026.toml")).unwrap();
    assert!(
        toml.contains(
            "[actions.enfance-horaires-atypiques]\netat = \"réalisé\"\navancement = 100\n"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("commentaire = '''\nTerrain trouvé.\n\nPermis déposé.\n'''"),
        "{toml}"
    );
    // A comment left as pre-filled keeps its Markdown source.
    assert!(
        toml.contains("Le lieu d'accueil sera itinérant plutôt que fixe."),
        "{toml}"
    );
}

#[test]
fn the_workbook_carries_its_validation_protection_and_page_setup() {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let bytes = std::fs::read(&workbook).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let (workbook_xml, styles_xml, sheet1, sheet2) = (
        read("xl/workbook.xml"),
        read("xl/styles.xml"),
        read("xl/worksheets/sheet1.xml"),
        read("xl/worksheets/sheet2.xml"),
    );
    let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let book = roxmltree::Document::parse(&workbook_xml).unwrap();
    let names: Vec<&str> = book
        .descendants()
        .filter(|n| n.has_tag_name((ns, "sheet")))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(names, ["Suivi 2026", "Indicateurs"]);
    // The header row is repeated on every printed page.
    let titles: Vec<String> = book
        .descendants()
        .filter(|n| n.has_tag_name((ns, "definedName")))
        .filter(|n| n.attribute("name") == Some("_xlnm.Print_Titles"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    assert_eq!(titles, ["'Suivi 2026'!$2:$2", "Indicateurs!$2:$2"]);

    let sheet = roxmltree::Document::parse(&sheet1).unwrap();
    let find = |tag: &str| {
        sheet
            .descendants()
            .find(|n| n.has_tag_name((ns, tag)))
            .unwrap_or_else(|| panic!("<{tag}> absent"))
    };
    // One row per action (twelve), in the plan's order, after the note and the header.
    let rows = grid(&workbook, SHEET);
    let ids: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    let (plan, _, _) = ctg::load_and_validate(root).unwrap();
    let plan_ids: Vec<&str> = plan.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, plan_ids);
    assert_eq!(
        rows[1][..8],
        [
            "Identifiant",
            "Champs d'intervention",
            "Sous-section",
            "Descriptif",
            "Echéance",
            "État 2026",
            "Avancement 2026 (%)",
            "Commentaire 2026"
        ]
    );
    // Pre-filled with 2025's follow-up.
    assert_eq!(rows[2][5], "réalisé");
    assert_eq!(rows[2][6], "100");
    assert_eq!(rows[2][7], "Crèche ouverte en septembre 2025.");
    // The note says whom to send the workbook back to (convention's [suivi]).
    assert!(
        rows[0][0].contains("Classeur à renvoyer à : la coordination CTG"),
        "{}",
        rows[0][0]
    );

    // A drop-down of the closed list of states, and progress from 0 to 100.
    let validations: Vec<roxmltree::Node> = sheet
        .descendants()
        .filter(|n| n.has_tag_name((ns, "dataValidation")))
        .collect();
    let formula = |n: &roxmltree::Node, tag: &str| {
        n.children()
            .find(|c| c.has_tag_name((ns, tag)))
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_string()
    };
    let list = validations
        .iter()
        .find(|n| n.attribute("type") == Some("list"))
        .expect("liste des états");
    assert_eq!(list.attribute("sqref"), Some("F3:F14"));
    assert_eq!(
        formula(list, "formula1"),
        "\"réalisé,en cours,non démarré,reporté,abandonné,réorienté\""
    );
    let whole = validations
        .iter()
        .find(|n| n.attribute("type") == Some("whole"))
        .expect("avancement entier");
    assert_eq!(whole.attribute("sqref"), Some("G3:G14"));
    assert_eq!(whole.attribute("operator").unwrap_or("between"), "between");
    assert_eq!(
        (formula(whole, "formula1"), formula(whole, "formula2")),
        ("0".into(), "100".into())
    );
    assert_eq!(whole.attribute("errorStyle").unwrap_or("stop"), "stop");

    // Protected without a password: only the white cells take input.
    let protection = find("sheetProtection");
    assert_eq!(protection.attribute("sheet"), Some("1"));
    for attr in ["password", "hashValue", "algorithmName"] {
        assert!(protection.attribute(attr).is_none(), "{attr} présent");
    }
    let styles = roxmltree::Document::parse(&styles_xml).unwrap();
    let xfs: Vec<roxmltree::Node> = styles
        .descendants()
        .find(|n| n.has_tag_name((ns, "cellXfs")))
        .unwrap()
        .children()
        .filter(|n| n.is_element())
        .collect();
    let unlocked = |style: usize| {
        xfs[style]
            .children()
            .find(|c| c.has_tag_name((ns, "protection")))
            .is_some_and(|p| p.attribute("locked") == Some("0"))
    };
    let style_of = |cell: &str| -> usize {
        sheet
            .descendants()
            .find(|n| n.has_tag_name((ns, "c")) && n.attribute("r") == Some(cell))
            .and_then(|n| n.attribute("s"))
            .map_or(0, |s| s.parse().unwrap())
    };
    for cell in ["A3", "B3", "C3", "D3", "E3", "I3", "A14", "F2"] {
        assert!(!unlocked(style_of(cell)), "{cell} modifiable");
    }
    for cell in ["F3", "G3", "H3", "F14", "G14", "H14"] {
        assert!(unlocked(style_of(cell)), "{cell} verrouillée");
    }
    // The hidden column keeps the identifiers as written.
    let hidden: Vec<&str> = sheet
        .descendants()
        .filter(|n| n.has_tag_name((ns, "col")) && n.attribute("hidden") == Some("1"))
        .filter_map(|n| n.attribute("min"))
        .collect();
    assert_eq!(hidden, ["9"]);

    // Frozen header, A4 landscape, one page wide.
    let pane = find("pane");
    assert_eq!(pane.attribute("state"), Some("frozen"));
    assert_eq!(pane.attribute("ySplit"), Some("2"));
    let setup = find("pageSetup");
    assert_eq!(setup.attribute("paperSize"), Some("9"));
    assert_eq!(setup.attribute("orientation"), Some("landscape"));
    assert_eq!(setup.attribute("fitToWidth").unwrap_or("1"), "1");
    assert_eq!(setup.attribute("fitToHeight"), Some("0"));
    // Wrapped text in the data cells, and widths set for every column.
    assert!(styles_xml.contains("wrapText=\"1\""));
    assert_eq!(
        sheet
            .descendants()
            .filter(|n| n.has_tag_name((ns, "col")))
            .count(),
        9
    );

    // The indicators' sheet: pre-filled, protected, a list of the actions for new rows.
    let indicators = grid(&workbook, "Indicateurs");
    assert_eq!(
        indicators[1][..7],
        [
            "Identifiant",
            "Descriptif",
            "Indicateur",
            "Unité",
            "Valeur de départ",
            "Cible",
            "Valeur 2026"
        ]
    );
    assert_eq!(
        indicators[2][..7],
        [
            "enfance-creche-centre-bourg",
            "► Création d'une crèche de 20 places au centre-bourg (action fictive).",
            "Places d'accueil",
            "places",
            "0",
            "20",
            "20"
        ]
    );
    assert!(sheet2.contains("<sheetProtection"));
    assert!(
        sheet2.contains("<formula1>'Suivi 2026'!$A$3:$A$14</formula1>"),
        "{sheet2}"
    );
    assert!(sheet2.contains("type=\"decimal\""), "{sheet2}");

    // The same data give the same workbook, byte for byte.
    let again = export(root, &[]);
    assert_eq!(std::fs::read(again).unwrap(), bytes);
}

#[test]
fn a_workbook_for_chosen_fields_holds_their_actions_only() {
    let project = demo();
    let root = project.path();
    let out = run(&[
        "suivi",
        "export",
        YEAR,
        "--root",
        root.to_str().unwrap(),
        "--champ",
        "jeunesse",
        "--champ",
        "Parentalité",
    ]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let path = root.join("out/suivi-2026-jeunesse-parentalite.xlsx");
    let rows = grid(&path, SHEET);
    let ids: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), 8, "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("jeunesse-") || id.starts_with("parentalite-")),
        "{ids:?}"
    );

    let unknown = run(&[
        "suivi",
        "export",
        YEAR,
        "--root",
        root.to_str().unwrap(),
        "--champ",
        "jeunese",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    let said = stderr_line(&unknown);
    assert!(
        said.contains("champ d'intervention inconnu : `jeunese`"),
        "{said}"
    );
    assert!(said.contains("vouliez-vous dire `jeunesse` ?"), "{said}");

    let sortie = root.join("ailleurs/pour-le-centre-social.xlsx");
    let out = run(&[
        "suivi",
        "export",
        YEAR,
        "--root",
        root.to_str().unwrap(),
        "--sortie",
        sortie.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    assert!(sortie.is_file());

    let outside = run(&["suivi", "export", "2031", "--root", root.to_str().unwrap()]);
    assert_eq!(outside.status.code(), Some(1));
    assert!(
        stderr_line(&outside).contains("année de suivi hors de la période de la convention : 2031")
    );
}

/// The follow-up file of the year, or `None`.
fn follow_up_file(root: &Path, year: &str) -> Option<String> {
    std::fs::read_to_string(root.join(format!("data/suivi/{year}.toml"))).ok()
}

#[test]
fn a_change_to_the_file_is_reported_and_written_only_with_remplacer() {
    let project = demo();
    let root = project.path();
    let r = root.to_str().unwrap();
    // The 2025 workbook is pre-filled with the 2025 file itself: read back
    // untouched, it changes nothing.
    let out = run(&["suivi", "export", "2025", "--root", r]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let workbook = root.join("out/suivi-2025.xlsx");
    let before = follow_up_file(root, "2025").unwrap();
    let out = import(root, &[&workbook], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    assert!(
        stderr_line(&out)
            .contains("data/suivi/2025.toml inchangé : les classeurs n'apportent rien de nouveau"),
        "{}",
        stderr_line(&out)
    );
    assert_eq!(follow_up_file(root, "2025").unwrap(), before);

    let sheet = "Suivi 2025";
    let row = row_of(&workbook, sheet, "enfance-horaires-atypiques", 0);
    let filled = root.join("rempli.xlsx");
    fill(
        &workbook,
        &filled,
        &[
            (sheet, at(STATE, row), text("réalisé")),
            (sheet, at(PROGRESS, row), V::Number(100.0)),
        ],
    );
    let out = import(root, &[&filled], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(said.contains(&format!("rempli.xlsx, Suivi 2025!F{row} : l'état de `enfance-horaires-atypiques` : « en cours » dans data/suivi/2025.toml, « réalisé » dans le classeur : non écrit")), "{said}");
    assert!(said.contains(&format!("Suivi 2025!G{row} : l'avancement de `enfance-horaires-atypiques` : « 30 » dans data/suivi/2025.toml, « 100 » dans le classeur : non écrit")), "{said}");
    assert!(
        said.contains("2 changements non écrits : relancez avec `--remplacer` pour les écrire"),
        "{said}"
    );
    assert_eq!(
        follow_up_file(root, "2025").unwrap(),
        before,
        "écrit sans --remplacer"
    );

    let out = import(root, &[&filled], &["--remplacer"]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(
        said.contains("remplacé : l'état de `enfance-horaires-atypiques`"),
        "{said}"
    );
    assert!(said.contains("« en cours » → « réalisé »"), "{said}");
    let after = follow_up_file(root, "2025").unwrap();
    // Only these two values changed: the comments, the layout and the order
    // of the entries are the file's.
    let expected = before.replacen(
        "[actions.enfance-horaires-atypiques]\netat = \"en cours\"\navancement = 30\n",
        "[actions.enfance-horaires-atypiques]\netat = \"réalisé\"\navancement = 100\n",
        1,
    );
    assert_ne!(expected, before);
    assert_eq!(after, expected);
}

/// The 2025 workbook of the project at `root`, exported, then saved as `name`
/// with the state, progress and comment of action `id` cleared: the exported
/// workbook, the filled one and the action's row.
fn with_action_left_empty(root: &Path, id: &str, name: &str) -> (PathBuf, PathBuf, u32) {
    let r = root.to_str().unwrap();
    assert!(
        run(&["suivi", "export", "2025", "--root", r])
            .status
            .success()
    );
    let workbook = root.join("out/suivi-2025.xlsx");
    let sheet = "Suivi 2025";
    let row = row_of(&workbook, sheet, id, 0);
    let filled = root.join(name);
    fill(
        &workbook,
        &filled,
        &[
            (sheet, at(STATE, row), V::Blank),
            (sheet, at(PROGRESS, row), V::Blank),
            (sheet, at(COMMENT, row), V::Blank),
        ],
    );
    (workbook, filled, row)
}

#[test]
fn an_action_left_empty_keeps_what_the_file_had() {
    let project = demo();
    let root = project.path();
    let before = follow_up_file(root, "2025").unwrap();
    let (workbook, filled, row) =
        with_action_left_empty(root, "jeunesse-espace-jeunes", "vide.xlsx");
    // Its indicator's value is cleared too: nothing at all is said of it.
    let ind = row_of(&workbook, "Indicateurs", "jeunesse-espace-jeunes", 0);
    let filled2 = root.join("vide2.xlsx");
    fill(
        &filled,
        &filled2,
        &[("Indicateurs", at(IND_VALUE, ind), V::Blank)],
    );
    let out = import(root, &[&filled2], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(said.contains(&format!("vide2.xlsx, Suivi 2025!A{row} : action `jeunesse-espace-jeunes` laissée vide dans chaque classeur : data/suivi/2025.toml garde ce qu'il avait")), "{said}");
    assert_eq!(follow_up_file(root, "2025").unwrap(), before);
}

#[test]
fn an_action_whose_period_has_not_begun_may_be_left_empty() {
    // « 2026-2027 » in the 2025 follow-up: « à venir » in the review, as here.
    let project = demo();
    let root = project.path();
    let (_, filled, _) = with_action_left_empty(root, "enfance-mam-nord", "a-venir.xlsx");
    let out = import(root, &[&filled], &[]);
    let said = stderr_line(&out);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("enfance-mam-nord"), "{said}");
    assert!(!said.contains("laissée vide"), "{said}");
}

#[test]
fn workbooks_sent_to_the_partners_of_each_field_import_together() {
    let project = demo();
    let root = project.path();
    let r = root.to_str().unwrap();
    for field in ["enfance", "jeunesse"] {
        let out = run(&["suivi", "export", YEAR, "--root", r, "--champ", field]);
        assert!(out.status.success(), "{}", stderr_line(&out));
    }
    let enfance = root.join("out/suivi-2026-enfance.xlsx");
    let jeunesse = root.join("out/suivi-2026-jeunesse.xlsx");
    let (a, b) = (root.join("caf.xlsx"), root.join("centre-social.xlsx"));
    let mam = row_of(&enfance, SHEET, "enfance-mam-nord", 0);
    fill(&enfance, &a, &[(SHEET, at(STATE, mam), text("en cours"))]);
    let ados = row_of(&jeunesse, SHEET, "jeunesse-projets-ados", 0);
    fill(
        &jeunesse,
        &b,
        &[
            (SHEET, at(STATE, ados), text("réalisé")),
            (SHEET, at(PROGRESS, ados), V::Number(100.0)),
        ],
    );
    let out = import(root, &[&a, &b], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    assert!(
        stderr_line(&out).contains("écrit data/suivi/2026.toml : 8 actions ajoutées"),
        "{}",
        stderr_line(&out)
    );
    let toml = follow_up_file(root, YEAR).unwrap();
    assert!(
        toml.contains("[actions.enfance-mam-nord]\netat = \"en cours\"\n"),
        "{toml}"
    );
    assert!(
        toml.contains("[actions.jeunesse-projets-ados]\netat = \"réalisé\"\navancement = 100\n"),
        "{toml}"
    );
    // The field that had no workbook is not in the file.
    assert!(!toml.contains("parentalite-"), "{toml}");
}

#[test]
fn a_workbook_with_nothing_filled_in_writes_nothing() {
    // The reference plan has no follow-up: its 2024 workbook is empty.
    let project = copy_project(&project_root());
    let root = project.path();
    let r = root.to_str().unwrap();
    assert!(
        run(&["suivi", "export", "2024", "--root", r])
            .status
            .success()
    );
    let out = import(root, &[&root.join("out/suivi-2024.xlsx")], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    // One warning lists the 28 actions, each with its cell.
    assert!(said.contains("28 actions laissées vides dans chaque classeur : `petite-enfance-micro-creche-thonnance` ("), "{said}");
    assert!(
        said.contains(
            "aucune action renseignée dans les classeurs : data/suivi/2024.toml n'est pas écrit"
        ),
        "{said}"
    );
    assert!(!root.join("data/suivi").exists());
}

#[test]
fn a_sheet_saved_as_csv_imports_with_its_year() {
    let project = demo();
    let root = project.path();
    let csv = root.join("suivi.csv");
    std::fs::write(
        &csv,
        "Identifiant;Descriptif;État;Avancement (%);Commentaire\n\
         enfance-mam-nord;Maison;en cours;25;\"Réunion le 3 mars ; 12 familles\"\n\
         jeunesse-projets-ados;;réalisé;100 %;\n",
    )
    .unwrap();
    let out = import(root, &[&csv], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_line(&out).contains("année du suivi inconnue"),
        "{}",
        stderr_line(&out)
    );
    assert!(follow_up_file(root, YEAR).is_none());

    let out = import(root, &[&csv], &["--annee", YEAR]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let toml = follow_up_file(root, YEAR).unwrap();
    assert_eq!(
        toml.split_once("\n\n").unwrap().1,
        "[actions.enfance-mam-nord]\netat = \"en cours\"\navancement = 25\ncommentaire = \"Réunion le 3 mars ; 12 familles\"\n\n[actions.jeunesse-projets-ados]\netat = \"réalisé\"\navancement = 100\n"
    );
    // And a year's review builds from it.
    let html = build_review(root);
    assert!(
        review_row(&html, "maison d'assistants maternels")["ctg-suivi-commentaire"]
            .contains("12 familles")
    );
}

#[test]
fn a_plan_of_another_model_gets_its_own_labels_and_reads_back_unchanged() {
    let project = copy_project(&fixture("autre-modele"));
    let root = project.path();
    let years: Vec<String> = std::fs::read_dir(root.join("data/suivi"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let year = years[0].as_str();
    let r = root.to_str().unwrap();
    let out = run(&["suivi", "export", year, "--root", r]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let workbook = root.join(format!("out/suivi-{year}.xlsx"));
    let rows = grid(&workbook, &format!("Suivi {year}"));
    let (plan, _, _) = ctg::load_and_validate(root).unwrap();
    let shape = &plan.convention.shape;
    let title = &shape.columns[shape.title().unwrap()].label;
    let deadline = &shape.columns[shape.deadline().unwrap()].label;
    assert_eq!(rows[1][1], shape.first_column);
    assert_eq!(&rows[1][3], title);
    assert_eq!(&rows[1][4], deadline);
    let before = follow_up_file(root, year).unwrap();
    let out = import(root, &[&workbook], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    assert_eq!(follow_up_file(root, year).unwrap(), before);
}

// ---------------------------------------------------------------------------
// Mistakes in a workbook: one defect each, named by its cell; nothing written.

/// Runs the import of the demo's 2026 workbook, saved as
/// `suivi-2026-jeunesse.xlsx` with the edits that `edit` makes (it gets the
/// exported workbook's path); the import must fail, leave `data/suivi/` as it
/// was, and the messages come back as a user reads them: « place : message »,
/// then the hint.
fn failing(
    edit: impl Fn(&Path) -> Vec<(&'static str, String, V)>,
    year: Option<u16>,
) -> Vec<String> {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("suivi-2026-jeunesse.xlsx");
    fill(&workbook, &filled, &edit(&workbook));
    let before = files_in(&root.join("data/suivi"));
    // As the user types it, in the project's folder.
    let options = ctg::ImportOptions {
        root: root.to_path_buf(),
        files: vec![PathBuf::from("suivi-2026-jeunesse.xlsx")],
        year,
        replace: false,
    };
    let failure = in_dir(root, || ctg::import_workbook(&options))
        .err()
        .expect("l'import doit échouer");
    assert_eq!(
        files_in(&root.join("data/suivi")),
        before,
        "data/suivi/ modifié"
    );
    messages(&failure.0)
}

/// Runs `f` with `dir` as the current folder (tests that change it take
/// turns).
fn in_dir<T>(dir: &Path, f: impl FnOnce() -> T) -> T {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir).unwrap();
    let result = f();
    std::env::set_current_dir(before).unwrap();
    result
}

/// Each error as read: its place and message, then « conseil : » and its hint.
fn messages(diagnostics: &[ctg::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| match &d.hint {
            Some(hint) => format!("{d} — conseil : {hint}"),
            None => d.to_string(),
        })
        .collect()
}

fn row(workbook: &Path, id: &str) -> u32 {
    row_of(workbook, SHEET, id, 0)
}

#[test]
fn an_unknown_state_is_named_by_its_cell_with_the_closest_state() {
    // The fifth action, under the note and the header: row 7.
    let said = failing(
        |w| {
            vec![(
                SHEET,
                at(STATE, row(w, "jeunesse-espace-jeunes")),
                text("en court"),
            )]
        },
        None,
    );
    assert_eq!(
        said,
        [
            "suivi-2026-jeunesse.xlsx, Suivi 2026!F7 : état « en court » inconnu ; vouliez-vous dire « en cours » ? — conseil : choisissez l'un des états de la liste : « réalisé », « en cours », « non démarré », « reporté », « abandonné », « réorienté »"
        ]
    );
}

#[test]
fn a_progress_out_of_range_or_not_a_number_is_named_by_its_cell() {
    let mam = |value: V| {
        move |w: &Path| {
            vec![(
                SHEET,
                at(PROGRESS, row(w, "enfance-mam-nord")),
                value.clone(),
            )]
        }
    };
    assert_eq!(
        failing(mam(V::Number(150.0)), None),
        [
            "suivi-2026-jeunesse.xlsx, Suivi 2026!G6 : avancement hors limites : 150 — conseil : l'avancement est un pourcentage, de 0 à 100, sans le signe %"
        ]
    );
    assert_eq!(
        failing(mam(text("beaucoup")), None),
        [
            "suivi-2026-jeunesse.xlsx, Suivi 2026!G6 : avancement « beaucoup » : ce n'est pas un nombre — conseil : écrivez un nombre en chiffres, sans unité, par exemple 12 ou 12,5"
        ]
    );
    assert_eq!(
        failing(mam(V::Number(40.5)), None),
        [
            "suivi-2026-jeunesse.xlsx, Suivi 2026!G6 : avancement « 40,5 » : un nombre entier est attendu — conseil : l'avancement est un pourcentage, de 0 à 100, sans le signe %"
        ]
    );
}

#[test]
fn an_identifier_that_is_no_action_is_named_by_its_cell() {
    // On a row for a new indicator, where the identifier is typed.
    let said = failing(
        |w| {
            let blank = first_blank_indicator_row(w);
            vec![
                (
                    "Indicateurs",
                    at(IND_ID, blank),
                    text("jeunesse-espace-jeune"),
                ),
                (
                    "Indicateurs",
                    at(IND_NAME, blank),
                    text("Jeunes accueillis"),
                ),
                ("Indicateurs", at(IND_VALUE, blank), V::Number(3.0)),
            ]
        },
        None,
    );
    assert_eq!(
        said,
        [
            "suivi-2026-jeunesse.xlsx, Indicateurs!A6 : action inconnue : « jeunesse-espace-jeune » — conseil : vouliez-vous dire `jeunesse-espace-jeunes` ?"
        ]
    );
}

#[test]
fn a_row_whose_identifier_was_edited_is_named_by_its_cell() {
    let said = failing(
        |w| {
            vec![(
                SHEET,
                at(ID, row(w, "jeunesse-espace-jeunes")),
                text("jeunesse-conseil-jeunes"),
            )]
        },
        None,
    );
    assert_eq!(
        said,
        [
            "suivi-2026-jeunesse.xlsx, Suivi 2026!A7 : identifiant modifié : « jeunesse-conseil-jeunes » sur la ligne de l'action `jeunesse-espace-jeunes` — conseil : rétablissez « jeunesse-espace-jeunes » : l'identifiant désigne l'action de la ligne, et le suivi d'une autre action s'écrit sur la ligne de celle-ci"
        ]
    );
}

#[test]
fn an_indicator_value_that_is_no_number_is_named_by_its_cell() {
    let said = failing(
        |w| {
            vec![(
                "Indicateurs",
                at(
                    IND_VALUE,
                    row_of(w, "Indicateurs", "jeunesse-espace-jeunes", 0),
                ),
                text("une trentaine"),
            )]
        },
        None,
    );
    assert_eq!(
        said,
        [
            "suivi-2026-jeunesse.xlsx, Indicateurs!G4 : valeur « une trentaine » : ce n'est pas un nombre — conseil : écrivez un nombre en chiffres, sans unité, par exemple 12 ou 12,5"
        ]
    );
}

#[test]
fn a_comment_without_a_state_is_refused() {
    let said = failing(
        |w| {
            let r = row(w, "parentalite-guide-parents");
            vec![
                (SHEET, at(STATE, r), V::Blank),
                (SHEET, at(COMMENT, r), text("Guide en cours d'écriture.")),
            ]
        },
        None,
    );
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("suivi-2026-jeunesse.xlsx, Suivi 2026!F14 : état manquant pour l'action `parentalite-guide-parents` — conseil : choisissez l'état"), "{said:?}");
}

#[test]
fn a_workbook_of_another_year_is_refused() {
    let said = failing(|_| Vec::new(), Some(2025));
    assert!(said.contains(&"suivi-2026-jeunesse.xlsx, Suivi 2026!A1 : classeur du suivi 2026, importé pour l'année 2025 — conseil : importez-le sans `--annee`, ou avec `--annee 2026`".to_string()), "{said:?}");
}

#[test]
fn every_mistake_of_a_workbook_is_reported_in_one_run_by_the_command() {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("suivi-2026-jeunesse.xlsx");
    let (a, b) = (
        row(&workbook, "enfance-mam-nord"),
        row(&workbook, "jeunesse-espace-jeunes"),
    );
    fill(
        &workbook,
        &filled,
        &[
            (SHEET, at(PROGRESS, a), V::Number(150.0)),
            (SHEET, at(STATE, b), text("en court")),
        ],
    );
    let out = import(root, &[&filled], &[]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr_line(&out);
    assert!(said.contains("avancement hors limites : 150"), "{said}");
    assert!(said.contains("état « en court » inconnu"), "{said}");
    assert!(
        said.contains("échec : 2 erreurs, aucun fichier n'a été modifié"),
        "{said}"
    );
    assert!(follow_up_file(root, YEAR).is_none());
}

/// A partner's workbook with mistakes of every kind, each independent of the
/// others: one run says them all, each at its cell (a workbook is an e-mail
/// round trip per run), exits with an error and writes nothing. The comment
/// without a state is checked with the rows taken together, once the cells
/// are read; the cells of a row whose identifier is wrong are checked too.
#[test]
fn independent_mistakes_of_every_kind_are_all_reported_in_one_run() {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("suivi-2026-jeunesse.xlsx");
    let mam = row(&workbook, "enfance-mam-nord");
    let espace = row(&workbook, "jeunesse-espace-jeunes");
    let conseil = row(&workbook, "jeunesse-conseil-jeunes");
    let guide = row(&workbook, "parentalite-guide-parents");
    let inscrits = row_of(&workbook, "Indicateurs", "jeunesse-espace-jeunes", 0);
    let blank = first_blank_indicator_row(&workbook);
    fill(
        &workbook,
        &filled,
        &[
            (SHEET, at(PROGRESS, mam), text("beaucoup")),
            (SHEET, at(STATE, espace), text("en court")),
            (SHEET, at(ID, conseil), text("jeunesse-conseil")),
            (SHEET, at(STATE, conseil), text("fini")),
            (SHEET, at(STATE, guide), V::Blank),
            (
                SHEET,
                at(COMMENT, guide),
                text("Guide en cours d'écriture."),
            ),
            (
                "Indicateurs",
                at(IND_VALUE, inscrits),
                text("une trentaine"),
            ),
            (
                "Indicateurs",
                at(IND_ID, blank),
                text("jeunesse-espace-jeune"),
            ),
            (
                "Indicateurs",
                at(IND_NAME, blank),
                text("Jeunes accueillis"),
            ),
            ("Indicateurs", at(IND_VALUE, blank), V::Number(3.0)),
        ],
    );
    let data = files_in(&root.join("data"));
    let out = import(root, &[&filled], &[]);
    let said = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for (cell, message) in [
        (
            format!("{SHEET}!G{mam}"),
            "avancement « beaucoup » : ce n'est pas un nombre",
        ),
        (format!("{SHEET}!F{espace}"), "état « en court » inconnu"),
        (
            format!("{SHEET}!A{conseil}"),
            "identifiant modifié : « jeunesse-conseil » sur la ligne de l'action `jeunesse-conseil-jeunes`",
        ),
        (format!("{SHEET}!F{conseil}"), "état « fini » inconnu"),
        (
            format!("{SHEET}!F{guide}"),
            "état manquant pour l'action `parentalite-guide-parents`",
        ),
        (
            format!("Indicateurs!G{inscrits}"),
            "valeur « une trentaine » : ce n'est pas un nombre",
        ),
        (
            format!("Indicateurs!A{blank}"),
            "action inconnue : « jeunesse-espace-jeune »",
        ),
    ] {
        // The report wraps long lines, at a hyphen too.
        let squeezed = |t: &str| t.split_whitespace().collect::<String>();
        assert!(
            squeezed(&said).contains(&squeezed(&format!(
                "suivi-2026-jeunesse.xlsx, {cell} : {message}"
            ))),
            "{cell} : {message}\n{said}"
        );
    }
    assert!(
        said.contains("échec : 7 erreurs, aucun fichier n'a été modifié"),
        "{said}"
    );
    assert_eq!(files_in(&root.join("data")), data, "data/ modifié");
}

#[test]
fn two_workbooks_that_disagree_are_named_by_both_cells() {
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let r = row(&workbook, "jeunesse-projets-ados");
    fill(
        &workbook,
        &root.join("suivi-caf.xlsx"),
        &[(SHEET, at(STATE, r), text("réalisé"))],
    );
    fill(
        &workbook,
        &root.join("suivi-centre-social.xlsx"),
        &[(SHEET, at(STATE, r), text("reporté"))],
    );
    fill(
        &workbook,
        &root.join("suivi-copie.xlsx"),
        &[(SHEET, at(STATE, r), text("réalisé"))],
    );
    let options = |files: &[&str]| ctg::ImportOptions {
        root: root.to_path_buf(),
        files: files.iter().map(PathBuf::from).collect(),
        year: None,
        replace: false,
    };
    let failure = in_dir(root, || {
        ctg::import_workbook(&options(&["suivi-caf.xlsx", "suivi-centre-social.xlsx"]))
    })
    .err()
    .expect("conflit");
    assert_eq!(
        messages(&failure.0),
        [format!(
            "suivi-centre-social.xlsx, Suivi 2026!F{r} : deux valeurs pour l'état de `jeunesse-projets-ados` : « reporté » ici, « réalisé » dans suivi-caf.xlsx, Suivi 2026!F{r} — conseil : les classeurs se contredisent : corrigez l'un des deux, puis relancez l'import"
        )]
    );
    assert!(
        follow_up_file(root, YEAR).is_none(),
        "écrit malgré l'erreur"
    );
    // The same value twice is no conflict.
    let done = in_dir(root, || {
        ctg::import_workbook(&options(&["suivi-caf.xlsx", "suivi-copie.xlsx"]))
    });
    assert!(done.is_ok(), "{:?}", done.err());
    assert!(
        follow_up_file(root, YEAR)
            .unwrap()
            .contains("[actions.jeunesse-projets-ados]\netat = \"réalisé\"")
    );
}

#[test]
fn a_file_that_is_no_spreadsheet_is_refused() {
    let project = demo();
    let root = project.path();
    std::fs::write(root.join("suivi-2026.xlsx"), "Identifiant;État\n").unwrap();
    std::fs::write(root.join("suivi.pdf"), "%PDF-1.7").unwrap();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("notes.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"rien").unwrap();
    std::fs::write(root.join("archive.xlsx"), z.finish().unwrap().into_inner()).unwrap();
    let options = ctg::ImportOptions {
        root: root.to_path_buf(),
        files: ["suivi-2026.xlsx", "suivi.pdf", "archive.xlsx"]
            .iter()
            .map(PathBuf::from)
            .collect(),
        year: None,
        replace: false,
    };
    let failure = in_dir(root, || ctg::import_workbook(&options))
        .err()
        .expect("refusés");
    let said = messages(&failure.0);
    let accepted = "ctg lit les classeurs .xlsx (Excel) et .ods (LibreOffice), et une feuille enregistrée en .csv ; ouvrez le fichier dans un tableur et enregistrez-le dans l'un de ces formats";
    assert_eq!(said.len(), 3, "{said:?}");
    assert_eq!(
        said[0],
        format!(
            "`suivi-2026.xlsx` n'est pas un classeur Excel lisible : ce n'est pas une archive de classeur — conseil : {accepted}"
        )
    );
    assert_eq!(
        said[1],
        format!(
            "`suivi.pdf` n'est pas un classeur de suivi : format non pris en charge — conseil : {accepted}"
        )
    );
    // A zip archive without the parts of a workbook.
    assert!(
        said[2].starts_with(
            "`archive.xlsx` n'est pas un classeur Excel lisible : il manque une partie indispensable au classeur (partie "
        ),
        "{said:?}"
    );
    assert!(follow_up_file(root, YEAR).is_none());

    // A workbook of another kind: none of its sheets is a follow-up sheet,
    // by its name or by its header; the error names them.
    let mut other = rust_xlsxwriter::Workbook::new();
    other.add_worksheet().write_string(0, 0, "Budget").unwrap();
    other.save(root.join("budget.xlsx")).unwrap();
    let options = ctg::ImportOptions {
        files: vec![PathBuf::from("budget.xlsx")],
        ..options
    };
    let failure = in_dir(root, || ctg::import_workbook(&options))
        .err()
        .expect("refusé");
    assert_eq!(
        messages(&failure.0),
        [
            "budget.xlsx : feuille de suivi introuvable ; sa seule feuille est « Sheet1 » — conseil : la feuille de suivi écrite par `ctg suivi export ANNÉE` s'appelle « Suivi ANNÉE » et sa ligne d'en-tête nomme les colonnes « Identifiant » et « État ANNÉE » : rétablissez son nom ou son en-tête, ou recopiez les saisies dans un classeur exporté"
        ]
    );
}

// ---------------------------------------------------------------------------
// A workbook saved by LibreOffice.

#[test]
fn a_workbook_saved_by_libreoffice_imports_the_same() {
    if !tool(
        "a_workbook_saved_by_libreoffice_imports_the_same",
        missing_soffice(),
    ) {
        return;
    }
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("rempli.xlsx");
    fill(&workbook, &filled, &partner_edits(&workbook).edits);
    // Imported as written, then as LibreOffice saves it, in both formats.
    let out = import(root, &[&filled], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let expected = follow_up_file(root, YEAR).unwrap();
    for format in ["xlsx", "ods"] {
        let saved_dir = tempfile::tempdir().unwrap();
        let saved = soffice_convert(&filled, format, saved_dir.path());
        let again = demo();
        let out = import(again.path(), &[&saved], &[]);
        assert!(out.status.success(), "{format} : {}", stderr_line(&out));
        assert_eq!(
            follow_up_file(again.path(), YEAR).unwrap(),
            expected,
            "{format}"
        );
        // Imported over the file it made, it changes nothing.
        let out = import(root, &[&saved], &[]);
        assert!(
            stderr_line(&out).contains("inchangé"),
            "{format} : {}",
            stderr_line(&out)
        );
    }
}

// ---------------------------------------------------------------------------
// Workbooks that would cost more than any follow-up: each is refused with a
// message naming it, before anything big is allocated. The import runs as a
// child process under a cap of its address space and a time bound: a
// workbook that made it ask for gigabytes would kill it (or make it abort),
// which no error handling sees.

/// The address space the import may take, in kilobytes: several times what
/// the import of a real workbook takes (checked below), far below what
/// any of these files made it ask for.
const CAP_KB: u64 = 400_000;

/// `ctg suivi import FILE --root ROOT` under the cap of [`CAP_KB`] and a
/// bound of 60 s (`timeout` kills it past that).
fn import_capped(root: &Path, file: &Path) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {CAP_KB}; exec timeout -s KILL 60 \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_ctg"))
        .args(["suivi", "import"])
        .arg(file)
        .arg("--root")
        .arg(root)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("ctg runs")
}

/// A zip archive of `parts`, deflated (`mimetype` stored, first, as
/// OpenDocument wants it).
fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in parts {
        let options = if *name == "mimetype" {
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
        } else {
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(9))
                .large_file(data.len() > u32::MAX as usize / 2)
        };
        out.start_file(*name, options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The smallest Excel workbook calamine reads: one sheet « Suivi 2026 »
/// whose part is `sheet`, with `strings` as its shared strings if any.
fn xlsx_of(sheet: &str, strings: Option<Vec<u8>>) -> Vec<u8> {
    let mut parts = vec![
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_vec(),
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Suivi 2026" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet}</worksheet>"#
            )
            .into_bytes(),
        ),
    ];
    if let Some(strings) = strings {
        parts.push(("xl/sharedStrings.xml", strings));
    }
    zip_of(&parts)
}

/// The header row of a follow-up sheet, then the row of `enfance-mam-nord`
/// « en cours », as inline strings, from row `first`.
fn follow_up_rows_xml(first: u32) -> String {
    let text =
        |cell: String, t: &str| format!(r#"<c r="{cell}" t="inlineStr"><is><t>{t}</t></is></c>"#);
    let next = first + 1;
    format!(
        r#"<row r="{first}">{}{}</row><row r="{next}">{}{}</row>"#,
        text(format!("A{first}"), "Identifiant"),
        text(format!("F{first}"), "État 2026"),
        text(format!("A{next}"), "enfance-mam-nord"),
        text(format!("F{next}"), "en cours"),
    )
}

/// The smallest OpenDocument workbook calamine reads, whose sheets are
/// `tables` (the XML of each `table:table`).
fn ods_of(tables: &str) -> Vec<u8> {
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        (
            "META-INF/manifest.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_vec(),
        ),
        (
            "content.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
            )
            .into_bytes(),
        ),
    ])
}

/// An OpenDocument row of text cells.
fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|t| {
            if t.is_empty() {
                "<table:table-cell/>".to_string()
            } else {
                format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
                )
            }
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

/// Imports `bytes`, saved in the demo project as `file`, under the cap:
/// the import must be refused with `expected` in its messages, exit with
/// the code of an error (not a crash), and leave `data/` and `out/` as they
/// were, byte for byte.
fn refused_under_cap(file: &str, bytes: &[u8], expected: &str) {
    let project = demo();
    let root = project.path();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::fs::write(root.join("out/avant.txt"), "déjà là").unwrap();
    let path = root.join(file);
    std::fs::write(&path, bytes).unwrap();
    let (data, out_dir) = (files_in(&root.join("data")), files_in(&root.join("out")));
    let started = std::time::Instant::now();
    let out = import_capped(root, &path);
    let said = stderr_line(&out);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        (out.status.code(), out.status.signal()),
        (Some(1), None),
        "{file} : {said}"
    );
    assert!(said.contains(expected), "{file} : {said}");
    assert!(
        said.contains("aucun fichier n'a été modifié"),
        "{file} : {said}"
    );
    assert_eq!(files_in(&root.join("data")), data, "{file} : data/ modifié");
    assert_eq!(
        files_in(&root.join("out")),
        out_dir,
        "{file} : out/ modifié"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{file} : {:?}",
        started.elapsed()
    );
}

#[test]
fn a_workbook_imports_under_the_cap_of_the_hostile_ones() {
    // The cap lets a real import through: the demo's workbook, filled, and
    // a small OpenDocument workbook with what LibreOffice writes below a
    // sheet (a million empty rows of 1 024 empty cells, which cost nothing).
    let project = demo();
    let root = project.path();
    let workbook = export(root, &[]);
    let filled = root.join("rempli.xlsx");
    fill(&workbook, &filled, &partner_edits(&workbook).edits);
    let out = import_capped(root, &filled);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let below = r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
    let ods = ods_of(&format!(
        r#"<table:table table:name="Suivi 2026"><table:table-column table:number-columns-repeated="1024"/>{}{}{below}</table:table>"#,
        ods_row(&["Identifiant", "", "", "", "", "État 2026"]),
        ods_row(&["enfance-mam-nord", "", "", "", "", "en cours"]),
    ));
    let project = demo();
    let path = project.path().join("suivi.ods");
    std::fs::write(&path, ods).unwrap();
    let out = import_capped(project.path(), &path);
    assert!(out.status.success(), "{}", stderr_line(&out));
    assert!(
        follow_up_file(project.path(), YEAR)
            .unwrap()
            .contains("[actions.enfance-mam-nord]\netat = \"en cours\"\n")
    );
}

#[test]
fn a_cell_far_beyond_the_table_is_refused_by_its_name() {
    // 1,9 ko: calamine would lay out the rectangle from A1 to the last
    // cell of a sheet, 17 billion cells (512 Gio).
    let xlsx = xlsx_of(
        &format!(
            r#"<sheetData>{}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#,
            follow_up_rows_xml(1)
        ),
        None,
    );
    assert!(xlsx.len() < 2_000, "{}", xlsx.len());
    refused_under_cap(
        "lointain.xlsx",
        &xlsx,
        "lointain.xlsx, Suivi 2026!XFD1048576 : cellule au-delà des 100 000 lignes et des 1 024 colonnes (jusqu'à AMJ) qu'un classeur de suivi peut avoir",
    );
}

#[test]
fn a_sheet_that_declares_a_huge_extent_is_refused() {
    // ZZ1000000: 702 million cells (21 Go), and the import went through.
    let xlsx = xlsx_of(
        &format!(
            r#"<dimension ref="A1:ZZ1000000"/><sheetData>{}<row r="1000000"><c r="ZZ1000000"><v>1</v></c></row></sheetData>"#,
            follow_up_rows_xml(1)
        ),
        None,
    );
    refused_under_cap(
        "etendu.xlsx",
        &xlsx,
        "etendu.xlsx, feuille « Suivi 2026 » : étendue déclarée A1:ZZ1000000, au-delà des 100 000 lignes et des 1 024 colonnes (jusqu'à AMJ) qu'un classeur de suivi peut avoir",
    );
}

#[test]
fn an_opendocument_sheet_of_millions_of_repeated_cells_is_refused() {
    // 1 ko: under its header, a row of 16 000 cells of 1, repeated 5 999
    // times: calamine would build 96 million cells (11 Go) when it opens
    // the file.
    let ods = ods_of(&format!(
        r#"<table:table table:name="Suivi 2026">{}<table:table-row table:number-rows-repeated="5999"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16000"/></table:table-row></table:table>"#,
        ods_row(&["Identifiant", "", "", "", "", "État 2026"]),
    ));
    assert!(ods.len() < 1_500, "{}", ods.len());
    refused_under_cap(
        "repete.ods",
        &ods,
        "repete.ods` : la feuille « Suivi 2026 » ferait lire 96 000 000 cellules (lignes et colonnes répétées comprises), au-delà des 500 000 qu'un classeur de suivi peut avoir",
    );
}

#[test]
fn an_opendocument_text_of_millions_of_spaces_is_refused() {
    // A text cell of 100 million spaces (`text:s`), repeated over 1 000
    // columns: 100 Go of spaces.
    let ods = ods_of(&format!(
        r#"<table:table table:name="Suivi 2026">{}<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p><text:s text:c="100000000"/></text:p></table:table-cell></table:table-row></table:table>"#,
        ods_row(&["Identifiant", "", "", "", "", "État 2026"]),
    ));
    refused_under_cap(
        "espaces.ods",
        &ods,
        "espaces.ods` : la feuille « Suivi 2026 » ferait lire plus de 16 Mo de texte",
    );
}

/// A follow-up workbook whose shared strings hold one text of `bytes`
/// letters, that 2 000 cells of column H repeat.
fn one_text_in_many_cells(bytes: usize) -> Vec<u8> {
    let mut strings = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#.to_vec();
    strings.extend(std::iter::repeat_n(b'a', bytes));
    strings.extend(b"</t></si></sst>");
    let cells: String = (3..=2002)
        .map(|r| format!(r#"<row r="{r}"><c r="H{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    xlsx_of(
        &format!("<sheetData>{}{cells}</sheetData>", follow_up_rows_xml(1)),
        Some(strings),
    )
}

#[test]
fn a_compression_bomb_is_refused_by_its_part() {
    // A text of 40 Mo in the shared strings, a few kilobytes compressed,
    // that 2 000 cells repeat: 80 Go once each cell has its copy.
    let xlsx = one_text_in_many_cells(40_000_000);
    assert!(xlsx.len() < 200_000, "{}", xlsx.len());
    refused_under_cap(
        "bombe.xlsx",
        &xlsx,
        "bombe.xlsx` : la partie xl/sharedStrings.xml du classeur dépasse 32 Mo une fois décompressée",
    );
}

#[test]
fn a_text_repeated_in_many_cells_is_refused_by_the_cell_that_goes_beyond() {
    // 1 Mo of text in the shared strings, within the part's limit, that
    // 2 000 cells repeat: 2 Go of copies.
    let xlsx = one_text_in_many_cells(1_000_000);
    refused_under_cap(
        "repetitions.xlsx",
        &xlsx,
        "repetitions.xlsx, Suivi 2026!H18 : plus de 16 Mo de texte à lire dans le classeur",
    );
}

#[test]
fn shared_strings_that_announce_billions_are_refused() {
    // calamine reserves room for as many strings as announced: 24 Go here.
    let strings = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1000000000"><si><t>a</t></si></sst>"#.to_vec();
    let xlsx = xlsx_of(
        &format!("<sheetData>{}</sheetData>", follow_up_rows_xml(1)),
        Some(strings),
    );
    refused_under_cap(
        "annonce.xlsx",
        &xlsx,
        "annonce.xlsx` : la partie des textes du classeur en annonce 1 000 000 000, au-delà des 500 000 qu'un classeur de suivi peut avoir",
    );
}

// ---------------------------------------------------------------------------
// A sheet renamed by a partner.

/// Renames the sheet `from` of the workbook at `path` to `to`, as a
/// spreadsheet does (in the workbook's part; the formulas that name it are
/// left as they are, as they do not matter here).
fn rename_sheet(path: &Path, from: &str, to: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        if file.name() == "xl/workbook.xml" {
            let xml = String::from_utf8(data).unwrap();
            let renamed = xml.replace(&format!("name=\"{from}\""), &format!("name=\"{to}\""));
            assert_ne!(renamed, xml, "feuille {from} absente");
            data = renamed.into_bytes();
        }
        out.start_file(file.name(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// The workbooks of two partners of the demo, one per field (as
/// `workbooks_sent_to_the_partners_of_each_field_import_together` fills
/// them), the second's follow-up sheet renamed « Jeunesse », with `more`
/// typed into the second.
fn renamed_workbooks(root: &Path, more: &[(&str, String, V)]) -> (PathBuf, PathBuf) {
    let r = root.to_str().unwrap();
    for field in ["enfance", "jeunesse"] {
        let out = run(&["suivi", "export", YEAR, "--root", r, "--champ", field]);
        assert!(out.status.success(), "{}", stderr_line(&out));
    }
    let enfance = root.join("out/suivi-2026-enfance.xlsx");
    let jeunesse = root.join("out/suivi-2026-jeunesse.xlsx");
    let (a, b) = (root.join("caf.xlsx"), root.join("centre-social.xlsx"));
    let mam = row_of(&enfance, SHEET, "enfance-mam-nord", 0);
    fill(&enfance, &a, &[(SHEET, at(STATE, mam), text("en cours"))]);
    let ados = row_of(&jeunesse, SHEET, "jeunesse-projets-ados", 0);
    let mut edits = vec![
        (SHEET, at(STATE, ados), text("réalisé")),
        (SHEET, at(PROGRESS, ados), V::Number(100.0)),
    ];
    edits.extend(more.iter().cloned());
    fill(&jeunesse, &b, &edits);
    rename_sheet(&b, SHEET, "Jeunesse");
    (a, b)
}

#[test]
fn a_renamed_follow_up_sheet_is_read_by_its_header() {
    let project = demo();
    let root = project.path();
    let (a, b) = renamed_workbooks(root, &[]);
    let out = import(root, &[&a, &b], &[]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(!said.contains("ignorée"), "{said}");
    let toml = follow_up_file(root, YEAR).unwrap();
    assert!(
        toml.contains("[actions.enfance-mam-nord]\netat = \"en cours\"\n"),
        "{toml}"
    );
    // The partner of the renamed sheet is not lost.
    assert!(
        toml.contains("[actions.jeunesse-projets-ados]\netat = \"réalisé\"\navancement = 100\n"),
        "{toml}"
    );
}

#[test]
fn a_workbook_whose_follow_up_sheet_cannot_be_found_is_refused_with_its_sheets() {
    let project = demo();
    let root = project.path();
    // Renamed, and its header no longer names the state's column.
    let (a, b) = renamed_workbooks(root, &[(SHEET, "F2".into(), text("Remarques"))]);
    let before = files_in(&root.join("data"));
    let out = import(root, &[&a, &b], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(
        said.contains(&format!(
            "{} : feuille de suivi introuvable ; ses feuilles sont « Jeunesse », « Indicateurs »",
            b.display()
        )),
        "{said}"
    );
    assert!(
        said.contains("rétablissez son nom ou son en-tête"),
        "{said}"
    );
    assert_eq!(files_in(&root.join("data")), before, "data/ modifié");
}

// ---------------------------------------------------------------------------
// Where the export writes.

/// `ctg suivi export 2026` run in `root`, with `more` arguments.
fn export_in(root: &Path, more: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args(["suivi", "export", YEAR])
        .args(more)
        .current_dir(root)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("ctg runs")
}

#[test]
fn the_export_never_writes_into_the_projects_data_or_templates() {
    let project = demo();
    let root = project.path();
    let data = files_in(&root.join("data"));
    let out = export_in(root, &["--sortie", "data/convention.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_line(&out));
    let said = stderr_line(&out);
    assert!(
        said.contains("`data/convention.toml` est dans le dossier `data/` du projet : le classeur de suivi ne s'y écrit pas"),
        "{said}"
    );
    assert!(said.contains("--sortie out/convention.toml"), "{said}");
    assert_eq!(files_in(&root.join("data")), data, "data/ modifié");
    // Nor a new file there, by any path.
    for path in [
        "data/suivi/suivi-2026.xlsx",
        "out/../data/nouveau.xlsx",
        "templates/suivi.xlsx",
    ] {
        let out = export_in(root, &["--sortie", path]);
        assert_eq!(out.status.code(), Some(1), "{path} : {}", stderr_line(&out));
        assert!(
            stderr_line(&out).contains("le classeur de suivi ne s'y écrit pas"),
            "{path} : {}",
            stderr_line(&out)
        );
        assert!(!root.join(path).exists(), "{path}");
    }
    assert_eq!(files_in(&root.join("data")), data, "data/ modifié");
}

#[test]
fn the_export_replaces_its_own_workbook_and_no_other_file() {
    let project = demo();
    let root = project.path();
    // Its own earlier workbook: the yearly routine.
    for _ in 0..2 {
        let out = export_in(root, &[]);
        assert!(out.status.success(), "{}", stderr_line(&out));
        let out = export_in(root, &["--sortie", "pour-la-caf.xlsx"]);
        assert!(out.status.success(), "{}", stderr_line(&out));
    }
    // A file of the user's own, a workbook included, is kept.
    let mut budget = rust_xlsxwriter::Workbook::new();
    budget.add_worksheet().write_string(0, 0, "Budget").unwrap();
    budget.save(root.join("budget.xlsx")).unwrap();
    std::fs::write(root.join("notes.txt"), "à garder").unwrap();
    for name in ["budget.xlsx", "notes.txt"] {
        let before = std::fs::read(root.join(name)).unwrap();
        let out = export_in(root, &["--sortie", name]);
        assert_eq!(out.status.code(), Some(1), "{name} : {}", stderr_line(&out));
        let said = stderr_line(&out);
        assert!(
            said.contains(&format!("`{name}` existe déjà et n'est pas un classeur écrit par `ctg suivi export` : il n'est pas remplacé")),
            "{said}"
        );
        assert!(
            said.contains("choisissez un autre nom avec `--sortie`"),
            "{said}"
        );
        assert_eq!(std::fs::read(root.join(name)).unwrap(), before, "{name}");
    }
    // Its workbook once a spreadsheet saved it (a partner's entries, maybe):
    // the date of modification is no longer the date of creation.
    let workbook = root.join("out/suivi-2026.xlsx");
    let bytes = std::fs::read(&workbook).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        if file.name() == "docProps/core.xml" {
            let xml = String::from_utf8(data).unwrap();
            let saved = regex::Regex::new(r"(<dcterms:modified[^>]*>)[^<]*")
                .unwrap()
                .replace(&xml, "${1}2026-03-02T10:00:00Z")
                .into_owned();
            assert_ne!(saved, xml);
            data = saved.into_bytes();
        }
        out.start_file(file.name(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    let saved = out.finish().unwrap().into_inner();
    std::fs::write(&workbook, &saved).unwrap();
    let out = export_in(root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_line(&out));
    assert!(
        stderr_line(&out).contains("est un classeur de suivi enregistré par un tableur depuis son export : il n'est pas remplacé"),
        "{}",
        stderr_line(&out)
    );
    assert_eq!(std::fs::read(&workbook).unwrap(), saved);
}
