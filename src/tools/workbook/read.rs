//! Follow-up by spreadsheet, reading: a filled workbook (`.xlsx`, `.ods`) or
//! one of its worksheets saved as `.csv` becomes worksheets of cells, each cell at
//! its place (« suivi-2026.xlsx, Suivi 2026!F14 ») for the messages.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{Data, DataRef, Ods, Reader, Xlsx};

use super::column_letters;
use super::damage::{Damage, Spot};
use super::limits::{Archive, LIMITS, TOO_MANY_CELLS_HINT, check_archive, grouped};
use crate::diag::{Diagnostic, SourceFile};
use crate::french::french_size;
use crate::read::source::io_message;
use crate::tools::import::spreadsheet::{csv_reader, decode};

/// A workbook as read: its name for messages, and its worksheets.
#[derive(Debug, Clone)]
pub struct Book {
    pub name: String,
    pub worksheets: Vec<Sheet>,
}

/// A worksheet: its name (none for a `.csv` file) and its rows from the first
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

/// Where a cell is: workbook, worksheet and cell, as the spreadsheet names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub book: String,
    pub worksheet: Option<String>,
    /// 0-based.
    pub row: u32,
    pub col: u32,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cell = format!("{}{}", column_letters(self.col), self.row + 1);
        match &self.worksheet {
            Some(worksheet) => write!(f, "{}, {worksheet}!{cell}", self.book),
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
enum WorkbookFormat {
    Xlsx,
    Ods,
    Csv,
}

/// Reads the workbook at `path`. A file that is no spreadsheet of a format
/// read here is an error naming it; so is one that would take more memory
/// or time than any follow-up workbook ([`limits`]).
pub fn read(path: &Path) -> Result<Book, Diagnostic> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
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
        "xlsx" | "xlsm" => WorkbookFormat::Xlsx,
        "ods" => WorkbookFormat::Ods,
        "csv" | "tsv" | "txt" => WorkbookFormat::Csv,
        _ => {
            return Err(Diagnostic::error(format!(
                "`{name}` n'est pas un classeur de suivi : format non pris en charge"
            ))
            .hint(ACCEPTED));
        }
    };
    // The file is read from the disk as the readers ask: the parts of an
    // archive that are never read (images) are never loaded.
    let input = std::io::BufReader::new(file);
    // The readers parse files of any origin: a panic in them is an error
    // naming the file.
    crate::diag::guard(&name, || parse(&name, input, format, extension == "tsv"))
        .map_err(|d| d.hint(ACCEPTED))?
}

pub(super) const ACCEPTED: &str = "ctg lit les classeurs .xlsx (Excel) et .ods (LibreOffice), et une feuille enregistrée en .csv ; ouvrez le fichier dans un tableur et enregistrez-le dans l'un de ces formats";

