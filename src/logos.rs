//! Stages 1 and 2 (load, validate): the signatories' logos. A logo is read from
//! inside the project only ([`read`]), then checked for what it is ([`check`]):
//! a PNG or JPEG that decodes, within the limits of size, or an SVG that refers
//! to nothing outside itself and holds neither script nor style sheet, rebuilt
//! from its parsed tree so that what the documents embed is what was checked.
//! It also checks the theme's colours for contrast ([`contrast`]).

use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::{Component, Path};
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use crate::load::display_path;

/// Largest logo file, in bytes (5 Mo, as the web counts them).
pub const MAX_BYTES: u64 = 5_000_000;
/// Largest side of a bitmap logo, in pixels.
pub const MAX_SIDE: u32 = 4000;

/// The formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Svg,
    Png,
    Jpeg,
}

impl Format {
    fn from_extension(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            _ => None,
        }
    }

    /// The extension of the virtual file the compiler reads.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Jpeg => "jpg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Svg => "SVG",
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
        }
    }
}

/// A checked logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// Its rank among the convention's logos, from 1.
    pub number: usize,
    pub format: Format,
    /// What the documents embed: the file's bytes for a bitmap; for an SVG, the
    /// markup rebuilt from its checked tree (no comment, no editor's metadata,
    /// its `id`s made unique to this logo).
    pub bytes: Arc<[u8]>,
    /// Width over height, for a row of logos at a common height.
    pub ratio: f64,
    /// Its text alternative.
    pub alt: String,
}

impl Logo {
    /// The file the documents' compiler reads it from, `/logos/<n>.<ext>`: made
    /// from its rank, never from a path of the project.
    pub fn virtual_path(&self) -> String {
        format!("/logos/{}.{}", self.number, self.format.extension())
    }
}

const HINT_FORMATS: &str =
    "un logo est un fichier SVG, PNG ou JPEG (extension `.svg`, `.png`, `.jpg` ou `.jpeg`)";

/// Stage 1: the bytes of the logo written `written` in the convention (at
/// `span` of `file`), a path relative to the project `root`. Refused: an
/// absolute path, `..`, a file that is not there, a symbolic link that leads
/// out of the project, a file over [`MAX_BYTES`].
pub fn read(
    root: &Path,
    file: &SourceFile,
    span: Range<usize>,
    written: &str,
) -> Result<Vec<u8>, Diagnostic> {
    let refuse = |message: String, hint: &str| {
        Diagnostic::error(message)
            .at(file, span.clone())
            .label("logo")
            .hint(hint.to_string())
    };
    let path = Path::new(written);
    if written.trim().is_empty() {
        return Err(refuse(
            "chemin de logo vide".into(),
            "écrivez le chemin du fichier depuis le dossier du projet, par exemple `logos/caf.svg`",
        ));
    }
    if written.contains('\\') {
        return Err(refuse(
            format!("chemin de logo `{written}` écrit avec des barres obliques inverses"),
            "séparez les dossiers par `/`, par exemple `logos/caf.svg`",
        ));
    }
    if path.is_absolute() || written.starts_with('/') {
        return Err(refuse(
            format!("le logo `{written}` est désigné par un chemin absolu"),
            "copiez le logo dans le projet (par exemple dans `logos/`) et écrivez son chemin depuis le dossier du projet : `logos/caf.svg`",
        ));
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(refuse(
            format!("le logo `{written}` est hors du dossier du projet (`..`)"),
            "ctg ne lit que les fichiers du projet : copiez le logo dans le projet, par exemple dans `logos/`",
        ));
    }
    if Format::from_extension(written).is_none() {
        return Err(refuse(
            format!("format de logo non pris en charge : `{written}`"),
            HINT_FORMATS,
        ));
    }
    let full = root.join(path);
    let shown = display_path(root, &full);
    let real_root = fs::canonicalize(root).ok();
    let real = match fs::canonicalize(&full) {
        Ok(real) => real,
        Err(_) if full.is_symlink() => {
            return Err(refuse(
                format!(
                    "lien symbolique cassé : le logo `{shown}` pointe vers un fichier qui n'existe pas"
                ),
                "copiez le logo dans le projet au lieu d'un lien",
            ));
        }
        Err(_) => {
            return Err(refuse(
                format!("logo introuvable : `{shown}`"),
                "le chemin du logo part du dossier du projet (celui qui contient `data/`) : vérifiez le nom du fichier et de son dossier",
            ));
        }
    };
    if real_root.as_deref().is_some_and(|r| !real.starts_with(r)) {
        return Err(refuse(
            format!(
                "le logo `{shown}` est un lien symbolique vers `{}`, hors du dossier du projet",
                real.display()
            ),
            "ctg ne lit que les fichiers du projet : copiez le logo dans le projet au lieu d'un lien",
        ));
    }
    let meta = fs::metadata(&real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::load::io_message(Some(&e))
            ),
            "vérifiez que le fichier existe et que vous avez le droit de le lire",
        )
    })?;
    if !meta.is_file() {
        return Err(refuse(
            format!("le logo `{shown}` est un dossier, pas un fichier"),
            "écrivez le chemin du fichier du logo, par exemple `logos/caf.svg`",
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(refuse(
            format!(
                "le logo `{shown}` pèse {} : au-delà de {}",
                crate::text::count::french_size(meta.len() as usize),
                crate::text::count::french_size(MAX_BYTES as usize)
            ),
            "un logo pour l'en-tête d'un document pèse quelques dizaines de ko : enregistrez-le en SVG, ou en PNG de moins de 1 000 pixels de large",
        ));
    }
    fs::read(&real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::load::io_message(Some(&e))
            ),
            "vérifiez que vous avez le droit de lire ce fichier",
        )
    })
}

