//! Import, Word, the package: the zip archive of a `.docx`, its XML parts
//! (read with a bound on their size, without entity expansion), the helpers
//! that read WordprocessingML's elements and attributes, the lists declared by
//! the numbering and styles parts, and the document's date from its metadata.

use std::collections::HashMap;
use std::io::Read;

use roxmltree::{Document, Node};

/// WordprocessingML namespaces: transitional (what Word writes) and strict.
pub(super) const W_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];

/// Largest XML part read, uncompressed: far above any plan, low enough that a
/// crafted archive cannot exhaust memory.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

pub(super) fn parse_xml(xml: &str) -> Result<Document<'_>, roxmltree::Error> {
    // Document type declarations are refused (the default): no entity expansion.
    Document::parse(xml)
}

/// The zip archive of a `.docx`.
pub(super) struct Package {
    archive: std::cell::RefCell<zip::ZipArchive<std::io::Cursor<Vec<u8>>>>,
}

impl Package {
    pub(super) fn open(bytes: Vec<u8>) -> Result<Self, String> {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|_| "ce n'est pas une archive .docx".to_string())?;
        Ok(Self {
            archive: std::cell::RefCell::new(archive),
        })
    }

    /// A part as text; `None` when the archive does not have it.
    pub(super) fn text(&self, name: &str) -> Result<Option<String>, String> {
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
    pub(super) fn main_part(&self) -> String {
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

pub(super) fn is_w(node: &Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node
            .tag_name()
            .namespace()
            .is_some_and(|ns| W_NS.contains(&ns))
}

pub(super) fn child<'a, 'i>(node: &Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is_w(n, name))
}

/// A `w:` attribute, such as `w:val`.
pub(super) fn attr<'a>(node: &Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name && a.namespace().is_some_and(|ns| W_NS.contains(&ns)))
        .map(|a| a.value())
}

/// An on/off property (`<w:b/>`, `<w:b w:val="0"/>`).
pub(super) fn on(node: Option<Node>) -> bool {
    node.is_some_and(|n| !matches!(attr(&n, "val"), Some("0" | "false" | "off")))
}

/// Which paragraphs are list items, and whether numbered: from `numbering.xml`
/// and the numbering of paragraph styles in `styles.xml`.
pub(super) struct Lists {
    /// numId → for each level, whether it is numbered (not a bullet).
    numbered: HashMap<String, HashMap<u8, bool>>,
    /// Paragraph style id → (numId, level).
    styles: HashMap<String, (String, u8)>,
}

impl Lists {
    pub(super) fn new(numbering: Option<&Document>, styles: Option<&Document>) -> Self {
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
    pub(super) fn item(&self, ppr: Option<Node>) -> Option<(u8, bool)> {
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

/// The date the document was last modified (else created), from its metadata.
pub(super) fn edition_date(core: &str) -> Option<String> {
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
