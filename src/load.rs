//! Stage 1 (load): finds the project's files with a sorted walk of `data/`, reads
//! them as UTF-8 and deserialises the TOML into raw records that keep the span of
//! every value, so that later stages can point at it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use walkdir::WalkDir;

use crate::diag::{Diagnostic, SourceFile};

/// Where the convention lives, relative to the project root.
pub const CONVENTION_FILE: &str = "data/convention.toml";
/// Where the action files live, relative to the project root.
pub const ACTIONS_DIR: &str = "data/actions";

/// The convention file as written: everything that is not an action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConvention {
    pub titre: Spanned<String>,
    pub parties: Spanned<String>,
    pub intitule: Spanned<String>,
    pub legende: Spanned<String>,
    pub periode: Spanned<String>,
    #[serde(default)]
    pub version: Option<Spanned<String>>,
    pub colonnes: RawColumns,
    pub champs: Vec<RawField>,
    #[serde(default)]
    pub notes: Vec<RawNote>,
    #[serde(default)]
    pub signataires: Vec<RawSignatory>,
}

/// Column labels of the table, in the order of the official layout.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumns {
    pub champ: Spanned<String>,
    pub nature: Spanned<String>,
    pub descriptif: Spanned<String>,
    pub moyens_caf: Spanned<String>,
    pub moyens_partenaires: Spanned<String>,
    pub objectifs: Spanned<String>,
    pub indicateurs: Spanned<String>,
    pub resultat_attendu: Spanned<String>,
    pub impact_envisage: Spanned<String>,
    pub echeance: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub id: Spanned<String>,
    pub libelle: Spanned<String>,
    #[serde(default)]
    pub note: Option<Spanned<String>>,
    #[serde(default)]
    pub sous_sections: Vec<RawSubSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubSection {
    pub id: Spanned<String>,
    pub libelle: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNote {
    pub id: Spanned<String>,
    pub marque: Spanned<String>,
    pub texte: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignatory {
    pub institution: Spanned<String>,
    #[serde(default)]
    pub sigle: Option<Spanned<String>>,
    #[serde(default)]
    pub qualite: Option<Spanned<String>>,
    #[serde(default)]
    pub nom: Option<Spanned<String>>,
}

/// One action file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub id: Spanned<String>,
    pub champ: Spanned<String>,
    #[serde(default)]
    pub sous_section: Option<Spanned<String>>,
    pub position: Spanned<i64>,
    pub echeance: Spanned<String>,
    pub descriptif: Spanned<String>,
    pub moyens_caf: Spanned<String>,
    pub moyens_partenaires: Spanned<String>,
    pub objectifs: Spanned<String>,
    pub resultat_attendu: Spanned<String>,
    pub impact_envisage: Spanned<String>,
}

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
}

/// Reads the project under `root`. Problems are pushed to `diags`; whatever could
/// be read is returned so that validation can report its own problems too.
pub fn load(root: &Path, diags: &mut Vec<Diagnostic>) -> RawProject {
    let data = root.join("data");
    if !data.is_dir() {
        diags.push(
            Diagnostic::error(format!(
                "dossier `data/` introuvable dans `{}`",
                root.display()
            ))
            .hint("lancez ctg à la racine du projet, ou indiquez-la avec `--root DOSSIER`"),
        );
        return RawProject {
            convention: None,
            actions: Vec::new(),
        };
    }
    let convention = parse_file(root, &root.join(CONVENTION_FILE), diags);
    let mut actions = Vec::new();
    for path in action_files(root, diags) {
        if let Some(action) = parse_file(root, &path, diags) {
            actions.push(action);
        }
    }
    RawProject {
        convention,
        actions,
    }
}

/// The action files, in a stable order (sorted walk), whatever the file system.
fn action_files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let dir = root.join(ACTIONS_DIR);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(format!("dossier `{ACTIONS_DIR}/` introuvable"))
                .hint("chaque action est un fichier `data/actions/<champ>/<nn>-<titre>.toml`"),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_default();
                let message = if err.loop_ancestor().is_some() {
                    format!("lien symbolique en boucle : `{path}`")
                } else {
                    format!(
                        "lecture impossible de `{path}` : {}",
                        io_message(err.io_error())
                    )
                };
                diags.push(
                    Diagnostic::error(message)
                        .hint("supprimez ce lien ou corrigez les droits de lecture du fichier"),
                );
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') || !entry.file_type().is_file() {
            continue;
        }
        if entry.path().extension().is_some_and(|e| e == "toml") {
            files.push(entry.into_path());
        } else {
            diags.push(
                Diagnostic::warning(format!(
                    "fichier ignoré : `{}` n'est pas un fichier `.toml`",
                    display_path(root, entry.path())
                ))
                .hint("seuls les fichiers `.toml` de `data/actions/` décrivent des actions"),
            );
        }
    }
    files
}

