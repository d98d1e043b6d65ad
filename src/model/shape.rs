//! The plan's shape. The convention declares, in order, the
//! columns of the action table and the other fields of an action
//! (`[[colonnes]]`: key, label, group, kind, required, shown in the table,
//! width), and the first column's label (`[tableau] premiere_colonne`); a
//! convention that declares none gets the reference plan's model. Every later
//! stage reads the columns from the [`Shape`]: the action files are checked
//! against it, and the views, the open data, the fingerprint, the importer and
//! the scaffold are derived from it.

/// The columns of a plan: the first one, where each field of intervention is
/// named, then the declared ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Header of the first column ("Champs d'intervention", "Axes"…).
    pub first_column: String,
    /// The declared columns and fields, in order.
    pub columns: Vec<Column>,
}

/// A column of the table, or a field of the action that the table does not show.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The key of the action files and of the open data.
    pub key: String,
    /// The header text.
    pub label: String,
    /// Header shared with the neighbouring columns of the same group, above them.
    pub group: Option<String>,
    pub kind: ColumnType,
    pub required: bool,
    /// Shown in the table; otherwise kept for the action sheets and the open data.
    pub shown: bool,
    /// Width in the PDF table, relative to the first column's (1).
    pub width: f64,
    /// Description in the open data's schema; derived from the label when
    /// absent. An échéance's two columns complete it: "… : première année de
    /// l'échéance."
    pub description: Option<String>,
}

impl Column {
    /// What the column holds, in the words of the people who fill it in: the
    /// hint of a missing key.
    pub fn what(&self) -> String {
        let label = &self.label;
        match self.kind {
            ColumnType::Text => format!("texte de la colonne {label}"),
            ColumnType::Deadline => {
                format!("{label} : une année (\"2024\") ou une période (\"2023-2027\")")
            }
            ColumnType::Amount => format!(
                "montant en euros de la colonne {label}, en chiffres sans guillemets, ex. 12500"
            ),
            ColumnType::Number => format!("nombre entier de la colonne {label}, ex. 3"),
        }
    }
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Markdown text.
    Text,
    /// A year or a period within the convention's ("échéance").
    Deadline,
    /// An amount in euros.
    Amount,
    /// A whole number.
    Number,
}

impl ColumnType {
    pub const ALL: [ColumnType; 4] = [
        ColumnType::Text,
        ColumnType::Deadline,
        ColumnType::Amount,
        ColumnType::Number,
    ];

    /// The word of the declaration: `type = "montant"`.
    pub fn word(self) -> &'static str {
        match self {
            ColumnType::Text => "texte",
            ColumnType::Deadline => "echeance",
            ColumnType::Amount => "montant",
            ColumnType::Number => "nombre",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<ColumnType> {
        ColumnType::ALL
            .into_iter()
            .find(|k| k.word() == word.trim())
    }

    /// Width of a column of this kind that declares none: narrow for years and
    /// figures, wider for text.
    pub fn default_width(self) -> f64 {
        match self {
            ColumnType::Text => 1.5,
            ColumnType::Deadline | ColumnType::Number => 0.75,
            ColumnType::Amount => 1.0,
        }
    }
}

/// Keys that cannot name a column: the fixed keys of every action file, and the
/// open data's own columns.
pub const RESERVED_KEYS: [&str; 10] = [
    "id",
    "ancien_id",
    "champ",
    "sous_section",
    "position",
    "action_id",
    "collectivite",
    "caf",
    "periode_debut",
    "periode_fin",
];

/// The keys every action file has, whatever the shape.
pub const ACTION_KEYS: [&str; 5] = ["id", "ancien_id", "champ", "sous_section", "position"];

/// At most this many columns fit the A4 landscape page at a readable size,
/// the first one included.
pub const MAX_TABLE_COLUMNS: usize = 10;

/// Header of the first column in the reference plan.
pub(crate) const REFERENCE_FIRST_COLUMN: &str = "Champs d'intervention";

/// Key of the first column's label in the former `[colonnes]` table of labels.
pub(crate) const LEGACY_FIRST_COLUMN: &str = "champ";

/// A column of the reference model, with the key its group had in the former
/// `[colonnes]` table of labels.
pub(crate) struct ReferenceColumn {
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
    /// Other ways a source table writes the label, for the importer.
    pub(crate) aliases: &'static [&'static str],
    pub(crate) group: Option<(&'static str, &'static str)>,
    pub(crate) kind: ColumnType,
    pub(crate) width: f64,
    pub(crate) description: &'static str,
}

pub(crate) const NATURE: (&str, &str) = (
    "nature",
    "Nature de l'offre à développer en partenariat avec la Caf",
);
pub(crate) const INDICATORS: (&str, &str) = ("indicateurs", "Indicateurs de suivi");

