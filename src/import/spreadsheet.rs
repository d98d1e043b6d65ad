//! Import, spreadsheets: a `.csv` or `.tsv` file with a header row, as a
//! spreadsheet exports it (comma, semicolon or tab; UTF-8 or Windows-1252), or
//! the open-data `plan.csv` that `ctg build` writes.

use std::collections::BTreeMap;
use std::path::Path;

use super::markdown::{self, Block};
use super::names::{Column, TEXT_COLUMNS};
use super::{Builder, Imported, Location, RowCells, expected_columns};
use crate::diag::{Diagnostic, Failure, SourceFile};

/// Reads the plan of a CSV or TSV file.
pub fn read(path: &Path) -> Result<Imported, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Failure(vec![
            Diagnostic::error(format!(
                "lecture impossible de `{shown}` : {}",
                crate::load::io_message(Some(&e))
            ))
            .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire"),
        ])
    })?;
    let tab = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    parse(&shown, &bytes, tab)
}

/// Reads CSV or TSV text (`tab` forces the tab separator; otherwise the header
/// line tells).
pub fn parse(shown: &str, bytes: &[u8], tab: bool) -> Result<Imported, Failure> {
    let (text, decoded_from) = decode(bytes);
    let file = SourceFile::new(shown.to_string(), text.as_str());
    let mut builder = Builder::new(file.clone());
    if let Some(encoding) = decoded_from {
        builder.warn(
            &Location { row: 1, ..Location::default() },
            format!("fichier lu comme du texte {encoding} (ce n'est pas de l'UTF-8)"),
            Some("vérifiez les accents dans les fichiers écrits ; à l'export, choisissez « CSV UTF-8 » si le tableur le propose".into()),
        );
    }
    let delimiter = if tab { b'\t' } else { sniff_delimiter(&text) };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => records.push(record),
            Err(err) => {
                let (line, offset) = err
                    .position()
                    .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
                return Err(Failure(vec![
                    Diagnostic::error(format!("CSV illisible à la ligne {line}"))
                        .at(&file, offset..line_end(&text, offset))
                        .hint("un guillemet ouvert n'est pas refermé, ou le fichier n'est pas du texte : exportez à nouveau la feuille au format CSV"),
                ]));
            }
        }
    }
    let Some(header_index) = records
        .iter()
        .position(|r| r.iter().any(|f| !f.trim().is_empty()))
    else {
        return Err(Failure(vec![
            Diagnostic::error("fichier vide : rien à importer")
                .in_file(&file)
                .hint(format!(
                    "la première ligne porte les noms des colonnes : {}",
                    expected_columns()
                )),
        ]));
    };
    let header = &records[header_index];
    let mut columns: BTreeMap<Column, usize> = BTreeMap::new();
    let mut unknown: Vec<(usize, String)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        match Column::from_label(name) {
            Some(c) if !columns.contains_key(&c) => {
                columns.insert(c, i);
                builder.plan.columns.insert(c, name.to_string());
            }
            _ if name.is_empty() => unknown.push((i, String::new())),
            _ => unknown.push((i, name.to_string())),
        }
    }
    let header_at = location(&text, header);
    if !(columns.contains_key(&Column::Champ) && columns.contains_key(&Column::Descriptif)) {
        return Err(Failure(vec![
            Diagnostic::error("en-tête non reconnu : il faut au moins les colonnes du champ d'intervention et du descriptif")
                .at(&file, header_at.span.clone().unwrap_or(0..0))
                .label("ligne d'en-tête")
                .hint(format!(
                    "noms de colonnes acceptés : {} (ou ceux des données ouvertes : champ, sous_section, action_id, descriptif, moyens_caf, moyens_partenaires, objectifs, resultat_attendu, impact_envisage, echeance_debut, echeance_fin)",
                    expected_columns()
                )),
        ]));
    }
    // Only the open data's own labels are for the table's header.
    builder
        .plan
        .columns
        .retain(|c, label| label.as_str() != c.key());

    let get = |record: &csv::StringRecord, c: Column| -> Option<String> {
        columns
            .get(&c)
            .and_then(|&i| record.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut unmapped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for record in &records[header_index + 1..] {
        let at = location(&text, record);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        for (i, _) in &unknown {
            if record.get(*i).is_some_and(|f| !f.trim().is_empty()) {
                unmapped.entry(*i).or_default().push(at.row);
            }
        }
        if record.len() > header.len() {
            let extra: Vec<usize> = (header.len()..record.len())
                .filter(|&i| record.get(i).is_some_and(|f| !f.trim().is_empty()))
                .collect();
            for i in extra {
                unmapped.entry(i).or_default().push(at.row);
            }
        }
        // The convention's figures, from the open data.
        if builder.plan.collectivite.is_none() {
            builder.plan.collectivite = get(record, Column::Collectivite);
        }
        if builder.plan.caf.is_none() {
            builder.plan.caf = get(record, Column::Caf);
        }
        if builder.plan.front.periode.is_none()
            && let (Some(a), Some(b)) = (
                get(record, Column::PeriodeDebut),
                get(record, Column::PeriodeFin),
            )
        {
            builder.plan.front.periode = Some(years(&a, &b));
        }

        if let Some(label) = get(record, Column::Champ) {
            builder.field(&label, &at.column(columns[&Column::Champ] + 1));
        }
        let mut cells = RowCells::default();
        let mut numbers = Vec::new();
        for column in TEXT_COLUMNS {
            if let Some(&i) = columns.get(&column) {
                numbers.push((column, i + 1));
                let blocks: Vec<Block> = record
                    .get(i)
                    .map(markdown::plain_to_blocks)
                    .unwrap_or_default();
                if !blocks.is_empty() {
                    cells.text.insert(column, blocks);
                }
            }
        }
        cells.echeance = get(record, Column::Echeance).or_else(|| {
            match (
                get(record, Column::EcheanceDebut),
                get(record, Column::EcheanceFin),
            ) {
                (Some(a), Some(b)) => Some(years(&a, &b)),
                (Some(a), None) | (None, Some(a)) => Some(a),
                (None, None) => None,
            }
        });
        if let Some(&i) = columns
            .get(&Column::Echeance)
            .or(columns.get(&Column::EcheanceDebut))
        {
            numbers.push((Column::Echeance, i + 1));
        }
        cells.id = get(record, Column::ActionId);
        match columns.get(&Column::SousSection) {
            Some(&i) => {
                if let Some(label) = get(record, Column::SousSection) {
                    builder.subsection(&label, &at.column(i + 1));
                } else {
                    builder.no_subsection();
                }
            }
            None => {
                // A sheet laid out like the Word table: a row with only its
                // second cell filled is a sub-section row.
                let only_description = cells.echeance.is_none()
                    && cells.text.len() == 1
                    && cells.text.contains_key(&Column::Descriptif);
                if only_description {
                    let label = markdown::one_line(&cells.text[&Column::Descriptif]);
                    builder.subsection(&label, &at.column(columns[&Column::Descriptif] + 1));
                    continue;
                }
            }
        }
        if cells.text.is_empty() && cells.echeance.is_none() {
            // A field label alone on its row.
            continue;
        }
        builder.action(cells, &at, &numbers);
    }
    for (i, rows) in unmapped {
        let name = unknown
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, n)| n.clone())
            .filter(|n| !n.is_empty())
            .map_or(String::new(), |n| format!(" « {n} »"));
        let shown: Vec<String> = rows.iter().take(8).map(usize::to_string).collect();
        let more = if rows.len() > 8 { ", …" } else { "" };
        builder.warn(
            &header_at.column(i + 1),
            format!(
                "colonne{name} non reconnue : {} ({} {}{more})",
                crate::text::count(rows.len(), "cellule non importée", "cellules non importées"),
                if rows.len() < 2 { "ligne" } else { "lignes" },
                shown.join(", ")
            ),
            Some(format!(
                "colonnes reconnues : {} ; renommez l'en-tête de la colonne si elle en est une",
                expected_columns()
            )),
        );
    }
    let (plan, warnings) = builder.finish();
    Ok(Imported { plan, warnings })
}

