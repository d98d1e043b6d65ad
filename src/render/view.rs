//! View structs, exactly what a template shows, with cell text
//! already converted for one output format. Templates never see the model.

use serde::Serialize;

use crate::model::shape::{ColumnType, Shape};
use crate::model::{Field, Plan, Value};
use crate::text::escape::{html_prose, typst_prose};
use crate::text::{markdown_to_html, markdown_to_typst};

/// The output format a view is made for: it decides how Markdown is converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    Typst,
    Html,
    /// The Word documents: their writer walks each cell's Markdown itself
    /// ([`super::docx`]), so the view keeps it as written.
    Word,
}

impl Markup {
    pub(crate) fn markup(self, markdown: &str) -> String {
        match self {
            Markup::Typst => markdown_to_typst(markdown),
            Markup::Html => markdown_to_html(markdown),
            Markup::Word => markdown.to_string(),
        }
    }

    /// Plain text (an échéance, an amount) as the templates escape it, with
    /// French typography; for Word, as Markdown that reads as the text itself.
    pub(crate) fn plain(self, text: &str) -> String {
        match self {
            Markup::Typst => typst_prose(text),
            Markup::Html => html_prose(text),
            Markup::Word => markdown_literal(text),
        }
    }

    /// An action's value in a table cell.
    pub(crate) fn cell(self, value: &Value) -> String {
        match value {
            Value::Text(markdown) => self.markup(markdown),
            Value::Deadline(d) => self.plain(&d.text),
            Value::Amount(a) => self.plain(&a.french()),
            Value::Number(n) => self.plain(&n.to_string()),
            Value::Absent => String::new(),
        }
    }
}

/// `text` as Markdown that reads back as exactly `text`: every ASCII
/// punctuation character escaped.
fn markdown_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The plan document: title block, table and notes.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub lang: &'static str,
    /// Document title for metadata: "<titre> – <parties>".
    pub document_title: String,
    pub title: String,
    pub parties: String,
    pub heading: String,
    pub caption: String,
    pub period: String,
    pub version: Option<String>,
    /// The table's header rows, each cell with its spans: one row, or two
    /// when a column has a group (the first column and the columns without a
    /// group then span both).
    pub head: Vec<Vec<HeaderCellView>>,
    /// The table's columns after the first, left to right; each action row
    /// has one cell per column, in [`RowView::cells`].
    pub columns: Vec<ColumnView>,
    /// The groups of columns with their columns' labels, for the summaries of
    /// the table's structure.
    pub column_groups: Vec<ColumnGroupView>,
    /// The fields of intervention and their rows.
    pub groups: Vec<GroupView>,
    pub notes: Vec<NoteView>,
    pub signatories: Vec<SignatoryView>,
    pub action_count: usize,
    /// PDF metadata.
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// "Annexe 2 – Plan d'actions", shown on every page.
    pub annex: Option<String>,
    /// First 8 hexadecimal digits of the SHA-256 of the plan's records.
    pub fingerprint: String,
    /// "Fait à …, le …": blank when not given, to be written by hand.
    pub signature_place: Option<String>,
    pub signature_date: Option<String>,
    /// The logos and the colours of the title block.
    pub title_block: super::title_block::TitleBlockView,
}

/// A cell of the table's header (plain text; templates escape it).
#[derive(Debug, Clone, Serialize)]
pub struct HeaderCellView {
    /// `id` of its `<th>` on the web page.
    pub id: String,
    pub label: String,
    pub colspan: usize,
    pub rowspan: usize,
    /// "col" for a column, "colgroup" for a group.
    pub scope: &'static str,
    /// For a column under a group: the group's `id`.
    pub group: Option<String>,
}

/// A column of the table after the first.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    /// `id` of its `<th>` on the web page.
    pub id: String,
    pub label: String,
    /// The `headers` of its cells on the web page, after the row's own: its
    /// group's `id`, if any, then its own.
    pub headers: String,
    /// What its cells hold, which decides their alignment: "texte",
    /// "echeance", "montant" or "nombre".
    pub kind: &'static str,
    /// Width in the PDF's table, relative to the first column (`1fr`): "1.9fr".
    pub width: String,
    /// The same width as a number (1.9), for the Word documents.
    #[serde(skip)]
    pub share: f64,
    /// Its group's `id` and label.
    #[serde(skip)]
    group: Option<(String, String)>,
}

