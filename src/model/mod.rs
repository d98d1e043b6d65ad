//! Stage 2 (validate): the plan as the rest of the pipeline sees it. Raw records
//! from `load` become these types only through [`validate`], which reports every
//! problem with its file, place and a hint.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::load::{
    RawAction, RawAnnexNumber, RawConvention, RawDocumentInfo, RawProject, closest, missing_keys,
    unknown_key, wrong_type,
};
use crate::shape::{Kind, Shape};
use crate::text::check;

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
    pub logo: Option<crate::logos::Logo>,
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

    /// The amount written in a TOML file: euros, as a whole number or with
    /// at most two decimals.
    fn from_toml(value: &toml::Value) -> Result<Self, AmountError> {
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
enum AmountError {
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

/// Checks the raw project and builds the plan. Every problem is pushed to
/// `diags`; `None` when any of them is an error.
pub fn validate(raw: RawProject, diags: &mut Vec<Diagnostic>) -> Option<Plan> {
    let plan = validate_project(raw, diags);
    crate::load::forget_stand_ins(diags);
    plan
}

fn validate_project(raw: RawProject, diags: &mut Vec<Diagnostic>) -> Option<Plan> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut untyped = Vec::new();
    let (shape, convention) = match raw.convention {
        Some(mut c) => {
            untyped = crate::shape::untyped_columns(c.value.colonnes.as_ref());
            let shape = Some(Shape::declared(
                &c.file,
                c.value.colonnes.take(),
                c.value.tableau.take(),
                diags,
            ));
            let convention =
                validate_convention(&c.file, c.value, shape.clone(), &raw.logos, diags);
            (shape, convention)
        }
        None => (None, None),
    };
    // Actions are checked even when the convention is not valid, so that one run
    // reports every problem; what depends on the convention (or on its declared
    // columns) is then skipped.
    let mut actions = Vec::new();
    let mut claims = Claims::default();
    for loaded in raw.actions {
        let file = loaded.file;
        let Some((action, spans)) = validate_action(
            &file,
            loaded.value,
            shape.as_ref(),
            &untyped,
            convention.as_ref(),
            diags,
        ) else {
            continue;
        };
        claims.check(&file, &action, spans, convention.as_ref(), diags);
        actions.push(action);
    }
    check_former_ids(&claims.former_ids, &claims.ids, diags);
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    let convention = convention?;
    if errors_after > errors_before {
        return None;
    }
    sort_in_document_order(&mut actions, &convention);
    Some(Plan {
        convention,
        actions,
    })
}

/// What each action claims for itself and no other may: its id, its former id
/// and its position in its field, with whose they already are.
#[derive(Default)]
struct Claims {
    /// Each former id, with where it is written.
    former_ids: Vec<(String, SourceFile, Range<usize>)>,
    /// Each id, with the file of the action that has it.
    ids: HashMap<String, String>,
    /// Each field's positions, with the file of the action that has it.
    positions: HashMap<(String, u32), String>,
}

impl Claims {
    /// Checks the claims of `action` (written in `file`, at `spans`) against
    /// those of the actions before it, and records them. The former ids are
    /// checked once every id is known ([`check_former_ids`]).
    fn check(
        &mut self,
        file: &SourceFile,
        action: &Action,
        spans: ActionSpans,
        convention: Option<&Convention>,
        diags: &mut Vec<Diagnostic>,
    ) {
        if let Some(first) = self.ids.get(&action.id) {
            diags.push(
                Diagnostic::error(format!("identifiant `{}` déjà utilisé", action.id))
                    .at(file, spans.id.clone())
                    .label("identifiant en double")
                    .hint(format!(
                        "chaque action a son propre identifiant ; `{}` est déjà celui de `{first}`",
                        action.id
                    )),
            );
        } else {
            self.ids.insert(action.id.clone(), file.name.clone());
        }
        // Each action's sheet is `actions/<id>.html`, beside their index.
        let index_page = Sheets::INDEX;
        if action.id == index_page && convention.is_none_or(|c| c.sheets.publish) {
            diags.push(
                Diagnostic::error(format!("identifiant réservé : `{index_page}`"))
                    .at(file, spans.id.clone())
                    .label("nom du sommaire des fiches actions")
                    .hint(format!(
                        "la page `actions/{index_page}.html` est le sommaire des fiches : donnez à cette action un autre identifiant, par exemple `{}-{index_page}`",
                        action.field
                    )),
            );
        }
        if let Some(former) = &action.former_id {
            self.former_ids
                .push((former.clone(), file.clone(), spans.former_id.clone()));
        }
        let key = (action.field.clone(), action.position);
        if let Some(other) = self.positions.get(&key) {
            diags.push(
                Diagnostic::error(format!(
                    "position {} déjà prise dans le champ `{}`",
                    action.position, action.field
                ))
                .at(file, spans.position)
                .label("position en double")
                .hint(format!(
                    "`{other}` a déjà la position {} : donnez à chaque action de ce champ un rang différent",
                    action.position
                )),
            );
        } else {
            self.positions.insert(key, action.source.clone());
        }
    }
}

/// Sorts the actions as the documents show them: by field in the order the
/// convention declares them, then by subsection (those without one first),
/// then by position.
fn sort_in_document_order(actions: &mut [Action], convention: &Convention) {
    let order: BTreeMap<&str, (usize, &Field)> = convention
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), (i, f)))
        .collect();
    let rank = |a: &Action| {
        let (field_index, field) = order[a.field.as_str()];
        let sub_index = a
            .subsection
            .as_ref()
            .and_then(|s| field.subsections.iter().position(|x| &x.id == s))
            .map_or(0, |i| i + 1);
        (field_index, sub_index, a.position)
    };
    actions.sort_by_key(rank);
}

