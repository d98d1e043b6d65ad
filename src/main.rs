//! Entry point: parses the command line, runs the command, prints diagnostics and
//! sets the exit code.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use ctg::BuildOptions;
use ctg::diag::{self, Diagnostic};

fn main() -> ExitCode {
    // Panics are caught where they can happen and reported as errors; the default
    // hook would print a Rust message and backtrace meant for developers.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = cli::Cli::parse();
    let options = match cli.command {
        cli::Command::Build { root, out } => BuildOptions {
            root,
            out,
            write: true,
        },
        cli::Command::Check { root } => BuildOptions {
            root,
            out: None,
            write: false,
        },
    };
    let color = std::io::stderr().is_terminal();
    match ctg::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, color);
            for (path, size) in &report.written {
                eprintln!("écrit {} ({})", path.display(), human_size(*size));
            }
            if !options.write {
                eprintln!(
                    "plan valide : {} actions, {} pages",
                    report.actions, report.pages
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print_diagnostics(&failure.0, color);
            eprintln!("échec : {failure}, aucun fichier n'a été modifié");
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], color: bool) {
    if !diagnostics.is_empty() {
        eprint!("{}", diag::render(diagnostics, color));
    }
}

fn human_size(bytes: usize) -> String {
    if bytes < 1000 {
        format!("{bytes} o")
    } else {
        format!("{} ko", bytes.div_ceil(1000))
    }
}
