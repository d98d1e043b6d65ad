//! `ctg import`: an existing plan, as a Word table or a spreadsheet, becomes a
//! project that builds the same plan; what cannot be mapped is reported with its
//! place in the source file.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::LazyLock;

use common::*;
use ctg::Rendered;
use ctg::markdown_to_plain;
use ctg::{Column, ColumnType, Shape};
use ctg::{Plan, Value};
use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
    NumberingId, Paragraph, Run, Start, Table, TableCell, TableRow, VMergeType,
};

static SHIPPED: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&project_root()).expect("the shipped plan builds"));
/// A plan of another model than the reference plan's.
static OTHER: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&fixture("autre-modele")).expect("the fixture builds"));

fn import(source: &Path, root: &Path) -> Output {
    ctg(&[
        "import",
        source.to_str().unwrap(),
        "--root",
        root.to_str().unwrap(),
    ])
}

// ---------------------------------------------------------------------------
// Writing Word documents for the tests

/// Bullet list numbering, id 1.
const BULLETS: usize = 1;

fn docx() -> Docx {
    Docx::new()
        .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(Level::new(
            0,
            Start::new(1),
            NumberFormat::new("bullet"),
            LevelText::new("•"),
            LevelJc::new("left"),
        )))
        .add_numbering(Numbering::new(BULLETS, BULLETS))
}

fn pack(doc: Docx) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut bytes).expect("the docx is written");
    bytes.into_inner()
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn cell(paragraphs: &[&str]) -> TableCell {
    paragraphs
        .iter()
        .fold(TableCell::new(), |c, p| c.add_paragraph(para(p)))
}

/// A cell holding Markdown text as Word would: a paragraph per Markdown
/// paragraph, a bulleted paragraph per list item.
fn markdown_cell(markdown: &str) -> TableCell {
    let mut c = TableCell::new();
    for block in markdown.trim().split("\n\n") {
        let lines: Vec<&str> = block.lines().collect();
        if lines.iter().all(|l| l.starts_with("- ")) {
            for line in lines {
                c = c.add_paragraph(
                    para(&markdown_to_plain(&line[2..]))
                        .numbering(NumberingId::new(BULLETS), IndentLevel::new(0)),
                );
            }
        } else {
            c = c.add_paragraph(para(&markdown_to_plain(block)));
        }
    }
    c
}

/// The plan's header as Word writes it: each group's label over its columns
/// (`gridSpan`), with the columns' labels below; the other labels merged over
/// both rows (`vMerge`). One row when the plan has no group.
fn word_header(shape: &Shape) -> Vec<TableRow> {
    let shown: Vec<&Column> = shape.columns.iter().filter(|c| c.shown).collect();
    if shown.iter().all(|c| c.group.is_none()) {
        let mut cells = vec![cell(&[&shape.first_column])];
        cells.extend(shown.iter().map(|c| cell(&[&c.label])));
        return vec![TableRow::new(cells)];
    }
    let restart = |t: &str| cell(&[t]).vertical_merge(VMergeType::Restart);
    let cont = || TableCell::new().vertical_merge(VMergeType::Continue);
    let (mut top, mut bottom) = (vec![restart(&shape.first_column)], vec![cont()]);
    let mut i = 0;
    while i < shown.len() {
        match &shown[i].group {
            Some(group) => {
                let n = shown[i..]
                    .iter()
                    .take_while(|c| c.group.as_ref() == Some(group))
                    .count();
                top.push(cell(&[group]).grid_span(n));
                bottom.extend(shown[i..i + n].iter().map(|c| cell(&[&c.label])));
                i += n;
            }
            None => {
                top.push(restart(&shown[i].label));
                bottom.push(cont());
                i += 1;
            }
        }
    }
    vec![TableRow::new(top), TableRow::new(bottom)]
}

/// An action's cells in the table, as Word holds them: its text cells as
/// paragraphs and lists, the others as printed.
fn word_cells(shape: &Shape, action: &ctg::Action) -> Vec<TableCell> {
    shape
        .columns
        .iter()
        .zip(&action.values)
        .filter(|(c, _)| c.shown)
        .map(|(_, value)| match value {
            Value::Text(text) => markdown_cell(text),
            Value::Deadline(d) => cell(&[&d.text]),
            Value::Amount(a) => cell(&[&a.french()]),
            Value::Number(n) => cell(&[&n.to_string()]),
            Value::Absent => TableCell::new(),
        })
        .collect()
}

