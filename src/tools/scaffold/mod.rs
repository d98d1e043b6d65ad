//! Authoring (beside the pipeline, never part of a build): writes the files an
//! officer starts from — a whole project from an imported plan (`ctg import`), a
//! starter project (`ctg init`), a new action file (`ctg new action`), and the
//! built-in templates for editing (`ctg templates export`).
//!
//! Each command is a part ([`imported`], [`init`], [`new_action`],
//! [`templates`]); what they share is here: the outcome they report, the
//! writing of a new `data/` folder and its check, the declaration of a plan's
//! columns, and TOML strings and comments.

mod imported;
mod init;
mod new_action;
mod templates;

use std::fs;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Failure};
use crate::model::shape::{ColumnType, Shape};
use crate::read::source::io_message;
use crate::tools::import::names::unique;

pub use imported::import;
pub use init::init;
pub use new_action::new_action;
pub use templates::export_templates;

/// What an authoring command did: problems found, and one line per thing done,
/// in French. `success` is false when the result needs the user's attention
/// before it builds.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Vec<String>,
    pub success: bool,
}

/// Text written in every cell of a new action: visible in the PDF until it is
/// replaced, and valid, so that the plan builds while the action is drafted.
pub const PLACEHOLDER: &str = "À compléter.";

/// Checks the project just written, as `ctg check` does (everything is built in
/// memory), and says so.
fn check_written(root: &Path, outcome: &mut Outcome) {
    let options = crate::build::BuildOptions {
        root: root.to_path_buf(),
        write: false,
        ..crate::build::BuildOptions::default()
    };
    match crate::build::build(&options) {
        Ok(report) => {
            outcome.summary.push(format!(
                "plan valide : {} ; construisez-le avec `ctg build --root {}`",
                report.summary(),
                root.display()
            ));
            outcome.diagnostics.extend(report.warnings);
        }
        Err(failure) => {
            outcome.diagnostics.extend(failure.0);
            outcome.summary.push(
                "le projet écrit ne passe pas encore `ctg check` : corrigez les erreurs ci-dessus dans ses fichiers"
                    .into(),
            );
            outcome.success = false;
        }
    }
}

fn refuse_existing_data(root: &Path) -> Result<(), Failure> {
    let data = root.join("data");
    if data.exists() {
        return Err(Failure(vec![
            Diagnostic::error(format!("le dossier `{}` existe déjà", data.display())).hint(
                "choisissez un dossier de projet neuf avec `--root DOSSIER` : ctg n'écrit jamais par-dessus des données existantes",
            ),
        ]));
    }
    Ok(())
}

/// Writes `files` (paths relative to `root`, all under `data/`) so that `data/`
/// appears whole or not at all: they are written in a hidden folder of `root`,
/// whose `data/` is then renamed into place.
fn write_new_data(root: &Path, files: &[(PathBuf, String)]) -> Result<(), Diagnostic> {
    let failed = |what: &str, path: &Path, e: &std::io::Error| {
        Diagnostic::error(format!(
            "{what} impossible : `{}` : {}",
            path.display(),
            io_message(Some(e))
        ))
        .hint("vérifiez que le dossier du projet est accessible en écriture")
    };
    fs::create_dir_all(root).map_err(|e| failed("création du dossier", root, &e))?;
    let staging = tempfile::Builder::new()
        .prefix(".ctg-")
        .tempdir_in(root)
        .map_err(|e| failed("écriture", root, &e))?;
    for (relative, text) in files {
        let path = staging.path().join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| failed("création du dossier", parent, &e))?;
        }
        fs::write(&path, text).map_err(|e| failed("écriture", &root.join(relative), &e))?;
    }
    let data = root.join("data");
    fs::rename(staging.path().join("data"), &data).map_err(|e| failed("écriture", &data, &e))?;
    Ok(())
}

