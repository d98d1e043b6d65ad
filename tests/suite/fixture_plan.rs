//! A small fictional plan: snapshots of the generated Typst and HTML, text that
//! looks like code stays text, builds that fail change nothing in `out/`, and
//! the output folder: a build removes only what it wrote, never writes through
//! a link, refuses a folder that holds the project, and two builds into one
//! folder write one after the other.

use crate::common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

const SIGILS: &str = r#"#read("/etc/passwd") $x^2$ *a* _b_ [c] <d> @e \f"#;

#[test]
fn generated_typst_snapshot() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    insta::assert_snapshot!("mini_plan_typ", out.typst_source());
}

#[test]
fn generated_html_snapshot() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    // The PDF's size follows the annex's layout; tests/web.rs checks it.
    let html = regex::Regex::new(r"\(PDF, [^)]*\)")
        .unwrap()
        .replace(&out.html(), "(PDF, [taille])");
    insta::assert_snapshot!("mini_plan_html", html);
}

#[test]
fn code_like_text_is_printed_literally() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    let pdf = out.page_texts().join(" ");
    // Once as the caption (plain text), once as a cell (Markdown with escapes).
    assert_eq!(
        normalise(&pdf).matches(&normalise(SIGILS)).count(),
        2,
        "{pdf}"
    );
    assert!(pdf.contains("<script>alert('x')</script>"), "{pdf}");
    assert!(pdf.contains("Crèches <script>alert(1)</script>"), "{pdf}");

    let html = &out.html();
    assert_eq!(html_text(html).matches(SIGILS).count(), 2);
    assert!(html_text(html).contains("<script>alert('x')</script>"));
    assert!(
        !html.contains("<script"),
        "no script element may reach the page"
    );
    assert!(!html.contains("<d>"));
    assert!(!html.contains("javascript:"));
    assert!(html.contains("<a href=\"https://exemple.fr\">lien</a>"));
}

#[test]
fn two_builds_give_the_same_bytes() {
    let (_, a) = ctg::render_project(&fixture("mini")).unwrap();
    let (_, b) = ctg::render_project(&fixture("mini")).unwrap();
    assert!(a.pdf() == b.pdf(), "PDF differs between two builds");
    assert_eq!(a.html(), b.html());
}

