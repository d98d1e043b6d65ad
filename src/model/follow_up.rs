//! The follow-up of each year (`data/suivi/<année>.toml`, `data/bilans/<année>/*.md`),
//! as [`crate::validate::follow_up`] makes it, and the figures of a year's
//! review ("bilan annuel") computed from the plan and that follow-up.
//!
//! Follow-up lives in one file per year, keyed by action id, rather than in the
//! action files: the signed plan's files never change after signature, and a
//! year's review is prepared at once by one person for every action.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{Action, Plan};
use crate::read::closest;

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
pub(crate) const SYNONYMS: &[(&[&str], State)] = &[
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
