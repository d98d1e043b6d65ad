//! The Word documents, `plan.docx` (the annex),
//! `bilan-ANNÉE.docx` (a year's review) and `avenant-N.docx` (an amendment),
//! written with docx-rs from the same views
//! as the PDF and the page ([`Markup::Word`](super::view::Markup::Word) keeps each
//! cell's Markdown as written, and [`markdown`] walks it). Every paragraph has a
//! named style ([`styles`]), lists are Word lists, the header rows of the tables
//! repeat on each page; [`package`] adds what docx-rs cannot write and packs the
//! archive, byte for byte the same from one build to the next.

mod amendment;
mod chart;
mod markdown;
mod package;
mod plan;
mod redline;
mod review;
mod styles;
mod table;

use docx_rs::{
    Docx, Footer, Header, Hyperlink, HyperlinkData, HyperlinkType, LevelOverride, Numbering,
    PageMargin, PageOrientationType, Paragraph, Pic, Run, Table,
};

use crate::diag::Diagnostic;

pub use amendment::amendment;
pub use plan::plan;
pub use review::review;

/// The document properties, as the PDF's: from `convention.toml`.
#[derive(Debug, Clone)]
pub struct Properties {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// Creation date, in seconds since 1970 (the PDF's).
    pub created: i64,
}

/// Twentieths of a point ("twips"), Word's unit of length.
type Twips = u32;

/// A4 landscape.
const PAGE_WIDTH: Twips = 16_838;
const PAGE_HEIGHT: Twips = 11_906;

/// A length given in tenths of a millimetre (120 for 1.2 cm), in twips: 567
/// to the centimetre.
const fn mm10(tenths: u32) -> Twips {
    tenths * 567 / 100
}

/// The page's margins, in tenths of a millimetre: left and right, top, bottom.
struct Margins {
    x: u32,
    top: u32,
    bottom: u32,
}

impl Margins {
    fn text_width(&self) -> Twips {
        PAGE_WIDTH - 2 * mm10(self.x)
    }
}

/// A document being written: the docx-rs document, and what the package needs
/// to know of it once built (see [`package`]).
struct Writer {
    /// Always `Some` between two calls: docx-rs builds by value, and taking the
    /// document out of an `Option` costs nothing, where a default document in
    /// its place would be built at each paragraph.
    docx: Option<Docx>,
    /// For each table of the body, in order, how many header rows repeat on
    /// each page.
    header_rows: Vec<usize>,
    /// The text alternative of each image of the body, in order.
    image_alts: Vec<String>,
    /// Each paragraph gets the next identifier: docx-rs would take them from a
    /// counter of the thread, which goes on from one document to the next.
    next_paragraph: u32,
    next_link: usize,
    next_image: usize,
    /// The next numbering instance: each numbered list starts its own.
    next_numbering: usize,
    text_width: Twips,
}

impl Writer {
    fn new(margins: &Margins, styles: styles::Sizes) -> Self {
        let docx = Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_orient(PageOrientationType::Landscape)
            .page_margin(
                PageMargin::new()
                    .top(mm10(margins.top) as i32)
                    .bottom(mm10(margins.bottom) as i32)
                    .left(mm10(margins.x) as i32)
                    .right(mm10(margins.x) as i32)
                    .header(mm10(60) as i32)
                    .footer(mm10(60) as i32),
            );
        let mut docx = styles::add(docx, styles);
        // The list definitions are always there, lists or not.
        docx.document_rels.has_numberings = true;
        Self {
            docx: Some(docx),
            header_rows: Vec::new(),
            image_alts: Vec::new(),
            next_paragraph: 0,
            next_link: 0,
            next_image: 0,
            next_numbering: styles::FIRST_LIST_NUMBERING,
            text_width: margins.text_width(),
        }
    }

    /// Applies a docx-rs builder method to the document.
    fn edit(&mut self, f: impl FnOnce(Docx) -> Docx) {
        let docx = self.docx.take().unwrap_or_default();
        self.docx = Some(f(docx));
    }

    /// A new paragraph of `style`.
    fn paragraph(&mut self, style: &str) -> Paragraph {
        self.next_paragraph += 1;
        Paragraph::new()
            .id(format!("{:08X}", self.next_paragraph))
            .style(style)
    }

    /// A paragraph of `style` holding `text`, French typography applied.
    fn text(&mut self, style: &str, text: &str) -> Paragraph {
        let paragraph = self.paragraph(style);
        markdown::push_prose(paragraph, text, markdown::RunStyle::default())
    }

