//! An SVG logo's checks, on the file as written and again on usvg's
//! normalised version of it: nothing that could run, nothing that reaches
//! outside the file, a size to scale it by, a depth that the parsers can take.

use super::normalise::{MissingFont, compiler_options, normalise, unreadable_svg, write_element};
use super::{MAX_SVG_DEPTH, Refusal};

pub(super) const SVG_NS: &str = "http://www.w3.org/2000/svg";

const HINT_SVG_SELF_CONTAINED: &str = "un logo SVG se suffit à lui-même : intégrez les images et convertissez le texte en tracés dans votre logiciel de dessin (Inkscape : « Chemin › Objet en chemin »), puis enregistrez-le en SVG simple";

pub(super) const HINT_TEXT_AS_OUTLINES: &str = "pour garder la police du logo, demandez-le avec son texte converti en tracés (Inkscape : « Chemin › Objet en chemin » ; Illustrator : « Texte › Vectoriser »)";

pub(super) const HINT_SVG_TOO_DEEP: &str = "un logo tient en quelques niveaux de groupes : dans votre logiciel de dessin, dégroupez ses objets (Inkscape et Illustrator : « Objet › Dégrouper ») et enregistrez-le de nouveau en SVG simple";

/// A checked SVG logo.
#[derive(Debug)]
pub(super) struct Svg {
    /// The markup the documents embed.
    pub(super) markup: String,
    /// Its width over its height.
    pub(super) ratio: f64,
    /// The fonts its text asks for that ctg does not have, each once.
    pub(super) missing_fonts: Vec<MissingFont>,
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
pub(super) fn svg(bytes: &[u8], number: usize) -> Result<Svg, Refusal> {
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
pub(super) fn size(root: roxmltree::Node) -> Option<(f64, f64)> {
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
