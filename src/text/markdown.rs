//! Markdown cell text (CommonMark, with strikethrough and `^superscript^`) to Typst
//! markup, to HTML and to plain text, with pulldown-cmark as the only parser.
//!
//! Raw HTML in a cell is shown as text, never passed through: cell text is data.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd, TextMergeStream};

use super::escape::{push_typst_markup, push_typst_prose, typst_string};
use super::typography::{Segment, segments};

/// The parser, with adjacent text merged so that typography sees whole runs.
pub(crate) fn parser(markdown: &str) -> TextMergeStream<'_, Parser<'_>> {
    TextMergeStream::new(Parser::new_ext(markdown, super::check::MARKDOWN_OPTIONS))
}

/// Only these link targets become links; anything else (`javascript:`, `file:`,
/// relative paths) keeps its text and loses the link.
pub(crate) fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Converts Markdown to Typst markup meant to sit inside a content block `[…]`.
pub fn markdown_to_typst(markdown: &str) -> String {
    markdown_to_typst_with(markdown, None)
}

/// Converts a Markdown text of a document (a review's introduction, say) to Typst
/// markup: its headings become headings, the highest of them at level `base`.
pub fn markdown_to_typst_document(markdown: &str, base: u8) -> String {
    markdown_to_typst_with(markdown, Some(heading_levels(markdown, base).into_iter()))
}

/// Output levels of the headings of a document text, in order: its highest
/// headings at `base`, and no level skipped on the way down (PDF/UA requires
/// consecutive levels, and so do screen reader users).
pub(crate) fn heading_levels(markdown: &str, base: u8) -> Vec<u8> {
    let written: Vec<u8> = parser(markdown)
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as u8),
            _ => None,
        })
        .collect();
    let top = written.iter().min().copied().unwrap_or(1);
    let mut last = base.saturating_sub(1);
    written
        .into_iter()
        .map(|level| {
            let level = (base + (level - top)).min(last + 1).min(6);
            last = level;
            level
        })
        .collect()
}

fn markdown_to_typst_with(
    markdown: &str,
    heading_levels: Option<std::vec::IntoIter<u8>>,
) -> String {
    let mut w = TypstWriter {
        heading_levels,
        ..TypstWriter::default()
    };
    for event in parser(markdown) {
        w.event(event);
    }
    w.out
}

#[derive(Default)]
struct TypstWriter {
    out: String,
    /// `None` in a cell, where a heading is only bold text; else the level of each
    /// heading of the text, in order.
    heading_levels: Option<std::vec::IntoIter<u8>>,
    /// For each open container (the cell, a list item, a quote): has a block already
    /// been written in it?
    blocks: Vec<bool>,
    /// For each open list: has an item already been written?
    items: Vec<bool>,
    /// Whether the last thing written is an embedded call that text could extend.
    after_call: bool,
    /// Links whose target was refused close without markup.
    links: Vec<bool>,
    /// The text of the code block being read: it becomes a string literal.
    code: Option<String>,
    /// Whether the last thing written closes a link.
    after_link: bool,
}

