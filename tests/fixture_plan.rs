//! A small fictional plan: snapshots of the generated Typst and HTML, text that
//! looks like code stays text, and builds that fail change nothing in `out/`.

mod common;

use std::fs;

use common::*;

const SIGILS: &str = r#"#read("/etc/passwd") $x^2$ *a* _b_ [c] <d> @e \f"#;

#[test]
fn generated_typst_snapshot() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    insta::assert_snapshot!("mini_plan_typ", out.plan_typ);
}

#[test]
fn generated_html_snapshot() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    // The PDF's size follows the annex's layout; tests/web.rs checks it.
    let html = regex::Regex::new(r"\(PDF, [^)]*\)")
        .unwrap()
        .replace(&out.plan_html, "(PDF, [taille])");
    insta::assert_snapshot!("mini_plan_html", html);
}

#[test]
fn code_like_text_is_printed_literally() {
    let (_, out) = ctg::render_project(&fixture("mini")).expect("the fixture builds");
    let pdf = ctg::render::pdf::page_texts(&out.plan_pdf.document).join(" ");
    // Once as the caption (plain text), once as a cell (Markdown with escapes).
    assert_eq!(
        normalise(&pdf).matches(&normalise(SIGILS)).count(),
        2,
        "{pdf}"
    );
    assert!(pdf.contains("<script>alert('x')</script>"), "{pdf}");
    assert!(pdf.contains("Crèches <script>alert(1)</script>"), "{pdf}");

    let html = &out.plan_html;
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
    assert!(
        a.plan_pdf.bytes == b.plan_pdf.bytes,
        "PDF differs between two builds"
    );
    assert_eq!(a.plan_html, b.plan_html);
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
    let pdf = ctg::render::pdf::page_texts(&out.plan_pdf.document).join(" ");
    assert!(
        normalise(&pdf).contains(&normalise("Réhabiliter 🏠 ✅ 👍🏽 ❤️")),
        "{pdf}"
    );
    assert!(html_text(&out.plan_html).contains("Réhabiliter 🏠 ✅ 👍🏽 ❤️"));
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
    let declared = ctg::scaffold::declaration(&ctg::shape::Shape::reference());
    for columns in [declared.as_str(), ""] {
        let project = copy_project(&fixture("mini"));
        fs::write(
            project.path().join("data/convention.toml"),
            format!("{before}{columns}\n[[champs]]{after}"),
        )
        .unwrap();
        let (_, out) = ctg::render_project(project.path()).expect("the plan builds");
        assert_eq!(out.plan_typ, labelled.plan_typ);
        assert!(out.plan_pdf.bytes == labelled.plan_pdf.bytes, "PDF differs");
        assert_eq!(out.plan_html, labelled.plan_html);
        assert_eq!(out.open_data.datapackage, labelled.open_data.datapackage);
    }
}
