//! Word documents, an amendment `avenant-N.docx`: the parts of its PDF in the
//! same order (the title block, the object, the changes with their legend,
//! lists and one table per field, each changed cell's redline, the consolidated
//! annex with each row's mention, the signature page dated on the amendment),
//! for the officer to edit before it is signed.

use docx_rs::{TableCell, TableRow, VAlignType, WidthType};

use super::markdown::{self, Block, RunStyle};
use super::table::{self, alignment, column_widths, fill, header_rows, notes, plan_table};
use super::{Properties, Twips, Writer, redline, styles};
use crate::diag::Diagnostic;
use crate::render::amendment::{AmendmentView, ChangeTableView};
use crate::render::view::PlanView;

/// The share of the first column (« Changement ») of a table of changes, the
/// PDF's `1.3fr`.
const CHANGE_COLUMN: f64 = 1.3;

/// The amendment as a Word document, from its view for Word.
pub fn amendment(view: &AmendmentView, properties: &Properties) -> Result<Vec<u8>, Diagnostic> {
    let info = &view.amendment;
    let plan = &view.plan;
    let document = crate::render::document::amendment(info.number);
    let mut w = super::plan::annex_writer();
    let header = w.text(
        styles::PAGE_HEADER,
        &format!("Avenant n°\u{a0}{} du {}", info.number, info.date),
    );
    w.header(header);
    let version = plan
        .version
        .as_ref()
        .map(|v| format!("Version {v} · "))
        .unwrap_or_default();
    let footer = super::plan::footer(
        &mut w,
        &format!("{} – {}", info.title, plan.parties),
        &format!("{version}Empreinte {}", plan.fingerprint),
    );
    w.footer(footer);

    // The title block.
    if let Some(logos) = w.logo_row(&plan.title_block, &document)? {
        w.push_paragraph(logos);
    }
    for (style, text) in [
        (styles::TITLE, info.title.clone()),
        (styles::PARTIES, plan.parties.clone()),
        (
            styles::HEADING,
            format!("{} – avenant du {}", plan.heading, info.date),
        ),
    ] {
        let paragraph = w.text(style, &text);
        w.push_paragraph(paragraph);
    }

    // The object.
    heading(&mut w, 1, "Objet de l'avenant");
    let blocks = markdown::document(&mut w, &info.object, 2);
    w.push_blocks(blocks);
    let amended = w.text(
        styles::TEXT,
        &format!(
            "Le présent avenant modifie {}, dans sa version «\u{a0}{}\u{a0}» (empreinte {}). Le plan d'actions consolidé qu'il annexe a l'empreinte {}.",
            info.amended, info.since, info.since_fingerprint, plan.fingerprint
        ),
    );
    w.push_paragraph(amended);

    modifications(&mut w, view);
    consolidated(&mut w, plan);
    w.finish(properties, &document)
}

/// The changes: their count and how to read them, the lists, then one table
/// per field; or a sentence when there are none.
fn modifications(w: &mut Writer, view: &AmendmentView) {
    heading(w, 1, "Modifications du plan d'actions");
    let changes = &view.changes;
    if changes.tables.is_empty() && changes.lists.is_empty() {
        let none = w.text(styles::TEXT, "L'avenant ne modifie pas le plan d'actions.");
        w.push_paragraph(none);
        return;
    }
    let count = w.text(
        styles::TEXT,
        &format!(
            "{} par rapport à la version «\u{a0}{}\u{a0}».",
            changes.count, view.amendment.since
        ),
    );
    w.push_paragraph(count);
    reading(w);
    for list in &changes.lists {
        heading(w, 2, &list.title);
        // The items are Markdown that reads as their text: a list of them
        // is a Word list.
        let items: Vec<String> = list.items.iter().map(|i| format!("- {i}")).collect();
        let blocks = markdown::document(w, &items.join("\n"), 3);
        w.push_blocks(blocks);
    }
    for changes in &changes.tables {
        heading(w, 2, &changes.label);
        changes_table(w, changes);
    }
}

