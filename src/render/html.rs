//! Stage 4 (render): what the HTML page and its embeddable fragment show beyond
//! the plan view, such as the link to the PDF annex with its size.

use serde::Serialize;

use super::view::{Format, PlanView};
use crate::model::Plan;
pub use crate::text::count::french_size;

/// The file name of the PDF annex, linked relatively from the page.
pub const PDF_FILE: &str = "plan.pdf";

/// Variables of the HTML templates: the plan view, plus the PDF link.
#[derive(Debug, Serialize)]
pub struct HtmlView {
    #[serde(flatten)]
    pub plan: PlanView,
    pub pdf: PdfLinkView,
}

/// The link to the PDF annex.
#[derive(Debug, Serialize)]
pub struct PdfLinkView {
    pub href: String,
    /// Format and size, as written next to a download link: "PDF, 180 ko".
    pub description: String,
}

impl HtmlView {
    pub fn new(plan: &Plan, pdf_bytes: usize) -> Self {
        Self {
            plan: PlanView::new(plan, Format::Html),
            pdf: PdfLinkView {
                href: PDF_FILE.to_string(),
                description: format!("PDF, {}", french_size(pdf_bytes)),
            },
        }
    }
}
