//! Follow-up by spreadsheet, import: `ctg suivi import` reads the filled
//! workbooks, checks every cell as `data/suivi/<année>.toml` is checked
//! (states of the closed list, progress from 0 to 100, actions of the plan,
//! printable texts), merges the workbooks, compares them with the year's file
//! and writes what is new. Every problem names its workbook, sheet and cell;
//! nothing is written while one remains, and a value that changes what the
//! file holds is only written on request (`--remplacer`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use toml_edit::Value;

use super::read::{self, Book, Cell, Place, Sheet, french_number};
use super::update::{FollowUpFile, number_value, text_value};
use super::{
    Column, FOLLOW_UP_COLUMNS, INDICATOR_COLUMNS, INDICATORS_SHEET, Prefill, cell_text,
    follow_up_sheet, load_project, plain_lines, prefill,
};
use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::french::count;
use crate::model::Plan;
use crate::model::follow_up::{FollowUp, PROGRESS_HINT, State};
use crate::text::check::{Kind, check};
use crate::tools::import::markdown::{plain_to_blocks, to_markdown};
use crate::tools::import::names::loose;
use crate::tools::scaffold::Outcome;

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

/// A row of the follow-up sheet. A column that the sheet lacks (a `.csv`
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

/// A row of the indicators' sheet.
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
    /// The rows of the follow-up sheets whose identifier names no action
    /// (an error said): their cells are checked all the same.
    unidentified: Vec<ActionRow>,
    indicators: Vec<IndicatorRow>,
    /// The years the sheets name, and where.
    years: Vec<(u16, Place)>,
    /// Whether a workbook or its follow-up sheet could not be read: the
    /// year it names may be unknown.
    unread: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SheetKind {
    FollowUp,
    Indicators,
}

impl SheetKind {
    fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::FollowUp => &FOLLOW_UP_COLUMNS,
            SheetKind::Indicators => &INDICATOR_COLUMNS,
        }
    }

    /// The column that, with the identifier, tells the header row.
    fn key_column(self) -> Column {
        match self {
            SheetKind::FollowUp => Column::State,
            SheetKind::Indicators => Column::Value,
        }
    }
}

/// How far down a sheet its header is looked for.
const HEADER_SEARCH_ROWS: usize = 20;

/// The header of a sheet: its row, and the place of each column found.
struct Header {
    row: usize,
    columns: BTreeMap<Column, u32>,
}

fn find_header(sheet: &Sheet, kind: SheetKind, book: &Book, found: &mut Found) -> Option<Header> {
    for (r, cells) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let mut columns = BTreeMap::new();
        let mut years = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            if let Cell::Text(text) = cell
                && let Some((column, year)) = Column::recognise(text, kind.columns())
            {
                columns.entry(column).or_insert(c as u32);
                if let Some(year) = year {
                    years.push((year, c as u32));
                }
            }
        }
        if columns.contains_key(&Column::Id) && columns.contains_key(&kind.key_column()) {
            for (year, col) in years {
                let at = Place {
                    book: book.name.clone(),
                    sheet: sheet.name.clone(),
                    row: r as u32,
                    col,
                };
                found.years.push((year, at));
            }
            return Some(Header { row: r, columns });
        }
    }
    None
}

