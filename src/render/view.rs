//! Stage 3 (convert): view structs, exactly what a template shows, with cell text
//! already converted for one output format. Templates never see the model.

use serde::Serialize;

use crate::model::{Action, Plan, Value};
use crate::shape::Shape;
use crate::text::{markdown_to_html, markdown_to_typst};

/// The output format a view is made for: it decides how Markdown is converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Typst,
    Html,
}

impl Format {
    pub(crate) fn markup(self, markdown: &str) -> String {
        match self {
            Format::Typst => markdown_to_typst(markdown),
            Format::Html => markdown_to_html(markdown),
        }
    }
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
    pub columns: ColumnsView,
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
    /// Columns shown after the plan's own, under one group header: the review's
    /// follow-up of the year. `None` in the annex and on the plan's page.
    pub added: Option<AddedColumnsView>,
}

/// A group of columns added to the plan's table by a document that shows more
/// than the plan (the review adds the year's state and comment). Each action row
/// carries its cells in [`RowView::added`], in the order of `columns`.
#[derive(Debug, Serialize)]
pub struct AddedColumnsView {
    /// Suffix of the group header's `id` on the web page: `ctg-col-<id>`.
    pub id: &'static str,
    pub label: String,
    pub columns: Vec<AddedColumnView>,
}

#[derive(Debug, Serialize)]
pub struct AddedColumnView {
    /// Suffix of the header's `id` on the web page: `ctg-col-<id>`.
    pub id: &'static str,
    pub label: String,
    /// Width in the PDF's table, in the unit of the plan's own column widths
    /// (the description column is `1.9fr`).
    pub width: &'static str,
}

/// Column labels (plain text; templates escape them).
#[derive(Debug, Serialize)]
pub struct ColumnsView {
    pub champ: String,
    pub nature: String,
    pub descriptif: String,
    pub moyens_caf: String,
    pub moyens_partenaires: String,
    pub objectifs: String,
    pub indicateurs: String,
    pub resultat_attendu: String,
    pub impact_envisage: String,
    pub echeance: String,
}

// Transitional: the templates still name the reference model's columns.
impl From<&Shape> for ColumnsView {
    fn from(s: &Shape) -> Self {
        let label = |key: &str| {
            s.column(key)
                .map(|(_, c)| c.label.clone())
                .unwrap_or_default()
        };
        let group = |key: &str| {
            s.column(key)
                .and_then(|(_, c)| c.group.clone())
                .unwrap_or_default()
        };
        Self {
            champ: s.first_column.clone(),
            nature: group("descriptif"),
            descriptif: label("descriptif"),
            moyens_caf: label("moyens_caf"),
            moyens_partenaires: label("moyens_partenaires"),
            objectifs: label("objectifs"),
            indicateurs: group("echeance"),
            resultat_attendu: label("resultat_attendu"),
            impact_envisage: label("impact_envisage"),
            echeance: label("echeance"),
        }
    }
}

fn cells(shape: &Shape, action: &Action, format: Format) -> CellsView {
    let text = |key: &str| format.markup(action.text(shape, key).unwrap_or(""));
    CellsView {
        descriptif: text("descriptif"),
        moyens_caf: text("moyens_caf"),
        moyens_partenaires: text("moyens_partenaires"),
        objectifs: text("objectifs"),
        resultat_attendu: text("resultat_attendu"),
        impact_envisage: text("impact_envisage"),
        echeance: match action.value(shape, "echeance") {
            Some(Value::Deadline(d)) => d.text.clone(),
            _ => String::new(),
        },
    }
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
    pub cells: Option<CellsView>,
    /// Cells of the added columns (see [`PlanView::added`]), converted; empty
    /// without added columns and on sub-section rows.
    pub added: Vec<String>,
}

/// The seven content cells of an action, converted (safe to insert as is), and
/// the deadline as written (plain text).
#[derive(Debug, Serialize)]
pub struct CellsView {
    pub descriptif: String,
    pub moyens_caf: String,
    pub moyens_partenaires: String,
    pub objectifs: String,
    pub resultat_attendu: String,
    pub impact_envisage: String,
    pub echeance: String,
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
}

impl PlanView {
    pub fn new(plan: &Plan, format: Format) -> Self {
        let c = &plan.convention;
        let mut counter = 0usize;
        let mut next_anchor = || {
            counter += 1;
            format!("ctg-r-{counter}")
        };
        let mut groups = Vec::new();
        for field in &c.fields {
            let mut rows: Vec<RowView> = Vec::new();
            let mut current_sub: Option<&str> = None;
            let mut section: Option<String> = None;
            for action in plan.actions.iter().filter(|a| a.field == field.id) {
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
                            cells: None,
                            added: Vec::new(),
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
                    cells: Some(cells(&c.shape, action, format)),
                    added: Vec::new(),
                });
            }
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
        PlanView {
            lang: "fr",
            document_title: format!("{} – {}", c.title, c.parties),
            title: c.title.clone(),
            parties: c.parties.clone(),
            heading: c.heading.clone(),
            caption: c.caption.clone(),
            period: c.period.to_string(),
            version: c.version.clone(),
            columns: ColumnsView::from(&c.shape),
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
                .map(|s| SignatoryView {
                    institution: s.institution.clone(),
                    acronym: s.acronym.clone(),
                    capacity: s.capacity.clone(),
                    name: s.name.clone(),
                })
                .collect(),
            action_count: plan.actions.len(),
            author: c.document.author.clone(),
            subject: c.document.subject.clone(),
            keywords: c.document.keywords.clone(),
            annex: c.annex.as_ref().map(ToString::to_string),
            fingerprint: crate::fingerprint::plan_fingerprint(plan)[..8].to_string(),
            signature_place: c.signature.place.clone(),
            signature_date: c.signature.date.map(|d| d.french()),
            added: None,
        }
    }

    /// Adds `columns` after the plan's own, each action's cells given by `cells`
    /// from its id (converted for the view's format, one per column).
    pub fn add_columns(
        &mut self,
        columns: AddedColumnsView,
        mut cells: impl FnMut(&str) -> Vec<String>,
    ) {
        for row in self.groups.iter_mut().flat_map(|g| &mut g.rows) {
            if let Some(id) = &row.id {
                row.added = cells(id);
                debug_assert_eq!(row.added.len(), columns.columns.len());
            }
        }
        self.added = Some(columns);
    }
}
