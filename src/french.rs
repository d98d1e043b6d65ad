//! Counts in French messages: the noun and its adjectives agree with the number
//! ("1 action", "0 erreur", "2 actions"), in every message that prints a count;
//! and file sizes in the French units ("180 ko"). Every stage words its
//! messages with these.

/// `n` followed by `singular` for 0 and 1, by `plural` from 2 on: French puts
/// zero and one in the singular ("0 action en échec", "1 champ").
/// From five digits on, the thousands are grouped (« 12 500 erreurs »).
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    let figure = if n < 10_000 {
        n.to_string()
    } else {
        group_thousands(&n.to_string())
    };
    format!("{figure} {}", if n < 2 { singular } else { plural })
}

/// A file size in the French units of the web: "850 o", "180 ko", "1,3 Mo"
/// (1 ko = 1000 octets), never rounded down.
pub fn french_size(bytes: usize) -> String {
    match bytes {
        0..1000 => format!("{bytes} o"),
        1000..1_000_000 => format!("{} ko", bytes.div_ceil(1000)),
        _ => {
            let tenths = bytes.div_ceil(100_000);
            match tenths % 10 {
                0 => format!("{} Mo", tenths / 10),
                d => format!("{},{d} Mo", tenths / 10),
            }
        }
    }
}

/// `digits` grouped by three with a narrow no-break space: « 12 500 ».
pub fn group_thousands(digits: &str) -> String {
    let digits: Vec<char> = digits.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(*d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{count, french_size};

    #[test]
    fn sizes_in_french_units() {
        assert_eq!(french_size(850), "850 o");
        assert_eq!(french_size(1000), "1 ko");
        assert_eq!(french_size(179_001), "180 ko");
        assert_eq!(french_size(180_000), "180 ko");
        assert_eq!(french_size(1_250_000), "1,3 Mo");
        assert_eq!(french_size(2_000_000), "2 Mo");
    }

    #[test]
    fn the_noun_agrees_with_its_number() {
        assert_eq!(count(0, "action", "actions"), "0 action");
        assert_eq!(count(1, "action", "actions"), "1 action");
        assert_eq!(count(2, "action", "actions"), "2 actions");
        assert_eq!(
            count(28, "cellule non importée", "cellules non importées"),
            "28 cellules non importées"
        );
    }
}
