//! Finds the project's files with a sorted walk of `data/`,
//! reads them as UTF-8 ([`source`]) and deserialises the TOML into raw records
//! ([`schema`]) that keep the span of every value, so that later stages can
//! point at it; every serde error is recovered from ([`recover`]) and told in
//! French ([`messages`]). The signatories' logos are read here too ([`logos`]).

pub mod logos;
mod messages;
mod recover;
mod schema;
pub mod source;
#[cfg(test)]
mod tests;

pub use messages::{
    by_closeness, closest, describe_key, missing_keys, unknown_key, unknown_key_hint, wrong_type,
};
pub use recover::{forget_stand_ins, parse_source};
pub use schema::*;
use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::Source;
use recover::parse_file;

/// Where the convention lives, relative to the project root.
pub const CONVENTION_FILE: &str = "data/convention.toml";
/// Where the action files live, relative to the project root.
pub const ACTIONS_DIR: &str = "data/actions";

/// A parsed file with its source, for diagnostics.
#[derive(Debug)]
pub struct Loaded<T> {
    pub file: SourceFile,
    pub value: T,
}

/// Everything read from `data/`, before validation.
#[derive(Debug)]
pub struct RawProject {
    pub convention: Option<Loaded<RawConvention>>,
    pub actions: Vec<Loaded<RawAction>>,
    /// The bytes of each logo the convention names and that could be read, by
    /// its path as written.
    pub logos: BTreeMap<String, Vec<u8>>,
}

/// Reads the project under `root`. Problems are pushed to `diags`; whatever could
/// be read is returned so that validation can report its own problems too.
pub fn load(root: &Path, diags: &mut Vec<Diagnostic>) -> RawProject {
    load_from(&Source::folder(root), diags)
}

/// Reads the project of one version, a folder or a git revision (see
/// [`Source`]), the same way.
///
/// Every file under `data/` is accounted for: `convention.toml`, the `.toml` files
/// of `data/actions/`, and anything else gets a warning (not a `.toml` file, so not
/// data: ignored) or an error (a `.toml` file outside `data/actions/`, which would
/// otherwise silently miss from the plan).
pub fn load_from(source: &Source, diags: &mut Vec<Diagnostic>) -> RawProject {
    let mut project = RawProject {
        convention: None,
        actions: Vec::new(),
        logos: BTreeMap::new(),
    };
    if !source.is_dir("data") {
        let (message, hint) = match source {
            Source::Folder(root) if root.is_dir() => (
                format!("dossier `data/` introuvable dans `{}`", root.display()),
                "lancez ctg à la racine du projet (le dossier qui contient `data/`), ou indiquez-la avec `--root DOSSIER`".to_string(),
            ),
            Source::Folder(root) => (
                format!("dossier du projet introuvable : `{}`", root.display()),
                "vérifiez le chemin donné à `--root`".to_string(),
            ),
            Source::Revision(r) => (
                format!("la révision `{}` n'a pas de dossier `data/`", r.name),
                format!(
                    "cette révision (commit {}) ne contient pas le projet : choisissez une révision où `data/` existe",
                    &r.commit[..r.commit.len().min(12)]
                ),
            ),
        };
        diags.push(Diagnostic::error(message).hint(hint));
        return project;
    }
    top_level_files(source, diags);
    if source.exists(CONVENTION_FILE) {
        project.convention = parse_file(source, CONVENTION_FILE, diags);
        if let Some(convention) = &project.convention {
            project.logos = logo_files(source, convention, diags);
        }
    } else {
        diags.push(
            Diagnostic::error(format!("fichier `{CONVENTION_FILE}` introuvable"))
                .hint("ce fichier décrit la convention (titre, parties, période, colonnes, champs) : voir le README"),
        );
    }
    for path in action_files(source, diags) {
        if let Some(action) = parse_file(source, &path, diags) {
            project.actions.push(action);
        }
    }
    project
}

/// The logos the signatories name, read from inside the project only.
fn logo_files(
    source: &Source,
    convention: &Loaded<RawConvention>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for logo in convention
        .value
        .signataires
        .iter()
        .filter_map(|s| s.logo.as_ref())
    {
        let written = logo.get_ref();
        if files.contains_key(written) {
            continue;
        }
        let read = match source.root() {
            Some(root) => crate::read::logos::read(root, &convention.file, logo.span(), written),
            // A git revision holds the files of its `logos/` folder.
            None => source.read_bytes(written.trim()).ok_or_else(|| {
                Diagnostic::error(format!("logo introuvable dans cette version : `{written}`"))
                    .at(&convention.file, logo.span())
                    .label("fichier absent de la révision")
                    .hint("dans une révision git, ctg lit les logos rangés dans le dossier `logos/` du projet")
            }),
        };
        match read {
            Ok(bytes) => {
                files.insert(written.clone(), bytes);
            }
            Err(d) => diags.push(d),
        }
    }
    files
}

/// Files directly in `data/` other than the convention: never read, so say so.
fn top_level_files(source: &Source, diags: &mut Vec<Diagnostic>) {
    for (name, is_file) in source.entries("data") {
        if name == "convention.toml" || !is_file {
            continue;
        }
        let shown = format!("data/{name}");
        if has_toml_extension(&name) {
            diags.push(
                Diagnostic::error(format!(
                    "fichier `{shown}` mal rangé : seul `{CONVENTION_FILE}` est lu à cet endroit"
                ))
                .hint(format!(
                    "une action se range dans `{ACTIONS_DIR}/<champ>/` ; sinon, sortez ce fichier de `data/`"
                )),
            );
        } else {
            diags.push(ignored(&shown));
        }
    }
}

fn has_toml_extension(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e == "toml")
}

/// The warning for a file of `data/` that is not TOML, so not read.
fn ignored(shown: &str) -> Diagnostic {
    let name = shown.rsplit('/').next().unwrap_or(shown);
    let lower = name.to_lowercase();
    // A TOML file whose name an editor or a download mangled: say how to fix it.
    let hint = if let Some(pos) = lower.rfind(".toml") {
        format!(
            "s'il décrit une action, renommez-le `{}.toml` pour qu'il soit lu",
            &name[..pos]
        )
    } else {
        "seuls les fichiers `.toml` sont lus dans `data/` ; ce fichier ne change rien au plan"
            .to_string()
    };
    Diagnostic::warning(format!(
        "fichier ignoré : `{shown}` n'est pas un fichier `.toml`"
    ))
    .hint(hint)
}

/// The action files, as paths from the project root, in a stable order
/// (sorted walk), whatever the file system. Symbolic links are followed
/// inside the project only.
fn action_files(source: &Source, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    if !source.is_dir(ACTIONS_DIR) {
        diags.push(
            Diagnostic::error(format!("dossier `{ACTIONS_DIR}/` introuvable"))
                .hint("chaque action est un fichier `data/actions/<champ>/<nn>-<titre>.toml`"),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    for path in source.files(ACTIONS_DIR, usize::MAX, diags) {
        if has_toml_extension(&path) {
            files.push(path);
        } else {
            diags.push(ignored(&path));
        }
    }
    files
}
