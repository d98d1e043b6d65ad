//! Stage 2 (validate): the plan as the rest of the pipeline sees it. Raw records
//! from `load` become these types only through [`validate`], which reports every
//! problem with its file, place and a hint.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::load::{RawAction, RawAnnexNumber, RawConvention, RawDocumentInfo, RawProject, closest};
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
    pub columns: Columns,
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

/// Column labels, as printed in the table's two header rows.
#[derive(Debug, Clone)]
pub struct Columns {
    pub field: String,
    pub nature: String,
    pub description: String,
    pub caf_means: String,
    pub partner_means: String,
    pub objectives: String,
    pub indicators: String,
    pub expected_result: String,
    pub expected_impact: String,
    pub deadline: String,
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
}

/// One row of the plan. Text cells hold Markdown.
#[derive(Debug, Clone)]
pub struct Action {
    pub id: String,
    pub field: String,
    pub subsection: Option<String>,
    pub position: u32,
    pub deadline: Deadline,
    pub description: String,
    pub caf_means: String,
    pub partner_means: String,
    pub objectives: String,
    pub expected_result: String,
    pub expected_impact: String,
    /// The action's file, relative to the project root.
    pub source: String,
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
#[derive(Debug, Clone)]
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
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let convention = raw
        .convention
        .and_then(|c| validate_convention(&c.file, c.value, diags));
    // Actions are checked even when the convention is not valid, so that one run
    // reports every problem; what depends on the convention is then skipped.
    let mut actions = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut positions: HashMap<(String, u32), String> = HashMap::new();
    for loaded in raw.actions {
        let file = loaded.file;
        let Some((action, spans)) =
            validate_action(&file, loaded.value, convention.as_ref(), diags)
        else {
            continue;
        };
        if let Some(first) = ids.get(&action.id) {
            diags.push(
                Diagnostic::error(format!("identifiant `{}` déjà utilisé", action.id))
                    .at(&file, spans.id)
                    .label("identifiant en double")
                    .hint(format!(
                        "chaque action a son propre identifiant ; `{}` est déjà celui de `{first}`",
                        action.id
                    )),
            );
        } else {
            ids.insert(action.id.clone(), file.name.clone());
        }
        let key = (action.field.clone(), action.position);
        if let Some(other) = positions.get(&key) {
            diags.push(
                Diagnostic::error(format!(
                    "position {} déjà prise dans le champ `{}`",
                    action.position, action.field
                ))
                .at(&file, spans.position)
                .label("position en double")
                .hint(format!(
                    "`{other}` a déjà la position {} : donnez à chaque action de ce champ un rang différent",
                    action.position
                )),
            );
        } else {
            positions.insert(key, action.source.clone());
        }
        actions.push(action);
    }
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    let convention = convention?;
    if errors_after > errors_before {
        return None;
    }
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
    Some(Plan {
        convention,
        actions,
    })
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

fn validate_convention(
    file: &SourceFile,
    raw: RawConvention,
    diags: &mut Vec<Diagnostic>,
) -> Option<Convention> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let period_span = raw.periode.span();
    let period = match YearRange::parse(raw.periode.get_ref()) {
        Ok(p) => Some(p),
        Err(e) => {
            diags.push(year_error(
                file,
                period_span,
                raw.periode.get_ref(),
                &e,
                false,
                None,
            ));
            None
        }
    };
    let c = raw.colonnes;
    let columns = Columns {
        field: text(file, c.champ, "colonnes.champ", diags),
        nature: text(file, c.nature, "colonnes.nature", diags),
        description: text(file, c.descriptif, "colonnes.descriptif", diags),
        caf_means: text(file, c.moyens_caf, "colonnes.moyens_caf", diags),
        partner_means: text(
            file,
            c.moyens_partenaires,
            "colonnes.moyens_partenaires",
            diags,
        ),
        objectives: text(file, c.objectifs, "colonnes.objectifs", diags),
        indicators: text(file, c.indicateurs, "colonnes.indicateurs", diags),
        expected_result: text(file, c.resultat_attendu, "colonnes.resultat_attendu", diags),
        expected_impact: text(file, c.impact_envisage, "colonnes.impact_envisage", diags),
        deadline: text(file, c.echeance, "colonnes.echeance", diags),
    };

    let mut notes = Vec::new();
    for n in raw.notes {
        notes.push(Note {
            id: slug(file, n.id, "de note", diags),
            mark: text(file, n.marque, "notes.marque", diags),
            text: cell(file, n.texte, "notes.texte", diags),
        });
    }
    let note_ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();

