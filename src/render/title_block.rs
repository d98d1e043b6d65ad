//! The title block that every document opens with, the
//! signatories' logos in their order, and the colours of the title and of the
//! tables' header cells. One view for every document: the annex, the review,
//! the action sheets, and any document made from the plan (a Word copy, an
//! amendment) whose template includes `title_block.typ.tera` or
//! `title_block.html.tera` with this view as `title_block`.

use base64::Engine as _;
use serde::Serialize;

use super::view::Markup;
use crate::model::Plan;
use crate::read::logos::{Logo, LogoFormat};
use crate::text::escape::push_html;

/// What the title block shows beyond the document's own titles.
#[derive(Debug, Clone, Serialize)]
pub struct TitleBlockView {
    /// The signatories' logos, in the order of the signatories.
    pub logos: Vec<LogoView>,
    /// Fill of the tables' header cells, `#rrggbb`.
    pub header_fill: String,
    /// Colour of the title, `#rrggbb`.
    pub title_colour: String,
}

/// One logo.
#[derive(Debug, Clone, Serialize)]
pub struct LogoView {
    /// Rank of its signatory in the convention, from 1.
    pub signatory: usize,
    /// Its text alternative (plain text: templates escape it).
    pub alt: String,
    /// Typst: the file the compiler reads it from (`image(path, alt: …)`).
    pub path: String,
    /// Width over height, for a row at a common height (a number: templates
    /// write it as is).
    pub ratio: f64,
    /// HTML: the logo as the page shows it, safe to insert: an SVG inlined with
    /// its alternative as accessible name, or a bitmap embedded as a `data:`
    /// address in an `<img>` with its `alt`. Empty in a Typst view.
    pub html: String,
    /// Word: the logo itself, whose image the document embeds.
    #[serde(skip)]
    pub image: Option<Logo>,
}

impl TitleBlockView {
    pub fn new(plan: &Plan, format: Markup) -> Self {
        let c = &plan.convention;
        Self {
            logos: c
                .signatories
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Some(LogoView::new(s.logo.as_ref()?, i + 1, format)))
                .collect(),
            header_fill: crate::read::logos::hex(c.colours.header_fill),
            title_colour: crate::read::logos::hex(c.colours.title),
        }
    }

    /// The logo of the `signatory`-th signatory (from 1), for its signature box.
    pub fn logo_of(&self, signatory: usize) -> Option<LogoView> {
        self.logos
            .iter()
            .find(|l| l.signatory == signatory)
            .cloned()
    }
}

impl LogoView {
    fn new(logo: &Logo, signatory: usize, format: Markup) -> Self {
        Self {
            signatory,
            alt: logo.alt.clone(),
            path: logo.virtual_path(),
            ratio: (logo.ratio * 10_000.0).round() / 10_000.0,
            html: match format {
                Markup::Html => html(logo),
                Markup::Typst | Markup::Word => String::new(),
            },
            image: (format == Markup::Word).then(|| logo.clone()),
        }
    }
}

/// The markup of a logo in a web page.
fn html(logo: &Logo) -> String {
    let mut alt = String::new();
    push_html(&mut alt, &logo.alt);
    match logo.format {
        LogoFormat::Svg => {
            // The checked SVG, rebuilt by validation, always opens with `<svg `.
            let svg = String::from_utf8_lossy(&logo.bytes);
            let rest = svg.strip_prefix("<svg").unwrap_or(&svg);
            format!("<svg class=\"ctg-logo\" role=\"img\" aria-label=\"{alt}\"{rest}")
        }
        LogoFormat::Png | LogoFormat::Jpeg => {
            let data = base64::engine::general_purpose::STANDARD.encode(&logo.bytes);
            format!(
                "<img class=\"ctg-logo\" src=\"data:{};base64,{data}\" alt=\"{alt}\">",
                logo.format.mime()
            )
        }
    }
}
