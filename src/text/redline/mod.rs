//! The redline of a cell for the amendment, its new text with
//! the words deleted from the old one and those inserted marked, as Typst markup
//! or HTML, or as blocks of marked runs ([`redline_blocks`]) that the Word
//! document writes itself.
//!
//! The comparison works on the parsed text, not on its Markdown source: both
//! texts become a flat sequence of tokens ([`tokens`]: block starts, words with
//! their style, line breaks), aligned by `words::align`, then written block by
//! block ([`writer`]). A mark is always the outer element and styles go inside
//! it, so the markup nests well whatever the change (a deletion may start
//! inside `**bold` and end after it).
//!
//! French typography is applied to each text of the parser before it is cut into
//! words, as `markdown_to_typst` does, so that "12 places" keeps its no-break
//! space whichever of its words change; the words are then escaped by
//! [`super::escape`] only. The three outputs share one walk of the aligned
//! tokens ([`walk`]): they differ only in what they do with a block start, a
//! word and a line break. In a redline, a cell's table is read as paragraphs,
//! nested quotes as one, and links keep their text only.

#[cfg(test)]
mod tests;
mod tokens;
mod writer;

use super::escape::{push_html, push_typst_markup};
use super::words::{Op, align};
use tokens::{Block, Token, tokens};
use writer::{HTML, TYPST, Writer};

/// The cell text `new` against `old` (both Markdown), as Typst markup to sit
/// inside a content block `[…]`: the words deleted from `old` inside `#del[…]`,
/// those inserted inside `#ins[…]` (functions the document's template defines,
/// with `#ins-struck[…]` for struck words inserted),
/// the rest as `markdown_to_typst` writes it.
pub fn redline_typst(old: &str, new: &str) -> String {
    redline(old, new, false)
}

/// The same as an HTML fragment: deleted runs in `<del>`, inserted runs in
/// `<ins>`, each opening with a visually hidden statement of its meaning
/// (`<span class="ctg-cache">suppression : </span>`, `ajout : `).
pub fn redline_html(old: &str, new: &str) -> String {
    redline(old, new, true)
}

/// The same as blocks of runs, for a writer that builds its document itself
/// (the Word document): each block with its kind, its list depth and whether
/// it is quoted, each run with its mark, its styles and its text.
pub fn redline_blocks(old: &str, new: &str) -> Redline {
    let mut collector = Collector::default();
    let layout_only = walk(old, new, &mut collector);
    Redline {
        blocks: collector.blocks,
        layout_only,
    }
}

/// A cell's redline as blocks (see [`redline_blocks`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redline {
    pub blocks: Vec<RedlineBlock>,
    /// The layout alone changed, no word: the writer adds [`LAYOUT_ONLY`].
    pub layout_only: bool,
}

/// A paragraph, list item, code block or rule of a redline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedlineBlock {
    pub kind: BlockKind,
    /// How many lists hold the block, as the Typst and HTML writers nest it: an
    /// item is at most one list deeper than the block before.
    pub depth: usize,
    pub quoted: bool,
    pub runs: Vec<Run>,
}

/// What a cell says when its text changes in layout only (paragraphs, lists,
/// line breaks) and no word is marked: otherwise nothing would show the change.
/// Its space before the semicolon is already the typographic one.
pub const LAYOUT_ONLY: &str = "Mise en forme seule modifiée (paragraphes, listes ou retours à la ligne)\u{202f}; les mots sont inchangés.";

/// Whether the two cell texts differ in what a reader sees (not only in Markdown
/// spelling, `*a*` against `_a_`, or in spaces and line wrapping in a paragraph).
pub fn differs(old: &str, new: &str) -> bool {
    tokens(old) != tokens(new)
}

/// Inline styles: a word's style has bit `1 << s` for each style `s` it is in.
/// They are written outermost first in this order; code last, as it holds
/// text, not markup.
pub const STRONG: usize = 0;
pub const EMPH: usize = 1;
pub const STRIKE: usize = 2;
pub const SUPER: usize = 3;
pub const SUB: usize = 4;
pub const CODE: usize = 5;

