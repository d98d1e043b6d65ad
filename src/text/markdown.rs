//! Markdown cell text (CommonMark, with strikethrough and `^superscript^`) to Typst
//! markup, to HTML and to plain text, with pulldown-cmark as the only parser.
//!
//! Raw HTML in a cell is shown as text, never passed through: cell text is data.

use pulldown_cmark::{
    CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeStream,
};

use super::escape::{push_typst_prose, push_typst_markup, typst_string};
use super::typography::{Segment, segments};

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SUPERSCRIPT,
    )
}

/// Only these link targets become links; anything else (`javascript:`, `file:`,
/// relative paths) keeps its text and loses the link.
fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Converts Markdown to Typst markup meant to sit inside a content block `[…]`.
pub fn markdown_to_typst(markdown: &str) -> String {
    let mut w = TypstWriter::default();
    for event in parser(markdown) {
        w.event(event);
    }
    w.out
}

#[derive(Default)]
struct TypstWriter {
    out: String,
    /// For each open container (the cell, a list item, a quote): has a block already
    /// been written in it?
    blocks: Vec<bool>,
    /// For each open list: has an item already been written?
    items: Vec<bool>,
    /// Whether the last thing written is an embedded call that text could extend.
    after_call: bool,
    /// Links whose target was refused close without markup.
    links: Vec<bool>,
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
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
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
                self.raw("#strong[");
            }
            Tag::BlockQuote(_) => {
                self.block();
                self.raw("#quote(block: true)[");
                self.blocks.push(false);
            }
            Tag::CodeBlock(_) => {
                self.block();
                self.raw("#raw(block: true, ");
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
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => self.close_call("]"),
            TagEnd::BlockQuote(_) => {
                self.blocks.pop();
                self.close_call("]");
            }
            TagEnd::CodeBlock => self.close_call(")"),
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
            TagEnd::Link if self.links.pop() == Some(true) => self.close_call("]"),
            _ => {}
        }
    }
}

/// Converts Markdown to an HTML fragment. Raw HTML is escaped as text, images keep
/// only their alternative text (the page makes no external request) and links
/// with an unsafe target keep only their text.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut refused_links = Vec::new();
    let mut in_image = 0usize;
    let events = parser(markdown).filter_map(|event| match event {
        Event::InlineHtml(t) => Some(Event::Html(t)),
        Event::Html(t) => Some(Event::Html(t)),
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let safe = is_safe_url(dest_url);
            refused_links.push(!safe);
            safe.then_some(event)
        }
        Event::End(TagEnd::Link) => (refused_links.pop() == Some(false)).then_some(event),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image -= 1;
            None
        }
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => {
            // Headings inside a cell must not break the page outline: keep them
            // below the page's own headings.
            let level = level.max(HeadingLevel::H4);
            Some(Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }))
        }
        Event::End(TagEnd::Heading(level)) => {
            Some(Event::End(TagEnd::Heading(level.max(HeadingLevel::H4))))
        }
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
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
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
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                out.push('\n')
            }
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
    fn plain_text_strips_markup() {
        assert_eq!(
            markdown_to_plain("*a* et **b**\n\n- c\n- d"),
            "a et b\n- c\n- d"
        );
    }
}
