//! Stage 4 (render), open data: the validated plan as one flat record per action,
//! written as CSV (RFC 4180), as JSON, and described by a Frictionless data
//! package. Cell text is plain text here: Markdown is stripped, no typography.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::model::Plan;
use crate::text::markdown_to_plain;

/// File names of the open data, relative to the output folder.
pub const CSV_FILE: &str = "plan.csv";
pub const JSON_FILE: &str = "plan.json";
pub const DATAPACKAGE_FILE: &str = "datapackage.json";

/// One action, as a row of the open data. Field order is the column order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub collectivite: String,
    pub caf: String,
    pub periode_debut: u16,
    pub periode_fin: u16,
    pub champ: String,
    pub sous_section: Option<String>,
    pub action_id: String,
    pub descriptif: String,
    pub moyens_caf: String,
    pub moyens_partenaires: String,
    pub objectifs: String,
    pub resultat_attendu: String,
    pub impact_envisage: String,
    pub echeance_debut: u16,
    pub echeance_fin: u16,
}

/// Field types of the Table Schema used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Year,
}

/// How each column is described in the data package: name, type, required, and
/// the description in French. The order is the CSV's.
const FIELDS: &[(&str, Kind, bool, &str)] = &[
    (
        "collectivite",
        Kind::Text,
        true,
        "Nom complet de l'intercommunalité signataire de la convention.",
    ),
    (
        "caf",
        Kind::Text,
        true,
        "Nom complet de la caisse d'allocations familiales signataire de la convention.",
    ),
    (
        "periode_debut",
        Kind::Year,
        true,
        "Première année couverte par la convention.",
    ),
    (
        "periode_fin",
        Kind::Year,
        true,
        "Dernière année couverte par la convention.",
    ),
    (
        "champ",
        Kind::Text,
        true,
        "Champ d'intervention de l'action (première colonne du plan).",
    ),
    (
        "sous_section",
        Kind::Text,
        false,
        "Sous-section du champ d'intervention ; vide quand le champ n'en a pas.",
    ),
    (
        "action_id",
        Kind::Text,
        true,
        "Identifiant stable de l'action, le même d'une version du plan à l'autre.",
    ),
    (
        "descriptif",
        Kind::Text,
        true,
        "Descriptif de l'offre à développer en partenariat avec la Caf.",
    ),
    (
        "moyens_caf",
        Kind::Text,
        true,
        "Moyens mobilisés par la Caf.",
    ),
    (
        "moyens_partenaires",
        Kind::Text,
        true,
        "Moyens mobilisés par les partenaires.",
    ),
    ("objectifs", Kind::Text, true, "Objectif(s) de l'action."),
    (
        "resultat_attendu",
        Kind::Text,
        true,
        "Indicateur de suivi : résultat attendu.",
    ),
    (
        "impact_envisage",
        Kind::Text,
        true,
        "Indicateur de suivi : impact envisagé.",
    ),
    (
        "echeance_debut",
        Kind::Year,
        true,
        "Indicateur de suivi : première année de l'échéance.",
    ),
    (
        "echeance_fin",
        Kind::Year,
        true,
        "Indicateur de suivi : dernière année de l'échéance (la même que la première pour une seule année).",
    ),
];

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
            Record {
                collectivite: c.collectivity.clone(),
                caf: c.caf.clone(),
                periode_debut: c.period.start,
                periode_fin: c.period.end,
                champ: field.map_or_else(|| a.field.clone(), |f| f.label.clone()),
                sous_section: subsection,
                action_id: a.id.clone(),
                descriptif: markdown_to_plain(&a.description),
                moyens_caf: markdown_to_plain(&a.caf_means),
                moyens_partenaires: markdown_to_plain(&a.partner_means),
                objectifs: markdown_to_plain(&a.objectives),
                resultat_attendu: markdown_to_plain(&a.expected_result),
                impact_envisage: markdown_to_plain(&a.expected_impact),
                echeance_debut: a.deadline.years.start,
                echeance_fin: a.deadline.years.end,
            }
        })
        .collect()
}

