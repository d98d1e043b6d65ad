//! The convention's checks: its period, notes, fields, annex, document
//! information, and the dates and years as written. Its parties and
//! signatories ([`signatories`]), its colours and sheets ([`presentation`])
//! and its amendments (`amendments.rs`) have files of their own.

mod amendments;
mod presentation;
mod signatories;

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::shape::{ColumnType, Shape};
use crate::model::*;
use crate::read::{RawAnnexNumber, RawConvention, RawDocumentInfo, closest};
use crate::text::check;

use super::*;
use amendments::{amendments, amendments_start};
use presentation::{colours, sheets};
use signatories::{declared_signatories, party, signature_place};

/// Checks the convention; `shape` is its declared columns, already checked.
/// Its errors are pushed to `diags`, and the convention is made of what was
/// written right, so that the actions can still be checked against it; `None`
/// only when its period cannot be read.
pub(crate) fn validate_convention(
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
pub(crate) fn convention_period(
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
pub(crate) fn declared_notes(
    file: &SourceFile,
    raw: Vec<crate::read::RawNote>,
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
pub(crate) fn declared_fields(
    file: &SourceFile,
    raw: Vec<crate::read::RawField>,
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
pub(crate) fn field_note(
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
pub(crate) fn declared_subsections(
    file: &SourceFile,
    raw: Vec<crate::read::RawSubSection>,
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

/// `[annexe]`: its number (a whole number or a text) and title.
pub(crate) fn annex(
    file: &SourceFile,
    raw: crate::read::RawAnnex,
    diags: &mut Vec<Diagnostic>,
) -> Annex {
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
                        check::TextKind::optional("annexe.numero"),
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
pub(crate) fn document_info(
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

/// A TOML date (`2023-06-30`, no time) as a [`Date`].
pub(crate) fn date(
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

/// A deadline (`deadline`; `period` is then the convention's, when known) or the
/// convention's own period that does not read as years.
pub(crate) fn year_error(
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
