//! Entry point: parses the command line, runs the command, prints diagnostics and
//! sets the exit code.

mod cli;

// Typst allocates and frees many objects while laying out a table. mimalloc takes
// its memory from the system in large pages where the system allows, so that a
// build spends far less time in page faults than with the system allocator
// (measured: 6,000 faults → 1,100 for the shipped plan).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ctg::BuildOptions;
use ctg::Progress;
use ctg::count;
use ctg::{Diagnostic, Failure};

fn main() -> ExitCode {
    // Panics are caught where they can happen and reported as errors naming
    // the file at fault; the default hook would print a Rust message meant for
    // developers. The hook only remembers where the first one happened, for
    // the message of a panic that no stage caught.
    std::panic::set_hook(Box::new(|info| {
        let mut first = FIRST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(format!(
                "{}{}",
                payload_text(info.payload()),
                info.location()
                    .map(|l| format!(", {}:{}", l.file(), l.line()))
                    .unwrap_or_default()
            ));
        }
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) => {
            let detail = FIRST_PANIC
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_else(|| payload_text(payload.as_ref()));
            let command: Vec<String> = std::env::args().collect();
            ctg::say!("{}", internal_error(&detail, &command));
            ExitCode::from(INTERNAL_ERROR)
        }
    }
}

/// Where the first panic of the process happened, and what it said.
static FIRST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The exit code of a failure of the program itself (`EX_SOFTWARE`).
const INTERNAL_ERROR: u8 = 70;

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "aucun détail".into())
}

/// What the user reads when the program itself fails: that it is no mistake
/// of theirs, and how to report it.
fn internal_error(detail: &str, command: &[String]) -> String {
    let shown: Vec<&str> = command.iter().skip(1).map(String::as_str).collect();
    format!(
        "erreur interne : ctg s'est arrêté sur un défaut du programme lui-même, pas de vos données.\n\
         conseil : signalez-le en joignant la commande lancée (`ctg {}`), ce message et, si possible, \
         le dossier `data/` du projet (détail technique : {detail})",
        shown.join(" ")
    )
}

fn run() -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let command = match cli::parse() {
        Ok(cli) => cli.command,
        Err(code) => return code,
    };
    match command {
        cli::Command::Build {
            root,
            out,
            jobs,
            timings,
            detail,
            typst,
            bilan,
            revision,
            forcer,
        } => {
            let options = BuildOptions {
                root,
                out,
                write: true,
                emit_typst: typst,
                review_year: bilan,
                revision,
                remake: forcer,
            };
            build_command(options, jobs, timings, detail, color)
        }
        cli::Command::Check { root } => build_one(
            BuildOptions {
                root,
                ..BuildOptions::default()
            },
            false,
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
            watch_command(&options, serve.then_some(port), color)
        }
        cli::Command::Import { file, root } => authoring(ctg::import_plan(&file, &root), color),
        cli::Command::Init { dir } => authoring(ctg::init(&dir), color),
        cli::Command::New { what } => new_command(what, color),
        cli::Command::Templates {
            what: cli::TemplatesCommand::Export { root, force },
        } => authoring(ctg::export_templates(&root, force), color),
        cli::Command::Suivi { what } => workbook_command(what, color),
        cli::Command::Worker => match ctg::serve_batch() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
    }
}

/// `ctg build`: the project under `options.root`, or every project found
/// below it (each in its own folder), built in parallel.
fn build_command(
    options: BuildOptions,
    jobs: Option<usize>,
    timings: bool,
    detail: bool,
    color: bool,
) -> ExitCode {
    // A revision is that of one project: its own repository's.
    let projects = match options.revision {
        Some(_) => Vec::new(),
        None => ctg::find_projects(&options.root),
    };
    if projects.is_empty() {
        build_one(options, timings, detail, color)
    } else {
        let mode = match options.remake {
            true => ctg::BatchMode::Remake,
            false => ctg::BatchMode::Build,
        };
        build_many(&projects, mode, jobs, color)
    }
}

/// `ctg watch`: builds again on every change, serving the outputs on `port`
/// when given.
fn watch_command(options: &BuildOptions, port: Option<u16>, color: bool) -> ExitCode {
    match ctg::watch(options, port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(d) => fail(&Failure(vec![d]), color),
    }
}

/// `ctg new action`: a new action file.
fn new_command(what: cli::NewCommand, color: bool) -> ExitCode {
    match what {
        cli::NewCommand::Action {
            champ,
            sous_section,
            titre,
            root,
        } => authoring(
            ctg::new_action(&root, &champ, sous_section.as_deref(), titre.as_deref()),
            color,
        ),
    }
}

/// `ctg suivi export` and `ctg suivi import`: the workbooks of the yearly
/// follow-up, written for the partners and read back.
fn workbook_command(what: cli::SuiviCommand, color: bool) -> ExitCode {
    match what {
        cli::SuiviCommand::Export {
            annee,
            champ,
            sortie,
            root,
        } => authoring(
            ctg::export_workbook(&ctg::ExportOptions {
                root,
                year: annee,
                fields: champ,
                out: sortie,
            }),
            color,
        ),
        cli::SuiviCommand::Import {
            fichiers,
            annee,
            remplacer,
            root,
        } => authoring(
            ctg::import_workbook(&ctg::ImportOptions {
                root,
                files: fichiers,
                year: annee,
                replace: remplacer,
            }),
            color,
        ),
    }
}

