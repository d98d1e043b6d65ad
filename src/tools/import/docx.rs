//! Import, Word: reads a `.docx` (a zip of XML parts) and finds the plan's table
//! by its header, whose first column names the fields of intervention; every
//! other header cell is a column of the plan (a cell over two header rows is a
//! group). Merged cells are followed as Word stores them: `w:gridSpan` for
//! cells spanning columns (the two-row header, sub-section rows), `w:vMerge` for
//! cells spanning rows (a field label over its actions). Paragraphs and Word
//! lists inside cells become Markdown; the text around the table gives the
//! convention's title, parties, heading, caption and footnotes.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use roxmltree::{Document, Node};

use super::markdown::{self, Block, Inline};
use super::names::{Role, loose, same};
use super::signature::{self, SignatureLine};
use super::{Builder, Imported, Location, RowCells, SourceColumn, expected_columns};
use crate::diag::{Diagnostic, Failure, SourceFile};
use crate::model::SignaturePlace;

/// WordprocessingML namespaces: transitional (what Word writes) and strict.
const W_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];

/// Largest XML part read, uncompressed: far above any plan, low enough that a
/// crafted archive cannot exhaust memory.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the plan of a Word document.
pub fn read(path: &Path) -> Result<Imported, Failure> {
    let shown = path.display().to_string();
    let fail = |d: Diagnostic| Failure(vec![d]);
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            Diagnostic::error(format!(
                "lecture impossible de `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
            ))
            .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire"),
        )
    })?;
    let file = SourceFile::new(shown.clone(), "");
    let package = Package::open(bytes).map_err(|detail| {
        fail(
            Diagnostic::error(format!(
                "`{shown}` n'est pas un document Word lisible ({detail})"
            ))
            .hint("ouvrez-le dans Word ou LibreOffice et enregistrez-le au format .docx"),
        )
    })?;
    crate::diag::guard(&shown, || read_package(&package, file)).map_err(fail)?
}

fn read_package(package: &Package, file: SourceFile) -> Result<Imported, Failure> {
    let items = body_items(package, &file)?;
    let mut builder = Builder::new(file.clone());
    let tables: Vec<(usize, &Table)> = items
        .iter()
        .filter_map(|i| match i {
            Item::Table(t) => Some(t),
            Item::Para(_) => None,
        })
        .enumerate()
        .map(|(n, t)| (n + 1, t))
        .collect();
    let headers: Vec<Option<Header>> = tables.iter().map(|(_, t)| Header::find(t)).collect();
    let first = first_plan_table(&tables, &headers, &file)?;
    let first_header = headers[first].as_ref().expect("found above");
    start_plan(&mut builder, first_header, tables[first].0);
    // Later tables with the same header continue the plan; others are not its.
    let headers: Vec<Option<&Header>> = headers
        .iter()
        .map(|h| h.as_ref().filter(|h| h.same_columns(first_header)))
        .collect();

    for ((number, table), header) in tables.iter().zip(&headers) {
        match header {
            Some(header) => read_table(&mut builder, *number, table, header),
            None if table.has_text() => builder.warn(
                &Location {
                    table: Some(*number),
                    row: 1,
                    ..Location::default()
                },
                "tableau ignoré : son en-tête n'est pas celui du plan d'actions",
                Some(format!(
                    "seuls le tableau {} du plan d'actions (première colonne « {} ») et les tableaux qui ont le même en-tête sont importés",
                    tables[first].0, first_header.first_label
                )),
            ),
            None => {}
        }
    }

    let (before, after) = text_around(&items, &headers);
    front_matter(&mut builder, &before, tables[first].0);
    builder.plan.front.date = package
        .text("docProps/core.xml")
        .ok()
        .flatten()
        .and_then(|xml| edition_date(&xml));
    let last_table = tables
        .iter()
        .zip(&headers)
        .rev()
        .find(|(_, h)| h.is_some())
        .map_or(tables[first].0, |((number, _), _)| *number);
    text_below(&mut builder, &after, tables[first].0, last_table);

    let (plan, warnings) = builder.finish();
    Ok(Imported { plan, warnings })
}

/// An error about the document as a whole.
fn document_failure(file: &SourceFile, message: String, hint: &str) -> Failure {
    Failure(vec![
        Diagnostic::error(message)
            .in_file(file)
            .hint(hint.to_string()),
    ])
}

