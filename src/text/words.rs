//! The words inserted and deleted between two texts of a cell, for the
//! changes between two versions (`ctg diff`). Texts are cut into words and the
//! spaces between them; the longest common sequence of words is kept, the rest
//! is deleted (from the old text) or inserted (into the new one).

/// A run of one of the two texts: kept, deleted or inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// The words of `text` with the spaces after each, so that joining them gives
/// the text back.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && in_space {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The changes from `old` to `new`, word by word: deletions before the
/// insertions that replace them, runs of the same kind merged.
pub fn diff(old: &str, new: &str) -> Vec<Piece> {
    let (a, b) = (words(old), words(new));
    // Words compare without their trailing spaces: a word followed by a line
    // break in one text and a space in the other is the same word.
    let same = |x: &str, y: &str| x.trim_end() == y.trim_end();
    // The common prefix and suffix are kept as they are: the table below is
    // quadratic, and most edits touch a few words of a long text.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| same(x, y)).count();
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
            lcs[i][j] = if same(ma[i], mb[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut pieces = Vec::new();
    let mut push = |piece: Piece| pieces.push(piece);
    for w in &b[..prefix] {
        push(Piece::Same((*w).to_string()));
    }
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && same(ma[i], mb[j]) {
            push(Piece::Same(mb[j].to_string()));
            i += 1;
            j += 1;
        } else if j == mb.len() || (i < ma.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            push(Piece::Deleted(ma[i].to_string()));
            i += 1;
        } else {
            push(Piece::Inserted(mb[j].to_string()));
            j += 1;
        }
    }
    for w in &b[b.len() - suffix..] {
        push(Piece::Same((*w).to_string()));
    }
    merge(pieces)
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
            show(&diff("Ouverture d'une crèche de 12 places.", "Ouverture d'une micro-crèche de 14 places.")),
            "Ouverture d'une [-crèche -]{+micro-crèche +}de [-12 -]{+14 +}places."
        );
        assert_eq!(show(&diff("a b", "a b")), "a b");
        assert_eq!(show(&diff("", "un mot")), "{+un mot+}");
        assert_eq!(show(&diff("un mot", "")), "[-un mot-]");
    }

    #[test]
    fn the_texts_come_back_whole() {
        let (old, new) = ("- un\n- deux\n\n**trois** quatre", "- un\n- deux et demi\n\n*trois* quatre");
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
        assert_eq!(kept(true).split_whitespace().collect::<Vec<_>>(), old.split_whitespace().collect::<Vec<_>>());
    }
}
