//! Outputs go to temporary files in the output folder, then are
//! renamed over the old ones, so that a reader never sees half a file and a failed
//! build leaves the previous outputs as they were. Nothing is ever written outside
//! the output folder, nor through a link out of it. A build writes under a lock
//! on its folder, and keeps there the record of the files it wrote ([`record`]):
//! it removes only files of that record, never a file it did not write. Beside
//! it, the record of what each document was made from ([`documents`]) lets a
//! build skip a document whose inputs did not change.

mod documents;
mod record;
#[cfg(test)]
mod tests;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::diag::Diagnostic;
use crate::read::source::io_message;
pub use documents::{DOCUMENTS_FILE, Made, Stamp, documents_made, record_documents};
pub use record::{OutputFolder, RECORD_FILE};

/// Writes every `(name, contents)` into `dir`, all or nothing as far as the file
/// system allows: each file is first written in full and synced to a temporary
/// file beside its target; only when all of them are written are they renamed
/// over the old ones. A failure before that leaves `dir` exactly as it was.
pub fn write_all(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut staged = Staged::new(dir)?;
    for (name, contents) in files {
        staged.add(name, contents)?;
    }
    staged.commit()
}

/// Files written in full beside their targets, not yet in place.
struct Staged {
    dir: PathBuf,
    /// The folders the files go to: `dir`, and its subfolders named in the
    /// files' names (`actions/index.html`).
    folders: Vec<PathBuf>,
    files: Vec<(NamedTempFile, PathBuf)>,
}

impl Staged {
    fn new(dir: &Path) -> Result<Self, Diagnostic> {
        fs::create_dir_all(dir).map_err(|e| failure(dir, "création du dossier", &e))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            folders: vec![dir.to_path_buf()],
            files: Vec::new(),
        })
    }

    fn add(&mut self, name: &str, contents: &[u8]) -> Result<(), Diagnostic> {
        let path = target(&self.dir, name);
        let folder = path.parent().unwrap_or(&self.dir).to_path_buf();
        if !self.folders.contains(&folder) {
            refuse_link(&folder)?;
            fs::create_dir_all(&folder).map_err(|e| failure(&folder, "création du dossier", &e))?;
            self.folders.push(folder.clone());
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.files
            .push((stage(&folder, &file_name, contents, &path)?, path));
        Ok(())
    }

    /// Renames every file over its target. Renaming is atomic for each file; it
    /// only fails on a change of the folder by someone else between two renames.
    fn commit(self) -> Result<Vec<PathBuf>, Diagnostic> {
        let mut written = Vec::with_capacity(self.files.len());
        for (tmp, path) in self.files {
            tmp.persist(&path)
                .map_err(|e| failure(&path, "remplacement", &e.error))?;
            written.push(path);
        }
        // The temporary files of an earlier write killed before its renames.
        for folder in &self.folders {
            remove_stale(folder, is_staged);
            sync_dir(folder);
        }
        Ok(written)
    }
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
/// inspection into the output folder `dir`, recorded like the outputs, and
/// says where it is with a warning; the other outputs are not touched, and
/// nothing is written (nor the folder created) when there is nothing to keep.
pub fn keep_for_inspection(dir: &Path, diags: &mut Vec<Diagnostic>) {
    let mut kept: Vec<crate::diag::SourceFile> = Vec::new();
    for d in diags.iter() {
        if let Some(file) = &d.kept
            && !kept.iter().any(|k| k.name == file.name)
        {
            kept.push(file.clone());
        }
    }
    if kept.is_empty() {
        return;
    }
    let mut folder = match OutputFolder::lock(dir) {
        Ok(folder) => folder,
        Err(d) => return diags.push(d),
    };
    for file in kept {
        let note = match folder.replace(&[(&file.name, file.text.as_bytes())], |_| false) {
            Ok(written) => Diagnostic::warning(format!(
                "source généré conservé pour examen : {}",
                written[0].path.display()
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
        is_output_name(name) || name == RECORD_FILE || name == DOCUMENTS_FILE,
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

/// A subfolder of an output folder that is a link (`out/actions` → elsewhere)
/// is refused: writing there would write, and later remove, files outside the
/// output folder.
fn refuse_link(folder: &Path) -> Result<(), Diagnostic> {
    match fs::symlink_metadata(folder) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Diagnostic::error(format!(
            "écriture refusée dans `{}` : ce dossier est un lien vers un autre emplacement",
            folder.display()
        ))
        .hint("ctg n'écrit jamais au travers d'un lien : supprimez ce lien (le dossier vers lequel il pointe n'est pas touché) ; les fichiers déjà présents n'ont pas été modifiés")),
        _ => Ok(()),
    }
}

/// An output file written by a build.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Written {
    pub path: PathBuf,
    pub size: usize,
    /// SHA-256 of the contents, printed so that a copy can be checked.
    pub sha256: String,
}

/// Refuses an output folder that would mix the outputs with the project's own
/// files: the project's folder itself or a folder above it (`--out /`), or a
/// folder of its sources (`data/`, `templates/`, `logos/`). Nothing is created
/// to find out.
pub fn check_folder(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let root = resolved(root);
    let out_resolved = resolved(out);
    let refused = |what: &str| {
        Err(Diagnostic::error(format!(
            "dossier de sortie refusé : `{}` est {what}",
            out.display()
        ))
        .hint("une construction remplace les fichiers de son dossier de sortie : donnez-lui un dossier à elle, par exemple `--out out` (le dossier `out/` du projet, par défaut)"))
    };
    if root.starts_with(&out_resolved) {
        return if out_resolved == root {
            refused("le dossier du projet")
        } else {
            refused("un dossier qui contient le projet")
        };
    }
    for source in ["data", "templates", "logos"] {
        if out_resolved.starts_with(root.join(source)) {
            return refused(&format!("dans le dossier `{source}/` du projet"));
        }
    }
    Ok(())
}

/// `path` made absolute with its links resolved, as far as it exists: the part
/// that does not exist yet is appended as written.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut full = real;
            for part in rest.iter().rev() {
                full.push(part);
            }
            return full;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Whether `name` is the shape of an output's name: a plain file name, or one
/// in a subfolder (`actions/index.html`), never the record itself.
fn is_output_name(name: &str) -> bool {
    name != RECORD_FILE
        && name != DOCUMENTS_FILE
        && !name.contains('\\')
        && name.split('/').count() <= 2
        && name.split('/').all(|part| !matches!(part, "" | "." | ".."))
}