/// A plan as an officer's Word document (here the shipped one): title paragraphs, the table
/// with field labels merged down their rows (and written again, with another
/// case, where the original repeats them after a page break), sub-section rows
/// across the seven content columns, the footnote mark after "Jeunesse", and
/// the footnote below the table.
fn word_document(plan: &Plan) -> Vec<u8> {
    let c = &plan.convention;
    let d = c.date.expect("the shipped plan has an edition date");
    let mut doc = docx()
        .updated_at(&format!(
            "{:04}-{:02}-{:02}T09:30:00Z",
            d.year, d.month, d.day
        ))
        .add_paragraph(para(&c.title))
        .add_paragraph(para(&c.parties))
        .add_paragraph(para(&c.heading))
        .add_paragraph(para(&c.caption));
    let mut rows = word_header(&c.shape);
    let width = c.shape.shown().count();
    for field in &c.fields {
        let mark = field
            .note
            .as_ref()
            .and_then(|n| c.notes.iter().find(|x| &x.id == n))
            .map(|n| format!(" {}", n.mark))
            .unwrap_or_default();
        let label = format!("{}{mark}", field.label);
        let mut first = true;
        let mut subsection: Option<&str> = None;
        let actions: Vec<_> = plan
            .actions
            .iter()
            .filter(|a| a.field == field.id)
            .collect();
        for (i, action) in actions.iter().enumerate() {
            // "Petite enfance" written again lower down, as in the signed plan.
            let repeat = field.id == "petite-enfance" && i == 6;
            let mut label_cell = || {
                let c = if first || repeat {
                    let text = if repeat {
                        field.label.to_lowercase()
                    } else {
                        label.clone()
                    };
                    cell(&[&text]).vertical_merge(VMergeType::Restart)
                } else {
                    TableCell::new().vertical_merge(VMergeType::Continue)
                };
                first = false;
                c
            };
            if action.subsection.as_deref() != subsection {
                subsection = action.subsection.as_deref();
                let sub = field
                    .subsections
                    .iter()
                    .find(|s| Some(s.id.as_str()) == subsection)
                    .expect("a declared sub-section");
                rows.push(TableRow::new(vec![
                    label_cell(),
                    cell(&[&sub.label]).grid_span(width),
                ]));
            }
            let mut cells = vec![label_cell()];
            cells.extend(word_cells(&c.shape, action));
            rows.push(TableRow::new(cells));
        }
    }
    doc = doc.add_table(Table::new(rows));
    for note in &c.notes {
        let mut paragraphs = note.text.trim().split("\n\n");
        let first = paragraphs.next().unwrap();
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("{} ", note.mark)))
                .add_run(Run::new().add_text(markdown_to_plain(first)).italic()),
        );
        for p in paragraphs {
            doc = doc.add_paragraph(para(&markdown_to_plain(p)));
        }
    }
    pack(doc)
}

// ---------------------------------------------------------------------------
// Comparing plans

/// What a reader sees of each action, in document order: field, sub-section,
/// deadline and the text of each other cell of the table.
fn visible_rows(plan: &Plan) -> Vec<Vec<String>> {
    let c = &plan.convention;
    plan.actions
        .iter()
        .map(|a| {
            let field = c.field(&a.field).unwrap();
            let sub = a
                .subsection
                .as_ref()
                .and_then(|s| field.subsections.iter().find(|x| &x.id == s))
                .map(|s| s.label.clone())
                .unwrap_or_default();
            let mut row = vec![field.label.clone(), sub, a.deadline.text.clone()];
            let shown = c
                .shape
                .columns
                .iter()
                .zip(&a.values)
                .filter(|(c, _)| c.shown);
            for (_, value) in shown {
                match value {
                    Value::Text(text) => row.push(markdown_to_plain(text)),
                    Value::Amount(amount) => row.push(amount.french()),
                    Value::Number(n) => row.push(n.to_string()),
                    Value::Absent => row.push(String::new()),
                    Value::Deadline(_) => {}
                }
            }
            row
        })
        .collect()
}

/// Imports a copy of the reference plan into `root`, checks that all of it came
/// in and builds, and returns what `ctg import` printed.
fn import_reference_plan(source: &Path, root: &Path) -> String {
    let out = import(source, root);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("8 champs, 28 actions"), "{err}");
    assert!(err.contains("plan valide : 28 actions"), "{err}");
    err
}

/// Each field's label, its footnote (mark, then text through `note_text`) and
/// its sub-sections' labels.
fn field_labels(
    plan: &Plan,
    note_text: impl Fn(&str) -> String,
) -> Vec<(String, Option<String>, Vec<String>)> {
    let c = &plan.convention;
    c.fields
        .iter()
        .map(|f| {
            let note = f.note.as_ref().map(|id| {
                let n = c.notes.iter().find(|n| &n.id == id).unwrap();
                format!("{} {}", n.mark, note_text(&markdown_to_plain(&n.text)))
            });
            let subs = f.subsections.iter().map(|s| s.label.clone()).collect();
            (f.label.clone(), note, subs)
        })
        .collect()
}

/// `text` as ctg prints it, superscripts marked `^{…}`.
fn typeset(text: &str) -> String {
    use ctg::{Segment, segments};
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Plain(p) => p,
            Segment::Super(s) => format!("^{{{s}}}"),
        })
        .collect()
}

