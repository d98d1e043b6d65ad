//! `ctg init`, `ctg new action` and `ctg templates export`: the files an officer
//! starts from are valid, complete and never overwrite their work.

use crate::common;

use std::path::Path;

use common::*;

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `ctg new action ARGS --root ROOT`.
fn new_action(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["new", "action"];
    all.extend_from_slice(args);
    all.extend(["--root", path(root)]);
    ctg(&all)
}

/// An action file, as a TOML table.
fn read_table(file: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

#[test]
fn a_new_project_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ctg-exemple");
    let out = ctg(&["init", path(&root)]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    // The nouns agree with their numbers.
    let said = stderr_line(&out);
    assert!(
        regex::Regex::new(r"plan valide : 1 action, [0-9]+ pages")
            .unwrap()
            .is_match(&said),
        "{said}"
    );
    let convention = std::fs::read_to_string(root.join("data/convention.toml")).unwrap();
    // Commented for the officer who fills it in.
    assert!(
        convention.lines().filter(|l| l.starts_with("# ")).count() >= 10,
        "{convention}"
    );
    let check = ctg(&["check", "--root", path(&root)]);
    assert!(check.status.success(), "{}", stderr_line(&check));

    // A second init leaves the project alone.
    let again = ctg(&["init", path(&root)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr_line(&again).contains("existe déjà"),
        "{}",
        stderr_line(&again)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("data/convention.toml")).unwrap(),
        convention
    );
}

/// The keys of an action file, each with the comment line right above it.
fn commented_keys(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        if key.starts_with('#') || key.starts_with(' ') {
            continue;
        }
        let comment = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.is_empty())
            .copied()
            .unwrap_or("");
        out.push((key.to_string(), comment.to_string()));
    }
    out
}

#[test]
fn a_new_action_takes_the_next_position_and_a_fresh_id() {
    let copy = copy_project(&project_root());
    let out = new_action(copy.path(), &["--champ", "jeunesse"]);
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    let file = copy
        .path()
        .join("data/actions/jeunesse/07-nouvelle-action.toml");
    assert!(err.contains("position 7"), "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    let action: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(action["position"].as_integer(), Some(7));
    assert_eq!(action["champ"].as_str(), Some("jeunesse"));
    assert_eq!(action["echeance"].as_str(), Some("2023-2027"));
    let id = action["id"].as_str().unwrap();
    let (shipped, _) = ctg::render_project(&project_root()).unwrap();
    assert!(
        !shipped.actions.iter().any(|a| a.id == id),
        "{id} is already taken"
    );

    // Every key is there, each under a French comment.
    let keys = commented_keys(&text);
    let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "champ",
            "position",
            "descriptif",
            "moyens_caf",
            "moyens_partenaires",
            "objectifs",
            "resultat_attendu",
            "impact_envisage",
            "echeance"
        ]
    );
    for (key, comment) in &keys {
        assert!(
            comment.starts_with("# "),
            "{key} has no comment: {comment:?}"
        );
    }
    assert!(
        text.contains("# Colonne « Moyens mobilisés par la Caf »"),
        "{text}"
    );
    assert!(text.contains("# Sous-section"), "{text}");

    // The plan still builds, with the placeholder text in the new row.
    let check = ctg(&["check", "--root", path(copy.path())]);
    assert!(check.status.success(), "{}", stderr_line(&check));
    let (plan, _) = ctg::render_project(copy.path()).unwrap();
    assert_eq!(plan.actions.len(), shipped.actions.len() + 1);
    let new = plan.actions.iter().find(|a| a.id == id).unwrap();
    assert_eq!(
        new.text(&plan.convention.shape, "moyens_caf"),
        Some(ctg::PLACEHOLDER)
    );

    // A second one gets the next position and another id.
    let out = new_action(copy.path(), &["--champ", "Jeunesse"]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let second = read_table(
        &copy
            .path()
            .join("data/actions/jeunesse/08-nouvelle-action-2.toml"),
    );
    assert_eq!(second["position"].as_integer(), Some(8));
    assert_ne!(second["id"].as_str(), Some(id));
}

