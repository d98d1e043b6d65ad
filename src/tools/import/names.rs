//! Import, naming: loose comparison of labels as officers type them (case, accents,
//! apostrophes, plurals), the headers of the columns that every plan has, and
//! ASCII slugs for ids.

/// A column of a source table that is not one of the plan's declared columns:
/// the first column, and the open data's own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The first column: the fields of intervention.
    Field,
    SubSection,
    ActionId,
    Collectivity,
    Caf,
    PeriodStart,
    PeriodEnd,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Field,
        Role::SubSection,
        Role::ActionId,
        Role::Collectivity,
        Role::Caf,
        Role::PeriodStart,
        Role::PeriodEnd,
    ];

    /// The column's name in the open data.
    pub fn key(self) -> &'static str {
        match self {
            Role::Field => "champ",
            Role::SubSection => "sous_section",
            Role::ActionId => "action_id",
            Role::Collectivity => "collectivite",
            Role::Caf => "caf",
            Role::PeriodStart => "periode_debut",
            Role::PeriodEnd => "periode_fin",
        }
    }

    /// The ways a source writes the column's header, besides its key.
    fn labels(self) -> &'static [&'static str] {
        match self {
            Role::Field => FIRST_COLUMN_LABELS,
            Role::SubSection => &["sous-section", "sous section"],
            Role::ActionId => &["identifiant de l'action", "identifiant", "id"],
            Role::Collectivity => &["collectivité", "intercommunalité"],
            Role::Caf => &["caisse d'allocations familiales"],
            Role::PeriodStart => &["début de la convention", "période (début)"],
            Role::PeriodEnd => &["fin de la convention", "période (fin)"],
        }
    }

    /// The role a header label names, compared loosely.
    pub fn from_label(label: &str) -> Option<Role> {
        let wanted = loose(label);
        if wanted.is_empty() {
            return None;
        }
        Role::ALL
            .into_iter()
            .find(|r| loose(r.key()) == wanted || r.labels().iter().any(|l| loose(l) == wanted))
    }
}

/// Headers of the first column in the models of the Caf: the first one is the
/// reference plan's.
pub const FIRST_COLUMN_LABELS: &[&str] = &[
    "Champs d'intervention",
    "Champ d'intervention",
    "Axes",
    "Axes d'intervention",
    "Enjeux",
    "Thématiques",
    "Thèmes",
    "Domaines d'intervention",
    "Champs",
];

/// True when two labels read the same (compared loosely).
pub fn same(a: &str, b: &str) -> bool {
    let a = loose(a);
    !a.is_empty() && a == loose(b)
}

/// A label reduced to what tells labels apart: lowercase ASCII words without
/// accents, apostrophes or punctuation, and without plural marks, so that
/// "Champs d’intervention", "champ d'intervention" and "CHAMP_D_INTERVENTION"
/// compare equal, as do "Objectif(s)" and "objectifs".
pub fn loose(label: &str) -> String {
    let ascii = deunicode::deunicode(label)
        .to_lowercase()
        .replace("(s)", "s");
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() > 3 {
                w.strip_suffix('s')
                    .or_else(|| w.strip_suffix('x'))
                    .unwrap_or(w)
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Short words that make an id longer without telling it apart.
const STOP_WORDS: &[&str] = &[
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "par", "pour",
    "sur", "dans", "un", "une", "avec", "ou",
];

/// The ASCII words of `text`, lowercase and transliterated ("Crèche" → "creche").
fn words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A kebab-case slug of a label, for field and sub-section ids: every word, up to
/// `max` characters cut at a word, without a trailing stop word.
pub fn slug(text: &str, max: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut len = 0;
    for word in words(text) {
        if !out.is_empty() && len + 1 + word.len() > max {
            break;
        }
        len += word.len() + usize::from(!out.is_empty());
        out.push(word);
    }
    while out.len() > 1 && out.last().is_some_and(|w| STOP_WORDS.contains(&w.as_str())) {
        out.pop();
    }
    out.join("-")
}

/// A slug of the first meaningful words of a text, for action ids and file names:
/// stop words and leading bullets are left out ("► Création d'une micro-crèche de
/// 12 places" → "creation-micro-creche-12-places").
pub fn title_slug(text: &str, max_words: usize) -> String {
    let kept: Vec<String> = words(text)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .take(max_words)
        .collect();
    kept.join("-")
}

/// `base`, or `base-2`, `base-3`… whichever `taken` does not hold yet.
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .expect("an unbounded range always yields a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_compare_loosely() {
        assert_eq!(
            loose("Champs d’intervention"),
            loose("CHAMP D'INTERVENTION")
        );
        assert_eq!(loose("Objectif(s)"), loose("objectifs"));
        assert_eq!(loose("Échéance"), loose("echeance"));
        assert_eq!(loose("résultat_attendu"), loose("Résultat attendu"));
        assert_ne!(
            loose("Moyens mobilisés par la Caf"),
            loose("Moyens mobilisés par les partenaires")
        );
    }

    #[test]
    fn roles_by_label() {
        assert_eq!(Role::from_label("Champs d’intervention"), Some(Role::Field));
        assert_eq!(Role::from_label("AXES"), Some(Role::Field));
        assert_eq!(Role::from_label("champ"), Some(Role::Field));
        assert_eq!(Role::from_label("sous_section"), Some(Role::SubSection));
        assert_eq!(Role::from_label("Pilote"), None);
        assert_eq!(Role::from_label(""), None);
    }

    #[test]
    fn reference_columns_by_label() {
        use crate::model::shape::Shape;
        let key = |label: &str| Shape::reference_column(label, same).map(|c| c.key);
        assert_eq!(key("Echéance").as_deref(), Some("echeance"));
        assert_eq!(key("ÉCHÉANCE ").as_deref(), Some("echeance"));
        assert_eq!(key("resultat_attendu").as_deref(), Some("resultat_attendu"));
        assert_eq!(
            key("Moyens mobilisés par les partenaires").as_deref(),
            Some("moyens_partenaires")
        );
        assert_eq!(key("Pilote"), None);
        assert_eq!(key(""), None);
    }

    #[test]
    fn slugs_are_ascii_kebab_case() {
        assert_eq!(slug("Petite Enfance", 40), "petite-enfance");
        assert_eq!(
            slug("Relais Petite Enfance (RPE)", 40),
            "relais-petite-enfance-rpe"
        );
        assert_eq!(
            slug("Accès aux droits et accompagnement des familles", 20),
            "acces-aux-droits"
        );
        assert_eq!(
            title_slug("► Création d'une micro-crèche de 12 places à Thonnance", 5),
            "creation-micro-creche-12-places"
        );
        assert_eq!(title_slug("…", 5), "");
    }

    #[test]
    fn unique_names_get_a_number() {
        let taken = ["a", "a-2"];
        assert_eq!(unique("a", |s| taken.contains(&s)), "a-3");
        assert_eq!(unique("b", |s| taken.contains(&s)), "b");
    }
}
