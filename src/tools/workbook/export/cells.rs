//! What each cell of the workbook holds: the rows of both worksheets, pre-filled,
//! and the note above them; each text measured before anything is written,
//! and one that a cell cannot hold traced back to the file it comes from.

use std::path::Path;

use super::Prefills;
use crate::diag::Failure;
use crate::model::follow_up::{FOLLOW_UP_DIR, Indicator};
use crate::model::{Action, Plan};
use crate::read::CONVENTION_FILE;
use crate::tools::workbook::cell_limit::{self, Origin, shortened, too_long};
use crate::tools::workbook::{
    FOLLOW_UP_COLUMNS, INDICATOR_COLUMNS, Prefill, WorkbookColumn, cell_text, field_labels,
    follow_up_worksheet,
};

/// The note at the top of the follow-up worksheet: what to fill in, and whom to
/// send the workbook back to (from the convention's `[suivi]`).
pub(super) fn note(plan: &Plan, year: u16) -> String {
    let c = &plan.convention;
    let mut text = format!(
        "Suivi {year} du plan d'actions – {} ({}).\n",
        c.title, c.parties
    );
    text.push_str(c.workbook_note.instructions.as_deref().unwrap_or(
        "Pour chaque action, choisissez l'état dans la liste, indiquez l'avancement (pourcentage de 0 à 100) et un commentaire ; les valeurs des indicateurs se saisissent dans la feuille « Indicateurs ». Seules les cellules blanches se modifient ; les valeurs déjà écrites sont celles du dernier suivi : corrigez-les.",
    ));
    if let Some(to) = &c.workbook_note.send_to {
        text.push_str(&format!("\nClasseur à renvoyer à : {to}"));
    }
    text
}

/// The text of `column` for `action`, in the follow-up worksheet.
fn action_cell(plan: &Plan, action: &Action, column: WorkbookColumn) -> String {
    let (field, sub) = field_labels(plan, action);
    match column {
        WorkbookColumn::Id | WorkbookColumn::Origin => action.id.clone(),
        WorkbookColumn::Field => field.to_string(),
        WorkbookColumn::SubSection => sub.to_string(),
        WorkbookColumn::Action => cell_text(&action.description),
        WorkbookColumn::Deadline => action.deadline.text.clone(),
        _ => String::new(),
    }
}

/// A cell to write: text or a number (`None`: left empty), locked or to fill
/// in.
#[derive(Debug, Clone)]
pub(super) enum Out {
    Locked(String),
    Text(Option<String>),
    Number(Option<f64>),
}

impl Out {
    /// The text the cell shows, for the widths and heights.
    pub(super) fn shown(&self) -> String {
        match self {
            Out::Locked(t) | Out::Text(Some(t)) => t.clone(),
            Out::Number(Some(n)) => crate::tools::workbook::read::french_number(*n),
            Out::Text(None) | Out::Number(None) => String::new(),
        }
    }
}

/// The rows of the follow-up worksheet, pre-filled.
pub(super) fn follow_up_rows(
    plan: &Plan,
    actions: &[&Action],
    pre: &Prefills<'_>,
) -> Vec<Vec<Out>> {
    actions
        .iter()
        .map(|action| follow_up_row(plan, action, &pre[&action.id]))
        .collect()
}

/// The row of `action` in the follow-up worksheet, in the order of
/// [`FOLLOW_UP_COLUMNS`].
fn follow_up_row(plan: &Plan, action: &Action, pre: &Prefill<'_>) -> Vec<Out> {
    let f = pre.follow_up;
    FOLLOW_UP_COLUMNS
        .iter()
        .map(|column| match column {
            WorkbookColumn::State => Out::Text(f.map(|f| f.state.label().to_string())),
            WorkbookColumn::Progress => Out::Number(f.and_then(|f| f.progress).map(f64::from)),
            WorkbookColumn::Comment => {
                Out::Text(f.and_then(|f| f.comment.as_deref()).map(cell_text))
            }
            other => Out::Locked(action_cell(plan, action, *other)),
        })
        .collect()
}

/// The rows of the indicators' worksheet: one per indicator already known,
/// pre-filled.
pub(super) fn indicator_rows(
    plan: &Plan,
    actions: &[&Action],
    pre: &Prefills<'_>,
) -> Vec<Vec<Out>> {
    let mut rows = Vec::new();
    for action in actions {
        for indicator in pre[&action.id].indicators {
            rows.push(indicator_row(plan, action, indicator));
        }
    }
    rows
}

/// The row of an indicator of `action`, in the order of
/// [`INDICATOR_COLUMNS`].
fn indicator_row(plan: &Plan, action: &Action, indicator: &Indicator) -> Vec<Out> {
    INDICATOR_COLUMNS
        .iter()
        .map(|column| match column {
            WorkbookColumn::Indicator => Out::Locked(indicator.name.clone()),
            WorkbookColumn::Unit => Out::Text(indicator.unit.clone()),
            WorkbookColumn::Baseline => Out::Number(indicator.baseline),
            WorkbookColumn::Target => Out::Number(indicator.target),
            WorkbookColumn::Value => Out::Number(Some(indicator.value)),
            other => Out::Locked(action_cell(plan, action, *other)),
        })
        .collect()
}

