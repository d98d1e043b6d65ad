//! Many territories at once: every project under a folder is built in parallel
//! (rayon), one broken project never stops the others, and a summary of failures
//! comes at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::diag::Failure;
use crate::{BuildOptions, Report, build};

/// The projects under `root`: its sub-folders that hold a `data/` folder, sorted.
/// Empty when `root` is itself a project.
pub fn find_projects(root: &Path) -> Vec<PathBuf> {
    if root.join("data").is_dir() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut projects: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("data").is_dir())
        .collect();
    projects.sort();
    projects
}

/// The outcome of one project of a batch.
pub struct Outcome {
    pub project: PathBuf,
    pub result: Result<Report, Failure>,
    pub elapsed: Duration,
}

/// How a batch shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar (stderr is a terminal).
    Bar,
    /// One line per project as it finishes (logs, CI).
    Lines,
    /// Nothing (tests, benchmarks).
    Quiet,
}

/// Builds every project, each into its own `out/`, in parallel on the available
/// cores (`jobs` at a time, two per core by default). Outcomes come back in the
/// projects' order.
pub fn build_all(
    projects: &[PathBuf],
    write: bool,
    progress: Progress,
    jobs: Option<usize>,
) -> Vec<Outcome> {
    // Typst's layout recurses deeply: worker threads get the stack of a main
    // thread, not the small default of spawned threads.
    // Two builds per core by default: each build waits a few milliseconds for
    // its files to reach the disk, time in which another one can compute.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = jobs.unwrap_or(2 * cores).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .num_threads(jobs);
    match pool.build() {
        Ok(pool) => pool.install(|| build_in_pool(projects, write, progress)),
        // No thread could be started: build one project after the other here.
        Err(_) => build_in_pool(projects, write, progress),
    }
}

/// Stack of each worker thread.
const STACK_SIZE: usize = 64 * 1024 * 1024;

fn build_in_pool(projects: &[PathBuf], write: bool, progress: Progress) -> Vec<Outcome> {
    let bar = match progress {
        Progress::Bar => {
            let bar = ProgressBar::new(projects.len() as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} projets ({eta} restantes) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Some(bar)
        }
        _ => None,
    };
    let outcomes: Vec<Outcome> = projects
        .par_iter()
        .map(|project| {
            let start = Instant::now();
            let options = BuildOptions {
                root: project.clone(),
                write,
                ..BuildOptions::default()
            };
            // Each build runs on a thread of its own, outside the pool: Typst
            // parallelises inside a build with rayon too, and a build nested in a
            // pool's task kept memory alive after it ended (measured: ~0.8 MB per
            // project, for good, with 2 workers).
            let result = std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, || build(&options))
                    .map(|handle| handle.join())
            });
            let result = match result {
                Ok(Ok(result)) => result,
                _ => Err(crate::diag::Failure(vec![crate::diag::Diagnostic::error(format!(
                    "construction impossible de `{}` : le fil d'exécution n'a pas pu être lancé ou s'est arrêté",
                    project.display()
                ))])),
            };
            let outcome = Outcome {
                project: project.clone(),
                result,
                elapsed: start.elapsed(),
            };
            match (&bar, progress) {
                (Some(bar), _) => {
                    bar.set_message(name(project));
                    bar.inc(1);
                }
                (None, Progress::Lines) => eprintln!("{}", outcome.line()),
                _ => {}
            }
            outcome
        })
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    outcomes
}

fn name(project: &Path) -> String {
    project.file_name().map_or_else(
        || project.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl Outcome {
    /// One line: "ok  ccbjc (5 pages, 0,21 s)" or "ÉCHEC  autre : 2 erreurs".
    pub fn line(&self) -> String {
        let seconds = format!("{:.2}", self.elapsed.as_secs_f64()).replace('.', ",");
        match &self.result {
            Ok(report) => format!(
                "ok      {} ({} pages, {seconds} s)",
                name(&self.project),
                report.pages
            ),
            Err(failure) => format!("ÉCHEC   {} : {failure}", name(&self.project)),
        }
    }
}
