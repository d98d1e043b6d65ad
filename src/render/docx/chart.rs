//! Word documents, the images: the review's chart, the SVG that the review's
//! page draws (template `bilan.chart.svg.tera`), becomes a PNG image, drawn by
//! resvg in the documents' font, twice the SVG's size so that it prints
//! sharply; a signatory's logo becomes a PNG image too.

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, fontdb};

/// Pixels per SVG unit.
const SCALE: f32 = 2.0;

/// The fonts the chart may use: the body font's faces only, never the system's.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    for face in crate::fonts::text_faces() {
        db.load_font_data(face.to_vec());
    }
    Arc::new(db)
});

/// The chart drawn from `svg`: the PNG's bytes and its size in pixels.
pub fn png(svg: &str) -> Result<(Vec<u8>, (u32, u32)), String> {
    let options = usvg::Options {
        font_family: "Liberation Sans".into(),
        fontdb: FONTS.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("diagramme : {e}"))?;
    let size = tree.size();
    let width = (size.width() * SCALE).ceil() as u32;
    let height = (size.height() * SCALE).ceil() as u32;
    let mut pixmap = Pixmap::new(width, height)
        .ok_or_else(|| format!("diagramme de taille impossible : {width} × {height}"))?;
    pixmap.fill(Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| format!("diagramme : {e}"))?;
    Ok((png, (width, height)))
}

/// Height in pixels of a logo drawn from its SVG: sharp at the title block's size.
const LOGO_HEIGHT: f32 = 300.0;

/// A signatory's logo as a PNG image, the form every Word reader shows: a PNG
/// as it is, a JPEG re-encoded, an SVG drawn (on a transparent background).
/// Its bytes and its size in pixels.
pub fn logo_png(logo: &crate::read::logos::Logo) -> Result<(Vec<u8>, (u32, u32)), String> {
    use crate::read::logos::LogoFormat;
    match logo.format {
        LogoFormat::Png | LogoFormat::Jpeg => {
            let image = image::load_from_memory(&logo.bytes).map_err(|e| format!("logo : {e}"))?;
            let size = (image.width(), image.height());
            if logo.format == LogoFormat::Png {
                return Ok((logo.bytes.to_vec(), size));
            }
            let mut png = Vec::new();
            image
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| format!("logo : {e}"))?;
            Ok((png, size))
        }
        LogoFormat::Svg => {
            let options = usvg::Options {
                font_family: "Liberation Sans".into(),
                fontdb: FONTS.clone(),
                ..usvg::Options::default()
            };
            let tree =
                usvg::Tree::from_data(&logo.bytes, &options).map_err(|e| format!("logo : {e}"))?;
            let size = tree.size();
            let scale = LOGO_HEIGHT / size.height().max(1.0);
            let width = (size.width() * scale).ceil() as u32;
            let height = (size.height() * scale).ceil() as u32;
            let mut pixmap = Pixmap::new(width.max(1), height.max(1))
                .ok_or_else(|| format!("logo de taille impossible : {width} × {height}"))?;
            resvg::render(
                &tree,
                Transform::from_scale(scale, scale),
                &mut pixmap.as_mut(),
            );
            let png = pixmap.encode_png().map_err(|e| format!("logo : {e}"))?;
            Ok((png, (pixmap.width(), pixmap.height())))
        }
    }
}
