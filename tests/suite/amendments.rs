//! The amendments' documents: `avenant-N.pdf`, `avenant-N.html` and
//! `avenant-N.docx` (read in detail by `tests/word.rs`), built
//! from the `[[avenants]]` of the convention, from folders and from git
//! revisions, and the mistakes an officer can make in declaring one.
//!
//! `tests/fixtures/versions/v2` declares amendment n° 1, from `../v1`.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::git::*;
use common::*;

/// The amended version of the fixture, built into a folder of the test area
/// once for all tests.
static BUILT: LazyLock<PathBuf> = LazyLock::new(|| {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("avenant-v2");
    let _ = fs::remove_dir_all(&out);
    build_to(&versions().join("v2"), &out);
    out
});

fn built() -> PathBuf {
    BUILT.clone()
}

fn build_to(root: &Path, out: &Path) -> ctg::Report {
    ctg::build(&ctg::BuildOptions {
        root: root.to_path_buf(),
        out: Some(out.to_path_buf()),
        write: true,
        emit_typst: true,
        ..ctg::BuildOptions::default()
    })
    .unwrap_or_else(|f| panic!("{f}: {:?}", f.0))
}

/// The part of `text` from `start` (included) to `end` (excluded).
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} absent"));
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{end} absent"));
    &text[from..to]
}

/// The table of changes of an amendment's web page.
fn changes_part(html: &str) -> &str {
    between(
        html,
        r#"<section aria-labelledby="ctg-av-modifications">"#,
        "</section>",
    )
}

/// Declares amendment n° 1 of the project at `root`, from its folder `since`,
/// then builds it into `root/out`: its web page.
fn amend_from(root: &Path, since: &str, object: &str) -> String {
    let convention = root.join("data/convention.toml");
    let mut text = fs::read_to_string(&convention).unwrap();
    text.push_str(&format!(
        "\n[[avenants]]\nnumero = 1\ndate = 2026-06-01\ndepuis = \"{since}\"\nobjet = \"{object}\"\n"
    ));
    fs::write(&convention, text).unwrap();
    let out = root.join("out");
    build_to(root, &out);
    fs::read_to_string(out.join("avenant-1.html")).unwrap()
}

/// The amendment's documents in memory: its prepared versions and PDF.
fn rendered(root: &Path) -> (Vec<ctg::Prepared>, ctg::Rendered) {
    let (plan, templates, _) = ctg::load_and_validate(root).unwrap();
    let prepared = ctg::prepare_amendments(root, &plan).unwrap();
    let document = ctg::Document::Amendment(&prepared[0])
        .render(&ctg::Inputs::new(
            &prepared[0].new,
            &Default::default(),
            &templates,
        ))
        .unwrap();
    (prepared, document)
}

#[test]
fn the_amendment_document_has_its_parts_in_order() {
    let (prepared, document) = rendered(&versions().join("v2"));
    assert_eq!(prepared.len(), 1);
    assert_eq!(prepared[0].changes.count(), 17);
    let pages: Vec<String> = document.page_texts().iter().map(|p| normalise(p)).collect();
    let all = pages.concat();
    // The title block, then the object, the changes with their legend, the
    // consolidated annex, and the signatures on the last page.
    let order = [
        "Avenantno1àlaConventionTerritorialeGlobaledelaCommunautédecommunesd'Exemple",
        "Caf/Communautédecommunesd'Exemple",
        "avenantdu15mars2025",
        "Objetdel’avenant",
        "lapériodeestprolongéed'unan,jusqu'en2027",
        "Modificationsdupland’actions",
        "17changementsparrapportàlaversion«../v1»",
        "Lecturedesmodifications.",
        "Période:20242026→20242027",
        "Ajout:Communed'Exemple(LeMaire)",
        "Enfance",
        "Actionsupprimée",
        "Soutienàlaparentalité",
        "Actionmodifiée",
        "Jeunesse",
        "Actionajoutée",
        "Pland’actionsconsolidé",
        "Signatures",
    ];
    let mut at = 0;
    for part in order {
        let found = all[at..]
            .find(part)
            .unwrap_or_else(|| panic!("« {part} » absent ou hors d'ordre"));
        at += found + part.len();
    }
    // Each row of the consolidated annex that an amendment touched says so:
    // five actions changed or moved, one added; the removed one is gone.
    assert_eq!(all.matches("modifiéparl’avenantno1").count(), 5, "{all}");
    assert_eq!(all.matches("ajoutéparl’avenantno1").count(), 1);
    let last = pages.last().unwrap();
    for signatory in [
        "Cafd'Exemple",
        "Communautédecommunesd'Exemple",
        "Communed'Exemple",
    ] {
        assert!(last.contains(signatory), "{last}");
    }
    assert!(last.contains("le15mars2025"), "{last}");
    // Every page is traced to the amended data: its fingerprint in the footer.
    let fingerprint = &ctg::plan_fingerprint(&prepared[0].new)[..8];
    assert!(pages.iter().all(|p| p.contains(fingerprint)));
}

