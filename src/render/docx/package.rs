//! Word documents, the package: the parts docx-rs builds, completed with what
//! its release 0.4.22 (the latest) cannot express, then zipped. Added to its XML,
//! event by event with quick-xml: the header rows that repeat on each page
//! (`w:tblHeader`), the document's language (`w:lang`, fr-FR), the images' text
//! alternatives (`descr`); written whole: the document properties (title,
//! author, subject, keywords, dates). The relationships are sorted (docx-rs
//! lists the links in a hash map's order), and the archive's entries are sorted
//! and dated with the document's date: the same data give the same bytes.

use std::io::{Cursor, Write};

use quick_xml::Reader;
use quick_xml::Writer as XmlWriter;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Properties, Writer};

/// The language of every document.
const LANGUAGE: &str = "fr-FR";

/// The finished `.docx`.
pub fn finish(w: Writer, properties: &Properties) -> Result<Vec<u8>, String> {
    let Writer {
        docx,
        header_rows,
        image_alts,
        ..
    } = w;
    let xml = docx.unwrap_or_default().build();
    let document = complete_document(&xml.document, &header_rows, &image_alts)?;
    let styles = with_language(&xml.styles)?;
    let document_rels = sorted_relationships(&xml.document_rels)?;
    let core = core_properties(properties)?;

    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), xml.content_type),
        ("_rels/.rels".into(), xml.rels),
        ("docProps/app.xml".into(), xml.doc_props.app),
        ("docProps/core.xml".into(), core),
        ("docProps/custom.xml".into(), xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), document_rels),
        ("word/document.xml".into(), document),
        ("word/styles.xml".into(), styles),
        ("word/settings.xml".into(), xml.settings),
        ("word/fontTable.xml".into(), xml.font_table),
        ("word/comments.xml".into(), xml.comments),
        ("word/numbering.xml".into(), xml.numberings),
        ("word/commentsExtended.xml".into(), xml.comments_extended),
        ("word/footnotes.xml".into(), xml.footnotes),
    ];
    // Named as docx-rs names them in the relationships it writes.
    for (i, header) in xml.headers.into_iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), header));
        if let Some(rels) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (i, footer) in xml.footers.into_iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), footer));
        if let Some(rels) = xml.footer_rels.get(i) {
            parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (id, png) in xml.media {
        parts.push((format!("word/media/{id}.png"), png));
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    zip(&parts, properties.created).map_err(|e| format!("archive : {e}"))
}

/// The archive: entries in the given order, compressed, each dated with the
/// document's creation day.
fn zip(parts: &[(String, Vec<u8>)], created: i64) -> zip::result::ZipResult<Vec<u8>> {
    let date = time::OffsetDateTime::from_unix_timestamp(created)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    let stamp = zip::DateTime::from_date_and_time(
        date.year().clamp(1980, 2107) as u16,
        date.month() as u8,
        date.day(),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        archive.start_file(name.as_str(), options)?;
        archive.write_all(bytes)?;
    }
    Ok(archive.finish()?.into_inner())
}

fn is_w(name: &[u8], local: &str) -> bool {
    name.strip_prefix(b"w:") == Some(local.as_bytes())
}

fn xml_error(part: &str) -> impl Fn(quick_xml::Error) -> String + '_ {
    move |e| format!("XML de `{part}` : {e}")
}

fn io_error(e: std::io::Error) -> String {
    format!("écriture du XML : {e}")
}

