//! The words inserted and deleted between two texts of a cell, for the
//! changes between two versions (`ctg diff`). Texts are cut into words and the
//! spaces between them; the longest common sequence of words is kept, the rest
//! is deleted (from the old text) or inserted (into the new one). The
//! alignment itself ([`align`]) serves any sequence: the redline of the
//! amendment aligns parsed words with it.

/// A run of one of the two texts: kept, deleted or inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// The words of `text` with the spaces after each, so that joining them gives
/// the text back. A number with its groups of digits and its unit is one word
/// (see [`continues_number`]).
fn words(text: &str) -> Vec<&str> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut push = |word: std::ops::Range<usize>| match ranges.last_mut() {
        Some(last)
            if continues_number(text[last.clone()].trim_end(), text[word.clone()].trim_end()) =>
        {
            last.end = word.end;
        }
        _ => ranges.push(word),
    };
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && in_space {
            push(start..i);
            start = i;
        }
        in_space = space;
    }
    if start < text.len() {
        push(start..text.len());
    }
    ranges.into_iter().map(|r| &text[r]).collect()
}

/// Whether the word `next` continues the number that the word `prev` ends: a
/// group of three digits after a group of one to three (« 322 000 »), or a
/// unit after a figure (« 000 € », « 12,5 % »). A number with its groups and
/// its unit is one word for the changes, so that « 322 000 € » changed to
/// « 355 000 € » reads as one amount replaced, never as « 322 355 000 € ».
pub(crate) fn continues_number(prev: &str, next: &str) -> bool {
    let trailing = prev.chars().rev().take_while(char::is_ascii_digit).count();
    if trailing == 0 {
        return false;
    }
    if next.starts_with(['€', '%', '‰']) {
        return true;
    }
    let leading = next.chars().take_while(char::is_ascii_digit).count();
    // The last group of `prev` may be a whole number's (« 322 ») or a group
    // already joined (« 322 000 »): either way one to three digits.
    trailing <= 3 && leading == 3
}

/// The changes from `old` to `new`, word by word: deletions before the
/// insertions that replace them, runs of the same kind merged.
pub fn diff(old: &str, new: &str) -> Vec<Piece> {
    let (a, b) = (words(old), words(new));
    // Words compare without their trailing spaces: a word followed by a line
    // break in one text and a space in the other is the same word.
    let ops = align(&a, &b, |x, y| x.trim_end() == y.trim_end());
    let pieces = ops
        .into_iter()
        .map(|op| match op {
            Op::Same(_, j) => Piece::Same(b[j].to_string()),
            Op::Deleted(i) => Piece::Deleted(a[i].to_string()),
            Op::Inserted(j) => Piece::Inserted(b[j].to_string()),
        })
        .collect();
    merge(pieces)
}

/// One step of an alignment of two sequences `a` and `b`, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `a[i]` and `b[j]` are the same item, kept.
    Same(usize, usize),
    /// `a[i]` is deleted.
    Deleted(usize),
    /// `b[j]` is inserted.
    Inserted(usize),
}

/// The longest common subsequence of `a` and `b` (items compared with
/// `same`), as the steps that turn `a` into `b`, in the order of both
/// sequences. Shared by the word diff above and the redline
/// ([`super::redline`]), which aligns the parsed words of two texts.
pub(crate) fn align<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<Op> {
    // The common prefix and suffix are kept as they are: the table below is
    // quadratic, and most edits touch a few words of a long text.
    let prefix = a.iter().zip(b).take_while(|(x, y)| same(x, y)).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| same(x, y))
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    // lcs[i][j]: length of the longest common sequence of ma[i..] and mb[j..].
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if same(&ma[i], &mb[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<Op> = (0..prefix).map(|k| Op::Same(k, k)).collect();
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && same(&ma[i], &mb[j]) {
            ops.push(Op::Same(prefix + i, prefix + j));
            i += 1;
            j += 1;
        } else if j == mb.len() || (i < ma.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Deleted(prefix + i));
            i += 1;
        } else {
            ops.push(Op::Inserted(prefix + j));
            j += 1;
        }
    }
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(sa + k, sb + k)));
    ops
}

