//! The convention's checks: its period, notes, fields, signatories, signature,
//! annex, document information, colours, sheets and amendments.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::shape::{Kind, Shape};
use crate::model::*;
use crate::read::{RawAnnexNumber, RawConvention, RawDocumentInfo, closest};
use crate::text::check;

use super::*;

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

/// `[[signataires]]`, each with its logo checked; the logos are numbered in
/// the order of the signatories who have one.
pub(crate) fn declared_signatories(
    file: &SourceFile,
    raw: Vec<crate::read::RawSignatory>,
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
pub(crate) fn signature_place(
    file: &SourceFile,
    raw: Option<crate::read::RawSignaturePlace>,
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
pub(crate) fn amendments_start(
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

/// A signatory's logo, read in stage 1 (`logos`, by path as written) and
/// checked here, with its text alternative: « Logo de <institution> » unless
/// the convention writes one, which may not be blank.
pub(crate) fn signatory_logo(
    file: &SourceFile,
    logo: Option<Spanned<String>>,
    alt: Option<Spanned<String>>,
    institution: &str,
    logos: &BTreeMap<String, Vec<u8>>,
    count: &mut usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::read::logos::Logo> {
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
    let checked = crate::read::logos::check(
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
pub(crate) fn colours(
    file: &SourceFile,
    raw: Option<crate::read::RawColours>,
    diags: &mut Vec<Diagnostic>,
) -> Colours {
    use crate::read::logos::{contrast, hex, nearest_readable, parse_colour};
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
pub(crate) fn french_ratio(ratio: f64) -> String {
    let tenths = (ratio * 10.0).floor() as i64;
    format!("{},{}", tenths / 10, tenths % 10)
}

/// `[fiches]`: the title column must be one of the shape's text columns.
pub(crate) fn sheets(
    file: &SourceFile,
    raw: Option<crate::read::RawSheets>,
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
pub(crate) fn amendments(
    file: &SourceFile,
    raw: Vec<crate::read::RawAmendment>,
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
pub(crate) fn amendment_number(
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
pub(crate) fn version_ref(
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
pub(crate) fn check_amendments_order(
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

/// The full name of the intercommunality (`key` = "collectivite") or of the Caf
/// (`key` = "caf"): the key when written, else the first candidate that is
/// recognisably one.
pub(crate) fn party(
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
