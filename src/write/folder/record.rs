//! An output folder locked for one build, and the record of the files that
//! builds wrote there: a file leaves the folder only if the record names it
//! and it still holds what was written.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Staged, Written, failure, is_output_name, refuse_link};
use crate::diag::Diagnostic;

/// The record of the files a build wrote in its output folder, one line
/// each as `sha256sum` writes them (`<sha256>  <name>`), so that a copy of the
/// folder can also be checked with `sha256sum -c`.
pub const RECORD_FILE: &str = ".ctg-sorties.sha256";

/// An output folder, locked for one build's writes: two builds into one
/// folder (`ctg watch` and `ctg build`, say) write one after the other, so
/// that the folder always holds the outputs of one build.
pub struct OutputFolder {
    dir: PathBuf,
    /// The lock is on the folder itself, held until this is dropped: no file
    /// of its own is needed, and the system releases it if the process dies.
    _lock: fs::File,
    /// What earlier builds wrote: name → SHA-256.
    record: std::collections::BTreeMap<String, String>,
}

impl OutputFolder {
    /// Creates `dir` if needed and locks it, waiting for another build that
    /// writes there, with a word to say so.
    pub fn lock(dir: &Path) -> Result<Self, Diagnostic> {
        fs::create_dir_all(dir).map_err(|e| failure(dir, "création du dossier", &e))?;
        let lock = fs::File::open(dir).map_err(|e| failure(dir, "verrouillage", &e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                crate::say!(
                    "une autre construction écrit dans `{}` : attente de sa fin…",
                    dir.display()
                );
                lock.lock().map_err(|e| failure(dir, "verrouillage", &e))?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(failure(dir, "verrouillage", &e)),
        }
        let record = fs::read_to_string(dir.join(RECORD_FILE))
            .map(|text| parse_record(&text))
            .unwrap_or_default();
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            record,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `files` (all or nothing, see [`write_all`](super::write_all))
    /// and records them; then removes each file of the record that this write
    /// did not replace and that `stale` selects, if it still holds what was
    /// written (a file changed since is the user's: it stays, out of the record).
    pub fn replace(
        &mut self,
        files: &[(&str, &[u8])],
        stale: impl Fn(&str) -> bool,
    ) -> Result<Vec<Written>, Diagnostic> {
        self.replace_keeping(files, &[], stale)
    }

    /// The same, keeping `kept` (the files of documents not made again) as
    /// they are, in the record.
    pub fn replace_keeping(
        &mut self,
        files: &[(&str, &[u8])],
        kept: &[&str],
        stale: impl Fn(&str) -> bool,
    ) -> Result<Vec<Written>, Diagnostic> {
        // The hashes are computed while the files are written and synced.
        let (staged, hashes) = std::thread::scope(|scope| {
            let hashes = scope.spawn(|| {
                files
                    .iter()
                    .map(|(_, bytes)| crate::model::fingerprint::sha256_hex(bytes))
                    .collect::<Vec<_>>()
            });
            let staged = Staged::new(&self.dir).and_then(|mut staged| {
                for (name, contents) in files {
                    staged.add(name, contents)?;
                }
                Ok(staged)
            });
            let hashes = hashes.join().unwrap_or_else(|_| {
                files
                    .iter()
                    .map(|(_, bytes)| crate::model::fingerprint::sha256_hex(bytes))
                    .collect()
            });
            (staged, hashes)
        });
        let mut staged = staged?;
        // The record goes in place with the files it names; the files it no
        // longer names are removed after, so that it never names a file of
        // another's.
        let mut record = self.record.clone();
        let removed: Vec<(String, String)> = self
            .record
            .iter()
            .filter(|(name, _)| {
                !files.iter().any(|(n, _)| n == name)
                    && !kept.contains(&name.as_str())
                    && stale(name)
            })
            .map(|(name, hash)| (name.clone(), hash.clone()))
            .collect();
        for (name, _) in &removed {
            record.remove(name);
        }
        for ((name, _), hash) in files.iter().zip(&hashes) {
            record.insert(name.to_string(), hash.clone());
        }
        staged.add(RECORD_FILE, record_text(&record).as_bytes())?;
        let mut paths = staged.commit()?;
        paths.pop(); // the record's
        self.record = record;
        for (name, hash) in &removed {
            self.remove_if_unchanged(name, hash);
        }
        Ok(paths
            .into_iter()
            .zip(files.iter().zip(hashes))
            .map(|(path, ((_, bytes), sha256))| Written {
                path,
                size: bytes.len(),
                sha256,
            })
            .collect())
    }

    /// Removes `dir/name` if it still holds the contents of `hash`; a name
    /// that is no output's, or under a link, is never touched.
    fn remove_if_unchanged(&self, name: &str, hash: &str) {
        if !is_output_name(name) {
            return;
        }
        let path = self.dir.join(name);
        if let Some(parent) = path.parent()
            && parent != self.dir
            && refuse_link(parent).is_err()
        {
            return;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return;
        };
        if !meta.is_file() {
            return;
        }
        let unchanged = fs::read(&path)
            .is_ok_and(|bytes| crate::model::fingerprint::sha256_hex(&bytes) == hash);
        if unchanged {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The record's lines; a line that does not name an output file as a build
/// writes it is ignored, so that an edited record can never make a build
/// remove another file.
fn parse_record(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once("  "))
        .filter(|(hash, name)| {
            hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && is_output_name(name)
        })
        .map(|(hash, name)| (name.to_string(), hash.to_ascii_lowercase()))
        .collect()
}

fn record_text(record: &std::collections::BTreeMap<String, String>) -> String {
    record
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect()
}
