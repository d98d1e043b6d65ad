//! An action's checks: its field and sub-section, its values against the
//! declared columns, its position.

use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::shape::{ColumnType, Shape};
use crate::model::*;
use crate::read::{RawAction, closest, missing_keys, unknown_key, wrong_type};

use super::convention::year_error;
use super::*;

/// Where an action's identity sits in its file, for the duplicate checks.
pub(crate) struct ActionSpans {
    pub(crate) id: Range<usize>,
    pub(crate) former_id: Range<usize>,
    pub(crate) position: Range<usize>,
}

/// The folder of another declared field that the action's file is in
/// (`data/actions/logement/…` for an action of `enfance`), if it is: a
/// field's id is also its folder's name. A folder named after no field is the
/// project's own way of filing, and says nothing.
pub(crate) fn other_fields_folder(
    file: &SourceFile,
    field: &str,
    convention: &Convention,
) -> Option<String> {
    let folder = file.name.strip_prefix("data/actions/")?.rsplit_once('/')?.0;
    let last = folder.rsplit('/').next()?;
    (last != field && convention.field(last).is_some()).then(|| format!("data/actions/{folder}"))
}

/// Checks one action. Without a valid convention, only what does not depend on
/// it is checked; without valid declared columns, only the fixed keys.
/// `untyped` names the columns whose type is not known (an error of the
/// convention): their values are not checked.
pub(crate) fn validate_action(
    file: &SourceFile,
    raw: RawAction,
    shape: Option<&Shape>,
    untyped: &[String],
    convention: Option<&Convention>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Action, ActionSpans)> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let Written {
        id,
        former_id,
        champ,
        sous_section,
        position,
        declared,
    } = Written::sort(file, raw, shape, diags);
    let id = id.and_then(|v| string(file, v, diags));
    let id_span = id.as_ref().map_or(0..0, Spanned::span);
    let id = id.map(|v| slug(file, v, "d'action", diags));
    let former_id = former_id.and_then(|v| string(file, v, diags));
    let former_id_span = former_id.as_ref().map_or(0..0, Spanned::span);
    let former_id = former_id.map(|v| slug(file, v, "d'action (`ancien_id`)", diags));
    let field_id = champ.and_then(|v| string(file, v, diags));
    let field = match (&field_id, convention) {
        (Some(f), Some(c)) => action_field(file, f, c, diags),
        _ => None,
    };
    let subsection = sous_section.and_then(|v| string(file, v, diags)).map(|s| {
        if let Some(field) = field {
            check_subsection(file, &s, field, diags);
        }
        s.into_inner()
    });

    let position = position.and_then(|v| rank(file, v, diags));
    let position_span = position.as_ref().map_or(0..0, Spanned::span);

    let period = convention.map(|c| c.period);
    let values = match shape {
        Some(shape) => declared_values(file, shape, declared, untyped, period.as_ref(), diags),
        None => Vec::new(),
    };
    let deadline = match shape.and_then(Shape::deadline).and_then(|i| values.get(i)) {
        Some(Value::Deadline(d)) => Some(d.clone()),
        _ => period.map(|p| Deadline {
            years: p,
            text: p.to_string(),
        }),
    };
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    if errors_after > errors_before {
        return None;
    }
    let (id, field_id, position, deadline) = (id?, field_id?, position?, deadline?);
    let description = match shape.and_then(Shape::title).and_then(|i| values.get(i)) {
        Some(Value::Text(t)) => t.clone(),
        _ => id.clone(),
    };
    let action = Action {
        id,
        former_id,
        field: field_id.into_inner(),
        subsection,
        position: position.into_inner().clamp(0, u32::MAX as i64) as u32,
        values,
        deadline,
        description,
        source: file.name.clone(),
    };
    let spans = ActionSpans {
        id: id_span,
        former_id: former_id_span,
        position: position_span,
    };
    Some((action, spans))
}

/// The declared field of an action's `champ`, reported when unknown; an
/// action filed in another field's folder is reported as a warning.
pub(crate) fn action_field<'c>(
    file: &SourceFile,
    champ: &Spanned<String>,
    convention: &'c Convention,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'c Field> {
    let found = convention.field(champ.get_ref());
    if found.is_none() {
        diags.push(unknown_field(file, champ, convention));
    }
    if let Some(folder) = other_fields_folder(file, champ.get_ref(), convention) {
        diags.push(
            Diagnostic::warning(format!(
                "action rangée dans `{folder}/`, le dossier du champ `{}`, alors que son champ est `{}`",
                folder.rsplit('/').next().unwrap_or_default(),
                champ.get_ref()
            ))
            .at(file, champ.span())
            .label("champ d'un autre dossier")
            .hint(format!(
                "le dossier d'un champ porte son identifiant : déplacez ce fichier dans `data/actions/{}/`, ou corrigez `champ` s'il est faux",
                champ.get_ref()
            )),
        );
    }
    found
}

