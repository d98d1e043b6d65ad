//! `ctg` turns the action plan of a Convention Territoriale Globale, kept as TOML
//! records in `data/`, into its documents: the PDF annex, the HTML page and its
//! embeddable fragment, and the open data (CSV, JSON, data package).
//!
//! The whole pipeline reads in [`build`]: load → validate → render → write.

// Diagnostics travel on the error path only, where their size costs nothing.
#![allow(clippy::result_large_err)]

mod amendments;
mod batch;
mod diag;
mod diff;
mod export;
mod fingerprint;
mod fonts;
mod import;
mod load;
mod logos;
mod model;
mod output;
mod render;
mod review;
mod scaffold;
mod serve;
mod shape;
mod source;
mod suivi;
mod text;
mod version;
mod watch;

// The library's surface, for the command line and the tests: the build and
// the loaders, the documents and what reads them, the model, the text rules
// that the documents apply, and the tools' entry points. The stages behind
// it are private, so that they can be laid out anew without changing what
// uses the library.
pub use amendments::{Prepared, prepare as prepare_amendments, warnings as amendment_warnings};
pub use batch::{
    Mode as BatchMode, Progress, Runner, build_all, find_projects, serve as serve_batch,
};
pub use diag::{Diagnostic, Failure, render as render_diagnostics};
pub use diff::{
    ActionChange, Cell, Changes, FieldActions, Listed, Modified, report as diff_report,
};
pub use fingerprint::{plan_fingerprint, sha256_hex};
pub use logos::Format as LogoFormat;
pub use model::{Action, Colours, Plan, Value};
pub use output::{DOCUMENTS_FILE, RECORD_FILE};
pub use render::amendment::AmendmentView;
pub use render::document::{Document, Inputs, Rendered, SHEETS_DIR, is_kept_typst};
pub use render::html::french_size;
pub use render::sheets::{singular, title as sheet_title};
pub use render::templates::{BUILTIN as BUILTIN_TEMPLATES, Templates};
pub use render::view::Format as Markup;
pub use review::{FollowUps, Review, State};
pub use scaffold::{
    Outcome, PLACEHOLDER, declaration, export_templates, import as import_plan, init, new_action,
};
pub use shape::{Column, Kind, Shape};
pub use suivi::export::{ExportOptions, export as export_workbook};
pub use suivi::import::{ImportOptions, import as import_workbook};
pub use text::check::{MAX_MARKDOWN_DEPTH, markdown_depth};
pub use text::escape::typst_markup;
pub use text::redline::LAYOUT_ONLY;
pub use text::typography::{Segment, french_amount, segments};
pub use text::{count, markdown_to_plain};
pub use watch::watch;

use std::path::{Path, PathBuf};

/// What to build, and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project folder, holding `data/` and optionally `templates/`.
    pub root: PathBuf,
    /// Where outputs go; `root/out` when `None`.
    pub out: Option<PathBuf>,
    /// `false` for `ctg check`: everything is built in memory, nothing is written.
    pub write: bool,
    /// Also write the generated Typst source, `out/plan.typ` (`ctg build --typst`).
    pub emit_typst: bool,
    /// Build only this year's annual review (`ctg build --bilan 2025`).
    pub review_year: Option<u16>,
    /// Build the documents of this git revision of the project instead of
    /// its files (`ctg build --revision v1.0`), into `out/<revision>/`.
    pub revision: Option<String>,
    /// Make every document again, even those whose inputs did not change
    /// since they were written (`ctg build --forcer`).
    pub remake: bool,
}

impl BuildOptions {
    pub fn out_dir(&self) -> PathBuf {
        match (&self.out, &self.revision) {
            (Some(out), _) => out.clone(),
            (None, Some(revision)) => self.root.join("out").join(revision_folder(revision)),
            (None, None) => self.root.join("out"),
        }
    }

    /// Where the files of the version to build are read from.
    pub fn source(&self) -> Result<source::Source, Failure> {
        match &self.revision {
            None => Ok(source::Source::folder(&self.root)),
            Some(revision) => version::read_revision(&self.root, revision)
                .map(source::Source::Revision)
                .map_err(|d| Failure(vec![d])),
        }
    }
}

/// The folder of `out/` that receives a revision's documents: its name, with
/// any character that a folder name cannot safely hold (`/`, `~`, `^`…)
/// replaced by `-` (`v1.0` → `v1.0`, `HEAD~1` → `HEAD-1`).
pub fn revision_folder(revision: &str) -> String {
    let name: String = revision
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "revision".to_string(),
        _ => name,
    }
}

