//! `ctg import`: the plan read from a Word table or a spreadsheet becomes a
//! project, its convention (head values, declaration, fields, notes,
//! signature, signatories) and one file per action, written whole and then
//! checked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{
    Outcome, PLACEHOLDER, basic, check_written, comment_safe, declaration, file_stem, multiline,
    non_empty, refuse_existing_data, write_new_data,
};
use crate::diag::{Diagnostic, Failure};
use crate::french::count;
use crate::model::shape::{ColumnType, Shape};
use crate::model::{SignaturePlace, YearRange};
use crate::read::{ACTIONS_DIR, CONVENTION_FILE};
use crate::text::markdown_to_plain;
use crate::tools::import::names::{slug, title_slug, unique};
use crate::tools::import::{self, ImportedAction, ImportedField, ImportedPlan};
use crate::validate::is_slug;

/// Reads `source` (Word or CSV) and writes a project under `root`, then checks it.
pub fn import(source: &Path, root: &Path) -> Result<Outcome, Failure> {
    refuse_existing_data(root)?;
    // The readers parse files of any origin: a panic in them is an error naming
    // the file, never a crash.
    let shown = source.display().to_string();
    let imported =
        crate::diag::guard(&shown, || import::read(source)).map_err(|d| Failure(vec![d]))??;
    let mut diagnostics = imported.warnings;
    if imported.plan.fields.iter().all(|f| f.actions.is_empty()) {
        diagnostics.push(
            Diagnostic::error(format!(
                "aucune action dans {} : rien à importer",
                imported.plan.source
            ))
            .hint("le tableau a bien l'en-tête du plan, mais aucune ligne d'action en dessous"),
        );
        return Err(Failure(diagnostics));
    }
    let files = project_files(&imported.plan, &mut diagnostics);
    write_new_data(root, &files).map_err(|d| Failure(vec![d]))?;
    let actions: usize = imported.plan.fields.iter().map(|f| f.actions.len()).sum();
    let mut outcome = Outcome {
        summary: vec![format!(
            "importé de {} : {}, {} → {}",
            imported.plan.source,
            count(imported.plan.fields.len(), "champ", "champs"),
            count(actions, "action", "actions"),
            root.join("data").display()
        )],
        diagnostics,
        success: true,
    };
    check_written(root, &mut outcome);
    Ok(outcome)
}

/// The files of a project holding `plan`: the convention and one file per action.
fn project_files(plan: &ImportedPlan, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, String)> {
    let front = front_values(plan, diags);
    let field_ids = field_ids(plan);
    let mut convention = convention_head(plan, &front, diags);
    let shape = imported_shape(plan);
    convention.push('\n');
    convention.push_str(&declaration(&shape));

    let mut out = Vec::new();
    let mut taken_ids: HashSet<String> = HashSet::new();
    let mut notes = String::new();
    for (field, field_id) in plan.fields.iter().zip(&field_ids) {
        let sub_ids = push_field(&mut convention, &mut notes, field, field_id);
        let mut file_names: HashSet<String> = HashSet::new();
        for (index, action) in field.actions.iter().enumerate() {
            let position = index + 1;
            let id = imported_action_id(&shape, field_id, position, action, &taken_ids, diags);
            taken_ids.insert(id.clone());
            let name = file_stem(field_id, &id, position, |c| file_names.contains(c));
            file_names.insert(name.clone());
            let text = imported_action_text(
                &shape,
                &id,
                field_id,
                &sub_ids,
                position,
                action,
                &front.period,
            );
            out.push((
                PathBuf::from(ACTIONS_DIR)
                    .join(field_id)
                    .join(format!("{name}.toml")),
                text,
            ));
        }
    }
    convention.push_str(&notes);
    if let Some(signature) = &plan.front.signature {
        convention.push_str(&signature_table(signature));
    }
    convention.push_str("\n# Signataires de la convention : complétez qualité et nom si besoin\n");
    for institution in signatories(&front.parties, plan) {
        convention.push_str(&format!(
            "[[signataires]]\ninstitution = {}\n\n",
            basic(&institution)
        ));
    }
    let convention = convention.trim_end().to_string() + "\n";
    out.insert(0, (PathBuf::from(CONVENTION_FILE), convention));
    out
}

/// The values at the head of an imported convention, each as read from the
/// source or else a default.
struct FrontValues {
    /// The period (`2023-2027`), empty when neither the title nor the deadlines give it.
    period: String,
    titre: String,
    parties: String,
    intitule: String,
    legende: String,
}

