//! Import, Word, the body: its paragraphs and tables in order, looking through
//! content controls and tracked insertions; a table's rows and cells with
//! their merges (`w:gridSpan`, `w:hMerge`, `w:vMerge`); a paragraph's runs as
//! Markdown inlines with their formatting and list level, and what could not
//! be read in them.

use roxmltree::Node;

use super::document_failure;
use super::package::{Lists, Package, W_NS, attr, child, is_w, on, parse_xml};
use crate::diag::{Failure, SourceFile};
use crate::tools::import::markdown::{self, Block, Inline};

/// The paragraphs and tables of the document's body, in order, with its lists
/// as its numbering and styles parts declare them.
pub(super) fn body_items(package: &Package, file: &SourceFile) -> Result<Vec<Item>, Failure> {
    let fail = |message: String, hint: &str| document_failure(file, message, hint);
    let main = package.main_part();
    let xml = package
        .text(&main)
        .map_err(|detail| {
            fail(
                format!("partie `{main}` illisible : {detail}"),
                "enregistrez à nouveau le document au format .docx",
            )
        })?
        .ok_or_else(|| {
            fail(
                format!("partie `{main}` absente : ce n'est pas un document Word"),
                "enregistrez le document au format .docx",
            )
        })?;
    let numbering_xml = package.text("word/numbering.xml").ok().flatten();
    let styles_xml = package.text("word/styles.xml").ok().flatten();
    let doc = parse_xml(&xml).map_err(|e| {
        fail(
            format!("XML de `{main}` illisible : {e}"),
            "enregistrez à nouveau le document au format .docx",
        )
    })?;
    let numbering = numbering_xml.as_deref().and_then(|x| parse_xml(x).ok());
    let styles = styles_xml.as_deref().and_then(|x| parse_xml(x).ok());
    let reader = Reader {
        lists: Lists::new(numbering.as_ref(), styles.as_ref()),
    };
    let body = doc
        .root_element()
        .children()
        .find(|n| is_w(n, "body"))
        .ok_or_else(|| {
            fail(
                "document sans corps de texte".into(),
                "enregistrez le document au format .docx",
            )
        })?;
    let mut items = Vec::new();
    reader.body_items(body, &mut items);
    Ok(items)
}

/// What the body holds, in order.
pub(super) enum Item {
    Para(Para),
    Table(Table),
}

pub(super) struct Para {
    pub(super) block: Block,
    /// A page or section break in or before this paragraph.
    pub(super) page_break: bool,
    /// Headings end a footnote's text.
    pub(super) heading: bool,
}

impl Para {
    pub(super) fn text(&self) -> String {
        self.block.text()
    }
}

pub(super) struct Table {
    pub(super) rows: Vec<Row>,
}

impl Table {
    pub(super) fn has_text(&self) -> bool {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.blocks.iter().any(|b| !b.text().trim().is_empty()))
    }

    /// The rows with text below a header of `header_rows` rows.
    pub(super) fn body_rows(&self, header_rows: usize) -> usize {
        self.rows
            .iter()
            .skip(header_rows)
            .filter(|r| r.cells.iter().any(|c| !cell_text(c).is_empty()))
            .count()
    }

    /// A plan table but for its header's first cell, left empty: other header
    /// cells have text, and so do rows below.
    pub(super) fn lacks_first_label(&self) -> bool {
        let Some((top, below)) = self.rows.split_first() else {
            return false;
        };
        let Some((lead, others)) = top.cells.split_first() else {
            return false;
        };
        cell_text(lead).is_empty()
            && others.iter().any(|c| !cell_text(c).is_empty())
            && below
                .iter()
                .any(|r| r.cells.iter().any(|c| !cell_text(c).is_empty()))
    }
}