/// The document's XML with the header rows of each table of the body marked to
/// repeat (`header_rows`, one count per table, in order) and each image given
/// its text alternative (`alts`, in order).
fn complete_document(
    xml: &[u8],
    header_rows: &[usize],
    alts: &[String],
) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = XmlWriter::new(Vec::with_capacity(xml.len() + 4096));
    let error = xml_error("word/document.xml");
    // Nesting of tables: the body's own are at depth 1.
    let mut depth = 0usize;
    let mut table = 0usize;
    let mut row = 0usize;
    // In a header row, until its properties are written.
    let mut pending_header = false;
    let mut image = 0usize;
    let tbl_header = || BytesStart::new("w:tblHeader");
    loop {
        let event = reader.read_event().map_err(&error)?;
        match &event {
            Event::Eof => break,
            Event::Start(e) if is_w(e.name().as_ref(), "tbl") => {
                depth += 1;
                if depth == 1 {
                    table += 1;
                    row = 0;
                }
            }
            Event::End(e) if is_w(e.name().as_ref(), "tbl") => depth = depth.saturating_sub(1),
            Event::Start(e) if depth == 1 && is_w(e.name().as_ref(), "tr") => {
                row += 1;
                pending_header = header_rows.get(table - 1).is_some_and(|&n| row <= n);
            }
            _ => {}
        }
        if pending_header {
            match &event {
                Event::Start(e) if is_w(e.name().as_ref(), "trPr") => {
                    out.write_event(event.clone()).map_err(io_error)?;
                    out.write_event(Event::Empty(tbl_header()))
                        .map_err(io_error)?;
                    pending_header = false;
                    continue;
                }
                Event::Empty(e) if is_w(e.name().as_ref(), "trPr") => {
                    out.write_event(Event::Start(e.clone())).map_err(io_error)?;
                    out.write_event(Event::Empty(tbl_header()))
                        .map_err(io_error)?;
                    out.write_event(Event::End(BytesEnd::new("w:trPr")))
                        .map_err(io_error)?;
                    pending_header = false;
                    continue;
                }
                // A row without properties: they come first.
                Event::Start(e) | Event::Empty(e) if !is_w(e.name().as_ref(), "tr") => {
                    out.write_event(Event::Start(BytesStart::new("w:trPr")))
                        .map_err(io_error)?;
                    out.write_event(Event::Empty(tbl_header()))
                        .map_err(io_error)?;
                    out.write_event(Event::End(BytesEnd::new("w:trPr")))
                        .map_err(io_error)?;
                    pending_header = false;
                }
                _ => {}
            }
        }
        match event {
            Event::Empty(e) if e.name().as_ref() == b"wp:docPr" => {
                image += 1;
                let alt = alts.get(image - 1).map(String::as_str).unwrap_or_default();
                let mut described = BytesStart::new("wp:docPr");
                described.push_attribute(("id", image.to_string().as_str()));
                described.push_attribute(("name", format!("Image {image}").as_str()));
                described.push_attribute(("descr", alt));
                out.write_event(Event::Empty(described)).map_err(io_error)?;
            }
            other => out.write_event(other).map_err(io_error)?,
        }
    }
    if table != header_rows.len() || image != alts.len() {
        return Err(format!(
            "{table} tableau(x) et {image} image(s) écrits pour {} et {} attendus",
            header_rows.len(),
            alts.len()
        ));
    }
    Ok(out.into_inner())
}

/// The styles' XML with the document's language in the default run properties.
fn with_language(xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = XmlWriter::new(Vec::with_capacity(xml.len() + 128));
    let error = xml_error("word/styles.xml");
    let mut in_default = false;
    let mut done = false;
    let lang = || {
        let mut lang = BytesStart::new("w:lang");
        lang.push_attribute(("w:val", LANGUAGE));
        lang.push_attribute(("w:eastAsia", LANGUAGE));
        lang.push_attribute(("w:bidi", "ar-SA"));
        Event::Empty(lang)
    };
    loop {
        let event = reader.read_event().map_err(&error)?;
        match &event {
            Event::Eof => break,
            Event::Start(e) if is_w(e.name().as_ref(), "rPrDefault") => in_default = true,
            Event::End(e) if is_w(e.name().as_ref(), "rPrDefault") => in_default = false,
            Event::End(e) if in_default && !done && is_w(e.name().as_ref(), "rPr") => {
                out.write_event(lang()).map_err(io_error)?;
                done = true;
            }
            Event::Empty(e) if in_default && !done && is_w(e.name().as_ref(), "rPr") => {
                out.write_event(Event::Start(e.clone())).map_err(io_error)?;
                out.write_event(lang()).map_err(io_error)?;
                out.write_event(Event::End(BytesEnd::new("w:rPr")))
                    .map_err(io_error)?;
                done = true;
                continue;
            }
            _ => {}
        }
        out.write_event(event).map_err(io_error)?;
    }
    if !done {
        return Err("styles sans propriétés de texte par défaut".into());
    }
    Ok(out.into_inner())
}

/// The relationships' XML, its entries sorted by identifier.
fn sorted_relationships(xml: &[u8]) -> Result<Vec<u8>, String> {
    let text =
        std::str::from_utf8(xml).map_err(|_| "relations : texte qui n'est pas de l'UTF-8")?;
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("relations : {e}"))?;
    let root = doc.root_element();
    let mut entries: Vec<Vec<(&str, &str)>> = root
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.attributes().map(|a| (a.name(), a.value())).collect())
        .collect();
    let id = |e: &Vec<(&str, &str)>| {
        e.iter()
            .find(|(name, _)| *name == "Id")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    entries.sort_by_key(id);
    let mut out = XmlWriter::new(Vec::with_capacity(xml.len()));
    out.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        Some("yes"),
    )))
    .map_err(io_error)?;
    let mut start = BytesStart::new("Relationships");
    start.push_attribute(("xmlns", root.tag_name().namespace().unwrap_or_default()));
    out.write_event(Event::Start(start)).map_err(io_error)?;
    for entry in &entries {
        let mut relationship = BytesStart::new("Relationship");
        for attribute in entry {
            relationship.push_attribute(*attribute);
        }
        out.write_event(Event::Empty(relationship))
            .map_err(io_error)?;
    }
    out.write_event(Event::End(BytesEnd::new("Relationships")))
        .map_err(io_error)?;
    Ok(out.into_inner())
}

