//! The parts calamine reads of an Excel workbook: measured, and those it
//! keeps in memory (shared strings, styles) scanned for what it would
//! allocate.

use std::collections::HashMap;
use std::io::{BufRead, Read, Seek};

use quick_xml::events::Event;

use super::{Limits, Parts, Stop, attributes_len, every_xml_part, grouped, local_attribute, xml};
use crate::diag::Diagnostic;
use crate::french::french_size;

/// The parts calamine reads when it opens an Excel workbook, and each worksheet
/// when it is read: the package relationships, which name the workbook; the
/// workbook's relationships, which name its worksheets; the workbook, the
/// shared strings, the styles and the theme. Relationships, workbook and
/// theme are only measured; the shared strings and the styles are scanned;
/// the worksheets are streamed cell by cell later, within the limits of cells
/// and text.
pub(super) fn check_xlsx<R: Read + Seek>(
    archive: &mut zip_calamine::ZipArchive<R>,
    parts: &mut Parts<'_>,
) -> Result<(), Diagnostic> {
    let small = parts.limits.other_part;
    let big = parts.limits.worksheet_part;
    let package = parts.measure(archive, "_rels/.rels", small, Some(relationships))?;
    // As calamine: the office document's folder and name, else xl/workbook.xml.
    let (mut folder, mut workbook) = ("xl/".to_string(), "workbook.xml".to_string());
    if let Some(target) = package
        .iter()
        .flatten()
        .filter(|(kind, _)| kind.ends_with("/relationships/officeDocument"))
        .map(|(_, target)| target)
        .next_back()
    {
        // calamine unescapes this target (and no other).
        let target = quick_xml::escape::unescape(target)
            .map(|t| t.into_owned())
            .unwrap_or_else(|_| target.clone());
        let (dir, name) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        folder = dir.strip_prefix('/').unwrap_or(dir).to_string();
        if !name.is_empty() {
            workbook = name.to_string();
        }
    }
    let rels = parts.measure(
        archive,
        &format!("{folder}_rels/{workbook}.rels"),
        small,
        Some(relationships),
    )?;
    parts.size(archive, &format!("{folder}{workbook}"), small)?;
    let limits = *parts.limits;
    parts.measure(
        archive,
        &format!("{folder}styles.xml"),
        small,
        Some(|input: &mut dyn BufRead| styles(input, &limits)),
    )?;
    parts.size(archive, &format!("{folder}theme/theme1.xml"), small)?;
    parts.measure(
        archive,
        &format!("{folder}sharedStrings.xml"),
        big,
        Some(|input: &mut dyn BufRead| shared_strings(input, &limits)),
    )?;
    for (kind, target) in rels.into_iter().flatten() {
        let worksheet = ["worksheet", "chartsheet", "dialogsheet"]
            .iter()
            .any(|k| kind.rsplit('/').next() == Some(k));
        if worksheet {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{folder}{target}"),
            };
            parts.size(archive, &path, big)?;
        }
    }
    every_xml_part(archive, parts)
}

/// The relationships of a `.rels` part: type and target of each.
fn relationships(input: &mut dyn BufRead) -> Result<Vec<(String, String)>, Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let kind = local_attribute(&e, b"Type").unwrap_or_default();
                let target = local_attribute(&e, b"Target").unwrap_or_default();
                found.push((kind, target));
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
        buf.clear();
    }
}

/// The shared strings: calamine reserves room for as many as the part
/// declares, then keeps each one.
fn shared_strings(input: &mut dyn BufRead, limits: &Limits) -> Result<(), Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    let mut strings: u64 = 0;
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"sst" => {
                let declared = local_attribute(&e, b"uniqueCount")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                if declared > limits.cells as u64 {
                    return Err(Stop::Refused(format!(
                        "la partie des textes du classeur en annonce {}, au-delà des {} qu'un classeur de suivi peut avoir",
                        grouped(declared),
                        grouped(limits.cells as u64)
                    )));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                strings += 1;
                if strings > limits.cells as u64 {
                    return Err(Stop::Refused(format!(
                        "la partie des textes du classeur en a plus de {}, au-delà de ce qu'un classeur de suivi peut avoir",
                        grouped(limits.cells as u64)
                    )));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The styles: calamine keeps one style per cell format (`xf`), each with a
/// copy of its font (and the font's name) and of its number format's code.
/// What that takes is added up from the part, the copies included.
fn styles(input: &mut dyn BufRead, limits: &Limits) -> Result<(), Stop> {
    let style = std::mem::size_of::<calamine::Style>() + 16;
    let font = std::mem::size_of::<calamine::Font>();
    let mut reader = xml(input);
    let mut buf = Vec::new();
    // The text of each font (its name), of each number format's code.
    let mut fonts: Vec<usize> = Vec::new();
    let mut in_fonts = false;
    let mut in_font = false;
    let mut codes: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut in_cell_formats = false;
    let mut bytes: usize = 0;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"fonts" => in_fonts = true,
                b"font" if in_fonts => {
                    in_font = true;
                    fonts.push(0);
                    bytes = bytes.saturating_add(font);
                }
                b"numFmt" => {
                    let id = local_attribute(&e, b"numFmtId").unwrap_or_default();
                    let code = attributes_len(&e);
                    codes.insert(id.into_bytes(), code);
                    bytes = bytes.saturating_add(code + 32);
                }
                b"cellXfs" => in_cell_formats = true,
                b"xf" if in_cell_formats => {
                    let font_text = local_attribute(&e, b"fontId")
                        .and_then(|id| id.parse::<usize>().ok())
                        .and_then(|id| fonts.get(id).copied())
                        .unwrap_or(0);
                    let code = local_attribute(&e, b"numFmtId")
                        .map(|id| codes.get(id.as_bytes()).copied().unwrap_or(64))
                        .unwrap_or(0);
                    bytes = bytes.saturating_add(style + font_text + code);
                }
                _ if in_font => {
                    let n = attributes_len(&e);
                    if let Some(last) = fonts.last_mut() {
                        *last += n;
                    }
                    bytes = bytes.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"fonts" => in_fonts = false,
                b"font" => in_font = false,
                b"cellXfs" => in_cell_formats = false,
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        if bytes > limits.styles {
            return Err(Stop::Refused(format!(
                "les styles du classeur demanderaient plus de {} en mémoire, au-delà de ce qu'un classeur de suivi peut demander",
                french_size(limits.styles)
            )));
        }
        buf.clear();
    }
}
