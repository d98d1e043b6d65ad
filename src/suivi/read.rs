//! Follow-up by spreadsheet, reading: a filled workbook (`.xlsx`, `.ods`) or
//! one of its sheets saved as `.csv` becomes sheets of cells, each cell at
//! its place (« suivi-2026.xlsx, Suivi 2026!F14 ») for the messages.

use std::fmt;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Ods, Reader, Xlsx};

use super::column_letters;
use crate::diag::{Diagnostic, SourceFile};
use crate::import::spreadsheet::{csv_reader, decode};
use crate::load::io_message;

/// A workbook as read: its name for messages, and its sheets.
#[derive(Debug, Clone)]
pub struct Book {
    pub name: String,
    pub sheets: Vec<Sheet>,
}

/// A sheet: its name (none for a `.csv` file) and its rows from the first
/// (A1 is `rows[0][0]`).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: Option<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A value that is neither text nor a number: a date, a truth value, an
    /// error of a formula. Written as the spreadsheet shows it.
    Other(String),
}

impl Cell {
    /// Whether the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a spreadsheet shows it (a number in French form).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Other(t) => t.clone(),
            Cell::Number(n) => french_number(*n),
        }
    }
}

/// A number as written in French: `12`, `12,5`.
pub fn french_number(n: f64) -> String {
    let text = if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    };
    text.replace('.', ",")
}

/// Where a cell is: workbook, sheet and cell, as the spreadsheet names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub book: String,
    pub sheet: Option<String>,
    /// 0-based.
    pub row: u32,
    pub col: u32,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cell = format!("{}{}", column_letters(self.col), self.row + 1);
        match &self.sheet {
            Some(sheet) => write!(f, "{}, {sheet}!{cell}", self.book),
            None => write!(f, "{}, cellule {cell}", self.book),
        }
    }
}

impl Place {
    /// A diagnostic about this cell: the place leads its message, as in
    /// « suivi-2026.xlsx, Suivi 2026!F14 : état « en court » inconnu ».
    pub fn error(&self, message: impl fmt::Display) -> Diagnostic {
        Diagnostic::error(message.to_string()).in_file(&SourceFile::new(self.to_string(), ""))
    }

    pub fn warning(&self, message: impl fmt::Display) -> Diagnostic {
        Diagnostic::warning(message.to_string()).in_file(&SourceFile::new(self.to_string(), ""))
    }

    /// The cell `col` of the same row.
    pub fn at_col(&self, col: u32) -> Place {
        Place {
            col,
            ..self.clone()
        }
    }
}

/// The formats read, by their file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Ods,
    Csv,
}

/// Reads the workbook at `path`. A file that is no spreadsheet of a format
/// read here is an error naming it.
pub fn read(path: &Path) -> Result<Book, Diagnostic> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(format!(
            "lecture impossible de `{name}` : {}",
            io_message(Some(&e))
        ))
        .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire")
    })?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let format = match extension.as_str() {
        "xlsx" | "xlsm" => Format::Xlsx,
        "ods" => Format::Ods,
        "csv" | "tsv" | "txt" => Format::Csv,
        _ => {
            return Err(Diagnostic::error(format!(
                "`{name}` n'est pas un classeur de suivi : format non pris en charge"
            ))
            .hint(ACCEPTED));
        }
    };
    // The readers parse files of any origin: a panic in them is an error
    // naming the file.
    crate::diag::guard(&name, || parse(&name, &bytes, format, extension == "tsv"))
        .map_err(|d| d.hint(ACCEPTED))?
}

const ACCEPTED: &str = "ctg lit les classeurs .xlsx (Excel) et .ods (LibreOffice), et une feuille enregistrée en .csv ; ouvrez le fichier dans un tableur et enregistrez-le dans l'un de ces formats";

