//! Word documents, a year's review `bilan-ANNÉE.docx`: the content of its PDF
//! (title page and introduction, the summary as a chart and as a table of the
//! same figures, the actions due and overdue, the changes, the indicators, the
//! plan's table with the year's two columns, the texts by field and the
//! conclusions), to be edited before the steering committee.

use docx_rs::{AlignmentType, Paragraph, Shading, TableCell, TableRow, VAlignType, WidthType};

use super::markdown::{self, RunStyle};
use super::table::{self, HEADER_FILL, notes, plan_table};
use super::{Margins, Properties, Twips, Writer, chart, mm10, styles};
use crate::diag::Diagnostic;
use crate::render::review::{ItemView, ReviewView};

/// The PDF's margins.
const MARGINS: Margins = Margins {
    x: 150,
    top: 140,
    bottom: 150,
};

/// The review as a Word document, from its view for Word; `chart_svg` is its
/// chart as the review's page draws it.
pub fn review(
    view: &ReviewView,
    chart_svg: &str,
    properties: &Properties,
) -> Result<Vec<u8>, Diagnostic> {
    let document = crate::render::document::review(view.year);
    let mut w = Writer::new(
        &MARGINS,
        styles::Sizes {
            text: 9.0,
            cell: 7.0,
            title: 22.0,
        },
    );
    let plan = &view.plan;
    let year = view.year;
    let version = plan
        .version
        .as_ref()
        .map(|v| format!("Plan version {v} · "))
        .unwrap_or_default();
    let footer = super::plan::footer(
        &mut w,
        &format!("Bilan annuel {year} – {} – {}", plan.title, plan.parties),
        &format!("{version}Empreinte du plan {}", plan.fingerprint),
    );
    w.footer(footer);

    title_page(&mut w, view, &document)?;
    summary(&mut w, view, chart_svg, &document)?;
    lists(&mut w, view);
    changes(&mut w, view);
    indicators(&mut w, view);
    plan_and_texts(&mut w, view);
    w.finish(properties, &document)
}

/// The title page: the logos, the title, the plan's names and the
/// introduction.
fn title_page(w: &mut Writer, view: &ReviewView, document: &str) -> Result<(), Diagnostic> {
    let plan = &view.plan;
    if let Some(logos) = w.logo_row(&plan.title_block, document)? {
        w.push_paragraph(logos);
    }
    let title = w
        .text(styles::TITLE, &format!("Bilan annuel {}", view.year))
        .line_spacing(docx_rs::LineSpacing::new().before(mm10(300)).after(200));
    w.push_paragraph(title);
    for (style, text) in [
        (styles::PARTIES, &plan.title),
        (styles::PARTIES, &plan.parties),
        (styles::HEADING, &plan.heading),
    ] {
        let paragraph = w.text(style, text);
        w.push_paragraph(paragraph);
    }
    if let Some(introduction) = &view.introduction {
        let blocks = markdown::document(w, introduction, 2);
        w.push_blocks(blocks);
    }
    Ok(())
}

/// The summary, on a new page: the chart, then the table of its figures.
fn summary(
    w: &mut Writer,
    view: &ReviewView,
    chart_svg: &str,
    document: &str,
) -> Result<(), Diagnostic> {
    let heading = w
        .text(styles::heading(1), &format!("Synthèse {}", view.year))
        .page_break_before(true);
    w.push_paragraph(heading);
    let (png, size) = chart::png(chart_svg).map_err(|detail| {
        Diagnostic::error(format!(
            "le diagramme du document Word `{document}.docx` n'a pas pu être dessiné : {detail}"
        ))
        .hint("vérifiez le gabarit `templates/bilan.chart.svg.tera` du projet, s'il y en a un")
    })?;
    let image = w.image(png, size, w.text_width * 55 / 100, &chart_alt(view));
    let figure = w.paragraph(styles::FIGURE).keep_next(true).add_run(image);
    w.push_paragraph(figure);
    let caption = w.text(
        styles::CAPTION,
        "Actions par état et par champ d'intervention ; chaque état a son motif, les chiffres sont dans le tableau ci-dessous.",
    );
    w.push_paragraph(caption);
    summary_table(w, view);
    Ok(())
}