/// A group of columns under one header cell.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnGroupView {
    pub label: String,
    /// The labels of its columns, left to right.
    pub columns: Vec<String>,
}

/// Columns that a document adds after the plan's own, under one group header
/// (the review adds the year's state and comment).
#[derive(Debug)]
pub struct AddedColumns {
    /// The ids on the web page: `ctg-<id>` for the group, `ctg-<id>-<column>`
    /// for each column (never an id of the plan's own columns, `ctg-col-…`).
    pub id: &'static str,
    pub label: String,
    pub columns: Vec<AddedColumn>,
}

#[derive(Debug)]
pub struct AddedColumn {
    pub id: &'static str,
    pub label: String,
    /// Width in the PDF's table, relative to the first column.
    pub width: f64,
}

/// The start of every `id` of the plan's table on the web page; a page with
/// other tables gives them another.
const ID_PREFIX: &str = "ctg-";

/// A width as Typst writes a fraction of the table: "1.9fr".
fn fraction(width: f64) -> String {
    format!("{width}fr")
}

/// The table's columns: those of `shape` shown in the table. A column's `id`
/// is its key's (`ctg-col-moyens-caf`: keys have no dash, so that no other id
/// of the page can take it), a group's its rank (`ctg-grp-1`).
fn table_columns(shape: &Shape) -> Vec<ColumnView> {
    columns_where(shape, ID_PREFIX, |column| column.shown)
}

/// The columns of `shape` that `keep` selects, their ids starting with `prefix`.
pub(crate) fn columns_where(
    shape: &Shape,
    prefix: &str,
    keep: impl Fn(&crate::model::shape::Column) -> bool,
) -> Vec<ColumnView> {
    let mut groups: Vec<&str> = Vec::new();
    shape
        .columns
        .iter()
        .filter(|column| keep(column))
        .map(|column| {
            let group = column.group.as_deref().map(|label| {
                if groups.last() != Some(&label) {
                    groups.push(label);
                }
                (format!("{prefix}grp-{}", groups.len()), label.to_string())
            });
            let id = format!("{prefix}col-{}", column.key.replace('_', "-"));
            ColumnView {
                headers: match &group {
                    Some((group_id, _)) => format!("{group_id} {id}"),
                    None => id.clone(),
                },
                id,
                label: column.label.clone(),
                kind: column.kind.word(),
                width: fraction(column.width),
                share: column.width,
                group,
            }
        })
        .collect()
}

/// The header rows of a table whose first column is `first` and whose other
/// columns are `columns`, and its groups of columns.
fn header(first: &str, columns: &[ColumnView]) -> (Vec<Vec<HeaderCellView>>, Vec<ColumnGroupView>) {
    header_with(first, ID_PREFIX, columns)
}

/// The same, the first column's `id` starting with `prefix`.
pub(crate) fn header_with(
    first: &str,
    prefix: &str,
    columns: &[ColumnView],
) -> (Vec<Vec<HeaderCellView>>, Vec<ColumnGroupView>) {
    let two_rows = columns.iter().any(|c| c.group.is_some());
    let rowspan = if two_rows { 2 } else { 1 };
    let mut top = vec![HeaderCellView {
        id: format!("{prefix}col-champ"),
        label: first.to_string(),
        colspan: 1,
        rowspan,
        scope: "col",
        group: None,
    }];
    let mut below = Vec::new();
    let mut groups: Vec<ColumnGroupView> = Vec::new();
    let mut previous: Option<&str> = None;
    for column in columns {
        let leaf = |rowspan: usize, group: Option<String>| HeaderCellView {
            id: column.id.clone(),
            label: column.label.clone(),
            colspan: 1,
            rowspan,
            scope: "col",
            group,
        };
        match &column.group {
            None => top.push(leaf(rowspan, None)),
            Some((id, label)) => {
                if previous != Some(id.as_str()) {
                    top.push(HeaderCellView {
                        id: id.clone(),
                        label: label.clone(),
                        colspan: 0,
                        rowspan: 1,
                        scope: "colgroup",
                        group: None,
                    });
                    groups.push(ColumnGroupView {
                        label: label.clone(),
                        columns: Vec::new(),
                    });
                }
                if let Some(cell) = top.last_mut() {
                    cell.colspan += 1;
                }
                if let Some(group) = groups.last_mut() {
                    group.columns.push(column.label.clone());
                }
                below.push(leaf(1, Some(id.clone())));
            }
        }
        previous = column.group.as_ref().map(|(id, _)| id.as_str());
    }
    let rows = if two_rows {
        vec![top, below]
    } else {
        vec![top]
    };
    (rows, groups)
}

