//! The plan's shape as a convention declares it (`[[colonnes]]`, or the
//! reference model relabelled by `[colonnes]`), each column checked.

#[cfg(test)]
mod tests;

use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::shape::*;
use crate::read::{
    RawColumn, RawColumns, RawTable, by_closeness, closest, unknown_key, unknown_key_hint,
};
use crate::text::check;

impl Shape {
    /// The shape a convention declares: `[[colonnes]]`, or the reference model
    /// (relabelled by a `[colonnes]` table of labels), and the first column's
    /// label. Its errors are pushed to `diags`, and the shape is made of what
    /// was declared right, so that the actions can still be checked against it.
    pub fn declared(
        file: &SourceFile,
        columns: Option<RawColumns>,
        table: Option<RawTable>,
        diags: &mut Vec<Diagnostic>,
    ) -> Shape {
        let mut shape = Shape::reference();
        let mut first_label: Option<Range<usize>> = None;
        match columns {
            None => {}
            Some(RawColumns::Labels(labels)) => {
                first_label = relabel(&mut shape, file, labels, diags);
            }
            Some(RawColumns::Declared(declared)) => {
                shape.columns = declared_columns(file, declared, diags);
            }
        }
        if let Some(label) = table.and_then(|t| t.premiere_colonne) {
            if let Some(before) = first_label {
                let (line, _) = file.line_col(before.start);
                diags.push(
                    Diagnostic::error("libellé de la première colonne donné deux fois")
                        .at(file, label.span())
                        .label("déjà donné par `champ` dans `[colonnes]`")
                        .hint(format!(
                            "gardez l'un des deux : `premiere_colonne` ici, ou `champ` dans la table `[colonnes]` (ligne {line})"
                        )),
                );
            }
            if let Some(text) = label_text(file, label, "tableau.premiere_colonne", diags) {
                shape.first_column = text;
            }
        }
        check_table(file, &shape, diags);
        shape
    }
}

