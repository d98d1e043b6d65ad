//! Follow-up by spreadsheet, writing: `ctg suivi export ANNÉE` lays out the
//! year's workbook, one row per action in the plan's order and one row per
//! indicator, pre-filled and protected so that only the cells to fill in take
//! input, ready to send and to print. What each cell holds, measured before
//! anything is written, is in [`cells`]; the worksheets and their layout in
//! [`worksheets`]; where the workbook may be written, and how the export knows its
//! own, in [`target`].

mod cells;
mod target;
mod worksheets;

use std::path::PathBuf;

use super::{Prefill, load_project, prefill};
use crate::diag::{Diagnostic, Failure};
use crate::french::count;
use crate::model::{Action, Plan};
use crate::tools::import::names::loose;
use crate::tools::scaffold::Outcome;
use cells::check_lengths;
use target::{check_target, split};
use worksheets::workbook;

/// The pre-filled values, by action id.
type Prefills<'a> = std::collections::BTreeMap<String, Prefill<'a>>;

/// What `ctg suivi export` writes.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub root: PathBuf,
    pub year: u16,
    /// The fields whose actions the workbook holds (ids or labels); all when empty.
    pub fields: Vec<String>,
    /// The workbook's path; `out/suivi-ANNÉE.xlsx` (`suivi-ANNÉE-<champ>.xlsx`
    /// with fields chosen) under the root when `None`.
    pub out: Option<PathBuf>,
}

/// Empty rows left at the bottom of the indicators' worksheet for new indicators.
pub const NEW_INDICATOR_ROWS: u32 = 20;

/// Writes the year's follow-up workbook.
pub fn export(options: &ExportOptions) -> Result<Outcome, Failure> {
    let (plan, follow_ups, mut diagnostics) = load_project(&options.root)?;
    let year = options.year;
    let period = plan.convention.period;
    if !period.contains(year) {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "année de suivi hors de la période de la convention : {year}"
            ))
            .hint(format!(
                "la convention couvre {}-{} : choisissez une année de cette période",
                period.start, period.end
            )),
        ]));
    }
    let fields = chosen_fields(&plan, &options.fields)?;
    let actions: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| fields.is_empty() || fields.contains(&a.field.as_str()))
        .collect();
    if actions.is_empty() {
        return Err(Failure(vec![
            Diagnostic::error("aucune action dans les champs choisis : rien à exporter")
                .hint("choisissez avec `--champ` un champ d'intervention qui a des actions"),
        ]));
    }
    let pre = prefill(&plan, &follow_ups, year);
    check_lengths(&options.root, &plan, &pre, year, &actions)?;
    let bytes = workbook(&plan, &pre, year, &actions)?;
    let path = match &options.out {
        Some(path) => path.clone(),
        None => {
            let mut name = format!("suivi-{year}");
            for field in &fields {
                name.push('-');
                name.push_str(field);
            }
            options.root.join("out").join(format!("{name}.xlsx"))
        }
    };
    let (dir, name) = split(&path)?;
    check_target(&options.root, &path)?;
    let written =
        crate::write::folder::write_atomic(&dir, &name, &bytes).map_err(|d| Failure(vec![d]))?;
    let indicators: usize = actions.iter().map(|a| pre[&a.id].indicators.len()).sum();
    diagnostics.retain(|d| !d.is_error());
    Ok(Outcome {
        diagnostics,
        summary: vec![format!(
            "écrit {} ({}, {}) : à faire remplir, puis à relire avec `ctg suivi import`",
            written.display(),
            count(actions.len(), "action", "actions"),
            count(indicators, "indicateur", "indicateurs"),
        )],
        success: true,
    })
}

/// The ids of the fields that `--champ` names (by id or label), in the
/// convention's order.
fn chosen_fields<'a>(plan: &'a Plan, wanted: &[String]) -> Result<Vec<&'a str>, Failure> {
    let fields = &plan.convention.fields;
    let mut chosen = Vec::new();
    let mut errors = Vec::new();
    for w in wanted {
        match fields
            .iter()
            .find(|f| f.id == *w || loose(&f.id) == loose(w) || loose(&f.label) == loose(w))
        {
            Some(field) => chosen.push(field.id.as_str()),
            None => {
                let known: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
                let list = known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = match crate::read::closest(w, &known) {
                    Some(best) => format!("vouliez-vous dire `{best}` ? Champs déclarés : {list}"),
                    None => format!("champs déclarés dans data/convention.toml : {list}"),
                };
                errors.push(
                    Diagnostic::error(format!("champ d'intervention inconnu : `{w}`")).hint(hint),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(Failure(errors));
    }
    chosen.sort_by_key(|id| fields.iter().position(|f| f.id == *id));
    chosen.dedup();
    Ok(chosen)
}
