//! Import, Word: reads a `.docx` (a zip of XML parts) and finds the plan's table
//! by its header, whose first column names the fields of intervention; every
//! other header cell is a column of the plan (a cell over two header rows is a
//! group). Merged cells are followed as Word stores them: `w:gridSpan` for
//! cells spanning columns (the two-row header, sub-section rows), `w:vMerge` for
//! cells spanning rows (a field label over its actions). Paragraphs and Word
//! lists inside cells become Markdown; the text around the table gives the
//! convention's title, parties, heading, caption and footnotes.
//!
//! Its parts: [`package`] opens the zip and its XML parts, [`body`] reads the
//! body's paragraphs and tables (cells, merges, lists), [`table`] finds the
//! plan's header and reads its rows, [`around`] the text before and below the
//! table, [`signing`] the signature line and the signatories' names after it.

mod around;
mod body;
mod package;
mod signing;
mod table;

use std::collections::HashMap;
use std::path::Path;

use super::{Builder, Imported, Location, expected_columns};
use crate::diag::{Diagnostic, Failure, SourceFile};
use around::{front_matter, text_around, text_below};
use body::{Item, Table, body_items};
use package::{Package, edition_date};
use table::{Header, read_table};

/// Reads the plan of a Word document.
pub fn read(path: &Path) -> Result<Imported, Failure> {
    let shown = path.display().to_string();
    let fail = |d: Diagnostic| Failure(vec![d]);
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            Diagnostic::error(format!(
                "lecture impossible de `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
            ))
            .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire"),
        )
    })?;
    let file = SourceFile::new(shown.clone(), "");
    let package = Package::open(bytes).map_err(|detail| {
        fail(
            Diagnostic::error(format!(
                "`{shown}` n'est pas un document Word lisible ({detail})"
            ))
            .hint("ouvrez-le dans Word ou LibreOffice et enregistrez-le au format .docx"),
        )
    })?;
    crate::diag::guard(&shown, || read_package(&package, file)).map_err(fail)?
}

fn read_package(package: &Package, file: SourceFile) -> Result<Imported, Failure> {
    let items = body_items(package, &file)?;
    let mut builder = Builder::new(file.clone());
    let tables: Vec<(usize, &Table)> = items
        .iter()
        .filter_map(|i| match i {
            Item::Table(t) => Some(t),
            Item::Para(_) => None,
        })
        .enumerate()
        .map(|(n, t)| (n + 1, t))
        .collect();
    let headers: Vec<Option<Header>> = tables.iter().map(|(_, t)| Header::find(t)).collect();
    let first = first_plan_table(&tables, &headers, &file)?;
    let first_header = headers[first].as_ref().expect("found above");
    start_plan(&mut builder, first_header, tables[first].0);
    // Later tables with the same header continue the plan; others are not its.
    let headers: Vec<Option<&Header>> = headers
        .iter()
        .map(|h| h.as_ref().filter(|h| h.same_columns(first_header)))
        .collect();

    for ((number, table), header) in tables.iter().zip(&headers) {
        match header {
            Some(header) => read_table(&mut builder, *number, table, header),
            None if table.has_text() => builder.warn(
                &Location {
                    table: Some(*number),
                    row: 1,
                    ..Location::default()
                },
                "tableau ignoré : son en-tête n'est pas celui du plan d'actions",
                Some(format!(
                    "seuls le tableau {} du plan d'actions (première colonne « {} ») et les tableaux qui ont le même en-tête sont importés",
                    tables[first].0, first_header.first_label
                )),
            ),
            None => {}
        }
    }

    let (before, after) = text_around(&items, &headers);
    front_matter(&mut builder, &before, tables[first].0);
    builder.plan.front.date = package
        .text("docProps/core.xml")
        .ok()
        .flatten()
        .and_then(|xml| edition_date(&xml));
    let last_table = tables
        .iter()
        .zip(&headers)
        .rev()
        .find(|(_, h)| h.is_some())
        .map_or(tables[first].0, |((number, _), _)| *number);
    text_below(&mut builder, &after, tables[first].0, last_table);

    let (plan, warnings) = builder.finish();
    Ok(Imported { plan, warnings })
}

/// An error about the document as a whole.
fn document_failure(file: &SourceFile, message: String, hint: &str) -> Failure {
    Failure(vec![
        Diagnostic::error(message)
            .in_file(file)
            .hint(hint.to_string()),
    ])
}

