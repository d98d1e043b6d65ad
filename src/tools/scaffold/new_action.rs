//! `ctg new action`: a new action file in a field of the project, with the
//! next position, a fresh id, and every declared key under a French comment.

use std::collections::HashSet;
use std::path::Path;

use super::{Outcome, PLACEHOLDER, basic, check_written, comment_safe, file_stem, multiline};
use crate::diag::{Diagnostic, Failure};
use crate::model::shape::{ColumnType, Shape};
use crate::read::{
    ACTIONS_DIR, CONVENTION_FILE, Loaded, RawAction, RawConvention, RawField, RawProject,
};
use crate::tools::import::names::{loose, title_slug, unique};

/// Writes a new action of field `champ` (its id or label) with the next position,
/// a fresh id and every key, each with a French comment.
pub fn new_action(
    root: &Path,
    champ: &str,
    subsection: Option<&str>,
    title: Option<&str>,
) -> Result<Outcome, Failure> {
    let (raw, convention, shape) = load_declared(root)?;
    let conv = &convention.value;
    let field = find_field(&conv.champs, champ)?;
    let field_id = field.id.get_ref().clone();
    let subs: Vec<(&str, &str)> = field
        .sous_sections
        .iter()
        .map(|s| (s.id.get_ref().as_str(), s.libelle.get_ref().as_str()))
        .collect();
    let subsection = match subsection {
        None => None,
        Some(wanted) => Some(find_subsection(&subs, &field_id, wanted)?),
    };
    let position = next_position(&raw.actions, &field_id);
    let taken: HashSet<String> = raw
        .actions
        .iter()
        .filter_map(|a| string_value(a, "id"))
        .collect();
    let words = title
        .map(|t| title_slug(t, 5))
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "nouvelle-action".to_string());
    let id = unique(&format!("{field_id}-{words}"), |c| taken.contains(c));
    let dir = root.join(ACTIONS_DIR).join(&field_id);
    let name = file_stem(&field_id, &id, position, |c| {
        dir.join(format!("{c}.toml")).exists()
    });
    let file_name = format!("{name}.toml");

    let period = conv.periode.get_ref().trim().to_string();
    let sub_ids: Vec<&str> = subs.iter().map(|(id, _)| *id).collect();
    let text = action_text(
        &shape,
        &NewAction {
            id: &id,
            field_id: &field_id,
            field_label: field.libelle.get_ref(),
            subsection: subsection.as_deref(),
            subsections: &sub_ids,
            position,
            period: &period,
            title,
        },
    );
    let written = crate::write::folder::write_atomic(&dir, &file_name, text.as_bytes())
        .map_err(|d| Failure(vec![d]))?;
    let shown = written
        .strip_prefix(root)
        .unwrap_or(&written)
        .display()
        .to_string();
    let mut outcome = Outcome {
        summary: vec![format!(
            "écrit {shown} : position {position}, identifiant `{id}` ; remplacez les textes « {PLACEHOLDER} »"
        )],
        success: true,
        ..Outcome::default()
    };
    check_written(root, &mut outcome);
    Ok(outcome)
}

/// The project under `root`, its convention taken out, and the shape it
/// declares: the new file holds the declared keys, so the declaration must be
/// valid. Fails with the errors only.
fn load_declared(root: &Path) -> Result<(RawProject, Loaded<RawConvention>, Shape), Failure> {
    let mut diags = Vec::new();
    let mut raw = crate::read::load(root, &mut diags);
    let Some(mut convention) = raw.convention.take() else {
        diags.retain(Diagnostic::is_error);
        if diags.is_empty() {
            diags.push(Diagnostic::error(format!(
                "fichier `{CONVENTION_FILE}` illisible"
            )));
        }
        return Err(Failure(diags));
    };
    let shape = Shape::declared(
        &convention.file,
        convention.value.colonnes.take(),
        convention.value.tableau.take(),
        &mut diags,
    );
    if diags.iter().any(Diagnostic::is_error) {
        diags.retain(Diagnostic::is_error);
        return Err(Failure(diags));
    }
    Ok((raw, convention, shape))
}

/// The field `champ` names: by its id, else loosely by its id or its label.
fn find_field<'a>(champs: &'a [RawField], champ: &str) -> Result<&'a RawField, Failure> {
    let field = champs.iter().find(|f| f.id.get_ref() == champ).or_else(|| {
        champs.iter().find(|f| {
            loose(f.id.get_ref()) == loose(champ) || loose(f.libelle.get_ref()) == loose(champ)
        })
    });
    if let Some(field) = field {
        return Ok(field);
    }
    let known: Vec<&str> = champs.iter().map(|f| f.id.get_ref().as_str()).collect();
    let hint = match crate::read::closest(champ, &known) {
        Some(best) => format!(
            "vouliez-vous dire `{best}` ? Champs déclarés : {}",
            known.join(", ")
        ),
        None => format!(
            "champs déclarés dans {CONVENTION_FILE} : {}",
            known.join(", ")
        ),
    };
    Err(Failure(vec![
        Diagnostic::error(format!("champ d'intervention inconnu : `{champ}`")).hint(hint),
    ]))
}

