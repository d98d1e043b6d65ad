//! Command line: the commands and their options (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Génère les documents d'une Convention Territoriale Globale (annexe PDF, page HTML)
/// à partir des fiches TOML de `data/`.
#[derive(Debug, Parser)]
#[command(name = "ctg", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Construit `out/plan.pdf` et `out/plan.html`.
    Build {
        /// Dossier du projet (contient `data/` et, facultatif, `templates/`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Dossier de sortie (par défaut `<root>/out`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Vérifie les données et les gabarits sans rien écrire.
    Check {
        /// Dossier du projet (contient `data/` et, facultatif, `templates/`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}