/// The paragraphs and tables of the document's body, in order, with its lists
/// as its numbering and styles parts declare them.
fn body_items(package: &Package, file: &SourceFile) -> Result<Vec<Item>, Failure> {
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

/// The index in `tables` of the plan's first table; an error saying why when
/// no table is the plan's.
fn first_plan_table(
    tables: &[(usize, &Table)],
    headers: &[Option<Header>],
    file: &SourceFile,
) -> Result<usize, Failure> {
    let fail = |message: String, hint: &str| document_failure(file, message, hint);
    match plan_table(tables, headers) {
        PlanTable::Found(index) => Ok(index),
        PlanTable::FirstLabelMissing(index) => {
            let at = Location {
                table: Some(tables[index].0),
                row: 1,
                column: Some(1),
                span: None,
            };
            Err(fail(
                format!("{at} : en-tête de la première colonne vide : rien à importer"),
                "écrivez dans la première cellule de l'en-tête l'intitulé de la colonne des champs d'intervention (« Champs d'intervention », « Orientations »… : tout intitulé convient), puis importez à nouveau le document",
            ))
        }
        PlanTable::Nothing => {
            let found = if tables.is_empty() {
                "le document ne contient aucun tableau".to_string()
            } else if tables.len() == 1 {
                "le tableau du document n'a pas l'en-tête du plan d'actions".to_string()
            } else {
                format!(
                    "aucun des {} tableaux du document n'a l'en-tête du plan d'actions",
                    tables.len()
                )
            };
            Err(fail(
                format!("{found} : rien à importer"),
                &format!(
                    "ctg cherche le premier tableau dont l'en-tête porte les colonnes {} (majuscules, accents et apostrophes indifférents) ; à défaut, le plus long tableau dont l'en-tête nomme sa première colonne, quel qu'en soit l'intitulé (« Orientations »…), et au moins une autre, avec des lignes d'actions dessous",
                    expected_columns()
                ),
            ))
        }
    }
}

/// Gives the builder the plan's header, read in table `table`, with a warning
/// when its first column's label is not one of the Caf's models.
fn start_plan(builder: &mut Builder, header: &Header, table: usize) {
    builder.header(&header.first_label, header.columns.clone());
    if !header.known_first {
        builder.warn(
            &Location {
                table: Some(table),
                row: 1,
                column: Some(1),
                span: None,
            },
            format!(
                "« {} » pris pour l'en-tête de la colonne des champs d'intervention",
                header.first_label
            ),
            Some("chaque libellé de la première colonne devient un champ d'intervention (`[[champs]]` de convention.toml) ; l'en-tête est gardé tel quel dans la table `[tableau]`, `premiere_colonne`".into()),
        );
    }
}

/// Text around the plan's tables (`headers`: the plan's header of each table
/// in the document, if it has it): the paragraphs with text before the first,
/// back to the table before it, and the paragraphs after the last, up to the
/// next table.
fn text_around<'a>(
    items: &'a [Item],
    headers: &[Option<&Header>],
) -> (Vec<&'a Para>, Vec<&'a Para>) {
    let table_positions: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Item::Table(_)))
        .map(|(at, _)| at)
        .collect();
    let plan_positions: Vec<usize> = table_positions
        .iter()
        .zip(headers)
        .filter(|(_, h)| h.is_some())
        .map(|(at, _)| *at)
        .collect();
    let start = table_positions
        .iter()
        .rev()
        .find(|&&at| at < plan_positions[0])
        .map_or(0, |at| at + 1);
    let before: Vec<&Para> = items[start..plan_positions[0]]
        .iter()
        .filter_map(|i| match i {
            Item::Para(p) if !p.text().trim().is_empty() => Some(p),
            _ => None,
        })
        .collect();
    let last = *plan_positions.last().expect("at least one plan table");
    let after: Vec<&Para> = items[last + 1..]
        .iter()
        .take_while(|i| matches!(i, Item::Para(_)))
        .filter_map(|i| match i {
            Item::Para(p) => Some(p),
            Item::Table(_) => None,
        })
        .collect();
    (before, after)
}

/// The text below the plan (`after` its last table, `last_table`): footnotes,
/// then the signature line that closes it, then the signatories' names.
fn text_below(builder: &mut Builder, after: &[&Para], first_table: usize, last_table: usize) {
    let signature = after
        .iter()
        .enumerate()
        .find_map(|(i, p)| signature::parse(&p.text()).map(|read| (i, read)));
    let footnotes = &after[..signature.as_ref().map_or(after.len(), |(i, _)| *i)];
    notes(builder, footnotes, first_table);
    if let Some((i, read)) = signature {
        let place = format!(
            "paragraphe {} sous le tableau {last_table}",
            footnotes
                .iter()
                .filter(|p| !p.text().trim().is_empty())
                .count()
                + 1
        );
        signature_line(builder, read, after[i], &after[i + 1..], &place);
    }
}