/// Stage 2: checks the `bytes` of the logo written `written` (at `span` of
/// `file`), the `number`-th of the convention (from 1, which makes its SVG
/// `id`s unique in a page that shows several logos).
pub fn check(
    file: &SourceFile,
    span: Range<usize>,
    written: &str,
    bytes: &[u8],
    number: usize,
    alt: String,
) -> Result<Logo, Diagnostic> {
    let refuse = |message: String, hint: &str| {
        Diagnostic::error(message)
            .at(file, span.clone())
            .label("logo")
            .hint(hint.to_string())
    };
    let Some(declared) = Format::from_extension(written) else {
        return Err(refuse(
            format!("format de logo non pris en charge : `{written}`"),
            HINT_FORMATS,
        ));
    };
    let sniffed = sniff(bytes);
    match (declared, sniffed) {
        (Format::Svg, None) => {
            let (svg, ratio) = svg(bytes, number).map_err(|(message, hint)| {
                refuse(format!("logo `{written}` refusé : {message}"), hint)
            })?;
            Ok(Logo {
                number,
                format: Format::Svg,
                bytes: svg.into_bytes().into(),
                ratio,
                alt,
            })
        }
        (_, Some(found)) if found != declared => Err(refuse(
            format!(
                "le contenu du logo `{written}` est une image {}, pas {} comme le dit son extension",
                found.name(),
                declared.name()
            ),
            &format!(
                "renommez le fichier avec l'extension `.{}`, ou enregistrez-le au format de son extension",
                found.extension()
            ),
        )),
        (_, None) => Err(refuse(
            format!(
                "le logo `{written}` n'est pas une image {}",
                declared.name()
            ),
            "le fichier est peut-être abîmé, ou d'un autre format renommé : ouvrez-le dans un logiciel d'images et enregistrez-le en SVG, PNG ou JPEG",
        )),
        (format, Some(_)) => {
            let (width, height) = bitmap(bytes, format).map_err(|(message, hint)| {
                refuse(format!("logo `{written}` refusé : {message}"), hint)
            })?;
            Ok(Logo {
                number,
                format,
                bytes: bytes.into(),
                ratio: f64::from(width) / f64::from(height),
                alt,
            })
        }
    }
}

