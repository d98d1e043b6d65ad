//! Fingerprints. The plan's fingerprint is a SHA-256 over its
//! normalised records, printed in the footer of every page so that a printed page
//! can be traced to the data it came from; outputs get their own SHA-256.

use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::model::shape::{ColumnType, Shape};
use crate::model::{Action, Plan, Signatory, Value};

/// SHA-256 of `bytes`, in lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A digest in lowercase hexadecimal.
pub fn hex(digest: &[u8]) -> String {
    digest
        .iter()
        .fold(String::with_capacity(2 * digest.len()), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// SHA-256 of the plan's normalised records: every value the annex shows, in
/// document order, one `key<TAB>value` line each, with text trimmed and line ends
/// unified. File names and layout of the TOML files do not count; follow-up data
/// is not part of the plan.
pub fn plan_fingerprint(plan: &Plan) -> String {
    sha256_hex(normalised_records(plan).as_bytes())
}

fn line(out: &mut String, key: &str, value: &str) {
    let value = value
        .trim()
        .replace("\r\n", "\n")
        .replace('\n', "\\n")
        .replace('\t', "\\t");
    out.push_str(key);
    out.push('\t');
    out.push_str(&value);
    out.push('\n');
}

fn normalised_records(plan: &Plan) -> String {
    let c = &plan.convention;
    let mut out = String::new();
    for (key, value) in [
        ("titre", c.title.as_str()),
        ("parties", &c.parties),
        ("intitule", &c.heading),
        ("legende", &c.caption),
        ("periode", &c.period.to_string()),
        ("version", c.version.as_deref().unwrap_or("")),
    ] {
        line(&mut out, key, value);
    }
    header_records(&mut out, &c.shape);
    for field in &c.fields {
        line(&mut out, "champ", &format!("{} {}", field.id, field.label));
        line(&mut out, "champ.note", field.note.as_deref().unwrap_or(""));
        for sub in &field.subsections {
            line(
                &mut out,
                "sous_section",
                &format!("{} {}", sub.id, sub.label),
            );
        }
    }
    for note in &c.notes {
        line(
            &mut out,
            "note",
            &format!("{} {} {}", note.id, note.mark, note.text),
        );
    }
    if let Some(annex) = &c.annex {
        line(&mut out, "annexe", &annex.to_string());
    }
    line(
        &mut out,
        "signature.lieu",
        c.signature.place.as_deref().unwrap_or(""),
    );
    line(
        &mut out,
        "signature.date",
        &c.signature.date.map(|d| d.french()).unwrap_or_default(),
    );
    for s in &c.signatories {
        signatory_records(&mut out, s);
    }
    // The colours, when they are not the documents' own.
    if c.colours != crate::model::Colours::default() {
        let hex = crate::read::logos::hex;
        line(&mut out, "couleurs.entetes", &hex(c.colours.header_fill));
        line(&mut out, "couleurs.titre", &hex(c.colours.title));
    }
    for a in &plan.actions {
        action_records(&mut out, &c.shape, a);
    }
    out
}

/// The table's header: the first column, then each group and column label
/// in order; a column's kind when it prints its values otherwise than as
/// written (amounts, numbers), its optionality and its absence from the
/// table when they are not the defaults.
fn header_records(out: &mut String, shape: &Shape) {
    line(out, "colonne", &shape.first_column);
    let mut group: Option<&str> = None;
    for column in &shape.columns {
        if column.group.is_some() && column.group.as_deref() != group {
            line(out, "colonne", column.group.as_deref().unwrap_or(""));
        }
        group = column.group.as_deref();
        line(out, "colonne", &column.label);
        if matches!(column.kind, ColumnType::Amount | ColumnType::Number) {
            line(out, "colonne.type", column.kind.word());
        }
        if !column.required {
            line(out, "colonne.obligatoire", "non");
        }
        if !column.shown {
            line(out, "colonne.tableau", "non");
        }
    }
}

/// A signatory as its block shows it.
fn signatory_records(out: &mut String, s: &Signatory) {
    line(out, "signataire", &s.institution);
    line(out, "signataire.sigle", s.acronym.as_deref().unwrap_or(""));
    line(
        out,
        "signataire.qualite",
        s.capacity.as_deref().unwrap_or(""),
    );
    line(out, "signataire.nom", s.name.as_deref().unwrap_or(""));
    // A logo is part of the printed page: its checked bytes and its text
    // alternative count (a plan without logos keeps its fingerprint).
    if let Some(logo) = &s.logo {
        line(out, "signataire.logo", &sha256_hex(&logo.bytes));
        line(out, "signataire.logo_alt", &logo.alt);
    }
}

/// An action: its place in the plan, then its values.
fn action_records(out: &mut String, shape: &Shape, a: &Action) {
    line(out, "action", &a.id);
    line(out, "champ", &a.field);
    line(out, "sous_section", a.subsection.as_deref().unwrap_or(""));
    line(out, "position", &a.position.to_string());
    // The deadline first, then the other values in the declaration's order.
    let first = shape.deadline();
    let order = first
        .into_iter()
        .chain((0..shape.columns.len()).filter(|&i| Some(i) != first));
    for i in order {
        let (column, value) = (&shape.columns[i], &a.values[i]);
        line(out, &column.key, &normalised(value));
    }
}

/// A value as one line of the records: Markdown as written, the échéance as
/// written, figures in their open-data form, nothing for an absent value.
fn normalised(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        Value::Deadline(d) => d.text.clone(),
        Value::Amount(a) => a.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Absent => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
