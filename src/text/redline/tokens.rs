//! A cell's Markdown as the redline compares it: a flat sequence of tokens,
//! block starts, words with their style and line breaks, French typography
//! applied to its prose, a number's groups and unit one word.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{BlockKind, CODE, EMPH, STRIKE, STRONG, SUB, SUPER};
use crate::text::markdown::parser;
use crate::text::typography::{NBSP, NNBSP, Segment, segments};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Block(Block),
    /// A word as typeset, with the space written before it (`None` when it is
    /// glued to the previous word, as the `e` of `2e` or a word after `**a**`).
    Word {
        text: String,
        style: u8,
        before: Option<char>,
    },
    Break,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) kind: BlockKind,
    /// How many lists hold the block: an item's own, or the item a paragraph
    /// continues.
    pub(super) depth: usize,
    /// Inside a quote (nested quotes count as one).
    pub(super) quoted: bool,
}

/// Spaces that typography puts where a line must not break ("12 places",
/// "Objectif : "): kept as the separator between the words they join.
fn no_break(c: char) -> bool {
    matches!(c, NBSP | NNBSP | '\u{2007}')
}

/// The tokens of a Markdown text, French typography applied to its prose.
pub(super) fn tokens(markdown: &str) -> Vec<Token> {
    let mut t = Tokenizer::default();
    for event in parser(markdown) {
        t.event(event);
    }
    join_numbers(t.tokens)
}

/// A number's groups and unit, words of one style, as one word with the
/// spaces between them (see [`crate::text::words::continues_number`]): a changed
/// amount is marked whole.
fn join_numbers(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let Token::Word {
            text: next,
            style: next_style,
            before: Some(gap),
        } = &token
            && let Some(Token::Word { text, style, .. }) = out.last_mut()
            && style == next_style
            && crate::text::words::continues_number(text, next)
        {
            text.push(*gap);
            text.push_str(next);
            continue;
        }
        out.push(token);
    }
    out
}

#[derive(Default)]
struct Tokenizer {
    tokens: Vec<Token>,
    /// How many elements of each style are open.
    open: [usize; 6],
    /// The open lists' first numbers.
    lists: Vec<Option<u64>>,
    quotes: usize,
    /// The space seen since the last word.
    gap: Option<char>,
    /// An item has just started: its first paragraph is the item itself.
    fresh_item: bool,
    /// A container has just ended: further words open a new paragraph.
    reopen: bool,
    /// The text of the code block being read.
    code: Option<String>,
}

impl Tokenizer {
    fn block(&mut self, kind: BlockKind) {
        self.tokens.push(Token::Block(Block {
            kind,
            depth: self.lists.len(),
            quoted: self.quotes > 0,
        }));
        self.gap = Some(' ');
        self.fresh_item = matches!(kind, BlockKind::Item(_));
        self.reopen = false;
    }

    fn style(&self) -> u8 {
        (0..=CODE)
            .filter(|s| self.open[*s] > 0)
            .map(|s| 1 << s)
            .sum()
    }

    fn toggle(&mut self, style: usize, on: bool) {
        let open = &mut self.open[style];
        *open = if on {
            *open + 1
        } else {
            open.saturating_sub(1)
        };
    }

    /// Cuts `text` into words at every space where a line may break.
    fn words(&mut self, text: &str, extra: Option<usize>) {
        let style = self.style() | extra.map_or(0, |s| 1 << s);
        let mut in_word = false;
        for c in text.chars() {
            if c.is_whitespace() {
                in_word = false;
                self.gap = match self.gap {
                    _ if !no_break(c) => Some(' '),
                    None => Some(c),
                    kept => kept,
                };
            } else if in_word && let Some(Token::Word { text, .. }) = self.tokens.last_mut() {
                text.push(c);
            } else {
                if self.reopen || self.tokens.is_empty() {
                    self.block(BlockKind::Paragraph);
                }
                let before = self.gap.take();
                self.tokens.push(Token::Word {
                    text: c.to_string(),
                    style,
                    before,
                });
                self.fresh_item = false;
                in_word = true;
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Text(t) if self.code.is_some() => self.code.get_or_insert_default().push_str(&t),
            Event::Text(t) => {
                for segment in segments(&t) {
                    match segment {
                        Segment::Plain(s) => self.words(&s, None),
                        Segment::Super(s) => self.words(&s, Some(SUPER)),
                    }
                }
            }
            // Raw HTML is shown as written, without typography, as elsewhere.
            Event::Html(t) | Event::InlineHtml(t) => self.words(&t, None),
            Event::Code(t) => self.words(&t, Some(CODE)),
            Event::SoftBreak => self.gap = Some(' '),
            Event::HardBreak => {
                self.tokens.push(Token::Break);
                self.gap = Some(' ');
            }
            Event::Rule => {
                self.block(BlockKind::Rule);
                self.reopen = true;
            }
            Event::TaskListMarker(done) => self.words(if done { "☑" } else { "☐" }, None),
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.words(&t, None)
            }
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            // A heading in a cell is a bold paragraph; a table's cells are
            // paragraphs, in reading order.
            Tag::Paragraph | Tag::Heading { .. } | Tag::TableCell | Tag::HtmlBlock => {
                if matches!(tag, Tag::Heading { .. }) {
                    self.toggle(STRONG, true);
                }
                if std::mem::take(&mut self.fresh_item) {
                    return;
                }
                self.block(BlockKind::Paragraph);
            }
            Tag::List(start) => self.lists.push(start),
            Tag::Item => self.block(BlockKind::Item(self.lists.last().copied().flatten())),
            Tag::BlockQuote(_) => self.quotes += 1,
            Tag::CodeBlock(_) => {
                self.block(BlockKind::Code);
                self.code = Some(String::new());
            }
            Tag::Strong => self.toggle(STRONG, true),
            Tag::Emphasis => self.toggle(EMPH, true),
            Tag::Strikethrough => self.toggle(STRIKE, true),
            Tag::Superscript => self.toggle(SUPER, true),
            Tag::Subscript => self.toggle(SUB, true),
            // Links keep their text only; images their alternative text.
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) | TagEnd::Strong => self.toggle(STRONG, false),
            TagEnd::Emphasis => self.toggle(EMPH, false),
            TagEnd::Strikethrough => self.toggle(STRIKE, false),
            TagEnd::Superscript => self.toggle(SUPER, false),
            TagEnd::Subscript => self.toggle(SUB, false),
            TagEnd::List(_) => {
                self.lists.pop();
                self.reopen = true;
            }
            TagEnd::BlockQuote(_) => {
                self.quotes = self.quotes.saturating_sub(1);
                self.reopen = true;
            }
            TagEnd::Item => self.reopen = true,
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                let text = code.trim_end_matches('\n').to_string();
                self.tokens.push(Token::Word {
                    text,
                    style: 1 << CODE,
                    before: Some(' '),
                });
                self.reopen = true;
            }
            _ => {}
        }
    }
}
