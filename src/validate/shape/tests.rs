use super::*;
use crate::read::RawConvention;

/// The shape that `columns` (TOML after the convention's first keys)
/// declares, and the problems found.
fn declare(columns: &str) -> (Option<Shape>, Vec<Diagnostic>) {
    let text = format!(
        "titre = \"T\"\nparties = \"P\"\nintitule = \"I\"\nlegende = \"L\"\nperiode = \"2024-2026\"\n\n{columns}\n\n[[champs]]\nid = \"a\"\nlibelle = \"A\"\n"
    );
    let mut diags = Vec::new();
    let raw = crate::read::parse_source::<RawConvention>(
        SourceFile::new("data/convention.toml", text),
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{diags:?}"));
    let shape = Shape::declared(&raw.file, raw.value.colonnes, raw.value.tableau, &mut diags);
    let valid = !diags.iter().any(Diagnostic::is_error);
    (valid.then_some(shape), diags)
}

/// The single error of a declaration, message and hint.
fn error(columns: &str) -> String {
    let (shape, diags) = declare(columns);
    assert!(shape.is_none(), "{columns}");
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    format!(
        "{} | {}",
        errors[0].message,
        errors[0].hint.clone().unwrap_or_default()
    )
}

fn column(key: &str, extra: &str) -> String {
    format!("[[colonnes]]\ncle = \"{key}\"\nlibelle = \"{key}\"\n{extra}\n")
}

#[test]
fn a_declaration_in_order_with_its_defaults() {
    let (shape, diags) = declare(&format!(
        "[tableau]\npremiere_colonne = \"Axes\"\n\n{}{}{}",
        column("action", "largeur = 2"),
        column(
            "budget",
            "type = \"montant\"\nobligatoire = false\ngroupe = \"G\""
        ),
        column("public", "tableau = false"),
    ));
    assert!(diags.is_empty(), "{diags:?}");
    let shape = shape.unwrap();
    assert_eq!(shape.first_column, "Axes");
    let keys: Vec<&str> = shape.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["action", "budget", "public"]);
    let (action, budget, public) = (&shape.columns[0], &shape.columns[1], &shape.columns[2]);
    assert_eq!(
        (action.kind, action.width, action.required),
        (ColumnType::Text, 2.0, true)
    );
    assert_eq!(
        (budget.kind, budget.width, budget.required),
        (ColumnType::Amount, 1.0, false)
    );
    assert_eq!(budget.group.as_deref(), Some("G"));
    assert!(action.shown && !public.shown);
    assert_eq!(shape.deadline(), None);
    assert_eq!(shape.title(), Some(0));
}

#[test]
fn the_table_of_labels_relabels_the_reference_model() {
    let (shape, diags) =
        declare("[colonnes]\nchamp = \"Axes\"\nnature = \"Offre\"\nobjectifs = \"Buts\"\n");
    assert!(diags.is_empty(), "{diags:?}");
    let shape = shape.unwrap();
    let reference = Shape::reference();
    assert_eq!(shape.first_column, "Axes");
    assert_eq!(shape.columns[0].group.as_deref(), Some("Offre"));
    assert_eq!(shape.columns[1].group.as_deref(), Some("Offre"));
    assert_eq!(shape.columns[3].label, "Buts");
    assert_eq!(shape.columns[4], reference.columns[4]);
    assert_eq!(declare("").0, Some(reference));
    assert!(error("[colonnes]\ndescriptiv = \"D\"\n").contains("vouliez-vous dire `descriptif` ?"));
    assert!(
        error("[tableau]\npremiere_colonne = \"Axes\"\n\n[colonnes]\nchamp = \"Champs\"\n")
            .contains("libellé de la première colonne donné deux fois")
    );
}

