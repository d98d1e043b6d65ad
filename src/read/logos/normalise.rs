//! An SVG logo as usvg reads it, its style sheet applied and its text
//! drawn as outlines in the documents' fonts, then rebuilt from its parsed
//! tree with its `id`s made the logo's own: the markup the documents embed.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex};

use super::Refusal;
use super::svg::{HINT_SVG_TOO_DEEP, SVG_NS, size};

const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The family the documents' text is set in: a logo's text that names no font,
/// or a font that ctg does not have, is drawn in it.
const BODY_FAMILY: &str = "Liberation Sans";

/// A font that a logo's text asks for and ctg does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MissingFont {
    /// The family as the logo writes it.
    pub(super) asked: String,
    /// The family its text is drawn in instead.
    pub(super) drawn_with: String,
}

/// The fonts a logo's text may be drawn in: the documents' own, those the
/// compiler is given, never the machine's, so that a logo gives the same
/// outlines everywhere. The files are the program's, shared, never copied.
static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    for data in crate::fonts::files() {
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
    }
    // The generic families, each one of those fonts: a serif in Typst's serif,
    // a monospace in its monospace, every other in the body font.
    db.set_serif_family("Libertinus Serif");
    db.set_monospace_family("DejaVu Sans Mono");
    db.set_sans_serif_family(BODY_FAMILY);
    db.set_cursive_family(BODY_FAMILY);
    db.set_fantasy_family(BODY_FAMILY);
    Arc::new(db)
});