#[test]
fn check_writes_nothing_and_reports_every_problem() {
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let ok = ctg(&["check", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!project.path().join("out").exists());

    let a = project.path().join("data/actions/logement/01-impayes.toml");
    fs::write(
        &a,
        fs::read_to_string(&a)
            .unwrap()
            .replace("descriptif =", "descriptiff ="),
    )
    .unwrap();
    let b = project.path().join("data/actions/logement/02-decence.toml");
    fs::write(
        &b,
        fs::read_to_string(&b)
            .unwrap()
            .replace("champ = \"logement\"", "champ = \"logment\""),
    )
    .unwrap();
    let failed = ctg(&["check", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("vouliez-vous dire `descriptif` ? Clés possibles ici : `descriptif`,"),
        "{stderr}"
    );
    assert!(
        stderr.contains("data/actions/logement/01-impayes.toml:6:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("champ d'intervention inconnu : `logment`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("vouliez-vous dire `logement` ?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("data/actions/logement/02-decence.toml:2:9"),
        "{stderr}"
    );
}

#[test]
fn emoji_print_as_themselves() {
    let project = copy_project(&fixture("mini"));
    let action = project.path().join("data/actions/logement/02-decence.toml");
    let text = fs::read_to_string(&action).unwrap();
    fs::write(
        &action,
        text.replace("Réhabiliter", "Réhabiliter 🏠 ✅ 👍🏽 ❤️"),
    )
    .unwrap();
    let (_, out) = ctg::render_project(project.path()).expect("emoji are printable");
    let pdf = out.page_texts().join(" ");
    assert!(
        normalise(&pdf).contains(&normalise("Réhabiliter 🏠 ✅ 👍🏽 ❤️")),
        "{pdf}"
    );
    assert!(html_text(&out.html()).contains("Réhabiliter 🏠 ✅ 👍🏽 ❤️"));
}

#[test]
fn the_reference_model_is_the_same_plan_however_it_is_declared() {
    // The fixture relabels the reference model with the former table of labels;
    // the same model declared column by column, as `ctg init` writes it, or not
    // declared at all, gives the same annex, byte for byte.
    let (_, labelled) = ctg::render_project(&fixture("mini")).unwrap();
    let convention = fs::read_to_string(fixture("mini").join("data/convention.toml")).unwrap();
    let (before, after) = convention.split_once("[colonnes]").unwrap();
    let (_, after) = after.split_once("\n[[champs]]").unwrap();
    let declared = ctg::declaration(&ctg::Shape::reference());
    for columns in [declared.as_str(), ""] {
        let project = copy_project(&fixture("mini"));
        fs::write(
            project.path().join("data/convention.toml"),
            format!("{before}{columns}\n[[champs]]{after}"),
        )
        .unwrap();
        let (_, out) = ctg::render_project(project.path()).expect("the plan builds");
        assert_eq!(out.typst_source(), labelled.typst_source());
        assert!(out.pdf() == labelled.pdf(), "PDF differs");
        assert_eq!(out.html(), labelled.html());
        assert_eq!(
            out.text("datapackage.json"),
            labelled.text("datapackage.json")
        );
    }
}

/// The files of an output folder, without the record of what was written.
fn outputs_in(out: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = files_in(out);
    files.remove(Path::new(ctg::RECORD_FILE));
    files
}

#[test]
fn a_build_removes_only_the_files_it_wrote() {
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let site = project.path().join("site");
    // The user's own files, named like outputs, in the folder given to `--out`.
    fs::create_dir_all(site.join("actions")).unwrap();
    fs::write(site.join("avenant-1.pdf"), "le mien").unwrap();
    fs::write(site.join("actions/contact.html"), "le mien").unwrap();
    fs::write(site.join("plan.erreur.typ"), "le mien").unwrap();
    let site_arg = site.to_str().unwrap();
    let built = ctg(&["build", "--root", root, "--out", site_arg]);
    assert!(built.status.success(), "{}", stderr_line(&built));
    let page = site.join("actions/logement-impayes.html");
    assert!(page.is_file());
    // An action leaves the plan: its page goes, the user's files stay.
    fs::remove_file(project.path().join("data/actions/logement/01-impayes.toml")).unwrap();
    let built = ctg(&["build", "--root", root, "--out", site_arg]);
    assert!(built.status.success(), "{}", stderr_line(&built));
    assert!(!page.exists());
    for (name, text) in [
        ("avenant-1.pdf", "le mien"),
        ("actions/contact.html", "le mien"),
        ("plan.erreur.typ", "le mien"),
    ] {
        assert_eq!(fs::read_to_string(site.join(name)).unwrap(), text, "{name}");
    }
    // The record names exactly the files of this build, with their hashes.
    let record = fs::read_to_string(site.join(ctg::RECORD_FILE)).unwrap();
    let outputs = outputs_in(&site);
    let recorded: Vec<&str> = record
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    assert!(recorded.contains(&"plan.pdf") && recorded.contains(&"actions/index.html"));
    for line in record.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = &outputs[Path::new(name)];
        assert_eq!(hash, ctg::sha256_hex(bytes), "{name}");
    }
    assert_eq!(recorded.len() + 3, outputs.len(), "{recorded:?}");
}

#[test]
fn an_output_folder_that_holds_the_project_or_its_data_is_refused() {
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let parent = project
        .path()
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let data = project.path().join("data");
    let cases = [
        (root.to_string(), "est le dossier du projet"),
        (parent, "est un dossier qui contient le projet"),
        (
            data.to_str().unwrap().to_string(),
            "est dans le dossier `data/` du projet",
        ),
    ];
    for (out, message) in cases {
        let before = files_in(project.path());
        let refused = ctg(&["build", "--root", root, "--out", &out]);
        let err = stderr_line(&refused);
        assert_eq!(refused.status.code(), Some(1), "{out}: {err}");
        assert!(
            err.contains(&format!("dossier de sortie refusé : `{out}` {message}")),
            "{err}"
        );
        assert!(err.contains("donnez-lui un dossier à elle"), "{err}");
        assert_eq!(files_in(project.path()), before, "{out}");
    }
}

#[test]
fn a_build_never_writes_through_a_link_in_its_output_folder() {
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let out = project.path().join("out");
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("logement-impayes.html"), "garder").unwrap();
    fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.join("actions")).unwrap();
    let before = files_in(elsewhere.path());
    let failed = ctg(&["build", "--root", root]);
    let err = stderr_line(&failed);
    assert_eq!(failed.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ce dossier est un lien vers un autre emplacement"),
        "{err}"
    );
    assert_eq!(files_in(elsewhere.path()), before);
    assert!(outputs_in(&out).is_empty(), "{:?}", outputs_in(&out).keys());
}