/// Refuses the texts of the workbook that a cell cannot hold: each one is an
/// error naming where it comes from, and all are said at once, before
/// anything is written.
pub(super) fn check_lengths(
    root: &Path,
    plan: &Plan,
    pre: &Prefills<'_>,
    year: u16,
    actions: &[&Action],
) -> Result<(), Failure> {
    let mut errors = Vec::new();
    let mut measure = |text: &str, what: &dyn Fn() -> String, origin: &dyn Fn() -> Origin| {
        if let Some(length) = too_long(text) {
            errors.push(cell_limit::error(root, &origin(), &what(), length));
        }
    };
    // The headers the plan names, and the note above them.
    for column in [
        WorkbookColumn::Field,
        WorkbookColumn::Action,
        WorkbookColumn::Deadline,
    ] {
        let label = column.label(plan, year);
        measure(
            &label,
            &|| format!("en-tête de colonne « {} »", shortened(&label, 40)),
            &|| label_origin(plan, column),
        );
    }
    measure(
        &note(plan, year),
        &|| {
            format!(
                "note en tête de la feuille « {} »",
                follow_up_worksheet(year)
            )
        },
        &|| {
            let key = match plan.convention.workbook_note.instructions {
                Some(_) => "consigne",
                None => "retour",
            };
            Origin::new(
                CONVENTION_FILE,
                vec![cell_limit::key("suivi"), cell_limit::key(key)],
            )
        },
    );
    for action in actions {
        let prefill = &pre[&action.id];
        let row = follow_up_row(plan, action, prefill);
        for (column, cell) in FOLLOW_UP_COLUMNS.iter().zip(&row) {
            if let Out::Locked(text) | Out::Text(Some(text)) = cell {
                measure(
                    text,
                    &|| {
                        format!(
                            "« {} » de l'action `{}`",
                            column.label(plan, year),
                            action.id
                        )
                    },
                    &|| cell_origin(plan, action, *column, prefill, None),
                );
            }
        }
        for indicator in prefill.indicators {
            let row = indicator_row(plan, action, indicator);
            for (column, cell) in INDICATOR_COLUMNS.iter().zip(&row) {
                if let Out::Locked(text) | Out::Text(Some(text)) = cell {
                    measure(
                        text,
                        &|| {
                            format!(
                                "« {} » de l'indicateur « {} » de l'action `{}`",
                                column.label(plan, year),
                                shortened(&indicator.name, 40),
                                action.id
                            )
                        },
                        &|| cell_origin(plan, action, *column, prefill, Some(indicator)),
                    );
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure(errors))
    }
}

/// Where the text of `column` for `action` comes from: its file, or the
/// convention, or the follow-up file it was pre-filled from; for a cell of
/// the indicators' worksheet, `indicator`'s.
fn cell_origin(
    plan: &Plan,
    action: &Action,
    column: WorkbookColumn,
    pre: &Prefill<'_>,
    indicator: Option<&Indicator>,
) -> Origin {
    use cell_limit::{entry, key};
    let shape = &plan.convention.shape;
    let follow_up = |year: Option<u16>, mut way: Vec<cell_limit::Step>| {
        let year = year.map_or_else(|| "ANNÉE".to_string(), |y| y.to_string());
        let mut full = vec![key("actions"), key(action.id.as_str())];
        full.append(&mut way);
        Origin::new(format!("{}/{year}.toml", FOLLOW_UP_DIR), full)
    };
    let of_action = |i: Option<usize>| {
        let name = i.map_or("id", |i| shape.columns[i].key.as_str());
        Origin::new(action.source.as_str(), vec![key(name)])
    };
    match (column, indicator) {
        (WorkbookColumn::Field, _) => Origin::new(
            CONVENTION_FILE,
            vec![entry("champs", "id", action.field.as_str()), key("libelle")],
        ),
        (WorkbookColumn::SubSection, _) => Origin::new(
            CONVENTION_FILE,
            vec![
                entry("champs", "id", action.field.as_str()),
                entry(
                    "sous_sections",
                    "id",
                    action.subsection.clone().unwrap_or_default(),
                ),
                key("libelle"),
            ],
        ),
        (WorkbookColumn::Action, _) => of_action(shape.title()),
        (WorkbookColumn::Deadline, _) => of_action(shape.deadline()),
        (WorkbookColumn::Indicator | WorkbookColumn::Unit, Some(indicator)) => follow_up(
            pre.indicators_year,
            vec![
                entry("indicateurs", "nom", indicator.name.as_str()),
                key(if column == WorkbookColumn::Unit {
                    "unite"
                } else {
                    "nom"
                }),
            ],
        ),
        (WorkbookColumn::Comment, _) => follow_up(pre.follow_up_year, vec![key("commentaire")]),
        (WorkbookColumn::State, _) => follow_up(pre.follow_up_year, vec![key("etat")]),
        _ => of_action(None),
    }
}

/// Where the header of `column` comes from: the convention, which names the
/// columns of either model in its own way.
fn label_origin(plan: &Plan, column: WorkbookColumn) -> Origin {
    use cell_limit::{entry, key};
    let shape = &plan.convention.shape;
    let index = match column {
        WorkbookColumn::Action => shape.title(),
        WorkbookColumn::Deadline => shape.deadline(),
        _ => None,
    };
    let ways = match index {
        Some(i) => {
            let name = shape.columns[i].key.as_str();
            vec![
                vec![key("colonnes"), key(name)],
                vec![entry("colonnes", "cle", name), key("libelle")],
            ]
        }
        None => vec![
            vec![key("tableau"), key("premiere_colonne")],
            vec![key("colonnes"), key("champ")],
        ],
    };
    Origin {
        file: CONVENTION_FILE.to_string(),
        ways,
    }
}