pub(super) struct Row {
    pub(super) cells: Vec<Cell>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum VMerge {
    None,
    Restart,
    Continue,
}

pub(super) struct Cell {
    /// First grid column the cell covers, and how many.
    pub(super) grid: usize,
    pub(super) span: usize,
    pub(super) vmerge: VMerge,
    pub(super) blocks: Vec<Block>,
    /// What could not be read in the cell, in French.
    pub(super) issues: Vec<String>,
}

/// Formatting of a run.
#[derive(Clone, Copy, Default)]
struct RunStyle {
    bold: bool,
    italic: bool,
    superscript: bool,
}

#[derive(Default)]
struct ParaState {
    page_break: bool,
    issues: Vec<String>,
}

struct Reader {
    lists: Lists,
}

impl Reader {
    /// Paragraphs and tables of the body, looking through content controls.
    fn body_items(&self, node: Node, out: &mut Vec<Item>) {
        for n in node.children().filter(Node::is_element) {
            if is_w(&n, "p") {
                let mut state = ParaState::default();
                let block = self.paragraph(n, &mut state);
                let ppr = child(&n, "pPr");
                let heading = ppr
                    .and_then(|p| child(&p, "pStyle"))
                    .and_then(|s| attr(&s, "val"))
                    .is_some_and(|s| {
                        let s = s.to_lowercase();
                        s.starts_with("heading") || s.starts_with("titre") || s == "title"
                    });
                let break_before = ppr.is_some_and(|p| {
                    on(child(&p, "pageBreakBefore")) || child(&p, "sectPr").is_some()
                });
                out.push(Item::Para(Para {
                    block,
                    page_break: state.page_break || break_before,
                    heading,
                }));
            } else if is_w(&n, "tbl") {
                out.push(Item::Table(self.table(n)));
            } else if matches!(
                n.tag_name().name(),
                "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo"
            ) {
                self.body_items(n, out);
            }
        }
    }

    fn paragraph(&self, p: Node, state: &mut ParaState) -> Block {
        let mut inlines = Vec::new();
        self.inlines(p, RunStyle::default(), &mut inlines, state);
        Block {
            inlines,
            list: self.lists.item(child(&p, "pPr")),
        }
    }

    fn inlines(&self, node: Node, format: RunStyle, out: &mut Vec<Inline>, state: &mut ParaState) {
        let push = |out: &mut Vec<Inline>, text: &str| {
            out.push(Inline {
                text: text.to_string(),
                bold: format.bold,
                italic: format.italic,
                superscript: format.superscript,
            })
        };
        for n in node.children().filter(Node::is_element) {
            let name = n.tag_name().name();
            let in_w = n
                .tag_name()
                .namespace()
                .is_some_and(|ns| W_NS.contains(&ns));
            if name == "AlternateContent" {
                // The same content twice (new and old form): the first only.
                if let Some(choice) = n.children().find(Node::is_element) {
                    self.inlines(choice, format, out, state);
                }
                continue;
            }
            if !in_w {
                self.inlines(n, format, out, state);
                continue;
            }
            match name {
                "r" => {
                    let rpr = child(&n, "rPr");
                    let mut f = format;
                    if let Some(rpr) = rpr {
                        f.bold = on(child(&rpr, "b"));
                        f.italic = on(child(&rpr, "i"));
                        f.superscript = child(&rpr, "vertAlign")
                            .and_then(|v| attr(&v, "val"))
                            .is_some_and(|v| v == "superscript");
                    }
                    self.inlines(n, f, out, state);
                }
                "t" => push(out, n.text().unwrap_or_default()),
                "tab" | "ptab" => push(out, " "),
                "br" => match attr(&n, "type") {
                    Some("page") => state.page_break = true,
                    Some("column") => push(out, " "),
                    _ => push(out, "\n"),
                },
                "cr" => push(out, "\n"),
                "noBreakHyphen" => push(out, "-"),
                "sym" => state.issues.push(format!(
                    "symbole de la police « {} » non repris",
                    attr(&n, "font").unwrap_or("?")
                )),
                "footnoteReference" | "endnoteReference" => state.issues.push(
                    "appel de note de bas de page : le texte de la note n'est pas importé".into(),
                ),
                "drawing" | "pict" | "object" => state
                    .issues
                    .push("image ou objet incorporé non repris".into()),
                "del"
                | "moveFrom"
                | "pPr"
                | "rPr"
                | "instrText"
                | "delText"
                | "delInstrText"
                | "commentReference"
                | "softHyphen"
                | "lastRenderedPageBreak" => {}
                _ => self.inlines(n, format, out, state),
            }
        }
    }

