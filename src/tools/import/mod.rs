//! Import (before the pipeline): an existing plan, kept as a Word table or a
//! spreadsheet, becomes an [`ImportedPlan`] (fields, sub-sections, actions with
//! their cells as Markdown), which [`crate::tools::scaffold`] writes out as a project.
//!
//! Readers ([`docx`], [`spreadsheet`]) give the [`Builder`] the source's header,
//! then each of its rows. The header becomes the imported plan's shape: its
//! columns keep their labels and get keys (the reference model's for its own
//! columns, else derived from the label), and a kind read from their cells. The
//! builder keeps the current field and sub-section and reports, with its place
//! in the source file, everything it cannot map ([`builder`]); the columns'
//! declaration and their cells as the action files write them are
//! [`columns`]'s.

mod builder;
mod columns;
pub mod docx;
pub mod markdown;
pub mod names;
pub mod signature;
pub mod spreadsheet;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Failure};
use crate::model::SignaturePlace;
use crate::model::shape::{Column, ColumnType};
use markdown::Block;
use names::FIRST_COLUMN_LABELS;

pub use builder::Builder;

/// A plan read from a source file, before ids and files are chosen.
#[derive(Debug, Clone, Default)]
pub struct ImportedPlan {
    /// The source file, as named to the user.
    pub source: String,
    /// Text found around the table: title, parties, heading, caption, period.
    pub front: FrontMatter,
    /// The first column's header as the source writes it; `None` when the
    /// source names it by its key (open data).
    pub first_column: Option<String>,
    /// The plan's columns, from the source's header: its declaration.
    pub columns: Vec<Column>,
    pub fields: Vec<ImportedField>,
    /// Full names of the intercommunality and of the Caf, when the source has them
    /// (the open-data CSV does).
    pub collectivite: Option<String>,
    pub caf: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub titre: Option<String>,
    pub parties: Option<String>,
    pub intitule: Option<String>,
    pub legende: Option<String>,
    pub periode: Option<String>,
    /// Date of the source's last edition, `YYYY-MM-DD`: the document's own
    /// metadata, else the file's modification date.
    pub date: Option<String>,
    /// Place and date of « Fait à …, le … » below the table, when found.
    pub signature: Option<SignaturePlace>,
}

#[derive(Debug, Clone)]
pub struct ImportedField {
    pub label: String,
    /// A footnote mark that followed the label ("Jeunesse *"), and the note's
    /// text when it was found below the table.
    pub mark: Option<String>,
    pub note: Option<String>,
    pub subsections: Vec<String>,
    pub actions: Vec<ImportedAction>,
}

#[derive(Debug, Clone)]
pub struct ImportedAction {
    /// Index in the field's `subsections`.
    pub subsection: Option<usize>,
    /// An id given by the source (open-data CSV), used when valid and unique.
    pub id: Option<String>,
    /// One value per column of the plan: Markdown for text, the text as
    /// written for the other kinds (an amount as a number: "12500.5"); empty
    /// when the source has none.
    pub values: Vec<String>,
    /// Where the row is in the source, for messages.
    pub origin: String,
}

/// A column of the source's header, as read.
#[derive(Debug, Clone, Default)]
pub struct SourceColumn {
    pub label: String,
    pub group: Option<String>,
    /// The kind, when the header tells it (the open data's two columns of an
    /// échéance); else the reference model's, or read from the cells.
    pub kind: Option<ColumnType>,
}

/// Where something is in a source file: table, row and column of a Word table, or
/// line and column of a CSV file (with the line's byte range, to underline it).
#[derive(Debug, Clone, Default)]
pub struct Location {
    pub table: Option<usize>,
    pub row: usize,
    pub column: Option<usize>,
    pub span: Option<Range<usize>>,
}

impl Location {
    pub fn column(&self, column: usize) -> Location {
        Location {
            column: Some(column),
            ..self.clone()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(table) = self.table {
            write!(f, "tableau {table}, ")?;
        }
        write!(f, "ligne {}", self.row)?;
        if let Some(column) = self.column {
            write!(f, ", colonne {column}")?;
        }
        Ok(())
    }
}

/// The cells of one action row, as read.
#[derive(Debug, Clone, Default)]
pub struct RowCells {
    /// Cells by index of the header's columns; a column without a cell in this
    /// row is absent.
    pub values: BTreeMap<usize, Vec<Block>>,
    pub id: Option<String>,
}

/// The first characters of a long text, for messages.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// What an import produced: the plan and the warnings.
#[derive(Debug)]
pub struct Imported {
    pub plan: ImportedPlan,
    pub warnings: Vec<Diagnostic>,
}

/// Reads a source file by its extension: `.docx`, `.csv` or `.tsv`.
pub fn read(path: &Path) -> Result<Imported, Failure> {
    let shown = path.display().to_string();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let unsupported = |hint: &str| {
        Failure(vec![
            Diagnostic::error(format!("format non pris en charge : `{shown}`"))
                .hint(hint.to_string()),
        ])
    };
    let mut imported = match extension.as_str() {
        "docx" => docx::read(path)?,
        "csv" | "tsv" | "txt" => spreadsheet::read(path)?,
        "doc" => {
            return Err(unsupported(
                "les documents Word anciens (.doc) ne sont pas lus : ouvrez-le dans Word ou LibreOffice et enregistrez-le au format .docx",
            ));
        }
        "odt" => {
            return Err(unsupported(
                "ouvrez-le dans LibreOffice et enregistrez-le au format Word (.docx)",
            ));
        }
        "xlsx" | "xls" | "ods" => {
            return Err(unsupported(
                "exportez la feuille au format CSV (« Enregistrer sous » → CSV UTF-8), avec une ligne d'en-tête, puis importez le fichier .csv",
            ));
        }
        _ => {
            return Err(unsupported(
                "ctg importe un tableau Word (.docx) ou un fichier CSV/TSV exporté d'un tableur",
            ));
        }
    };
    // A cell that the plan cannot hold as read (a deadline that is not one):
    // every such cell is reported, and nothing is written.
    if imported.warnings.iter().any(Diagnostic::is_error) {
        // Errors first: a long list of warnings must not push them out of
        // what is shown.
        let mut diagnostics = imported.warnings;
        diagnostics.sort_by_key(|d| !d.is_error());
        return Err(Failure(diagnostics));
    }
    if imported.plan.front.date.is_none() {
        imported.plan.front.date = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| time::OffsetDateTime::from(t).date())
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
    }
    Ok(imported)
}

/// The headers of the first column that a source table may have, for hints.
pub fn expected_columns() -> String {
    let labels: Vec<String> = FIRST_COLUMN_LABELS
        .iter()
        .map(|l| format!("« {l} »"))
        .collect();
    format!(
        "{} (ou {}) puis les colonnes du plan",
        labels[0],
        labels[1..].join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_as_french() {
        let at = Location {
            table: Some(1),
            row: 5,
            column: Some(3),
            span: None,
        };
        assert_eq!(at.to_string(), "tableau 1, ligne 5, colonne 3");
        let at = Location {
            table: None,
            row: 12,
            column: None,
            span: None,
        };
        assert_eq!(at.to_string(), "ligne 12");
    }
}