/// "2023" and "2027" as a deadline or period: "2023-2027", or "2024" alone.
fn years(start: &str, end: &str) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

/// The text, and the encoding it was decoded from when not UTF-8. A spreadsheet
/// saved as "CSV" on a French system writes Windows-1252.
fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Some("Windows-1252"))
        }
    }
}

/// The separator of the header line: the most frequent of `;`, `,` and tab
/// outside quotes (a French spreadsheet writes `;`).
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for (d, n) in &mut counts {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

fn location(text: &str, record: &csv::StringRecord) -> Location {
    let (row, start) = record
        .position()
        .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
    Location {
        table: None,
        row,
        column: None,
        span: Some(start..line_end(text, start)),
    }
}

fn line_end(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    text[start..]
        .find(['\r', '\n'])
        .map_or(text.len(), |n| start + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_guessed_from_the_header() {
        assert_eq!(sniff_delimiter("champ;descriptif;\"a,b\"\n1,2,3"), b';');
        assert_eq!(sniff_delimiter("champ,descriptif\n"), b',');
        assert_eq!(sniff_delimiter("champ\tdescriptif\n"), b'\t');
        assert_eq!(sniff_delimiter("champ\n"), b',');
    }

    #[test]
    fn windows_1252_is_read() {
        let (text, from) = decode(b"\x80 \xe9t\xe9 \x92");
        assert_eq!(text, "€ été ’");
        assert_eq!(from, Some("Windows-1252"));
        assert_eq!(decode("\u{feff}été".as_bytes()), ("été".to_string(), None));
    }
}
