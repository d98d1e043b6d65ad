//! The versions of a project named on the command
//! line, a project folder or a git revision. A revision's `data/`,
//! `templates/` and `logos/` are read from the repository with gix, read-only, into a
//! [`Revision`] held in memory.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::read::source::{Revision, Source};

/// The folders of a project that a build reads: its data, its templates and
/// its logos.
const READ_DIRS: [&str; 3] = ["data", "templates", "logos"];

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
    read_in(&repo, root, spec).map(Source::Revision)
}

/// Reads `data/` and `templates/` of project `root` at git revision
/// `name` (a tag, a branch, a commit, `HEAD~1`…), from the repository
/// that holds `root`. The project may be a folder of the repository.
/// Nothing is written: the repository is only read.
pub fn read_revision(root: &Path, name: &str) -> Result<Revision, Diagnostic> {
    let repo = gix::discover(root).map_err(|_| {
        Diagnostic::error(format!(
            "révision `{name}` illisible : le projet `{}` n'est pas dans un dépôt git",
            root.display()
        ))
        .hint("une révision (étiquette, commit, branche) se lit dans le dépôt git du projet ; sans dépôt, comparez des dossiers de projet")
    })?;
    read_in(&repo, root, name)
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
    let mut revision = Revision::new(name, commit.id.to_string());
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
        collect(repo, &sub, dir, &mut revision).map_err(broken)?;
    }
    Ok(revision)
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
    revision: &mut Revision,
) -> Result<(), gix::Error> {
    for entry in tree.iter() {
        let entry = entry?;
        let name = String::from_utf8_lossy(entry.inner.filename).into_owned();
        let path = format!("{at}/{name}");
        let mode = entry.inner.mode;
        if mode.is_tree() {
            let sub = repo.find_tree(entry.inner.oid.to_owned())?;
            collect(repo, &sub, &path, revision)?;
        } else if mode.is_link() {
            revision.add_link(path);
        } else if mode.is_blob() {
            let blob = repo.find_blob(entry.inner.oid.to_owned())?;
            revision.add_file(path, blob.data.clone());
        }
        // A submodule's commit holds no file of this project.
    }
    Ok(())
}
