//! Word documents, text: the Markdown of a cell, a note or a review's text
//! becomes Word paragraphs, walking pulldown-cmark's events as the Typst and HTML
//! writers do (`crate::text::markdown`), with the same French typography
//! (`crate::text::typography`). Lists are Word lists (`numPr`), emphasis and
//! superscripts are run properties, links are links. Every character of the text
//! is data: docx-rs writes it as XML text, and the few characters XML cannot
//! hold (control characters) are left out.

use docx_rs::{
    AlignmentType, BreakType, IndentLevel, NumberingId, Paragraph, ParagraphChild, Run, Shading,
    Table, TableCell, TableRow, VertAlignType, WidthType,
};
use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

use super::{Twips, Writer, styles};
use crate::text::markdown::{heading_levels, is_safe_url, parser};
use crate::text::typography::{Segment, segments};

/// A piece of a document's body: a paragraph, or a table (from a Markdown
/// table).
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// The formatting of a run: how many of each are open.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunStyle {
    pub(super) bold: u8,
    pub(super) italic: u8,
    pub(super) strike: u8,
    pub(super) superscript: u8,
    pub(super) subscript: u8,
    pub(super) code: bool,
    pub(super) link: bool,
}

impl RunStyle {
    pub fn bold() -> Self {
        Self {
            bold: 1,
            ..Self::default()
        }
    }

    pub fn italic() -> Self {
        Self {
            italic: 1,
            ..Self::default()
        }
    }

    /// `text` as a run in this format (the characters XML cannot hold left
    /// out, tabs as tabs), without typography.
    pub(super) fn run(self, text: &str) -> Run {
        let mut run = Run::new();
        let mut rest = text;
        // A tab is a tab; the other characters XML cannot hold are left out.
        while let Some((before, after)) = rest.split_once('\t') {
            run = run.add_text(xml_text(before)).add_tab();
            rest = after;
        }
        run = run.add_text(xml_text(rest));
        if self.bold > 0 {
            run = run.bold();
        }
        if self.italic > 0 {
            run = run.italic();
        }
        if self.strike > 0 {
            run = run.strike();
        }
        if self.superscript > 0 {
            run.run_property = run.run_property.vert_align(VertAlignType::SuperScript);
        } else if self.subscript > 0 {
            run.run_property = run.run_property.vert_align(VertAlignType::SubScript);
        }
        if self.code {
            run = run.style(styles::CODE);
        } else if self.link {
            run = run.style(styles::LINK);
        }
        run
    }
}

/// `text` without the characters that XML 1.0 cannot hold.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        })
        .collect()
}

/// Adds `text` to `paragraph` as runs in `format`, French typography applied
/// (ordinal endings raised).
pub fn push_prose(mut paragraph: Paragraph, text: &str, format: RunStyle) -> Paragraph {
    for run in prose_runs(text, format) {
        paragraph = paragraph.add_run(run);
    }
    paragraph
}

fn prose_runs(text: &str, format: RunStyle) -> Vec<Run> {
    segments(text)
        .into_iter()
        .filter_map(|segment| match segment {
            Segment::Plain(s) if s.is_empty() => None,
            Segment::Plain(s) => Some(format.run(&s)),
            Segment::Super(s) => Some(
                RunStyle {
                    superscript: format.superscript + 1,
                    ..format
                }
                .run(&s),
            ),
        })
        .collect()
}

/// The paragraphs of a table cell's Markdown, `width` wide, in `style` (lists
/// in the cells' list style, headings as bold text), aligned as `align` says.
pub fn cell(
    w: &mut Writer,
    markdown: &str,
    style: &'static str,
    align: Option<AlignmentType>,
    width: Twips,
) -> Vec<Block> {
    let place = Place {
        text: style,
        list: styles::CELL_LIST,
        headings: None,
        align,
        width,
    };
    let mut blocks = Converter::new(w, place).convert(markdown);
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(w.paragraph(style)));
    }
    blocks
}

/// The paragraphs of a document's text (a review's introduction, say): its
/// headings become Word headings, the highest at `base`.
pub fn document(w: &mut Writer, markdown: &str, base: u8) -> Vec<Block> {
    let place = Place {
        text: styles::TEXT,
        list: styles::TEXT_LIST,
        headings: Some(heading_levels(markdown, base).into_iter()),
        align: None,
        width: w.text_width,
    };
    Converter::new(w, place).convert(markdown)
}

/// Where a text goes: its paragraph styles and how headings are shown.
struct Place {
    text: &'static str,
    list: &'static str,
    /// `None` in a cell, where a heading is bold text; else the level of each
    /// heading of the text, in order.
    headings: Option<std::vec::IntoIter<u8>>,
    align: Option<AlignmentType>,
    /// The width a table of the text takes.
    width: Twips,
}

