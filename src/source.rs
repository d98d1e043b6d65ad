//! Below stage 1 (load): where a project's files are read from. A version of
//! the plan is either a project folder or a git revision of the project; the
//! loader, the follow-up and the templates read both the same way, by paths
//! relative to the project root, and a revision is read from the repository
//! into memory, never written anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, SourceFile};
use crate::load::{data_files, decode, display_path, read_text};

/// The folders of a project that a build reads: its data and its templates.
const READ_DIRS: [&str; 2] = ["data", "templates"];

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
    /// A symbolic link stored in a revision: its target is not read.
    fn link(&self, rel: &str) -> Diagnostic {
        Diagnostic::error(format!(
            "`{rel}` est un lien symbolique dans la révision `{}`",
            self.name
        ))
        .hint("un lien n'est pas suivi dans une révision : enregistrez le fichier lui-même à sa place")
    }

    /// Reads `data/` and `templates/` of project `root` at git revision
    /// `name` (a tag, a branch, a commit, `HEAD~1`…), from the repository
    /// that holds `root`. The project may be a folder of the repository.
    /// Nothing is written: the repository is only read.
    pub fn read(root: &Path, name: &str) -> Result<Revision, Diagnostic> {
        let repo = gix::discover(root).map_err(|_| {
            Diagnostic::error(format!(
                "révision `{name}` illisible : le projet `{}` n'est pas dans un dépôt git",
                root.display()
            ))
            .hint("une révision (étiquette, commit, branche) se lit dans le dépôt git du projet ; sans dépôt, comparez des dossiers de projet")
        })?;
        Self::read_in(&repo, root, name)
    }

    fn read_in(repo: &gix::Repository, root: &Path, name: &str) -> Result<Revision, Diagnostic> {
        // The library's reasons are technical and in English: the hint says
        // what the user can write instead.
        let unknown = |_: String| {
            Diagnostic::error(format!("révision `{name}` introuvable dans le dépôt git"))
                .hint("donnez une étiquette (`v1.0`), une branche, un commit (son identifiant, ou ses premiers chiffres), ou le chemin d'un dossier de projet")
        };
        let commit = repo
            .rev_parse_single(name)
            .map_err(|e| unknown(e.to_string()))?
            .object()
            .map_err(|e| unknown(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| unknown(e.to_string()))?;
        let broken = |e: gix::Error| {
            Diagnostic::error(format!("lecture impossible de la révision `{name}` : {e}"))
                .hint("le dépôt git est peut-être endommagé : vérifiez-le avec votre outil git")
        };
        let tree = commit.tree().map_err(broken)?;
        // The project's place in the repository: its path from the work tree.
        let prefix = project_prefix(repo, root);
        let mut files = BTreeMap::new();
        for dir in READ_DIRS {
            let path = match prefix.as_str() {
                "" => dir.to_string(),
                p => format!("{p}/{dir}"),
            };
            let Some(entry) = tree.lookup_entry_by_path(&path).map_err(broken)? else {
                continue;
            };
            if !entry.mode().is_tree() {
                continue;
            }
            let sub = repo.find_tree(entry.object_id()).map_err(broken)?;
            collect(repo, &sub, dir, &mut files).map_err(broken)?;
        }
        Ok(Revision {
            name: name.to_string(),
            commit: commit.id.to_string(),
            files,
        })
    }
}

/// The path of project `root` inside the repository's work tree, `/`
/// separated, empty at the top.
fn project_prefix(repo: &gix::Repository, root: &Path) -> String {
    let (Some(top), Ok(here)) = (
        repo.workdir().and_then(|w| w.canonicalize().ok()),
        root.canonicalize(),
    ) else {
        return String::new();
    };
    here.strip_prefix(&top)
        .map(|rel| {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// Every file of `tree`, recursively, under path `at`.
fn collect(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    at: &str,
    files: &mut BTreeMap<String, Entry>,
) -> Result<(), gix::Error> {
    for entry in tree.iter() {
        let entry = entry?;
        let name = String::from_utf8_lossy(entry.inner.filename).into_owned();
        let path = format!("{at}/{name}");
        let mode = entry.inner.mode;
        if mode.is_tree() {
            let sub = repo.find_tree(entry.inner.oid.to_owned())?;
            collect(repo, &sub, &path, files)?;
        } else if mode.is_link() {
            files.insert(path, Entry::Link);
        } else if mode.is_blob() {
            let blob = repo.find_blob(entry.inner.oid.to_owned())?;
            files.insert(path, Entry::Blob(blob.data.clone()));
        }
        // A submodule's commit holds no file of this project.
    }
    Ok(())
}

/// A version named on the command line (`ctg diff ANCIENNE [NOUVELLE]`): a
/// project folder, relative to the project `root` or absolute, or else a git
/// revision of the project. A folder wins over a revision of the same name.
pub fn resolve(root: &Path, spec: &str) -> Result<Source, Diagnostic> {
    let path = Path::new(spec);
    let folder = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    if folder.is_dir() {
        if !folder.join("data").is_dir() {
            return Err(Diagnostic::error(format!(
                "le dossier `{spec}` n'est pas un projet : il n'a pas de dossier `data/`"
            ))
            .hint("donnez le dossier d'un projet (celui qui contient `data/convention.toml` et `data/actions/`), ou une révision git (étiquette, branche, commit)"));
        }
        return Ok(Source::Folder(folder));
    }
    let Ok(repo) = gix::discover(root) else {
        return Err(Diagnostic::error(format!(
            "version `{spec}` introuvable : ce n'est pas un dossier, et le projet n'est pas dans un dépôt git"
        ))
        .hint(format!(
            "donnez le chemin d'un dossier de projet, depuis `{}` ou absolu ; une révision (étiquette, commit) se lit seulement dans un dépôt git",
            root.display()
        )));
    };
    Revision::read_in(&repo, root, spec).map(Source::Revision)
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
