//! Stage 4 (render): views go through the templates; the Typst source is compiled
//! to PDF and the HTML page is produced, all in memory.

pub mod amendment;
pub mod bilan;
pub mod document;
pub mod docx;
pub mod html;
pub mod origin;
pub mod pdf;
pub mod sheets;
pub mod templates;
pub mod title_block;
pub mod view;

use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::model::Plan;
use templates::Templates;
use view::{Format, PlanView};

/// Everything a build produces, before anything is written.
pub struct Rendered {
    /// The generated Typst source of the annex.
    pub plan_typ: String,
    pub plan_pdf: pdf::Pdf,
    pub plan_html: String,
    /// The table and its notes, to paste into a site's pages.
    pub plan_fragment_html: String,
    /// CSV, JSON and data package of the actions.
    pub open_data: crate::export::OpenData,
    /// The annex as a Word document.
    pub plan_docx: Vec<u8>,
    /// How long each step took, for `ctg build --timings`.
    pub timings: Vec<(&'static str, Duration)>,
}

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

/// Renders the plan into every output format.
pub fn render(plan: &Plan, templates: &Templates) -> Result<Rendered, Vec<Diagnostic>> {
    let mut timings = Timings::start();
    let typst_view = PlanView::new(plan, Format::Typst);
    let export = pdf::Export {
        ident: document_ident(plan),
        timestamp: creation_timestamp(plan).map_err(|d| vec![d])?,
    };
    let (plan_typ, plan_pdf) = typeset(
        templates,
        "plan.typ.tera",
        document::PLAN,
        &typst_view,
        pdf::Images::of(plan),
        &export,
        &mut timings,
    )?;
    // The page links to the PDF with its size: the PDF is compiled first.
    let html_view = html::HtmlView::new(plan, plan_pdf.bytes.len());
    let plan_html = templates
        .render("plan.html.tera", &html_view)
        .map_err(|d| vec![d])?;
    let plan_fragment_html = templates
        .render("plan.fragment.html.tera", &html_view)
        .map_err(|d| vec![d])?;
    timings.lap("pages HTML");
    let open_data = crate::export::open_data(plan).map_err(|d| vec![d])?;
    timings.lap("données ouvertes");
    let plan_docx = docx::plan(
        &PlanView::new(plan, Format::Word),
        &document_properties(plan, typst_view.document_title.clone(), export.timestamp),
    )
    .map_err(|d| vec![d])?;
    timings.lap("document Word");
    Ok(Rendered {
        timings: timings.laps,
        plan_typ,
        plan_pdf,
        plan_html,
        plan_fragment_html,
        open_data,
        plan_docx,
    })
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

/// A year's review ("bilan annuel"), in memory.
pub struct RenderedReview {
    pub year: u16,
    pub typ: String,
    pub pdf: pdf::Pdf,
    pub html: String,
    pub docx: Vec<u8>,
}

/// Renders the review of `year` into PDF and HTML.
pub fn render_review(
    plan: &Plan,
    follow_ups: &crate::review::FollowUps,
    year: u16,
    templates: &Templates,
) -> Result<RenderedReview, Vec<Diagnostic>> {
    let review = crate::review::Review::new(plan, follow_ups, year).ok_or_else(|| {
        vec![
            Diagnostic::error(format!("aucun suivi pour {year}")).hint(format!(
                "le bilan d'une année se construit à partir de `{}/{year}.toml`",
                crate::review::FOLLOW_UP_DIR
            )),
        ]
    })?;
    let typst_view = bilan::ReviewView::new(&review, Format::Typst);
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
            &bilan::ReviewView::new(&review, Format::Html),
        )
        .map_err(|d| vec![d])?;
    let word_view = bilan::ReviewView::new(&review, Format::Word);
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
    Ok(RenderedReview {
        year,
        typ,
        pdf,
        html,
        docx,
    })
}

/// The action sheets, in memory: their PDF and one web page per action, with
/// the index page.
pub struct RenderedSheets {
    pub typ: String,
    pub pdf: pdf::Pdf,
    /// `index.html`, then `<id>.html` for each action, in the plan's order.
    pub pages: Vec<(String, String)>,
}

/// Renders the action sheets of `plan`, with the latest follow-up of each action.
pub fn render_sheets(
    plan: &Plan,
    follow_ups: &crate::review::FollowUps,
    templates: &Templates,
) -> Result<RenderedSheets, Vec<Diagnostic>> {
    let typst_view = sheets::SheetsView::new(plan, follow_ups, Format::Typst);
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
    let mut html_view = sheets::SheetsView::new(plan, follow_ups, Format::Html);
    html_view.pdf = Some(html::PdfLinkView {
        href: document::SHEETS_PDF_FROM_PAGES.to_string(),
        description: format!("PDF, {}", html::french_size(pdf.bytes.len())),
    });
    let mut pages = vec![(
        sheets::index_page(),
        templates
            .render("fiches.html.tera", &html_view)
            .map_err(|d| vec![d])?,
    )];
    for sheet in html_view.sheets() {
        let page = sheets::SheetPageView {
            plan: &html_view.plan,
            sheet,
        };
        let html = templates
            .render("fiche.html.tera", &page)
            .map_err(|d| vec![d])?;
        pages.push((sheet.href.clone(), html));
    }
    Ok(RenderedSheets { typ, pdf, pages })
}

/// An amendment's document, in memory.
pub struct RenderedAmendment {
    pub number: u32,
    pub typ: String,
    pub pdf: pdf::Pdf,
    pub html: String,
    pub docx: Vec<u8>,
}

/// Renders the document of a prepared amendment into PDF, HTML and Word.
pub fn render_amendment(
    prepared: &crate::amendments::Prepared,
    templates: &Templates,
) -> Result<RenderedAmendment, Vec<Diagnostic>> {
    let amendment = &prepared.amendment;
    let plan = &prepared.new;
    let document = document::amendment(amendment.number);
    let typst_view = amendment::AmendmentView::new(prepared, Format::Typst);
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
    let mut html_view = amendment::AmendmentView::new(prepared, Format::Html);
    html_view.pdf = Some(html::PdfLinkView {
        href: format!("{document}.pdf"),
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
        &amendment::AmendmentView::new(prepared, Format::Word),
        &properties,
    )
    .map_err(|d| vec![d])?;
    Ok(RenderedAmendment {
        number: amendment.number,
        typ,
        pdf,
        html,
        docx,
    })
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
                crate::load::CONVENTION_FILE
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
