//! For the amendments ("avenants") that the convention
//! lists: the two versions of the plan each one goes between, resolved, loaded
//! and checked, and the changes between them, ready to render.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::model::{Amendment, Plan, VersionRef};
use crate::versions::diff::{ActionChange, Changes};

/// An amendment with everything its document shows.
#[derive(Debug)]
pub struct Prepared {
    pub amendment: Amendment,
    /// The plan it amends (`depuis`), and that version in words.
    pub old: Plan,
    pub old_name: String,
    /// The plan as amended (`vers`, or the next amendment's `depuis`, or the
    /// project's files).
    pub new: Plan,
    pub changes: Changes,
    /// The numbers of the amendments before this one, whose changes the
    /// version it amends holds.
    pub earlier: Vec<u32>,
    /// The actions of the amended plan that this amendment or an earlier one
    /// added or changed, by id, oldest amendment first.
    pub marks: BTreeMap<String, Vec<Mark>>,
}

/// What an amendment did to an action still in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub number: u32,
    pub added: bool,
}

impl Mark {
    /// « ajouté par l'avenant n° 2 », « modifié par l'avenant n° 1 ».
    pub fn words(&self) -> String {
        let what = if self.added { "ajouté" } else { "modifié" };
        format!("{what} par l’avenant n°\u{a0}{}", self.number)
    }
}

/// The amendments of `plan` (the version being built of project `root`), in
/// order of number. Each named version is read once; every problem of every
/// amendment is reported together.
pub fn prepare(root: &Path, plan: &Plan) -> Result<Vec<Prepared>, Vec<Diagnostic>> {
    let amendments = &plan.convention.amendments;
    if amendments.is_empty() {
        return Ok(Vec::new());
    }
    let mut loaded: BTreeMap<String, Result<(Plan, String), ()>> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut load =
        |at: &VersionRef, number: u32, errors: &mut Vec<Diagnostic>| -> Option<(Plan, String)> {
            if !loaded.contains_key(&at.spec) {
                let outcome = super::load_version(root, &at.spec).map_err(|mut diags| {
                    // The first diagnostic says what is wrong with the version:
                    // it is placed where the convention names it.
                    if let Some(first) = diags.first_mut() {
                        first.message = format!("avenant n° {number} : {}", first.message);
                        first.file = Some(at.file.clone());
                        first.span = Some(at.span.clone());
                        first
                            .label
                            .get_or_insert_with(|| "version de l'avenant".into());
                    }
                    errors.extend(diags);
                });
                loaded.insert(at.spec.clone(), outcome.map(|(plan, name, _)| (plan, name)));
            }
            loaded.get(&at.spec).and_then(|r| r.as_ref().ok()).cloned()
        };
    let mut prepared: Vec<Prepared> = Vec::new();
    for (i, amendment) in amendments.iter().enumerate() {
        let old = load(&amendment.since, amendment.number, &mut errors);
        let until = amendment
            .until
            .as_ref()
            .or_else(|| amendments.get(i + 1).map(|next| &next.since));
        let new = match until {
            Some(at) => load(at, amendment.number, &mut errors).map(|(plan, _)| plan),
            None => Some(plan.clone()),
        };
        let (Some((old, old_name)), Some(new)) = (old, new) else {
            continue;
        };
        let changes = crate::versions::diff::compare(&old, &new);
        let mut marks: BTreeMap<String, Vec<Mark>> = BTreeMap::new();
        // The earlier amendments' marks on the actions that are still there,
        // under their new id if this amendment changed it.
        if let Some(before) = prepared.last() {
            let renamed = |id: &str| {
                changes
                    .actions
                    .iter()
                    .flat_map(|f| &f.changes)
                    .find_map(|c| match c {
                        ActionChange::Changed {
                            id: new_id,
                            former_id: Some(former),
                            ..
                        } if former == id => Some(new_id.clone()),
                        _ => None,
                    })
            };
            for (id, list) in &before.marks {
                let id = renamed(id).unwrap_or_else(|| id.clone());
                if new.actions.iter().any(|a| a.id == id) {
                    marks.insert(id, list.clone());
                }
            }
        }
        for change in changes.actions.iter().flat_map(|f| &f.changes) {
            let (id, added) = match change {
                ActionChange::Added { id, .. } => (id, true),
                ActionChange::Changed { id, .. } => (id, false),
                ActionChange::Removed { .. } => continue,
            };
            marks.entry(id.clone()).or_default().push(Mark {
                number: amendment.number,
                added,
            });
        }
        prepared.push(Prepared {
            amendment: amendment.clone(),
            old,
            old_name,
            new,
            changes,
            earlier: amendments[..i].iter().map(|a| a.number).collect(),
            marks,
        });
    }
    if errors.is_empty() {
        Ok(prepared)
    } else {
        Err(errors)
    }
}

/// A warning for each amendment that changes nothing in the plan (its
/// document has no table of changes), and for each whose version after is
/// older than its version before, by the dates of edition of the two.
pub fn warnings(prepared: &[Prepared]) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for p in prepared {
        if p.changes.is_empty() {
            let at = &p.amendment.since;
            warnings.push(Diagnostic::warning(format!(
                "l'avenant n° {} ne change rien au plan d'actions depuis {}",
                p.amendment.number, p.old_name
            ))
            .at(&at.file, at.span.clone())
            .hint("vérifiez `depuis` : c'est la version du plan avant l'avenant (l'étiquette posée à la signature précédente)"));
        }
        if let (Some(before), Some(after)) = (p.old.convention.date, p.new.convention.date)
            && after < before
        {
            let at = p.amendment.until.as_ref().unwrap_or(&p.amendment.since);
            warnings.push(Diagnostic::warning(format!(
                "l'avenant n° {} va d'une version du plan éditée le {} à une version plus ancienne, éditée le {}",
                p.amendment.number,
                before.french(),
                after.french()
            ))
            .at(&at.file, at.span.clone())
            .label("version plus ancienne que `depuis`")
            .hint("`depuis` est la version d'avant l'avenant, `vers` celle qu'il signe : vérifiez qu'elles ne sont pas inversées"));
        }
    }
    warnings
}
