//! One cell's value, checked as the follow-up file checks it: a state of the
//! closed list, a progress, a number, a printable text.

use crate::diag::{Diagnostic, SourceFile};
use crate::model::follow_up::{PROGRESS_HINT, State};
use crate::text::check::{TextKind, check};
use crate::tools::workbook::plain_lines;
use crate::tools::workbook::read::{Cell, Place, french_number};

/// A state of the closed list, whatever its case.
pub(super) fn state(cell: &Cell, at: &Place, diags: &mut Vec<Diagnostic>) -> Option<State> {
    if cell.is_blank() {
        return None;
    }
    let text = cell.text();
    let text = text.trim();
    if let Some(state) = State::parse_any_case(text) {
        return Some(state);
    }
    let message = match State::closest(text) {
        Some(best) => format!("état « {text} » inconnu ; vouliez-vous dire « {best} » ?"),
        None => format!("état « {text} » inconnu"),
    };
    diags.push(at.error(message).hint(format!(
        "choisissez l'un des états de la liste : {}",
        State::list(("« ", " »"))
    )));
    None
}

/// A progress, a whole percentage from 0 to 100.
pub(super) fn progress(cell: &Cell, at: &Place, diags: &mut Vec<Diagnostic>) -> Option<u8> {
    let n = number(cell, at, "avancement", diags)?;
    let shown = french_number(n);
    if n.fract() != 0.0 {
        diags.push(
            at.error(format!(
                "avancement « {shown} » : un nombre entier est attendu"
            ))
            .hint(PROGRESS_HINT),
        );
        return None;
    }
    match crate::model::follow_up::progress(n as i64).filter(|_| n.abs() < 1e6) {
        Some(p) => Some(p),
        None => {
            diags.push(
                at.error(format!("avancement hors limites : {shown}"))
                    .hint(PROGRESS_HINT),
            );
            None
        }
    }
}

/// A number: one the spreadsheet holds as such, or text in French or
/// English form (« 12,5 », « 1 200 », « 40 % »).
pub(super) fn number(
    cell: &Cell,
    at: &Place,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let parsed = match cell {
        Cell::Empty => return None,
        Cell::Number(n) => Some(*n),
        Cell::Text(t) if t.trim().is_empty() => return None,
        Cell::Text(t) => parse_number(t),
        Cell::Other(_) => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Some(n),
        _ => {
            diags.push(
                at.error(format!(
                    "{what} « {} » : ce n'est pas un nombre",
                    cell.text().trim()
                ))
                .hint("écrivez un nombre en chiffres, sans unité, par exemple 12 ou 12,5"),
            );
            None
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let t: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+'))
    {
        return None;
    }
    t.replace(',', ".").parse().ok()
}

/// A text cell as plain lines, checked as the follow-up's texts are (every
/// character printable by the documents' fonts); `None` when blank.
pub(super) fn text(
    cell: &Cell,
    at: &Place,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    if cell.is_blank() {
        return None;
    }
    let text = plain_lines(&cell.text());
    let file = SourceFile::new(at.to_string(), text.as_str());
    check(&file, 0..text.len(), &text, TextKind::optional(key), diags);
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_french_and_english_forms() {
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("1 200"), Some(1200.0));
        assert_eq!(parse_number("40 %"), Some(40.0));
        assert_eq!(parse_number("douze"), None);
        assert_eq!(parse_number("12 places"), None);
    }
}
