//! The parts calamine reads of an OpenDocument workbook: the manifest, and
//! `content.xml`, where calamine builds every worksheet at once, with each
//! repeated row and cell: scanned as calamine reads it, to count what it
//! would keep.

use std::io::{BufRead, Read, Seek};

use quick_xml::Reader as XmlReader;
use quick_xml::events::{BytesStart, Event};

use super::{
    Limits, Parts, Stop, attribute, attributes, attributes_len, every_xml_part, grouped, xml,
};
use crate::diag::Diagnostic;
use crate::french::french_size;
use crate::tools::workbook::damage::Damage;

/// The parts calamine reads when it opens an OpenDocument workbook: the
/// manifest, scanned for a password, and `content.xml`, where calamine
/// builds every worksheet at once, scanned. (It reads `meta.xml` within a limit
/// of its own, and the first bytes of `mimetype` only.)
pub(super) fn check_ods<R: Read + Seek>(
    archive: &mut zip_calamine::ZipArchive<R>,
    parts: &mut Parts<'_>,
) -> Result<(), Diagnostic> {
    let small = parts.limits.other_part;
    let big = parts.limits.worksheet_part;
    parts.measure(archive, "META-INF/manifest.xml", small, Some(manifest))?;
    let limits = *parts.limits;
    parts.measure(
        archive,
        "content.xml",
        big,
        Some(|input: &mut dyn BufRead| OdsScan::new(&limits).content(input)),
    )?;
    every_xml_part(archive, parts)
}

/// The manifest of an OpenDocument file: a workbook encrypted with a
/// password says so there, and its `content.xml` is no XML until decrypted.
fn manifest(input: &mut dyn BufRead) -> Result<(), Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"encryption-data" => {
                return Err(Stop::Damaged(Damage::Password));
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Calamine's own bounds on a worksheet: it caps repeated rows and columns there.
const ODS_MAX_ROWS: usize = 1_048_576;
const ODS_MAX_COLUMNS: usize = 16_384;

/// What calamine builds of `content.xml`, counted as it builds it (its
/// `read_table`, `read_row`, `get_datatype` and `get_range`): each row as
/// read, empty cells at the end of a row left out; then the smallest
/// rectangle around the cells that hold something, where each row is
/// repeated as many times as it says, and the empty rows between two
/// others too (but not the empty rows after the last one, nor before the
/// first: what LibreOffice writes below a worksheet costs nothing). Values and
/// formulas are two such rectangles; each cell of text holds a copy of its
/// text.
struct OdsScan<'a> {
    limits: &'a Limits,
    /// Cells and bytes of text counted so far, for the whole workbook.
    cells: usize,
    text: usize,
    tables: usize,
}

/// One cell as calamine reads it.
struct OdsCell {
    value: bool,
    value_text: usize,
    formula: usize,
    /// Whether calamine read its content (the cell's end is behind).
    closed: bool,
}

/// The smallest rectangle around the cells that hold something, over the
/// rows of a worksheet, as `get_range` builds it.
#[derive(Default)]
struct Rectangle {
    /// Row elements read.
    rows: usize,
    first_row: Option<usize>,
    first_col: usize,
    last_col: usize,
    /// Since the first row that holds something: row elements, rows once
    /// repeated, bytes of text once repeated; and the same up to the last
    /// row that holds something.
    elements: usize,
    repeated: usize,
    text: usize,
    kept: (usize, usize, usize),
}

impl Rectangle {
    /// A row repeated `repeats` times, whose cells that hold something go
    /// from `span.0` to `span.1` and hold `text` bytes.
    fn row(&mut self, repeats: usize, span: Option<(usize, usize)>, text: usize) {
        if let Some((first, last)) = span {
            if self.first_row.is_none() {
                self.first_row = Some(self.rows);
                self.first_col = first;
                self.last_col = last;
            }
            self.first_col = self.first_col.min(first);
            self.last_col = self.last_col.max(last);
        }
        self.rows += 1;
        if self.first_row.is_some() {
            self.elements += 1;
            self.repeated = self.repeated.saturating_add(repeats);
            self.text = self.text.saturating_add(repeats.saturating_mul(text));
        }
        if span.is_some() {
            self.kept = (self.elements, self.repeated, self.text);
        }
    }