/// The text of each page before the signature page, without the footer's
/// version and fingerprint (which tell data apart, and so differ).
fn table_pages(rendered: &Rendered) -> Vec<String> {
    // What Word does not carry: the plan's version and fingerprint in the footer,
    // the annex title in the header.
    let footer =
        regex::Regex::new(r"(Version \S+ · )?Empreinte [0-9a-f]{8}|^Annexe[^–]*– Plan d'actions")
            .unwrap();
    let mut pages = rendered.page_texts();
    let signatures = pages.pop().expect("a signature page");
    assert!(signatures.contains("Signatures"), "{signatures}");
    pages
        .iter()
        .map(|p| normalise(&footer.replace_all(p, "")))
        .collect()
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn a_word_copy_of_the_reference_plan_imports_into_the_same_plan() {
    let (shipped, shipped_out) = &*SHIPPED;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plan.docx");
    std::fs::write(&source, word_document(shipped)).unwrap();
    let root = dir.path().join("projet");

    let err = import_reference_plan(&source, &root);
    assert!(
        err.contains("marque de note « * » retirée du libellé « Jeunesse »"),
        "{err}"
    );
    assert!(
        err.contains("plan.docx"),
        "warnings name the source file: {err}"
    );

    let (imported, imported_out) = ctg::render_project(&root).expect("the imported plan builds");
    // The same rows, cell for cell.
    assert_eq!(visible_rows(&imported), visible_rows(shipped));
    // The same convention text around the table, and the same footnote.
    let (a, b) = (&imported.convention, &shipped.convention);
    assert_eq!(
        (
            &a.title, &a.parties, &a.heading, &a.caption, a.period, a.date
        ),
        (
            &b.title, &b.parties, &b.heading, &b.caption, b.period, b.date
        )
    );
    let labels = |p: &Plan| field_labels(p, str::to_string);
    assert_eq!(labels(&imported), labels(shipped));
    let notes = |p: &Plan| -> Vec<(String, String)> {
        p.convention
            .notes
            .iter()
            .map(|n| (n.mark.clone(), markdown_to_plain(&n.text)))
            .collect()
    };
    assert_eq!(notes(&imported), notes(shipped));
    // And the same PDF, page for page, up to the signatures.
    let pages = table_pages(&imported_out);
    assert!(pages.len() >= 3, "the table runs over several pages");
    assert_eq!(pages, table_pages(shipped_out));
}

#[test]
fn a_word_table_of_another_model_imports_into_a_plan_of_that_model() {
    let (model, _) = &*OTHER;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plan.docx");
    std::fs::write(&source, word_document(model)).unwrap();
    let root = dir.path().join("projet");
    let out = import(&source, &root);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 champs, 4 actions"), "{err}");
    assert!(!err.contains("non importé"), "nothing is left out: {err}");

    let (imported, imported_out) = ctg::render_project(&root).expect("the imported plan builds");
    assert_eq!(visible_rows(&imported), visible_rows(model));
    // Its build carries every paragraph of every cell, in the PDF and the page.
    let pdf = normalise(&imported_out.page_texts().join(" "));
    let page = normalise(&html_text(&imported_out.html()));
    let mut paragraphs = 0;
    for row in visible_rows(model) {
        for paragraph in row
            .iter()
            .flat_map(|cell| cell.lines())
            .filter(|p| !p.is_empty())
        {
            assert!(
                pdf.contains(&normalise(paragraph)),
                "« {paragraph} » absent du PDF"
            );
            assert!(
                page.contains(&normalise(paragraph)),
                "« {paragraph} » absent de la page"
            );
            paragraphs += 1;
        }
    }
    assert!(paragraphs > 20, "{paragraphs}");
    // The header became the declaration: labels and groups as written, keys
    // derived from the labels, kinds read from the cells.
    let shape = &imported.convention.shape;
    assert_eq!(shape.first_column, "Axes");
    let declared = |shape: &Shape| -> Vec<(String, Option<String>, ColumnType)> {
        shape
            .shown()
            .map(|(_, c)| (c.label.clone(), c.group.clone(), c.kind))
            .collect()
    };
    assert_eq!(declared(shape), declared(&model.convention.shape));
    let keys: Vec<&str> = shape.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "action",
            "pilote",
            "partenaires",
            "calendrier",
            "budget_previsionnel",
            "indicateurs"
        ]
    );
    let budget = &shape.columns[4];
    assert!(!budget.required, "one action has no budget");
}

#[test]
fn a_word_processor_file_of_the_reference_plan_imports_into_the_same_rows() {
    // Written by LibreOffice, not by the tests: its own merged cells, styles and
    // a caption paragraph before the table (tests/fixtures/import/README.md).
    let (shipped, shipped_out) = &*SHIPPED;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("projet");

    let err = import_reference_plan(&fixture("import/plan-libreoffice.docx"), &root);
    // The download link above the table is not part of the plan, and says so.
    assert!(
        err.contains("paragraphe(s) avant le tableau 1 non importé(s)"),
        "{err}"
    );

    let (imported, imported_out) = ctg::render_project(&root).expect("the imported plan builds");
    // The file holds the text as the shipped plan prints it: « 2 » then a
    // superscript « e » where the data says « 2ème », a non-breaking space before
    // « : » (as Word's French autocorrect types it). Compare what prints.
    let printed = |p: &Plan| -> Vec<Vec<String>> {
        visible_rows(p)
            .into_iter()
            .map(|row| row.iter().map(|cell| typeset(cell)).collect())
            .collect()
    };
    assert_eq!(printed(&imported), printed(shipped));
    let (a, b) = (&imported.convention, &shipped.convention);
    assert_eq!(
        (&a.title, &a.parties, &a.heading, a.period),
        (&b.title, &b.parties, &b.heading, b.period)
    );
    let labels = |p: &Plan| field_labels(p, typeset);
    assert_eq!(labels(&imported), labels(shipped));
    // The same PDF after the first page, whose caption here also carries the
    // web page's summary of the table.
    let (pages, shipped_pages) = (table_pages(&imported_out), table_pages(shipped_out));
    assert_eq!(pages.len(), shipped_pages.len());
    assert_eq!(pages[1..], shipped_pages[1..]);
}

