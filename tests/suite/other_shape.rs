//! A plan of another model than the reference plan's (`tests/fixtures/autre-modele`):
//! first column « Axes », six columns of which two under the group « Mise en
//! œuvre » (an échéance and an amount), a field kept out of the table, and a
//! year of follow-up. Its declaration shapes every output: the PDF, the page and
//! its fragment, the open data and the review.

use crate::common;

use std::sync::LazyLock;

use common::*;
use ctg::Rendered;
use ctg::markdown_to_plain;
use ctg::{Plan, Value};
use scraper::{ElementRef, Html, Selector};

static OTHER: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&fixture("autre-modele")).expect("the fixture builds"));

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn text(e: &ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// The header cells of a page's plan table, row by row: label, colspan, rowspan.
fn html_header(html: &str) -> Vec<Vec<(String, usize, usize)>> {
    let doc = Html::parse_document(html);
    let table = doc.select(&sel(".ctg-plan table")).next().unwrap();
    table
        .select(&sel("thead tr"))
        .map(|tr| {
            tr.select(&sel("th"))
                .map(|th| {
                    let span = |name| {
                        th.value()
                            .attr(name)
                            .map_or(1, |v: &str| v.parse().unwrap())
                    };
                    (text(&th), span("colspan"), span("rowspan"))
                })
                .collect()
        })
        .collect()
}

fn cell(label: &str, colspan: usize, rowspan: usize) -> (String, usize, usize) {
    (label.to_string(), colspan, rowspan)
}

#[test]
fn the_header_has_the_declared_cells_and_spans() {
    let (_, out) = &*OTHER;
    let expected = vec![
        vec![
            cell("Axes", 1, 2),
            cell("Action", 1, 2),
            cell("Pilote", 1, 2),
            cell("Partenaires", 1, 2),
            cell("Mise en œuvre", 2, 1),
            cell("Indicateurs", 1, 2),
        ],
        vec![cell("Calendrier", 1, 1), cell("Budget prévisionnel", 1, 1)],
    ];
    assert_eq!(html_header(&out.html()), expected);
    assert_eq!(html_header(&out.text("plan.fragment.html")), expected);
    // The PDF's header, cell for cell, in the order Typst places them.
    let typ = &out.typst_source();
    let header = typ
        .split_once("table.header(\n")
        .and_then(|(_, rest)| rest.split_once("\n  ),"))
        .map(|(header, _)| header)
        .unwrap();
    let cells: Vec<&str> = header.lines().map(str::trim).collect();
    assert_eq!(
        cells,
        [
            "th(rowspan: 2)[Axes],",
            "th(rowspan: 2)[Action],",
            "th(rowspan: 2)[Pilote],",
            "th(rowspan: 2)[Partenaires],",
            "th(colspan: 2)[Mise en œuvre],",
            "th(rowspan: 2)[Indicateurs],",
            "th[Calendrier],",
            "th[Budget prévisionnel],",
        ]
    );
    // On the page, the group's header sits above its two columns.
    let runs = &page_runs(&out.layout())[0];
    let at = |t: &str| {
        runs.iter()
            .find(|r| r.text.contains(t))
            .unwrap_or_else(|| panic!("« {t} » absent de la page"))
    };
    let (group, calendar, budget) = (at("Mise"), at("Calendrier"), at("Budget"));
    assert!(
        group.y < calendar.y && group.y < budget.y,
        "{group:?} {calendar:?}"
    );
    assert!(
        calendar.x < group.x && group.x < budget.x + 20.0,
        "{group:?} {calendar:?} {budget:?}"
    );
}

/// Each action's cells in the table, as the reader sees them: the plain text of
/// its text cells, its échéance, its amount in French form; empty when absent.
fn expected_cells(plan: &Plan) -> Vec<Vec<String>> {
    let shape = &plan.convention.shape;
    plan.actions
        .iter()
        .map(|a| {
            shape
                .columns
                .iter()
                .zip(&a.values)
                .filter(|(c, _)| c.shown)
                .map(|(_, v)| match v {
                    Value::Text(t) => markdown_to_plain(t),
                    Value::Deadline(d) => d.text.clone(),
                    Value::Amount(amount) => amount.french(),
                    Value::Number(n) => n.to_string(),
                    Value::Absent => String::new(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_cell_is_in_both_outputs() {
    let (plan, out) = &*OTHER;
    let expected = expected_cells(plan);
    assert_eq!(expected.len(), 4);
    assert!(expected.iter().all(|row| row.len() == 6));
    // The page: a row per action, a cell per column, each with its column's label.
    let doc = Html::parse_document(&out.html());
    let labels: Vec<String> = plan
        .convention
        .shape
        .shown()
        .map(|(_, c)| c.label.clone())
        .collect();
    let rows: Vec<Vec<String>> = doc
        .select(&sel("tr.ctg-action"))
        .map(|tr| {
            let tds: Vec<ElementRef> = tr.select(&sel("td")).collect();
            let named: Vec<&str> = tds
                .iter()
                .map(|td| td.value().attr("data-label").unwrap())
                .collect();
            assert_eq!(named, labels);
            tds.iter()
                .map(|td| {
                    // Paragraphs and list items as the plain text separates them;
                    // the link to the action's sheet is the page's, not the cell's.
                    let blocks: Vec<String> = td
                        .select(&sel("p:not(.ctg-lien-fiche), li"))
                        .map(|b| text(&b))
                        .collect();
                    if blocks.is_empty() {
                        text(td)
                    } else {
                        blocks.join("\n")
                    }
                })
                .collect()
        })
        .collect();
    let typeset = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| normalise(c)).collect())
            .collect()
    };
    assert_eq!(typeset(&rows), typeset(&expected));
    // The PDF: every paragraph of every cell.
    let pdf = normalise(&out.page_texts().join(" "));
    for paragraph in expected.iter().flatten().flat_map(|v| v.lines()) {
        assert!(
            pdf.contains(&normalise(paragraph)),
            "« {paragraph} » absent du PDF : {pdf}"
        );
    }
}

#[test]
fn amounts_are_printed_the_french_way() {
    let (_, out) = &*OTHER;
    let doc = Html::parse_document(&out.html());
    let amounts: Vec<String> = doc
        .select(&sel("td.ctg-montant"))
        .map(|td| text(&td))
        .collect();
    assert_eq!(
        amounts,
        [
            "12\u{202f}500\u{a0}€",
            "4\u{202f}500,50\u{a0}€",
            "",
            "1\u{202f}250\u{202f}000\u{a0}€"
        ]
    );
    let pdf = out.page_texts().join(" ");
    for amount in amounts.iter().filter(|a| !a.is_empty()) {
        assert!(pdf.contains(amount.as_str()), "{amount} : {pdf}");
    }
    // The open data keeps the number.
    let csv = String::from_utf8(out.bytes("plan.csv").to_vec()).unwrap();
    assert!(csv.contains(",12500,"), "{csv}");
    assert!(csv.contains(",4500.50,"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&out.text("plan.json")).unwrap();
    assert_eq!(json[0]["budget"], serde_json::json!(12500));
    assert_eq!(json[1]["budget"], serde_json::json!(4500.5));
    assert_eq!(json[2]["budget"], serde_json::Value::Null);
}

#[test]
fn a_field_kept_out_of_the_table_is_in_the_open_data_only() {
    let (plan, out) = &*OTHER;
    let shape = &plan.convention.shape;
    let hidden: Vec<&str> = plan
        .actions
        .iter()
        .map(|a| a.text(shape, "public_vise").unwrap())
        .collect();
    assert_eq!(hidden.len(), 4);
    // In the CSV and the JSON, under its key.
    let mut reader = csv::Reader::from_reader(out.bytes("plan.csv"));
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "collectivite",
            "caf",
            "periode_debut",
            "periode_fin",
            "champ",
            "sous_section",
            "action_id",
            "action",
            "pilote",
            "partenaires",
            "calendrier_debut",
            "calendrier_fin",
            "budget",
            "indicateurs",
            "public_vise"
        ]
    );
    let column: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[14].to_string())
        .collect();
    assert_eq!(column, hidden);
    // Nowhere in the table: neither its label nor its values.
    let pdf = normalise(&out.page_texts().join(" "));
    for html in [&out.html(), &out.text("plan.fragment.html")] {
        let page = html_text(html);
        assert!(!page.contains("Public visé"));
        for value in &hidden {
            assert!(!page.contains(value), "{value}");
        }
    }
    assert!(!pdf.contains(&normalise("Public visé")));
    for value in &hidden {
        assert!(!pdf.contains(&normalise(value)), "{value}");
    }
}

#[test]
fn the_data_package_describes_the_declared_columns() {
    let (_, out) = &*OTHER;
    let package: serde_json::Value = serde_json::from_str(&out.text("datapackage.json")).unwrap();
    for resource in package["resources"].as_array().unwrap() {
        let fields = resource["schema"]["fields"].as_array().unwrap();
        let described: Vec<(&str, &str, bool)> = fields
            .iter()
            .skip(7)
            .map(|f| {
                (
                    f["name"].as_str().unwrap(),
                    f["type"].as_str().unwrap(),
                    f["constraints"]["required"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            described,
            [
                ("action", "string", true),
                ("pilote", "string", true),
                ("partenaires", "string", true),
                ("calendrier_debut", "year", true),
                ("calendrier_fin", "year", true),
                ("budget", "number", false),
                ("indicateurs", "string", true),
                ("public_vise", "string", true),
            ]
        );
        let by_name = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap();
        assert_eq!(by_name("budget")["title"], "Budget prévisionnel");
        assert_eq!(
            by_name("budget")["description"],
            "Mise en œuvre : Budget prévisionnel. Montant en euros."
        );
        assert_eq!(
            by_name("calendrier_debut")["description"],
            "Calendrier : première année de l'échéance."
        );
        assert_eq!(by_name("calendrier_fin")["constraints"]["maximum"], 2028);
        assert!(
            by_name("public_vise")["description"]
                .as_str()
                .unwrap()
                .starts_with("Familles et publics auxquels l'action s'adresse. Texte brut"),
            "{:#}",
            by_name("public_vise")
        );
        assert!(
            by_name("public_vise")["description"]
                .as_str()
                .unwrap()
                .ends_with("Information gardée hors du tableau du plan.")
        );
    }
}

#[test]
fn generated_typst_and_html_snapshots() {
    let (_, out) = &*OTHER;
    insta::assert_snapshot!("autre_modele_plan_typ", out.typst_source());
    // The PDF's size follows the annex's layout; tests/web.rs checks it.
    let html = regex::Regex::new(r"\(PDF, [^)]*\)")
        .unwrap()
        .replace(&out.html(), "(PDF, [taille])");
    insta::assert_snapshot!("autre_modele_plan_html", html);
    insta::assert_snapshot!(
        "autre_modele_plan_fragment_html",
        out.text("plan.fragment.html")
    );
}

/// The fixture's review of its one year of follow-up.
fn review() -> Rendered {
    let root = fixture("autre-modele");
    let (plan, templates, mut warnings) = ctg::load_and_validate(&root).expect("a valid project");
    let follow_ups = ctg::load_follow_ups(&root, &plan, &mut warnings).expect("a valid follow-up");
    // The fixture's review has no introduction: the one warning.
    warnings.retain(|w| w.message != "le bilan 2026 n'a pas d'introduction");
    assert!(warnings.is_empty(), "{warnings:?}");
    ctg::Document::Review(2026)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .expect("the review builds")
}

#[test]
fn the_review_shows_the_same_table_with_the_year_added() {
    let review = review();
    let header = html_header(&review.html());
    assert_eq!(header[0][4], cell("Mise en œuvre", 2, 1));
    assert_eq!(header[0].last(), Some(&cell("Suivi 2026", 2, 1)));
    assert_eq!(
        header[1],
        [
            cell("Calendrier", 1, 1),
            cell("Budget prévisionnel", 1, 1),
            cell("État 2026", 1, 1),
            cell("Commentaire 2026", 1, 1)
        ]
    );
    let pdf = normalise(&review.page_texts().join(" "));
    for expected in [
        "MiseenœuvreSuivi2026",
        "12500€",
        "Nombredejeunesélus",
        "Premierconseilélu",
    ] {
        assert!(pdf.contains(expected), "{expected} : {pdf}");
    }
    // The lists name each action by its first text column.
    assert!(
        pdf.contains(&normalise(
            "Extension des horaires de l'accueil de loisirs le mercredi."
        )),
        "{pdf}"
    );
}

/// Builds a plan whose table has `count` declared columns (the first column
/// apart), each `width` wide, and returns the x of each column's first cell
/// text on the first page, with the page's width.
fn column_starts(count: usize) -> (Vec<f64>, f64) {
    let project = copy_project(&fixture("mini"));
    let data = project.path().join("data");
    let convention = std::fs::read_to_string(data.join("convention.toml")).unwrap();
    let before_columns = convention.split("[colonnes]").next().unwrap().to_string();
    let after_columns = convention
        .split_once("\n[[champs]]")
        .map(|(_, rest)| format!("\n[[champs]]{rest}"))
        .unwrap();
    let mut declared = String::new();
    for i in 0..count {
        declared.push_str(&format!(
            "[[colonnes]]\ncle = \"c{i}\"\nlibelle = \"C{i}\"\n\n"
        ));
    }
    std::fs::write(
        data.join("convention.toml"),
        format!("{before_columns}{declared}{after_columns}"),
    )
    .unwrap();
    std::fs::remove_dir_all(data.join("actions")).unwrap();
    std::fs::create_dir_all(data.join("actions/logement")).unwrap();
    let cells: String = (0..count).map(|i| format!("c{i} = \"v{i}\"\n")).collect();
    std::fs::write(
        data.join("actions/logement/01-a.toml"),
        format!("id = \"logement-a\"\nchamp = \"logement\"\nposition = 1\n{cells}"),
    )
    .unwrap();
    let (_, out) = ctg::render_project(project.path()).expect("the plan builds");
    let runs = &page_runs(&out.layout())[0];
    let starts = (0..count)
        .map(|i| {
            runs.iter()
                .find(|r| r.text == format!("v{i}"))
                .unwrap_or_else(|| panic!("v{i} absent"))
                .x
        })
        .collect();
    let (width, _) = pdf_pages(&out.pdf())[0];
    (starts, width)
}

#[test]
fn the_table_fills_the_page_width_from_3_to_10_columns() {
    // Margins of 1.2 cm; cells start after an inset of 3.5 pt; text columns are
    // 1.5 times as wide as the first.
    let margin = 1.2 / 2.54 * 72.0;
    for count in [2, 9] {
        let (starts, width) = column_starts(count);
        let table = width - 2.0 * margin;
        let fractions = 1.0 + 1.5 * count as f64;
        for (i, x) in starts.iter().enumerate() {
            let expected = margin + table * (1.0 + 1.5 * i as f64) / fractions + 3.5;
            assert!(
                (x - expected).abs() < 1.0,
                "{} colonnes : colonne {} à {x}, attendue à {expected}",
                count + 1,
                i + 2
            );
        }
    }
}

/// The messages of `ctg check` on a copy of the fixture whose first action
/// file has `line` in place of its budget, with `columns` declared after the
/// fixture's.
fn check_with(line: &str, columns: &str) -> Result<Plan, Vec<String>> {
    let project = copy_project(&fixture("autre-modele"));
    let data = project.path().join("data");
    let action = data.join("actions/parentalite/01-laep.toml");
    let text = std::fs::read_to_string(&action).unwrap();
    std::fs::write(&action, text.replace("budget = 12500", line)).unwrap();
    let convention = data.join("convention.toml");
    let text = std::fs::read_to_string(&convention).unwrap();
    std::fs::write(
        &convention,
        text.replacen("\n[[champs]]", &format!("\n{columns}\n[[champs]]"), 1),
    )
    .unwrap();
    match ctg::load_and_validate(project.path()) {
        Ok((plan, _, _)) => Ok(plan),
        Err(failure) => Err(failure
            .0
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                format!(
                    "{} {} | {}",
                    d.location().unwrap_or_default(),
                    d.message,
                    d.hint.clone().unwrap_or_default()
                )
            })
            .collect()),
    }
}

#[test]
fn figures_are_checked_at_their_place() {
    for (line, expected) in [
        ("budget = -5", "montant négatif dans `budget` : -5"),
        (
            "budget = 12.345",
            "montant plus précis que le centime dans `budget` : 12.345",
        ),
        ("budget = nan", "montant illisible dans `budget` : nan"),
        (
            "budget = \"12 500 €\"",
            "type de valeur incorrect : le texte \"12 500 €\" au lieu d'un montant en euros",
        ),
        ("budget = 2025-01-01", "au lieu d'un montant en euros"),
    ] {
        let errors = check_with(line, "").expect_err(line);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains(expected), "{line} : {errors:#?}");
        assert!(
            errors[0].starts_with("data/actions/parentalite/01-laep.toml:14:10"),
            "{errors:#?}"
        );
    }
    // A whole number: declared, written, printed.
    let places = "[[colonnes]]\ncle = \"places\"\nlibelle = \"Places\"\ntype = \"nombre\"\nobligatoire = false\n";
    let errors = check_with("budget = 12500\nplaces = 1.5", places).expect_err("1.5");
    assert!(
        errors[0].contains("le nombre décimal `1.5` au lieu d'un nombre entier"),
        "{errors:#?}"
    );
    let plan = check_with("budget = 12500\nplaces = 12", places).expect("a whole number");
    let shape = &plan.convention.shape;
    let first = plan
        .actions
        .iter()
        .find(|a| a.id == "parentalite-laep")
        .unwrap();
    assert_eq!(first.value(shape, "places"), Some(&Value::Number(12)));
}

#[test]
fn the_fingerprint_follows_what_the_table_shows() {
    let fingerprint = |from: &str, to: &str| {
        let project = copy_project(&fixture("autre-modele"));
        let convention = project.path().join("data/convention.toml");
        let text = std::fs::read_to_string(&convention).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&convention, text.replacen(from, to, 1)).unwrap();
        let (plan, _, _) = ctg::load_and_validate(project.path()).expect("a valid plan");
        ctg::plan_fingerprint(&plan)
    };
    let (plan, _) = &*OTHER;
    let same = ctg::plan_fingerprint(plan);
    assert_eq!(
        fingerprint("largeur = 2", "largeur = 3"),
        same,
        "a width is layout"
    );
    for (from, to) in [
        ("libelle = \"Pilote\"", "libelle = \"Porteur\""),
        (
            "cle = \"indicateurs\"\nlibelle = \"Indicateurs\"",
            "cle = \"indicateurs\"\nlibelle = \"Indicateurs\"\ntableau = false",
        ),
        (
            "libelle = \"Pilote\"",
            "libelle = \"Pilote\"\nobligatoire = false",
        ),
        (
            "premiere_colonne = \"Axes\"",
            "premiere_colonne = \"Thématiques\"",
        ),
    ] {
        assert_ne!(fingerprint(from, to), same, "{to}");
    }
}