/// The document properties (`docProps/core.xml`), as the PDF's metadata.
fn core_properties(p: &Properties) -> Result<Vec<u8>, String> {
    let date = time::OffsetDateTime::from_unix_timestamp(p.created)
        .map_err(|_| format!("date de création hors limites : {}", p.created))?;
    let date = date
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("date de création : {e}"))?;
    let mut out = XmlWriter::new(Vec::new());
    out.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        Some("yes"),
    )))
    .map_err(io_error)?;
    let mut root = BytesStart::new("cp:coreProperties");
    for (name, value) in [
        (
            "xmlns:cp",
            "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        ),
        ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ("xmlns:dcterms", "http://purl.org/dc/terms/"),
        ("xmlns:dcmitype", "http://purl.org/dc/dcmitype/"),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ] {
        root.push_attribute((name, value));
    }
    out.write_event(Event::Start(root)).map_err(io_error)?;
    let keywords = p.keywords.join(", ");
    let texts = [
        ("dc:title", p.title.as_str()),
        ("dc:subject", p.subject.as_str()),
        ("dc:creator", p.author.as_str()),
        ("cp:keywords", keywords.as_str()),
        ("dc:language", LANGUAGE),
        ("cp:lastModifiedBy", p.author.as_str()),
        ("cp:revision", "1"),
    ];
    for (name, value) in texts {
        element(&mut out, name, None, value)?;
    }
    for name in ["dcterms:created", "dcterms:modified"] {
        element(&mut out, name, Some(("xsi:type", "dcterms:W3CDTF")), &date)?;
    }
    out.write_event(Event::End(BytesEnd::new("cp:coreProperties")))
        .map_err(io_error)?;
    Ok(out.into_inner())
}

fn element(
    out: &mut XmlWriter<Vec<u8>>,
    name: &str,
    attribute: Option<(&str, &str)>,
    text: &str,
) -> Result<(), String> {
    let mut start = BytesStart::new(name);
    if let Some(a) = attribute {
        start.push_attribute(a);
    }
    out.write_event(Event::Start(start)).map_err(io_error)?;
    out.write_event(Event::Text(BytesText::new(&super::markdown::xml_text(
        text,
    ))))
    .map_err(io_error)?;
    out.write_event(Event::End(BytesEnd::new(name)))
        .map_err(io_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn the_header_rows_of_the_bodys_tables_repeat_and_nested_tables_are_left_alone() {
        let xml = format!(
            "<w:document {W}><w:body>\
             <w:tbl><w:tr><w:trPr/><w:tc><w:tbl><w:tr><w:tc/></w:tr></w:tbl></w:tc></w:tr>\
             <w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc/></w:tr><w:tr><w:tc/></w:tr></w:tbl>\
             <w:tbl><w:tr><w:tc/></w:tr></w:tbl>\
             <w:tbl><w:tr><w:tc/></w:tr></w:tbl></w:body></w:document>"
        );
        let out = complete_document(xml.as_bytes(), &[2, 0, 1], &[]).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            format!(
                "<w:document {W}><w:body>\
                 <w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:tbl><w:tr><w:tc/></w:tr></w:tbl></w:tc></w:tr>\
                 <w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr><w:tc/></w:tr><w:tr><w:tc/></w:tr></w:tbl>\
                 <w:tbl><w:tr><w:tc/></w:tr></w:tbl>\
                 <w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc/></w:tr></w:tbl></w:body></w:document>"
            )
        );
        // A count that does not match the tables written is an error, not a
        // document with the wrong rows repeated.
        assert!(complete_document(xml.as_bytes(), &[1], &[]).is_err());
    }

    #[test]
    fn images_get_their_text_alternative() {
        let xml = format!(
            r#"<w:document {W} xmlns:wp="x"><w:body><w:p><wp:docPr id="1" name="Figure"/></w:p></w:body></w:document>"#
        );
        let out = complete_document(xml.as_bytes(), &[], &["Diagramme : 2 & 3".into()]).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(r#"<wp:docPr id="1" name="Image 1" descr="Diagramme : 2 &amp; 3"/>"#),
            "{out}"
        );
    }

    #[test]
    fn the_default_text_is_in_french() {
        for default in ["<w:rPr><w:sz w:val=\"16\"/></w:rPr>", "<w:rPr/>"] {
            let xml = format!(
                "<w:styles {W}><w:docDefaults><w:rPrDefault>{default}</w:rPrDefault></w:docDefaults></w:styles>"
            );
            let out = String::from_utf8(with_language(xml.as_bytes()).unwrap()).unwrap();
            assert!(
                out.contains(r#"<w:lang w:val="fr-FR" w:eastAsia="fr-FR" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>"#),
                "{out}"
            );
        }
    }

    #[test]
    fn relationships_are_sorted_by_identifier() {
        let xml = r#"<?xml version="1.0"?><Relationships xmlns="urn:r"><Relationship Id="rIdLien2" Target="b"/><Relationship Id="rId1" Target="s"/><Relationship Id="rIdLien1" Target="a" TargetMode="External"/></Relationships>"#;
        let out = String::from_utf8(sorted_relationships(xml.as_bytes()).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&out).unwrap();
        let ids: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("Id"))
            .collect();
        assert_eq!(ids, ["rId1", "rIdLien1", "rIdLien2"]);
        assert!(out.contains(r#"Target="a" TargetMode="External""#));
    }
}