/// What prints of each action's row (see [`visible_rows`]), French typography
/// applied: the text of a Word document as ctg writes it.
fn printed_rows(plan: &Plan) -> Vec<Vec<String>> {
    visible_rows(plan)
        .into_iter()
        .map(|row| row.iter().map(|cell| typeset(cell)).collect())
        .collect()
}

#[test]
fn the_word_annex_of_a_build_imports_back_into_the_same_plan() {
    for ((plan, out), project) in [
        (&*SHIPPED, project_root()),
        (&*OTHER, fixture("autre-modele")),
    ] {
        // `ctg build`, then `ctg import out/plan.docx`.
        let dir = tempfile::tempdir().unwrap();
        let built = dir.path().join("out");
        let build = ctg(&[
            "build",
            "--root",
            project.to_str().unwrap(),
            "--out",
            built.to_str().unwrap(),
        ]);
        assert!(build.status.success(), "{}", stderr_line(&build));
        let source = built.join("plan.docx");
        assert_eq!(std::fs::read(&source).unwrap(), out.docx());
        let root = dir.path().join("projet");
        let imported = import(&source, &root);
        let err = stderr_line(&imported);
        assert!(imported.status.success(), "{err}");
        let actions = ctg::count(plan.actions.len(), "action", "actions");
        assert!(err.contains(&format!("plan valide : {actions}")), "{err}");
        assert!(!err.contains("cellule non importée"), "{err}");

        let (imported, imported_out) =
            ctg::render_project(&root).expect("the imported plan builds");
        // Every cell has the same text, as printed (the document holds it
        // typeset: « 2 » and a raised « e » for « 2ème », a no-break space
        // before « : »).
        assert_eq!(printed_rows(&imported), printed_rows(plan));
        assert_eq!(
            imported.convention.shape.first_column,
            plan.convention.shape.first_column
        );
        let (a, b) = (&imported.convention, &plan.convention);
        assert_eq!(
            (
                &a.title, &a.parties, &a.heading, &a.caption, a.period, a.date
            ),
            (
                &b.title, &b.parties, &b.heading, &b.caption, b.period, b.date
            )
        );
        let labels = |p: &Plan| field_labels(p, typeset);
        assert_eq!(labels(&imported), labels(plan));
        // And its build has the same PDF text, page for page.
        let pages = table_pages(&imported_out);
        assert!(!pages.is_empty());
        assert_eq!(pages, table_pages(out));
    }
}

#[test]
fn the_open_data_csv_imports_into_the_same_rows() {
    let (shipped, shipped_out) = &*SHIPPED;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plan.csv");
    std::fs::write(&source, &shipped_out.bytes("plan.csv")).unwrap();
    let root = dir.path().join("projet");

    let out = import(&source, &root);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    // The reference model's columns get their labels back, without a word.
    assert!(!err.contains("tiré de son nom"), "{err}");
    let (imported, _) = ctg::render_project(&root).expect("the imported plan builds");
    assert_eq!(imported.convention.shape, shipped.convention.shape);
    // The open data keeps deadlines as years ("2023 - 2027" becomes 2023-2027).
    let without_deadline = |p: &Plan| -> Vec<Vec<String>> {
        visible_rows(p)
            .into_iter()
            .map(|mut r| {
                r.remove(2);
                r
            })
            .collect()
    };
    assert_eq!(without_deadline(&imported), without_deadline(shipped));
    let years = |p: &Plan| {
        p.actions
            .iter()
            .map(|a| a.deadline.years)
            .collect::<Vec<_>>()
    };
    assert_eq!(years(&imported), years(shipped));
    assert_eq!(
        imported.convention.collectivity,
        shipped.convention.collectivity
    );
    assert_eq!(imported.convention.caf, shipped.convention.caf);
    assert_eq!(imported.convention.period, shipped.convention.period);
    // Ids of the open data are kept: the same action keeps its id.
    let ids = |p: &Plan| p.actions.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&imported), ids(shipped));
}

// ---------------------------------------------------------------------------
// Word documents: layout and text

fn small_docx(extra_column: Option<&str>, rows: Vec<TableRow>) -> Vec<u8> {
    let shipped = &SHIPPED.0;
    let mut header = word_header(&shipped.convention.shape);
    if let Some(label) = extra_column {
        let restart = cell(&[label]).vertical_merge(VMergeType::Restart);
        let cont = TableCell::new().vertical_merge(VMergeType::Continue);
        header = vec![
            push_cell(header[0].clone(), restart),
            push_cell(header[1].clone(), cont),
        ];
    }
    header.extend(rows);
    pack(
        docx()
            .add_paragraph(para("PLAN D'ACTIONS 2024 - 2026"))
            .add_table(Table::new(header)),
    )
}

fn push_cell(row: TableRow, cell: TableCell) -> TableRow {
    let mut cells: Vec<TableCell> = row
        .cells
        .into_iter()
        .map(|c| match c {
            docx_rs::TableRowChild::TableCell(c) => c,
        })
        .collect();
    cells.push(cell);
    TableRow::new(cells)
}

fn action_row(field: Option<&str>, texts: [&str; 7]) -> TableRow {
    let first = match field {
        Some(label) => cell(&[label]),
        None => TableCell::new(),
    };
    let mut cells = vec![first];
    cells.extend(texts.iter().map(|t| cell(&[t])));
    TableRow::new(cells)
}