/// Builds the CSV, the JSON and the data package of the plan.
pub fn open_data(plan: &Plan) -> Result<OpenData, Diagnostic> {
    let records = records(plan);
    let csv = to_csv(&records)?;
    let mut json = serde_json::to_string_pretty(&records).map_err(|e| failed(JSON_FILE, &e))?;
    json.push('\n');
    let mut datapackage = serde_json::to_string_pretty(&package(plan, csv.len()))
        .map_err(|e| failed(DATAPACKAGE_FILE, &e))?;
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

/// RFC 4180: comma, double quotes where needed (doubled inside), CRLF between
/// records, a header line.
fn to_csv(records: &[Record]) -> Result<Vec<u8>, Diagnostic> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b',')
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if records.is_empty() {
        // Serialising writes the header with the first record; an empty plan
        // still gets its header line.
        writer
            .write_record(FIELDS.iter().map(|f| f.0))
            .map_err(|e| failed(CSV_FILE, &e))?;
    }
    for record in records {
        writer.serialize(record).map_err(|e| failed(CSV_FILE, &e))?;
    }
    writer
        .into_inner()
        .map_err(|e| failed(CSV_FILE, &e.error().to_string()))
}

// The data package, in the order its keys are written.

#[derive(Serialize)]
struct Package {
    profile: &'static str,
    name: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    keywords: Vec<String>,
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    profile: &'static str,
    name: &'static str,
    path: &'static str,
    title: &'static str,
    description: String,
    format: &'static str,
    mediatype: &'static str,
    encoding: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<Dialect>,
    schema: Schema,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dialect {
    delimiter: &'static str,
    line_terminator: &'static str,
    quote_char: &'static str,
    double_quote: bool,
    header: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schema {
    fields: Vec<Field>,
    primary_key: Vec<&'static str>,
    missing_values: Vec<&'static str>,
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    title: String,
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    constraints: Constraints,
}

#[derive(Serialize)]
struct Constraints {
    required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unique: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum: Option<u16>,
}

/// The names of the columns, in order: the CSV header.
pub fn column_names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.0).collect()
}

fn schema(plan: &Plan) -> Schema {
    let c = &plan.convention;
    let cols = &c.columns;
    let title = |name: &str| -> String {
        match name {
            "collectivite" => "Collectivité".into(),
            "caf" => "Caf".into(),
            "periode_debut" => "Début de la convention".into(),
            "periode_fin" => "Fin de la convention".into(),
            "champ" => cols.field.clone(),
            "sous_section" => "Sous-section".into(),
            "action_id" => "Identifiant de l'action".into(),
            "descriptif" => cols.description.clone(),
            "moyens_caf" => cols.caf_means.clone(),
            "moyens_partenaires" => cols.partner_means.clone(),
            "objectifs" => cols.objectives.clone(),
            "resultat_attendu" => cols.expected_result.clone(),
            "impact_envisage" => cols.expected_impact.clone(),
            "echeance_debut" => format!("{} (début)", cols.deadline),
            "echeance_fin" => format!("{} (fin)", cols.deadline),
            other => other.into(),
        }
    };
    let fields = FIELDS
        .iter()
        .map(|&(name, kind, required, description)| {
            let is_period = name.starts_with("periode_") || name.starts_with("echeance_");
            Field {
                name,
                title: title(name),
                kind: match kind {
                    Kind::Text => "string",
                    Kind::Year => "year",
                },
                description: match kind {
                    Kind::Text if is_cell(name) => {
                        format!("{description}{TEXT_NOTE}")
                    }
                    _ => description.to_string(),
                },
                constraints: Constraints {
                    required,
                    unique: name == "action_id",
                    pattern: (name == "action_id").then_some("[a-z0-9]+(-[a-z0-9]+)*"),
                    minimum: is_period.then_some(c.period.start),
                    maximum: is_period.then_some(c.period.end),
                },
            }
        })
        .collect();
    Schema {
        fields,
        primary_key: vec!["action_id"],
        missing_values: vec![""],
    }
}

/// The columns that hold the text of a cell of the plan.
fn is_cell(name: &str) -> bool {
    matches!(
        name,
        "descriptif"
            | "moyens_caf"
            | "moyens_partenaires"
            | "objectifs"
            | "resultat_attendu"
            | "impact_envisage"
    )
}

