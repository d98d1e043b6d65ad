//! Import, cell text: what a source cell holds (paragraphs, list items, bold and
//! italic runs) written as the Markdown of an action file. Whatever would read as
//! Markdown syntax is escaped, so that the text renders exactly as it was typed.

use crate::text::markdown_to_plain;

/// A run of text with its formatting. `\n` inside `text` is a line break.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inline {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub superscript: bool,
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    fn same_format(&self, other: &Inline) -> bool {
        self.bold == other.bold
            && self.italic == other.italic
            && self.superscript == other.superscript
    }
}

/// A paragraph of a cell, or an item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub inlines: Vec<Inline>,
    /// For a list item: nesting level (0 for the outer list) and whether it is
    /// numbered.
    pub list: Option<(u8, bool)>,
}

impl Block {
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self {
            inlines: vec![Inline::plain(text)],
            list: None,
        }
    }

    /// The text of the block, without formatting.
    pub fn text(&self) -> String {
        self.inlines.iter().map(|i| i.text.as_str()).collect()
    }
}

/// The text of blocks as one line: for labels and deadlines.
pub fn one_line(blocks: &[Block]) -> String {
    let text: Vec<String> = blocks.iter().map(Block::text).collect();
    collapse_spaces(&text.join(" "))
}

/// Runs of whitespace (line breaks included) become one space; ends trimmed.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text from a spreadsheet cell: each non-empty line is a paragraph.
pub fn plain_to_blocks(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Block::paragraph)
        .collect()
}

/// The result of writing a cell as Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellMarkdown {
    pub markdown: String,
    /// Bold, italic or superscript that could not be written so that the text
    /// stays the same, and was left out.
    pub formatting_lost: bool,
}

/// Writes the blocks of a cell as Markdown. The result is checked: read back as
/// plain text, it must give the cell's text, line for line; formatting that would
/// change the text is dropped (and said so) rather than kept.
pub fn to_markdown(blocks: &[Block]) -> CellMarkdown {
    let expected = expected_plain(blocks);
    let formatted = write_blocks(blocks, true);
    if markdown_to_plain(&formatted) == expected {
        return CellMarkdown {
            markdown: formatted,
            formatting_lost: false,
        };
    }
    let bare = write_blocks(blocks, false);
    CellMarkdown {
        formatting_lost: blocks
            .iter()
            .flat_map(|b| &b.inlines)
            .any(|i| i.bold || i.italic || i.superscript),
        markdown: bare,
    }
}

/// What the plain-text reading of the Markdown must give: one line per line of
/// each block, list items with their marker.
fn expected_plain(blocks: &[Block]) -> String {
    let mut lines = Vec::new();
    let mut numbers: Vec<u32> = Vec::new();
    for block in split_blocks(blocks) {
        let text = block.text();
        let mut block_lines = text.lines().map(clean_line).filter(|l| !l.is_empty());
        match block.list {
            Some((level, ordered)) => {
                let n = item_number(&mut numbers, level, ordered);
                let first = block_lines.next().unwrap_or_default();
                let marker = match n {
                    Some(n) => format!("{n}. "),
                    None => "- ".to_string(),
                };
                lines.push(format!("{marker}{first}").trim_end().to_string());
            }
            None => numbers.clear(),
        }
        lines.extend(block_lines);
    }
    lines.join("\n")
}

/// Numbering of list items: `None` for a bullet, else the item's number within
/// its list at its level.
fn item_number(numbers: &mut Vec<u32>, level: u8, ordered: bool) -> Option<u32> {
    let level = usize::from(level);
    numbers.truncate(level + 1);
    while numbers.len() <= level {
        numbers.push(0);
    }
    numbers[level] += 1;
    ordered.then_some(numbers[level])
}

/// A line as it reads once written: tabs as spaces, ends trimmed.
fn clean_line(line: &str) -> String {
    line.replace('\t', " ").trim().to_string()
}

/// Splits blocks at empty lines (two line breaks in a row in Word): each part is
/// a paragraph of its own. Empty blocks are dropped.
fn split_blocks(blocks: &[Block]) -> Vec<Block> {
    let mut out = Vec::new();
    for block in blocks {
        let mut current = Block {
            inlines: Vec::new(),
            list: block.list,
        };
        for inline in &block.inlines {
            let mut parts = inline.text.split('\n').peekable();
            let mut pending_break = false;
            while let Some(part) = parts.next() {
                if pending_break {
                    if current_ends_line(&current) {
                        // An empty line: the paragraph ends here.
                        push_block(
                            &mut out,
                            std::mem::replace(
                                &mut current,
                                Block {
                                    inlines: Vec::new(),
                                    list: None,
                                },
                            ),
                        );
                    } else {
                        current.inlines.push(Inline {
                            text: "\n".into(),
                            ..inline.clone()
                        });
                    }
                }
                if !part.is_empty() {
                    current.inlines.push(Inline {
                        text: part.to_string(),
                        ..inline.clone()
                    });
                }
                pending_break = parts.peek().is_some();
            }
        }
        push_block(&mut out, current);
    }
    out
}