/// The id of the sub-section `wanted` names among `subs` (id, label) of field
/// `field_id`: by its id, else loosely by its id or its label.
fn find_subsection(subs: &[(&str, &str)], field_id: &str, wanted: &str) -> Result<String, Failure> {
    if let Some((id, _)) = subs.iter().find(|(id, label)| {
        *id == wanted || loose(id) == loose(wanted) || loose(label) == loose(wanted)
    }) {
        return Ok(id.to_string());
    }
    let ids: Vec<&str> = subs.iter().map(|(id, _)| *id).collect();
    let hint = if ids.is_empty() {
        format!("le champ `{field_id}` n'a pas de sous-section : n'indiquez pas `--sous-section`")
    } else {
        format!("sous-sections du champ `{field_id}` : {}", ids.join(", "))
    };
    Err(Failure(vec![
        Diagnostic::error(format!("sous-section inconnue : `{wanted}`")).hint(hint),
    ]))
}

/// The value of `key` in an action file, when it is a string.
fn string_value(action: &Loaded<RawAction>, key: &str) -> Option<String> {
    action
        .value
        .get(key)
        .and_then(|v| v.get_ref().as_str().map(str::to_string))
}

/// The position after the last of field `field_id`'s actions (1 for the first).
fn next_position(actions: &[Loaded<RawAction>], field_id: &str) -> i64 {
    actions
        .iter()
        .filter(|a| string_value(a, "champ").as_deref() == Some(field_id))
        .filter_map(|a| {
            a.value
                .get("position")
                .and_then(|p| p.get_ref().as_integer())
        })
        .max()
        .unwrap_or(0)
        .max(0)
        + 1
}

/// What a new action file says besides its declared keys.
pub(super) struct NewAction<'a> {
    pub(super) id: &'a str,
    pub(super) field_id: &'a str,
    pub(super) field_label: &'a str,
    pub(super) subsection: Option<&'a str>,
    /// The field's sub-sections, offered in a comment.
    pub(super) subsections: &'a [&'a str],
    pub(super) position: i64,
    pub(super) period: &'a str,
    /// Written in the first text column, after « ► ».
    pub(super) title: Option<&'a str>,
}

/// A new action file: every key, each under a French comment; cells hold
/// [`PLACEHOLDER`] (the title, when given, in the column that names actions),
/// the échéance the convention's period.
pub(super) fn action_text(shape: &Shape, new: &NewAction) -> String {
    let mut text = format!(
        "# Action du champ « {} » : remplacez chaque « {PLACEHOLDER} » (le texte paraît tel quel dans le PDF).\n\
         # Le texte des cellules est du Markdown : une ligne vide sépare deux paragraphes, `- ` fait une liste.\n\n",
        comment_safe(new.field_label)
    );
    text.push_str("# Identifiant stable : minuscules, chiffres, tirets ; ne le changez plus une fois publié\n");
    text.push_str(&format!("id = {}\n", basic(new.id)));
    text.push_str(&format!(
        "# Champ d'intervention (un `id` de [[champs]] dans {CONVENTION_FILE})\n"
    ));
    text.push_str(&format!("champ = {}\n", basic(new.field_id)));
    match (new.subsection, new.subsections) {
        (Some(s), _) => {
            text.push_str("# Sous-section du champ (facultatif)\n");
            text.push_str(&format!("sous_section = {}\n", basic(s)));
        }
        (None, []) => {
            text.push_str("# Sous-section (facultatif) : ce champ n'en a pas\n");
            text.push_str("# sous_section = \"\"\n");
        }
        (None, ids) => {
            text.push_str(&format!(
                "# Sous-section du champ (facultatif) : {} ; retirez le # pour l'indiquer\n",
                ids.join(", ")
            ));
            text.push_str(&format!("# sous_section = {}\n", basic(ids[0])));
        }
    }
    text.push_str("# Rang de l'action dans son champ : 1, 2, 3…\n");
    text.push_str(&format!("position = {}\n", new.position));
    let title_column = shape.title();
    for (i, column) in shape.columns.iter().enumerate() {
        let label = comment_safe(&column.label);
        let place = if column.shown {
            format!("Colonne « {label} »")
        } else {
            format!("Hors du tableau : « {label} »")
        };
        let optional = if column.required { "" } else { " (facultatif)" };
        match column.kind {
            ColumnType::Text => {
                let placeholder = match new.title.map(str::trim) {
                    Some(t) if Some(i) == title_column && !t.is_empty() => format!("► {t}"),
                    _ if Some(i) == title_column => format!("► {PLACEHOLDER}"),
                    _ => PLACEHOLDER.to_string(),
                };
                text.push_str(&format!(
                    "\n# {place}{optional}\n{} = {}\n",
                    column.key,
                    multiline(&crate::tools::import::markdown::escape(&placeholder, true))
                ));
            }
            ColumnType::Deadline => {
                let first_year = new.period.get(..4).unwrap_or("2025");
                text.push_str(&format!(
                    "\n# {place}{optional} : une année (\"{first_year}\") ou une période comprise dans celle de la convention, {}\n{} = {}\n",
                    new.period,
                    column.key,
                    basic(new.period)
                ));
            }
            ColumnType::Amount | ColumnType::Number => {
                let what = if column.kind == ColumnType::Amount {
                    "montant en euros, en chiffres sans guillemets ni espace, ex. 12500 ou 12500.50"
                } else {
                    "nombre entier, en chiffres sans guillemets, ex. 12"
                };
                // A figure has no placeholder that reads as one: an optional
                // one is left for the officer to write.
                let line = if column.required { "" } else { "# " };
                text.push_str(&format!(
                    "\n# {place}{optional} : {what}\n{line}{} = 0\n",
                    column.key
                ));
            }
        }
    }
    text
}
