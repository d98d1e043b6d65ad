//! Word documents, the annex `plan.docx`: the PDF's layout (A4 landscape, the
//! title block and the caption, the table, its notes, the signature page), in
//! a document that the officer edits and pastes into the convention.

use docx_rs::{
    HeightRule, NumPages, PageNum, Paragraph, Run, Tab, TabLeaderType, TabValueType, TableCell,
    TableCellBorderPosition, TableRow, VAlignType, WidthType,
};

use super::markdown::RunStyle;
use super::table::{self, notes, plan_table};
use super::{Margins, Properties, Twips, Writer, mm10, styles};
use crate::diag::Diagnostic;
use crate::render::view::PlanView;

/// The PDF's margins.
const MARGINS: Margins = Margins {
    x: 120,
    top: 130,
    bottom: 150,
};

/// A writer with the annex's page and text sizes, for the annex and for the
/// amendment whose consolidated annex it holds.
pub(super) fn annex_writer() -> Writer {
    Writer::new(
        &MARGINS,
        styles::Sizes {
            text: 8.0,
            cell: 8.0,
            title: 16.0,
        },
    )
}

/// The annex as a Word document, from the plan's view for Word.
pub fn plan(view: &PlanView, properties: &Properties) -> Result<Vec<u8>, Diagnostic> {
    let mut w = annex_writer();
    if let Some(annex) = &view.annex {
        let header = w.text(styles::PAGE_HEADER, annex);
        w.header(header);
    }
    let version = view
        .version
        .as_ref()
        .map(|v| format!("Version {v} · "))
        .unwrap_or_default();
    let footer = footer(
        &mut w,
        &format!("{} – {} – {}", view.title, view.parties, view.heading),
        &format!("{version}Empreinte {}", view.fingerprint),
    );
    w.footer(footer);

    if let Some(logos) = w.logo_row(&view.title_block, crate::render::document::PLAN)? {
        w.push_paragraph(logos);
    }
    for (style, text) in [
        (styles::TITLE, &view.title),
        (styles::PARTIES, &view.parties),
        (styles::HEADING, &view.heading),
        (styles::CAPTION, &view.caption),
    ] {
        let paragraph = w.text(style, text);
        w.push_paragraph(paragraph);
    }
    let width = w.text_width;
    plan_table(&mut w, view, width);
    notes(&mut w, view);
    if !view.signatories.is_empty() {
        signatures(&mut w, view);
    }
    w.finish(properties, crate::render::document::PLAN)
}

/// The footer of every page: what the document is, then `trace` (version and
/// fingerprint) and the page number, on the right.
pub(super) fn footer(w: &mut Writer, what: &str, trace: &str) -> Paragraph {
    let right = w.text_width as usize;
    let paragraph = w
        .paragraph(styles::PAGE_FOOTER)
        .add_tab(Tab::new().val(TabValueType::Right).pos(right));
    super::markdown::push_prose(paragraph, what, RunStyle::default())
        .add_run(Run::new().add_tab())
        .add_run(Run::new().add_text(format!("{trace}    ")))
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(" / "))
        .add_num_pages(NumPages::new())
}

/// The signature page: "Fait à …, le …" and one block per signatory, up to
/// four a row, as in the PDF.
pub(super) fn signatures(w: &mut Writer, view: &PlanView) {
    let heading = w
        .text(styles::heading(1), "Signatures")
        .page_break_before(true);
    w.push_paragraph(heading);
    // A blank place or date is a dotted line, to be written by hand.
    let mut place = w.paragraph(styles::PLACE_AND_DATE);
    let dots = |pos: Twips| {
        Tab::new()
            .val(TabValueType::Left)
            .leader(TabLeaderType::Dot)
            .pos(pos as usize)
    };
    place = super::markdown::push_prose(place, "Fait à ", RunStyle::default());
    match &view.signature_place {
        Some(p) => place = super::markdown::push_prose(place, p, RunStyle::default()),
        None => place = place.add_tab(dots(mm10(800))).add_run(Run::new().add_tab()),
    }
    place = super::markdown::push_prose(place, ", le ", RunStyle::default());
    match &view.signature_date {
        Some(d) => place = super::markdown::push_prose(place, d, RunStyle::default()),
        None => {
            place = place
                .add_tab(dots(mm10(1400)))
                .add_run(Run::new().add_tab())
        }
    }
    w.push_paragraph(place);

    let n = view.signatories.len();
    let columns = if n <= 4 { n } else { n.div_ceil(2).min(4) };
    let rows = n.div_ceil(columns);
    let width = w.text_width / columns as Twips;
    // The blocks share 12.8 cm of the page's height, as in the PDF.
    let height = mm10(1280) / rows as Twips;
    let mut table_rows = Vec::new();
    for chunk in view.signatories.chunks(columns) {
        let mut cells: Vec<TableCell> = chunk
            .iter()
            .map(|s| {
                let institution = match &s.acronym {
                    Some(a) => format!("{} ({a})", s.institution),
                    None => s.institution.clone(),
                };
                let first = w.paragraph(styles::SIGNATORY);
                let mut cell = TableCell::new()
                    .width(width as usize, WidthType::Dxa)
                    .vertical_align(VAlignType::Top)
                    .add_paragraph(super::markdown::push_prose(
                        first,
                        &institution,
                        RunStyle::bold(),
                    ));
                for line in [&s.capacity, &s.name].into_iter().flatten() {
                    cell = cell.add_paragraph(w.text(styles::SIGNATORY, line));
                }
                cell.add_paragraph(w.text(styles::SIGNATURE_MENTION, "Signature et cachet"))
            })
            .collect();
        // The last row's empty places keep the blocks' width, without a frame
        // (their left edge is the last block's).
        while cells.len() < columns {
            cells.push(
                TableCell::new()
                    .width(width as usize, WidthType::Dxa)
                    .clear_border(TableCellBorderPosition::Top)
                    .clear_border(TableCellBorderPosition::Right)
                    .clear_border(TableCellBorderPosition::Bottom)
                    .add_paragraph(w.paragraph(styles::SIGNATORY)),
            );
        }
        table_rows.push(
            TableRow::new(cells)
                .cant_split()
                .row_height(height as f32)
                .height_rule(HeightRule::AtLeast),
        );
    }
    let widths = vec![width; columns];
    w.push_table(table::table(table_rows, &widths), 0);
}