#[test]
fn builds_into_one_folder_at_once_leave_the_outputs_of_one_build() {
    // Two versions of a plan, built side by side into one folder, four at a
    // time, three rounds: each build succeeds, and the folder then holds the
    // outputs of one of them, every file.
    let first = copy_project(&fixture("mini"));
    let second = copy_project(&fixture("mini"));
    let convention = second.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    let edited = text.replace(
        "intitule = \"PLAN D'ACTIONS 2024 - 2026\"",
        "intitule = \"PLAN D'ACTIONS 2024 - 2026, DEUXIÈME VERSION\"",
    );
    assert_ne!(edited, text);
    fs::write(&convention, edited).unwrap();
    let convention_text = fs::read_to_string(&convention).unwrap();
    let reference = |project: &Path| {
        let out = tempfile::tempdir().unwrap();
        let built = ctg(&[
            "build",
            "--root",
            project.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert!(
            built.status.success(),
            "{}\n{convention_text}",
            stderr_line(&built)
        );
        outputs_in(out.path())
    };
    let (a, b) = (reference(first.path()), reference(second.path()));
    assert_ne!(a, b);
    let shared = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let builds: Vec<_> = [first.path(), second.path(), first.path(), second.path()]
            .iter()
            .map(|root| {
                Command::new(env!("CARGO_BIN_EXE_ctg"))
                    .args(["build", "--root", root.to_str().unwrap(), "--out"])
                    .arg(shared.path())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for build in builds {
            let done = build.wait_with_output().unwrap();
            assert!(
                done.status.success(),
                "round {round}: {}",
                stderr_line(&done)
            );
        }
        let found = outputs_in(shared.path());
        assert!(
            found == a || found == b,
            "round {round}: outputs of two builds mixed"
        );
    }
}

#[test]
fn a_reader_that_stops_reading_is_no_failure() {
    // `ctg build 2>&1 | head`: standard error closed before the build ends.
    let project = copy_project(&fixture("mini"));
    let mut build = Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args(["build", "--root", project.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(build.stderr.take());
    drop(build.stdout.take());
    let status = build.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(project.path().join("out/plan.pdf").is_file());
}

#[test]
fn a_build_says_one_line_per_document_and_its_warnings_last() {
    let project = copy_project(&fixture("mini"));
    let action = project.path().join("data/actions/logement/01-impayes.toml");
    let text = fs::read_to_string(&action).unwrap();
    fs::write(
        &action,
        text.replace("Moins d'expulsions", "Moins\u{200B} d'expulsions"),
    )
    .unwrap();
    let built = ctg(&["build", "--root", project.path().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr_line(&built));
    let stderr = String::from_utf8(built.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let out = project.path().join("out");
    let out = out.display();
    assert_eq!(
        lines[..4],
        [
            format!(
                "écrit {out}/plan.pdf, plan.html, plan.fragment.html, plan.docx, plan.csv, plan.json"
            ),
            format!("écrit {out}/datapackage.json"),
            format!("écrit {out}/fiches.pdf"),
            format!("écrit {out}/actions/ : 4 pages"),
        ]
    );
    assert!(!stderr.contains("sha256"), "{stderr}");
    // The warning comes after them, where it is seen.
    let warning = stderr.find("caractère invisible de largeur nulle").unwrap();
    assert!(
        warning > stderr.find("actions/ : 4 pages").unwrap(),
        "{stderr}"
    );
}