fn package(plan: &Plan, csv_bytes: usize) -> Package {
    let c = &plan.convention;
    let period = format!("{}-{}", c.period.start, c.period.end);
    let resource_description = |format: &str| {
        format!(
            "Une ligne par action du plan ({}), dans l'ordre du document, au format {format}.",
            crate::text::count(plan.actions.len(), "action", "actions")
        )
    };
    Package {
        profile: "tabular-data-package",
        name: format!("ctg-plan-actions-{}-{}", c.period.start, c.period.end),
        title: format!("{} – {} : plan d'actions {period}", c.title, c.parties),
        description: format!(
            "{}. Plan d'actions {period} de la {} ; signataires : {}, {}.",
            c.caption.trim_end_matches('.'),
            c.title,
            c.collectivity,
            c.caf
        ),
        version: c.version.clone(),
        keywords: std::iter::once(c.title.clone())
            .chain(std::iter::once("plan d'actions".to_string()))
            .chain(
                c.fields
                    .iter()
                    .filter(|f| plan.actions.iter().any(|a| a.field == f.id))
                    .map(|f| f.label.clone()),
            )
            .collect(),
        resources: vec![
            Resource {
                profile: "tabular-data-resource",
                name: "plan-actions",
                path: CSV_FILE,
                title: "Plan d'actions (CSV)",
                description: resource_description("CSV (RFC 4180, UTF-8, virgule)"),
                format: "csv",
                mediatype: "text/csv",
                encoding: "utf-8",
                bytes: Some(csv_bytes),
                dialect: Some(Dialect {
                    delimiter: ",",
                    line_terminator: "\r\n",
                    quote_char: "\"",
                    double_quote: true,
                    header: true,
                }),
                schema: schema(plan),
            },
            Resource {
                profile: "tabular-data-resource",
                name: "plan-actions-json",
                path: JSON_FILE,
                title: "Plan d'actions (JSON)",
                description: resource_description(
                    "JSON (un tableau d'objets aux mêmes clés que les colonnes du CSV)",
                ),
                format: "json",
                mediatype: "application/json",
                encoding: "utf-8",
                bytes: None,
                dialect: None,
                schema: schema(plan),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with a short value in every column.
    fn sample() -> Record {
        Record {
            collectivite: "C".into(),
            caf: "Caf".into(),
            periode_debut: 2023,
            periode_fin: 2027,
            champ: "Jeunesse".into(),
            sous_section: None,
            action_id: "a".into(),
            descriptif: "d".into(),
            moyens_caf: "m".into(),
            moyens_partenaires: "p".into(),
            objectifs: "o".into(),
            resultat_attendu: "r".into(),
            impact_envisage: "i".into(),
            echeance_debut: 2024,
            echeance_fin: 2024,
        }
    }

    #[test]
    fn the_header_is_the_schema() {
        let record = sample();
        let csv = String::from_utf8(to_csv(&[record]).unwrap()).unwrap();
        let header = csv.lines().next().unwrap();
        assert_eq!(header, column_names().join(","));
        assert_eq!(
            String::from_utf8(to_csv(&[]).unwrap()).unwrap(),
            format!("{}\r\n", column_names().join(","))
        );
    }

    #[test]
    fn quotes_and_line_breaks_follow_rfc_4180() {
        let record = Record {
            collectivite: "Communauté de communes d'Exemple".into(),
            champ: "Petite enfance, jeunesse".into(),
            sous_section: Some("Crèches".into()),
            descriptif: "Un \"RPE\"\nDeux".into(),
            echeance_fin: 2025,
            ..sample()
        };
        let csv = String::from_utf8(to_csv(&[record]).unwrap()).unwrap();
        let row = csv.split_once("\r\n").unwrap().1;
        assert_eq!(
            row,
            "Communauté de communes d'Exemple,Caf,2023,2027,\"Petite enfance, jeunesse\",Crèches,a,\
             \"Un \"\"RPE\"\"\nDeux\",m,p,o,r,i,2024,2025\r\n"
        );
    }
}
