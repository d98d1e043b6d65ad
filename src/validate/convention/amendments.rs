//! The convention's amendments: each numbered from 1, dated after the
//! convention and the amendment before it, naming the versions it goes between.

use super::*;

/// The date an amendment cannot precede, and how messages name it: an
/// amendment is signed after the convention, so its signature, or else the
/// first day of its period.
pub(super) fn amendments_start(
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

/// `[[avenants]]`: each with a number from 1 that no other has, its date, a
/// non-empty object and the versions it names; sorted by number.
pub(super) fn amendments(
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
