//! Stage 4 (render): what the HTML page and its embeddable fragment show beyond
//! the plan view, such as the link to the PDF annex with its size.

use serde::Serialize;

use super::view::{Format, PlanView};
use crate::model::Plan;

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
    pub href: &'static str,
    /// Format and size, as written next to a download link: "PDF, 180 ko".
    pub description: String,
}

impl HtmlView {
    pub fn new(plan: &Plan, pdf_bytes: usize) -> Self {
        Self {
            plan: PlanView::new(plan, Format::Html),
            pdf: PdfLinkView {
                href: PDF_FILE,
                description: format!("PDF, {}", french_size(pdf_bytes)),
            },
        }
    }
}

/// A file size in the French units of the web: "850 o", "180 ko", "1,3 Mo"
/// (1 ko = 1000 octets), never rounded down.
pub fn french_size(bytes: usize) -> String {
    match bytes {
        0..1000 => format!("{bytes} o"),
        1000..1_000_000 => format!("{} ko", bytes.div_ceil(1000)),
        _ => {
            let tenths = bytes.div_ceil(100_000);
            match tenths % 10 {
                0 => format!("{} Mo", tenths / 10),
                d => format!("{},{d} Mo", tenths / 10),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_french_units() {
        assert_eq!(french_size(850), "850 o");
        assert_eq!(french_size(1000), "1 ko");
        assert_eq!(french_size(179_001), "180 ko");
        assert_eq!(french_size(180_000), "180 ko");
        assert_eq!(french_size(1_250_000), "1,3 Mo");
        assert_eq!(french_size(2_000_000), "2 Mo");
    }
}