/// Reads the sheets of `book` into `found`. A sheet is known by its name
/// (« Suivi 2026 », « Indicateurs »), or else by its header row: a partner
/// may have renamed it. A workbook whose follow-up sheet cannot be found is
/// an error naming its sheets: its partner's entries would be lost.
fn collect(book: &Book, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    // Whether a sheet of the actions' follow-up was read.
    let mut follow_up = false;
    // The sheets of another name without a header of either kind.
    let mut ignored = Vec::new();
    for sheet in &book.sheets {
        let named = sheet.name.as_deref().map(loose);
        let kinds: &[SheetKind] = match named.as_deref() {
            None => &[SheetKind::FollowUp, SheetKind::Indicators],
            Some(name) if name == loose(INDICATORS_SHEET) => &[SheetKind::Indicators],
            Some(name) if name.strip_prefix("suivi").is_some() => &[SheetKind::FollowUp],
            // Renamed, or a sheet of the partner's own: its header tells.
            Some(_) => &[SheetKind::FollowUp, SheetKind::Indicators],
        };
        let by_name = kinds.len() == 1;
        // The year in the sheet's name: « Suivi 2026 ».
        if let Some(name) = &sheet.name
            && let Some(year) = loose(name)
                .strip_prefix("suivi ")
                .and_then(|y| y.trim().parse::<u16>().ok())
        {
            found.years.push((
                year,
                Place {
                    book: book.name.clone(),
                    sheet: Some(name.clone()),
                    row: 0,
                    col: 0,
                },
            ));
        }
        let header = kinds
            .iter()
            .find_map(|kind| find_header(sheet, *kind, book, found).map(|h| (*kind, h)));
        let Some((kind, header)) = header else {
            match &sheet.name {
                Some(name) if !by_name => ignored.push(name.clone()),
                _ => {
                    let what = match &sheet.name {
                        Some(name) => format!("{}, feuille « {name} »", book.name),
                        None => book.name.clone(),
                    };
                    diags.push(
                        Diagnostic::error(format!("{what} : ligne d'en-tête introuvable"))
                            .hint("la ligne d'en-tête nomme les colonnes « Identifiant » et « État ANNÉE » (feuille de suivi) ou « Identifiant » et « Valeur ANNÉE » (indicateurs) : ne la modifiez pas, ou exportez un nouveau classeur avec `ctg suivi export ANNÉE`"),
                    );
                    // Its header is what is missing, not the sheet.
                    follow_up |= kinds.contains(&SheetKind::FollowUp);
                    found.unread = true;
                }
            }
            continue;
        };
        follow_up |= kind == SheetKind::FollowUp;
        match kind {
            SheetKind::FollowUp => follow_up_rows(book, sheet, &header, plan, found, diags),
            SheetKind::Indicators => indicator_rows(book, sheet, &header, plan, found, diags),
        }
    }
    let sheets = book
        .sheets
        .iter()
        .filter_map(|s| s.name.as_ref())
        .map(|n| format!("« {n} »"))
        .collect::<Vec<_>>();
    // A sheet saved as CSV (one sheet without a name) may be the
    // indicators' alone.
    let csv = matches!(book.sheets.as_slice(), [only] if only.name.is_none());
    if !follow_up && !csv {
        found.unread = true;
        let has = match sheets.len() {
            0 => "il n'a aucune feuille".to_string(),
            1 => format!("sa seule feuille est {}", sheets[0]),
            _ => format!("ses feuilles sont {}", sheets.join(", ")),
        };
        diags.push(
            Diagnostic::error(format!(
                "{} : feuille de suivi introuvable ; {has}",
                book.name
            ))
            .hint(
                "la feuille de suivi écrite par `ctg suivi export ANNÉE` s'appelle « Suivi ANNÉE » et sa ligne d'en-tête nomme les colonnes « Identifiant » et « État ANNÉE » : rétablissez son nom ou son en-tête, ou recopiez les saisies dans un classeur exporté",
            ),
        );
    } else {
        for name in ignored {
            diags.push(
                Diagnostic::warning(format!("{} : feuille « {name} » ignorée", book.name)).hint(
                    format!(
                        "ni son nom ni sa ligne d'en-tête ne sont ceux des feuilles « Suivi ANNÉE » et « {INDICATORS_SHEET} » du classeur écrit par `ctg suivi export`"
                    ),
                ),
            );
        }
    }
}

/// One row of a sheet: its cells by column, and their places.
struct Row<'a> {
    cells: &'a [Cell],
    header: &'a Header,
    place: Place,
}

impl Row<'_> {
    /// The cell of `column`; `None` when the sheet has no such column.
    fn get(&self, column: Column) -> Option<(&Cell, Place)> {
        let col = *self.header.columns.get(&column)?;
        let cell = self.cells.get(col as usize).unwrap_or(&Cell::Empty);
        Some((cell, self.place.at_col(col)))
    }

    fn blank(&self, column: Column) -> bool {
        self.get(column).is_none_or(|(c, _)| c.is_blank())
    }

    /// Place of the identifier cell.
    fn id_place(&self) -> Place {
        self.get(Column::Id)
            .map(|(_, p)| p)
            .unwrap_or_else(|| self.place.clone())
    }
}