/// The index in `tables` of the plan's first table; an error saying why when
/// no table is the plan's.
fn first_plan_table(
    tables: &[(usize, &Table)],
    headers: &[Option<Header>],
    file: &SourceFile,
) -> Result<usize, Failure> {
    let fail = |message: String, hint: &str| document_failure(file, message, hint);
    match plan_table(tables, headers) {
        PlanTable::Found(index) => Ok(index),
        PlanTable::FirstLabelMissing(index) => {
            let at = Location {
                table: Some(tables[index].0),
                row: 1,
                column: Some(1),
                span: None,
            };
            Err(fail(
                format!("{at} : en-tête de la première colonne vide : rien à importer"),
                "écrivez dans la première cellule de l'en-tête l'intitulé de la colonne des champs d'intervention (« Champs d'intervention », « Orientations »… : tout intitulé convient), puis importez à nouveau le document",
            ))
        }
        PlanTable::Nothing => {
            let found = if tables.is_empty() {
                "le document ne contient aucun tableau".to_string()
            } else if tables.len() == 1 {
                "le tableau du document n'a pas l'en-tête du plan d'actions".to_string()
            } else {
                format!(
                    "aucun des {} tableaux du document n'a l'en-tête du plan d'actions",
                    tables.len()
                )
            };
            Err(fail(
                format!("{found} : rien à importer"),
                &format!(
                    "ctg cherche le premier tableau dont l'en-tête porte les colonnes {} (majuscules, accents et apostrophes indifférents) ; à défaut, le plus long tableau dont l'en-tête nomme sa première colonne, quel qu'en soit l'intitulé (« Orientations »…), et au moins une autre, avec des lignes d'actions dessous",
                    expected_columns()
                ),
            ))
        }
    }
}

/// Gives the builder the plan's header, read in table `table`, with a warning
/// when its first column's label is not one of the Caf's models.
fn start_plan(builder: &mut Builder, header: &Header, table: usize) {
    builder.header(&header.first_label, header.columns.clone());
    if !header.known_first {
        builder.warn(
            &Location {
                table: Some(table),
                row: 1,
                column: Some(1),
                span: None,
            },
            format!(
                "« {} » pris pour l'en-tête de la colonne des champs d'intervention",
                header.first_label
            ),
            Some("chaque libellé de la première colonne devient un champ d'intervention (`[[champs]]` de convention.toml) ; l'en-tête est gardé tel quel dans la table `[tableau]`, `premiere_colonne`".into()),
        );
    }
}
/// Which table holds the plan, by index in the document's tables.
enum PlanTable {
    /// The first table of the plan.
    Found(usize),
    /// The table that would be the plan but for its header's first cell, empty.
    FirstLabelMissing(usize),
    Nothing,
}

/// The table of the plan. It is the first whose header's first column has a
/// label of the Caf's models (« Champs d'intervention », « Axes »…). Else any
/// label will do, as plans name that column in their own words
/// (« Orientations »): among the tables whose header has one and that have rows
/// below it, the plan is the header with the most rows (a plan split into
/// tables of the same header counts whole), the first in the document when two
/// tie; the first table with that header is returned. A table whose header's
/// first cell is empty and that has more rows is rather the plan with a
/// mistake.
fn plan_table(tables: &[(usize, &Table)], headers: &[Option<Header>]) -> PlanTable {
    if let Some(known) = headers
        .iter()
        .position(|h| h.as_ref().is_some_and(|h| h.known_first))
    {
        return PlanTable::Found(known);
    }
    let mut rows: HashMap<Vec<String>, usize> = HashMap::new();
    for ((_, table), header) in tables.iter().zip(headers) {
        if let Some(header) = header {
            *rows.entry(header.key()).or_default() += table.body_rows(header.rows);
        }
    }
    let mut best: Option<(PlanTable, usize)> = None;
    let mut consider = |found: PlanTable, count: usize| {
        if count > 0 && best.as_ref().is_none_or(|(_, most)| count > *most) {
            best = Some((found, count));
        }
    };
    for (index, ((_, table), header)) in tables.iter().zip(headers).enumerate() {
        match header {
            Some(header) => consider(
                PlanTable::Found(index),
                rows.get(&header.key()).copied().unwrap_or(0),
            ),
            None if table.lacks_first_label() => {
                consider(PlanTable::FirstLabelMissing(index), table.body_rows(1))
            }
            None => {}
        }
    }
    best.map_or(PlanTable::Nothing, |(found, _)| found)
}