fn import_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join(name);
    std::fs::write(&source, bytes).unwrap();
    let root = dir.path().join("projet");
    let out = import(&source, &root);
    (dir, root, out)
}

fn read_action(root: &Path, relative: &str) -> toml::Table {
    let text =
        std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    toml::from_str(&text).unwrap()
}

#[test]
fn lists_paragraphs_and_markdown_like_text_survive_as_written() {
    let rows = vec![TableRow::new(vec![
        cell(&["Logement"]),
        TableCell::new()
            .add_paragraph(para("Par la CCBJC :"))
            .add_paragraph(
                para("diagnostic").numbering(NumberingId::new(BULLETS), IndentLevel::new(0)),
            )
            .add_paragraph(
                para("recrutement").numbering(NumberingId::new(BULLETS), IndentLevel::new(0)),
            )
            .add_paragraph(para("- Fonctionnement : *PSU* #1 <b>")),
        TableCell::new().add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("Accompagnement "))
                .add_run(Run::new().add_text("financier").bold()),
        ),
        cell(&["CCBJC"]),
        cell(&["1. Prévenir", "2. Accompagner"]),
        cell(&["100 % des familles"]),
        cell(&["Moins d'expulsions"]),
        cell(&["2024 - 2025"]),
    ])];
    let (_dir, root, out) = import_bytes("plan.docx", &small_docx(None, rows));
    assert!(out.status.success(), "{}", stderr_line(&out));
    let action = read_action(
        &root,
        "data/actions/logement/01-ccbjc-diagnostic-recrutement-fonctionnement-psu.toml",
    );
    assert_eq!(
        action["descriptif"].as_str().unwrap().trim(),
        "Par la CCBJC :\n\n- diagnostic\n- recrutement\n\n\\- Fonctionnement : \\*PSU\\* #1 \\<b\\>"
    );
    assert_eq!(
        action["moyens_caf"].as_str().unwrap().trim(),
        "Accompagnement **financier**"
    );
    assert_eq!(
        action["objectifs"].as_str().unwrap().trim(),
        "1\\. Prévenir\n\n2\\. Accompagner"
    );
    assert_eq!(action["echeance"].as_str(), Some("2024 - 2025"));

    // In the PDF, the text is as typed in Word.
    let (_, rendered) = ctg::render_project(&root).expect("the imported plan builds");
    let text = normalise(&rendered.page_texts().join(" "));
    for expected in [
        "- Fonctionnement : *PSU* #1 <b>",
        "1. Prévenir",
        "2. Accompagner",
    ] {
        assert!(
            text.contains(&normalise(expected)),
            "{expected} absent de : {text}"
        );
    }
}

#[test]
fn a_column_of_another_model_becomes_a_column_of_the_plan() {
    let rows = vec![
        push_cell(
            action_row(
                Some("Logement"),
                ["Prévention", "b", "c", "d", "e", "f", "2024"],
            ),
            cell(&["Mme Durand"]),
        ),
        push_cell(
            action_row(None, ["g", "h", "i", "j", "k", "l", "2025"]),
            cell(&[""]),
        ),
    ];
    let (_dir, root, out) = import_bytes("plan.docx", &small_docx(Some("Pilote"), rows));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("non importée"), "nothing is left out: {err}");
    assert!(err.contains("1 champ, 2 actions"), "{err}");
    // Declared after the reference model's columns, with its label.
    let convention: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("data/convention.toml")).unwrap())
            .unwrap();
    let columns = convention["colonnes"].as_array().unwrap();
    assert_eq!(columns.len(), 8);
    assert_eq!(columns[7]["cle"].as_str(), Some("pilote"));
    assert_eq!(columns[7]["libelle"].as_str(), Some("Pilote"));
    let first = read_action(&root, "data/actions/logement/01-prevention.toml");
    assert_eq!(first["pilote"].as_str().map(str::trim), Some("Mme Durand"));
    // Its empty cell is written as « - », like the others.
    assert!(
        err.contains("tableau 1, ligne 4 : cellule(s) vide(s) : pilote"),
        "{err}"
    );
    let (plan, _) = ctg::render_project(&root).expect("the imported plan builds");
    assert_eq!(plan.convention.shape.columns[7].label, "Pilote");
}

#[test]
fn a_column_without_header_is_reported_with_its_place() {
    let rows = vec![
        push_cell(
            action_row(Some("Logement"), ["a", "b", "c", "d", "e", "f", "2024"]),
            cell(&["Note en marge"]),
        ),
        push_cell(
            action_row(None, ["g", "h", "i", "j", "k", "l", "2025"]),
            cell(&[""]),
        ),
    ];
    let (_dir, root, out) = import_bytes("plan.docx", &small_docx(Some(""), rows));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("tableau 1, ligne 1, colonne 9 : colonne sans en-tête : 1 cellule non importée (ligne 3)"),
        "{err}"
    );
    // What could be mapped is written.
    assert!(err.contains("1 champ, 2 actions"), "{err}");
    assert!(root.join("data/actions/logement/02-g.toml").is_file());
}

