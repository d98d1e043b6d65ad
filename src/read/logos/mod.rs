//! Stages 1 and 2 (load, validate): the signatories' logos. A logo is read from
//! inside the project only ([`read`]), then checked for what it is ([`check`]):
//! a PNG or JPEG that decodes, within the limits of size, or an SVG that refers
//! to nothing outside itself and holds no script. An SVG is then normalised by
//! usvg, the SVG library the compiler reads it with (its style sheet resolved,
//! its text drawn as outlines in the documents' fonts), checked again, and
//! rebuilt from its parsed tree, so that what the documents embed is what was
//! checked, and what the compiler can read. It also checks the theme's colours
//! for contrast ([`contrast`]).

use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::display_path;

/// Largest logo file, in bytes (5 Mo, as the web counts them).
pub const MAX_BYTES: u64 = 5_000_000;
/// Largest side of a bitmap logo, in pixels.
pub const MAX_SIDE: u32 = 4000;
/// Deepest nesting of an SVG logo's elements. usvg, which normalises the logo
/// here and reads it again in the compiler, parses recursively and gives up at
/// 1,024 levels, counting the content that each `<use>` brings in; a logo
/// exported by a drawing program nests a dozen. A bound well below usvg's
/// refuses a file made to exhaust the parser before it is parsed, at the
/// logo's declaration, and leaves `<use>` room to add its content's depth.
pub const MAX_SVG_DEPTH: usize = 256;

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
    check_written_path(written, &refuse)?;
    let full = root.join(Path::new(written));
    let shown = display_path(root, &full);
    let real = inside_project(root, &full, &shown, &refuse)?;
    read_logo_file(&real, &shown, &refuse)
}

