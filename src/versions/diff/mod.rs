//! After stage 2 (validate), beside rendering: what changed between two
//! versions of the plan (`ctg diff`), computed from two validated plans and
//! written in French, grouped by field ([`report()`]).

mod report;

use std::collections::HashMap;

use crate::model::shape::Shape;
use crate::model::{Action, Convention, Plan, Value};
pub use report::{modified, parts, report};

/// Everything that differs between an old and a new version of a plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// The convention's own texts: title, period, parties…, and its notes.
    pub convention: Vec<Modified>,
    /// The declared columns.
    pub columns: Vec<Listed>,
    /// Fields and sub-sections added, removed or renamed.
    pub fields: Vec<Listed>,
    pub signatories: Vec<Listed>,
    /// The actions' changes, by field: the new plan's fields in its order,
    /// then the fields that only the old plan had.
    pub actions: Vec<FieldActions>,
}

/// One value that changed: what it is, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Modified {
    pub what: String,
    pub old: String,
    pub new: String,
    /// A text, shown between « »; else a number or years, shown as they are.
    pub quoted: bool,
}

/// An item of a list (a field, a column, a signatory) added, removed or renamed.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    Added(String),
    Removed(String),
    Renamed {
        what: String,
        old: String,
        new: String,
    },
    /// Kept its name, changed otherwise (a column's type or group).
    Changed {
        what: String,
        old: String,
        new: String,
    },
}

/// The changes to the actions of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldActions {
    pub field: String,
    pub label: String,
    pub changes: Vec<ActionChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionChange {
    Added {
        id: String,
        title: String,
    },
    Removed {
        id: String,
        title: String,
    },
    /// The same action (same id, or named by its `ancien_id`), with the cells
    /// that changed and where it moved.
    Changed {
        id: String,
        former_id: Option<String>,
        title: String,
        cells: Vec<Cell>,
        moves: Vec<Modified>,
    },
}

/// A cell of an action that changed, by column.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub key: String,
    pub label: String,
    /// The text as written (Markdown), empty for an absent value.
    pub old: String,
    pub new: String,
}

impl ActionChange {
    /// A changed action whose cells and id are the same: it only moved.
    pub fn is_move(&self) -> bool {
        matches!(self, ActionChange::Changed { cells, former_id: None, .. } if cells.is_empty())
    }
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// How many changes: one per line of the report's lists, one per action.
    pub fn count(&self) -> usize {
        self.convention.len()
            + self.columns.len()
            + self.fields.len()
            + self.signatories.len()
            + self.actions.iter().map(|f| f.changes.len()).sum::<usize>()
    }
}

/// The changes from plan `old` to plan `new`. Actions are matched by id, or
/// by the `ancien_id` of a new action that names the id of an old one.
pub fn compare(old: &Plan, new: &Plan) -> Changes {
    Changes {
        convention: convention(&old.convention, &new.convention),
        columns: columns(&old.convention.shape, &new.convention.shape),
        fields: fields(&old.convention, &new.convention),
        signatories: signatories(&old.convention, &new.convention),
        actions: actions(old, new),
    }
}

fn convention(old: &Convention, new: &Convention) -> Vec<Modified> {
    let mut found = Vec::new();
    let mut push = |what: &str, old: &str, new: &str, quoted: bool| {
        if old != new {
            found.push(Modified {
                what: what.to_string(),
                old: old.to_string(),
                new: new.to_string(),
                quoted,
            });
        }
    };
    push(
        "période",
        &old.period.to_string(),
        &new.period.to_string(),
        false,
    );
    let mut text = |what: &str, old: &str, new: &str| push(what, old, new, true);
    text("titre", &old.title, &new.title);
    text("parties", &old.parties, &new.parties);
    text("intitulé", &old.heading, &new.heading);
    text("légende du tableau", &old.caption, &new.caption);
    let or_none = |s: Option<String>| s.unwrap_or_default();
    text(
        "version",
        &or_none(old.version.clone()),
        &or_none(new.version.clone()),
    );
    text(
        "date de l'édition",
        &or_none(old.date.map(|d| d.french())),
        &or_none(new.date.map(|d| d.french())),
    );
    text(
        "lieu de signature",
        &or_none(old.signature.place.clone()),
        &or_none(new.signature.place.clone()),
    );
    text(
        "date de signature",
        &or_none(old.signature.date.map(|d| d.french())),
        &or_none(new.signature.date.map(|d| d.french())),
    );
    text(
        "en-tête de la première colonne",
        &old.shape.first_column,
        &new.shape.first_column,
    );
    for note in &new.notes {
        let before = old.notes.iter().find(|n| n.id == note.id);
        text(
            &format!("note `{}`", note.id),
            &before.map_or(String::new(), |n| format!("{} {}", n.mark, n.text)),
            &format!("{} {}", note.mark, note.text),
        );
    }
    for note in old
        .notes
        .iter()
        .filter(|n| !new.notes.iter().any(|x| x.id == n.id))
    {
        text(
            &format!("note `{}`", note.id),
            &format!("{} {}", note.mark, note.text),
            "",
        );
    }
    found
}