/// Which table holds the plan, by index in the document's tables.
enum PlanTable {
    /// The first table of the plan.
    Found(usize),
    /// The table that would be the plan but for its header's first cell, empty.
    FirstLabelMissing(usize),
    Nothing,
}

/// The table of the plan. It is the first whose header's first column has a
/// label of the Caf's models (« Champs d'intervention », « Axes »…). Else any
/// label will do, as plans name that column in their own words
/// (« Orientations »): among the tables whose header has one and that have rows
/// below it, the plan is the header with the most rows (a plan split into
/// tables of the same header counts whole), the first in the document when two
/// tie; the first table with that header is returned. A table whose header's
/// first cell is empty and that has more rows is rather the plan with a
/// mistake.
fn plan_table(tables: &[(usize, &Table)], headers: &[Option<Header>]) -> PlanTable {
    if let Some(known) = headers
        .iter()
        .position(|h| h.as_ref().is_some_and(|h| h.known_first))
    {
        return PlanTable::Found(known);
    }
    let mut rows: HashMap<Vec<String>, usize> = HashMap::new();
    for ((_, table), header) in tables.iter().zip(headers) {
        if let Some(header) = header {
            *rows.entry(header.key()).or_default() += table.body_rows(header.rows);
        }
    }
    let mut best: Option<(PlanTable, usize)> = None;
    let mut consider = |found: PlanTable, count: usize| {
        if count > 0 && best.as_ref().is_none_or(|(_, most)| count > *most) {
            best = Some((found, count));
        }
    };
    for (index, ((_, table), header)) in tables.iter().zip(headers).enumerate() {
        match header {
            Some(header) => consider(
                PlanTable::Found(index),
                rows.get(&header.key()).copied().unwrap_or(0),
            ),
            None if table.lacks_first_label() => {
                consider(PlanTable::FirstLabelMissing(index), table.body_rows(1))
            }
            None => {}
        }
    }
    best.map_or(PlanTable::Nothing, |(found, _)| found)
}

fn parse_xml(xml: &str) -> Result<Document<'_>, roxmltree::Error> {
    // Document type declarations are refused (the default): no entity expansion.
    Document::parse(xml)
}

/// The zip archive of a `.docx`.
struct Package {
    archive: std::cell::RefCell<zip::ZipArchive<std::io::Cursor<Vec<u8>>>>,
}

impl Package {
    fn open(bytes: Vec<u8>) -> Result<Self, String> {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|_| "ce n'est pas une archive .docx".to_string())?;
        Ok(Self {
            archive: std::cell::RefCell::new(archive),
        })
    }

    /// A part as text; `None` when the archive does not have it.
    fn text(&self, name: &str) -> Result<Option<String>, String> {
        let mut archive = self.archive.borrow_mut();
        let Ok(entry) = archive.by_name(name) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        entry
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| "archive abîmée".to_string())?;
        if bytes.len() as u64 > MAX_PART_BYTES {
            return Err("partie trop grande".into());
        }
        String::from_utf8(bytes)
            .map(|s| Some(s.trim_start_matches('\u{feff}').to_string()))
            .map_err(|_| "texte qui n'est pas de l'UTF-8".into())
    }

    /// The main document part, as named by the package relationships.
    fn main_part(&self) -> String {
        let fallback = "word/document.xml".to_string();
        let Ok(Some(rels)) = self.text("_rels/.rels") else {
            return fallback;
        };
        let Ok(doc) = Document::parse(&rels) else {
            return fallback;
        };
        doc.descendants()
            .filter(|n| n.tag_name().name() == "Relationship")
            .find(|n| {
                n.attribute("Type")
                    .is_some_and(|t| t.ends_with("/officeDocument"))
            })
            .and_then(|n| n.attribute("Target"))
            .map(|t| t.trim_start_matches('/').to_string())
            .unwrap_or(fallback)
    }
}

fn is_w(node: &Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node
            .tag_name()
            .namespace()
            .is_some_and(|ns| W_NS.contains(&ns))
}

fn child<'a, 'i>(node: &Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is_w(n, name))
}

/// A `w:` attribute, such as `w:val`.
fn attr<'a>(node: &Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name && a.namespace().is_some_and(|ns| W_NS.contains(&ns)))
        .map(|a| a.value())
}

/// An on/off property (`<w:b/>`, `<w:b w:val="0"/>`).
fn on(node: Option<Node>) -> bool {
    node.is_some_and(|n| !matches!(attr(&n, "val"), Some("0" | "false" | "off")))
}

/// Which paragraphs are list items, and whether numbered: from `numbering.xml`
/// and the numbering of paragraph styles in `styles.xml`.
struct Lists {
    /// numId → for each level, whether it is numbered (not a bullet).
    numbered: HashMap<String, HashMap<u8, bool>>,
    /// Paragraph style id → (numId, level).
    styles: HashMap<String, (String, u8)>,
}