fn parse<R: Read + Seek>(
    name: &str,
    mut input: R,
    format: WorkbookFormat,
    tab: bool,
) -> Result<Book, Diagnostic> {
    let not_text = || {
        Diagnostic::error(format!(
            "`{name}` n'est pas un classeur CSV lisible : ce n'est pas du texte"
        ))
        .hint(ACCEPTED)
    };
    let io_error = |e: std::io::Error| {
        Diagnostic::error(format!(
            "lecture impossible de `{name}` : {}",
            io_message(Some(&e))
        ))
        .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire")
    };
    // A workbook is a zip archive: anything else under its name is another file.
    let mut start = Vec::new();
    (&mut input)
        .take(4)
        .read_to_end(&mut start)
        .map_err(io_error)?;
    input.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let zipped = start.starts_with(b"PK\x03\x04");
    // A compound file (OLE): what Excel writes for a workbook encrypted with
    // a password, and for the format of Excel 97-2003.
    let compound = start.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let mut budget = Budget {
        cells: LIMITS.cells,
        text: LIMITS.text,
    };
    let worksheets = match format {
        WorkbookFormat::Xlsx | WorkbookFormat::Ods if !zipped => {
            let (what, damage) = match format {
                WorkbookFormat::Xlsx if compound => (EXCEL, Damage::CompoundFile),
                WorkbookFormat::Xlsx => (EXCEL, Damage::NotAnArchive),
                _ => (OPEN_DOCUMENT, Damage::NotAnArchive),
            };
            return Err(damage.diagnostic(name, what, None));
        }
        WorkbookFormat::Xlsx => {
            // Every part calamine reads is measured, and scanned for what
            // it would allocate, before calamine opens the archive.
            check_archive(name, &mut input, Archive::Xlsx, &LIMITS)?;
            input.seek(SeekFrom::Start(0)).map_err(io_error)?;
            let mut book: Xlsx<_> = calamine::open_workbook_from_rs(input)
                .map_err(|e| Damage::of_xlsx(e).diagnostic(name, EXCEL, None))?;
            xlsx_worksheets(name, &mut book, &mut budget)?
        }
        WorkbookFormat::Ods => {
            // calamine builds every worksheet when it opens the file: the
            // cells it would build are counted first.
            check_archive(name, &mut input, Archive::Ods, &LIMITS)?;
            input.seek(SeekFrom::Start(0)).map_err(io_error)?;
            let mut book: Ods<_> = calamine::open_workbook_from_rs(input)
                .map_err(|e| Damage::of_ods(e).diagnostic(name, OPEN_DOCUMENT, None))?;
            ods_worksheets(name, &mut book, &mut budget)?
        }
        WorkbookFormat::Csv if zipped => return Err(not_text()),
        WorkbookFormat::Csv => {
            let mut bytes = Vec::new();
            input
                .take(LIMITS.csv + 1)
                .read_to_end(&mut bytes)
                .map_err(io_error)?;
            if bytes.len() as u64 > LIMITS.csv {
                return Err(Diagnostic::error(format!(
                    "`{name}` : fichier CSV de plus de {}, au-delà de ce qu'une feuille de suivi peut peser",
                    french_size(LIMITS.csv as usize)
                ))
                .hint("une feuille de suivi enregistrée en CSV pèse quelques dizaines de kilo-octets : vérifiez que c'est le bon fichier, ou enregistrez à nouveau la feuille de suivi seule"));
            }
            if bytes.contains(&0) {
                return Err(not_text());
            }
            vec![csv_worksheet(name, &bytes, tab, &mut budget)?]
        }
    };
    Ok(Book {
        name: name.to_string(),
        worksheets,
    })
}

/// The formats' names in the messages: « n'est pas un classeur Excel lisible ».
const EXCEL: &str = "Excel";
const OPEN_DOCUMENT: &str = "OpenDocument";

/// Refuses a workbook of more worksheets than a follow-up workbook may have:
/// each is read in turn.
fn check_worksheet_count(name: &str, count: usize) -> Result<(), Diagnostic> {
    if count <= LIMITS.worksheets {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "`{name}` : {count} feuilles, au-delà des {} qu'un classeur de suivi peut avoir",
        LIMITS.worksheets
    ))
    .hint("le classeur écrit par `ctg suivi export ANNÉE` a deux feuilles : recopiez les saisies dans celui-là"))
}

/// The worksheets of an Excel workbook, in their order, read cell by cell: only
/// the cells that hold something are kept, each within the limits.
fn xlsx_worksheets<RS: Read + Seek>(
    name: &str,
    book: &mut Xlsx<RS>,
    budget: &mut Budget,
) -> Result<Vec<Sheet>, Diagnostic> {
    let names = book.sheet_names();
    check_worksheet_count(name, names.len())?;
    let mut worksheets = Vec::new();
    for worksheet in names {
        let spot = Spot::Sheet(worksheet.clone());
        let unreadable =
            |e: calamine::XlsxError| Damage::of_xlsx(e).diagnostic(name, EXCEL, Some(&spot));
        let mut grid = Grid::new(name, Some(worksheet.clone()), budget);
        let mut cells = match book.worksheet_cells_reader(&worksheet) {
            Ok(cells) => cells,
            // A chart worksheet has no cells (`worksheet_range` reads it empty).
            Err(calamine::XlsxError::NotAWorksheet(_)) => {
                worksheets.push(grid.into_worksheet());
                continue;
            }
            Err(e) => return Err(unreadable(e)),
        };
        let declared = cells.dimensions();
        grid.check_declared(declared.start, declared.end)?;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            let (row, col) = cell.get_position();
            let value = cell.get_value();
            let text = match value {
                DataRef::Empty => continue,
                DataRef::SharedString(s) => s.len(),
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
                _ => 0,
            };
            grid.put(row, col, text, || cell_of(&Data::from(value.clone())))?;
        }
        worksheets.push(grid.into_worksheet());
    }
    Ok(worksheets)
}

