//! French typography, applied in one place to the prose of every cell, title and
//! footnote before it reaches an output format (never to data exports): the
//! format writers only decide how each [`Segment`] is marked up.
//!
//! Rules (each unit-tested below, with examples from the reference plan):
//! - a narrow no-break space (U+202F) before `;`, `!`, `?` and inside « »;
//! - a no-break space (U+00A0) before `:`;
//! - a no-break space between a number and its unit, `€` or `%`;
//! - thousands grouped with a narrow no-break space in amounts ("222 000 €");
//! - ordinals written "2e", "1er", "1re" with the ending in superscript, whatever
//!   the spelling in the data ("2ème", "2eme", "2^{ème}", "1ère");
//! - "n°" written as "n" with a superscript "o".
//!
//! URLs, e-mail addresses and times ("14:30", "9h15") are left exactly as written.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::french::group_thousands;

/// A piece of typeset text, plain or raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Plain(String),
    /// Superscript letters: an ordinal's ending, the "o" of "n°".
    Super(String),
}

pub const NBSP: char = '\u{00A0}';
pub const NNBSP: char = '\u{202F}';

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

/// Text that typography must not touch: URLs, e-mail addresses, times, ratios.
static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>«»]+[^\s<>«».,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b\d{1,2}(?::|h)\d{2}\b|\b\d+:\d+\b",
    )
});

/// Amounts: a number, grouped or not, with optional decimals, then `€` or "euros".
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(\d{1,3}(?:[ \u{00A0}\u{202F}]\d{3})+|\d+)(,\d+)?[ \u{00A0}\u{202F}]*(€|euros?\b)")
});

/// A number followed by a symbol unit (no space needed) or a word unit.
static SYMBOL_UNIT: LazyLock<Regex> = LazyLock::new(|| re(r"(\d)[ \u{00A0}\u{202F}]*(%|‰|°C)"));
static WORD_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(\d)[ \u{00A0}\u{202F}]+(km|m²|m³|m|cm|mm|kg|g|t|h|min|s|ha|l|ko|Mo|Go|ans|an|mois|jours|jour|semaines|heures|places|enfants|familles)\b",
    )
});

/// `;`, `!` and `?` after a word: a narrow no-break space before them.
static HIGH_PUNCT: LazyLock<Regex> =
    LazyLock::new(|| re(r"([^\s;!?:(\[«])[ \u{00A0}\u{202F}]*([;!?])"));
/// `:` after a word: a no-break space before it.
static COLON: LazyLock<Regex> = LazyLock::new(|| re(r"([^\s;!?:(\[«])[ \u{00A0}\u{202F}]*:"));
static OPEN_QUOTE: LazyLock<Regex> = LazyLock::new(|| re(r"«[ \u{00A0}\u{202F}]*"));
static CLOSE_QUOTE: LazyLock<Regex> = LazyLock::new(|| re(r"[ \u{00A0}\u{202F}]*»"));
/// "n° 12": the number stays with its sign.
static NUMERO_SPACE: LazyLock<Regex> = LazyLock::new(|| re(r"\b([nN]°)[ ]+(\d)"));

/// Ordinals in their usual spellings, and "n°".
static RAISED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(\d+)(?:\^\{(\pL+)\}|(ièmes|ième|èmes|ème|emes|eme|ères|ère|eres|ere|ers|er|res|re|es|e|ndes|nde|nds|nd)\b)|\b([nN])°",
    )
});

/// The French ending of an ordinal, as printed: "e", "er", "re", "nd"… (plural "es"…).
fn ordinal_ending(number: &str, written: &str) -> String {
    let plural = written.ends_with('s') && written.len() > 1 && written != "s";
    let stem = if plural {
        &written[..written.len() - 1]
    } else {
        written
    };
    let ending = match stem {
        "er" if number == "1" => "er",
        "ère" | "ere" | "re" if number == "1" => "re",
        "nd" | "nde" => stem,
        _ => "e",
    };
    if plural {
        format!("{ending}s")
    } else {
        ending.to_string()
    }
}

/// Compiles every rule's pattern, once per process.
pub fn warm_up() {
    for pattern in [
        &PROTECTED,
        &AMOUNT,
        &SYMBOL_UNIT,
        &WORD_UNIT,
        &HIGH_PUNCT,
        &COLON,
        &OPEN_QUOTE,
        &CLOSE_QUOTE,
        &NUMERO_SPACE,
        &RAISED,
    ] {
        LazyLock::force(pattern);
    }
}

/// Typesets `text` and splits it into plain and superscript segments.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut last = 0;
    for m in protected_spans(text) {
        typeset(&text[last..m.start()], last > 0, &mut out);
        push_plain(&mut out, m.as_str());
        last = m.end();
    }
    typeset(&text[last..], last > 0, &mut out);
    if out.is_empty() {
        out.push(Segment::Plain(String::new()));
    }
    out
}