/// A Markdown table being read: its rows of cells, each cell its paragraphs.
struct TableState {
    alignments: Vec<Alignment>,
    rows: Vec<(bool, Vec<Vec<Paragraph>>)>,
    head: bool,
    cell: Option<Vec<Paragraph>>,
}

struct Converter<'w> {
    w: &'w mut Writer,
    place: Place,
    out: Vec<Block>,
    paragraph: Option<Paragraph>,
    /// The style of the next paragraph opened, when it is not the place's.
    heading: Option<&'static str>,
    format: RunStyle,
    /// Open lists, outer first: the numbering instance of each.
    lists: Vec<usize>,
    /// The current list item has not shown its bullet or number yet.
    item_pending: bool,
    quotes: usize,
    code_block: bool,
    /// Open links: the link when its target is safe, `None` when refused (its
    /// text stays, unlinked).
    links: Vec<Option<docx_rs::Hyperlink>>,
    table: Option<TableState>,
}

impl<'w> Converter<'w> {
    fn new(w: &'w mut Writer, place: Place) -> Self {
        Self {
            w,
            place,
            out: Vec::new(),
            paragraph: None,
            heading: None,
            format: RunStyle::default(),
            lists: Vec::new(),
            item_pending: false,
            quotes: 0,
            code_block: false,
            links: Vec::new(),
            table: None,
        }
    }

    fn convert(mut self, markdown: &str) -> Vec<Block> {
        for event in parser(markdown) {
            self.event(event);
        }
        self.close();
        self.out
    }

    /// The paragraph being written, opened if need be.
    fn open(&mut self) -> &mut Paragraph {
        if self.paragraph.is_none() {
            let paragraph = self.new_paragraph();
            self.paragraph = Some(paragraph);
        }
        self.paragraph.as_mut().expect("opened above")
    }

    fn new_paragraph(&mut self) -> Paragraph {
        if let Some(table) = &self.table {
            let style = if table.head {
                styles::HEADER_CELL
            } else {
                styles::CELL
            };
            return self.w.paragraph(style);
        }
        if self.code_block {
            return self.w.paragraph(styles::CODE_BLOCK);
        }
        if let Some(style) = self.heading {
            return self.w.paragraph(style);
        }
        let mut paragraph = if !self.lists.is_empty() {
            let level = self.lists.len() - 1;
            let p = self.w.paragraph(self.place.list);
            if std::mem::take(&mut self.item_pending) {
                p.numbering(NumberingId::new(self.lists[level]), IndentLevel::new(level))
            } else {
                let (left, _) = styles::list_indent(level);
                p.indent(Some(left), None, None, None)
            }
        } else if self.quotes > 0 {
            self.w.paragraph(styles::QUOTE)
        } else {
            self.w.paragraph(self.place.text)
        };
        if let Some(align) = self.place.align {
            paragraph = paragraph.align(align);
        }
        paragraph
    }

    /// Ends the paragraph being written, if any.
    fn close(&mut self) {
        let Some(paragraph) = self.paragraph.take() else {
            return;
        };
        match self.table.as_mut().and_then(|t| t.cell.as_mut()) {
            Some(cell) => cell.push(paragraph),
            None => self.out.push(Block::Paragraph(paragraph)),
        }
    }

    fn push_run(&mut self, run: Run) {
        if let Some(Some(link)) = self.links.last_mut() {
            link.children.push(ParagraphChild::Run(Box::new(run)));
            return;
        }
        self.open()
            .children
            .push(ParagraphChild::Run(Box::new(run)));
    }

    /// Prose: French typography applied.
    fn prose(&mut self, text: &str) {
        self.open();
        for run in prose_runs(text, self.format) {
            self.push_run(run);
        }
    }