/// What a successful build did.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// Files written.
    pub written: Vec<Written>,
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    pub actions: usize,
    /// The documents not made again: their inputs did not change.
    #[serde(default)]
    pub unchanged: Vec<String>,
    /// How long each stage took.
    #[serde(skip)]
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Report {
    /// "28 actions, 5 pages": what a check found, for the closing line.
    pub fn summary(&self) -> String {
        format!(
            "{}, {}",
            text::count(self.actions, "action", "actions"),
            text::count(self.pages, "page", "pages")
        )
    }
}

/// Builds the plan's documents: load → validate → render → write.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    warm_up();
    let mut timings = render::Timings::start();
    if options.write {
        output::check_folder(&options.root, &options.out_dir()).map_err(|d| Failure(vec![d]))?;
    }
    let source = options.source()?;
    let (plan, templates, mut warnings) = load_and_validate_from(&source)?;
    let follow_ups = load_follow_ups_from(&source, &plan, &mut warnings)?;
    // Each amendment's versions of the plan, unless only a review is asked for.
    let amendments = match options.review_year {
        Some(_) => Vec::new(),
        None => amendments::prepare(&options.root, &plan).map_err(|d| with(warnings.clone(), d))?,
    };
    warnings.extend(amendments::warnings(&amendments));
    timings.lap("chargement et validation");
    let documents = document::asked_for(&plan, &follow_ups, &amendments, options.review_year);
    let inputs = document::Inputs {
        plan: &plan,
        follow_ups: &follow_ups,
        templates: &templates,
    };
    // A document whose inputs are those of its files in the output folder,
    // still there as written, is not made again. The folder is locked from
    // that decision to the end of the write, so that another build into it
    // cannot change those files in between (a folder not there yet holds
    // nothing to keep: it is locked, and made, when the outputs are written).
    let out = options.out_dir();
    let mut folder = match options.write && out.is_dir() {
        true => {
            Some(output::OutputFolder::lock(&out).map_err(|d| with(warnings.clone(), vec![d]))?)
        }
        false => None,
    };
    let made_before = match folder.is_some() && !options.remake {
        true => output::documents_made(&out),
        false => Default::default(),
    };
    let fingerprints = document::Fingerprints::new(&inputs, options.emit_typst);
    let keys: Vec<String> = documents
        .iter()
        .map(|d| d.inputs(&inputs, &fingerprints))
        .collect();
    let unchanged = unchanged(&documents, &keys, &made_before, &out);
    let outputs = match render_documents(&documents, &unchanged, &inputs) {
        Ok(outputs) => outputs,
        Err(mut errors) => {
            // A generated source that failed to compile is kept beside the
            // outputs, which stay as they were.
            if options.write {
                drop(folder);
                output::keep_for_inspection(&out, &mut errors);
            }
            return Err(with(warnings, errors));
        }
    };
    add_document_timings(&mut timings, &outputs);
    let mut report = Report {
        warnings,
        pages: annex_pages(&documents, &outputs),
        actions: plan.actions.len(),
        unchanged: documents
            .iter()
            .zip(&unchanged)
            .filter(|(_, u)| u.is_some())
            .map(|(d, _)| d.name())
            .collect(),
        ..Report::default()
    };
    if options.write {
        let start = std::time::Instant::now();
        let made: Vec<Made> = documents
            .iter()
            .zip(keys)
            .zip(outputs.iter().zip(&unchanged))
            .map(|((document, key), (output, unchanged))| Made {
                document,
                key,
                output: output.as_ref(),
                unchanged: *unchanged,
            })
            .collect();
        report.written = write(
            folder.take(),
            &out,
            &made,
            &made_before,
            options.review_year.is_none(),
            options.emit_typst,
        )
        .map_err(|d| with(report.warnings.clone(), vec![d]))?;
        timings.laps.push(("écriture", start.elapsed()));
    }
    report.timings = timings.laps;
    Ok(report)
}

/// Prepares, on another core while this one reads the data, the fonts'
/// coverage (for validation), the typography rules' patterns and the fonts (a
/// few milliseconds each, once per process).
fn warm_up() {
    static WARM_UP: std::sync::Once = std::sync::Once::new();
    WARM_UP.call_once(|| {
        std::thread::spawn(|| {
            fonts::warm_up();
            text::typography::warm_up();
            render::pdf::warm_up();
        });
    });
}

/// For each document, how it was recorded when its inputs (`keys`) are those
/// of its files in `out`, still there as written: it is not made again.
fn unchanged<'m>(
    documents: &[document::Document],
    keys: &[String],
    made_before: &'m std::collections::BTreeMap<String, output::Made>,
    out: &Path,
) -> Vec<Option<&'m output::Made>> {
    documents
        .iter()
        .zip(keys)
        .map(|(d, key)| {
            made_before
                .get(&d.name())
                .filter(|made| made.inputs == *key && made.still_in(out))
        })
        .collect()
}

