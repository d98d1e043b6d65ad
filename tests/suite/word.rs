//! The Word documents, `plan.docx`, `bilan-ANNÉE.docx` and `avenant-N.docx`:
//! read back from their
//! XML, they have the official layout (A4 landscape, header rows that repeat,
//! rows kept whole, merged group headers), named styles in French, real Word
//! lists, the document properties of the PDF, and the same bytes from one build
//! to the next; LibreOffice prints every paragraph of the plan from them, with
//! the header on every page.

use crate::common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use common::*;
use ctg::Rendered;
use ctg::markdown_to_plain;
use ctg::{Plan, Value};
use roxmltree::{Document, Node};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

static SHIPPED: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&project_root()).expect("the shipped plan builds"));
static OTHER: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&fixture("autre-modele")).expect("the fixture builds"));

fn demo() -> PathBuf {
    project_root().join("examples/bilan-demo")
}

/// The review of `year` of the project at `root`.
fn review(root: &Path, year: u16) -> (Plan, Rendered) {
    let (plan, templates, mut warnings) = ctg::load_and_validate(root).expect("the project loads");
    let follow_ups = ctg::load_follow_ups(root, &plan, &mut warnings).expect("its follow-up loads");
    let review = ctg::Document::Review(year)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .expect("the review builds");
    (plan, review)
}

static DEMO_2025: LazyLock<(Plan, Rendered)> = LazyLock::new(|| review(&demo(), 2025));

/// Amendment n° 1 of `tests/fixtures/versions/v2`: its prepared versions, its
/// documents, and its view (the parts and changes the documents show).
struct Amended {
    prepared: ctg::Prepared,
    rendered: ctg::Rendered,
    view: ctg::AmendmentView,
}

fn amended() -> Amended {
    let root = common::git::versions().join("v2");
    let (plan, templates, _) = ctg::load_and_validate(&root).expect("the project loads");
    let mut prepared = ctg::prepare_amendments(&root, &plan).expect("its amendment is prepared");
    let prepared = prepared.remove(0);
    let rendered = ctg::Document::Amendment(&prepared)
        .render(&ctg::Inputs::new(
            &prepared.new,
            &Default::default(),
            &templates,
        ))
        .expect("the amendment builds");
    let view = ctg::AmendmentView::new(&prepared, ctg::Markup::Typst);
    Amended {
        prepared,
        rendered,
        view,
    }
}

static AMENDED: LazyLock<Amended> = LazyLock::new(amended);

// ---------------------------------------------------------------------------
// Reading a .docx

/// The parts of a `.docx`, by name, in the archive's order.
struct Package {
    names: Vec<String>,
    parts: BTreeMap<String, String>,
    /// The date and time of each entry.
    times: Vec<zip::DateTime>,
}

impl Package {
    fn open(bytes: &[u8]) -> Self {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
        let mut names = Vec::new();
        let mut parts = BTreeMap::new();
        let mut times = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            names.push(entry.name().to_string());
            times.push(entry.last_modified().unwrap_or_default());
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            if let Ok(text) = String::from_utf8(bytes) {
                parts.insert(entry.name().to_string(), text);
            }
        }
        Self {
            names,
            parts,
            times,
        }
    }

    fn xml(&self, name: &str) -> Document<'_> {
        Document::parse(&self.parts[name]).unwrap_or_else(|e| panic!("{name} : {e}"))
    }
}

fn is_w(node: &Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(W)
}

fn w_children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| is_w(n, name))
}

fn w_child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is_w(n, name))
}

fn val<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attribute((W, "val"))
}

/// A paragraph's text: its runs' text, tabs and breaks.
fn text(p: Node) -> String {
    let mut out = String::new();
    for n in p.descendants() {
        if is_w(&n, "t") {
            out.push_str(n.text().unwrap_or_default());
        } else if is_w(&n, "tab") && n.parent().is_some_and(|r| is_w(&r, "r")) {
            out.push('\t');
        } else if is_w(&n, "br") {
            out.push('\n');
        }
    }
    out
}

fn style<'a>(p: Node<'a, '_>) -> Option<&'a str> {
    w_child(p, "pPr")
        .and_then(|ppr| w_child(ppr, "pStyle"))
        .and_then(val)
}

/// The tables of the body, outermost only, in order.
fn body_tables<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    let body = doc
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .unwrap();
    w_children(body, "tbl").collect()
}

fn rows<'a, 'i>(table: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    w_children(table, "tr").collect()
}

fn row_has(row: Node, property: &str) -> bool {
    w_child(row, "trPr").is_some_and(|p| w_child(p, property).is_some())
}

fn cells<'a, 'i>(row: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    w_children(row, "tc").collect()
}

fn cell_property<'a>(cell: Node<'a, '_>, name: &str) -> Option<Node<'a, 'a>> {
    w_child(cell, "tcPr").and_then(|p| w_child(p, name))
}

