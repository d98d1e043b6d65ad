//! Reading the worksheets of a workbook: each one known by its name or its header
//! row, then row by row, the action of each row identified and its cells
//! checked.

use std::collections::BTreeMap;

use super::cells::{number, progress, state, text};
use super::{ActionRow, Found, IndicatorRow, Read};
use crate::diag::Diagnostic;
use crate::model::Plan;
use crate::tools::import::names::loose;
use crate::tools::workbook::read::{Book, Cell, Place, Sheet};
use crate::tools::workbook::{
    FOLLOW_UP_COLUMNS, INDICATOR_COLUMNS, INDICATORS_WORKSHEET, WorkbookColumn,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SheetKind {
    FollowUp,
    Indicators,
}

impl SheetKind {
    fn columns(self) -> &'static [WorkbookColumn] {
        match self {
            SheetKind::FollowUp => &FOLLOW_UP_COLUMNS,
            SheetKind::Indicators => &INDICATOR_COLUMNS,
        }
    }

    /// The column that, with the identifier, tells the header row.
    fn key_column(self) -> WorkbookColumn {
        match self {
            SheetKind::FollowUp => WorkbookColumn::State,
            SheetKind::Indicators => WorkbookColumn::Value,
        }
    }
}

/// How far down a worksheet its header is looked for.
const HEADER_SEARCH_ROWS: usize = 20;

/// The header of a worksheet: its row, and the place of each column found.
struct Header {
    row: usize,
    columns: BTreeMap<WorkbookColumn, u32>,
}

fn find_header(
    worksheet: &Sheet,
    kind: SheetKind,
    book: &Book,
    found: &mut Found,
) -> Option<Header> {
    for (r, cells) in worksheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let mut columns = BTreeMap::new();
        let mut years = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            if let Cell::Text(text) = cell
                && let Some((column, year)) = WorkbookColumn::recognise(text, kind.columns())
            {
                columns.entry(column).or_insert(c as u32);
                if let Some(year) = year {
                    years.push((year, c as u32));
                }
            }
        }
        if columns.contains_key(&WorkbookColumn::Id) && columns.contains_key(&kind.key_column()) {
            for (year, col) in years {
                let at = Place {
                    book: book.name.clone(),
                    worksheet: worksheet.name.clone(),
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

/// Reads the worksheets of `book` into `found`. A worksheet is known by its name
/// (« Suivi 2026 », « Indicateurs »), or else by its header row: a partner
/// may have renamed it. A workbook whose follow-up worksheet cannot be found is
/// an error naming its worksheets: its partner's entries would be lost.
pub(super) fn collect(book: &Book, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    // Whether a worksheet of the actions' follow-up was read.
    let mut follow_up = false;
    // The worksheets of another name without a header of either kind.
    let mut ignored = Vec::new();
    for worksheet in &book.worksheets {
        let named = worksheet.name.as_deref().map(loose);
        let kinds: &[SheetKind] = match named.as_deref() {
            None => &[SheetKind::FollowUp, SheetKind::Indicators],
            Some(name) if name == loose(INDICATORS_WORKSHEET) => &[SheetKind::Indicators],
            Some(name) if name.strip_prefix("suivi").is_some() => &[SheetKind::FollowUp],
            // Renamed, or a worksheet of the partner's own: its header tells.
            Some(_) => &[SheetKind::FollowUp, SheetKind::Indicators],
        };
        let by_name = kinds.len() == 1;
        // The year in the worksheet's name: « Suivi 2026 ».
        if let Some(name) = &worksheet.name
            && let Some(year) = loose(name)
                .strip_prefix("suivi ")
                .and_then(|y| y.trim().parse::<u16>().ok())
        {
            found.years.push((
                year,
                Place {
                    book: book.name.clone(),
                    worksheet: Some(name.clone()),
                    row: 0,
                    col: 0,
                },
            ));
        }
        let header = kinds
            .iter()
            .find_map(|kind| find_header(worksheet, *kind, book, found).map(|h| (*kind, h)));
        let Some((kind, header)) = header else {
            match &worksheet.name {
                Some(name) if !by_name => ignored.push(name.clone()),
                _ => {
                    let what = match &worksheet.name {
                        Some(name) => format!("{}, feuille « {name} »", book.name),
                        None => book.name.clone(),
                    };
                    diags.push(
                        Diagnostic::error(format!("{what} : ligne d'en-tête introuvable"))
                            .hint("la ligne d'en-tête nomme les colonnes « Identifiant » et « État ANNÉE » (feuille de suivi) ou « Identifiant » et « Valeur ANNÉE » (indicateurs) : ne la modifiez pas, ou exportez un nouveau classeur avec `ctg suivi export ANNÉE`"),
                    );
                    // Its header is what is missing, not the worksheet.
                    follow_up |= kinds.contains(&SheetKind::FollowUp);
                    found.unread = true;
                }
            }
            continue;
        };
        follow_up |= kind == SheetKind::FollowUp;
        match kind {
            SheetKind::FollowUp => follow_up_rows(book, worksheet, &header, plan, found, diags),
            SheetKind::Indicators => indicator_rows(book, worksheet, &header, plan, found, diags),
        }
    }
    let worksheets = book
        .worksheets
        .iter()
        .filter_map(|s| s.name.as_ref())
        .map(|n| format!("« {n} »"))
        .collect::<Vec<_>>();
    // A worksheet saved as CSV (one worksheet without a name) may be the
    // indicators' alone.
    let csv = matches!(book.worksheets.as_slice(), [only] if only.name.is_none());
    if !follow_up && !csv {
        found.unread = true;
        let has = match worksheets.len() {
            0 => "il n'a aucune feuille".to_string(),
            1 => format!("sa seule feuille est {}", worksheets[0]),
            _ => format!("ses feuilles sont {}", worksheets.join(", ")),
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
                        "ni son nom ni sa ligne d'en-tête ne sont ceux des feuilles « Suivi ANNÉE » et « {INDICATORS_WORKSHEET} » du classeur écrit par `ctg suivi export`"
                    ),
                ),
            );
        }
    }
}

