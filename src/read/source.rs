//! Where a project's files are read from. A version of
//! the plan is either a project folder or a git revision of the project; the
//! loader, the follow-up and the templates read both the same way, by paths
//! relative to the project root. A revision's files are read from the
//! repository into memory by [`crate::versions::revision`], never written anywhere. The
//! file helpers are here too: the walk of a folder that never leaves the
//! project, the reading and decoding of a file, its name in messages and the
//! system's errors in French.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::{Diagnostic, SourceFile};

/// A project's files: a folder on disk, or the tree of a git revision.
#[derive(Debug, Clone)]
pub enum Source {
    Folder(PathBuf),
    Revision(Revision),
}

/// The files of `data/` and `templates/` at a git revision, read into memory.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The revision as the user wrote it (`v1.0`, a commit, a branch).
    pub name: String,
    /// The commit it resolved to, in full.
    pub commit: String,
    /// Each file by its path from the project root, with `/` separators.
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Blob(Vec<u8>),
    /// A symbolic link: a revision's tree stores its target, not a file.
    Link,
}

impl Source {
    pub fn folder(root: impl Into<PathBuf>) -> Self {
        Source::Folder(root.into())
    }

    /// The project folder, when the files are read from disk.
    pub fn root(&self) -> Option<&Path> {
        match self {
            Source::Folder(root) => Some(root),
            Source::Revision(_) => None,
        }
    }

    /// Whether `rel` (a path from the project root) is a folder of this version.
    pub fn is_dir(&self, rel: &str) -> bool {
        match self {
            Source::Folder(root) => root.join(rel).is_dir(),
            Source::Revision(r) => {
                let prefix = format!("{rel}/");
                r.files
                    .range(prefix.clone()..)
                    .next()
                    .is_some_and(|(k, _)| k.starts_with(&prefix))
            }
        }
    }

    /// Whether `rel` is a file of this version (a link to a file, on disk).
    pub fn is_file(&self, rel: &str) -> bool {
        match self {
            Source::Folder(root) => root.join(rel).is_file(),
            Source::Revision(r) => matches!(r.files.get(rel), Some(Entry::Blob(_))),
        }
    }

    /// Whether `rel` is there at all, a file or a link (even a broken one),
    /// so that reading it says what is wrong with it.
    pub fn exists(&self, rel: &str) -> bool {
        match self {
            Source::Folder(root) => {
                let path = root.join(rel);
                path.exists() || path.is_symlink()
            }
            Source::Revision(r) => r.files.contains_key(rel),
        }
    }

