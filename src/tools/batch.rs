//! Many territories at once: every project under a folder is built in parallel
//! (rayon schedules them), one broken project never stops the others, and a
//! summary of failures comes at the end.
//!
//! Each scheduling slot drives a worker: a `ctg worker` process that builds the
//! projects it is given one after the other. Typst keeps its memoization caches
//! in process-wide tables behind locks, which builds on threads of one process
//! contend for; separate processes share nothing, and a project that brings its
//! worker down (a crash in a dependency) fails alone.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::build::{BuildOptions, Report, build};
use crate::diag::{Diagnostic, Failure};

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

/// Where the projects of a batch are built.
#[derive(Debug, Clone)]
pub enum Runner {
    /// In worker processes running this executable as `ctg worker`.
    Workers(PathBuf),
    /// On threads of this process (when no executable is at hand, as in a
    /// program that uses this library).
    Threads,
}

/// Builds every project, each into its own `out/`, in parallel on the available
/// cores (`jobs` at a time, two per core by default). Outcomes come back in the
/// projects' order.
pub fn build_all(
    projects: &[PathBuf],
    mode: impl Into<Mode>,
    progress: Progress,
    jobs: Option<usize>,
    runner: &Runner,
) -> Vec<Outcome> {
    let mode = mode.into();
    // Two builds per core by default: each build waits a few milliseconds for
    // its files to reach the disk, time in which another one can compute.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = jobs.unwrap_or(2 * cores).max(1);
    let batch = Batch {
        write: mode != Mode::Check,
        remake: mode == Mode::Remake,
        runner,
        workers: (0..jobs).map(|_| Mutex::new(None)).collect(),
    };
    // The pool's threads only hand projects out and wait: the builds run on
    // threads (or in processes) of their own.
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(|| batch.run(projects, progress)),
        // No thread could be started: build one project after the other here.
        Err(_) => batch.run(projects, progress),
    }
}

/// Stack of each thread that runs a build or the compiler's layout: Typst's
/// layout recurses deeply, so they get the stack of a main thread, not the small
/// default of spawned threads.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// What a batch does with each project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Checks it, writing nothing (`ctg check`).
    Check,
    /// Builds its documents, skipping those whose inputs did not change.
    Build,
    /// Builds every one of its documents again (`ctg build --forcer`).
    Remake,
}

/// `true` builds, `false` checks.
impl From<bool> for Mode {
    fn from(write: bool) -> Self {
        if write { Mode::Build } else { Mode::Check }
    }
}

struct Batch<'a> {
    write: bool,
    remake: bool,
    runner: &'a Runner,
    /// One worker per scheduling slot, started on its first project and started
    /// again after it stopped.
    workers: Vec<Mutex<Option<Worker>>>,
}

impl Batch<'_> {
    fn run(&self, projects: &[PathBuf], progress: Progress) -> Vec<Outcome> {
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
                let outcome = Outcome {
                    project: project.clone(),
                    result: self.build(project),
                    elapsed: start.elapsed(),
                };
                match (&bar, progress) {
                    (Some(bar), _) => {
                        bar.set_message(name(project));
                        bar.inc(1);
                    }
                    (None, Progress::Lines) => crate::say!("{}", outcome.line()),
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

    fn build(&self, project: &Path) -> Result<Report, Failure> {
        let request = Request {
            root: project.to_path_buf(),
            write: self.write,
            remake: self.remake,
        };
        // A path that is not UTF-8 cannot travel in a request: built here.
        let (Runner::Workers(exe), Some(_)) = (self.runner, project.to_str()) else {
            return build_on_thread(&request.options());
        };
        // Each slot is used by one pool thread at a time: the lock is never waited on.
        let index = rayon::current_thread_index().unwrap_or(0) % self.workers.len();
        let mut slot = self.workers[index]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(mut worker) = slot.take().or_else(|| Worker::start(exe).ok()) else {
            // No process could be started: this project is built here.
            return build_on_thread(&request.options());
        };
        // A worker that stopped or is no longer understood is not kept: the next
        // project gets a new one.
        match worker.build(&request) {
            Ok(result) => {
                *slot = Some(worker);
                result
            }
            Err(Stop::Ended) => Err(Failure(vec![stopped(project, &worker.wait())])),
            Err(Stop::Garbled(cause)) => {
                worker.kill();
                Err(Failure(vec![stopped(
                    project,
                    &format!("réponse illisible : {cause}"),
                )]))
            }
        }
    }
}

/// A project to build, sent to a worker.
#[derive(Serialize, Deserialize)]
struct Request {
    root: PathBuf,
    write: bool,
    #[serde(default)]
    remake: bool,
}

impl Request {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            write: self.write,
            remake: self.remake,
            ..BuildOptions::default()
        }
    }
}

/// What a worker answers: its build's report, or every problem found.
#[derive(Serialize, Deserialize)]
struct Reply {
    result: Result<Report, Failure>,
}