#[test]
fn a_row_before_any_field_is_kept_and_reported() {
    let rows = vec![
        action_row(None, ["Sans champ", "b", "c", "d", "e", "f", "2024"]),
        action_row(
            Some("Logement"),
            ["Avec champ", "b", "c", "d", "e", "f", "2024"],
        ),
    ];
    let (_dir, root, out) = import_bytes("plan.docx", &small_docx(None, rows));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("tableau 1, ligne 3 : ligne sans champ d'intervention"),
        "{err}"
    );
    let action = read_action(&root, "data/actions/a-classer/01-sans-champ.toml");
    assert_eq!(action["champ"].as_str(), Some("a-classer"));
    assert!(root.join("data/actions/logement/01-champ.toml").is_file());
}

#[test]
fn empty_cells_and_an_unreadable_deadline_are_reported() {
    let rows = vec![action_row(
        Some("Logement"),
        ["Action", "", "c", "d", "e", "f", "fin 2024"],
    )];
    let (_dir, _root, out) = import_bytes("plan.docx", &small_docx(None, rows));
    let err = stderr_line(&out);
    assert!(
        err.contains("tableau 1, ligne 3 : cellule(s) vide(s) : moyens_caf"),
        "{err}"
    );
    assert!(
        err.contains("tableau 1, ligne 3, colonne 8 : échéance illisible : « fin 2024 »"),
        "{err}"
    );
    // Written, but the project does not pass the check until the deadline is fixed.
    assert!(!out.status.success());
    assert!(err.contains("ne passe pas encore `ctg check`"), "{err}");
}

/// Asserts that ctg printed `expected`, whatever the report's line breaks
/// (which may fall after a hyphen: « l'en- tête »).
fn says(err: &str, expected: &str) {
    assert!(
        normalise(err).contains(&normalise(expected)),
        "« {expected} » absent de : {err}"
    );
}

/// A plan of the reference model's columns with `rows`, and `below` under its
/// table, one paragraph each.
fn docx_with_text_below(rows: Vec<TableRow>, below: &[&str]) -> Vec<u8> {
    let mut table = word_header(&SHIPPED.0.convention.shape);
    table.extend(rows);
    let doc = docx()
        .add_paragraph(para("PLAN D'ACTIONS 2024 - 2026"))
        .add_table(Table::new(table));
    pack(
        below
            .iter()
            .fold(doc, |doc, text| doc.add_paragraph(para(text))),
    )
}

#[test]
fn the_signature_line_below_the_table_is_the_signature_not_a_footnote() {
    let rows = || {
        vec![action_row(
            Some("Jeunesse *"),
            ["Accueil de loisirs", "b", "c", "d", "e", "f", "2025"],
        )]
    };
    let note = "* La compétence jeunesse est exercée par les communes.";
    let below = [
        note,
        "Fait à Rivesaltes, le 12 septembre 2024",
        "Le Président de la Caf",
    ];
    let (_dir, root, out) = import_bytes("plan.docx", &docx_with_text_below(rows(), &below));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    says(
        &err,
        "plan.docx : formule de signature reprise dans convention.toml, table `[signature]` (paragraphe 2 sous le tableau 1) : « Fait à Rivesaltes, le 12 septembre 2024 »",
    );
    says(
        &err,
        "le plan imprime « Fait à Rivesaltes, le 12 septembre 2024 » au-dessus des signatures : vérifiez le lieu et la date",
    );
    says(
        &err,
        "1 texte(s) après la formule de signature (paragraphe 2 sous le tableau 1) non importé(s), dont « Le Président de la Caf »",
    );
    let (plan, _) = ctg::render_project(&root).expect("the imported plan builds");
    let c = &plan.convention;
    let notes: Vec<String> = c.notes.iter().map(|n| markdown_to_plain(&n.text)).collect();
    assert_eq!(
        notes,
        ["La compétence jeunesse est exercée par les communes."]
    );
    assert_eq!(c.signature.place.as_deref(), Some("Rivesaltes"));
    assert_eq!(
        c.signature.date.map(|d| d.french()).as_deref(),
        Some("12 septembre 2024")
    );

    // Left blank to be filled in by hand: not a footnote either, and said so.
    let below = [note, "Fait à ……………, le ……………"];
    let (_dir, root, out) = import_bytes("plan.docx", &docx_with_text_below(rows(), &below));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    says(
        &err,
        "formule de signature non reprise (paragraphe 2 sous le tableau 1) : « Fait à ……………, le …………… »",
    );
    let (plan, _) = ctg::render_project(&root).expect("the imported plan builds");
    let c = &plan.convention;
    assert_eq!(
        markdown_to_plain(&c.notes[0].text),
        "La compétence jeunesse est exercée par les communes."
    );
    assert_eq!((&c.signature.place, c.signature.date), (&None, None));
}

/// A plan of another model whose « Calendrier » column holds `calendar`, one
/// action per cell, in two fields.
fn calendar_docx(calendar: &[&str; 5]) -> Vec<u8> {
    let actions = [
        "Diagnostic du logement",
        "Relogement",
        "Accueil de loisirs",
        "Séjours",
        "Chantiers jeunes",
    ];
    let mut rows = vec![TableRow::new(vec![
        cell(&["Champs d'intervention"]),
        cell(&["Action"]),
        cell(&["Pilote"]),
        cell(&["Calendrier"]),
    ])];
    for (i, (action, when)) in actions.iter().zip(calendar).enumerate() {
        let field = match i {
            0 => cell(&["Logement"]),
            2 => cell(&["Jeunesse"]),
            _ => TableCell::new(),
        };
        rows.push(TableRow::new(vec![
            field,
            cell(&[action]),
            cell(&["CCAS"]),
            cell(&[when]),
        ]));
    }
    pack(
        docx()
            .add_paragraph(para("PLAN D'ACTIONS 2023 - 2027"))
            .add_table(Table::new(rows)),
    )
}

