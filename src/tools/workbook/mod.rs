//! Follow-up collected by spreadsheet (beside the pipeline): `ctg suivi export`
//! writes a year's workbook for the partners who know how each action stands
//! ([`export`]); `ctg suivi import` reads the filled workbooks back
//! ([`read`]), checks every cell as the follow-up files are checked and
//! writes or updates `data/suivi/<année>.toml` ([`import`], [`update`]).
//!
//! The workbook's layout, its worksheets and their columns, is declared once here
//! ([`WorkbookColumn`]): the writer lays the columns out from it and the reader finds
//! them by the same labels.

mod cell_limit;
mod damage;
pub mod export;
pub mod import;
mod limits;
pub mod read;
pub mod update;

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Failure};
use crate::model::follow_up::{FollowUp, FollowUps, Indicator};
use crate::model::{Action, Plan};
use crate::tools::import::names::loose;

/// The plan and its follow-up, read and checked as `ctg check` does (the
/// templates aside): a workbook is made from, and read against, a valid plan.
/// The warnings of the plan come back with them; those of the follow-up (the
/// actions still without one) are the review's business, not repeated here.
pub fn load_project(root: &Path) -> Result<(Plan, FollowUps, Vec<Diagnostic>), Failure> {
    let mut diags = Vec::new();
    let raw = crate::read::load(root, &mut diags);
    let plan = crate::validate::validate(raw, &mut diags);
    let Some(plan) = plan.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
        crate::validate::follow_up::check_without_plan(
            &crate::read::source::Source::folder(root),
            &mut diags,
        );
        return Err(Failure(diags));
    };
    let mut follow_up_diags = Vec::new();
    let follow_ups = crate::validate::follow_up::load(root, &plan, &mut follow_up_diags);
    if follow_up_diags.iter().any(Diagnostic::is_error) {
        diags.extend(follow_up_diags.into_iter().filter(Diagnostic::is_error));
        return Err(Failure(diags));
    }
    Ok((plan, follow_ups, diags))
}

/// The worksheet of the actions' follow-up: « Suivi 2026 ».
pub fn follow_up_worksheet(year: u16) -> String {
    format!("Suivi {year}")
}

/// The worksheet of the indicators.
pub const INDICATORS_WORKSHEET: &str = "Indicateurs";

/// The row of the header in the worksheets written by `export` (0-based): the note
/// is above it.
pub const HEADER_ROW: u32 = 1;

/// A column of the workbook's worksheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkbookColumn {
    /// The action's identifier.
    Id,
    /// Its field of intervention.
    Field,
    SubSection,
    /// What names the action: its first text column, as plain text.
    Action,
    /// Its échéance.
    Deadline,
    State,
    /// Progress, a whole percentage.
    Progress,
    Comment,
    /// The indicator's name.
    Indicator,
    Unit,
    Baseline,
    Target,
    /// The indicator's value for the year.
    Value,
    /// The identifier as written by `export`, hidden and locked: a row whose
    /// visible identifier was changed is told apart from the row of another
    /// action.
    Origin,
}

/// The columns of the follow-up worksheet, in order.
pub const FOLLOW_UP_COLUMNS: [WorkbookColumn; 9] = [
    WorkbookColumn::Id,
    WorkbookColumn::Field,
    WorkbookColumn::SubSection,
    WorkbookColumn::Action,
    WorkbookColumn::Deadline,
    WorkbookColumn::State,
    WorkbookColumn::Progress,
    WorkbookColumn::Comment,
    WorkbookColumn::Origin,
];

/// The columns of the indicators' worksheet, in order.
pub const INDICATOR_COLUMNS: [WorkbookColumn; 8] = [
    WorkbookColumn::Id,
    WorkbookColumn::Action,
    WorkbookColumn::Indicator,
    WorkbookColumn::Unit,
    WorkbookColumn::Baseline,
    WorkbookColumn::Target,
    WorkbookColumn::Value,
    WorkbookColumn::Origin,
];

/// Label of the hidden column of the identifiers as written.
const ORIGIN_LABEL: &str = "Identifiant d'origine (ne pas modifier)";

impl WorkbookColumn {
    /// The header of the column in the workbook of `year` of `plan`: the
    /// plan's own labels for the columns it declares.
    pub fn label(self, plan: &Plan, year: u16) -> String {
        let shape = &plan.convention.shape;
        match self {
            WorkbookColumn::Id => "Identifiant".into(),
            WorkbookColumn::Field => shape.first_column.clone(),
            WorkbookColumn::SubSection => "Sous-section".into(),
            WorkbookColumn::Action => shape
                .title()
                .map_or_else(|| "Action".into(), |i| shape.columns[i].label.clone()),
            WorkbookColumn::Deadline => shape
                .deadline()
                .map_or_else(|| "Échéance".into(), |i| shape.columns[i].label.clone()),
            WorkbookColumn::State => format!("État {year}"),
            WorkbookColumn::Progress => format!("Avancement {year} (%)"),
            WorkbookColumn::Comment => format!("Commentaire {year}"),
            WorkbookColumn::Indicator => "Indicateur".into(),
            WorkbookColumn::Unit => "Unité".into(),
            WorkbookColumn::Baseline => "Valeur de départ".into(),
            WorkbookColumn::Target => "Cible".into(),
            WorkbookColumn::Value => format!("Valeur {year}"),
            WorkbookColumn::Origin => ORIGIN_LABEL.into(),
        }
    }

