//! Below stage 1 (load): where a project's files are read from. A version of
//! the plan is either a project folder or a git revision of the project; the
//! loader, the follow-up and the templates read both the same way, by paths
//! relative to the project root. A revision's files are read from the
//! repository into memory by [`crate::version`], never written anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, SourceFile};
use crate::load::{data_files, decode, display_path, read_text};

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