/// The head values of `plan`'s convention, with a warning for a missing period
/// and one naming every value left to a default.
fn front_values(plan: &ImportedPlan, diags: &mut Vec<Diagnostic>) -> FrontValues {
    let mut defaults: Vec<&str> = Vec::new();
    let period = plan
        .front
        .periode
        .clone()
        .or_else(|| period_of_deadlines(plan));
    let period_text = period.clone().unwrap_or_default();
    if period.is_none() {
        diags.push(
            Diagnostic::warning(
                "période de la convention introuvable (ni dans le titre, ni dans les échéances)",
            )
            .hint("indiquez-la dans data/convention.toml : `periode = \"2023-2027\"`"),
        );
    }
    let spaced_period = period_text.replacen('-', " - ", 1);
    let front = &plan.front;
    let mut value = |found: &Option<String>, key: &'static str, default: String| match found {
        Some(v) => v.clone(),
        None => {
            defaults.push(key);
            default
        }
    };
    let titre = value(
        &front.titre,
        "titre",
        "Convention Territoriale Globale".into(),
    );
    // Without parties, the Caf and the intercommunality named by the source serve.
    let parties = match (&plan.caf, &plan.collectivite) {
        (Some(caf), Some(coll)) if front.parties.is_none() => format!("{caf} / {coll}"),
        _ => value(
            &front.parties,
            "parties",
            "Caf de … / Communauté de communes de …".into(),
        ),
    };
    let intitule = value(
        &front.intitule,
        "intitule",
        format!("PLAN D'ACTIONS {spaced_period}"),
    );
    let legende = value(
        &front.legende,
        "legende",
        format!("Plan d'actions {period_text}"),
    );
    if !defaults.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "introuvable dans {} : {} ; une valeur par défaut est écrite",
                plan.source,
                defaults.join(", ")
            ))
            .hint("vérifiez ces valeurs en tête de data/convention.toml"),
        );
    }
    FrontValues {
        period: period_text,
        titre,
        parties,
        intitule,
        legende,
    }
}

/// One id per field, from its label, unique among the fields.
fn field_ids(plan: &ImportedPlan) -> Vec<String> {
    let mut field_ids: Vec<String> = Vec::new();
    for field in &plan.fields {
        let base = non_empty(slug(&field.label, 30), "champ");
        let id = unique(&base, |c| field_ids.iter().any(|f| f == c));
        field_ids.push(id);
    }
    field_ids
}

/// The convention's first lines: where it comes from, its head values and its
/// date (a warning when the source gives none).
fn convention_head(
    plan: &ImportedPlan,
    front: &FrontValues,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut convention = String::new();
    convention.push_str(&format!(
        "# Convention importée de « {} » par `ctg import` : vérifiez chaque valeur.\n",
        comment_safe(&plan.source)
    ));
    convention.push_str(&format!("titre = {}\n", basic(&front.titre)));
    convention.push_str(&format!("parties = {}\n", basic(&front.parties)));
    convention.push_str(&format!("intitule = {}\n", basic(&front.intitule)));
    convention.push_str(&format!("legende = {}\n", basic(&front.legende)));
    convention.push_str(&format!("periode = {}\n", basic(&front.period)));
    if let Some(c) = &plan.collectivite {
        convention.push_str(&format!("collectivite = {}\n", basic(c)));
    }
    if let Some(c) = &plan.caf {
        convention.push_str(&format!("caf = {}\n", basic(c)));
    }
    match &plan.front.date {
        Some(date) => convention.push_str(&format!(
            "# Date de cette édition (date du PDF) : celle de la dernière modification de la source ;\n\
             # mettez-la à jour à chaque nouvelle édition du plan\ndate = {date}\n"
        )),
        None => diags.push(
            Diagnostic::warning(format!("date de {} introuvable", plan.source))
                .hint("ajoutez la date de cette édition en tête de data/convention.toml : `date = 2025-06-30`"),
        ),
    }
    convention
}

/// Writes `field`'s `[[champs]]` table into `convention` and its note, if it
/// has a mark, into `notes`; returns the ids given to its sub-sections.
fn push_field(
    convention: &mut String,
    notes: &mut String,
    field: &ImportedField,
    field_id: &str,
) -> Vec<String> {
    convention.push_str(&format!(
        "\n# Champ d'intervention : {}\n[[champs]]\nid = {}\nlibelle = {}\n",
        comment_safe(&field.label),
        basic(field_id),
        basic(&field.label)
    ));
    if let Some(mark) = &field.mark {
        let note_id = format!("note-{field_id}");
        convention.push_str(&format!("note = {}\n", basic(&note_id)));
        let text = field
            .note
            .clone()
            .unwrap_or_else(|| PLACEHOLDER.to_string());
        notes.push_str(&format!(
            "\n# Note de bas de tableau (marque « {} » sur le champ {})\n[[notes]]\nid = {}\nmarque = {}\ntexte = {}\n",
            comment_safe(mark),
            comment_safe(&field.label),
            basic(&note_id),
            basic(mark),
            multiline(&text)
        ));
    }
    let mut sub_ids: Vec<String> = Vec::new();
    if !field.subsections.is_empty() {
        convention.push_str("sous_sections = [\n");
        for label in &field.subsections {
            let base = non_empty(slug(label, 30), "sous-section");
            let id = unique(&base, |c| sub_ids.iter().any(|s| s == c));
            convention.push_str(&format!(
                "  {{ id = {}, libelle = {} }},\n",
                basic(&id),
                basic(label)
            ));
            sub_ids.push(id);
        }
        convention.push_str("]\n");
    }
    sub_ids
}

