//! The annual review ("bilan annuel"): stages 1 and 2 for the follow-up data of
//! each year (`data/suivi/<année>.toml`, `data/bilans/<année>/*.md`), and the
//! figures of a year's review computed from the plan and that data.
//!
//! Follow-up lives in one file per year, keyed by action id, rather than in the
//! action files: the signed plan's files never change after signature, and a
//! year's review is prepared at once by one person for every action.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::load::{closest, parse_source};
use crate::model::{Action, Plan};
use crate::source::Source;
use crate::text::check::{Kind, check};

/// Where the follow-up files live, relative to the project root.
pub const FOLLOW_UP_DIR: &str = "data/suivi";
/// Where the review texts live: `data/bilans/<année>/introduction.md`, …
pub const TEXTS_DIR: &str = "data/bilans";

/// The state of an action in a year: a closed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Done,
    InProgress,
    NotStarted,
    Postponed,
    Abandoned,
    Redirected,
}

impl State {
    /// Every state, in the order of summaries and charts.
    pub const ALL: [State; 6] = [
        State::Done,
        State::InProgress,
        State::NotStarted,
        State::Postponed,
        State::Abandoned,
        State::Redirected,
    ];

    /// The word written in the data and shown in the documents.
    pub fn label(self) -> &'static str {
        match self {
            State::Done => "réalisé",
            State::InProgress => "en cours",
            State::NotStarted => "non démarré",
            State::Postponed => "reporté",
            State::Abandoned => "abandonné",
            State::Redirected => "réorienté",
        }
    }

    /// Its place in [`State::ALL`].
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.label() == text.trim())
    }

    /// The same, whatever the case: a spreadsheet capitalises the first word
    /// of a cell as it is typed ("En cours").
    pub fn parse_any_case(text: &str) -> Option<Self> {
        let text = text.trim().to_lowercase();
        Self::ALL.into_iter().find(|s| s.label() == text)
    }

    /// The state that `text`, which is none, was probably meant to be: a
    /// common word for it (« terminé », « achevé », « annulé »…) or the
    /// label it is closest to.
    pub fn closest(text: &str) -> Option<Self> {
        let text = text.trim().to_lowercase();
        let bare = deunicode::deunicode(&text);
        let synonym = SYNONYMS
            .iter()
            .find(|(words, _)| words.iter().any(|w| *w == bare))
            .map(|(_, state)| *state);
        if synonym.is_some() {
            return synonym;
        }
        let labels = Self::ALL.map(State::label);
        let best = closest(&text, &labels)?;
        Self::parse(best)
    }

    /// The list of the states, for hints: `"réalisé", "en cours", …` with
    /// `quote` around each.
    pub fn list(quote: (&str, &str)) -> String {
        Self::ALL
            .iter()
            .map(|s| format!("{}{}{}", quote.0, s.label(), quote.1))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Closed: nothing more is expected of the action.
    pub fn is_closed(self) -> bool {
        matches!(self, State::Done | State::Abandoned)
    }
}

/// Words officers use for a state, written without accents (as they are
/// compared), with the state each means.
const SYNONYMS: &[(&[&str], State)] = &[
    (
        &[
            "termine", "terminee", "fini", "finie", "acheve", "achevee", "fait", "faite",
            "realisee", "clos", "close", "cloture", "cloturee", "accompli",
        ],
        State::Done,
    ),
    (
        &[
            "commence",
            "commencee",
            "demarre",
            "demarree",
            "en cours de realisation",
            "engage",
            "engagee",
            "lance",
            "lancee",
            "encours",
        ],
        State::InProgress,
    ),
    (
        &[
            "a faire",
            "a venir",
            "pas commence",
            "pas demarre",
            "non commence",
            "non demarree",
            "prevu",
            "prevue",
        ],
        State::NotStarted,
    ),
    (
        &[
            "decale",
            "decalee",
            "differe",
            "differee",
            "repousse",
            "repoussee",
            "reportee",
            "ajourne",
        ],
        State::Postponed,
    ),
    (
        &[
            "annule",
            "annulee",
            "arrete",
            "arretee",
            "abandonnee",
            "supprime",
            "supprimee",
        ],
        State::Abandoned,
    ),
    (
        &[
            "reoriente",
            "reorientee",
            "modifie",
            "modifiee",
            "redefini",
            "redefinie",
        ],
        State::Redirected,
    ),
];

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Written where an action has no follow-up for the year.
pub const NOT_REPORTED: &str = "non renseigné";
/// Written where an action's period starts after the year (see [`Standing::Upcoming`]).
pub const UPCOMING: &str = "à venir";

/// Where an action stands in a year's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Its follow-up for the year gives this state.
    Reported(State),
    /// No follow-up, and its period starts after the year: nothing was expected.
    Upcoming,
    /// No follow-up, though the action was expected to report.
    Missing,
}

impl Standing {
    /// The word shown in the review's tables and chart.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Reported(state) => state.label(),
            Standing::Upcoming => UPCOMING,
            Standing::Missing => NOT_REPORTED,
        }
    }

    pub fn state(self) -> Option<State> {
        match self {
            Standing::Reported(state) => Some(state),
            _ => None,
        }
    }
}

/// A measured indicator of an action in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub value: f64,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// What the steering committee says of one action in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub state: State,
    /// 0 to 100.
    pub progress: Option<u8>,
    /// Markdown.
    pub comment: Option<String>,
    pub indicators: Vec<Indicator>,
}

/// The free texts of a year's review, in Markdown.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub introduction: Option<String>,
    /// By field id.
    pub fields: BTreeMap<String, String>,
    pub conclusions: Option<String>,
}

/// A year of follow-up.
#[derive(Debug, Clone)]
pub struct Year {
    pub year: u16,
    /// By action id.
    pub actions: BTreeMap<String, FollowUp>,
    pub texts: Texts,
}