fn rows<'a>(book: &Book, sheet: &'a Sheet, header: &'a Header) -> impl Iterator<Item = Row<'a>> {
    let base = Place {
        book: book.name.clone(),
        sheet: sheet.name.clone(),
        row: 0,
        col: 0,
    };
    sheet
        .rows
        .iter()
        .enumerate()
        .skip(header.row + 1)
        .map(move |(r, cells)| Row {
            cells,
            header,
            place: Place {
                row: r as u32,
                ..base.clone()
            },
        })
}

fn follow_up_rows(
    book: &Book,
    sheet: &Sheet,
    header: &Header,
    plan: &Plan,
    found: &mut Found,
    diags: &mut Vec<Diagnostic>,
) {
    for row in rows(book, sheet, header) {
        let before = diags.len();
        follow_up_row(&row, plan, found, diags);
        crate::diag::compact(diags, before);
    }
}

/// Reads one row of a follow-up sheet into `found`, each of its cells
/// checked.
fn follow_up_row(row: &Row<'_>, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    let editable = [Column::State, Column::Progress, Column::Comment];
    if row.blank(Column::Id) && row.blank(Column::Origin) && editable.iter().all(|c| row.blank(*c))
    {
        return;
    }
    // The cells are checked whatever the identifier: each mistake of
    // the row is said at once.
    let id = identify(row, plan, diags);
    let checked_as = id.clone().or_else(|| origin_action(row, plan));
    let state = row.get(Column::State).map(|(cell, at)| {
        let value = state(cell, &at, diags);
        Read::of(cell, at, value)
    });
    let progress = row.get(Column::Progress).map(|(cell, at)| {
        let value = progress(cell, &at, diags);
        Read::of(cell, at, value)
    });
    let comment = row.get(Column::Comment).map(|(cell, at)| {
        let value = text(cell, &at, "commentaire", diags);
        Read::of(cell, at, value)
    });
    // A row whose identifier was changed is still its action's row for
    // the checks (an error is said, and nothing is written).
    let read = ActionRow {
        id: checked_as.clone().unwrap_or_default(),
        at: row.id_place(),
        state,
        progress,
        comment,
    };
    match checked_as {
        Some(_) => found.rows.push(read),
        None => found.unidentified.push(read),
    }
}

fn indicator_rows(
    book: &Book,
    sheet: &Sheet,
    header: &Header,
    plan: &Plan,
    found: &mut Found,
    diags: &mut Vec<Diagnostic>,
) {
    for row in rows(book, sheet, header) {
        let before = diags.len();
        indicator_row(&row, plan, found, diags);
        crate::diag::compact(diags, before);
    }
}

/// Reads one row of an indicators' sheet into `found`, each of its cells
/// checked.
fn indicator_row(row: &Row<'_>, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    let given = [
        Column::Indicator,
        Column::Unit,
        Column::Baseline,
        Column::Target,
        Column::Value,
    ];
    if row.blank(Column::Id) && row.blank(Column::Origin) && given.iter().all(|c| row.blank(*c)) {
        return;
    }
    // The cells are checked whatever the identifier, in the order of
    // the columns; a row whose identifier was changed is still its
    // action's for the checks.
    let id = identify(row, plan, diags).or_else(|| origin_action(row, plan));
    let name = row
        .get(Column::Indicator)
        .and_then(|(cell, at)| text(cell, &at, "indicateurs.nom", diags).map(|n| (n, at)));
    let unit = row.get(Column::Unit).map(|(cell, at)| {
        let value = text(cell, &at, "indicateurs.unite", diags).map(|u| u.replace('\n', " "));
        Read::of(cell, at, value)
    });
    let number = |column: Column, what: &str, diags: &mut Vec<Diagnostic>| {
        row.get(column).map(|(cell, at)| {
            let value = number(cell, &at, what, diags);
            Read::of(cell, at, value)
        })
    };
    let baseline = number(Column::Baseline, "valeur de départ", diags);
    let target = number(Column::Target, "cible", diags);
    let value = number(Column::Value, "valeur", diags);
    let Some((name, _)) = name else {
        let at = row
            .get(Column::Indicator)
            .map_or_else(|| row.id_place(), |(_, at)| at);
        let of = match &id {
            Some(id) => format!(" pour l'action `{id}`"),
            None => String::new(),
        };
        diags.push(
            at.error(format!("indicateur sans nom{of}"))
                .hint("donnez le nom de l'indicateur, par exemple « Places d'accueil »"),
        );
        return;
    };
    let Some(id) = id else {
        return;
    };
    found.indicators.push(IndicatorRow {
        id,
        name: name.replace('\n', " "),
        unit,
        baseline,
        target,
        value,
        at: row.id_place(),
    });
}

