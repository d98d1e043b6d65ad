//! Open data: the validated plan as one flat record per action,
//! written as CSV (RFC 4180), as JSON, and described by a Frictionless data
//! package (`package.rs`). Cell text is plain text here: Markdown is stripped, no
//! typography.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::model::shape::{Column, ColumnType};
use crate::model::{Amount, Plan, Value};
use crate::text::markdown_to_plain;

use crate::render::document::{CSV, DATAPACKAGE, JSON};

mod package;

use package::package;

/// One action, as a row of the open data: a value per column of [`columns`],
/// in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record(pub Vec<Datum>);

/// A value of the open data.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// Plain text.
    Text(String),
    Year(u16),
    Integer(i64),
    Amount(Amount),
    /// An optional value left out: an empty CSV cell, `null` in JSON.
    Empty,
}

/// Field types of the Table Schema used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SchemaType {
    Text,
    Year,
    Integer,
    Number,
}

/// A column of the open data: its name, Table Schema type and description.
#[derive(Debug, Clone)]
pub struct DataColumn {
    pub name: String,
    title: String,
    kind: SchemaType,
    required: bool,
    description: String,
    /// Years within the convention's period.
    period: bool,
}

/// The columns that describe the plan rather than the action, then those that
/// place the action, before the declared ones.
const FIXED: &[(&str, SchemaType, bool, &str)] = &[
    (
        "collectivite",
        SchemaType::Text,
        true,
        "Nom complet de l'intercommunalité signataire de la convention.",
    ),
    (
        "caf",
        SchemaType::Text,
        true,
        "Nom complet de la caisse d'allocations familiales signataire de la convention.",
    ),
    (
        "periode_debut",
        SchemaType::Year,
        true,
        "Première année couverte par la convention.",
    ),
    (
        "periode_fin",
        SchemaType::Year,
        true,
        "Dernière année couverte par la convention.",
    ),
    (
        "champ",
        SchemaType::Text,
        true,
        "Champ d'intervention de l'action (première colonne du plan).",
    ),
    (
        "sous_section",
        SchemaType::Text,
        false,
        "Sous-section du champ d'intervention ; vide quand le champ n'en a pas.",
    ),
    (
        "action_id",
        SchemaType::Text,
        true,
        "Identifiant stable de l'action, le même d'une version du plan à l'autre.",
    ),
];

/// The columns of the open data, in order: the fixed ones, then one per
/// declared column (two for an échéance, its first and last years).
pub fn columns(plan: &Plan) -> Vec<DataColumn> {
    let c = &plan.convention;
    let fixed = FIXED
        .iter()
        .map(|&(name, kind, required, description)| DataColumn {
            name: name.to_string(),
            title: match name {
                "collectivite" => "Collectivité".into(),
                "caf" => "Caf".into(),
                "periode_debut" => "Début de la convention".into(),
                "periode_fin" => "Fin de la convention".into(),
                "champ" => c.shape.first_column.clone(),
                "sous_section" => "Sous-section".into(),
                _ => "Identifiant de l'action".into(),
            },
            kind,
            required,
            description: description.to_string(),
            period: name.starts_with("periode_"),
        });
    let declared = c.shape.columns.iter().flat_map(|column| {
        let described = describe(column);
        let hidden = if column.shown {
            ""
        } else {
            " Information gardée hors du tableau du plan."
        };
        let one = |kind: SchemaType, note: &str| DataColumn {
            name: column.key.clone(),
            title: column.label.clone(),
            kind,
            required: column.required,
            description: format!("{described}.{note}{hidden}"),
            period: false,
        };
        match column.kind {
            ColumnType::Text => vec![one(SchemaType::Text, TEXT_NOTE)],
            ColumnType::Amount => vec![one(SchemaType::Number, " Montant en euros.")],
            ColumnType::Number => vec![one(SchemaType::Integer, " Nombre entier.")],
            // Its two columns complete the declared description, else the label.
            ColumnType::Deadline => [
                ("_debut", "début", "première année de l'échéance."),
                (
                    "_fin",
                    "fin",
                    "dernière année de l'échéance (la même que la première pour une seule année).",
                ),
            ]
            .into_iter()
            .map(|(suffix, end, which)| DataColumn {
                name: format!("{}{suffix}", column.key),
                title: format!("{} ({end})", column.label),
                kind: SchemaType::Year,
                required: column.required,
                description: format!(
                    "{} : {which}{hidden}",
                    column.description.as_deref().unwrap_or(&column.label)
                ),
                period: true,
            })
            .collect(),
        }
    });
    fixed.chain(declared).collect()
}