/// Every year with follow-up data, in order.
#[derive(Debug, Clone, Default)]
pub struct FollowUps {
    pub years: BTreeMap<u16, Year>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    #[serde(default)]
    actions: BTreeMap<Spanned<String>, RawFollowUp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
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
struct RawIndicator {
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
enum Number {
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

/// An action's progress, a percentage: `None` out of 0 to 100.
pub fn progress(value: i64) -> Option<u8> {
    u8::try_from(value).ok().filter(|p| *p <= 100)
}

/// What a progress is, for the hint of a wrong one.
pub const PROGRESS_HINT: &str = "l'avancement est un pourcentage, de 0 à 100, sans le signe %";

/// The hint for `id`, which is no action of `plan`: the closest id, if any.
pub fn unknown_action_hint(id: &str, plan: &Plan) -> String {
    let known: Vec<&str> = plan.actions.iter().map(|a| a.id.as_str()).collect();
    match closest(id, &known) {
        Some(best) => format!("vouliez-vous dire `{best}` ?"),
        None => "les identifiants sont ceux des fichiers de data/actions/ (clé `id`)".into(),
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
fn year_files(source: &Source, diags: &mut Vec<Diagnostic>) -> Vec<(String, SourceFile)> {
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
    crate::load::forget_stand_ins(diags);
    Some(actions)
}

/// The year a follow-up file is for, from its name: `2025.toml`.
fn year_of_file(
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

fn validate_year(
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
fn follow_up_of(
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
        let name = Kind::label("indicateurs.nom")
            .required("donnez un nom à l'indicateur, par exemple `nom = \"Places d'accueil\"`");
        let unit = Kind::optional("indicateurs.unite");
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
                Kind::markdown("commentaire"),
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
    crate::load::forget_stand_ins(diags);
}

/// Reads `data/bilans/<année>/` for each year with follow-up data.
fn load_texts(
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
                    check(&file, all, &file.text, Kind::markdown(name), diags);
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

/// Count of actions per state, in the order of [`State::ALL`], plus those
/// still to come and those without follow-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_state: [usize; 6],
    pub upcoming: usize,
    pub missing: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.by_state.iter().sum::<usize>() + self.upcoming + self.missing
    }

    /// How many actions stand so.
    pub fn of(&self, standing: Standing) -> usize {
        match standing {
            Standing::Reported(s) => self.by_state[s.index()],
            Standing::Upcoming => self.upcoming,
            Standing::Missing => self.missing,
        }
    }

    fn add(&mut self, standing: Standing) {
        match standing {
            Standing::Reported(s) => self.by_state[s.index()] += 1,
            Standing::Upcoming => self.upcoming += 1,
            Standing::Missing => self.missing += 1,
        }
    }
}

/// A year's review: the plan seen through that year's follow-up.
pub struct Review<'a> {
    pub plan: &'a Plan,
    pub year: &'a Year,
    pub previous: Option<&'a Year>,
}

impl<'a> Review<'a> {
    pub fn new(plan: &'a Plan, follow_ups: &'a FollowUps, year: u16) -> Option<Self> {
        let current = follow_ups.years.get(&year)?;
        let previous = follow_ups.years.get(&(year - 1));
        Some(Self {
            plan,
            year: current,
            previous,
        })
    }

    pub fn follow_up(&self, action: &Action) -> Option<&'a FollowUp> {
        self.year.actions.get(&action.id)
    }

    pub fn state(&self, action: &Action) -> Option<State> {
        self.follow_up(action).map(|f| f.state)
    }

    /// The action's state this year; without follow-up, whether any was due.
    pub fn standing(&self, action: &Action) -> Standing {
        match self.state(action) {
            Some(state) => Standing::Reported(state),
            None if action.deadline.is_upcoming(self.year.year) => Standing::Upcoming,
            None => Standing::Missing,
        }
    }

    /// Counts per field, in the convention's order, and the totals.
    pub fn summary(&self) -> (Vec<(&'a str, Counts)>, Counts) {
        let mut total = Counts::default();
        let rows = self
            .plan
            .convention
            .fields
            .iter()
            .map(|field| {
                let mut counts = Counts::default();
                for action in self.plan.actions.iter().filter(|a| a.field == field.id) {
                    counts.add(self.standing(action));
                    total.add(self.standing(action));
                }
                (field.label.as_str(), counts)
            })
            .filter(|(_, c)| c.total() > 0)
            .collect();
        (rows, total)
    }

    /// Actions due in the year: their deadline is that year, or a period that
    /// ends that year. An action of « 2025-2027 » is under way in 2025, not
    /// due: a steering committee reads this list as what had to be done.
    pub fn due(&self) -> Vec<&'a Action> {
        let y = self.year.year;
        self.plan
            .actions
            .iter()
            .filter(|a| a.deadline.years.end == y)
            .collect()
    }

    /// Actions whose deadline ended before the year and that are neither done nor
    /// abandoned (nor followed up at all).
    pub fn overdue(&self) -> Vec<&'a Action> {
        let y = self.year.year;
        self.plan
            .actions
            .iter()
            .filter(|a| a.deadline.years.end < y && !self.state(a).is_some_and(State::is_closed))
            .collect()
    }

    /// Actions whose state differs from the previous year's, with both states.
    pub fn changed(&self) -> Vec<(&'a Action, State, State)> {
        let Some(previous) = self.previous else {
            return Vec::new();
        };
        self.plan
            .actions
            .iter()
            .filter_map(|a| {
                let before = previous.actions.get(&a.id)?.state;
                let now = self.year.actions.get(&a.id)?.state;
                (before != now).then_some((a, before, now))
            })
            .collect()
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
