//! Stage 3 (convert): the redline of a cell for the amendment, its new text with
//! the words deleted from the old one and those inserted marked, as Typst markup
//! or HTML, or as blocks of marked runs ([`redline_blocks`]) that the Word
//! document writes itself.
//!
//! The comparison works on the parsed text, not on its Markdown source: both
//! texts become a flat sequence of tokens (block starts, words with their style,
//! line breaks), aligned by `words::align`, then written block by block. A mark
//! is always the outer element and styles go inside it, so the markup nests well
//! whatever the change (a deletion may start inside `**bold` and end after it).
//!
//! French typography is applied to each text of the parser before it is cut into
//! words, as `markdown_to_typst` does, so that "12 places" keeps its no-break
//! space whichever of its words change; the words are then escaped by
//! [`super::escape`] only. The three outputs share one walk of the aligned
//! tokens ([`walk`]): they differ only in what they do with a block start, a
//! word and a line break. In a redline, a cell's table is read as paragraphs,
//! nested quotes as one, and links keep their text only.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::escape::{html_prose, push_html, push_typst_markup, typst_string};
use super::markdown::parser;
use super::typography::{NBSP, NNBSP, Segment, segments};
use super::words::{Op, align};

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
    pub kind: Kind,
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
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
struct Block {
    kind: Kind,
    /// How many lists hold the block: an item's own, or the item a paragraph
    /// continues.
    depth: usize,
    /// Inside a quote (nested quotes count as one).
    quoted: bool,
}

/// The kind of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    /// A list item, with its list's first number when the list is numbered.
    Item(Option<u64>),
    /// A code block: its whole text is one word.
    Code,
    Rule,
}

/// Spaces that typography puts where a line must not break ("12 places",
/// "Objectif : "): kept as the separator between the words they join.
fn no_break(c: char) -> bool {
    matches!(c, NBSP | NNBSP | '\u{2007}')
}

/// The tokens of a Markdown text, French typography applied to its prose.
fn tokens(markdown: &str) -> Vec<Token> {
    let mut t = Tokenizer::default();
    for event in parser(markdown) {
        t.event(event);
    }
    join_numbers(t.tokens)
}

