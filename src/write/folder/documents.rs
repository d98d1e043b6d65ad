//! What each document in an output folder was made from, and its files as
//! they were written: read by a build to skip a document made already, written
//! again after it.

use std::fs;
use std::path::Path;

use super::{is_output_name, write_all};

/// What each document in an output folder was made from, and its files as
/// they were written: a build skips a document whose inputs are the same and
/// whose files are still there as written.
pub const DOCUMENTS_FILE: &str = ".ctg-documents";

/// A document as made: the fingerprint of its inputs, and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub inputs: String,
    pub files: Vec<Stamp>,
}

/// A file as written: its size and modification time tell that it was left
/// alone since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub name: String,
    pub size: u64,
    pub modified: u128,
}

impl Stamp {
    /// The stamp of the output file `name` in `dir` now; `None` when it is
    /// not there as a plain file.
    pub fn of(dir: &Path, name: &str) -> Option<Stamp> {
        if !is_output_name(name) {
            return None;
        }
        let meta = fs::symlink_metadata(dir.join(name)).ok()?;
        if !meta.is_file() {
            return None;
        }
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Stamp {
            name: name.to_string(),
            size: meta.len(),
            modified,
        })
    }
}

impl Made {
    /// Whether every file of the document is in `dir` as it was written.
    pub fn still_in(&self, dir: &Path) -> bool {
        !self.files.is_empty()
            && self
                .files
                .iter()
                .all(|f| Stamp::of(dir, &f.name).as_ref() == Some(f))
    }
}

/// The documents recorded in `dir` by earlier builds, by name; none when the
/// record is missing or unreadable (every document is then made again).
pub fn documents_made(dir: &Path) -> std::collections::BTreeMap<String, Made> {
    let mut made = std::collections::BTreeMap::new();
    let Ok(text) = fs::read_to_string(dir.join(DOCUMENTS_FILE)) else {
        return made;
    };
    let mut current: Option<(String, Made)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("document ") {
            if let Some((name, document)) = current.take() {
                made.insert(name, document);
            }
            let Some((inputs, name)) = rest.split_once(' ') else {
                return Default::default();
            };
            current = Some((
                name.to_string(),
                Made {
                    inputs: inputs.to_string(),
                    files: Vec::new(),
                },
            ));
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let stamp = match (parts.next(), parts.next(), parts.next()) {
            (Some(size), Some(modified), Some(name)) => size
                .parse()
                .ok()
                .zip(modified.parse().ok())
                .map(|(size, modified)| Stamp {
                    name: name.to_string(),
                    size,
                    modified,
                }),
            _ => None,
        };
        match (stamp, current.as_mut()) {
            (Some(stamp), Some((_, document))) => document.files.push(stamp),
            _ => return Default::default(),
        }
    }
    if let Some((name, document)) = current {
        made.insert(name, document);
    }
    made
}

/// Records `made` in `dir`, replacing the earlier record. A record that
/// cannot be written only costs the next build its shortcut: it is removed.
pub fn record_documents(dir: &Path, made: &std::collections::BTreeMap<String, Made>) {
    let mut text = String::new();
    for (name, document) in made {
        text.push_str(&format!("document {} {name}\n", document.inputs));
        for f in &document.files {
            text.push_str(&format!("{} {} {}\n", f.size, f.modified, f.name));
        }
    }
    if write_all(dir, &[(DOCUMENTS_FILE, text.as_bytes())]).is_err() {
        let _ = fs::remove_file(dir.join(DOCUMENTS_FILE));
    }
}
