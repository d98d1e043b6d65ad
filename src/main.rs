//! Entry point: parses the command line, runs the command, prints diagnostics and
//! sets the exit code.

mod cli;

// Typst allocates and frees many objects while laying out a table. mimalloc takes
// its memory from the system in large pages where the system allows, so that a
// build spends far less time in page faults than with the system allocator
// (measured: 6,000 faults → 1,100 for the shipped plan).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use ctg::BuildOptions;
use ctg::batch::{self, Progress};
use ctg::diag::{self, Diagnostic, Failure};
use ctg::text::count;

fn main() -> ExitCode {
    // Panics are caught where they can happen and reported as errors; the default
    // hook would print a Rust message and backtrace meant for developers.
    std::panic::set_hook(Box::new(|_| {}));
    let color = std::io::stderr().is_terminal();
    match cli::Cli::parse().command {
        cli::Command::Build {
            root,
            out,
            jobs,
            timings,
            typst,
            bilan,
            revision,
        } => {
            // A revision is that of one project: its own repository's.
            let projects = match revision {
                Some(_) => Vec::new(),
                None => batch::find_projects(&root),
            };
            if projects.is_empty() {
                let options = BuildOptions {
                    root,
                    out,
                    write: true,
                    emit_typst: typst,
                    review_year: bilan,
                    revision,
                };
                build_one(options, timings, color)
            } else {
                build_many(&projects, jobs, color)
            }
        }
        cli::Command::Check { root } => build_one(
            BuildOptions {
                root,
                ..BuildOptions::default()
            },
            false,
            color,
        ),
        cli::Command::Diff {
            ancienne,
            nouvelle,
            root,
        } => compare(&root, &ancienne, nouvelle.as_deref(), color),
        cli::Command::Watch {
            root,
            out,
            serve,
            port,
        } => {
            let options = BuildOptions {
                root,
                out,
                write: true,
                ..BuildOptions::default()
            };
            match ctg::watch::watch(&options, serve.then_some(port)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => fail(&Failure(vec![d]), color),
            }
        }
        cli::Command::Import { file, root } => {
            authoring(ctg::scaffold::import(&file, &root), color)
        }
        cli::Command::Init { dir } => authoring(ctg::scaffold::init(&dir), color),
        cli::Command::New {
            what:
                cli::NewCommand::Action {
                    champ,
                    sous_section,
                    titre,
                    root,
                },
        } => authoring(
            ctg::scaffold::new_action(&root, &champ, sous_section.as_deref(), titre.as_deref()),
            color,
        ),
        cli::Command::Templates {
            what: cli::TemplatesCommand::Export { root, force },
        } => authoring(ctg::scaffold::export_templates(&root, force), color),
        cli::Command::Suivi {
            what:
                cli::SuiviCommand::Export {
                    annee,
                    champ,
                    sortie,
                    root,
                },
        } => authoring(
            ctg::suivi::export::export(&ctg::suivi::export::ExportOptions {
                root,
                year: annee,
                fields: champ,
                out: sortie,
            }),
            color,
        ),
        cli::Command::Suivi {
            what:
                cli::SuiviCommand::Import {
                    fichiers,
                    annee,
                    remplacer,
                    root,
                },
        } => authoring(
            ctg::suivi::import::import(&ctg::suivi::import::ImportOptions {
                root,
                files: fichiers,
                year: annee,
                replace: remplacer,
            }),
            color,
        ),
        cli::Command::Worker => match batch::serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
    }
}

fn build_one(options: BuildOptions, timings: bool, color: bool) -> ExitCode {
    match ctg::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, color);
            for w in &report.written {
                eprintln!(
                    "écrit {} ({}, sha256 {})",
                    w.path.display(),
                    ctg::render::html::french_size(w.size),
                    w.sha256
                );
            }
            if !options.write {
                eprintln!("plan valide : {}", report.summary());
            }
            if timings {
                for (stage, duration) in &report.timings {
                    eprintln!("{stage:<28} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, color),
    }
}

fn build_many(projects: &[PathBuf], jobs: Option<usize>, color: bool) -> ExitCode {
    let progress = if color {
        Progress::Bar
    } else {
        Progress::Lines
    };
    // Projects are built by worker processes running this program; if its path
    // is unknown, on threads of this one.
    let runner = std::env::current_exe().map_or(batch::Runner::Threads, batch::Runner::Workers);
    let outcomes = batch::build_all(projects, true, progress, jobs, &runner);
    let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    for outcome in &failed {
        if let Err(failure) = &outcome.result {
            eprintln!("── {}", outcome.project.display());
            print_diagnostics(&failure.0, color);
        }
    }
    eprintln!(
        "{}, {} en échec{}",
        count(
            outcomes.len() - failed.len(),
            "projet construit",
            "projets construits"
        ),
        failed.len(),
        if failed.is_empty() {
            String::new()
        } else {
            " :".to_string()
        }
    );
    for outcome in &failed {
        eprintln!("  {}", outcome.line());
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `ctg diff`: the changes on standard output, for a reader or a script.
/// Its exit codes are those of the `diff` tools, so that a script can tell
/// "changed" from "failed": 0 no change, 1 changes, 2 a version unreadable.
fn compare(root: &Path, old: &str, new: Option<&str>, color: bool) -> ExitCode {
    match ctg::compare(root, old, new) {
        Ok(found) => {
            print_diagnostics(&found.warnings, color);
            print!(
                "{}",
                ctg::diff::report(&found.changes, &found.old, &found.new)
            );
            if found.changes.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(failure) => {
            print_diagnostics(&failure.0, color);
            eprintln!("échec : {failure}, aucune comparaison");
            ExitCode::from(2)
        }
    }
}

/// Import, init, new, templates export, follow-up workbooks: what was done,
/// then the exit code.
fn authoring(result: Result<ctg::scaffold::Outcome, Failure>, color: bool) -> ExitCode {
    match result {
        Ok(outcome) => {
            print_diagnostics(&outcome.diagnostics, color);
            for line in &outcome.summary {
                eprintln!("{line}");
            }
            if outcome.success {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(failure) => fail(&failure, color),
    }
}

fn fail(failure: &Failure, color: bool) -> ExitCode {
    print_diagnostics(&failure.0, color);
    eprintln!("échec : {failure}, aucun fichier n'a été modifié");
    ExitCode::FAILURE
}

fn print_diagnostics(diagnostics: &[Diagnostic], color: bool) {
    if !diagnostics.is_empty() {
        eprint!("{}", diag::render(diagnostics, color));
    }
}