    fn table(&self, tbl: Node) -> Table {
        let mut rows = Vec::new();
        self.rows(tbl, &mut rows);
        Table { rows }
    }

    fn rows(&self, node: Node, out: &mut Vec<Row>) {
        for n in node.children().filter(Node::is_element) {
            if is_w(&n, "tr") {
                out.push(self.row(n));
            } else if matches!(
                n.tag_name().name(),
                "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo"
            ) {
                self.rows(n, out);
            }
        }
    }

    fn row(&self, tr: Node) -> Row {
        let before = child(&tr, "trPr")
            .and_then(|p| child(&p, "gridBefore"))
            .and_then(|g| attr(&g, "val"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0usize);
        let mut cells = Vec::new();
        let mut grid = before;
        let mut tcs = Vec::new();
        collect_cells(tr, &mut tcs);
        for tc in tcs {
            let tcpr = child(&tc, "tcPr");
            let span = tcpr
                .and_then(|p| child(&p, "gridSpan"))
                .and_then(|g| attr(&g, "val"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(1usize)
                .clamp(1, 64);
            // The old form of a horizontal merge: the cell extends the previous one.
            let hmerge_continue = tcpr
                .and_then(|p| child(&p, "hMerge"))
                .is_some_and(|h| attr(&h, "val") != Some("restart"));
            if hmerge_continue && let Some(last) = cells.last_mut() {
                let last: &mut Cell = last;
                last.span += span;
                grid += span;
                continue;
            }
            let vmerge = match tcpr.and_then(|p| child(&p, "vMerge")) {
                None => VMerge::None,
                Some(v) if attr(&v, "val") == Some("restart") => VMerge::Restart,
                Some(_) => VMerge::Continue,
            };
            let mut blocks = Vec::new();
            let mut issues = Vec::new();
            self.cell_content(tc, &mut blocks, &mut issues, false);
            cells.push(Cell {
                grid,
                span,
                vmerge,
                blocks,
                issues,
            });
            grid += span;
        }
        Row { cells }
    }

    fn cell_content(
        &self,
        node: Node,
        blocks: &mut Vec<Block>,
        issues: &mut Vec<String>,
        nested: bool,
    ) {
        for n in node.children().filter(Node::is_element) {
            if is_w(&n, "p") {
                let mut state = ParaState::default();
                blocks.push(self.paragraph(n, &mut state));
                issues.append(&mut state.issues);
            } else if is_w(&n, "tbl") {
                if !nested {
                    issues.push(
                        "tableau dans la cellule : son texte est repris paragraphe par paragraphe"
                            .into(),
                    );
                }
                for tc in n.descendants().filter(|d| is_w(d, "tc")) {
                    self.cell_content(tc, blocks, issues, true);
                }
            } else if matches!(
                n.tag_name().name(),
                "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo"
            ) {
                self.cell_content(n, blocks, issues, nested);
            }
        }
    }
}

fn collect_cells<'a, 'i>(node: Node<'a, 'i>, out: &mut Vec<Node<'a, 'i>>) {
    for n in node.children().filter(Node::is_element) {
        if is_w(&n, "tc") {
            out.push(n);
        } else if matches!(n.tag_name().name(), "sdt" | "sdtContent" | "customXml") {
            collect_cells(n, out);
        }
    }
}

pub(super) fn cell_text(cell: &Cell) -> String {
    markdown::one_line(&cell.blocks)
}