    /// Text shown exactly as written (code, raw HTML).
    fn literal(&mut self, text: &str) {
        let run = self.format.run(text);
        self.push_run(run);
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.code_block => {
                let text = text.trim_end_matches('\n');
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        self.push_run(Run::new().add_break(BreakType::TextWrapping));
                    }
                    self.literal(line);
                }
            }
            Event::Text(text) => self.prose(&text),
            Event::Code(code) => {
                let format = self.format;
                self.format.code = true;
                self.literal(&code);
                self.format = format;
            }
            // Raw HTML is shown as text, as written.
            Event::Html(text) | Event::InlineHtml(text) => self.literal(&text),
            Event::SoftBreak => self.prose(" "),
            Event::HardBreak => self.push_run(Run::new().add_break(BreakType::TextWrapping)),
            Event::Rule => {
                self.close();
                let rule = self.w.paragraph(styles::RULE);
                self.out.push(Block::Paragraph(rule));
            }
            // Not enabled in the parser options; kept as text if ever met.
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.literal(&t)
            }
            Event::TaskListMarker(done) => self.prose(if done { "☑ " } else { "☐ " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.close(),
            Tag::Heading { .. } => {
                self.close();
                match self.place.headings.as_mut() {
                    Some(levels) => {
                        self.heading = Some(styles::heading(levels.next().unwrap_or(6)));
                    }
                    None => self.format.bold += 1,
                }
            }
            Tag::BlockQuote(_) => {
                self.close();
                self.quotes += 1;
            }
            Tag::CodeBlock(_) => {
                self.close();
                self.code_block = true;
            }
            Tag::List(start) => {
                self.close();
                let level = self.lists.len();
                let numbering = match start {
                    Some(n) => self.w.numbered_list(level, usize::try_from(n).unwrap_or(1)),
                    None => styles::BULLETS,
                };
                self.lists.push(numbering);
            }
            Tag::Item => {
                self.close();
                self.item_pending = true;
            }
            Tag::Emphasis => self.format.italic += 1,
            Tag::Strong => self.format.bold += 1,
            Tag::Strikethrough => self.format.strike += 1,
            Tag::Superscript => self.format.superscript += 1,
            Tag::Subscript => self.format.subscript += 1,
            Tag::Link { dest_url, .. } => {
                self.open();
                let link = is_safe_url(&dest_url).then(|| self.w.link(dest_url.trim()));
                if link.is_some() {
                    self.format.link = true;
                }
                self.links.push(link);
            }
            Tag::Table(alignments) => {
                self.close();
                self.table = Some(TableState {
                    alignments,
                    rows: Vec::new(),
                    head: false,
                    cell: None,
                });
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.head = true;
                    t.rows.push((true, Vec::new()));
                }
            }
            Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push((false, Vec::new()));
                }
            }
            Tag::TableCell => {
                if let Some(t) = &mut self.table {
                    t.cell = Some(Vec::new());
                }
            }
            // An image keeps only its alternative text, written as plain text.
            Tag::Image { .. }
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock => self.close(),
            TagEnd::Heading(_) => {
                self.close();
                match self.place.headings {
                    Some(_) => self.heading = None,
                    None => self.format.bold = self.format.bold.saturating_sub(1),
                }
            }
            TagEnd::BlockQuote(_) => {
                self.close();
                self.quotes = self.quotes.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                // An empty code block still shows its (empty) line.
                self.open();
                self.close();
                self.code_block = false;
            }
            TagEnd::List(_) => {
                self.close();
                self.lists.pop();
            }
            TagEnd::Item => {
                // An empty item still shows its bullet.
                if self.item_pending {
                    self.open();
                }
                self.close();
                self.item_pending = false;
            }
            TagEnd::Emphasis => self.format.italic = self.format.italic.saturating_sub(1),
            TagEnd::Strong => self.format.bold = self.format.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.format.strike = self.format.strike.saturating_sub(1),
            TagEnd::Superscript => {
                self.format.superscript = self.format.superscript.saturating_sub(1)
            }
            TagEnd::Subscript => self.format.subscript = self.format.subscript.saturating_sub(1),
            TagEnd::Link => {
                if let Some(Some(link)) = self.links.pop() {
                    self.open().children.push(ParagraphChild::Hyperlink(link));
                }
                self.format.link = self.links.iter().any(Option::is_some);
            }
            TagEnd::TableCell => {
                self.close();
                if let Some(t) = &mut self.table
                    && let Some(cell) = t.cell.take()
                    && let Some((_, row)) = t.rows.last_mut()
                {
                    row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.head = false;
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    let table = word_table(self.w, t, self.place.width);
                    self.out.push(Block::Table(table));
                }
            }
            _ => {}
        }
    }
}

/// A Markdown table as a Word table, `width` wide in columns of one width:
/// its header row shaded like the plan's.
fn word_table(w: &mut Writer, table: TableState, width: Twips) -> Table {
    let columns = table
        .rows
        .iter()
        .map(|(_, cells)| cells.len())
        .chain([table.alignments.len()])
        .max()
        .unwrap_or(1)
        .max(1);
    let column = width / columns as Twips;
    let rows = table
        .rows
        .into_iter()
        .map(|(head, cells)| {
            let cells = cells
                .into_iter()
                .enumerate()
                .map(|(i, paragraphs)| {
                    let align = match table.alignments.get(i) {
                        Some(Alignment::Center) => Some(AlignmentType::Center),
                        Some(Alignment::Right) => Some(AlignmentType::Right),
                        _ => None,
                    };
                    let mut cell = TableCell::new().width(column as usize, WidthType::Dxa);
                    if head {
                        cell = cell.shading(Shading::new().fill(super::table::HEADER_FILL));
                    }
                    if paragraphs.is_empty() {
                        cell = cell.add_paragraph(w.paragraph(styles::CELL));
                    }
                    for p in paragraphs {
                        cell = cell.add_paragraph(match align {
                            Some(a) => p.align(a),
                            None => p,
                        });
                    }
                    cell
                })
                .collect();
            TableRow::new(cells).cant_split()
        })
        .collect();
    super::table::table(rows, &vec![column; columns])
}