/// `ancien_id` names the id an action had before: never an id that an action
/// of the plan has now (its own, or another's), and never two actions' former
/// id, or the comparison of versions could not tell which action it was.
fn check_former_ids(
    former_ids: &[(String, SourceFile, Range<usize>)],
    ids: &HashMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (former, file, span) in former_ids {
        if let Some(holder) = ids.get(former) {
            let hint = if holder == &file.name {
                "`ancien_id` donne l'identifiant que l'action avait avant d'être renommée : retirez cette ligne si l'identifiant n'a pas changé".to_string()
            } else {
                format!(
                    "`{former}` est l'identifiant actuel de `{holder}` : une action ne peut pas reprendre l'identifiant d'une action toujours présente"
                )
            };
            diags.push(
                Diagnostic::error(format!(
                    "ancien identifiant `{former}` encore utilisé dans le plan"
                ))
                .at(file, span.clone())
                .label("identifiant actuel d'une action")
                .hint(hint),
            );
        } else if let Some(first) = seen.get(former.as_str()) {
            diags.push(
                Diagnostic::error(format!("ancien identifiant `{former}` déjà revendiqué"))
                    .at(file, span.clone())
                    .label("ancien identifiant en double")
                    .hint(format!(
                        "`{first}` donne déjà `{former}` comme ancien identifiant : une action renommée n'a qu'une héritière"
                    )),
            );
        } else {
            seen.insert(former, &file.name);
        }
    }
}

/// A required cell text (Markdown), checked as every text of the documents.
fn cell(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let value = value.into_inner();
    check::check(file, span, &value, check::Kind::cell(key), diags);
    value.trim().to_string()
}

/// A required text shown as written: a title, a label.
fn text(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let value = value.into_inner();
    check::check(file, span, &value, check::Kind::label(key), diags);
    value.trim().to_string()
}

/// An optional text shown in the documents (a signatory's name, the place of
/// signature): checked, and `None` when blank.
fn shown(
    file: &SourceFile,
    value: Option<Spanned<String>>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
    check::check(
        file,
        value.span(),
        value.get_ref(),
        check::Kind::optional(key),
        diags,
    );
    optional(Some(value))
}

/// An optional text of the PDF's metadata, which no font prints: `None` when blank.
fn optional(value: Option<Spanned<String>>) -> Option<String> {
    value
        .map(|v| v.into_inner().trim().to_string())
        .filter(|v| !v.is_empty())
}

/// An identifier as ids are written: lowercase ASCII letters, digits and inner dashes.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fn slug(
    file: &SourceFile,
    value: Spanned<String>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = value.span();
    let id = value.into_inner();
    if !is_slug(&id) {
        diags.push(
            Diagnostic::error(format!("identifiant {what} invalide : `{id}`"))
                .at(file, span)
                .label("identifiant invalide")
                .hint("un identifiant s'écrit en minuscules sans accents, chiffres et tirets, ex. `petite-enfance`"),
        );
    }
    id
}

