//! The model: the plan as every later stage sees it, made only by
//! [`crate::validate`] from the records read by [`crate::read`]. Its types
//! hold what was written right; where each value came from stays with the
//! diagnostics.

pub mod fingerprint;
pub mod follow_up;
pub mod shape;
pub mod title;

use std::fmt;

use crate::diag::SourceFile;
use crate::model::shape::Shape;

/// A validated plan: the convention and its actions in document order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub convention: Convention,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone)]
pub struct Convention {
    pub title: String,
    pub parties: String,
    pub heading: String,
    pub caption: String,
    pub period: YearRange,
    pub version: Option<String>,
    /// The columns of the table and the fields of an action.
    pub shape: Shape,
    pub fields: Vec<Field>,
    pub notes: Vec<Note>,
    pub signatories: Vec<Signatory>,
    /// The intercommunality and the Caf by full name, for the open data.
    pub collectivity: String,
    pub caf: String,
    /// Date of this edition: the PDF's creation date.
    pub date: Option<Date>,
    pub document: DocumentInfo,
    pub annex: Option<Annex>,
    pub signature: SignaturePlace,
    pub sheets: Sheets,
    /// The note of the follow-up workbooks.
    pub workbook_note: WorkbookNote,
    /// The colours of every document's title and tables' header cells.
    pub colours: Colours,
    /// The amendments ("avenants"), by number.
    pub amendments: Vec<Amendment>,
}

/// An amendment ("avenant") of the convention: its number, date and object,
/// and the versions of the plan it goes from and to, as written (a project
/// folder or a git revision), resolved when its document is built.
#[derive(Debug, Clone)]
pub struct Amendment {
    pub number: u32,
    pub date: Date,
    /// Markdown.
    pub object: String,
    pub since: VersionRef,
    /// `None`: the next amendment's `since`, else the project's own files.
    pub until: Option<VersionRef>,
}

/// A version of the plan named in the convention, with its place there for
/// the diagnostics of resolving it.
#[derive(Debug, Clone)]
pub struct VersionRef {
    pub spec: String,
    pub file: SourceFile,
    pub span: std::ops::Range<usize>,
}

/// The documents' colours, each `[r, g, b]`, readable on what they meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colours {
    /// The fill of the tables' header cells, behind [`Colours::TEXT`].
    pub header_fill: [u8; 3],
    /// The colour of the title block's title, on white.
    pub title: [u8; 3],
}

impl Colours {
    /// The documents' text colour.
    pub const TEXT: [u8; 3] = [0x1a, 0x1a, 0x1a];
    /// The page's background.
    pub const PAGE: [u8; 3] = [0xff, 0xff, 0xff];
    /// Lowest contrast of a text on its background (WCAG 2, level AA).
    pub const MINIMUM_CONTRAST: f64 = 4.5;
}

impl Default for Colours {
    fn default() -> Self {
        Self {
            header_fill: [0xd9, 0xe2, 0xf3],
            title: Self::TEXT,
        }
    }
}

/// The action sheets ("fiches actions"), one per action: whether they are
/// built, and which column titles them.
#[derive(Debug, Clone)]
pub struct Sheets {
    pub publish: bool,
    /// Index in the shape of the text column that titles each sheet; `None`:
    /// the first sentence of the action's description.
    pub title: Option<usize>,
    /// How a sheet names its field (« Axe : … »); `None`: the first column's
    /// label in the singular.
    pub field_label: Option<String>,
}

impl Sheets {
    /// The name of the sheets' index page (`actions/index.html`), which no
    /// action can take as its id.
    pub const INDEX: &str = "index";
}

/// What the follow-up workbooks (`ctg suivi export`) say to the partners at
/// their top: what to fill in, and whom to send them back to.
#[derive(Debug, Clone, Default)]
pub struct WorkbookNote {
    pub instructions: Option<String>,
    pub send_to: Option<String>,
}

/// PDF metadata.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
}

/// The annex number and title, shown on every page ("Annexe 2 – Plan d'actions").
#[derive(Debug, Clone)]
pub struct Annex {
    pub number: Option<String>,
    pub title: String,
}

impl fmt::Display for Annex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.number {
            Some(n) => write!(f, "Annexe {n} – {}", self.title),
            None => write!(f, "Annexe – {}", self.title),
        }
    }
}

/// "Fait à …, le …": both may be left blank, to be written by hand.
#[derive(Debug, Clone, Default)]
pub struct SignaturePlace {
    pub place: Option<String>,
    pub date: Option<Date>,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date as written in French: "30 juin 2023", "1er mars 2024".
    pub fn french(&self) -> String {
        const MONTHS: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        let day = if self.day == 1 {
            "1er".to_string()
        } else {
            self.day.to_string()
        };
        format!(
            "{day} {} {}",
            MONTHS[usize::from(self.month - 1)],
            self.year
        )
    }
}

impl Convention {
    /// The declared field of intervention with this id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }
}

/// A field of intervention ("champ d'intervention").
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: String,
    /// Id of the note whose mark follows the label.
    pub note: Option<String>,
    pub subsections: Vec<SubSection>,
}

#[derive(Debug, Clone)]
pub struct SubSection {
    pub id: String,
    pub label: String,
}

