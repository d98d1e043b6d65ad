//! The theme's colours: read as written (`#rrggbb`), and their contrast by
//! WCAG 2's formula, with the nearest readable colour for a hint.

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
