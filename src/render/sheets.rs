//! The view of the action sheets ("fiches actions"), one per
//! action, for the Typst document (`fiches.pdf`, with its contents page) and the
//! web pages (`actions/<id>.html` and their index): every declared column of the
//! action, those the table hides included, and its latest follow-up.

use std::collections::BTreeMap;

use serde::Serialize;

use super::document;
use super::review::number;
use super::view::Markup;
use crate::model::follow_up::FollowUps;
use crate::model::shape::ColumnType;
use crate::model::title::{singular, title};
use crate::model::{Action, Plan, Value};

/// The page that lists the sheets by field: `index.html`.
pub fn index_page() -> String {
    document::sheet_page(crate::model::Sheets::INDEX)
}

/// The link to an action's web page from a page of the output folder (the
/// plan's page, a review's page).
pub fn href_from_plan(id: &str) -> String {
    document::sheet_page_path(&document::sheet_page(id))
}

/// What every sheet shows of the plan: title block, running header and footer.
#[derive(Debug, Serialize)]
pub struct PlanInfoView {
    pub lang: &'static str,
    /// Document title for metadata: "Fiches actions – <titre> – <parties>".
    pub document_title: String,
    pub title: String,
    pub parties: String,
    pub heading: String,
    pub period: String,
    pub version: Option<String>,
    /// The header of the plan's first column ("Champs d'intervention", "Axes"…).
    pub first_column: String,
    pub author: String,
    pub keywords: Vec<String>,
    /// First 8 hexadecimal digits of the SHA-256 of the plan's records.
    pub fingerprint: String,
    /// "28 fiches", "1 fiche".
    pub count: String,
    /// The logos and the colours of the title block.
    pub title_block: super::title_block::TitleBlockView,
}

/// The sheets, grouped by field of intervention in the plan's order.
#[derive(Debug, Serialize)]
pub struct SheetsView {
    #[serde(flatten)]
    pub plan: PlanInfoView,
    pub fields: Vec<SheetFieldView>,
    /// The PDF of the sheets, linked from the index page with its size.
    pub pdf: Option<super::html::PdfLinkView>,
}

/// The variables of one sheet's web page.
#[derive(Debug, Serialize)]
pub struct SheetPageView<'a> {
    #[serde(flatten)]
    pub plan: &'a PlanInfoView,
    pub sheet: &'a SheetView,
}

#[derive(Debug, Serialize)]
pub struct SheetFieldView {
    pub id: String,
    pub label: String,
    pub sheets: Vec<SheetView>,
}

/// One action's sheet.
#[derive(Debug, Serialize)]
pub struct SheetView {
    /// "Fiche N": the action's rank in the plan, from 1.
    pub number: usize,
    pub id: String,
    /// Its web page, relative to the other sheets' pages: `<id>.html`.
    pub href: String,
    /// Plain text (templates escape it).
    pub title: String,
    pub field_id: String,
    pub field: String,
    pub subsection: Option<String>,
    /// The declared columns, in order, groups kept together.
    pub parts: Vec<PartView>,
    /// The latest follow-up of the action, if any year has one.
    pub follow_up: Option<SheetFollowUpView>,
    /// The years of the indicators' values, in order.
    pub indicator_years: Vec<u16>,
    pub indicators: Vec<SheetIndicatorView>,
    pub previous: Option<NeighbourView>,
    pub next: Option<NeighbourView>,
}

/// A column of the action with its value, or a group of columns under its label.
#[derive(Debug, Serialize)]
pub struct PartView {
    pub label: String,
    /// For a group: its columns; empty for a single column.
    pub items: Vec<ItemView>,
    /// For a single column: its value.
    pub item: Option<ItemView>,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub label: String,
    /// What the value is: "texte", "echeance", "montant" or "nombre".
    pub kind: &'static str,
    /// The value, converted for the format (safe to insert as is); `None`
    /// for an optional column that the action leaves out.
    pub value: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SheetFollowUpView {
    pub year: u16,
    pub state: &'static str,
    pub progress: Option<u8>,
    /// Converted for the format.
    pub comment: Option<String>,
}

/// An indicator over the years, numbers written the French way.
#[derive(Debug, Serialize)]
pub struct SheetIndicatorView {
    pub name: String,
    pub unit: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    /// One per [`SheetView::indicator_years`]; empty where that year has none.
    pub values: Vec<String>,
}

/// The previous or next sheet, for the links between pages.
#[derive(Debug, Clone, Serialize)]
pub struct NeighbourView {
    pub number: usize,
    pub href: String,
    pub title: String,
}

impl SheetsView {
    pub fn new(plan: &Plan, follow_ups: &FollowUps, format: Markup) -> Self {
        let c = &plan.convention;
        let info = PlanInfoView {
            lang: "fr",
            document_title: format!("Fiches actions – {} – {}", c.title, c.parties),
            title: c.title.clone(),
            parties: c.parties.clone(),
            heading: c.heading.clone(),
            period: c.period.to_string(),
            version: c.version.clone(),
            // A sheet names its one field: « Axe : … », not « Axes : … ».
            first_column: c
                .sheets
                .field_label
                .clone()
                .unwrap_or_else(|| singular(&c.shape.first_column)),
            author: c.document.author.clone(),
            keywords: std::iter::once("Fiches actions".to_string())
                .chain(c.document.keywords.iter().cloned())
                .collect(),
            fingerprint: crate::model::fingerprint::plan_fingerprint(plan)[..8].to_string(),
            count: crate::french::count(plan.actions.len(), "fiche", "fiches"),
            title_block: super::title_block::TitleBlockView::new(plan, format),
        };
        let neighbour = |index: usize| {
            plan.actions.get(index).map(|a| NeighbourView {
                number: index + 1,
                href: document::sheet_page(&a.id),
                title: title(plan, a),
            })
        };
        let mut fields: Vec<SheetFieldView> = Vec::new();
        for (index, action) in plan.actions.iter().enumerate() {
            let field = c.field(&action.field);
            let sheet = SheetView {
                number: index + 1,
                id: action.id.clone(),
                href: document::sheet_page(&action.id),
                title: title(plan, action),
                field_id: action.field.clone(),
                field: field.map_or_else(|| action.field.clone(), |f| f.label.clone()),
                subsection: action.subsection.as_ref().and_then(|id| {
                    field?
                        .subsections
                        .iter()
                        .find(|s| &s.id == id)
                        .map(|s| s.label.clone())
                }),
                parts: parts(plan, action, format),
                follow_up: latest_follow_up(follow_ups, action, format),
                indicator_years: Vec::new(),
                indicators: Vec::new(),
                previous: index.checked_sub(1).and_then(neighbour),
                next: neighbour(index + 1),
            };
            let sheet = with_indicators(sheet, follow_ups);
            match fields.last_mut() {
                Some(f) if f.id == action.field => f.sheets.push(sheet),
                _ => fields.push(SheetFieldView {
                    id: action.field.clone(),
                    label: sheet.field.clone(),
                    sheets: vec![sheet],
                }),
            }
        }
        SheetsView {
            plan: info,
            fields,
            pdf: None,
        }
    }

