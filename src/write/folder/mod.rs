//! Stage 5 (write): outputs go to temporary files in the output folder, then are
//! renamed over the old ones, so that a reader never sees half a file and a failed
//! build leaves the previous outputs as they were. Nothing is ever written outside
//! the output folder, nor through a link out of it. A build writes under a lock
//! on its folder, and keeps there the record of the files it wrote: it removes
//! only files of that record, never a file it did not write.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::diag::Diagnostic;
use crate::read::source::io_message;

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

/// The record of the files a build wrote in its output folder, one line
/// each as `sha256sum` writes them (`<sha256>  <name>`), so that a copy of the
/// folder can also be checked with `sha256sum -c`.
pub const RECORD_FILE: &str = ".ctg-sorties.sha256";

/// What each document in an output folder was made from, and its files as
/// they were written: a build skips a document whose inputs are the same and
/// whose files are still there as written.
pub const DOCUMENTS_FILE: &str = ".ctg-documents";

/// A document as made: the fingerprint of its inputs, and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub inputs: String,
    pub files: Vec<Stamp>,
}

/// A file as written: its size and modification time tell that it was left
/// alone since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub name: String,
    pub size: u64,
    pub modified: u128,
}

impl Stamp {
    /// The stamp of the output file `name` in `dir` now; `None` when it is
    /// not there as a plain file.
    pub fn of(dir: &Path, name: &str) -> Option<Stamp> {
        if !is_output_name(name) {
            return None;
        }
        let meta = fs::symlink_metadata(dir.join(name)).ok()?;
        if !meta.is_file() {
            return None;
        }
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Stamp {
            name: name.to_string(),
            size: meta.len(),
            modified,
        })
    }
}

impl Made {
    /// Whether every file of the document is in `dir` as it was written.
    pub fn still_in(&self, dir: &Path) -> bool {
        !self.files.is_empty()
            && self
                .files
                .iter()
                .all(|f| Stamp::of(dir, &f.name).as_ref() == Some(f))
    }
}

/// The documents recorded in `dir` by earlier builds, by name; none when the
/// record is missing or unreadable (every document is then made again).
pub fn documents_made(dir: &Path) -> std::collections::BTreeMap<String, Made> {
    let mut made = std::collections::BTreeMap::new();
    let Ok(text) = fs::read_to_string(dir.join(DOCUMENTS_FILE)) else {
        return made;
    };
    let mut current: Option<(String, Made)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("document ") {
            if let Some((name, document)) = current.take() {
                made.insert(name, document);
            }
            let Some((inputs, name)) = rest.split_once(' ') else {
                return Default::default();
            };
            current = Some((
                name.to_string(),
                Made {
                    inputs: inputs.to_string(),
                    files: Vec::new(),
                },
            ));
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let stamp = match (parts.next(), parts.next(), parts.next()) {
            (Some(size), Some(modified), Some(name)) => size
                .parse()
                .ok()
                .zip(modified.parse().ok())
                .map(|(size, modified)| Stamp {
                    name: name.to_string(),
                    size,
                    modified,
                }),
            _ => None,
        };
        match (stamp, current.as_mut()) {
            (Some(stamp), Some((_, document))) => document.files.push(stamp),
            _ => return Default::default(),
        }
    }
    if let Some((name, document)) = current {
        made.insert(name, document);
    }
    made
}

