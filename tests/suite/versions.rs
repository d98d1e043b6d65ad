//! Versions of a plan: `ctg diff` between two project folders and between two
//! commits of a git repository, and `ctg build --revision`.
//!
//! `tests/fixtures/versions/v1` and `v2` are two versions of a small plan with,
//! between them, one change of each kind that `ctg diff` reports.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::git::*;
use common::*;
use ctg::{ActionChange, Cell, Changes, FieldActions, Listed, Modified};

fn modified(what: &str, old: &str, new: &str) -> Modified {
    Modified {
        what: what.into(),
        old: old.into(),
        new: new.into(),
        quoted: !matches!(what, "période" | "position"),
    }
}

/// Exactly the changes made between `v1` and `v2`.
fn expected() -> Changes {
    Changes {
        convention: vec![
            modified("période", "2024-2026", "2024-2027"),
            modified(
                "titre",
                "Convention Territoriale Globale",
                "Convention Territoriale Globale de la Communauté de communes d'Exemple",
            ),
        ],
        columns: vec![],
        fields: vec![
            Listed::Renamed {
                what: "sous-section `creches` du champ « Enfance »".into(),
                old: "Crèches".into(),
                new: "Crèches collectives".into(),
            },
            Listed::Added(
                "sous-section « Micro-crèches » (`micro-creches`) du champ « Enfance »".into(),
            ),
            Listed::Removed(
                "sous-section « Ludothèques » (`ludotheques`) du champ « Enfance »".into(),
            ),
            Listed::Renamed {
                what: "champ `parentalite`".into(),
                old: "Parentalité".into(),
                new: "Soutien à la parentalité".into(),
            },
            Listed::Added("champ « Jeunesse » (`jeunesse`)".into()),
            Listed::Removed("champ « Accès aux droits » (`acces-droits`)".into()),
        ],
        signatories: vec![
            Listed::Added("Commune d'Exemple (Le Maire)".into()),
            Listed::Removed("Département d'Exemple (Le Président du Conseil départemental)".into()),
        ],
        actions: vec![
            FieldActions {
                field: "enfance".into(),
                label: "Enfance".into(),
                changes: vec![
                    ActionChange::Changed {
                        id: "enfance-creche".into(),
                        former_id: None,
                        title: "Ouverture d'une crèche de 12 places".into(),
                        cells: vec![],
                        moves: vec![modified("sous-section", "Crèches", "Micro-crèches")],
                    },
                    ActionChange::Removed {
                        id: "enfance-ludotheque".into(),
                        title: "Création d'une ludothèque itinérante".into(),
                    },
                ],
            },
            FieldActions {
                field: "parentalite".into(),
                label: "Soutien à la parentalité".into(),
                changes: vec![
                    ActionChange::Changed {
                        id: "parentalite-reaap".into(),
                        former_id: None,
                        title: "Animation du réseau des parents, avec deux rencontres par an"
                            .into(),
                        cells: vec![Cell {
                            key: "descriptif".into(),
                            label: "Descriptif".into(),
                            old: "► Animation du réseau des parents.".into(),
                            new: "► Animation du réseau des parents, avec deux rencontres par an."
                                .into(),
                        },
                        // A list whose item changed inside bold text and
                        // gained a line, with typography ("1er", « »).
                        Cell {
                            key: "moyens_caf".into(),
                            label: "Moyens mobilisés par la Caf".into(),
                            old: "- Fonds REAAP : **12 000 €** par an\n- Prestation de service *LAEP*".into(),
                            new: "- Fonds REAAP : **15 000 €** par an, dès le 1er janvier\n- Prestation de service *LAEP*\n- Accompagnement par la conseillère « parentalité »".into(),
                        },
                        Cell {
                            key: "echeance".into(),
                            label: "Echéance".into(),
                            old: "2024-2026".into(),
                            new: "2024-2027".into(),
                        }],
                        moves: vec![],
                    },
                    ActionChange::Changed {
                        id: "enfance-laep".into(),
                        former_id: None,
                        title: "Ouverture d'un lieu d'accueil enfants-parents".into(),
                        cells: vec![],
                        moves: vec![modified("champ", "Enfance", "Soutien à la parentalité")],
                    },
                ],
            },
            FieldActions {
                field: "logement".into(),
                label: "Logement".into(),
                changes: vec![
                    ActionChange::Changed {
                        id: "logement-prevention-impayes".into(),
                        former_id: Some("logement-impayes".into()),
                        title: "Prévention des impayés de loyer".into(),
                        cells: vec![],
                        moves: vec![],
                    },
                    ActionChange::Changed {
                        id: "logement-decence".into(),
                        former_id: None,
                        title: "Lutte contre la non-décence des logements".into(),
                        cells: vec![],
                        moves: vec![modified("position", "2", "3")],
                    },
                ],
            },
            FieldActions {
                field: "jeunesse".into(),
                label: "Jeunesse".into(),
                changes: vec![ActionChange::Added {
                    id: "jeunesse-promeneurs".into(),
                    title: "Déploiement des Promeneurs du Net".into(),
                }],
            },
        ],
    }
}