/// An action's value in each column of `shape`, `declared` as written (one per
/// column). Every value is checked before giving up, so that all problems are
/// reported; a value of an `untyped` column is not checked, and left out.
pub(crate) fn declared_values(
    file: &SourceFile,
    shape: &Shape,
    declared: Vec<Option<Spanned<toml::Value>>>,
    untyped: &[String],
    period: Option<&YearRange>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Value> {
    shape
        .columns
        .iter()
        .zip(declared)
        .map(|(column, value)| match value {
            Some(_) if untyped.contains(&column.key) => Value::Absent,
            Some(v) => value_of(file, column, v, period, diags),
            None => Value::Absent,
        })
        .collect()
}

/// The keys of an action file, each in its place: the fixed ones, and the
/// declared ones by column.
pub(crate) struct Written {
    id: Option<Spanned<toml::Value>>,
    former_id: Option<Spanned<toml::Value>>,
    champ: Option<Spanned<toml::Value>>,
    sous_section: Option<Spanned<toml::Value>>,
    position: Option<Spanned<toml::Value>>,
    /// One per column of the shape (none without a valid shape).
    declared: Vec<Option<Spanned<toml::Value>>>,
}

impl Written {
    /// Sorts the file's keys; an undeclared key and the missing keys (fixed
    /// and declared, in one message) are reported.
    fn sort(
        file: &SourceFile,
        raw: RawAction,
        shape: Option<&Shape>,
        diags: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut written = Written {
            id: None,
            former_id: None,
            champ: None,
            sous_section: None,
            position: None,
            declared: vec![None; shape.map_or(0, |s| s.columns.len())],
        };
        for (key, value) in raw.entries {
            match key.get_ref().as_str() {
                "id" => written.id = Some(value),
                "ancien_id" => written.former_id = Some(value),
                "champ" => written.champ = Some(value),
                "sous_section" => written.sous_section = Some(value),
                "position" => written.position = Some(value),
                // Without a valid declaration, the other keys cannot be checked.
                other => {
                    let Some(shape) = shape else { continue };
                    match shape.column(other) {
                        Some((i, _)) => written.declared[i] = Some(value),
                        None => {
                            diags.push(unknown_key(file, key.span(), other, &shape.action_keys()))
                        }
                    }
                }
            }
        }
        let fixed = [
            ("id", &written.id),
            ("champ", &written.champ),
            ("position", &written.position),
        ];
        let mut missing: Vec<(String, String)> = fixed
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| (k.to_string(), crate::read::describe_key(k).to_string()))
            .collect();
        if let Some(shape) = shape {
            missing.extend(
                shape
                    .columns
                    .iter()
                    .zip(&written.declared)
                    .filter(|(c, v)| c.required && v.is_none())
                    .map(|(c, _)| (c.key.clone(), c.what())),
            );
        }
        if !missing.is_empty() {
            // The file's start stands for the file.
            diags.push(missing_keys(file, 0..0, true, &missing));
        }
        written
    }
}

