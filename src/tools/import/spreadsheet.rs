//! Import, spreadsheets: a `.csv` or `.tsv` file with a header row, as a
//! spreadsheet exports it (comma, semicolon or tab; UTF-8 or Windows-1252), or
//! the open-data `plan.csv` that `ctg build` writes. The column of the fields
//! of intervention and the open data's own columns are recognised by name;
//! every other named column is a column of the plan.

use std::collections::BTreeMap;
use std::path::Path;

use super::markdown::{self, Block};
use super::names::{Role, same};
use super::{Builder, Imported, Location, RowCells, SourceColumn, expected_columns};
use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::model::shape::{ColumnType, is_key};

/// Reads the plan of a CSV or TSV file.
pub fn read(path: &Path) -> Result<Imported, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Failure(vec![
            Diagnostic::error(format!(
                "lecture impossible de `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
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
    let records = read_records(&text, tab, &file)?;
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
    let columns = Columns::read(header);
    let header_at = location(&text, header);
    let Some(&field_column) = columns.roles.get(&Role::Field) else {
        return Err(unrecognised(&file, &header_at));
    };
    if columns.source.is_empty() {
        return Err(unrecognised(&file, &header_at));
    }
    builder.header(
        header.get(field_column).unwrap_or_default(),
        columns.source.clone(),
    );

    let mut unmapped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for record in &records[header_index + 1..] {
        let at = location(&text, record);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        columns.note_unmapped(header.len(), record, at.row, &mut unmapped);
        convention_values(&mut builder, &columns, record);
        read_record(&mut builder, &columns, record, &at, field_column);
    }
    warn_unmapped(&mut builder, header, &header_at, unmapped);
    let (plan, warnings) = builder.finish();
    Ok(Imported { plan, warnings })
}

/// Every record of the CSV `text`, or the error of the first unreadable one.
fn read_records(
    text: &str,
    tab: bool,
    file: &SourceFile,
) -> Result<Vec<csv::StringRecord>, Failure> {
    let mut reader = csv_reader(text, tab);
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
                        .at(file, offset..line_end(text, offset))
                        .hint("un guillemet ouvert n'est pas refermé, ou le fichier n'est pas du texte : exportez à nouveau la feuille au format CSV"),
                ]));
            }
        }
    }
    Ok(records)
}

/// The convention's figures, from the open data: each taken from the first
/// record that has it.
fn convention_values(builder: &mut Builder, columns: &Columns, record: &csv::StringRecord) {
    if builder.plan.collectivite.is_none() {
        builder.plan.collectivite = columns.value(record, Role::Collectivity);
    }
    if builder.plan.caf.is_none() {
        builder.plan.caf = columns.value(record, Role::Caf);
    }
    if builder.plan.front.periode.is_none()
        && let (Some(a), Some(b)) = (
            columns.value(record, Role::PeriodStart),
            columns.value(record, Role::PeriodEnd),
        )
    {
        builder.plan.front.periode = Some(years(&a, &b));
    }
}

/// One record of the plan (at `at`): its field label, its sub-section, its action.
fn read_record(
    builder: &mut Builder,
    columns: &Columns,
    record: &csv::StringRecord,
    at: &Location,
    field_column: usize,
) {
    if let Some(label) = columns.value(record, Role::Field) {
        builder.field(&label, &at.column(field_column + 1));
    }
    let (mut cells, numbers) = columns.cells(record);
    cells.id = columns.value(record, Role::ActionId);
    match columns.roles.get(&Role::SubSection) {
        Some(&i) => {
            if let Some(label) = columns.value(record, Role::SubSection) {
                builder.subsection(&label, &at.column(i + 1));
            } else {
                builder.no_subsection();
            }
        }
        None => {
            // A sheet laid out like the Word table: a row with only its
            // first column of the plan filled is a sub-section row.
            if cells.values.len() == 1 && cells.values.contains_key(&0) {
                let label = markdown::one_line(&cells.values[&0]);
                let place = numbers
                    .iter()
                    .find(|(c, _)| *c == 0)
                    .map_or(at.clone(), |(_, n)| at.column(*n));
                builder.subsection(&label, &place);
                return;
            }
        }
    }
    if cells.values.is_empty() {
        // A field label alone on its row.
        return;
    }
    builder.action(cells, at, &numbers);
}