/// The reference plan's model: seven columns in two groups. This is the one
/// place that names its keys; a convention without `[[colonnes]]` gets it.
pub(crate) const REFERENCE: [ReferenceColumn; 7] = [
    ReferenceColumn {
        key: "descriptif",
        label: "Descriptif",
        aliases: &["description", "descriptif de l'action"],
        group: Some(NATURE),
        kind: ColumnType::Text,
        width: 1.9,
        description: "Descriptif de l'offre à développer en partenariat avec la Caf.",
    },
    ReferenceColumn {
        key: "moyens_caf",
        label: "Moyens mobilisés par la Caf",
        aliases: &["moyens de la caf", "moyens caf"],
        group: Some(NATURE),
        kind: ColumnType::Text,
        width: 1.5,
        description: "Moyens mobilisés par la Caf.",
    },
    ReferenceColumn {
        key: "moyens_partenaires",
        label: "Moyens mobilisés par les partenaires",
        aliases: &["moyens des partenaires", "moyens partenaires"],
        group: None,
        kind: ColumnType::Text,
        width: 1.5,
        description: "Moyens mobilisés par les partenaires.",
    },
    ReferenceColumn {
        key: "objectifs",
        label: "Objectif(s)",
        aliases: &["objectif"],
        group: None,
        kind: ColumnType::Text,
        width: 1.6,
        description: "Objectif(s) de l'action.",
    },
    ReferenceColumn {
        key: "resultat_attendu",
        label: "Résultat attendu",
        aliases: &["résultats attendus"],
        group: Some(INDICATORS),
        kind: ColumnType::Text,
        width: 1.35,
        description: "Indicateur de suivi : résultat attendu.",
    },
    ReferenceColumn {
        key: "impact_envisage",
        label: "Impact envisagé",
        aliases: &["impacts envisagés", "impact"],
        group: Some(INDICATORS),
        kind: ColumnType::Text,
        width: 1.35,
        description: "Indicateur de suivi : impact envisagé.",
    },
    ReferenceColumn {
        key: "echeance",
        label: "Echéance",
        aliases: &["échéances"],
        group: Some(INDICATORS),
        kind: ColumnType::Deadline,
        width: 0.75,
        description: "Indicateur de suivi",
    },
];

impl Shape {
    /// The reference plan's model, with its labels.
    pub fn reference() -> Shape {
        Shape {
            first_column: REFERENCE_FIRST_COLUMN.to_string(),
            columns: REFERENCE
                .iter()
                .map(|r| Column {
                    key: r.key.to_string(),
                    label: r.label.to_string(),
                    group: r.group.map(|(_, label)| label.to_string()),
                    kind: r.kind,
                    required: true,
                    shown: true,
                    width: r.width,
                    description: Some(r.description.to_string()),
                })
                .collect(),
        }
    }

    /// The reference model's column that a source's header names, by its
    /// label, its key or a usual variant of its label (compared by `same`).
    pub fn reference_column(label: &str, same: impl Fn(&str, &str) -> bool) -> Option<Column> {
        let index = REFERENCE.iter().position(|r| {
            same(label, r.label) || same(label, r.key) || r.aliases.iter().any(|a| same(label, a))
        })?;
        Shape::reference().columns.into_iter().nth(index)
    }

    /// The column of `key` and its index.
    pub fn column(&self, key: &str) -> Option<(usize, &Column)> {
        self.columns.iter().enumerate().find(|(_, c)| c.key == key)
    }

    /// The columns the table shows, with their index, in order.
    pub fn shown(&self) -> impl Iterator<Item = (usize, &Column)> {
        self.columns.iter().enumerate().filter(|(_, c)| c.shown)
    }

    /// The index of the échéance column, if the plan has one.
    pub fn deadline(&self) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.kind == ColumnType::Deadline)
    }

    /// The index of the text that names an action in lists and titles: the
    /// first Markdown column the table shows, else the first Markdown field.
    pub fn title(&self) -> Option<usize> {
        self.shown()
            .find(|(_, c)| c.kind == ColumnType::Text)
            .map(|(i, _)| i)
            .or_else(|| self.columns.iter().position(|c| c.kind == ColumnType::Text))
    }

    /// The keys an action file may hold, the fixed ones first.
    pub fn action_keys(&self) -> Vec<&str> {
        ACTION_KEYS
            .iter()
            .copied()
            .chain(self.columns.iter().map(|c| c.key.as_str()))
            .collect()
    }
}

/// A key as the action files write it: lowercase ASCII letters, digits and `_`,
/// starting with a letter.
pub fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A key derived from a label: "Budget prévisionnel" → `budget_previsionnel`,
/// "Public visé" → `public_vise`. Empty when the label has no letter or digit.
pub fn key_of(label: &str) -> String {
    let words: Vec<String> = deunicode::deunicode(label)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let key = words.join("_");
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        format!("colonne_{key}")
    } else {
        key
    }
}
