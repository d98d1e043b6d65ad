//! Every mistake an officer can make in `data/` or `templates/` gets a clear
//! French error, never a crash, and never changes `out/`.
//!
//! Each folder of `tests/invalid/` is one mistake: the small fixture project
//! `tests/fixtures/mini` with ONE defect. The files under `<case>/projet/` replace
//! or add to the fixture's; `<case>/expected.txt` lists the substrings that
//! stderr must contain (file:line:column, message, hint), one per line, after
//! `#` comments and `! key: value` directives:
//!
//! - `! base: autre-modele` starts from `tests/fixtures/autre-modele` (a plan
//!   of another shape) instead of `mini`;
//! - `! commande: build` runs `ctg build` instead of `ctg check`;
//! - `! code: 0` expects success (warnings only);
//! - `! supprimer: PATH` removes a file or folder of the fixture;
//! - `! lien: PATH -> TARGET` creates a symbolic link (not storable in git);
//! - `! lien-externe: PATH` creates a link to a file outside the project;
//! - `! illisible: PATH` removes the read permission of a file;
//! - `! conserve: NAME` expects `out/NAME` to be written for inspection.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// One case folder, read.
struct Case {
    name: String,
    dir: PathBuf,
    /// The fixture the defect is made in.
    base: String,
    command: String,
    code: i32,
    expected: Vec<String>,
    directives: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let root = project_root().join("tests/invalid");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(dir.join("expected.txt"))
                .unwrap_or_else(|e| panic!("{name}/expected.txt: {e}"));
            let mut case = Case {
                name,
                dir,
                base: "mini".into(),
                command: "check".into(),
                code: 1,
                expected: Vec::new(),
                directives: Vec::new(),
            };
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if line.starts_with('#') {
                    continue;
                }
                if let Some(directive) = line.strip_prefix('!') {
                    let (key, value) = directive.split_once(':').expect("`! key: value`");
                    let (key, value) = (key.trim(), value.trim());
                    match key {
                        "commande" => case.command = value.into(),
                        "base" => case.base = value.into(),
                        "code" => case.code = value.parse().unwrap(),
                        _ => case.directives.push((key.into(), value.into())),
                    }
                } else {
                    case.expected.push(line.to_string());
                }
            }
            assert!(
                !case.expected.is_empty(),
                "{}: no expected message",
                case.name
            );
            case
        })
        .collect()
}

/// Copies every file under `from`, if it exists, into `to`, replacing what is there.
fn overlay(from: &Path, to: &Path) {
    if from.exists() {
        copy_dir(from, to);
    }
}

/// How a case runs once its defect is made.
#[derive(PartialEq)]
enum Run {
    /// As this user.
    AsIs,
    /// As the unprivileged user `nobody`: this user (root) ignores file
    /// permissions, so the unreadable file would be read.
    AsNobody,
    /// Not at all: the defect cannot be made here.
    Skip,
}

/// Applies the case's defect to the project at `root`, and says how to run it.
fn apply(case: &Case, root: &Path, outside: &Path) -> Run {
    overlay(&case.dir.join("projet"), root);
    for (key, value) in &case.directives {
        match key.as_str() {
            "supprimer" => {
                let path = root.join(value);
                if path.is_dir() {
                    fs::remove_dir_all(path).unwrap();
                } else {
                    fs::remove_file(path).unwrap();
                }
            }
            "lien" => {
                let (link, target) = value.split_once("->").expect("PATH -> TARGET");
                symlink(Path::new(target.trim()), &root.join(link.trim()));
            }
            "lien-externe" => {
                let secret = outside.join("ailleurs.toml");
                fs::write(&secret, "id = \"ailleurs\"\n").unwrap();
                symlink(&secret, &root.join(value));
            }
            "illisible" => {
                let path = root.join(value);
                set_readable(&path, false);
                if fs::read(&path).is_ok() {
                    // Permissions do not bind this user (root): the case runs as
                    // `nobody`, who must be able to reach the project.
                    if !Path::new(SETPRIV).exists() {
                        set_readable(&path, true);
                        return Run::Skip;
                    }
                    open_to_others(root);
                    return Run::AsNobody;
                }
            }
            "conserve" => {}
            other => panic!("{}: unknown directive `{other}`", case.name),
        }
    }
    Run::AsIs
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Runs commands as another user.
const SETPRIV: &str = "/usr/bin/setpriv";

/// Runs `ctg` as `nobody`, so that file permissions bind it.
fn ctg_as_nobody(args: &[&str]) -> std::process::Output {
    std::process::Command::new(SETPRIV)
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_ctg"),
        ])
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("setpriv runs")
}

