//! The published files checked by the tools people will check them with: the page,
//! the fragment, the reviews' pages and an amendment's page in Chromium with axe-core (at 1280 and
//! 375 px), the Nu HTML checker (vnu.jar), and `frictionless validate` on the data
//! package.
//!
//! Each test skips with a notice when its tool is missing, and fails instead when
//! `CTG_REQUIRE_TOOLS=1` (CI installs the tools: see `.ci/run`).

use crate::common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::LazyLock;

use common::*;

/// The reference plan, built to a folder of the test area once for all tests.
static BUILT: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-tools");
    let out = dir.join("out");
    let _ = fs::remove_dir_all(&dir);
    ctg::build(&ctg::BuildOptions {
        root: project_root(),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    })
    .expect("the shipped plan builds");
    let fragment = fs::read_to_string(out.join("plan.fragment.html")).unwrap();
    fs::write(dir.join("hote.html"), host_page(&fragment)).unwrap();
    fs::write(dir.join("hote-seul.html"), host_page("")).unwrap();
    out
});

/// The small fictional plan, whose cells hold text that looks like code, with a
/// follow-up for its review of 2024.
static MINI_BUILT: LazyLock<PathBuf> = LazyLock::new(|| {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-tools-mini");
    let _ = fs::remove_dir_all(&out);
    let project = copy_project(&fixture("mini"));
    let suivi = project.path().join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    fs::copy(fixture("mini-suivi/2024.toml"), suivi.join("2024.toml")).unwrap();
    ctg::build(&ctg::BuildOptions {
        root: project.path().to_path_buf(),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    })
    .expect("the fixture builds");
    out
});

/// The fictional example with its reviews of 2024 and 2025.
static DEMO_BUILT: LazyLock<PathBuf> = LazyLock::new(|| {
    build_in_test_area(
        "web-tools-demo",
        &project_root().join("examples/bilan-demo"),
    )
});

/// A plan of another model than the reference plan's, with its review of 2026.
static OTHER_BUILT: LazyLock<PathBuf> =
    LazyLock::new(|| build_in_test_area("web-tools-autre-modele", &fixture("autre-modele")));

/// The sheets' fixture: a declared title, a hidden column, a long sheet, and
/// follow-up with indicators over two years.
static LONG_BUILT: LazyLock<PathBuf> =
    LazyLock::new(|| build_in_test_area("web-tools-fiche-longue", &fixture("fiche-longue")));

/// The plan with two logos (an SVG inlined in the pages, a PNG embedded) and
/// its own colours, with a follow-up for its review of 2024.
static LOGOS_BUILT: LazyLock<PathBuf> = LazyLock::new(|| {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-tools-logos");
    let _ = fs::remove_dir_all(&out);
    ctg::build(&ctg::BuildOptions {
        root: fixture("logos"),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    })
    .expect("the fixture builds");
    out
});

/// An amended plan, with the page of its amendment n° 1 (which its own page
/// links to).
static AMENDED_BUILT: LazyLock<PathBuf> =
    LazyLock::new(|| build_in_test_area("web-tools-avenant", &fixture("versions/v2")));

/// The reviews' pages, and the pages of a plan of another model, checked in
/// the browser and by the Nu checker beside the reference plan's page.
fn review_pages() -> Vec<PathBuf> {
    let demo = &*DEMO_BUILT;
    let other = &*OTHER_BUILT;
    vec![
        demo.join("bilan-2024.html"),
        demo.join("bilan-2025.html"),
        MINI_BUILT.join("bilan-2024.html"),
        other.join("plan.html"),
        other.join("bilan-2026.html"),
        LOGOS_BUILT.join("plan.html"),
        LOGOS_BUILT.join("bilan-2024.html"),
        AMENDED_BUILT.join("avenant-1.html"),
        AMENDED_BUILT.join("plan.html"),
    ]
}

