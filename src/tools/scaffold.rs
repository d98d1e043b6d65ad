//! Authoring (beside the pipeline, never part of a build): writes the files an
//! officer starts from — a whole project from an imported plan (`ctg import`), a
//! starter project (`ctg init`), a new action file (`ctg new action`), and the
//! built-in templates for editing (`ctg templates export`).

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Failure};
use crate::french::count;
use crate::model::shape::{Kind, Shape};
use crate::model::{SignaturePlace, YearRange};
use crate::read::source::io_message;
use crate::read::{
    ACTIONS_DIR, CONVENTION_FILE, Loaded, RawAction, RawConvention, RawField, RawProject,
};
use crate::render::templates::BUILTIN;
use crate::text::markdown_to_plain;
use crate::tools::import::names::{loose, slug, title_slug, unique};
use crate::tools::import::{self, ImportedAction, ImportedField, ImportedPlan};
use crate::validate::is_slug;

/// What an authoring command did: problems found, and one line per thing done,
/// in French. `success` is false when the result needs the user's attention
/// before it builds.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Vec<String>,
    pub success: bool,
}

/// Text written in every cell of a new action: visible in the PDF until it is
/// replaced, and valid, so that the plan builds while the action is drafted.
pub const PLACEHOLDER: &str = "À compléter.";

// ---------------------------------------------------------------------------
// ctg import

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

/// Checks the project just written, as `ctg check` does (everything is built in
/// memory), and says so.
fn check_written(root: &Path, outcome: &mut Outcome) {
    let options = crate::build::BuildOptions {
        root: root.to_path_buf(),
        write: false,
        ..crate::build::BuildOptions::default()
    };
    match crate::build::build(&options) {
        Ok(report) => {
            outcome.summary.push(format!(
                "plan valide : {} ; construisez-le avec `ctg build --root {}`",
                report.summary(),
                root.display()
            ));
            outcome.diagnostics.extend(report.warnings);
        }
        Err(failure) => {
            outcome.diagnostics.extend(failure.0);
            outcome.summary.push(
                "le projet écrit ne passe pas encore `ctg check` : corrigez les erreurs ci-dessus dans ses fichiers"
                    .into(),
            );
            outcome.success = false;
        }
    }
}

fn refuse_existing_data(root: &Path) -> Result<(), Failure> {
    let data = root.join("data");
    if data.exists() {
        return Err(Failure(vec![
            Diagnostic::error(format!("le dossier `{}` existe déjà", data.display())).hint(
                "choisissez un dossier de projet neuf avec `--root DOSSIER` : ctg n'écrit jamais par-dessus des données existantes",
            ),
        ]));
    }
    Ok(())
}

/// Writes `files` (paths relative to `root`, all under `data/`) so that `data/`
/// appears whole or not at all: they are written in a hidden folder of `root`,
/// whose `data/` is then renamed into place.
fn write_new_data(root: &Path, files: &[(PathBuf, String)]) -> Result<(), Diagnostic> {
    let failed = |what: &str, path: &Path, e: &std::io::Error| {
        Diagnostic::error(format!(
            "{what} impossible : `{}` : {}",
            path.display(),
            io_message(Some(e))
        ))
        .hint("vérifiez que le dossier du projet est accessible en écriture")
    };
    fs::create_dir_all(root).map_err(|e| failed("création du dossier", root, &e))?;
    let staging = tempfile::Builder::new()
        .prefix(".ctg-")
        .tempdir_in(root)
        .map_err(|e| failed("écriture", root, &e))?;
    for (relative, text) in files {
        let path = staging.path().join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| failed("création du dossier", parent, &e))?;
        }
        fs::write(&path, text).map_err(|e| failed("écriture", &root.join(relative), &e))?;
    }
    let data = root.join("data");
    fs::rename(staging.path().join("data"), &data).map_err(|e| failed("écriture", &data, &e))?;
    Ok(())
}