impl Lists {
    fn new(numbering: Option<&Document>, styles: Option<&Document>) -> Self {
        let mut abstracts: HashMap<&str, HashMap<u8, bool>> = HashMap::new();
        let mut numbered = HashMap::new();
        if let Some(doc) = numbering {
            for a in doc
                .root_element()
                .children()
                .filter(|n| is_w(n, "abstractNum"))
            {
                let Some(id) = attr(&a, "abstractNumId") else {
                    continue;
                };
                let levels = a
                    .children()
                    .filter(|n| is_w(n, "lvl"))
                    .filter_map(|lvl| {
                        let level = attr(&lvl, "ilvl")?.parse().ok()?;
                        let format = child(&lvl, "numFmt")
                            .and_then(|f| attr(&f, "val"))
                            .unwrap_or("bullet");
                        Some((level, !matches!(format, "bullet" | "none")))
                    })
                    .collect();
                abstracts.insert(id, levels);
            }
            for num in doc.root_element().children().filter(|n| is_w(n, "num")) {
                let (Some(id), Some(abs)) = (
                    attr(&num, "numId"),
                    child(&num, "abstractNumId").and_then(|a| attr(&a, "val")),
                ) else {
                    continue;
                };
                numbered.insert(
                    id.to_string(),
                    abstracts.get(abs).cloned().unwrap_or_default(),
                );
            }
        }
        let mut by_style = HashMap::new();
        if let Some(doc) = styles {
            for style in doc.root_element().children().filter(|n| is_w(n, "style")) {
                let Some(id) = attr(&style, "styleId") else {
                    continue;
                };
                let Some(num) = child(&style, "pPr").and_then(|p| child(&p, "numPr")) else {
                    continue;
                };
                if let Some(num_id) = child(&num, "numId").and_then(|n| attr(&n, "val")) {
                    let level = child(&num, "ilvl")
                        .and_then(|n| attr(&n, "val"))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    by_style.insert(id.to_string(), (num_id.to_string(), level));
                }
            }
        }
        Self {
            numbered,
            styles: by_style,
        }
    }

    /// The list level and kind of a paragraph, if it is a list item.
    fn item(&self, ppr: Option<Node>) -> Option<(u8, bool)> {
        let ppr = ppr?;
        let style = child(&ppr, "pStyle").and_then(|s| attr(&s, "val"));
        let (num_id, level) = match child(&ppr, "numPr") {
            Some(num) => {
                let id = child(&num, "numId")
                    .and_then(|n| attr(&n, "val"))?
                    .to_string();
                let level = child(&num, "ilvl")
                    .and_then(|n| attr(&n, "val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0u8);
                (id, level)
            }
            None => self.styles.get(style?)?.clone(),
        };
        if num_id == "0" {
            return None;
        }
        let ordered = self
            .numbered
            .get(&num_id)
            .and_then(|levels| levels.get(&level))
            .copied()
            .unwrap_or(false);
        Some((level.min(8), ordered))
    }
}

/// What the body holds, in order.
enum Item {
    Para(Para),
    Table(Table),
}

struct Para {
    block: Block,
    /// A page or section break in or before this paragraph.
    page_break: bool,
    /// Headings end a footnote's text.
    heading: bool,
}

impl Para {
    fn text(&self) -> String {
        self.block.text()
    }
}

struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn has_text(&self) -> bool {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.blocks.iter().any(|b| !b.text().trim().is_empty()))
    }

    /// The rows with text below a header of `header_rows` rows.
    fn body_rows(&self, header_rows: usize) -> usize {
        self.rows
            .iter()
            .skip(header_rows)
            .filter(|r| r.cells.iter().any(|c| !cell_text(c).is_empty()))
            .count()
    }

