//! The pipeline in one page: [`build`] reads the project and checks it
//! (stages 1 and 2), lists the documents it asks for and renders those whose
//! inputs changed side by side (stage 3), then writes them (stage 4).

use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic, Failure};
use crate::french::count;
use crate::model::Plan;
use crate::model::follow_up::FollowUps;
use crate::read::source;
use crate::render::document::{self, Document};
use crate::render::templates::Templates;
use crate::render::{self};
use crate::versions::amendments;
use crate::write::Written;
use crate::write::folder as output;
use crate::write::{Made, write};
use crate::{fonts, read, text, validate, versions};

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
            Some(revision) => versions::revision::read_revision(&self.root, revision)
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
            count(self.actions, "action", "actions"),
            count(self.pages, "page", "pages")
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
) -> Result<FollowUps, Failure> {
    load_follow_ups_from(&source::Source::folder(root), plan, warnings)
}

/// The same, from one version of the project.
pub fn load_follow_ups_from(
    source: &source::Source,
    plan: &Plan,
    warnings: &mut Vec<Diagnostic>,
) -> Result<FollowUps, Failure> {
    let mut diags = Vec::new();
    let follow_ups = validate::follow_up::load_from(source, plan, &mut diags);
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
    let raw = read::load_from(source, &mut diags);
    let plan = validate::validate(raw, &mut diags);
    if plan.is_none() {
        validate::follow_up::check_without_plan(source, &mut diags);
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

fn with(mut first: Vec<Diagnostic>, more: Vec<Diagnostic>) -> Failure {
    first.extend(more);
    Failure(first)
}
