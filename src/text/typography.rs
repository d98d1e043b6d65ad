//! French typography applied to the text of cells before it reaches any output
//! format: the format writers only decide how each [`Segment`] is marked up.

use std::sync::LazyLock;

use regex::Regex;

/// A piece of text, plain or raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Plain(&'a str),
    /// Superscript letters, such as the ending of an ordinal ("2ème").
    Super(&'a str),
}

/// An ordinal: a number followed by its French ending, alone as a word.
static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d+)(ème|eme|ère|ere|er|re|nde|nd|e)\b").expect("a valid pattern")
});

/// Splits `text` so that the ending of each ordinal is a superscript.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut last = 0;
    for caps in ORDINAL.captures_iter(text) {
        let (Some(number), Some(ending)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        out.push(Segment::Plain(&text[last..number.end()]));
        out.push(Segment::Super(ending.as_str()));
        last = ending.end();
    }
    if last < text.len() || out.is_empty() {
        out.push(Segment::Plain(&text[last..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Segment::*;
    use super::*;

    #[test]
    fn ordinal_endings_are_raised() {
        assert_eq!(
            segments("Ouverture d'une 2ème structure"),
            [
                Plain("Ouverture d'une 2"),
                Super("ème"),
                Plain(" structure")
            ]
        );
        assert_eq!(
            segments("le 1er et la 1re"),
            [Plain("le 1"), Super("er"), Plain(" et la 1"), Super("re")]
        );
    }

    #[test]
    fn other_numbers_are_left_alone() {
        assert_eq!(
            segments("12 places, 222 000 €, 2023-2027"),
            [Plain("12 places, 222 000 €, 2023-2027")]
        );
        assert_eq!(segments("A2ème"), [Plain("A2ème")]);
        assert_eq!(segments("2èmes"), [Plain("2èmes")]);
        assert_eq!(segments(""), [Plain("")]);
    }
}