/// Adjacent pieces of one kind as one; in a run of changes, the deletions
/// first.
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut deleted = String::new();
    let mut inserted = String::new();
    let flush = |out: &mut Vec<Piece>, deleted: &mut String, inserted: &mut String| {
        if !deleted.is_empty() {
            out.push(Piece::Deleted(std::mem::take(deleted)));
        }
        if !inserted.is_empty() {
            out.push(Piece::Inserted(std::mem::take(inserted)));
        }
    };
    for piece in pieces {
        match piece {
            Piece::Deleted(w) => deleted.push_str(&w),
            Piece::Inserted(w) => inserted.push_str(&w),
            Piece::Same(w) => {
                flush(&mut out, &mut deleted, &mut inserted);
                match out.last_mut() {
                    Some(Piece::Same(s)) => s.push_str(&w),
                    _ => out.push(Piece::Same(w)),
                }
            }
        }
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Same(s) => s.clone(),
                Piece::Deleted(s) => format!("[-{s}-]"),
                Piece::Inserted(s) => format!("{{+{s}+}}"),
            })
            .collect()
    }

    #[test]
    fn words_inserted_and_deleted() {
        assert_eq!(
            show(&diff(
                "Ouverture d'une crèche de 12 places.",
                "Ouverture d'une micro-crèche de 14 places."
            )),
            "Ouverture d'une [-crèche -]{+micro-crèche +}de [-12 -]{+14 +}places."
        );
        assert_eq!(show(&diff("a b", "a b")), "a b");
        assert_eq!(show(&diff("", "un mot")), "{+un mot+}");
        assert_eq!(show(&diff("un mot", "")), "[-un mot-]");
    }

    #[test]
    fn a_number_with_its_groups_and_unit_is_one_word() {
        assert_eq!(
            show(&diff(
                "Budget : 322 000 € par an",
                "Budget : 355 000 € par an"
            )),
            "Budget : [-322 000 € -]{+355 000 € +}par an"
        );
        assert_eq!(
            show(&diff("**1 250 000 €** en 2025", "**1 300 000 €** en 2025")),
            "[-**1 250 000 €** -]{+**1 300 000 €** +}en 2025"
        );
        assert_eq!(
            show(&diff("taux de 12,5 %", "taux de 15 %")),
            "taux de [-12,5 %-]{+15 %+}"
        );
        // Years and counts stay words of their own.
        assert_eq!(
            show(&diff("en 2024 123 familles", "en 2025 123 familles")),
            "en [-2024 -]{+2025 +}123 familles"
        );
        assert_eq!(
            show(&diff("12 places", "14 places")),
            "[-12 -]{+14 +}places"
        );
        assert!(continues_number("322", "000"));
        assert!(continues_number("322 000", "000"));
        assert!(continues_number("000", "€/an"));
        assert!(!continues_number("2024", "123"));
        assert!(!continues_number("12", "places"));
        assert!(!continues_number("douze", "€"));
    }

    #[test]
    fn the_texts_come_back_whole() {
        let (old, new) = (
            "- un\n- deux\n\n**trois** quatre",
            "- un\n- deux et demi\n\n*trois* quatre",
        );
        let pieces = diff(old, new);
        let kept = |deleted: bool| -> String {
            pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Same(s) => Some(s.as_str()),
                    Piece::Deleted(s) if deleted => Some(s.as_str()),
                    Piece::Inserted(s) if !deleted => Some(s.as_str()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(kept(false), new);
        assert_eq!(
            kept(true).split_whitespace().collect::<Vec<_>>(),
            old.split_whitespace().collect::<Vec<_>>()
        );
    }
}
