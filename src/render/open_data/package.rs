//! The Frictionless data package (`datapackage.json`) that describes the open
//! data: the plan as a whole, then its two resources, the CSV and the JSON,
//! each with its Table Schema. Its structs are in the order its keys are
//! written.

use serde::Serialize;

use super::{DataColumn, FORMULA_NOTE, SchemaType};
use crate::model::Plan;
use crate::render::document::{CSV, JSON};

#[derive(Serialize)]
pub(super) struct Package {
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
    fields: Vec<SchemaField>,
    primary_key: Vec<&'static str>,
    missing_values: Vec<&'static str>,
}

#[derive(Serialize)]
struct SchemaField {
    name: String,
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

fn schema(plan: &Plan, columns: &[DataColumn]) -> Schema {
    let c = &plan.convention;
    let fields = columns
        .iter()
        .map(|column| {
            let name = column.name.as_str();
            let id = name == "action_id";
            SchemaField {
                name: column.name.clone(),
                title: column.title.clone(),
                kind: match column.kind {
                    SchemaType::Text => "string",
                    SchemaType::Year => "year",
                    SchemaType::Integer => "integer",
                    SchemaType::Number => "number",
                },
                description: column.description.clone(),
                constraints: Constraints {
                    required: column.required,
                    unique: id,
                    pattern: id.then_some("[a-z0-9]+(-[a-z0-9]+)*"),
                    minimum: column.period.then_some(c.period.start),
                    maximum: column.period.then_some(c.period.end),
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

pub(super) fn package(plan: &Plan, columns: &[DataColumn], csv_bytes: usize) -> Package {
    let c = &plan.convention;
    let period = format!("{}-{}", c.period.start, c.period.end);
    let resource_description = |format: &str| {
        format!(
            "Une ligne par action du plan ({}), dans l'ordre du document, au format {format}.",
            crate::french::count(plan.actions.len(), "action", "actions")
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
                path: CSV,
                title: "Plan d'actions (CSV)",
                description: resource_description("CSV (RFC 4180, UTF-8, virgule)") + FORMULA_NOTE,
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
                schema: schema(plan, columns),
            },
            Resource {
                profile: "tabular-data-resource",
                name: "plan-actions-json",
                path: JSON,
                title: "Plan d'actions (JSON)",
                description: resource_description(
                    "JSON (un tableau d'objets aux mêmes clés que les colonnes du CSV)",
                ),
                format: "json",
                mediatype: "application/json",
                encoding: "utf-8",
                bytes: None,
                dialect: None,
                schema: schema(plan, columns),
            },
        ],
    }
}