/// The kind of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    /// A list item, with its list's first number when the list is numbered.
    Item(Option<u64>),
    /// A code block: its whole text is one word.
    Code,
    Rule,
}

/// Whether words are kept, deleted from the old text or inserted in the new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Same,
    Deleted,
    Inserted,
}

/// What a redline's writer does with the aligned tokens, in order.
trait Sink {
    /// A block starts (the previous one ends).
    fn block(&mut self, block: Block);
    fn word(&mut self, mark: Mark, text: &str, style: u8, before: Option<char>);
    fn line_break(&mut self);
}

/// Aligns the tokens of `old` and `new` and hands them to `sink`; whether the
/// texts differ in layout only.
fn walk(old: &str, new: &str, sink: &mut impl Sink) -> bool {
    let (a, b) = (tokens(old), tokens(new));
    let mut merged: Vec<(Mark, &Token)> = Vec::with_capacity(a.len().max(b.len()));
    for op in align(&a, &b, |x, y| x == y) {
        match op {
            Op::Same(_, j) => merged.push((Mark::Same, &b[j])),
            Op::Deleted(i) => merged.push((Mark::Deleted, &a[i])),
            Op::Inserted(j) => merged.push((Mark::Inserted, &b[j])),
        }
    }
    // In each run of changes, the deletions first.
    for run in merged.chunk_by_mut(|x, y| (x.0 == Mark::Same) == (y.0 == Mark::Same)) {
        run.sort_by_key(|(mark, _)| *mark == Mark::Inserted);
    }
    slide(&mut merged);
    let changed = |words: bool| {
        merged.iter().any(|(mark, token)| {
            *mark != Mark::Same && (!words || matches!(token, Token::Word { .. }))
        })
    };
    let layout_only = changed(false) && !changed(true);
    for (k, &(mark, token)) in merged.iter().enumerate() {
        match token {
            Token::Block(block) if mark != Mark::Deleted || removed_block(&merged[k + 1..]) => {
                sink.block(*block)
            }
            Token::Word {
                text,
                style,
                before,
            } => sink.word(mark, text, *style, *before),
            Token::Break if mark != Mark::Deleted => sink.line_break(),
            // A deleted block start whose words stay joins its words to the
            // block before, as in the new text; a deleted line break is gone.
            _ => {}
        }
    }
    layout_only
}

fn redline(old: &str, new: &str, html: bool) -> String {
    let mut w = Writer::new(if html { &HTML } else { &TYPST });
    let layout_only = walk(old, new, &mut w);
    let mut out = w.finish();
    if layout_only {
        if html {
            out.push_str("\n<p class=\"ctg-inchange\">");
            push_html(&mut out, LAYOUT_ONLY);
            out.push_str("</p>");
        } else {
            out.push_str("\n\n#text(fill: luma(70))[#emph[");
            push_typst_markup(&mut out, LAYOUT_ONLY, false);
            out.push_str("]]");
        }
    }
    out
}

/// Adds a word to the runs of a block: to the last run when of the same mark
/// and style, with the space before it; the space at the start of a block or
/// of a line is left out.
fn push_word(runs: &mut Vec<Run>, mark: Mark, text: &str, style: u8, before: Option<char>) {
    let before = before.filter(|_| runs.last().is_some_and(|r| r.text.is_some()));
    match runs.last_mut() {
        Some(Run {
            mark: m,
            style: s,
            text: Some(run),
            ..
        }) if *m == mark && *s == style => {
            run.extend(before);
            run.push_str(text);
        }
        _ => runs.push(Run {
            mark,
            style,
            text: Some(text.to_string()),
            before,
        }),
    }
}

/// The line break of a block's runs.
const LINE_BREAK: Run = Run {
    mark: Mark::Same,
    style: 0,
    text: None,
    before: None,
};

