//! The fonts every document embeds, and the characters they can print. Both the
//! renderer (which hands the fonts to the compiler) and validation (which refuses
//! a text that no font can print, at its place in the data) read them here, so
//! that the two always agree and validation needs no renderer.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

/// Liberation Sans, the body font, and Noto Color Emoji, so that an emoji in a
/// cell prints as itself (both under the SIL Open Font License 1.1).
const BODY: &[&[u8]] = &[
    include_bytes!("../templates/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../templates/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../templates/fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../templates/fonts/LiberationSans-BoldItalic.ttf"),
    include_bytes!("../templates/fonts/NotoColorEmoji.ttf"),
];

/// The body font's four faces (Liberation Sans), for the images that the
/// documents draw (the review's chart in its Word document).
pub fn text_faces() -> &'static [&'static [u8]] {
    &BODY[..4]
}

/// Every font file the documents may use, in the compiler's order: the body
/// fonts first, then Typst's own fonts for mathematics and code, which the
/// compiler also falls back on for a character the body fonts lack.
pub fn files() -> impl Iterator<Item = &'static [u8]> {
    BODY.iter().copied().chain(typst_assets::fonts())
}

/// Prepares the table of printable characters, once per process.
pub fn warm_up() {
    LazyLock::force(&COVERAGE);
}

/// The characters some embedded font maps to a glyph, as sorted, disjoint
/// ranges. Read from the fonts' Unicode character maps, as the compiler reads
/// them to choose a font for each character.
static COVERAGE: LazyLock<Vec<RangeInclusive<u32>>> = LazyLock::new(|| {
    // One bit per code point: the fonts' maps list many code points several
    // times (a face has several Unicode subtables), which a bit set takes in
    // one pass, without sorting them.
    const WORDS: usize = (char::MAX as usize + 1).div_ceil(64);
    let mut bits = vec![0u64; WORDS];
    for data in files() {
        let faces = ttf_parser::fonts_in_collection(data).unwrap_or(1);
        for index in 0..faces {
            let Ok(face) = ttf_parser::Face::parse(data, index) else {
                continue;
            };
            let Some(cmap) = face.tables().cmap else {
                continue;
            };
            for subtable in cmap.subtables {
                if subtable.is_unicode() {
                    subtable.codepoints(|c| {
                        if let Some(word) = bits.get_mut(c as usize / 64) {
                            *word |= 1 << (c % 64);
                        }
                    });
                }
            }
        }
    }
    let mut ranges: Vec<RangeInclusive<u32>> = Vec::new();
    for (i, &word) in bits.iter().enumerate() {
        let mut rest = word;
        while rest != 0 {
            let c = (i * 64) as u32 + rest.trailing_zeros();
            rest &= rest - 1;
            match ranges.last_mut() {
                Some(last) if *last.end() + 1 == c => *last = *last.start()..=c,
                _ => ranges.push(c..=c),
            }
        }
    }
    ranges
});

/// Whether some embedded font has a glyph for `c`.
pub fn covers(c: char) -> bool {
    let c = c as u32;
    let ranges = &*COVERAGE;
    let after = ranges.partition_point(|r| *r.end() < c);
    ranges.get(after).is_some_and(|r| r.contains(&c))
}

/// Whether `c` can appear in a document: some font prints it, or it prints
/// nothing at all (a control character, a zero-width space or joiner, a
/// variation selector), so that no font needs it.
pub fn printable(c: char) -> bool {
    // A control character that is not a space (a bell, an escape) has no
    // glyph in any font; tabs and line breaks are spaces.
    if c.is_control() {
        return c.is_whitespace();
    }
    // Latin letters, digits and their punctuation are in the body font: only
    // the rarer characters are looked up.
    (c as u32) < 0x180
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
        || covers(c)
}

/// The first character of `text` that no embedded font can print, if any: the
/// PDF/A export refuses a document with a missing glyph, so such text is caught
/// in the data, where it can be named.
#[cfg(test)]
fn unprintable(text: &str) -> Option<char> {
    text.chars().find(|&c| !printable(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coverage_is_sorted_disjoint_ranges() {
        let ranges = &*COVERAGE;
        assert!(ranges.len() > 10);
        // Each range ends before the next starts, with a gap between them.
        for pair in ranges.windows(2) {
            assert!(pair[0].start() <= pair[0].end());
            assert!(pair[0].end() + 1 < *pair[1].start(), "{pair:?}");
        }
        assert!(covers('A') && covers('€') && covers('→'));
        assert!(!covers('\u{10FFFF}'));
    }

    #[test]
    fn latin_text_emoji_and_symbols_print_ideograms_do_not() {
        assert_eq!(
            unprintable("Crèche « Les P'tits Loups » : 12 places, 222 000 € ; œuvre ½ → ✓"),
            None
        );
        assert_eq!(unprintable("Réunion 🎉 👨‍👩‍👧"), None);
        assert_eq!(unprintable("Accueil 漢字"), Some('漢'));
        assert!(covers('é') && covers('€') && !covers('中'));
    }
}
