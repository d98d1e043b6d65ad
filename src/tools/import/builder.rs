//! Import, the builder: the readers give it the source's header, then each
//! of its rows (field labels, sub-sections, actions); it keeps the current
//! field and sub-section, declares the columns once every row is known, writes
//! each cell for its column's kind, and reports, with its place in the source
//! file, everything it cannot map.

use std::collections::BTreeMap;
use std::fmt;

use super::columns::{amount, deadline, declare, number};
use super::markdown::{self, CellMarkdown};
use super::names::{loose, same};
use super::{
    ImportedAction, ImportedField, ImportedPlan, Location, RowCells, SourceColumn, excerpt,
};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::YearRangeError;
use crate::model::shape::{Column, ColumnType, Shape, is_key};

/// Label of the field that collects actions found before any field label.
const UNFILED_FIELD: &str = "À classer";

/// An action row, kept as read until every row is known: a column's kind
/// depends on all its cells.
struct PendingRow {
    field: usize,
    subsection: Option<usize>,
    cells: RowCells,
    at: Location,
    /// The source's column number of each header column, for messages.
    numbers: BTreeMap<usize, usize>,
}

/// Builds an [`ImportedPlan`] row by row and collects what could not be mapped.
pub struct Builder {
    pub plan: ImportedPlan,
    file: SourceFile,
    header: Vec<SourceColumn>,
    rows: Vec<PendingRow>,
    current_field: Option<usize>,
    current_subsection: Option<usize>,
    pub diagnostics: Vec<Diagnostic>,
    /// Periods written with « à » and rewritten with a dash: where, as read,
    /// as written.
    rewritten: Vec<(Location, String, String)>,
}

impl Builder {
    pub fn new(file: SourceFile) -> Self {
        Self {
            plan: ImportedPlan {
                source: file.name.clone(),
                ..ImportedPlan::default()
            },
            file,
            header: Vec::new(),
            rows: Vec::new(),
            current_field: None,
            current_subsection: None,
            diagnostics: Vec::new(),
            rewritten: Vec::new(),
        }
    }

    /// The source's header: the first column's label, then the plan's
    /// columns; the cells of each row are given by index in `columns`.
    pub fn header(&mut self, first_column: &str, columns: Vec<SourceColumn>) {
        // The open data names it by its key (`champ`): the reference label then.
        let label = markdown::collapse_spaces(first_column);
        self.plan.first_column = Some(label).filter(|l| !is_key(l));
        self.header = columns;
    }

    /// A warning about the source at `at`.
    pub fn warn(&mut self, at: &Location, message: impl fmt::Display, hint: Option<String>) {
        let d = Diagnostic::warning(format!("{at} : {message}"));
        self.push_at(d, at, hint);
    }

    /// An error about the source at `at`: the import writes nothing.
    pub fn error(&mut self, at: &Location, message: impl fmt::Display, hint: String) {
        let d = Diagnostic::error(format!("{at} : {message}"));
        self.push_at(d, at, Some(hint));
    }

