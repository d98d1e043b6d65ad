//! Reading the sheets of a workbook: each one known by its name or its header
//! row, then row by row, the action of each row identified and its cells
//! checked.

use std::collections::BTreeMap;

use super::cells::{number, progress, state, text};
use super::{ActionRow, Found, IndicatorRow, Read};
use crate::diag::Diagnostic;
use crate::model::Plan;
use crate::tools::import::names::loose;
use crate::tools::workbook::read::{Book, Cell, Place, Sheet};
use crate::tools::workbook::{Column, FOLLOW_UP_COLUMNS, INDICATOR_COLUMNS, INDICATORS_SHEET};

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
pub(super) fn collect(book: &Book, plan: &Plan, found: &mut Found, diags: &mut Vec<Diagnostic>) {
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