/// Whether the block is empty or its text so far ends with a line break.
fn current_ends_line(block: &Block) -> bool {
    let text = block.text();
    text.trim().is_empty() || text.trim_end_matches([' ', '\t']).ends_with('\n')
}

fn push_block(out: &mut Vec<Block>, mut block: Block) {
    // Trailing line breaks carry nothing.
    while let Some(last) = block.inlines.last_mut() {
        let trimmed = last.text.trim_end().to_string();
        if trimmed.is_empty() {
            block.inlines.pop();
        } else {
            last.text = if trimmed.ends_with('\n') {
                trimmed
            } else {
                last.text.clone()
            };
            break;
        }
    }
    if !block.text().trim().is_empty() {
        out.push(block);
    }
}

fn write_blocks(blocks: &[Block], formatting: bool) -> String {
    let mut out = String::new();
    let mut numbers: Vec<u32> = Vec::new();
    let mut previous_was_item = false;
    for block in split_blocks(blocks) {
        let body = write_inlines(&block.inlines, formatting);
        match block.list {
            Some((level, ordered)) => {
                if !out.is_empty() {
                    out.push_str(if previous_was_item { "\n" } else { "\n\n" });
                }
                let n = item_number(&mut numbers, level, ordered);
                let indent = "   ".repeat(usize::from(level));
                let marker = match n {
                    Some(n) => format!("{n}. "),
                    None => "- ".to_string(),
                };
                // Continuation lines of an item are indented under its text.
                let pad = " ".repeat(indent.len() + marker.len());
                let body = body.replace('\n', &format!("\n{pad}"));
                out.push_str(&format!("{indent}{marker}{body}"));
                previous_was_item = true;
            }
            None => {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                numbers.clear();
                out.push_str(&body);
                previous_was_item = false;
            }
        }
    }
    out
}

/// The inline Markdown of a block: each line escaped, lines joined by a hard
/// break (`\` at the end of the line).
fn write_inlines(inlines: &[Inline], formatting: bool) -> String {
    // Runs of the same format are merged; line breaks split runs into lines.
    let mut lines: Vec<Vec<Inline>> = vec![Vec::new()];
    for inline in inlines {
        for (i, part) in inline.text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            let part = part.replace('\t', " ");
            let line = lines.last_mut().expect("there is always a current line");
            match line.last_mut() {
                Some(last) if last.same_format(inline) || !formatting => last.text.push_str(&part),
                _ => line.push(Inline {
                    text: part,
                    ..inline.clone()
                }),
            }
        }
    }
    let written: Vec<String> = lines
        .iter()
        .map(|runs| write_line(runs, formatting))
        .filter(|l| !l.is_empty())
        .collect();
    written.join("\\\n")
}

/// One line: leading and trailing spaces dropped (Markdown would drop them, or
/// read four of them as code), characters with a meaning escaped.
fn write_line(runs: &[Inline], formatting: bool) -> String {
    let full: String = runs.iter().map(|r| r.text.as_str()).collect();
    let lead = full.len() - full.trim_start().len();
    let total = full.trim_end().len();
    let mut out = String::new();
    let mut offset = 0;
    for run in runs {
        let start = offset;
        offset += run.text.len();
        // The part of this run inside the trimmed line.
        let from = lead.clamp(start, offset) - start;
        let to = total.clamp(start, offset) - start;
        if from >= to {
            continue;
        }
        let text = &run.text[from..to];
        let at_line_start = out.is_empty();
        let escaped = escape(text, at_line_start);
        if formatting && (run.bold || run.italic || run.superscript) {
            // Spaces stay outside the markers, where Markdown expects them.
            let inner = escaped.trim();
            let before = &escaped[..escaped.len() - escaped.trim_start().len()];
            let after = &escaped[escaped.trim_end().len()..];
            let (open, close) = markers(run);
            out.push_str(&format!("{before}{open}{inner}{close}{after}"));
        } else {
            out.push_str(&escaped);
        }
    }
    out
}

fn markers(run: &Inline) -> (String, String) {
    let mut open = String::new();
    let mut close = String::new();
    if run.bold {
        open.push_str("**");
        close.insert_str(0, "**");
    }
    if run.italic {
        open.push('*');
        close.insert(0, '*');
    }
    if run.superscript {
        open.push('^');
        close.insert(0, '^');
    }
    (open, close)
}

