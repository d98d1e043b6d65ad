//! `ctg` turns the action plan of a Convention Territoriale Globale, kept as TOML
//! records in `data/`, into its documents: the PDF annex and the HTML page.
//!
//! The whole pipeline reads in [`build`]: load → validate → render → write.

// Diagnostics travel on the error path only, where their size costs nothing.
#![allow(clippy::result_large_err)]

pub mod diag;
pub mod load;
pub mod model;
pub mod output;
pub mod render;
pub mod text;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Failure};
use model::Plan;
use render::Rendered;
use render::templates::Templates;

/// What to build, and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The project folder, holding `data/` and optionally `templates/`.
    pub root: PathBuf,
    /// Where outputs go; `root/out` when `None`.
    pub out: Option<PathBuf>,
    /// `false` for `ctg check`: everything is built in memory, nothing is written.
    pub write: bool,
}

impl BuildOptions {
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("out"))
    }
}

/// What a successful build did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written, with their size in bytes.
    pub written: Vec<(PathBuf, usize)>,
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    pub actions: usize,
}

/// Builds the plan's documents: load → validate → render → write.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    let (plan, templates, warnings) = load_and_validate(&options.root)?;
    let rendered = render::render(&plan, &templates).map_err(|d| with(warnings.clone(), d))?;
    let mut report = Report {
        warnings,
        pages: rendered.plan_pdf.document.pages().len(),
        actions: plan.actions.len(),
        ..Report::default()
    };
    if options.write {
        report.written = write(&options.out_dir(), &rendered)
            .map_err(|d| with(report.warnings.clone(), vec![d]))?;
    }
    Ok(report)
}

/// Stages 1 and 2: reads `data/` and the templates, and checks them. All problems
/// of both are reported together.
pub fn load_and_validate(root: &Path) -> Result<(Plan, Templates, Vec<Diagnostic>), Failure> {
    let mut diags = Vec::new();
    let raw = load::load(root, &mut diags);
    let plan = model::validate(raw, &mut diags);
    let templates = Templates::load(root).map_err(|d| diags.extend(d)).ok();
    match (plan, templates) {
        (Some(plan), Some(templates)) if !diags.iter().any(Diagnostic::is_error) => {
            Ok((plan, templates, diags))
        }
        _ => Err(Failure(diags)),
    }
}

/// Builds everything in memory and returns it, writing nothing (for tests and
/// for tools that post-process the outputs).
pub fn render_project(root: &Path) -> Result<(Plan, Rendered), Failure> {
    let (plan, templates, warnings) = load_and_validate(root)?;
    let rendered = render::render(&plan, &templates).map_err(|d| with(warnings, d))?;
    Ok((plan, rendered))
}

/// Stage 5: every output, each replaced atomically.
fn write(out: &Path, rendered: &Rendered) -> Result<Vec<(PathBuf, usize)>, Diagnostic> {
    let files: [(&str, &[u8]); 2] = [
        ("plan.pdf", &rendered.plan_pdf.bytes),
        ("plan.html", rendered.plan_html.as_bytes()),
    ];
    files
        .iter()
        .map(|(name, bytes)| output::write_atomic(out, name, bytes).map(|p| (p, bytes.len())))
        .collect()
}

fn with(mut first: Vec<Diagnostic>, more: Vec<Diagnostic>) -> Failure {
    first.extend(more);
    Failure(first)
}
