//! An action's title, as the sheets, the editor and the comparison of
//! versions name it, and a column's label in the singular.

use crate::model::{Action, Plan, Value};
use crate::text::markdown_to_plain;

/// Longest title taken from a description, in characters: a sentence longer
/// than that is cut at a word, with an ellipsis.
const MAX_TITLE_CHARS: usize = 160;

/// An action's title: its declared title column, else the first sentence of
/// its description.
pub fn title(plan: &Plan, action: &Action) -> String {
    let declared = plan
        .convention
        .sheets
        .title
        .and_then(|i| match action.values.get(i) {
            Some(Value::Text(markdown)) => Some(markdown.as_str()),
            _ => None,
        });
    let title = first_sentence(declared.unwrap_or(&action.description));
    if title.is_empty() {
        action.id.clone()
    } else {
        title
    }
}

/// The first sentence of a Markdown text, as plain text: the bullet before it
/// and its final full stop left out, cut at a word past [`MAX_TITLE_CHARS`].
fn first_sentence(markdown: &str) -> String {
    let plain = markdown_to_plain(markdown);
    let line = plain.lines().map(str::trim).find(|l| !l.is_empty());
    let line = line
        .unwrap_or("")
        .trim_start_matches(['►', '▸', '▶', '•', '·', '-', '–', '—', '*', ' ', '\u{a0}']);
    // A sentence ends at a stop followed by a space and a capital letter, or
    // at the end of the line: "M. Dupont" and "2 ans. puis" stay whole.
    let mut end = line.len();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?' | '…') {
            let next = chars.get(k + 1).map(|&(_, n)| n);
            let after = chars.get(k + 2).map(|&(_, n)| n);
            let ends = next.is_some_and(char::is_whitespace)
                && after.is_some_and(char::is_uppercase)
                && !is_abbreviation(&line[..i]);
            if ends {
                end = i + c.len_utf8();
                break;
            }
        }
    }
    // A title ends cleanly: without the stop, nor the colon or comma of a
    // sentence that goes on in a list (« …avec les familles : »).
    let sentence = line[..end].trim_end_matches(['.', ':', ';', ',', ' ', '\u{a0}', '\u{202f}']);
    if sentence.chars().count() <= MAX_TITLE_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(MAX_TITLE_CHARS).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!(
        "{}…",
        at_word.trim_end_matches([',', ';', ':', ' ', '(', '–'])
    )
}

/// A column's label in the singular, for one item of it: each word before
/// its complement (« d'intervention », « de … ») loses its plural mark
/// (« Champs d'intervention » → « Champ d'intervention », « Axes
/// prioritaires » → « Axe prioritaire », « Enjeux » → « Enjeu »).
pub fn singular(label: &str) -> String {
    let mut in_complement = false;
    label
        .split(' ')
        .map(|word| {
            let lower = word.to_lowercase();
            if in_complement
                || [
                    "de", "du", "des", "d'", "d’", "à", "au", "aux", "en", "et", "pour",
                ]
                .iter()
                .any(|p| lower == *p || (p.ends_with(['\'', '’']) && lower.starts_with(p)))
            {
                in_complement = true;
                return word.to_string();
            }
            let long = word.chars().count() > 3;
            match word {
                w if long && w.ends_with("eux") => w[..w.len() - 1].to_string(),
                w if long && w.ends_with('s') && !w.ends_with("ss") => w[..w.len() - 1].to_string(),
                w => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the text before a full stop ends with a title or an abbreviation
/// after which a capital letter does not start a sentence ("M. Dupont").
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    matches!(
        word,
        "M" | "MM" | "Mme" | "Mmes" | "Mlle" | "Dr" | "St" | "Ste" | "cf" | "Cf"
    ) || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::{first_sentence, singular};

    #[test]
    fn a_sheet_names_its_field_in_the_singular() {
        for (plural, one) in [
            ("Champs d'intervention", "Champ d'intervention"),
            ("Axes", "Axe"),
            ("Axes prioritaires", "Axe prioritaire"),
            (
                "Orientations stratégiques de la CTG",
                "Orientation stratégique de la CTG",
            ),
            ("Enjeux", "Enjeu"),
            ("Thématique", "Thématique"),
            ("Champ", "Champ"),
        ] {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }

    #[test]
    fn a_derived_title_ends_cleanly() {
        assert_eq!(
            first_sentence(
                "Renforcer le lien avec les familles :
- ateliers ;
- visites."
            ),
            "Renforcer le lien avec les familles"
        );
        assert_eq!(first_sentence("Trois axes ;"), "Trois axes");
    }

    #[test]
    fn the_title_is_the_first_sentence() {
        assert_eq!(
            first_sentence("► Création d'une micro-crèche. Elle ouvrira en 2025."),
            "Création d'une micro-crèche"
        );
        assert_eq!(
            first_sentence("► Poursuite de l'atelier maternité à Joinville\n\n► Autre"),
            "Poursuite de l'atelier maternité à Joinville"
        );
        // An abbreviation or a lowercase word after a stop does not end it.
        assert_eq!(
            first_sentence("Rencontre avec M. Dupont et Mme Durand. Puis bilan."),
            "Rencontre avec M. Dupont et Mme Durand"
        );
        assert_eq!(
            first_sentence("Accueil des 3 à 6 ans. puis des plus grands"),
            "Accueil des 3 à 6 ans. puis des plus grands"
        );
        assert_eq!(
            first_sentence("- **Lien** vers [le site](https://exemple.fr)"),
            "Lien vers le site (https://exemple.fr)"
        );
    }

    #[test]
    fn a_long_sentence_is_cut_at_a_word() {
        let long = "Mot ".repeat(60);
        let title = first_sentence(&long);
        assert!(title.ends_with("Mot…"), "{title}");
        assert!(title.chars().count() <= super::MAX_TITLE_CHARS + 1);
    }
}
