//! Import (before the pipeline): an existing plan, kept as a Word table or a
//! spreadsheet, becomes an [`ImportedPlan`] (fields, sub-sections, actions with
//! their cells as Markdown), which [`crate::scaffold`] writes out as a project.
//!
//! Readers ([`docx`], [`spreadsheet`]) give the [`Builder`] the source's header,
//! then each of its rows. The header becomes the imported plan's shape: its
//! columns keep their labels and get keys (the reference model's for its own
//! columns, else derived from the label), and a kind read from their cells. The
//! builder keeps the current field and sub-section and reports, with its place
//! in the source file, everything it cannot map.

pub mod docx;
pub mod markdown;
pub mod names;
pub mod signature;
pub mod spreadsheet;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::model::shape::{Column, Kind, RESERVED_KEYS, Shape, is_key, key_of};
use crate::model::{SignaturePlace, YearRange, YearRangeError};
use markdown::{Block, CellMarkdown};
use names::{FIRST_COLUMN_LABELS, loose, same};

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
    pub kind: Option<Kind>,
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

/// Label of the field that collects actions found before any field label.
pub const UNFILED_FIELD: &str = "À classer";

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
                Kind::Text => {
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
                Kind::Deadline => {
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
                Kind::Amount => amount(&markdown::one_line(blocks)).unwrap_or_default(),
                Kind::Number => number(&markdown::one_line(blocks)).unwrap_or_default(),
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
            .position(|c| c.kind == Kind::Text)
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
/// years or periods (see [`kind_of`]): those cells are errors.
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
    let column = columns.iter().position(|c| c.kind == Kind::Deadline)?;
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

/// A deadline as the action files write it: the cell's text when it is a year
/// or a period (« 2024 », « 2023 - 2027 »), and a period written with « à »
/// (« 2023 à 2027 », « de 2023 à 2027 ») with a dash instead, "2023-2027", as
/// the data wants one.
fn deadline(text: &str) -> Result<String, YearRangeError> {
    let error = match YearRange::parse(text) {
        Ok(_) => return Ok(text.to_string()),
        Err(e) => e,
    };
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        [start, "à" | "a" | "au", end] | ["de" | "du", start, "à" | "a" | "au", end] => {
            let dashed = format!("{start}-{end}");
            YearRange::parse(&dashed).map(|_| dashed)
        }
        _ => Err(error),
    }
}

/// The first characters of a long text, for messages.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// The declaration of the source's columns: the reference model's key, kind
/// and width for its own columns, else a key derived from the label and a kind
/// read from the cells (`texts`: each column's non-empty cells, of `rows` rows).
fn declare(header: &[SourceColumn], texts: &[Vec<String>], rows: usize) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    let mut has_deadline = false;
    for (source, cells) in header.iter().zip(texts) {
        let reference = Shape::reference_column(&source.label, same);
        // The open data's own headers are keys: the reference label then.
        let label = match &reference {
            Some(r) if is_key(&source.label) => r.label.clone(),
            _ if is_key(&source.label) => humanised(&source.label),
            _ => source.label.clone(),
        };
        let taken = |k: &str| RESERVED_KEYS.contains(&k) || columns.iter().any(|c| c.key == k);
        let base = match &reference {
            Some(r) => r.key.clone(),
            None => match key_of(&label) {
                k if k.is_empty() => "colonne".to_string(),
                k => k,
            },
        };
        let key = unique_key(&base, taken);
        let kind = match (source.kind, &reference) {
            (Some(kind), _) => kind,
            (None, Some(r)) => r.kind,
            (None, None) => kind_of(&label, cells, has_deadline),
        };
        let kind = if kind == Kind::Deadline && has_deadline {
            Kind::Text
        } else {
            kind
        };
        has_deadline |= kind == Kind::Deadline;
        // An empty text cell gets « - », an empty échéance the convention's
        // period: only figures can be left out.
        let required = match kind {
            Kind::Text | Kind::Deadline => true,
            Kind::Amount | Kind::Number => cells.len() == rows,
        };
        // The reference model's width and description for one of its columns.
        let (width, description) = match reference {
            Some(r) if r.kind == kind => (r.width, r.description),
            _ => (kind.default_width(), None),
        };
        columns.push(Column {
            key,
            label,
            group: source.group.clone(),
            kind,
            required,
            shown: true,
            width,
            description,
        });
    }
    reference_groups(&mut columns);
    columns
}