    /// Cells the rectangle takes (the room reserved first, or the cells
    /// written, whichever is more), and its bytes of text.
    fn size(&self) -> (usize, usize) {
        if self.first_row.is_none() {
            return (0, 0);
        }
        let width = self.last_col + 1 - self.first_col;
        let (elements, repeated, text) = self.kept;
        (elements.max(repeated).saturating_mul(width), text)
    }
}

impl<'a> OdsScan<'a> {
    fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            cells: 0,
            text: 0,
            tables: 0,
        }
    }

    fn content(mut self, input: &mut dyn BufRead) -> Result<(), Stop> {
        let mut reader = xml(input);
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match event {
                Event::Start(e) if e.name().as_ref() == b"table:table" => {
                    // calamine reads the tables that have a name.
                    if let Some(name) = attribute(&e, b"table:name") {
                        self.tables += 1;
                        if self.tables > self.limits.worksheets {
                            return Err(Stop::Refused(format!(
                                "le classeur a plus de {} feuilles, au-delà de ce qu'un classeur de suivi peut avoir",
                                self.limits.worksheets
                            )));
                        }
                        self.table(&mut reader, &name)?;
                    }
                }
                // Each style that tells whether a worksheet shows is kept, and
                // each named range: counted as a cell and its text.
                Event::Start(e)
                    if matches!(
                        e.name().as_ref(),
                        b"style:table-properties"
                            | b"style:style"
                            | b"table:named-range"
                            | b"table:named-expression"
                    ) =>
                {
                    self.cells += 1;
                    self.text = self.text.saturating_add(attributes_len(&e));
                    self.check_totals(None)?;
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    /// Refuses the workbook once its cells or its text go beyond the
    /// limits, naming the worksheet being read.
    fn check_totals(&self, worksheet: Option<(&str, usize)>) -> Result<(), Stop> {
        let place = match worksheet {
            Some((name, _)) => format!("la feuille « {name} »"),
            None => "le classeur".to_string(),
        };
        if self.cells > self.limits.cells {
            let cells = match worksheet {
                Some((_, cells)) => format!("{} cellules", grouped(cells as u64)),
                None => format!("plus de {} cellules", grouped(self.limits.cells as u64)),
            };
            return Err(Stop::RefusedCells(format!(
                "{place} ferait lire {cells} (lignes et colonnes répétées comprises), au-delà des {} qu'un classeur de suivi peut avoir",
                grouped(self.limits.cells as u64)
            )));
        }
        if self.text > self.limits.text {
            return Err(Stop::RefusedCells(format!(
                "{place} ferait lire plus de {} de texte (cellules répétées comprises), au-delà de ce qu'un classeur de suivi peut avoir",
                french_size(self.limits.text)
            )));
        }
        Ok(())
    }

    /// A worksheet, up to its end: each row as read, then its two rectangles.
    fn table(&mut self, reader: &mut XmlReader<&mut dyn BufRead>, name: &str) -> Result<(), Stop> {
        let mut buf = Vec::new();
        let mut values = Rectangle::default();
        let mut formulas = Rectangle::default();
        let mut total_rows: usize = 0;
        // Cells and text as rows are read: each cell costs a value and a
        // formula (an empty string), and the vectors may take twice what
        // they hold.
        let mut read_cells: usize = 0;
        let mut read_text: usize = 0;
        let before = (self.cells, self.text);
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match event {
                Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                    let repeats = attribute(&e, b"table:number-rows-repeated")
                        .and_then(|n| n.parse::<usize>().ok())
                        .unwrap_or(1);
                    let repeats = repeats.min(ODS_MAX_ROWS.saturating_sub(total_rows));
                    total_rows = total_rows.saturating_add(repeats);
                    let row = row(reader)?;
                    read_cells = read_cells.saturating_add(row.cells + 1);
                    read_text = read_text.saturating_add(row.value_text + row.formula_text);
                    values.row(repeats, row.values, row.value_text);
                    formulas.row(repeats, row.formulas, row.formula_text);
                    let (value_cells, value_text) = values.size();
                    let (formula_cells, formula_text) = formulas.size();
                    // The rectangle of values is copied once more when the
                    // worksheet is asked for.
                    let cells = read_cells
                        .saturating_mul(4)
                        .saturating_add(value_cells.saturating_mul(2))
                        .saturating_add(formula_cells);
                    self.cells = before.0.saturating_add(cells);
                    self.text = before
                        .1
                        .saturating_add(read_text)
                        .saturating_add(value_text.saturating_mul(2))
                        .saturating_add(formula_text);
                    if self.cells > self.limits.cells || self.text > self.limits.text {
                        // The rest of the worksheet is counted for the message:
                        // nothing is kept of it.
                        let cells = rest_of_table(
                            reader,
                            [&mut values, &mut formulas],
                            read_cells,
                            &mut total_rows,
                        )?;
                        return self.check_totals(Some((name, cells)));
                    }
                }
                Event::End(e) if e.name().as_ref() == b"table:table" => return Ok(()),
                // calamine would read on for ever past the end of a worksheet
                // that does not close.
                Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
                _ => {}
            }
            buf.clear();
        }
    }
}