fn ctg(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn a_template_that_is_a_link_in_a_revision_is_refused_as_in_the_folder() {
    let (_dir, root) = repository_with(false, |project| {
        fs::create_dir_all(project.join("templates")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", project.join("templates/table.typ.tera"))
            .unwrap();
    });
    let before = files_in(&root);
    let out = ctg(&["build", "--revision", "v1.0"], &root);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("`templates/table.typ.tera` est un lien symbolique dans la révision `v1.0`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("enregistrez le fichier lui-même"),
        "{stderr}"
    );
    assert_eq!(files_in(&root), before);
}

#[test]
fn diff_of_two_folders_reports_exactly_each_change() {
    // The old version is given relative to the project's root.
    let found = ctg::compare(&versions().join("v2"), "../v1", None).unwrap();
    assert_eq!(found.changes, expected());
    assert_eq!(found.old, "le dossier `../v1`");
    insta::assert_snapshot!(
        "diff_v1_v2",
        ctg::diff_report(&found.changes, &found.old, &found.new)
    );
    // An absolute path names the same version.
    let absolute = versions().join("v1");
    let found = ctg::compare(&versions().join("v2"), absolute.to_str().unwrap(), None).unwrap();
    assert_eq!(found.changes, expected());
}

#[test]
fn diff_exit_codes_guard_a_script() {
    let dir = versions();
    let changed = ctg(&["diff", "v1", "v2"], &dir);
    assert_eq!(changed.status.code(), Some(1));
    let stdout = String::from_utf8(changed.stdout).unwrap();
    assert!(
        stdout.starts_with("17 changements entre le dossier `v1` et le dossier `v2` :"),
        "{stdout}"
    );
    let same = ctg(&["diff", "v1", "v1"], &dir);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(same.stdout).unwrap(),
        "Aucun changement entre le dossier `v1` et le dossier `v1`.\n"
    );
    // NOUVELLE defaults to the project itself.
    let against_project = ctg(&["diff", "../v1", "--root", "v2"], &dir);
    assert_eq!(against_project.status.code(), Some(1));
}

#[test]
fn a_folder_that_is_no_project_is_a_reading_error() {
    let dir = versions();
    let out = ctg(&["diff", "v1/data", "v2"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("le dossier `v1/data` n'est pas un projet : il n'a pas de dossier `data/`"),
        "{stderr}"
    );
    // Neither a folder nor a revision, outside any repository.
    let outside = tempfile::tempdir().unwrap();
    copy_dir(&versions().join("v2"), outside.path());
    let out = ctg(&["diff", "v0"], outside.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("version `v0` introuvable : ce n'est pas un dossier, et le projet n'est pas dans un dépôt git"),
        "{stderr}"
    );
}

#[test]
fn an_invalid_version_is_named_with_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&versions().join("v1"), &dir.path().join("ancien"));
    copy_dir(&versions().join("v2"), &dir.path().join("nouveau"));
    fs::write(
        dir.path()
            .join("ancien/data/actions/logement/01-impayes.toml"),
        "id = \"logement-impayes\"\n",
    )
    .unwrap();
    let out = ctg(&["diff", "ancien", "nouveau"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("le dossier `ancien` n'est pas un plan valide"),
        "{stderr}"
    );
    assert!(
        stderr.contains("data/actions/logement/01-impayes.toml"),
        "{stderr}"
    );
}

#[test]
fn diff_of_two_commits_is_that_of_the_folders() {
    for folder in [false, true] {
        let (repo, root) = repository(folder);
        let git_before = files_of(&repo.path().join(".git"));
        let found = ctg::compare(&root, "v1.0", Some("HEAD")).unwrap();
        assert_eq!(found.changes, expected(), "project in a folder: {folder}");
        assert!(
            found.old.starts_with("la révision `v1.0` (commit "),
            "{}",
            found.old
        );
        // Against the work tree, and by the first commit's own name.
        let found = ctg::compare(&root, "HEAD~1", None).unwrap();
        assert_eq!(found.changes, expected());
        let same = ctg::compare(&root, "HEAD", None).unwrap();
        assert!(same.changes.is_empty());
        // Reading never writes into the repository.
        assert!(files_of(&repo.path().join(".git")) == git_before);
    }
}

#[test]
fn an_unknown_revision_is_a_reading_error() {
    let (_repo, root) = repository(false);
    let out = ctg(&["diff", "v9.9"], &root);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("révision `v9.9` introuvable dans le dépôt git"),
        "{stderr}"
    );
}

