//! From rows to edits: the rows of every workbook merged action by action
//! (two that disagree are an error), checked together (a state goes with
//! the rest of a row), and compared with the year's file.

use std::collections::BTreeMap;

use toml_edit::Value;

use super::indicators::indicator_edits;
use super::{ActionRow, Edit, Found, IndicatorRow, Read};
use crate::diag::Diagnostic;
use crate::french::count;
use crate::model::Plan;
use crate::model::follow_up::{FollowUp, State};
use crate::tools::import::markdown::{plain_to_blocks, to_markdown};
use crate::tools::workbook::read::Place;
use crate::tools::workbook::update::text_value;
use crate::tools::workbook::{Prefill, cell_text, follow_up_worksheet};

/// One column of one action, over every row that gives it.
pub(super) enum Merged<T> {
    /// No worksheet read has the column.
    Absent,
    /// Every cell of it is empty.
    Cleared(Place),
    /// No cell gives a value, and one holds a value refused (and said so).
    Refused,
    Given(T, Place),
}

impl<T> Merged<T> {
    pub(super) fn given(&self) -> bool {
        matches!(self, Merged::Given(..))
    }

    /// Whether a cell of it holds something, refused or not.
    pub(super) fn filled(&self) -> bool {
        matches!(self, Merged::Given(..) | Merged::Refused)
    }
}

/// Merges the reads of one column of one action: two rows that give two
/// values are an error naming both cells.
pub(super) fn merge<'a, T: PartialEq + Clone + 'a>(
    reads: impl Iterator<Item = &'a Read<T>>,
    show: impl Fn(&T) -> String,
    what: &str,
    id: &str,
    diags: &mut Vec<Diagnostic>,
) -> Merged<T> {
    let mut merged = Merged::Absent;
    for read in reads {
        match (&read.value, &merged) {
            (None, Merged::Absent | Merged::Cleared(_)) if read.refused => {
                merged = Merged::Refused;
            }
            (None, Merged::Absent) => merged = Merged::Cleared(read.at.clone()),
            (None, _) => {}
            (Some(v), Merged::Given(first, at)) => {
                if v != first {
                    diags.push(
                        read.at
                            .error(format!(
                                "deux valeurs pour {what} de `{id}` : « {} » ici, « {} » dans {at}",
                                show(v),
                                show(first)
                            ))
                            .hint("les classeurs se contredisent : corrigez l'un des deux, puis relancez l'import"),
                    );
                }
            }
            (Some(v), _) => merged = Merged::Given(v.clone(), read.at.clone()),
        }
    }
    merged
}

/// Shown in a message: « en cours », or « (vide) » for a value removed.
fn shown(text: Option<String>) -> String {
    match text {
        Some(t) => format!("« {} »", t.replace('\n', " / ")),
        None => "(vide)".into(),
    }
}

/// The edits of one action, or of one of its indicators.
pub(super) struct Edits<'a> {
    pub(super) edits: &'a mut Vec<Edit>,
    pub(super) id: &'a str,
    pub(super) indicator: Option<&'a str>,
}

impl Edits<'_> {
    /// Compares the workbooks' value of `key` with the file's (`old`), and
    /// adds the edit it calls for: a value the file lacks, a different value,
    /// or a value emptied in every workbook.
    pub(super) fn compare<T: PartialEq>(
        &mut self,
        key: &'static str,
        what: String,
        old: Option<&T>,
        new: &Merged<T>,
        show: impl Fn(&T) -> String,
        value: impl Fn(&T) -> Value,
    ) {
        let (value, change, at) = match (old, new) {
            (Some(old), Merged::Given(new, at)) if old != new => (
                Some(value(new)),
                Some((shown(Some(show(old))), shown(Some(show(new))))),
                at,
            ),
            (None, Merged::Given(new, at)) => (Some(value(new)), None, at),
            (Some(old), Merged::Cleared(at)) => {
                (None, Some((shown(Some(show(old))), shown(None))), at)
            }
            _ => return,
        };
        self.edits.push(Edit {
            id: self.id.to_string(),
            indicator: self.indicator.map(str::to_string),
            key,
            value,
            what,
            change,
            at: at.clone(),
        });
    }
}

