//! Import (before the pipeline): an existing plan, kept as a Word table or a
//! spreadsheet, becomes an [`ImportedPlan`] (fields, sub-sections, actions with
//! their cells as Markdown), which [`crate::scaffold`] writes out as a project.
//!
//! Readers ([`docx`], [`spreadsheet`]) turn each row of the source into calls on a
//! [`Builder`], which keeps the current field and sub-section and reports, with
//! its place in the source file, everything it cannot map.

pub mod docx;
pub mod markdown;
pub mod names;
pub mod spreadsheet;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::model::YearRange;
use markdown::{Block, CellMarkdown};
use names::{Column, TEXT_COLUMNS, loose};

/// A plan read from a source file, before ids and files are chosen.
#[derive(Debug, Clone, Default)]
pub struct ImportedPlan {
    /// The source file, as named to the user.
    pub source: String,
    /// Text found around the table: title, parties, heading, caption, period.
    pub front: FrontMatter,
    /// Column labels as the source writes them (header cells of the table).
    pub columns: BTreeMap<Column, String>,
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
    /// Deadline as written.
    pub echeance: String,
    /// The six text cells, Markdown, in [`TEXT_COLUMNS`] order.
    pub cells: [String; 6],
    /// Where the row is in the source, for messages.
    pub origin: String,
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
    /// Text cells by column; a column absent from the source is absent here.
    pub text: BTreeMap<Column, Vec<Block>>,
    pub echeance: Option<String>,
    pub id: Option<String>,
}

/// Label of the field that collects actions found before any field label.
pub const UNFILED_FIELD: &str = "À classer";

