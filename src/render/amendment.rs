//! The view of an amendment's document ("avenant",
//! `avenant-N.pdf`, `avenant-N.html` and `avenant-N.docx`): its title block and object, the
//! table of the plan's changes by field with the words deleted and inserted,
//! the consolidated annex whose rows say which amendment added or changed
//! them, and the signatures.

use serde::Serialize;

use super::view::{
    ColumnGroupView, ColumnView, HeaderCellView, Markup, PlanView, columns_where, header_with,
};
use crate::model::{Action, Plan};
use crate::text::redline;
use crate::versions::amendments::Prepared;
use crate::versions::diff::{self, ActionChange};

/// The variables of the amendment's templates: the amended plan (its title
/// block, its table with each row's mention, its signatories), the
/// amendment itself and its changes.
#[derive(Debug, Serialize)]
pub struct AmendmentView {
    #[serde(flatten)]
    pub plan: PlanView,
    pub amendment: AmendmentInfoView,
    pub changes: ChangesView,
    /// On the web page: the link to the PDF, with its size.
    pub pdf: Option<super::html::PdfLinkView>,
}

#[derive(Debug, Serialize)]
pub struct AmendmentInfoView {
    pub number: u32,
    /// « Avenant n° 1 à la Convention Territoriale Globale ».
    pub title: String,
    /// For the metadata: « Avenant n° 1 – <titre> – <parties> ».
    pub document_title: String,
    /// « 15 mars 2025 ».
    pub date: String,
    /// For the metadata: « Avenant n° 1 du 15 mars 2025 au plan d'actions… ».
    pub description: String,
    /// Converted for the format (safe to insert as is).
    pub object: String,
    /// The plan amended, in words: « le plan d'actions de la convention, tel
    /// que modifié par l'avenant n° 1 ».
    pub amended: String,
    /// The version amended, as the convention names it (`v1.0`).
    pub since: String,
    /// First 8 hexadecimal digits of the fingerprint of that version's records.
    pub since_fingerprint: String,
}

/// What the amendment changes in the plan.
#[derive(Debug, Serialize)]
pub struct ChangesView {
    /// « 10 changements ».
    pub count: String,
    /// The changes of the convention, its columns, fields and signatories,
    /// each a list of sentences (plain text).
    pub lists: Vec<ChangeListView>,
    /// The actions' changes, one table per field.
    pub tables: Vec<ChangeTableView>,
}

#[derive(Debug, Serialize)]
pub struct ChangeListView {
    pub title: String,
    /// Converted for the format (safe to insert as is).
    pub items: Vec<String>,
}

/// The changes of one field's actions: a row per action, its first cell
/// saying what changed, then the plan's columns.
#[derive(Debug, Serialize)]
pub struct ChangeTableView {
    /// Every `id` of the table on the web page starts with it (`ctg-m1-`).
    pub prefix: String,
    pub label: String,
    /// The table's structure in words, for assistive technologies.
    pub summary: String,
    pub head: Vec<Vec<HeaderCellView>>,
    pub columns: Vec<ColumnView>,
    pub column_groups: Vec<ColumnGroupView>,
    pub rows: Vec<ChangeRowView>,
}

#[derive(Debug, Serialize)]
pub struct ChangeRowView {
    /// `id` of its header cell on the web page.
    pub anchor: String,
    /// "ajout", "suppression" or "modification".
    pub kind: &'static str,
    /// « Action ajoutée », « Action supprimée », « Action modifiée »,
    /// « Action déplacée » (plain text).
    pub what: String,
    pub title: String,
    /// Where it moved, its former id (converted for the format, safe to
    /// insert as is).
    pub details: Vec<String>,
    /// One per column of the table: its text with the words deleted and
    /// inserted marked (safe to insert as is), `None` when unchanged.
    pub cells: Vec<Option<String>>,
    /// No cell changed: the action only moved, or changed its id.
    pub unchanged: bool,
    /// One per column: the old and new Markdown of each changed cell, from
    /// which the Word document writes its redline (for Word, `cells` holds
    /// empty texts in their place).
    #[serde(skip)]
    pub compared: Vec<Option<(String, String)>>,
}

