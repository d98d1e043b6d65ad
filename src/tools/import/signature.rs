//! Import, signature line: « Fait à Rivesaltes, le 12 septembre 2024 », the
//! line that closes a convention below its table, read into the place and the
//! date of the convention's `[signature]` so that it is taken for what it is,
//! never for a footnote's text.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::Date;

/// A signature line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLine {
    /// The place as written after « à »; `None` when left blank (« Fait à …… »).
    pub place: Option<String>,
    /// The place follows « au » or « aux », kept in `place` (« au Mans »): the
    /// documents print « Fait à <lieu> », so it cannot be kept as written.
    pub contracted: bool,
    /// The date as written after « le »; `None` when left blank or absent.
    pub date_text: Option<String>,
    /// The date read from `date_text`, when it is one of the calendar.
    pub date: Option<Date>,
    /// What follows on the paragraph: « en deux exemplaires », names.
    pub rest: String,
}

/// « le » between the place and the date: « Rivesaltes, le … », « Rivesaltes le … ».
static BEFORE_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:,\s*|\s+)le\s+").expect("valid pattern"));

/// A date as officers write it, from the start of a text: « 12 septembre
/// 2024 », « jeudi 1er août 2024 », « 12 sept. 2024 », « 12/09/2024 ».
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?
        (?:
            (?P<day>\d{1,2})(?:er)?\s+(?P<month>\p{L}+)\.?\s+(?P<year>\d{4})
          | (?P<nday>\d{1,2})\s*[/.-]\s*(?P<nmonth>\d{1,2})\s*[/.-]\s*(?P<nyear>\d{4})
        )\b",
    )
    .expect("valid pattern")
});

/// « en deux exemplaires (originaux), » before the place or the date.
static COPIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^en\s+\S+\s+exemplaires?(?:\s+originaux)?\s*,?\s*").expect("valid pattern")
});

/// Reads a paragraph as a signature line: « Fait à <lieu>, le <date> » or
/// « Fait le <date> à <lieu> », possibly « en N exemplaires » and followed by
/// names. `None` for any other paragraph.
pub fn parse(paragraph: &str) -> Option<SignatureLine> {
    // A line break (Shift+Enter) often separates the line from the names.
    let (line, next_lines) = paragraph
        .trim_start()
        .split_once('\n')
        .unwrap_or((paragraph.trim_start(), ""));
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let after_fait = word(&line, &["fait"])?;
    let after_fait = match COPIES.find(after_fait) {
        Some(m) => &after_fait[m.end()..],
        None => after_fait,
    };
    let mut read = if let Some((preposition, rest)) = place_word(after_fait) {
        place_then_date(rest, preposition)?
    } else {
        // « Fait le … » is a signature line only when a date follows: « Fait le
        // lien entre… » is not one.
        date_then_place(word(after_fait, &["le"])?)?
    };
    let next: Vec<&str> = next_lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if !next.is_empty() {
        let joined = next.join(" ; ");
        read.rest = if read.rest.is_empty() {
            joined
        } else {
            format!("{} ; {joined}", read.rest)
        };
    }
    Some(read)
}

/// « Rivesaltes, le 12 septembre 2024, en deux exemplaires »: the place up to
/// the « le » a date (or a blank) follows. Without a date, a short place only
/// (« Fait à Rivesaltes »): « Fait à titre indicatif pour les partenaires »
/// is a sentence, not a signature line.
fn place_then_date(text: &str, preposition: &str) -> Option<SignatureLine> {
    let contracted = is_contracted(preposition);
    for m in BEFORE_DATE.find_iter(text) {
        let after = &text[m.end()..];
        let (date_text, date, rest) = if is_blank(after) {
            (None, None, "")
        } else if let Some((date_text, date, rest)) = date(after) {
            (Some(date_text), date, rest)
        } else {
            continue;
        };
        return Some(SignatureLine {
            place: placed(&text[..m.start()], preposition),
            contracted,
            date_text,
            date,
            rest: leftover(rest),
        });
    }
    // No date: the place is what comes before a comma, and the date, if any,
    // was not read.
    let (place, rest) = text.split_once(',').unwrap_or((text, ""));
    if place.split_whitespace().count() > MAX_PLACE_WORDS {
        return None;
    }
    let rest = rest.trim();
    let (date_text, rest) = match word(rest, &["le"]) {
        Some(date_text) if !is_blank(date_text) => (Some(date_text.trim().to_string()), ""),
        Some(_) => (None, ""),
        None => (None, rest),
    };
    Some(SignatureLine {
        place: placed(place, preposition),
        contracted,
        date_text,
        date: None,
        rest: leftover(rest),
    })
}

