//! How the convention's documents look: the theme's colours, each readable on
//! what it meets, and the column that titles the action sheets.

use super::*;

/// `[couleurs]`: each colour `#rrggbb`, readable on what it meets (4.5:1).
pub(super) fn colours(
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
fn french_ratio(ratio: f64) -> String {
    let tenths = (ratio * 10.0).floor() as i64;
    format!("{},{}", tenths / 10, tenths % 10)
}

/// `[fiches]`: the title column must be one of the shape's text columns.
pub(super) fn sheets(
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
            .filter(|c| c.kind == ColumnType::Text)
            .map(|c| c.key.as_str())
            .collect();
        match shape.column(key.trim()) {
            Some((i, c)) if c.kind == ColumnType::Text => Some(i),
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