fn cell_text(cell: Node) -> String {
    w_children(cell, "p")
        .map(text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` as the documents print it: French typography, superscripts as plain
/// letters.
fn typeset(text: &str) -> String {
    use ctg::{Segment, segments};
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Plain(p) | Segment::Super(p) => p,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Layout

#[test]
fn the_annex_is_a4_landscape_in_french_with_named_styles() {
    let (_, out) = &*SHIPPED;
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let section = document
        .descendants()
        .find(|n| is_w(n, "sectPr"))
        .expect("the page settings");
    let size = w_child(section, "pgSz").unwrap();
    assert_eq!(size.attribute((W, "w")), Some("16838"));
    assert_eq!(size.attribute((W, "h")), Some("11906"));
    assert_eq!(size.attribute((W, "orient")), Some("landscape"));

    let styles = package.xml("word/styles.xml");
    let lang = styles
        .descendants()
        .find(|n| is_w(n, "rPrDefault"))
        .and_then(|d| d.descendants().find(|n| is_w(n, "lang")))
        .expect("a default language");
    assert_eq!(val(lang), Some("fr-FR"));
    // Every style used is defined, with a name; the named ones are French.
    let names: BTreeMap<&str, &str> = styles
        .descendants()
        .filter(|n| is_w(n, "style"))
        .map(|s| {
            let name = w_child(s, "name").and_then(val).unwrap_or_default();
            (s.attribute((W, "styleId")).unwrap(), name)
        })
        .collect();
    let mut used = Vec::new();
    for part in ["word/document.xml", "word/header1.xml", "word/footer1.xml"] {
        let xml = package.xml(part);
        for n in xml
            .descendants()
            .filter(|n| is_w(n, "pStyle") || is_w(n, "rStyle"))
        {
            used.push(val(n).unwrap().to_string());
        }
    }
    for id in &used {
        assert!(
            names.get(id.as_str()).is_some_and(|n| !n.is_empty()),
            "style `{id}` utilisé sans être défini et nommé"
        );
    }
    for name in [
        "Titre",
        "Parties",
        "Intitulé",
        "Légende",
        "En-tête de tableau",
        "Texte de cellule",
        "Champ d'intervention",
        "Note du tableau",
    ] {
        assert!(
            names.values().any(|n| *n == name),
            "style « {name} » absent"
        );
    }
    // Every paragraph of the body has a named style.
    let unstyled = document
        .descendants()
        .filter(|n| is_w(n, "p"))
        .filter(|p| style(*p).is_none())
        .count();
    assert_eq!(unstyled, 0, "paragraphes sans style");
    // The title block, in order, before the table.
    let body = document
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .unwrap();
    let first: Vec<(Option<&str>, String)> = w_children(body, "p")
        .take(4)
        .map(|p| (style(p), text(p)))
        .collect();
    let c = &SHIPPED.0.convention;
    let expected = [
        (Some("Titre"), &c.title),
        (Some("Parties"), &c.parties),
        (Some("Intitule"), &c.heading),
        (Some("Legende"), &c.caption),
    ];
    for ((style, text), (want_style, want)) in first.iter().zip(expected) {
        assert_eq!(
            (*style, text.as_str()),
            (want_style, typeset(want).as_str())
        );
    }
}

/// The header labels of the plan's table as Word shows them: the top row's
/// cells with their column spans and whether they run down both rows, then
/// the second row's labels.
fn header(table: Node) -> (Vec<(String, usize, bool)>, Vec<String>) {
    let rows = rows(table);
    let top = cells(rows[0])
        .into_iter()
        .map(|c| {
            let span = cell_property(c, "gridSpan")
                .and_then(val)
                .map_or(1, |v| v.parse().unwrap());
            let merged = cell_property(c, "vMerge").is_some();
            (cell_text(c), span, merged)
        })
        .collect();
    let below = cells(rows[1])
        .into_iter()
        .filter(|c| cell_property(*c, "vMerge").is_none())
        .map(cell_text)
        .collect();
    (top, below)
}

/// What the header should be, from the declared shape: the first column,
/// then each group over its columns or a column alone, down both rows.
fn declared_header(plan: &Plan) -> (Vec<(String, usize, bool)>, Vec<String>) {
    let shape = &plan.convention.shape;
    let mut top = vec![(shape.first_column.clone(), 1, true)];
    let mut below = Vec::new();
    let shown: Vec<_> = shape.shown().map(|(_, c)| c).collect();
    let mut i = 0;
    while i < shown.len() {
        match &shown[i].group {
            Some(group) => {
                let n = shown[i..]
                    .iter()
                    .take_while(|c| c.group.as_ref() == Some(group))
                    .count();
                top.push((typeset(group), n, false));
                below.extend(shown[i..i + n].iter().map(|c| typeset(&c.label)));
                i += n;
            }
            None => {
                top.push((typeset(&shown[i].label), 1, true));
                i += 1;
            }
        }
    }
    (top, below)
}

#[test]
fn the_header_rows_repeat_on_each_page_and_follow_the_declared_columns() {
    for (plan, out) in [&*SHIPPED, &*OTHER] {
        let package = Package::open(&out.docx());
        let document = package.xml("word/document.xml");
        let table = body_tables(&document)[0];
        assert_eq!(header(table), declared_header(plan));
        let rows = rows(table);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row_has(*row, "tblHeader"),
                i < 2,
                "ligne {} : tblHeader",
                i + 1
            );
            assert!(row_has(*row, "cantSplit"), "ligne {} : cantSplit", i + 1);
        }
        // One row per action, one per sub-section, after the header.
        let subsections: usize = plan
            .convention
            .fields
            .iter()
            .map(|f| {
                let mut seen: Vec<&Option<String>> = Vec::new();
                for a in plan.actions.iter().filter(|a| a.field == f.id) {
                    if a.subsection.is_some() && seen.last() != Some(&&a.subsection) {
                        seen.push(&a.subsection);
                    }
                }
                seen.len()
            })
            .sum();
        assert_eq!(rows.len(), 2 + plan.actions.len() + subsections);
        // A column kept out of the table is not in it.
        for column in plan.convention.shape.columns.iter().filter(|c| !c.shown) {
            assert!(!package.parts["word/document.xml"].contains(&column.label));
        }
    }
}

#[test]
fn a_plan_without_groups_of_columns_has_one_header_row() {
    let project = copy_project(&fixture("autre-modele"));
    let convention = project.path().join("data/convention.toml");
    let text = std::fs::read_to_string(&convention).unwrap();
    assert!(text.contains("groupe = \"Mise en œuvre\"\n"));
    std::fs::write(
        &convention,
        text.replace("groupe = \"Mise en œuvre\"\n", ""),
    )
    .unwrap();
    let (plan, out) = ctg::render_project(project.path()).expect("the plan builds");
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let table = body_tables(&document)[0];
    let rows = rows(table);
    let labels: Vec<String> = cells(rows[0]).into_iter().map(cell_text).collect();
    let mut declared = vec![plan.convention.shape.first_column.clone()];
    declared.extend(
        plan.convention
            .shape
            .shown()
            .map(|(_, c)| typeset(&c.label)),
    );
    assert_eq!(labels, declared);
    assert!(
        cells(rows[0])
            .iter()
            .all(|c| cell_property(*c, "vMerge").is_none())
    );
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row_has(*row, "tblHeader"),
            i == 0,
            "ligne {} : tblHeader",
            i + 1
        );
    }
}

#[test]
fn each_row_names_its_field_and_holds_its_cells_in_the_declared_columns() {
    for (plan, out) in [&*SHIPPED, &*OTHER] {
        let package = Package::open(&out.docx());
        let document = package.xml("word/document.xml");
        let table = body_tables(&document)[0];
        let c = &plan.convention;
        let body: Vec<Node> = rows(table).into_iter().skip(2).collect();
        // The field's label on each of its rows: on its first row (a
        // sub-section's or an action's) in bold with its note mark, then in grey.
        let mut previous_field = None;
        for row in &body {
            let label = w_children(cells(*row)[0], "p").next().unwrap();
            let field = c
                .fields
                .iter()
                .find(|f| typeset(&f.label) == text(label).split('\u{a0}').next().unwrap())
                .expect("a field's label");
            let first = previous_field != Some(&field.id);
            previous_field = Some(&field.id);
            let mark = field
                .note
                .as_ref()
                .and_then(|n| c.notes.iter().find(|x| &x.id == n))
                .map(|n| format!("\u{a0}{}", n.mark));
            let (want_style, want) = match (first, mark) {
                (true, Some(mark)) => ("ChampIntervention", format!("{}{mark}", field.label)),
                (true, None) => ("ChampIntervention", field.label.clone()),
                (false, _) => ("ChampSuite", field.label.clone()),
            };
            assert_eq!(
                (style(label), text(label)),
                (Some(want_style), typeset(&want))
            );
        }
        let action_rows: Vec<&Node> = body.iter().filter(|r| cells(**r).len() > 2).collect();
        assert_eq!(action_rows.len(), plan.actions.len());
        for (row, action) in action_rows.iter().zip(&plan.actions) {
            let cells = cells(**row);
            let shown: Vec<&Value> = c
                .shape
                .columns
                .iter()
                .zip(&action.values)
                .filter(|(column, _)| column.shown)
                .map(|(_, v)| v)
                .collect();
            assert_eq!(cells.len(), 1 + shown.len());
            for (cell, value) in cells[1..].iter().zip(shown) {
                let want = match value {
                    Value::Text(md) => markdown_to_plain(md)
                        .lines()
                        .map(|l| typeset(l.trim_start_matches("- ")))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    Value::Deadline(d) => typeset(&d.text),
                    Value::Amount(a) => a.french(),
                    Value::Number(n) => n.to_string(),
                    Value::Absent => String::new(),
                };
                assert_eq!(
                    normalise(&cell_text(*cell)),
                    normalise(&want),
                    "{}",
                    action.id
                );
            }
        }
    }
}

#[test]
fn amounts_are_right_aligned_and_deadlines_centred_as_in_the_pdf() {
    let (plan, out) = &*OTHER;
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let table = body_tables(&document)[0];
    let shown: Vec<_> = plan.convention.shape.shown().map(|(_, c)| c).collect();
    let budget = 1 + shown.iter().position(|c| c.key == "budget").unwrap();
    let calendar = 1 + shown.iter().position(|c| c.key == "calendrier").unwrap();
    let row = rows(table)
        .into_iter()
        .find(|r| {
            cells(*r).len() > 2
                && !cell_text(cells(*r)[budget]).is_empty()
                && !row_has(*r, "tblHeader")
        })
        .unwrap();
    let jc = |cell: Node| {
        w_child(cell, "p")
            .and_then(|p| w_child(p, "pPr"))
            .and_then(|p| w_child(p, "jc"))
            .and_then(val)
            .map(str::to_string)
    };
    assert_eq!(jc(cells(row)[budget]).as_deref(), Some("right"));
    assert_eq!(jc(cells(row)[calendar]).as_deref(), Some("center"));
    assert!(cell_text(cells(row)[budget]).ends_with("\u{a0}€"));
}

#[test]
fn the_sub_section_rows_span_the_columns_and_the_notes_follow_the_table() {
    let (plan, out) = &*SHIPPED;
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let table = body_tables(&document)[0];
    let columns = plan.convention.shape.shown().count();
    let subsections: Vec<String> = rows(table)
        .into_iter()
        .filter(|r| cells(*r).len() == 2)
        .map(|r| {
            let cell = cells(r)[1];
            assert_eq!(
                cell_property(cell, "gridSpan").and_then(val),
                Some(columns.to_string().as_str())
            );
            cell_text(cell)
        })
        .collect();
    let declared: Vec<String> = plan
        .convention
        .fields
        .iter()
        .flat_map(|f| f.subsections.iter().map(|s| typeset(&s.label)))
        .collect();
    assert_eq!(subsections, declared);
    // The note: its mark, a tab, its text, in the notes' style, after the table.
    let body = document
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .unwrap();
    let after: Vec<Node> = body
        .children()
        .skip_while(|n| !is_w(n, "tbl"))
        .skip(1)
        .filter(|n| is_w(n, "p") && style(*n) == Some("NoteTableau"))
        .collect();
    let note = &plan.convention.notes[0];
    let paragraphs: Vec<String> = markdown_to_plain(&note.text).lines().map(typeset).collect();
    assert_eq!(after.len(), paragraphs.len());
    assert_eq!(text(after[0]), format!("{}\t{}", note.mark, paragraphs[0]));
    // The note's first paragraph is in italics, as written (`_…_`).
    assert!(after[0].descendants().any(|n| is_w(&n, "i")));
}

#[test]
fn the_signature_page_has_a_block_per_signatory() {
    let (plan, out) = &*SHIPPED;
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let heading = document
        .descendants()
        .find(|p| is_w(p, "p") && text(*p) == "Signatures")
        .expect("a signature heading");
    assert!(
        w_child(heading, "pPr")
            .and_then(|p| w_child(p, "pageBreakBefore"))
            .is_some()
    );
    let table = *body_tables(&document).last().unwrap();
    let blocks: Vec<String> = rows(table)
        .into_iter()
        .flat_map(cells)
        .map(cell_text)
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(blocks.len(), plan.convention.signatories.len());
    for (block, s) in blocks.iter().zip(&plan.convention.signatories) {
        assert!(block.starts_with(&typeset(&s.institution)), "{block}");
        assert!(block.ends_with("Signature et cachet"), "{block}");
    }
}

// ---------------------------------------------------------------------------
// Cell text

/// The mini plan, with one more cell of Markdown: a numbered list, a link, an
/// emoji and characters that look like code.
fn rich_project() -> tempfile::TempDir {
    let dir = copy_project(&fixture("mini"));
    let path = dir.path().join("data/actions/logement/01-impayes.toml");
    let record = std::fs::read_to_string(&path).unwrap();
    let mut table: toml::Table = record.parse().unwrap();
    table.insert(
        "moyens_partenaires".into(),
        toml::Value::String(
            "Étapes :\n\n3. Diagnostic\n4. Plan d'aide\n   - sous-point\n\nVoir [le site](https://exemple.fr/aide?x=1&y=2) ou [ceci](javascript:alert(1)) 🎉 a\\\\b `#set` $x$ ] @e"
                .into(),
        ),
    );
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    dir
}