/// The action a row is about: its identifier, which must be the one the
/// workbook was written with (the hidden column keeps it) and an action of
/// the plan.
fn identify(row: &Row<'_>, plan: &Plan, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let at = row.id_place();
    let id = row
        .get(Column::Id)
        .map(|(c, _)| c.text().trim().to_string())
        .unwrap_or_default();
    let origin = row
        .get(Column::Origin)
        .map(|(c, _)| c.text().trim().to_string())
        .filter(|o| !o.is_empty());
    if let Some(origin) = origin
        && origin != id
    {
        let message = if id.is_empty() {
            format!("identifiant effacé sur la ligne de l'action `{origin}`")
        } else {
            format!("identifiant modifié : « {id} » sur la ligne de l'action `{origin}`")
        };
        diags.push(at.error(message).hint(format!(
            "rétablissez « {origin} » : l'identifiant désigne l'action de la ligne, et le suivi d'une autre action s'écrit sur la ligne de celle-ci"
        )));
        return None;
    }
    if id.is_empty() {
        diags.push(at.error("ligne sans identifiant d'action").hint(
            "écrivez l'identifiant de l'action (colonne « Identifiant »), ou videz la ligne",
        ));
        return None;
    }
    if !plan.actions.iter().any(|a| a.id == id) {
        diags.push(
            at.error(format!("action inconnue : « {id} »"))
                .hint(crate::model::follow_up::unknown_action_hint(&id, plan)),
        );
        return None;
    }
    Some(id)
}

/// The action that the hidden column names, when it is one of the plan's.
fn origin_action(row: &Row<'_>, plan: &Plan) -> Option<String> {
    let origin = row.get(Column::Origin)?.0.text().trim().to_string();
    plan.actions
        .iter()
        .any(|a| a.id == origin)
        .then_some(origin)
}

/// A state of the closed list, whatever its case.
fn state(cell: &Cell, at: &Place, diags: &mut Vec<Diagnostic>) -> Option<State> {
    if cell.is_blank() {
        return None;
    }
    let text = cell.text();
    let text = text.trim();
    if let Some(state) = State::parse_any_case(text) {
        return Some(state);
    }
    let message = match State::closest(text) {
        Some(best) => format!("état « {text} » inconnu ; vouliez-vous dire « {best} » ?"),
        None => format!("état « {text} » inconnu"),
    };
    diags.push(at.error(message).hint(format!(
        "choisissez l'un des états de la liste : {}",
        State::list(("« ", " »"))
    )));
    None
}

/// A progress, a whole percentage from 0 to 100.
fn progress(cell: &Cell, at: &Place, diags: &mut Vec<Diagnostic>) -> Option<u8> {
    let n = number(cell, at, "avancement", diags)?;
    let shown = french_number(n);
    if n.fract() != 0.0 {
        diags.push(
            at.error(format!(
                "avancement « {shown} » : un nombre entier est attendu"
            ))
            .hint(PROGRESS_HINT),
        );
        return None;
    }
    match crate::model::follow_up::progress(n as i64).filter(|_| n.abs() < 1e6) {
        Some(p) => Some(p),
        None => {
            diags.push(
                at.error(format!("avancement hors limites : {shown}"))
                    .hint(PROGRESS_HINT),
            );
            None
        }
    }
}