    /// The files under folder `dir` (a path from the project root), down to
    /// `max_depth` folders, as paths from the project root, in the order of a
    /// sorted walk (a folder's files before those of the next name), hidden
    /// files and folders left out. Problems (a link leading out of the
    /// project, a link in a revision) are pushed to `diags`.
    pub fn files(&self, dir: &str, max_depth: usize, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        match self {
            Source::Folder(root) => data_files(root, &root.join(dir), max_depth, diags)
                .iter()
                .map(|p| display_path(root, p))
                .collect(),
            Source::Revision(r) => {
                let prefix = format!("{dir}/");
                let mut found: Vec<&String> = r
                    .files
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k)
                    .filter(|k| {
                        let below: Vec<&str> = k[prefix.len()..].split('/').collect();
                        below.len() <= max_depth && !below.iter().any(|c| c.starts_with('.'))
                    })
                    .collect();
                // A walk sorts each folder's names; a sort of whole paths would
                // put `a-b/x` before `a/x` ('-' < '/').
                found.sort_by(|a, b| a.split('/').cmp(b.split('/')));
                found
                    .into_iter()
                    .filter(|k| match r.files.get(*k) {
                        Some(Entry::Link) => {
                            diags.push(r.link(k));
                            false
                        }
                        _ => true,
                    })
                    .cloned()
                    .collect()
            }
        }
    }

    /// The names directly in folder `dir`, files and folders, sorted, hidden
    /// ones left out, each with whether it is a file.
    pub fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        match self {
            Source::Folder(root) => {
                let Ok(read) = std::fs::read_dir(root.join(dir)) else {
                    return Vec::new();
                };
                let mut names: Vec<(String, bool)> = read
                    .filter_map(Result::ok)
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            e.path().is_file(),
                        )
                    })
                    .filter(|(n, _)| !n.starts_with('.'))
                    .collect();
                names.sort();
                names
            }
            Source::Revision(r) => {
                let prefix = format!("{dir}/");
                let mut names: Vec<(String, bool)> = Vec::new();
                for key in r
                    .files
                    .range(prefix.clone()..)
                    .map(|(k, _)| k)
                    .take_while(|k| k.starts_with(&prefix))
                {
                    let rest = &key[prefix.len()..];
                    let (name, is_file) = match rest.split_once('/') {
                        Some((folder, _)) => (folder, false),
                        None => (rest, true),
                    };
                    if !name.starts_with('.') && !names.iter().any(|(n, _)| n == name) {
                        names.push((name.to_string(), is_file));
                    }
                }
                names.sort();
                names
            }
        }
    }

    /// Reads file `rel` as UTF-8 text, naming it in any error.
    pub fn read_text(&self, rel: &str) -> Result<SourceFile, Diagnostic> {
        match self {
            Source::Folder(root) => read_text(root, &root.join(rel)),
            Source::Revision(r) => match r.files.get(rel) {
                Some(Entry::Blob(bytes)) => decode(rel.to_string(), bytes.clone()),
                Some(Entry::Link) => Err(r.link(rel)),
                None => Err(Diagnostic::error(format!(
                    "fichier `{rel}` absent de la révision `{}`",
                    r.name
                ))
                .hint("vérifiez que ce fichier était enregistré dans cette révision")),
            },
        }
    }

    /// Reads file `rel` as bytes (a template's image, a font).
    pub fn read_bytes(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            Source::Folder(root) => std::fs::read(root.join(rel)).ok(),
            Source::Revision(r) => match r.files.get(rel) {
                Some(Entry::Blob(bytes)) => Some(bytes.clone()),
                _ => None,
            },
        }
    }
}

impl Revision {
    /// An empty revision `name`, which resolved to `commit`; its files are
    /// added by the reader of the repository.
    pub fn new(name: &str, commit: String) -> Self {
        Revision {
            name: name.to_string(),
            commit,
            files: BTreeMap::new(),
        }
    }

    /// Adds file `path` (from the project root, `/` separated).
    pub fn add_file(&mut self, path: String, bytes: Vec<u8>) {
        self.files.insert(path, Entry::Blob(bytes));
    }

    /// Adds a symbolic link at `path`: reading it is an error.
    pub fn add_link(&mut self, path: String) {
        self.files.insert(path, Entry::Link);
    }

    /// A symbolic link stored in a revision: its target is not read.
    fn link(&self, rel: &str) -> Diagnostic {
        Diagnostic::error(format!(
            "`{rel}` est un lien symbolique dans la révision `{}`",
            self.name
        ))
        .hint("un lien n'est pas suivi dans une révision : enregistrez le fichier lui-même à sa place")
    }
}

impl Source {
    /// The version in words, for messages: « la révision `v1.0` (commit …) »,
    /// « le dossier `…` ».
    pub fn describe(&self, spec: &str) -> String {
        match self {
            Source::Folder(_) => format!("le dossier `{spec}`"),
            Source::Revision(r) => format!(
                "la révision `{}` (commit {})",
                r.name,
                &r.commit[..r.commit.len().min(12)]
            ),
        }
    }
}

/// The files under `dir` of project `root`, down to `max_depth` folders, sorted
/// by name, hidden files and folders left out. Symbolic links are followed
/// inside the project only; a link that leads out, loops or cannot be read is
/// reported.
pub fn data_files(
    root: &Path,
    dir: &Path,
    max_depth: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let real_root = fs::canonicalize(root).ok();
    let mut files = Vec::new();
    let mut walk = WalkDir::new(dir)
        .follow_links(true)
        .max_depth(max_depth)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_default();
                let d = if err.loop_ancestor().is_some() {
                    Diagnostic::error(format!(
                        "lien symbolique en boucle : `{path}` pointe vers un dossier qui le contient"
                    ))
                    .hint("supprimez ce lien : il ferait lire le même dossier sans fin")
                } else {
                    read_error(&path, err.path(), err.io_error())
                };
                diags.push(d);
                continue;
            }
        };
        if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
            if entry.file_type().is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink()
            && let Err(d) = inside_root(real_root.as_deref(), root, entry.path())
        {
            diags.push(d);
            if entry.file_type().is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    files
}