/// The spacing rules only, as one string: for places where superscripts cannot
/// be marked up (HTML attributes, metadata).
pub fn spacing(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in protected_spans(text) {
        out.push_str(&space(&text[last..m.start()], last > 0));
        out.push_str(m.as_str());
        last = m.end();
    }
    out.push_str(&space(&text[last..], last > 0));
    out
}

/// The protected spans of `text`. Most text has none: a look at its characters
/// spares the pattern search (typesetting runs on every cell, twice a build).
fn protected_spans(text: &str) -> impl Iterator<Item = regex::Match<'_>> {
    let digits = text.bytes().any(|b| b.is_ascii_digit());
    let possible = text.contains([':', '@'])
        || (digits && text.contains(['h', 'H']))
        || text
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"www."));
    possible
        .then(|| PROTECTED.find_iter(text))
        .into_iter()
        .flatten()
}

/// Replaces in place the matches of `pattern`, when `applies` (a cheap look at
/// the characters the pattern needs) says there may be some.
fn apply(text: &mut String, applies: bool, pattern: &Regex, replacement: impl regex::Replacer) {
    if applies && let std::borrow::Cow::Owned(replaced) = pattern.replace_all(text, replacement) {
        *text = replaced;
    }
}

fn push_plain(out: &mut Vec<Segment>, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Segment::Plain(p)) => p.push_str(s),
        _ => out.push(Segment::Plain(s.to_string())),
    }
}

/// An amount as printed: thousands grouped with a narrow no-break space, the
/// cents after a comma if any, a no-break space before the euro sign
/// (« 12 500 € », « 4 500,50 € »).
pub fn french_amount(cents: i64) -> String {
    let euros = group_thousands(&(cents / 100).to_string());
    match cents % 100 {
        0 => format!("{euros}{NBSP}€"),
        c => format!("{euros},{c:02}{NBSP}€"),
    }
}

/// The spacing rules, on text that holds no protected span. `after_word` tells
/// that the text follows a protected span (a URL, an address…), which counts as a
/// word for the punctuation after it.
fn space(text: &str, after_word: bool) -> String {
    if after_word {
        let mut spaced = space(&format!("x{text}"), false);
        spaced.remove(0);
        return spaced;
    }
    let digits = text.bytes().any(|b| b.is_ascii_digit());
    let mut s = text.to_string();
    let amount = |c: &Captures| {
        let number = group_thousands(&c[1]);
        let decimals = c.get(2).map_or("", |m| m.as_str());
        format!("{number}{decimals}{NBSP}{}", &c[3])
    };
    apply(
        &mut s,
        digits && (text.contains('€') || text.contains("euro")),
        &AMOUNT,
        amount,
    );
    apply(
        &mut s,
        digits && text.contains(['%', '‰', '°']),
        &SYMBOL_UNIT,
        format!("${{1}}{NBSP}${{2}}"),
    );
    apply(&mut s, digits, &WORD_UNIT, format!("${{1}}{NBSP}${{2}}"));
    apply(
        &mut s,
        text.contains('°'),
        &NUMERO_SPACE,
        format!("${{1}}{NBSP}${{2}}"),
    );
    apply(
        &mut s,
        text.contains([';', '!', '?']),
        &HIGH_PUNCT,
        format!("${{1}}{NNBSP}${{2}}"),
    );
    apply(&mut s, text.contains(':'), &COLON, format!("${{1}}{NBSP}:"));
    apply(&mut s, text.contains('«'), &OPEN_QUOTE, format!("«{NNBSP}"));
    apply(
        &mut s,
        text.contains('»'),
        &CLOSE_QUOTE,
        format!("{NNBSP}»"),
    );
    s
}

fn typeset(text: &str, after_word: bool, out: &mut Vec<Segment>) {
    let text = space(text, after_word);
    let mut last = 0;
    let possible = text.bytes().any(|b| b.is_ascii_digit()) || text.contains('°');
    for c in possible
        .then(|| RAISED.captures_iter(&text))
        .into_iter()
        .flatten()
    {
        let whole = c.get(0).expect("the whole match");
        if let Some(n) = c.get(4) {
            push_plain(out, &text[last..n.end()]);
            out.push(Segment::Super("o".into()));
        } else {
            let number = &c[1];
            let written = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
            push_plain(out, &text[last..whole.start()]);
            push_plain(out, number);
            out.push(Segment::Super(ordinal_ending(number, written)));
        }
        last = whole.end();
    }
    push_plain(out, &text[last..]);
}

#[cfg(test)]
mod tests {
    use super::Segment::*;
    use super::*;

    fn plain(s: &str) -> Segment {
        Plain(s.to_string())
    }

    fn sup(s: &str) -> Segment {
        Super(s.to_string())
    }

    #[test]
    fn narrow_space_before_semicolon_exclamation_question() {
        assert_eq!(spacing("a ; b"), "a\u{202F}; b");
        assert_eq!(spacing("Vraiment!"), "Vraiment\u{202F}!");
        assert_eq!(spacing("Quand ?!"), "Quand\u{202F}?!");
    }