/// A row as calamine reads it.
#[derive(Default)]
struct OdsRow {
    /// Cells kept (the empty ones at the end left out).
    cells: usize,
    /// The first and last cells that hold a value, a formula.
    values: Option<(usize, usize)>,
    formulas: Option<(usize, usize)>,
    value_text: usize,
    formula_text: usize,
}

/// Reads a row up to its end, as `read_row`: an empty cell is kept only
/// when a cell that holds something follows it; a cell is repeated as many
/// times as it says, up to calamine's last column.
fn row(reader: &mut XmlReader<&mut dyn BufRead>) -> Result<OdsRow, Stop> {
    let mut row = OdsRow::default();
    let mut empty_pending: usize = 0;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) =>
            {
                let element = e.name().as_ref().to_vec();
                let repeats = attribute(&e, b"table:number-columns-repeated")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                let cell = cell(reader, &e)?;
                let empties = empty_pending.min(ODS_MAX_COLUMNS.saturating_sub(row.cells));
                row.cells += empties;
                empty_pending = 0;
                let repeats = repeats.min(ODS_MAX_COLUMNS.saturating_sub(row.cells));
                if !cell.value && cell.formula == 0 {
                    empty_pending = repeats;
                } else if repeats > 0 {
                    let (first, last) = (row.cells, row.cells + repeats - 1);
                    if cell.value {
                        row.values = Some(row.values.map_or((first, last), |(f, _)| (f, last)));
                    }
                    if cell.formula > 0 {
                        row.formulas = Some(row.formulas.map_or((first, last), |(f, _)| (f, last)));
                    }
                    row.value_text = row
                        .value_text
                        .saturating_add(repeats.saturating_mul(cell.value_text));
                    row.formula_text = row
                        .formula_text
                        .saturating_add(repeats.saturating_mul(cell.formula));
                    row.cells += repeats;
                }
                if !cell.closed {
                    skip(reader, &element)?;
                }
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => return Ok(row),
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            // calamine stops on anything else here; counting on is safe.
            _ => {}
        }
        buf.clear();
    }
}

/// A cell as `get_datatype` reads it: its value from its attributes, or
/// for text without a value attribute, from its paragraphs (each `text:s`
/// counting its spaces).
fn cell(reader: &mut XmlReader<&mut dyn BufRead>, e: &BytesStart<'_>) -> Result<OdsCell, Stop> {
    let mut cell = OdsCell {
        value: false,
        value_text: 0,
        formula: 0,
        closed: false,
    };
    let (mut is_string, mut is_error, mut empty_string) = (false, false, false);
    for a in attributes(e) {
        let len = a.value.len();
        match a.key.as_ref() {
            b"office:value" | b"office:boolean-value" if !cell.value => cell.value = true,
            key @ (b"office:string-value" | b"office:date-value" | b"office:time-value")
                if !cell.value =>
            {
                cell.value = true;
                cell.value_text = len;
                empty_string = key == b"office:string-value" && len == 0;
            }
            b"office:value-type" if !cell.value => is_string = a.value.as_ref() == b"string",
            b"calcext:value-type" => is_error = a.value.as_ref() == b"error",
            b"table:formula" => cell.formula = len,
            _ => {}
        }
    }
    if !((!cell.value && is_string) || (is_error && empty_string)) {
        return Ok(cell);
    }
    cell.value = true;
    cell.closed = true;
    let mut buf = Vec::new();
    let mut text: usize = 0;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Text(t) => text = text.saturating_add(t.len()),
            Event::GeneralRef(_) => text = text.saturating_add(4),
            Event::End(e)
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) =>
            {
                cell.value_text = text;
                return Ok(cell);
            }
            Event::Start(e) if e.name().as_ref() == b"office:annotation" => {
                // calamine would read on for ever past the end of a note
                // that does not close.
                skip(reader, b"office:annotation")?;
            }
            Event::Start(e) if e.name().as_ref() == b"text:s" => {
                let spaces = attribute(&e, b"text:c")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                text = text.saturating_add(spaces);
            }
            Event::Start(_) => text = text.saturating_add(1),
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            _ => {}
        }
        buf.clear();
    }
}