#[test]
fn the_documents_are_written_dated_and_deterministic() {
    let out = built();
    let pdf = fs::read(out.join("avenant-1.pdf")).unwrap();
    let html = fs::read_to_string(out.join("avenant-1.html")).unwrap();
    // Dated by the amendment, titled by it.
    let meta = xmp(&lopdf::Document::load_mem(&pdf).unwrap());
    assert!(
        meta.contains("2025-03-15T00:00:00"),
        "date de création : {meta}"
    );
    assert!(meta.contains("Avenant n°\u{a0}1 à la Convention Territoriale Globale"));
    assert!(html.contains("<title>Avenant n°\u{a0}1 à la Convention Territoriale Globale"));
    assert!(html.contains(r#"<a href="avenant-1.pdf" type="application/pdf">"#));
    // The same data gives the same bytes.
    let again = Path::new(env!("CARGO_TARGET_TMPDIR")).join("avenant-v2-bis");
    let _ = fs::remove_dir_all(&again);
    build_to(&versions().join("v2"), &again);
    for file in [
        "avenant-1.pdf",
        "avenant-1.html",
        "avenant-1.docx",
        "avenant-1.typ",
    ] {
        assert!(
            fs::read(out.join(file)).unwrap() == fs::read(again.join(file)).unwrap(),
            "{file} change d'une construction à l'autre"
        );
    }
}

#[test]
fn the_plan_page_links_to_each_amendment() {
    let out = built();
    let html = fs::read_to_string(out.join("plan.html")).unwrap();
    let list = between(
        &html,
        r#"<nav class="annexe" aria-labelledby="ctg-avenants">"#,
        "</nav>",
    );
    assert!(
        list.contains("<li><a href=\"avenant-1.html\">Avenant n°\u{a0}1 du 15 mars 2025</a></li>"),
        "{list}"
    );
    assert!(out.join("avenant-1.html").is_file());
    // A plan without amendment has no such list.
    let signed = build_in_test_area("avenant-v1", &versions().join("v1"));
    let html = fs::read_to_string(signed.join("plan.html")).unwrap();
    assert!(!html.contains("ctg-avenants"));
}

#[test]
fn the_marks_read_without_colour_and_by_a_screen_reader() {
    let out = built();
    let html = fs::read_to_string(out.join("avenant-1.html")).unwrap();
    let changes = changes_part(&html);
    // Every deletion and insertion states its meaning in words.
    let deleted = changes.matches("<del>").count();
    let inserted = changes.matches("<ins>").count();
    assert!(deleted >= 9 && inserted >= 9, "{deleted} {inserted}");
    assert_eq!(
        changes
            .matches(r#"<del><span class="ctg-cache">suppression"#)
            .count(),
        deleted
    );
    assert_eq!(
        changes
            .matches(r#"<ins><span class="ctg-cache">ajout"#)
            .count(),
        inserted
    );
    assert!(changes.contains("Lecture des modifications."));
    // In the PDF, a typographic mark beside the line through or under.
    let typ = fs::read_to_string(out.join("avenant-1.typ")).unwrap();
    assert!(typ.contains(r"#let del(body) = text(fill: del-fill)[\[\-#strike("));
    assert!(typ.contains(r"#let ins(body) = text(fill: ins-fill)[\{\+#underline("));
    let (_, document) = rendered(&versions().join("v2"));
    let text = document.page_texts().concat();
    assert!(
        text.contains("[-") && text.contains("-]") && text.contains("{+") && text.contains("+}")
    );
}

#[test]
fn snapshot_of_the_changes_table() {
    let out = built();
    let html = fs::read_to_string(out.join("avenant-1.html")).unwrap();
    insta::assert_snapshot!("avenant_changements_html", changes_part(&html));
    let typ = fs::read_to_string(out.join("avenant-1.typ")).unwrap();
    insta::assert_snapshot!(
        "avenant_changements_typst",
        between(
            &typ,
            "#heading(level: 2)[Modifications du plan d'actions]",
            "#pagebreak()"
        )
    );
}

#[test]
fn from_git_the_amendment_is_that_of_the_folders() {
    let (_repo, root) = repository(false);
    let from_git = root.join("out");
    build_to(&root, &from_git);
    let from_folders = built();
    // The same changes; only the name of the amended version differs.
    let git = fs::read_to_string(from_git.join("avenant-1.typ")).unwrap();
    let folders = fs::read_to_string(from_folders.join("avenant-1.typ")).unwrap();
    let named = |spec: &str| format!("«~{}~»", ctg::typst_markup(spec));
    assert!(git.contains(&named("v1.0")));
    assert_eq!(git, folders.replace(&named("../v1"), &named("v1.0")));
    // `--revision` builds the amended version as its folder: the amendment
    // documents included.
    let (_repo, root) = repository(false);
    let head = root.join("out-head");
    ctg::build(&ctg::BuildOptions {
        root: root.clone(),
        out: Some(head.clone()),
        write: true,
        emit_typst: true,
        revision: Some("HEAD".into()),
        ..ctg::BuildOptions::default()
    })
    .unwrap();
    assert!(
        fs::read(head.join("avenant-1.pdf")).unwrap()
            == fs::read(from_git.join("avenant-1.pdf")).unwrap()
    );
}

#[test]
fn an_amendment_gone_from_the_convention_takes_its_documents_with_it() {
    let project = copy_project(&versions().join("v2"));
    let root = project.path();
    // The amended version, beside the copy.
    copy_dir(&versions().join("v1"), &root.join("v1"));
    let convention = root.join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(&convention, text.replace(FOLDER_SINCE, "depuis = \"v1\"")).unwrap();
    let out = root.join("out");
    build_to(root, &out);
    assert!(out.join("avenant-1.pdf").is_file());
    assert!(out.join("avenant-1.docx").is_file());
    let cut = text.find("# L'avenant").unwrap();
    fs::write(&convention, &text[..cut]).unwrap();
    build_to(root, &out);
    assert!(!out.join("avenant-1.pdf").exists());
    assert!(!out.join("avenant-1.html").exists());
    assert!(!out.join("avenant-1.docx").exists());
    assert!(!out.join("avenant-1.typ").exists());
    assert!(out.join("plan.pdf").is_file());
}

/// The failure of building `root`, as the command line prints it, with the
/// outputs left as they were.
fn failure(root: &Path) -> ctg::Failure {
    let out = root.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("plan.pdf"), b"ancien").unwrap();
    let before = files_in(&out);
    let data = files_in(&root.join("data"));
    let failed = ctg::build(&ctg::BuildOptions {
        root: root.to_path_buf(),
        write: true,
        ..ctg::BuildOptions::default()
    })
    .expect_err("the build fails");
    assert!(files_in(&out) == before, "out/ a changé");
    assert!(files_in(&root.join("data")) == data, "data/ a changé");
    failed
}

/// The first error of building `root`, which must say `message` where the
/// amendment's `depuis` is written.
fn since_error(root: &Path, message: &str) -> ctg::Diagnostic {
    let first = failure(root).0.swap_remove(0);
    assert_eq!(first.message, message);
    assert_eq!(first.location().as_deref(), Some(since_location().as_str()));
    first
}

/// A copy of `v2` whose amendment's `depuis = "../v1"` is replaced by `line`.
fn with_since(line: &str) -> tempfile::TempDir {
    let project = copy_project(&versions().join("v2"));
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(&convention, text.replace(FOLDER_SINCE, line)).unwrap();
    project
}

/// Where `depuis` is written in the copies of `v2`: line and column of its value.
fn since_location() -> String {
    let text = fs::read_to_string(versions().join("v2/data/convention.toml")).unwrap();
    let line = text.lines().position(|l| l.starts_with("depuis")).unwrap() + 1;
    format!("data/convention.toml:{line}:10")
}

#[test]
fn a_since_that_names_no_revision_is_an_error_at_its_place() {
    // Out of any git repository.
    let project = with_since("depuis = \"v9.9\"");
    let first = since_error(
        project.path(),
        "avenant n° 1 : version `v9.9` introuvable : ce n'est pas un dossier, et le projet n'est pas dans un dépôt git",
    );
    assert!(
        first
            .hint
            .as_deref()
            .unwrap()
            .contains("chemin d'un dossier de projet")
    );
    // In a repository that has no such revision.
    let (_repo, root) = repository(false);
    let convention = root.join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(
        &convention,
        text.replace("depuis = \"v1.0\"", "depuis = \"v9.9\""),
    )
    .unwrap();
    since_error(
        &root,
        "avenant n° 1 : révision `v9.9` introuvable dans le dépôt git",
    );
    // On the command line: the message and a failing exit code.
    let out = ctg(&["build", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("révision `v9.9` introuvable dans le dépôt git"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_since_folder_that_is_no_project_is_an_error_at_its_place() {
    let project = with_since("depuis = \"ailleurs\"");
    fs::create_dir_all(project.path().join("ailleurs/documents")).unwrap();
    let first = since_error(
        project.path(),
        "avenant n° 1 : le dossier `ailleurs` n'est pas un projet : il n'a pas de dossier `data/`",
    );
    assert!(
        first
            .hint
            .as_deref()
            .unwrap()
            .contains("data/convention.toml")
    );
}

#[test]
fn two_amendments_with_one_number_is_an_error_at_the_second() {
    let project = copy_project(&versions().join("v2"));
    let convention = project.path().join("data/convention.toml");
    let mut text = fs::read_to_string(&convention).unwrap();
    let at = text.find("[[avenants]]").unwrap();
    let second = text[at..].to_string();
    text.push('\n');
    let line = text.lines().count() + 2;
    text.push_str(&second);
    fs::write(&convention, &text).unwrap();
    let failed = failure(project.path());
    let found = failed
        .0
        .iter()
        .find(|d| d.message == "avenant n° 1 déclaré deux fois")
        .unwrap_or_else(|| panic!("{:?}", failed.0));
    assert_eq!(
        found.location().as_deref(),
        Some(format!("data/convention.toml:{line}:10").as_str())
    );
    assert!(found.hint.as_deref().unwrap().contains("numéro suivant"));
}

#[test]
fn each_amendment_goes_to_the_next_ones_version_and_the_marks_add_up() {
    // Amendment n° 1 took `v1.0` to the commit on `HEAD`; n° 2, declared
    // since, changes one more action in the project's files.
    let (_repo, root) = repository(false);
    let convention = root.join("data/convention.toml");
    let mut text = fs::read_to_string(&convention).unwrap();
    text.push_str(
        "\n[[avenants]]\nnumero = 2\ndate = 2026-02-01\ndepuis = \"HEAD\"\nobjet = \"Le plan d'actions est complété.\"\n",
    );
    fs::write(&convention, text).unwrap();
    let sheet = root.join("data/actions/enfance/01-creche.toml");
    let action = fs::read_to_string(&sheet).unwrap();
    fs::write(&sheet, action.replace("Commune", "Commune et Département")).unwrap();
    // N° 2 also renames the action that n° 1 added.
    let added = root.join("data/actions/jeunesse/01-promeneurs.toml");
    let action = fs::read_to_string(&added).unwrap();
    fs::write(
        &added,
        action.replace(
            "id = \"jeunesse-promeneurs\"",
            "id = \"jeunesse-promeneurs-du-net\"\nancien_id = \"jeunesse-promeneurs\"",
        ),
    )
    .unwrap();
    let (plan, templates, _) = ctg::load_and_validate(&root).unwrap();
    let prepared = ctg::prepare_amendments(&root, &plan).unwrap();
    assert_eq!(prepared.len(), 2);
    // N° 2 says that the plan it amends is the one n° 1 made; n° 1 does not.
    let says = |i: usize| {
        let html = ctg::Document::Amendment(&prepared[i])
            .render(&ctg::Inputs::new(
                &prepared[i].new,
                &Default::default(),
                &templates,
            ))
            .unwrap();
        let html = html.html();
        let from = html.find("<p>Le présent avenant modifie").unwrap();
        html[from..from + html[from..].find("</p>").unwrap()].to_string()
    };
    assert!(
        says(0).starts_with("<p>Le présent avenant modifie le plan d&#39;actions de la convention, dans sa version «&nbsp;v1.0&nbsp;»"),
        "{}",
        says(0)
    );
    assert!(
        says(1).starts_with("<p>Le présent avenant modifie le plan d&#39;actions de la convention, tel que modifié par l&#39;avenant n°\u{a0}1, dans sa version «&nbsp;HEAD&nbsp;»"),
        "{}",
        says(1)
    );
    // N° 1 is still exactly what was signed: from v1.0 to HEAD.
    assert_eq!(prepared[0].changes.count(), 17);
    assert_eq!(prepared[1].changes.count(), 2);
    let cells: Vec<&str> = prepared[1]
        .changes
        .actions
        .iter()
        .flat_map(|f| &f.changes)
        .flat_map(|c| match c {
            ctg::ActionChange::Changed { cells, .. } => {
                cells.iter().map(|c| c.key.as_str()).collect()
            }
            _ => vec![],
        })
        .collect();
    assert_eq!(cells, ["moyens_partenaires"]);
    // In n° 2's consolidated annex, the crèche was changed by both.
    let words: Vec<String> = prepared[1].marks["enfance-creche"]
        .iter()
        .map(|m| m.words())
        .collect();
    assert_eq!(
        words,
        [
            "modifié par l’avenant n°\u{a0}1",
            "modifié par l’avenant n°\u{a0}2"
        ]
    );
    // The action that n° 1 added and n° 2 renamed keeps both marks.
    let words: Vec<String> = prepared[1].marks["jeunesse-promeneurs-du-net"]
        .iter()
        .map(|m| m.words())
        .collect();
    assert_eq!(
        words,
        [
            "ajouté par l’avenant n°\u{a0}1",
            "modifié par l’avenant n°\u{a0}2"
        ]
    );
    assert!(
        !prepared[0].marks["enfance-creche"]
            .iter()
            .any(|m| m.number == 2)
    );
}

#[test]
fn an_amendment_that_changes_nothing_is_warned_about() {
    let (_repo, root) = repository(false);
    let convention = root.join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(
        &convention,
        text.replace("depuis = \"v1.0\"", "depuis = \"HEAD\""),
    )
    .unwrap();
    let report = build_to(&root, &root.join("out"));
    let warning = report
        .warnings
        .iter()
        .find(|w| {
            w.message.starts_with(
                "l'avenant n° 1 ne change rien au plan d'actions depuis la révision `HEAD`",
            )
        })
        .unwrap_or_else(|| panic!("{:?}", report.warnings));
    assert_eq!(
        warning.location().as_deref(),
        Some(since_location().as_str())
    );
    // Its document says so, and is still built.
    let html = fs::read_to_string(root.join("out/avenant-1.html")).unwrap();
    assert!(html.contains("<p>L'avenant ne modifie pas le plan d'actions.</p>"));
}

#[test]
fn an_amendment_towards_an_older_version_is_warned_about_at_its_vers() {
    // `depuis` names a version edited in June 2024, `vers` one of January:
    // the two are swapped.
    let dir = tempfile::tempdir().unwrap();
    let edited = |from: &str, to: &Path, date: &str| {
        copy_dir(&versions().join(from), to);
        let convention = to.join("data/convention.toml");
        let text = fs::read_to_string(&convention).unwrap();
        assert!(text.contains("\ndate = 2024-01-15\n"));
        fs::write(
            &convention,
            text.replace("\ndate = 2024-01-15\n", &format!("\ndate = {date}\n")),
        )
        .unwrap();
    };
    edited("v1", &dir.path().join("juin"), "2024-06-01");
    edited("v2", &dir.path().join("janvier"), "2024-01-15");
    let root = dir.path().join("projet");
    edited("v2", &root, "2024-09-01");
    let convention = root.join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    fs::write(
        &convention,
        text.replace(FOLDER_SINCE, "depuis = \"../juin\"\nvers = \"../janvier\""),
    )
    .unwrap();
    let (plan, _, _) = ctg::load_and_validate(&root).unwrap();
    let prepared = ctg::prepare_amendments(&root, &plan).unwrap();
    let warnings = ctg::amendment_warnings(&prepared);
    let warning = warnings
        .iter()
        .find(|w| w.message.contains("à une version plus ancienne"))
        .unwrap_or_else(|| panic!("{warnings:?}"));
    assert_eq!(
        warning.message,
        "l'avenant n° 1 va d'une version du plan éditée le 1er juin 2024 à une version plus ancienne, éditée le 15 janvier 2024"
    );
    let line = text.lines().position(|l| l.starts_with("depuis")).unwrap() + 2;
    assert_eq!(
        warning.location().as_deref(),
        Some(format!("data/convention.toml:{line}:8").as_str())
    );
}

#[test]
fn a_plan_of_another_model_shows_its_own_columns_and_a_hidden_one_that_changed() {
    // The model of `autre-modele`: « Axes », a group of columns, « Public
    // visé » kept out of the table.
    let project = with_signed_copy(&fixture("autre-modele"), "signe");
    let root = project.path();
    let actions = root.join("data/actions");
    let sheet = walkdir::WalkDir::new(&actions)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .find(|e| {
            e.file_type().is_file()
                && fs::read_to_string(e.path())
                    .unwrap()
                    .contains("public_vise =")
        })
        .expect("an action with a public")
        .into_path();
    let text = fs::read_to_string(&sheet).unwrap();
    let public = text
        .lines()
        .find(|l| l.starts_with("public_vise ="))
        .unwrap()
        .to_string();
    fs::write(
        &sheet,
        text.replace(&public, "public_vise = \"Les familles monoparentales\""),
    )
    .unwrap();
    let html = amend_from(root, "signe", "Le public d'une action est précisé.");
    let changes = changes_part(&html);
    assert!(changes.contains(">Changement</th>"), "{changes}");
    assert!(changes.contains(">Public visé</th>"), "{changes}");
    assert!(changes.contains("monoparentales"), "{changes}");
    // The consolidated annex keeps the plan's own table, without the hidden column.
    let annex = between(
        &html,
        r#"<section aria-labelledby="ctg-av-consolide">"#,
        "</section>",
    );
    assert!(!annex.contains("Public visé"));
    assert!(annex.contains("Axes"));
    // The Word document too: the hidden column in the table of changes only.
    let docx = fs::read(root.join("out/avenant-1.docx")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert_eq!(xml.matches(">Public visé<").count(), 1, "{xml}");
    assert!(xml.contains(">Changement<") && xml.contains("monoparentales"));
    assert!(xml.contains(">Axes<"));
}

#[test]
fn a_cell_changed_in_layout_only_says_so_and_a_rewrapped_one_is_unchanged() {
    let project = with_signed_copy(&versions().join("v1"), "signe");
    let root = project.path();
    // One description split in two paragraphs, another only rewrapped.
    let split = root.join("data/actions/logement/02-decence.toml");
    let text = fs::read_to_string(&split).unwrap();
    fs::write(
        &split,
        text.replace(
            "► Lutte contre la non-décence",
            "► Lutte contre\n\nla non-décence",
        ),
    )
    .unwrap();
    let rewrapped = root.join("data/actions/logement/01-impayes.toml");
    let text = fs::read_to_string(&rewrapped).unwrap();
    let rewrap = text.replacen("\n► ", "\n►\n", 1);
    assert_ne!(rewrap, text);
    fs::write(&rewrapped, rewrap).unwrap();
    let html = amend_from(root, "signe", "Une description est mise en forme.");
    let changes = changes_part(&html);
    // Only the split one is a change, and its cell says what changed.
    assert_eq!(changes.matches("Action modifiée").count(), 1, "{changes}");
    assert!(changes.contains("non-décence"), "{changes}");
    assert!(!changes.contains("impayés"), "{changes}");
    assert!(
        changes.contains(&format!(
            "<p class=\"ctg-inchange\">{}</p>",
            ctg::LAYOUT_ONLY
        )),
        "{changes}"
    );
    let typst = fs::read_to_string(root.join("out/avenant-1.typ")).unwrap();
    assert!(
        typst.contains("#emph[Mise en forme seule modifiée"),
        "{typst}"
    );
}