fn columns(old: &Shape, new: &Shape) -> Vec<Listed> {
    let mut found = Vec::new();
    for column in &new.columns {
        match old.column(&column.key) {
            None => found.push(Listed::Added(format!(
                "colonne « {} » (`{}`)",
                column.label, column.key
            ))),
            Some((_, before)) if before.label != column.label => found.push(Listed::Renamed {
                what: format!("colonne `{}`", column.key),
                old: before.label.clone(),
                new: column.label.clone(),
            }),
            Some((_, before)) if before != column => found.push(Listed::Changed {
                what: format!("colonne `{}`", column.key),
                old: describe_column(before),
                new: describe_column(column),
            }),
            Some(_) => {}
        }
    }
    for column in &old.columns {
        if new.column(&column.key).is_none() {
            found.push(Listed::Removed(format!(
                "colonne « {} » (`{}`)",
                column.label, column.key
            )));
        }
    }
    found
}

fn describe_column(c: &crate::model::shape::Column) -> String {
    let mut parts = vec![c.kind.word().to_string()];
    if let Some(group) = &c.group {
        parts.push(format!("groupe « {group} »"));
    }
    parts.push(
        if c.required {
            "obligatoire"
        } else {
            "facultative"
        }
        .into(),
    );
    parts.push(
        if c.shown {
            "dans le tableau"
        } else {
            "hors du tableau"
        }
        .into(),
    );
    parts.push(format!("largeur {}", c.width));
    parts.join(", ")
}

fn fields(old: &Convention, new: &Convention) -> Vec<Listed> {
    let mut found = Vec::new();
    for field in &new.fields {
        let Some(before) = old.field(&field.id) else {
            found.push(Listed::Added(format!(
                "champ « {} » (`{}`)",
                field.label, field.id
            )));
            continue;
        };
        if before.label != field.label {
            found.push(Listed::Renamed {
                what: format!("champ `{}`", field.id),
                old: before.label.clone(),
                new: field.label.clone(),
            });
        }
        for sub in &field.subsections {
            match before.subsections.iter().find(|s| s.id == sub.id) {
                None => found.push(Listed::Added(format!(
                    "sous-section « {} » (`{}`) du champ « {} »",
                    sub.label, sub.id, field.label
                ))),
                Some(s) if s.label != sub.label => found.push(Listed::Renamed {
                    what: format!("sous-section `{}` du champ « {} »", sub.id, field.label),
                    old: s.label.clone(),
                    new: sub.label.clone(),
                }),
                Some(_) => {}
            }
        }
        for sub in &before.subsections {
            if !field.subsections.iter().any(|s| s.id == sub.id) {
                found.push(Listed::Removed(format!(
                    "sous-section « {} » (`{}`) du champ « {} »",
                    sub.label, sub.id, field.label
                )));
            }
        }
    }
    for field in &old.fields {
        if new.field(&field.id).is_none() {
            found.push(Listed::Removed(format!(
                "champ « {} » (`{}`)",
                field.label, field.id
            )));
        }
    }
    found
}

