//! Every PDF that the reference plan, the example, the plan with logos and
//! an amended plan produce (the annex, the action sheets, the annual reviews,
//! an amendment) passes PDF/A-2a and PDF/UA-1 under an
//! independent validator: veraPDF's validation library with its official
//! profiles, behind the `verapdf-check` script that `CTG_VERAPDF` names.
//!
//! Skips with a notice when the validator is not installed, and fails instead
//! when `CTG_REQUIRE_TOOLS=1` (CI installs it: see `.ci/run`).

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn validator() -> Result<PathBuf, String> {
    let script = std::env::var_os("CTG_VERAPDF")
        .map(PathBuf::from)
        .ok_or("CTG_VERAPDF non défini (chemin du script verapdf-check)")?;
    if !script.is_file() {
        return Err(format!("{} introuvable", script.display()));
    }
    // Exit code 2: not installed (or not a PDF; this one is).
    let probe = Command::new(&script)
        .arg(project_root().join("tests/verapdf.rs"))
        .output()
        .map_err(|e| format!("{} ne démarre pas : {e}", script.display()))?;
    let said = String::from_utf8_lossy(&probe.stderr);
    if said.contains("not installed") {
        return Err(format!("validateur non installé : {}", said.trim()));
    }
    Ok(script)
}

fn build(name: &str, root: &Path) -> PathBuf {
    build_in_test_area(&format!("verapdf-{name}"), root)
}

fn pdfs(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_pdf_passes_pdf_a_2a_and_pdf_ua_1_under_verapdf() {
    let script = match validator() {
        Ok(script) => script,
        Err(missing) => {
            tool(
                "every_pdf_passes_pdf_a_2a_and_pdf_ua_1_under_verapdf",
                Some(missing),
            );
            return;
        }
    };
    let reference = pdfs(&build("reference", &project_root()));
    let example = pdfs(&build(
        "exemple",
        &project_root().join("examples/bilan-demo"),
    ));
    let long = build("fiche-longue", &fixture("fiche-longue")).join("fiches.pdf");
    let logos = pdfs(&build("logos", &fixture("logos")));
    let names = |files: &[PathBuf]| -> Vec<String> {
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&reference), ["fiches.pdf", "plan.pdf"]);
    assert_eq!(
        names(&example),
        ["bilan-2024.pdf", "bilan-2025.pdf", "fiches.pdf", "plan.pdf"]
    );
    // With the signatories' logos, each a figure with its text alternative.
    assert_eq!(names(&logos), ["bilan-2024.pdf", "fiches.pdf", "plan.pdf"]);
    // An amendment: its changes table, its consolidated annex, its signatures.
    let amended = build("avenant", &fixture("versions/v2")).join("avenant-1.pdf");
    let files: Vec<PathBuf> = reference
        .into_iter()
        .chain(example)
        .chain([long, amended])
        .chain(logos)
        .collect();
    // Two at a time: each run is mostly the Java start-up.
    let verdicts: Vec<(PathBuf, bool, String)> = std::thread::scope(|scope| {
        let halves: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|chunk| {
                let script = &script;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|file| {
                            let run = Command::new(script).arg(file).output().expect("runs");
                            let report = String::from_utf8_lossy(&run.stdout).into_owned();
                            (file.clone(), run.status.success(), report)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(verdicts.len(), 11);
    for (file, passed, report) in verdicts {
        assert!(
            passed && report.contains("PDF/A-2 (2a): PASS") && report.contains("PDF/UA-1: PASS"),
            "{} :\n{report}",
            file.display()
        );
    }
}
