//! A small fictional plan: snapshots of the generated Typst and HTML, text that
//! looks like code stays text, and builds that fail change nothing in `out/`.

mod common;

use std::fs;
use std::process::Command;

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

fn ctg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args(args)
        .output()
        .expect("ctg runs")
}

#[test]
fn failed_build_leaves_out_untouched() {
    let project = copy_project(&fixture("mini"));
    let root = project.path().to_str().unwrap();
    let ok = ctg(&["build", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = project.path().join("out");
    let before: Vec<(String, Vec<u8>)> = ["plan.pdf", "plan.html"]
        .iter()
        .map(|n| (n.to_string(), fs::read(out.join(n)).unwrap()))
        .collect();

    let action = project.path().join("data/actions/logement/01-impayes.toml");
    let text = fs::read_to_string(&action)
        .unwrap()
        .replace("echeance = \"2026\"", "echeance = \"2031\"");
    fs::write(&action, text).unwrap();
    let failed = ctg(&["build", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("data/actions/logement/01-impayes.toml:4:12"),
        "{stderr}"
    );
    assert!(
        stderr.contains("la convention couvre 2024-2026"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );

    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "datapackage.json",
            "plan.csv",
            "plan.fragment.html",
            "plan.html",
            "plan.json",
            "plan.pdf"
        ],
        "no stray temporary file"
    );
    for (name, bytes) in before {
        assert!(
            fs::read(out.join(&name)).unwrap() == bytes,
            "{name} changed"
        );
    }
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
        stderr.contains("clé inconnue `descriptiff` : vouliez-vous dire `descriptif` ?"),
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