/// The worksheets of an OpenDocument workbook, in their order: calamine built
/// them at opening, within the bounds [`check_archive`] checked.
fn ods_worksheets<RS: Read + Seek>(
    name: &str,
    book: &mut Ods<RS>,
    budget: &mut Budget,
) -> Result<Vec<Sheet>, Diagnostic> {
    let names = book.sheet_names();
    check_worksheet_count(name, names.len())?;
    let mut worksheets = Vec::new();
    for worksheet in names {
        let range = book.worksheet_range(&worksheet).map_err(|e| {
            Damage::of_ods(e).diagnostic(name, OPEN_DOCUMENT, Some(&Spot::Sheet(worksheet.clone())))
        })?;
        let mut grid = Grid::new(name, Some(worksheet), budget);
        // The range starts at its first used cell: rows and columns are
        // counted from A1 here, as the spreadsheet names its cells.
        if let Some((top, left)) = range.start() {
            for (r, c, data) in range.used_cells() {
                let text = match data {
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.len(),
                    _ => 0,
                };
                let (row, col) = (top.saturating_add(r as u32), left.saturating_add(c as u32));
                grid.put(row, col, text, || cell_of(data))?;
            }
        }
        worksheets.push(grid.into_worksheet());
    }
    Ok(worksheets)
}

/// What the worksheets of one workbook may still take in memory: cells (each
/// row counts as one) and bytes of text.
struct Budget {
    cells: usize,
    text: usize,
}

/// A worksheet being filled, cell by cell, within the limits of the workbook.
struct Grid<'a> {
    book: &'a str,
    worksheet: Option<String>,
    rows: Vec<Vec<Cell>>,
    budget: &'a mut Budget,
}

impl<'a> Grid<'a> {
    fn new(book: &'a str, worksheet: Option<String>, budget: &'a mut Budget) -> Self {
        Self {
            book,
            worksheet,
            rows: Vec::new(),
            budget,
        }
    }

    fn place(&self, row: u32, col: u32) -> Place {
        Place {
            book: self.book.to_string(),
            worksheet: self.worksheet.clone(),
            row,
            col,
        }
    }

    /// Refuses a worksheet whose declared extent (Excel's `dimension`) goes
    /// beyond the rows and columns a cell may have. A stray cell formatted
    /// far away makes Excel declare a large extent too: the message says
    /// how to remove it.
    fn check_declared(&self, start: (u32, u32), end: (u32, u32)) -> Result<(), Diagnostic> {
        if end.0 < LIMITS.rows && end.1 < LIMITS.columns {
            return Ok(());
        }
        let worksheet = self.worksheet.as_deref().unwrap_or_default();
        let cell = |(row, col): (u32, u32)| format!("{}{}", column_letters(col), row as u64 + 1);
        Err(Diagnostic::error(format!(
            "{}, feuille « {worksheet} » : étendue déclarée {}:{}, au-delà des {} lignes et des {} colonnes (jusqu'à {}) qu'un classeur de suivi peut avoir",
            self.book,
            cell(start),
            cell(end),
            grouped(u64::from(LIMITS.rows)),
            grouped(u64::from(LIMITS.columns)),
            column_letters(LIMITS.columns - 1),
        ))
        .hint(TOO_MANY_CELLS_HINT))
    }

