//! Stage 1 (load): finds the project's files with a sorted walk of `data/`, reads
//! them as UTF-8 and deserialises the TOML into raw records that keep the span of
//! every value, so that later stages can point at it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, SourceFile};
use crate::source::Source;

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
    /// The plan's shape; the reference model when absent.
    #[serde(default)]
    pub colonnes: Option<RawColumns>,
    #[serde(default)]
    pub tableau: Option<RawTable>,
    pub champs: Vec<RawField>,
    #[serde(default)]
    pub notes: Vec<RawNote>,
    #[serde(default)]
    pub signataires: Vec<RawSignatory>,
    /// Full name of the intercommunality, for the open data; found among the
    /// signatories when absent.
    #[serde(default)]
    pub collectivite: Option<Spanned<String>>,
    /// Full name of the Caf, for the open data; found among the signatories when absent.
    #[serde(default)]
    pub caf: Option<Spanned<String>>,
    /// Date of this edition of the plan: the PDF's creation date.
    #[serde(default)]
    pub date: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    pub document: Option<RawDocumentInfo>,
    #[serde(default)]
    pub annexe: Option<RawAnnex>,
    #[serde(default)]
    pub signature: Option<RawSignaturePlace>,
    /// The action sheets; built, with their titles, by default.
    #[serde(default)]
    pub fiches: Option<RawSheets>,
    /// The note at the top of the follow-up workbooks (`ctg suivi export`).
    #[serde(default)]
    pub suivi: Option<RawWorkbookNote>,
    /// The documents' colours; the built-in ones when absent.
    #[serde(default)]
    pub couleurs: Option<RawColours>,
    /// The amendments signed since the convention, each built as its document.
    #[serde(default)]
    pub avenants: Vec<RawAmendment>,
}

/// `[[avenants]]`: an amendment of the convention and the version of the
/// plan it amends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmendment {
    pub numero: Spanned<i64>,
    pub date: Spanned<toml::value::Datetime>,
    pub objet: Spanned<String>,
    pub depuis: Spanned<String>,
    /// The version it produces; the next amendment's `depuis`, else the
    /// project's files, when absent.
    #[serde(default)]
    pub vers: Option<Spanned<String>>,
}

/// `[couleurs]`: the fill of the tables' header cells and the colour of the
/// title, each `#rrggbb`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColours {
    #[serde(default)]
    pub entetes: Option<Spanned<String>>,
    #[serde(default)]
    pub titre: Option<Spanned<String>>,
}

/// `[fiches]`: whether the action sheets are built, and what titles them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSheets {
    #[serde(default)]
    pub publier: Option<bool>,
    /// Key of the text column that titles each sheet; the first sentence of
    /// the action's description when absent.
    #[serde(default)]
    pub titre: Option<Spanned<String>>,
    /// How a sheet names its field (« Axe »); the first column's label in the
    /// singular when absent.
    #[serde(default)]
    pub libelle_champ: Option<Spanned<String>>,
}

/// What the follow-up workbooks say to the partners who fill them in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkbookNote {
    /// What to fill in; a built-in sentence when absent.
    #[serde(default)]
    pub consigne: Option<Spanned<String>>,
    /// Whom to send the workbook back to, and by when.
    #[serde(default)]
    pub retour: Option<Spanned<String>>,
}

/// PDF metadata; each has a default derived from the rest of the convention.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDocumentInfo {
    #[serde(default)]
    pub auteur: Option<Spanned<String>>,
    #[serde(default)]
    pub sujet: Option<Spanned<String>>,
    #[serde(default)]
    pub mots_cles: Option<Vec<Spanned<String>>>,
}

/// The annex this plan is, in the convention: number and title.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnnex {
    #[serde(default)]
    pub numero: Option<Spanned<RawAnnexNumber>>,
    pub titre: Spanned<String>,
}

/// "2" or 2: officers write either.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawAnnexNumber {
    Integer(i64),
    Text(String),
}

/// Where and when the convention is signed ("Fait à …, le …").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignaturePlace {
    #[serde(default)]
    pub lieu: Option<Spanned<String>>,
    #[serde(default)]
    pub date: Option<Spanned<toml::value::Datetime>>,
}

