use super::*;

#[test]
fn all_files_or_none() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &[("a.txt", b"1"), ("b.txt", b"2")]).unwrap();
    assert_eq!(fs::read(dir.path().join("a.txt")).unwrap(), b"1");
    // A target that cannot be replaced (a folder) makes the whole write fail
    // before anything is renamed.
    fs::create_dir(dir.path().join("c.txt")).unwrap();
    fs::create_dir(dir.path().join("c.txt/x")).unwrap();
    let err = write_all(dir.path(), &[("a.txt", b"new"), ("c.txt", b"3")]);
    assert!(err.is_err());
    assert_eq!(
        fs::read(dir.path().join("a.txt")).unwrap(),
        b"1",
        "a.txt unchanged"
    );
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_killed_write_leaves_nothing_after_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &[("plan.pdf", b"1")]).unwrap();
    // A build killed between writing and renaming leaves its staged file.
    let left = stage(dir.path(), "plan.pdf", b"2", &dir.path().join("plan.pdf"))
        .unwrap()
        .into_temp_path()
        .keep()
        .unwrap();
    assert!(
        is_staged(left.file_name().unwrap().to_str().unwrap()),
        "{left:?}"
    );
    // Files of the user's that only look alike are not touched.
    let others = [
        ".notes.tmp",
        ".plan.pdf.tmp",
        "plan.pdf.AxRAyA.tmp",
        ".plan.pdf.AxRAyA.bak",
    ];
    for name in others {
        fs::write(dir.path().join(name), "garder").unwrap();
    }
    write_all(dir.path(), &[("plan.pdf", b"3")]).unwrap();
    assert!(!left.exists(), "{left:?} left behind");
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = others.iter().map(|s| s.to_string()).collect();
    expected.push("plan.pdf".into());
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn kept_files_are_written_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let generated = crate::diag::SourceFile::new("plan.erreur.typ", "#oups");
    let mut diags = vec![
        Diagnostic::error("a").keep(generated.clone()),
        Diagnostic::error("b").keep(generated),
    ];
    keep_for_inspection(dir.path(), &mut diags);
    assert_eq!(diags.len(), 3);
    assert!(!diags[2].is_error());
    assert_eq!(
        fs::read_to_string(dir.path().join("plan.erreur.typ")).unwrap(),
        "#oups"
    );
    // The next successful build removes it: it is in the record.
    let mut folder = OutputFolder::lock(dir.path()).unwrap();
    folder.replace(&[("plan.pdf", b"%PDF")], |_| true).unwrap();
    assert!(!dir.path().join("plan.erreur.typ").exists());
    assert!(dir.path().join("plan.pdf").exists());
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir, dir);
    names.sort();
    names
}

fn walk(top: &Path, dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.is_symlink() {
            names.extend(walk(top, &path));
        } else {
            let name = path.strip_prefix(top).unwrap().to_string_lossy();
            names.push(name.into_owned());
        }
    }
    names
}

#[test]
fn a_build_removes_only_what_it_wrote_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    // The user's own files, named like outputs.
    fs::create_dir(out.join("actions")).unwrap();
    fs::write(out.join("avenant-1.pdf"), "le mien").unwrap();
    fs::write(out.join("actions/contact.html"), "le mien").unwrap();
    let mut folder = OutputFolder::lock(out).unwrap();
    folder
        .replace(
            &[
                ("plan.pdf", b"1"),
                ("avenant-2.pdf", b"2"),
                ("actions/a.html", b"a"),
                ("actions/b.html", b"b"),
            ],
            |_| true,
        )
        .unwrap();
    // The user changes one output: it is theirs now.
    fs::write(out.join("actions/b.html"), "modifié à la main").unwrap();
    drop(folder);
    let mut folder = OutputFolder::lock(out).unwrap();
    let written = folder.replace(&[("plan.pdf", b"3")], |_| true).unwrap();
    assert_eq!(written.len(), 1);
    assert_eq!(
        written[0].sha256,
        crate::model::fingerprint::sha256_hex(b"3")
    );
    assert_eq!(
        names_in(out),
        [
            RECORD_FILE,
            "actions/b.html",
            "actions/contact.html",
            "avenant-1.pdf",
            "plan.pdf"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join("avenant-1.pdf")).unwrap(),
        "le mien"
    );
    // The record names what this build wrote, as `sha256sum -c` reads it.
    assert_eq!(
        fs::read_to_string(out.join(RECORD_FILE)).unwrap(),
        format!(
            "{}  plan.pdf\n",
            crate::model::fingerprint::sha256_hex(b"3")
        )
    );
    // Only the files `stale` selects go.
    folder
        .replace(&[("x.pdf", b"x")], |name| name != "plan.pdf")
        .unwrap();
    assert!(out.join("plan.pdf").exists());
}

#[test]
fn an_edited_record_cannot_remove_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let precious = dir.path().join("precieux.txt");
    fs::write(&precious, "x").unwrap();
    let hash = crate::model::fingerprint::sha256_hex(b"x");
    fs::write(
        out.join(RECORD_FILE),
        format!(
            "{hash}  ../precieux.txt\n{hash}  /tmp/precieux.txt\n{hash}  {}\n",
            precious.display()
        ),
    )
    .unwrap();
    let mut folder = OutputFolder::lock(&out).unwrap();
    folder.replace(&[("plan.pdf", b"1")], |_| true).unwrap();
    assert!(precious.exists());
}

#[cfg(unix)]
#[test]
fn a_subfolder_that_is_a_link_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let elsewhere = dir.path().join("ailleurs");
    fs::create_dir_all(&out).unwrap();
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("garder.html"), "garder").unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("actions")).unwrap();
    let mut folder = OutputFolder::lock(&out).unwrap();
    let err = folder
        .replace(&[("plan.pdf", b"1"), ("actions/a.html", b"a")], |_| true)
        .unwrap_err();
    assert!(
        err.message.contains("ce dossier est un lien"),
        "{}",
        err.message
    );
    assert_eq!(names_in(&elsewhere), ["garder.html"]);
    assert!(!out.join("plan.pdf").exists());
}

#[test]
fn an_output_folder_holding_the_project_or_in_its_sources_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("projet");
    fs::create_dir_all(root.join("data")).unwrap();
    let refused = |out: &Path| check_folder(&root, out).unwrap_err().message;
    assert!(refused(&root).contains("le dossier du projet"));
    assert!(refused(&root.join("data/../")).contains("le dossier du projet"));
    assert!(refused(dir.path()).contains("un dossier qui contient le projet"));
    assert!(refused(Path::new("/")).contains("un dossier qui contient le projet"));
    assert!(refused(&root.join("data")).contains("`data/`"));
    assert!(refused(&root.join("data/sortie")).contains("`data/`"));
    assert!(refused(&root.join("templates")).contains("`templates/`"));
    assert!(check_folder(&root, &root.join("out")).is_ok());
    assert!(check_folder(&root, &dir.path().join("site")).is_ok());
    assert!(check_folder(&root, &root.join("out/v1.0")).is_ok());
    // Nothing was created to find out.
    assert!(!root.join("out").exists());
}

#[test]
fn a_second_writer_waits_for_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let first = OutputFolder::lock(dir.path()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_path_buf();
    let second = std::thread::spawn(move || {
        let folder = OutputFolder::lock(&path).unwrap();
        tx.send(()).unwrap();
        drop(folder);
    });
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(300))
            .is_err(),
        "the second writer did not wait"
    );
    drop(first);
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the second writer goes on once the first is done");
    second.join().unwrap();
}