#[test]
fn a_new_action_can_have_a_title_and_a_sub_section() {
    let copy = copy_project(&project_root());
    let out = new_action(
        copy.path(),
        &[
            "--champ",
            "petite-enfance",
            "--sous-section",
            "rpe",
            "--titre",
            "Accueil des enfants à horaires atypiques",
        ],
    );
    assert!(out.status.success(), "{}", stderr_line(&out));
    let file = copy
        .path()
        .join("data/actions/petite-enfance/09-accueil-enfants-horaires-atypiques.toml");
    let action = read_table(&file);
    assert_eq!(
        action["id"].as_str(),
        Some("petite-enfance-accueil-enfants-horaires-atypiques")
    );
    assert_eq!(action["sous_section"].as_str(), Some("rpe"));
    assert_eq!(
        action["descriptif"].as_str().unwrap().trim(),
        "► Accueil des enfants à horaires atypiques"
    );
    let (plan, _) = ctg::render_project(copy.path()).unwrap();
    let rpe: Vec<u32> = plan
        .actions
        .iter()
        .filter(|a| a.subsection.as_deref() == Some("rpe"))
        .map(|a| a.position)
        .collect();
    assert_eq!(rpe, [6, 7, 8, 9], "the new action closes its sub-section");
}

#[test]
fn an_unknown_field_is_refused_with_the_known_ones() {
    let copy = copy_project(&project_root());
    let out = new_action(copy.path(), &["--champ", "jeunes"]);
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("champ d'intervention inconnu : `jeunes`"),
        "{err}"
    );
    assert!(err.contains("vouliez-vous dire `jeunesse` ?"), "{err}");
    assert!(
        err.contains("petite-enfance, jeunesse, parentalite"),
        "{err}"
    );
    assert!(!copy.path().join("data/actions/jeunes").exists());

    let out = new_action(
        copy.path(),
        &["--champ", "jeunesse", "--sous-section", "rpe"],
    );
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sous-section inconnue : `rpe`"), "{err}");
    assert!(
        err.contains("le champ `jeunesse` n'a pas de sous-section"),
        "{err}"
    );
}

#[test]
fn templates_are_exported_once_and_never_overwritten() {
    let copy = copy_project(&fixture("mini"));
    let out = ctg(&["templates", "export", "--root", path(copy.path())]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    for (name, builtin) in ctg::BUILTIN_TEMPLATES {
        let written = std::fs::read_to_string(copy.path().join("templates").join(name)).unwrap();
        assert_eq!(&written, builtin, "{name}");
    }
    // The exported templates are the project's own now, and build the same plan.
    let (_, own) = ctg::render_project(copy.path()).unwrap();
    let (_, builtin) = ctg::render_project(&fixture("mini")).unwrap();
    assert_eq!(own.typst_source(), builtin.typst_source());

    // An edited template is kept.
    let edited = copy.path().join("templates/plan.typ.tera");
    std::fs::write(&edited, "// modifié\n").unwrap();
    let again = ctg(&["templates", "export", "--root", path(copy.path())]);
    let err = stderr_line(&again);
    assert_eq!(again.status.code(), Some(1), "{err}");
    assert!(err.contains("plan.typ.tera"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), "// modifié\n");

    let forced = ctg(&[
        "templates",
        "export",
        "--force",
        "--root",
        path(copy.path()),
    ]);
    assert!(forced.status.success(), "{}", stderr_line(&forced));
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), "// modifié\n");
}

/// A project with every kind of document, in a temporary folder: `v2`, the
/// plan with its action sheets, a review (a 2026 follow-up) and an amendment
/// (from `../v1`).
fn every_document() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for version in ["v1", "v2"] {
        copy_dir(
            &fixture("versions").join(version),
            &dir.path().join(version),
        );
    }
    let follow_up = dir.path().join("v2/data/suivi");
    std::fs::create_dir_all(&follow_up).unwrap();
    std::fs::write(
        follow_up.join("2026.toml"),
        "[actions.enfance-creche]\netat = \"en cours\"\n",
    )
    .unwrap();
    dir
}