/// The plan's shape as written: `[colonnes]` as a table of labels (the former
/// declaration, which relabels the reference model), or `[[colonnes]]`, one
/// table per column in order. Either form keeps the place of every value.
#[derive(Debug)]
pub enum RawColumns {
    /// Label by key of the reference model, in file order.
    Labels(Vec<(Spanned<String>, Spanned<String>)>),
    /// Each column, in order.
    Declared(Vec<RawColumn>),
}

impl<'de> Deserialize<'de> for RawColumns {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Not an untagged enum: its buffering would lose the values' places.
        struct Forms;
        impl<'de> serde::de::Visitor<'de> for Forms {
            type Value = RawColumns;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table or an array of tables")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawColumns, A::Error> {
                let mut labels = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    labels.push(entry);
                }
                Ok(RawColumns::Labels(labels))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<RawColumns, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(RawColumns::Declared)
            }
        }
        deserializer.deserialize_any(Forms)
    }
}

/// One `[[colonnes]]` table: a column of the action table, or a field that the
/// table does not show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    pub cle: Spanned<String>,
    pub libelle: Spanned<String>,
    #[serde(default)]
    pub groupe: Option<Spanned<String>>,
    #[serde(default, rename = "type")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub obligatoire: Option<bool>,
    #[serde(default)]
    pub tableau: Option<bool>,
    #[serde(default)]
    pub largeur: Option<Spanned<f64>>,
    #[serde(default)]
    pub description: Option<Spanned<String>>,
}

/// `[tableau]`: what the table has besides its declared columns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// The first column's header ("Champs d'intervention", "Axes"…).
    #[serde(default)]
    pub premiere_colonne: Option<Spanned<String>>,
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
    /// Its logo: a file of the project, by its path from the project's folder.
    #[serde(default)]
    pub logo: Option<Spanned<String>>,
    /// The logo's text alternative; « Logo de <institution> » when absent.
    #[serde(default)]
    pub logo_alt: Option<Spanned<String>>,
}

/// One action file as written: every key with its value, in file order. Its
/// keys depend on the convention's declaration, so validation checks them.
#[derive(Debug)]
pub struct RawAction {
    pub entries: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

impl RawAction {
    /// The value of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&Spanned<toml::Value>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for RawAction {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = RawAction;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawAction, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<toml::Value>)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                entries.sort_by_key(|(k, _)| k.span().start);
                Ok(RawAction { entries })
            }
        }
        deserializer.deserialize_map(Entries)
    }
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
            Some(root) => crate::logos::read(root, &convention.file, logo.span(), written),
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

