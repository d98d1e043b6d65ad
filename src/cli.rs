//! Command line: the commands and their options (clap).

use std::path::PathBuf;

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Génère les documents d'une Convention Territoriale Globale (annexe PDF, page HTML,
/// données ouvertes) à partir des fiches TOML de `data/`.
#[derive(Debug, Parser)]
#[command(name = "ctg", version, subcommand_value_name = "COMMANDE")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Construit les documents dans `out/`. Si le dossier contient plusieurs projets
    /// (des sous-dossiers avec chacun leur `data/`), les construit tous en parallèle.
    Build {
        /// Dossier du projet (contient `data/` et, facultatif, `templates/`), ou dossier de projets.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
        /// Dossier de sortie (par défaut `<root>/out`) ; pour un seul projet.
        #[arg(long, value_name = "DOSSIER")]
        out: Option<PathBuf>,
        /// Nombre de projets construits en même temps (par défaut : deux par cœur).
        #[arg(long, short, value_name = "N")]
        jobs: Option<usize>,
        /// Affiche la durée de chaque étape.
        #[arg(long)]
        timings: bool,
        /// Affiche chaque fichier écrit, avec sa taille et son SHA-256 (par défaut :
        /// une ligne par document).
        #[arg(long)]
        detail: bool,
        /// Écrit aussi la source Typst générée, `out/plan.typ`.
        #[arg(long)]
        typst: bool,
        /// Construit seulement le bilan annuel de cette année (`out/bilan-ANNÉE.pdf` et `.html`).
        #[arg(long, value_name = "ANNÉE")]
        bilan: Option<u16>,
        /// Construit les documents d'une révision git du projet (étiquette `v1.0`,
        /// branche, commit) dans `out/<révision>/`, sans toucher aux fichiers du projet.
        #[arg(long, value_name = "RÉVISION")]
        revision: Option<String>,
        /// Refait chaque document, même ceux dont les données, les gabarits et
        /// le programme n'ont pas changé depuis qu'ils ont été écrits.
        #[arg(long)]
        forcer: bool,
    },
    /// Compare deux versions du plan et affiche les changements, par champ
    /// d'intervention. Code de sortie : 0 sans changement, 1 s'il y a des
    /// changements, 2 si une version ne peut être lue.
    Diff {
        /// Version de départ : révision git (étiquette `v1.0`, branche, commit) ou
        /// dossier d'un projet (depuis le projet, ou chemin absolu).
        ancienne: String,
        /// Version d'arrivée, de même (par défaut : les fichiers actuels du projet).
        nouvelle: Option<String>,
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
    /// Vérifie les données et les gabarits sans rien écrire.
    Check {
        /// Dossier du projet (contient `data/` et, facultatif, `templates/`).
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
    /// Reconstruit à chaque modification de `data/` ou `templates/`.
    Watch {
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
        /// Dossier de sortie (par défaut `<root>/out`).
        #[arg(long, value_name = "DOSSIER")]
        out: Option<PathBuf>,
        /// Sert `out/` sur 127.0.0.1 et recharge la page après chaque reconstruction ;
        /// l'adresse affichée contient le jeton de la session, sans lequel rien n'est servi.
        #[arg(long)]
        serve: bool,
        /// Port de l'aperçu.
        #[arg(long, default_value_t = 8023, value_name = "PORT")]
        port: u16,
    },
    /// Importe un plan existant (tableau Word `.docx`, ou fichier `.csv`/`.tsv` exporté
    /// d'un tableur) et écrit un projet prêt à construire : `data/convention.toml` et
    /// une fiche par action. Ce qui ne peut être repris est signalé.
    Import {
        /// Fichier à importer : `.docx`, `.csv` ou `.tsv`, avec une ligne d'en-tête.
        #[arg(value_name = "FICHIER")]
        file: PathBuf,
        /// Dossier du nouveau projet (créé au besoin ; ne doit pas contenir `data/`).
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
    /// Crée un projet : une convention commentée et une action d'exemple.
    Init {
        /// Dossier du nouveau projet (créé au besoin ; ne doit pas contenir `data/`).
        #[arg(value_name = "DOSSIER")]
        dir: PathBuf,
    },
    /// Ajoute un fichier au projet.
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
    /// Gabarits du projet.
    Templates {
        #[command(subcommand)]
        what: TemplatesCommand,
    },
    /// Suivi annuel par tableur : un classeur à faire remplir par les partenaires,
    /// puis relu dans `data/suivi/ANNÉE.toml`.
    Suivi {
        #[command(subcommand)]
        what: SuiviCommand,
    },
    /// Construit un à un les projets demandés sur l'entrée standard (utilisé par
    /// `build` quand le dossier contient plusieurs projets).
    #[command(hide = true)]
    Worker,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Écrit une nouvelle fiche d'action : position suivante du champ, identifiant
    /// neuf, chaque clé commentée et un texte « À compléter. » dans chaque cellule.
    Action {
        /// Champ d'intervention : son `id` (ex. `jeunesse`) ou son libellé.
        #[arg(long, value_name = "CHAMP")]
        champ: String,
        /// Sous-section du champ : son `id` ou son libellé (facultatif).
        #[arg(long, value_name = "SOUS-SECTION")]
        sous_section: Option<String>,
        /// Intitulé de l'action : début du descriptif, et mots de l'identifiant.
        #[arg(long, value_name = "TITRE")]
        titre: Option<String>,
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Écrit les gabarits intégrés dans `templates/` du projet, pour les modifier :
    /// un fichier de ce dossier remplace le gabarit intégré du même nom.
    Export {
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
        /// Remplace les gabarits déjà présents dans `templates/`.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SuiviCommand {
    /// Écrit le classeur du suivi de l'année (`out/suivi-ANNÉE.xlsx`) : une ligne par
    /// action, pré-remplie avec le dernier suivi, et une feuille des indicateurs.
    Export {
        /// Année du suivi, dans la période de la convention.
        #[arg(value_name = "ANNÉE")]
        annee: u16,
        /// Seulement les actions de ce champ d'intervention (son `id` ou son libellé) ;
        /// l'option se répète pour plusieurs champs.
        #[arg(long, value_name = "ID")]
        champ: Vec<String>,
        /// Chemin du classeur écrit (par défaut `out/suivi-ANNÉE.xlsx`, ou
        /// `out/suivi-ANNÉE-<champ>.xlsx` avec `--champ`).
        #[arg(long, value_name = "FICHIER")]
        sortie: Option<PathBuf>,
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
    /// Relit des classeurs remplis (`.xlsx`, `.ods`, ou une feuille en `.csv`) et
    /// écrit ou met à jour `data/suivi/ANNÉE.toml`. Rien n'est écrit tant qu'une
    /// erreur reste.
    Import {
        /// Classeurs remplis.
        #[arg(required = true, value_name = "FICHIER")]
        fichiers: Vec<PathBuf>,
        /// Année du suivi (par défaut : celle des classeurs).
        #[arg(long, value_name = "ANNÉE")]
        annee: Option<u16>,
        /// Écrit aussi les valeurs qui changent ce que le fichier contient déjà.
        #[arg(long)]
        remplacer: bool,
        /// Dossier du projet.
        #[arg(long, default_value = ".", value_name = "DOSSIER")]
        root: PathBuf,
    },
}

/// The help's layout, with French headings; clap's own says « Usage: ».
const HELP_TEMPLATE: &str = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The command line's description, in French throughout: headings, the help
/// and version options, and default values said in words.
fn command() -> clap::Command {
    french(Cli::command())
}

fn french(command: clap::Command) -> clap::Command {
    command
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Commandes")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("aide")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Affiche cette aide"),
        )
        .mut_args(|arg| {
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if defaults.is_empty() || arg.is_hide_default_value_set() {
                return arg;
            }
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let help = format!(
                "{} (par défaut : {})",
                help.trim_end_matches('.'),
                defaults.join(", ")
            );
            arg.hide_default_value(true).help(help)
        })
        .mut_subcommands(french)
}

/// Parses the command line; a mistake in it is said in French, with a hint,
/// the command's usage and where its help is, and gives the exit code 2.
pub fn parse() -> Result<Cli, ExitCode> {
    let mut command = command().arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("Affiche la version"),
    );
    let matches = command.try_get_matches_from_mut(std::env::args_os());
    let error = match matches.and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => return Ok(cli),
        Err(error) => error,
    };
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = error.render().to_string();
            let end = if text.ends_with('\n') { "" } else { "\n" };
            let _ = std::io::Write::write_fmt(&mut std::io::stdout(), format_args!("{text}{end}"));
            return Err(ExitCode::SUCCESS);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return Err(ExitCode::from(2));
        }
        _ => {}
    }
    ctg::say_raw!("{}", explain(&error));
    Err(ExitCode::from(2))
}