/// Lets other users read the project, except the files made unreadable.
#[cfg(unix)]
fn open_to_others(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        let open = if entry.file_type().is_dir() {
            0o755
        } else if mode == 0 {
            0
        } else {
            0o644
        };
        fs::set_permissions(entry.path(), fs::Permissions::from_mode(open)).unwrap();
    }
}

#[cfg(unix)]
fn set_readable(path: &Path, readable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if readable { 0o644 } else { 0o000 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Text for comparison with the renderer's line wrapping undone: long messages
/// and hints are wrapped onto indented lines, some behind a `│` gutter, so all
/// whitespace and gutters are dropped on both sides.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

/// Asserts that `stderr` contains `expected`, wrapping aside.
fn assert_reports(case: &str, stderr: &str, expected: &str) {
    assert!(
        squeeze(stderr).contains(&squeeze(expected)),
        "{case}: `{expected}` missing from\n{stderr}"
    );
}

fn assert_no_crash(case: &str, stderr: &str) {
    for word in ["panicked", "RUST_BACKTRACE", "backtrace", "erreur interne"] {
        assert!(!stderr.contains(word), "{case}: `{word}` in\n{stderr}");
    }
}

/// Runs one case on a fresh copy of the fixture, then checks exit code and
/// messages.
fn run_case(case: &Case) -> Option<(tempfile::TempDir, String)> {
    let project = copy_project(&fixture(&case.base));
    let outside = tempfile::tempdir().unwrap();
    let run = apply(case, project.path(), outside.path());
    let root = project.path().to_str().unwrap();
    let output = match run {
        Run::AsIs => ctg(&[&case.command, "--root", root]),
        Run::AsNobody => ctg_as_nobody(&[&case.command, "--root", root]),
        Run::Skip => {
            eprintln!(
                "cas `{}` ignoré : les droits de fichier ne s'appliquent pas à cet utilisateur",
                case.name
            );
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(case.code),
        "{}: exit code\n{stderr}",
        case.name
    );
    assert_no_crash(&case.name, &stderr);
    for expected in &case.expected {
        assert_reports(&case.name, &stderr, expected);
    }
    Some((project, stderr))
}

#[test]
fn every_mistake_gets_its_message() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    for case in &cases {
        let Some((project, _)) = run_case(case) else {
            continue;
        };
        let out = project.path().join("out");
        let kept: Vec<&String> = case
            .directives
            .iter()
            .filter(|(k, _)| k == "conserve")
            .map(|(_, v)| v)
            .collect();
        if case.command == "check" {
            assert!(!out.exists(), "{}: `check` wrote {out:?}", case.name);
        }
        for name in kept {
            let text = fs::read_to_string(out.join(name))
                .unwrap_or_else(|e| panic!("{}: out/{name} not kept: {e}", case.name));
            assert!(!text.is_empty(), "{}: out/{name} is empty", case.name);
        }
    }
}

/// A first build succeeds; then each mistake in turn is made in the same project
/// and built: every file in `out/` stays byte for byte as it was.
#[test]
fn failed_builds_leave_out_byte_for_byte() {
    let cases = cases();
    let mut bases: Vec<&str> = cases.iter().map(|c| c.base.as_str()).collect();
    bases.sort();
    bases.dedup();
    assert!(bases.len() >= 2, "{bases:?}");
    for base in bases {
        let failing: Vec<&Case> = cases
            .iter()
            .filter(|c| c.code != 0 && c.base == base)
            .collect();
        failed_builds_leave_out_of(base, &failing);
    }
}

fn failed_builds_leave_out_of(base: &str, cases: &[&Case]) {
    let project = copy_project(&fixture(base));
    let root = project.path().to_str().unwrap();
    let ok = ctg(&["build", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = project.path().join("out");
    let mut before = files_in(&out);
    assert!(before.len() >= 2, "{before:?}");
    before.remove(Path::new(ctg::RECORD_FILE));

    let pristine = files_in(&project.path().join("data"));
    let outside = tempfile::tempdir().unwrap();
    for case in cases {
        // Back to the valid data, then this one defect.
        let data = project.path().join("data");
        if data.exists() {
            fs::remove_dir_all(&data).unwrap();
        }
        let _ = fs::remove_dir_all(project.path().join("templates"));
        for (rel, bytes) in &pristine {
            let path = data.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        // A case that needs another user is checked by `every_mistake_gets_its_message`.
        if apply(case, project.path(), outside.path()) != Run::AsIs {
            continue;
        }
        let failed = ctg(&["build", "--root", root]);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert_eq!(failed.status.code(), Some(1), "{}\n{stderr}", case.name);
        assert_no_crash(&case.name, &stderr);
        assert!(
            stderr.contains("aucun fichier n'a été modifié"),
            "{}: {stderr}",
            case.name
        );
        let mut after = files_in(&out);
        // The only files a failed build may add: the generated sources kept for
        // inspection, in the record of what builds wrote.
        after.retain(|path, _| !is_kept(path) && path != Path::new(ctg::RECORD_FILE));
        assert!(after == before, "{}: out/ changed", case.name);
    }
    // A successful build removes the kept sources again, the plan's and the
    // reviews' alike.
    let keeps = cases
        .iter()
        .any(|c| c.directives.iter().any(|(key, _)| key == "conserve"));
    assert_eq!(files_in(&out).keys().any(|p| is_kept(p)), keeps, "{base}");
    let _ = fs::remove_dir_all(project.path().join("templates"));
    fs::remove_dir_all(project.path().join("data")).unwrap();
    for (rel, bytes) in &pristine {
        let path = project.path().join("data").join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let ok = ctg(&["build", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let kept: Vec<PathBuf> = files_in(&out).into_keys().filter(|p| is_kept(p)).collect();
    assert!(kept.is_empty(), "{kept:?}");
}

/// Whether `path` (in `out/`) is a generated source kept for inspection.
fn is_kept(path: &Path) -> bool {
    path.to_str().is_some_and(ctg::is_kept_typst)
}

/// All problems of one run are reported, each in its own block, then exit 1.
#[test]
fn all_problems_of_a_run_are_reported() {
    let project = copy_project(&fixture("mini"));
    let outside = tempfile::tempdir().unwrap();
    // Five mistakes in five files, data and templates.
    let names = [
        "position-en-double",
        "fichier-vide",
        "sous-section-inconnue",
        "toml-mal-range",
        "gabarit-syntaxe",
    ];
    let all = cases();
    for name in names {
        let case = all.iter().find(|c| c.name == name).unwrap();
        assert!(apply(case, project.path(), outside.path()) == Run::AsIs);
    }
    let output = ctg(&["check", "--root", project.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    for name in names {
        let case = all.iter().find(|c| c.name == name).unwrap();
        for expected in &case.expected {
            assert_reports(name, &stderr, expected);
        }
    }
    assert!(stderr.contains("échec : 5 erreurs"), "{stderr}");
}

/// The words of the parsers' and readers' English messages.
fn english() -> regex::Regex {
    regex::Regex::new(
        r"(?i)\b(error|help|usage|unexpected|found|expected|invalid|unrecognized|tip|print|default|missing|required|string|literal|subcommand|file|zip|worksheet|sheet|exceeds|limit|characters|not|eof|end|tag|syntax|password|protected|unsupported|corrupt|checksum)\b",
    )
    .unwrap()
}

/// What an officer reads when the command line or a file is mistyped: French
/// only, never a word of the parsers' English.
#[test]
fn the_usual_mistakes_are_said_in_french_only() {
    let english = english();
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let runs: Vec<(Vec<&str>, &str)> = vec![
        (vec!["bild"], "commande inconnue : `bild`"),
        (
            vec!["build", "--racine", "x"],
            "option ou argument inconnu : `--racine`",
        ),
        (
            vec!["build", "--root"],
            "valeur manquante après `--root <DOSSIER>`",
        ),
        (
            vec!["build", "--bilan", "deux", "--root", root],
            "valeur invalide pour `--bilan <ANNÉE>` : `deux`",
        ),
        (vec!["diff"], "argument obligatoire manquant : `<ANCIENNE>`"),
        (vec!["suivi", "export", "99999999"], "nombre trop grand"),
        (vec![], "Utilisation : ctg <COMMANDE>"),
        (vec!["build", "--help"], "Affiche cette aide"),
        (vec!["--help"], "Commandes"),
    ];
    for (args, said) in runs {
        let out = ctg(&args);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains(said), "{args:?}: {all}");
        // `--help` is the option's name, known to every command line.
        let words = all.replace("--help", "");
        assert!(
            !english.is_match(&words),
            "{args:?}: {:?} in {all}",
            english.find(&words)
        );
        if !args.iter().any(|a| *a == "--help") {
            assert_eq!(out.status.code(), Some(2), "{args:?}");
        }
    }
    // The TOML parser's mistakes: an unclosed text, a missing value, a
    // missing quote, a duplicate key, an unclosed table header.
    let action = project.path().join("data/actions/logement/01-impayes.toml");
    let pristine = fs::read_to_string(&action).unwrap();
    for broken in [
        pristine.replace(
            "descriptif = \"Prévention des impayés\"",
            "descriptif = '''\nPrévention",
        ),
        pristine.replace("descriptif = \"Prévention des impayés\"", "descriptif ="),
        pristine.replace(
            "descriptif = \"Prévention des impayés\"",
            "descriptif = \"Prévention",
        ),
        pristine.replace(
            "descriptif = \"Prévention des impayés\"",
            "descriptif = 'a'\ndescriptif = 'b'",
        ),
        format!("[fiche\n{pristine}"),
        pristine.replace(
            "descriptif = \"Prévention des impayés\"",
            "descriptif = 'a' 'b'",
        ),
        pristine.replace("position = 1", "position = 1x"),
    ] {
        fs::write(&action, &broken).unwrap();
        let out = ctg(&["check", "--root", root]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{broken}\n{err}");
        assert!(!english.is_match(&err), "{:?} in {err}", english.find(&err));
    }
}

/// The convention's unknown key and a mistake its declarations hold are
/// reported in one run, not the second after the first is fixed.
#[test]
fn an_unknown_key_does_not_hide_the_other_mistakes_of_its_file() {
    let project = copy_project(&fixture("autre-modele"));
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    let broken = text
        .replacen(
            "premiere_colonne = \"Axes\"",
            "premiere_colone = \"Axes\"",
            1,
        )
        .replacen("type = \"montant\"", "type = \"euros\"", 1);
    assert_ne!(broken, text);
    fs::write(&convention, broken).unwrap();
    let out = ctg(&["check", "--root", project.path().to_str().unwrap()]);
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clé inconnue `premiere_colone`"), "{err}");
    assert!(err.contains("euros"), "{err}");
    assert!(err.contains("échec : 2 erreurs"), "{err}");
}

/// A mistake of each kind in the convention, in two actions and in a year's
/// follow-up: a wrong type, a missing key, a value the checks refuse. Every one
/// is reported in the first run, each at its place, and nothing else: the
/// values that stand in for the wrong ones while the rest is checked, and the
/// cells of a column whose type is unknown, give no message of their own.
#[test]
fn no_mistake_waits_for_the_next_run() {
    let project = copy_project(&fixture("autre-modele"));
    let data = project.path().join("data");
    let edit = |path: &str, changes: &[(&str, &str)]| {
        let path = data.join(path);
        let mut text = fs::read_to_string(&path).unwrap();
        for (from, to) in changes {
            assert!(text.contains(from), "{from} in {}", path.display());
            text = text.replacen(from, to, 1);
        }
        fs::write(&path, text).unwrap();
    };
    edit(
        "convention.toml",
        &[
            ("date = 2025-03-14", "date = \"hier\""),
            ("largeur = 2\n", "largeur = \"deux\"\n"),
            ("libelle = \"Pilote\"\n", ""),
            ("type = \"montant\"", "type = \"euros\""),
            (
                "id = \"jeunesse\"\n",
                "id = \"jeunesse\"\nnote = \"nulle-part\"\n",
            ),
        ],
    );
    edit(
        "actions/jeunesse/01-conseil-jeunes.toml",
        &[
            ("champ = \"jeunesse\"\n", ""),
            ("position = 1", "position = \"un\""),
            ("calendrier = \"2025-2028\"", "calendrier = \"bientôt\""),
        ],
    );
    edit(
        "actions/jeunesse/02-accueil-loisirs.toml",
        &[(
            "champ = \"jeunesse\"\n",
            "champ = \"jeunesse\"\nsous_section = \"adoss\"\n",
        )],
    );
    fs::create_dir_all(data.join("suivi")).unwrap();
    fs::write(
        data.join("suivi/2025.toml"),
        "[actions.jeunesse-conseil-jeunes]\netat = \"en cours\"\navancement = \"cent\"\n\n\
         [actions.jeunesse-accueil-loisirs]\netat = \"fini\"\n\n\
         [[actions.jeunesse-accueil-loisirs.indicateurs]]\nvaleur = 12\n",
    )
    .unwrap();
    let before = files_in(&data);
    let out = ctg(&["build", "--root", project.path().to_str().unwrap()]);
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Each message with its place, the file's top to bottom.
    let expected = [
        (
            "type de valeur incorrect : le texte \"hier\" au lieu d'une date",
            "convention.toml:9:8",
        ),
        (
            "type de valeur incorrect : le texte \"deux\" au lieu d'un nombre",
            "convention.toml:17:11",
        ),
        (
            "clé obligatoire manquante : `libelle`",
            "convention.toml:19:1",
        ),
        (
            "type de colonne inconnu : \"euros\"",
            "convention.toml:36:8",
        ),
        ("note inconnue : `nulle-part`", "convention.toml:56:8"),
        (
            "clé obligatoire manquante : `champ`",
            "actions/jeunesse/01-conseil-jeunes.toml:1:1",
        ),
        (
            "type de valeur incorrect : le texte \"un\" au lieu d'un nombre entier",
            "actions/jeunesse/01-conseil-jeunes.toml:3:12",
        ),
        (
            "échéance illisible : `bientôt`",
            "actions/jeunesse/01-conseil-jeunes.toml:8:14",
        ),
        (
            "sous-section inconnue : `adoss`",
            "actions/jeunesse/02-accueil-loisirs.toml:3:16",
        ),
        (
            "type de valeur incorrect : le texte \"cent\" au lieu d'un nombre entier",
            "suivi/2025.toml:3:14",
        ),
        ("état inconnu : \"fini\"", "suivi/2025.toml:6:8"),
        ("clé obligatoire manquante : `nom`", "suivi/2025.toml:8:1"),
    ];
    let mut from = 0;
    for (message, place) in expected {
        let wanted = format!("× {message}");
        let Some(at) = err[from..].find(&wanted) else {
            panic!("« {message} » missing, or out of order, in:\n{err}");
        };
        from += at;
        let located = err[from..].split_once('╭').map(|(_, rest)| rest);
        assert!(
            located.is_some_and(|rest| rest.starts_with(&format!("─[data/{place}]"))),
            "« {message} » not at {place}:\n{err}"
        );
    }
    assert!(
        err.contains(&format!("échec : {} erreurs", expected.len())),
        "{err}"
    );
    assert!(files_in(&data) == before, "data/ changed");
}

/// What an officer reads when a follow-up workbook cannot be written or read:
/// French only, naming the file and the place, never a word of the writer's
/// or the readers' English.
#[test]
fn the_workbooks_mistakes_are_said_in_french_only() {
    let english = english();
    let project = copy_project(&fixture("mini"));
    let root = project.path();
    let root_arg = root.to_str().unwrap();
    fs::create_dir_all(root.join("out")).unwrap();
    fs::write(root.join("out/avant.txt"), "déjà là").unwrap();
    let said = |out: &std::process::Output| {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr_line(out)
        );
        assert!(!english.is_match(&all), "{:?} in {all}", english.find(&all));
        assert_no_crash("suivi", &all);
        all
    };

    // Two texts too long for a cell: both are said in one run, each by its
    // file, line, action and column; nothing is written.
    let impayes = root.join("data/actions/logement/01-impayes.toml");
    let text = fs::read_to_string(&impayes).unwrap();
    let long = "a".repeat(40_000);
    fs::write(
        &impayes,
        text.replace(
            "descriptif = \"Prévention des impayés\"",
            &format!("descriptif = \"{long}\""),
        ),
    )
    .unwrap();
    let creche = root.join("data/actions/enfance/01-creche.toml");
    let text = fs::read_to_string(&creche).unwrap();
    fs::write(
        &creche,
        text.replace("► Ouverture d'une 2ème crèche.", &"b".repeat(50_000)),
    )
    .unwrap();
    let (data, out_dir) = (files_in(&root.join("data")), files_in(&root.join("out")));
    let out = ctg(&["suivi", "export", "2025", "--root", root_arg]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("data/actions/logement/01-impayes.toml:6 : texte trop long pour une cellule du classeur : « Descriptif » de l'action `logement-impayes`, 40 000 caractères pour 32 767 au plus"),
        "{all}"
    );
    assert!(
        all.contains("data/actions/enfance/01-creche.toml:7 : texte trop long pour une cellule du classeur : « Descriptif » de l'action `enfance-creche`, 50 0"),
        "{all}"
    );
    assert!(
        all.contains(
            "conseil : raccourcissez ce texte, ou placez le détail dans un document joint"
        ),
        "{all}"
    );
    assert!(
        all.contains("échec : 2 erreurs, aucun fichier n'a été modifié"),
        "{all}"
    );
    assert_eq!(files_in(&root.join("data")), data, "data/ modifié");
    assert_eq!(files_in(&root.join("out")), out_dir, "out/ modifié");

    // The workbook as exported, once the texts are short again.
    let project = copy_project(&fixture("mini"));
    let root = project.path();
    let root_arg = root.to_str().unwrap();
    let out = ctg(&["suivi", "export", "2025", "--root", root_arg]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let exported = fs::read(root.join("out/suivi-2025.xlsx")).unwrap();
    // Workbooks the readers give up on, each with the words that name its
    // place.
    let broken: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "tronque.xlsx",
            exported[..exported.len() / 2].to_vec(),
            "n'est pas un classeur Excel lisible : l'archive est abîmée ou incomplète",
        ),
        (
            "feuille-abimee.xlsx",
            rezipped(&exported, "xl/worksheets/sheet1.xml", |xml| {
                let cut = xml.find("</sheetData>").unwrap() - 40;
                xml[..cut].to_string()
            }),
            "n'est pas un classeur Excel lisible : une partie XML du classeur est mal formée ou incomplète (feuille « Suivi 2025 »)",
        ),
        (
            "textes-abimes.xlsx",
            rezipped(&exported, "xl/sharedStrings.xml", |xml| {
                xml.replace("</sst>", "<si")
            }),
            "n'est pas un classeur Excel lisible : une partie XML du classeur est mal formée ou incomplète (partie xl/sharedStrings.xml)",
        ),
        (
            "chiffre.xlsx",
            [[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1].as_slice(), &[0; 504]].concat(),
            "n'est pas un classeur Excel lisible : le classeur est protégé par un mot de passe, ou enregistré au format Excel 97-2003 (.xls)",
        ),
        (
            "contenu-abime.ods",
            zip_of(&[
                ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
                (
                    "META-INF/manifest.xml",
                    br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#.to_vec(),
                ),
                (
                    "content.xml",
                    br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet><table:table table:name="Suivi 2025"><table:table-row><table:table-cell"#.to_vec(),
                ),
            ]),
            "n'est pas un classeur OpenDocument lisible : une partie XML du classeur est mal formée ou incomplète (partie content.xml)",
        ),
        (
            "chiffre.ods",
            zip_of(&[
                ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
                (
                    "META-INF/manifest.xml",
                    br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry></manifest:manifest>"#.to_vec(),
                ),
                ("content.xml", vec![0x8F; 64]),
            ]),
            "n'est pas un classeur OpenDocument lisible : le classeur est protégé par un mot de passe",
        ),
    ];
    let data = files_in(&root.join("data"));
    for (name, bytes, expected) in &broken {
        let path = root.join(name);
        fs::write(&path, bytes).unwrap();
        let out = ctg(&[
            "suivi",
            "import",
            path.to_str().unwrap(),
            "--root",
            root_arg,
        ]);
        let all = said(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {all}");
        assert!(
            all.contains(&format!("{name}` {expected}")),
            "{name}: {all}"
        );
        assert!(all.contains("conseil : "), "{name}: {all}");
        assert_eq!(files_in(&root.join("data")), data, "{name}: data/ modifié");
    }
}

/// The workbook `bytes` with its part `name` changed by `change`.
fn rezipped(bytes: &[u8], name: &str, change: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        let part = file.name().to_string();
        if part == name {
            data = change(&String::from_utf8(data).unwrap()).into_bytes();
        }
        parts.push((part, data));
    }
    let parts: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    zip_of(&parts)
}

/// A zip archive of `parts`, `mimetype` stored as OpenDocument wants it.
fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in parts {
        let method = if *name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        out.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}