/// Builds the project at `root`, Typst sources included: the files of its
/// output folder, by name.
fn build_all(root: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let out = ctg(&["build", "--typst", "--root", path(root)]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    files_in(&root.join("out"))
}

/// The built-in template `name`.
fn builtin(name: &str) -> &'static str {
    ctg::BUILTIN_TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

/// Writes the project's own templates.
fn own_templates(root: &Path, templates: &[(&str, &str)]) {
    let dir = root.join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in templates {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn a_projects_own_page_templates_make_every_document() {
    let project = every_document();
    let root = project.path().join("v2");
    let typst_mark = "// Mise en page de la collectivité.";
    let html_mark = r#"<meta name="author" content="Collectivité">"#;
    own_templates(
        &root,
        &[
            (
                "page.typ.tera",
                &builtin("page.typ.tera").replace("// Généré", &format!("{typst_mark}\n// Généré")),
            ),
            (
                "page.html.tera",
                &builtin("page.html.tera").replace("<title>", &format!("{html_mark}\n<title>")),
            ),
        ],
    );
    let files = build_all(&root);
    let names = |ext: &str| -> Vec<String> {
        files
            .keys()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| p.ends_with(ext))
            .collect()
    };
    let text = |name: &str| String::from_utf8_lossy(&files[Path::new(name)]).into_owned();
    // Every PDF's settings: the plan, the sheets, the review, the amendment.
    let typst = names(".typ");
    assert_eq!(
        typst,
        ["avenant-1.typ", "bilan-2026.typ", "fiches.typ", "plan.typ"],
        "{typst:?}"
    );
    for name in &typst {
        assert!(text(name).starts_with(typst_mark), "{name}");
    }
    // Every web page, the sheets' too; not the fragment, pasted into a page.
    let html = names(".html");
    assert_eq!(html.len(), 11, "{html:?}");
    for name in &html {
        let page = text(name);
        assert_eq!(
            page.contains(html_mark),
            name != "plan.fragment.html",
            "{name}"
        );
    }
}

#[test]
fn a_projects_full_copies_of_the_document_templates_build_as_before() {
    // Copies of the documents' templates that write their page settings and
    // their <head> themselves, as exported before `page.typ.tera` and
    // `page.html.tera`: each used as it is, every file the same as with the
    // built-in templates.
    let reference = every_document();
    let own = every_document();
    let root = own.path().join("v2");
    copy_dir(
        &fixture("gabarits-complets/templates"),
        &root.join("templates"),
    );
    let expected = build_all(&reference.path().join("v2"));
    let built = build_all(&root);
    assert_eq!(
        built.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(&built[name] == bytes, "{}", name.display());
    }
}

#[test]
fn a_page_template_without_what_the_documents_use_is_named() {
    let project = every_document();
    let root = project.path().join("v2");
    let failure = |templates: &[(&str, &str)]| {
        let _ = std::fs::remove_dir_all(root.join("templates"));
        own_templates(&root, templates);
        let out = ctg(&["build", "--root", path(&root)]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr_line(&out));
        stderr_line(&out)
    };

    // An argument renamed in the component: each call names it, and where the
    // component is defined.
    let page = builtin("page.typ.tera")
        .replace("text_size: string", "size: string")
        .replace("{{ text_size | safe }}", "{{ size | safe }}");
    let err = failure(&[("page.typ.tera", &page)]);
    assert!(
        err.contains("argument inconnu du composant `typst_page` : `text_size`"),
        "{err}"
    );
    assert!(err.contains("templates/plan.typ.tera (intégré)"), "{err}");
    assert!(
        err.contains("défini dans `templates/page.typ.tera`"),
        "{err}"
    );
    assert!(err.contains("`size`"), "{err}");

    // The component gone: the documents say which template no longer defines it.
    let page = builtin("page.typ.tera").replace("typst_page", "page_pdf");
    let err = failure(&[("page.typ.tera", &page)]);
    assert!(
        err.contains("composant inconnu dans le gabarit : `typst_page`"),
        "{err}"
    );
    assert!(err.contains("ne le définit pas (ou plus)"), "{err}");

    // A block gone from the web page: each page that fills it says so.
    let page = builtin("page.html.tera").replace("{% block style %}{% endblock style %}", "");
    let err = failure(&[("page.html.tera", &page)]);
    assert!(
        err.contains("bloc inconnu du gabarit étendu : `style`"),
        "{err}"
    );
    assert!(err.contains("templates/fiche.html.tera (intégré)"), "{err}");
    assert!(err.contains("ne le déclare pas (ou plus)"), "{err}");

    // A mistake in the page template itself: said once, not again by each
    // document that uses it.
    let err = failure(&[("page.typ.tera", "{% component typst_page( %}")]);
    assert!(err.contains("templates/page.typ.tera"), "{err}");
    assert!(!err.contains("composant inconnu"), "{err}");
    assert!(err.contains("échec : 1 erreur"), "{err}");

    // Text added after the last block of a page, as to a full page before:
    // it would be lost, and the message says where it goes.
    let page = format!("{}<!-- ajouté -->\n", builtin("plan.html.tera"));
    let err = failure(&[("plan.html.tera", &page)]);
    assert!(
        err.contains("texte hors d'un bloc dans un gabarit qui en étend un autre"),
        "{err}"
    );
    assert!(err.contains("templates/plan.html.tera"), "{err}");
    assert!(err.contains("le bloc `body`"), "{err}");
}

#[test]
fn a_new_action_of_another_model_has_its_declared_keys() {
    let copy = copy_project(&fixture("autre-modele"));
    let out = new_action(
        copy.path(),
        &["--champ", "jeunesse", "--titre", "Chantiers jeunes"],
    );
    let err = stderr_line(&out);
    assert!(out.status.success(), "{err}");
    let file = copy
        .path()
        .join("data/actions/jeunesse/03-chantiers-jeunes.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let keys = commented_keys(&text);
    let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    // The optional amount is left for the officer to write, in a comment.
    assert_eq!(
        names,
        [
            "id",
            "champ",
            "position",
            "action",
            "pilote",
            "partenaires",
            "calendrier",
            "indicateurs",
            "public_vise"
        ]
    );
    assert!(text.contains("\n# budget = 0\n"), "{text}");
    assert!(
        text.contains("# Colonne « Budget prévisionnel » (facultatif) : montant en euros"),
        "{text}"
    );
    assert!(
        text.contains("# Hors du tableau : « Public visé »"),
        "{text}"
    );
    let action = read_table(&file);
    assert_eq!(
        action["action"].as_str().unwrap().trim(),
        "► Chantiers jeunes"
    );
    assert_eq!(action["calendrier"].as_str(), Some("2025-2028"));
    // The plan still builds, with the new row.
    let (plan, _) = ctg::render_project(copy.path()).unwrap();
    assert_eq!(plan.actions.len(), 5);
}

#[test]
fn a_new_project_declares_the_reference_model() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("projet");
    let out = ctg(&["init", path(&root)]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let convention: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("data/convention.toml")).unwrap())
            .unwrap();
    assert_eq!(
        convention["tableau"]["premiere_colonne"].as_str(),
        Some("Champs d'intervention")
    );
    let keys: Vec<&str> = convention["colonnes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cle"].as_str().unwrap())
        .collect();
    let (plan, _) = ctg::render_project(&root).unwrap();
    let reference = ctg::Shape::reference();
    let expected: Vec<&str> = reference.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, expected);
    assert_eq!(plan.convention.shape, reference);
}