/// Words of the longest place read without a date after it
/// (« Saint-Laurent-de-la-Salanque » is one, « La Tour de Carol » three).
const MAX_PLACE_WORDS: usize = 5;

/// « 12 septembre 2024 à Rivesaltes, … » (after « Fait le »).
fn date_then_place(text: &str) -> Option<SignatureLine> {
    let (date_text, date, rest) = date(text)?;
    let rest = rest.trim_start_matches([',', ' ']);
    let (place, contracted, rest) = match place_word(rest) {
        Some((preposition, rest)) => {
            let (place, rest) = rest.split_once(',').unwrap_or((rest, ""));
            (placed(place, preposition), is_contracted(preposition), rest)
        }
        None => (None, false, rest),
    };
    Some(SignatureLine {
        place,
        contracted,
        date_text: Some(date_text),
        date,
        rest: leftover(rest),
    })
}

/// The preposition before the place (« à », or « a » typed without its
/// accent, « au », « aux ») and the text after it.
fn place_word(text: &str) -> Option<(&'static str, &str)> {
    ["à", "a", "au", "aux"]
        .into_iter()
        .find_map(|w| word(text, &[w]).map(|rest| (w, rest)))
}

/// A date at the start of `text`: the date as written, the date when valid,
/// and the text after it.
fn date(text: &str) -> Option<(String, Option<Date>, &str)> {
    let caps = DATE.captures(text)?;
    let whole = caps.get(0)?;
    let number = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
    let (day, month, year) = match caps.name("month") {
        Some(month) => (
            number("day")?,
            month_number(month.as_str())?,
            number("year")?,
        ),
        None => (number("nday")?, number("nmonth")?, number("nyear")?),
    };
    Some((
        whole.as_str().to_string(),
        calendar_date(year, month, day),
        &text[whole.end()..],
    ))
}

/// The month of a French month name, written in full or shortened.
fn month_number(name: &str) -> Option<u16> {
    let name = deunicode::deunicode(name).to_lowercase();
    const MONTHS: [&[&str]; 12] = [
        &["janvier", "janv", "jan"],
        &["fevrier", "fevr", "fev"],
        &["mars"],
        &["avril", "avr"],
        &["mai"],
        &["juin"],
        &["juillet", "juil"],
        &["aout"],
        &["septembre", "sept", "sep"],
        &["octobre", "oct"],
        &["novembre", "nov"],
        &["decembre", "dec"],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&name.as_str()))
        .and_then(|i| u16::try_from(i + 1).ok())
}

/// A date of the calendar (the 31 février is not one).
fn calendar_date(year: u16, month: u16, day: u16) -> Option<Date> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1900..=2199).contains(&year) || !(1..=days).contains(&day) {
        return None;
    }
    Some(Date {
        year,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
    })
}

/// `text` after one of `words` (compared without case) and the spaces after it.
fn word<'a>(text: &'a str, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| {
        let n = w.chars().count();
        let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
        let (head, rest) = text.split_at(end);
        let ends_word = rest.is_empty() || rest.starts_with(char::is_whitespace);
        (head.chars().count() == n && head.to_lowercase() == *w && ends_word)
            .then(|| rest.trim_start())
    })
}

