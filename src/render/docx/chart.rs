//! Word documents, the review's chart: the SVG that the review's page draws
//! (template `bilan.chart.svg.tera`) becomes a PNG image, drawn by resvg in the
//! documents' font, twice the SVG's size so that it prints sharply.

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