/// The id of an imported action: the one the source gives when valid and free
/// (a warning otherwise), else one made of its field's id and its title's words.
fn imported_action_id(
    shape: &Shape,
    field_id: &str,
    position: usize,
    action: &ImportedAction,
    taken_ids: &HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let title = shape
        .title()
        .and_then(|i| action.values.get(i))
        .map_or(String::new(), |t| markdown_to_plain(t));
    let words = non_empty(title_slug(&title, 5), &format!("action-{position}"));
    let given = action.id.as_ref().filter(|id| {
        let valid = is_slug(id) && !taken_ids.contains(*id);
        if !valid {
            diags.push(
                Diagnostic::warning(format!(
                    "{} : identifiant « {id} » invalide ou déjà pris : un autre est choisi",
                    action.origin
                ))
                .hint("un identifiant s'écrit en minuscules sans accents, chiffres et tirets, et ne sert qu'une fois"),
            );
        }
        valid
    });
    match given {
        Some(id) => id.clone(),
        None => unique(&format!("{field_id}-{words}"), |c| taken_ids.contains(c)),
    }
}

/// The file of an imported action: its place, then one key per column with
/// the value read (an empty échéance takes the convention's `period`).
fn imported_action_text(
    shape: &Shape,
    id: &str,
    field_id: &str,
    sub_ids: &[String],
    position: usize,
    action: &ImportedAction,
    period: &str,
) -> String {
    let mut text = String::new();
    text.push_str(&format!("id = {}\n", basic(id)));
    text.push_str(&format!("champ = {}\n", basic(field_id)));
    if let Some(sub) = action.subsection.and_then(|s| sub_ids.get(s)) {
        text.push_str(&format!("sous_section = {}\n", basic(sub)));
    }
    text.push_str(&format!("position = {position}\n"));
    for (column, value) in shape.columns.iter().zip(&action.values) {
        match column.kind {
            ColumnType::Text => {
                text.push_str(&format!("\n{} = {}\n", column.key, multiline(value)));
            }
            ColumnType::Deadline => {
                let written: &str = if value.is_empty() { period } else { value };
                text.push_str(&format!("{} = {}\n", column.key, basic(written)));
            }
            // Figures are written as read (`12500.5`): TOML numbers.
            ColumnType::Amount | ColumnType::Number if !value.is_empty() => {
                text.push_str(&format!("{} = {value}\n", column.key));
            }
            ColumnType::Amount | ColumnType::Number => {}
        }
    }
    text
}

/// The `[signature]` table of a signature line read below the plan's table.
fn signature_table(signature: &SignaturePlace) -> String {
    let mut out = String::from(
        "\n# « Fait à …, le … » au-dessus des signatures, repris du document\n[signature]\n",
    );
    if let Some(place) = &signature.place {
        out.push_str(&format!("lieu = {}\n", basic(place)));
    }
    if let Some(d) = &signature.date {
        out.push_str(&format!(
            "date = {:04}-{:02}-{:02}\n",
            d.year, d.month, d.day
        ));
    }
    out
}

/// Signatories: the Caf and the intercommunality when known by name, else each
/// of the parties ("Caf / Communauté de communes …").
fn signatories(parties: &str, plan: &ImportedPlan) -> Vec<String> {
    if let (Some(caf), Some(coll)) = (&plan.caf, &plan.collectivite) {
        return vec![caf.clone(), coll.clone()];
    }
    parties
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The shape of an imported plan: its first column and its columns, as read.
fn imported_shape(plan: &ImportedPlan) -> Shape {
    let mut shape = Shape::reference();
    if let Some(label) = plan.first_column.as_ref().filter(|l| !l.is_empty()) {
        shape.first_column = label.clone();
    }
    shape.columns = plan.columns.clone();
    shape
}

/// The smallest period holding every readable deadline.
fn period_of_deadlines(plan: &ImportedPlan) -> Option<String> {
    let deadline = imported_shape(plan).deadline()?;
    let years: Vec<YearRange> = plan
        .fields
        .iter()
        .flat_map(|f| &f.actions)
        .filter_map(|a| YearRange::parse(a.values.get(deadline)?).ok())
        .collect();
    let start = years.iter().map(|y| y.start).min()?;
    let end = years.iter().map(|y| y.end).max()?;
    Some(YearRange { start, end }.to_string())
}