/// A declared column's description without its final full stop: the declared
/// one, else its label (after its group's).
fn describe(column: &Column) -> String {
    match (&column.description, &column.group) {
        (Some(d), _) => d.trim_end_matches('.').to_string(),
        (None, Some(group)) => format!("{group} : {}", column.label),
        (None, None) => column.label.clone(),
    }
}

/// What every text column says about its content, after its own description.
const TEXT_NOTE: &str =
    " Texte brut : paragraphes et éléments de liste séparés par un saut de ligne.";

/// The open data of a plan, ready to be written.
#[derive(Debug, Clone)]
pub struct OpenData {
    pub csv: Vec<u8>,
    pub json: String,
    pub datapackage: String,
}

/// The plan's actions as records, in document order.
pub fn records(plan: &Plan) -> Vec<Record> {
    let c = &plan.convention;
    plan.actions
        .iter()
        .map(|a| {
            let field = c.field(&a.field);
            let subsection = a.subsection.as_ref().and_then(|s| {
                field
                    .and_then(|f| f.subsections.iter().find(|x| &x.id == s))
                    .map(|x| x.label.clone())
            });
            let mut data = vec![
                Datum::Text(c.collectivity.clone()),
                Datum::Text(c.caf.clone()),
                Datum::Year(c.period.start),
                Datum::Year(c.period.end),
                Datum::Text(field.map_or_else(|| a.field.clone(), |f| f.label.clone())),
                subsection.map_or(Datum::Empty, Datum::Text),
                Datum::Text(a.id.clone()),
            ];
            for value in &a.values {
                match value {
                    Value::Text(t) => data.push(Datum::Text(markdown_to_plain(t))),
                    Value::Deadline(d) => {
                        data.extend([Datum::Year(d.years.start), Datum::Year(d.years.end)]);
                    }
                    Value::Amount(amount) => data.push(Datum::Amount(*amount)),
                    Value::Number(n) => data.push(Datum::Integer(*n)),
                    Value::Absent => data.push(Datum::Empty),
                }
            }
            Record(data)
        })
        .collect()
}

impl Datum {
    /// The value as a CSV cell.
    fn csv(&self) -> String {
        match self {
            Datum::Text(t) => inert_in_spreadsheets(t),
            Datum::Year(y) => y.to_string(),
            Datum::Integer(n) => n.to_string(),
            Datum::Amount(a) => a.to_string(),
            Datum::Empty => String::new(),
        }
    }

    /// The value in JSON: a number for figures, `null` when left out.
    fn json(&self) -> serde_json::Value {
        match self {
            Datum::Text(t) => serde_json::Value::from(t.as_str()),
            Datum::Year(y) => serde_json::Value::from(*y),
            Datum::Integer(n) => serde_json::Value::from(*n),
            Datum::Amount(a) if a.cents() % 100 == 0 => serde_json::Value::from(a.cents() / 100),
            // Two decimals at most: exact enough in a double for any budget.
            Datum::Amount(a) => serde_json::Value::from(a.cents() as f64 / 100.0),
            Datum::Empty => serde_json::Value::Null,
        }
    }
}

/// A record as a JSON object, its keys in the columns' order.
struct JsonRecord<'a> {
    names: &'a [&'a str],
    record: &'a Record,
}

impl Serialize for JsonRecord<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for (name, datum) in self.names.iter().zip(&self.record.0) {
            map.serialize_entry(name, &datum.json())?;
        }
        map.end()
    }
}

/// Builds the CSV, the JSON and the data package of the plan.
pub fn open_data(plan: &Plan) -> Result<OpenData, Diagnostic> {
    let records = records(plan);
    let columns = columns(plan);
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let csv = to_csv(&names, &records)?;
    let objects: Vec<JsonRecord> = records
        .iter()
        .map(|record| JsonRecord {
            names: &names,
            record,
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&objects).map_err(|e| failed(JSON, &e))?;
    json.push('\n');
    let mut datapackage = serde_json::to_string_pretty(&package(plan, &columns, csv.len()))
        .map_err(|e| failed(DATAPACKAGE, &e))?;
    datapackage.push('\n');
    Ok(OpenData {
        csv,
        json,
        datapackage,
    })
}

fn failed(file: &str, err: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("production de `{file}` impossible : {err}"))
        .hint("ce problème ne vient pas des fiches : signalez-le avec le plan qui le provoque")
}