#[test]
fn a_declaration_with_a_mistake_is_refused_at_its_place() {
    let message = error(&format!("{}{}", column("a", ""), column("a", "")));
    assert!(
        message.contains("colonne `a` déclarée deux fois"),
        "{message}"
    );
    let message = error(&column("position", ""));
    assert!(
        message.starts_with("clé réservée : `position`"),
        "{message}"
    );
    let message = error("[[colonnes]]\ncle = \"Public visé\"\nlibelle = \"P\"\n");
    assert!(
        message.contains("écrivez par exemple `public_vise`"),
        "{message}"
    );
    let message = error(&column("a", "type = \"date\""));
    assert!(
        message.contains("type de colonne inconnu : \"date\""),
        "{message}"
    );
    let message = error(&format!(
        "{}{}",
        column("a", "type = \"echeance\""),
        column("b", "type = \"echeance\"")
    ));
    assert!(
        message.contains("deuxième colonne d'échéance : `b`"),
        "{message}"
    );
    let message = error(&column("a", "largeur = 0"));
    assert!(
        message.contains("largeur de colonne impossible"),
        "{message}"
    );
    let message = error(&column("a", "tableau = false"));
    assert!(message.contains("aucune colonne à afficher"), "{message}");
    let message = error("colonnes = []\n");
    assert!(message.contains("aucune colonne déclarée"), "{message}");
    let message = error(&format!(
        "{}{}",
        column("k", "type = \"echeance\""),
        column("k_fin", "")
    ));
    assert!(message.contains("`k_fin`"), "{message}");
    let message = error("[[colonnes]]\ncle = \"a\"\nlibelle = \" \"\n");
    assert!(
        message.starts_with("le texte de `colonnes.libelle` est vide"),
        "{message}"
    );
}

#[test]
fn groups_are_in_one_piece_in_the_table() {
    let message = error(&format!(
        "{}{}{}",
        column("a", "groupe = \"G\""),
        column("b", "groupe = \"H\""),
        column("c", "groupe = \"G\"")
    ));
    assert_eq!(
        message.split(" | ").next().unwrap(),
        "groupe « G » coupé par la colonne « b »"
    );
    // A column kept out of the table does not split its neighbours' group.
    let (shape, diags) = declare(&format!(
        "{}{}{}",
        column("a", "groupe = \"G\""),
        column("b", "tableau = false"),
        column("c", "groupe = \"G\"")
    ));
    assert!(shape.is_some(), "{diags:?}");
}

#[test]
fn more_than_ten_columns_is_a_warning() {
    let columns: String = (0..10).map(|i| column(&format!("c{i}"), "")).collect();
    let (shape, diags) = declare(&columns);
    assert!(shape.is_some());
    assert_eq!(diags.len(), 1);
    assert!(!diags[0].is_error());
    assert!(
        diags[0].message.contains("tableau de 11 colonnes"),
        "{diags:?}"
    );
    let columns: String = (0..9).map(|i| column(&format!("c{i}"), "")).collect();
    assert!(declare(&columns).1.is_empty());
}

#[test]
fn keys_are_derived_from_labels() {
    assert_eq!(key_of("Budget prévisionnel"), "budget_previsionnel");
    assert_eq!(key_of("Public visé"), "public_vise");
    assert_eq!(key_of("Objectif(s)"), "objectif_s");
    assert_eq!(key_of("  Mise en œuvre  "), "mise_en_oeuvre");
    assert_eq!(key_of("2e étape"), "colonne_2e_etape");
    assert_eq!(key_of("…"), "");
    assert!(is_key("public_vise"));
    assert!(!is_key("Public"));
    assert!(!is_key("_a"));
    assert!(!is_key("1a"));
}

#[test]
fn the_reference_model_has_seven_columns_in_two_groups() {
    let shape = Shape::reference();
    assert_eq!(shape.columns.len(), 7);
    let groups: Vec<&str> = shape
        .columns
        .iter()
        .filter_map(|c| c.group.as_deref())
        .collect();
    assert_eq!(groups.first(), Some(&NATURE.1));
    assert_eq!(groups.last(), Some(&INDICATORS.1));
    assert_eq!(shape.deadline(), Some(6));
    assert_eq!(shape.title(), Some(0));
    for key in shape.action_keys() {
        assert!(is_key(key), "{key}");
    }
}