/// The consolidated annex, on a new page: the plan as amended, each row
/// with its mention, its notes, then the signatures.
fn consolidated(w: &mut Writer, plan: &PlanView) {
    let annex = w
        .text(styles::heading(1), "Plan d'actions consolidé")
        .page_break_before(true);
    w.push_paragraph(annex);
    let lead = w.text(
        styles::TEXT,
        "Le plan d'actions tel que modifié par le présent avenant. Chaque action ajoutée ou modifiée par un avenant le mentionne sous sa première cellule.",
    );
    w.push_paragraph(lead);
    let caption = w.text(styles::CAPTION, &plan.caption);
    w.push_paragraph(caption);
    let width = w.text_width;
    plan_table(w, plan, width);
    notes(w, plan);
    if !plan.signatories.is_empty() {
        super::plan::signatures(w, plan);
    }
}

fn heading(w: &mut Writer, level: u8, text: &str) {
    let paragraph = w.text(styles::heading(level), text);
    w.push_paragraph(paragraph);
}

/// How to read the marks, with a sample of each, in a frame as in the PDF.
fn reading(w: &mut Writer) {
    let mut paragraph = w.paragraph(styles::READING);
    let prose = |p, text: &str| markdown::push_prose(p, text, RunStyle::default());
    paragraph = markdown::push_prose(paragraph, "Lecture des modifications.", RunStyle::bold());
    paragraph = prose(paragraph, " Mots ajoutés : ");
    for run in redline::sample("", "soulignés") {
        paragraph = paragraph.add_run(run);
    }
    paragraph = prose(paragraph, ", entre {+ et +}. Mots supprimés : ");
    for run in redline::sample("barrés", "") {
        paragraph = paragraph.add_run(run);
    }
    paragraph = prose(
        paragraph,
        ", entre [- et -]. Une action ajoutée ou supprimée est donnée en entier ; d'une action modifiée, seules les cellules modifiées sont données, les autres portent la mention ",
    );
    paragraph = markdown::push_prose(paragraph, "inchangé", RunStyle::italic());
    paragraph = prose(paragraph, ".");
    w.push_paragraph(paragraph);
}

/// One field's table of changes: « Changement » (what changed and the action),
/// then the plan's columns, each changed cell with its redline; its header
/// rows repeat on each page, its rows are not split.
fn changes_table(w: &mut Writer, view: &ChangeTableView) {
    let widths = column_widths(CHANGE_COLUMN, &view.columns, w.text_width);
    let mut rows = header_rows(w, &view.head, &widths);
    let header = rows.len();
    let rest: Twips = widths[1..].iter().sum();
    for row in &view.rows {
        let what = markdown::push_prose(w.paragraph(styles::CELL), &row.what, RunStyle::bold())
            .add_run(docx_rs::Run::new().add_break(docx_rs::BreakType::TextWrapping));
        let what = markdown::push_prose(what, &row.title, RunStyle::default());
        let mut first = vec![Block::Paragraph(what)];
        for detail in &row.details {
            first.extend(markdown::cell(
                w,
                detail,
                styles::CHANGE_DETAIL,
                None,
                widths[0],
            ));
        }
        let mut cells = vec![fill(
            TableCell::new()
                .width(widths[0] as usize, WidthType::Dxa)
                .vertical_align(VAlignType::Top),
            first,
            w,
        )];
        if row.unchanged {
            cells.push(
                TableCell::new()
                    .width(rest as usize, WidthType::Dxa)
                    .grid_span(view.columns.len())
                    .add_paragraph(w.text(styles::UNCHANGED, "Aucune cellule modifiée.")),
            );
        } else {
            for ((compared, column), width) in
                row.compared.iter().zip(&view.columns).zip(&widths[1..])
            {
                let blocks = match compared {
                    Some((old, new)) => redline::cell(w, old, new, alignment(column.kind)),
                    None => {
                        let mut unchanged = w.text(styles::UNCHANGED, "inchangé");
                        if let Some(align) = alignment(column.kind) {
                            unchanged = unchanged.align(align);
                        }
                        vec![Block::Paragraph(unchanged)]
                    }
                };
                let cell = TableCell::new().width(*width as usize, WidthType::Dxa);
                cells.push(fill(cell, blocks, w));
            }
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    w.push_table(table::table(rows, &widths), header);
}