    if raw.champs.is_empty() {
        diags.push(
            Diagnostic::error("aucun champ d'intervention déclaré")
                .in_file(file)
                .hint("ajoutez au moins une table `[[champs]]` avec `id` et `libelle`"),
        );
    }
    let mut fields: Vec<Field> = Vec::new();
    for f in raw.champs {
        let id_span = f.id.span();
        let id = slug(file, f.id, "de champ", diags);
        if fields.iter().any(|x| x.id == id) {
            diags.push(
                Diagnostic::error(format!("champ `{id}` déclaré deux fois"))
                    .at(file, id_span)
                    .hint("chaque champ d'intervention a son propre `id`"),
            );
        }
        let note = f.note.map(|n| {
            let span = n.span();
            let n = n.into_inner();
            if !note_ids.contains(&n.as_str()) {
                let hint = match closest(&n, &note_ids) {
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
        });
        let mut subsections: Vec<SubSection> = Vec::new();
        for s in f.sous_sections {
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
        fields.push(Field {
            id,
            label: text(file, f.libelle, "libelle", diags),
            note,
            subsections,
        });
    }

    let signatories: Vec<Signatory> = raw
        .signataires
        .into_iter()
        .map(|s| Signatory {
            institution: text(file, s.institution, "signataires.institution", diags),
            acronym: shown(file, s.sigle, "signataires.sigle", diags),
            capacity: shown(file, s.qualite, "signataires.qualite", diags),
            name: shown(file, s.nom, "signataires.nom", diags),
        })
        .collect();

    let edition_date = raw.date.and_then(|d| date(file, d, "date", diags));
    let signature = match raw.signature {
        Some(sig) => SignaturePlace {
            place: shown(file, sig.lieu, "signature.lieu", diags),
            date: sig
                .date
                .and_then(|d| date(file, d, "signature.date", diags)),
        },
        None => SignaturePlace::default(),
    };
    let annex = raw.annexe.map(|a| Annex {
        number: a.numero.map(|n| {
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
        title: text(file, a.titre, "annexe.titre", diags),
    });
    let info = raw.document.unwrap_or(RawDocumentInfo {
        auteur: None,
        sujet: None,
        mots_cles: None,
    });
    let caption = raw.legende.get_ref().trim().to_string();
    let document = DocumentInfo {
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
    };

    // Signatories first, then the parts of `parties` ("Caf / Communauté de …").
    let candidates: Vec<&str> = signatories
        .iter()
        .map(|s| s.institution.as_str())
        .chain(raw.parties.get_ref().split('/'))
        .map(str::trim)
        .collect();
    let collectivity = party(file, raw.collectivite, "collectivite", &candidates, diags);
    let caf = party(file, raw.caf, "caf", &candidates, diags);

    let convention = Convention {
        date: edition_date,
        document,
        annex,
        signature,
        title: text(file, raw.titre, "titre", diags),
        parties: text(file, raw.parties, "parties", diags),
        heading: text(file, raw.intitule, "intitule", diags),
        caption: text(file, raw.legende, "legende", diags),
        period: period?,
        version: shown(file, raw.version, "version", diags),
        columns,
        fields,
        notes,
        signatories,
        collectivity,
        caf,
    };
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    (errors_after == errors_before).then_some(convention)
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
    position: Range<usize>,
}

/// Checks one action. Without a valid convention, only what does not depend on
/// it is checked.
fn validate_action(
    file: &SourceFile,
    raw: RawAction,
    convention: Option<&Convention>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Action, ActionSpans)> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let id_span = raw.id.span();
    let id = slug(file, raw.id, "d'action", diags);

    let field_span = raw.champ.span();
    let field_id = raw.champ.into_inner();
    let field = convention.and_then(|c| c.field(&field_id));
    if let (Some(convention), None) = (convention, field) {
        let known: Vec<&str> = convention.fields.iter().map(|f| f.id.as_str()).collect();
        let hint = match closest(&field_id, &known) {
            Some(best) => format!(
                "vouliez-vous dire `{best}` ? Champs déclarés : {}",
                known.join(", ")
            ),
            None => format!(
                "champs déclarés dans data/convention.toml : {}",
                known.join(", ")
            ),
        };
        diags.push(
            Diagnostic::error(format!("champ d'intervention inconnu : `{field_id}`"))
                .at(file, field_span)
                .label("champ non déclaré")
                .hint(hint),
        );
    }
    let subsection = raw.sous_section.map(|s| {
        let span = s.span();
        let s = s.into_inner();
        if let Some(field) = field {
            let known: Vec<&str> = field.subsections.iter().map(|x| x.id.as_str()).collect();
            if !known.contains(&s.as_str()) {
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
                        .at(file, span)
                        .label("sous-section non déclarée")
                        .hint(hint),
                );
            }
        }
        s
    });

    let position_span = raw.position.span();
    let position = *raw.position.get_ref();
    if !(1..=9999).contains(&position) {
        diags.push(
            Diagnostic::error(format!("position invalide : {position}"))
                .at(file, position_span.clone())
                .label("position hors limites")
                .hint("la position est le rang de l'action dans son champ : 1, 2, 3…"),
        );
    }

    let deadline_span = raw.echeance.span();
    let deadline_text = raw.echeance.into_inner().trim().to_string();
    let period = convention.map(|c| &c.period);
    let deadline = match (YearRange::parse(&deadline_text), period) {
        (Ok(years), None) => Some(Deadline {
            years,
            text: deadline_text,
        }),
        (Ok(years), Some(period)) if years.within(period) => Some(Deadline {
            years,
            text: deadline_text,
        }),
        (Ok(years), Some(period)) => {
            diags.push(
                Diagnostic::error(format!(
                    "échéance hors de la période de la convention : `{deadline_text}`"
                ))
                .at(file, deadline_span)
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
            diags.push(year_error(
                file,
                deadline_span,
                &deadline_text,
                &e,
                true,
                period,
            ));
            None
        }
    };

    // Every cell is checked before giving up, so that all problems are reported.
    let description = cell(file, raw.descriptif, "descriptif", diags);
    let caf_means = cell(file, raw.moyens_caf, "moyens_caf", diags);
    let partner_means = cell(file, raw.moyens_partenaires, "moyens_partenaires", diags);
    let objectives = cell(file, raw.objectifs, "objectifs", diags);
    let expected_result = cell(file, raw.resultat_attendu, "resultat_attendu", diags);
    let expected_impact = cell(file, raw.impact_envisage, "impact_envisage", diags);
    let action = Action {
        id,
        field: field_id,
        subsection,
        position: position.clamp(0, u32::MAX as i64) as u32,
        deadline: deadline?,
        description,
        caf_means,
        partner_means,
        objectives,
        expected_result,
        expected_impact,
        source: file.name.clone(),
    };
    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    let spans = ActionSpans {
        id: id_span,
        position: position_span,
    };
    (errors_after == errors_before).then_some((action, spans))
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