/// A footnote of the plan: its mark (e.g. `*`) and its Markdown text.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub mark: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Signatory {
    pub institution: String,
    pub acronym: Option<String>,
    pub capacity: Option<String>,
    pub name: Option<String>,
    /// Its logo, checked, with its text alternative.
    pub logo: Option<crate::read::logos::Logo>,
}

/// One row of the plan.
#[derive(Debug, Clone)]
pub struct Action {
    pub id: String,
    /// The id this action had in an earlier version (`ancien_id`), so that a
    /// comparison of versions shows it as changed, not as removed and added.
    pub former_id: Option<String>,
    pub field: String,
    pub subsection: Option<String>,
    pub position: u32,
    /// One value per column of the convention's shape, in its order.
    pub values: Vec<Value>,
    /// The years the action runs: its échéance, or the convention's period
    /// when the shape has no échéance column or the action leaves it out.
    pub deadline: Deadline,
    /// What names the action in lists and titles: the Markdown of its first
    /// text column shown in the table (see [`Shape::title`]); its id without one.
    pub description: String,
    /// The action's file, relative to the project root.
    pub source: String,
}

impl Action {
    /// The value of column `key` of `shape`, if the shape has that column.
    pub fn value<'a>(&'a self, shape: &Shape, key: &str) -> Option<&'a Value> {
        shape.column(key).and_then(|(i, _)| self.values.get(i))
    }

    /// The Markdown of text column `key`, if the action has it.
    pub fn text<'a>(&'a self, shape: &Shape, key: &str) -> Option<&'a str> {
        match self.value(shape, key) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }
}

/// An action's value in one column, as its kind declares.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Markdown, trimmed.
    Text(String),
    Deadline(Deadline),
    Amount(Amount),
    Number(i64),
    /// An optional field that the action leaves out.
    Absent,
}

/// An amount in euros, to the cent, zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount {
    cents: i64,
}

impl Amount {
    /// Largest amount accepted: far beyond any budget, and exact in every output.
    pub const MAX_EUROS: i64 = 1_000_000_000_000;

    pub fn from_cents(cents: i64) -> Self {
        Self { cents }
    }

    pub fn cents(self) -> i64 {
        self.cents
    }

    /// The amount as printed: « 12 500 € », « 4 500,50 € ».
    pub fn french(self) -> String {
        crate::text::typography::french_amount(self.cents)
    }

    /// The amount written in a TOML file: euros, as a whole number or with
    /// at most two decimals.
    pub(crate) fn from_toml(value: &toml::Value) -> Result<Self, AmountError> {
        let cents = match value {
            toml::Value::Integer(i) => i.checked_mul(100).ok_or(AmountError::TooLarge)?,
            toml::Value::Float(f) if !f.is_finite() => return Err(AmountError::NotANumber),
            toml::Value::Float(f) => {
                let cents = (f * 100.0).round();
                if ((f * 100.0) - cents).abs() > 1e-6 {
                    return Err(AmountError::BelowCent);
                }
                if cents.abs() > (Self::MAX_EUROS * 100) as f64 {
                    return Err(AmountError::TooLarge);
                }
                cents as i64
            }
            _ => return Err(AmountError::NotANumber),
        };
        if cents < 0 {
            return Err(AmountError::Negative);
        }
        if cents > Self::MAX_EUROS * 100 {
            return Err(AmountError::TooLarge);
        }
        Ok(Self { cents })
    }
}

/// The amount as the open data writes it: "12500", "4500.50".
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (euros, cents) = (self.cents / 100, self.cents % 100);
        if cents == 0 {
            write!(f, "{euros}")
        } else {
            write!(f, "{euros}.{cents:02}")
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    NotANumber,
    Negative,
    BelowCent,
    TooLarge,
}

/// A year or an inclusive range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearRange {
    pub start: u16,
    pub end: u16,
}

impl YearRange {
    /// Parses "2024", "2023-2024", "2023 - 2027", "2023 -2027" or "2023–2027".
    pub fn parse(text: &str) -> Result<Self, YearRangeError> {
        let year = |s: &str| -> Result<u16, YearRangeError> {
            let s = s.trim();
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse()
                    .map_err(|_| YearRangeError::NotAYear(s.to_string()))
            } else {
                Err(YearRangeError::NotAYear(s.to_string()))
            }
        };
        let (start, end) = match text.split_once(['-', '–']) {
            Some((a, b)) => (year(a)?, year(b)?),
            None => {
                let y = year(text)?;
                (y, y)
            }
        };
        if start > end {
            return Err(YearRangeError::Reversed { start, end });
        }
        Ok(Self { start, end })
    }

    pub fn contains(&self, year: u16) -> bool {
        (self.start..=self.end).contains(&year)
    }

    pub fn within(&self, outer: &YearRange) -> bool {
        outer.start <= self.start && self.end <= outer.end
    }
}

impl fmt::Display for YearRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearRangeError {
    NotAYear(String),
    Reversed { start: u16, end: u16 },
}

/// An action's deadline: the years, and the text as the officer wrote it, which
/// is what the table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub years: YearRange,
    pub text: String,
}

impl Deadline {
    /// A period ("2026-2028") that starts after `year`: the action has not begun
    /// that year, and nobody can report on it. A single year is a deadline, by
    /// which the action may already be under way.
    pub fn is_upcoming(&self, year: u16) -> bool {
        self.years.start > year && self.years.start < self.years.end
    }
}
