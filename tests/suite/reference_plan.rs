//! The shipped plan (Caf / CCBJC 2023-2027) builds, and its PDF and HTML carry the
//! whole reference text in the official layout.

use crate::common;

use std::sync::LazyLock;

use common::*;
use ctg::Plan;
use ctg::Rendered;

static BUILT: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&project_root()).expect("the shipped plan builds"));

#[test]
fn the_reference_has_every_action() {
    let (plan, _) = &*BUILT;
    assert_eq!(plan.actions.len(), 28);
    assert_eq!(plan.convention.fields.len(), 8);
    assert_eq!(plan.convention.signatories.len(), 5);
}

#[test]
fn pdf_is_a4_landscape() {
    let (_, out) = &*BUILT;
    let pages = pdf_pages(&out.pdf());
    assert_eq!(pages.len(), out.layout().pages().len());
    assert!(
        pages.len() >= 3,
        "the table runs over several pages, not {}",
        pages.len()
    );
    for (w, h) in pages {
        assert!(
            (w - 841.89).abs() < 0.5 && (h - 595.28).abs() < 0.5,
            "page {w}×{h} pt"
        );
    }
}

#[test]
fn every_reference_paragraph_is_in_the_pdf() {
    let (_, out) = &*BUILT;
    let text = normalise(&out.page_texts().join(" "));
    let missing: Vec<String> = reference_paragraphs()
        .into_iter()
        .filter(|p| !text.contains(&normalise(p)) && !text.to_lowercase().contains(&normalise(p)))
        .collect();
    assert!(missing.is_empty(), "absent du PDF : {missing:#?}");
}

#[test]
fn every_reference_paragraph_is_in_the_html() {
    let (_, out) = &*BUILT;
    let text = normalise(&html_text(&out.html()));
    let missing: Vec<String> = reference_paragraphs()
        .into_iter()
        .filter(|p| !text.contains(&normalise(p)) && !text.to_lowercase().contains(&normalise(p)))
        .collect();
    assert!(missing.is_empty(), "absent du HTML : {missing:#?}");
}

#[test]
fn two_level_header_on_every_page_of_the_table() {
    let (plan, out) = &*BUILT;
    let shape = &plan.convention.shape;
    let pages = out.page_texts();
    let last_row = normalise(&plan.actions.last().unwrap().description);
    let table_end = pages
        .iter()
        .position(|p| normalise(p).contains(&last_row))
        .unwrap();
    // Every header text: the first column's, the groups' and the columns'.
    let mut labels: Vec<&String> = vec![&shape.first_column];
    for column in &shape.columns {
        if let Some(group) = &column.group
            && !labels.contains(&group)
        {
            labels.push(group);
        }
        labels.push(&column.label);
    }
    assert_eq!(labels.len(), 10, "{labels:?}");
    for (i, page) in pages.iter().enumerate().take(table_end + 1) {
        let page = normalise(page);
        for label in &labels {
            assert!(
                page.contains(&normalise(label)),
                "page {} sans l'en-tête « {label} »",
                i + 1
            );
        }
    }
}

#[test]
fn field_labels_repeat_on_each_page_where_the_field_continues() {
    let (plan, out) = &*BUILT;
    let runs = page_runs(&out.layout());
    // The descriptif column starts where the "►" of the first action starts.
    let column_two = runs
        .iter()
        .flatten()
        .filter(|r| r.text.starts_with('►'))
        .map(|r| r.x)
        .fold(f64::INFINITY, f64::min);
    let header = normalise(&plan.convention.shape.first_column);
    let mut continued = 0;
    // The pages of the table: those that carry its header (not the signature page).
    let table_pages = runs.iter().filter(|page| {
        normalise(&page.iter().map(|r| r.text.as_str()).collect::<String>()).contains(&header)
    });
    for (i, page) in table_pages.enumerate() {
        let page_text = normalise(&page.iter().map(|r| r.text.as_str()).collect::<String>());
        // Fields with an action on this page, in order.
        let mut expected = String::new();
        for field in &plan.convention.fields {
            let here = plan
                .actions
                .iter()
                .filter(|a| a.field == field.id)
                .any(|a| page_text.contains(&normalise(&ctg::markdown_to_plain(&a.description))));
            if here {
                expected.push_str(&normalise(&field.label));
                if field.note.is_some() {
                    expected.push('*');
                }
            }
        }
        // Text in the first column, below the header and above the footer.
        let first_column: String = page
            .iter()
            .filter(|r| r.x < column_two - 2.0 && r.y < 595.28 - 42.0)
            .map(|r| r.text.as_str())
            .collect();
        let mut first_column = normalise(&first_column).replacen(&header, "", 1);
        // The notes under the table start at the left margin too.
        for note in &plan.convention.notes {
            let note = normalise(&format!(
                "{}{}",
                note.mark,
                ctg::markdown_to_plain(&note.text)
            ));
            first_column = first_column.replace(&note, "");
        }
        assert_eq!(first_column, expected, "page {}", i + 1);
        if i > 0 && !expected.is_empty() {
            continued += 1;
        }
    }
    assert!(continued > 0, "the table should run over several pages");
}

#[test]
fn html_has_the_table_semantics() {
    let (plan, out) = &*BUILT;
    let html = &out.html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert_eq!(html.matches("<caption>").count(), 1);
    assert_eq!(html.matches("<thead>").count(), 1);
    assert_eq!(html.matches("<tbody").count(), plan.convention.fields.len());
    assert!(
        html.contains("colspan=\"2\"")
            && html.contains("colspan=\"3\"")
            && html.contains("rowspan=\"2\"")
    );
    assert_eq!(html.matches("<td ").count(), plan.actions.len() * 7);
    // Self-contained: nothing is fetched.
    for needle in ["<link", "<script", "src=", "@import", "url("] {
        assert!(
            !html.contains(needle),
            "requête externe possible : {needle}"
        );
    }
}
