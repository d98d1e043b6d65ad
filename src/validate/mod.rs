//! The raw records become the model's types only here,
//! and every problem is reported with its file, place and a hint: the
//! convention ([`convention`]), its declared shape ([`shape`]), the actions
//! ([`actions`]), the follow-up of each year ([`follow_up`]).

mod actions;
mod convention;
pub mod follow_up;
pub mod shape;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::shape::Shape;
use crate::model::*;
use crate::read::RawProject;
use crate::text::check;

use actions::ActionSpans;
use actions::validate_action;
use convention::validate_convention;

/// Checks the raw project and builds the plan. Every problem is pushed to
/// `diags`; `None` when any of them is an error.
pub fn validate(raw: RawProject, diags: &mut Vec<Diagnostic>) -> Option<Plan> {
    let plan = validate_project(raw, diags);
    crate::read::forget_stand_ins(diags);
    plan
}

fn validate_project(raw: RawProject, diags: &mut Vec<Diagnostic>) -> Option<Plan> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut untyped = Vec::new();
    let (shape, convention) = match raw.convention {
        Some(mut c) => {
            untyped = crate::validate::shape::untyped_columns(c.value.colonnes.as_ref());
            let shape = Some(Shape::declared(
                &c.file,
                c.value.colonnes.take(),
                c.value.tableau.take(),
                diags,
            ));
            let convention =
                validate_convention(&c.file, c.value, shape.clone(), &raw.logos, diags);
            (shape, convention)
        }
        None => (None, None),
    };
    // Actions are checked even when the convention is not valid, so that one run
    // reports every problem; what depends on the convention (or on its declared
    // columns) is then skipped.
    let mut actions = Vec::new();
    let mut claims = Claims::default();
    for loaded in raw.actions {
        let file = loaded.file;
        let Some((action, spans)) = validate_action(
            &file,
            loaded.value,
            shape.as_ref(),
            &untyped,
            convention.as_ref(),
            diags,
        ) else {
            continue;
        };
        claims.check(&file, &action, spans, convention.as_ref(), diags);
        actions.push(action);
    }
    check_former_ids(&claims.former_ids, &claims.ids, diags);
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    let convention = convention?;
    if errors_after > errors_before {
        return None;
    }
    sort_in_document_order(&mut actions, &convention);
    Some(Plan {
        convention,
        actions,
    })
}

/// What each action claims for itself and no other may: its id, its former id
/// and its position in its field, with whose they already are.
#[derive(Default)]
struct Claims {
    /// Each former id, with where it is written.
    former_ids: Vec<(String, SourceFile, Range<usize>)>,
    /// Each id, with the file of the action that has it.
    ids: HashMap<String, String>,
    /// Each field's positions, with the file of the action that has it.
    positions: HashMap<(String, u32), String>,
}

impl Claims {
    /// Checks the claims of `action` (written in `file`, at `spans`) against
    /// those of the actions before it, and records them. The former ids are
    /// checked once every id is known ([`check_former_ids`]).
    fn check(
        &mut self,
        file: &SourceFile,
        action: &Action,
        spans: ActionSpans,
        convention: Option<&Convention>,
        diags: &mut Vec<Diagnostic>,
    ) {
        if let Some(first) = self.ids.get(&action.id) {
            diags.push(
                Diagnostic::error(format!("identifiant `{}` déjà utilisé", action.id))
                    .at(file, spans.id.clone())
                    .label("identifiant en double")
                    .hint(format!(
                        "chaque action a son propre identifiant ; `{}` est déjà celui de `{first}`",
                        action.id
                    )),
            );
        } else {
            self.ids.insert(action.id.clone(), file.name.clone());
        }
        // Each action's sheet is `actions/<id>.html`, beside their index.
        let index_page = Sheets::INDEX;
        if action.id == index_page && convention.is_none_or(|c| c.sheets.publish) {
            diags.push(
                Diagnostic::error(format!("identifiant réservé : `{index_page}`"))
                    .at(file, spans.id.clone())
                    .label("nom du sommaire des fiches actions")
                    .hint(format!(
                        "la page `actions/{index_page}.html` est le sommaire des fiches : donnez à cette action un autre identifiant, par exemple `{}-{index_page}`",
                        action.field
                    )),
            );
        }
        if let Some(former) = &action.former_id {
            self.former_ids
                .push((former.clone(), file.clone(), spans.former_id.clone()));
        }
        let key = (action.field.clone(), action.position);
        if let Some(other) = self.positions.get(&key) {
            diags.push(
                Diagnostic::error(format!(
                    "position {} déjà prise dans le champ `{}`",
                    action.position, action.field
                ))
                .at(file, spans.position)
                .label("position en double")
                .hint(format!(
                    "`{other}` a déjà la position {} : donnez à chaque action de ce champ un rang différent",
                    action.position
                )),
            );
        } else {
            self.positions.insert(key, action.source.clone());
        }
    }
}

