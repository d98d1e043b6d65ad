//! The indicators' edits: each indicator of an action, by name, merged over
//! the rows that give it and compared with the year's file.

use toml_edit::Value;

use super::edits::{Edits, Merged, merge, of_year};
use super::{Edit, IndicatorRow};
use crate::diag::Diagnostic;
use crate::model::follow_up::FollowUp;
use crate::tools::workbook::read::french_number;
use crate::tools::workbook::update::number_value;

/// The edits of an action's indicators, by name in the order of the rows.
pub(super) fn indicator_edits(
    edits: &mut Vec<Edit>,
    id: &str,
    rows: &[&IndicatorRow],
    old: Option<&FollowUp>,
    year: Option<u16>,
    diags: &mut Vec<Diagnostic>,
) {
    let year = of_year(year);
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.name.as_str()) {
            names.push(&row.name);
        }
    }
    for name in names {
        let of: Vec<&&IndicatorRow> = rows.iter().filter(|r| r.name == name).collect();
        let read = IndicatorRead::merge(&of, name, id, diags);
        if !read.value.given() {
            // A value refused is an error said already.
            if let Some(first) = of.first().filter(|_| !read.value.filled()) {
                let at = first.value.as_ref().map_or(&first.at, |v| &v.at);
                diags.push(
                    at.warning(format!("indicateur « {name} » de `{id}` sans valeur{year} : rien n'est écrit pour lui"))
                        .hint("donnez sa valeur de l'année, en chiffres"),
                );
            }
            continue;
        }
        let before = old.and_then(|o| o.indicators.iter().find(|i| i.name == name));
        let mut e = Edits {
            edits,
            id,
            indicator: Some(name),
        };
        read.compare(&mut e, before, name, &year);
    }
}

/// A field of the indicator `name`, in messages.
fn indicator_field(field: &str, name: &str) -> String {
    format!("{field} de l'indicateur « {name} »")
}

/// One indicator's fields as the workbooks give them.
struct IndicatorRead {
    value: Merged<f64>,
    unit: Merged<String>,
    baseline: Merged<f64>,
    target: Merged<f64>,
}

impl IndicatorRead {
    /// Each field read from the rows `of` the indicator `name`: two that
    /// disagree are an error.
    fn merge(of: &[&&IndicatorRow], name: &str, id: &str, diags: &mut Vec<Diagnostic>) -> Self {
        let number = |v: &f64| french_number(*v);
        let what = |field: &str| indicator_field(field, name);
        IndicatorRead {
            value: merge(
                of.iter().filter_map(|r| r.value.as_ref()),
                number,
                &what("la valeur"),
                id,
                diags,
            ),
            unit: merge(
                of.iter().filter_map(|r| r.unit.as_ref()),
                String::clone,
                &what("l'unité"),
                id,
                diags,
            ),
            baseline: merge(
                of.iter().filter_map(|r| r.baseline.as_ref()),
                number,
                &what("la valeur de départ"),
                id,
                diags,
            ),
            target: merge(
                of.iter().filter_map(|r| r.target.as_ref()),
                number,
                &what("la cible"),
                id,
                diags,
            ),
        }
    }

    /// Compares each field with the file's (`before`, the indicator `name` of
    /// the year, `year` as shown in messages).
    fn compare(
        &self,
        e: &mut Edits<'_>,
        before: Option<&crate::model::follow_up::Indicator>,
        name: &str,
        year: &str,
    ) {
        let number = |v: &f64| french_number(*v);
        let what = |field: &str| indicator_field(field, name);
        e.compare(
            "valeur",
            what(&format!("la valeur{year}")),
            before.map(|b| &b.value),
            &self.value,
            number,
            |v| number_value(*v),
        );
        let before_unit = before.and_then(|b| b.unit.as_ref());
        e.compare(
            "unite",
            what("l'unité"),
            before_unit,
            &self.unit,
            String::clone,
            |u| Value::from(u.as_str()),
        );
        let before_baseline = before.and_then(|b| b.baseline.as_ref());
        e.compare(
            "reference",
            what("la valeur de départ"),
            before_baseline,
            &self.baseline,
            number,
            |v| number_value(*v),
        );
        let before_target = before.and_then(|b| b.target.as_ref());
        e.compare(
            "cible",
            what("la cible"),
            before_target,
            &self.target,
            number,
            |v| number_value(*v),
        );
    }
}