/// An action's position: its rank in its field, 1 to 9999.
pub(crate) fn rank(
    file: &SourceFile,
    value: Spanned<toml::Value>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<i64>> {
    let toml::Value::Integer(p) = *value.get_ref() else {
        diags.push(wrong_type(file, &value, "i64"));
        return None;
    };
    if !(1..=9999).contains(&p) {
        diags.push(
            Diagnostic::error(format!("position invalide : {p}"))
                .at(file, value.span())
                .label("position hors limites")
                .hint("la position est le rang de l'action dans son champ : 1, 2, 3…"),
        );
    }
    Some(Spanned::new(value.span(), p))
}

/// A text value, or its type error.
pub(crate) fn string(
    file: &SourceFile,
    value: Spanned<toml::Value>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<String>> {
    match value.get_ref() {
        toml::Value::String(s) => Some(Spanned::new(value.span(), s.clone())),
        _ => {
            diags.push(wrong_type(file, &value, "a string"));
            None
        }
    }
}

/// The error of a field of intervention that the convention does not declare.
pub(crate) fn unknown_field(
    file: &SourceFile,
    written: &Spanned<String>,
    c: &Convention,
) -> Diagnostic {
    let field_id = written.get_ref();
    let known: Vec<&str> = c.fields.iter().map(|f| f.id.as_str()).collect();
    let hint = match closest(field_id, &known) {
        Some(best) => format!(
            "vouliez-vous dire `{best}` ? Champs déclarés : {}",
            known.join(", ")
        ),
        None => format!(
            "champs déclarés dans data/convention.toml : {}",
            known.join(", ")
        ),
    };
    Diagnostic::error(format!("champ d'intervention inconnu : `{field_id}`"))
        .at(file, written.span())
        .label("champ non déclaré")
        .hint(hint)
}

/// Reports a sub-section that `field` does not declare.
pub(crate) fn check_subsection(
    file: &SourceFile,
    written: &Spanned<String>,
    field: &Field,
    diags: &mut Vec<Diagnostic>,
) {
    let s = written.get_ref();
    let known: Vec<&str> = field.subsections.iter().map(|x| x.id.as_str()).collect();
    if known.contains(&s.as_str()) {
        return;
    }
    let hint = if known.is_empty() {
        format!(
            "le champ `{}` n'a pas de sous-section : supprimez cette ligne",
            field.id
        )
    } else {
        format!(
            "sous-sections du champ `{}` : {}",
            field.id,
            known.join(", ")
        )
    };
    diags.push(
        Diagnostic::error(format!("sous-section inconnue : `{s}`"))
            .at(file, written.span())
            .label("sous-section non déclarée")
            .hint(hint),
    );
}

/// An action's value in `column`, checked against the column's kind; an
/// erroneous value is reported and counts as absent.
pub(crate) fn value_of(
    file: &SourceFile,
    column: &crate::model::shape::Column,
    value: Spanned<toml::Value>,
    period: Option<&YearRange>,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let key = column.key.as_str();
    match column.kind {
        ColumnType::Text => string(file, value, diags)
            .map_or(Value::Absent, |t| Value::Text(cell(file, t, key, diags))),
        ColumnType::Deadline => string(file, value, diags)
            .and_then(|t| deadline(file, t, period, diags))
            .map_or(Value::Absent, Value::Deadline),
        ColumnType::Amount => match Amount::from_toml(value.get_ref()) {
            Ok(amount) => Value::Amount(amount),
            Err(e) => {
                diags.push(amount_error(file, &value, key, e));
                Value::Absent
            }
        },
        ColumnType::Number => match value.get_ref() {
            toml::Value::Integer(n) => Value::Number(*n),
            _ => {
                diags.push(wrong_type(file, &value, "an integer"));
                Value::Absent
            }
        },
    }
}

/// Why an amount is refused, at its place.
pub(crate) fn amount_error(
    file: &SourceFile,
    value: &Spanned<toml::Value>,
    key: &str,
    error: AmountError,
) -> Diagnostic {
    let written = file.text.get(value.span()).unwrap_or_default().trim();
    let (message, hint) = match error {
        AmountError::NotANumber if !matches!(value.get_ref(), toml::Value::Float(_)) => {
            return wrong_type(file, value, "an amount");
        }
        AmountError::NotANumber => (
            format!("montant illisible dans `{key}` : {written}"),
            "un montant s'écrit en chiffres, ex. 12500 ou 12500.50".to_string(),
        ),
        AmountError::Negative => (
            format!("montant négatif dans `{key}` : {written}"),
            "un montant est positif ou nul : retirez le signe « - »".to_string(),
        ),
        AmountError::BelowCent => (
            format!("montant plus précis que le centime dans `{key}` : {written}"),
            "deux chiffres au plus après le point, ex. 12500.50".to_string(),
        ),
        AmountError::TooLarge => (
            format!("montant trop grand dans `{key}` : {written}"),
            format!("un montant va jusqu'à {} euros", Amount::MAX_EUROS),
        ),
    };
    Diagnostic::error(message)
        .at(file, value.span())
        .label("montant invalide")
        .hint(hint)
}

/// An échéance: a year or a period within the convention's (when known).
pub(crate) fn deadline(
    file: &SourceFile,
    value: Spanned<String>,
    period: Option<&YearRange>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Deadline> {
    let span = value.span();
    let text = value.into_inner().trim().to_string();
    match (YearRange::parse(&text), period) {
        (Ok(years), None) => Some(Deadline { years, text }),
        (Ok(years), Some(period)) if years.within(period) => Some(Deadline { years, text }),
        (Ok(years), Some(period)) => {
            diags.push(
                Diagnostic::error(format!(
                    "échéance hors de la période de la convention : `{text}`"
                ))
                .at(file, span)
                .label(format!(
                    "{years} n'est pas dans {}-{}",
                    period.start, period.end
                ))
                .hint(format!(
                    "la convention couvre {}-{} : choisissez des années entre {} et {}",
                    period.start, period.end, period.start, period.end
                )),
            );
            None
        }
        (Err(e), period) => {
            diags.push(year_error(file, span, &text, &e, true, period));
            None
        }
    }
}