/// A `ctg worker` process and the pipes that talk to it: one JSON line each way
/// per project.
struct Worker {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Worker {
    fn start(exe: &Path) -> std::io::Result<Self> {
        let mut child = Command::new(exe)
            .arg("worker")
            // A worker's memory serves the next project: giving it back to the
            // system after each one, then faulting it in again, cost 0.5 s of
            // system time per 50 projects on one core (measured). Being reused, it
            // gains nothing from large pages, which only make it bigger (50
            // projects on 2 cores: 544 → 382 MB for all workers together) and
            // the run less steady.
            .env("MIMALLOC_PURGE_DELAY", "-1")
            .env("MIMALLOC_ALLOW_THP", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // A worker reports everything in its answers; what the runtime would
            // print as it dies (in English) is replaced by the French error
            // naming the project.
            .stderr(Stdio::null())
            .spawn()?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("pipes of the worker"));
        };
        Ok(Self {
            child,
            input: Some(input),
            output: BufReader::new(output),
        })
    }

    /// Sends `request` and waits for the answer.
    fn build(&mut self, request: &Request) -> Result<Result<Report, Failure>, Stop> {
        let mut line = serde_json::to_string(request).map_err(|e| Stop::Garbled(e.to_string()))?;
        line.push('\n');
        let input = self.input.as_mut().ok_or(Stop::Ended)?;
        // A worker that cannot read its input has stopped.
        input
            .write_all(line.as_bytes())
            .and_then(|()| input.flush())
            .map_err(|_| Stop::Ended)?;
        let mut answer = String::new();
        match self.output.read_line(&mut answer) {
            Ok(0) | Err(_) => Err(Stop::Ended),
            Ok(_) => serde_json::from_str::<Reply>(&answer)
                .map(|reply| reply.result)
                .map_err(|e| Stop::Garbled(e.to_string())),
        }
    }

    /// Waits for a worker that stopped, and says how it ended.
    fn wait(mut self) -> String {
        self.input.take();
        match self.child.wait() {
            Ok(status) => describe_exit(status),
            Err(_) => "fin inattendue".to_string(),
        }
    }

    /// Ends a worker that is no longer understood.
    fn kill(mut self) {
        let _ = self.child.kill();
    }
}

/// Why a worker gave no answer.
enum Stop {
    /// Its process ended (its output closed).
    Ended,
    /// It answered something that is not a reply.
    Garbled(String),
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Its input closed, a worker finishes and exits.
        self.input.take();
        let _ = self.child.wait();
    }
}

/// The error of a project whose worker stopped before answering.
fn stopped(project: &Path, how: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "construction de `{}` interrompue : le processus qui la menait s'est arrêté ({how})",
        project.display()
    ))
    .hint(format!(
        "les autres projets n'en sont pas affectés ; construisez celui-ci seul (`ctg build --root {}`) pour voir l'erreur, et signalez-la avec ses fichiers",
        project.display()
    ))
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("signal {signal}");
    }
    match status.code() {
        Some(code) => format!("code de sortie {code}"),
        None => "fin inattendue".to_string(),
    }
}

/// `ctg worker`: builds each project whose request arrives on standard input and
/// answers on standard output, until its input ends.
pub fn serve() -> std::io::Result<()> {
    // Projects share little: a layout not used by the last two documents is
    // dropped, so that the worker reuses its memory rather than asking for more.
    crate::render::pdf::retain_caches(2);
    // The other cores run other workers: the compiler's own parallel work (page
    // runs) gets one thread here. With one per core in every worker, the idle
    // ones spun while looking for work, taking a seventh of the time of the
    // workers next to them (measured on 50 projects, 2 cores: 2.15 → 1.85 s).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(STACK_SIZE)
        .build_global();
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let request: Request = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
        let reply = Reply {
            result: build_on_thread(&request.options()),
        };
        serde_json::to_writer(&mut stdout, &reply).map_err(std::io::Error::other)?;
        stdout.write_all(b"\n")?;
        stdout.flush()?;
    }
    Ok(())
}

/// Builds on a thread of its own, with a large stack. A build that ran as a
/// task of a rayon pool kept memory alive after it ended (measured: ~0.8 MB per
/// project, for good), Typst itself using rayon inside a build.
fn build_on_thread(options: &BuildOptions) -> Result<Report, Failure> {
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || build(options))
            .map(|handle| handle.join())
    });
    match result {
        Ok(Ok(result)) => result,
        _ => Err(Failure(vec![Diagnostic::error(format!(
            "construction impossible de `{}` : le fil d'exécution n'a pas pu être lancé ou s'est arrêté",
            options.root.display()
        ))])),
    }
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
            Ok(report) => {
                // The annex's pages, when it was made again.
                let plan = crate::render::document::PLAN;
                let what = if report.written.is_empty() && !report.unchanged.is_empty() {
                    "inchangé".to_string()
                } else if report.unchanged.iter().any(|d| d == plan) {
                    "annexe inchangée".to_string()
                } else {
                    crate::french::count(report.pages, "page", "pages")
                };
                format!("ok      {} ({what}, {seconds} s)", name(&self.project))
            }
            Err(failure) => format!("ÉCHEC   {} : {failure}", name(&self.project)),
        }
    }
}
