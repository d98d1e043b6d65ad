//! Views go through the templates; the Typst source is compiled
//! to PDF and the HTML page is produced, all in memory.

pub mod amendment;
pub mod document;
pub mod docx;
pub mod html;
pub mod open_data;
pub mod origin;
pub mod pdf;
pub mod review;
pub mod sheets;
pub mod templates;
pub mod title_block;
pub mod view;

use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::model::Plan;
use document::Rendered;
use templates::Templates;
use view::{Markup, PlanView};

/// Durations of consecutive steps.
#[derive(Default)]
pub struct Timings {
    pub laps: Vec<(&'static str, Duration)>,
    last: Option<Instant>,
}

impl Timings {
    /// Records the time since the previous lap (or since creation) under `step`.
    pub fn lap(&mut self, step: &'static str) {
        let now = Instant::now();
        let since = *self.last.get_or_insert(now);
        self.laps.push((step, now - since));
        self.last = Some(now);
    }

    pub fn start() -> Self {
        Self {
            laps: Vec::new(),
            last: Some(Instant::now()),
        }
    }
}

/// Renders the annex: its PDF, its web page and the page's fragment, its Word
/// copy and the open data of its actions.
fn render_plan(plan: &Plan, templates: &Templates) -> Result<Rendered, Vec<Diagnostic>> {
    let mut timings = Timings::start();
    let typst_view = PlanView::new(plan, Markup::Typst);
    let export = pdf::Export {
        ident: document_ident(plan),
        timestamp: creation_timestamp(plan).map_err(|d| vec![d])?,
    };
    let (typ, pdf) = typeset(
        templates,
        "plan.typ.tera",
        document::PLAN,
        &typst_view,
        pdf::Images::of(plan),
        &export,
        &mut timings,
    )?;
    // The page links to the PDF with its size: the PDF is compiled first.
    let html_view = html::HtmlView::new(plan, pdf.bytes.len());
    let mut output = Rendered::new(document::PLAN, typ, pdf);
    output.add(
        document::plan_page(),
        templates
            .render("plan.html.tera", &html_view)
            .map_err(|d| vec![d])?,
    );
    output.add(
        document::plan_fragment(),
        templates
            .render("plan.fragment.html.tera", &html_view)
            .map_err(|d| vec![d])?,
    );
    timings.lap("pages HTML");
    let data = crate::render::open_data::open_data(plan).map_err(|d| vec![d])?;
    timings.lap("données ouvertes");
    let docx = docx::plan(
        &PlanView::new(plan, Markup::Word),
        &document_properties(plan, typst_view.document_title.clone(), export.timestamp),
    )
    .map_err(|d| vec![d])?;
    timings.lap("document Word");
    output.add(document::word(document::PLAN), docx);
    output.add(document::CSV, data.csv);
    output.add(document::JSON, data.json);
    output.add(document::DATAPACKAGE, data.datapackage);
    output.timings = timings.laps;
    Ok(output)
}

/// A document's Typst source, its template rendered with its view, and its
/// PDF; the compiler's errors are traced back to the template.
fn typeset(
    templates: &Templates,
    template: &str,
    document: &str,
    view: &impl serde::Serialize,
    images: pdf::Images,
    export: &pdf::Export,
    timings: &mut Timings,
) -> Result<(String, pdf::Pdf), Vec<Diagnostic>> {
    let typ = templates.render(template, view).map_err(|d| vec![d])?;
    timings.lap("vue et gabarit Typst");
    let pdf = pdf::compile(
        &format!("{document}.typ (généré)"),
        typ.clone(),
        images,
        export,
    )
    .map_err(|d| templates.trace_typst_errors(template, document, view, &typ, d))?;
    timings.lap("compilation Typst et PDF");
    Ok((typ, pdf))
}

/// Renders the review of `year` into PDF, HTML and Word.
fn render_review(
    plan: &Plan,
    follow_ups: &crate::model::follow_up::FollowUps,
    year: u16,
    templates: &Templates,
) -> Result<Rendered, Vec<Diagnostic>> {
    let review = crate::model::follow_up::Review::new(plan, follow_ups, year).ok_or_else(|| {
        vec![
            Diagnostic::error(format!("aucun suivi pour {year}")).hint(format!(
                "le bilan d'une année se construit à partir de `{}/{year}.toml`",
                crate::model::follow_up::FOLLOW_UP_DIR
            )),
        ]
    })?;
    let typst_view = review::ReviewView::new(&review, Markup::Typst);
    let export = pdf::Export {
        ident: format!("{} / bilan {year}", document_ident(plan)),
        timestamp: creation_timestamp(plan).map_err(|d| vec![d])?,
    };
    let (typ, pdf) = typeset(
        templates,
        "bilan.typ.tera",
        &document::review(year),
        &typst_view,
        pdf::Images::of(plan),
        &export,
        &mut Timings::start(),
    )?;
    let html = templates
        .render(
            "bilan.html.tera",
            &review::ReviewView::new(&review, Markup::Html),
        )
        .map_err(|d| vec![d])?;
    let word_view = review::ReviewView::new(&review, Markup::Word);
    let chart = templates
        .render("bilan.chart.svg.tera", &word_view)
        .map_err(|d| vec![d])?;
    let mut properties =
        document_properties(plan, word_view.review_title.clone(), export.timestamp);
    properties.subject = format!("Bilan annuel {year} du plan d'actions");
    properties
        .keywords
        .splice(0..0, ["Bilan annuel".to_string(), year.to_string()]);
    let docx = docx::review(&word_view, &chart, &properties).map_err(|d| vec![d])?;
    Ok(Rendered::of_page(
        &document::review(year),
        typ,
        pdf,
        html,
        docx,
    ))
}

/// Renders the action sheets of `plan`, with the latest follow-up of each
/// action: their PDF, then their index page and one web page per action, in
/// the plan's order.
fn render_sheets(
    plan: &Plan,
    follow_ups: &crate::model::follow_up::FollowUps,
    templates: &Templates,
) -> Result<Rendered, Vec<Diagnostic>> {
    let typst_view = sheets::SheetsView::new(plan, follow_ups, Markup::Typst);
    let export = pdf::Export {
        ident: format!("{} / fiches actions", document_ident(plan)),
        timestamp: creation_timestamp(plan).map_err(|d| vec![d])?,
    };
    let (typ, pdf) = typeset(
        templates,
        "fiches.typ.tera",
        document::SHEETS,
        &typst_view,
        pdf::Images::of(plan),
        &export,
        &mut Timings::start(),
    )?;
    let mut html_view = sheets::SheetsView::new(plan, follow_ups, Markup::Html);
    html_view.pdf = Some(html::PdfLinkView {
        href: document::SHEETS_PDF_FROM_PAGES.to_string(),
        description: format!("PDF, {}", html::french_size(pdf.bytes.len())),
    });
    let mut output = Rendered::new(document::SHEETS, typ, pdf);
    output.add(
        document::sheet_page_path(&sheets::index_page()),
        templates
            .render("fiches.html.tera", &html_view)
            .map_err(|d| vec![d])?,
    );
    for sheet in html_view.sheets() {
        let page = sheets::SheetPageView {
            plan: &html_view.plan,
            sheet,
        };
        let html = templates
            .render("fiche.html.tera", &page)
            .map_err(|d| vec![d])?;
        output.add(document::sheet_page_path(&sheet.href), html);
    }
    Ok(output)
}

/// Renders the document of a prepared amendment into PDF, HTML and Word.
fn render_amendment(
    prepared: &crate::versions::amendments::Prepared,
    templates: &Templates,
) -> Result<Rendered, Vec<Diagnostic>> {
    let amendment = &prepared.amendment;
    let plan = &prepared.new;
    let document = document::amendment(amendment.number);
    let typst_view = amendment::AmendmentView::new(prepared, Markup::Typst);
    // Its PDF is dated by the amendment, whatever the plan's edition.
    let export = pdf::Export {
        ident: format!("{} / avenant {}", document_ident(plan), amendment.number),
        timestamp: source_date_epoch().unwrap_or_else(|| midnight(amendment.date).unwrap_or(0)),
    };
    let (typ, pdf) = typeset(
        templates,
        "avenant.typ.tera",
        &document,
        &typst_view,
        pdf::Images::of(plan),
        &export,
        &mut Timings::start(),
    )?;
    let mut html_view = amendment::AmendmentView::new(prepared, Markup::Html);
    html_view.pdf = Some(html::PdfLinkView {
        href: document::pdf(&document),
        description: format!("PDF, {}", html::french_size(pdf.bytes.len())),
    });
    let html = templates
        .render("avenant.html.tera", &html_view)
        .map_err(|d| vec![d])?;
    // The Word document has the PDF's properties.
    let info = &typst_view.amendment;
    let properties = docx::Properties {
        title: info.document_title.clone(),
        author: typst_view.plan.author.clone(),
        subject: info.description.clone(),
        keywords: typst_view.plan.keywords.clone(),
        created: export.timestamp,
    };
    let docx = docx::amendment(
        &amendment::AmendmentView::new(prepared, Markup::Word),
        &properties,
    )
    .map_err(|d| vec![d])?;
    Ok(Rendered::of_page(&document, typ, pdf, html, docx))
}

/// `SOURCE_DATE_EPOCH`, when set: the date of every PDF of a reproducible build.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// Midnight (UTC) of `date`, in seconds since 1970.
fn midnight(date: crate::model::Date) -> Option<i64> {
    let month = time::Month::try_from(date.month).ok()?;
    let day = time::Date::from_calendar_date(i32::from(date.year), month, date.day).ok()?;
    Some(day.midnight().assume_utc().unix_timestamp())
}

/// The creation date of every PDF of the plan: `SOURCE_DATE_EPOCH` when set
/// (reproducible builds), else the convention's `date`, else its date of
/// signature. Never the clock; PDF/A requires one, so none is an error.
fn creation_timestamp(plan: &Plan) -> Result<i64, Diagnostic> {
    if let Some(epoch) = source_date_epoch() {
        return Ok(epoch);
    }
    plan.convention
        .date
        .or(plan.convention.signature.date)
        .and_then(midnight)
        .ok_or_else(|| {
            Diagnostic::error(
                "date d'édition manquante : la norme PDF/A exige une date de création du document",
            )
            .hint(format!(
                "ajoutez `date = {}-01-15` (date de cette édition) en tête de {}, ou la date de signature dans une table `[signature]`",
                plan.convention.period.start,
                crate::read::CONVENTION_FILE
            ))
        })
}

/// The properties of a Word document of the plan, as its PDF's.
fn document_properties(plan: &Plan, title: String, created: i64) -> docx::Properties {
    let info = &plan.convention.document;
    docx::Properties {
        title,
        author: info.author.clone(),
        subject: info.subject.clone(),
        keywords: info.keywords.clone(),
        created,
    }
}

/// A stable identifier of the document, the same for every build of this plan.
fn document_ident(plan: &Plan) -> String {
    let c = &plan.convention;
    format!("ctg/{}/{}/{}", c.parties, c.heading, c.period)
}
