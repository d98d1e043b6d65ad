//! The changes between two versions in French words: the report of
//! `ctg diff` for the terminal, and the words the amendment lists them in.

use std::fmt::Write as _;

use super::{ActionChange, Changes, Listed, Modified};
use crate::text::words::Piece;

/// The changes in French, for the terminal: a heading per part, a line per
/// change (`+` added, `-` removed, `~` changed, `→` moved), the cells' old and
/// new texts under their column.
pub fn report(changes: &Changes, old_name: &str, new_name: &str) -> String {
    let mut out = String::new();
    if changes.is_empty() {
        let _ = writeln!(out, "Aucun changement entre {old_name} et {new_name}.");
        return out;
    }
    let _ = writeln!(
        out,
        "{} entre {old_name} et {new_name} :",
        crate::french::count(changes.count(), "changement", "changements")
    );
    let cells = changes
        .actions
        .iter()
        .flat_map(|f| &f.changes)
        .any(|c| matches!(c, ActionChange::Changed { cells, .. } if !cells.is_empty()));
    if cells {
        let _ = writeln!(
            out,
            "(dans les cellules, [-…-] : mots supprimés ; {{+…+}} : mots ajoutés)"
        );
    }
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n{title}");
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    };
    for (title, lines) in parts(changes) {
        section(
            title,
            lines
                .into_iter()
                .map(|(sign, words)| format!("  {sign} {words}"))
                .collect(),
        );
    }
    for field in &changes.actions {
        let mut lines = Vec::new();
        for change in &field.changes {
            match change {
                ActionChange::Added { id, title } => {
                    lines.push(format!("  + action ajoutée `{id}` : {title}"));
                }
                ActionChange::Removed { id, title } => {
                    lines.push(format!("  - action supprimée `{id}` : {title}"));
                }
                ActionChange::Changed {
                    id,
                    former_id,
                    title,
                    cells,
                    moves,
                } => {
                    let what = if change.is_move() {
                        "→ action déplacée"
                    } else {
                        "~ action modifiée"
                    };
                    let renamed = former_id
                        .as_ref()
                        .map_or(String::new(), |f| format!(" (anciennement `{f}`)"));
                    lines.push(format!("  {what} `{id}`{renamed} : {title}"));
                    for m in moves {
                        lines.push(format!("      {}", modified(m)));
                    }
                    for cell in cells {
                        lines.push(format!("      {} (`{}`)", cell.label, cell.key));
                        lines.push(word_changes(&cell.old, &cell.new));
                    }
                }
            }
        }
        section(
            &format!("Champ « {} » (`{}`)", field.label, field.field),
            lines,
        );
    }
    out
}

/// A changed value in words: « période : 2023-2027 → 2023-2028 ».
pub fn modified(m: &Modified) -> String {
    if m.quoted {
        format!("{} : {} → {}", m.what, shown(&m.old), shown(&m.new))
    } else {
        format!("{} : {} → {}", m.what, m.old, m.new)
    }
}

/// A listed item's change in words, as the report and the amendment write it.
fn listed_words(l: &Listed) -> String {
    match l {
        Listed::Added(what) => format!("ajout : {what}"),
        Listed::Removed(what) => format!("suppression : {what}"),
        Listed::Renamed { what, old, new } => {
            format!("renommage : {what} : {} → {}", shown(old), shown(new))
        }
        Listed::Changed { what, old, new } => {
            format!("modification : {what} : {} → {}", shown(old), shown(new))
        }
    }
}

/// The changes other than the actions', by part, in the order of the
/// report: the part's title, and each change with its sign (`+` added, `-`
/// removed, `~` changed) and its words. Parts without changes are left out.
pub fn parts(changes: &Changes) -> Vec<(&'static str, Vec<(char, String)>)> {
    let listed = |items: &[Listed]| -> Vec<(char, String)> {
        items
            .iter()
            .map(|l| {
                let sign = match l {
                    Listed::Added(_) => '+',
                    Listed::Removed(_) => '-',
                    Listed::Renamed { .. } | Listed::Changed { .. } => '~',
                };
                (sign, listed_words(l))
            })
            .collect()
    };
    [
        (
            "Convention",
            changes
                .convention
                .iter()
                .map(|m| ('~', modified(m)))
                .collect(),
        ),
        ("Colonnes", listed(&changes.columns)),
        (
            "Champs d'intervention et sous-sections",
            listed(&changes.fields),
        ),
        ("Signataires", listed(&changes.signatories)),
    ]
    .into_iter()
    .filter(|(_, lines): &(&str, Vec<(char, String)>)| !lines.is_empty())
    .collect()
}

fn shown(text: &str) -> String {
    if text.is_empty() {
        "(vide)".into()
    } else {
        format!("« {text} »")
    }
}

/// A cell's changes word by word, indented under its label: the words
/// deleted between `[-` and `-]`, those inserted between `{+` and `+}`,
/// readable without colour.
fn word_changes(old: &str, new: &str) -> String {
    let mut text = String::new();
    let pieces = crate::text::words::diff(old, new);
    let mut i = 0;
    while i < pieces.len() {
        match &pieces[i] {
            Piece::Same(s) => text.push_str(s),
            Piece::Deleted(s) => {
                let replaced = matches!(pieces.get(i + 1), Some(Piece::Inserted(_)));
                let word = s.trim_end();
                text.push_str(&format!("[-{word}-]"));
                if !replaced {
                    text.push_str(&s[word.len()..]);
                }
            }
            Piece::Inserted(s) => {
                let word = s.trim_end();
                text.push_str(&format!("{{+{word}+}}"));
                text.push_str(&s[word.len()..]);
            }
        }
        i += 1;
    }
    let pad = " ".repeat(8);
    let body = text
        .trim_end()
        .lines()
        .collect::<Vec<_>>()
        .join(&format!("\n{pad}"));
    if pieces.iter().all(|p| matches!(p, Piece::Same(_))) {
        let note = crate::text::redline::LAYOUT_ONLY.replace('\u{202f}', " ");
        return format!("{pad}{body}\n{pad}({note})");
    }
    format!("{pad}{body}")
}

#[cfg(test)]
mod tests {
    use super::word_changes;

    #[test]
    fn word_changes_in_lists_emphasis_and_lines() {
        let old = "- Investissement : 100 000 €\n- Fonctionnement\n\nAvec **gras** et *italique*.";
        let new = "- Investissement : 120 000 €\n- Fonctionnement\n- Formation\n\nAvec **gras** et *italique* revus.";
        assert_eq!(
            word_changes(old, new),
            "        - Investissement : [-100 000 €-]{+120 000 €+}\n        - Fonctionnement\n        {+- Formation+}\n        \n        Avec **gras** et [-*italique*.-]{+*italique* revus.+}"
        );
        assert_eq!(
            word_changes("", "Nouveau texte."),
            "        {+Nouveau texte.+}"
        );
        // A paragraph split: no word marked, so a note says what changed.
        assert_eq!(
            word_changes("Un mot. Deux mots.", "Un mot.\n\nDeux mots."),
            "        Un mot.\n        \n        Deux mots.\n        (Mise en forme seule modifiée (paragraphes, listes ou retours à la ligne) ; les mots sont inchangés.)"
        );
        assert_eq!(
            word_changes("Ancien texte.", ""),
            "        [-Ancien texte.-]"
        );
    }
}