/// A field of intervention and its rows, in order.
#[derive(Debug, Serialize)]
pub struct GroupView {
    pub id: String,
    pub label: String,
    /// The footnote mark after the label, if any.
    pub mark: Option<String>,
    pub rows: Vec<RowView>,
}

/// One body row: either a sub-section heading or an action.
#[derive(Debug, Serialize)]
pub struct RowView {
    /// "sous_section" or "action".
    pub kind: &'static str,
    /// Unique anchor of the row in the document, e.g. `ctg-r-7`.
    pub anchor: String,
    /// Anchor of the previous row of the same field; `None` on the field's first row.
    pub previous: Option<String>,
    /// For an action under a sub-section: the anchor of the sub-section's row.
    pub section: Option<String>,
    /// Sub-section label, for a sub-section row.
    pub label: Option<String>,
    /// Action id, for an action row.
    pub id: Option<String>,
    /// For an action row when the sheets are published: its sheet's number and
    /// web page (`actions/<id>.html`).
    pub sheet: Option<SheetLinkView>,
    /// For an action row: a cell per column of [`PlanView::columns`], converted
    /// (safe to insert as is); empty for a sub-section row.
    pub cells: Vec<String>,
    /// In an amendment's consolidated annex, what the amendments did to the
    /// action: « modifié par l'avenant n° 1 » (plain text).
    pub mention: Option<String>,
}

/// The link from an action's row to its sheet.
#[derive(Debug, Serialize)]
pub struct SheetLinkView {
    pub number: usize,
    pub href: String,
}

#[derive(Debug, Serialize)]
pub struct NoteView {
    pub mark: String,
    /// Converted text, first paragraph first.
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct SignatoryView {
    pub institution: String,
    pub acronym: Option<String>,
    pub capacity: Option<String>,
    pub name: Option<String>,
    /// Its logo, shown in its signature box.
    pub logo: Option<super::title_block::LogoView>,
}

impl PlanView {
    pub fn new(plan: &Plan, format: Markup) -> Self {
        let c = &plan.convention;
        let groups = groups(plan, format);
        let columns = table_columns(&c.shape);
        let (head, column_groups) = header(&c.shape.first_column, &columns);
        let title_block = super::title_block::TitleBlockView::new(plan, format);
        PlanView {
            lang: "fr",
            document_title: format!("{} – {}", c.title, c.parties),
            title: c.title.clone(),
            parties: c.parties.clone(),
            heading: c.heading.clone(),
            caption: c.caption.clone(),
            period: c.period.to_string(),
            version: c.version.clone(),
            head,
            columns,
            column_groups,
            groups,
            notes: c
                .notes
                .iter()
                .map(|n| NoteView {
                    mark: n.mark.clone(),
                    text: format.markup(&n.text),
                })
                .collect(),
            signatories: c
                .signatories
                .iter()
                .enumerate()
                .map(|(i, s)| SignatoryView {
                    institution: s.institution.clone(),
                    acronym: s.acronym.clone(),
                    capacity: s.capacity.clone(),
                    name: s.name.clone(),
                    logo: title_block.logo_of(i + 1),
                })
                .collect(),
            action_count: plan.actions.len(),
            author: c.document.author.clone(),
            subject: c.document.subject.clone(),
            keywords: c.document.keywords.clone(),
            annex: c.annex.as_ref().map(ToString::to_string),
            fingerprint: crate::model::fingerprint::plan_fingerprint(plan)[..8].to_string(),
            signature_place: c.signature.place.clone(),
            signature_date: c.signature.date.map(|d| d.french()),
            title_block,
        }
    }

