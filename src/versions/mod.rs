//! The versions of a plan: a project folder or a git revision
//! ([`revision`]), what changed from one to another ([`diff`]), and the
//! amendments that go from one signed version to the next ([`amendments`]).

pub mod amendments;
pub mod diff;
pub mod revision;

use std::path::Path;

use crate::diag::{Diagnostic, Failure};
use crate::model::Plan;
use crate::read::source;

/// What `ctg diff` found: the changes, and the two versions in words.
#[derive(Debug)]
pub struct Comparison {
    pub changes: diff::Changes,
    pub old: String,
    pub new: String,
    pub warnings: Vec<Diagnostic>,
}

/// Compares two versions of the project under `root` (`ctg diff`): `old`
/// and `new` name a project folder or a git revision; `new` is the project's
/// own files when `None`. Each version is loaded and validated as a build
/// would; only the plan itself (convention and actions) is compared.
pub fn compare(root: &Path, old: &str, new: Option<&str>) -> Result<Comparison, Failure> {
    let version = |spec: Option<&str>| match spec {
        Some(spec) => load_version(root, spec).map_err(Failure),
        None => load_plan_of(&source::Source::folder(root), "le projet".into()).map_err(Failure),
    };
    let (old_plan, old_name, mut warnings) = version(Some(old))?;
    let (new_plan, new_name, more) = version(new)?;
    warnings.extend(more);
    Ok(Comparison {
        changes: diff::compare(&old_plan, &new_plan),
        old: old_name,
        new: new_name,
        warnings,
    })
}

/// The plan of one version of the project under `root`, named by `spec` (a
/// project folder or a git revision), loaded and validated as a build would,
/// with that version in words and its warnings. On error, the first
/// diagnostic says which version is at fault.
pub fn load_version(
    root: &Path,
    spec: &str,
) -> Result<(Plan, String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let source = revision::resolve(root, spec).map_err(|d| vec![d])?;
    let name = source.describe(spec);
    load_plan_of(&source, name)
}

fn load_plan_of(
    source: &source::Source,
    name: String,
) -> Result<(Plan, String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let raw = crate::read::load_from(source, &mut diags);
    match crate::validate::validate(raw, &mut diags) {
        Some(plan) if !diags.iter().any(Diagnostic::is_error) => Ok((plan, name, diags)),
        _ => {
            // Which version the errors are in: a file's path is the same in both.
            let mut all = vec![Diagnostic::error(format!("{name} n'est pas un plan valide"))
                .hint("corrigez les erreurs ci-dessous dans cette version, ou donnez une autre version")];
            all.extend(diags);
            Err(all)
        }
    }
}
