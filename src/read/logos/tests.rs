use super::normalise::{MissingFont, unreadable_svg};
use super::svg::Svg;
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
    assert_eq!((logo.format, logo.ratio), (LogoFormat::Jpeg, 2.0));
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
    assert!(refused("<text><textPath href=\"o.svg#p\">Caf</textPath></text>").contains("o.svg"));
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
    assert_eq!(logo.format, LogoFormat::Svg);
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
