//! A bitmap logo, PNG or JPEG, told by its signature, within the
//! limits of size, and decoded once so that a damaged file is refused here.

use super::{LogoFormat, MAX_SIDE, Refusal};

/// The bitmap format whose signature `bytes` start with, if any of the two.
pub(super) fn sniff(bytes: &[u8]) -> Option<LogoFormat> {
    match image::guess_format(bytes).ok()? {
        image::ImageFormat::Png => Some(LogoFormat::Png),
        image::ImageFormat::Jpeg => Some(LogoFormat::Jpeg),
        // Another bitmap format: not what its extension says either.
        _ => None,
    }
}

/// The size of a PNG or JPEG, once it decodes entirely.
pub(super) fn bitmap(bytes: &[u8], format: LogoFormat) -> Result<(u32, u32), Refusal> {
    let image_format = match format {
        LogoFormat::Png => image::ImageFormat::Png,
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

fn unreadable(format: LogoFormat) -> Refusal {
    (
        format!(
            "image {} illisible (fichier abîmé ou incomplet)",
            format.name()
        ),
        "ouvrez le logo dans un logiciel d'images et enregistrez-le de nouveau",
    )
}