/// Renders the documents not `unchanged`, each on its own core, in one
/// parallel loop: every document's problems are reported together. Rendering
/// runs the converters and the compiler: a panic in them becomes an error,
/// like any other. A document's layout goes once its PDF is made.
fn render_documents(
    documents: &[document::Document],
    unchanged: &[Option<&output::Made>],
    inputs: &document::Inputs,
) -> Result<Vec<Option<document::Rendered>>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let outcomes: Vec<Option<Result<document::Rendered, Vec<Diagnostic>>>> = documents
        .par_iter()
        .zip(unchanged)
        .map(|(d, unchanged)| {
            unchanged.is_none().then(|| {
                let mut output = diag::guard(&d.subject(), || d.render(inputs))
                    .unwrap_or_else(|p| Err(vec![p]))?;
                output.forget_layout();
                Ok(output)
            })
        })
        .collect();
    let mut outputs = Vec::new();
    let mut errors = Vec::new();
    for outcome in outcomes {
        match outcome {
            Some(Ok(output)) => outputs.push(Some(output)),
            Some(Err(d)) => errors.extend(d),
            None => outputs.push(None),
        }
    }
    match errors.is_empty() {
        true => Ok(outputs),
        false => Err(errors),
    }
}

/// Adds each kind of document's time to the build's, once.
fn add_document_timings(timings: &mut render::Timings, outputs: &[Option<document::Rendered>]) {
    for output in outputs.iter().flatten() {
        for &(step, took) in &output.timings {
            match timings.laps.iter_mut().find(|(s, _)| *s == step) {
                Some((_, total)) => *total += took,
                None => timings.laps.push((step, took)),
            }
        }
    }
}

/// The annex's pages, when it is made.
fn annex_pages(documents: &[document::Document], outputs: &[Option<document::Rendered>]) -> usize {
    documents
        .iter()
        .zip(outputs)
        .find(|(d, _)| matches!(d, document::Document::Plan))
        .and_then(|(_, o)| o.as_ref())
        .map_or(0, |o| o.pages)
}

/// Stages 1 and 2 of the annual reviews: every year of follow-up data.
pub fn load_follow_ups(
    root: &Path,
    plan: &Plan,
    warnings: &mut Vec<Diagnostic>,
) -> Result<review::FollowUps, Failure> {
    load_follow_ups_from(&source::Source::folder(root), plan, warnings)
}

/// The same, from one version of the project.
pub fn load_follow_ups_from(
    source: &source::Source,
    plan: &Plan,
    warnings: &mut Vec<Diagnostic>,
) -> Result<review::FollowUps, Failure> {
    let mut diags = Vec::new();
    let follow_ups = review::load_from(source, plan, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(with(std::mem::take(warnings), diags));
    }
    warnings.extend(diags);
    Ok(follow_ups)
}

/// Stages 1 and 2: reads `data/` and the templates, and checks them. All problems
/// of both are reported together.
pub fn load_and_validate(root: &Path) -> Result<(Plan, Templates, Vec<Diagnostic>), Failure> {
    load_and_validate_from(&source::Source::folder(root))
}

/// The same, for one version of the project: a folder or a git revision.
pub fn load_and_validate_from(
    source: &source::Source,
) -> Result<(Plan, Templates, Vec<Diagnostic>), Failure> {
    let mut diags = Vec::new();
    let raw = load::load_from(source, &mut diags);
    let plan = model::validate(raw, &mut diags);
    if plan.is_none() {
        review::check_without_plan(source, &mut diags);
    }
    let templates = Templates::load_from(source)
        .map_err(|d| diags.extend(d))
        .ok();
    match (plan, templates) {
        (Some(plan), Some(templates)) if !diags.iter().any(Diagnostic::is_error) => {
            Ok((plan, templates, diags))
        }
        _ => Err(Failure(diags)),
    }
}

/// What `ctg diff` found: the changes, and the two versions in words.
#[derive(Debug)]
pub struct Comparison {
    pub changes: diff::Changes,
    pub old: String,
    pub new: String,
    pub warnings: Vec<Diagnostic>,
}

/// Compares two versions of the project under `root` (`ctg diff`): `old`
/// and `new` name a project folder or a git revision; `new` is the project's
/// own files when `None`. Each version is loaded and validated as a build
/// would; only the plan itself (convention and actions) is compared.
pub fn compare(root: &Path, old: &str, new: Option<&str>) -> Result<Comparison, Failure> {
    let version = |spec: Option<&str>| match spec {
        Some(spec) => load_version(root, spec).map_err(Failure),
        None => load_plan_of(&source::Source::folder(root), "le projet".into()).map_err(Failure),
    };
    let (old_plan, old_name, mut warnings) = version(Some(old))?;
    let (new_plan, new_name, more) = version(new)?;
    warnings.extend(more);
    Ok(Comparison {
        changes: diff::compare(&old_plan, &new_plan),
        old: old_name,
        new: new_name,
        warnings,
    })
}