fn build_one(options: BuildOptions, timings: bool, detail: bool, color: bool) -> ExitCode {
    match ctg::build(&options) {
        Ok(report) => {
            if detail {
                for w in &report.written {
                    ctg::say!(
                        "écrit {} ({}, sha256 {})",
                        w.path.display(),
                        ctg::french_size(w.size),
                        w.sha256
                    );
                }
            } else {
                for line in written_by_document(&report.written, &options.out_dir()) {
                    ctg::say!("{line}");
                }
            }
            if !report.unchanged.is_empty() {
                ctg::say!(
                    "inchangé{} depuis la dernière construction : {} (`--forcer` refait tout)",
                    if report.unchanged.len() > 1 { "s" } else { "" },
                    report.unchanged.join(", ")
                );
            }
            // The warnings come last, where they are seen.
            print_diagnostics(&report.warnings, color);
            if !options.write {
                ctg::say!("plan valide : {}", report.summary());
            }
            if timings {
                for (stage, duration) in &report.timings {
                    ctg::say!("{stage:<28} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, color),
    }
}

/// The files a build wrote, one line per document: its files side by side
/// (« écrit out/bilan-2025.pdf, bilan-2025.html, bilan-2025.docx »), the pages
/// of a folder counted (« écrit out/actions/ : 29 pages »).
fn written_by_document(written: &[ctg::Written], out: &Path) -> Vec<String> {
    let mut documents: Vec<(String, Vec<String>)> = Vec::new();
    for w in written {
        let name = w
            .path
            .strip_prefix(out)
            .unwrap_or(&w.path)
            .to_string_lossy()
            .into_owned();
        let document = match name.split_once('/') {
            Some((folder, _)) => format!("{folder}/"),
            None => name.split('.').next().unwrap_or(&name).to_string(),
        };
        match documents.iter_mut().find(|(d, _)| *d == document) {
            Some((_, files)) => files.push(name),
            None => documents.push((document, vec![name])),
        }
    }
    let folder = out.display().to_string();
    let folder = folder.trim_end_matches('/');
    documents
        .into_iter()
        .map(|(document, files)| match document.strip_suffix('/') {
            Some(_) => format!(
                "écrit {folder}/{document} : {}",
                count(files.len(), "page", "pages")
            ),
            None => format!("écrit {folder}/{}", files.join(", ")),
        })
        .collect()
}

fn build_many(
    projects: &[PathBuf],
    mode: ctg::BatchMode,
    jobs: Option<usize>,
    color: bool,
) -> ExitCode {
    let progress = if color {
        Progress::Bar
    } else {
        Progress::Lines
    };
    // Projects are built by worker processes running this program; if its path
    // is unknown, on threads of this one.
    let runner = std::env::current_exe().map_or(ctg::Runner::Threads, ctg::Runner::Workers);
    let outcomes = ctg::build_all(projects, mode, progress, jobs, &runner);
    let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    for outcome in &failed {
        if let Err(failure) = &outcome.result {
            ctg::say!("── {}", outcome.project.display());
            print_diagnostics(&failure.0, color);
        }
    }
    ctg::say!(
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
        ctg::say!("  {}", outcome.line());
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
            // A reader that stops reading (`ctg diff v1.0 | head`) is no failure.
            let _ = write!(
                std::io::stdout(),
                "{}",
                ctg::diff_report(&found.changes, &found.old, &found.new)
            );
            if found.changes.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(failure) => {
            print_diagnostics(&failure.0, color);
            ctg::say!("échec : {failure}, aucune comparaison");
            ExitCode::from(2)
        }
    }
}

/// Import, init, new, templates export, follow-up workbooks: what was done,
/// then the exit code.
fn authoring(result: Result<ctg::Outcome, Failure>, color: bool) -> ExitCode {
    match result {
        Ok(outcome) => {
            print_diagnostics(&outcome.diagnostics, color);
            for line in &outcome.summary {
                ctg::say!("{line}");
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
    ctg::say!("échec : {failure}, aucun fichier n'a été modifié");
    ExitCode::FAILURE
}

fn print_diagnostics(diagnostics: &[Diagnostic], color: bool) {
    if !diagnostics.is_empty() {
        ctg::say_raw!("{}", ctg::render_diagnostics(diagnostics, color));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_says_one_line_per_document() {
        let out = Path::new("projet/out");
        let written: Vec<ctg::Written> = [
            "plan.pdf",
            "plan.html",
            "plan.fragment.html",
            "fiches.pdf",
            "actions/a.html",
            "actions/b.html",
            "actions/index.html",
            "bilan-2025.pdf",
            "bilan-2025.docx",
        ]
        .iter()
        .map(|name| ctg::Written {
            path: out.join(name),
            size: 1,
            sha256: String::new(),
        })
        .collect();
        assert_eq!(
            written_by_document(&written, out),
            [
                "écrit projet/out/plan.pdf, plan.html, plan.fragment.html",
                "écrit projet/out/fiches.pdf",
                "écrit projet/out/actions/ : 3 pages",
                "écrit projet/out/bilan-2025.pdf, bilan-2025.docx",
            ]
        );
    }

    #[test]
    fn a_failure_of_the_program_says_so_in_french_with_the_command() {
        let command: Vec<String> = ["ctg", "build", "--root", "projet"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let payload: Box<dyn std::any::Any + Send> = Box::new("index out of bounds");
        let message = internal_error(&payload_text(payload.as_ref()), &command);
        assert!(message.starts_with("erreur interne : ctg s'est arrêté sur un défaut du programme lui-même, pas de vos données"), "{message}");
        assert!(message.contains("(`ctg build --root projet`)"), "{message}");
        assert!(
            message.contains("(détail technique : index out of bounds)"),
            "{message}"
        );
        assert!(message.contains("\nconseil : signalez-le"), "{message}");
    }
}