/// Every action sheet's page and the sheets' index, of the reference plan and
/// of the sheets' fixture.
fn sheet_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for out in [&*BUILT, &*LONG_BUILT, &*LOGOS_BUILT] {
        let dir = out.join("actions");
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect();
        files.sort();
        pages.extend(files);
    }
    assert!(
        pages.len() >= 28 + 1 + 3 + 1 + 3 + 1,
        "{} pages de fiches",
        pages.len()
    );
    pages
}

/// A page of the site with its own styles, as a content management system would
/// serve it, with the fragment pasted into its content.
fn host_page(fragment: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Convention Territoriale Globale – site de l'intercommunalité</title>
<style>
body {{ margin: 1rem; font-family: Georgia, serif; color: #222; }}
table, th, td {{ border: 2px solid #555; padding: 4px; }}
p {{ font-size: 1.1rem; margin: 0 0 1rem; }}
</style>
</head>
<body>
<main>
<h1 data-site="h1">Plan d'actions de la convention</h1>
<p data-site="p">Texte de la page du site, avant le plan.</p>
<table data-site="table"><caption>Tableau du site</caption><tr><th data-site="th" scope="col">Colonne</th></tr><tr><td data-site="td">Valeur</td></tr></table>
{fragment}
</main>
</body>
</html>
"#
    )
}

fn browser_dir() -> PathBuf {
    project_root().join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("CTG_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn missing_browser_tools() -> Option<String> {
    let modules = browser_dir().join("node_modules");
    if !runs("node", "--version") {
        Some("node introuvable".into())
    } else if !chromium().is_file() {
        Some(format!("{} introuvable", chromium().display()))
    } else if !modules.join("puppeteer-core").is_dir() || !modules.join("axe-core").is_dir() {
        Some("tests/browser/node_modules absent (npm ci dans tests/browser)".into())
    } else {
        None
    }
}

fn vnu_jar() -> PathBuf {
    browser_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

fn missing_vnu() -> Option<String> {
    if !runs("java", "-version") {
        Some("java introuvable".into())
    } else if !vnu_jar().is_file() {
        Some("vnu.jar absent (npm ci dans tests/browser)".into())
    } else {
        None
    }
}

/// The `frictionless` command, or the same through Python when the scripts
/// folder is not on the `PATH`.
fn frictionless() -> Option<Command> {
    if runs("frictionless", "--version") {
        return Some(Command::new("frictionless"));
    }
    let through_python = Command::new("python3")
        .args(["-m", "frictionless", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    through_python.then(|| {
        let mut command = Command::new("python3");
        command.args(["-m", "frictionless"]);
        command
    })
}

fn stdout_json(what: &str, output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} : sortie illisible ({e}), code {:?}\n{}\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn page_and_fragment_in_chromium() {
    if !tool("page_and_fragment_in_chromium", missing_browser_tools()) {
        return;
    }
    let out = &*BUILT;
    let dir = out.parent().unwrap();
    let captures = project_root().join("out/captures");
    fs::create_dir_all(&captures).unwrap();
    let reviews = review_pages();
    let sheets = sheet_pages();
    let output = Command::new("node")
        .current_dir(browser_dir())
        .env("CTG_CHROMIUM", chromium())
        .arg("check-page.mjs")
        .arg(out.join("plan.html"))
        .arg(dir.join("hote.html"))
        .arg(dir.join("hote-seul.html"))
        .arg(&captures)
        .arg(dir)
        .args(&reviews)
        .args(&sheets)
        .output()
        .expect("node runs");
    let report = stdout_json("check-page.mjs", &output);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut checked = [("page", &report["page"]), ("fragment", &report["host"])].to_vec();
    // Each review's page: its own tables and the plan's, with the year's columns.
    let others = report["others"].as_array().unwrap();
    assert_eq!(others.len(), reviews.len() + sheets.len());
    for other in others {
        checked.push((other["file"].as_str().unwrap(), &other["runs"]));
    }
    for (which, runs) in checked {
        // The sheets' pages have no table of the plan: no cards to check.
        let is_sheet = which.contains("/actions/");
        for run in runs.as_array().unwrap() {
            let width = run["width"].as_u64().unwrap();
            let at = format!("{which} à {width} px");
            assert_eq!(
                run["violations"],
                serde_json::json!([]),
                "axe-core, {at} :\n{:#}",
                run["violations"]
            );
            assert_eq!(run["requests"], serde_json::json!([]), "requêtes, {at}");
            // The page never scrolls sideways; the table may, inside its wrapper.
            assert!(
                run["scrollWidth"].as_u64() <= run["clientWidth"].as_u64(),
                "défilement horizontal de la page, {at} : {run:#}"
            );
            if is_sheet {
                continue;
            }
            assert_eq!(run["wrapperTabIndex"], 0, "{at}");
            if width >= 768 {
                assert_eq!(run["cellDisplay"], "table-cell", "{at}");
                assert_eq!(run["wrapperOverflowX"], "auto", "{at}");
            } else {
                // Cards: each value under its column's header, the header row hidden.
                assert_eq!(run["cellDisplay"], "block", "{at}");
                assert_eq!(
                    run["cellLabel"].as_str().unwrap(),
                    format!("\"{}\"", run["cellLabelAttribute"].as_str().unwrap()),
                    "{at}"
                );
                assert!(run["theadHeight"].as_f64().unwrap() <= 1.0, "{at}");
            }
        }
    }
    for run in report["host"].as_array().unwrap() {
        assert_eq!(
            run["unscoped"],
            serde_json::json!([]),
            "sélecteurs hors de .ctg-plan"
        );
    }
    assert_eq!(
        report["hostStylesAlone"], report["hostStylesWithFragment"],
        "le fragment change l'apparence du reste de la page"
    );
    assert!(!report["hostStylesAlone"].as_array().unwrap().is_empty());

    // Print: A4 landscape, the header row repeated, no row split.
    let print = &report["print"];
    assert_eq!(print["theadDisplay"], "table-header-group");
    assert_eq!(print["cellsBreakInside"], serde_json::json!(["avoid"]));
    assert_eq!(print["downloadLinkDisplay"], "none");
    assert_eq!(print["requests"], serde_json::json!([]));
    let pdf = fs::read(print["pdf"].as_str().unwrap()).unwrap();
    let pages = pdf_pages(&pdf);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (w, h) in pages {
        assert!(
            (w - 841.9).abs() < 1.5 && (h - 595.3).abs() < 1.5,
            "{w}×{h}"
        );
    }

    // The screenshots, for a person to look at.
    let other_runs = others.iter().flat_map(|o| o["runs"].as_array().unwrap());
    for run in report["page"].as_array().unwrap().iter().chain(other_runs) {
        let png = fs::read(run["capture"].as_str().unwrap()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(u64::from(width), run["width"].as_u64().unwrap());
        let _ = writeln!(
            std::io::stderr(),
            "capture : {}",
            run["capture"].as_str().unwrap()
        );
    }
}

#[test]
fn nu_html_checker_finds_no_error() {
    if !tool("nu_html_checker_finds_no_error", missing_vnu()) {
        return;
    }
    let out = &*BUILT;
    let mini = &*MINI_BUILT;
    let mini_host = mini.join("hote.html");
    let fragment = fs::read_to_string(mini.join("plan.fragment.html")).unwrap();
    fs::write(&mini_host, host_page(&fragment)).unwrap();
    let files = [
        out.join("plan.html"),
        out.parent().unwrap().join("hote.html"),
        mini.join("plan.html"),
        mini_host,
    ]
    .into_iter()
    .chain(review_pages())
    .chain(sheet_pages())
    .collect::<Vec<_>>();
    let output = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--format", "json", "--stdout", "--exit-zero-always"])
        .args(&files)
        .output()
        .expect("java runs");
    let report = stdout_json("vnu.jar", &output);
    let messages = report["messages"].as_array().unwrap();
    let errors: Vec<&serde_json::Value> = messages.iter().filter(|m| m["type"] != "info").collect();
    for m in messages.iter().filter(|m| m["type"] == "info") {
        eprintln!("vnu : {} ({})", m["message"], m["url"]);
    }
    assert!(errors.is_empty(), "{errors:#?}");
    // Every file was read: a file the checker cannot open is an error, not silence.
    assert!(files.iter().all(|f| f.is_file()));
}

fn frictionless_validate(package: &Path) -> serde_json::Value {
    let output = frictionless()
        .expect("frictionless is installed")
        .args(["validate", "--json"])
        .arg(package)
        .output()
        .expect("frictionless runs");
    stdout_json("frictionless validate", &output)
}

#[test]
fn frictionless_validates_the_data_package() {
    let missing = frictionless()
        .is_none()
        .then(|| "frictionless introuvable (pip install \"frictionless[json]\")".to_string());
    if !tool("frictionless_validates_the_data_package", missing) {
        return;
    }
    let out = &*BUILT;
    let report = frictionless_validate(&out.join("datapackage.json"));
    assert_eq!(report["valid"], true, "{report:#}");
    let tasks = report["tasks"].as_array().unwrap();
    let checked: Vec<(&str, u64, u64)> = tasks
        .iter()
        .map(|t| {
            (
                t["place"].as_str().unwrap_or_default(),
                t["stats"]["rows"].as_u64().unwrap_or_default(),
                t["stats"]["fields"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(checked, [("plan.csv", 28, 15), ("plan.json", 28, 15)]);

    // The validation is real: a year that is not one, bytes unchanged, is caught.
    let broken = tempfile::tempdir().unwrap();
    for name in ["datapackage.json", "plan.csv", "plan.json"] {
        fs::copy(out.join(name), broken.path().join(name)).unwrap();
    }
    let csv = fs::read_to_string(out.join("plan.csv")).unwrap();
    let first_row_end = csv
        .find(",2024,2024\r\n")
        .expect("the first action ends in 2024");
    let mut bad = csv.clone();
    bad.replace_range(first_row_end..first_row_end + 5, ",20x4");
    assert_eq!(bad.len(), csv.len());
    fs::write(broken.path().join("plan.csv"), bad).unwrap();
    let report = frictionless_validate(&broken.path().join("datapackage.json"));
    assert_eq!(report["valid"], false);
    let errors = report["tasks"][0]["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["type"] == "type-error" && e["fieldName"] == "echeance_debut"),
        "{errors:#?}"
    );
}

#[test]
fn frictionless_validates_the_data_package_of_another_model() {
    let missing = frictionless()
        .is_none()
        .then(|| "frictionless introuvable (pip install \"frictionless[json]\")".to_string());
    if !tool(
        "frictionless_validates_the_data_package_of_another_model",
        missing,
    ) {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    ctg::build(&ctg::BuildOptions {
        root: fixture("autre-modele"),
        out: Some(out.path().to_path_buf()),
        write: true,
        ..Default::default()
    })
    .expect("the fixture builds");
    let report = frictionless_validate(&out.path().join("datapackage.json"));
    assert_eq!(report["valid"], true, "{report:#}");
    let tasks = report["tasks"].as_array().unwrap();
    let checked: Vec<(&str, u64, u64)> = tasks
        .iter()
        .map(|t| {
            (
                t["place"].as_str().unwrap_or_default(),
                t["stats"]["rows"].as_u64().unwrap_or_default(),
                t["stats"]["fields"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(checked, [("plan.csv", 4, 15), ("plan.json", 4, 15)]);

    // An amount that is not a number, bytes unchanged, is caught.
    let csv = fs::read_to_string(out.path().join("plan.csv")).unwrap();
    let amount = csv.find(",12500,").expect("the first action's budget");
    let mut bad = csv.clone();
    bad.replace_range(amount..amount + 7, ",12x00,");
    fs::write(out.path().join("plan.csv"), bad).unwrap();
    let report = frictionless_validate(&out.path().join("datapackage.json"));
    assert_eq!(report["valid"], false);
    let errors = report["tasks"][0]["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["type"] == "type-error" && e["fieldName"] == "budget"),
        "{errors:#?}"
    );
}