    /// A plan table but for its header's first cell, left empty: other header
    /// cells have text, and so do rows below.
    fn lacks_first_label(&self) -> bool {
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

struct Row {
    cells: Vec<Cell>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

struct Cell {
    /// First grid column the cell covers, and how many.
    grid: usize,
    span: usize,
    vmerge: VMerge,
    blocks: Vec<Block>,
    /// What could not be read in the cell, in French.
    issues: Vec<String>,
}

/// Formatting of a run.
#[derive(Clone, Copy, Default)]
struct Format {
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
        self.inlines(p, Format::default(), &mut inlines, state);
        Block {
            inlines,
            list: self.lists.item(child(&p, "pPr")),
        }
    }

    fn inlines(&self, node: Node, format: Format, out: &mut Vec<Inline>, state: &mut ParaState) {
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

fn cell_text(cell: &Cell) -> String {
    markdown::one_line(&cell.blocks)
}

/// What a grid column of the plan's table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The field of intervention.
    Field,
    /// The plan's column of this index in [`Header::columns`].
    Column(usize),
}

/// The plan's header at the top of a table: which column each grid column is.
struct Header {
    /// Number of header rows (1 or 2).
    rows: usize,
    /// The first column's label.
    first_label: String,
    /// The first column's label is one the models of the Caf give the fields
    /// of intervention (« Champs d'intervention », « Axes »…).
    known_first: bool,
    /// The plan's columns, left to right.
    columns: Vec<SourceColumn>,
    /// Grid column → what it holds; a grid column under no header text is absent.
    grid: BTreeMap<usize, Slot>,
}

impl Header {
    /// The header a plan table would have: its first cell names the fields of
    /// intervention, whatever its text (« Orientations » as well as « Axes »),
    /// and at least one other cell names a column. A second header row is read
    /// under the cells of the first that span several columns (groups), when
    /// the first column continues into it.
    fn find(table: &Table) -> Option<Header> {
        let first = table.rows.first()?;
        let lead = first.cells.first()?;
        let first_label = cell_text(lead);
        if first_label.is_empty() {
            return None;
        }
        let known_first = Role::from_label(&first_label) == Some(Role::Field);
        let under = |row: &Row, top: &Cell| -> Vec<usize> {
            (0..row.cells.len())
                .filter(|&i| {
                    let c = &row.cells[i];
                    c.grid >= top.grid && c.grid < top.grid + top.span
                })
                .collect()
        };
        let second = table.rows.get(1).filter(|row| {
            let groups: Vec<&Cell> = first.cells.iter().skip(1).filter(|c| c.span > 1).collect();
            let lead_continues = under(row, lead).iter().all(|&i| {
                row.cells[i].vmerge == VMerge::Continue || cell_text(&row.cells[i]).is_empty()
            });
            !groups.is_empty()
                && lead_continues
                && groups.iter().all(|g| {
                    under(row, g).iter().any(|&i| {
                        row.cells[i].vmerge != VMerge::Continue
                            && !cell_text(&row.cells[i]).is_empty()
                    })
                })
        });
        let mut grid = BTreeMap::new();
        for g in lead.grid..lead.grid + lead.span {
            grid.insert(g, Slot::Field);
        }
        let mut columns: Vec<SourceColumn> = Vec::new();
        let mut add = |cell: &Cell, group: Option<String>, grid: &mut BTreeMap<usize, Slot>| {
            let label = cell_text(cell);
            if label.is_empty() {
                return;
            }
            for g in cell.grid..cell.grid + cell.span {
                grid.insert(g, Slot::Column(columns.len()));
            }
            columns.push(SourceColumn {
                label,
                group,
                kind: None,
            });
        };
        for cell in first.cells.iter().skip(1) {
            match second {
                Some(row) if cell.span > 1 => {
                    let group = Some(cell_text(cell)).filter(|g| !g.is_empty());
                    for i in under(row, cell) {
                        if row.cells[i].vmerge != VMerge::Continue {
                            add(&row.cells[i], group.clone(), &mut grid);
                        }
                    }
                }
                _ => add(cell, None, &mut grid),
            }
        }
        if columns.is_empty() {
            return None;
        }
        Some(Header {
            rows: if second.is_some() { 2 } else { 1 },
            first_label,
            known_first,
            columns,
            grid,
        })
    }

    /// The columns' labels, compared loosely: what tells headers apart.
    fn key(&self) -> Vec<String> {
        self.columns.iter().map(|c| loose(&c.label)).collect()
    }

    /// The same columns as `other` (labels compared loosely): a table that
    /// continues the plan.
    fn same_columns(&self, other: &Header) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| same(&a.label, &b.label))
    }

    /// The distinct slots a cell covers, left to right.
    fn slots(&self, cell: &Cell) -> Vec<Slot> {
        let mut out = Vec::new();
        for g in cell.grid..cell.grid + cell.span {
            if let Some(s) = self.grid.get(&g)
                && !out.contains(s)
            {
                out.push(*s);
            }
        }
        out
    }

    /// True when `text` is one of the header's labels: a header row repeated
    /// further down.
    fn is_label(&self, text: &str) -> bool {
        same(text, &self.first_label)
            || self
                .columns
                .iter()
                .any(|c| same(text, &c.label) || c.group.as_deref().is_some_and(|g| same(text, g)))
    }
}

/// Rows of a plan table after its header.
fn read_table(b: &mut Builder, number: usize, table: &Table, header: &Header) {
    // Text of the cell that starts a vertical merge, by grid column.
    let mut above: HashMap<usize, Vec<Block>> = HashMap::new();
    // Cells under no header text: grid column → rows.
    let mut unmapped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, row) in table.rows.iter().enumerate().skip(header.rows) {
        let at = Location {
            table: Some(number),
            row: index + 1,
            ..Location::default()
        };
        read_row(b, row, &at, header, &mut above, &mut unmapped);
    }
    for (g, rows) in unmapped {
        let shown: Vec<String> = rows.iter().take(8).map(usize::to_string).collect();
        let more = if rows.len() > 8 { ", …" } else { "" };
        b.warn(
            &Location { table: Some(number), row: 1, column: Some(g + 1), span: None },
            format!(
                "colonne sans en-tête : {} ({} {}{more})",
                crate::french::count(rows.len(), "cellule non importée", "cellules non importées"),
                if rows.len() < 2 { "ligne" } else { "lignes" },
                shown.join(", ")
            ),
            Some("une colonne du plan a son intitulé dans l'en-tête du tableau : écrivez-le dans le document et importez-le à nouveau, ou reportez ce texte à la main".into()),
        );
    }
}