    fn push_at(&mut self, d: Diagnostic, at: &Location, hint: Option<String>) {
        let mut d = match &at.span {
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

    /// An action row of the current field and sub-section; `numbers` gives the
    /// source's column number of each header column it has a cell in.
    pub fn action(&mut self, cells: RowCells, at: &Location, numbers: &[(usize, usize)]) {
        let field = self.field_for_row(at);
        self.rows.push(PendingRow {
            field,
            subsection: self.current_subsection,
            cells,
            at: at.clone(),
            numbers: numbers.iter().copied().collect(),
        });
    }

    /// The imported plan: the columns declared from the header and what their
    /// cells hold, then each action with its values.
    pub fn finish(mut self) -> (ImportedPlan, Vec<Diagnostic>) {
        let texts: Vec<Vec<String>> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.cells.values.get(&i))
                    .map(|blocks| markdown::one_line(blocks))
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .collect();
        let columns = declare(&self.header, &texts, self.rows.len());
        let inferred = inferred_deadline(&self.header, &columns, &texts);
        for (column, source) in columns.iter().zip(std::mem::take(&mut self.header)) {
            // The open data's names: a reference model's column gets its
            // label back, any other one a label made from its name.
            let humanised =
                is_key(&source.label) && Shape::reference_column(&source.label, same).is_none();
            if humanised {
                self.note(
                    format!(
                        "intitulé de la colonne `{}` tiré de son nom : « {} »",
                        source.label, column.label
                    ),
                    Some("vérifiez-le dans convention.toml, table `[[colonnes]]` : c'est l'en-tête du tableau".into()),
                );
            }
        }
        self.plan.columns = columns;
        for row in std::mem::take(&mut self.rows) {
            let values = self.values(&row, inferred.as_ref());
            self.plan.fields[row.field].actions.push(ImportedAction {
                subsection: row.subsection,
                id: row.cells.id.clone(),
                values,
                origin: row.at.to_string(),
            });
        }
        if let Some((at, read, written)) = self.rewritten.first() {
            let example = format!("« {read} » écrite « {written} » ({at})");
            let message = match self.rewritten.len() {
                1 => format!("période d'échéance reprise avec un tiret : {example}"),
                n => format!("{n} périodes d'échéance reprises avec un tiret, dont {example}"),
            };
            self.note(
                message,
                Some("les fichiers d'action écrivent une période avec un tiret, et le plan l'imprime ainsi".into()),
            );
        }
        (self.plan, self.diagnostics)
    }

    /// The values of one row, each written for its column's kind; what is lost
    /// or left empty is reported, and a cell of an `inferred` échéance column
    /// that is not a year or a period is an error.
    fn values(&mut self, row: &PendingRow, inferred: Option<&InferredDeadline>) -> Vec<String> {
        let place = |i: usize| match row.numbers.get(&i) {
            Some(&n) => row.at.column(n),
            None => row.at.clone(),
        };
        let mut empty = Vec::new();
        let mut values = Vec::new();
        for (i, column) in self.plan.columns.clone().iter().enumerate() {
            let blocks = row
                .cells
                .values
                .get(&i)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let value = match column.kind {
                ColumnType::Text => {
                    let CellMarkdown {
                        markdown,
                        formatting_lost,
                    } = markdown::to_markdown(blocks);
                    if formatting_lost {
                        self.warn(
                            &place(i),
                            format!("mise en forme (gras, italique, exposant) non reprise dans `{}`", column.key),
                            Some("le texte est repris tel quel ; remettez la mise en forme en Markdown (`**gras**`, `*italique*`) si elle compte".into()),
                        );
                    }
                    if markdown.trim().is_empty() {
                        empty.push(column.key.clone());
                        // A cell left blank in the plan: the data format wants a text.
                        "\\-".to_string()
                    } else {
                        markdown
                    }
                }
                ColumnType::Deadline => {
                    let read = markdown::one_line(blocks);
                    let parsed = deadline(&read);
                    let text = match &parsed {
                        Ok(written) if *written != read => {
                            self.rewritten
                                .push((place(i), read.clone(), written.clone()));
                            written.clone()
                        }
                        _ => read,
                    };
                    if text.is_empty() {
                        self.warn(
                            &row.at,
                            "échéance vide",
                            Some("la période de la convention est écrite à sa place : précisez-la dans le fichier de l'action".into()),
                        );
                    } else if let (Err(e), Some(inferred)) =
                        (&parsed, inferred.filter(|d| d.column == i))
                    {
                        let (message, hint) = self.undated_cell(row, column, &text, e, inferred);
                        self.error(&place(i), message, hint);
                    } else if parsed.is_err() {
                        self.warn(
                            &place(i),
                            format!("échéance illisible : « {text} »"),
                            Some("écrite telle quelle : `ctg check` la refusera tant qu'elle n'est pas une année (\"2024\") ou une période (\"2023-2027\")".into()),
                        );
                    }
                    text
                }
                ColumnType::Amount => amount(&markdown::one_line(blocks)).unwrap_or_default(),
                ColumnType::Number => number(&markdown::one_line(blocks)).unwrap_or_default(),
            };
            values.push(value);
        }
        if !empty.is_empty() {
            self.warn(
                &row.at,
                format!("cellule(s) vide(s) : {}", empty.join(", ")),
                Some("« - » est écrit à leur place : remplacez-le par le texte voulu, ou gardez-le si la cellule est vide dans le plan signé".into()),
            );
        }
        values
    }

    /// The error for a cell of an inferred échéance column that is not a year
    /// or a period: its value, its column and the action it belongs to, then
    /// what a date looks like.
    fn undated_cell(
        &self,
        row: &PendingRow,
        column: &Column,
        text: &str,
        error: &YearRangeError,
        inferred: &InferredDeadline,
    ) -> (String, String) {
        let what = match error {
            YearRangeError::NotAYear(_) => format!("« {text} » n'est ni une année ni une période"),
            YearRangeError::Reversed { start, end } => {
                format!("« {text} » est une période à l'envers ({start} est après {end})")
            }
        };
        let field = &self.plan.fields[row.field].label;
        // The action as the plan names it: its first text column.
        let title = self
            .plan
            .columns
            .iter()
            .position(|c| c.kind == ColumnType::Text)
            .and_then(|t| row.cells.values.get(&t))
            .map(|blocks| markdown::one_line(blocks))
            .filter(|t| !t.is_empty());
        let action = match title {
            Some(title) => format!("action « {} » du champ « {field} »", excerpt(&title)),
            None => format!("action du champ « {field} »"),
        };
        let message = format!(
            "{what}, dans la colonne « {} », lue comme l'échéance ({action})",
            column.label
        );
        let hint = format!(
            "{} des {} cellules remplies de la colonne « {} » sont des années ou des périodes : elle devient l'échéance des actions, que suivent les bilans ; écrivez dans cette cellule une année (« 2025 ») ou une période (« 2025-2026 », « 2023 à 2027 »), ou videz-la pour que l'action coure sur toute la période de la convention, puis importez à nouveau le document",
            inferred.dated, inferred.cells, column.label
        );
        (message, hint)
    }
}

/// The échéance column that its cells made one although some of them are not
/// years or periods (see `kind_of` in [`super::columns`]): those cells are errors.
struct InferredDeadline {
    column: usize,
    /// How many of its non-empty cells are years or periods, of how many.
    dated: usize,
    cells: usize,
}

/// The échéance column read from its cells, when one of them is not a date.
/// A column that the header makes an échéance (the reference model's
/// « Échéance », the open data's pair) keeps its unreadable cells as written,
/// with a warning, as `ctg check` then points at them.
fn inferred_deadline(
    header: &[SourceColumn],
    columns: &[Column],
    texts: &[Vec<String>],
) -> Option<InferredDeadline> {
    let column = columns
        .iter()
        .position(|c| c.kind == ColumnType::Deadline)?;
    let source = header.get(column)?;
    if source.kind.is_some() || Shape::reference_column(&source.label, same).is_some() {
        return None;
    }
    let cells = texts.get(column)?;
    let dated = cells.iter().filter(|c| deadline(c).is_ok()).count();
    (dated < cells.len()).then_some(InferredDeadline {
        column,
        dated,
        cells: cells.len(),
    })
}

/// Splits a footnote mark off a field label: "Jeunesse *" → ("Jeunesse", "*");
/// also "(1)", superscript digits and daggers.
fn split_mark(raw: &str) -> (String, Option<String>) {
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
}