fn parse_file<T: DeserializeOwned>(
    source: &Source,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    match source.read_text(path) {
        Ok(file) => parse_source(file, diags),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Parses one file's text into `T`, reporting every problem found in it: all
/// syntax errors, or else every unknown key, missing key and wrong type.
pub fn parse_source<T: DeserializeOwned>(
    file: SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    if file.text.trim().is_empty() {
        diags.push(
            Diagnostic::error("le fichier est vide")
                .in_file(&file)
                .hint("supprimez-le ou remplissez-le (voir l'exemple d'action du README)"),
        );
        return None;
    }
    // The parser and serde are dependencies: a panic in them names this file.
    let outcome = crate::diag::guard(&file.name, || deserialize_all::<T>(&file));
    match outcome {
        Ok(Ok(value)) => Some(Loaded { file, value }),
        // Its errors are reported, and the value read without its unknown keys
        // is checked as well.
        Ok(Err((found, mended))) => {
            diags.extend(found);
            mended.map(|value| Loaded { file, value })
        }
        Err(panic) => {
            diags.push(panic.in_file(&file));
            None
        }
    }
}

/// At most this many problems are reported for one file.
const MAX_ERRORS_PER_FILE: usize = 30;

/// Deserialises `T`, collecting every problem rather than stopping at the first.
///
/// serde reports one error at a time, so each one is recorded, then mended in the
/// parsed table (an unknown key is removed, a value of the wrong type or a missing
/// key is replaced by a stand-in), and deserialisation runs again. Stand-ins carry
/// a span past the end of the text, which tells their own errors apart: a stand-in
/// of the wrong type is changed to the next type and never reported.
///
/// The value so mended comes with the errors, so that its checks run too and
/// every mistake of the file is reported in one run; what those checks say of a
/// stand-in is then forgotten ([`forget_stand_ins`]).
fn deserialize_all<T: DeserializeOwned>(
    file: &SourceFile,
) -> Result<T, (Vec<Diagnostic>, Option<T>)> {
    let (table, syntax) = DeTable::parse_recoverable(&file.text);
    if !syntax.is_empty() {
        let mut found: Vec<Diagnostic> = syntax
            .iter()
            .take(MAX_ERRORS_PER_FILE)
            .map(|e| syntax_diagnostic(file, e))
            .collect();
        sort_by_place(&mut found);
        return Err((found, None));
    }
    let root_span = table.span();
    let mut table = table;
    let mut found = Vec::new();
    // Missing keys, by the span of their table: one message per table.
    let mut missing: Vec<(Range<usize>, Vec<String>)> = Vec::new();
    let mut stand_ins = StandIns {
        next: file.text.len() + 1,
    };
    let mut mended_value = None;
    for _ in 0..MAX_ERRORS_PER_FILE * 8 {
        let err = match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(value) if found.is_empty() && missing.is_empty() => return Ok(value),
            Ok(value) => {
                mended_value = Some(value);
                break;
            }
            Err(err) => err,
        };
        let Some(span) = err.span() else {
            found.push(serde_diagnostic(file, &err));
            break;
        };
        let synthetic = span.start > file.text.len();
        let mended = if let Some(key) = quoted_after(err.message(), "missing field ") {
            if !synthetic {
                match missing.iter_mut().find(|(s, _)| *s == span) {
                    Some((_, keys)) => keys.push(key.to_string()),
                    None => missing.push((span.clone(), vec![key.to_string()])),
                }
            }
            let key = key.to_string();
            let stand_in = stand_ins.first();
            table_at(&mut table, root_span.clone(), &span).is_some_and(|t| {
                t.insert(Spanned::new(stand_in.span(), Cow::Owned(key)), stand_in);
                true
            })
        } else if synthetic {
            value_at(table.get_mut(), &span).is_some_and(|v| stand_ins.next_type(v))
        } else {
            found.push(serde_diagnostic(file, &err));
            if quoted_after(err.message(), "unknown field ").is_some() {
                remove_key(table.get_mut(), &span)
            } else {
                let stand_in = stand_ins.first();
                value_at(table.get_mut(), &span).is_some_and(|v| {
                    *v = stand_in;
                    true
                })
            }
        };
        if !mended || found.len() >= MAX_ERRORS_PER_FILE {
            break;
        }
    }
    for (span, keys) in missing {
        let root = root_span == span;
        let described: Vec<(String, String)> = keys
            .into_iter()
            .map(|k| {
                let what = describe_key(&k).to_string();
                (k, what)
            })
            .collect();
        found.push(missing_keys(file, span, root, &described));
    }
    if found.is_empty() {
        // Not mended within the limit: report the first error as it is.
        if let Err(err) = T::deserialize(toml::de::Deserializer::from(table)) {
            found.push(serde_diagnostic(file, &err));
        }
    }
    sort_by_place(&mut found);
    Err((found, mended_value))
}

fn sort_by_place(found: &mut [Diagnostic]) {
    found.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
}

/// Forgets what the checks said of stand-ins: the missing or mistyped values
/// they replace are reported already, and a stand-in has no place in the file
/// to show (its span lies past the end of the text).
pub fn forget_stand_ins(diags: &mut Vec<Diagnostic>) {
    diags.retain(|d| match (&d.file, &d.span) {
        (Some(file), Some(span)) => span.start <= file.text.len(),
        _ => true,
    });
}

/// Values that stand in for a missing or mistyped one while errors are collected.
struct StandIns {
    /// The next span past the end of the text.
    next: usize,
}

impl StandIns {
    /// The types a stand-in takes in turn until it fits.
    const TYPES: [&'static str; 7] = ["\"\"", "0", "0.0", "false", "2000-01-01", "[]", "{}"];

    fn make(&mut self, index: usize) -> Spanned<DeValue<'static>> {
        let span = self.next..self.next;
        self.next += 1;
        let value =
            DeValue::parse(Self::TYPES[index]).map_or(DeValue::Boolean(false), |v| v.into_inner());
        Spanned::new(span, value)
    }

    fn first(&mut self) -> Spanned<DeValue<'static>> {
        self.make(0)
    }

    /// Changes a stand-in to the next type; `false` when none is left.
    fn next_type(&mut self, value: &mut Spanned<DeValue<'_>>) -> bool {
        let index = match value.get_ref() {
            DeValue::String(_) => 1,
            DeValue::Integer(_) => 2,
            DeValue::Float(_) => 3,
            DeValue::Boolean(_) => 4,
            DeValue::Datetime(_) => 5,
            DeValue::Array(_) => 6,
            DeValue::Table(_) => return false,
        };
        *value = self.make(index);
        true
    }
}