fn read_row(
    b: &mut Builder,
    row: &Row,
    at: &Location,
    header: &Header,
    above: &mut HashMap<usize, Vec<Block>>,
    unmapped: &mut BTreeMap<usize, Vec<usize>>,
) {
    if repeats_header(row, header) {
        return;
    }
    let last = header.columns.len() - 1;
    let mut field: Option<(String, Location)> = None;
    let mut subsection: Option<(String, Location)> = None;
    let mut cells = RowCells::default();
    let mut numbers: Vec<(usize, usize)> = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        let place = at.column(i + 1);
        for issue in &cell.issues {
            b.warn(&place, issue, None);
        }
        let blocks = merged_blocks(cell, above);
        let empty = markdown::one_line(&blocks).is_empty();
        let slots = header.slots(cell);
        let Some(&first) = slots.first() else {
            if !empty && cell.vmerge != VMerge::Continue {
                unmapped.entry(cell.grid).or_default().push(at.row);
            }
            continue;
        };
        if first == Slot::Field {
            // The field label; a continued merge keeps the field above.
            if cell.vmerge != VMerge::Continue && !empty {
                field = Some((markdown::one_line(&blocks), place));
            }
            continue;
        }
        if empty {
            continue;
        }
        // A cell across every column: a sub-section row.
        if slots.len() > 1
            && slots.contains(&Slot::Column(0))
            && slots.contains(&Slot::Column(last))
        {
            subsection = Some((markdown::one_line(&blocks), place));
            continue;
        }
        for column in value_columns(b, header, cell, &slots, &place) {
            numbers.push((column, i + 1));
            cells.values.insert(column, blocks.clone());
        }
    }
    if let Some((label, place)) = field {
        b.field(&label, &place);
    }
    if let Some((label, place)) = subsection {
        b.subsection(&label, &place);
        return;
    }
    if !cells.values.is_empty() {
        b.action(cells, at, &numbers);
    }
}

/// A header repeated further down (after a page break, or a second table).
fn repeats_header(row: &Row, header: &Header) -> bool {
    let texts: Vec<String> = row
        .cells
        .iter()
        .map(cell_text)
        .filter(|t| !t.is_empty())
        .collect();
    texts.len() >= 2 && texts.iter().all(|t| header.is_label(t))
}

/// The text of `cell`: its own, kept in `above` for the cells merged with it
/// below, or that of the cell above when it continues a vertical merge.
fn merged_blocks(cell: &Cell, above: &mut HashMap<usize, Vec<Block>>) -> Vec<Block> {
    match cell.vmerge {
        VMerge::Continue => above.get(&cell.grid).cloned().unwrap_or_default(),
        _ => {
            above.insert(cell.grid, cell.blocks.clone());
            cell.blocks.clone()
        }
    }
}

/// The plan's columns a cell with text fills (`slots`, under the header), with
/// a warning when its text is repeated from the cell above or into several
/// columns.
fn value_columns(
    b: &mut Builder,
    header: &Header,
    cell: &Cell,
    slots: &[Slot],
    place: &Location,
) -> Vec<usize> {
    if cell.vmerge == VMerge::Continue {
        b.warn(
            place,
            "cellule fusionnée avec celle du dessus : son texte est repris dans cette action",
            None,
        );
    }
    let columns: Vec<usize> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Column(c) => Some(*c),
            Slot::Field => None,
        })
        .collect();
    if columns.len() > 1 {
        let labels: Vec<String> = columns
            .iter()
            .map(|c| format!("« {} »", header.columns[*c].label))
            .collect();
        b.warn(
            place,
            format!(
                "cellule fusionnée sur plusieurs colonnes ({}) : son texte est repris dans chacune",
                labels.join(", ")
            ),
            None,
        );
    }
    columns
}