fn parse(name: &str, bytes: &[u8], format: Format, tab: bool) -> Result<Book, Diagnostic> {
    let unreadable = |what: &str, detail: String| {
        Diagnostic::error(format!(
            "`{name}` n'est pas un classeur {what} lisible ({detail})"
        ))
        .hint(ACCEPTED)
    };
    // A workbook is a zip archive: anything else under its name is another file.
    let zipped = bytes.starts_with(b"PK\x03\x04");
    let sheets = match format {
        Format::Xlsx | Format::Ods if !zipped => {
            let what = if format == Format::Xlsx {
                "Excel"
            } else {
                "OpenDocument"
            };
            return Err(unreadable(
                what,
                "ce n'est pas une archive de classeur".into(),
            ));
        }
        Format::Xlsx => {
            let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| unreadable("Excel", technical(e)))?;
            sheets_of(&mut book).map_err(|e| unreadable("Excel", technical(e)))?
        }
        Format::Ods => {
            let mut book: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| unreadable("OpenDocument", technical(e)))?;
            sheets_of(&mut book).map_err(|e| unreadable("OpenDocument", technical(e)))?
        }
        Format::Csv if zipped || bytes.contains(&0) => {
            return Err(unreadable("CSV", "ce n'est pas du texte".into()));
        }
        Format::Csv => vec![csv_sheet(name, bytes, tab)?],
    };
    Ok(Book {
        name: name.to_string(),
        sheets,
    })
}

/// The reader's own words for what it could not read, in English.
fn technical(detail: impl fmt::Display) -> String {
    format!("détail technique : {detail}")
}

/// Every sheet of a workbook, in its order.
fn sheets_of<RS, R>(book: &mut R) -> Result<Vec<Sheet>, String>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: fmt::Display,
{
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        // The range starts at its first used cell: rows and columns are
        // counted from A1 here, as the spreadsheet names its cells.
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        if let Some((top, left)) = range.start() {
            for (r, c, data) in range.used_cells() {
                let (row, col) = (top as usize + r, left as usize + c);
                if rows.len() <= row {
                    rows.resize(row + 1, Vec::new());
                }
                let cells = &mut rows[row];
                if cells.len() <= col {
                    cells.resize(col + 1, Cell::Empty);
                }
                cells[col] = cell(data);
            }
        }
        sheets.push(Sheet {
            name: Some(name),
            rows,
        });
    }
    Ok(sheets)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        // Integers of a workbook are exact in an f64 far beyond any figure
        // of a follow-up.
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Other(if *b { "VRAI" } else { "FAUX" }.into()),
        Data::DateTime(d) => Cell::Other(d.to_string()),
        Data::DateTimeIso(d) | Data::DurationIso(d) => Cell::Other(d.clone()),
        Data::Error(e) => Cell::Other(e.to_string()),
    }
}

/// A sheet saved as CSV: comma, semicolon or tab, UTF-8 or Windows-1252, as
/// `ctg import` reads a plan.
fn csv_sheet(name: &str, bytes: &[u8], tab: bool) -> Result<Sheet, Diagnostic> {
    let (text, _) = decode(bytes);
    let mut reader = csv_reader(&text, tab);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Diagnostic::error(format!("`{name}` : CSV illisible à la ligne {line}"))
                .hint("un guillemet ouvert n'est pas refermé : enregistrez à nouveau la feuille au format CSV")
        })?;
        rows.push(
            record
                .iter()
                .map(|field| {
                    if field.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Sheet { name: None, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_as_spreadsheets_name_cells() {
        let place = Place {
            book: "suivi-2026-jeunesse.xlsx".into(),
            sheet: Some("Suivi 2026".into()),
            row: 13,
            col: 3,
        };
        assert_eq!(
            place.to_string(),
            "suivi-2026-jeunesse.xlsx, Suivi 2026!D14"
        );
        let csv = Place {
            sheet: None,
            ..place
        };
        assert_eq!(csv.to_string(), "suivi-2026-jeunesse.xlsx, cellule D14");
    }

    #[test]
    fn csv_cells_are_text_from_a1() {
        let sheet = csv_sheet(
            "s.csv",
            "Identifiant;État 2026\na;en cours\n".as_bytes(),
            false,
        )
        .unwrap();
        assert_eq!(sheet.rows[1][1], Cell::Text("en cours".into()));
        assert_eq!(sheet.rows[0].len(), 2);
    }

    #[test]
    fn a_file_that_is_no_workbook_is_named() {
        let err = parse("notes.xlsx", b"bonjour", Format::Xlsx, false).unwrap_err();
        assert_eq!(
            err.message,
            "`notes.xlsx` n'est pas un classeur Excel lisible (ce n'est pas une archive de classeur)"
        );
    }

    #[test]
    fn numbers_are_written_in_french() {
        assert_eq!(french_number(12.0), "12");
        assert_eq!(french_number(12.5), "12,5");
    }
}
