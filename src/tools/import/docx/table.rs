//! Import, Word, the plan's table: its header (one row, or two under groups)
//! mapped onto the grid columns, then its rows: field labels over their
//! actions (vertical merges), sub-section rows across every column, cells
//! under no header, header rows repeated further down.

use std::collections::{BTreeMap, HashMap};

use super::body::{Cell, Row, Table, VMerge, cell_text};
use crate::tools::import::markdown::{self, Block};
use crate::tools::import::names::{Role, loose, same};
use crate::tools::import::{Builder, Location, RowCells, SourceColumn};

/// What a grid column of the plan's table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The field of intervention.
    Field,
    /// The plan's column of this index in [`Header::columns`].
    Column(usize),
}

/// The plan's header at the top of a table: which column each grid column is.
pub(super) struct Header {
    /// Number of header rows (1 or 2).
    pub(super) rows: usize,
    /// The first column's label.
    pub(super) first_label: String,
    /// The first column's label is one the models of the Caf give the fields
    /// of intervention (« Champs d'intervention », « Axes »…).
    pub(super) known_first: bool,
    /// The plan's columns, left to right.
    pub(super) columns: Vec<SourceColumn>,
    /// Grid column → what it holds; a grid column under no header text is absent.
    grid: BTreeMap<usize, Slot>,
}

impl Header {
    /// The header a plan table would have: its first cell names the fields of
    /// intervention, whatever its text (« Orientations » as well as « Axes »),
    /// and at least one other cell names a column. A second header row is read
    /// under the cells of the first that span several columns (groups), when
    /// the first column continues into it.
    pub(super) fn find(table: &Table) -> Option<Header> {
        let first = table.rows.first()?;
        let lead = first.cells.first()?;
        let first_label = cell_text(lead);
        if first_label.is_empty() {
            return None;
        }
        let known_first = Role::from_label(&first_label) == Some(Role::Field);
        let under = |row: &Row, top: &Cell| -> Vec<usize> {
            (0..row.cells.len())
                .filter(|&i| {
                    let c = &row.cells[i];
                    c.grid >= top.grid && c.grid < top.grid + top.span
                })
                .collect()
        };
        let second = table.rows.get(1).filter(|row| {
            let groups: Vec<&Cell> = first.cells.iter().skip(1).filter(|c| c.span > 1).collect();
            let lead_continues = under(row, lead).iter().all(|&i| {
                row.cells[i].vmerge == VMerge::Continue || cell_text(&row.cells[i]).is_empty()
            });
            !groups.is_empty()
                && lead_continues
                && groups.iter().all(|g| {
                    under(row, g).iter().any(|&i| {
                        row.cells[i].vmerge != VMerge::Continue
                            && !cell_text(&row.cells[i]).is_empty()
                    })
                })
        });
        let mut grid = BTreeMap::new();
        for g in lead.grid..lead.grid + lead.span {
            grid.insert(g, Slot::Field);
        }
        let mut columns: Vec<SourceColumn> = Vec::new();
        let mut add = |cell: &Cell, group: Option<String>, grid: &mut BTreeMap<usize, Slot>| {
            let label = cell_text(cell);
            if label.is_empty() {
                return;
            }
            for g in cell.grid..cell.grid + cell.span {
                grid.insert(g, Slot::Column(columns.len()));
            }
            columns.push(SourceColumn {
                label,
                group,
                kind: None,
            });
        };
        for cell in first.cells.iter().skip(1) {
            match second {
                Some(row) if cell.span > 1 => {
                    let group = Some(cell_text(cell)).filter(|g| !g.is_empty());
                    for i in under(row, cell) {
                        if row.cells[i].vmerge != VMerge::Continue {
                            add(&row.cells[i], group.clone(), &mut grid);
                        }
                    }
                }
                _ => add(cell, None, &mut grid),
            }
        }
        if columns.is_empty() {
            return None;
        }
        Some(Header {
            rows: if second.is_some() { 2 } else { 1 },
            first_label,
            known_first,
            columns,
            grid,
        })
    }

    /// The columns' labels, compared loosely: what tells headers apart.
    pub(super) fn key(&self) -> Vec<String> {
        self.columns.iter().map(|c| loose(&c.label)).collect()
    }

    /// The same columns as `other` (labels compared loosely): a table that
    /// continues the plan.
    pub(super) fn same_columns(&self, other: &Header) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| same(&a.label, &b.label))
    }

    /// The distinct slots a cell covers, left to right.
    fn slots(&self, cell: &Cell) -> Vec<Slot> {
        let mut out = Vec::new();
        for g in cell.grid..cell.grid + cell.span {
            if let Some(s) = self.grid.get(&g)
                && !out.contains(s)
            {
                out.push(*s);
            }
        }
        out
    }

    /// True when `text` is one of the header's labels: a header row repeated
    /// further down.
    fn is_label(&self, text: &str) -> bool {
        same(text, &self.first_label)
            || self
                .columns
                .iter()
                .any(|c| same(text, &c.label) || c.group.as_deref().is_some_and(|g| same(text, g)))
    }
}

