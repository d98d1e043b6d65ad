//! The convention's parties: its signatories, each with their logo, where and
//! when they sign, and the intercommunality and the Caf it is made between.

use super::*;

/// `[[signataires]]`, each with its logo checked; the logos are numbered in
/// the order of the signatories who have one.
pub(super) fn declared_signatories(
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
pub(super) fn signature_place(
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

/// The full name of the intercommunality (`key` = "collectivite") or of the Caf
/// (`key` = "caf"): the key when written, else the first candidate that is
/// recognisably one.
pub(super) fn party(
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