/// For each list paragraph of `document`: its text, level, and whether its
/// list is numbered (from `numbering.xml`), with its first number.
fn list_items(package: &Package) -> Vec<(String, usize, bool, usize)> {
    let numbering = package.xml("word/numbering.xml");
    let root = numbering.root_element();
    let abstracts: BTreeMap<&str, Node> = w_children(root, "abstractNum")
        .map(|a| (a.attribute((W, "abstractNumId")).unwrap(), a))
        .collect();
    let nums: BTreeMap<&str, Node> = w_children(root, "num")
        .map(|n| (n.attribute((W, "numId")).unwrap(), n))
        .collect();
    let document = package.xml("word/document.xml");
    document
        .descendants()
        .filter(|p| is_w(p, "p"))
        .filter_map(|p| {
            let num = w_child(p, "pPr").and_then(|p| w_child(p, "numPr"))?;
            let id = w_child(num, "numId").and_then(val).unwrap();
            let level: usize = w_child(num, "ilvl").and_then(val).unwrap().parse().unwrap();
            let instance = nums[id];
            let abstract_id = w_child(instance, "abstractNumId").and_then(val).unwrap();
            let lvl = w_children(abstracts[abstract_id], "lvl")
                .find(|l| l.attribute((W, "ilvl")) == Some(level.to_string().as_str()))
                .unwrap();
            let numbered = w_child(lvl, "numFmt").and_then(val) != Some("bullet");
            let start = w_children(instance, "lvlOverride")
                .find(|o| o.attribute((W, "ilvl")) == Some(level.to_string().as_str()))
                .and_then(|o| w_child(o, "startOverride"))
                .and_then(val)
                .or_else(|| w_child(lvl, "start").and_then(val))
                .unwrap()
                .parse()
                .unwrap();
            Some((text(p), level, numbered, start))
        })
        .collect()
}