/// A mistake of the command line in French: what is wrong, a hint, the usage.
fn explain(error: &clap::Error) -> String {
    let text = |kind: ContextKind| -> Option<String> {
        match error.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let quoted = |kind: ContextKind| text(kind).map(|t| format!("`{t}`")).unwrap_or_default();
    let suggestion = text(ContextKind::SuggestedSubcommand)
        .or_else(|| text(ContextKind::SuggestedArg))
        .or_else(|| text(ContextKind::SuggestedValue))
        .map(|s| format!("vouliez-vous dire `{s}` ? "))
        .unwrap_or_default();
    let arg = quoted(ContextKind::InvalidArg);
    let value = quoted(ContextKind::InvalidValue);
    let (message, hint) = match error.kind() {
        ErrorKind::InvalidSubcommand => (
            format!(
                "commande inconnue : {}",
                quoted(ContextKind::InvalidSubcommand)
            ),
            format!("{suggestion}les commandes sont : {}", commands()),
        ),
        ErrorKind::MissingSubcommand => (
            "commande manquante".to_string(),
            format!("les commandes sont : {}", commands()),
        ),
        ErrorKind::UnknownArgument => (
            format!("option ou argument inconnu : {arg}"),
            format!("{suggestion}les options de la commande sont décrites par son aide (`--help`)"),
        ),
        ErrorKind::InvalidValue if value.is_empty() || value == "``" => (
            format!("valeur manquante après {arg}"),
            "écrivez-la après l'option, par exemple `--root mon-projet`".to_string(),
        ),
        ErrorKind::InvalidValue => (
            format!("valeur invalide pour {arg} : {value}"),
            match text(ContextKind::ValidValue).filter(|v| !v.is_empty()) {
                Some(valid) => format!("{suggestion}valeurs possibles : {valid}"),
                None => "vérifiez la valeur donnée après l'option".into(),
            },
        ),
        ErrorKind::ValueValidation => (
            format!("valeur invalide pour {arg} : {value}"),
            format!(
                "{} : écrivez-le en chiffres, par exemple 2026",
                number_error(error)
            ),
        ),
        ErrorKind::MissingRequiredArgument => (
            format!("argument obligatoire manquant : {arg}"),
            "ajoutez-le à la commande ; son aide (`--help`) dit ce qu'il attend".to_string(),
        ),
        ErrorKind::ArgumentConflict => (
            format!(
                "{arg} ne peut pas être donné avec {}",
                quoted(ContextKind::PriorArg)
            ),
            "gardez l'une des deux options".to_string(),
        ),
        ErrorKind::NoEquals => (
            format!("la valeur de {arg} s'écrit après un `=`"),
            "par exemple `--option=valeur`".to_string(),
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => (
            format!("nombre de valeurs incorrect pour {arg}"),
            "son aide (`--help`) dit combien de valeurs elle prend".to_string(),
        ),
        _ => (
            "ligne de commande invalide".to_string(),
            "l'aide (`ctg --help`) décrit les commandes et leurs options".to_string(),
        ),
    };
    let usage = text(ContextKind::Usage)
        .map(|u| u.replace("Usage: ", ""))
        .unwrap_or_else(|| "ctg <COMMANDE>".to_string());
    let usage = usage.trim();
    let help = match usage
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect::<Vec<_>>()
    {
        words if words.is_empty() => "ctg --help".to_string(),
        words => format!("{} --help", words.join(" ")),
    };
    format!("erreur : {message}\n  conseil : {hint}\n\nUtilisation : {usage}\nAide : `{help}`\n")
}

/// Why a number given on the command line was refused, in French: clap's
/// own words (« 99999999 is not in 0..=65535 ») are read for the bounds.
fn number_error(error: &clap::Error) -> String {
    use std::num::IntErrorKind;
    let Some(source) = std::error::Error::source(error) else {
        return "un nombre entier est attendu".into();
    };
    if let Some(e) = source.downcast_ref::<std::num::ParseIntError>() {
        return match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "nombre trop grand".into(),
            IntErrorKind::Empty => "valeur vide".into(),
            _ => "un nombre entier est attendu".into(),
        };
    }
    let detail = source.to_string();
    match detail
        .split_once(" is not in ")
        .and_then(|(_, r)| r.split_once("..="))
    {
        Some((low, high)) => format!(
            "nombre trop grand ou trop petit : de {low} à {}",
            high.trim()
        ),
        None => "un nombre entier est attendu".into(),
    }
}

/// The visible commands, for hints.
fn commands() -> String {
    Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_is_in_french() {
        let help = command().render_long_help().to_string();
        for english in ["Usage:", "Print help", "[default:", "Commands:"] {
            assert!(!help.contains(english), "{english}: {help}");
        }
        assert!(help.contains("Utilisation : ctg <COMMANDE>"), "{help}");
        assert!(help.contains("Commandes"), "{help}");
        let mut build = command();
        let build = build.find_subcommand_mut("build").unwrap();
        let help = build.render_long_help().to_string();
        assert!(help.contains("(par défaut : .)"), "{help}");
        assert!(help.contains("Affiche cette aide"), "{help}");
        assert!(help.contains("--root <DOSSIER>"), "{help}");
    }
}