/// A number: one the spreadsheet holds as such, or text in French or
/// English form (« 12,5 », « 1 200 », « 40 % »).
fn number(cell: &Cell, at: &Place, what: &str, diags: &mut Vec<Diagnostic>) -> Option<f64> {
    let parsed = match cell {
        Cell::Empty => return None,
        Cell::Number(n) => Some(*n),
        Cell::Text(t) if t.trim().is_empty() => return None,
        Cell::Text(t) => parse_number(t),
        Cell::Other(_) => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Some(n),
        _ => {
            diags.push(
                at.error(format!(
                    "{what} « {} » : ce n'est pas un nombre",
                    cell.text().trim()
                ))
                .hint("écrivez un nombre en chiffres, sans unité, par exemple 12 ou 12,5"),
            );
            None
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let t: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+'))
    {
        return None;
    }
    t.replace(',', ".").parse().ok()
}

/// A text cell as plain lines, checked as the follow-up's texts are (every
/// character printable by the documents' fonts); `None` when blank.
fn text(cell: &Cell, at: &Place, key: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if cell.is_blank() {
        return None;
    }
    let text = plain_lines(&cell.text());
    let file = SourceFile::new(at.to_string(), text.as_str());
    check(&file, 0..text.len(), &text, Kind::optional(key), diags);
    Some(text)
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

/// One column of one action, over every row that gives it.
enum Merged<T> {
    /// No sheet read has the column.
    Absent,
    /// Every cell of it is empty.
    Cleared(Place),
    /// No cell gives a value, and one holds a value refused (and said so).
    Refused,
    Given(T, Place),
}

impl<T> Merged<T> {
    fn given(&self) -> bool {
        matches!(self, Merged::Given(..))
    }

    /// Whether a cell of it holds something, refused or not.
    fn filled(&self) -> bool {
        matches!(self, Merged::Given(..) | Merged::Refused)
    }
}

/// Merges the reads of one column of one action: two rows that give two
/// values are an error naming both cells.
fn merge<'a, T: PartialEq + Clone + 'a>(
    reads: impl Iterator<Item = &'a Read<T>>,
    show: impl Fn(&T) -> String,
    what: &str,
    id: &str,
    diags: &mut Vec<Diagnostic>,
) -> Merged<T> {
    let mut merged = Merged::Absent;
    for read in reads {
        match (&read.value, &merged) {
            (None, Merged::Absent | Merged::Cleared(_)) if read.refused => {
                merged = Merged::Refused;
            }
            (None, Merged::Absent) => merged = Merged::Cleared(read.at.clone()),
            (None, _) => {}
            (Some(v), Merged::Given(first, at)) => {
                if v != first {
                    diags.push(
                        read.at
                            .error(format!(
                                "deux valeurs pour {what} de `{id}` : « {} » ici, « {} » dans {at}",
                                show(v),
                                show(first)
                            ))
                            .hint("les classeurs se contredisent : corrigez l'un des deux, puis relancez l'import"),
                    );
                }
            }
            (Some(v), _) => merged = Merged::Given(v.clone(), read.at.clone()),
        }
    }
    merged
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

/// Shown in a message: « en cours », or « (vide) » for a value removed.
fn shown(text: Option<String>) -> String {
    match text {
        Some(t) => format!("« {} »", t.replace('\n', " / ")),
        None => "(vide)".into(),
    }
}

/// The edits of one action, or of one of its indicators.
struct Edits<'a> {
    edits: &'a mut Vec<Edit>,
    id: &'a str,
    indicator: Option<&'a str>,
}

impl Edits<'_> {
    /// Compares the workbooks' value of `key` with the file's (`old`), and
    /// adds the edit it calls for: a value the file lacks, a different value,
    /// or a value emptied in every workbook.
    fn compare<T: PartialEq>(
        &mut self,
        key: &'static str,
        what: String,
        old: Option<&T>,
        new: &Merged<T>,
        show: impl Fn(&T) -> String,
        value: impl Fn(&T) -> Value,
    ) {
        let (value, change, at) = match (old, new) {
            (Some(old), Merged::Given(new, at)) if old != new => (
                Some(value(new)),
                Some((shown(Some(show(old))), shown(Some(show(new))))),
                at,
            ),
            (None, Merged::Given(new, at)) => (Some(value(new)), None, at),
            (Some(old), Merged::Cleared(at)) => {
                (None, Some((shown(Some(show(old))), shown(None))), at)
            }
            _ => return,
        };
        self.edits.push(Edit {
            id: self.id.to_string(),
            indicator: self.indicator.map(str::to_string),
            key,
            value,
            what,
            change,
            at: at.clone(),
        });
    }
}

/// The edits the workbooks call for, action by action in the plan's order.
fn edits(
    plan: &Plan,
    found: &Found,
    current: Option<&crate::model::follow_up::Year>,
    pre: &BTreeMap<String, Prefill<'_>>,
    year: Option<u16>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut left_empty = Vec::new();
    for action in &plan.actions {
        let id = action.id.as_str();
        let rows: Vec<&ActionRow> = found.rows.iter().filter(|r| r.id == id).collect();
        let indicators: Vec<&IndicatorRow> =
            found.indicators.iter().filter(|r| r.id == id).collect();
        if rows.is_empty() && indicators.is_empty() {
            continue;
        }
        let old = current.and_then(|c| c.actions.get(id));
        let prefilled = pre.get(id).and_then(|p| p.follow_up);
        let mut action_edits = Edits {
            edits: &mut edits,
            id,
            indicator: None,
        };
        let given = Given {
            rows: &rows,
            indicators: &indicators,
            old,
            prefilled,
            year,
        };
        let before = diags.len();
        if given.action(&mut action_edits, &mut left_empty, diags) {
            indicator_edits(&mut edits, id, &indicators, old, year, diags);
        }
        crate::diag::compact(diags, before);
    }
    // A row whose identifier names no action is checked alone: its state
    // goes with the rest of it all the same.
    for row in &found.unidentified {
        let given = Given {
            rows: &[row],
            indicators: &[],
            old: None,
            prefilled: None,
            year,
        };
        let before = diags.len();
        let (state, progress, comment) = given.merged("", diags);
        let row_given = state.filled() || progress.filled() || comment.filled();
        given.check_state(&state, row_given, None, None, diags);
        crate::diag::compact(diags, before);
    }
    // Without a year (an error said), nothing is written, and which actions
    // may be left empty is not known.
    let Some(year) = year else {
        return edits;
    };
    // An action whose period starts after the year is « à venir » in the
    // review: nothing is expected of it, and leaving it empty is no mistake.
    left_empty.retain(|left| {
        !plan
            .actions
            .iter()
            .any(|a| a.id == left.id && a.deadline.is_upcoming(year))
    });
    warn_left_empty(&left_empty, year, diags);
    edits
}

/// « 2026 » after a word, when the year is known.
fn of_year(year: Option<u16>) -> String {
    year.map_or_else(String::new, |year| format!(" {year}"))
}

/// An action that every workbook leaves empty, and whether the file has its
/// follow-up.
struct LeftEmpty {
    id: String,
    at: Place,
    kept: bool,
}

/// Beyond this many actions left empty, one warning lists them all.
const LEFT_EMPTY_ONE_BY_ONE: usize = 5;

fn warn_left_empty(left: &[LeftEmpty], year: u16, diags: &mut Vec<Diagnostic>) {
    let file = format!("{}/{year}.toml", crate::model::follow_up::FOLLOW_UP_DIR);
    let hint = "choisissez son état (et, si besoin, son avancement et un commentaire), puis relancez l'import";
    if left.len() <= LEFT_EMPTY_ONE_BY_ONE {
        for action in left {
            let kept = if action.kept {
                format!("{file} garde ce qu'il avait")
            } else {
                format!("aucun suivi {year} n'est écrit pour elle")
            };
            diags.push(
                action
                    .at
                    .warning(format!(
                        "action `{}` laissée vide dans chaque classeur : {kept}",
                        action.id
                    ))
                    .hint(hint),
            );
        }
        return;
    }
    let list = left
        .iter()
        .map(|a| format!("`{}` ({})", a.id, a.at))
        .collect::<Vec<_>>()
        .join(", ");
    diags.push(
        Diagnostic::warning(format!(
            "{} dans chaque classeur : {list} ; rien n'est écrit pour elles dans {file}",
            count(left.len(), "action laissée vide", "actions laissées vides")
        ))
        .hint("choisissez l'état de chacune (et, si besoin, son avancement et un commentaire), puis relancez l'import"),
    );
}

/// What the workbooks give of one action.
struct Given<'a> {
    rows: &'a [&'a ActionRow],
    indicators: &'a [&'a IndicatorRow],
    /// The action's follow-up in the year's file.
    old: Option<&'a FollowUp>,
    /// What its rows were pre-filled with.
    prefilled: Option<&'a FollowUp>,
    /// `None` when no year could be told (an error said).
    year: Option<u16>,
}