/// The characters with which a cell starts a formula in a spreadsheet that
/// opens the CSV (`=HYPERLINK(…)`, or a list item « - Fonctionnement »).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The note of the CSV's description that says how such a text is written.
const FORMULA_NOTE: &str = " Un texte qui commence par =, +, - ou @ y est précédé d'une apostrophe ('), pour qu'un tableur l'affiche comme du texte et ne l'exécute jamais comme une formule : un programme qui lit ce fichier retire cette apostrophe, ou lit le JSON, qui donne chaque texte tel quel.";

/// A text as a CSV cell that a spreadsheet shows as text, never as a
/// formula: one that starts like a formula is preceded by an apostrophe,
/// the spreadsheets' own mark of a text. The JSON keeps every text as is.
fn inert_in_spreadsheets(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// RFC 4180: comma, double quotes where needed (doubled inside), CRLF between
/// records, a header line.
fn to_csv(names: &[&str], records: &[Record]) -> Result<Vec<u8>, Diagnostic> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b',')
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(names).map_err(|e| failed(CSV, &e))?;
    for record in records {
        writer
            .write_record(record.0.iter().map(Datum::csv))
            .map_err(|e| failed(CSV, &e))?;
    }
    writer
        .into_inner()
        .map_err(|e| failed(CSV, &e.error().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference model's column names, from a record of short values.
    fn sample() -> (Vec<&'static str>, Record) {
        let names = vec![
            "collectivite",
            "champ",
            "sous_section",
            "descriptif",
            "echeance_debut",
            "echeance_fin",
        ];
        let record = Record(vec![
            Datum::Text("C".into()),
            Datum::Text("Jeunesse".into()),
            Datum::Empty,
            Datum::Text("d".into()),
            Datum::Year(2024),
            Datum::Year(2024),
        ]);
        (names, record)
    }

    #[test]
    fn the_header_comes_first_even_without_records() {
        let (names, record) = sample();
        let csv = String::from_utf8(to_csv(&names, &[record]).unwrap()).unwrap();
        assert_eq!(csv.lines().next().unwrap(), names.join(","));
        assert_eq!(
            String::from_utf8(to_csv(&names, &[]).unwrap()).unwrap(),
            format!("{}\r\n", names.join(","))
        );
    }

    #[test]
    fn fixed_columns_are_reserved_keys() {
        for (name, ..) in FIXED {
            assert!(crate::model::shape::RESERVED_KEYS.contains(name), "{name}");
        }
    }

    #[test]
    fn quotes_and_line_breaks_follow_rfc_4180() {
        let (names, _) = sample();
        let record = Record(vec![
            Datum::Text("Communauté de communes d'Exemple".into()),
            Datum::Text("Petite enfance, jeunesse".into()),
            Datum::Text("Crèches".into()),
            Datum::Text("Un \"RPE\"\nDeux".into()),
            Datum::Year(2024),
            Datum::Year(2025),
        ]);
        let csv = String::from_utf8(to_csv(&names, &[record]).unwrap()).unwrap();
        let row = csv.split_once("\r\n").unwrap().1;
        assert_eq!(
            row,
            "Communauté de communes d'Exemple,\"Petite enfance, jeunesse\",Crèches,\
             \"Un \"\"RPE\"\"\nDeux\",2024,2025\r\n"
        );
    }

    #[test]
    fn a_text_that_starts_like_a_formula_is_marked_as_text_in_the_csv_only() {
        for text in [
            "=HYPERLINK(\"http://exemple.fr\";\"clic\")",
            "- Fonctionnement",
            "+33 4 68 00 00 00",
            "@partenaire",
            "\tcellule",
        ] {
            let datum = Datum::Text(text.to_string());
            assert_eq!(datum.csv(), format!("'{text}"));
            assert_eq!(datum.json(), serde_json::Value::from(text));
        }
        for text in ["Accueil", "Fonctionnement - investissement", "'cité'", ""] {
            assert_eq!(Datum::Text(text.to_string()).csv(), text);
        }
        // Figures are numbers, never marked.
        assert_eq!(Datum::Integer(-3).csv(), "-3");
    }

    #[test]
    fn figures_are_numbers_and_absent_values_empty() {
        let amount = Datum::Amount(Amount::from_cents(1_250_050));
        assert_eq!(amount.csv(), "12500.50");
        assert_eq!(amount.json(), serde_json::json!(12500.5));
        let whole = Datum::Amount(Amount::from_cents(1_250_000));
        assert_eq!(whole.csv(), "12500");
        assert_eq!(whole.json(), serde_json::json!(12500));
        assert_eq!(Datum::Empty.csv(), "");
        assert_eq!(Datum::Empty.json(), serde_json::Value::Null);
        assert_eq!(Datum::Integer(12).json(), serde_json::json!(12));
    }
}