    /// Puts the cell `make` gives at (`row`, `col`), counting the rows and
    /// cells the worksheet grows by and the `text` bytes it holds before
    /// anything is allocated: a cell beyond the rows and columns of a
    /// follow-up worksheet, or beyond what the workbook may still take, is an
    /// error naming it.
    fn put(
        &mut self,
        row: u32,
        col: u32,
        text: usize,
        make: impl FnOnce() -> Cell,
    ) -> Result<(), Diagnostic> {
        if row >= LIMITS.rows || col >= LIMITS.columns {
            return Err(self
                .place(row, col)
                .error(format!(
                    "cellule au-delà des {} lignes et des {} colonnes (jusqu'à {}) qu'un classeur de suivi peut avoir",
                    grouped(u64::from(LIMITS.rows)),
                    grouped(u64::from(LIMITS.columns)),
                    column_letters(LIMITS.columns - 1),
                ))
                .hint("effacez cette cellule (ou supprimez les lignes et les colonnes au-delà du tableau), enregistrez, puis relancez l'import"));
        }
        let (r, c) = (row as usize, col as usize);
        let new_rows = (r + 1).saturating_sub(self.rows.len());
        let width = self.rows.get(r).map_or(0, Vec::len);
        let new_cells = new_rows + (c + 1).saturating_sub(width);
        if new_cells > self.budget.cells {
            return Err(self
                .place(row, col)
                .error(format!(
                    "plus de {} cellules à lire dans le classeur, au-delà de ce qu'un classeur de suivi peut avoir",
                    grouped(LIMITS.cells as u64)
                ))
                .hint(TOO_MANY_CELLS_HINT));
        }
        if text > self.budget.text {
            return Err(self
                .place(row, col)
                .error(format!(
                    "plus de {} de texte à lire dans le classeur, au-delà de ce qu'un classeur de suivi peut avoir",
                    french_size(LIMITS.text)
                ))
                .hint("le classeur répète sans doute un très long texte dans de nombreuses cellules : effacez ce qui ne relève pas du suivi, enregistrez, puis relancez l'import"));
        }
        self.budget.cells -= new_cells;
        self.budget.text -= text;
        if new_rows > 0 {
            self.rows.resize(r + 1, Vec::new());
        }
        let cells = &mut self.rows[r];
        if cells.len() <= c {
            cells.resize(c + 1, Cell::Empty);
        }
        cells[c] = make();
        Ok(())
    }

    fn into_worksheet(self) -> Sheet {
        Sheet {
            name: self.worksheet,
            rows: self.rows,
        }
    }
}

fn cell_of(data: &Data) -> Cell {
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

/// A worksheet saved as CSV: comma, semicolon or tab, UTF-8 or Windows-1252, as
/// `ctg import` reads a plan. Blank fields are left empty.
fn csv_worksheet(
    name: &str,
    bytes: &[u8],
    tab: bool,
    budget: &mut Budget,
) -> Result<Sheet, Diagnostic> {
    let (text, _) = decode(bytes);
    let mut reader = csv_reader(&text, tab);
    let mut grid = Grid::new(name, None, budget);
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Diagnostic::error(format!("`{name}` : CSV illisible à la ligne {line}"))
                .hint("un guillemet ouvert n'est pas refermé : enregistrez à nouveau la feuille au format CSV")
        })?;
        for (c, field) in record.iter().enumerate() {
            if !field.trim().is_empty() {
                let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                grid.put(at(r), at(c), field.len(), || Cell::Text(field.to_string()))?;
            }
        }
    }
    Ok(grid.into_worksheet())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_as_spreadsheets_name_cells() {
        let place = Place {
            book: "suivi-2026-jeunesse.xlsx".into(),
            worksheet: Some("Suivi 2026".into()),
            row: 13,
            col: 3,
        };
        assert_eq!(
            place.to_string(),
            "suivi-2026-jeunesse.xlsx, Suivi 2026!D14"
        );
        let csv = Place {
            worksheet: None,
            ..place
        };
        assert_eq!(csv.to_string(), "suivi-2026-jeunesse.xlsx, cellule D14");
    }

    #[test]
    fn csv_cells_are_text_from_a1() {
        let mut budget = Budget {
            cells: LIMITS.cells,
            text: LIMITS.text,
        };
        let worksheet = csv_worksheet(
            "s.csv",
            "Identifiant;État 2026\na;en cours\n".as_bytes(),
            false,
            &mut budget,
        )
        .unwrap();
        assert_eq!(worksheet.rows[1][1], Cell::Text("en cours".into()));
        assert_eq!(worksheet.rows[0].len(), 2);
    }

    #[test]
    fn a_file_that_is_no_workbook_is_named() {
        let err = parse(
            "notes.xlsx",
            std::io::Cursor::new(b"bonjour"),
            WorkbookFormat::Xlsx,
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "`notes.xlsx` n'est pas un classeur Excel lisible : ce n'est pas une archive de classeur"
        );
    }

    #[test]
    fn numbers_are_written_in_french() {
        assert_eq!(french_number(12.0), "12");
        assert_eq!(french_number(12.5), "12,5");
    }
}
