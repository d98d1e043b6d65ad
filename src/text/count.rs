//! Counts in French messages: the noun and its adjectives agree with the number
//! ("1 action", "0 erreur", "2 actions"), in every message that prints a count.

/// `n` followed by `singular` for 0 and 1, by `plural` from 2 on: French puts
/// zero and one in the singular ("0 action en échec", "1 champ").
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n < 2 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::count;

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
