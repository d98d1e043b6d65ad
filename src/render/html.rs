//! What the HTML page and its embeddable fragment show beyond
//! the plan view, such as the link to the PDF annex with its size.

use serde::Serialize;

use super::view::{Markup, PlanView};
pub use crate::french::french_size;
use crate::model::Plan;

/// The file name of the PDF annex, linked relatively from the page.

/// Variables of the HTML templates: the plan view, plus the PDF link.
#[derive(Debug, Serialize)]
pub struct HtmlView {
    #[serde(flatten)]
    pub plan: PlanView,
    pub pdf: PdfLinkView,
    /// The amendments of the convention, each linked to its page, in order.
    pub amendments: Vec<AmendmentLinkView>,
}

/// The link to an amendment's page, built beside the plan's.
#[derive(Debug, Serialize)]
pub struct AmendmentLinkView {
    pub href: String,
    /// « Avenant n° 1 du 15 mars 2025 ».
    pub label: String,
}

/// The link to the PDF annex.
#[derive(Debug, Serialize)]
pub struct PdfLinkView {
    pub href: String,
    /// Markup and size, as written next to a download link: "PDF, 180 ko".
    pub description: String,
}

impl HtmlView {
    pub fn new(plan: &Plan, pdf_bytes: usize) -> Self {
        Self {
            plan: PlanView::new(plan, Markup::Html),
            pdf: PdfLinkView {
                href: super::document::plan_pdf(),
                description: format!("PDF, {}", french_size(pdf_bytes)),
            },
            amendments: plan
                .convention
                .amendments
                .iter()
                .map(|a| AmendmentLinkView {
                    href: super::document::web_page(&super::document::amendment(a.number)),
                    label: format!("Avenant n°\u{a0}{} du {}", a.number, a.date.french()),
                })
                .collect(),
        }
    }
}
