//! Word documents, the plan's table, as the annex and the review show it: the
//! header rows from the view (the groups as merged cells over their columns,
//! repeated on every page), one row per action that Word keeps on one page,
//! sub-section rows across the columns, and the notes under the table. Its
//! columns are the view's, declared by the convention: any shape is followed.

use docx_rs::{
    AlignmentType, Shading, SpecialIndentType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, VMergeType,
    WidthType,
};

use super::markdown::{self, Block};
use super::{Twips, Writer, styles};
use crate::render::view::{ColumnView, HeaderCellView, PlanView};

/// The fill of header cells, the PDF's.
pub const HEADER_FILL: &str = "D9E2F3";
/// The fill of a sub-section row.
const SUBSECTION_FILL: &str = "F2F2F2";

/// Borders of half a point, the PDF's strokes.
pub fn borders() -> TableBorders {
    [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::new(), |b, position| {
        b.set(TableBorder::new(position).size(4))
    })
}

/// A table of `widths` (in twips), with the documents' borders and insets.
pub fn table(rows: Vec<TableRow>, widths: &[Twips]) -> Table {
    Table::new(rows)
        .set_grid(widths.iter().map(|w| *w as usize).collect())
        .width(widths.iter().sum::<Twips>() as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .set_borders(borders())
        .margins(TableCellMargins::new().margin(60, 70, 60, 70))
}

/// The widths of a table's columns, the first one's (its share `first`)
/// included, sharing `width` as the PDF's fractions do.
pub(super) fn column_widths(first: f64, columns: &[ColumnView], width: Twips) -> Vec<Twips> {
    let shares: Vec<f64> = std::iter::once(first)
        .chain(columns.iter().map(|c| c.share))
        .collect();
    let total: f64 = shares.iter().sum();
    shares
        .iter()
        .map(|s| (f64::from(width) * s / total).floor() as Twips)
        .collect()
}

/// A header cell: shaded, centred, in the header style.
fn header_cell(w: &mut Writer, label: &str, width: Twips) -> TableCell {
    TableCell::new()
        .width(width as usize, WidthType::Dxa)
        .shading(Shading::new().fill(HEADER_FILL))
        .vertical_align(VAlignType::Center)
        .add_paragraph(w.text(styles::HEADER_CELL, label))
}

/// Adds `blocks` to `cell`; a cell ends with a paragraph, as Word requires.
pub(super) fn fill(mut cell: TableCell, blocks: Vec<Block>, w: &mut Writer) -> TableCell {
    let mut ends_with_table = false;
    for block in blocks {
        ends_with_table = matches!(block, Block::Table(_));
        cell = match block {
            Block::Paragraph(p) => cell.add_paragraph(p),
            Block::Table(t) => cell.add_table(t),
        };
    }
    if ends_with_table {
        cell = cell.add_paragraph(w.paragraph(styles::CELL));
    }
    cell
}

/// The header rows of a table (`head`, as the views give it): one, or two
/// when columns have a group (a group over its columns, the other columns
/// merged down both rows).
pub(super) fn header_rows(
    w: &mut Writer,
    head: &[Vec<HeaderCellView>],
    widths: &[Twips],
) -> Vec<TableRow> {
    let Some(top) = head.first() else {
        return Vec::new();
    };
    let mut below = head.get(1).into_iter().flatten();
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut column = 0;
    for cell in top {
        let span = cell.colspan.max(1);
        let width: Twips = widths[column..(column + span).min(widths.len())]
            .iter()
            .sum();
        let mut word = header_cell(w, &cell.label, width);
        if span > 1 {
            word = word.grid_span(span);
        }
        if head.len() > 1 && cell.rowspan > 1 {
            first.push(word.vertical_merge(VMergeType::Restart));
            second.push(
                TableCell::new()
                    .width(width as usize, WidthType::Dxa)
                    .shading(Shading::new().fill(HEADER_FILL))
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(w.paragraph(styles::HEADER_CELL)),
            );
        } else {
            first.push(word);
            if head.len() > 1 {
                for (i, leaf) in below.by_ref().take(span).enumerate() {
                    second.push(header_cell(w, &leaf.label, widths[column + i]));
                }
            }
        }
        column += span;
    }
    let mut rows = vec![TableRow::new(first).cant_split()];
    if head.len() > 1 {
        rows.push(TableRow::new(second).cant_split());
    }
    rows
}

/// The field's label in the first column of each of its rows. It is written on
/// every row, not merged down the field's rows: a merged cell shows its text
/// once, on the page where it starts, and Word breaks pages where it pleases.
/// The field's first row has the label in bold, with its note mark; the
/// following rows have it in grey, so that every page says which field its rows
/// belong to, as the PDF's first row of a page does.
fn field_cell(
    w: &mut Writer,
    label: &str,
    mark: Option<&str>,
    first: bool,
    width: Twips,
) -> TableCell {
    let paragraph = match (first, mark) {
        (true, Some(mark)) => w.text(styles::FIELD, &format!("{label}\u{a0}{mark}")),
        (true, None) => w.text(styles::FIELD, label),
        (false, _) => w.text(styles::FIELD_CONTINUED, label),
    };
    TableCell::new()
        .width(width as usize, WidthType::Dxa)
        .add_paragraph(paragraph)
}

/// The alignment of a column's cells, as in the PDF.
pub(super) fn alignment(kind: &str) -> Option<AlignmentType> {
    match kind {
        "echeance" => Some(AlignmentType::Center),
        "montant" | "nombre" => Some(AlignmentType::Right),
        _ => None,
    }
}

/// The plan's table, `width` wide; its header rows repeat on each page. In
/// an amendment's consolidated annex, a row that an amendment added or changed
/// says so under its first cell.
pub fn plan_table(w: &mut Writer, view: &PlanView, width: Twips) {
    let widths = column_widths(1.0, &view.columns, width);
    let mut rows = header_rows(w, &view.head, &widths);
    let header = rows.len();
    let rest: Twips = widths[1..].iter().sum();
    for group in &view.groups {
        for (i, row) in group.rows.iter().enumerate() {
            let label = field_cell(w, &group.label, group.mark.as_deref(), i == 0, widths[0]);
            let mut cells = vec![label];
            if row.kind == "sous_section" {
                let text = row.label.as_deref().unwrap_or_default();
                let mut paragraph = w.paragraph(styles::SUBSECTION);
                paragraph = markdown::push_prose(paragraph, text, markdown::RunStyle::default());
                cells.push(
                    TableCell::new()
                        .width(rest as usize, WidthType::Dxa)
                        .grid_span(view.columns.len())
                        .shading(Shading::new().fill(SUBSECTION_FILL))
                        .add_paragraph(paragraph),
                );
            } else {
                for (i, (cell, (column, width))) in row
                    .cells
                    .iter()
                    .zip(view.columns.iter().zip(&widths[1..]))
                    .enumerate()
                {
                    let mut blocks =
                        markdown::cell(w, cell, styles::CELL, alignment(column.kind), *width);
                    if i == 0
                        && let Some(mention) = &row.mention
                    {
                        blocks.push(Block::Paragraph(w.text(styles::MENTION, mention)));
                    }
                    let word = TableCell::new().width(*width as usize, WidthType::Dxa);
                    cells.push(fill(word, blocks, w));
                }
            }
            rows.push(TableRow::new(cells).cant_split());
        }
    }
    w.push_table(table(rows, &widths), header);
}

/// The notes under the table: the mark, a tab, then the note's text.
pub fn notes(w: &mut Writer, view: &PlanView) {
    for note in &view.notes {
        let width = w.text_width;
        let mut blocks = markdown::cell(w, &note.text, styles::NOTE, None, width).into_iter();
        let mark = markdown::push_prose(
            w.paragraph(styles::NOTE),
            &note.mark,
            markdown::RunStyle::default(),
        )
        .add_run(docx_rs::Run::new().add_tab());
        match blocks.next() {
            Some(Block::Paragraph(first)) => {
                let mut joined = mark;
                joined.children.extend(first.children);
                w.push_paragraph(joined);
            }
            Some(other) => {
                w.push_paragraph(mark);
                w.push_blocks(vec![other]);
            }
            None => w.push_paragraph(mark),
        }
        // The note's later paragraphs line up with its text.
        for block in blocks {
            match block {
                Block::Paragraph(p) => w.push_paragraph(p.indent(
                    Some(284),
                    Some(SpecialIndentType::FirstLine(0)),
                    None,
                    None,
                )),
                other => w.push_blocks(vec![other]),
            }
        }
    }
}