    #[test]
    fn no_break_space_before_colon() {
        // From the reference plan: "Accompagnement financier de la CAF :".
        assert_eq!(
            spacing("Accompagnement financier de la CAF :"),
            "Accompagnement financier de la CAF\u{A0}:"
        );
        assert_eq!(spacing("Par la CCBJC:"), "Par la CCBJC\u{A0}:");
    }

    #[test]
    fn narrow_space_inside_guillemets() {
        // From the reference plan.
        assert_eq!(
            spacing("la mission renforcée « promotion renforcée de l'accueil individuel »"),
            "la mission renforcée «\u{202F}promotion renforcée de l'accueil individuel\u{202F}»"
        );
        assert_eq!(spacing("«jeunesse»"), "«\u{202F}jeunesse\u{202F}»");
    }

    #[test]
    fn declared_amounts_print_the_french_way() {
        assert_eq!(french_amount(1_250_000), "12\u{202F}500\u{00A0}€");
        assert_eq!(french_amount(450_050), "4\u{202F}500,50\u{00A0}€");
        assert_eq!(french_amount(5), "0,05\u{00A0}€");
        assert_eq!(
            french_amount(125_000_000),
            "1\u{202F}250\u{202F}000\u{00A0}€"
        );
        // Printed again through the prose rules, it stays the same.
        let printed = french_amount(1_250_000);
        assert_eq!(spacing(&printed), printed);
    }

    #[test]
    fn amounts_are_grouped_and_kept_with_the_currency() {
        // From the reference plan: "PAEI (222 000 €)".
        assert_eq!(spacing("PAEI (222 000 €)"), "PAEI (222\u{202F}000\u{A0}€)");
        assert_eq!(spacing("1500000€"), "1\u{202F}500\u{202F}000\u{A0}€");
        assert_eq!(spacing("12,50 euros"), "12,50\u{A0}euros");
        // Years are not amounts.
        assert_eq!(spacing("2023-2027"), "2023-2027");
    }

    #[test]
    fn numbers_stay_with_their_unit_or_percent() {
        // From the reference plan: "Inscription de 100 % des disponibilités",
        // "des jeunes de 12 à 17 ans".
        assert_eq!(
            spacing("100 % des disponibilités"),
            "100\u{A0}% des disponibilités"
        );
        assert_eq!(spacing("de 12 à 17 ans"), "de 12 à 17\u{A0}ans");
        assert_eq!(spacing("12 places"), "12\u{A0}places");
        assert_eq!(spacing("50%"), "50\u{A0}%");
    }

    #[test]
    fn ordinals_get_a_superscript_ending() {
        // From the reference plan: "Ouverture d'une 2^{ème} structure".
        assert_eq!(
            segments("une 2^{ème} structure"),
            [plain("une 2"), sup("e"), plain(" structure")]
        );
        assert_eq!(
            segments("une 2ème structure"),
            [plain("une 2"), sup("e"), plain(" structure")]
        );
        assert_eq!(
            segments("le 1er et la 1ère"),
            [plain("le 1"), sup("er"), plain(" et la 1"), sup("re")]
        );
        assert_eq!(segments("les 3èmes"), [plain("les 3"), sup("es")]);
        assert_eq!(segments("2nde"), [plain("2"), sup("nde")]);
    }

    #[test]
    fn numero_sign() {
        assert_eq!(
            segments("le n° 12"),
            [plain("le n"), sup("o"), plain("\u{A0}12")]
        );
        assert_eq!(segments("N°"), [plain("N"), sup("o")]);
    }

    #[test]
    fn urls_emails_and_times_are_left_alone() {
        assert_eq!(
            spacing("voir https://exemple.fr/a?b=c:d ici"),
            "voir https://exemple.fr/a?b=c:d ici"
        );
        assert_eq!(
            spacing("écrire à accueil@caf.fr; merci"),
            "écrire à accueil@caf.fr\u{202F}; merci"
        );
        assert_eq!(spacing("à 14:30 ou 9h15"), "à 14:30 ou 9h15");
        assert_eq!(segments("www.monenfant.fr"), [plain("www.monenfant.fr")]);
        // From the reference plan: "sur monenfant.fr".
        assert_eq!(spacing("sur monenfant.fr"), "sur monenfant.fr");
    }

    #[test]
    fn other_text_is_unchanged() {
        for s in [
            "12 à 17",
            "A2ème",
            "2023 - 2027",
            "",
            "► Création d'une micro-crèche",
        ] {
            assert_eq!(segments(s), [plain(s)], "{s}");
        }
    }

    #[test]
    fn typesetting_twice_changes_nothing() {
        let once = spacing("« Note : 222 000 € ; 100 % ! »");
        assert_eq!(spacing(&once), once);
    }
}