impl Given<'_> {
    /// The state, progress and comment that the rows give together: two
    /// rows that disagree are an error naming both cells.
    fn merged(
        &self,
        id: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> (Merged<State>, Merged<u8>, Merged<String>) {
        let rows = self.rows;
        let state = merge(
            rows.iter().filter_map(|r| r.state.as_ref()),
            |s| s.label().to_string(),
            "l'état",
            id,
            diags,
        );
        let progress = merge(
            rows.iter().filter_map(|r| r.progress.as_ref()),
            |p| p.to_string(),
            "l'avancement",
            id,
            diags,
        );
        let comment = merge(
            rows.iter().filter_map(|r| r.comment.as_ref()),
            |c| c.replace('\n', " / "),
            "le commentaire",
            id,
            diags,
        );
        (state, progress, comment)
    }

    /// Checks that a state goes with anything else of the rows (`row_given`),
    /// and with indicators (`valued`) of an action that the year's file does
    /// not have yet; `false` after an error. `id` is `None` for a row whose
    /// identifier names no action.
    fn check_state(
        &self,
        state: &Merged<State>,
        row_given: bool,
        valued: Option<&IndicatorRow>,
        id: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        // Without the year, whether the file has the action is not known.
        let new_action = self.old.is_none() && self.year.is_some();
        if state.filled() || !(row_given || (valued.is_some() && new_action)) {
            return true;
        }
        let at = match (state, self.rows.first(), valued) {
            (Merged::Cleared(at), _, _) => at.clone(),
            (_, Some(row), _) => row.at.clone(),
            (_, None, Some(ind)) => ind
                .value
                .as_ref()
                .map_or_else(|| ind.at.clone(), |v| v.at.clone()),
            (_, None, None) => return true,
        };
        let message = match id {
            Some(id) if row_given => format!("état manquant pour l'action `{id}`"),
            Some(id) => format!(
                "indicateurs de l'action `{id}` sans son état{}",
                of_year(self.year)
            ),
            None => "état manquant sur cette ligne".to_string(),
        };
        let sheet = match self.year {
            Some(year) => format!("feuille « {} »", follow_up_sheet(year)),
            None => "feuille de suivi".to_string(),
        };
        diags.push(at.error(message).hint(format!(
            "choisissez l'état de l'action dans la liste ({sheet}) : l'avancement, le commentaire et les indicateurs accompagnent un état"
        )));
        false
    }

    /// Adds the edits of the action's state, progress and comment; `false`
    /// when nothing more is to be read of it (left empty). After an error,
    /// its indicators are still read, for their own mistakes.
    fn action(
        &self,
        edits: &mut Edits<'_>,
        left_empty: &mut Vec<LeftEmpty>,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        let (id, old) = (edits.id, self.old);
        let (state, progress, comment) = self.merged(id, diags);
        let valued = self
            .indicators
            .iter()
            .find(|r| r.value.as_ref().is_some_and(Read::filled))
            .copied();
        let first = self
            .rows
            .first()
            .map(|r| &r.at)
            .or(self.indicators.first().map(|r| &r.at));
        let row_given = state.filled() || progress.filled() || comment.filled();
        if !row_given && valued.is_none() {
            if let Some(at) = first {
                left_empty.push(LeftEmpty {
                    id: id.to_string(),
                    at: at.clone(),
                    kept: old.is_some(),
                });
            }
            return false;
        }
        // The state goes with anything else of the row, and with indicators
        // of an action that the file does not have yet.
        if !self.check_state(&state, row_given, valued, Some(id), diags) {
            return true;
        }
        edits.compare(
            "etat",
            "l'état".into(),
            old.map(|o| &o.state),
            &state,
            |s| s.label().to_string(),
            |s| Value::from(s.label()),
        );
        edits.compare(
            "avancement",
            "l'avancement".into(),
            old.and_then(|o| o.progress.as_ref()),
            &progress,
            |p| p.to_string(),
            |p| Value::from(i64::from(*p)),
        );
        let comment = self.comment_markdown(comment);
        edits.compare(
            "commentaire",
            "le commentaire".into(),
            old.and_then(|o| o.comment.as_ref()),
            &comment,
            |m| cell_text(m),
            |m| text_value(m),
        );
        true
    }

    /// The Markdown of the comment the workbooks give: the file's own, or
    /// the one the row was pre-filled with, when the cell shows it unchanged
    /// (its formatting is kept); else the cell's text, escaped so that it
    /// shows as typed.
    fn comment_markdown(&self, comment: Merged<String>) -> Merged<String> {
        match comment {
            Merged::Given(text, at) => {
                let same = |m: &&String| cell_text(m) == text;
                let markdown = self
                    .old
                    .and_then(|o| o.comment.as_ref())
                    .filter(same)
                    .or_else(|| self.prefilled.and_then(|f| f.comment.as_ref()).filter(same))
                    .cloned()
                    .unwrap_or_else(|| to_markdown(&plain_to_blocks(&text)).markdown);
                Merged::Given(markdown, at)
            }
            other => other,
        }
    }
}