/// The actions due this year, then those overdue.
fn lists(w: &mut Writer, view: &ReviewView) {
    let year = view.year;
    heading_1(w, &format!("Actions à échéance en {year}"));
    if view.due.is_empty() {
        sentence(w, &format!("Aucune action n'arrive à échéance en {year}."));
    } else {
        items_table(
            w,
            &view.due,
            &["Champ", "Action", "Échéance", &format!("État {year}")],
            |a| a.state.clone(),
        );
    }
    heading_1(w, "Actions en retard");
    if view.overdue.is_empty() {
        sentence(w, "Aucune action en retard.");
    } else {
        let lead = w
            .text(
                styles::TEXT,
                &format!("Échéance passée avant {year}, action ni réalisée ni abandonnée :"),
            )
            .keep_next(true);
        w.push_paragraph(lead);
        items_table(
            w,
            &view.overdue,
            &["Champ", "Action", "Échéance", &format!("État {year}")],
            |a| a.state.clone(),
        );
    }
}

/// The plan with the year's follow-up, on a new page, then the texts by field
/// and the conclusions.
fn plan_and_texts(w: &mut Writer, view: &ReviewView) {
    let heading = w
        .text(
            styles::heading(1),
            &format!("Plan d'actions et état {}", view.year),
        )
        .page_break_before(true);
    w.push_paragraph(heading);
    let width = w.text_width;
    plan_table(w, &view.plan, width);
    notes(w, &view.plan);

    if !view.field_texts.is_empty() {
        heading_1(w, "Bilan par champ d'intervention");
        for text in &view.field_texts {
            let heading = w.text(styles::heading(2), &text.label);
            w.push_paragraph(heading);
            let blocks = markdown::document(w, &text.text, 3);
            w.push_blocks(blocks);
        }
    }
    if let Some(conclusions) = &view.conclusions {
        heading_1(w, "Conclusions");
        let blocks = markdown::document(w, conclusions, 2);
        w.push_blocks(blocks);
    }
}

fn heading_1(w: &mut Writer, text: &str) {
    let heading = w.text(styles::heading(1), text);
    w.push_paragraph(heading);
}

fn sentence(w: &mut Writer, text: &str) {
    let paragraph = w.text(styles::TEXT, text);
    w.push_paragraph(paragraph);
}

/// The chart's text alternative: what it shows, then its figures field by
/// field, as the PDF's.
fn chart_alt(view: &ReviewView) -> String {
    let rows: Vec<String> = view
        .summary
        .iter()
        .map(|row| {
            let counts: Vec<String> = row
                .counts
                .iter()
                .zip(&view.states)
                .filter(|(n, _)| **n > 0)
                .map(|(n, s)| format!("{n} {}", s.label))
                .collect();
            format!("{} : {}", row.label, counts.join(", "))
        })
        .collect();
    crate::text::typography::spacing(&format!(
        "Diagramme en barres empilées du nombre d'actions par état et par champ d'intervention en {}. {}.",
        view.year,
        rows.join(" ; ")
    ))
}

/// Widths in twips for `shares` of the text's width.
fn widths(w: &Writer, shares: &[f64]) -> Vec<Twips> {
    let total: f64 = shares.iter().sum();
    shares
        .iter()
        .map(|s| (f64::from(w.text_width) * s / total).floor() as Twips)
        .collect()
}

/// A header row of `labels`, shaded as the plan's.
fn header_row(w: &mut Writer, labels: &[&str], widths: &[Twips]) -> TableRow {
    let cells = labels
        .iter()
        .zip(widths)
        .map(|(label, width)| {
            TableCell::new()
                .width(*width as usize, WidthType::Dxa)
                .shading(Shading::new().fill(HEADER_FILL))
                .vertical_align(VAlignType::Center)
                .add_paragraph(w.text(styles::HEADER_CELL, label))
        })
        .collect();
    TableRow::new(cells).cant_split()
}

/// A cell of plain text, in the tables' text style.
fn cell(
    w: &mut Writer,
    text: &str,
    width: Twips,
    align: Option<AlignmentType>,
    bold: bool,
) -> TableCell {
    let paragraph: Paragraph = w.paragraph(styles::TABLE_TEXT);
    let format = if bold {
        RunStyle::bold()
    } else {
        RunStyle::default()
    };
    let mut paragraph = markdown::push_prose(paragraph, text, format);
    if let Some(align) = align {
        paragraph = paragraph.align(align);
    }
    TableCell::new()
        .width(width as usize, WidthType::Dxa)
        .add_paragraph(paragraph)
}