/// The writer of [`redline_blocks`]: blocks of runs, nested as the markup
/// writers nest them.
#[derive(Default)]
struct Collector {
    blocks: Vec<RedlineBlock>,
    /// How many lists are open after the last block.
    lists: usize,
}

impl Collector {
    fn current(&mut self) -> &mut RedlineBlock {
        if self.blocks.is_empty() {
            self.block(Block {
                kind: BlockKind::Paragraph,
                depth: 0,
                quoted: false,
            });
        }
        self.blocks.last_mut().expect("a block, pushed above")
    }
}

impl Sink for Collector {
    fn block(&mut self, block: Block) {
        // Entering or leaving a quote closes every list, as in the markup.
        if self.blocks.last().is_some_and(|b| b.quoted) != block.quoted {
            self.lists = 0;
        }
        let depth = match block.kind {
            BlockKind::Item(_) => block.depth.min(self.lists + 1),
            _ => block.depth.min(self.lists),
        };
        self.lists = depth;
        self.blocks.push(RedlineBlock {
            kind: block.kind,
            depth,
            quoted: block.quoted,
            runs: Vec::new(),
        });
    }

    fn word(&mut self, mark: Mark, text: &str, style: u8, before: Option<char>) {
        push_word(&mut self.current().runs, mark, text, style, before);
    }

    fn line_break(&mut self) {
        self.current().runs.push(LINE_BREAK);
    }
}

/// Whether the tokens after a deleted block start, up to the next block, are
/// all deleted words: the block itself is gone, and is shown in its place.
fn removed_block(rest: &[(Mark, &Token)]) -> bool {
    let words = rest
        .iter()
        .take_while(|(_, t)| !matches!(t, Token::Block(_)));
    let mut any = false;
    for (mark, token) in words {
        if *mark != Mark::Deleted {
            return false;
        }
        any |= matches!(token, Token::Word { .. });
    }
    any
}

/// Moves each run of only deletions (or only insertions) along equal tokens so
/// that it starts with a block start where it can: a removed paragraph is
/// "start, words", not "words, next start" (the alignment cannot tell them apart).
fn slide(merged: &mut [(Mark, &Token)]) {
    let mut k = 0;
    while k < merged.len() {
        let mark = merged[k].0;
        let len = merged[k..].iter().take_while(|(m, _)| *m == mark).count();
        let end = k + len;
        let alone = |i: Option<usize>| {
            i.and_then(|i| merged.get(i))
                .is_none_or(|(m, _)| *m == Mark::Same)
        };
        let pure = mark != Mark::Same && alone(k.checked_sub(1)) && alone(Some(end));
        let mut next = end;
        if pure && !matches!(merged[k].1, Token::Block(_)) {
            // The earliest place the run can take, then the first from there on
            // where it starts with a block.
            let mut s = k;
            while s > 0 && merged[s - 1].0 == Mark::Same && merged[s - 1].1 == merged[s + len - 1].1
            {
                s -= 1;
            }
            while !matches!(merged[s].1, Token::Block(_))
                && s + len < merged.len()
                && (s + len < end || merged[s + len].0 == Mark::Same)
                && merged[s + len].1 == merged[s].1
            {
                s += 1;
            }
            if matches!(merged[s].1, Token::Block(_)) {
                next = end.max(s + len);
                for (i, entry) in merged.iter_mut().enumerate().take(next).skip(k.min(s)) {
                    entry.0 = if (s..s + len).contains(&i) {
                        mark
                    } else {
                        Mark::Same
                    };
                }
            }
        }
        k = next;
    }
}

/// Words of one mark and one style, with the space before them (`None` at the
/// start of a block); `text` is `None` for a line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub mark: Mark,
    /// Bit `1 << s` for each style `s` ([`STRONG`], [`EMPH`]…) of its words.
    pub style: u8,
    pub text: Option<String>,
    pub before: Option<char>,
}

impl Run {
    /// Whether its words are in `style` ([`STRONG`], [`EMPH`]…).
    pub fn is(&self, style: usize) -> bool {
        self.style & (1 << style) != 0
    }
}
