//! Stage 5 (write): outputs go to a temporary file in the output folder, then are
//! renamed over the old one, so that a reader never sees half a file and a failed
//! build leaves the previous outputs as they were.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Writes `contents` to `dir/name` atomically.
pub fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> Result<PathBuf, Diagnostic> {
    let path = dir.join(name);
    let fail = |what: &str, e: std::io::Error| {
        Diagnostic::error(format!(
            "écriture impossible de `{}` : {what} ({e})",
            path.display()
        ))
        .hint("vérifiez les droits d'écriture et l'espace disque du dossier de sortie")
    };
    fs::create_dir_all(dir).map_err(|e| fail("création du dossier", e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail("fichier temporaire", e))?;
    tmp.write_all(contents).map_err(|e| fail("écriture", e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| fail("synchronisation", e))?;
    tmp.persist(&path)
        .map_err(|e| fail("remplacement", e.error))?;
    Ok(path)
}