/// A flat header of exactly the reference model's columns, in its order (the
/// open data of a reference plan, a sheet of the official table), gets the
/// reference model's groups back.
fn reference_groups(columns: &mut [Column]) {
    let reference = Shape::reference();
    let flat = columns.iter().all(|c| c.group.is_none());
    let same_columns = columns.len() == reference.columns.len()
        && columns
            .iter()
            .zip(&reference.columns)
            .all(|(c, r)| c.key == r.key);
    if flat && same_columns {
        for (c, r) in columns.iter_mut().zip(reference.columns) {
            c.group = r.group;
        }
    }
}

/// `base`, or `base_2`, `base_3`… whichever `taken` does not hold yet.
fn unique_key(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken(candidate))
        .expect("an unbounded range always yields a free name")
}

/// A label from a key: `budget_previsionnel` → "Budget previsionnel".
fn humanised(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The kind of a column from its cells: échéance when they are mostly years or
/// periods (and the plan has none yet), amount when every cell is an amount
/// and the column speaks of euros, whole number when every cell is one; else
/// text.
fn kind_of(label: &str, cells: &[String], has_deadline: bool) -> Kind {
    if cells.is_empty() {
        return Kind::Text;
    }
    // "Mostly": strictly more than half of the non-empty cells. One « à définir »
    // among dated cells is a mistake in an échéance column, reported at its
    // place, not a reason to make the column text and lose the reviews' follow-up
    // of the deadline; half or less is a text column that holds some dates. A
    // column of whole numbers only, some of which look like years (« 2000 »
    // places), stays a column of figures unless every cell is a year.
    let dated = cells.iter().filter(|c| deadline(c).is_ok()).count();
    let figures = cells.iter().all(|c| number(c).is_some());
    let mostly_dated = dated * 2 > cells.len() && (dated == cells.len() || !figures);
    if !has_deadline && mostly_dated {
        return Kind::Deadline;
    }
    let euros = |t: &str| t.contains('€') || loose(t).split(' ').any(|w| w == "euro");
    let money_label = loose(label)
        .split(' ')
        .any(|w| matches!(w, "budget" | "montant" | "cout" | "euro" | "financement"));
    if cells.iter().all(|c| amount(c).is_some()) && (money_label || cells.iter().any(|c| euros(c)))
    {
        return Kind::Amount;
    }
    if cells.iter().all(|c| number(c).is_some()) {
        return Kind::Number;
    }
    Kind::Text
}

/// An amount as written in a plan ("12 500 €", "12500,50 euros", "4500.5"), in
/// the form of the action files: "12500", "12500.5".
fn amount(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let figures = lower
        .trim()
        .trim_end_matches("euros")
        .trim_end_matches("euro")
        .trim_end_matches('€')
        .trim();
    let figures: String = figures
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect::<String>()
        .replace(',', ".");
    let (euros, cents) = figures.split_once('.').unwrap_or((&figures, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if euros.is_empty() || euros.len() > 13 || !digits(euros) || cents.len() > 2 || !digits(cents) {
        return None;
    }
    let euros = euros.trim_start_matches('0');
    let euros = if euros.is_empty() { "0" } else { euros };
    let cents = cents.trim_end_matches('0');
    Some(if cents.is_empty() {
        euros.to_string()
    } else {
        format!("{euros}.{cents}")
    })
}

/// A whole number as written ("12", "1 200"), without its spaces.
fn number(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    let valid =
        !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit());
    valid
        .then(|| digits.trim_start_matches('0').to_string())
        .map(|d| if d.is_empty() { "0".into() } else { d })
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
    fn amounts_and_numbers_as_written_in_plans() {
        assert_eq!(amount("12 500 €").as_deref(), Some("12500"));
        assert_eq!(
            amount("12\u{202f}500,50\u{a0}€").as_deref(),
            Some("12500.5")
        );
        assert_eq!(amount("4500.05 euros").as_deref(), Some("4500.05"));
        assert_eq!(amount("0 €").as_deref(), Some("0"));
        assert_eq!(amount("environ 3 000 €"), None);
        assert_eq!(amount("12,555"), None);
        assert_eq!(number("1 200").as_deref(), Some("1200"));
        assert_eq!(number("12 places"), None);
    }

    #[test]
    fn periods_written_with_a_word_get_a_dash() {
        assert_eq!(deadline("2023 - 2027").as_deref(), Ok("2023 - 2027"));
        assert_eq!(deadline("2023 à 2027").as_deref(), Ok("2023-2027"));
        assert_eq!(deadline("De 2024 à 2026").as_deref(), Ok("2024-2026"));
        assert!(matches!(
            deadline("2027 à 2023"),
            Err(YearRangeError::Reversed { .. })
        ));
        assert!(deadline("à définir").is_err());
        assert!(deadline("fin 2024").is_err());
    }

    #[test]
    fn kinds_come_from_the_cells() {
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kind_of("Calendrier", &cells(&["2025", "2024-2026"]), false),
            Kind::Deadline
        );
        assert_eq!(kind_of("Calendrier", &cells(&["2025"]), true), Kind::Number);
        // Mostly years: strictly more than half of the cells.
        assert_eq!(
            kind_of(
                "Calendrier",
                &cells(&["2024", "2023 à 2027", "à définir"]),
                false
            ),
            Kind::Deadline
        );
        assert_eq!(
            kind_of("Calendrier", &cells(&["2024", "à définir"]), false),
            Kind::Text
        );
        // Figures, some of which look like years.
        assert_eq!(
            kind_of("Places", &cells(&["2000", "2024", "150"]), false),
            Kind::Number
        );
        assert_eq!(
            kind_of("Budget", &cells(&["12 500", "3000"]), false),
            Kind::Amount
        );
        assert_eq!(kind_of("Coût", &cells(&["12 500 €"]), false), Kind::Amount);
        assert_eq!(
            kind_of("Places", &cells(&["12", "1 200"]), false),
            Kind::Number
        );
        assert_eq!(
            kind_of("Pilote", &cells(&["Mme Martin"]), false),
            Kind::Text
        );
        assert_eq!(kind_of("Pilote", &[], false), Kind::Text);
    }

    #[test]
    fn the_header_becomes_the_declaration() {
        let header: Vec<SourceColumn> = [
            "Action",
            "Pilote",
            "Echéance",
            "Budget prévisionnel",
            "Champ",
        ]
        .iter()
        .map(|l| SourceColumn {
            label: l.to_string(),
            ..SourceColumn::default()
        })
        .collect();
        let texts = vec![
            vec![],
            vec![],
            vec!["2025".to_string()],
            vec!["12 500 €".to_string()],
            vec![],
        ];
        let columns = declare(&header, &texts, 2);
        let keys: Vec<&str> = columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "action",
                "pilote",
                "echeance",
                "budget_previsionnel",
                "champ_2"
            ]
        );
        assert_eq!(columns[2].kind, Kind::Deadline);
        assert_eq!(columns[2].label, "Echéance");
        assert_eq!(columns[3].kind, Kind::Amount);
        assert!(
            !columns[3].required,
            "a figure missing from a row is optional"
        );
        assert!(columns[0].group.is_none());
    }

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