impl TypstWriter {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
        self.after_call = false;
    }

    fn close_call(&mut self, s: &str) {
        self.out.push_str(s);
        self.after_call = true;
    }

    fn text(&mut self, s: &str) {
        push_typst_markup(&mut self.out, s, self.after_call);
        self.after_call = false;
    }

    /// Separates a new block from the previous one in the same container.
    fn block(&mut self) {
        match self.blocks.last_mut() {
            Some(seen) if *seen => self.raw("\n\n"),
            Some(seen) => *seen = true,
            None => {
                if !self.out.is_empty() {
                    self.raw("\n\n");
                }
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        // Text glued to a link gets a zero-width space before it, where a line
        // may break: Typst 0.15 cannot tag a link whose last word, glued to
        // the text after it, is broken across lines (its PDF export fails).
        // A formatting that closes right after the link leaves it glued to
        // what follows; a block that closes does not.
        let closes_inline = matches!(
            event,
            Event::End(
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
            )
        );
        if !closes_inline && std::mem::take(&mut self.after_link) {
            let glued = match &event {
                Event::Text(t) => !t.starts_with(char::is_whitespace),
                Event::Code(_) | Event::Start(_) | Event::Html(_) | Event::InlineHtml(_) => true,
                _ => false,
            };
            if glued {
                self.raw("\u{200B}");
                self.after_call = false;
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) if self.code.is_some() => {
                self.code.get_or_insert_default().push_str(&t);
            }
            Event::Text(t) => {
                push_typst_prose(&mut self.out, &t, self.after_call);
                self.after_call = t.is_empty() && self.after_call;
            }
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t),
            Event::Code(code) => {
                let call = format!("#raw({})", typst_string(&code));
                self.raw(&call);
                self.after_call = true;
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => {
                self.raw("#linebreak()");
                self.after_call = true;
            }
            Event::Rule => {
                self.block();
                self.raw("#line(length: 100%)");
                self.after_call = true;
            }
            // Not enabled in the parser options; kept as text if ever met.
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.block(),
            Tag::Heading { .. } => {
                self.block();
                match self.heading_levels.as_mut().map(|l| l.next().unwrap_or(6)) {
                    Some(level) => self.raw(&format!("#heading(level: {level}, outlined: false)[")),
                    None => self.raw("#strong["),
                }
            }
            Tag::Table(alignments) => {
                self.block();
                self.raw(&format!("#table(columns: {}, ", alignments.len().max(1)));
            }
            Tag::TableHead => self.raw("table.header("),
            Tag::TableCell => self.raw("["),
            Tag::BlockQuote(_) => {
                self.block();
                self.raw("#quote(block: true)[");
                self.blocks.push(false);
            }
            Tag::CodeBlock(_) => {
                self.block();
                self.raw("#raw(block: true, ");
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.block();
                match start {
                    Some(n) => self.raw(&format!("#enum(start: {n}, ")),
                    None => self.raw("#list("),
                }
                self.items.push(false);
            }
            Tag::Item => {
                if let Some(seen) = self.items.last_mut() {
                    if *seen {
                        self.out.push_str(", ");
                    }
                    *seen = true;
                }
                self.raw("[");
                self.blocks.push(false);
            }
            Tag::Emphasis => self.raw("#emph["),
            Tag::Strong => self.raw("#strong["),
            Tag::Strikethrough => self.raw("#strike["),
            Tag::Superscript => self.raw("#super["),
            Tag::Subscript => self.raw("#sub["),
            Tag::Link { dest_url, .. } => {
                let safe = is_safe_url(&dest_url);
                if safe {
                    let call = format!("#link({})[", typst_string(&dest_url));
                    self.raw(&call);
                }
                self.links.push(safe);
            }
            // An image keeps only its alternative text, written as plain text.
            Tag::Image { .. } => {}
            Tag::HtmlBlock => self.block(),
            Tag::FootnoteDefinition(_)
            | Tag::TableRow
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => self.close_call("]"),
            TagEnd::TableCell => self.raw("], "),
            TagEnd::TableHead => self.raw("), "),
            TagEnd::Table => self.close_call(")"),
            TagEnd::BlockQuote(_) => {
                self.blocks.pop();
                self.close_call("]");
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                self.raw(&typst_string(code.trim_end_matches('\n')));
                self.close_call(")");
            }
            TagEnd::List(_) => {
                self.items.pop();
                self.close_call(")");
            }
            TagEnd::Item => {
                self.blocks.pop();
                self.close_call("]");
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => self.close_call("]"),
            // A refused link was written as its text alone: nothing to close.
            TagEnd::Link if self.links.pop() == Some(true) => {
                self.close_call("]");
                self.after_link = true;
            }
            _ => {}
        }
    }
}

/// Converts Markdown to an HTML fragment. Raw HTML is escaped as text, images keep
/// only their alternative text (the page makes no external request) and links
/// with an unsafe target keep only their text.
pub fn markdown_to_html(markdown: &str) -> String {
    markdown_to_html_with(markdown, None)
}

/// Converts a Markdown text of a document to HTML: its highest headings at level
/// `base`, none skipped.
pub fn markdown_to_html_document(markdown: &str, base: u8) -> String {
    markdown_to_html_with(markdown, Some(heading_levels(markdown, base)))
}

/// Headings in a cell stay below the page's own headings.
const CELL_HEADING: HeadingLevel = HeadingLevel::H4;

fn markdown_to_html_with(markdown: &str, document_levels: Option<Vec<u8>>) -> String {
    // In a document, each heading takes its computed level; in a cell, its own
    // level but no higher than the cell's.
    let mut levels = document_levels.map(Vec::into_iter);
    let mut open_heading = CELL_HEADING;
    let mut refused_links = Vec::new();
    let events = parser(markdown).filter_map(|event| match event {
        Event::InlineHtml(t) => Some(Event::Html(t)),
        Event::Html(t) => Some(Event::Html(t)),
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let safe = is_safe_url(dest_url);
            refused_links.push(!safe);
            safe.then_some(event)
        }
        Event::End(TagEnd::Link) => (refused_links.pop() == Some(false)).then_some(event),
        // An image keeps only its alternative text (the events between these two).
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => {
            open_heading = match levels.as_mut() {
                Some(l) => HeadingLevel::try_from(usize::from(l.next().unwrap_or(6)))
                    .unwrap_or(HeadingLevel::H6),
                None => level.max(CELL_HEADING),
            };
            Some(Event::Start(Tag::Heading {
                level: open_heading,
                id,
                classes,
                attrs,
            }))
        }
        Event::End(TagEnd::Heading(_)) => Some(Event::End(TagEnd::Heading(open_heading))),
        other => Some(other),
    });
    // French typography on prose; raw HTML shown as text is left as written.
    let events = events.flat_map(|event| match event {
        Event::Text(text) => segments(&text)
            .into_iter()
            .flat_map(|segment| match segment {
                Segment::Plain(s) => vec![Event::Text(s.into())],
                Segment::Super(s) => vec![
                    Event::Start(Tag::Superscript),
                    Event::Text(s.into()),
                    Event::End(TagEnd::Superscript),
                ],
            })
            .collect::<Vec<_>>(),
        Event::Html(text) => vec![Event::Text(text)],
        other => vec![other],
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out.trim_end().to_string()
}

/// Converts Markdown to plain text: paragraphs and list items separated by newlines,
/// no markup. Used for checks, metadata and data exports.
pub fn markdown_to_plain(markdown: &str) -> String {
    let mut out = String::new();
    let mut ordered: Vec<Option<u64>> = Vec::new();
    // Open links: their target and where their text starts.
    let mut links: Vec<(String, usize)> = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            // The address of a link is data too: "texte (https://…)", for the
            // addresses that the documents themselves would link to.
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((dest_url.to_string(), out.len()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, start)) = links.pop()
                    && is_safe_url(&url)
                    && out[start..] != url
                {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::List(start)) => ordered.push(start),
            Event::End(TagEnd::List(_)) => {
                ordered.pop();
            }
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                match ordered.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item,
            ) => out.push('\n'),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented)) => {}
            _ => {}
        }
    }
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_may_break_after_a_link_glued_to_text() {
        assert_eq!(
            markdown_to_typst("[a](https://exemple.fr)bc et [d](https://exemple.fr)`e`"),
            "#link(\"https://exemple.fr\")[a]\u{200B}bc et #link(\"https://exemple.fr\")[d]\u{200B}#raw(\"e\")"
        );
        assert_eq!(
            markdown_to_typst("[a](https://exemple.fr) b"),
            "#link(\"https://exemple.fr\")[a] b"
        );
    }

    #[test]
    fn paragraphs_become_typst_paragraphs() {
        assert_eq!(markdown_to_typst("Un.\n\nDeux."), "Un.\n\nDeux.");
    }

    #[test]
    fn ordinal_superscript() {
        assert_eq!(
            markdown_to_typst("une 2ème structure"),
            "une 2#super[e] structure"
        );
        assert_eq!(
            markdown_to_html("une 2ème structure"),
            "<p>une 2<sup>e</sup> structure</p>"
        );
        assert_eq!(
            markdown_to_typst("un ^exposant^ seul"),
            "un #super[exposant] seul"
        );
    }

    #[test]
    fn lists_and_emphasis() {
        assert_eq!(
            markdown_to_typst("- *a*\n- **b**. suite"),
            "#list([#emph[a]], [#strong[b]\\. suite])"
        );
        assert_eq!(
            markdown_to_typst("3. trois\n4. quatre"),
            "#enum(start: 3, [trois], [quatre])"
        );
    }

    #[test]
    fn escaped_dash_stays_a_dash() {
        assert_eq!(
            markdown_to_typst(r"\- Fonctionnement"),
            r"\- Fonctionnement"
        );
        assert_eq!(markdown_to_plain(r"\- Fonctionnement"), "- Fonctionnement");
    }

    #[test]
    fn raw_html_is_text() {
        assert_eq!(
            markdown_to_html("<script>alert(1)</script>\n\na <b>b</b>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;\n<p>a &lt;b&gt;b&lt;/b&gt;</p>"
        );
        assert_eq!(markdown_to_typst("a <b>b</b>"), r"a \<b\>b\<\/b\>");
    }

    #[test]
    fn unsafe_links_lose_their_target() {
        assert_eq!(markdown_to_html("[x](javascript:alert(1))"), "<p>x</p>");
        assert_eq!(markdown_to_typst("[x](javascript:alert(1))"), "x");
        assert_eq!(
            markdown_to_typst("[site](https://exemple.fr)"),
            "#link(\"https://exemple.fr\")[site]"
        );
    }

    #[test]
    fn images_keep_alt_text_only() {
        assert_eq!(
            markdown_to_html("![logo](https://exemple.fr/a.png)"),
            "<p>logo</p>"
        );
        assert_eq!(markdown_to_typst("![logo](/etc/passwd)"), "logo");
    }

    #[test]
    fn document_headings_and_tables() {
        assert_eq!(
            markdown_to_typst_document("## Suite\n\n| a | b |\n|---|---|\n| 1 | 2 |", 2),
            "#heading(level: 2, outlined: false)[Suite]\n\n#table(columns: 2, table.header([a], [b], ), [1], [2], )"
        );
        assert!(markdown_to_html_document("## Suite", 3).starts_with("<h3>Suite</h3>"));
        // Levels follow each other, whatever the text skips.
        assert_eq!(
            heading_levels("# A\n\n### B\n\n## C\n\n# D", 2),
            [2, 3, 3, 2]
        );
        assert!(markdown_to_html("# Titre").starts_with("<h4>Titre</h4>"));
    }

    #[test]
    fn plain_text_strips_markup() {
        assert_eq!(
            markdown_to_plain("*a* et **b**\n\n- c\n- d"),
            "a et b\n- c\n- d"
        );
    }
}