/// Refuses a file or folder whose real place is outside the project: data never
/// leads `ctg` out of its root.
fn inside_root(real_root: Option<&Path>, root: &Path, path: &Path) -> Result<(), Diagnostic> {
    let (Some(real_root), Ok(real)) = (real_root, fs::canonicalize(path)) else {
        // Unresolvable: reading it will fail and say why.
        return Ok(());
    };
    if real.starts_with(real_root) {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "`{}` est un lien symbolique vers `{}`, hors du dossier du projet",
        display_path(root, path),
        real.display()
    ))
    .hint("ctg ne lit que les fichiers du projet : copiez le fichier dans le projet au lieu d'un lien"))
}

/// A file that cannot be read: why, in the words of the person who can fix it.
fn read_error(shown: &str, path: Option<&Path>, err: Option<&std::io::Error>) -> Diagnostic {
    let dangling = path.is_some_and(|p| p.is_symlink() && !p.exists());
    if dangling {
        return Diagnostic::error(format!(
            "lien symbolique cassé : `{shown}` pointe vers un fichier qui n'existe pas"
        ))
        .hint("supprimez ce lien ou faites-le pointer vers un fichier du projet");
    }
    let looping = err.is_some_and(|e| format!("{:?}", e.kind()) == "FilesystemLoop");
    if looping {
        return Diagnostic::error(format!(
            "lien symbolique en boucle : `{shown}` pointe, de lien en lien, vers lui-même"
        ))
        .hint("supprimez ce lien");
    }
    Diagnostic::error(format!(
        "lecture impossible de `{shown}` : {}",
        io_message(err)
    ))
    .hint("vérifiez que le fichier existe et que vous avez le droit de le lire")
}

/// An input/output error in French.
pub fn io_message(err: Option<&std::io::Error>) -> String {
    use std::io::ErrorKind::*;
    let Some(err) = err else {
        return "erreur inconnue".into();
    };
    match err.kind() {
        PermissionDenied => "permission refusée".into(),
        NotFound => "fichier introuvable".into(),
        IsADirectory => "c'est un dossier, pas un fichier".into(),
        NotADirectory => "un élément du chemin n'est pas un dossier".into(),
        InvalidData => "contenu illisible".into(),
        StorageFull => "disque plein".into(),
        ReadOnlyFilesystem => "disque en lecture seule".into(),
        // The system's own words are English: its code is enough to look
        // the error up.
        _ => match err.raw_os_error() {
            Some(code) => format!("erreur du système (code {code})"),
            None => "erreur du système".into(),
        },
    }
}

/// `path` relative to the project root, with `/` separators, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a file of the project as UTF-8 text, naming the file in any error. A
/// symbolic link that leads out of the project is refused.
pub fn read_text(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let name = display_path(root, path);
    inside_root(fs::canonicalize(root).ok().as_deref(), root, path)?;
    let bytes = fs::read(path).map_err(|e| read_error(&name, Some(path), Some(&e)))?;
    decode(name, bytes)
}

/// The text of a file named `name` (relative to the project), which must be UTF-8.
pub fn decode(name: String, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, composed(text))),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = SourceFile::new(name, lossy);
            // Up to the first bad byte the lossy text is the file itself; the bad
            // bytes became one U+FFFD.
            let (line, col) = file.line_col(valid);
            Err(Diagnostic::error(format!(
                "le fichier n'est pas encodé en UTF-8 (octet invalide ligne {line}, colonne {col})"
            ))
            .at(&file, valid..valid + '\u{FFFD}'.len_utf8())
            .label("caractère illisible")
            .hint("enregistrez le fichier en UTF-8 (dans l'éditeur : « Enregistrer sous », encodage UTF-8) ; les accents écrits dans un autre encodage s'affichent ainsi"))
        }
    }
}

/// `text` in composed form (Unicode NFC). Some systems save an accented letter
/// as the letter followed by its accent; composed, it is the one character that
/// the fonts print as one glyph, that the PDF's text layer reads back once (the
/// compiler maps each glyph of an uncomposed pair to the whole pair, so that
/// « é » would be found as « éé ») and that a search on the page matches.
fn composed(text: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        text.nfc().collect()
    }
}