/// Records `made` in `dir`, replacing the earlier record. A record that
/// cannot be written only costs the next build its shortcut: it is removed.
pub fn record_documents(dir: &Path, made: &std::collections::BTreeMap<String, Made>) {
    let mut text = String::new();
    for (name, document) in made {
        text.push_str(&format!("document {} {name}\n", document.inputs));
        for f in &document.files {
            text.push_str(&format!("{} {} {}\n", f.size, f.modified, f.name));
        }
    }
    if write_all(dir, &[(DOCUMENTS_FILE, text.as_bytes())]).is_err() {
        let _ = fs::remove_file(dir.join(DOCUMENTS_FILE));
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

/// An output folder, locked for one build's writes: two builds into one
/// folder (`ctg watch` and `ctg build`, say) write one after the other, so
/// that the folder always holds the outputs of one build.
pub struct OutputFolder {
    dir: PathBuf,
    /// The lock is on the folder itself, held until this is dropped: no file
    /// of its own is needed, and the system releases it if the process dies.
    _lock: fs::File,
    /// What earlier builds wrote: name → SHA-256.
    record: std::collections::BTreeMap<String, String>,
}

impl OutputFolder {
    /// Creates `dir` if needed and locks it, waiting for another build that
    /// writes there, with a word to say so.
    pub fn lock(dir: &Path) -> Result<Self, Diagnostic> {
        fs::create_dir_all(dir).map_err(|e| failure(dir, "création du dossier", &e))?;
        let lock = fs::File::open(dir).map_err(|e| failure(dir, "verrouillage", &e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                crate::say!(
                    "une autre construction écrit dans `{}` : attente de sa fin…",
                    dir.display()
                );
                lock.lock().map_err(|e| failure(dir, "verrouillage", &e))?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(failure(dir, "verrouillage", &e)),
        }
        let record = fs::read_to_string(dir.join(RECORD_FILE))
            .map(|text| parse_record(&text))
            .unwrap_or_default();
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            record,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `files` (all or nothing, see [`write_all`]) and records them;
    /// then removes each file of the record that this write did not replace
    /// and that `stale` selects, if it still holds what was written (a file
    /// changed since is the user's: it stays, out of the record).
    pub fn replace(
        &mut self,
        files: &[(&str, &[u8])],
        stale: impl Fn(&str) -> bool,
    ) -> Result<Vec<Written>, Diagnostic> {
        self.replace_keeping(files, &[], stale)
    }

    /// The same, keeping `kept` (the files of documents not made again) as
    /// they are, in the record.
    pub fn replace_keeping(
        &mut self,
        files: &[(&str, &[u8])],
        kept: &[&str],
        stale: impl Fn(&str) -> bool,
    ) -> Result<Vec<Written>, Diagnostic> {
        // The hashes are computed while the files are written and synced.
        let (staged, hashes) = std::thread::scope(|scope| {
            let hashes = scope.spawn(|| {
                files
                    .iter()
                    .map(|(_, bytes)| crate::model::fingerprint::sha256_hex(bytes))
                    .collect::<Vec<_>>()
            });
            let staged = Staged::new(&self.dir).and_then(|mut staged| {
                for (name, contents) in files {
                    staged.add(name, contents)?;
                }
                Ok(staged)
            });
            let hashes = hashes.join().unwrap_or_else(|_| {
                files
                    .iter()
                    .map(|(_, bytes)| crate::model::fingerprint::sha256_hex(bytes))
                    .collect()
            });
            (staged, hashes)
        });
        let mut staged = staged?;
        // The record goes in place with the files it names; the files it no
        // longer names are removed after, so that it never names a file of
        // another's.
        let mut record = self.record.clone();
        let removed: Vec<(String, String)> = self
            .record
            .iter()
            .filter(|(name, _)| {
                !files.iter().any(|(n, _)| n == name)
                    && !kept.contains(&name.as_str())
                    && stale(name)
            })
            .map(|(name, hash)| (name.clone(), hash.clone()))
            .collect();
        for (name, _) in &removed {
            record.remove(name);
        }
        for ((name, _), hash) in files.iter().zip(&hashes) {
            record.insert(name.to_string(), hash.clone());
        }
        staged.add(RECORD_FILE, record_text(&record).as_bytes())?;
        let mut paths = staged.commit()?;
        paths.pop(); // the record's
        self.record = record;
        for (name, hash) in &removed {
            self.remove_if_unchanged(name, hash);
        }
        Ok(paths
            .into_iter()
            .zip(files.iter().zip(hashes))
            .map(|(path, ((_, bytes), sha256))| Written {
                path,
                size: bytes.len(),
                sha256,
            })
            .collect())
    }

    /// Removes `dir/name` if it still holds the contents of `hash`; a name
    /// that is no output's, or under a link, is never touched.
    fn remove_if_unchanged(&self, name: &str, hash: &str) {
        if !is_output_name(name) {
            return;
        }
        let path = self.dir.join(name);
        if let Some(parent) = path.parent()
            && parent != self.dir
            && refuse_link(parent).is_err()
        {
            return;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return;
        };
        if !meta.is_file() {
            return;
        }
        let unchanged = fs::read(&path)
            .is_ok_and(|bytes| crate::model::fingerprint::sha256_hex(&bytes) == hash);
        if unchanged {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The record's lines; a line that does not name an output file as a build
/// writes it is ignored, so that an edited record can never make a build
/// remove another file.
fn parse_record(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once("  "))
        .filter(|(hash, name)| {
            hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && is_output_name(name)
        })
        .map(|(hash, name)| (name.to_string(), hash.to_ascii_lowercase()))
        .collect()
}

fn record_text(record: &std::collections::BTreeMap<String, String>) -> String {
    record
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect()
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
        // The next successful build removes it: it is in the record.
        let mut folder = OutputFolder::lock(dir.path()).unwrap();
        folder.replace(&[("plan.pdf", b"%PDF")], |_| true).unwrap();
        assert!(!dir.path().join("plan.erreur.typ").exists());
        assert!(dir.path().join("plan.pdf").exists());
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = walk(dir, dir);
        names.sort();
        names
    }

    fn walk(top: &Path, dir: &Path) -> Vec<String> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                names.extend(walk(top, &path));
            } else {
                let name = path.strip_prefix(top).unwrap().to_string_lossy();
                names.push(name.into_owned());
            }
        }
        names
    }

    #[test]
    fn a_build_removes_only_what_it_wrote_and_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        // The user's own files, named like outputs.
        fs::create_dir(out.join("actions")).unwrap();
        fs::write(out.join("avenant-1.pdf"), "le mien").unwrap();
        fs::write(out.join("actions/contact.html"), "le mien").unwrap();
        let mut folder = OutputFolder::lock(out).unwrap();
        folder
            .replace(
                &[
                    ("plan.pdf", b"1"),
                    ("avenant-2.pdf", b"2"),
                    ("actions/a.html", b"a"),
                    ("actions/b.html", b"b"),
                ],
                |_| true,
            )
            .unwrap();
        // The user changes one output: it is theirs now.
        fs::write(out.join("actions/b.html"), "modifié à la main").unwrap();
        drop(folder);
        let mut folder = OutputFolder::lock(out).unwrap();
        let written = folder.replace(&[("plan.pdf", b"3")], |_| true).unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(
            written[0].sha256,
            crate::model::fingerprint::sha256_hex(b"3")
        );
        assert_eq!(
            names_in(out),
            [
                RECORD_FILE,
                "actions/b.html",
                "actions/contact.html",
                "avenant-1.pdf",
                "plan.pdf"
            ]
        );
        assert_eq!(
            fs::read_to_string(out.join("avenant-1.pdf")).unwrap(),
            "le mien"
        );
        // The record names what this build wrote, as `sha256sum -c` reads it.
        assert_eq!(
            fs::read_to_string(out.join(RECORD_FILE)).unwrap(),
            format!(
                "{}  plan.pdf\n",
                crate::model::fingerprint::sha256_hex(b"3")
            )
        );
        // Only the files `stale` selects go.
        folder
            .replace(&[("x.pdf", b"x")], |name| name != "plan.pdf")
            .unwrap();
        assert!(out.join("plan.pdf").exists());
    }

    #[test]
    fn an_edited_record_cannot_remove_another_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let precious = dir.path().join("precieux.txt");
        fs::write(&precious, "x").unwrap();
        let hash = crate::model::fingerprint::sha256_hex(b"x");
        fs::write(
            out.join(RECORD_FILE),
            format!(
                "{hash}  ../precieux.txt\n{hash}  /tmp/precieux.txt\n{hash}  {}\n",
                precious.display()
            ),
        )
        .unwrap();
        let mut folder = OutputFolder::lock(&out).unwrap();
        folder.replace(&[("plan.pdf", b"1")], |_| true).unwrap();
        assert!(precious.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_subfolder_that_is_a_link_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let elsewhere = dir.path().join("ailleurs");
        fs::create_dir_all(&out).unwrap();
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("garder.html"), "garder").unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("actions")).unwrap();
        let mut folder = OutputFolder::lock(&out).unwrap();
        let err = folder
            .replace(&[("plan.pdf", b"1"), ("actions/a.html", b"a")], |_| true)
            .unwrap_err();
        assert!(
            err.message.contains("ce dossier est un lien"),
            "{}",
            err.message
        );
        assert_eq!(names_in(&elsewhere), ["garder.html"]);
        assert!(!out.join("plan.pdf").exists());
    }

    #[test]
    fn an_output_folder_holding_the_project_or_in_its_sources_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("projet");
        fs::create_dir_all(root.join("data")).unwrap();
        let refused = |out: &Path| check_folder(&root, out).unwrap_err().message;
        assert!(refused(&root).contains("le dossier du projet"));
        assert!(refused(&root.join("data/../")).contains("le dossier du projet"));
        assert!(refused(dir.path()).contains("un dossier qui contient le projet"));
        assert!(refused(Path::new("/")).contains("un dossier qui contient le projet"));
        assert!(refused(&root.join("data")).contains("`data/`"));
        assert!(refused(&root.join("data/sortie")).contains("`data/`"));
        assert!(refused(&root.join("templates")).contains("`templates/`"));
        assert!(check_folder(&root, &root.join("out")).is_ok());
        assert!(check_folder(&root, &dir.path().join("site")).is_ok());
        assert!(check_folder(&root, &root.join("out/v1.0")).is_ok());
        // Nothing was created to find out.
        assert!(!root.join("out").exists());
    }

    #[test]
    fn a_second_writer_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputFolder::lock(dir.path()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let path = dir.path().to_path_buf();
        let second = std::thread::spawn(move || {
            let folder = OutputFolder::lock(&path).unwrap();
            tx.send(()).unwrap();
            drop(folder);
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err(),
            "the second writer did not wait"
        );
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the second writer goes on once the first is done");
        second.join().unwrap();
    }
}