    /// A link to `url` (already checked as safe), with a stable relationship id.
    fn link(&mut self, url: &str) -> Hyperlink {
        self.next_link += 1;
        let mut link = Hyperlink::new(markdown::xml_text(url), HyperlinkType::External);
        if let HyperlinkData::External { rid, .. } = &mut link.link {
            *rid = format!("rIdLien{}", self.next_link);
        }
        link
    }

    /// A numbering instance for a numbered list at `level` starting at `start`.
    fn numbered_list(&mut self, level: usize, start: usize) -> usize {
        let id = self.next_numbering;
        self.next_numbering += 1;
        self.edit(|docx| {
            docx.add_numbering(
                Numbering::new(id, styles::NUMBERED_ABSTRACT)
                    .add_override(LevelOverride::new(level).start(start)),
            )
        });
        id
    }

    fn push_paragraph(&mut self, paragraph: Paragraph) {
        self.edit(|docx| docx.add_paragraph(paragraph));
    }

    /// Adds a table to the body; its first `header_rows` rows repeat on each page.
    fn push_table(&mut self, table: Table, header_rows: usize) {
        self.header_rows.push(header_rows);
        self.edit(|docx| docx.add_table(table));
    }

    fn push_blocks(&mut self, blocks: Vec<markdown::Block>) {
        for block in blocks {
            match block {
                markdown::Block::Paragraph(p) => self.push_paragraph(p),
                markdown::Block::Table(t) => self.push_table(t, 1),
            }
        }
    }

    /// A PNG image of `size` pixels (width, height), shown `shown_width` wide,
    /// with its text alternative.
    fn image(&mut self, png: Vec<u8>, size: (u32, u32), shown_width: Twips, alt: &str) -> Run {
        self.next_image += 1;
        self.image_alts.push(markdown::xml_text(alt));
        // English Metric Units: 635 per twip.
        let width = u64::from(shown_width) * 635;
        let height = width * u64::from(size.1) / u64::from(size.0.max(1));
        let pic = Pic::new_with_dimensions(png, size.0, size.1)
            .id(format!("rIdImage{}", self.next_image))
            .size(width as u32, height as u32);
        Run::new().add_image(pic)
    }

    /// The signatories' logos in one paragraph, at a common height, as above
    /// the PDF's title block (narrower when they would not fit the width);
    /// `None` without logos.
    fn logo_row(
        &mut self,
        block: &super::title_block::TitleBlockView,
        document: &str,
    ) -> Result<Option<Paragraph>, Diagnostic> {
        let logos: Vec<&crate::read::logos::Logo> = block
            .logos
            .iter()
            .filter_map(|l| l.image.as_ref())
            .collect();
        if logos.is_empty() {
            return Ok(None);
        }
        // 16 mm high, 8 mm apart, unless the row would be wider than the text.
        let gap = mm10(80);
        let gaps = gap * (logos.len() as u32 - 1);
        let ratios: f64 = logos.iter().map(|l| l.ratio).sum();
        let fitting = f64::from(self.text_width.saturating_sub(gaps)) / ratios.max(0.01);
        let height = f64::from(mm10(160)).min(fitting);
        let mut paragraph = self.paragraph(styles::FIGURE).keep_next(true);
        for (i, logo) in logos.iter().enumerate() {
            let (png, size) = chart::logo_png(logo).map_err(|detail| {
                Diagnostic::error(format!(
                    "le logo n° {} du document Word `{document}.docx` n'a pas pu être converti : {detail}",
                    logo.number
                ))
                .hint("enregistrez ce logo en PNG et déclarez ce fichier dans `convention.toml`")
            })?;
            if i > 0 {
                paragraph = paragraph.add_run(Run::new().add_text("\u{a0}\u{a0}\u{a0}\u{a0}"));
            }
            let width = (height * logo.ratio).round() as Twips;
            let run = self.image(png, size, width, &logo.alt);
            paragraph = paragraph.add_run(run);
        }
        Ok(Some(paragraph))
    }

    fn header(&mut self, paragraph: Paragraph) {
        self.edit(|docx| docx.header(Header::new().add_paragraph(paragraph)));
    }

    fn footer(&mut self, paragraph: Paragraph) {
        self.edit(|docx| docx.footer(Footer::new().add_paragraph(paragraph)));
    }

    /// The finished archive.
    fn finish(self, properties: &Properties, document: &str) -> Result<Vec<u8>, Diagnostic> {
        package::finish(self, properties).map_err(|detail| {
            Diagnostic::error(format!(
                "le document Word `{document}.docx` n'a pas pu être écrit : {detail}"
            ))
            .hint("c'est une erreur interne de ctg : signalez-la avec le projet qui la produit")
        })
    }
}