/// Builds an [`ImportedPlan`] row by row and collects what could not be mapped.
pub struct Builder {
    pub plan: ImportedPlan,
    file: SourceFile,
    current_field: Option<usize>,
    current_subsection: Option<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Builder {
    pub fn new(file: SourceFile) -> Self {
        Self {
            plan: ImportedPlan {
                source: file.name.clone(),
                ..ImportedPlan::default()
            },
            file,
            current_field: None,
            current_subsection: None,
            diagnostics: Vec::new(),
        }
    }

    /// A warning about the source at `at`.
    pub fn warn(&mut self, at: &Location, message: impl fmt::Display, hint: Option<String>) {
        let mut d = Diagnostic::warning(format!("{at} : {message}"));
        d = match &at.span {
            Some(span) => d.at(&self.file, span.clone()),
            None => d.in_file(&self.file),
        };
        if let Some(hint) = hint {
            d = d.hint(hint);
        }
        self.diagnostics.push(d);
    }

    /// A warning about the source as a whole; `message` says where.
    pub fn note(&mut self, message: impl fmt::Display, hint: Option<String>) {
        let mut d = Diagnostic::warning(message.to_string()).in_file(&self.file);
        if let Some(hint) = hint {
            d = d.hint(hint);
        }
        self.diagnostics.push(d);
    }

    /// A field label: switches to that field, a known one when the label is the
    /// same (compared loosely: "Petite Enfance" and "Petite enfance" are one
    /// field). A footnote mark after the label is kept apart and reported.
    pub fn field(&mut self, raw_label: &str, at: &Location) {
        let (label, mark) = split_mark(raw_label);
        if label.is_empty() {
            return;
        }
        let index = match self
            .plan
            .fields
            .iter()
            .position(|f| loose(&f.label) == loose(&label))
        {
            Some(i) => i,
            None => {
                self.plan.fields.push(ImportedField {
                    label: label.clone(),
                    mark: None,
                    note: None,
                    subsections: Vec::new(),
                    actions: Vec::new(),
                });
                self.plan.fields.len() - 1
            }
        };
        if let Some(mark) = mark {
            let field = &mut self.plan.fields[index];
            if field.mark.is_none() {
                field.mark = Some(mark.clone());
                self.warn(
                    at,
                    format!("marque de note « {mark} » retirée du libellé « {label} »"),
                    Some(format!(
                        "la marque est gardée dans convention.toml (`[[notes]]` avec `marque = \"{mark}\"`, et `note` sur le champ) : vérifiez le texte de la note"
                    )),
                );
            }
        }
        if self.current_field != Some(index) {
            self.current_field = Some(index);
            self.current_subsection = None;
        }
    }

    /// A sub-section label of the current field.
    pub fn subsection(&mut self, label: &str, at: &Location) {
        let label = markdown::collapse_spaces(label);
        if label.is_empty() {
            return;
        }
        let field = self.field_for_row(at);
        let subs = &mut self.plan.fields[field].subsections;
        let index = match subs.iter().position(|s| loose(s) == loose(&label)) {
            Some(i) => i,
            None => {
                subs.push(label);
                subs.len() - 1
            }
        };
        self.current_subsection = Some(index);
    }

    /// The rows that follow belong to no sub-section of the current field.
    pub fn no_subsection(&mut self) {
        self.current_subsection = None;
    }

    /// The current field, or the field of unfiled actions when no field label has
    /// been seen yet (reported).
    fn field_for_row(&mut self, at: &Location) -> usize {
        if let Some(i) = self.current_field {
            return i;
        }
        self.warn(
            at,
            "ligne sans champ d'intervention : aucun libellé de champ au-dessus",
            Some(format!(
                "rangée dans le champ « {UNFILED_FIELD} » : renommez ce champ dans convention.toml, ou déplacez le fichier de l'action dans le dossier du bon champ (et sa clé `champ`)"
            )),
        );
        self.field(UNFILED_FIELD, at);
        self.current_field.expect("just set")
    }

    /// An action row of the current field and sub-section.
    pub fn action(&mut self, cells: RowCells, at: &Location, columns: &[(Column, usize)]) {
        let field = self.field_for_row(at);
        let column_of = |c: Column| columns.iter().find(|(k, _)| *k == c).map(|(_, n)| *n);
        let mut texts: [String; 6] = Default::default();
        let mut empty = Vec::new();
        for (slot, column) in TEXT_COLUMNS.iter().enumerate() {
            let blocks = cells
                .text
                .get(column)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let CellMarkdown {
                markdown,
                formatting_lost,
            } = markdown::to_markdown(blocks);
            if formatting_lost {
                let place = match column_of(*column) {
                    Some(n) => at.column(n),
                    None => at.clone(),
                };
                self.warn(
                    &place,
                    format!("mise en forme (gras, italique, exposant) non reprise dans `{}`", column.key()),
                    Some("le texte est repris tel quel ; remettez la mise en forme en Markdown (`**gras**`, `*italique*`) si elle compte".into()),
                );
            }
            if markdown.trim().is_empty() {
                empty.push(column.key());
                // A cell left blank in the plan: the data format wants a text.
                texts[slot] = "\\-".to_string();
            } else {
                texts[slot] = markdown;
            }
        }
        if !empty.is_empty() {
            self.warn(
                at,
                format!("cellule(s) vide(s) : {}", empty.join(", ")),
                Some("« - » est écrit à leur place : remplacez-le par le texte voulu, ou gardez-le si la cellule est vide dans le plan signé".into()),
            );
        }
        let echeance = cells
            .echeance
            .map(|e| markdown::collapse_spaces(&e))
            .filter(|e| !e.is_empty());
        let echeance = match echeance {
            Some(e) => {
                if YearRange::parse(&e).is_err() {
                    let place = match column_of(Column::Echeance) {
                        Some(n) => at.column(n),
                        None => at.clone(),
                    };
                    self.warn(
                        &place,
                        format!("échéance illisible : « {e} »"),
                        Some("écrite telle quelle : `ctg check` la refusera tant qu'elle n'est pas une année (\"2024\") ou une période (\"2023-2027\")".into()),
                    );
                }
                e
            }
            None => {
                self.warn(
                    at,
                    "échéance vide",
                    Some("la période de la convention est écrite à sa place : précisez-la dans le fichier de l'action".into()),
                );
                String::new()
            }
        };
        let subsection = self.current_subsection;
        self.plan.fields[field].actions.push(ImportedAction {
            subsection,
            id: cells.id,
            echeance,
            cells: texts,
            origin: at.to_string(),
        });
    }

    pub fn finish(self) -> (ImportedPlan, Vec<Diagnostic>) {
        (self.plan, self.diagnostics)
    }
}

/// Splits a footnote mark off a field label: "Jeunesse *" → ("Jeunesse", "*");
/// also "(1)", superscript digits and daggers.
pub fn split_mark(raw: &str) -> (String, Option<String>) {
    let label = markdown::collapse_spaces(raw);
    let is_mark_char = |c: char| {
        matches!(
            c,
            '*' | '†' | '‡' | '¹' | '²' | '³' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' | '⁰'
        )
    };
    let trimmed = label.trim_end_matches(is_mark_char);
    if trimmed.len() < label.len() && !trimmed.trim().is_empty() {
        let mark = label[trimmed.len()..].to_string();
        return (trimmed.trim_end().to_string(), Some(mark));
    }
    // "(1)" at the end.
    if let Some(open) = label.rfind('(')
        && label.ends_with(')')
        && open > 0
        && label[open + 1..label.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
        && label.len() - open > 2
    {
        return (
            label[..open].trim_end().to_string(),
            Some(label[open..].to_string()),
        );
    }
    (label, None)
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
    if imported.plan.front.date.is_none() {
        imported.plan.front.date = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| time::OffsetDateTime::from(t).date())
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
    }
    Ok(imported)
}

/// The column labels expected in a source table, for hints.
pub fn expected_columns() -> String {
    std::iter::once(&Column::Champ)
        .chain(TEXT_COLUMNS.iter())
        .chain(std::iter::once(&Column::Echeance))
        .map(|c| format!("« {} »", c.official()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_split_off_labels() {
        assert_eq!(
            split_mark("Jeunesse *"),
            ("Jeunesse".into(), Some("*".into()))
        );
        assert_eq!(
            split_mark("Jeunesse**"),
            ("Jeunesse".into(), Some("**".into()))
        );
        assert_eq!(
            split_mark("Logement (1)"),
            ("Logement".into(), Some("(1)".into()))
        );
        assert_eq!(split_mark("Santé²"), ("Santé".into(), Some("²".into())));
        assert_eq!(
            split_mark("Petite  Enfance"),
            ("Petite Enfance".into(), None)
        );
        assert_eq!(split_mark("*"), ("*".into(), None));
        assert_eq!(split_mark("Relais (RPE)"), ("Relais (RPE)".into(), None));
    }

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
