//! The redline as markup, Typst or HTML: one writer, told the syntax of its
//! format, that nests the blocks in their quotes and lists, and the styles of
//! each run inside its mark.

use super::tokens::Block;
use super::{BlockKind, CODE, LINE_BREAK, Mark, Run, STRIKE, Sink, push_word};
use crate::text::escape::{html_prose, push_html, push_typst_markup, typst_string};

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

/// The markup of one output format.
pub(super) struct Syntax {
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

pub(super) const TYPST: Syntax = Syntax {
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

pub(super) const HTML: Syntax = Syntax {
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

pub(super) struct Writer {
    syntax: &'static Syntax,
    out: String,
    /// Open containers, each with whether something was written in it.
    frames: Vec<(Frame, bool)>,
    /// The block being written, and what closes it.
    kind: Option<BlockKind>,
    closer: &'static str,
    runs: Vec<Run>,
    /// Typst: the last thing written is a call that text could extend.
    after_call: bool,
}

impl Writer {
    pub(super) fn new(syntax: &'static Syntax) -> Self {
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
                kind: BlockKind::Paragraph,
                depth: 0,
                quoted: false,
            });
        }
        let code_block = self.kind == Some(BlockKind::Code);
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
            BlockKind::Item(_) => block.depth.min(self.lists() + 1),
            _ => block.depth.min(self.lists()),
        };
        while self.lists() > depth {
            self.close();
        }
        self.kind = Some(block.kind);
        let s = self.syntax;
        match block.kind {
            BlockKind::Item(start) => {
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
            BlockKind::Paragraph | BlockKind::Code | BlockKind::Rule => {
                self.separate(false);
                let [open, close] = match block.kind {
                    BlockKind::Paragraph => s.paragraph,
                    BlockKind::Code => s.code_block,
                    _ => [s.rule, ""],
                };
                self.push(open);
                self.closer = close;
            }
        }
    }

    pub(super) fn finish(mut self) -> String {
        self.flush();
        let closer = std::mem::take(&mut self.closer);
        self.push(closer);
        while !self.frames.is_empty() {
            self.close();
        }
        self.out
    }
}