/// The bitmap format whose signature `bytes` start with, if any of the two.
fn sniff(bytes: &[u8]) -> Option<Format> {
    match image::guess_format(bytes).ok()? {
        image::ImageFormat::Png => Some(Format::Png),
        image::ImageFormat::Jpeg => Some(Format::Jpeg),
        // Another bitmap format: not what its extension says either.
        _ => None,
    }
}

type Refusal = (String, &'static str);

/// The size of a PNG or JPEG, once it decodes entirely.
fn bitmap(bytes: &[u8], format: Format) -> Result<(u32, u32), Refusal> {
    let image_format = match format {
        Format::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    let reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), image_format);
    let (width, height) = reader.into_dimensions().map_err(|_| unreadable(format))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err((
            format!("{width} × {height} pixels, au-delà de {MAX_SIDE} pixels de côté"),
            "réduisez l'image (1 000 pixels de large suffisent pour l'en-tête d'un document), ou enregistrez le logo en SVG",
        ));
    }
    if width == 0 || height == 0 {
        return Err(unreadable(format));
    }
    // Decoded once here, so that a damaged file is refused with its name
    // rather than by the compiler.
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), image_format);
    reader.limits(image::Limits::default());
    reader.decode().map_err(|_| unreadable(format))?;
    Ok((width, height))
}

fn unreadable(format: Format) -> Refusal {
    (
        format!(
            "image {} illisible (fichier abîmé ou incomplet)",
            format.name()
        ),
        "ouvrez le logo dans un logiciel d'images et enregistrez-le de nouveau",
    )
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

const HINT_SVG_SELF_CONTAINED: &str = "un logo SVG se suffit à lui-même : intégrez les images et convertissez le texte en tracés dans votre logiciel de dessin (Inkscape : « Chemin › Objet en chemin »), puis enregistrez-le en SVG simple";

/// Checks an SVG and rebuilds it from its tree: the markup the documents embed,
/// and its width over its height.
fn svg(bytes: &[u8], number: usize) -> Result<(String, f64), Refusal> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err((
            "ce n'est pas un fichier SVG (texte UTF-8 attendu)".into(),
            "ouvrez le logo dans un logiciel de dessin et enregistrez-le en SVG, ou donnez-lui l'extension de son format",
        ));
    };
    // The default options refuse a document type declaration, whose entities
    // could pull in other files.
    let document = roxmltree::Document::parse(text).map_err(|e| match e {
        roxmltree::Error::DtdDetected => (
            "le fichier déclare une DTD (`<!DOCTYPE … [ … ]>`), qui peut faire lire d'autres fichiers".to_string(),
            "supprimez la ligne `<!DOCTYPE …>` du fichier, ou enregistrez-le en SVG simple",
        ),
        e => (
            format!("ce n'est pas un fichier SVG lisible ({e})"),
            "ouvrez le logo dans un logiciel de dessin et enregistrez-le de nouveau en SVG",
        ),
    })?;
    let root = document.root_element();
    if root.tag_name().namespace() != Some(SVG_NS) || root.tag_name().name() != "svg" {
        return Err((
            "ce n'est pas un fichier SVG (son élément racine n'est pas `<svg>` de l'espace de noms SVG)".into(),
            "ouvrez le logo dans un logiciel de dessin et enregistrez-le en SVG",
        ));
    }
    for node in root.descendants().filter(|n| n.is_element()) {
        check_element(node)?;
    }
    let ratio = ratio(root).ok_or((
        "sa taille est inconnue (ni `viewBox`, ni `width` et `height`)".to_string(),
        "ajoutez à l'élément `<svg>` un attribut `viewBox=\"0 0 largeur hauteur\"`",
    ))?;
    let prefix = format!("ctg-logo-{number}-");
    let mut out = String::new();
    write_element(root, &prefix, &mut out, true);
    Ok((out, ratio))
}