impl AmendmentView {
    pub fn new(prepared: &Prepared, format: Markup) -> Self {
        let (plan, old) = (&prepared.new, &prepared.old);
        let c = &plan.convention;
        let amendment = &prepared.amendment;
        let number = amendment.number;
        let mut view = PlanView::new(plan, format);
        for row in view.groups.iter_mut().flat_map(|g| &mut g.rows) {
            if let Some(marks) = row.id.as_ref().and_then(|id| prepared.marks.get(id)) {
                let words: Vec<String> = marks.iter().map(|m| m.words()).collect();
                row.mention = Some(words.join(" ; "));
            }
        }
        view.signature_date = Some(amendment.date.french());
        view.keywords.insert(0, format!("Avenant n°\u{a0}{number}"));
        let title = format!("Avenant n°\u{a0}{number} à la {}", c.title);
        let info = AmendmentInfoView {
            number,
            document_title: format!("{title} – {}", c.parties),
            title,
            date: amendment.date.french(),
            description: format!(
                "Avenant n°\u{a0}{number} du {} : {}",
                amendment.date.french(),
                c.caption
            ),
            object: match format {
                Markup::Typst => crate::text::markdown_to_typst_document(&amendment.object, 3),
                Markup::Html => crate::text::markdown_to_html_document(&amendment.object, 3),
                Markup::Word => amendment.object.clone(),
            },
            amended: amended(&prepared.earlier),
            since: amendment.since.spec.clone(),
            since_fingerprint: crate::model::fingerprint::plan_fingerprint(old)[..8].to_string(),
        };
        Self {
            changes: ChangesView::new(prepared, format),
            plan: view,
            amendment: info,
            pdf: None,
        }
    }
}

impl ChangesView {
    fn new(prepared: &Prepared, format: Markup) -> Self {
        let (old, new, changes) = (&prepared.old, &prepared.new, &prepared.changes);
        // Sentences in French typography, converted for the format.
        let sentence = |s: String| format.plain(&capitalised(&s.replace('`', "")));
        let lists = diff::parts(changes)
            .into_iter()
            .map(|(title, lines)| ChangeListView {
                title: title.to_string(),
                items: lines
                    .into_iter()
                    .map(|(_, words)| sentence(words))
                    .collect(),
            })
            .collect();
        // The tables' columns: those of the amended plan's table, and any
        // column that the table hides where a cell changed.
        let touched = |key: &str| {
            changes
                .actions
                .iter()
                .flat_map(|f| &f.changes)
                .any(|c| match c {
                    ActionChange::Changed { cells, .. } => cells.iter().any(|cell| cell.key == key),
                    _ => false,
                })
        };
        let shape = &new.convention.shape;
        let keep = |column: &crate::model::shape::Column| column.shown || touched(&column.key);
        let keys: Vec<&str> = shape
            .columns
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.key.as_str())
            .collect();
        let mut tables = Vec::new();
        for (index, field) in changes.actions.iter().enumerate() {
            let prefix = format!("ctg-m{}-", index + 1);
            let columns = columns_where(shape, &prefix, keep);
            let (head, column_groups) = header_with("Changement", &prefix, &columns);
            let rows = field
                .changes
                .iter()
                .enumerate()
                .map(|(i, change)| {
                    row(
                        old,
                        new,
                        change,
                        &keys,
                        format,
                        format!("{prefix}r-{}", i + 1),
                    )
                })
                .collect();
            tables.push(ChangeTableView {
                prefix,
                summary: format!(
                    "Changements des actions de « {} » : une ligne par action ; la première colonne, en-tête de ligne, dit le changement et nomme l'action, les suivantes sont celles du plan.",
                    field.label
                ),
                label: field.label.clone(),
                head,
                columns,
                column_groups,
                rows,
            });
        }
        Self {
            count: crate::french::count(changes.count(), "changement", "changements"),
            lists,
            tables,
        }
    }
}