/// The files of a project holding `plan`: the convention and one file per action.
pub fn project_files(plan: &ImportedPlan, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, String)> {
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
            Kind::Text => {
                text.push_str(&format!("\n{} = {}\n", column.key, multiline(value)));
            }
            Kind::Deadline => {
                let written: &str = if value.is_empty() { period } else { value };
                text.push_str(&format!("{} = {}\n", column.key, basic(written)));
            }
            // Figures are written as read (`12500.5`): TOML numbers.
            Kind::Amount | Kind::Number if !value.is_empty() => {
                text.push_str(&format!("{} = {value}\n", column.key));
            }
            Kind::Amount | Kind::Number => {}
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

/// What the keys of a `[[colonnes]]` table say, once, above the declaration.
const DECLARATION_HELP: &str = "\
# Colonnes du tableau d'actions, dans l'ordre, et informations des fiches gardées
# hors du tableau : une table [[colonnes]] chacune.
#   cle          clé dans les fiches d'action : minuscules sans accents, chiffres, _
#   libelle      texte de l'en-tête de la colonne
#   groupe       facultatif : les colonnes voisines du même groupe ont un en-tête
#                commun au-dessus des leurs
#   type         facultatif : \"texte\" (Markdown, par défaut), \"echeance\" (une année
#                ou une période), \"montant\" (en euros), \"nombre\" (entier)
#   obligatoire  facultatif : false si une fiche peut s'en passer (true par défaut)
#   tableau      facultatif : false pour garder l'information hors du tableau
#                (elle reste dans les données ouvertes)
#   largeur      facultatif : largeur dans le PDF, celle de la première colonne valant 1
#   description  facultatif : description de la colonne dans les données ouvertes
";

/// The declaration of a plan's shape in `convention.toml`: the first column's
/// label, then one `[[colonnes]]` table per column, each under a comment.
pub fn declaration(shape: &Shape) -> String {
    let mut out = String::from(DECLARATION_HELP);
    out.push_str(
        "\n# En-tête de la première colonne, celle des champs d'intervention\n[tableau]\n",
    );
    out.push_str(&format!(
        "premiere_colonne = {}\n",
        basic(&shape.first_column)
    ));
    let mut number = 1;
    for column in &shape.columns {
        let place = if column.shown {
            number += 1;
            format!("Colonne {number} du tableau")
        } else {
            "Hors du tableau".to_string()
        };
        let what = match column.kind {
            Kind::Text => "texte",
            Kind::Deadline => "échéance",
            Kind::Amount => "montant en euros",
            Kind::Number => "nombre entier",
        };
        let group = column.group.as_ref().map_or(String::new(), |g| {
            format!(", sous l'en-tête « {} »", comment_safe(g))
        });
        out.push_str(&format!(
            "\n# {place} : « {} » ({what}{group})\n[[colonnes]]\ncle = {}\nlibelle = {}\n",
            comment_safe(&column.label),
            basic(&column.key),
            basic(&column.label)
        ));
        if let Some(group) = &column.group {
            out.push_str(&format!("groupe = {}\n", basic(group)));
        }
        if column.kind != Kind::Text {
            out.push_str(&format!("type = {}\n", basic(column.kind.word())));
        }
        if !column.required {
            out.push_str("obligatoire = false\n");
        }
        if !column.shown {
            out.push_str("tableau = false\n");
        }
        if column.width != column.kind.default_width() {
            out.push_str(&format!("largeur = {}\n", column.width));
        }
        if let Some(description) = &column.description {
            out.push_str(&format!("description = {}\n", basic(description)));
        }
    }
    out
}

/// The name of an action's file, without `.toml`: its position on two digits,
/// then its id less the field's prefix (`07-nouvelle-action`), made unique.
fn file_stem(
    field_id: &str,
    id: &str,
    position: impl std::fmt::Display,
    taken: impl Fn(&str) -> bool,
) -> String {
    let rest = id.strip_prefix(&format!("{field_id}-")).unwrap_or(id);
    unique(&format!("{position:02}-{rest}"), taken)
}

fn non_empty(text: String, fallback: &str) -> String {
    if text.is_empty() {
        fallback.to_string()
    } else {
        text
    }
}

/// A TOML basic string (`"…"`, escaped by the toml crate).
pub fn basic(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML string for cell text: a multi-line literal string (`'''…'''`, where
/// backslashes need no doubling) when the text allows it, else a basic string.
pub fn multiline(text: &str) -> String {
    let literal_ok = !text.contains("'''")
        && text
            .chars()
            .all(|c| c == '\n' || c == '\t' || !c.is_control());
    if literal_ok {
        format!("'''\n{text}\n'''")
    } else {
        basic(text)
    }
}

/// Text for a `#` comment: one line.
fn comment_safe(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// ctg init

/// Creates a new project under `root`: a commented convention and one example
/// action.
pub fn init(root: &Path) -> Result<Outcome, Failure> {
    refuse_existing_data(root)?;
    let shape = Shape::reference();
    let convention = format!(
        "{}\n\n{}\n{STARTER_FIELDS}",
        STARTER_CONVENTION.trim_end(),
        declaration(&shape)
    );
    let action = action_text(
        &shape,
        &NewAction {
            id: "petite-enfance-exemple-action",
            field_id: "petite-enfance",
            field_label: "Petite Enfance",
            subsection: Some("structures"),
            subsections: &["structures"],
            position: 1,
            period: "2025-2029",
            title: Some("Création d'une micro-crèche de 12 places."),
        },
    );
    let files = vec![
        (PathBuf::from(CONVENTION_FILE), convention),
        (
            PathBuf::from(ACTIONS_DIR).join("petite-enfance/01-exemple-action.toml"),
            action,
        ),
    ];
    write_new_data(root, &files).map_err(|d| Failure(vec![d]))?;
    let mut outcome = Outcome {
        summary: vec![format!(
            "projet créé dans {} : data/convention.toml et une action d'exemple",
            root.display()
        )],
        success: true,
        ..Outcome::default()
    };
    check_written(root, &mut outcome);
    outcome.summary.push(
        "complétez data/convention.toml, puis ajoutez les actions avec `ctg new action --champ <id>`"
            .into(),
    );
    Ok(outcome)
}

const STARTER_CONVENTION: &str = r#"# Convention Territoriale Globale : ce qui n'est pas une action.
# Chaque valeur entre guillemets est à remplacer ; les lignes qui commencent
# par # sont des commentaires.

# Les trois lignes du titre de l'annexe
titre = "Convention Territoriale Globale"
parties = "Caf de … / Communauté de communes de …"
intitule = "PLAN D'ACTIONS 2025 - 2029"
# Titre du tableau
legende = "Plan d'actions 2025-2029 - Moyens mobilisés par chaque signataire dans le cadre des objectifs partagés"
# Années couvertes : chaque échéance d'action doit y tenir
periode = "2025-2029"
# Version du plan, imprimée en pied de page (facultatif)
version = "1.0"
# Date de cette édition : date de création du PDF, exigée par la norme
# d'archivage PDF/A (format année-mois-jour, sans guillemets)
date = 2025-06-30

"#;

/// The rest of a new convention: fields, notes, signatories.
const STARTER_FIELDS: &str = r##"# Champs d'intervention, dans l'ordre du tableau. `id` : minuscules, chiffres et
# tirets ; c'est aussi le nom du dossier de ses actions dans data/actions/.
[[champs]]
id = "petite-enfance"
libelle = "Petite Enfance"
# Sous-sections du champ (facultatif) : une ligne grisée dans le tableau
sous_sections = [
  { id = "structures", libelle = "Structures petite enfance" },
]

[[champs]]
id = "jeunesse"
libelle = "Jeunesse"
# Renvoi vers une note de bas de tableau (facultatif)
note = "competence-jeunesse"

# Notes de bas de tableau : la marque suit le libellé du champ qui y renvoie
[[notes]]
id = "competence-jeunesse"
marque = "*"
texte = '''
Texte de la note, en Markdown.
'''

# Couleurs des documents (facultatif) : fond des en-têtes des tableaux, couleur du
# titre ; un contraste d'au moins 4,5:1 avec le texte est exigé
# [couleurs]
# entetes = "#d9e2f3"
# titre = "#0a4a8f"

# Signataires : une table par institution ; `sigle`, `qualite` et `nom` sont facultatifs,
# comme `logo` (un fichier SVG, PNG ou JPEG du projet) et son texte de remplacement
# `logo_alt` (par défaut « Logo de » suivi de l'institution)
[[signataires]]
institution = "Caisse d'allocations familiales de …"
sigle = "Caf"
# logo = "logos/caf.svg"

[[signataires]]
institution = "Communauté de communes de …"

# Classeurs du suivi annuel (`ctg suivi export ANNÉE`), facultatif : la note en
# tête de chaque classeur dit aux partenaires quoi remplir et à qui le renvoyer.
# [suivi]
# consigne = "…"   # remplace la consigne écrite par défaut
# retour = "la coordination CTG de la communauté de communes, avant le 31 janvier"

# Avenants (facultatif) : chacun donne `out/avenant-N.pdf`, `.html` et `.docx`, avec ce qui a
# changé depuis la version du plan qu'il modifie (étiquette git, commit, ou dossier)
# [[avenants]]
# numero = 1
# date = 2025-03-15
# depuis = "v1.0"
# objet = "La convention est modifiée et complétée dans les conditions fixées ci-après."
"##;

// ---------------------------------------------------------------------------
// ctg new action

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
struct NewAction<'a> {
    id: &'a str,
    field_id: &'a str,
    field_label: &'a str,
    subsection: Option<&'a str>,
    /// The field's sub-sections, offered in a comment.
    subsections: &'a [&'a str],
    position: i64,
    period: &'a str,
    /// Written in the first text column, after « ► ».
    title: Option<&'a str>,
}

/// A new action file: every key, each under a French comment; cells hold
/// [`PLACEHOLDER`] (the title, when given, in the column that names actions),
/// the échéance the convention's period.
fn action_text(shape: &Shape, new: &NewAction) -> String {
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
            Kind::Text => {
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
            Kind::Deadline => {
                let first_year = new.period.get(..4).unwrap_or("2025");
                text.push_str(&format!(
                    "\n# {place}{optional} : une année (\"{first_year}\") ou une période comprise dans celle de la convention, {}\n{} = {}\n",
                    new.period,
                    column.key,
                    basic(new.period)
                ));
            }
            Kind::Amount | Kind::Number => {
                let what = if column.kind == Kind::Amount {
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

// ---------------------------------------------------------------------------
// ctg templates export

/// Writes every built-in template into `root/templates/`, where it overrides the
/// built-in one. Existing files are kept unless `force`.
pub fn export_templates(root: &Path, force: bool) -> Result<Outcome, Failure> {
    if !root.is_dir() {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "dossier du projet introuvable : `{}`",
                root.display()
            ))
            .hint("vérifiez le chemin donné à `--root`"),
        ]));
    }
    let dir = root.join("templates");
    let existing: Vec<&str> = BUILTIN
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).exists())
        .collect();
    if !existing.is_empty() && !force {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "gabarit(s) déjà présent(s) dans {} : {}",
                dir.display(),
                existing.join(", ")
            ))
            .hint("ctg ne remplace pas vos gabarits : ajoutez `--force` pour les écraser par ceux du programme (vos modifications seraient perdues)"),
        ]));
    }
    let files: Vec<(&str, &[u8])> = BUILTIN.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let written = crate::write::folder::write_all(&dir, &files).map_err(|d| Failure(vec![d]))?;
    let mut summary: Vec<String> = written
        .iter()
        .map(|p| format!("écrit {}", p.strip_prefix(root).unwrap_or(p).display()))
        .collect();
    summary.push(
        "ces fichiers remplacent désormais les gabarits intégrés : supprimez ceux que vous ne modifiez pas pour profiter des mises à jour de ctg"
            .into(),
    );
    Ok(Outcome {
        summary,
        success: true,
        ..Outcome::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_as_written() {
        for text in [
            "simple",
            "guillemets \" et \\ barre",
            "trois ''' apostrophes",
            "ligne\nsuivante",
            "contrôle \u{7}",
        ] {
            let doc = format!("a = {}\nb = {}\n", basic(text), multiline(text));
            let table: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(table["a"].as_str(), Some(text), "{doc}");
            assert_eq!(table["b"].as_str().map(str::trim_end), Some(text), "{doc}");
        }
        assert_eq!(multiline("a\\b"), "'''\na\\b\n'''");
    }
}