/// One row of a worksheet: its cells by column, and their places.
struct Row<'a> {
    cells: &'a [Cell],
    header: &'a Header,
    place: Place,
}

impl Row<'_> {
    /// The cell of `column`; `None` when the worksheet has no such column.
    fn get(&self, column: WorkbookColumn) -> Option<(&Cell, Place)> {
        let col = *self.header.columns.get(&column)?;
        let cell = self.cells.get(col as usize).unwrap_or(&Cell::Empty);
        Some((cell, self.place.at_col(col)))
    }

    fn blank(&self, column: WorkbookColumn) -> bool {
        self.get(column).is_none_or(|(c, _)| c.is_blank())
    }

    /// Place of the identifier cell.
    fn id_place(&self) -> Place {
        self.get(WorkbookColumn::Id)
            .map(|(_, p)| p)
            .unwrap_or_else(|| self.place.clone())
    }
}

fn rows<'a>(
    book: &Book,
    worksheet: &'a Sheet,
    header: &'a Header,
) -> impl Iterator<Item = Row<'a>> {
    let base = Place {
        book: book.name.clone(),
        worksheet: worksheet.name.clone(),
        row: 0,
        col: 0,
    };
    worksheet
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
    worksheet: &Sheet,
    header: &Header,
    plan: &Plan,
    found: &mut Found,
    diags: &mut Vec<Diagnostic>,
) {
    for row in rows(book, worksheet, header) {
        let before = diags.len();
        follow_up_row(&row, plan, found, diags);
        crate::diag::compact(diags, before);
    }
}

/// Reads one row of a follow-up worksheet into `found`, each of its cells
/// checked.
fn follow_up_row(row: &Row<'_>, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    let editable = [
        WorkbookColumn::State,
        WorkbookColumn::Progress,
        WorkbookColumn::Comment,
    ];
    if row.blank(WorkbookColumn::Id)
        && row.blank(WorkbookColumn::Origin)
        && editable.iter().all(|c| row.blank(*c))
    {
        return;
    }
    // The cells are checked whatever the identifier: each mistake of
    // the row is said at once.
    let id = identify(row, plan, diags);
    let checked_as = id.clone().or_else(|| origin_action(row, plan));
    let state = row.get(WorkbookColumn::State).map(|(cell, at)| {
        let value = state(cell, &at, diags);
        Read::of(cell, at, value)
    });
    let progress = row.get(WorkbookColumn::Progress).map(|(cell, at)| {
        let value = progress(cell, &at, diags);
        Read::of(cell, at, value)
    });
    let comment = row.get(WorkbookColumn::Comment).map(|(cell, at)| {
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
    worksheet: &Sheet,
    header: &Header,
    plan: &Plan,
    found: &mut Found,
    diags: &mut Vec<Diagnostic>,
) {
    for row in rows(book, worksheet, header) {
        let before = diags.len();
        indicator_row(&row, plan, found, diags);
        crate::diag::compact(diags, before);
    }
}

/// Reads one row of an indicators' worksheet into `found`, each of its cells
/// checked.
fn indicator_row(row: &Row<'_>, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
    let given = [
        WorkbookColumn::Indicator,
        WorkbookColumn::Unit,
        WorkbookColumn::Baseline,
        WorkbookColumn::Target,
        WorkbookColumn::Value,
    ];
    if row.blank(WorkbookColumn::Id)
        && row.blank(WorkbookColumn::Origin)
        && given.iter().all(|c| row.blank(*c))
    {
        return;
    }
    // The cells are checked whatever the identifier, in the order of
    // the columns; a row whose identifier was changed is still its
    // action's for the checks.
    let id = identify(row, plan, diags).or_else(|| origin_action(row, plan));
    let name = row
        .get(WorkbookColumn::Indicator)
        .and_then(|(cell, at)| text(cell, &at, "indicateurs.nom", diags).map(|n| (n, at)));
    let unit = row.get(WorkbookColumn::Unit).map(|(cell, at)| {
        let value = text(cell, &at, "indicateurs.unite", diags).map(|u| u.replace('\n', " "));
        Read::of(cell, at, value)
    });
    let number = |column: WorkbookColumn, what: &str, diags: &mut Vec<Diagnostic>| {
        row.get(column).map(|(cell, at)| {
            let value = number(cell, &at, what, diags);
            Read::of(cell, at, value)
        })
    };
    let baseline = number(WorkbookColumn::Baseline, "valeur de départ", diags);
    let target = number(WorkbookColumn::Target, "cible", diags);
    let value = number(WorkbookColumn::Value, "valeur", diags);
    let Some((name, _)) = name else {
        let at = row
            .get(WorkbookColumn::Indicator)
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
        .get(WorkbookColumn::Id)
        .map(|(c, _)| c.text().trim().to_string())
        .unwrap_or_default();
    let origin = row
        .get(WorkbookColumn::Origin)
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
    let origin = row.get(WorkbookColumn::Origin)?.0.text().trim().to_string();
    plan.actions
        .iter()
        .any(|a| a.id == origin)
        .then_some(origin)
}
