//! Word documents, a changed cell of an amendment: its redline, compared by
//! [`crate::text::redline::redline_blocks`] (the Typst and HTML writers'
//! tokens and alignment), as Word paragraphs with the PDF's marks, readable
//! without colour: inserted words underlined between `{+` and `+}`, deleted
//! words struck between `[-` and `-]`. These are visible marks, not Word's
//! tracked changes: the document is signed as it reads. Lists are Word lists.

use docx_rs::{AlignmentType, BreakType, IndentLevel, NumberingId, Run};

use super::markdown::{Block, RunStyle};
use super::{Writer, styles};
use crate::text::redline::{self, BlockKind, CODE, EMPH, Mark, STRIKE, STRONG, SUB, SUPER};

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
            BlockKind::Item(start) => {
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
                    BlockKind::Code => styles::CODE_BLOCK,
                    BlockKind::Rule => styles::RULE,
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
                    RunStyle::default().run(&space.to_string()),
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
    Some(RunStyle::default().run(brackets[side]).color(colour))
}

/// The words of a run, in their styles and with their mark's line.
fn words(run: &redline::Run) -> Vec<Run> {
    let Some(text) = &run.text else {
        return vec![Run::new().add_break(BreakType::TextWrapping)];
    };
    let format = RunStyle {
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

#[cfg(test)]
mod tests {
    use docx_rs::BuildXML;
    use roxmltree::{Document, Node};

    use super::super::{markdown::Block, styles};

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    /// A run as read back from the XML: its text, whether underlined, struck,
    /// bold.
    #[derive(Debug, PartialEq)]
    struct Read {
        text: String,
        underlined: bool,
        struck: bool,
        bold: bool,
    }

    /// Each paragraph of the redline: its style, its list level if it is a
    /// list item, and its runs (those of one formatting side by side joined).
    fn read(old: &str, new: &str) -> Vec<(String, Option<String>, Vec<Read>)> {
        let mut w = super::super::plan::annex_writer();
        let mut xml = format!(
            r#"<body xmlns:w="{W}" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml">"#
        );
        for block in super::cell(&mut w, old, new, None) {
            match block {
                Block::Paragraph(p) => xml.push_str(&String::from_utf8(p.build()).unwrap()),
                Block::Table(_) => panic!("a redline has no table"),
            }
        }
        xml.push_str("</body>");
        let doc = Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        let is = |n: &Node, name: &str| n.is_element() && n.tag_name().name() == name;
        let find = |n: Node<'_, '_>, name: &str| n.descendants().find(|c| is(c, name)).is_some();
        let val = |n: Node<'_, '_>, name: &str| {
            n.descendants()
                .find(|c| is(c, name))
                .and_then(|c| c.attribute((W, "val")))
                .map(str::to_string)
        };
        doc.root_element()
            .children()
            .filter(|n| is(n, "p"))
            .map(|p| {
                let ppr = p.children().find(|c| is(c, "pPr")).unwrap();
                let style = val(ppr, "pStyle").unwrap_or_default();
                let level = ppr
                    .descendants()
                    .find(|c| is(c, "numPr"))
                    .map(|n| val(n, "ilvl").unwrap_or_default());
                let runs = p
                    .children()
                    .filter(|c| is(c, "r"))
                    .filter_map(|r| {
                        let text: String = r
                            .descendants()
                            .filter(|t| is(t, "t"))
                            .filter_map(|t| t.text())
                            .collect();
                        let rpr = r.children().find(|c| is(c, "rPr"));
                        let has = |name| rpr.is_some_and(|rpr| find(rpr, name));
                        (!text.is_empty()).then(|| Read {
                            underlined: has("u"),
                            struck: has("strike"),
                            bold: has("b"),
                            text,
                        })
                    })
                    .fold(Vec::<Read>::new(), |mut runs, r| {
                        match runs.last_mut() {
                            Some(last)
                                if (last.underlined, last.struck, last.bold)
                                    == (r.underlined, r.struck, r.bold) =>
                            {
                                last.text.push_str(&r.text)
                            }
                            _ => runs.push(r),
                        }
                        runs
                    });
                (style, level, runs)
            })
            .collect()
    }

    fn run(text: &str, underlined: bool, struck: bool, bold: bool) -> Read {
        Read {
            text: text.to_string(),
            underlined,
            struck,
            bold,
        }
    }

    #[test]
    fn a_list_with_an_item_inserted_and_a_bold_amount_changed() {
        let paragraphs = read(
            "- Fonds REAAP : **12 000 €** par an\n- Prestation LAEP",
            "- Fonds REAAP : **15 000 €** par an\n- Prestation LAEP\n- Accueil des parents",
        );
        // Three items of one Word list, at its first level.
        assert_eq!(paragraphs.len(), 3, "{paragraphs:?}");
        for (style, level, _) in &paragraphs {
            assert_eq!(style, styles::CELL_LIST);
            assert_eq!(level.as_deref(), Some("0"));
        }
        // The amount, whole: the old one struck between `[-` and `-]`, the
        // new one underlined between `{+` and `+}`, both bold; the brackets
        // themselves are neither. Never « 12 15 000 € ».
        assert_eq!(
            paragraphs[0].2,
            [
                run("Fonds REAAP\u{a0}: [-", false, false, false),
                run("12\u{202f}000\u{a0}€", false, true, true),
                run("-] {+", false, false, false),
                run("15\u{202f}000\u{a0}€", true, false, true),
                run("+} par an", false, false, false),
            ]
        );
        assert_eq!(
            paragraphs[1].2,
            [run("Prestation LAEP", false, false, false)]
        );
        // The item inserted: its words underlined inside the marks.
        assert_eq!(
            paragraphs[2].2,
            [
                run("{+", false, false, false),
                run("Accueil des parents", true, false, false),
                run("+}", false, false, false),
            ]
        );
    }

    #[test]
    fn a_change_of_layout_only_keeps_its_note_and_text_stays_literal() {
        let paragraphs = read("Un mot. Deux mots.", "Un mot.\n\nDeux mots.");
        assert_eq!(paragraphs.len(), 3);
        assert_eq!(paragraphs[2].0, styles::UNCHANGED);
        assert_eq!(paragraphs[2].2[0].text, crate::text::redline::LAYOUT_ONLY);
        let hostile = r"#set $x$ ] [ @ref \ 🎉 <script>alert(1)</script>";
        let paragraphs = read(&format!("{hostile} fin"), &format!("{hostile} suite"));
        let text: String = paragraphs[0].2.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, format!("{hostile} [-fin-] {{+suite+}}"));
    }
}