/// Escapes what CommonMark (with strikethrough and superscript) would read as
/// markup: inline characters everywhere, block markers at the start of a line.
pub fn escape(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '^' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // An entity such as `&amp;` or `&#33;` would be decoded.
            '&' if looks_like_entity(&chars[i + 1..]) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    if at_line_start {
        escape_block_start(&out)
    } else {
        out
    }
}

fn looks_like_entity(rest: &[char]) -> bool {
    let name: String = rest
        .iter()
        .take(33)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .collect();
    !name.is_empty() && rest.get(name.chars().count()) == Some(&';')
}

/// A line that would open a heading, a list, a quote, a thematic break or a
/// setext underline gets its first marker escaped.
fn escape_block_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('#' | '-' | '+' | '=' | '|') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some(d @ ('.' | ')')) if digits <= 9 => {
                    format!("{}\\{d}{}", &line[..digits], &line[digits + 1..])
                }
                _ => line.to_string(),
            }
        }
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(blocks: &[Block]) -> String {
        let out = to_markdown(blocks);
        assert!(!out.formatting_lost, "{out:?}");
        out.markdown
    }

    #[test]
    fn paragraphs_are_separated_by_a_blank_line() {
        let blocks = [Block::paragraph("Un."), Block::paragraph("Deux.")];
        assert_eq!(md(&blocks), "Un.\n\nDeux.");
    }

    #[test]
    fn text_that_looks_like_markdown_stays_literal() {
        for text in [
            "- Fonctionnement : Bonus",
            "1. premier",
            "# titre",
            "*a* et _b_ [c](d) <e> `f` ^g^ ~~h~~ \\i &amp; j",
            "+ plus",
            "===",
            "> cité",
            "    quatre espaces",
        ] {
            let written = md(&[Block::paragraph(text)]);
            assert_eq!(markdown_to_plain(&written), text.trim(), "{written}");
        }
        assert_eq!(
            md(&[Block::paragraph("- Fonctionnement")]),
            "\\- Fonctionnement"
        );
        assert_eq!(md(&[Block::paragraph("CAF & CCBJC")]), "CAF & CCBJC");
    }

    #[test]
    fn word_lists_become_markdown_lists() {
        let item = |t: &str, level, ordered| Block {
            inlines: vec![Inline::plain(t)],
            list: Some((level, ordered)),
        };
        let blocks = [
            Block::paragraph("Par la CCBJC :"),
            item("un", 0, false),
            item("sous-point", 1, false),
            item("deux", 0, false),
            Block::paragraph("Puis :"),
            item("premier", 0, true),
            item("second", 0, true),
        ];
        let written = md(&blocks);
        assert_eq!(
            written,
            "Par la CCBJC :\n\n- un\n   - sous-point\n- deux\n\nPuis :\n\n1. premier\n2. second"
        );
        assert_eq!(
            markdown_to_plain(&written),
            "Par la CCBJC :\n- un\n- sous-point\n- deux\nPuis :\n1. premier\n2. second"
        );
    }

    #[test]
    fn bold_and_italic_runs_are_kept() {
        let blocks = [Block {
            inlines: vec![
                Inline::plain("Accompagnement "),
                Inline {
                    text: "financier ".into(),
                    bold: true,
                    ..Inline::default()
                },
                Inline {
                    text: "de la Caf".into(),
                    italic: true,
                    ..Inline::default()
                },
            ],
            list: None,
        }];
        assert_eq!(md(&blocks), "Accompagnement **financier** *de la Caf*");
    }

    #[test]
    fn formatting_that_would_change_the_text_is_dropped() {
        // `**` right after a letter and before punctuation does not open bold.
        let blocks = [Block {
            inlines: vec![
                Inline::plain("a"),
                Inline {
                    text: "(b)".into(),
                    bold: true,
                    ..Inline::default()
                },
                Inline::plain("c"),
            ],
            list: None,
        }];
        let out = to_markdown(&blocks);
        assert_eq!(markdown_to_plain(&out.markdown), "a(b)c");
    }

    #[test]
    fn line_breaks_are_hard_breaks_and_blank_lines_split_paragraphs() {
        let blocks = [Block::paragraph("ligne 1\nligne 2\n\nautre paragraphe\n")];
        let written = md(&blocks);
        assert_eq!(written, "ligne 1\\\nligne 2\n\nautre paragraphe");
        assert_eq!(
            markdown_to_plain(&written),
            "ligne 1\nligne 2\nautre paragraphe"
        );
    }
}