/// Title, parties, heading and caption from the paragraphs before the table.
fn front_matter(b: &mut Builder, paras: &[&Para], table: usize) {
    let texts: Vec<String> = paras
        .iter()
        .map(|p| markdown::collapse_spaces(&p.text()))
        .collect();
    let mut used = vec![false; texts.len()];
    let find = |used: &[bool], test: &dyn Fn(&str) -> bool| {
        texts
            .iter()
            .enumerate()
            .position(|(i, t)| !used[i] && test(&loose(t)))
    };
    let front = &mut b.plan.front;
    if let Some(i) = find(&used, &|t| {
        t.contains("convention territoriale globale") && t.len() < 80
    }) {
        front.titre = Some(texts[i].clone());
        used[i] = true;
        // The parties follow the title in the official layout.
        if let Some(next) = texts.get(i + 1)
            && loose(next).split(' ').any(|w| w == "caf" || w == "caisse")
        {
            front.parties = Some(next.clone());
            used[i + 1] = true;
        }
    }
    if let Some(i) = find(&used, &|t| t.starts_with("plan d action") && t.len() < 60) {
        front.intitule = Some(texts[i].clone());
        used[i] = true;
    }
    // The caption is the paragraph right above the table.
    if let Some(i) = texts.len().checked_sub(1)
        && !used[i]
    {
        front.legende = Some(texts[i].clone());
        used[i] = true;
    }
    for text in [&front.intitule, &front.legende, &front.titre]
        .into_iter()
        .flatten()
    {
        if let Some(period) = find_period(text) {
            front.periode = Some(period);
            break;
        }
    }
    let left: Vec<&String> = texts
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(t, _)| t)
        .collect();
    if !left.is_empty() {
        b.note(
            format!(
                "{} paragraphe(s) avant le tableau {table} non importé(s), dont « {} »",
                left.len(),
                excerpt(left[0])
            ),
            Some("seuls le titre, les parties, l'intitulé et la légende du tableau sont repris dans convention.toml".into()),
        );
    }
}

/// The date the document was last modified (else created), from its metadata.
fn edition_date(core: &str) -> Option<String> {
    let doc = Document::parse(core).ok()?;
    ["modified", "created"].iter().find_map(|name| {
        let text = doc
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == *name)?
            .text()?
            .trim();
        let date = text.get(..10)?;
        let ok = date.len() == 10
            && date.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
            && !date.starts_with("1970")
            && !date.starts_with("1601");
        ok.then(|| date.to_string())
    })
}