/// Sorts the actions as the documents show them: by field in the order the
/// convention declares them, then by subsection (those without one first),
/// then by position.
fn sort_in_document_order(actions: &mut [Action], convention: &Convention) {
    let order: BTreeMap<&str, (usize, &Field)> = convention
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), (i, f)))
        .collect();
    let rank = |a: &Action| {
        let (field_index, field) = order[a.field.as_str()];
        let sub_index = a
            .subsection
            .as_ref()
            .and_then(|s| field.subsections.iter().position(|x| &x.id == s))
            .map_or(0, |i| i + 1);
        (field_index, sub_index, a.position)
    };
    actions.sort_by_key(rank);
}

/// `ancien_id` names the id an action had before: never an id that an action
/// of the plan has now (its own, or another's), and never two actions' former
/// id, or the comparison of versions could not tell which action it was.
fn check_former_ids(
    former_ids: &[(String, SourceFile, Range<usize>)],
    ids: &HashMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (former, file, span) in former_ids {
        if let Some(holder) = ids.get(former) {
            let hint = if holder == &file.name {
                "`ancien_id` donne l'identifiant que l'action avait avant d'être renommée : retirez cette ligne si l'identifiant n'a pas changé".to_string()
            } else {
                format!(
                    "`{former}` est l'identifiant actuel de `{holder}` : une action ne peut pas reprendre l'identifiant d'une action toujours présente"
                )
            };
            diags.push(
                Diagnostic::error(format!(
                    "ancien identifiant `{former}` encore utilisé dans le plan"
                ))
                .at(file, span.clone())
                .label("identifiant actuel d'une action")
                .hint(hint),
            );
        } else if let Some(first) = seen.get(former.as_str()) {
            diags.push(
                Diagnostic::error(format!("ancien identifiant `{former}` déjà revendiqué"))
                    .at(file, span.clone())
                    .label("ancien identifiant en double")
                    .hint(format!(
                        "`{first}` donne déjà `{former}` comme ancien identifiant : une action renommée n'a qu'une héritière"
                    )),
            );
        } else {
            seen.insert(former, &file.name);
        }
    }
}

/// A required cell text (Markdown), checked as every text of the documents.
fn cell(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let value = value.into_inner();
    check::check(file, span, &value, check::TextKind::cell(key), diags);
    value.trim().to_string()
}

/// A required text shown as written: a title, a label.
fn text(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let value = value.into_inner();
    check::check(file, span, &value, check::TextKind::label(key), diags);
    value.trim().to_string()
}

/// An optional text shown in the documents (a signatory's name, the place of
/// signature): checked, and `None` when blank.
fn shown(
    file: &SourceFile,
    value: Option<Spanned<String>>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
    check::check(
        file,
        value.span(),
        value.get_ref(),
        check::TextKind::optional(key),
        diags,
    );
    optional(Some(value))
}

/// An optional text of the PDF's metadata, which no font prints: `None` when blank.
fn optional(value: Option<Spanned<String>>) -> Option<String> {
    value
        .map(|v| v.into_inner().trim().to_string())
        .filter(|v| !v.is_empty())
}

/// An identifier as ids are written: lowercase ASCII letters, digits and inner dashes.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fn slug(
    file: &SourceFile,
    value: Spanned<String>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let id = value.into_inner();
    if !is_slug(&id) {
        diags.push(
            Diagnostic::error(format!("identifiant {what} invalide : `{id}`"))
                .at(file, span)
                .label("identifiant invalide")
                .hint("un identifiant s'écrit en minuscules sans accents, chiffres et tirets, ex. `petite-enfance`"),
        );
    }
    id
}
