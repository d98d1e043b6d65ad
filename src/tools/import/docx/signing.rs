//! Import, Word, the signature: the line that closes the plan (« Fait à …,
//! le … ») becomes the convention's `[signature]`; the signatories' names
//! after it are reported, as they are written in `[[signataires]]`.

use super::body::Para;
use crate::model::SignaturePlace;
use crate::tools::import::markdown;
use crate::tools::import::signature::SignatureLine;
use crate::tools::import::{Builder, excerpt};

/// The signature line below the table (« Fait à Rivesaltes, le 12 septembre
/// 2024 »), `read` from `para` at `place_at`: its place and date become the
/// convention's `[signature]`, which the plan prints above the signatures;
/// what it leaves out, and the text after it (the signatories' names), is
/// reported.
pub(super) fn signature_line(
    b: &mut Builder,
    read: SignatureLine,
    para: &Para,
    following: &[&Para],
    place_at: &str,
) {
    let SignatureLine {
        place,
        contracted,
        date_text,
        date,
        rest,
    } = read;
    let line = para.text();
    let line = excerpt(&markdown::collapse_spaces(
        line.trim_start().split('\n').next().unwrap_or_default(),
    ));
    let mut left_out = Vec::new();
    let kept_place = match place {
        Some(place) if contracted => {
            left_out.push(format!(
                "lieu « {place} » non repris : le plan imprime « Fait à <lieu> », écrivez-le dans `[signature]` (`lieu = \"…\"`) s'il convient"
            ));
            None
        }
        Some(place) => Some(place),
        None => {
            left_out.push("lieu laissé en blanc : le plan le laisse à écrire à la main, ou écrivez-le dans `[signature]` (`lieu = \"…\"`)".to_string());
            None
        }
    };
    match (&date_text, date) {
        (_, Some(_)) => {}
        (Some(text), None) => left_out.push(format!(
            "date « {text} » illisible : écrivez-la dans `[signature]` au format année-mois-jour (`date = 2024-09-12`)"
        )),
        (None, None) => left_out.push("date laissée en blanc : le plan la laisse à écrire à la main, ou écrivez-la dans `[signature]` (`date = 2024-09-12`)".to_string()),
    }
    let printed = format!(
        "le plan imprime « Fait à {}, le {} » au-dessus des signatures",
        kept_place.as_deref().unwrap_or("…"),
        date.map_or("…".to_string(), |d| d.french())
    );
    let hint = if left_out.is_empty() {
        format!("{printed} : vérifiez le lieu et la date")
    } else {
        format!("{printed} ; {}", left_out.join(" ; "))
    };
    let message = if kept_place.is_none() && date.is_none() {
        format!("formule de signature non reprise ({place_at}) : « {line} »")
    } else {
        format!(
            "formule de signature reprise dans convention.toml, table `[signature]` ({place_at}) : « {line} »"
        )
    };
    b.note(message, Some(hint));
    if kept_place.is_some() || date.is_some() {
        b.plan.front.signature = Some(SignaturePlace {
            place: kept_place,
            date,
        });
    }
    // What follows: « en deux exemplaires », the signatories' names.
    let after: Vec<String> = std::iter::once(rest)
        .chain(
            following
                .iter()
                .map(|p| markdown::collapse_spaces(&p.text())),
        )
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(first) = after.first() {
        b.note(
            format!(
                "{} texte(s) après la formule de signature ({place_at}) non importé(s), dont « {} »",
                after.len(),
                excerpt(first)
            ),
            Some("les signataires s'écrivent dans convention.toml, tables `[[signataires]]` (`institution`, `qualite`, `nom`)".into()),
        );
    }
}