/// The edits of an action's indicators, by name in the order of the rows.
fn indicator_edits(
    edits: &mut Vec<Edit>,
    id: &str,
    rows: &[&IndicatorRow],
    old: Option<&FollowUp>,
    year: Option<u16>,
    diags: &mut Vec<Diagnostic>,
) {
    let year = of_year(year);
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.name.as_str()) {
            names.push(&row.name);
        }
    }
    for name in names {
        let of: Vec<&&IndicatorRow> = rows.iter().filter(|r| r.name == name).collect();
        let read = IndicatorRead::merge(&of, name, id, diags);
        if !read.value.given() {
            // A value refused is an error said already.
            if let Some(first) = of.first().filter(|_| !read.value.filled()) {
                let at = first.value.as_ref().map_or(&first.at, |v| &v.at);
                diags.push(
                    at.warning(format!("indicateur « {name} » de `{id}` sans valeur{year} : rien n'est écrit pour lui"))
                        .hint("donnez sa valeur de l'année, en chiffres"),
                );
            }
            continue;
        }
        let before = old.and_then(|o| o.indicators.iter().find(|i| i.name == name));
        let mut e = Edits {
            edits,
            id,
            indicator: Some(name),
        };
        read.compare(&mut e, before, name, &year);
    }
}

/// A field of the indicator `name`, in messages.
fn indicator_field(field: &str, name: &str) -> String {
    format!("{field} de l'indicateur « {name} »")
}

