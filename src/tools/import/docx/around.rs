//! Import, Word, the text around the plan's table: above it, the title, the
//! parties, the heading and the caption (and the period they give); below it,
//! the fields' footnotes, up to the signature line.

use super::body::{Item, Para};
use super::signing::signature_line;
use super::table::Header;
use crate::tools::import::markdown::{self, Block};
use crate::tools::import::names::loose;
use crate::tools::import::{Builder, excerpt, signature};

/// Text around the plan's tables (`headers`: the plan's header of each table
/// in the document, if it has it): the paragraphs with text before the first,
/// back to the table before it, and the paragraphs after the last, up to the
/// next table.
pub(super) fn text_around<'a>(
    items: &'a [Item],
    headers: &[Option<&Header>],
) -> (Vec<&'a Para>, Vec<&'a Para>) {
    let table_positions: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Item::Table(_)))
        .map(|(at, _)| at)
        .collect();
    let plan_positions: Vec<usize> = table_positions
        .iter()
        .zip(headers)
        .filter(|(_, h)| h.is_some())
        .map(|(at, _)| *at)
        .collect();
    let start = table_positions
        .iter()
        .rev()
        .find(|&&at| at < plan_positions[0])
        .map_or(0, |at| at + 1);
    let before: Vec<&Para> = items[start..plan_positions[0]]
        .iter()
        .filter_map(|i| match i {
            Item::Para(p) if !p.text().trim().is_empty() => Some(p),
            _ => None,
        })
        .collect();
    let last = *plan_positions.last().expect("at least one plan table");
    let after: Vec<&Para> = items[last + 1..]
        .iter()
        .take_while(|i| matches!(i, Item::Para(_)))
        .filter_map(|i| match i {
            Item::Para(p) => Some(p),
            Item::Table(_) => None,
        })
        .collect();
    (before, after)
}

/// The text below the plan (`after` its last table, `last_table`): footnotes,
/// then the signature line that closes it, then the signatories' names.
pub(super) fn text_below(
    builder: &mut Builder,
    after: &[&Para],
    first_table: usize,
    last_table: usize,
) {
    let signature = after
        .iter()
        .enumerate()
        .find_map(|(i, p)| signature::parse(&p.text()).map(|read| (i, read)));
    let footnotes = &after[..signature.as_ref().map_or(after.len(), |(i, _)| *i)];
    notes(builder, footnotes, first_table);
    if let Some((i, read)) = signature {
        let place = format!(
            "paragraphe {} sous le tableau {last_table}",
            footnotes
                .iter()
                .filter(|p| !p.text().trim().is_empty())
                .count()
                + 1
        );
        signature_line(builder, read, after[i], &after[i + 1..], &place);
    }
}

/// Title, parties, heading and caption from the paragraphs before the table.
pub(super) fn front_matter(b: &mut Builder, paras: &[&Para], table: usize) {
    let texts: Vec<String> = paras
        .iter()
        .map(|p| markdown::collapse_spaces(&p.text()))
        .collect();
    let mut used = vec![false; texts.len()];
    let find = |used: &[bool], test: &dyn Fn(&str) -> bool| {
        texts
            .iter()
            .enumerate()
            .position(|(i, t)| !used[i] && test(&loose(t)))
    };
    let front = &mut b.plan.front;
    if let Some(i) = find(&used, &|t| {
        t.contains("convention territoriale globale") && t.len() < 80
    }) {
        front.titre = Some(texts[i].clone());
        used[i] = true;
        // The parties follow the title in the official layout.
        if let Some(next) = texts.get(i + 1)
            && loose(next).split(' ').any(|w| w == "caf" || w == "caisse")
        {
            front.parties = Some(next.clone());
            used[i + 1] = true;
        }
    }
    if let Some(i) = find(&used, &|t| t.starts_with("plan d action") && t.len() < 60) {
        front.intitule = Some(texts[i].clone());
        used[i] = true;
    }
    // The caption is the paragraph right above the table.
    if let Some(i) = texts.len().checked_sub(1)
        && !used[i]
    {
        front.legende = Some(texts[i].clone());
        used[i] = true;
    }
    for text in [&front.intitule, &front.legende, &front.titre]
        .into_iter()
        .flatten()
    {
        if let Some(period) = find_period(text) {
            front.periode = Some(period);
            break;
        }
    }
    let left: Vec<&String> = texts
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(t, _)| t)
        .collect();
    if !left.is_empty() {
        b.note(
            format!(
                "{} paragraphe(s) avant le tableau {table} non importé(s), dont « {} »",
                left.len(),
                excerpt(left[0])
            ),
            Some("seuls le titre, les parties, l'intitulé et la légende du tableau sont repris dans convention.toml".into()),
        );
    }
}