#[test]
fn a_column_of_years_with_a_cell_that_is_not_one_is_the_deadline_and_that_cell_an_error() {
    let calendar = ["2024", "2025-2026", "à définir", "2023 à 2027", "plus tard"];
    let (_dir, root, out) = import_bytes("plan.docx", &calendar_docx(&calendar));
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Every such cell, at its place, with its action and what a date looks like.
    says(
        &err,
        "plan.docx : tableau 1, ligne 4, colonne 4 : « à définir » n'est ni une année ni une période, dans la colonne « Calendrier », lue comme l'échéance (action « Accueil de loisirs » du champ « Jeunesse »)",
    );
    says(
        &err,
        "plan.docx : tableau 1, ligne 6, colonne 4 : « plus tard » n'est ni une année ni une période, dans la colonne « Calendrier », lue comme l'échéance (action « Chantiers jeunes » du champ « Jeunesse »)",
    );
    says(
        &err,
        "3 des 5 cellules remplies de la colonne « Calendrier » sont des années ou des périodes",
    );
    says(&err, "une année (« 2025 »)");
    says(&err, "échec : 2 erreurs, aucun fichier n'a été modifié");
    assert!(!root.join("data").exists());

    // Dated (or left empty): the column is the plan's échéance, each cell as written.
    let calendar = ["2024", "2025-2026", "", "2023 à 2027", "2026"];
    let (_dir, root, out) = import_bytes("plan.docx", &calendar_docx(&calendar));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    says(
        &err,
        "plan.docx : période d'échéance reprise avec un tiret : « 2023 à 2027 » écrite « 2023-2027 » (tableau 1, ligne 5, colonne 4)",
    );
    let (plan, _) = ctg::render_project(&root).expect("the imported plan builds");
    let column = &plan.convention.shape.columns[2];
    assert_eq!(
        (column.key.as_str(), column.label.as_str(), column.kind),
        ("calendrier", "Calendrier", ColumnType::Deadline)
    );
    let deadlines: Vec<(&str, u16, u16)> = plan
        .actions
        .iter()
        .map(|a| {
            (
                a.deadline.text.as_str(),
                a.deadline.years.start,
                a.deadline.years.end,
            )
        })
        .collect();
    assert_eq!(
        deadlines,
        [
            ("2024", 2024, 2024),
            ("2025-2026", 2025, 2026),
            // The empty cell runs over the convention's period.
            ("2023-2027", 2023, 2027),
            // Written with « à » in the document, with a dash in the data.
            ("2023-2027", 2023, 2027),
            ("2026", 2026, 2026),
        ]
    );
}

#[test]
fn any_header_of_the_first_column_names_the_fields() {
    let mut shape = SHIPPED.0.convention.shape.clone();
    shape.first_column = "Orientations".into();
    let plan_table = |shape: &Shape| {
        let mut rows = word_header(shape);
        rows.push(action_row(
            Some("Renforcer l'accès aux droits"),
            ["Permanences", "b", "c", "d", "e", "f", "2025"],
        ));
        rows.push(action_row(
            None,
            ["Ateliers numériques", "b", "c", "d", "e", "f", "2026"],
        ));
        Table::new(rows)
    };
    // A table of signatories before the plan: not the plan, which is longer.
    let signatories = Table::new(vec![
        TableRow::new(vec![
            cell(&["Pour la Caf"]),
            cell(&["Pour la communauté de communes"]),
        ]),
        TableRow::new(vec![cell(&["Mme Martin"]), cell(&["M. Durand"])]),
    ]);
    let doc = docx()
        .add_table(signatories)
        .add_paragraph(para("PLAN D'ACTIONS 2024 - 2026"))
        .add_table(plan_table(&shape));
    let (_dir, root, out) = import_bytes("plan.docx", &pack(doc));
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    says(
        &err,
        "plan.docx : tableau 2, ligne 1, colonne 1 : « Orientations » pris pour l'en-tête de la colonne des champs d'intervention",
    );
    says(
        &err,
        "tableau 1, ligne 1 : tableau ignoré : son en-tête n'est pas celui du plan d'actions",
    );
    let (plan, _) = ctg::render_project(&root).expect("the imported plan builds");
    assert_eq!(plan.convention.shape.first_column, "Orientations");
    let fields: Vec<&str> = plan
        .convention
        .fields
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(fields, ["Renforcer l'accès aux droits"]);
    assert_eq!(plan.actions.len(), 2);

    // Without any header text, the column is not named: an error at its place.
    shape.first_column = String::new();
    let doc = docx()
        .add_paragraph(para("PLAN D'ACTIONS 2024 - 2026"))
        .add_table(plan_table(&shape));
    let (_dir, root, out) = import_bytes("plan.docx", &pack(doc));
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    says(
        &err,
        "plan.docx : tableau 1, ligne 1, colonne 1 : en-tête de la première colonne vide : rien à importer",
    );
    says(&err, "« Orientations »… : tout intitulé convient");
    assert!(!root.join("data").exists());
}