/// One warning per column whose cells were not imported (`unmapped`: source
/// column → rows), named by the `header` line when it has a name.
fn warn_unmapped(
    builder: &mut Builder,
    header: &csv::StringRecord,
    header_at: &Location,
    unmapped: BTreeMap<usize, Vec<usize>>,
) {
    for (i, rows) in unmapped {
        let name = header
            .get(i)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or(String::new(), |n| format!(" « {n} »"));
        let shown: Vec<String> = rows.iter().take(8).map(usize::to_string).collect();
        let more = if rows.len() > 8 { ", …" } else { "" };
        builder.warn(
            &header_at.column(i + 1),
            format!(
                "colonne{name} non reconnue : {} ({} {}{more})",
                crate::french::count(rows.len(), "cellule non importée", "cellules non importées"),
                if rows.len() < 2 { "ligne" } else { "lignes" },
                shown.join(", ")
            ),
            Some("une colonne du plan a un nom dans la ligne d'en-tête, une seule fois : nommez-la et importez le fichier à nouveau, ou reportez ce texte à la main".into()),
        );
    }
}

/// The columns of a header line.
struct Columns {
    /// The columns every plan has, by role.
    roles: BTreeMap<Role, usize>,
    /// The plan's columns, for the builder.
    source: Vec<SourceColumn>,
    /// Source column → the plan's column it holds.
    of: BTreeMap<usize, usize>,
    /// An échéance written in two columns of years (the open data's
    /// `echeance_debut`, `echeance_fin`): the plan's column, and the source
    /// columns of its first and last years.
    deadlines: Vec<(usize, Option<usize>, Option<usize>)>,
    /// Source columns without a name, or whose role another column has.
    unknown: Vec<usize>,
}