/// The logo's path as written: not blank, with `/` between folders, relative,
/// never going up (`..`), with the extension of a logo's format. `refuse`
/// makes the error at the logo's declaration.
fn check_written_path(
    written: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<(), Diagnostic> {
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
    Ok(())
}

/// The real path of the logo file `full` (`shown` in messages): it must exist,
/// and a symbolic link must not lead out of the project `root`.
fn inside_project(
    root: &Path,
    full: &Path,
    shown: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<PathBuf, Diagnostic> {
    let real_root = fs::canonicalize(root).ok();
    let real = match fs::canonicalize(full) {
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
    Ok(real)
}

/// The bytes of the logo file at `real` (`shown` in messages): a file, not a
/// folder, of at most [`MAX_BYTES`].
fn read_logo_file(
    real: &Path,
    shown: &str,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<Vec<u8>, Diagnostic> {
    let meta = fs::metadata(real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
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
                crate::french::french_size(meta.len() as usize),
                crate::french::french_size(MAX_BYTES as usize)
            ),
            "un logo pour l'en-tête d'un document pèse quelques dizaines de ko : enregistrez-le en SVG, ou en PNG de moins de 1 000 pixels de large",
        ));
    }
    fs::read(real).map_err(|e| {
        refuse(
            format!(
                "lecture impossible du logo `{shown}` : {}",
                crate::read::source::io_message(Some(&e))
            ),
            "vérifiez que vous avez le droit de lire ce fichier",
        )
    })
}

/// Stage 2: checks the `bytes` of the logo written `written` (at `span` of
/// `file`), the `number`-th of the convention (from 1, which makes its SVG
/// `id`s unique in a page that shows several logos). What is accepted with a
/// reservation (an SVG's text drawn in another font than it asks for) is added
/// to `warnings`, at the same place.
pub fn check(
    file: &SourceFile,
    span: Range<usize>,
    written: &str,
    bytes: &[u8],
    number: usize,
    alt: String,
    warnings: &mut Vec<Diagnostic>,
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
            let svg = svg(bytes, number).map_err(|(message, hint)| {
                refuse(format!("logo `{written}` refusé : {message}"), hint)
            })?;
            for font in &svg.missing_fonts {
                warnings.push(
                    Diagnostic::warning(format!(
                        "le logo `{written}` demande la police « {} », que ctg n'a pas : son texte est dessiné en {}",
                        font.asked, font.drawn_with
                    ))
                    .at(file, span.clone())
                    .label("logo")
                    .hint(HINT_TEXT_AS_OUTLINES),
                );
            }
            Ok(Logo {
                number,
                format: Format::Svg,
                bytes: svg.markup.into_bytes().into(),
                ratio: svg.ratio,
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

const HINT_TEXT_AS_OUTLINES: &str = "pour garder la police du logo, demandez-le avec son texte converti en tracés (Inkscape : « Chemin › Objet en chemin » ; Illustrator : « Texte › Vectoriser »)";

const HINT_SVG_TOO_DEEP: &str = "un logo tient en quelques niveaux de groupes : dans votre logiciel de dessin, dégroupez ses objets (Inkscape et Illustrator : « Objet › Dégrouper ») et enregistrez-le de nouveau en SVG simple";

/// The family the documents' text is set in: a logo's text that names no font,
/// or a font that ctg does not have, is drawn in it.
const BODY_FAMILY: &str = "Liberation Sans";

/// A checked SVG logo.
#[derive(Debug)]
struct Svg {
    /// The markup the documents embed.
    markup: String,
    /// Its width over its height.
    ratio: f64,
    /// The fonts its text asks for that ctg does not have, each once.
    missing_fonts: Vec<MissingFont>,
}

/// A font that a logo's text asks for and ctg does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MissingFont {
    /// The family as the logo writes it.
    asked: String,
    /// The family its text is drawn in instead.
    drawn_with: String,
}

/// Which SVG is checked: the file as written, or usvg's normalised version of
/// it, which should hold none of what the file may not, and no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Original,
    Normalised,
}

/// Checks an SVG, normalises it and rebuilds it from its tree: the markup the
/// documents embed, its width over its height, and the fonts it lacks.
fn svg(bytes: &[u8], number: usize) -> Result<Svg, Refusal> {
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
    // The depth first: usvg and the rebuilding below recurse into the tree.
    let depth = depth(root);
    if depth > MAX_SVG_DEPTH {
        return Err((
            format!("ses éléments sont imbriqués sur {depth} niveaux, au-delà de {MAX_SVG_DEPTH}"),
            HINT_SVG_TOO_DEEP,
        ));
    }
    // Every check on the file as written, before usvg reads it: usvg is never
    // the one to decide that a hostile file is harmless.
    check_instructions(&document)?;
    for node in root.descendants().filter(|n| n.is_element()) {
        check_element(node, Stage::Original)?;
    }
    if ratio(root).is_none() {
        return Err((
            "sa taille est inconnue (ni `viewBox`, ni `width` et `height`)".to_string(),
            "ajoutez à l'élément `<svg>` un attribut `viewBox=\"0 0 largeur hauteur\"`",
        ));
    }
    let (normalised, missing_fonts) = normalise(text)?;
    let document = roxmltree::Document::parse(&normalised).map_err(|e| {
        (
            format!("sa version normalisée n'est pas lisible ({e})"),
            "ouvrez le logo dans un logiciel de dessin et enregistrez-le de nouveau en SVG simple",
        )
    })?;
    let root = document.root_element();
    for node in root.descendants().filter(|n| n.is_element()) {
        check_element(node, Stage::Normalised)?;
    }
    // usvg writes the size it drew the logo at, `width` and `height`: the
    // ratio of what every document shows, whatever the file's `viewBox`.
    let ratio = ratio(root).ok_or((
        "sa taille est nulle ou illisible (`width`, `height` ou `viewBox`)".to_string(),
        "donnez à l'élément `<svg>` un attribut `viewBox=\"0 0 largeur hauteur\"` de largeur et de hauteur positives",
    ))?;
    let prefix = format!("ctg-logo-{number}-");
    let mut markup = String::new();
    write_element(root, &prefix, &mut markup, true);
    // The parse the compiler runs, on what it will read: the rebuilt markup may
    // nest deeper than the file (each `<use>` becomes a group of what it
    // shows), and a logo it cannot read must be reported here, at the logo's
    // declaration, not at the template that shows it.
    usvg::Tree::from_str(&markup, &compiler_options()).map_err(unreadable_svg)?;
    Ok(Svg {
        markup,
        ratio,
        missing_fonts,
    })
}

/// How deep the elements under `root` nest, `root` counting as 1, without
/// recursion: the file may be made to be as deep as it is long.
fn depth(root: roxmltree::Node) -> usize {
    // Each node's depth, by its index in the document: a node comes after its
    // parent in document order.
    let mut depths = vec![0usize; root.document().descendants().count()];
    let mut deepest = 0;
    for node in root.descendants().filter(|n| n.is_element()) {
        let parent = node.parent().map_or(0, |p| depths[p.id().get_usize()]);
        depths[node.id().get_usize()] = parent + 1;
        deepest = deepest.max(parent + 1);
    }
    deepest
}

/// Refuses a style sheet linked by a processing instruction
/// (`<?xml-stylesheet href="…"?>`), another file that a browser would read.
fn check_instructions(document: &roxmltree::Document) -> Result<(), Refusal> {
    for node in document.root().children() {
        if let Some(instruction) = node.pi()
            && instruction.target.eq_ignore_ascii_case("xml-stylesheet")
        {
            return Err((
                format!(
                    "il fait appel à une feuille de style externe (`<?xml-stylesheet {}?>`)",
                    shorten(instruction.value.unwrap_or_default().trim())
                ),
                HINT_SVG_SELF_CONTAINED,
            ));
        }
    }
    Ok(())
}

/// Refuses what could run, or reach outside the file; in the normalised SVG,
/// also what usvg should have resolved (a style sheet, text).
fn check_element(node: roxmltree::Node, stage: Stage) -> Result<(), Refusal> {
    let name = node.tag_name().name();
    if node.tag_name().namespace() != Some(SVG_NS) {
        // Editors' metadata: left out of the rebuilt markup, and ignored by usvg.
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
        // A style sheet as drawing programs export one: usvg applies it to the
        // elements and leaves it out, so that it never reaches the web page.
        // What it could fetch is refused first.
        "style" if stage == Stage::Original => check_style_sheet(node)?,
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
        // Text is drawn as outlines by usvg, in the documents' fonts.
        "text" | "tspan" | "textPath" if stage == Stage::Original => {}
        "text" | "tspan" | "textPath" => {
            return Err((
                format!("son texte (`<{name}>`) n'a pas pu être converti en tracés"),
                HINT_TEXT_AS_OUTLINES,
            ));
        }
        // An SVG font (`<font>`, `<font-face>`…), which usvg does not read: its
        // text would silently change font, and `<font-face-uri>` names a file.
        _ if name.starts_with("font") => {
            return Err((
                format!("il contient une police SVG (`<{name}>`)"),
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
        if key == "href" && !value.trim_start().starts_with('#') && !drawn_glyph(node, stage, value)
        {
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
    }
    Ok(())
}

/// Whether `href` is a PNG glyph that usvg drew in the normalised SVG: the
/// colour emoji font's glyphs are bitmaps, which usvg writes as an `<image>`
/// of `data:` address. The file itself may hold no such image (its `href`s
/// are refused unless they name one of its elements), so in the normalised
/// SVG one can only come from ctg's own font.
fn drawn_glyph(node: roxmltree::Node, stage: Stage, href: &str) -> bool {
    stage == Stage::Normalised
        && node.tag_name().name() == "image"
        && href.starts_with("data:image/png;base64,")
}

/// Refuses a style sheet that reaches outside the file: `@import`, or a
/// `url(…)` that names no element of the file (a font or an image).
fn check_style_sheet(node: roxmltree::Node) -> Result<(), Refusal> {
    let css: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    if css.to_ascii_lowercase().contains("@import") {
        return Err((
            "sa feuille de style (`<style>`) en importe une autre (`@import`)".into(),
            HINT_SVG_SELF_CONTAINED,
        ));
    }
    if let Some(target) = outside_url(&css) {
        return Err((
            format!(
                "sa feuille de style (`<style>`) fait référence à un autre fichier (`url({})`)",
                shorten(&target)
            ),
            HINT_SVG_SELF_CONTAINED,
        ));
    }
    Ok(())
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
fn normalise(text: &str) -> Result<(String, Vec<MissingFont>), Refusal> {
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
fn compiler_options() -> usvg::Options<'static> {
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
fn unreadable_svg(error: usvg::Error) -> Refusal {
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

    /// The ids of `markup` and the ids it refers to (`url(#…)`, `href="#…"`).
    fn ids_and_references(markup: &str) -> (Vec<String>, Vec<String>) {
        let document = roxmltree::Document::parse(markup).unwrap();
        let mut ids = Vec::new();
        let mut references = Vec::new();
        for node in document.descendants() {
            for attribute in node.attributes() {
                let value = attribute.value();
                if attribute.name() == "id" {
                    ids.push(value.to_string());
                } else if attribute.name() == "href"
                    && let Some(id) = value.strip_prefix('#')
                {
                    references.push(id.to_string());
                } else if let Some(at) = value.find("url(#") {
                    let id = &value[at + 5..];
                    references.push(id[..id.find(')').unwrap()].to_string());
                }
            }
        }
        (ids, references)
    }

    #[test]
    fn svg_is_rebuilt_with_prefixed_ids_and_without_metadata() {
        let svg_text = r##"<?xml version="1.0"?>
<!-- Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="200" height="100" inkscape:version="1">
  <metadata><rdf xmlns="urn:x">x</rdf></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#1b75bc"/></linearGradient></defs>
  <rect id="r" width="10" height="10" fill="url(#g)" stroke="#0a4a8f" data-x="a&quot;b"/>
  <use xlink:href="#r" x="20"/>
</svg>"##;
        let Svg {
            markup: out,
            ratio,
            missing_fonts,
        } = svg(svg_text.as_bytes(), 2).unwrap();
        assert_eq!(ratio, 2.0);
        assert!(missing_fonts.is_empty());
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(out.contains("viewBox=\"0 0 200 100\""), "{out}");
        assert!(out.contains("stroke=\"#0a4a8f\""), "{out}");
        // The gradient and what it fills, the shape and its copy by `<use>`.
        assert!(out.contains("<linearGradient"), "{out}");
        assert!(out.contains("stop-color=\"#1b75bc\""), "{out}");
        assert_eq!(out.matches("<path").count(), 2, "{out}");
        // Every id is the logo's own, and every reference names one of them.
        let (ids, references) = ids_and_references(&out);
        assert!(!ids.is_empty() && !references.is_empty(), "{out}");
        assert!(ids.iter().all(|id| id.starts_with("ctg-logo-2-")), "{out}");
        assert!(references.iter().all(|r| ids.contains(r)), "{out}");
        for gone in ["inkscape", "metadata", "<!--", "<?xml", "rdf", "data-x"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        // The same file gives the same markup.
        assert_eq!(svg(svg_text.as_bytes(), 2).unwrap().markup, out);
    }

    /// An SVG of `body`, 200 × 80.
    fn logo(body: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 200 80\">{body}</svg>"
        )
    }

    #[test]
    fn a_style_sheet_is_applied_and_left_out() {
        // As Illustrator exports it: classes, in a CDATA section.
        let out = svg(
            logo(
                "<defs><style><![CDATA[.cls-1{fill:#e30613;}.cls-2{fill:#004f9f;stroke:#ffffff}]]></style></defs>\
                 <rect class=\"cls-1\" width=\"100\" height=\"80\"/><circle class=\"cls-2\" cx=\"150\" cy=\"40\" r=\"30\"/>",
            )
            .as_bytes(),
            1,
        )
        .unwrap()
        .markup;
        assert!(out.contains("fill=\"#e30613\""), "{out}");
        assert!(out.contains("fill=\"#004f9f\""), "{out}");
        assert!(out.contains("stroke=\"#ffffff\""), "{out}");
        for gone in ["<style", "class=", "cls-"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
    }

    #[test]
    fn text_is_drawn_as_outlines_and_a_missing_font_is_named() {
        let drawn = |body: &str| svg(logo(body).as_bytes(), 1).unwrap();
        let plain = drawn("<text x=\"10\" y=\"50\" font-size=\"30\" fill=\"#0a4a8f\">Caf</text>");
        assert!(!plain.markup.contains("<text"), "{}", plain.markup);
        assert!(plain.markup.contains("<path"), "{}", plain.markup);
        assert!(
            plain.markup.contains("fill=\"#0a4a8f\""),
            "{}",
            plain.markup
        );
        assert!(plain.missing_fonts.is_empty());
        // The body font by another spelling, a generic family, a font ctg has.
        for family in ["liberation sans", "sans-serif", "serif", "DejaVu Sans Mono"] {
            let logo = drawn(&format!("<text font-family=\"{family}\">Caf</text>"));
            assert!(logo.missing_fonts.is_empty(), "{family}");
        }
        // A font ctg does not have, in a style sheet as drawing programs
        // write it, with its fallbacks: named once, drawn in the body font.
        let marianne = drawn(
            "<style>.t{font-family:'Marianne-Bold', Marianne, sans-serif;font-weight:700}</style>\
             <text class=\"t\" y=\"40\">Caf</text><text class=\"t\" y=\"70\">52</text>",
        );
        assert_eq!(
            marianne.missing_fonts,
            [MissingFont {
                asked: "Marianne-Bold".into(),
                drawn_with: "Liberation Sans".into()
            }]
        );
        assert!(!marianne.markup.contains("<text"), "{}", marianne.markup);
        // Unlike text in the body font: the outlines are those of the fonts.
        assert_ne!(
            drawn("<text font-family=\"Libertinus Serif\">Caf</text>").markup,
            drawn("<text>Caf</text>").markup
        );
        // An emoji is a bitmap glyph of the emoji font: an embedded PNG.
        let emoji = drawn("<text y=\"40\">Caf 🎉</text>");
        assert!(
            emoji.markup.contains("xlink:href=\"data:image/png;base64,"),
            "{}",
            emoji.markup
        );
    }

    #[test]
    fn the_depth_is_bounded_before_parsing() {
        let nested = |levels: usize| {
            logo(&format!(
                "{}<rect width=\"1\" height=\"1\"/>{}",
                "<g>".repeat(levels),
                "</g>".repeat(levels)
            ))
        };
        // The `<svg>`, its groups and the rectangle.
        assert!(svg(nested(MAX_SVG_DEPTH - 2).as_bytes(), 1).is_ok());
        let started = std::time::Instant::now();
        let (message, hint) = svg(nested(5000).as_bytes(), 1).unwrap_err();
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
        assert_eq!(
            message,
            "ses éléments sont imbriqués sur 5002 niveaux, au-delà de 256"
        );
        assert!(hint.contains("dégroupez"), "{hint}");
    }

    #[test]
    fn what_usvg_cannot_read_is_refused_in_words() {
        let (message, _) = unreadable_svg(usvg::Error::ParsingFailed(
            roxmltree::Error::NodesLimitReached,
        ));
        assert!(message.contains("trop d'éléments"), "{message}");
        // A size of zero: the file has one, usvg cannot draw it.
        let (message, _) = svg(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"/>",
            1,
        )
        .unwrap_err();
        assert!(message.contains("taille"), "{message}");
    }

    #[test]
    fn bitmaps_are_sniffed_and_decoded() {
        let file = SourceFile::new("data/convention.toml", "logo = \"x\"\n");
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode(&[128u8; 8 * 4 * 3], 8, 4, image::ExtendedColorType::Rgb8)
            .unwrap();
        let logo = check(
            &file,
            7..10,
            "logos/a.jpeg",
            &jpeg,
            3,
            "Logo".into(),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!((logo.format, logo.ratio), (Format::Jpeg, 2.0));
        assert_eq!(logo.virtual_path(), "/logos/3.jpg");
        // Cut short, it no longer decodes.
        let cut = &jpeg[..jpeg.len() / 2];
        let refused = check(
            &file,
            7..10,
            "logos/a.jpg",
            cut,
            1,
            "Logo".into(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(refused.message.contains("illisible"), "{}", refused.message);
        // A JPEG named .png.
        let refused = check(
            &file,
            7..10,
            "logos/a.png",
            &jpeg,
            1,
            "Logo".into(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            refused.message.contains("est une image JPEG, pas PNG"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn svg_that_could_run_or_reach_out_is_refused() {
        let refused = |body: &str| svg(logo(body).as_bytes(), 1).unwrap_err().0;
        assert!(refused("<script>alert(1)</script>").contains("script"));
        assert!(refused("<rect onclick=\"x()\" width=\"1\" height=\"1\"/>").contains("onclick"));
        assert!(refused("<rect ONLOAD=\"x()\" width=\"1\" height=\"1\"/>").contains("ONLOAD"));
        assert!(refused("<image href=\"logo.png\"/>").contains("logo.png"));
        assert!(refused("<image xlink:href=\"http://x/y.png\"/>").contains("http"));
        assert!(refused("<image href=\"data:image/png;base64,AAAA\"/>").contains("data:"));
        assert!(refused("<rect fill=\"url(other.svg#g)\"/>").contains("other.svg"));
        assert!(refused("<rect style=\"fill: url( 'x.svg#a' )\"/>").contains("x.svg"));
        assert!(
            refused("<text><textPath href=\"o.svg#p\">Caf</textPath></text>").contains("o.svg")
        );
        assert!(refused("<font-face font-family=\"M\"/>").contains("police"));
        assert!(refused("<foreignObject/>").contains("foreignObject"));
        assert!(refused("<set attributeName=\"href\" to=\"x\"/>").contains("animation"));
        assert!(refused("<a href=\"#x\"><rect/></a>").contains("lien"));
        // A style sheet is applied, unless it reaches out.
        let import = refused("<style>@import url(https://x/y.css); .a{fill:red}</style>");
        assert!(import.contains("@import"), "{import}");
        let import = refused("<style>@IMPORT 'y.css';</style>");
        assert!(import.contains("@import"), "{import}");
        let font = refused(
            "<style><![CDATA[@font-face{font-family:M;src:url(\"https://x/m.woff\")}]]></style>",
        );
        assert!(font.contains("https://x/m.woff"), "{font}");
        let paint = refused("<style>.a{fill:url(o.svg#g)}</style><rect class=\"a\"/>");
        assert!(paint.contains("o.svg"), "{paint}");
        // Even when usvg would ignore it: the file is refused before usvg reads it.
        assert!(refused("<style>.a{}</style><script/>").contains("script"));
        let sheet = format!("<?xml-stylesheet href=\"https://x/y.css\"?>{}", logo(""));
        let (message, _) = svg(sheet.as_bytes(), 1).unwrap_err();
        assert!(message.contains("xml-stylesheet"), "{message}");
        let dtd = "<!DOCTYPE svg [<!ENTITY x SYSTEM \"/etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>";
        assert!(svg(dtd.as_bytes(), 1).unwrap_err().0.contains("DTD"));
        assert!(svg(b"<html/>", 1).unwrap_err().0.contains("racine"));
    }

    #[test]
    fn a_missing_font_is_a_warning_at_the_declaration() {
        let file = SourceFile::new("data/convention.toml", "logo = \"logos/caf.svg\"\n");
        let text = logo("<text font-family=\"Marianne\" y=\"40\">Caf</text>");
        let mut warnings = Vec::new();
        let logo = check(
            &file,
            7..22,
            "logos/caf.svg",
            text.as_bytes(),
            1,
            "Logo".into(),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(logo.format, Format::Svg);
        assert_eq!(warnings.len(), 1);
        let warning = &warnings[0];
        assert!(!warning.is_error());
        assert_eq!(
            warning.location().as_deref(),
            Some("data/convention.toml:1:8")
        );
        assert_eq!(
            warning.message,
            "le logo `logos/caf.svg` demande la police « Marianne », que ctg n'a pas : son texte est dessiné en Liberation Sans"
        );
        assert!(
            warning
                .hint
                .as_deref()
                .unwrap()
                .contains("texte converti en tracés"),
            "{:?}",
            warning.hint
        );
    }
}
