//! Stages 1 and 2 (load, validate): the signatories' logos. A logo is read from
//! inside the project only ([`read`], in [`file`]), then checked for what it is
//! ([`check`]): a PNG or JPEG that decodes, within the limits of size
//! ([`bitmap`]), or an SVG that refers to nothing outside itself and holds no
//! script ([`svg`]). An SVG is then normalised by usvg, the SVG library the
//! compiler reads it with (its style sheet resolved, its text drawn as outlines
//! in the documents' fonts), checked again, and rebuilt from its parsed tree
//! ([`normalise`]), so that what the documents embed is what was checked, and
//! what the compiler can read. It also checks the theme's colours for contrast
//! ([`colour`]).

mod bitmap;
mod colour;
mod file;
mod normalise;
mod svg;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use bitmap::{bitmap, sniff};
pub use colour::{contrast, hex, nearest_readable, parse_colour};
pub use file::read;
use svg::{HINT_TEXT_AS_OUTLINES, svg};

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
pub enum LogoFormat {
    Svg,
    Png,
    Jpeg,
}

impl LogoFormat {
    fn from_extension(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(LogoFormat::Svg),
            "png" => Some(LogoFormat::Png),
            "jpg" | "jpeg" => Some(LogoFormat::Jpeg),
            _ => None,
        }
    }

    /// The extension of the virtual file the compiler reads.
    pub fn extension(self) -> &'static str {
        match self {
            LogoFormat::Svg => "svg",
            LogoFormat::Png => "png",
            LogoFormat::Jpeg => "jpg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            LogoFormat::Svg => "image/svg+xml",
            LogoFormat::Png => "image/png",
            LogoFormat::Jpeg => "image/jpeg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LogoFormat::Svg => "SVG",
            LogoFormat::Png => "PNG",
            LogoFormat::Jpeg => "JPEG",
        }
    }
}

/// A checked logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// Its rank among the convention's logos, from 1.
    pub number: usize,
    pub format: LogoFormat,
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
    let Some(declared) = LogoFormat::from_extension(written) else {
        return Err(refuse(
            format!("format de logo non pris en charge : `{written}`"),
            HINT_FORMATS,
        ));
    };
    let sniffed = sniff(bytes);
    match (declared, sniffed) {
        (LogoFormat::Svg, None) => {
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
                format: LogoFormat::Svg,
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

/// Why a logo is refused, and what to do: a message and its hint, made into
/// an error at the logo's declaration.
type Refusal = (String, &'static str);
