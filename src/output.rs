//! Stage 5 (write): outputs go to temporary files in the output folder, then are
//! renamed over the old ones, so that a reader never sees half a file and a failed
//! build leaves the previous outputs as they were. Nothing is ever written outside
//! the output folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::diag::Diagnostic;
use crate::load::io_message;

/// Writes every `(name, contents)` into `dir`, all or nothing as far as the file
/// system allows: each file is first written in full and synced to a temporary
/// file beside its target; only when all of them are written are they renamed
/// over the old ones. A failure before that leaves `dir` exactly as it was.
pub fn write_all(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, Diagnostic> {
    fs::create_dir_all(dir).map_err(|e| failure(dir, "création du dossier", &e))?;
    // The folders the files go to: `dir`, and its subfolders named in `files`
    // (`actions/index.html`).
    let mut folders: Vec<PathBuf> = vec![dir.to_path_buf()];
    let mut staged: Vec<(NamedTempFile, PathBuf)> = Vec::with_capacity(files.len());
    for (name, contents) in files {
        let path = target(dir, name);
        let folder = path.parent().unwrap_or(dir).to_path_buf();
        if !folders.contains(&folder) {
            fs::create_dir_all(&folder).map_err(|e| failure(&folder, "création du dossier", &e))?;
            folders.push(folder.clone());
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        staged.push((stage(&folder, &file_name, contents, &path)?, path));
    }
    // Renaming is atomic for each file; it only fails on a change of the folder
    // by someone else between two renames.
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, path) in staged {
        tmp.persist(&path)
            .map_err(|e| failure(&path, "remplacement", &e.error))?;
        written.push(path);
    }
    // The temporary files of an earlier write killed before its renames.
    for folder in &folders {
        remove_stale(folder, is_staged);
        sync_dir(folder);
    }
    Ok(written)
}

/// The temporary files of a write start with a dot and the target's name, then
/// a random part of this length, then this suffix: `.plan.pdf.AxRAyA.tmp`.
const STAGED_RANDOM_LEN: usize = 6;
const STAGED_SUFFIX: &str = ".tmp";

/// Whether `file_name` is the shape of a temporary file written by [`stage`].
fn is_staged(file_name: &str) -> bool {
    let Some(inner) = file_name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(STAGED_SUFFIX))
    else {
        return false;
    };
    let Some((target, random)) = inner.rsplit_once('.') else {
        return false;
    };
    !target.is_empty()
        && random.len() == STAGED_RANDOM_LEN
        && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Writes `contents` to `dir/name` atomically.
pub fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> Result<PathBuf, Diagnostic> {
    write_all(dir, &[(name, contents)]).map(|mut paths| paths.remove(0))
}

/// Removes the files of `dir` whose name `stale` selects, files left there by
/// earlier builds (they are recognised by their name, and only they are
/// touched); best effort.
pub fn remove_stale(dir: &Path, stale: impl Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && entry.file_name().to_str().is_some_and(&stale) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes each file that a failed build's diagnostics ask to keep for
/// inspection, and says where it is with a warning; the other outputs are not
/// touched.
pub fn keep_for_inspection(dir: &Path, diags: &mut Vec<Diagnostic>) {
    let mut kept: Vec<crate::diag::SourceFile> = Vec::new();
    for d in diags.iter() {
        if let Some(file) = &d.kept
            && !kept.iter().any(|k| k.name == file.name)
        {
            kept.push(file.clone());
        }
    }
    for file in kept {
        let note = match write_atomic(dir, &file.name, file.text.as_bytes()) {
            Ok(path) => Diagnostic::warning(format!(
                "source généré conservé pour examen : {}",
                path.display()
            ))
            .hint("ce fichier n'est pas un document à diffuser ; il est supprimé à la prochaine construction réussie"),
            Err(d) => d,
        };
        diags.push(note);
    }
}

/// `dir/name`, `name` being a plain file name chosen by the program, or one
/// in a subfolder of `dir` (`actions/index.html`).
fn target(dir: &Path, name: &str) -> PathBuf {
    debug_assert!(
        !name.contains('\\')
            && name.split('/').count() <= 2
            && name.split('/').all(|part| !matches!(part, "" | "." | "..")),
        "output names are plain file names"
    );
    dir.join(name)
}

fn stage(
    dir: &Path,
    name: &str,
    contents: &[u8],
    path: &Path,
) -> Result<NamedTempFile, Diagnostic> {
    // A rename cannot replace a folder: find out before anything is replaced.
    if path.is_dir() {
        return Err(Diagnostic::error(format!(
            "écriture impossible de `{}` : un dossier porte ce nom",
            path.display()
        ))
        .hint(
            "renommez ou supprimez ce dossier ; les fichiers déjà présents n'ont pas été modifiés",
        ));
    }
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .rand_bytes(STAGED_RANDOM_LEN)
        .suffix(STAGED_SUFFIX);
    // Outputs are published (a web server reads them): readable by all, like any
    // file the user creates, not private like a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| failure(path, "fichier temporaire", &e))?;
    tmp.write_all(contents)
        .map_err(|e| failure(path, "écriture", &e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| failure(path, "synchronisation", &e))?;
    Ok(tmp)
}

/// Makes the renames durable where the system allows it; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn failure(path: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!(
        "écriture impossible de `{}` : {what} ({})",
        path.display(),
        io_message(Some(e))
    ))
    .hint("vérifiez les droits d'écriture et l'espace disque du dossier de sortie ; les fichiers déjà présents n'ont pas été modifiés")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_files_or_none() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &[("a.txt", b"1"), ("b.txt", b"2")]).unwrap();
        assert_eq!(fs::read(dir.path().join("a.txt")).unwrap(), b"1");
        // A target that cannot be replaced (a folder) makes the whole write fail
        // before anything is renamed.
        fs::create_dir(dir.path().join("c.txt")).unwrap();
        fs::create_dir(dir.path().join("c.txt/x")).unwrap();
        let err = write_all(dir.path(), &[("a.txt", b"new"), ("c.txt", b"3")]);
        assert!(err.is_err());
        assert_eq!(
            fs::read(dir.path().join("a.txt")).unwrap(),
            b"1",
            "a.txt unchanged"
        );
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_killed_write_leaves_nothing_after_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &[("plan.pdf", b"1")]).unwrap();
        // A build killed between writing and renaming leaves its staged file.
        let left = stage(dir.path(), "plan.pdf", b"2", &dir.path().join("plan.pdf"))
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        assert!(
            is_staged(left.file_name().unwrap().to_str().unwrap()),
            "{left:?}"
        );
        // Files of the user's that only look alike are not touched.
        let others = [
            ".notes.tmp",
            ".plan.pdf.tmp",
            "plan.pdf.AxRAyA.tmp",
            ".plan.pdf.AxRAyA.bak",
        ];
        for name in others {
            fs::write(dir.path().join(name), "garder").unwrap();
        }
        write_all(dir.path(), &[("plan.pdf", b"3")]).unwrap();
        assert!(!left.exists(), "{left:?} left behind");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected: Vec<String> = others.iter().map(|s| s.to_string()).collect();
        expected.push("plan.pdf".into());
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn kept_files_are_written_once_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let generated = crate::diag::SourceFile::new("plan.erreur.typ", "#oups");
        let mut diags = vec![
            Diagnostic::error("a").keep(generated.clone()),
            Diagnostic::error("b").keep(generated),
        ];
        keep_for_inspection(dir.path(), &mut diags);
        assert_eq!(diags.len(), 3);
        assert!(!diags[2].is_error());
        assert_eq!(
            fs::read_to_string(dir.path().join("plan.erreur.typ")).unwrap(),
            "#oups"
        );
        fs::write(dir.path().join("plan.pdf"), "%PDF").unwrap();
        remove_stale(dir.path(), |name| name == "plan.erreur.typ");
        assert!(!dir.path().join("plan.erreur.typ").exists());
        assert!(dir.path().join("plan.pdf").exists());
    }
}