#[test]
fn cell_markdown_becomes_word_paragraphs_lists_emphasis_and_links() {
    let dir = rich_project();
    let (_, out) = ctg::render_project(dir.path()).expect("the plan builds");
    let package = Package::open(&out.docx());
    let items = list_items(&package);
    let item = |t: &str| items.iter().find(|i| i.0 == t).cloned();
    // Real Word lists: the bullets of `- …`, the numbers of `3. …` from 3 on.
    assert_eq!(
        item("Investissement\u{a0}: 100\u{202f}000\u{a0}€"),
        Some((
            "Investissement\u{a0}: 100\u{202f}000\u{a0}€".into(),
            0,
            false,
            1
        ))
    );
    assert_eq!(item("Fonctionnement").map(|i| (i.1, i.2)), Some((0, false)));
    assert_eq!(item("Diagnostic"), Some(("Diagnostic".into(), 0, true, 3)));
    assert_eq!(item("Plan d'aide").map(|i| (i.1, i.2)), Some((0, true)));
    assert_eq!(item("sous-point").map(|i| (i.1, i.2)), Some((1, false)));
    // No typed dash or bullet stands for a list.
    let document = package.xml("word/document.xml");
    for p in document.descendants().filter(|p| is_w(p, "p")) {
        let t = text(p);
        assert!(
            !t.starts_with("- ") && !t.starts_with("• ") && !t.starts_with("3. "),
            "liste tapée : {t:?}"
        );
    }
    // Paragraphs, bold, italic, the raised ordinal and the line break.
    let paragraph = |start: &str| {
        document
            .descendants()
            .find(|p| is_w(p, "p") && text(*p).starts_with(start))
            .unwrap_or_else(|| panic!("paragraphe « {start} » absent"))
    };
    let ordinal = paragraph("► Ouverture d'une 2");
    assert_eq!(text(ordinal), "► Ouverture d'une 2e crèche.");
    let raised: Vec<String> = ordinal
        .descendants()
        .filter(|r| is_w(r, "r"))
        .filter(|r| {
            r.descendants()
                .any(|n| is_w(&n, "vertAlign") && val(n) == Some("superscript"))
        })
        .map(text)
        .collect();
    assert_eq!(raised, ["e"]);
    let emphasis = paragraph("Second paragraphe");
    let run = |t: &str| {
        emphasis
            .descendants()
            .find(|r| is_w(r, "r") && text(*r) == t)
            .unwrap()
    };
    assert!(run("gras").descendants().any(|n| is_w(&n, "b")));
    assert!(run("italique").descendants().any(|n| is_w(&n, "i")));
    assert_eq!(
        text(paragraph("Une crèche ouverte.")),
        "Une crèche ouverte.\nDeuxième ligne."
    );
    // A link to a web address is a link; any other target keeps its text only.
    let links: Vec<(String, String)> = document
        .descendants()
        .filter(|n| is_w(n, "hyperlink"))
        .map(|h| (h.attribute((R, "id")).unwrap().to_string(), text(h)))
        .collect();
    let texts: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["le site", "lien"],
        "ni « ceci » ni « piège » ne sont des liens"
    );
    let rels = package.xml("word/_rels/document.xml.rels");
    let target = |id: &str| {
        let rel = rels
            .descendants()
            .find(|r| r.attribute("Id") == Some(id))
            .unwrap();
        (rel.attribute("Target"), rel.attribute("TargetMode"))
    };
    assert_eq!(
        target(&links[0].0),
        (Some("https://exemple.fr/aide?x=1&y=2"), Some("External"))
    );
    assert_eq!(
        target(&links[1].0),
        (Some("https://exemple.fr"), Some("External"))
    );
    // Text is data: what looks like code is shown as written.
    let all: String = document
        .descendants()
        .filter(|p| is_w(p, "p"))
        .map(text)
        .collect();
    for literal in [
        r#"#read("/etc/passwd") $x^2$ *a* _b_ [c] <d> @e \f"#,
        "<script>alert('x')</script>",
        "Crèches <script>alert(1)</script>",
        r"ceci 🎉 a\b #set $x$ ] @e",
    ] {
        assert!(all.contains(literal), "« {literal} » absent du document");
    }
}

// ---------------------------------------------------------------------------
// Properties and bytes

/// The PDF's information dictionary, by key.
fn pdf_info(bytes: &[u8]) -> BTreeMap<String, String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|r| r.as_reference())
        .and_then(|id| doc.get_dictionary(id))
        .unwrap();
    info.iter()
        .filter_map(|(k, v)| {
            let s = v.as_str().ok()?;
            Some((String::from_utf8_lossy(k).into_owned(), pdf_string(s)))
        })
        .collect()
}

