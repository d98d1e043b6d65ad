//! A git repository holding two versions of the small plan of
//! `tests/fixtures/versions` (`v1`, tagged `v1.0`, then `v2`), built with gix
//! by the tests of versions and of amendments.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use super::copy_dir;

/// The two versions' folders.
pub fn versions() -> PathBuf {
    super::fixture("versions")
}

/// The files of folder `dir`, by path relative to it.
pub fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        // The record of how each document was made holds its files' dates.
        .filter(|e| e.file_name() != ctg::DOCUMENTS_FILE)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A commit whose tree holds the files of folder `dir`, and its symbolic
/// links as git stores them (the target's path as a blob), on `HEAD`.
pub fn commit_folder(repo: &gix::Repository, dir: &Path, message: &str) -> gix::ObjectId {
    let mut editor = repo
        .edit_tree(gix::ObjectId::empty_tree(gix::hash::Kind::Sha1))
        .unwrap();
    for (path, bytes) in files_of(dir) {
        let blob = repo.write_blob(&bytes).unwrap();
        editor
            .upsert(path.as_str(), gix::object::tree::EntryKind::Blob, blob)
            .unwrap();
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path_is_symlink() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy();
            let target = fs::read_link(entry.path()).unwrap();
            let blob = repo
                .write_blob(target.to_string_lossy().as_bytes())
                .unwrap();
            editor
                .upsert(rel.as_ref(), gix::object::tree::EntryKind::Link, blob)
                .unwrap();
        }
    }
    let tree = editor.write().unwrap();
    let signature = gix::actor::SignatureRef {
        name: "Caf d'Exemple".into(),
        email: "ctg@exemple.fr".into(),
        time: "1704067200 +0100",
    };
    let parents: Vec<gix::ObjectId> = repo
        .head_id()
        .map(|id| vec![id.detach()])
        .unwrap_or_default();
    repo.commit_as(signature, signature, "HEAD", message, tree, parents)
        .unwrap()
        .detach()
}

/// A git repository holding `v1` (tagged `v1.0`) then `v2` (on `HEAD`), with
/// the files of `v2` in its work tree; the project is the folder `projet` of
/// the repository, or its top when `folder` is false.
pub fn repository(folder: bool) -> (tempfile::TempDir, PathBuf) {
    repository_with(folder, |_| {})
}

/// The same, with more files in `v1`, written by `more` into its project folder.
pub fn repository_with(folder: bool, more: impl Fn(&Path)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = gix::init(dir.path()).unwrap();
    let staged = tempfile::tempdir().unwrap();
    let at = |version: &str| {
        let tree = staged.path().join(version);
        let project = if folder {
            tree.join("projet")
        } else {
            tree.clone()
        };
        copy_dir(&versions().join(version), &project);
        if version == "v1" {
            more(&project);
        } else {
            amends_tag(&project);
        }
        tree
    };
    let first = commit_folder(&repo, &at("v1"), "Plan signé");
    repo.tag_reference(
        "v1.0",
        first,
        gix::refs::transaction::PreviousValue::MustNotExist,
    )
    .unwrap();
    commit_folder(&repo, &at("v2"), "Avenant n° 1");
    let root = if folder {
        dir.path().join("projet")
    } else {
        dir.path().to_path_buf()
    };
    copy_dir(&versions().join("v2"), &root);
    amends_tag(&root);
    (dir, root)
}

/// In a repository, `v2`'s amendment amends the tag `v1.0`, not the folder
/// `../v1` beside it in the fixtures.
pub fn amends_tag(project: &Path) {
    let convention = project.join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    assert!(text.contains(FOLDER_SINCE), "{text}");
    fs::write(&convention, text.replace(FOLDER_SINCE, "depuis = \"v1.0\"")).unwrap();
}

/// How the fixture `v2` names the version it amends.
pub const FOLDER_SINCE: &str = "depuis = \"../v1\"";
