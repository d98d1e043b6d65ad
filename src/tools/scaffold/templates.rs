//! `ctg templates export`: the built-in templates written into the project's
//! `templates/`, where they override the built-in ones.

use std::path::Path;

use super::Outcome;
use crate::diag::{Diagnostic, Failure};
use crate::render::templates::BUILTIN;

/// Writes every built-in template into `root/templates/`, where it overrides the
/// built-in one. Existing files are kept unless `force`.
pub fn export_templates(root: &Path, force: bool) -> Result<Outcome, Failure> {
    if !root.is_dir() {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "dossier du projet introuvable : `{}`",
                root.display()
            ))
            .hint("vérifiez le chemin donné à `--root`"),
        ]));
    }
    let dir = root.join("templates");
    let existing: Vec<&str> = BUILTIN
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).exists())
        .collect();
    if !existing.is_empty() && !force {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "gabarit(s) déjà présent(s) dans {} : {}",
                dir.display(),
                existing.join(", ")
            ))
            .hint("ctg ne remplace pas vos gabarits : ajoutez `--force` pour les écraser par ceux du programme (vos modifications seraient perdues)"),
        ]));
    }
    let files: Vec<(&str, &[u8])> = BUILTIN.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let written = crate::write::folder::write_all(&dir, &files).map_err(|d| Failure(vec![d]))?;
    let mut summary: Vec<String> = written
        .iter()
        .map(|p| format!("écrit {}", p.strip_prefix(root).unwrap_or(p).display()))
        .collect();
    summary.push(
        "ces fichiers remplacent désormais les gabarits intégrés : supprimez ceux que vous ne modifiez pas pour profiter des mises à jour de ctg"
            .into(),
    );
    Ok(Outcome {
        summary,
        success: true,
        ..Outcome::default()
    })
}