    /// Adds `added` after the plan's columns, under its group header, each
    /// action's cells given by `cells` from its id (converted for the view's
    /// format, one per added column).
    pub fn add_columns(&mut self, added: AddedColumns, mut cells: impl FnMut(&str) -> Vec<String>) {
        let group = (format!("ctg-{}", added.id), added.label);
        for column in added.columns {
            let id = format!("ctg-{}-{}", added.id, column.id);
            self.columns.push(ColumnView {
                headers: format!("{} {id}", group.0),
                id,
                label: column.label,
                kind: ColumnType::Text.word(),
                width: fraction(column.width),
                share: column.width,
                group: Some(group.clone()),
            });
        }
        let first = self.head[0][0].label.clone();
        (self.head, self.column_groups) = header(&first, &self.columns);
        let count = self.columns.len();
        for row in self.groups.iter_mut().flat_map(|g| &mut g.rows) {
            if let Some(id) = &row.id {
                row.cells.extend(cells(id));
                debug_assert_eq!(row.cells.len(), count);
            }
        }
    }
}

/// The table's groups of rows, one per field with actions, in the order of
/// the fields; each row's anchor is numbered across the whole table.
fn groups(plan: &Plan, format: Markup) -> Vec<GroupView> {
    let c = &plan.convention;
    let mut counter = 0usize;
    let mut next_anchor = || {
        counter += 1;
        format!("ctg-r-{counter}")
    };
    let mut groups = Vec::new();
    for field in &c.fields {
        let rows = field_rows(plan, field, format, &mut next_anchor);
        // A declared field without actions is not shown: the table has no empty groups.
        if rows.is_empty() {
            continue;
        }
        let mark = field
            .note
            .as_ref()
            .and_then(|id| c.notes.iter().find(|n| &n.id == id))
            .map(|n| n.mark.clone());
        groups.push(GroupView {
            id: field.id.clone(),
            label: field.label.clone(),
            mark,
            rows,
        });
    }
    groups
}

/// The rows of `field`: its actions in document order, each sub-section's
/// heading row before its first action.
fn field_rows(
    plan: &Plan,
    field: &Field,
    format: Markup,
    next_anchor: &mut impl FnMut() -> String,
) -> Vec<RowView> {
    let c = &plan.convention;
    let mut rows: Vec<RowView> = Vec::new();
    let mut current_sub: Option<&str> = None;
    let mut section: Option<String> = None;
    let in_field = plan.actions.iter().enumerate();
    for (index, action) in in_field.filter(|(_, a)| a.field == field.id) {
        if action.subsection.as_deref() != current_sub {
            current_sub = action.subsection.as_deref();
            section = None;
            if let Some(sub) = field
                .subsections
                .iter()
                .find(|s| Some(s.id.as_str()) == current_sub)
            {
                let anchor = next_anchor();
                section = Some(anchor.clone());
                rows.push(RowView {
                    kind: "sous_section",
                    anchor,
                    previous: rows.last().map(|r| r.anchor.clone()),
                    section: None,
                    label: Some(sub.label.clone()),
                    id: None,
                    sheet: None,
                    cells: Vec::new(),
                    mention: None,
                });
            }
        }
        rows.push(RowView {
            kind: "action",
            anchor: next_anchor(),
            previous: rows.last().map(|r| r.anchor.clone()),
            section: section.clone(),
            label: None,
            id: Some(action.id.clone()),
            sheet: c.sheets.publish.then(|| SheetLinkView {
                number: index + 1,
                href: super::sheets::href_from_plan(&action.id),
            }),
            cells: c
                .shape
                .columns
                .iter()
                .zip(&action.values)
                .filter(|(column, _)| column.shown)
                .map(|(_, value)| format.cell(value))
                .collect(),
            mention: None,
        });
    }
    rows
}