fn io_message(err: Option<&std::io::Error>) -> String {
    match err.map(|e| e.kind()) {
        Some(std::io::ErrorKind::PermissionDenied) => "permission refusée".into(),
        Some(std::io::ErrorKind::NotFound) => "fichier introuvable".into(),
        _ => err.map_or_else(|| "erreur inconnue".into(), |e| e.to_string()),
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

/// Reads a file as UTF-8 text, naming the file in any error.
pub fn read_text(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let name = display_path(root, path);
    let bytes = fs::read(path).map_err(|e| {
        Diagnostic::error(format!(
            "lecture impossible de `{name}` : {}",
            io_message(Some(&e))
        ))
        .hint("vérifiez que le fichier existe et qu'il est lisible")
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = SourceFile::new(name, lossy);
            let (line, col) = file.line_col(valid);
            Err(Diagnostic::error(format!(
                "le fichier n'est pas encodé en UTF-8 (octet invalide ligne {line}, colonne {col})"
            ))
            .in_file(&file)
            .hint("enregistrez le fichier en UTF-8 (dans l'éditeur : « Enregistrer sous », encodage UTF-8)"))
        }
    }
}

fn parse_file<T: DeserializeOwned>(
    root: &Path,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    let file = match read_text(root, path) {
        Ok(file) => file,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    if file.text.trim().is_empty() {
        diags.push(
            Diagnostic::error("le fichier est vide")
                .in_file(&file)
                .hint("supprimez-le ou remplissez-le (voir l'exemple d'action du README)"),
        );
        return None;
    }
    match toml::from_str::<T>(&file.text) {
        Ok(value) => Some(Loaded { file, value }),
        Err(err) => {
            diags.push(toml_diagnostic(&file, &err));
            None
        }
    }
}

/// Turns a TOML or serde error into a French diagnostic with a hint.
fn toml_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let msg = err.message().trim();
    let (message, label, hint) = translate(msg);
    let d = Diagnostic::error(message).label(label);
    let d = match err.span() {
        Some(span) => d.at(file, span),
        None => d.in_file(file),
    };
    match hint {
        Some(h) => d.hint(h),
        None => d,
    }
}

/// Text between the first pair of backquotes after `prefix`.
fn quoted_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    rest.split('`').next()
}

fn translate(msg: &str) -> (String, String, Option<String>) {
    if let Some(key) = quoted_after(msg, "unknown field ") {
        let expected: Vec<&str> = msg
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = match closest(key, &expected) {
            Some(best) => format!("clé inconnue `{key}` : vouliez-vous dire `{best}` ?"),
            None if expected.is_empty() => "supprimez cette clé".to_string(),
            None => format!("clés possibles ici : {}", quote_list(&expected)),
        };
        return (
            format!("clé inconnue `{key}`"),
            "clé inconnue".into(),
            Some(hint),
        );
    }
    if let Some(key) = quoted_after(msg, "missing field ") {
        return (
            format!("clé obligatoire manquante : `{key}`"),
            "dans cette table".into(),
            Some(format!(
                "ajoutez une ligne `{key} = …` ({})",
                describe_key(key)
            )),
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "type de valeur incorrect : {} au lieu {}",
                french_type(found),
                french_expected(expected)
            ),
            "valeur incorrecte".into(),
            Some("les textes s'écrivent entre guillemets (\"…\" ou '''…'''), les nombres sans guillemets".into()),
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "valeur incorrecte : {} au lieu {}",
                french_type(found),
                french_expected(expected)
            ),
            "valeur incorrecte".into(),
            None,
        );
    }
    if let Some(key) = quoted_after(msg, "duplicate key ") {
        return (
            format!("clé en double : `{key}`"),
            "déjà définie plus haut".into(),
            Some("gardez une seule ligne pour cette clé".into()),
        );
    }
    (
        format!("syntaxe TOML invalide : {}", msg.replace('\n', " ")),
        "ici".into(),
        Some("vérifiez les guillemets, les crochets et le signe `=` de cette ligne".into()),
    )
}

fn french_type(found: &str) -> String {
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let kind = match kind {
        "string" => "le texte",
        "integer" => "le nombre entier",
        "floating" => "le nombre décimal",
        "boolean" => "la valeur booléenne",
        "sequence" => "une liste",
        "map" => "une table",
        other => other,
    };
    let value = value.trim_start_matches("point ").trim();
    if value.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {value}")
    }
}

fn french_expected(expected: &str) -> String {
    match expected.trim() {
        "a string" => "d'un texte".into(),
        "i64" | "u32" | "u64" | "an integer" => "d'un nombre entier".into(),
        "a sequence" => "d'une liste".into(),
        "a boolean" => "de true ou false".into(),
        e if e.starts_with("struct ") || e == "a map" => "d'une table".into(),
        e => format!("de : {e}"),
    }
}

fn quote_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known key closest to `key`, if it is close enough to be a typo.
pub fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), *k))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// What a key holds, in the words of the people who fill it in.
fn describe_key(key: &str) -> &'static str {
    match key {
        "id" => "identifiant stable, en minuscules et tirets, ex. `jeunesse-lieu-accueil`",
        "champ" => "identifiant d'un champ d'intervention déclaré dans data/convention.toml",
        "position" => "rang de l'action dans son champ : 1, 2, 3…",
        "echeance" => "une année (\"2024\") ou une période (\"2023-2027\")",
        "descriptif" => "texte de la colonne Descriptif",
        "moyens_caf" => "texte de la colonne Moyens mobilisés par la Caf",
        "moyens_partenaires" => "texte de la colonne Moyens mobilisés par les partenaires",
        "objectifs" => "texte de la colonne Objectif(s)",
        "resultat_attendu" => "texte de la colonne Résultat attendu",
        "impact_envisage" => "texte de la colonne Impact envisagé",
        "periode" => "années de la convention, ex. \"2023-2027\"",
        "libelle" => "intitulé affiché dans le document",
        _ => "voir l'exemple du README",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_suggests_the_closest() {
        let (msg, _, hint) =
            translate("unknown field `descriptiff`, expected one of `id`, `descriptif`, `champ`");
        assert_eq!(msg, "clé inconnue `descriptiff`");
        assert_eq!(
            hint.unwrap(),
            "clé inconnue `descriptiff` : vouliez-vous dire `descriptif` ?"
        );
    }

    #[test]
    fn wrong_type_is_french() {
        let (msg, _, _) = translate("invalid type: string \"trois\", expected i64");
        assert_eq!(
            msg,
            "type de valeur incorrect : le texte \"trois\" au lieu d'un nombre entier"
        );
    }
}