/// The SVG `text` as usvg reads it, styles applied, text drawn as outlines,
/// written back; and the fonts its text asks for that ctg does not have.
pub(super) fn normalise(text: &str) -> Result<(String, Vec<MissingFont>), Refusal> {
    let missing = Mutex::new(Vec::new());
    let options = usvg::Options {
        // Nothing outside the file is ever read: no folder to resolve a path
        // in, no image loaded from an address or a `data:` one (the file holds
        // none: such `href`s are refused before).
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        font_family: BODY_FAMILY.into(),
        font_resolver: usvg::FontResolver {
            select_font: Box::new(|font, db| select_font(font, db, &missing)),
            select_fallback: usvg::FontResolver::default_fallback_selector(),
        },
        fontdb: FONTS.clone(),
        // `systemLanguage` in a `<switch>` picks the French version.
        languages: vec!["fr".into()],
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(text, &options).map_err(unreadable_svg)?;
    let written = tree.to_string(&usvg::WriteOptions {
        indent: usvg::Indent::None,
        ..usvg::WriteOptions::default()
    });
    // The options borrow `missing` in their font resolver.
    drop(options);
    let missing = missing.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((written, missing))
}

/// The face a text asking for `font` is drawn in: its first family that ctg
/// has (CSS's choice, the name compared without regard to case), else the body
/// font. When its first family is a named font that ctg lacks, it is added to
/// `missing` (once), with the family drawn instead.
fn select_font(
    font: &usvg::Font,
    db: &mut Arc<usvg::fontdb::Database>,
    missing: &Mutex<Vec<MissingFont>>,
) -> Option<usvg::fontdb::ID> {
    use usvg::fontdb::Family;
    // The family names as the fonts spell them, so that `arial` finds `Arial`.
    let known = |name: &str| -> Option<String> {
        db.faces()
            .flat_map(|face| face.families.iter())
            .find(|(family, _)| family.eq_ignore_ascii_case(name.trim()))
            .map(|(family, _)| family.clone())
    };
    let names: Vec<Option<String>> = font
        .families()
        .iter()
        .map(|family| match family {
            usvg::FontFamily::Named(name) => known(name),
            _ => None,
        })
        .collect();
    let mut families: Vec<Family> = font
        .families()
        .iter()
        .zip(&names)
        .filter_map(|(family, name)| match family {
            usvg::FontFamily::Named(_) => name.as_deref().map(Family::Name),
            usvg::FontFamily::Serif => Some(Family::Serif),
            usvg::FontFamily::SansSerif => Some(Family::SansSerif),
            usvg::FontFamily::Cursive => Some(Family::Cursive),
            usvg::FontFamily::Fantasy => Some(Family::Fantasy),
            usvg::FontFamily::Monospace => Some(Family::Monospace),
        })
        .collect();
    // usvg's own selector falls back on the serif; the documents' text is sans.
    families.push(Family::SansSerif);
    let id = db.query(&usvg::fontdb::Query {
        families: &families,
        weight: usvg::fontdb::Weight(font.weight()),
        stretch: match font.stretch() {
            usvg::FontStretch::UltraCondensed => usvg::fontdb::Stretch::UltraCondensed,
            usvg::FontStretch::ExtraCondensed => usvg::fontdb::Stretch::ExtraCondensed,
            usvg::FontStretch::Condensed => usvg::fontdb::Stretch::Condensed,
            usvg::FontStretch::SemiCondensed => usvg::fontdb::Stretch::SemiCondensed,
            usvg::FontStretch::Normal => usvg::fontdb::Stretch::Normal,
            usvg::FontStretch::SemiExpanded => usvg::fontdb::Stretch::SemiExpanded,
            usvg::FontStretch::Expanded => usvg::fontdb::Stretch::Expanded,
            usvg::FontStretch::ExtraExpanded => usvg::fontdb::Stretch::ExtraExpanded,
            usvg::FontStretch::UltraExpanded => usvg::fontdb::Stretch::UltraExpanded,
        },
        style: match font.style() {
            usvg::FontStyle::Normal => usvg::fontdb::Style::Normal,
            usvg::FontStyle::Italic => usvg::fontdb::Style::Italic,
            usvg::FontStyle::Oblique => usvg::fontdb::Style::Oblique,
        },
    })?;
    // Only the first family is the designer's choice: the others are the
    // fallbacks they accepted, and a generic family is drawn as asked.
    if let (Some(usvg::FontFamily::Named(asked)), Some(None)) =
        (font.families().first(), names.first())
    {
        let drawn_with = db
            .face(id)
            .and_then(|face| face.families.first())
            .map_or_else(|| BODY_FAMILY.to_string(), |(family, _)| family.clone());
        let font = MissingFont {
            asked: asked.trim().to_string(),
            drawn_with,
        };
        let mut missing = missing.lock().unwrap_or_else(|e| e.into_inner());
        if !missing.contains(&font) {
            missing.push(font);
        }
    }
    Some(id)
}

/// The options the compiler reads an SVG with (Typst's `base_options`): no
/// folder, no image but `data:` ones, no default font. The markup it is given
/// has no text left.
pub(super) fn compiler_options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: String::new(),
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

/// Why usvg could not read a logo, in words.
pub(super) fn unreadable_svg(error: usvg::Error) -> Refusal {
    match error {
        usvg::Error::ElementsLimitReached
        | usvg::Error::ParsingFailed(roxmltree::Error::NodesLimitReached) => (
            "il a trop d'éléments, ou les imbrique trop profondément, pour être dessiné".into(),
            HINT_SVG_TOO_DEEP,
        ),
        usvg::Error::InvalidSize => (
            "sa taille est nulle ou illisible (`width`, `height` ou `viewBox`)".into(),
            "donnez à l'élément `<svg>` un attribut `viewBox=\"0 0 largeur hauteur\"` de largeur et de hauteur positives",
        ),
        error => (
            format!("ce n'est pas un fichier SVG lisible ({error})"),
            "ouvrez le logo dans un logiciel de dessin et enregistrez-le de nouveau en SVG",
        ),
    }
}

/// Writes `node` and its SVG content: elements of the SVG namespace with their
/// attributes (those of no namespace, `xlink:href` and `xml:space`), the text
/// of titles and descriptions; each `id` and each reference to one prefixed.
pub(super) fn write_element(node: roxmltree::Node, prefix: &str, out: &mut String, root: bool) {
    let name = node.tag_name().name();
    if node.tag_name().namespace() != Some(SVG_NS) || name == "metadata" {
        return;
    }
    out.push('<');
    out.push_str(name);
    if root {
        out.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
        let uses_xlink = node
            .descendants()
            .any(|n| n.attributes().any(|a| a.namespace() == Some(XLINK_NS)));
        if uses_xlink {
            out.push_str(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
        }
        // Scaled by its height in every document: it needs its coordinates.
        if node.attribute("viewBox").is_none()
            && let Some((width, height)) = size(node)
        {
            let _ = write!(out, " viewBox=\"0 0 {width} {height}\"");
        }
    }
    for attribute in node.attributes() {
        let key = match attribute.namespace() {
            None => attribute.name().to_string(),
            Some(XLINK_NS) if attribute.name() == "href" => "xlink:href".to_string(),
            Some(XML_NS) if attribute.name() == "space" => "xml:space".to_string(),
            Some(_) => continue,
        };
        let value = attribute.value();
        let value = match key.as_str() {
            "id" => format!("{prefix}{value}"),
            "href" | "xlink:href" => match value.trim().strip_prefix('#') {
                Some(id) => format!("#{prefix}{id}"),
                None => value.to_string(),
            },
            _ => value.replace("url(#", &format!("url(#{prefix}")),
        };
        let _ = write!(out, " {key}=\"{}\"", escape(&value, true));
    }
    out.push('>');
    let keeps_text = matches!(name, "title" | "desc");
    for child in node.children() {
        if child.is_element() {
            write_element(child, prefix, out, false);
        } else if keeps_text && let Some(text) = child.text() {
            out.push_str(&escape(text, false));
        }
    }
    let _ = write!(out, "</{name}>");
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