/// The table whose span is `span`: the document itself, or a table value in it.
fn table_at<'a, 'i>(
    root: &'a mut Spanned<DeTable<'i>>,
    root_span: Range<usize>,
    span: &Range<usize>,
) -> Option<&'a mut DeTable<'i>> {
    if *span == root_span {
        return Some(root.get_mut());
    }
    table_in(root.get_mut(), span)
}

/// The table value whose span is `span`, at any depth. An array of tables
/// with a single table has that table's span: the table is the one sought.
fn table_in<'a, 'i>(
    table: &'a mut DeTable<'i>,
    span: &Range<usize>,
) -> Option<&'a mut DeTable<'i>> {
    for (_, value) in table.iter_mut() {
        let here = value.span() == *span;
        match value.get_mut() {
            DeValue::Table(t) => {
                if here {
                    return Some(t);
                }
                if let Some(found) = table_in(t, span) {
                    return Some(found);
                }
            }
            DeValue::Array(items) => {
                for item in items.iter_mut() {
                    let here = item.span() == *span;
                    if let DeValue::Table(t) = item.get_mut() {
                        if here {
                            return Some(t);
                        }
                        if let Some(found) = table_in(t, span) {
                            return Some(found);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The value whose span is `span`, at any depth.
fn value_at<'a, 'i>(
    table: &'a mut DeTable<'i>,
    span: &Range<usize>,
) -> Option<&'a mut Spanned<DeValue<'i>>> {
    for (_, value) in table.iter_mut() {
        if value.span() == *span {
            return Some(value);
        }
        if let Some(found) = value_in(value.get_mut(), span) {
            return Some(found);
        }
    }
    None
}

fn value_in<'a, 'i>(
    value: &'a mut DeValue<'i>,
    span: &Range<usize>,
) -> Option<&'a mut Spanned<DeValue<'i>>> {
    match value {
        DeValue::Table(t) => value_at(t, span),
        DeValue::Array(items) => {
            for item in items.iter_mut() {
                if item.span() == *span {
                    return Some(item);
                }
                if let Some(found) = value_in(item.get_mut(), span) {
                    return Some(found);
                }
            }
            None
        }
        _ => None,
    }
}

/// Removes the key whose own span is `span`, at any depth.
fn remove_key(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let key = table
        .iter()
        .map(|(k, _)| k)
        .find(|k| k.span() == *span)
        .cloned();
    if let Some(key) = key {
        return table.remove(&key).is_some();
    }
    table
        .iter_mut()
        .any(|(_, v)| remove_key_in(v.get_mut(), span))
}

fn remove_key_in(value: &mut DeValue<'_>, span: &Range<usize>) -> bool {
    match value {
        DeValue::Table(t) => remove_key(t, span),
        DeValue::Array(items) => items.iter_mut().any(|v| remove_key_in(v.get_mut(), span)),
        _ => false,
    }
}

/// A TOML syntax error, in French.
fn syntax_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let msg = err.message().trim();
    let (what, expected) = match msg.split_once(", expected ") {
        Some((what, expected)) => (what, Some(expected)),
        None => (msg, None),
    };
    // A text over several lines whose closing quotes were forgotten: the
    // parser stops at the end of the file, the officer needs the line where
    // the text opened.
    if what.starts_with("invalid multi-line")
        && let Some((opened, quotes)) = unclosed_multiline(&file.text)
    {
        let (line, _) = file.line_col(opened.start);
        return Diagnostic::error(format!(
            "texte sur plusieurs lignes jamais refermé : le {quotes} ouvert ligne {line} n'a pas de {quotes} fermant"
        ))
        .at(file, opened)
        .label("texte ouvert ici")
        .hint(format!(
            "ajoutez {quotes} à la fin de ce texte, juste après son dernier mot ou seul sur la ligne suivante : sans lui, tout le reste du fichier est lu comme ce texte"
        ));
    }
    let (french, hint) = french_syntax(what);
    let mut message = format!("syntaxe TOML invalide : {french}");
    if let Some(expected) = expected.filter(|e| *e != "nothing") {
        message.push_str(&format!(" (attendu : {})", french_tokens(expected)));
    }
    let d = Diagnostic::error(message).label("ici");
    let d = match err.span() {
        Some(span) => d.at(file, span),
        None => d.in_file(file),
    };
    d.hint(hint)
}

/// The parser's list of what it expected (« `'`, literal string, etc »), in
/// the words of the people who write the files.
fn french_tokens(expected: &str) -> String {
    expected
        .split(", ")
        .map(|token| match token.trim() {
            "literal string" => "un texte entre apostrophes",
            "basic string" => "un texte entre guillemets",
            "multi-line literal string" | "multi-line basic string" => {
                "un texte sur plusieurs lignes"
            }
            "string" | "quoted string" => "un texte entre guillemets",
            "integer" => "un nombre entier",
            "float" => "un nombre décimal",
            "boolean" => "true ou false",
            "date-time" | "datetime" | "local date" => "une date",
            "array" => "une liste",
            "inline table" => "une table en ligne",
            "newline" => "un retour à la ligne",
            "key" | "unquoted key" => "une clé",
            "value" => "une valeur",
            "comment" => "un commentaire",
            "etc" | "etc." => "…",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the last text over several lines of a TOML file opens, if it is
/// never closed, with its quotes (`'''` or `"""`). Comments and one-line texts
/// are read over, so that quotes inside them do not count.
fn unclosed_multiline(text: &str) -> Option<(Range<usize>, &'static str)> {
    // Bytes, not characters: every delimiter is ASCII, and no index can then
    // fall inside a character.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"'''") || rest.starts_with(b"\"\"\"") {
            let (quotes, quote) = if rest[0] == b'\'' {
                ("'''", b'\'')
            } else {
                ("\"\"\"", b'"')
            };
            let opened = i..i + 3;
            let mut j = i + 3;
            loop {
                let Some(at) = bytes[j..].windows(3).position(|w| w == quotes.as_bytes()) else {
                    return Some((opened, quotes));
                };
                let close = j + at;
                // In a basic string, a quote after a backslash is escaped.
                if quote == b'"' && bytes[close - 1] == b'\\' {
                    j = close + 1;
                    continue;
                }
                // Up to two more quotes belong to the text: `''''` ends it too.
                i = close + 3;
                while i < bytes.len() && i < close + 5 && bytes[i] == quote {
                    i += 1;
                }
                break;
            }
            continue;
        }
        match bytes[i] {
            b'#' => i += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len()),
            quote @ (b'\'' | b'"') => {
                // A one-line text ends at its quote or at the end of the line.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
                    j += if quote == b'"' && bytes[j] == b'\\' {
                        2
                    } else {
                        1
                    };
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The parser's words for a syntax error, and what to do about it.
fn french_syntax(what: &str) -> (String, &'static str) {
    const QUOTES: &str = "un texte s'écrit entre guillemets droits : \"…\" sur une ligne, ou '''…''' sur plusieurs lignes";
    const LINE: &str =
        "chaque ligne s'écrit `clé = valeur`, un texte entre guillemets droits \"…\"";
    let (french, hint) = match what {
        "invalid basic string" | "invalid multi-line basic string" => ("texte mal fermé", QUOTES),
        "missing closing quote" | "missing opening quote" => ("guillemet manquant", QUOTES),
        "string values must be quoted" => ("texte sans guillemets", QUOTES),
        "missing escaped value" | "too few unicode value digits" => (
            "barre oblique inverse `\\` mal employée",
            "dans \"…\", écrivez `\\\\` pour une barre oblique inverse, ou utilisez '''…''' où elle s'écrit telle quelle",
        ),
        "duplicate key" => ("clé en double", "gardez une seule ligne pour cette clé"),
        "missing assignment between key-value pairs" | "key with no value" => {
            ("signe `=` manquant", LINE)
        }
        "missing value" | "missing value for key" => ("valeur manquante après `=`", LINE),
        "extra assignment between key-value pairs" | "extra `=`" => ("signe `=` en trop", LINE),
        "unclosed table" | "unclosed array table" => (
            "crochet fermant manquant",
            "un en-tête de table s'écrit `[nom]`, et une entrée de liste `[[nom]]`",
        ),
        "unclosed array" | "missing comma between array elements" | "extra comma in array" => (
            "liste mal formée",
            "une liste s'écrit `[\"a\", \"b\"]`, les éléments séparés par des virgules",
        ),
        "unclosed inline table"
        | "missing comma between key-value pairs"
        | "extra comma in inline table"
        | "invalid inline table element"
        | "missing key for inline table element" => (
            "table en ligne mal formée",
            "une table en ligne s'écrit `{ id = \"a\", libelle = \"A\" }` sur une seule ligne",
        ),
        "invalid unquoted key" | "unquoted keys cannot be empty" | "invalid key-value pair" => (
            "clé invalide",
            "une clé s'écrit en minuscules sans accents ni espaces, avec des `_`, ex. `budget_previsionnel`",
        ),
        "unexpected content"
        | "unexpected key or value"
        | "unexpected content between comment and newline" => ("contenu inattendu", LINE),
        "cannot recurse further; max recursion depth met" | "recursion limit" => (
            "imbrication trop profonde",
            "les listes et tables imbriquées ne servent pas dans ces fichiers : simplifiez cette valeur",
        ),
        "carriage return must be followed by newline" => (
            "retour chariot isolé",
            "enregistrez le fichier avec des fins de ligne normales (LF ou CRLF)",
        ),
        other => {
            return (
                format!("« {other} »"),
                "vérifiez les guillemets, les crochets et le signe `=` de cette ligne",
            );
        }
    };
    (french.to_string(), hint)
}

/// A serde error (wrong key, missing key, wrong type) in French, with a hint.
fn serde_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let msg = err.message().trim();
    let written = err
        .span()
        .and_then(|s| file.text.get(s))
        .unwrap_or_default();
    let (message, label, hint) = translate(msg, written);
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

/// Missing required keys of one table, in one message: each key with what it
/// holds. `root` tells that the table is the file itself.
pub fn missing_keys(
    file: &SourceFile,
    span: Range<usize>,
    root: bool,
    keys: &[(String, String)],
) -> Diagnostic {
    let quoted: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let message = match quoted.as_slice() {
        [one] => format!("clé obligatoire manquante : `{one}`"),
        _ => format!("clés obligatoires manquantes : {}", quote_list(&quoted)),
    };
    let lines: Vec<String> = keys
        .iter()
        .map(|(k, what)| format!("`{k} = …` ({what})"))
        .collect();
    let hint = match lines.as_slice() {
        [one] => format!("ajoutez une ligne {one}"),
        _ => format!("ajoutez les lignes {}", lines.join(" ; ")),
    };
    // The document's own span is empty: point at its start.
    let label = if root {
        "dans ce fichier"
    } else {
        "dans cette table"
    };
    Diagnostic::error(message)
        .at(file, span)
        .label(label)
        .hint(hint)
}

/// An unknown key of a table, with the known keys as hint, the closest first.
pub fn unknown_key(file: &SourceFile, span: Range<usize>, key: &str, known: &[&str]) -> Diagnostic {
    Diagnostic::error(format!("clé inconnue `{key}`"))
        .at(file, span)
        .label("clé inconnue")
        .hint(unknown_key_hint(key, known))
}

/// What to write instead of an unknown key: the closest known key if it looks
/// like a typo, then every known key, the closest first.
pub fn unknown_key_hint(key: &str, known: &[&str]) -> String {
    if known.is_empty() {
        return "supprimez cette clé".to_string();
    }
    let list = quote_list(&by_closeness(key, known));
    match closest(key, known) {
        Some(best) => format!("vouliez-vous dire `{best}` ? Clés possibles ici : {list}"),
        None => format!("clés possibles ici : {list}"),
    }
}

/// `known`, the closest to `key` first (the order of `known` among equals).
pub fn by_closeness<'a>(key: &str, known: &[&'a str]) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), *k))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, k)| k).collect()
}

/// A value of the wrong type, found by validation rather than by serde: the
/// same words as serde's own type errors. `expected` is serde's name of the
/// type (`a string`, `an integer`, `an amount`…).
pub fn wrong_type(file: &SourceFile, value: &Spanned<toml::Value>, expected: &str) -> Diagnostic {
    use serde::de::Unexpected;
    let found = match value.get_ref() {
        toml::Value::String(s) => Unexpected::Str(s).to_string(),
        toml::Value::Integer(i) => Unexpected::Signed(*i).to_string(),
        toml::Value::Float(f) => Unexpected::Float(*f).to_string(),
        toml::Value::Boolean(b) => Unexpected::Bool(*b).to_string(),
        toml::Value::Datetime(_) => "datetime".to_string(),
        toml::Value::Array(_) => Unexpected::Seq.to_string(),
        toml::Value::Table(_) => Unexpected::Map.to_string(),
    };
    let written = file.text.get(value.span()).unwrap_or_default();
    let (message, label, hint) = translate(
        &format!("invalid type: {found}, expected {expected}"),
        written,
    );
    let d = Diagnostic::error(message)
        .at(file, value.span())
        .label(label);
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

fn translate(msg: &str, written: &str) -> (String, String, Option<String>) {
    if let Some(key) = quoted_after(msg, "unknown field ") {
        let expected: Vec<&str> = msg
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return (
            format!("clé inconnue `{key}`"),
            "clé inconnue".into(),
            Some(unknown_key_hint(key, &expected)),
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
    let wrong = msg
        .strip_prefix("invalid type: ")
        .map(|rest| ("type de valeur incorrect", rest))
        .or_else(|| {
            msg.strip_prefix("invalid value: ")
                .map(|rest| ("valeur incorrecte", rest))
        });
    if let Some((what, rest)) = wrong {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "{what} : {} au lieu {}",
                french_type(found),
                french_expected(expected)
            ),
            "valeur incorrecte".into(),
            Some(type_hint(found, expected, written)),
        );
    }
    if msg.starts_with("data did not match any variant") {
        return (
            format!("valeur de forme inattendue : {written}"),
            "valeur incorrecte".into(),
            Some("vérifiez la forme de cette valeur (nombre, texte entre guillemets…) dans l'exemple du README".into()),
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
        format!("valeur refusée : {}", msg.replace('\n', " ")),
        "ici".into(),
        Some("vérifiez cette valeur d'après l'exemple du README".into()),
    )
}

/// How to write a value of the expected type, from what was written.
fn type_hint(found: &str, expected: &str, written: &str) -> String {
    let expected = expected.trim();
    let one_line = !written.contains('\n') && written.chars().count() <= 40;
    if expected == "a string" {
        if one_line && !written.is_empty() && !found.starts_with("string") {
            return format!("un texte s'écrit entre guillemets : \"{written}\"");
        }
        return "un texte s'écrit entre guillemets : \"…\" sur une ligne, '''…''' sur plusieurs"
            .into();
    }
    if is_float_type(expected) {
        let figures = written.trim_matches(['"', '\'']).replace(',', ".");
        if found.starts_with("string") && one_line && figures.parse::<f64>().is_ok() {
            return format!(
                "un nombre s'écrit sans guillemets, les décimales après un point : {figures}"
            );
        }
        return "un nombre s'écrit en chiffres, sans guillemets, les décimales après un point, ex. 1.5".into();
    }
    if is_integer_type(expected) {
        let digits = written.trim_matches(['"', '\'']);
        if found.starts_with("string") && one_line && digits.parse::<i64>().is_ok() {
            return format!("un nombre s'écrit sans guillemets : {digits}");
        }
        return "un nombre entier s'écrit en chiffres, sans guillemets, ex. 3".into();
    }
    if expected == "an amount" {
        let figures: String = written
            .trim_matches(['"', '\''])
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '€')
            .collect::<String>()
            .replace(',', ".");
        if found.starts_with("string") && one_line && figures.parse::<f64>().is_ok() {
            return format!(
                "un montant s'écrit en chiffres, sans guillemets, espace ni « € » : {figures}"
            );
        }
        return "un montant s'écrit en chiffres, sans guillemets, espace ni « € », les centimes après un point : 12500 ou 12500.50".into();
    }
    if expected.contains("datetime") {
        return "une date s'écrit sans guillemets, au format année-mois-jour : 2023-06-30".into();
    }
    if expected == "a sequence" {
        return "une liste s'écrit entre crochets : [\"a\", \"b\"]".into();
    }
    if expected.starts_with("struct ") || expected == "a map" {
        return "cette clé attend une table `[nom]` et ses lignes `clé = valeur` : voir l'exemple du README".into();
    }
    "les textes s'écrivent entre guillemets (\"…\" ou '''…'''), les nombres sans guillemets".into()
}

/// serde's words for an integer of Rust.
fn is_integer_type(expected: &str) -> bool {
    matches!(
        expected,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "an integer"
    )
}

/// serde's words for a floating-point number of Rust.
fn is_float_type(expected: &str) -> bool {
    matches!(expected, "f32" | "f64" | "a float")
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
        "datetime" => "la date",
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
        e if is_integer_type(e) => "d'un nombre entier".into(),
        e if is_float_type(e) => "d'un nombre".into(),
        "a sequence" => "d'une liste".into(),
        "a boolean" => "de true ou false".into(),
        "an amount" => "d'un montant en euros".into(),
        "a table or an array of tables" => "d'une table ou d'une liste de tables".into(),
        e if e.contains("datetime") => "d'une date".into(),
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
pub fn describe_key(key: &str) -> &'static str {
    match key {
        "id" => "identifiant stable, en minuscules et tirets, ex. `jeunesse-lieu-accueil`",
        "champ" => "identifiant d'un champ d'intervention déclaré dans data/convention.toml",
        "position" => "rang de l'action dans son champ : 1, 2, 3…",
        "cle" => "clé de la colonne dans les fiches d'action, ex. `pilote`",
        "periode" => "années de la convention, ex. \"2023-2027\"",
        "libelle" => "intitulé affiché dans le document",
        _ => "voir l'exemple du README",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_text_over_several_lines_is_found_where_it_opens() {
        // Quotes in one-line texts and in comments do not count; a closed text
        // over several lines is read over, even ended by four quotes.
        let text = r#"a = 'x'
b = "c'''" # '''
d = '''
un
''''
e = """
f \""" """
g = '''
ouvert
"#;
        let (at, quotes) = unclosed_multiline(text).unwrap();
        assert_eq!(quotes, "'''");
        assert_eq!(&text[at.start..], "'''\nouvert\n");
        assert_eq!(unclosed_multiline("a = '''\nx\n'''\nb = 1\n"), None);
        assert_eq!(unclosed_multiline("a = \"é\\\"\"\nb = 'ü'\n"), None);
        assert_eq!(
            unclosed_multiline("a = \"\"\"\nx\n"),
            Some((4..7, "\"\"\""))
        );
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let (msg, _, hint) = translate(
            "unknown field `descriptiff`, expected one of `id`, `descriptif`, `champ`",
            "descriptiff",
        );
        assert_eq!(msg, "clé inconnue `descriptiff`");
        assert_eq!(
            hint.unwrap(),
            "vouliez-vous dire `descriptif` ? Clés possibles ici : `descriptif`, `id`, `champ`"
        );
    }

    #[test]
    fn wrong_type_is_french() {
        let (msg, _, _) = translate("invalid type: string \"trois\", expected i64", "\"trois\"");
        assert_eq!(
            msg,
            "type de valeur incorrect : le texte \"trois\" au lieu d'un nombre entier"
        );
    }
}
