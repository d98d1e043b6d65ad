//! Import, naming: loose comparison of labels as officers type them (case, accents,
//! apostrophes, plurals), the official column labels, and ASCII slugs for ids.

/// A column of a source table, or of the open-data CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Champ,
    SousSection,
    ActionId,
    Descriptif,
    MoyensCaf,
    MoyensPartenaires,
    Objectifs,
    ResultatAttendu,
    ImpactEnvisage,
    Echeance,
    EcheanceDebut,
    EcheanceFin,
    /// Group header over `Descriptif` and `MoyensCaf`.
    Nature,
    /// Group header over the three follow-up columns.
    Indicateurs,
    Collectivite,
    Caf,
    PeriodeDebut,
    PeriodeFin,
}

/// The six cells of an action that hold Markdown text, in table order.
pub const TEXT_COLUMNS: [Column; 6] = [
    Column::Descriptif,
    Column::MoyensCaf,
    Column::MoyensPartenaires,
    Column::Objectifs,
    Column::ResultatAttendu,
    Column::ImpactEnvisage,
];

impl Column {
    /// The key of the action file or of `[colonnes]`.
    pub fn key(self) -> &'static str {
        match self {
            Column::Champ => "champ",
            Column::SousSection => "sous_section",
            Column::ActionId => "action_id",
            Column::Descriptif => "descriptif",
            Column::MoyensCaf => "moyens_caf",
            Column::MoyensPartenaires => "moyens_partenaires",
            Column::Objectifs => "objectifs",
            Column::ResultatAttendu => "resultat_attendu",
            Column::ImpactEnvisage => "impact_envisage",
            Column::Echeance => "echeance",
            Column::EcheanceDebut => "echeance_debut",
            Column::EcheanceFin => "echeance_fin",
            Column::Nature => "nature",
            Column::Indicateurs => "indicateurs",
            Column::Collectivite => "collectivite",
            Column::Caf => "caf",
            Column::PeriodeDebut => "periode_debut",
            Column::PeriodeFin => "periode_fin",
        }
    }

    /// The label of the official layout, written to `[colonnes]` when the source
    /// has none of its own.
    pub fn official(self) -> &'static str {
        match self {
            Column::Champ => "Champs d'intervention",
            Column::SousSection => "Sous-section",
            Column::ActionId => "Identifiant de l'action",
            Column::Descriptif => "Descriptif",
            Column::MoyensCaf => "Moyens mobilisés par la Caf",
            Column::MoyensPartenaires => "Moyens mobilisés par les partenaires",
            Column::Objectifs => "Objectif(s)",
            Column::ResultatAttendu => "Résultat attendu",
            Column::ImpactEnvisage => "Impact envisagé",
            Column::Echeance => "Echéance",
            Column::EcheanceDebut => "Échéance (début)",
            Column::EcheanceFin => "Échéance (fin)",
            Column::Nature => "Nature de l'offre à développer en partenariat avec la Caf",
            Column::Indicateurs => "Indicateurs de suivi",
            Column::Collectivite => "Collectivité",
            Column::Caf => "Caf",
            Column::PeriodeDebut => "Début de la convention",
            Column::PeriodeFin => "Fin de la convention",
        }
    }

    /// Other ways of writing the label, besides the official one and the key.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Champ => &["champ d'intervention", "champs", "champ"],
            Column::SousSection => &["sous-section", "sous section"],
            Column::ActionId => &["identifiant", "id"],
            Column::Descriptif => &["description", "descriptif de l'action", "action"],
            Column::MoyensCaf => &["moyens de la caf", "moyens caf"],
            Column::MoyensPartenaires => &["moyens des partenaires", "moyens partenaires"],
            Column::Objectifs => &["objectif"],
            Column::ResultatAttendu => &["résultats attendus"],
            Column::ImpactEnvisage => &["impacts envisagés", "impact"],
            Column::Echeance => &["échéances", "calendrier"],
            Column::EcheanceDebut => &["début de l'échéance"],
            Column::EcheanceFin => &["fin de l'échéance"],
            Column::Nature => &["nature de l'offre à développer", "nature de l'offre"],
            Column::Indicateurs => &["indicateurs"],
            Column::Collectivite => &["intercommunalité"],
            Column::Caf => &["caisse d'allocations familiales"],
            Column::PeriodeDebut => &["période (début)"],
            Column::PeriodeFin => &["période (fin)"],
        }
    }

    pub const ALL: [Column; 18] = [
        Column::Champ,
        Column::SousSection,
        Column::ActionId,
        Column::Descriptif,
        Column::MoyensCaf,
        Column::MoyensPartenaires,
        Column::Objectifs,
        Column::ResultatAttendu,
        Column::ImpactEnvisage,
        Column::Echeance,
        Column::EcheanceDebut,
        Column::EcheanceFin,
        Column::Nature,
        Column::Indicateurs,
        Column::Collectivite,
        Column::Caf,
        Column::PeriodeDebut,
        Column::PeriodeFin,
    ];

    /// The column a header label names, compared loosely.
    pub fn from_label(label: &str) -> Option<Column> {
        let wanted = loose(label);
        if wanted.is_empty() {
            return None;
        }
        Column::ALL.into_iter().find(|c| {
            loose(c.official()) == wanted
                || loose(c.key()) == wanted
                || c.aliases().iter().any(|a| loose(a) == wanted)
        })
    }
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
    fn columns_by_label() {
        assert_eq!(Column::from_label("Echéance"), Some(Column::Echeance));
        assert_eq!(Column::from_label("ÉCHÉANCE "), Some(Column::Echeance));
        assert_eq!(Column::from_label("moyens_caf"), Some(Column::MoyensCaf));
        assert_eq!(
            Column::from_label("Moyens mobilisés par les partenaires"),
            Some(Column::MoyensPartenaires)
        );
        assert_eq!(
            Column::from_label("Nature de l’offre à développer en partenariat avec la CAF"),
            Some(Column::Nature)
        );
        assert_eq!(Column::from_label("Pilote"), None);
        assert_eq!(Column::from_label(""), None);
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