    pub fn sheets(&self) -> impl Iterator<Item = &SheetView> {
        self.fields.iter().flat_map(|f| &f.sheets)
    }
}

/// The declared columns of `action`, consecutive columns of one group together,
/// and its échéance when the shape has no column for it.
fn parts(plan: &Plan, action: &Action, format: Markup) -> Vec<PartView> {
    let shape = &plan.convention.shape;
    let mut parts: Vec<PartView> = Vec::new();
    let mut group: Option<&str> = None;
    for (column, value) in shape.columns.iter().zip(&action.values) {
        let item = ItemView {
            label: column.label.clone(),
            kind: column.kind.word(),
            value: match value {
                Value::Absent => None,
                value => Some(format.cell(value)),
            },
        };
        match column.group.as_deref() {
            Some(label) => {
                if group != Some(label) {
                    parts.push(PartView {
                        label: label.to_string(),
                        items: Vec::new(),
                        item: None,
                    });
                }
                if let Some(part) = parts.last_mut() {
                    part.items.push(item);
                }
            }
            None => parts.push(PartView {
                label: item.label.clone(),
                items: Vec::new(),
                item: Some(item),
            }),
        }
        group = column.group.as_deref();
    }
    if shape.deadline().is_none() {
        parts.push(PartView {
            label: "Échéance".to_string(),
            items: Vec::new(),
            item: Some(ItemView {
                label: "Échéance".to_string(),
                kind: ColumnType::Deadline.word(),
                value: Some(format.plain(&action.deadline.text)),
            }),
        });
    }
    parts
}

/// The state, progress and comment of the latest year that follows `action` up.
fn latest_follow_up(
    follow_ups: &FollowUps,
    action: &Action,
    format: Markup,
) -> Option<SheetFollowUpView> {
    let (year, f) = follow_ups
        .years
        .iter()
        .rev()
        .find_map(|(year, y)| y.actions.get(&action.id).map(|f| (*year, f)))?;
    Some(SheetFollowUpView {
        year,
        state: f.state.label(),
        progress: f.progress,
        comment: f.comment.as_deref().map(|md| format.markup(md)),
    })
}

/// Adds the action's indicators over the years: one row per indicator name, in
/// the order they first appear; unit, starting value and target from the
/// latest year that gives them.
fn with_indicators(mut sheet: SheetView, follow_ups: &FollowUps) -> SheetView {
    struct Row {
        name: String,
        unit: Option<String>,
        baseline: Option<f64>,
        target: Option<f64>,
        values: BTreeMap<u16, f64>,
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut years: Vec<u16> = Vec::new();
    for (year, y) in &follow_ups.years {
        let Some(f) = y.actions.get(&sheet.id) else {
            continue;
        };
        for indicator in &f.indicators {
            if !years.contains(year) {
                years.push(*year);
            }
            let row = match rows.iter().position(|r| r.name == indicator.name) {
                Some(i) => &mut rows[i],
                None => {
                    rows.push(Row {
                        name: indicator.name.clone(),
                        unit: None,
                        baseline: None,
                        target: None,
                        values: BTreeMap::new(),
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            row.unit = indicator.unit.clone().or(row.unit.take());
            row.baseline = indicator.baseline.or(row.baseline);
            row.target = indicator.target.or(row.target);
            row.values.insert(*year, indicator.value);
        }
    }
    sheet.indicators = rows
        .into_iter()
        .map(|r| SheetIndicatorView {
            values: years
                .iter()
                .map(|y| r.values.get(y).map(|v| number(*v)).unwrap_or_default())
                .collect(),
            name: r.name,
            unit: r.unit,
            baseline: r.baseline.map(number),
            target: r.target.map(number),
        })
        .collect();
    sheet.indicator_years = years;
    sheet
}