/// Checks the convention; `shape` is its declared columns, already checked.
/// Its errors are pushed to `diags`, and the convention is made of what was
/// written right, so that the actions can still be checked against it; `None`
/// only when its period cannot be read.
fn validate_convention(
    file: &SourceFile,
    raw: RawConvention,
    shape: Option<Shape>,
    logos: &BTreeMap<String, Vec<u8>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Convention> {
    let period = convention_period(file, &raw.periode, diags);
    let notes = declared_notes(file, raw.notes, diags);
    let note_ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
    let fields = declared_fields(file, raw.champs, &note_ids, diags);
    let signatories = declared_signatories(file, raw.signataires, logos, diags);
    let colours = colours(file, raw.couleurs, diags);
    let edition_date = raw.date.and_then(|d| date(file, d, "date", diags));
    let signature = signature_place(file, raw.signature, diags);
    let start = amendments_start(&signature, period);
    let amendments = amendments(file, raw.avenants, start, diags);
    let workbook_note = raw
        .suivi
        .map(|note| WorkbookNote {
            instructions: shown(file, note.consigne, "suivi.consigne", diags),
            send_to: shown(file, note.retour, "suivi.retour", diags),
        })
        .unwrap_or_default();
    let annex = raw.annexe.map(|a| annex(file, a, diags));
    let caption = raw.legende.get_ref().trim().to_string();
    let document = document_info(raw.document, caption, &signatories, &fields);

    // Signatories first, then the parts of `parties` ("Caf / Communauté de …").
    let candidates: Vec<&str> = signatories
        .iter()
        .map(|s| s.institution.as_str())
        .chain(raw.parties.get_ref().split('/'))
        .map(str::trim)
        .collect();
    let sheets = sheets(file, raw.fiches, shape.as_ref(), diags);
    let collectivity = party(file, raw.collectivite, "collectivite", &candidates, diags);
    let caf = party(file, raw.caf, "caf", &candidates, diags);

    let convention = Convention {
        date: edition_date,
        document,
        annex,
        signature,
        workbook_note,
        title: text(file, raw.titre, "titre", diags),
        parties: text(file, raw.parties, "parties", diags),
        heading: text(file, raw.intitule, "intitule", diags),
        caption: text(file, raw.legende, "legende", diags),
        period: period?,
        version: shown(file, raw.version, "version", diags),
        shape: shape?,
        fields,
        notes,
        signatories,
        collectivity,
        caf,
        sheets,
        colours,
        amendments,
    };
    Some(convention)
}

/// The convention's `periode`; `None` (reported) when it does not read as years.
fn convention_period(
    file: &SourceFile,
    periode: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<YearRange> {
    match YearRange::parse(periode.get_ref()) {
        Ok(p) => Some(p),
        Err(e) => {
            diags.push(year_error(
                file,
                periode.span(),
                periode.get_ref(),
                &e,
                false,
                None,
            ));
            None
        }
    }
}

/// `[[notes]]`: each with its id, mark and text.
fn declared_notes(
    file: &SourceFile,
    raw: Vec<crate::load::RawNote>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Note> {
    let mut notes = Vec::new();
    for n in raw {
        notes.push(Note {
            id: slug(file, n.id, "de note", diags),
            mark: text(file, n.marque, "notes.marque", diags),
            text: cell(file, n.texte, "notes.texte", diags),
        });
    }
    notes
}

/// `[[champs]]`: at least one, each with an id no other field has, a declared
/// note if any, and its subsections.
fn declared_fields(
    file: &SourceFile,
    raw: Vec<crate::load::RawField>,
    note_ids: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Field> {
    if raw.is_empty() {
        diags.push(
            Diagnostic::error("aucun champ d'intervention déclaré")
                .in_file(file)
                .hint("ajoutez au moins une table `[[champs]]` avec `id` et `libelle`"),
        );
    }
    let mut fields: Vec<Field> = Vec::new();
    for f in raw {
        let id_span = f.id.span();
        let id = slug(file, f.id, "de champ", diags);
        if fields.iter().any(|x| x.id == id) {
            diags.push(
                Diagnostic::error(format!("champ `{id}` déclaré deux fois"))
                    .at(file, id_span)
                    .hint("chaque champ d'intervention a son propre `id`"),
            );
        }
        let note = f.note.map(|n| field_note(file, n, note_ids, diags));
        let subsections = declared_subsections(file, f.sous_sections, diags);
        fields.push(Field {
            id,
            label: text(file, f.libelle, "libelle", diags),
            note,
            subsections,
        });
    }
    fields
}

/// The note a field's label refers to, which must be declared.
fn field_note(
    file: &SourceFile,
    note: Spanned<String>,
    note_ids: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> String {
    let span = note.span();
    let n = note.into_inner();
    if !note_ids.contains(&n.as_str()) {
        let hint = match closest(&n, note_ids) {
            Some(best) => format!("vouliez-vous dire `{best}` ?"),
            None => "déclarez la note dans une table `[[notes]]` avec cet `id`".into(),
        };
        diags.push(
            Diagnostic::error(format!("note inconnue : `{n}`"))
                .at(file, span)
                .hint(hint),
        );
    }
    n
}

/// A field's `[[champs.sous_sections]]`, each with an id no other of the field has.
fn declared_subsections(
    file: &SourceFile,
    raw: Vec<crate::load::RawSubSection>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<SubSection> {
    let mut subsections: Vec<SubSection> = Vec::new();
    for s in raw {
        let span = s.id.span();
        let sid = slug(file, s.id, "de sous-section", diags);
        if subsections.iter().any(|x| x.id == sid) {
            diags.push(
                Diagnostic::error(format!("sous-section `{sid}` déclarée deux fois"))
                    .at(file, span)
                    .hint("chaque sous-section d'un champ a son propre `id`"),
            );
        }
        subsections.push(SubSection {
            id: sid,
            label: text(file, s.libelle, "libelle", diags),
        });
    }
    subsections
}

/// `[[signataires]]`, each with its logo checked; the logos are numbered in
/// the order of the signatories who have one.
fn declared_signatories(
    file: &SourceFile,
    raw: Vec<crate::load::RawSignatory>,
    logos: &BTreeMap<String, Vec<u8>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Signatory> {
    let mut logo_count = 0;
    raw.into_iter()
        .map(|s| {
            let institution = text(file, s.institution, "signataires.institution", diags);
            let logo = signatory_logo(
                file,
                s.logo,
                s.logo_alt,
                &institution,
                logos,
                &mut logo_count,
                diags,
            );
            Signatory {
                institution,
                acronym: shown(file, s.sigle, "signataires.sigle", diags),
                capacity: shown(file, s.qualite, "signataires.qualite", diags),
                name: shown(file, s.nom, "signataires.nom", diags),
                logo,
            }
        })
        .collect()
}

/// `[signature]`: where and when the convention is signed, both optional.
fn signature_place(
    file: &SourceFile,
    raw: Option<crate::load::RawSignaturePlace>,
    diags: &mut Vec<Diagnostic>,
) -> SignaturePlace {
    match raw {
        Some(sig) => SignaturePlace {
            place: shown(file, sig.lieu, "signature.lieu", diags),
            date: sig
                .date
                .and_then(|d| date(file, d, "signature.date", diags)),
        },
        None => SignaturePlace::default(),
    }
}

/// The date an amendment cannot precede, and how messages name it: an
/// amendment is signed after the convention, so its signature, or else the
/// first day of its period.
fn amendments_start(
    signature: &SignaturePlace,
    period: Option<YearRange>,
) -> Option<(Date, String)> {
    match (signature.date, period) {
        (Some(signed), _) => Some((
            signed,
            format!("la signature de la convention ({})", signed.french()),
        )),
        (None, Some(p)) => Some((
            Date {
                year: p.start,
                month: 1,
                day: 1,
            },
            format!("le début de sa période ({})", p.start),
        )),
        (None, None) => None,
    }
}

/// `[annexe]`: its number (a whole number or a text) and title.
fn annex(file: &SourceFile, raw: crate::load::RawAnnex, diags: &mut Vec<Diagnostic>) -> Annex {
    Annex {
        number: raw.numero.map(|n| {
            let span = n.span();
            match n.into_inner() {
                RawAnnexNumber::Integer(i) => i.to_string(),
                RawAnnexNumber::Text(t) => {
                    check::check(
                        file,
                        span,
                        &t,
                        check::Kind::optional("annexe.numero"),
                        diags,
                    );
                    t.trim().to_string()
                }
            }
        }),
        title: text(file, raw.titre, "annexe.titre", diags),
    }
}

/// `[document]`: the PDF's metadata, each defaulting to what the plan says of
/// itself; `caption` is the convention's `legende`, trimmed.
fn document_info(
    raw: Option<RawDocumentInfo>,
    caption: String,
    signatories: &[Signatory],
    fields: &[Field],
) -> DocumentInfo {
    let info = raw.unwrap_or(RawDocumentInfo {
        auteur: None,
        sujet: None,
        mots_cles: None,
    });
    DocumentInfo {
        // By default the plan is authored by its signatories.
        author: optional(info.auteur).unwrap_or_else(|| {
            signatories
                .iter()
                .map(|s| s.institution.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        subject: optional(info.sujet).unwrap_or(caption),
        keywords: match info.mots_cles {
            Some(words) => words
                .into_iter()
                .filter_map(|w| optional(Some(w)))
                .collect(),
            None => std::iter::once("Convention Territoriale Globale".to_string())
                .chain(std::iter::once("plan d'actions".to_string()))
                .chain(fields.iter().map(|f| f.label.clone()))
                .collect(),
        },
    }
}

/// A signatory's logo, read in stage 1 (`logos`, by path as written) and
/// checked here, with its text alternative: « Logo de <institution> » unless
/// the convention writes one, which may not be blank.
fn signatory_logo(
    file: &SourceFile,
    logo: Option<Spanned<String>>,
    alt: Option<Spanned<String>>,
    institution: &str,
    logos: &BTreeMap<String, Vec<u8>>,
    count: &mut usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::logos::Logo> {
    let Some(logo) = logo else {
        if let Some(alt) = alt {
            diags.push(
                Diagnostic::error("`logo_alt` sans `logo`")
                    .at(file, alt.span())
                    .label("texte de remplacement d'aucun logo")
                    .hint("ajoutez le chemin du logo de ce signataire, `logo = \"logos/….svg\"`, ou supprimez `logo_alt`"),
            );
        }
        return None;
    };
    let alt = match alt {
        Some(alt) => text(file, alt, "signataires.logo_alt", diags),
        None => format!("Logo de {institution}"),
    };
    // A file that could not be read is already reported.
    let bytes = logos.get(logo.get_ref())?;
    *count += 1;
    let mut warnings = Vec::new();
    let checked = crate::logos::check(
        file,
        logo.span(),
        logo.get_ref(),
        bytes,
        *count,
        alt,
        &mut warnings,
    );
    diags.extend(warnings);
    checked.map_err(|d| diags.push(d)).ok()
}

/// `[couleurs]`: each colour `#rrggbb`, readable on what it meets (4.5:1).
fn colours(
    file: &SourceFile,
    raw: Option<crate::load::RawColours>,
    diags: &mut Vec<Diagnostic>,
) -> Colours {
    use crate::logos::{contrast, hex, nearest_readable, parse_colour};
    let mut colours = Colours::default();
    let Some(raw) = raw else {
        return colours;
    };
    let mut one = |value: Option<Spanned<String>>,
                   key: &str,
                   against: [u8; 3],
                   towards: [u8; 3],
                   what: &str,
                   slot: &mut [u8; 3]| {
        let Some(value) = value else { return };
        let Some(colour) = parse_colour(value.get_ref()) else {
            diags.push(
                Diagnostic::error(format!("couleur illisible : `{}`", value.get_ref()))
                    .at(file, value.span())
                    .label(format!("couleurs.{key}"))
                    .hint("une couleur s'écrit en hexadécimal, `#` suivi de six chiffres ou lettres de a à f : `\"#0a4a8f\"`"),
            );
            return;
        };
        let ratio = contrast(colour, against);
        if ratio < Colours::MINIMUM_CONTRAST {
            let suggestion = hex(nearest_readable(
                colour,
                towards,
                against,
                Colours::MINIMUM_CONTRAST,
            ));
            diags.push(
                Diagnostic::error(format!(
                    "contraste insuffisant : {} sur {} donne {}:1, 4,5:1 au moins pour {what}",
                    hex(colour),
                    hex(against),
                    french_ratio(ratio)
                ))
                .at(file, value.span())
                .label(format!("couleurs.{key}"))
                .hint(format!(
                    "choisissez une couleur plus {} : par exemple `\"{suggestion}\"`, la plus proche qui atteint 4,5:1",
                    if towards == [0; 3] { "foncée" } else { "claire" }
                )),
            );
            return;
        }
        *slot = colour;
    };
    one(
        raw.entetes,
        "entetes",
        Colours::TEXT,
        [0xff; 3],
        "que le texte des en-têtes (#1a1a1a) se lise sur ce fond",
        &mut colours.header_fill,
    );
    one(
        raw.titre,
        "titre",
        Colours::PAGE,
        [0; 3],
        "qu'un titre de cette couleur se lise sur la page blanche",
        &mut colours.title,
    );
    colours
}

/// A contrast ratio as French writes it, rounded down to a tenth: « 3,2 ».
fn french_ratio(ratio: f64) -> String {
    let tenths = (ratio * 10.0).floor() as i64;
    format!("{},{}", tenths / 10, tenths % 10)
}

/// `[fiches]`: the title column must be one of the shape's text columns.
fn sheets(
    file: &SourceFile,
    raw: Option<crate::load::RawSheets>,
    shape: Option<&Shape>,
    diags: &mut Vec<Diagnostic>,
) -> Sheets {
    let Some(raw) = raw else {
        return Sheets {
            publish: true,
            title: None,
            field_label: None,
        };
    };
    let field_label = shown(file, raw.libelle_champ, "fiches.libelle_champ", diags);
    let title = raw.titre.and_then(|key| {
        let shape = shape?;
        let span = key.span();
        let key = key.into_inner();
        let texts: Vec<&str> = shape
            .columns
            .iter()
            .filter(|c| c.kind == Kind::Text)
            .map(|c| c.key.as_str())
            .collect();
        match shape.column(key.trim()) {
            Some((i, c)) if c.kind == Kind::Text => Some(i),
            found => {
                let list = texts
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let (message, label) = match found {
                    Some(_) => (
                        format!("la colonne `{key}` ne peut pas titrer les fiches : elle n'est pas du texte"),
                        "colonne qui n'est pas du texte",
                    ),
                    None => (
                        format!("colonne inconnue pour le titre des fiches : `{key}`"),
                        "aucune colonne déclarée n'a cette clé",
                    ),
                };
                let hint = match closest(&key, &texts) {
                    Some(best) => format!("vouliez-vous dire `{best}` ? Colonnes de texte : {list}"),
                    None => format!(
                        "`titre` donne la clé d'une colonne de texte déclarée ({list}), ou s'omet : le titre est alors la première phrase du descriptif"
                    ),
                };
                diags.push(Diagnostic::error(message).at(file, span).label(label).hint(hint));
                None
            }
        }
    });
    Sheets {
        publish: raw.publier.unwrap_or(true),
        title,
        field_label,
    }
}

/// `[[avenants]]`: each with a number from 1 that no other has, its date, a
/// non-empty object and the versions it names; sorted by number.
fn amendments(
    file: &SourceFile,
    raw: Vec<crate::load::RawAmendment>,
    convention_start: Option<(Date, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Amendment> {
    let mut found: Vec<Amendment> = Vec::new();
    // Where each number and date is written, for the checks of their order.
    let mut places: Vec<(u32, std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for a in raw {
        let span = a.numero.span();
        let date_span = a.date.span();
        let written = *a.numero.get_ref();
        let number = amendment_number(file, written, span.clone(), &found, diags);
        let date = date(file, a.date, "avenants.date", diags);
        if let (Some(date), Some((start, what))) = (date, &convention_start)
            && date < *start
        {
            diags.push(
                Diagnostic::warning(format!(
                    "l'avenant n° {written} est daté du {}, avant {what}",
                    date.french()
                ))
                .at(file, date_span.clone())
                .label("date antérieure à la convention")
                .hint("un avenant modifie une convention déjà signée : vérifiez l'année de sa date (année-mois-jour)"),
            );
        }
        let object = cell(file, a.objet, "avenants.objet", diags);
        let since = version_ref(file, a.depuis, "avenants.depuis", diags);
        let until = a.vers.map(|v| version_ref(file, v, "avenants.vers", diags));
        if let (Some(number), Some(date)) = (number, date) {
            places.push((number, span, date_span));
            found.push(Amendment {
                number,
                date,
                object,
                since,
                until,
            });
        }
    }
    found.sort_by_key(|a| a.number);
    found.dedup_by_key(|a| a.number);
    check_amendments_order(file, &found, &places, diags);
    found
}

/// An amendment's number as written: from 1, and not one that an amendment
/// already `found` has.
fn amendment_number(
    file: &SourceFile,
    written: i64,
    span: Range<usize>,
    found: &[Amendment],
    diags: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let number = match u32::try_from(written) {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            diags.push(
                Diagnostic::error(format!("numéro d'avenant invalide : `{written}`"))
                    .at(file, span.clone())
                    .label("numéro attendu à partir de 1")
                    .hint("numérotez les avenants 1, 2, 3… dans l'ordre de leur signature"),
            );
            None
        }
    };
    if let Some(n) = number {
        if found.iter().any(|x| x.number == n) {
            diags.push(
                Diagnostic::error(format!("avenant n° {n} déclaré deux fois"))
                    .at(file, span)
                    .label("numéro déjà pris")
                    .hint("chaque avenant a son propre numéro : donnez à celui-ci le numéro suivant, ou supprimez le doublon"),
            );
        }
    }
    number
}

/// A version of the plan that an amendment names (`key`), which may not be blank.
fn version_ref(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> VersionRef {
    let span = value.span();
    let spec = value.into_inner().trim().to_string();
    if spec.is_empty() {
        diags.push(
            Diagnostic::error(format!("`{key}` vide"))
                .at(file, span.clone())
                .label("version attendue")
                .hint("donnez la version du plan que l'avenant modifie : une étiquette git (`v1.0`), un commit, ou le dossier d'une copie du projet"),
        );
    }
    VersionRef {
        spec,
        file: file.clone(),
        span,
    }
}

/// The amendments, `found` sorted by number, checked two by two: each dated
/// after the one before it, and no number skipped between them. `places`
/// gives where each number and date is written.
fn check_amendments_order(
    file: &SourceFile,
    found: &[Amendment],
    places: &[(u32, Range<usize>, Range<usize>)],
    diags: &mut Vec<Diagnostic>,
) {
    let place = |number: u32| places.iter().find(|p| p.0 == number).cloned();
    for pair in found.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let Some((_, number_span, date_span)) = place(after.number) else {
            continue;
        };
        // An amendment is signed after the one before it.
        if after.date < before.date {
            diags.push(
                Diagnostic::error(format!(
                    "l'avenant n° {} est daté du {}, avant l'avenant n° {} ({})",
                    after.number,
                    after.date.french(),
                    before.number,
                    before.date.french()
                ))
                .at(file, date_span)
                .label("date antérieure à celle de l'avenant précédent")
                .hint("les avenants sont numérotés dans l'ordre de leur signature : corrigez la date ou le numéro de l'un des deux"),
            );
        }
        // A number skipped between two declared amendments.
        if after.number > before.number + 1 {
            let missing = if after.number == before.number + 2 {
                format!("n° {}", before.number + 1)
            } else {
                format!("n° {} à {}", before.number + 1, after.number - 1)
            };
            diags.push(
                Diagnostic::warning(format!(
                    "aucun avenant {missing} n'est déclaré entre l'avenant n° {} et l'avenant n° {}",
                    before.number, after.number
                ))
                .at(file, number_span)
                .label("numéro après un manque")
                .hint("déclarez chaque avenant signé, dans l'ordre : chacun trouve ses changements entre sa version et celle de l'avenant suivant"),
            );
        }
    }
}

/// A TOML date (`2023-06-30`, no time) as a [`Date`].
fn date(
    file: &SourceFile,
    value: Spanned<toml::value::Datetime>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Date> {
    let span = value.span();
    let value = value.into_inner();
    match (value.date, value.time) {
        (Some(d), None) => Some(Date {
            year: d.year,
            month: d.month,
            day: d.day,
        }),
        _ => {
            diags.push(
                Diagnostic::error(format!("`{key}` doit être une date sans heure : `{value}`"))
                    .at(file, span)
                    .label("date attendue")
                    .hint(
                        "écrivez la date sans guillemets, au format année-mois-jour : 2023-06-30",
                    ),
            );
            None
        }
    }
}

/// The full name of the intercommunality (`key` = "collectivite") or of the Caf
/// (`key` = "caf"): the key when written, else the first candidate that is
/// recognisably one.
fn party(
    file: &SourceFile,
    explicit: Option<Spanned<String>>,
    key: &str,
    candidates: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> String {
    if let Some(value) = explicit {
        return text(file, value, key, diags);
    }
    let (what, example, recognised): (_, _, fn(&str) -> bool) = if key == "caf" {
        ("la Caf", "Caisse d'allocations familiales de …", |s| {
            s == "caf"
                || s.starts_with("caf ")
                || s.starts_with("caisse d'allocations familiales")
                || s.starts_with("caisse d’allocations familiales")
        })
    } else {
        ("l'intercommunalité", "Communauté de communes …", |s| {
            s.starts_with("communauté ")
                || s.starts_with("métropole")
                || s.contains("intercommunal")
        })
    };
    if let Some(found) = candidates.iter().find(|c| recognised(&c.to_lowercase())) {
        return found.to_string();
    }
    diags.push(
        Diagnostic::error(format!(
            "{what} signataire introuvable : aucun signataire ni aucune des `parties` n'est reconnu comme tel"
        ))
        .in_file(file)
        .hint(format!(
            "indiquez son nom complet en tête du fichier, ex. `{key} = \"{example}\"` (il figure dans les données ouvertes, plan.csv)"
        )),
    );
    String::new()
}

/// A deadline (`deadline`; `period` is then the convention's, when known) or the
/// convention's own period that does not read as years.
fn year_error(
    file: &SourceFile,
    span: Range<usize>,
    value: &str,
    err: &YearRangeError,
    deadline: bool,
    period: Option<&YearRange>,
) -> Diagnostic {
    let what = if deadline {
        "échéance"
    } else {
        "période de la convention"
    };
    let (message, hint) = match err {
        YearRangeError::NotAYear(s) => (
            format!("{what} illisible : `{value}` (`{s}` n'est pas une année)"),
            "écrivez une année (\"2024\") ou deux années séparées par un tiret (\"2023-2027\")"
                .to_string(),
        ),
        YearRangeError::Reversed { start, end } => (
            format!("période à l'envers : `{value}` ({start} est après {end})"),
            format!("écrivez \"{end}-{start}\""),
        ),
    };
    let hint = match period {
        Some(p) => format!("{hint} ; la convention couvre {}-{}", p.start, p.end),
        None => hint,
    };
    Diagnostic::error(message)
        .at(file, span)
        .label(format!("{what} invalide"))
        .hint(hint)
}

/// Where an action's identity sits in its file, for the duplicate checks.
struct ActionSpans {
    id: Range<usize>,
    former_id: Range<usize>,
    position: Range<usize>,
}

/// The folder of another declared field that the action's file is in
/// (`data/actions/logement/…` for an action of `enfance`), if it is: a
/// field's id is also its folder's name. A folder named after no field is the
/// project's own way of filing, and says nothing.
fn other_fields_folder(file: &SourceFile, field: &str, convention: &Convention) -> Option<String> {
    let folder = file.name.strip_prefix("data/actions/")?.rsplit_once('/')?.0;
    let last = folder.rsplit('/').next()?;
    (last != field && convention.field(last).is_some()).then(|| format!("data/actions/{folder}"))
}

/// Checks one action. Without a valid convention, only what does not depend on
/// it is checked; without valid declared columns, only the fixed keys.
/// `untyped` names the columns whose type is not known (an error of the
/// convention): their values are not checked.
fn validate_action(
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
fn action_field<'c>(
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
fn declared_values(
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
struct Written {
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
            .map(|(k, _)| (k.to_string(), crate::load::describe_key(k).to_string()))
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
fn rank(
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
fn string(
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
fn unknown_field(file: &SourceFile, written: &Spanned<String>, c: &Convention) -> Diagnostic {
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
fn check_subsection(
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
fn value_of(
    file: &SourceFile,
    column: &crate::shape::Column,
    value: Spanned<toml::Value>,
    period: Option<&YearRange>,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let key = column.key.as_str();
    match column.kind {
        Kind::Text => string(file, value, diags)
            .map_or(Value::Absent, |t| Value::Text(cell(file, t, key, diags))),
        Kind::Deadline => string(file, value, diags)
            .and_then(|t| deadline(file, t, period, diags))
            .map_or(Value::Absent, Value::Deadline),
        Kind::Amount => match Amount::from_toml(value.get_ref()) {
            Ok(amount) => Value::Amount(amount),
            Err(e) => {
                diags.push(amount_error(file, &value, key, e));
                Value::Absent
            }
        },
        Kind::Number => match value.get_ref() {
            toml::Value::Integer(n) => Value::Number(*n),
            _ => {
                diags.push(wrong_type(file, &value, "an integer"));
                Value::Absent
            }
        },
    }
}

/// Why an amount is refused, at its place.
fn amount_error(
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
fn deadline(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ranges_as_written_in_the_plan() {
        for (text, start, end) in [
            ("2024", 2024, 2024),
            ("2023-2024", 2023, 2024),
            ("2023 - 2027", 2023, 2027),
            ("2023 -2027", 2023, 2027),
            ("2023–2027", 2023, 2027),
        ] {
            assert_eq!(
                YearRange::parse(text),
                Ok(YearRange { start, end }),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_year_ranges() {
        assert_eq!(
            YearRange::parse("2027-2023"),
            Err(YearRangeError::Reversed {
                start: 2027,
                end: 2023
            })
        );
        assert!(matches!(
            YearRange::parse("fin 2024"),
            Err(YearRangeError::NotAYear(_))
        ));
        assert!(matches!(
            YearRange::parse("24"),
            Err(YearRangeError::NotAYear(_))
        ));
    }
}
