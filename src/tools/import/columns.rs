//! Import, the columns: the declaration of the source's columns (the reference
//! model's key, kind and width for its own, else a key from the label and a
//! kind read from the cells), and the cells as the action files write them
//! (a deadline with a dash, an amount or a number without its spaces).

use super::SourceColumn;
use super::names::{loose, same};
use crate::model::shape::{Column, ColumnType, RESERVED_KEYS, Shape, is_key, key_of};
use crate::model::{YearRange, YearRangeError};

/// A deadline as the action files write it: the cell's text when it is a year
/// or a period (« 2024 », « 2023 - 2027 »), and a period written with « à »
/// (« 2023 à 2027 », « de 2023 à 2027 ») with a dash instead, "2023-2027", as
/// the data wants one.
pub(super) fn deadline(text: &str) -> Result<String, YearRangeError> {
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

/// The declaration of the source's columns: the reference model's key, kind
/// and width for its own columns, else a key derived from the label and a kind
/// read from the cells (`texts`: each column's non-empty cells, of `rows` rows).
pub(super) fn declare(header: &[SourceColumn], texts: &[Vec<String>], rows: usize) -> Vec<Column> {
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
        let kind = if kind == ColumnType::Deadline && has_deadline {
            ColumnType::Text
        } else {
            kind
        };
        has_deadline |= kind == ColumnType::Deadline;
        // An empty text cell gets « - », an empty échéance the convention's
        // period: only figures can be left out.
        let required = match kind {
            ColumnType::Text | ColumnType::Deadline => true,
            ColumnType::Amount | ColumnType::Number => cells.len() == rows,
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
fn kind_of(label: &str, cells: &[String], has_deadline: bool) -> ColumnType {
    if cells.is_empty() {
        return ColumnType::Text;
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
        return ColumnType::Deadline;
    }
    let euros = |t: &str| t.contains('€') || loose(t).split(' ').any(|w| w == "euro");
    let money_label = loose(label)
        .split(' ')
        .any(|w| matches!(w, "budget" | "montant" | "cout" | "euro" | "financement"));
    if cells.iter().all(|c| amount(c).is_some()) && (money_label || cells.iter().any(|c| euros(c)))
    {
        return ColumnType::Amount;
    }
    if cells.iter().all(|c| number(c).is_some()) {
        return ColumnType::Number;
    }
    ColumnType::Text
}

/// An amount as written in a plan ("12 500 €", "12500,50 euros", "4500.5"), in
/// the form of the action files: "12500", "12500.5".
pub(super) fn amount(text: &str) -> Option<String> {
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
pub(super) fn number(text: &str) -> Option<String> {
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
            ColumnType::Deadline
        );
        assert_eq!(
            kind_of("Calendrier", &cells(&["2025"]), true),
            ColumnType::Number
        );
        // Mostly years: strictly more than half of the cells.
        assert_eq!(
            kind_of(
                "Calendrier",
                &cells(&["2024", "2023 à 2027", "à définir"]),
                false
            ),
            ColumnType::Deadline
        );
        assert_eq!(
            kind_of("Calendrier", &cells(&["2024", "à définir"]), false),
            ColumnType::Text
        );
        // Figures, some of which look like years.
        assert_eq!(
            kind_of("Places", &cells(&["2000", "2024", "150"]), false),
            ColumnType::Number
        );
        assert_eq!(
            kind_of("Budget", &cells(&["12 500", "3000"]), false),
            ColumnType::Amount
        );
        assert_eq!(
            kind_of("Coût", &cells(&["12 500 €"]), false),
            ColumnType::Amount
        );
        assert_eq!(
            kind_of("Places", &cells(&["12", "1 200"]), false),
            ColumnType::Number
        );
        assert_eq!(
            kind_of("Pilote", &cells(&["Mme Martin"]), false),
            ColumnType::Text
        );
        assert_eq!(kind_of("Pilote", &[], false), ColumnType::Text);
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
        assert_eq!(columns[2].kind, ColumnType::Deadline);
        assert_eq!(columns[2].label, "Echéance");
        assert_eq!(columns[3].kind, ColumnType::Amount);
        assert!(
            !columns[3].required,
            "a figure missing from a row is optional"
        );
        assert!(columns[0].group.is_none());
    }
}
