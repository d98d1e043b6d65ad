//! Command line: the commands and their options (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Génère les documents d'une Convention Territoriale Globale (annexe PDF, page HTML,
/// données ouvertes) à partir des fiches TOML de `data/`.
#[derive(Debug, Parser)]
#[command(name = "ctg", version)]
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
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Dossier de sortie (par défaut `<root>/out`) ; pour un seul projet.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Nombre de projets construits en même temps (par défaut : deux par cœur).
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Affiche la durée de chaque étape.
        #[arg(long)]
        timings: bool,
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
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Vérifie les données et les gabarits sans rien écrire.
    Check {
        /// Dossier du projet (contient `data/` et, facultatif, `templates/`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Reconstruit à chaque modification de `data/` ou `templates/`.
    Watch {
        /// Dossier du projet.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Dossier de sortie (par défaut `<root>/out`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Sert `out/` sur 127.0.0.1 et recharge la page après chaque reconstruction ;
        /// l'adresse affichée contient le jeton de la session, sans lequel rien n'est servi.
        #[arg(long)]
        serve: bool,
        /// Port de l'aperçu.
        #[arg(long, default_value_t = 8023)]
        port: u16,
    },
    /// Importe un plan existant (tableau Word `.docx`, ou fichier `.csv`/`.tsv` exporté
    /// d'un tableur) et écrit un projet prêt à construire : `data/convention.toml` et
    /// une fiche par action. Ce qui ne peut être repris est signalé.
    Import {
        /// Fichier à importer : `.docx`, `.csv` ou `.tsv`, avec une ligne d'en-tête.
        file: PathBuf,
        /// Dossier du nouveau projet (créé au besoin ; ne doit pas contenir `data/`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Crée un projet : une convention commentée et une action d'exemple.
    Init {
        /// Dossier du nouveau projet (créé au besoin ; ne doit pas contenir `data/`).
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
        #[arg(long)]
        champ: String,
        /// Sous-section du champ : son `id` ou son libellé (facultatif).
        #[arg(long)]
        sous_section: Option<String>,
        /// Intitulé de l'action : début du descriptif, et mots de l'identifiant.
        #[arg(long)]
        titre: Option<String>,
        /// Dossier du projet.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Écrit les gabarits intégrés dans `templates/` du projet, pour les modifier :
    /// un fichier de ce dossier remplace le gabarit intégré du même nom.
    Export {
        /// Dossier du projet.
        #[arg(long, default_value = ".")]
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
        #[arg(long, default_value = ".")]
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
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}