/// The edits the workbooks call for, action by action in the plan's order.
pub(super) fn edits(
    plan: &Plan,
    found: &Found,
    current: Option<&crate::model::follow_up::Year>,
    pre: &BTreeMap<String, Prefill<'_>>,
    year: Option<u16>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut left_empty = Vec::new();
    for action in &plan.actions {
        let id = action.id.as_str();
        let rows: Vec<&ActionRow> = found.rows.iter().filter(|r| r.id == id).collect();
        let indicators: Vec<&IndicatorRow> =
            found.indicators.iter().filter(|r| r.id == id).collect();
        if rows.is_empty() && indicators.is_empty() {
            continue;
        }
        let old = current.and_then(|c| c.actions.get(id));
        let prefilled = pre.get(id).and_then(|p| p.follow_up);
        let mut action_edits = Edits {
            edits: &mut edits,
            id,
            indicator: None,
        };
        let given = Given {
            rows: &rows,
            indicators: &indicators,
            old,
            prefilled,
            year,
        };
        let before = diags.len();
        if given.action(&mut action_edits, &mut left_empty, diags) {
            indicator_edits(&mut edits, id, &indicators, old, year, diags);
        }
        crate::diag::compact(diags, before);
    }
    // A row whose identifier names no action is checked alone: its state
    // goes with the rest of it all the same.
    for row in &found.unidentified {
        let given = Given {
            rows: &[row],
            indicators: &[],
            old: None,
            prefilled: None,
            year,
        };
        let before = diags.len();
        let (state, progress, comment) = given.merged("", diags);
        let row_given = state.filled() || progress.filled() || comment.filled();
        given.check_state(&state, row_given, None, None, diags);
        crate::diag::compact(diags, before);
    }
    // Without a year (an error said), nothing is written, and which actions
    // may be left empty is not known.
    let Some(year) = year else {
        return edits;
    };
    // An action whose period starts after the year is « à venir » in the
    // review: nothing is expected of it, and leaving it empty is no mistake.
    left_empty.retain(|left| {
        !plan
            .actions
            .iter()
            .any(|a| a.id == left.id && a.deadline.is_upcoming(year))
    });
    warn_left_empty(&left_empty, year, diags);
    edits
}

/// « 2026 » after a word, when the year is known.
pub(super) fn of_year(year: Option<u16>) -> String {
    year.map_or_else(String::new, |year| format!(" {year}"))
}

/// An action that every workbook leaves empty, and whether the file has its
/// follow-up.
struct LeftEmpty {
    id: String,
    at: Place,
    kept: bool,
}

/// Beyond this many actions left empty, one warning lists them all.
const LEFT_EMPTY_ONE_BY_ONE: usize = 5;

fn warn_left_empty(left: &[LeftEmpty], year: u16, diags: &mut Vec<Diagnostic>) {
    let file = format!("{}/{year}.toml", crate::model::follow_up::FOLLOW_UP_DIR);
    let hint = "choisissez son état (et, si besoin, son avancement et un commentaire), puis relancez l'import";
    if left.len() <= LEFT_EMPTY_ONE_BY_ONE {
        for action in left {
            let kept = if action.kept {
                format!("{file} garde ce qu'il avait")
            } else {
                format!("aucun suivi {year} n'est écrit pour elle")
            };
            diags.push(
                action
                    .at
                    .warning(format!(
                        "action `{}` laissée vide dans chaque classeur : {kept}",
                        action.id
                    ))
                    .hint(hint),
            );
        }
        return;
    }
    let list = left
        .iter()
        .map(|a| format!("`{}` ({})", a.id, a.at))
        .collect::<Vec<_>>()
        .join(", ");
    diags.push(
        Diagnostic::warning(format!(
            "{} dans chaque classeur : {list} ; rien n'est écrit pour elles dans {file}",
            count(left.len(), "action laissée vide", "actions laissées vides")
        ))
        .hint("choisissez l'état de chacune (et, si besoin, son avancement et un commentaire), puis relancez l'import"),
    );
}

/// What the workbooks give of one action.
struct Given<'a> {
    rows: &'a [&'a ActionRow],
    indicators: &'a [&'a IndicatorRow],
    /// The action's follow-up in the year's file.
    old: Option<&'a FollowUp>,
    /// What its rows were pre-filled with.
    prefilled: Option<&'a FollowUp>,
    /// `None` when no year could be told (an error said).
    year: Option<u16>,
}