/// Reads up to the end of the element `name` just started, nested ones of
/// the same name included.
fn skip(reader: &mut XmlReader<&mut dyn BufRead>, name: &[u8]) -> Result<(), Stop> {
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.name().as_ref() == name => depth += 1,
            Event::End(e) if e.name().as_ref() == name => {
                if depth == 0 {
                    return Ok(());
                }
                depth -= 1;
            }
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            _ => {}
        }
        buf.clear();
    }
}

/// Counts the rest of a worksheet refused, for its message: the cells of its
/// larger rectangle, or those of its rows as read if more.
fn rest_of_table(
    reader: &mut XmlReader<&mut dyn BufRead>,
    [values, formulas]: [&mut Rectangle; 2],
    mut read_cells: usize,
    total_rows: &mut usize,
) -> Result<usize, Stop> {
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                let repeats = attribute(&e, b"table:number-rows-repeated")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1)
                    .min(ODS_MAX_ROWS.saturating_sub(*total_rows));
                *total_rows = total_rows.saturating_add(repeats);
                let row = row(reader)?;
                read_cells = read_cells.saturating_add(row.cells);
                values.row(repeats, row.values, row.value_text);
                formulas.row(repeats, row.formulas, row.formula_text);
            }
            Event::End(e) if e.name().as_ref() == b"table:table" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(values.size().0.max(formulas.size().0).max(read_cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::workbook::limits::LIMITS;

    /// The cells and text calamine would keep of `content`.
    fn scanned(content: &str) -> Result<(usize, usize), String> {
        let mut scan = OdsScan::new(&LIMITS);
        let mut input = content.as_bytes();
        let mut reader = xml(&mut input);
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).unwrap() {
                Event::Start(e) if e.name().as_ref() == b"table:table" => {
                    scan.table(&mut reader, "Feuille1")
                        .map_err(|stop| match stop {
                            Stop::Refused(message) | Stop::RefusedCells(message) => message,
                            Stop::Damaged(damage) => format!("{damage:?}"),
                        })?;
                }
                Event::Eof => return Ok((scan.cells, scan.text)),
                _ => {}
            }
            buf.clear();
        }
    }

    #[test]
    fn empty_rows_written_below_a_sheet_cost_nothing() {
        // What LibreOffice writes below the last row of a worksheet.
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        let (cells, text) = scanned(content).unwrap();
        // Two rows read (each counts one), one cell kept, four times for what
        // reading them takes; the one-cell rectangle twice.
        assert_eq!((cells, text), (3 * 4 + 2, 0));
    }

    #[test]
    fn repeated_cells_are_counted_as_calamine_repeats_them() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row table:number-rows-repeated="6000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16000"/></table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>"#;
        let refused = scanned(content).unwrap_err();
        assert!(
            refused
                .contains("la feuille « Feuille1 » ferait lire 96\u{202f}016\u{202f}000 cellules"),
            "{refused}"
        );
        // Empty rows between two rows are repeated too.
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row><table:table-row table:number-rows-repeated="1000"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>"#;
        assert!(scanned(content).is_err());
    }

    #[test]
    fn spaces_of_a_text_are_counted() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="40000000"/></text:p></table:table-cell></table:table-row></table:table>"#;
        let refused = scanned(content).unwrap_err();
        assert!(refused.contains("de texte"), "{refused}");
    }

    #[test]
    fn a_sheet_that_does_not_end_is_refused() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell/></table:table-row>"#;
        assert!(scanned(content).is_err());
    }
}