/// What the keys of a `[[colonnes]]` table say, once, above the declaration.
const DECLARATION_HELP: &str = "\
# Colonnes du tableau d'actions, dans l'ordre, et informations des fiches gardées
# hors du tableau : une table [[colonnes]] chacune.
#   cle          clé dans les fiches d'action : minuscules sans accents, chiffres, _
#   libelle      texte de l'en-tête de la colonne
#   groupe       facultatif : les colonnes voisines du même groupe ont un en-tête
#                commun au-dessus des leurs
#   type         facultatif : \"texte\" (Markdown, par défaut), \"echeance\" (une année
#                ou une période), \"montant\" (en euros), \"nombre\" (entier)
#   obligatoire  facultatif : false si une fiche peut s'en passer (true par défaut)
#   tableau      facultatif : false pour garder l'information hors du tableau
#                (elle reste dans les données ouvertes)
#   largeur      facultatif : largeur dans le PDF, celle de la première colonne valant 1
#   description  facultatif : description de la colonne dans les données ouvertes
";

/// The declaration of a plan's shape in `convention.toml`: the first column's
/// label, then one `[[colonnes]]` table per column, each under a comment.
pub fn declaration(shape: &Shape) -> String {
    let mut out = String::from(DECLARATION_HELP);
    out.push_str(
        "\n# En-tête de la première colonne, celle des champs d'intervention\n[tableau]\n",
    );
    out.push_str(&format!(
        "premiere_colonne = {}\n",
        basic(&shape.first_column)
    ));
    let mut number = 1;
    for column in &shape.columns {
        let place = if column.shown {
            number += 1;
            format!("Colonne {number} du tableau")
        } else {
            "Hors du tableau".to_string()
        };
        let what = match column.kind {
            ColumnType::Text => "texte",
            ColumnType::Deadline => "échéance",
            ColumnType::Amount => "montant en euros",
            ColumnType::Number => "nombre entier",
        };
        let group = column.group.as_ref().map_or(String::new(), |g| {
            format!(", sous l'en-tête « {} »", comment_safe(g))
        });
        out.push_str(&format!(
            "\n# {place} : « {} » ({what}{group})\n[[colonnes]]\ncle = {}\nlibelle = {}\n",
            comment_safe(&column.label),
            basic(&column.key),
            basic(&column.label)
        ));
        if let Some(group) = &column.group {
            out.push_str(&format!("groupe = {}\n", basic(group)));
        }
        if column.kind != ColumnType::Text {
            out.push_str(&format!("type = {}\n", basic(column.kind.word())));
        }
        if !column.required {
            out.push_str("obligatoire = false\n");
        }
        if !column.shown {
            out.push_str("tableau = false\n");
        }
        if column.width != column.kind.default_width() {
            out.push_str(&format!("largeur = {}\n", column.width));
        }
        if let Some(description) = &column.description {
            out.push_str(&format!("description = {}\n", basic(description)));
        }
    }
    out
}

/// The name of an action's file, without `.toml`: its position on two digits,
/// then its id less the field's prefix (`07-nouvelle-action`), made unique.
fn file_stem(
    field_id: &str,
    id: &str,
    position: impl std::fmt::Display,
    taken: impl Fn(&str) -> bool,
) -> String {
    let rest = id.strip_prefix(&format!("{field_id}-")).unwrap_or(id);
    unique(&format!("{position:02}-{rest}"), taken)
}

fn non_empty(text: String, fallback: &str) -> String {
    if text.is_empty() {
        fallback.to_string()
    } else {
        text
    }
}

/// A TOML basic string (`"…"`, escaped by the toml crate).
fn basic(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML string for cell text: a multi-line literal string (`'''…'''`, where
/// backslashes need no doubling) when the text allows it, else a basic string.
fn multiline(text: &str) -> String {
    let literal_ok = !text.contains("'''")
        && text
            .chars()
            .all(|c| c == '\n' || c == '\t' || !c.is_control());
    if literal_ok {
        format!("'''\n{text}\n'''")
    } else {
        basic(text)
    }
}

/// Text for a `#` comment: one line.
fn comment_safe(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_as_written() {
        for text in [
            "simple",
            "guillemets \" et \\ barre",
            "trois ''' apostrophes",
            "ligne\nsuivante",
            "contrôle \u{7}",
        ] {
            let doc = format!("a = {}\nb = {}\n", basic(text), multiline(text));
            let table: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(table["a"].as_str(), Some(text), "{doc}");
            assert_eq!(table["b"].as_str().map(str::trim_end), Some(text), "{doc}");
        }
        assert_eq!(multiline("a\\b"), "'''\na\\b\n'''");
    }
}