/// The plan of one version of the project under `root`, named by `spec` (a
/// project folder or a git revision), loaded and validated as a build would,
/// with that version in words and its warnings. On error, the first
/// diagnostic says which version is at fault.
pub fn load_version(
    root: &Path,
    spec: &str,
) -> Result<(Plan, String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let source = version::resolve(root, spec).map_err(|d| vec![d])?;
    let name = source.describe(spec);
    load_plan_of(&source, name)
}

fn load_plan_of(
    source: &source::Source,
    name: String,
) -> Result<(Plan, String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let raw = load::load_from(source, &mut diags);
    match model::validate(raw, &mut diags) {
        Some(plan) if !diags.iter().any(Diagnostic::is_error) => Ok((plan, name, diags)),
        _ => {
            // Which version the errors are in: a file's path is the same in both.
            let mut all = vec![Diagnostic::error(format!("{name} n'est pas un plan valide"))
                .hint("corrigez les erreurs ci-dessous dans cette version, ou donnez une autre version")];
            all.extend(diags);
            Err(all)
        }
    }
}

/// Builds the annex in memory and returns it, writing nothing (for tests and
/// for tools that post-process the outputs). Its layout is kept.
pub fn render_project(root: &Path) -> Result<(Plan, document::Rendered), Failure> {
    let (plan, templates, warnings) = load_and_validate(root)?;
    let follow_ups = FollowUps::default();
    let inputs = document::Inputs {
        plan: &plan,
        follow_ups: &follow_ups,
        templates: &templates,
    };
    let output = Document::Plan
        .render(&inputs)
        .map_err(|d| with(warnings, d))?;
    Ok((plan, output))
}

pub use output::Written;
use render::document;

/// One document of a build, as it goes to the output folder.
struct Made<'a> {
    document: &'a document::Document<'a>,
    /// The fingerprint of its inputs.
    key: String,
    /// Its files, when it was made.
    output: Option<&'a document::Rendered>,
    /// How it was recorded, when it was not made again.
    unchanged: Option<&'a output::Made>,
}

/// Stage 5: every document's files, replaced together. What earlier builds
/// wrote and this one did not is removed when a document of this build owns
/// it, and every such file after a build of all documents (an action, an
/// amendment or a year gone, a source kept by a failed build); the files of
/// the documents not made again stay. Then each document is recorded with the
/// fingerprint of its inputs and its files as written.
/// The folder is locked here unless the build locked it already.
fn write(
    folder: Option<output::OutputFolder>,
    out: &Path,
    made: &[Made],
    made_before: &std::collections::BTreeMap<String, output::Made>,
    every_document: bool,
    emit_typst: bool,
) -> Result<Vec<Written>, Diagnostic> {
    let mut folder = match folder {
        Some(folder) => folder,
        None => output::OutputFolder::lock(out)?,
    };
    let mut files: Vec<(&str, &[u8])> = Vec::new();
    for output in made.iter().filter_map(|m| m.output) {
        files.extend(output.files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        if emit_typst {
            let (name, source) = &output.typst;
            files.push((name.as_str(), source.as_bytes()));
        }
    }
    let kept: Vec<&str> = made
        .iter()
        .filter_map(|m| m.unchanged)
        .flat_map(|u| u.files.iter().map(|f| f.name.as_str()))
        .collect();
    // All outputs are replaced together, only once every one is fully
    // written, under the folder's lock.
    let out = folder.dir().to_path_buf();
    let out = out.as_path();
    let written = folder.replace_keeping(&files, &kept, |name| {
        every_document || made.iter().any(|m| m.document.owns(name))
    })?;
    // A build of one document leaves the others' records as they were.
    let mut record = match every_document {
        true => Default::default(),
        false => made_before.clone(),
    };
    for m in made {
        let recorded = match (m.output, m.unchanged) {
            (_, Some(unchanged)) => Some(unchanged.clone()),
            (Some(output), None) => {
                let mut names: Vec<&str> = output.files.iter().map(|(n, _)| n.as_str()).collect();
                if emit_typst {
                    names.push(&output.typst.0);
                }
                names
                    .iter()
                    .map(|name| output::Stamp::of(out, name))
                    .collect::<Option<Vec<_>>>()
                    .map(|files| output::Made {
                        inputs: m.key.clone(),
                        files,
                    })
            }
            (None, None) => None,
        };
        match recorded {
            Some(recorded) => record.insert(m.document.name(), recorded),
            None => record.remove(&m.document.name()),
        };
    }
    output::record_documents(out, &record);
    Ok(written)
}

fn with(mut first: Vec<Diagnostic>, more: Vec<Diagnostic>) -> Failure {
    first.extend(more);
    Failure(first)
}
