//! Stage 4 (render): views go through the templates; the Typst source is compiled
//! to PDF and the HTML page is produced, all in memory.

pub mod pdf;
pub mod templates;
pub mod view;

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
}

/// Renders the plan into every output format.
pub fn render(plan: &Plan, templates: &Templates) -> Result<Rendered, Vec<Diagnostic>> {
    let plan_typ = templates
        .render("plan.typ.tera", &PlanView::new(plan, Format::Typst))
        .map_err(|d| vec![d])?;
    let plan_html = templates
        .render("plan.html.tera", &PlanView::new(plan, Format::Html))
        .map_err(|d| vec![d])?;
    let plan_pdf = pdf::compile("plan.typ (généré)", plan_typ.clone(), &document_ident(plan))?;
    Ok(Rendered {
        plan_typ,
        plan_pdf,
        plan_html,
    })
}

/// A stable identifier of the document, the same for every build of this plan.
fn document_ident(plan: &Plan) -> String {
    let c = &plan.convention;
    format!("ctg/{}/{}/{}", c.parties, c.heading, c.period)
}