/// The summary: actions by state and by field, with the totals.
fn summary_table(w: &mut Writer, view: &ReviewView) {
    let mut shares = vec![2.0];
    shares.extend(std::iter::repeat_n(1.0, view.states.len() + 1));
    let widths = widths(w, &shares);
    let mut labels = vec!["Champ"];
    labels.extend(view.states.iter().map(|s| s.label));
    labels.push("Total");
    let mut rows = vec![header_row(w, &labels, &widths)];
    let center = Some(AlignmentType::Center);
    for (row, bold) in view
        .summary
        .iter()
        .map(|r| (r, false))
        .chain(std::iter::once((&view.totals, true)))
    {
        let mut cells = vec![cell(w, &row.label, widths[0], None, bold)];
        for (n, width) in row.counts.iter().zip(&widths[1..]) {
            cells.push(cell(w, &n.to_string(), *width, center, bold));
        }
        cells.push(cell(
            w,
            &row.total.to_string(),
            widths[widths.len() - 1],
            center,
            true,
        ));
        rows.push(TableRow::new(cells).cant_split());
    }
    w.push_table(table::table(rows, &widths), 1);
}

/// A list of actions: field, description, deadline, and `last` (a state).
fn items_table(
    w: &mut Writer,
    items: &[ItemView],
    labels: &[&str],
    last: impl Fn(&ItemView) -> String,
) {
    let widths = widths(w, &[1.3, 5.0, 1.0, 1.2]);
    let mut rows = vec![header_row(w, labels, &widths)];
    for item in items {
        let cells = vec![
            cell(w, &item.field, widths[0], None, false),
            cell(w, &item.description, widths[1], None, false),
            cell(
                w,
                &item.deadline,
                widths[2],
                Some(AlignmentType::Center),
                false,
            ),
            cell(w, &last(item), widths[3], None, false),
        ];
        rows.push(TableRow::new(cells).cant_split());
    }
    w.push_table(table::table(rows, &widths), 1);
}

/// The changes of state since the previous year.
fn changes(w: &mut Writer, view: &ReviewView) {
    let year = view.year;
    let since = view
        .previous_year
        .map_or_else(|| "l'année précédente".to_string(), |p| p.to_string());
    heading_1(w, &format!("Changements d'état depuis {since}"));
    let Some(previous) = view.previous_year else {
        sentence(w, "Premier bilan : aucune année précédente à comparer.");
        return;
    };
    if view.changed.is_empty() {
        sentence(w, &format!("Aucun changement d'état depuis {previous}."));
        return;
    }
    let widths = widths(w, &[1.3, 5.0, 1.2, 1.2]);
    let labels = [
        "Champ",
        "Action",
        &format!("État {previous}"),
        &format!("État {year}"),
    ];
    let mut rows = vec![header_row(w, &labels, &widths)];
    for change in &view.changed {
        let cells = vec![
            cell(w, &change.item.field, widths[0], None, false),
            cell(w, &change.item.description, widths[1], None, false),
            cell(w, change.before, widths[2], None, false),
            cell(w, &change.item.state, widths[3], None, false),
        ];
        rows.push(TableRow::new(cells).cant_split());
    }
    w.push_table(table::table(rows, &widths), 1);
}

/// The indicators, action by action.
fn indicators(w: &mut Writer, view: &ReviewView) {
    if view.indicators.is_empty() {
        return;
    }
    heading_1(w, &format!("Indicateurs {}", view.year));
    let widths = widths(w, &[3.0, 1.0, 1.0, 1.0, 1.0]);
    let right = Some(AlignmentType::Right);
    for group in &view.indicators {
        let title = w.paragraph(styles::TEXT).keep_next(true);
        let title = markdown::push_prose(title, &group.item.field, RunStyle::bold());
        let title = markdown::push_prose(
            title,
            &format!(" – {}", group.item.description),
            RunStyle::default(),
        );
        w.push_paragraph(title);
        let labels = ["Indicateur", "Valeur", "Unité", "Référence", "Cible"];
        let mut rows = vec![header_row(w, &labels, &widths)];
        for i in &group.rows {
            let cells = vec![
                cell(w, &i.name, widths[0], None, false),
                cell(w, &i.value, widths[1], right, false),
                cell(
                    w,
                    i.unit.as_deref().unwrap_or_default(),
                    widths[2],
                    None,
                    false,
                ),
                cell(
                    w,
                    i.baseline.as_deref().unwrap_or_default(),
                    widths[3],
                    right,
                    false,
                ),
                cell(
                    w,
                    i.target.as_deref().unwrap_or_default(),
                    widths[4],
                    right,
                    false,
                ),
            ];
            rows.push(TableRow::new(cells).cant_split());
        }
        w.push_table(table::table(rows, &widths), 1);
    }
}