    /// The column a header names, among `columns`, and the year it carries
    /// (« État 2026 »). The headers are compared loosely (case, accents,
    /// spaces), so that a worksheet typed by hand or saved by another program is
    /// read too; the informative columns (field, description, échéance) are
    /// not looked for.
    pub fn recognise(
        header: &str,
        columns: &[WorkbookColumn],
    ) -> Option<(WorkbookColumn, Option<u16>)> {
        // "avancement 2026", "identifiant d origine ne pas modifier".
        let text = loose(header);
        let (head, year) = match text.rsplit_once(' ') {
            Some((head, last)) if last.len() == 4 && last.bytes().all(|b| b.is_ascii_digit()) => {
                (head, last.parse().ok())
            }
            _ => (text.as_str(), None),
        };
        let column = match head {
            "identifiant" | "id" | "identifiant de l action" => WorkbookColumn::Id,
            "etat" => WorkbookColumn::State,
            "avancement" => WorkbookColumn::Progress,
            "commentaire" => WorkbookColumn::Comment,
            "indicateur" | "nom de l indicateur" => WorkbookColumn::Indicator,
            "unite" => WorkbookColumn::Unit,
            "valeur de depart" | "reference" => WorkbookColumn::Baseline,
            "cible" => WorkbookColumn::Target,
            "valeur" => WorkbookColumn::Value,
            _ if head.starts_with("identifiant d origine") => WorkbookColumn::Origin,
            _ => return None,
        };
        columns.contains(&column).then_some((column, year))
    }
}

/// What a workbook of `year` shows of an action before anyone fills it in:
/// the year's follow-up when the file already has it, else the latest earlier
/// year's, so that a partner corrects rather than retypes. The importer reads
/// an untouched cell back as this same value.
#[derive(Debug, Clone, Default)]
pub struct Prefill<'a> {
    pub follow_up: Option<&'a FollowUp>,
    pub indicators: &'a [Indicator],
    /// The years whose files the follow-up and the indicators come from.
    pub follow_up_year: Option<u16>,
    pub indicators_year: Option<u16>,
}

/// The pre-filled values of every action of `plan` for `year`, by id.
pub fn prefill<'a>(
    plan: &Plan,
    follow_ups: &'a FollowUps,
    year: u16,
) -> BTreeMap<String, Prefill<'a>> {
    let current = follow_ups.years.get(&year);
    let previous = follow_ups.years.range(..year).next_back().map(|(_, y)| y);
    plan.actions
        .iter()
        .map(|action| {
            let now = current.and_then(|y| y.actions.get(&action.id));
            let before = previous.and_then(|y| y.actions.get(&action.id));
            let earlier = previous.map(|y| y.year);
            let (indicators, indicators_year) = match (now, before) {
                (Some(now), _) if !now.indicators.is_empty() => {
                    (now.indicators.as_slice(), Some(year))
                }
                (_, Some(before)) => (before.indicators.as_slice(), earlier),
                _ => (&[][..], None),
            };
            (
                action.id.clone(),
                Prefill {
                    follow_up: now.or(before),
                    indicators,
                    follow_up_year: if now.is_some() {
                        Some(year)
                    } else {
                        before.and(earlier)
                    },
                    indicators_year,
                },
            )
        })
        .collect()
}

/// The text a cell shows of a Markdown text (a comment): plain, one line per
/// paragraph or list item.
pub fn cell_text(markdown: &str) -> String {
    plain_lines(&crate::text::markdown_to_plain(markdown))
}

/// Text as a cell's text is compared: each line trimmed, blank lines left out.
pub fn plain_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The label of an action's field and sub-section.
fn field_labels<'a>(plan: &'a Plan, action: &Action) -> (&'a str, &'a str) {
    let field = plan.convention.field(&action.field);
    let sub = field.and_then(|f| {
        f.subsections
            .iter()
            .find(|s| Some(&s.id) == action.subsection.as_ref())
    });
    (
        field.map_or("", |f| f.label.as_str()),
        sub.map_or("", |s| s.label.as_str()),
    )
}

/// The column letters of a 0-based column index: A, B, …, Z, AA…
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_the_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(5), "F");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn headers_are_recognised_loosely_with_their_year() {
        let all = FOLLOW_UP_COLUMNS;
        assert_eq!(
            WorkbookColumn::recognise("État 2026", &all),
            Some((WorkbookColumn::State, Some(2026)))
        );
        assert_eq!(
            WorkbookColumn::recognise(" etat ", &all),
            Some((WorkbookColumn::State, None))
        );
        assert_eq!(
            WorkbookColumn::recognise("Avancement 2026 (%)", &all),
            Some((WorkbookColumn::Progress, Some(2026)))
        );
        assert_eq!(
            WorkbookColumn::recognise("Identifiant d'origine (ne pas modifier)", &all),
            Some((WorkbookColumn::Origin, None))
        );
        assert_eq!(WorkbookColumn::recognise("Descriptif", &all), None);
        // Each worksheet looks for its own columns only.
        assert_eq!(WorkbookColumn::recognise("Valeur 2026", &all), None);
        assert_eq!(
            WorkbookColumn::recognise("Valeur 2026", &INDICATOR_COLUMNS),
            Some((WorkbookColumn::Value, Some(2026)))
        );
    }
}
