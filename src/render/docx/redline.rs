//! Word documents, a changed cell of an amendment: its redline, compared by
//! [`crate::text::redline::redline_blocks`] (the Typst and HTML writers'
//! tokens and alignment), as Word paragraphs with the PDF's marks, readable
//! without colour: inserted words underlined between `{+` and `+}`, deleted
//! words struck between `[-` and `-]`. These are visible marks, not Word's
//! tracked changes: the document is signed as it reads. Lists are Word lists.

use docx_rs::{AlignmentType, BreakType, IndentLevel, NumberingId, Run};

use super::markdown::{Block, Format};
use super::{Writer, styles};
use crate::text::redline::{self, CODE, EMPH, Kind, Mark, STRIKE, STRONG, SUB, SUPER};

/// The colours of the marks, the PDF's.
const INSERTED_COLOUR: &str = "14532D";
const DELETED_COLOUR: &str = "9B1C1C";

/// The paragraphs of a cell changed from `old` to `new` (both Markdown),
/// aligned as `align` says; the note [`redline::LAYOUT_ONLY`] last when only
/// the layout changed.
pub fn cell(w: &mut Writer, old: &str, new: &str, align: Option<AlignmentType>) -> Vec<Block> {
    let compared = redline::redline_blocks(old, new);
    let mut blocks = Vec::new();
    // The open lists, outer first: the first number of each (`None` for
    // bullets) and its numbering instance.
    let mut lists: Vec<(Option<u64>, usize)> = Vec::new();
    let mut quoted = false;
    for block in &compared.blocks {
        if block.quoted != quoted {
            lists.clear();
            quoted = block.quoted;
        }
        let mut paragraph = match block.kind {
            Kind::Item(start) => {
                let depth = block.depth.max(1);
                lists.truncate(depth);
                if lists.len() == depth && lists[depth - 1].0 != start {
                    lists.pop();
                }
                while lists.len() < depth {
                    let level = lists.len();
                    let numbering = match start {
                        Some(n) => w.numbered_list(level, usize::try_from(n).unwrap_or(1)),
                        None => styles::BULLETS,
                    };
                    lists.push((start, numbering));
                }
                w.paragraph(styles::CELL_LIST).numbering(
                    NumberingId::new(lists[depth - 1].1),
                    IndentLevel::new(depth - 1),
                )
            }
            _ => {
                lists.truncate(block.depth);
                let style = match block.kind {
                    Kind::Code => styles::CODE_BLOCK,
                    Kind::Rule => styles::RULE,
                    _ if block.depth > 0 => styles::CELL_LIST,
                    _ if block.quoted => styles::QUOTE,
                    _ => styles::CELL,
                };
                let paragraph = w.paragraph(style);
                if block.depth > 0 {
                    // A paragraph that continues an item lines up with its text.
                    let (left, _) = styles::list_indent(block.depth - 1);
                    paragraph.indent(Some(left), None, None, None)
                } else {
                    paragraph
                }
            }
        };
        if let Some(align) = align {
            paragraph = paragraph.align(align);
        }
        for run in runs(&block.runs) {
            paragraph = paragraph.add_run(run);
        }
        blocks.push(Block::Paragraph(paragraph));
    }
    if compared.layout_only {
        blocks.push(Block::Paragraph(
            w.text(styles::UNCHANGED, redline::LAYOUT_ONLY),
        ));
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(w.paragraph(styles::CELL)));
    }
    blocks
}

/// The runs of the redline of a one-paragraph text: the legend's samples.
pub fn sample(old: &str, new: &str) -> Vec<Run> {
    let compared = redline::redline_blocks(old, new);
    compared.blocks.iter().flat_map(|b| runs(&b.runs)).collect()
}

/// The Word runs of a block's runs: each group of one mark between its
/// brackets, the spaces between its words inside them, as in the PDF.
fn runs(marked: &[redline::Run]) -> Vec<Run> {
    let mut out = Vec::new();
    for group in marked.chunk_by(|x, y| x.mark == y.mark) {
        let mark = group[0].mark;
        for (i, run) in group.iter().enumerate() {
            if let Some(space) = run.before {
                // The space before a group is outside its marks.
                let format = if i == 0 { Mark::Same } else { mark };
                out.push(marked_run(
                    Format::default().run(&space.to_string()),
                    format,
                ));
            }
            if i == 0 {
                out.extend(bracket(mark, 0));
            }
            out.extend(words(run));
        }
        out.extend(bracket(mark, 1));
    }
    out
}

/// The opening (`side` 0) or closing (1) bracket of a mark, in its colour.
fn bracket(mark: Mark, side: usize) -> Option<Run> {
    let (brackets, colour) = match mark {
        Mark::Same => return None,
        Mark::Inserted => (["{+", "+}"], INSERTED_COLOUR),
        Mark::Deleted => (["[-", "-]"], DELETED_COLOUR),
    };
    Some(Format::default().run(brackets[side]).color(colour))
}

/// The words of a run, in their styles and with their mark's line.
fn words(run: &redline::Run) -> Vec<Run> {
    let Some(text) = &run.text else {
        return vec![Run::new().add_break(BreakType::TextWrapping)];
    };
    let format = Format {
        bold: u8::from(run.is(STRONG)),
        italic: u8::from(run.is(EMPH)),
        strike: u8::from(run.is(STRIKE)),
        superscript: u8::from(run.is(SUPER)),
        subscript: u8::from(run.is(SUB)),
        code: run.is(CODE),
        link: false,
    };
    // A code block's lines are lines.
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Run::new().add_break(BreakType::TextWrapping));
        }
        out.push(marked_run(format.run(line), run.mark));
    }
    out
}

/// `run` with the line and colour of `mark`.
fn marked_run(run: Run, mark: Mark) -> Run {
    match mark {
        Mark::Same => run,
        Mark::Inserted => run.underline("single").color(INSERTED_COLOUR),
        Mark::Deleted => run.strike().color(DELETED_COLOUR),
    }
}