/// A number's groups and unit, words of one style, as one word with the
/// spaces between them (see [`super::words::continues_number`]): a changed
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
            && super::words::continues_number(text, next)
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
    fn block(&mut self, kind: Kind) {
        self.tokens.push(Token::Block(Block {
            kind,
            depth: self.lists.len(),
            quoted: self.quotes > 0,
        }));
        self.gap = Some(' ');
        self.fresh_item = matches!(kind, Kind::Item(_));
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
                    self.block(Kind::Paragraph);
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
                self.block(Kind::Rule);
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
                self.block(Kind::Paragraph);
            }
            Tag::List(start) => self.lists.push(start),
            Tag::Item => self.block(Kind::Item(self.lists.last().copied().flatten())),
            Tag::BlockQuote(_) => self.quotes += 1,
            Tag::CodeBlock(_) => {
                self.block(Kind::Code);
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
                kind: Kind::Paragraph,
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
            Kind::Item(_) => block.depth.min(self.lists + 1),
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

impl Sink for Writer {
    fn block(&mut self, block: Block) {
        self.flush();
        self.enter(block);
    }

    fn word(&mut self, mark: Mark, text: &str, style: u8, before: Option<char>) {
        push_word(&mut self.runs, mark, text, style, before);
    }

    fn line_break(&mut self) {
        self.runs.push(LINE_BREAK);
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

/// The markup of one output format.
struct Syntax {
    html: bool,
    /// Between two blocks of one container.
    block_sep: &'static str,
    paragraph: [&'static str; 2],
    code_block: [&'static str; 2],
    rule: &'static str,
    quote: [&'static str; 2],
    bullets: [&'static str; 2],
    numbers_end: &'static str,
    item: [&'static str; 2],
    item_sep: &'static str,
    line_break: &'static str,
    /// The element of each style but code.
    styles: [&'static str; CODE],
}

const TYPST: Syntax = Syntax {
    html: false,
    block_sep: "\n\n",
    paragraph: ["", ""],
    code_block: ["", ""],
    rule: "#line(length: 100%)",
    quote: ["#quote(block: true)[", "]"],
    bullets: ["#list(", ")"],
    numbers_end: ")",
    item: ["[", "]"],
    item_sep: ", ",
    line_break: "#linebreak()",
    styles: ["strong", "emph", "strike", "super", "sub"],
};

const HTML: Syntax = Syntax {
    html: true,
    block_sep: "\n",
    paragraph: ["<p>", "</p>"],
    code_block: ["<pre><code>", "</code></pre>"],
    rule: "<hr />",
    quote: ["<blockquote>\n", "\n</blockquote>"],
    bullets: ["<ul>\n", "\n</ul>"],
    numbers_end: "\n</ol>",
    item: ["<li>", "</li>"],
    item_sep: "\n",
    line_break: "<br />\n",
    // `<del>` means a deletion here: struck text is `<s>`.
    styles: ["strong", "em", "s", "sup", "sub"],
};

/// A container open in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Quote,
    List(Option<u64>),
    Item,
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

struct Writer {
    syntax: &'static Syntax,
    out: String,
    /// Open containers, each with whether something was written in it.
    frames: Vec<(Frame, bool)>,
    /// The block being written, and what closes it.
    kind: Option<Kind>,
    closer: &'static str,
    runs: Vec<Run>,
    /// Typst: the last thing written is a call that text could extend.
    after_call: bool,
}

impl Writer {
    fn new(syntax: &'static Syntax) -> Self {
        Self {
            syntax,
            out: String::new(),
            frames: vec![(Frame::Root, false)],
            kind: None,
            closer: "",
            runs: Vec::new(),
            after_call: false,
        }
    }

    /// Writes markup; a closing `]` or `)` ends a call.
    fn push(&mut self, markup: &str) {
        if !markup.is_empty() {
            self.out.push_str(markup);
            self.after_call = markup.ends_with([']', ')']);
        }
    }

    /// Writes the runs of the current block: each group of runs of one mark in
    /// one element, the spaces between them inside it.
    fn flush(&mut self) {
        if self.runs.is_empty() {
            return;
        }
        if self.kind.is_none() {
            self.enter(Block {
                kind: Kind::Paragraph,
                depth: 0,
                quoted: false,
            });
        }
        let code_block = self.kind == Some(Kind::Code);
        let runs = std::mem::take(&mut self.runs);
        for group in runs.chunk_by(|x, y| x.mark == y.mark) {
            for (i, run) in group.iter().enumerate() {
                if let Some(space) = run.before {
                    let mut buffer = [0; 4];
                    self.push(if code_block {
                        "\n"
                    } else {
                        space.encode_utf8(&mut buffer)
                    });
                }
                if i == 0 {
                    self.mark(run.mark, 0);
                }
                self.run(run, code_block);
            }
            self.mark(group[0].mark, 1);
        }
    }

    /// Opens (`side` 0) or closes (1) the element of a mark.
    fn mark(&mut self, mark: Mark, side: usize) {
        let (name, meaning) = match mark {
            Mark::Same => return,
            Mark::Deleted => ("del", "suppression : "),
            Mark::Inserted => ("ins", "ajout : "),
        };
        let markup = match (self.syntax.html, side) {
            (true, 0) => format!(
                "<{name}><span class=\"ctg-cache\">{}</span>",
                html_prose(meaning)
            ),
            (true, _) => format!("</{name}>"),
            (false, 0) => format!("#{name}["),
            (false, _) => "]".to_string(),
        };
        self.push(&markup);
    }

    fn run(&mut self, run: &Run, code_block: bool) {
        let Some(text) = &run.text else {
            return self.push(self.syntax.line_break);
        };
        let styles = (0..CODE).filter(|s| run.style & (1 << s) != 0);
        let html = self.syntax.html;
        // PDF/UA allows one line (under, over, through) on a text: a struck
        // word inserted, thus underlined, is written by the template's
        // `#ins-struck` instead.
        let name_of = |s: usize| match (html, run.mark, s) {
            (false, Mark::Inserted, STRIKE) => "ins-struck",
            _ => self.syntax.styles[s],
        };
        for s in styles.clone() {
            let name = name_of(s);
            self.push(&if html {
                format!("<{name}>")
            } else {
                format!("#{name}[")
            });
        }
        if run.style & (1 << CODE) == 0 {
            match self.syntax.html {
                true => push_html(&mut self.out, text),
                false => push_typst_markup(&mut self.out, text, self.after_call),
            }
            self.after_call &= text.is_empty();
        } else if self.syntax.html {
            let [open, close] = if code_block {
                ["", ""]
            } else {
                ["<code>", "</code>"]
            };
            self.push(open);
            push_html(&mut self.out, text);
            self.push(close);
        } else {
            let block = if code_block { "block: true, " } else { "" };
            self.push(&format!("#raw({block}{})", typst_string(text)));
        }
        for s in styles.rev() {
            let name = name_of(s);
            self.push(&if html {
                format!("</{name}>")
            } else {
                "]".to_string()
            });
        }
    }

    fn lists(&self) -> usize {
        let lists = self
            .frames
            .iter()
            .filter(|(f, _)| matches!(f, Frame::List(_)));
        lists.count()
    }

    /// Writes what separates a new block from what its container holds.
    fn separate(&mut self, list: bool) {
        let Some((frame, written)) = self.frames.last_mut() else {
            return;
        };
        let sep = match *frame {
            // In Typst, a list nested in an item follows the item's text directly.
            Frame::Item if list && !self.syntax.html => "",
            Frame::Item => self.syntax.block_sep,
            _ if *written => self.syntax.block_sep,
            _ => "",
        };
        *written = true;
        self.push(sep);
    }

    fn open(&mut self, frame: Frame) {
        let s = self.syntax;
        let opener = match frame {
            Frame::Quote => s.quote[0].to_string(),
            Frame::List(None) => s.bullets[0].to_string(),
            Frame::List(Some(1)) if s.html => "<ol>\n".to_string(),
            Frame::List(Some(n)) if s.html => format!("<ol start=\"{n}\">\n"),
            Frame::List(Some(n)) => format!("#enum(start: {n}, "),
            Frame::Item => {
                let items = self
                    .frames
                    .last_mut()
                    .map(|(_, items)| std::mem::replace(items, true));
                let sep = if items == Some(true) { s.item_sep } else { "" };
                format!("{sep}{}", s.item[0])
            }
            Frame::Root => String::new(),
        };
        self.push(&opener);
        self.frames.push((frame, false));
    }

    fn close(&mut self) {
        let s = self.syntax;
        let closer = match self.frames.pop() {
            Some((Frame::Item, true)) if s.html => "\n</li>",
            Some((Frame::Item, _)) => s.item[1],
            Some((Frame::List(None), _)) => s.bullets[1],
            Some((Frame::List(Some(_)), _)) => s.numbers_end,
            Some((Frame::Quote, _)) => s.quote[1],
            Some((Frame::Root, _)) | None => "",
        };
        self.push(closer);
    }

    /// Ends the block being written, then opens `block` in its containers.
    fn enter(&mut self, block: Block) {
        let closer = std::mem::take(&mut self.closer);
        self.push(closer);
        if self.frames.iter().any(|(f, _)| *f == Frame::Quote) != block.quoted {
            while self.frames.len() > 1 {
                self.close();
            }
            if block.quoted {
                self.separate(false);
                self.open(Frame::Quote);
            }
        }
        // An item opens at most one list more than are open: its parent item may
        // be a deleted block start left out.
        let depth = match block.kind {
            Kind::Item(_) => block.depth.min(self.lists() + 1),
            _ => block.depth.min(self.lists()),
        };
        while self.lists() > depth {
            self.close();
        }
        self.kind = Some(block.kind);
        let s = self.syntax;
        match block.kind {
            Kind::Item(start) => {
                if depth > 0 && self.lists() == depth {
                    // The open item ends; its list too, if of another kind.
                    let same = self
                        .frames
                        .iter()
                        .rev()
                        .find(|(f, _)| matches!(f, Frame::List(_)));
                    let same = same.is_some_and(|(f, _)| *f == Frame::List(start));
                    self.close();
                    if !same {
                        self.close();
                    }
                }
                if self.lists() < depth {
                    self.separate(true);
                    self.open(Frame::List(start));
                }
                self.open(Frame::Item);
            }
            Kind::Paragraph | Kind::Code | Kind::Rule => {
                self.separate(false);
                let [open, close] = match block.kind {
                    Kind::Paragraph => s.paragraph,
                    Kind::Code => s.code_block,
                    _ => [s.rule, ""],
                };
                self.push(open);
                self.closer = close;
            }
        }
    }

    fn finish(mut self) -> String {
        self.flush();
        let closer = std::mem::take(&mut self.closer);
        self.push(closer);
        while !self.frames.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{markdown_to_html, markdown_to_typst};

    const DEL: &str = "<del><span class=\"ctg-cache\">suppression\u{a0}: </span>";
    const INS: &str = "<ins><span class=\"ctg-cache\">ajout\u{a0}: </span>";

    fn both(old: &str, new: &str) -> (String, String) {
        (redline_typst(old, new), redline_html(old, new))
    }

    #[test]
    fn a_replaced_word() {
        let (typst, html) = both("Ouverture d'une crèche.", "Ouverture d'une micro-crèche.");
        assert_eq!(
            typst,
            r"Ouverture d\'une #del[crèche.] #ins[micro\-crèche.]"
        );
        assert_eq!(
            html,
            format!("<p>Ouverture d&#39;une {DEL}crèche.</del> {INS}micro-crèche.</ins></p>")
        );
    }

    #[test]
    fn an_item_added_to_a_list() {
        let (typst, html) = both("- un\n- trois", "- un\n- deux\n- trois");
        assert_eq!(typst, "#list([un], [#ins[deux]], [trois])");
        assert_eq!(
            html,
            format!("<ul>\n<li>un</li>\n<li>{INS}deux</ins></li>\n<li>trois</li>\n</ul>")
        );
    }

    #[test]
    fn a_paragraph_removed_stays_a_paragraph() {
        let (typst, html) = both("Un.\n\nDeux mots.\n\nTrois.", "Un.\n\nTrois.");
        assert_eq!(typst, "Un.\n\n#del[Deux mots.]\n\nTrois.");
        assert_eq!(
            html,
            format!("<p>Un.</p>\n<p>{DEL}Deux mots.</del></p>\n<p>Trois.</p>")
        );
    }

    #[test]
    fn a_change_of_layout_only_says_so() {
        // A paragraph split in two: the same words, no mark, and a note.
        let (typst, html) = both("Un mot. Deux mots.", "Un mot.\n\nDeux mots.");
        assert!(differs("Un mot. Deux mots.", "Un mot.\n\nDeux mots."));
        assert!(
            !typst.contains("#del") && !typst.contains("#ins"),
            "{typst}"
        );
        assert!(
            typst.ends_with("Deux mots.\n\n#text(fill: luma(70))[#emph[Mise en forme seule modifiée (paragraphes, listes ou retours à la ligne)\u{202f}; les mots sont inchangés.]]"),
            "{typst}"
        );
        assert_eq!(
            html,
            format!(
                "<p>Un mot.</p>\n<p>Deux mots.</p>\n<p class=\"ctg-inchange\">{LAYOUT_ONLY}</p>"
            )
        );
        // A line break added, a paragraph turned into a list item: the same.
        assert!(redline_html("a b", "a  \nb").ends_with(&format!("{LAYOUT_ONLY}</p>")));
        assert!(redline_html("a", "- a").ends_with(&format!("{LAYOUT_ONLY}</p>")));
        // A word changed: its marks say it, without the note.
        assert!(!redline_html("Un mot.", "Un autre mot.").contains(LAYOUT_ONLY));
        // The same text: no note either.
        assert!(!redline_html("Un mot.", "Un mot.").contains(LAYOUT_ONLY));
    }

    #[test]
    fn a_change_inside_bold_text_nests_the_style_in_the_mark() {
        let (typst, html) = both(
            "Budget : **100 000 €** par an",
            "Budget : **120 000 €** par an",
        );
        // The changed amount is marked whole, never a group of its digits
        // (« 100 120 000 € »); its strong style inside.
        assert_eq!(
            typst,
            "Budget\u{a0}: #del[#strong[100\u{202f}000\u{a0}€]] #ins[#strong[120\u{202f}000\u{a0}€]] par an"
        );
        assert_eq!(
            html,
            format!(
                "<p>Budget\u{a0}: {DEL}<strong>100\u{202f}000\u{a0}€</strong></del> {INS}<strong>120\u{202f}000\u{a0}€</strong></ins> par an</p>"
            )
        );
        // A mark spanning a style's end still nests well.
        assert_eq!(
            redline_typst("a **b c** d", "a **b x** y"),
            "a #strong[b] #del[#strong[c] d] #ins[#strong[x] y]"
        );
    }

    #[test]
    fn a_struck_word_inserted_is_not_struck_and_underlined() {
        // PDF/UA refuses two lines on one text: the template says it in words.
        let (typst, html) = both("a", "a ~~b~~");
        assert_eq!(typst, "a #ins[#ins-struck[b]]");
        assert!(html.contains("<s>b</s></ins>"), "{html}");
        let (typst, _) = both("a ~~b~~", "a");
        assert_eq!(typst, "a #del[#strike[b]]");
    }

    #[test]
    fn a_word_losing_its_emphasis_is_deleted_and_inserted() {
        let (typst, html) = both("un *mot* ici", "un mot ici");
        assert_eq!(typst, "un #del[#emph[mot]] #ins[mot] ici");
        assert_eq!(
            html,
            format!("<p>un {DEL}<em>mot</em></del> {INS}mot</ins> ici</p>")
        );
    }

    #[test]
    fn typography_is_kept_around_the_marks() {
        let (typst, html) = both("Objectif : 12 places", "Objectif : 14 places");
        assert_eq!(typst, "Objectif\u{a0}: #del[12] #ins[14]\u{a0}places");
        assert_eq!(
            html,
            format!("<p>Objectif\u{a0}: {DEL}12</del> {INS}14</ins>\u{a0}places</p>")
        );
        assert_eq!(
            redline_typst("une 2ème fois", "une 3ème fois"),
            "une #del[2] #ins[3]#super[e] fois"
        );
    }

    #[test]
    fn an_empty_side_marks_everything() {
        let (typst, html) = both("", "Un **deux**\n\n- trois");
        assert_eq!(typst, "#ins[Un #strong[deux]]\n\n#list([#ins[trois]])");
        assert_eq!(
            html,
            format!(
                "<p>{INS}Un <strong>deux</strong></ins></p>\n<ul>\n<li>{INS}trois</ins></li>\n</ul>"
            )
        );
        let (typst, html) = both("- a\n  - b\n- c", "");
        assert_eq!(typst, "#list([#del[a]#list([#del[b]])], [#del[c]])");
        assert_eq!(
            html,
            format!(
                "<ul>\n<li>{DEL}a</del>\n<ul>\n<li>{DEL}b</del></li>\n</ul>\n</li>\n<li>{DEL}c</del></li>\n</ul>"
            )
        );
        assert_eq!(both("", ""), (String::new(), String::new()));
    }

    #[test]
    fn an_unchanged_text_is_written_as_elsewhere() {
        for text in [
            "Un 2ème **mot**. Suite : fin !",
            "- *a*\n- **b**. suite\n\n> cité\n\n3. trois\n4. quatre",
        ] {
            assert_eq!(redline_typst(text, text), markdown_to_typst(text));
            assert_eq!(redline_html(text, text), markdown_to_html(text));
        }
    }

    #[test]
    fn differs_only_in_what_a_reader_sees() {
        assert!(!differs("*a*", "_a_"));
        assert!(!differs(
            "un  mot\nsur deux lignes",
            "un mot sur deux lignes"
        ));
        assert!(!differs("Objectif: 12 places", "Objectif : 12 places"));
        assert!(differs("*a*", "a"));
        assert!(differs("un mot", "un autre mot"));
        assert!(differs("- a\n- b", "- a\n\n  b"));
    }

    #[test]
    fn hostile_text_stays_literal() {
        let text = r"#set $x$ ] [ @ref \ `#raw` 🎉 <script>alert(1)</script>";
        let (typst, html) = both(&format!("{text} fin"), &format!("{text} suite"));
        // The kept part is escaped exactly as the plan's cells are.
        assert_eq!(
            typst,
            format!("{} #del[fin] #ins[suite]", markdown_to_typst(text))
        );
        assert!(
            !html.contains("<script") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
        assert!(html.contains("#set $x$ ] [ @ref \\ <code>#raw</code> 🎉"));
    }

    /// The Typst markup compiles, and the hostile text prints as written.
    #[test]
    fn the_typst_markup_compiles_and_prints_the_text() {
        use crate::render::pdf::{Export, Images, compile, page_texts};
        let text = r"#set $x$ ] [ @ref \ 🎉 <script>alert(1)</script> (a). 1. b";
        let body = redline_typst(
            &format!("{text} fin\n\n- un"),
            &format!("{text} suite\n\n- un\n- deux"),
        );
        let source = format!(
            "#set document(title: \"t\")\n#set text(lang: \"fr\")\n#let del(body) = text(fill: red, body)\n#let ins(body) = text(fill: blue, body)\n#block[{body}]"
        );
        let export = Export {
            ident: "redline".into(),
            timestamp: 0,
        };
        let pdf = compile("redline.typ", source, Images::default(), &export).expect("compiles");
        // The printed words, in order (the layout splits runs at the emoji).
        let printed = page_texts(&pdf.document).join(" ");
        let printed: Vec<&str> = printed.split_whitespace().collect();
        let expected = format!("{text} fin suite • un • deux");
        assert_eq!(printed, expected.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn the_blocks_are_those_the_markup_writes() {
        let run = |mark, text: &str, before| Run {
            mark,
            style: 0,
            text: Some(text.to_string()),
            before,
        };
        let item = |depth, runs| RedlineBlock {
            kind: Kind::Item(None),
            depth,
            quoted: false,
            runs,
        };
        let compared = redline_blocks("- un\n  - deux\n- trois", "- un\n  - deux mots\n- trois");
        assert_eq!(
            compared,
            Redline {
                blocks: vec![
                    item(1, vec![run(Mark::Same, "un", None)]),
                    item(
                        2,
                        vec![
                            run(Mark::Same, "deux", None),
                            run(Mark::Inserted, "mots", Some(' '))
                        ]
                    ),
                    item(1, vec![run(Mark::Same, "trois", None)]),
                ],
                layout_only: false,
            }
        );
        // A bold amount: its style on the run; a numbered list's first number.
        let compared = redline_blocks("3. **12** €", "3. **15** €");
        assert_eq!(compared.blocks[0].kind, Kind::Item(Some(3)));
        let runs = &compared.blocks[0].runs;
        assert!(runs[0].is(STRONG) && runs[0].mark == Mark::Deleted);
        assert!(runs[1].is(STRONG) && runs[1].mark == Mark::Inserted);
        assert!(!runs[2].is(STRONG) && runs[2].mark == Mark::Same);
        // The note of a change of layout only, as the markup's.
        let texts = [
            "Un mot. Deux mots.",
            "Un mot.\n\nDeux mots.",
            "- Un mot. Deux mots.",
            "Un mot. Trois.",
        ];
        for old in texts {
            for new in texts {
                assert_eq!(
                    redline_blocks(old, new).layout_only,
                    redline_html(old, new).contains(LAYOUT_ONLY),
                    "{old:?} → {new:?}"
                );
            }
        }
    }

    /// Every pair of these texts gives well nested markup in both formats.
    #[test]
    fn markup_is_well_nested_whatever_the_change() {
        let texts = [
            "",
            "Un **deux trois** quatre",
            "Un *deux **trois** quatre* cinq",
            "- a\n- b\n  - c\n\n> d **e**\n\n```\nf\n```",
            "1. a\n2. b\n\nc  \nd ~~e~~ ^f^ `g`",
            "# Titre\n\nTexte [lien](https://exemple.fr) ---\n\n---",
            "> - a\n> - b\n\nc",
        ];
        for old in texts {
            for new in texts {
                html_nests(&redline_html(old, new));
                typst_nests(&redline_typst(old, new));
            }
        }
    }

    fn html_nests(html: &str) {
        let mut open = Vec::new();
        for tag in html.split('<').skip(1) {
            let name = tag.split(['>', ' ']).next().unwrap_or_default();
            match name.strip_prefix('/') {
                Some(closed) => assert_eq!(open.pop(), Some(closed), "{html}"),
                None if tag.contains("/>") => {}
                None => open.push(name),
            }
        }
        assert!(open.is_empty(), "{html}");
    }

    fn typst_nests(typst: &str) {
        let (mut open, mut string) = (Vec::new(), false);
        let mut chars = typst.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => string = !string,
                '[' | '(' if !string => open.push(c),
                ']' if !string => assert_eq!(open.pop(), Some('['), "{typst}"),
                ')' if !string => assert_eq!(open.pop(), Some('('), "{typst}"),
                _ => {}
            }
        }
        assert!(open.is_empty() && !string, "{typst}");
    }
}