/// Refuses what could run, restyle the page, or reach outside the file.
fn check_element(node: roxmltree::Node) -> Result<(), Refusal> {
    let name = node.tag_name().name();
    if node.tag_name().namespace() != Some(SVG_NS) {
        // Editors' metadata: left out of the rebuilt markup.
        return Ok(());
    }
    match name {
        "script" => {
            return Err((
                "il contient un script (`<script>`)".into(),
                "un logo ne contient pas de programme : supprimez l'élément `<script>`, ou enregistrez le logo en SVG simple",
            ));
        }
        "foreignObject" => {
            return Err((
                "il contient un objet étranger (`<foreignObject>`), du contenu qui n'est pas du dessin SVG".into(),
                "enregistrez le logo en SVG simple, sans objet HTML intégré",
            ));
        }
        "style" => {
            return Err((
                "il contient une feuille de style (`<style>`), qui s'appliquerait à toute la page web".into(),
                "enregistrez le logo avec les styles en attributs de présentation (Illustrator : « Attributs de présentation » ; Inkscape : « SVG optimisé »)",
            ));
        }
        "a" => {
            return Err((
                "il contient un lien (`<a>`)".into(),
                "un logo n'est pas un lien : supprimez l'élément `<a>`",
            ));
        }
        "animate" | "set" | "animateTransform" | "animateMotion" | "animateColor" => {
            return Err((
                format!("il contient une animation (`<{name}>`)"),
                "un logo imprimé ne s'anime pas : enregistrez-le sans animation",
            ));
        }
        "text" | "tspan" | "textPath" => {
            return Err((
                format!(
                    "il contient du texte (`<{name}>`), qui dépend d'une police hors du fichier"
                ),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
        _ if name.starts_with("font") => {
            return Err((
                format!("il contient une police (`<{name}>`)"),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
        _ => {}
    }
    for attribute in node.attributes() {
        let key = attribute.name();
        let value = attribute.value();
        if key.len() > 2 && key.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
            return Err((
                format!("il contient un attribut d'événement (`{key}`), qui exécuterait du code"),
                "un logo ne contient pas de programme : supprimez les attributs `on…`, ou enregistrez le logo en SVG simple",
            ));
        }
        if key == "href" && !value.trim_start().starts_with('#') {
            return Err((
                format!(
                    "il fait référence à un autre fichier (`href=\"{}\"`)",
                    shorten(value)
                ),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
        if let Some(target) = outside_url(value) {
            return Err((
                format!(
                    "il fait référence à un autre fichier (`url({})`)",
                    shorten(&target)
                ),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
        if attribute.namespace().is_none() && names_a_font(key, value) {
            return Err((
                format!("il fait appel à une police (`{key}`), hors du fichier"),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
    }
    Ok(())
}

/// A long value cut for a message.
fn shorten(value: &str) -> String {
    let mut out: String = value.chars().take(60).collect();
    if out.len() < value.len() {
        out.push('…');
    }
    out
}

/// The first `url(…)` of `value` that is not a reference inside the file (`#id`).
fn outside_url(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let inner = &rest[at + 4..];
        let end = inner.find(')').unwrap_or(inner.len());
        let target = inner[..end]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .trim();
        if !target.starts_with('#') {
            return Some(target.to_string());
        }
        rest = &inner[end..];
    }
    None
}

/// Whether an attribute asks for a font: `font-family`, `font`, or either in
/// a `style` attribute.
fn names_a_font(key: &str, value: &str) -> bool {
    match key {
        "font-family" | "font" => true,
        "style" => value.split(';').any(|declaration| {
            let property = declaration.split(':').next().unwrap_or("").trim();
            property.eq_ignore_ascii_case("font-family") || property.eq_ignore_ascii_case("font")
        }),
        _ => false,
    }
}

/// Width over height: from `viewBox`, else from `width` and `height`.
fn ratio(root: roxmltree::Node) -> Option<f64> {
    let (width, height) = view_box(root).or_else(|| size(root))?;
    (width > 0.0 && height > 0.0 && width.is_finite() && height.is_finite())
        .then_some(width / height)
}

fn view_box(root: roxmltree::Node) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = root
        .attribute("viewBox")?
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [_, _, width, height] => Some((width, height)),
        _ => None,
    }
}

/// `width` and `height` in user units (unitless or `px`).
fn size(root: roxmltree::Node) -> Option<(f64, f64)> {
    let length = |name: &str| -> Option<f64> {
        let value = root.attribute(name)?.trim();
        value
            .strip_suffix("px")
            .unwrap_or(value)
            .trim()
            .parse()
            .ok()
    };
    Some((length("width")?, length("height")?))
}

/// Writes `node` and its SVG content: elements of the SVG namespace with their
/// attributes (those of no namespace, `xlink:href` and `xml:space`), the text
/// of titles and descriptions; each `id` and each reference to one prefixed.
fn write_element(node: roxmltree::Node, prefix: &str, out: &mut String, root: bool) {
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

/// WCAG 2 contrast ratio of two colours given as `[r, g, b]`, from 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// `#rrggbb` or `#rgb` as `[r, g, b]`.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok();
    match hex.len() {
        6 => Some([
            u8::from_str_radix(&hex[0..2], 16).ok()?,
            u8::from_str_radix(&hex[2..4], 16).ok()?,
            u8::from_str_radix(&hex[4..6], 16).ok()?,
        ]),
        3 => Some([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17]),
        _ => None,
    }
}

/// `#rrggbb`.
pub fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The colour nearest to `colour` towards `towards` (black or white) whose
/// contrast with `against` reaches `minimum`, for a hint.
pub fn nearest_readable(
    colour: [u8; 3],
    towards: [u8; 3],
    against: [u8; 3],
    minimum: f64,
) -> [u8; 3] {
    (0..=100)
        .map(|step| {
            let t = f64::from(step) / 100.0;
            let mix =
                |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
            [
                mix(colour[0], towards[0]),
                mix(colour[1], towards[1]),
                mix(colour[2], towards[2]),
            ]
        })
        .find(|c| contrast(*c, against) >= minimum)
        .unwrap_or(towards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_the_wcag_formula() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast([255, 255, 255], [255, 255, 255]) - 1.0).abs() < 1e-9);
        // The documents' own pair: #1a1a1a on #d9e2f3, 13.4:1 (noted in the styles).
        let ratio = contrast([0x1a; 3], [0xd9, 0xe2, 0xf3]);
        assert!((ratio - 13.4).abs() < 0.05, "{ratio}");
        // #767676 on white is the lightest grey at 4.5:1.
        assert!(contrast([0x76; 3], [255; 3]) >= 4.5);
        assert!(contrast([0x77; 3], [255; 3]) < 4.5);
    }

    #[test]
    fn colours_as_written() {
        assert_eq!(parse_colour("#0A4a8f"), Some([0x0a, 0x4a, 0x8f]));
        assert_eq!(parse_colour("#fff"), Some([255, 255, 255]));
        assert_eq!(parse_colour("0a4a8f"), None);
        assert_eq!(parse_colour("#0a4a8"), None);
        assert_eq!(parse_colour("#éééé"), None);
        let fixed = nearest_readable([0xff, 0xcc, 0x00], [0; 3], [255; 3], 4.5);
        assert!(contrast(fixed, [255; 3]) >= 4.5);
    }

    #[test]
    fn svg_is_rebuilt_with_prefixed_ids_and_without_metadata() {
        let svg_text = r##"<?xml version="1.0"?>
<!-- Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="200" height="100" inkscape:version="1">
  <metadata><rdf xmlns="urn:x">x</rdf></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect id="r" width="10" height="10" fill="url(#g)" stroke="#0a4a8f" data-x="a&quot;b"/>
  <use xlink:href="#r" x="20"/>
</svg>"##;
        let (out, ratio) = svg(svg_text.as_bytes(), 2).unwrap();
        assert_eq!(ratio, 2.0);
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink"));
        assert!(out.contains("viewBox=\"0 0 200 100\""), "{out}");
        assert!(out.contains("id=\"ctg-logo-2-g\""), "{out}");
        assert!(out.contains("fill=\"url(#ctg-logo-2-g)\""), "{out}");
        assert!(out.contains("xlink:href=\"#ctg-logo-2-r\""), "{out}");
        assert!(out.contains("data-x=\"a&quot;b\""), "{out}");
        assert!(out.contains("stroke=\"#0a4a8f\""), "{out}");
        for gone in ["inkscape", "metadata", "<!--", "<?xml", "rdf"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        roxmltree::Document::parse(&out).unwrap();
    }

    #[test]
    fn bitmaps_are_sniffed_and_decoded() {
        let file = SourceFile::new("data/convention.toml", "logo = \"x\"\n");
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode(&[128u8; 8 * 4 * 3], 8, 4, image::ExtendedColorType::Rgb8)
            .unwrap();
        let logo = check(&file, 7..10, "logos/a.jpeg", &jpeg, 3, "Logo".into()).unwrap();
        assert_eq!((logo.format, logo.ratio), (Format::Jpeg, 2.0));
        assert_eq!(logo.virtual_path(), "/logos/3.jpg");
        // Cut short, it no longer decodes.
        let cut = &jpeg[..jpeg.len() / 2];
        let refused = check(&file, 7..10, "logos/a.jpg", cut, 1, "Logo".into()).unwrap_err();
        assert!(refused.message.contains("illisible"), "{}", refused.message);
        // A JPEG named .png.
        let refused = check(&file, 7..10, "logos/a.png", &jpeg, 1, "Logo".into()).unwrap_err();
        assert!(
            refused.message.contains("est une image JPEG, pas PNG"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn svg_that_could_run_or_reach_out_is_refused() {
        let refused = |body: &str| {
            let text = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">{body}</svg>"
            );
            svg(text.as_bytes(), 1).unwrap_err().0
        };
        assert!(refused("<script>alert(1)</script>").contains("script"));
        assert!(refused("<rect onclick=\"x()\" width=\"1\" height=\"1\"/>").contains("onclick"));
        assert!(refused("<rect ONLOAD=\"x()\" width=\"1\" height=\"1\"/>").contains("ONLOAD"));
        assert!(refused("<image href=\"logo.png\"/>").contains("logo.png"));
        assert!(refused("<image xlink:href=\"http://x/y.png\"/>").contains("http"));
        assert!(refused("<rect fill=\"url(other.svg#g)\"/>").contains("other.svg"));
        assert!(refused("<rect style=\"fill: url( 'x.svg#a' )\"/>").contains("x.svg"));
        assert!(refused("<text>Caf</text>").contains("texte"));
        assert!(refused("<g style=\"font-family: Marianne\"/>").contains("police"));
        assert!(refused("<style>p { display: none }</style>").contains("style"));
        assert!(refused("<foreignObject/>").contains("foreignObject"));
        assert!(refused("<set attributeName=\"href\" to=\"x\"/>").contains("animation"));
        let dtd = "<!DOCTYPE svg [<!ENTITY x SYSTEM \"/etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>";
        assert!(svg(dtd.as_bytes(), 1).unwrap_err().0.contains("DTD"));
        assert!(svg(b"<html/>", 1).unwrap_err().0.contains("racine"));
    }
}