/// Rows of a plan table after its header.
pub(super) fn read_table(b: &mut Builder, number: usize, table: &Table, header: &Header) {
    // Text of the cell that starts a vertical merge, by grid column.
    let mut above: HashMap<usize, Vec<Block>> = HashMap::new();
    // Cells under no header text: grid column → rows.
    let mut unmapped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, row) in table.rows.iter().enumerate().skip(header.rows) {
        let at = Location {
            table: Some(number),
            row: index + 1,
            ..Location::default()
        };
        read_row(b, row, &at, header, &mut above, &mut unmapped);
    }
    for (g, rows) in unmapped {
        let shown: Vec<String> = rows.iter().take(8).map(usize::to_string).collect();
        let more = if rows.len() > 8 { ", …" } else { "" };
        b.warn(
            &Location { table: Some(number), row: 1, column: Some(g + 1), span: None },
            format!(
                "colonne sans en-tête : {} ({} {}{more})",
                crate::french::count(rows.len(), "cellule non importée", "cellules non importées"),
                if rows.len() < 2 { "ligne" } else { "lignes" },
                shown.join(", ")
            ),
            Some("une colonne du plan a son intitulé dans l'en-tête du tableau : écrivez-le dans le document et importez-le à nouveau, ou reportez ce texte à la main".into()),
        );
    }
}

fn read_row(
    b: &mut Builder,
    row: &Row,
    at: &Location,
    header: &Header,
    above: &mut HashMap<usize, Vec<Block>>,
    unmapped: &mut BTreeMap<usize, Vec<usize>>,
) {
    if repeats_header(row, header) {
        return;
    }
    let last = header.columns.len() - 1;
    let mut field: Option<(String, Location)> = None;
    let mut subsection: Option<(String, Location)> = None;
    let mut cells = RowCells::default();
    let mut numbers: Vec<(usize, usize)> = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        let place = at.column(i + 1);
        for issue in &cell.issues {
            b.warn(&place, issue, None);
        }
        let blocks = merged_blocks(cell, above);
        let empty = markdown::one_line(&blocks).is_empty();
        let slots = header.slots(cell);
        let Some(&first) = slots.first() else {
            if !empty && cell.vmerge != VMerge::Continue {
                unmapped.entry(cell.grid).or_default().push(at.row);
            }
            continue;
        };
        if first == Slot::Field {
            // The field label; a continued merge keeps the field above.
            if cell.vmerge != VMerge::Continue && !empty {
                field = Some((markdown::one_line(&blocks), place));
            }
            continue;
        }
        if empty {
            continue;
        }
        // A cell across every column: a sub-section row.
        if slots.len() > 1
            && slots.contains(&Slot::Column(0))
            && slots.contains(&Slot::Column(last))
        {
            subsection = Some((markdown::one_line(&blocks), place));
            continue;
        }
        for column in value_columns(b, header, cell, &slots, &place) {
            numbers.push((column, i + 1));
            cells.values.insert(column, blocks.clone());
        }
    }
    if let Some((label, place)) = field {
        b.field(&label, &place);
    }
    if let Some((label, place)) = subsection {
        b.subsection(&label, &place);
        return;
    }
    if !cells.values.is_empty() {
        b.action(cells, at, &numbers);
    }
}

/// A header repeated further down (after a page break, or a second table).
fn repeats_header(row: &Row, header: &Header) -> bool {
    let texts: Vec<String> = row
        .cells
        .iter()
        .map(cell_text)
        .filter(|t| !t.is_empty())
        .collect();
    texts.len() >= 2 && texts.iter().all(|t| header.is_label(t))
}

/// The text of `cell`: its own, kept in `above` for the cells merged with it
/// below, or that of the cell above when it continues a vertical merge.
fn merged_blocks(cell: &Cell, above: &mut HashMap<usize, Vec<Block>>) -> Vec<Block> {
    match cell.vmerge {
        VMerge::Continue => above.get(&cell.grid).cloned().unwrap_or_default(),
        _ => {
            above.insert(cell.grid, cell.blocks.clone());
            cell.blocks.clone()
        }
    }
}

/// The plan's columns a cell with text fills (`slots`, under the header), with
/// a warning when its text is repeated from the cell above or into several
/// columns.
fn value_columns(
    b: &mut Builder,
    header: &Header,
    cell: &Cell,
    slots: &[Slot],
    place: &Location,
) -> Vec<usize> {
    if cell.vmerge == VMerge::Continue {
        b.warn(
            place,
            "cellule fusionnée avec celle du dessus : son texte est repris dans cette action",
            None,
        );
    }
    let columns: Vec<usize> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Column(c) => Some(*c),
            Slot::Field => None,
        })
        .collect();
    if columns.len() > 1 {
        let labels: Vec<String> = columns
            .iter()
            .map(|c| format!("« {} »", header.columns[*c].label))
            .collect();
        b.warn(
            place,
            format!(
                "cellule fusionnée sur plusieurs colonnes ({}) : son texte est repris dans chacune",
                labels.join(", ")
            ),
            None,
        );
    }
    columns
}