/// One action's row of the table of changes.
fn row(
    old: &Plan,
    new: &Plan,
    change: &ActionChange,
    keys: &[&str],
    format: Markup,
    anchor: String,
) -> ChangeRowView {
    // What changed, the action's title, the details and, per column, the
    // old and new text of a changed cell.
    let (kind, what, title, details, compared): (
        _,
        _,
        _,
        Vec<String>,
        Vec<Option<(String, String)>>,
    ) = match change {
        ActionChange::Added { id, title } => {
            let action = find(new, id);
            let compared = keys
                .iter()
                .map(|key| Some((String::new(), markdown(new, action, key))))
                .collect();
            ("ajout", "Action ajoutée", title, Vec::new(), compared)
        }
        ActionChange::Removed { id, title } => {
            let action = find(old, id);
            let details = dropped_values(old, new, action, keys);
            let compared = keys
                .iter()
                .map(|key| Some((markdown(old, action, key), String::new())))
                .collect();
            ("suppression", "Action supprimée", title, details, compared)
        }
        ActionChange::Changed {
            id,
            former_id,
            title,
            cells,
            moves,
        } => {
            let after = find(new, id);
            let before = find(old, former_id.as_deref().unwrap_or(id));
            let details = changed_details(id, former_id.as_deref(), cells, moves, keys);
            let what = if change.is_move() {
                "Action déplacée"
            } else {
                "Action modifiée"
            };
            let compared = keys
                .iter()
                .map(|key| {
                    cells
                        .iter()
                        .any(|c| c.key == *key)
                        .then(|| (markdown(old, before, key), markdown(new, after, key)))
                })
                .collect();
            ("modification", what, title, details, compared)
        }
    };
    let cells = compared
        .iter()
        .map(|pair| {
            pair.as_ref().map(|(before, after)| match format {
                Markup::Html => redline::redline_html(before, after),
                Markup::Typst => redline::redline_typst(before, after),
                Markup::Word => String::new(),
            })
        })
        .collect();
    ChangeRowView {
        anchor,
        kind,
        what: what.into(),
        title: title.clone(),
        details: details.iter().map(|d| format.plain(d)).collect(),
        cells,
        unchanged: compared.iter().all(Option::is_none),
        compared,
    }
}

/// A value of `action` as Markdown, whatever its type, for the redline.
fn markdown(plan: &Plan, action: Option<&Action>, key: &str) -> String {
    action
        .and_then(|a| a.value(&plan.convention.shape, key))
        .map(|v| Markup::Word.cell(v))
        .unwrap_or_default()
}

/// The details of a removed action: its values in the columns that the
/// amended plan no longer has.
fn dropped_values(old: &Plan, new: &Plan, action: Option<&Action>, keys: &[&str]) -> Vec<String> {
    let mut details = Vec::new();
    for column in &old.convention.shape.columns {
        if !keys.contains(&column.key.as_str())
            && new.convention.shape.column(&column.key).is_none()
            && let Some(value) = action.and_then(|a| a.value(&old.convention.shape, &column.key))
        {
            let text = crate::text::markdown_to_plain(&Markup::Word.cell(value));
            if !text.is_empty() {
                details.push(format!("{} (colonne supprimée) : {text}", column.label));
            }
        }
    }
    details
}

/// The details of a changed action: where it moved, its former id, and its
/// cells in the columns that the amended plan no longer has.
fn changed_details(
    id: &str,
    former_id: Option<&str>,
    cells: &[diff::Cell],
    moves: &[diff::Modified],
    keys: &[&str],
) -> Vec<String> {
    let mut details: Vec<String> = moves
        .iter()
        .map(|m| capitalised(&diff::modified(m)))
        .collect();
    if let Some(former) = former_id {
        details.push(format!("Identifiant : {former} → {id}"));
    }
    for cell in cells.iter().filter(|c| !keys.contains(&c.key.as_str())) {
        let text = crate::text::markdown_to_plain(&cell.old);
        details.push(format!("{} (colonne supprimée) : {text}", cell.label));
    }
    details
}

/// The plan that an amendment changes, after the amendments `earlier`.
fn amended(earlier: &[u32]) -> String {
    let plan = "le plan d'actions de la convention".to_string();
    let numbers: Vec<String> = earlier.iter().map(|n| format!("n°\u{a0}{n}")).collect();
    match numbers.as_slice() {
        [] => plan,
        [one] => format!("{plan}, tel que modifié par l'avenant {one}"),
        [first @ .., last] => format!(
            "{plan}, tel que modifié par les avenants {} et {last}",
            first.join(", ")
        ),
    }
}

fn find<'a>(plan: &'a Plan, id: &str) -> Option<&'a Action> {
    plan.actions.iter().find(|a| a.id == id)
}

/// `text` with its first letter in capital.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::amended;

    #[test]
    fn the_plan_amended_names_the_amendments_before() {
        assert_eq!(amended(&[]), "le plan d'actions de la convention");
        assert_eq!(
            amended(&[1, 2, 3]),
            "le plan d'actions de la convention, tel que modifié par les avenants n°\u{a0}1, n°\u{a0}2 et n°\u{a0}3"
        );
    }
}