fn core(package: &Package) -> BTreeMap<String, String> {
    package
        .xml("docProps/core.xml")
        .root_element()
        .children()
        .filter(Node::is_element)
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.text().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_document_properties_are_the_pdfs() {
    let (_, out) = &*SHIPPED;
    let (_, bilan) = &*DEMO_2025;
    for (docx, pdf) in [(&out.docx(), &out.pdf()), (&bilan.docx(), &bilan.pdf())] {
        let core = core(&Package::open(docx));
        let info = pdf_info(pdf);
        assert_eq!(core["title"], info["Title"]);
        assert_eq!(core["creator"], info["Author"]);
        assert_eq!(core["subject"], info["Subject"]);
        assert_eq!(core["keywords"], info["Keywords"]);
        assert_eq!(core["language"], "fr-FR");
        // "D:20261130000000Z" and "2026-11-30T00:00:00Z".
        let created = info["CreationDate"].trim_start_matches("D:");
        let date = core["created"].replace(['-', 'T', ':'], "");
        assert_eq!(
            date.trim_end_matches('Z'),
            created.trim_end_matches(|c: char| !c.is_ascii_digit())
        );
        assert_eq!(core["modified"], core["created"]);
    }
}

#[test]
fn two_builds_give_the_same_bytes_with_sorted_and_dated_entries() {
    let (_, first) = &*SHIPPED;
    let (_, second) = ctg::render_project(&project_root()).unwrap();
    assert!(
        first.docx() == second.docx(),
        "plan.docx diffère d'une construction à l'autre"
    );
    let (_, bilan) = &*DEMO_2025;
    let (_, again) = review(&demo(), 2025);
    assert!(
        bilan.docx() == again.docx(),
        "bilan-2025.docx diffère d'une construction à l'autre"
    );

    for docx in [&first.docx(), &bilan.docx()] {
        let package = Package::open(docx);
        let mut sorted = package.names.clone();
        sorted.sort();
        assert_eq!(package.names, sorted);
        assert_eq!(package.names[0], "[Content_Types].xml");
        // Every entry dated with the edition date, the convention's.
        let d = SHIPPED.0.convention.date.unwrap();
        let demo_date = DEMO_2025.0.convention.date.unwrap();
        for time in &package.times {
            let day = (
                time.year(),
                time.month(),
                time.day(),
                time.hour(),
                time.minute(),
            );
            assert!(
                day == (d.year, d.month, d.day, 0, 0)
                    || day == (demo_date.year, demo_date.month, demo_date.day, 0, 0),
                "{time:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The review

#[test]
fn the_review_has_the_content_of_its_pdf() {
    let (plan, out) = &*DEMO_2025;
    let package = Package::open(&out.docx());
    let document = package.xml("word/document.xml");
    let headings: Vec<String> = document
        .descendants()
        .filter(|p| is_w(p, "p") && style(*p) == Some("Heading1"))
        .map(text)
        .collect();
    assert_eq!(
        headings,
        [
            "Synthèse 2025",
            "Actions à échéance en 2025",
            "Actions en retard",
            "Changements d'état depuis 2024",
            "Indicateurs 2025",
            "Plan d'actions et état 2025",
            "Bilan par champ d'intervention",
            "Conclusions",
        ]
    );
    // Each of them is in the PDF too (whose apostrophes are typographic).
    let pdf = normalise(&out.page_texts().join(" ")).replace('’', "'");
    for heading in &headings {
        assert!(pdf.contains(&normalise(heading)), "{heading}");
    }
    // The chart is an image with a text alternative that gives its figures,
    // and the table after it has the same figures.
    let image = document
        .descendants()
        .find(|n| n.tag_name().name() == "docPr")
        .expect("an image");
    let alt = image.attribute("descr").unwrap();
    assert!(alt.starts_with("Diagramme en barres"), "{alt}");
    let media: Vec<&String> = package
        .names
        .iter()
        .filter(|n| n.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 1);
    let tables = body_tables(&document);
    let summary = tables[0];
    let states: Vec<String> = cells(rows(summary)[0]).into_iter().map(cell_text).collect();
    for row in rows(summary).into_iter().skip(1) {
        let cells: Vec<String> = cells(row).into_iter().map(cell_text).collect();
        if cells[0] == "Total" {
            continue;
        }
        // "Petite enfance : 2 réalisé, 1 en cours…" in the alternative.
        let figures: Vec<String> = cells[1..cells.len() - 1]
            .iter()
            .zip(&states[1..])
            .filter(|(n, _)| *n != "0")
            .map(|(n, state)| format!("{n} {state}"))
            .collect();
        let said = format!("{}\u{a0}: {}", cells[0], figures.join(", "));
        assert!(alt.contains(&said), "« {said} » absent de « {alt} »");
    }
    // Every table's header row repeats on each page.
    for table in &tables {
        assert!(row_has(rows(*table)[0], "tblHeader"));
    }
    // The plan's table has the year's two columns under their group.
    let plan_table = tables
        .iter()
        .find(|t| {
            cells(rows(**t)[0])
                .iter()
                .any(|c| cell_text(*c) == "Suivi 2025")
        })
        .expect("the plan's table");
    let (top, below) = header(*plan_table);
    assert_eq!(top.last(), Some(&("Suivi 2025".to_string(), 2, false)));
    assert_eq!(&below[below.len() - 2..], ["État 2025", "Commentaire 2025"]);
    let action_rows = rows(*plan_table)
        .into_iter()
        .filter(|r| cells(*r).len() > 2)
        .count();
    assert_eq!(action_rows, 2 + plan.actions.len());
}

// ---------------------------------------------------------------------------
// With LibreOffice

/// What is missing to print Word documents: LibreOffice, and pdftotext to read
/// the result.
fn missing_office_tools() -> Option<String> {
    let runs = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !runs("soffice", "--version") {
        Some("soffice (LibreOffice) introuvable".into())
    } else if !runs("pdftotext", "-v") {
        Some("pdftotext (poppler-utils) introuvable".into())
    } else {
        None
    }
}

/// The text of each page of `docx` printed by LibreOffice.
fn printed_pages(name: &str, docx: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join(format!("{name}.docx"));
    std::fs::write(&source, docx).unwrap();
    // A profile of its own: two conversions at once never share one.
    let profile = format!(
        "-env:UserInstallation=file://{}/profil",
        dir.path().display()
    );
    let out = Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&source)
        .output()
        .expect("soffice runs");
    let pdf = dir.path().join(format!("{name}.pdf"));
    assert!(
        pdf.is_file(),
        "soffice n'a pas produit de PDF : {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // In the order LibreOffice draws the text: cell after cell.
    let text = Command::new("pdftotext")
        .arg("-raw")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8(text.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Every header label of the plan's table: the first column's, the groups'
/// and the columns'.
fn header_labels(plan: &Plan) -> Vec<String> {
    let (top, below) = declared_header(plan);
    top.into_iter()
        .map(|(label, _, _)| label)
        .chain(below)
        .collect()
}

#[test]
fn libreoffice_prints_every_paragraph_of_the_plan_with_the_header_on_every_page() {
    if !tool(
        "libreoffice_prints_every_paragraph_of_the_plan_with_the_header_on_every_page",
        missing_office_tools(),
    ) {
        return;
    }
    let (plan, out) = &*SHIPPED;
    let pages = printed_pages("plan", &out.docx());
    let text = normalise(&pages.join(" "));
    let missing: Vec<String> = reference_paragraphs()
        .into_iter()
        .filter(|p| !text.contains(&normalise(p)) && !text.to_lowercase().contains(&normalise(p)))
        .collect();
    assert!(
        missing.is_empty(),
        "absent du PDF de LibreOffice : {missing:#?}"
    );
    // Every page of the table has the whole header; the last page is the
    // signatures'.
    let (signatures, table) = pages.split_last().unwrap();
    assert!(signatures.contains("Signatures"), "{signatures}");
    assert!(
        table.len() >= 3,
        "le tableau tient sur {} pages",
        table.len()
    );
    for (i, page) in table.iter().enumerate() {
        let page = normalise(page);
        for label in header_labels(plan) {
            assert!(
                page.contains(&normalise(&label)),
                "page {} sans l'en-tête « {label} »",
                i + 1
            );
        }
    }
}

#[test]
fn libreoffice_prints_the_review_with_the_plan_and_its_header_on_every_page() {
    if !tool(
        "libreoffice_prints_the_review_with_the_plan_and_its_header_on_every_page",
        missing_office_tools(),
    ) {
        return;
    }
    let (plan, out) = &*DEMO_2025;
    let pages = printed_pages("bilan-2025", &out.docx());
    let text = normalise(&pages.join(" "));
    // Every paragraph of every cell of the plan.
    let mut paragraphs = 0;
    for action in &plan.actions {
        for value in &action.values {
            if let Value::Text(md) = value {
                for line in markdown_to_plain(md).lines() {
                    let line = typeset(line.trim_start_matches("- "));
                    assert!(
                        text.contains(&normalise(&line)),
                        "« {line} » absent du bilan imprimé"
                    );
                    paragraphs += 1;
                }
            }
        }
    }
    assert!(paragraphs > plan.actions.len());
    // The plan's pages: from its heading to the page of its last action, each
    // with the whole header, the year's columns included.
    let start = pages
        .iter()
        .position(|p| p.contains("Plan d'actions et état 2025"))
        .unwrap();
    let last = normalise(&typeset(&markdown_to_plain(
        &plan.actions.last().unwrap().description,
    )));
    // (The lists of the review name actions too: the plan's pages come after.)
    let end = start
        + pages[start..]
            .iter()
            .position(|p| normalise(p).contains(&last))
            .unwrap();
    assert!(end > start, "le tableau du plan tient sur une page");
    let mut labels = header_labels(plan);
    labels.extend(["Suivi 2025", "État 2025", "Commentaire 2025"].map(String::from));
    for (i, page) in pages.iter().enumerate().take(end + 1).skip(start) {
        let page = normalise(page);
        for label in &labels {
            assert!(
                page.contains(&normalise(label)),
                "page {} sans l'en-tête « {label} »",
                i + 1
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The amendment

/// The paragraphs of the body outside its tables, with their style.
fn body_paragraphs<'a, 'i>(doc: &'a Document<'i>) -> Vec<(Option<&'a str>, String)> {
    let body = doc
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .unwrap();
    w_children(body, "p").map(|p| (style(p), text(p))).collect()
}

#[test]
fn the_amendment_has_the_parts_of_its_pdf_in_order() {
    let a = &*AMENDED;
    let package = Package::open(&a.rendered.docx());
    let document = package.xml("word/document.xml");
    let paragraphs = body_paragraphs(&document);
    let info = &a.view.amendment;
    // The title block first.
    let first: Vec<(Option<&str>, String)> = paragraphs.iter().take(3).cloned().collect();
    assert_eq!(
        first,
        [
            (Some("Titre"), typeset(&info.title)),
            (Some("Parties"), typeset(&a.view.plan.parties)),
            (
                Some("Intitule"),
                typeset(&format!(
                    "{} – avenant du {}",
                    a.view.plan.heading, info.date
                ))
            ),
        ]
    );
    // Then the headings, in the PDF's order: the object, the changes (a list
    // per part, a table per field), the consolidated annex, the signatures.
    let headings: Vec<(&str, String)> = paragraphs
        .iter()
        .filter_map(|(style, text)| {
            style
                .filter(|s| s.starts_with("Heading"))
                .map(|s| (s, text.clone()))
        })
        .collect();
    let mut expected = vec![
        ("Heading1", "Objet de l'avenant".to_string()),
        ("Heading1", "Modifications du plan d'actions".to_string()),
    ];
    let changes = &a.view.changes;
    assert!(!changes.lists.is_empty() && changes.tables.len() >= 3);
    for title in changes.lists.iter().map(|l| &l.title) {
        expected.push(("Heading2", typeset(title)));
    }
    for label in changes.tables.iter().map(|t| &t.label) {
        expected.push(("Heading2", typeset(label)));
    }
    expected.push(("Heading1", "Plan d'actions consolidé".to_string()));
    expected.push(("Heading1", "Signatures".to_string()));
    assert_eq!(headings, expected);
    // The object's text, the versions named with their fingerprints, the
    // count of changes and the legend, in the words of the PDF.
    let all: String = paragraphs
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let in_order = [
        "La convention est modifiée et complétée".to_string(),
        format!(
            "Le présent avenant modifie le plan d'actions de la convention, dans sa version «\u{a0}../v1\u{a0}» (empreinte {}). Le plan d'actions consolidé qu'il annexe a l'empreinte {}.",
            info.since_fingerprint, a.view.plan.fingerprint
        ),
        "17 changements par rapport à la version «\u{a0}../v1\u{a0}».".to_string(),
        "Lecture des modifications. Mots ajoutés\u{a0}: {+soulignés+}, entre {+ et +}. Mots supprimés\u{a0}: [-barrés-], entre [- et -].".to_string(),
        "Période\u{a0}: 2024-2026 → 2024-2027".to_string(),
        "Ajout\u{a0}: Commune d'Exemple (Le Maire)".to_string(),
    ];
    let mut at = 0;
    for part in in_order.iter().map(|p| typeset(p)) {
        let found = all[at..]
            .find(part.as_str())
            .unwrap_or_else(|| panic!("« {part} » absent ou hors d'ordre :\n{all}"));
        at += found + part.len();
    }
    // The object's list and the change lists are Word lists.
    let listed = document
        .descendants()
        .filter(|n| is_w(n, "p") && n.descendants().any(|d| is_w(&d, "numPr")))
        .map(text)
        .collect::<Vec<_>>();
    assert!(
        listed
            .iter()
            .any(|t| t.starts_with("la période est prolongée"))
    );
    assert!(
        listed
            .iter()
            .any(|t| t == "Ajout\u{a0}: Commune d'Exemple (Le Maire)")
    );
    // Every paragraph has a style, the amendment's own ones named.
    assert!(
        document
            .descendants()
            .filter(|n| is_w(n, "p"))
            .all(|p| style(p).is_some())
    );
    let styles = package.xml("word/styles.xml");
    let names: Vec<&str> = styles
        .descendants()
        .filter(|n| is_w(n, "name"))
        .filter_map(val)
        .collect();
    for name in ["Inchangé", "Mention d'avenant", "Lecture des modifications"] {
        assert!(names.contains(&name), "style « {name} » absent");
    }
}

#[test]
fn the_changes_are_one_table_per_field_with_a_row_per_change() {
    let a = &*AMENDED;
    let package = Package::open(&a.rendered.docx());
    let document = package.xml("word/document.xml");
    let tables = body_tables(&document);
    let changes = &a.view.changes.tables;
    // The tables of changes, then the consolidated annex and the signatures.
    assert_eq!(tables.len(), changes.len() + 2);
    for (table, view) in tables.iter().zip(changes) {
        let rows = rows(*table);
        let head = view.head.len();
        // The header: « Changement », then the plan's columns as declared.
        let labels: Vec<String> = rows[..head]
            .iter()
            .flat_map(|r| cells(*r))
            .filter(|c| cell_property(*c, "vMerge").and_then(val) != Some("continue"))
            .map(cell_text)
            .filter(|t| !t.is_empty())
            .collect();
        let declared: Vec<String> = view
            .head
            .iter()
            .flatten()
            .map(|c| typeset(&c.label))
            .collect();
        assert_eq!(labels, declared);
        assert_eq!(labels[0], "Changement");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row_has(*row, "tblHeader"),
                i < head,
                "{} ligne {i}",
                view.label
            );
            assert!(row_has(*row, "cantSplit"), "{} ligne {i}", view.label);
        }
        // A row per change: what and the action's title first, then the
        // columns; a move alone in one cell across them.
        assert_eq!(rows.len() - head, view.rows.len(), "{}", view.label);
        for (row, change) in rows[head..].iter().zip(&view.rows) {
            let cells = cells(*row);
            let first = cell_text(cells[0]);
            assert!(
                first.starts_with(&format!("{}\n{}", change.what, typeset(&change.title))),
                "{first}"
            );
            let bold = cells[0].descendants().find(|n| is_w(n, "r")).unwrap();
            assert!(bold.descendants().any(|n| is_w(&n, "b")));
            if change.unchanged {
                assert_eq!(cells.len(), 2);
                let span = cell_property(cells[1], "gridSpan").and_then(val);
                assert_eq!(span, Some(view.columns.len().to_string().as_str()));
                assert_eq!(cell_text(cells[1]), "Aucune cellule modifiée.");
            } else {
                assert_eq!(cells.len(), 1 + view.columns.len());
                for (cell, changed) in cells[1..].iter().zip(&change.cells) {
                    let p = w_children(*cell, "p").next().unwrap();
                    if changed.is_none() {
                        assert_eq!((style(p), text(p).as_str()), (Some("Inchange"), "inchangé"));
                    } else {
                        let marks = match change.kind {
                            "ajout" => "{+",
                            "suppression" => "[-",
                            _ => "",
                        };
                        assert!(cell_text(*cell).contains(marks), "{}", cell_text(*cell));
                    }
                }
            }
        }
    }
    // Each kind of change is there.
    let kinds: Vec<&str> = changes
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| r.kind)
        .collect();
    for kind in ["ajout", "suppression", "modification"] {
        assert!(kinds.contains(&kind), "{kind}");
    }
    assert!(changes.iter().flat_map(|t| &t.rows).any(|r| r.unchanged));
}

/// The runs of `node` in order: their text, whether underlined, struck, bold.
fn marked_runs(node: Node) -> Vec<(String, bool, bool, bool)> {
    node.descendants()
        .filter(|n| is_w(n, "r"))
        .map(|r| {
            let property = |name| w_child(r, "rPr").is_some_and(|p| w_child(p, name).is_some());
            (text(r), property("u"), property("strike"), property("b"))
        })
        .collect()
}

#[test]
fn a_changed_cell_marks_its_words_underlined_and_struck_between_brackets() {
    let a = &*AMENDED;
    let package = Package::open(&a.rendered.docx());
    let document = package.xml("word/document.xml");
    let tables = body_tables(&document);
    // In every table of changes, a word is underlined exactly when between
    // `{+` and `+}`, struck exactly when between `[-` and `-]`.
    let (mut underlined, mut struck) = (0, 0);
    for table in &tables[..a.view.changes.tables.len()] {
        for tc in table.descendants().filter(|n| is_w(n, "tc")) {
            let mut mark = None;
            for (text, u, s, _) in marked_runs(tc) {
                match text.as_str() {
                    "{+" | "[-" => {
                        assert_eq!(mark, None);
                        mark = Some(text.clone());
                        assert!(!u && !s);
                    }
                    "+}" | "-]" => {
                        mark = None;
                        assert!(!u && !s);
                    }
                    _ if text.trim().is_empty() => {}
                    _ => {
                        assert_eq!(u, mark.as_deref() == Some("{+"), "« {text} »");
                        assert_eq!(s, mark.as_deref() == Some("[-"), "« {text} »");
                        underlined += usize::from(u);
                        struck += usize::from(s);
                    }
                }
            }
            assert_eq!(mark, None, "une marque non fermée");
        }
    }
    assert!(underlined > 5 && struck > 5, "{underlined} {struck}");
    // The changed means of the parentalité action: a Word list whose amount
    // changed in bold and whose new item is inserted.
    let table = tables
        .iter()
        .zip(&a.view.changes.tables)
        .find(|(_, v)| {
            v.rows
                .iter()
                .any(|r| r.title.starts_with("Animation du réseau"))
        })
        .map(|(t, _)| *t)
        .unwrap();
    let row = rows(table)
        .into_iter()
        .find(|r| cell_text(cells(*r)[0]).contains("Animation du réseau"))
        .unwrap();
    let means = cells(row)
        .into_iter()
        .find(|c| cell_text(*c).contains("Fonds REAAP"))
        .unwrap();
    let items: Vec<Node> = w_children(means, "p").collect();
    assert_eq!(items.len(), 3);
    for item in &items {
        let numbering = w_child(*item, "pPr").and_then(|p| w_child(p, "numPr"));
        assert!(numbering.is_some(), "{}", text(*item));
    }
    let runs = marked_runs(items[0]);
    let at = |word: &str| runs.iter().position(|r| r.0 == word).unwrap();
    // The amount is marked whole, never a group of its digits (« 12 15 000 € »),
    // and in bold: the bold goes inside the marks.
    let (old, new) = (typeset("12 000 €"), typeset("15 000 €"));
    assert_eq!(runs[at(&old)], (old.clone(), false, true, true));
    assert_eq!(runs[at(&old) - 1].0, "[-");
    assert_eq!(runs[at(&old) + 1].0, "-]");
    assert_eq!(runs[at(&new)], (new.clone(), true, false, true));
    assert_eq!(runs[at(&new) - 1].0, "{+");
    assert_eq!(runs[at(&new) + 1].0, "+}");
    assert_eq!(
        text(items[2]),
        typeset("{+Accompagnement par la conseillère « parentalité »+}")
    );
}

#[test]
fn the_consolidated_annex_mentions_each_row_an_amendment_touched() {
    let a = &*AMENDED;
    let package = Package::open(&a.rendered.docx());
    let document = package.xml("word/document.xml");
    let tables = body_tables(&document);
    let annex = tables[tables.len() - 2];
    let plan = &a.view.plan;
    let body = rows(annex).split_off(plan.head.len());
    let view_rows: Vec<_> = plan.groups.iter().flat_map(|g| &g.rows).collect();
    assert_eq!(body.len(), view_rows.len());
    let mut mentions = 0;
    for (row, view) in body.iter().zip(view_rows) {
        let cells = cells(*row);
        // Under the first cell of the action, not the field's label.
        let found: Vec<String> = cells
            .iter()
            .map(|c| {
                w_children(*c, "p")
                    .filter(|p| style(*p) == Some("MentionAvenant"))
                    .map(text)
                    .collect::<Vec<_>>()
                    .join("")
            })
            .collect();
        match &view.mention {
            Some(mention) => {
                mentions += 1;
                assert_eq!(found[1], typeset(mention));
                let last = w_children(cells[1], "p").last().unwrap();
                assert_eq!(style(last), Some("MentionAvenant"));
            }
            None => assert!(found.iter().all(String::is_empty)),
        }
    }
    // Five actions changed or moved, one added; the removed one is gone.
    assert_eq!(mentions, 6);
    let printed: Vec<String> = body_tables(&document)[tables.len() - 2]
        .descendants()
        .filter(|n| is_w(n, "p") && style(*n) == Some("MentionAvenant"))
        .map(text)
        .collect();
    let count = |m: &str| printed.iter().filter(|p| **p == typeset(m)).count();
    assert_eq!(count("modifié par l’avenant n°\u{a0}1"), 5);
    assert_eq!(count("ajouté par l’avenant n°\u{a0}1"), 1);
}

#[test]
fn the_amendment_is_signed_on_its_date_by_the_new_signatories() {
    let a = &*AMENDED;
    let package = Package::open(&a.rendered.docx());
    let document = package.xml("word/document.xml");
    let tables = body_tables(&document);
    let signatures = tables.last().unwrap();
    let names: Vec<String> = signatures
        .descendants()
        .filter(|n| is_w(n, "tc"))
        .map(|c| w_children(c, "p").next().map(text).unwrap_or_default())
        .filter(|t| !t.is_empty())
        .collect();
    let expected: Vec<String> = a
        .prepared
        .new
        .convention
        .signatories
        .iter()
        .map(|s| match &s.acronym {
            Some(acronym) => typeset(&format!("{} ({acronym})", s.institution)),
            None => typeset(&s.institution),
        })
        .collect();
    assert_eq!(names, expected);
    let paragraphs = body_paragraphs(&document);
    let place = paragraphs
        .iter()
        .find(|(s, _)| *s == Some("LieuDate"))
        .unwrap();
    assert!(place.1.ends_with(", le 15 mars 2025"), "{}", place.1);
}

#[test]
fn the_amendments_properties_are_its_pdfs_and_two_builds_are_identical() {
    let a = &*AMENDED;
    let core = core(&Package::open(&a.rendered.docx()));
    let info = pdf_info(&a.rendered.pdf());
    assert_eq!(core["title"], info["Title"]);
    assert!(core["title"].starts_with("Avenant n°\u{a0}1 à la Convention"));
    assert_eq!(core["creator"], info["Author"]);
    assert_eq!(core["subject"], info["Subject"]);
    assert_eq!(core["keywords"], info["Keywords"]);
    assert!(core["keywords"].starts_with("Avenant n°\u{a0}1"));
    assert_eq!(core["language"], "fr-FR");
    // Dated by the amendment, not by the plan's edition.
    assert_eq!(core["created"], "2025-03-15T00:00:00Z");
    assert_eq!(core["modified"], core["created"]);
    let again = amended();
    assert!(
        a.rendered.docx() == again.rendered.docx(),
        "avenant-1.docx diffère d'une construction à l'autre"
    );
}

#[test]
fn libreoffice_prints_the_amendment_with_its_marks_and_mentions() {
    if !tool(
        "libreoffice_prints_the_amendment_with_its_marks_and_mentions",
        missing_office_tools(),
    ) {
        return;
    }
    let a = &*AMENDED;
    let pages = printed_pages("avenant-1", &a.rendered.docx());
    // The text extracted from the print puts a space inside a mark where an
    // underline or a strike starts or ends within a word's spacing.
    let text: String = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("[- ", "[-")
        .replace(" +}", "+}");
    for part in [
        // « n° » is printed with a raised « o ».
        "Avenant no 1 à la Convention Territoriale Globale",
        "Objet de l'avenant",
        "Lecture des modifications.",
        "[-12 000 €-] {+15 000 €+} par [-an-] {+an, dès le",
        "{+Accompagnement par la conseillère « parentalité »+}",
        "Aucune cellule modifiée.",
        "inchangé",
        "Plan d'actions consolidé",
        "ajouté par l’avenant no 1",
        "modifié par l’avenant no 1",
        "Signatures",
        "le 15 mars 2025",
    ] {
        let part = part.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.replace('\u{a0}', " ")
                .replace('\u{202f}', " ")
                .contains(&part),
            "« {part} » absent de l'avenant imprimé : {text}"
        );
    }
    assert!(pages.last().unwrap().contains("Signatures"));
}

#[test]
fn a_changed_cell_of_the_amendment_keeps_its_text_literal() {
    let project = copy_project(&common::git::versions().join("v2"));
    let root = project.path();
    copy_dir(&common::git::versions().join("v1"), &root.join("v1"));
    let convention = root.join("data/convention.toml");
    let declared = std::fs::read_to_string(&convention).unwrap();
    std::fs::write(
        &convention,
        declared.replace(common::git::FOLDER_SINCE, "depuis = \"v1\""),
    )
    .unwrap();
    let hostile = r"#set $x$ ] [ @ref \ 🎉 <script>alert(1)</script>";
    let sheet = root.join("data/actions/parentalite/03-laep.toml");
    let record = std::fs::read_to_string(&sheet).unwrap();
    let old = "moyens_caf = \"Prestation de service LAEP\"";
    assert!(record.contains(old));
    std::fs::write(
        &sheet,
        record.replace(
            old,
            &format!("moyens_caf = '''Prestation de service LAEP {hostile}'''"),
        ),
    )
    .unwrap();
    let (plan, templates, _) = ctg::load_and_validate(root).expect("the project loads");
    let prepared = ctg::prepare_amendments(root, &plan).expect("its amendment is prepared");
    let rendered = ctg::Document::Amendment(&prepared[0])
        .render(&ctg::Inputs::new(
            &prepared[0].new,
            &Default::default(),
            &templates,
        ))
        .expect("the amendment builds");
    let package = Package::open(&rendered.docx());
    let document = package.xml("word/document.xml");
    let paragraphs: Vec<String> = document
        .descendants()
        .filter(|n| is_w(n, "p"))
        .map(text)
        .collect();
    let marked = typeset(&format!("Prestation de service LAEP {{+{hostile}+}}"));
    assert!(paragraphs.contains(&marked), "« {marked} » absent");
    // In the consolidated annex, as written.
    let plain = typeset(&format!("Prestation de service LAEP {hostile}"));
    assert!(paragraphs.contains(&plain), "« {plain} » absent");
}