impl Given<'_> {
    /// The state, progress and comment that the rows give together: two
    /// rows that disagree are an error naming both cells.
    fn merged(
        &self,
        id: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> (Merged<State>, Merged<u8>, Merged<String>) {
        let rows = self.rows;
        let state = merge(
            rows.iter().filter_map(|r| r.state.as_ref()),
            |s| s.label().to_string(),
            "l'état",
            id,
            diags,
        );
        let progress = merge(
            rows.iter().filter_map(|r| r.progress.as_ref()),
            |p| p.to_string(),
            "l'avancement",
            id,
            diags,
        );
        let comment = merge(
            rows.iter().filter_map(|r| r.comment.as_ref()),
            |c| c.replace('\n', " / "),
            "le commentaire",
            id,
            diags,
        );
        (state, progress, comment)
    }

    /// Checks that a state goes with anything else of the rows (`row_given`),
    /// and with indicators (`valued`) of an action that the year's file does
    /// not have yet; `false` after an error. `id` is `None` for a row whose
    /// identifier names no action.
    fn check_state(
        &self,
        state: &Merged<State>,
        row_given: bool,
        valued: Option<&IndicatorRow>,
        id: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        // Without the year, whether the file has the action is not known.
        let new_action = self.old.is_none() && self.year.is_some();
        if state.filled() || !(row_given || (valued.is_some() && new_action)) {
            return true;
        }
        let at = match (state, self.rows.first(), valued) {
            (Merged::Cleared(at), _, _) => at.clone(),
            (_, Some(row), _) => row.at.clone(),
            (_, None, Some(ind)) => ind
                .value
                .as_ref()
                .map_or_else(|| ind.at.clone(), |v| v.at.clone()),
            (_, None, None) => return true,
        };
        let message = match id {
            Some(id) if row_given => format!("état manquant pour l'action `{id}`"),
            Some(id) => format!(
                "indicateurs de l'action `{id}` sans son état{}",
                of_year(self.year)
            ),
            None => "état manquant sur cette ligne".to_string(),
        };
        let worksheet = match self.year {
            Some(year) => format!("feuille « {} »", follow_up_worksheet(year)),
            None => "feuille de suivi".to_string(),
        };
        diags.push(at.error(message).hint(format!(
            "choisissez l'état de l'action dans la liste ({worksheet}) : l'avancement, le commentaire et les indicateurs accompagnent un état"
        )));
        false
    }

    /// Adds the edits of the action's state, progress and comment; `false`
    /// when nothing more is to be read of it (left empty). After an error,
    /// its indicators are still read, for their own mistakes.
    fn action(
        &self,
        edits: &mut Edits<'_>,
        left_empty: &mut Vec<LeftEmpty>,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        let (id, old) = (edits.id, self.old);
        let (state, progress, comment) = self.merged(id, diags);
        let valued = self
            .indicators
            .iter()
            .find(|r| r.value.as_ref().is_some_and(Read::filled))
            .copied();
        let first = self
            .rows
            .first()
            .map(|r| &r.at)
            .or(self.indicators.first().map(|r| &r.at));
        let row_given = state.filled() || progress.filled() || comment.filled();
        if !row_given && valued.is_none() {
            if let Some(at) = first {
                left_empty.push(LeftEmpty {
                    id: id.to_string(),
                    at: at.clone(),
                    kept: old.is_some(),
                });
            }
            return false;
        }
        // The state goes with anything else of the row, and with indicators
        // of an action that the file does not have yet.
        if !self.check_state(&state, row_given, valued, Some(id), diags) {
            return true;
        }
        edits.compare(
            "etat",
            "l'état".into(),
            old.map(|o| &o.state),
            &state,
            |s| s.label().to_string(),
            |s| Value::from(s.label()),
        );
        edits.compare(
            "avancement",
            "l'avancement".into(),
            old.and_then(|o| o.progress.as_ref()),
            &progress,
            |p| p.to_string(),
            |p| Value::from(i64::from(*p)),
        );
        let comment = self.comment_markdown(comment);
        edits.compare(
            "commentaire",
            "le commentaire".into(),
            old.and_then(|o| o.comment.as_ref()),
            &comment,
            |m| cell_text(m),
            |m| text_value(m),
        );
        true
    }

    /// The Markdown of the comment the workbooks give: the file's own, or
    /// the one the row was pre-filled with, when the cell shows it unchanged
    /// (its formatting is kept); else the cell's text, escaped so that it
    /// shows as typed.
    fn comment_markdown(&self, comment: Merged<String>) -> Merged<String> {
        match comment {
            Merged::Given(text, at) => {
                let same = |m: &&String| cell_text(m) == text;
                let markdown = self
                    .old
                    .and_then(|o| o.comment.as_ref())
                    .filter(same)
                    .or_else(|| self.prefilled.and_then(|f| f.comment.as_ref()).filter(same))
                    .cloned()
                    .unwrap_or_else(|| to_markdown(&plain_to_blocks(&text)).markdown);
                Merged::Given(markdown, at)
            }
            other => other,
        }
    }
}