/// Dots, ellipses or underscores left for a hand to fill in, or nothing.
fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || matches!(c, '.' | '…' | '_' | ',' | '-'))
}

fn is_contracted(preposition: &str) -> bool {
    matches!(preposition, "au" | "aux")
}

/// The place after `preposition`, with it when it is « au » or « aux ».
fn placed(text: &str, preposition: &str) -> Option<String> {
    let place = written(text)?;
    Some(if is_contracted(preposition) {
        format!("{preposition} {place}")
    } else {
        place
    })
}

/// A place as written, or `None` when left blank.
fn written(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches([',', '.', ' ']).trim();
    (!is_blank(text)).then(|| text.to_string())
}

/// What follows the place and the date, without its leading punctuation.
fn leftover(text: &str) -> String {
    text.trim_start_matches([',', '.', ';', ' '])
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: u16, month: u8, day: u8) -> Option<Date> {
        Some(Date { year, month, day })
    }

    #[test]
    fn signature_lines_as_conventions_close() {
        let read = parse("Fait à Rivesaltes, le 12 septembre 2024").unwrap();
        assert_eq!(read.place.as_deref(), Some("Rivesaltes"));
        assert_eq!(read.date_text.as_deref(), Some("12 septembre 2024"));
        assert_eq!(read.date, date(2024, 9, 12));
        assert_eq!(read.rest, "");
        assert!(!read.contracted);

        let read = parse("FAIT A Le Barcarès le 1er août 2024, en deux exemplaires.").unwrap();
        assert_eq!(read.place.as_deref(), Some("Le Barcarès"));
        assert_eq!(read.date, date(2024, 8, 1));
        assert_eq!(read.rest, "en deux exemplaires.");

        let read =
            parse("Fait le jeudi 12/09/2024 à Saint-Laurent-de-la-Salanque, en trois exemplaires")
                .unwrap();
        assert_eq!(read.place.as_deref(), Some("Saint-Laurent-de-la-Salanque"));
        assert_eq!(read.date, date(2024, 9, 12));
        assert_eq!(read.rest, "en trois exemplaires");

        let read = parse("Fait en deux exemplaires originaux, à Perpignan, le 3 févr. 2025\nLe Président\nM. Durand").unwrap();
        assert_eq!(read.place.as_deref(), Some("Perpignan"));
        assert_eq!(read.date, date(2025, 2, 3));
        assert_eq!(read.rest, "Le Président ; M. Durand");
    }

    #[test]
    fn blanks_and_unreadable_parts_are_kept_apart() {
        let read = parse("Fait à ……………, le ……………").unwrap();
        assert_eq!((read.place, read.date_text, read.date), (None, None, None));

        let read = parse("Fait à Rivesaltes, le 31 février 2024").unwrap();
        assert_eq!(read.place.as_deref(), Some("Rivesaltes"));
        assert_eq!(read.date_text.as_deref(), Some("31 février 2024"));
        assert_eq!(read.date, None);

        let read = parse("Fait à Rivesaltes, le douze septembre").unwrap();
        assert_eq!(read.place.as_deref(), Some("Rivesaltes"));
        assert_eq!(read.date_text.as_deref(), Some("douze septembre"));
        assert_eq!(read.date, None);

        let read = parse("Fait au Mans, le 2 mai 2024").unwrap();
        assert_eq!(read.place.as_deref(), Some("au Mans"));
        assert!(read.contracted);
        assert_eq!(read.date, date(2024, 5, 2));
    }

    #[test]
    fn other_paragraphs_are_not_signature_lines() {
        for text in [
            "Fait le lien entre les structures du territoire.",
            "Fait à titre indicatif pour les partenaires du territoire.",
            "Faites-le savoir",
            "* La compétence jeunesse est exercée par les communes.",
            "",
            "Fait",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        assert_eq!(calendar_date(2024, 2, 29), date(2024, 2, 29));
        assert_eq!(calendar_date(2023, 2, 29), None);
        assert_eq!(calendar_date(2024, 13, 1), None);
    }
}