/// "2023 - 2027" in a text, as "2023-2027".
fn find_period(text: &str) -> Option<String> {
    let re =
        regex::Regex::new(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b").expect("valid pattern");
    re.captures(text).map(|c| format!("{}-{}", &c[1], &c[2]))
}

/// Footnotes of field labels, from the paragraphs after the table: the
/// paragraph that starts with the mark, and those that follow it up to the next
/// mark, heading, page break or table.
fn notes(b: &mut Builder, paras: &[&Para], table: usize) {
    let mut used = vec![false; paras.len()];
    let marks: Vec<(usize, String)> = b
        .plan
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.mark.clone().map(|m| (i, m)))
        .collect();
    let starts_with_mark = |p: &Para| {
        marks
            .iter()
            .any(|(_, m)| p.text().trim_start().starts_with(m.as_str()))
    };
    for (field, mark) in &marks {
        let Some(start) = paras
            .iter()
            .enumerate()
            .position(|(i, p)| !used[i] && p.text().trim_start().starts_with(mark.as_str()))
        else {
            let label = b.plan.fields[*field].label.clone();
            b.note(
                format!(
                    "note « {mark} » du champ « {label} » introuvable après le tableau {table}"
                ),
                Some("écrivez son texte dans convention.toml, table `[[notes]]`".into()),
            );
            continue;
        };
        let mut blocks = vec![strip_mark(&paras[start].block, mark)];
        used[start] = true;
        for (i, p) in paras.iter().enumerate().skip(start + 1) {
            if p.page_break || p.heading || starts_with_mark(p) || paras[i - 1].page_break {
                break;
            }
            used[i] = true;
            blocks.push(p.block.clone());
        }
        let text = markdown::to_markdown(&blocks).markdown;
        let label = b.plan.fields[*field].label.clone();
        let count = blocks.len();
        b.plan.fields[*field].note = Some(text);
        b.note(
            format!("note « {mark} » du champ « {label} » reprise des {count} paragraphe(s) qui suivent le tableau {table}"),
            Some("vérifiez son texte dans convention.toml, table `[[notes]]`".into()),
        );
    }
    let left: Vec<&&Para> = paras
        .iter()
        .zip(&used)
        .filter(|(p, u)| !**u && !p.text().trim().is_empty())
        .map(|(p, _)| p)
        .collect();
    if let Some(first) = left.first() {
        b.note(
            format!(
                "{} paragraphe(s) après le tableau {table} non importé(s), dont « {} »",
                left.len(),
                excerpt(&markdown::collapse_spaces(&first.text()))
            ),
            Some("le texte hors du tableau n'est pas repris, sauf les notes des champs".into()),
        );
    }
}

/// The block without the footnote mark it starts with.
fn strip_mark(block: &Block, mark: &str) -> Block {
    let mut block = block.clone();
    let mut left = mark.len();
    for inline in &mut block.inlines {
        let text = inline.text.trim_start();
        if left == 0 {
            break;
        }
        let take = left.min(text.len());
        if text.is_char_boundary(take) {
            inline.text = text[take..].to_string();
            left -= take;
        }
    }
    if let Some(first) = block.inlines.iter_mut().find(|i| !i.text.is_empty()) {
        first.text = first.text.trim_start().to_string();
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_titles() {
        assert_eq!(
            find_period("PLAN D' ACTIONS 2023 - 2027"),
            Some("2023-2027".into())
        );
        assert_eq!(
            find_period("Plan d'actions 2023–2027 - Moyens"),
            Some("2023-2027".into())
        );
        assert_eq!(find_period("Convention Territoriale Globale"), None);
    }
}
