//! A logo's file, read from inside the project only: its path as
//! written is checked, then where it really leads, then its size.

use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use super::{HINT_FORMATS, LogoFormat, MAX_BYTES};
use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::display_path;

/// Stage 1: the bytes of the logo written `written` in the convention (at
/// `span` of `file`), a path relative to the project `root`. Refused: an
/// absolute path, `..`, a file that is not there, a symbolic link that leads
/// out of the project, a file over [`MAX_BYTES`].
pub fn read(
    root: &Path,
    file: &SourceFile,
    span: Range<usize>,
    written: &str,
) -> Result<Vec<u8>, Diagnostic> {
    let refuse = |message: String, hint: &str| {
        Diagnostic::error(message)
            .at(file, span.clone())
            .label("logo")
            .hint(hint.to_string())
    };
    check_written_path(written, &refuse)?;
    let full = root.join(Path::new(written));
    let shown = display_path(root, &full);
    let real = inside_project(root, &full, &shown, &refuse)?;
    read_logo_file(&real, &shown, &refuse)
}

/// The logo's path as written: not blank, with `/` between folders, relative,
/// never going up (`..`), with the extension of a logo's format. `refuse`
/// makes the error at the logo's declaration.
fn check_written_path(
    written: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let path = Path::new(written);
    if written.trim().is_empty() {
        return Err(refuse(
            "chemin de logo vide".into(),
            "écrivez le chemin du fichier depuis le dossier du projet, par exemple `logos/caf.svg`",
        ));
    }
    if written.contains('\\') {
        return Err(refuse(
            format!("chemin de logo `{written}` écrit avec des barres obliques inverses"),
            "séparez les dossiers par `/`, par exemple `logos/caf.svg`",
        ));
    }
    if path.is_absolute() || written.starts_with('/') {
        return Err(refuse(
            format!("le logo `{written}` est désigné par un chemin absolu"),
            "copiez le logo dans le projet (par exemple dans `logos/`) et écrivez son chemin depuis le dossier du projet : `logos/caf.svg`",
        ));
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(refuse(
            format!("le logo `{written}` est hors du dossier du projet (`..`)"),
            "ctg ne lit que les fichiers du projet : copiez le logo dans le projet, par exemple dans `logos/`",
        ));
    }
    if LogoFormat::from_extension(written).is_none() {
        return Err(refuse(
            format!("format de logo non pris en charge : `{written}`"),
            HINT_FORMATS,
        ));
    }
    Ok(())
}

/// The real path of the logo file `full` (`shown` in messages): it must exist,
/// and a symbolic link must not lead out of the project `root`.
fn inside_project(
    root: &Path,
    full: &Path,
    shown: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<PathBuf, Diagnostic> {
    let real_root = fs::canonicalize(root).ok();
    let real = match fs::canonicalize(full) {
        Ok(real) => real,
        Err(_) if full.is_symlink() => {
            return Err(refuse(
                format!(
                    "lien symbolique cassé : le logo `{shown}` pointe vers un fichier qui n'existe pas"
                ),
                "copiez le logo dans le projet au lieu d'un lien",
            ));
        }
        Err(_) => {
            return Err(refuse(
                format!("logo introuvable : `{shown}`"),
                "le chemin du logo part du dossier du projet (celui qui contient `data/`) : vérifiez le nom du fichier et de son dossier",
            ));
        }
    };
    if real_root.as_deref().is_some_and(|r| !real.starts_with(r)) {
        return Err(refuse(
            format!(
                "le logo `{shown}` est un lien symbolique vers `{}`, hors du dossier du projet",
                real.display()
            ),
            "ctg ne lit que les fichiers du projet : copiez le logo dans le projet au lieu d'un lien",
        ));
    }
    Ok(real)
}

/// The bytes of the logo file at `real` (`shown` in messages): a file, not a
/// folder, of at most [`MAX_BYTES`].
fn read_logo_file(
    real: &Path,
    shown: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<Vec<u8>, Diagnostic> {
    let meta = fs::metadata(real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
            ),
            "vérifiez que le fichier existe et que vous avez le droit de le lire",
        )
    })?;
    if !meta.is_file() {
        return Err(refuse(
            format!("le logo `{shown}` est un dossier, pas un fichier"),
            "écrivez le chemin du fichier du logo, par exemple `logos/caf.svg`",
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(refuse(
            format!(
                "le logo `{shown}` pèse {} : au-delà de {}",
                crate::french::french_size(meta.len() as usize),
                crate::french::french_size(MAX_BYTES as usize)
            ),
            "un logo pour l'en-tête d'un document pèse quelques dizaines de ko : enregistrez-le en SVG, ou en PNG de moins de 1 000 pixels de large",
        ));
    }
    fs::read(real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
            ),
            "vérifiez que vous avez le droit de lire ce fichier",
        )
    })
}