#[test]
fn a_document_without_the_plan_table_is_an_error() {
    let doc = docx()
        .add_paragraph(para("Compte rendu"))
        .add_table(Table::new(vec![TableRow::new(vec![
            cell(&["Nom"]),
            cell(&["Qualité"]),
        ])]));
    let (_dir, root, out) = import_bytes("compte-rendu.docx", &pack(doc));
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("le tableau du document n'a pas l'en-tête du plan d'actions"),
        "{err}"
    );
    assert!(
        err.contains("« Champs d'intervention »"),
        "the hint lists the columns: {err}"
    );
    assert!(!root.join("data").exists());
}

#[test]
fn a_file_that_is_not_a_word_document_is_an_error() {
    let (_dir, _root, out) = import_bytes("plan.docx", b"not a zip at all");
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("n'est pas un document Word lisible"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (_dir, _root, out) = import_bytes("plan.xlsx", b"PK");
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("exportez la feuille au format CSV"), "{err}");
}

#[test]
fn import_never_writes_over_existing_data() {
    let copy = copy_project(&project_root());
    let source = fixture("import/colonne-inconnue.csv");
    let before = std::fs::read(copy.path().join("data/convention.toml")).unwrap();
    let out = import(&source, copy.path());
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("existe déjà"), "{err}");
    assert_eq!(
        std::fs::read(copy.path().join("data/convention.toml")).unwrap(),
        before
    );
}

// ---------------------------------------------------------------------------
// Spreadsheets

#[test]
fn the_open_data_csv_of_another_model_imports_with_its_keys() {
    let (model, model_out) = &*OTHER;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plan.csv");
    std::fs::write(&source, &model_out.bytes("plan.csv")).unwrap();
    let root = dir.path().join("projet");
    let out = import(&source, &root);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    // Its columns are named by their keys: each label is made from its key,
    // and said so.
    assert!(
        err.contains("intitulé de la colonne `public_vise` tiré de son nom : « Public vise »"),
        "{err}"
    );
    let (imported, _) = ctg::render_project(&root).expect("the imported plan builds");
    let shape = &imported.convention.shape;
    let keys = |shape: &Shape| -> Vec<(String, ColumnType, bool)> {
        shape
            .columns
            .iter()
            .map(|c| (c.key.clone(), c.kind, c.required))
            .collect()
    };
    assert_eq!(keys(shape), keys(&model.convention.shape));
    let ids = |p: &Plan| p.actions.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&imported), ids(model));
    let values = |p: &Plan| -> Vec<Vec<String>> {
        p.actions
            .iter()
            .map(|a| {
                a.values
                    .iter()
                    .map(|v| match v {
                        Value::Text(t) => markdown_to_plain(t),
                        Value::Deadline(d) => d.years.to_string(),
                        Value::Amount(amount) => amount.to_string(),
                        Value::Number(n) => n.to_string(),
                        Value::Absent => String::new(),
                    })
                    .collect()
            })
            .collect()
    };
    assert_eq!(values(&imported), values(model));
}

#[test]
fn a_spreadsheet_column_is_imported_and_one_without_name_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(&fixture("import/colonne-inconnue.csv"), dir.path());
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "ligne 1, colonne 10 : colonne non reconnue : 2 cellules non importées (lignes 3, 5)"
        ),
        "{err}"
    );
    let (plan, _) = ctg::render_project(dir.path()).expect("the imported plan builds");
    assert_eq!(plan.actions.len(), 3);
    let shape = &plan.convention.shape;
    assert_eq!(shape.columns.last().unwrap().label, "Pilote");
    assert_eq!(plan.actions[2].text(shape, "pilote"), Some("Mme Martin"));
    // Official labels, and a label row for the sub-section.
    assert_eq!(plan.convention.fields[0].subsections[0].label, "Structures");
    assert_eq!(plan.actions[0].subsection.as_deref(), Some("structures"));
}

#[test]
fn a_spreadsheet_row_without_field_is_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(&fixture("import/sans-champ.csv"), dir.path());
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("sans-champ.csv:2:1"),
        "the line is shown: {err}"
    );
    assert!(
        err.contains("ligne 2 : ligne sans champ d'intervention"),
        "{err}"
    );
    let (plan, _) = ctg::render_project(dir.path()).expect("the imported plan builds");
    let fields: Vec<&str> = plan
        .convention
        .fields
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(fields, ["À classer", "Jeunesse"]);
}

#[test]
fn a_french_spreadsheet_export_is_read() {
    // Semicolons and Windows-1252, as a spreadsheet saves "CSV" on a French system.
    let text = "Champs d'intervention;Descriptif;Moyens mobilisés par la Caf;Moyens mobilisés par les partenaires;Objectif(s);Résultat attendu;Impact envisagé;Échéance\r\n\
                Parentalité;Création d'un LAEP;Financement 10 000 €;CCBJC;Accueillir;Ouverture;Lien parents-enfants;2025\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let (_dir, root, out) = import_bytes("plan.csv", &bytes);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Windows-1252"), "{err}");
    let action = read_action(&root, "data/actions/parentalite/01-creation-laep.toml");
    assert_eq!(
        action["moyens_caf"].as_str().unwrap().trim(),
        "Financement 10 000 €"
    );
}

#[test]
fn a_header_without_actions_writes_nothing() {
    let text = "champ,descriptif,echeance\r\n";
    let (_dir, root, out) = import_bytes("vide.csv", text.as_bytes());
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("aucune action dans"), "{err}");
    assert!(!root.join("data").exists());
}