impl Columns {
    fn read(header: &csv::StringRecord) -> Self {
        let mut columns = Columns {
            roles: BTreeMap::new(),
            source: Vec::new(),
            of: BTreeMap::new(),
            deadlines: Vec::new(),
            unknown: Vec::new(),
        };
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                columns.unknown.push(i);
                continue;
            }
            if let Some(role) = Role::from_label(name) {
                match columns.roles.entry(role) {
                    std::collections::btree_map::Entry::Occupied(_) => columns.unknown.push(i),
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(i);
                    }
                }
                continue;
            }
            if let Some((stem, is_start)) = deadline_part(name) {
                let known = columns
                    .deadlines
                    .iter_mut()
                    .find(|(c, ..)| same(&columns.source[*c].label, stem));
                match known {
                    Some((_, start, _)) if is_start && start.is_none() => *start = Some(i),
                    Some((_, _, end)) if !is_start && end.is_none() => *end = Some(i),
                    Some(_) => columns.unknown.push(i),
                    None => {
                        columns.deadlines.push((
                            columns.source.len(),
                            is_start.then_some(i),
                            (!is_start).then_some(i),
                        ));
                        columns.source.push(SourceColumn {
                            label: stem.to_string(),
                            group: None,
                            kind: Some(ColumnType::Deadline),
                        });
                    }
                }
                continue;
            }
            columns.of.insert(i, columns.source.len());
            columns.source.push(SourceColumn {
                label: name.to_string(),
                ..SourceColumn::default()
            });
        }
        columns
    }

    /// The trimmed text of the column with `role` in `record`, unless empty.
    fn value(&self, record: &csv::StringRecord, role: Role) -> Option<String> {
        self.roles
            .get(&role)
            .and_then(|&i| record.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Notes, in `unmapped` (source column → rows), the cells with text of
    /// `record` (at `row`) under no column: unknown, or beyond the
    /// `header_len` names of the header.
    fn note_unmapped(
        &self,
        header_len: usize,
        record: &csv::StringRecord,
        row: usize,
        unmapped: &mut BTreeMap<usize, Vec<usize>>,
    ) {
        for i in &self.unknown {
            if record.get(*i).is_some_and(|f| !f.trim().is_empty()) {
                unmapped.entry(*i).or_default().push(row);
            }
        }
        for i in header_len..record.len() {
            if record.get(i).is_some_and(|f| !f.trim().is_empty()) {
                unmapped.entry(i).or_default().push(row);
            }
        }
    }

    /// The plan's cells of `record`, and for each of its columns the number of
    /// the source column read.
    fn cells(&self, record: &csv::StringRecord) -> (RowCells, Vec<(usize, usize)>) {
        let mut cells = RowCells::default();
        let mut numbers = Vec::new();
        let cell = |i: usize| record.get(i).map(str::trim).filter(|s| !s.is_empty());
        for (&i, &column) in &self.of {
            numbers.push((column, i + 1));
            let blocks: Vec<Block> = cell(i).map(markdown::plain_to_blocks).unwrap_or_default();
            if !blocks.is_empty() {
                cells.values.insert(column, blocks);
            }
        }
        for &(column, start, end) in &self.deadlines {
            let (a, b) = (start.and_then(cell), end.and_then(cell));
            let value = match (a, b) {
                (Some(a), Some(b)) => Some(years(a, b)),
                (Some(a), None) | (None, Some(a)) => Some(a.to_string()),
                (None, None) => None,
            };
            if let Some(i) = start.or(end) {
                numbers.push((column, i + 1));
            }
            if let Some(value) = value {
                cells.values.insert(column, vec![Block::paragraph(value)]);
            }
        }
        (cells, numbers)
    }
}

/// One of the two columns of an échéance in the open data: `echeance_debut`,
/// `echeance_fin`, or "Échéance (début)", "Échéance (fin)". The name of the
/// échéance, and whether it is its first year.
fn deadline_part(name: &str) -> Option<(&str, bool)> {
    let keyed = |suffix: &str| {
        name.strip_suffix(suffix)
            .filter(|stem| is_key(name) && !stem.is_empty())
    };
    let titled = |suffix: &str| {
        name.strip_suffix(suffix)
            .map(str::trim_end)
            .filter(|stem| !stem.is_empty())
    };
    keyed("_debut")
        .or_else(|| titled("(début)"))
        .map(|stem| (stem, true))
        .or_else(|| {
            keyed("_fin")
                .or_else(|| titled("(fin)"))
                .map(|stem| (stem, false))
        })
}

/// The error of a header line that is not a plan's.
fn unrecognised(file: &SourceFile, header_at: &Location) -> Failure {
    Failure(vec![
        Diagnostic::error("en-tête non reconnu : il faut la colonne des champs d'intervention et au moins une colonne du plan")
            .at(file, header_at.span.clone().unwrap_or(0..0))
            .label("ligne d'en-tête")
            .hint(format!(
                "la première ligne porte les noms des colonnes : {} (ou ceux des données ouvertes : champ, sous_section, action_id, puis les clés des colonnes)",
                expected_columns()
            )),
    ])
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
pub(crate) fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Some("Windows-1252"))
        }
    }
}

/// A reader of the records of the CSV `text`, every line one (the header
/// included), separated by tabs or by the separator its header line uses.
pub(crate) fn csv_reader(text: &str, tab: bool) -> csv::Reader<&[u8]> {
    let delimiter = if tab { b'\t' } else { sniff_delimiter(text) };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
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
    fn an_echeance_in_two_columns_of_years() {
        assert_eq!(deadline_part("echeance_debut"), Some(("echeance", true)));
        assert_eq!(deadline_part("calendrier_fin"), Some(("calendrier", false)));
        assert_eq!(deadline_part("Échéance (début)"), Some(("Échéance", true)));
        assert_eq!(deadline_part("Date de fin"), None);
        assert_eq!(deadline_part("_fin"), None);
    }

    #[test]
    fn windows_1252_is_read() {
        let (text, from) = decode(b"\x80 \xe9t\xe9 \x92");
        assert_eq!(text, "€ été ’");
        assert_eq!(from, Some("Windows-1252"));
        assert_eq!(decode("\u{feff}été".as_bytes()), ("été".to_string(), None));
    }
}
