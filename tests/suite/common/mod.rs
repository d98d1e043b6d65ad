//! Helpers shared by the integration tests: reading text back out of the outputs.
#![allow(dead_code)]

pub mod git;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use typst::layout::{Frame, FrameItem, Point};
use typst_layout::PagedDocument;

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    project_root().join("tests/fixtures").join(name)
}

/// Text for containment checks: no whitespace of any kind and no hyphens, so that
/// line breaks, hyphenation and non-breaking spaces do not matter.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{00AD}'))
        .collect()
}

/// The visible text of an HTML page: tags removed, entities decoded.
pub fn html_text(html: &str) -> String {
    let body = html.split_once("<body>").map_or(html, |(_, b)| b);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A run of text on a page, at its absolute position (points from the top left).
#[derive(Debug, Clone)]
pub struct Run {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

pub fn page_runs(document: &PagedDocument) -> Vec<Vec<Run>> {
    document
        .pages()
        .iter()
        .map(|page| {
            let mut runs = Vec::new();
            collect(&page.frame, Point::zero(), &mut runs);
            runs
        })
        .collect()
}

fn collect(frame: &Frame, offset: Point, runs: &mut Vec<Run>) {
    for (pos, item) in frame.items() {
        let at = offset + *pos;
        match item {
            FrameItem::Group(group) => collect(&group.frame, at, runs),
            FrameItem::Text(text) => runs.push(Run {
                x: at.x.to_pt(),
                y: at.y.to_pt(),
                text: text.text.to_string(),
            }),
            _ => {}
        }
    }
}

/// Page count and each page's size in points, read from the PDF file itself.
pub fn pdf_pages(bytes: &[u8]) -> Vec<(f64, f64)> {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    doc.get_pages()
        .values()
        .map(|id| {
            let page = doc.get_dictionary(*id).expect("a page dictionary");
            let media = page
                .get(b"MediaBox")
                .and_then(|m| m.as_array())
                .expect("a MediaBox");
            let n: Vec<f64> = media
                .iter()
                .map(|v| {
                    v.as_float()
                        .map(f64::from)
                        .or_else(|_| v.as_i64().map(|i| i as f64))
                        .unwrap()
                })
                .collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// Copies a project's `data/`, `templates/` and `logos/` into a fresh temporary folder.
pub fn copy_project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["data", "templates", "logos"] {
        if from.join(part).is_dir() {
            copy_dir(&from.join(part), &dir.path().join(part));
        }
    }
    dir
}

/// A copy of the project `from`, with a second copy of its data in its
/// folder `signed`: the version an amendment or a diff starts from, before
/// the test changes the project's own files.
pub fn with_signed_copy(from: &Path, signed: &str) -> tempfile::TempDir {
    let project = copy_project(from);
    copy_dir(
        &from.join("data"),
        &project.path().join(signed).join("data"),
    );
    project
}

/// Runs the `ctg` binary, as a user would, without a backtrace setting.
pub fn ctg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("ctg runs")
}

/// What ctg printed on stderr, on one line: the report's wrapping and margins removed.
pub fn stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PDF text string: UTF-16 after its byte order mark, else one byte a character.
pub fn pdf_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// `true` when a test's tool is there; otherwise a notice and `false`, or a
/// failure when the tools are required (`CTG_REQUIRE_TOOLS=1`, as in CI).
pub fn tool(test: &str, missing: Option<String>) -> bool {
    let Some(what) = missing else {
        return true;
    };
    if std::env::var("CTG_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("{test} : {what} ; CTG_REQUIRE_TOOLS=1 exige cet outil");
    }
    // Straight to stderr: the test harness hides `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "IGNORÉ {test} : {what} (lancez `bash .ci/run` pour installer les outils)"
    );
    false
}

/// Whether `program arg` runs and succeeds.
pub fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What is missing to read a PDF's text with poppler's `pdftotext`.
pub fn missing_pdftotext() -> Option<String> {
    (!runs("pdftotext", "-v")).then(|| "pdftotext introuvable (paquet poppler-utils)".to_string())
}

/// The text of pages `first` to `last` (from 1) of a PDF, laid out as printed.
pub fn pdftotext(pdf: &Path, first: usize, last: usize) -> String {
    pdftotext_with(pdf, first, last, &["-layout"])
}

/// The text of pages `first` to `last` of a PDF, as `pdftotext` reads it
/// with the options `more` (a layout, a part of the page).
pub fn pdftotext_with(pdf: &Path, first: usize, last: usize, more: &[&str]) -> String {
    let output = Command::new("pdftotext")
        .args(more)
        .args([
            "-enc",
            "UTF-8",
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

/// A PDF's outline (bookmarks), in order: level (from 1), title and page (from 1).
pub fn pdf_outline(pdf: &Path) -> Vec<(usize, String, usize)> {
    let doc = lopdf::Document::load(pdf).expect("a PDF");
    let toc = doc.get_toc().expect("an outline");
    toc.toc
        .into_iter()
        .map(|entry| (entry.level, entry.title, entry.page))
        .collect()
}

/// Builds the project at `root` into `CARGO_TARGET_TMPDIR/<name>`, emptied
/// first, and returns that folder.
pub fn build_in_test_area(name: &str, root: &Path) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&out);
    ctg::build(&ctg::BuildOptions {
        root: root.to_path_buf(),
        out: Some(out.clone()),
        write: true,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{} builds: {e:?}", root.display()));
    out
}

/// Every paragraph of every cell of the reference extraction, as printed: `<p>`
/// marks split paragraphs, `2^{ème}` is the ordinal "2e", stray dash rows are dropped.
/// Field labels (first column) are lowercased: the original repeats "Petite
/// Enfance" once as "Petite enfance" after a page break, and the field has one label.
pub fn reference_paragraphs() -> Vec<String> {
    let text = include_str!("../../reference/plan-ccbjc-2023-2027.txt");
    let mut out = Vec::new();
    for line in text.lines() {
        for (column, cell) in line.split('\t').enumerate() {
            let cell = if column == 0 && line.contains('\t') {
                cell.to_lowercase()
            } else {
                cell.to_string()
            };
            for para in cell.replace("</p>", "").split("<p>") {
                let para = para.replace("2^{ème}", "2e");
                // The footnote is in italics in the extraction (`*…*`) after its
                // `*` mark; the label "Jeunesse *" carries the same mark.
                let para = para.trim().trim_matches('*').trim();
                if !normalise(para).is_empty() {
                    out.push(para.to_string());
                }
            }
        }
    }
    out
}

/// Every file of `dir`, recursively, by its path relative to `dir`, with its
/// bytes: to tell whether a folder changed.
pub fn files_in(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        // The record of how each document was made holds its files' dates.
        .filter(|e| e.file_name() != ctg::DOCUMENTS_FILE)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The XMP metadata packet of the document catalog, as text.
pub fn xmp(doc: &lopdf::Document) -> String {
    let catalog = doc.catalog().unwrap();
    let id = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let stream = doc.get_object(id).unwrap().as_stream().unwrap();
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8(bytes).unwrap()
}

/// Copies every file under `from` into `to`, replacing what is there.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Why LibreOffice cannot run here, if it cannot.
pub fn missing_soffice() -> Option<String> {
    (!runs("soffice", "--version")).then(|| "soffice (LibreOffice) introuvable".to_string())
}

/// `file` converted by LibreOffice to `format` (`xlsx`, `ods`, `pdf`) in `dir`,
/// with a profile of its own so that conversions may run side by side.
pub fn soffice_convert(file: &Path, format: &str, dir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().unwrap();
    // In a folder of its own: a test that runs a command in its project's
    // folder changes the process's current folder meanwhile, and
    // LibreOffice's launcher fails in a folder removed since.
    let out = Command::new("soffice")
        .current_dir(dir)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            format,
            "--outdir",
        ])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice");
    let converted = dir.join(format!(
        "{}.{format}",
        file.file_stem().unwrap().to_string_lossy()
    ));
    assert!(
        converted.is_file(),
        "soffice : {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    converted
}
