//! The project's records as written: the raw schema that serde reads, each
//! value with its span.

use serde::Deserialize;
use toml::Spanned;

/// The convention file as written: everything that is not an action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConvention {
    pub titre: Spanned<String>,
    pub parties: Spanned<String>,
    pub intitule: Spanned<String>,
    pub legende: Spanned<String>,
    pub periode: Spanned<String>,
    #[serde(default)]
    pub version: Option<Spanned<String>>,
    /// The plan's shape; the reference model when absent.
    #[serde(default)]
    pub colonnes: Option<RawColumns>,
    #[serde(default)]
    pub tableau: Option<RawTable>,
    pub champs: Vec<RawField>,
    #[serde(default)]
    pub notes: Vec<RawNote>,
    #[serde(default)]
    pub signataires: Vec<RawSignatory>,
    /// Full name of the intercommunality, for the open data; found among the
    /// signatories when absent.
    #[serde(default)]
    pub collectivite: Option<Spanned<String>>,
    /// Full name of the Caf, for the open data; found among the signatories when absent.
    #[serde(default)]
    pub caf: Option<Spanned<String>>,
    /// Date of this edition of the plan: the PDF's creation date.
    #[serde(default)]
    pub date: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    pub document: Option<RawDocumentInfo>,
    #[serde(default)]
    pub annexe: Option<RawAnnex>,
    #[serde(default)]
    pub signature: Option<RawSignaturePlace>,
    /// The action sheets; built, with their titles, by default.
    #[serde(default)]
    pub fiches: Option<RawSheets>,
    /// The note at the top of the follow-up workbooks (`ctg suivi export`).
    #[serde(default)]
    pub suivi: Option<RawWorkbookNote>,
    /// The documents' colours; the built-in ones when absent.
    #[serde(default)]
    pub couleurs: Option<RawColours>,
    /// The amendments signed since the convention, each built as its document.
    #[serde(default)]
    pub avenants: Vec<RawAmendment>,
}

/// `[[avenants]]`: an amendment of the convention and the version of the
/// plan it amends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmendment {
    pub numero: Spanned<i64>,
    pub date: Spanned<toml::value::Datetime>,
    pub objet: Spanned<String>,
    pub depuis: Spanned<String>,
    /// The version it produces; the next amendment's `depuis`, else the
    /// project's files, when absent.
    #[serde(default)]
    pub vers: Option<Spanned<String>>,
}

/// `[couleurs]`: the fill of the tables' header cells and the colour of the
/// title, each `#rrggbb`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColours {
    #[serde(default)]
    pub entetes: Option<Spanned<String>>,
    #[serde(default)]
    pub titre: Option<Spanned<String>>,
}

/// `[fiches]`: whether the action sheets are built, and what titles them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSheets {
    #[serde(default)]
    pub publier: Option<bool>,
    /// Key of the text column that titles each sheet; the first sentence of
    /// the action's description when absent.
    #[serde(default)]
    pub titre: Option<Spanned<String>>,
    /// How a sheet names its field (« Axe »); the first column's label in the
    /// singular when absent.
    #[serde(default)]
    pub libelle_champ: Option<Spanned<String>>,
}

/// What the follow-up workbooks say to the partners who fill them in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkbookNote {
    /// What to fill in; a built-in sentence when absent.
    #[serde(default)]
    pub consigne: Option<Spanned<String>>,
    /// Whom to send the workbook back to, and by when.
    #[serde(default)]
    pub retour: Option<Spanned<String>>,
}

/// PDF metadata; each has a default derived from the rest of the convention.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDocumentInfo {
    #[serde(default)]
    pub auteur: Option<Spanned<String>>,
    #[serde(default)]
    pub sujet: Option<Spanned<String>>,
    #[serde(default)]
    pub mots_cles: Option<Vec<Spanned<String>>>,
}

/// The annex this plan is, in the convention: number and title.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnnex {
    #[serde(default)]
    pub numero: Option<Spanned<RawAnnexNumber>>,
    pub titre: Spanned<String>,
}

/// "2" or 2: officers write either.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawAnnexNumber {
    Integer(i64),
    Text(String),
}

/// Where and when the convention is signed ("Fait à …, le …").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignaturePlace {
    #[serde(default)]
    pub lieu: Option<Spanned<String>>,
    #[serde(default)]
    pub date: Option<Spanned<toml::value::Datetime>>,
}

/// The plan's shape as written: `[colonnes]` as a table of labels (the former
/// declaration, which relabels the reference model), or `[[colonnes]]`, one
/// table per column in order. Either form keeps the place of every value.
#[derive(Debug)]
pub enum RawColumns {
    /// Label by key of the reference model, in file order.
    Labels(Vec<(Spanned<String>, Spanned<String>)>),
    /// Each column, in order.
    Declared(Vec<RawColumn>),
}

impl<'de> Deserialize<'de> for RawColumns {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Not an untagged enum: its buffering would lose the values' places.
        struct Forms;
        impl<'de> serde::de::Visitor<'de> for Forms {
            type Value = RawColumns;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table or an array of tables")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawColumns, A::Error> {
                let mut labels = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    labels.push(entry);
                }
                Ok(RawColumns::Labels(labels))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<RawColumns, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(RawColumns::Declared)
            }
        }
        deserializer.deserialize_any(Forms)
    }
}

/// One `[[colonnes]]` table: a column of the action table, or a field that the
/// table does not show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    pub cle: Spanned<String>,
    pub libelle: Spanned<String>,
    #[serde(default)]
    pub groupe: Option<Spanned<String>>,
    #[serde(default, rename = "type")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub obligatoire: Option<bool>,
    #[serde(default)]
    pub tableau: Option<bool>,
    #[serde(default)]
    pub largeur: Option<Spanned<f64>>,
    #[serde(default)]
    pub description: Option<Spanned<String>>,
}

/// `[tableau]`: what the table has besides its declared columns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// The first column's header ("Champs d'intervention", "Axes"…).
    #[serde(default)]
    pub premiere_colonne: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub id: Spanned<String>,
    pub libelle: Spanned<String>,
    #[serde(default)]
    pub note: Option<Spanned<String>>,
    #[serde(default)]
    pub sous_sections: Vec<RawSubSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubSection {
    pub id: Spanned<String>,
    pub libelle: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNote {
    pub id: Spanned<String>,
    pub marque: Spanned<String>,
    pub texte: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignatory {
    pub institution: Spanned<String>,
    #[serde(default)]
    pub sigle: Option<Spanned<String>>,
    #[serde(default)]
    pub qualite: Option<Spanned<String>>,
    #[serde(default)]
    pub nom: Option<Spanned<String>>,
    /// Its logo: a file of the project, by its path from the project's folder.
    #[serde(default)]
    pub logo: Option<Spanned<String>>,
    /// The logo's text alternative; « Logo de <institution> » when absent.
    #[serde(default)]
    pub logo_alt: Option<Spanned<String>>,
}

/// One action file as written: every key with its value, in file order. Its
/// keys depend on the convention's declaration, so validation checks them.
#[derive(Debug)]
pub struct RawAction {
    pub entries: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

impl RawAction {
    /// The value of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&Spanned<toml::Value>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for RawAction {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = RawAction;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawAction, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<toml::Value>)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                entries.sort_by_key(|(k, _)| k.span().start);
                Ok(RawAction { entries })
            }
        }
        deserializer.deserialize_map(Entries)
    }
}