/// The keys of the declared columns whose `type` is not one `ctg` knows: the
/// error is the convention's, and their values cannot be checked.
pub fn untyped_columns(columns: Option<&RawColumns>) -> Vec<String> {
    match columns {
        Some(RawColumns::Declared(declared)) => declared
            .iter()
            .filter(|c| {
                c.kind
                    .as_ref()
                    .is_some_and(|k| ColumnType::parse(k.get_ref()).is_none())
            })
            .map(|c| c.cle.get_ref().trim().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Applies a `[colonnes]` table of labels (the former declaration: the
/// reference model's labels, by key) to the reference model. Returns the place
/// of the first column's label, when the table gives it.
pub(crate) fn relabel(
    shape: &mut Shape,
    file: &SourceFile,
    labels: Vec<(Spanned<String>, Spanned<String>)>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Range<usize>> {
    let mut known: Vec<&str> = vec![LEGACY_FIRST_COLUMN];
    for r in &REFERENCE {
        if let Some((key, _)) = r.group
            && !known.contains(&key)
        {
            known.push(key);
        }
        known.push(r.key);
    }
    let mut first = None;
    for (key, label) in labels {
        let span = label.span();
        let name = key.get_ref().as_str();
        if !known.contains(&name) {
            diags.push(unknown_key(file, key.span(), name, &known).hint(format!(
                "{} ; pour d'autres colonnes, déclarez-les une à une dans des tables `[[colonnes]]` (voir le README)",
                unknown_key_hint(name, &known)
            )));
            continue;
        }
        let Some(text) = label_text(file, label, &format!("colonnes.{name}"), diags) else {
            continue;
        };
        if name == LEGACY_FIRST_COLUMN {
            shape.first_column = text;
            first = Some(span);
            continue;
        }
        for (column, r) in shape.columns.iter_mut().zip(&REFERENCE) {
            if r.key == name {
                column.label = text.clone();
            }
            if r.group.is_some_and(|(group, _)| group == name) {
                column.group = Some(text.clone());
            }
        }
    }
    first
}

/// A label of the table's header (or a description): checked as every text
/// of the documents, never blank; trimmed.
pub(crate) fn label_text(
    file: &SourceFile,
    value: Spanned<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let kind = check::TextKind::label(key)
        .required("écrivez l'intitulé tel qu'il paraît dans l'en-tête du tableau");
    check::check(file, value.span(), value.get_ref(), kind, diags)
        .then(|| value.get_ref().trim().to_string())
}

/// The columns of a `[[colonnes]]` declaration, each checked; those with an
/// error are left out (the error is reported).
pub(crate) fn declared_columns(
    file: &SourceFile,
    declared: Vec<RawColumn>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Column> {
    if declared.is_empty() {
        diags.push(
            Diagnostic::error("aucune colonne déclarée : `colonnes` est une liste vide")
                .in_file(file)
                .hint("déclarez chaque colonne dans une table `[[colonnes]]` avec sa `cle` et son `libelle`, ou retirez `colonnes` pour garder le modèle du plan de référence"),
        );
    }
    let mut columns: Vec<Column> = Vec::new();
    // Where each kept column's key and group are written, for later checks.
    let mut places: Vec<(Range<usize>, Option<Range<usize>>)> = Vec::new();
    for raw in declared {
        let key_span = raw.cle.span();
        let key = raw.cle.get_ref().trim().to_string();
        let key_ok = check_column_key(file, &key, key_span.clone(), &columns, &places, diags);
        let label = label_text(file, raw.libelle, "colonnes.libelle", diags);
        let group_span = raw.groupe.as_ref().map(Spanned::span);
        let group = raw
            .groupe
            .and_then(|g| label_text(file, g, "colonnes.groupe", diags));
        let kind = match raw.kind {
            None => ColumnType::Text,
            Some(word) => column_kind(file, word, diags),
        };
        let width = match raw.largeur {
            None => kind.default_width(),
            Some(w) => column_width(file, w, kind, diags),
        };
        let description = raw
            .description
            .and_then(|d| label_text(file, d, "colonnes.description", diags));
        // A column whose key is wrong is left out; any other mistake is
        // reported and the column kept (as text, or at its default width), so
        // that the actions' cells are still checked against it.
        if !key_ok {
            continue;
        }
        let label = label.unwrap_or_else(|| key.clone());
        columns.push(Column {
            key,
            label,
            group,
            kind,
            required: raw.obligatoire.unwrap_or(true),
            shown: raw.tableau.unwrap_or(true),
            width,
            description,
        });
        places.push((key_span, group_span));
    }
    check_declared(file, &columns, &places, diags);
    columns
}

/// Checks a column's `cle`: written as a key, not one of ctg's own, and not
/// the key of a column kept before it (`columns`, written at `places`);
/// `false` when it is refused.
pub(crate) fn check_column_key(
    file: &SourceFile,
    key: &str,
    key_span: Range<usize>,
    columns: &[Column],
    places: &[(Range<usize>, Option<Range<usize>>)],
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if !is_key(key) {
        let suggestion = key_of(key);
        let hint = if is_key(&suggestion) && !RESERVED_KEYS.contains(&suggestion.as_str()) {
            format!(
                "une clé s'écrit en minuscules sans accents ni espaces, avec des `_` : écrivez par exemple `{suggestion}`"
            )
        } else {
            "une clé s'écrit en minuscules sans accents ni espaces, avec des `_`, ex. `budget_previsionnel`".into()
        };
        diags.push(
            Diagnostic::error(format!("clé de colonne invalide : `{key}`"))
                .at(file, key_span)
                .label("clé invalide")
                .hint(hint),
        );
        false
    } else if RESERVED_KEYS.contains(&key) {
        diags.push(
            Diagnostic::error(format!("clé réservée : `{key}`"))
                .at(file, key_span)
                .label("clé déjà employée par ctg")
                .hint(format!(
                    "`id`, `champ`, `sous_section` et `position` sont les clés fixes des fiches d'action ; `action_id`, `collectivite`, `caf`, `periode_debut` et `periode_fin` des colonnes des données ouvertes : choisissez une autre clé, ex. `{key}_action`"
                )),
        );
        false
    } else if let Some((before, _)) = columns
        .iter()
        .zip(places)
        .find(|(c, _)| c.key == key)
        .map(|(_, p)| p)
    {
        let (line, _) = file.line_col(before.start);
        diags.push(
            Diagnostic::error(format!("colonne `{key}` déclarée deux fois"))
                .at(file, key_span)
                .label("clé en double")
                .hint(format!(
                    "chaque colonne a sa propre clé ; `{key}` est déjà celle de la colonne déclarée ligne {line}"
                )),
        );
        false
    } else {
        true
    }
}

/// A column's `type`, one of [`ColumnType::ALL`]'s words; an unknown word is
/// reported, and the column taken as text.
pub(crate) fn column_kind(
    file: &SourceFile,
    word: Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> ColumnType {
    if let Some(kind) = ColumnType::parse(word.get_ref()) {
        return kind;
    }
    let words: Vec<&str> = ColumnType::ALL.iter().map(|k| k.word()).collect();
    let list = by_closeness(word.get_ref(), &words)
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = match closest(word.get_ref(), &words) {
        Some(best) => {
            format!("vouliez-vous dire \"{best}\" ? Types possibles : {list}")
        }
        None => {
            format!("types possibles : {list} (\"texte\" quand `type` est absent)")
        }
    };
    diags.push(
        Diagnostic::error(format!("type de colonne inconnu : \"{}\"", word.get_ref()))
            .at(file, word.span())
            .label("type inconnu")
            .hint(hint),
    );
    ColumnType::Text
}

/// A column's `largeur`, relative to the first column's: above 0 and up to 20;
/// another number is reported, and the `kind`'s default width taken.
pub(crate) fn column_width(
    file: &SourceFile,
    written: Spanned<f64>,
    kind: ColumnType,
    diags: &mut Vec<Diagnostic>,
) -> f64 {
    let value = *written.get_ref();
    if value.is_finite() && value > 0.0 && value <= 20.0 {
        value
    } else {
        diags.push(
            Diagnostic::error(format!("largeur de colonne impossible : {value}"))
                .at(file, written.span())
                .label("largeur hors limites")
                .hint("la largeur est relative à celle de la première colonne, qui vaut 1 : un nombre au-dessus de 0 et jusqu'à 20, ex. 1.5"),
        );
        kind.default_width()
    }
}

/// Checks that need every column: one échéance at most, groups in one piece,
/// open-data names that do not collide.
pub(crate) fn check_declared(
    file: &SourceFile,
    columns: &[Column],
    places: &[(Range<usize>, Option<Range<usize>>)],
    diags: &mut Vec<Diagnostic>,
) {
    let deadlines: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].kind == ColumnType::Deadline)
        .collect();
    if let [first, rest @ ..] = deadlines.as_slice() {
        for &i in rest {
            diags.push(
                Diagnostic::error(format!(
                    "deuxième colonne d'échéance : `{}` (la première est `{}`)",
                    columns[i].key, columns[*first].key
                ))
                .at(file, places[i].0.clone())
                .label("une seule colonne d'échéance par plan")
                .hint("le bilan annuel suit une seule échéance par action : donnez à cette colonne le type \"texte\""),
            );
        }
    }
    // The columns of a group follow one another in the table.
    // Each group whose run of columns has ended, with the column that ended it.
    let mut closed: Vec<(&str, &Column)> = Vec::new();
    let mut current: Option<&str> = None;
    for (i, column) in columns.iter().enumerate().filter(|(_, c)| c.shown) {
        let group = column.group.as_deref();
        if group != current {
            if let Some(open) = current {
                closed.push((open, column));
            }
            if let Some(g) = group
                && let Some((_, breaker)) = closed.iter().find(|(c, _)| *c == g)
            {
                let by = format!(" par la colonne « {} »", breaker.label);
                diags.push(
                    Diagnostic::error(format!("groupe « {g} » coupé{by}"))
                        .at(file, places[i].1.clone().unwrap_or(places[i].0.clone()))
                        .label("ce groupe a déjà des colonnes plus haut")
                        .hint(format!(
                            "les colonnes d'un même groupe se suivent dans le tableau : placez les tables `[[colonnes]]` du groupe « {g} » l'une après l'autre, ou donnez un autre nom à ce groupe"
                        )),
                );
            }
            current = group;
        }
    }
    // An échéance `k` is published as `k_debut` and `k_fin`.
    for (i, column) in columns.iter().enumerate() {
        if column.kind != ColumnType::Deadline {
            continue;
        }
        for suffix in ["_debut", "_fin"] {
            let name = format!("{}{suffix}", column.key);
            if let Some(other) = columns.iter().find(|c| c.key == name) {
                diags.push(
                    Diagnostic::error(format!(
                        "la colonne d'échéance `{}` s'écrit `{name}` dans les données ouvertes, déjà la clé d'une autre colonne",
                        column.key
                    ))
                    .at(file, places[i].0.clone())
                    .label("nom de colonne en double dans plan.csv")
                    .hint(format!(
                        "une échéance est publiée en deux colonnes, début et fin : renommez `{}` ou `{}`",
                        column.key, other.key
                    )),
                );
            }
        }
    }
}

/// The table shows at least one declared column; beyond
/// [`MAX_TABLE_COLUMNS`], it is hard to read.
pub(crate) fn check_table(file: &SourceFile, shape: &Shape, diags: &mut Vec<Diagnostic>) {
    let shown = shape.shown().count();
    if shape.columns.is_empty() {
        return;
    }
    if shown == 0 {
        diags.push(
            Diagnostic::error(
                "aucune colonne à afficher : chaque colonne déclarée a `tableau = false`",
            )
            .in_file(file)
            .hint("retirez `tableau = false` d'au moins une table `[[colonnes]]`"),
        );
    } else if shown + 1 > MAX_TABLE_COLUMNS {
        diags.push(
            Diagnostic::warning(format!(
                "tableau de {} colonnes : au-delà de {MAX_TABLE_COLUMNS}, le texte devient difficile à lire en A4 paysage",
                shown + 1
            ))
            .in_file(file)
            .hint("gardez les autres informations hors du tableau avec `tableau = false` : elles restent dans les données ouvertes"),
        );
    }
}