fn signatories(old: &Convention, new: &Convention) -> Vec<Listed> {
    let name = |s: &crate::model::Signatory| {
        let mut text = s.institution.clone();
        let details: Vec<&str> = [&s.capacity, &s.name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        text
    };
    let old_names: Vec<String> = old.signatories.iter().map(name).collect();
    let new_names: Vec<String> = new.signatories.iter().map(name).collect();
    let mut found: Vec<Listed> = new_names
        .iter()
        .filter(|n| !old_names.contains(n))
        .map(|n| Listed::Added(n.clone()))
        .collect();
    found.extend(
        old_names
            .iter()
            .filter(|n| !new_names.contains(n))
            .map(|n| Listed::Removed(n.clone())),
    );
    found
}

/// The actions' changes, grouped by field.
fn actions(old: &Plan, new: &Plan) -> Vec<FieldActions> {
    let old_by_id: HashMap<&str, &Action> =
        old.actions.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_ids: Vec<&str> = new.actions.iter().map(|a| a.id.as_str()).collect();
    // An old action is the one a new action has the id of, or else the one
    // it names as its former id.
    let mut matched: Vec<&str> = Vec::new();
    let mut by_field: Vec<FieldActions> = Vec::new();
    let mut push = |field: &str, plan: &Plan, change: ActionChange| match by_field
        .iter_mut()
        .find(|f| f.field == field)
    {
        Some(f) => f.changes.push(change),
        None => by_field.push(FieldActions {
            field: field.to_string(),
            label: plan
                .convention
                .field(field)
                .map_or_else(|| field.to_string(), |f| f.label.clone()),
            changes: vec![change],
        }),
    };
    for action in &new.actions {
        let before = old_by_id.get(action.id.as_str()).copied().or_else(|| {
            action
                .former_id
                .as_deref()
                .filter(|f| !new_ids.contains(f))
                .and_then(|f| old_by_id.get(f).copied())
        });
        let title = crate::model::title::title(new, action);
        let Some(before) = before else {
            push(
                &action.field,
                new,
                ActionChange::Added {
                    id: action.id.clone(),
                    title,
                },
            );
            continue;
        };
        matched.push(before.id.as_str());
        let cells = cells(old, before, new, action);
        let moves = moves(old, before, new, action);
        let former_id = (before.id != action.id).then(|| before.id.clone());
        if !cells.is_empty() || !moves.is_empty() || former_id.is_some() {
            push(
                &action.field,
                new,
                ActionChange::Changed {
                    id: action.id.clone(),
                    former_id,
                    title,
                    cells,
                    moves,
                },
            );
        }
    }
    for action in &old.actions {
        if !matched.contains(&action.id.as_str()) {
            let title = crate::model::title::title(old, action);
            let change = ActionChange::Removed {
                id: action.id.clone(),
                title,
            };
            // A removed action stays under its field, if the new plan has it.
            if new.convention.field(&action.field).is_some() {
                push(&action.field, new, change);
            } else {
                push(&action.field, old, change);
            }
        }
    }
    // The new plan's fields in its order, then those it no longer has.
    let rank = |id: &str| {
        new.convention
            .fields
            .iter()
            .position(|f| f.id == id)
            .unwrap_or(usize::MAX)
    };
    by_field.sort_by_key(|f| rank(&f.field));
    by_field
}

/// The cells of an action that differ in what a reader sees, by column of the new shape, then the
/// columns that only the old shape had.
fn cells(old_plan: &Plan, old: &Action, new_plan: &Plan, new: &Action) -> Vec<Cell> {
    let (old_shape, new_shape) = (&old_plan.convention.shape, &new_plan.convention.shape);
    let mut found = Vec::new();
    for (i, column) in new_shape.columns.iter().enumerate() {
        let after = new.values.get(i).map(written).unwrap_or_default();
        let before = old
            .value(old_shape, &column.key)
            .map(written)
            .unwrap_or_default();
        // A paragraph rewrapped or a Markdown respelling (`*a*`, `_a_`) is
        // no change: the documents show the same text.
        if before != after && crate::text::redline::differs(&before, &after) {
            found.push(Cell {
                key: column.key.clone(),
                label: column.label.clone(),
                old: before,
                new: after,
            });
        }
    }
    for (i, column) in old_shape.columns.iter().enumerate() {
        if new_shape.column(&column.key).is_none() {
            let before = old.values.get(i).map(written).unwrap_or_default();
            if !before.is_empty() {
                found.push(Cell {
                    key: column.key.clone(),
                    label: column.label.clone(),
                    old: before,
                    new: String::new(),
                });
            }
        }
    }
    found
}

/// A value as its file writes it (an amount in euros, a deadline's years).
pub fn written(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Deadline(d) => d.text.clone(),
        Value::Amount(a) => a.french().replace(['\u{202f}', '\u{a0}'], " "),
        Value::Number(n) => n.to_string(),
        Value::Absent => String::new(),
    }
}

/// Where an action moved: its field, its sub-section, its position.
fn moves(old_plan: &Plan, old: &Action, new_plan: &Plan, new: &Action) -> Vec<Modified> {
    let mut found = Vec::new();
    let field_label = |plan: &Plan, id: &str| {
        plan.convention
            .field(id)
            .map_or_else(|| id.to_string(), |f| f.label.clone())
    };
    let sub_label = |plan: &Plan, field: &str, sub: &Option<String>| match sub {
        None => String::new(),
        Some(s) => plan
            .convention
            .field(field)
            .and_then(|f| f.subsections.iter().find(|x| &x.id == s))
            .map_or_else(|| s.clone(), |x| x.label.clone()),
    };
    if old.field != new.field {
        found.push(Modified {
            what: "champ".into(),
            old: field_label(old_plan, &old.field),
            new: field_label(new_plan, &new.field),
            quoted: true,
        });
    }
    if old.subsection != new.subsection {
        found.push(Modified {
            what: "sous-section".into(),
            old: sub_label(old_plan, &old.field, &old.subsection),
            new: sub_label(new_plan, &new.field, &new.subsection),
            quoted: true,
        });
    }
    if old.position != new.position {
        found.push(Modified {
            what: "position".into(),
            old: old.position.to_string(),
            new: new.position.to_string(),
            quoted: false,
        });
    }
    found
}