/// One indicator's fields as the workbooks give them.
struct IndicatorRead {
    value: Merged<f64>,
    unit: Merged<String>,
    baseline: Merged<f64>,
    target: Merged<f64>,
}

impl IndicatorRead {
    /// Each field read from the rows `of` the indicator `name`: two that
    /// disagree are an error.
    fn merge(of: &[&&IndicatorRow], name: &str, id: &str, diags: &mut Vec<Diagnostic>) -> Self {
        let number = |v: &f64| french_number(*v);
        let what = |field: &str| indicator_field(field, name);
        IndicatorRead {
            value: merge(
                of.iter().filter_map(|r| r.value.as_ref()),
                number,
                &what("la valeur"),
                id,
                diags,
            ),
            unit: merge(
                of.iter().filter_map(|r| r.unit.as_ref()),
                String::clone,
                &what("l'unité"),
                id,
                diags,
            ),
            baseline: merge(
                of.iter().filter_map(|r| r.baseline.as_ref()),
                number,
                &what("la valeur de départ"),
                id,
                diags,
            ),
            target: merge(
                of.iter().filter_map(|r| r.target.as_ref()),
                number,
                &what("la cible"),
                id,
                diags,
            ),
        }
    }

    /// Compares each field with the file's (`before`, the indicator `name` of
    /// the year, `year` as shown in messages).
    fn compare(
        &self,
        e: &mut Edits<'_>,
        before: Option<&crate::model::follow_up::Indicator>,
        name: &str,
        year: &str,
    ) {
        let number = |v: &f64| french_number(*v);
        let what = |field: &str| indicator_field(field, name);
        e.compare(
            "valeur",
            what(&format!("la valeur{year}")),
            before.map(|b| &b.value),
            &self.value,
            number,
            |v| number_value(*v),
        );
        let before_unit = before.and_then(|b| b.unit.as_ref());
        e.compare(
            "unite",
            what("l'unité"),
            before_unit,
            &self.unit,
            String::clone,
            |u| Value::from(u.as_str()),
        );
        let before_baseline = before.and_then(|b| b.baseline.as_ref());
        e.compare(
            "reference",
            what("la valeur de départ"),
            before_baseline,
            &self.baseline,
            number,
            |v| number_value(*v),
        );
        let before_target = before.and_then(|b| b.target.as_ref());
        e.compare(
            "cible",
            what("la cible"),
            before_target,
            &self.target,
            number,
            |v| number_value(*v),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_french_and_english_forms() {
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("1 200"), Some(1200.0));
        assert_eq!(parse_number("40 %"), Some(40.0));
        assert_eq!(parse_number("douze"), None);
        assert_eq!(parse_number("12 places"), None);
    }
}