/// Builds the project `root` (a revision of it, if given) into `out`.
fn build(root: &Path, out: Option<PathBuf>, revision: Option<&str>) -> ctg::Report {
    ctg::build(&ctg::BuildOptions {
        root: root.to_path_buf(),
        out,
        write: true,
        revision: revision.map(str::to_string),
        ..ctg::BuildOptions::default()
    })
    .unwrap_or_else(|f| panic!("{f}: {:?}", f.0))
}

#[test]
fn a_revision_builds_byte_for_byte_as_its_folder() {
    let (_repo, root) = repository(true);
    build(&root, None, Some("v1.0"));
    let from_folder = tempfile::tempdir().unwrap();
    build(
        &versions().join("v1"),
        Some(from_folder.path().to_path_buf()),
        None,
    );
    let built = files_of(&root.join("out/v1.0"));
    let expected = files_of(from_folder.path());
    assert!(built.iter().any(|(name, _)| name == "plan.pdf"));
    assert!(built.iter().any(|(name, _)| name == "fiches.pdf"));
    let names =
        |files: &[(String, Vec<u8>)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&built), names(&expected));
    for ((name, a), (_, b)) in built.iter().zip(&expected) {
        assert!(
            a == b,
            "out/v1.0/{name} differs from the build of the folder v1"
        );
    }
    // The work tree, a later version, is left as it was, and `out/` only
    // receives the revision's folder.
    let v2 = tempfile::tempdir().unwrap();
    copy_dir(&versions().join("v2"), v2.path());
    amends_tag(v2.path());
    assert!(files_of(&root.join("data")) == files_of(&v2.path().join("data")));
    assert_eq!(fs::read_dir(root.join("out")).unwrap().count(), 1);
}

#[test]
fn a_revision_uses_its_own_templates() {
    // The signed version pinned its page's template in `templates/`.
    let marker = "<!-- gabarit figé de la version signée -->";
    let builtin = ctg::BUILTIN_TEMPLATES
        .iter()
        .find(|(name, _)| *name == "plan.html.tera")
        .unwrap()
        .1;
    let (_repo, root) = repository_with(false, |project| {
        fs::create_dir_all(project.join("templates")).unwrap();
        let pinned = builtin.replace(
            "{%- endblock body %}",
            &format!("{marker}\n{{%- endblock body %}}"),
        );
        assert_ne!(pinned, builtin);
        fs::write(project.join("templates/plan.html.tera"), pinned).unwrap();
    });
    build(&root, None, Some("v1.0"));
    let pinned = fs::read_to_string(root.join("out/v1.0/plan.html")).unwrap();
    assert!(pinned.contains(marker));
    // The work tree has no such template: its build uses the built-in one.
    build(&root, None, None);
    let current = fs::read_to_string(root.join("out/plan.html")).unwrap();
    assert!(!current.contains(marker));
    // A revision's folder name holds no path separator.
    assert_eq!(ctg::revision_folder("HEAD~1"), "HEAD-1");
    assert_eq!(ctg::revision_folder("feature/avenant"), "feature-avenant");
    assert_eq!(ctg::revision_folder(".."), "revision");
}

#[test]
fn build_revision_from_the_command_line() {
    let (_repo, root) = repository(false);
    let out = ctg(&["build", "--revision", "v1.0"], &root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join("out/v1.0/plan.pdf").is_file());
    let out = ctg(&["build", "--revision", "v9.9"], &root);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("révision `v9.9` introuvable dans le dépôt git"),
        "{stderr}"
    );
    assert!(!root.join("out/v9.9").exists());
}

#[test]
fn a_rewrapped_text_is_no_change_and_a_layout_change_says_so() {
    let project = with_signed_copy(&versions().join("v1"), "avant");
    let root = project.path();
    let sheet = root.join("data/actions/logement/02-decence.toml");
    let text = fs::read_to_string(&sheet).unwrap();
    // The description rewrapped on two lines, a space left after a word: the
    // documents show the same text.
    let rewrapped = text
        .replace(
            "► Lutte contre la non-décence",
            "► Lutte contre\nla non-décence",
        )
        .replace("\"Commune\"", "\"Commune \"");
    fs::write(&sheet, &rewrapped).unwrap();
    let root_arg = root.to_str().unwrap();
    let same = ctg(&["diff", "avant", "--root", root_arg], root);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    // A paragraph split in two is a change, which no word would show: the
    // report says that only the layout changed.
    fs::write(
        &sheet,
        rewrapped.replace(
            "Lutte contre\nla non-décence",
            "Lutte contre\n\nla non-décence",
        ),
    )
    .unwrap();
    let changed = ctg(&["diff", "avant", "--root", root_arg], root);
    assert_eq!(changed.status.code(), Some(1));
    let stdout = String::from_utf8(changed.stdout).unwrap();
    assert!(stdout.starts_with("1 changement entre"), "{stdout}");
    assert!(
        stdout.contains("        (Mise en forme seule modifiée (paragraphes, listes ou retours à la ligne) ; les mots sont inchangés.)\n"),
        "{stdout}"
    );
}
