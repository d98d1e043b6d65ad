//! Reading and checking the follow-up of each year (`data/suivi/<année>.toml`)
//! and the review's texts (`data/bilans/<année>/*.md`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::Plan;
use crate::read::source::Source;
use crate::read::{closest, parse_source};
use crate::text::check::{TextKind, check};

use crate::model::follow_up::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawYear {
    #[serde(default)]
    actions: BTreeMap<Spanned<String>, RawFollowUp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFollowUp {
    etat: Spanned<String>,
    #[serde(default)]
    avancement: Option<Spanned<i64>>,
    #[serde(default)]
    commentaire: Option<Spanned<String>>,
    #[serde(default)]
    indicateurs: Vec<RawIndicator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndicator {
    nom: Spanned<String>,
    valeur: Number,
    #[serde(default)]
    unite: Option<Spanned<String>>,
    #[serde(default)]
    reference: Option<Number>,
    #[serde(default)]
    cible: Option<Number>,
}

/// 12 or 12.5: officers write either.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
pub(crate) enum Number {
    Integer(i64),
    Float(f64),
}

impl Number {
    fn get(self) -> f64 {
        match self {
            // Indicator values are small counts and measures: exact in an f64.
            Number::Integer(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// Reads and checks every year of follow-up of `plan`.
pub fn load(root: &Path, plan: &Plan, diags: &mut Vec<Diagnostic>) -> FollowUps {
    load_from(&Source::folder(root), plan, diags)
}

/// Reads and checks every year of follow-up of `plan` in one version of the
/// project, a folder or a git revision.
pub fn load_from(source: &Source, plan: &Plan, diags: &mut Vec<Diagnostic>) -> FollowUps {
    let mut follow_ups = FollowUps::default();
    for (name, file) in year_files(source, diags) {
        let Some(year) = year_of_file(&file, Path::new(&name), plan, diags) else {
            continue;
        };
        let Some(actions) = parse_year(file, year, plan, diags) else {
            continue;
        };
        follow_ups.years.insert(
            year,
            Year {
                year,
                actions,
                texts: Texts::default(),
            },
        );
    }
    load_texts(source, plan, &mut follow_ups, diags);
    // A review without introduction opens on its title and its summary: the
    // officer learns where its texts go.
    for (year, entry) in &follow_ups.years {
        if entry.texts.introduction.is_none() {
            diags.push(
                Diagnostic::warning(format!("le bilan {year} n'a pas d'introduction"))
                    .hint(format!(
                        "écrivez-la en Markdown dans `{TEXTS_DIR}/{year}/introduction.md` ; les conclusions vont dans `conclusions.md` du même dossier, le texte d'un champ d'intervention dans `champs/<identifiant du champ>.md`"
                    )),
            );
        }
    }
    follow_ups
}

/// The follow-up files of the project, `data/suivi/*.toml`, by name, read; any
/// other file there is left out with a warning.
pub(crate) fn year_files(
    source: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, SourceFile)> {
    if !source.is_dir(FOLLOW_UP_DIR) {
        return Vec::new();
    }
    let mut files = Vec::new();
    for name in source.files(FOLLOW_UP_DIR, 1, diags) {
        if Path::new(&name).extension().is_none_or(|e| e != "toml") {
            diags.push(
                Diagnostic::warning(format!(
                    "fichier ignoré : `{name}` n'est pas un fichier `.toml`"
                ))
                .hint("le suivi d'une année s'écrit dans `data/suivi/<année>.toml`"),
            );
            continue;
        }
        match source.read_text(&name) {
            Ok(file) => files.push((name, file)),
            Err(d) => diags.push(d),
        }
    }
    files
}

/// Parses and checks the follow-up of `year` of `plan`, written in `file`: each
/// action's state, progress, comment and indicators, by action id. `None` when
/// the file cannot be read as follow-up at all.
pub fn parse_year(
    file: SourceFile,
    year: u16,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, FollowUp>> {
    let raw = parse_source::<RawYear>(file, diags)?;
    let actions = validate_year(&raw.file, raw.value, year, plan, diags);
    crate::read::forget_stand_ins(diags);
    Some(actions)
}

/// The year a follow-up file is for, from its name: `2025.toml`.
pub(crate) fn year_of_file(
    file: &SourceFile,
    path: &Path,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> Option<u16> {
    let period = plan.convention.period;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let year = stem.parse::<u16>().ok().filter(|_| stem.len() == 4);
    match year {
        Some(y) if period.contains(y) => Some(y),
        Some(y) => {
            diags.push(
                Diagnostic::error(format!("année de suivi hors de la période de la convention : {y}"))
                    .in_file(file)
                    .hint(format!(
                        "la convention couvre {}-{} : renommez le fichier `data/suivi/<année>.toml` avec une année de cette période",
                        period.start, period.end
                    )),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::error(format!("nom de fichier de suivi invalide : `{stem}.toml`"))
                    .in_file(file)
                    .hint("un fichier de suivi porte le nom de son année, par exemple `data/suivi/2025.toml`"),
            );
            None
        }
    }
}

pub(crate) fn validate_year(
    file: &SourceFile,
    raw: RawYear,
    year: u16,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, FollowUp> {
    let known: Vec<&str> = plan.actions.iter().map(|a| a.id.as_str()).collect();
    let mut actions = BTreeMap::new();
    // Actions that have a table in the file, even one with errors.
    let mut written = std::collections::BTreeSet::new();
    for (id, raw) in raw.actions {
        let span = id.span();
        let id = id.into_inner();
        written.insert(id.clone());
        if !known.contains(&id.as_str()) {
            diags.push(
                Diagnostic::error(format!("action inconnue : `{id}`"))
                    .at(file, span)
                    .label("aucune action n'a cet identifiant")
                    .hint(unknown_action_hint(&id, plan)),
            );
        }
        if let Some(follow_up) = follow_up_of(file, raw, diags) {
            actions.insert(id, follow_up);
        }
    }
    // An action whose period starts after the year has nothing to report yet.
    for action in &plan.actions {
        if !written.contains(&action.id) && !action.deadline.is_upcoming(year) {
            diags.push(
                Diagnostic::warning(format!("aucun suivi {year} pour l'action `{}`", action.id))
                    .in_file(file)
                    .hint(format!(
                        "ajoutez une table `[actions.{}]` avec son `etat`",
                        action.id
                    )),
            );
        }
    }
    actions
}

/// One action's follow-up, each of its values checked: the state, the
/// progress, the indicators and the comment. `None` when any is wrong.
pub(crate) fn follow_up_of(
    file: &SourceFile,
    raw: RawFollowUp,
    diags: &mut Vec<Diagnostic>,
) -> Option<FollowUp> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let state_span = raw.etat.span();
    let state_text = raw.etat.into_inner();
    let state = State::parse(&state_text);
    if state.is_none() {
        let list = State::list(("\"", "\""));
        let hint = match State::closest(&state_text) {
            Some(best) => format!("vouliez-vous dire \"{best}\" ? États possibles : {list}"),
            None => format!("états possibles : {list}"),
        };
        diags.push(
            Diagnostic::error(format!("état inconnu : \"{state_text}\""))
                .at(file, state_span)
                .label("état hors de la liste")
                .hint(hint),
        );
    }
    let progress = raw.avancement.and_then(|p| {
        let checked = progress(*p.get_ref());
        if checked.is_none() {
            diags.push(
                Diagnostic::error(format!("avancement hors limites : {}", p.get_ref()))
                    .at(file, p.span())
                    .label("entre 0 et 100")
                    .hint(PROGRESS_HINT),
            );
        }
        checked
    });
    let mut indicators = Vec::new();
    for i in raw.indicateurs {
        let name = TextKind::label("indicateurs.nom")
            .required("donnez un nom à l'indicateur, par exemple `nom = \"Places d'accueil\"`");
        let unit = TextKind::optional("indicateurs.unite");
        let named = check(file, i.nom.span(), i.nom.get_ref(), name, diags);
        let unit_ok = i
            .unite
            .as_ref()
            .is_none_or(|u| check(file, u.span(), u.get_ref(), unit, diags));
        if !(named && unit_ok) {
            continue;
        }
        indicators.push(Indicator {
            name: i.nom.into_inner().trim().to_string(),
            value: i.valeur.get(),
            unit: i
                .unite
                .map(|u| u.into_inner().trim().to_string())
                .filter(|u| !u.is_empty()),
            baseline: i.reference.map(Number::get),
            target: i.cible.map(Number::get),
        });
    }
    let comment = raw
        .commentaire
        .map(|c| {
            check(
                file,
                c.span(),
                c.get_ref(),
                TextKind::markdown("commentaire"),
                diags,
            );
            c.into_inner().trim().to_string()
        })
        .filter(|c| !c.is_empty());
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    if errors_after > errors_before {
        return None;
    }
    Some(FollowUp {
        state: state?,
        progress,
        comment,
        indicators,
    })
}

/// Checks the follow-up files of a project whose plan has errors, for what
/// they say of themselves (syntax, types, states, progress, texts): one run
/// reports the mistakes of the plan and of its follow-up together. What needs
/// the plan (its actions, its period) waits until the plan is valid.
pub fn check_without_plan(source: &Source, diags: &mut Vec<Diagnostic>) {
    // What cannot be read is said by the run that has a valid plan.
    let mut quiet = Vec::new();
    for (_, file) in year_files(source, &mut quiet) {
        let Some(raw) = parse_source::<RawYear>(file, diags) else {
            continue;
        };
        for (_, action) in raw.value.actions {
            follow_up_of(&raw.file, action, diags);
        }
    }
    crate::read::forget_stand_ins(diags);
}

/// Reads `data/bilans/<année>/` for each year with follow-up data.
pub(crate) fn load_texts(
    source: &Source,
    plan: &Plan,
    follow_ups: &mut FollowUps,
    diags: &mut Vec<Diagnostic>,
) {
    if !source.is_dir(TEXTS_DIR) {
        return;
    }
    let years: Vec<String> = source
        .entries(TEXTS_DIR)
        .into_iter()
        .filter(|(_, is_file)| !is_file)
        .map(|(name, _)| name)
        .collect();
    for year_name in years {
        let year_dir = format!("{TEXTS_DIR}/{year_name}");
        let shown = year_dir.clone();
        let year = year_name.parse::<u16>().ok();
        let Some(entry) = year.and_then(|y| follow_ups.years.get_mut(&y)) else {
            diags.push(
                Diagnostic::warning(format!("textes ignorés : `{shown}/` n'a pas de fichier de suivi"))
                    .hint("un bilan est produit pour chaque année qui a un fichier `data/suivi/<année>.toml`"),
            );
            continue;
        };
        // Each text is checked as any text of the documents, in its own file.
        let read = |name: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
            let path = format!("{year_dir}/{name}");
            if !source.exists(&path) {
                return None;
            }
            match source.read_text(&path) {
                Ok(file) => {
                    let all = 0..file.text.len();
                    check(&file, all, &file.text, TextKind::markdown(name), diags);
                    Some(file.text.trim().to_string())
                }
                Err(d) => {
                    diags.push(d);
                    None
                }
            }
        };
        entry.texts.introduction = read("introduction.md", diags);
        entry.texts.conclusions = read("conclusions.md", diags);
        let fields_dir = format!("{year_dir}/champs");
        if source.is_dir(&fields_dir) {
            let known: Vec<&str> = plan
                .convention
                .fields
                .iter()
                .map(|f| f.id.as_str())
                .collect();
            for name in source.files(&fields_dir, 1, diags) {
                let path = Path::new(&name);
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !known.contains(&stem.as_str()) || path.extension().is_none_or(|e| e != "md") {
                    let hint = match closest(&stem, &known) {
                        Some(best) => format!("vouliez-vous dire `{best}.md` ?"),
                        None => format!(
                            "un fichier par champ : {}",
                            known
                                .iter()
                                .map(|k| format!("`{k}.md`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    diags.push(
                        Diagnostic::error(format!("texte de champ inconnu : `{name}`")).hint(hint),
                    );
                    continue;
                }
                if let Some(text) = read(&format!("champs/{stem}.md"), diags) {
                    entry.texts.fields.insert(stem, text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_for_a_state_suggest_it() {
        for (typed, state) in [
            ("Terminé", State::Done),
            ("fini", State::Done),
            ("achevée", State::Done),
            ("annulé", State::Abandoned),
            ("décalé", State::Postponed),
            ("à faire", State::NotStarted),
            ("démarré", State::InProgress),
            // A typo still finds the closest label.
            ("en court", State::InProgress),
            ("realise", State::Done),
        ] {
            assert_eq!(State::closest(typed), Some(state), "{typed}");
        }
        assert_eq!(State::closest("peut-être"), None);
    }
}