/// "2023 - 2027" in a text, as "2023-2027".
fn find_period(text: &str) -> Option<String> {
    let re =
        regex::Regex::new(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b").expect("valid pattern");
    re.captures(text).map(|c| format!("{}-{}", &c[1], &c[2]))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Footnotes of field labels, from the paragraphs after the table: the
/// paragraph that starts with the mark, and those that follow it up to the next
/// mark, heading, page break or table.
fn notes(b: &mut Builder, paras: &[&Para], table: usize) {
    let mut used = vec![false; paras.len()];
    let marks: Vec<(usize, String)> = b
        .plan
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.mark.clone().map(|m| (i, m)))
        .collect();
    let starts_with_mark = |p: &Para| {
        marks
            .iter()
            .any(|(_, m)| p.text().trim_start().starts_with(m.as_str()))
    };
    for (field, mark) in &marks {
        let Some(start) = paras
            .iter()
            .enumerate()
            .position(|(i, p)| !used[i] && p.text().trim_start().starts_with(mark.as_str()))
        else {
            let label = b.plan.fields[*field].label.clone();
            b.note(
                format!(
                    "note « {mark} » du champ « {label} » introuvable après le tableau {table}"
                ),
                Some("écrivez son texte dans convention.toml, table `[[notes]]`".into()),
            );
            continue;
        };
        let mut blocks = vec![strip_mark(&paras[start].block, mark)];
        used[start] = true;
        for (i, p) in paras.iter().enumerate().skip(start + 1) {
            if p.page_break || p.heading || starts_with_mark(p) || paras[i - 1].page_break {
                break;
            }
            used[i] = true;
            blocks.push(p.block.clone());
        }
        let text = markdown::to_markdown(&blocks).markdown;
        let label = b.plan.fields[*field].label.clone();
        let count = blocks.len();
        b.plan.fields[*field].note = Some(text);
        b.note(
            format!("note « {mark} » du champ « {label} » reprise des {count} paragraphe(s) qui suivent le tableau {table}"),
            Some("vérifiez son texte dans convention.toml, table `[[notes]]`".into()),
        );
    }
    let left: Vec<&&Para> = paras
        .iter()
        .zip(&used)
        .filter(|(p, u)| !**u && !p.text().trim().is_empty())
        .map(|(p, _)| p)
        .collect();
    if let Some(first) = left.first() {
        b.note(
            format!(
                "{} paragraphe(s) après le tableau {table} non importé(s), dont « {} »",
                left.len(),
                excerpt(&markdown::collapse_spaces(&first.text()))
            ),
            Some("le texte hors du tableau n'est pas repris, sauf les notes des champs".into()),
        );
    }
}

/// The signature line below the table (« Fait à Rivesaltes, le 12 septembre
/// 2024 »), `read` from `para` at `place_at`: its place and date become the
/// convention's `[signature]`, which the plan prints above the signatures;
/// what it leaves out, and the text after it (the signatories' names), is
/// reported.
fn signature_line(
    b: &mut Builder,
    read: SignatureLine,
    para: &Para,
    following: &[&Para],
    place_at: &str,
) {
    let SignatureLine {
        place,
        contracted,
        date_text,
        date,
        rest,
    } = read;
    let line = para.text();
    let line = excerpt(&markdown::collapse_spaces(
        line.trim_start().split('\n').next().unwrap_or_default(),
    ));
    let mut left_out = Vec::new();
    let kept_place = match place {
        Some(place) if contracted => {
            left_out.push(format!(
                "lieu « {place} » non repris : le plan imprime « Fait à <lieu> », écrivez-le dans `[signature]` (`lieu = \"…\"`) s'il convient"
            ));
            None
        }
        Some(place) => Some(place),
        None => {
            left_out.push("lieu laissé en blanc : le plan le laisse à écrire à la main, ou écrivez-le dans `[signature]` (`lieu = \"…\"`)".to_string());
            None
        }
    };
    match (&date_text, date) {
        (_, Some(_)) => {}
        (Some(text), None) => left_out.push(format!(
            "date « {text} » illisible : écrivez-la dans `[signature]` au format année-mois-jour (`date = 2024-09-12`)"
        )),
        (None, None) => left_out.push("date laissée en blanc : le plan la laisse à écrire à la main, ou écrivez-la dans `[signature]` (`date = 2024-09-12`)".to_string()),
    }
    let printed = format!(
        "le plan imprime « Fait à {}, le {} » au-dessus des signatures",
        kept_place.as_deref().unwrap_or("…"),
        date.map_or("…".to_string(), |d| d.french())
    );
    let hint = if left_out.is_empty() {
        format!("{printed} : vérifiez le lieu et la date")
    } else {
        format!("{printed} ; {}", left_out.join(" ; "))
    };
    let message = if kept_place.is_none() && date.is_none() {
        format!("formule de signature non reprise ({place_at}) : « {line} »")
    } else {
        format!(
            "formule de signature reprise dans convention.toml, table `[signature]` ({place_at}) : « {line} »"
        )
    };
    b.note(message, Some(hint));
    if kept_place.is_some() || date.is_some() {
        b.plan.front.signature = Some(SignaturePlace {
            place: kept_place,
            date,
        });
    }
    // What follows: « en deux exemplaires », the signatories' names.
    let after: Vec<String> = std::iter::once(rest)
        .chain(
            following
                .iter()
                .map(|p| markdown::collapse_spaces(&p.text())),
        )
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(first) = after.first() {
        b.note(
            format!(
                "{} texte(s) après la formule de signature ({place_at}) non importé(s), dont « {} »",
                after.len(),
                excerpt(first)
            ),
            Some("les signataires s'écrivent dans convention.toml, tables `[[signataires]]` (`institution`, `qualite`, `nom`)".into()),
        );
    }
}

/// The block without the footnote mark it starts with.
fn strip_mark(block: &Block, mark: &str) -> Block {
    let mut block = block.clone();
    let mut left = mark.len();
    for inline in &mut block.inlines {
        let text = inline.text.trim_start();
        if left == 0 {
            break;
        }
        let take = left.min(text.len());
        if text.is_char_boundary(take) {
            inline.text = text[take..].to_string();
            left -= take;
        }
    }
    if let Some(first) = block.inlines.iter_mut().find(|i| !i.text.is_empty()) {
        first.text = first.text.trim_start().to_string();
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_titles() {
        assert_eq!(
            find_period("PLAN D' ACTIONS 2023 - 2027"),
            Some("2023-2027".into())
        );
        assert_eq!(
            find_period("Plan d'actions 2023–2027 - Moyens"),
            Some("2023-2027".into())
        );
        assert_eq!(find_period("Convention Territoriale Globale"), None);
    }
}
