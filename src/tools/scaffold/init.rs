//! `ctg init`: a starter project, its convention commented key by key and
//! one example action.

use std::path::{Path, PathBuf};

use super::new_action::{NewAction, action_text};
use super::{Outcome, check_written, declaration, refuse_existing_data, write_new_data};
use crate::diag::Failure;
use crate::model::shape::Shape;
use crate::read::{ACTIONS_DIR, CONVENTION_FILE};

/// Creates a new project under `root`: a commented convention and one example
/// action.
pub fn init(root: &Path) -> Result<Outcome, Failure> {
    refuse_existing_data(root)?;
    let shape = Shape::reference();
    let convention = format!(
        "{}\n\n{}\n{STARTER_FIELDS}",
        STARTER_CONVENTION.trim_end(),
        declaration(&shape)
    );
    let action = action_text(
        &shape,
        &NewAction {
            id: "petite-enfance-exemple-action",
            field_id: "petite-enfance",
            field_label: "Petite Enfance",
            subsection: Some("structures"),
            subsections: &["structures"],
            position: 1,
            period: "2025-2029",
            title: Some("Création d'une micro-crèche de 12 places."),
        },
    );
    let files = vec![
        (PathBuf::from(CONVENTION_FILE), convention),
        (
            PathBuf::from(ACTIONS_DIR).join("petite-enfance/01-exemple-action.toml"),
            action,
        ),
    ];
    write_new_data(root, &files).map_err(|d| Failure(vec![d]))?;
    let mut outcome = Outcome {
        summary: vec![format!(
            "projet créé dans {} : data/convention.toml et une action d'exemple",
            root.display()
        )],
        success: true,
        ..Outcome::default()
    };
    check_written(root, &mut outcome);
    outcome.summary.push(
        "complétez data/convention.toml, puis ajoutez les actions avec `ctg new action --champ <id>`"
            .into(),
    );
    Ok(outcome)
}

const STARTER_CONVENTION: &str = r#"# Convention Territoriale Globale : ce qui n'est pas une action.
# Chaque valeur entre guillemets est à remplacer ; les lignes qui commencent
# par # sont des commentaires.

# Les trois lignes du titre de l'annexe
titre = "Convention Territoriale Globale"
parties = "Caf de … / Communauté de communes de …"
intitule = "PLAN D'ACTIONS 2025 - 2029"
# Titre du tableau
legende = "Plan d'actions 2025-2029 - Moyens mobilisés par chaque signataire dans le cadre des objectifs partagés"
# Années couvertes : chaque échéance d'action doit y tenir
periode = "2025-2029"
# Version du plan, imprimée en pied de page (facultatif)
version = "1.0"
# Date de cette édition : date de création du PDF, exigée par la norme
# d'archivage PDF/A (format année-mois-jour, sans guillemets)
date = 2025-06-30

"#;

/// The rest of a new convention: fields, notes, signatories.
const STARTER_FIELDS: &str = r##"# Champs d'intervention, dans l'ordre du tableau. `id` : minuscules, chiffres et
# tirets ; c'est aussi le nom du dossier de ses actions dans data/actions/.
[[champs]]
id = "petite-enfance"
libelle = "Petite Enfance"
# Sous-sections du champ (facultatif) : une ligne grisée dans le tableau
sous_sections = [
  { id = "structures", libelle = "Structures petite enfance" },
]

[[champs]]
id = "jeunesse"
libelle = "Jeunesse"
# Renvoi vers une note de bas de tableau (facultatif)
note = "competence-jeunesse"

# Notes de bas de tableau : la marque suit le libellé du champ qui y renvoie
[[notes]]
id = "competence-jeunesse"
marque = "*"
texte = '''
Texte de la note, en Markdown.
'''

# Couleurs des documents (facultatif) : fond des en-têtes des tableaux, couleur du
# titre ; un contraste d'au moins 4,5:1 avec le texte est exigé
# [couleurs]
# entetes = "#d9e2f3"
# titre = "#0a4a8f"

# Signataires : une table par institution ; `sigle`, `qualite` et `nom` sont facultatifs,
# comme `logo` (un fichier SVG, PNG ou JPEG du projet) et son texte de remplacement
# `logo_alt` (par défaut « Logo de » suivi de l'institution)
[[signataires]]
institution = "Caisse d'allocations familiales de …"
sigle = "Caf"
# logo = "logos/caf.svg"

[[signataires]]
institution = "Communauté de communes de …"

# Classeurs du suivi annuel (`ctg suivi export ANNÉE`), facultatif : la note en
# tête de chaque classeur dit aux partenaires quoi remplir et à qui le renvoyer.
# [suivi]
# consigne = "…"   # remplace la consigne écrite par défaut
# retour = "la coordination CTG de la communauté de communes, avant le 31 janvier"

# Avenants (facultatif) : chacun donne `out/avenant-N.pdf`, `.html` et `.docx`, avec ce qui a
# changé depuis la version du plan qu'il modifie (étiquette git, commit, ou dossier)
# [[avenants]]
# numero = 1
# date = 2025-03-15
# depuis = "v1.0"
# objet = "La convention est modifiée et complétée dans les conditions fixées ci-après."
"##;
