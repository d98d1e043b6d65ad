//! Follow-up by spreadsheet, import: `ctg suivi import` reads the filled
//! workbooks, checks every cell as `data/suivi/<année>.toml` is checked
//! (states of the closed list, progress from 0 to 100, actions of the plan,
//! printable texts), merges the workbooks, compares them with the year's file
//! and writes what is new. Every problem names its workbook, worksheet and cell;
//! nothing is written while one remains, and a value that changes what the
//! file holds is only written on request (`--remplacer`).
//!
//! The worksheets are read row by row in [`rows`], each cell checked in
//! [`cells`]; the rows of every workbook are merged and compared with the
//! year's file in [`edits`], those of the indicators in [`indicators`].

mod cells;
mod edits;
mod indicators;
mod rows;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use toml_edit::Value;

use super::read::{self, Cell, Place};
use super::update::FollowUpFile;
use super::{load_project, prefill};
use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::french::count;
use crate::model::Plan;
use crate::model::follow_up::State;
use crate::tools::scaffold::Outcome;
use edits::edits;
use rows::collect;

/// What `ctg suivi import` reads, and how it writes.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    /// The year of the follow-up; read from the workbooks when `None`.
    pub year: Option<u16>,
    /// Write the values that change what the file holds (`--remplacer`).
    pub replace: bool,
}

/// Reads the workbooks and writes the year's follow-up file.
pub fn import(options: &ImportOptions) -> Result<Outcome, Failure> {
    let (plan, follow_ups, mut diags) = load_project(&options.root)?;
    let mut found = Found::default();
    for path in &options.files {
        match read::read(path) {
            Ok(book) => collect(&book, &plan, &mut found, &mut diags),
            Err(d) => {
                diags.push(d);
                found.unread = true;
            }
        }
    }
    // The checks of the rows taken together (a state for each comment, two
    // workbooks that agree) run whatever the cells gave: a workbook comes
    // back by e-mail, and each of its mistakes is said in the same run.
    let year = year_of(&found, options.year, &plan, &mut diags);
    let current = year.and_then(|year| follow_ups.years.get(&year));
    let pre = year.map_or_else(BTreeMap::new, |year| prefill(&plan, &follow_ups, year));
    let edits = edits(&plan, &found, current, &pre, year, &mut diags);
    let Some(year) = year.filter(|_| !has_errors(&diags)) else {
        return Err(Failure(diags));
    };
    let name = format!("{}/{year}.toml", crate::model::follow_up::FOLLOW_UP_DIR);
    let existing = existing_file(&options.root, &name)?;
    let mut file = match &existing {
        Some(source) => FollowUpFile::parse(&source.text).map_err(|e| {
            diags.push(
                Diagnostic::error(format!("mise à jour impossible de `{name}` : {e}"))
                    .in_file(source)
                    .hint("corrigez ce fichier à la main (`ctg check` le vérifie), puis relancez l'import"),
            );
            Failure(std::mem::take(&mut diags))
        })?,
        None => FollowUpFile::new(year),
    };
    let applied = apply(
        &edits,
        &mut file,
        current,
        options.replace,
        &name,
        &mut diags,
    );
    let text = file.text();
    check_written(&text, &name, year, &plan, &mut diags)?;

    let mut summary = Vec::new();
    let unchanged = existing.as_ref().is_some_and(|e| *e.text == *text);
    if existing.is_none() && edits.is_empty() {
        summary.push(format!(
            "aucune action renseignée dans les classeurs : {name} n'est pas écrit"
        ));
    } else if unchanged {
        summary.push(if applied.kept > 0 {
            format!("{name} inchangé")
        } else {
            format!("{name} inchangé : les classeurs n'apportent rien de nouveau")
        });
    } else {
        let dir = options.root.join(crate::model::follow_up::FOLLOW_UP_DIR);
        crate::write::folder::write_atomic(&dir, &format!("{year}.toml"), text.as_bytes())
            .map_err(|d| Failure(vec![d]))?;
        let done = if existing.is_some() {
            "mis à jour"
        } else {
            "écrit"
        };
        summary.push(format!("{done} {name} : {}", applied.counts()));
    }
    summary.extend(applied.replaced);
    if applied.kept > 0 {
        summary.push(format!(
            "{} : relancez avec `--remplacer` pour {}",
            count(
                applied.kept,
                "changement non écrit",
                "changements non écrits"
            ),
            if applied.kept == 1 {
                "l'écrire"
            } else {
                "les écrire"
            }
        ));
    }
    summary.push(format!("bilan de l'année : `ctg build --bilan {year}`"));
    Ok(Outcome {
        diagnostics: diags,
        summary,
        success: true,
    })
}

fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// The year's file as it is, if there is one.
fn existing_file(root: &std::path::Path, name: &str) -> Result<Option<SourceFile>, Failure> {
    let path = root.join(name);
    if !path.exists() {
        return Ok(None);
    }
    crate::read::source::read_text(root, &path)
        .map(Some)
        .map_err(|d| Failure(vec![d]))
}

/// What applying the edits did.
#[derive(Default)]
struct Applied {
    /// Actions the file did not have, and actions it had that were changed.
    added: BTreeSet<String>,
    updated: BTreeSet<String>,
    /// One line per value replaced (`--remplacer`).
    replaced: Vec<String>,
    /// Changes not written, for want of `--remplacer`.
    kept: usize,
}

impl Applied {
    /// « 3 actions ajoutées, 1 action mise à jour ».
    fn counts(&self) -> String {
        [
            (self.added.len(), "action ajoutée", "actions ajoutées"),
            (
                self.updated.len(),
                "action mise à jour",
                "actions mises à jour",
            ),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| count(*n, one, many))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Applies the edits to the file: every value it does not have yet, and the
/// changes with `replace`; each change left out is a warning.
fn apply(
    edits: &[Edit],
    file: &mut FollowUpFile,
    current: Option<&crate::model::follow_up::Year>,
    replace: bool,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) -> Applied {
    let mut applied = Applied::default();
    for edit in edits {
        if let Some((old, new)) = &edit.change {
            if !replace {
                diags.push(
                    edit.at
                        .warning(format!(
                            "{} de `{}` : {old} dans {name}, {new} dans le classeur : non écrit",
                            edit.what, edit.id
                        ))
                        .hint("le fichier garde sa valeur ; relancez l'import avec `--remplacer` pour écrire celle du classeur"),
                );
                applied.kept += 1;
                continue;
            }
            applied.replaced.push(format!(
                "remplacé : {} de `{}` ({}) : {old} → {new}",
                edit.what, edit.id, edit.at
            ));
        }
        match &edit.indicator {
            None => file.set(&edit.id, edit.key, edit.value.clone()),
            Some(indicator) => {
                file.set_indicator(&edit.id, indicator, edit.key, edit.value.clone())
            }
        }
        if current.is_some_and(|c| c.actions.contains_key(&edit.id)) {
            applied.updated.insert(edit.id.clone());
        } else {
            applied.added.insert(edit.id.clone());
        }
    }
    applied
}

/// Reads the new text as the review reads a follow-up file: what the
/// workbooks gave is checked once more, by the same rules, before anything is
/// written.
fn check_written(
    text: &str,
    name: &str,
    year: u16,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let mut found = Vec::new();
    let checked =
        crate::validate::follow_up::parse_year(SourceFile::new(name, text), year, plan, &mut found);
    if checked.is_some() && !has_errors(&found) {
        return Ok(());
    }
    diags.extend(found.into_iter().filter(Diagnostic::is_error));
    diags.push(
        Diagnostic::error(format!(
            "le suivi lu dans les classeurs ne donne pas un fichier `{name}` valide"
        ))
        .hint("rien n'a été écrit ; signalez le problème en joignant les classeurs"),
    );
    Err(Failure(std::mem::take(diags)))
}

/// The year of the follow-up: the one `--annee` gives, which the workbooks
/// must not contradict, or the one they name. A year outside the
/// convention's period is an error, and still the year the rows are checked
/// against.
fn year_of(
    found: &Found,
    wanted: Option<u16>,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> Option<u16> {
    let period = plan.convention.period;
    let named: BTreeMap<u16, &Place> = found.years.iter().map(|(y, at)| (*y, at)).rev().collect();
    let year = match wanted {
        Some(year) => {
            for (other, at) in named.iter().filter(|(y, _)| **y != year) {
                diags.push(
                    at.error(format!(
                        "classeur du suivi {other}, importé pour l'année {year}"
                    ))
                    .hint(format!(
                        "importez-le sans `--annee`, ou avec `--annee {other}`"
                    )),
                );
            }
            year
        }
        None => {
            let mut years = named.iter();
            match (years.next(), years.next()) {
                (Some((year, _)), None) => *year,
                (Some((a, at_a)), Some((b, at_b))) => {
                    diags.push(
                        at_b.error(format!(
                            "classeurs de deux années : {b} ici, {a} dans {at_a}"
                        ))
                        .hint("importez les classeurs de chaque année séparément"),
                    );
                    return None;
                }
                (None, _) => {
                    // A workbook that could not be read may have named it.
                    if !found.unread {
                        diags.push(
                            Diagnostic::error("année du suivi inconnue : aucun classeur ne la donne")
                                .hint("précisez-la avec `--annee`, par exemple `ctg suivi import suivi.csv --annee 2026`"),
                        );
                    }
                    return None;
                }
            }
        }
    };
    if !period.contains(year) {
        diags.push(
            Diagnostic::error(format!(
                "année de suivi hors de la période de la convention : {year}"
            ))
            .hint(format!(
                "la convention couvre {}-{} : importez le suivi d'une année de cette période",
                period.start, period.end
            )),
        );
    }
    Some(year)
}

/// A value read from a cell: `None` when the cell is empty, or holds what
/// was refused.
#[derive(Debug, Clone)]
struct Read<T> {
    value: Option<T>,
    /// Whether the cell holds a value that was refused (and said so): the
    /// cell is not empty, and its row is filled in.
    refused: bool,
    at: Place,
}

impl<T> Read<T> {
    /// What `cell`, at `at`, gave: `value`, read from it.
    fn of(cell: &Cell, at: Place, value: Option<T>) -> Self {
        Read {
            refused: value.is_none() && !cell.is_blank(),
            value,
            at,
        }
    }

    /// Whether the cell holds something, refused or not.
    fn filled(&self) -> bool {
        self.value.is_some() || self.refused
    }
}

/// A row of the follow-up worksheet. A column that the worksheet lacks (a `.csv`
/// file may leave some out) is `None`.
#[derive(Debug)]
struct ActionRow {
    id: String,
    at: Place,
    state: Option<Read<State>>,
    progress: Option<Read<u8>>,
    /// Plain text, one line per paragraph.
    comment: Option<Read<String>>,
}

/// A row of the indicators' worksheet.
#[derive(Debug)]
struct IndicatorRow {
    id: String,
    name: String,
    unit: Option<Read<String>>,
    baseline: Option<Read<f64>>,
    target: Option<Read<f64>>,
    value: Option<Read<f64>>,
    at: Place,
}

/// Everything read from the workbooks.
#[derive(Debug, Default)]
struct Found {
    rows: Vec<ActionRow>,
    /// The rows of the follow-up worksheets whose identifier names no action
    /// (an error said): their cells are checked all the same.
    unidentified: Vec<ActionRow>,
    indicators: Vec<IndicatorRow>,
    /// The years the worksheets name, and where.
    years: Vec<(u16, Place)>,
    /// Whether a workbook or its follow-up worksheet could not be read: the
    /// year it names may be unknown.
    unread: bool,
}

/// A change to make in the year's file.
struct Edit {
    id: String,
    /// The indicator's name, for a key of an indicator.
    indicator: Option<String>,
    key: &'static str,
    /// `None` removes the key.
    value: Option<Value>,
    /// What is changed, for messages: « l'état », « la valeur 2026 de
    /// l'indicateur « Places » ».
    what: String,
    /// For a value that changes what the file holds, the old and the new one
    /// as shown; `None` for a value the file does not have yet.
    change: Option<(String, String)>,
    at: Place,
}
