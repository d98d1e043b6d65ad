//! The web page, its embeddable fragment, the reviews' pages and the open data,
//! checked without any external tool: the complex table's ids and `headers` and
//! the other tables' captions and scopes, the fragment's scoping, and the CSV,
//! JSON and data package read back with their own parsers.

use crate::common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::sync::LazyLock;

use common::*;
use ctg::Plan;
use ctg::Rendered;
use scraper::{ElementRef, Html, Selector};

static REFERENCE: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&project_root()).expect("the shipped plan builds"));
static MINI: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&fixture("mini")).expect("the fixture builds"));
/// The reviews of the fictional example, one per year of follow-up.
static DEMO_REVIEWS: LazyLock<(Plan, Vec<Rendered>)> =
    LazyLock::new(|| reviews(&project_root().join("examples/bilan-demo")));
/// A review of the small plan, whose table has a sub-section, a field with a
/// note and an action without follow-up.
static MINI_REVIEWS: LazyLock<(Plan, Vec<Rendered>)> = LazyLock::new(|| {
    let project = copy_project(&fixture("mini"));
    let suivi = project.path().join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    fs::copy(fixture("mini-suivi/2024.toml"), suivi.join("2024.toml")).unwrap();
    reviews(project.path())
});

/// Every review of the project at `root`, in the order of the years.
fn reviews(root: &std::path::Path) -> (Plan, Vec<Rendered>) {
    let (plan, templates, mut warnings) = ctg::load_and_validate(root).expect("a valid project");
    let follow_ups = ctg::load_follow_ups(root, &plan, &mut warnings).expect("a valid follow-up");
    let rendered = follow_ups
        .years
        .keys()
        .map(|year| {
            ctg::Document::Review(*year)
                .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
                .expect("the review builds")
        })
        .collect();
    (plan, rendered)
}

/// The columns of the open data, as published: renaming one breaks its users.
const COLUMNS: [&str; 15] = [
    "collectivite",
    "caf",
    "periode_debut",
    "periode_fin",
    "champ",
    "sous_section",
    "action_id",
    "descriptif",
    "moyens_caf",
    "moyens_partenaires",
    "objectifs",
    "resultat_attendu",
    "impact_envisage",
    "echeance_debut",
    "echeance_fin",
];

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn attr<'a>(e: &ElementRef<'a>, name: &str) -> Option<&'a str> {
    e.value().attr(name)
}

fn text(e: &ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// `s` with French typography's no-break spaces as plain spaces, to compare the
/// page's text with the data.
fn plain_spaces(s: &str) -> String {
    s.replace(['\u{a0}', '\u{202f}'], " ")
}

/// Every problem of the tables' header markup, empty when it is right.
///
/// Ids are unique in the page and every table has a caption. A complex table
/// (two header rows, or rows grouped under a row header, like the plan's) gives
/// each data cell, as `headers`, exactly: its field's row header, the sub-section
/// header it sits under (if any), the group header above its column (if any) and
/// its column's own header; each of them a `<th>` of the same table. A simple
/// table scopes each header: its column headers `col`, and each body row has one
/// row header, `row`.
fn header_problems(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut problems = Vec::new();

    let mut seen = HashSet::new();
    for e in doc.select(&sel("[id]")) {
        let id = attr(&e, "id").unwrap();
        if !seen.insert(id) {
            problems.push(format!("id en double : {id}"));
        }
    }

    // Tables written in Markdown by the officers, in a review's texts, have no
    // caption to give: they are data, not the page's own tables.
    let in_texts: HashSet<_> = doc
        .select(&sel(".bilan-texte table"))
        .map(|t| t.id())
        .collect();
    for table in doc.select(&sel("table")) {
        if in_texts.contains(&table.id()) {
            continue;
        }
        let caption = table.select(&sel("caption")).next();
        if caption.is_none_or(|c| text(&c).is_empty()) {
            problems.push(format!(
                "tableau sans titre (<caption>) : « {} »",
                text(&table).chars().take(60).collect::<String>()
            ));
        }
        let complex = table.select(&sel("thead tr")).count() > 1
            || table
                .select(&sel("tbody th[scope=rowgroup]"))
                .next()
                .is_some();
        if complex {
            complex_table_problems(table, &mut problems);
        } else {
            simple_table_problems(table, &mut problems);
        }
    }
    problems
}

/// A simple table: one header row whose cells are column headers, and one row
/// header in each body row.
fn simple_table_problems(table: ElementRef, problems: &mut Vec<String>) {
    for th in table.select(&sel("thead th")) {
        if attr(&th, "scope") != Some("col") {
            problems.push(format!(
                "en-tête de colonne sans scope=\"col\" : « {} »",
                text(&th)
            ));
        }
    }
    if table.select(&sel("thead th")).next().is_none() {
        problems.push("tableau sans en-têtes de colonnes".to_string());
    }
    for tr in table.select(&sel("tbody tr")) {
        let ths: Vec<ElementRef> = tr.select(&sel("th")).collect();
        if ths.len() != 1 || attr(&ths[0], "scope") != Some("row") {
            problems.push(format!(
                "ligne sans un en-tête de ligne scope=\"row\" : « {} »",
                text(&tr)
            ));
        }
    }
    for cell in table.select(&sel("th[rowspan], th[colspan], td[rowspan], td[colspan]")) {
        problems.push(format!(
            "cellule fusionnée dans un tableau simple : « {} »",
            text(&cell)
        ));
    }
}

/// The `id`/`headers` markup of a complex table.
fn complex_table_problems(table: ElementRef, problems: &mut Vec<String>) {
    let ths: HashMap<&str, ElementRef> = table
        .select(&sel("th"))
        .map(|th| (attr(&th, "id").unwrap_or(""), th))
        .collect();
    for th in table.select(&sel("th")) {
        if attr(&th, "id").is_none_or(str::is_empty) {
            problems.push(format!("en-tête sans id : « {} »", text(&th)));
        }
    }

    // Column headers by column index, from the header rows' spans.
    let mut grid: Vec<Vec<Option<String>>> = Vec::new();
    for (r, tr) in table.select(&sel("thead tr")).enumerate() {
        grid.resize(grid.len().max(r + 1), Vec::new());
        let mut c = 0;
        for th in tr.select(&sel("th")) {
            while grid[r].get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            let span = |name| attr(&th, name).and_then(|v| v.parse().ok()).unwrap_or(1);
            let (rows, cols): (usize, usize) = (span("rowspan"), span("colspan"));
            for rr in r..r + rows {
                grid.resize(grid.len().max(rr + 1), Vec::new());
                let row = &mut grid[rr];
                row.resize(row.len().max(c + cols), None);
                for cell in &mut row[c..c + cols] {
                    *cell = attr(&th, "id").map(str::to_string);
                }
            }
            c += cols;
        }
    }
    let column_headers = |c: usize| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for row in &grid {
            if let Some(Some(id)) = row.get(c)
                && !out.contains(id)
            {
                out.push(id.clone());
            }
        }
        out
    };

    for tbody in table.select(&sel("tbody")) {
        let field = tbody.select(&sel("th[scope=rowgroup]")).collect::<Vec<_>>();
        if field.len() != 1 {
            problems.push(format!(
                "groupe {:?} : {} en-têtes de champ",
                attr(&tbody, "id"),
                field.len()
            ));
            continue;
        }
        let field = field[0];
        let rows = tbody.select(&sel("tr")).count();
        if attr(&field, "rowspan") != Some(rows.to_string().as_str()) {
            problems.push(format!(
                "le champ « {} » ne couvre pas ses {rows} lignes",
                text(&field)
            ));
        }
        let mut section: Option<&str> = None;
        for tr in tbody.select(&sel("tr")) {
            if let Some(sub) = tr.select(&sel("th.ctg-sous-section")).next() {
                section = attr(&sub, "id");
                // A sub-section's header spans every column after the field's.
                let width = grid.iter().map(Vec::len).max().unwrap_or(0);
                if attr(&sub, "colspan") != Some((width - 1).to_string().as_str()) {
                    problems.push(format!(
                        "la sous-section « {} » ne couvre pas les {} colonnes",
                        text(&sub),
                        width - 1
                    ));
                }
                continue;
            }
            for (i, td) in tr.select(&sel("td")).enumerate() {
                let column = i + 1; // the field's header is column 0
                let Some(headers) = attr(&td, "headers") else {
                    problems.push(format!("cellule sans headers : « {} »", text(&td)));
                    continue;
                };
                let listed: Vec<&str> = headers.split_ascii_whitespace().collect();
                for id in &listed {
                    if !ths.contains_key(id) {
                        problems.push(format!(
                            "headers=\"{headers}\" : pas de <th id=\"{id}\"> dans le tableau"
                        ));
                    }
                }
                let mut expected: BTreeSet<String> = column_headers(column).into_iter().collect();
                expected.insert(attr(&field, "id").unwrap_or("").to_string());
                if let Some(s) = section {
                    expected.insert(s.to_string());
                }
                let got: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
                if got != expected || got.len() != listed.len() {
                    problems.push(format!(
                        "colonne {column} : headers=\"{headers}\", attendu {expected:?}"
                    ));
                }
                // The label shown on small screens is the column's own header.
                let leaf = column_headers(column).pop().unwrap_or_default();
                let leaf_text = ths.get(leaf.as_str()).map(text).unwrap_or_default();
                if attr(&td, "data-label") != Some(leaf_text.as_str()) {
                    problems.push(format!(
                        "colonne {column} : data-label {:?} au lieu de « {leaf_text} »",
                        attr(&td, "data-label")
                    ));
                }
            }
        }
    }
}

#[test]
fn every_data_cell_points_at_existing_headers() {
    let (plan, out) = &*REFERENCE;
    let problems = header_problems(&out.html());
    assert!(problems.is_empty(), "{problems:#?}");
    let doc = Html::parse_document(&out.html());
    assert_eq!(
        doc.select(&sel("td[headers]")).count(),
        plan.actions.len() * 7
    );
    // Under a sub-section, a cell names it too.
    let first = doc.select(&sel("td[headers]")).next().unwrap();
    assert_eq!(
        attr(&first, "headers"),
        Some("ctg-champ-petite-enfance ctg-r-1 ctg-grp-1 ctg-col-descriptif")
    );
    let problems = header_problems(&MINI.1.html());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_table_of_the_reviews_has_its_headers() {
    for (plan, reviews) in [&*DEMO_REVIEWS, &*MINI_REVIEWS] {
        assert!(!reviews.is_empty());
        for review in reviews {
            let year = review.name().trim_start_matches("bilan-");
            let problems = header_problems(&review.html());
            assert!(problems.is_empty(), "bilan {year} : {problems:#?}");
            let doc = Html::parse_document(&review.html());
            // The plan's table, with the year's state and comment after the
            // plan's seven columns: each cell names its headers too.
            assert_eq!(
                doc.select(&sel("td[headers]")).count(),
                plan.actions.len() * 9,
                "bilan {year}"
            );
            let state = doc
                .select(&sel("th#ctg-suivi-etat"))
                .next()
                .unwrap_or_else(|| panic!("bilan {year} : pas de colonne d'état"));
            assert_eq!(plain_spaces(&text(&state)), format!("État {year}"));
            let caption = plain_spaces(&text(
                &doc.select(&sel(".ctg-plan caption")).next().unwrap(),
            ));
            assert!(caption.starts_with(&plan.convention.caption), "{caption}");
            assert!(
                caption.contains(&format!(
                    "« Suivi {year} » regroupe « État {year} » et « Commentaire {year} »"
                )),
                "{caption}"
            );
            // Every table's scrolling frame is a named region the keyboard reaches.
            for table in doc.select(&sel("table")) {
                if table
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().classes().any(|c| c == "bilan-texte"))
                {
                    continue;
                }
                let frame = table
                    .parent()
                    .and_then(ElementRef::wrap)
                    .filter(|p| attr(p, "role") == Some("region"))
                    .unwrap_or_else(|| {
                        panic!(
                            "bilan {year} : tableau hors d'une région : {}",
                            text(&table).chars().take(60).collect::<String>()
                        )
                    });
                assert_eq!(attr(&frame, "tabindex"), Some("0"));
                let label = attr(&frame, "aria-labelledby").expect("a named region");
                let named = doc.select(&sel(&format!("[id=\"{label}\"]"))).next();
                assert!(named.is_some_and(|n| !text(&n).is_empty()), "{label}");
            }
        }
    }
    // The field's note mark and the sub-section are there, as in the plan's page.
    let mini = MINI_REVIEWS.1[0].html();
    let doc = Html::parse_document(mini);
    assert_eq!(
        doc.select(&sel("th.ctg-sous-section[colspan=\"9\"]"))
            .count(),
        1
    );
    assert_eq!(
        doc.select(&sel("th.ctg-champ sup a[href=\"#ctg-notes\"]"))
            .count(),
        1
    );
    assert!(doc.select(&sel("#ctg-notes")).next().is_some());
}

#[test]
fn the_header_check_catches_broken_markup() {
    let html = &REFERENCE.1.html();
    let cases = [
        (
            "ctg-grp-1 ctg-col-descriptif\"",
            "ctg-grp-1 ctg-col-inconnue\"",
            "pas de <th id=\"ctg-col-inconnue\">",
        ),
        (
            " ctg-grp-2 ctg-col-impact-envisage\"",
            " ctg-col-impact-envisage\"",
            "colonne 6",
        ),
        (
            "<th id=\"ctg-col-objectifs\"",
            "<th id=\"ctg-col-moyens-partenaires\"",
            "id en double",
        ),
        (
            "data-label=\"Echéance\"",
            "data-label=\"Échéance\"",
            "data-label",
        ),
    ];
    for (from, to, message) in cases {
        let broken = html.replacen(from, to, 1);
        assert_ne!(&broken, html, "{from}");
        let problems = header_problems(&broken);
        assert!(
            problems.iter().any(|p| p.contains(message)),
            "{message} : {problems:#?}"
        );
    }
    // The simple tables of a review.
    let simple = "<table><caption>Titre</caption><thead><tr><th scope=\"col\">Champ</th>\
                  <th scope=\"col\">Total</th></tr></thead><tbody><tr><th scope=\"row\">\
                  Jeunesse</th><td>3</td></tr></tbody></table>";
    assert_eq!(header_problems(simple), Vec::<String>::new());
    let cases = [
        ("<caption>Titre</caption>", "", "sans titre"),
        ("<th scope=\"col\">Total", "<th>Total", "scope=\"col\""),
        ("<th scope=\"row\">", "<td>", "en-tête de ligne"),
        ("<td>3", "<td colspan=\"2\">3", "fusionnée"),
    ];
    for (from, to, message) in cases {
        let broken = simple.replacen(from, to, 1);
        assert_ne!(broken, simple, "{from}");
        let problems = header_problems(&broken);
        assert!(
            problems.iter().any(|p| p.contains(message)),
            "{message} : {problems:#?}"
        );
    }
}

#[test]
fn page_is_a_complete_accessible_document() {
    let (plan, out) = &*REFERENCE;
    let doc = Html::parse_document(&out.html());
    assert_eq!(
        doc.select(&sel("html"))
            .next()
            .and_then(|h| attr(&h, "lang")),
        Some("fr")
    );
    let title = doc.select(&sel("head > title")).next().map(|t| text(&t));
    assert!(title.is_some_and(|t| t.contains(&plan.convention.heading)));
    assert_eq!(doc.select(&sel("h1")).count(), 1);
    assert_eq!(doc.select(&sel("main")).count(), 1);

    // The caption: the table's title, then how the table is built.
    let caption = doc.select(&sel("caption")).next().unwrap();
    let caption_text = plain_spaces(&text(&caption));
    assert!(caption_text.starts_with(&plan.convention.caption));
    assert!(caption_text.contains("deux niveaux d'en-têtes"));
    let last_group = plan
        .convention
        .shape
        .columns
        .last()
        .unwrap()
        .group
        .as_ref()
        .unwrap();
    assert!(caption_text.contains(&format!("« {last_group} »")));

    // The table scrolls inside a wrapper that the keyboard can reach and that is named.
    let wrapper = doc.select(&sel(".ctg-defilement")).next().unwrap();
    assert_eq!(attr(&wrapper, "tabindex"), Some("0"));
    assert_eq!(attr(&wrapper, "aria-labelledby"), Some("ctg-legende"));

    // The PDF annex, linked relatively, with its format and size.
    let link = doc.select(&sel("a[href=\"plan.pdf\"]")).next().unwrap();
    let size = ctg::french_size(out.pdf().len());
    assert!(size.ends_with(" ko"), "{size}");
    let link_text = plain_spaces(&text(&link));
    assert!(
        link_text.ends_with(&format!("(PDF, {size})")),
        "{link_text}"
    );
    assert_eq!(attr(&link, "type"), Some("application/pdf"));

    // Nothing is fetched: no element loads anything, no style imports anything.
    for element in [
        "script", "link", "img", "iframe", "object", "embed", "video", "audio",
    ] {
        assert_eq!(doc.select(&sel(element)).count(), 0, "<{element}>");
    }
    assert_eq!(doc.select(&sel("[src], [srcset]")).count(), 0);
    for needle in ["url(", "@import", "@font-face"] {
        assert!(!out.html().contains(needle), "{needle}");
    }

    // Printing: A4 landscape, header on every page.
    assert!(out.html().contains("@page { size: A4 landscape;"));
    assert!(
        out.html()
            .contains("thead { display: table-header-group; }")
    );
}

/// Selectors of a style sheet, each with the at-rules it sits in, and the other
/// at-rules met. Comments are dropped; blocks are matched by braces.
fn css_rules(css: &str) -> (Vec<(Vec<String>, String)>, Vec<String>) {
    let mut clean = String::new();
    let mut rest = css;
    while let Some((before, after)) = rest.split_once("/*") {
        clean.push_str(before);
        rest = after.split_once("*/").map_or("", |(_, a)| a);
    }
    clean.push_str(rest);

    let mut selectors = Vec::new();
    let mut at_rules = Vec::new();
    let mut context: Vec<String> = Vec::new();
    let mut prelude = String::new();
    let mut depth_in_declarations = 0usize;
    for c in clean.chars() {
        if depth_in_declarations > 0 {
            match c {
                '{' => depth_in_declarations += 1,
                '}' => depth_in_declarations -= 1,
                _ => {}
            }
            continue;
        }
        match c {
            '{' => {
                let p = prelude.trim().to_string();
                prelude.clear();
                if p.starts_with("@media") || p.starts_with("@supports") {
                    context.push(p);
                } else if p.starts_with('@') {
                    at_rules.push(p);
                    depth_in_declarations = 1;
                } else {
                    for s in p.split(',') {
                        selectors.push((context.clone(), s.trim().to_string()));
                    }
                    depth_in_declarations = 1;
                }
            }
            '}' => {
                context.pop();
                prelude.clear();
            }
            ';' => {
                // A statement at-rule such as `@import …;`.
                if prelude.trim().starts_with('@') {
                    at_rules.push(prelude.trim().to_string());
                }
                prelude.clear();
            }
            c => prelude.push(c),
        }
    }
    (selectors, at_rules)
}

fn unscoped(css: &str) -> Vec<String> {
    let (selectors, at_rules) = css_rules(css);
    let scoped = |s: &str| {
        s.strip_prefix(".ctg-plan")
            .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_'))
    };
    selectors
        .into_iter()
        .filter(|(_, s)| !scoped(s))
        .map(|(ctx, s)| ctx.into_iter().chain([s]).collect::<Vec<_>>().join(" "))
        .chain(at_rules)
        .collect()
}

#[test]
fn the_scoping_check_catches_site_wide_rules() {
    let css = ".ctg-plan td { x: 1 } /* p { } */ @media print { .ctg-plan a, p { y: 2 } } \
               @page { size: A4 } .ctg-planning td { z: 3 } table { }";
    assert_eq!(
        unscoped(css),
        ["@media print p", ".ctg-planning td", "table", "@page"]
    );
}

#[test]
fn fragment_is_the_page_table_with_scoped_styles() {
    for (_, out) in [&*REFERENCE, &*MINI] {
        let fragment = &out.text("plan.fragment.html");
        for tag in ["<!DOCTYPE", "<html", "<head", "<body", "<main", "<h1"] {
            assert!(!fragment.contains(tag), "{tag} dans le fragment");
        }
        let doc = Html::parse_fragment(fragment);
        let roots: Vec<ElementRef> = doc
            .root_element()
            .children()
            .filter_map(ElementRef::wrap)
            .collect();
        assert_eq!(roots.len(), 1, "one element to paste");
        assert_eq!(attr(&roots[0], "class"), Some("ctg-plan"));
        assert_eq!(attr(&roots[0], "lang"), Some("fr"));

        // The same table and notes as the page, written once.
        let page = Html::parse_document(&out.html());
        for part in ["table", ".ctg-notes"] {
            let a = page.select(&sel(part)).next().map(|e| e.html());
            let b = doc.select(&sel(part)).next().map(|e| e.html());
            assert!(a.is_some() && a == b, "{part}");
        }
        let problems = header_problems(fragment);
        assert!(problems.is_empty(), "{problems:#?}");

        // Its styles reach nothing outside `.ctg-plan`, and its ids are all `ctg-`.
        let style = doc
            .select(&sel("style"))
            .next()
            .map(|s| s.inner_html())
            .unwrap();
        let (selectors, _) = css_rules(&style);
        assert!(selectors.len() > 20, "{selectors:?}");
        assert_eq!(unscoped(&style), Vec::<String>::new());
        for e in doc.select(&sel("[id]")) {
            assert!(attr(&e, "id").unwrap().starts_with("ctg-"));
        }
        for a in doc.select(&sel("a[href^=\"#\"]")) {
            let target = &attr(&a, "href").unwrap()[1..];
            assert!(
                doc.select(&sel(&format!("[id=\"{target}\"]")))
                    .next()
                    .is_some()
            );
        }
    }
}

#[test]
fn mini_fragment_snapshot() {
    insta::assert_snapshot!("mini_plan_fragment_html", MINI.1.text("plan.fragment.html"));
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn csv_has_one_plain_text_row_per_action() {
    let (plan, out) = &*REFERENCE;
    let bytes = &out.bytes("plan.csv");
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(!text.starts_with('\u{feff}'), "no byte order mark");
    assert!(text.starts_with(&format!("{}\r\n", COLUMNS.join(","))));
    assert!(text.ends_with("\r\n"));

    let (header, rows) = csv_rows(bytes);
    assert_eq!(header, COLUMNS);
    assert_eq!(rows.len(), 28);
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    for (row, action) in rows.iter().zip(&plan.actions) {
        assert_eq!(row.len(), COLUMNS.len());
        assert_eq!(row[col("action_id")], action.id);
        assert_eq!(
            row[col("collectivite")],
            "Communauté de Communes du Bassin de Joinville en Champagne"
        );
        assert_eq!(
            row[col("caf")],
            "Caisse d'allocations familiales de la Haute-Marne"
        );
        assert_eq!(
            (&*row[col("periode_debut")], &*row[col("periode_fin")]),
            ("2023", "2027")
        );
        let field = plan.convention.field(&action.field).unwrap();
        assert_eq!(row[col("champ")], field.label);
        assert_eq!(
            row[col("descriptif")],
            in_csv(&ctg::markdown_to_plain(&action.description))
        );
        assert_eq!(
            row[col("echeance_debut")],
            action.deadline.years.start.to_string()
        );
        assert_eq!(
            row[col("echeance_fin")],
            action.deadline.years.end.to_string()
        );
        for cell in row {
            for markup in ["<sup>", "</p>", "**", "#super", "\\-"] {
                assert!(!cell.contains(markup), "{markup} dans « {cell} »");
            }
        }
    }
    // Sub-sections by label, empty where the field has none.
    assert_eq!(rows[0][col("sous_section")], "Structures petite enfance");
    let jeunesse = rows.iter().find(|r| r[col("champ")] == "Jeunesse").unwrap();
    assert_eq!(jeunesse[col("sous_section")], "");
    // No typography: the ordinal stays as written, the escaped dash is a dash.
    assert!(rows[0][col("resultat_attendu")].contains("2ème structure"));
    assert!(rows[0][col("moyens_caf")].contains("\n- Fonctionnement"));
}

/// A text as the CSV writes it: one that starts like a formula is preceded by
/// an apostrophe, as the data package's description says.
fn in_csv(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[test]
fn a_spreadsheet_shows_a_text_that_starts_like_a_formula_as_text() {
    let project = copy_project(&fixture("mini"));
    let action = project.path().join("data/actions/logement/01-impayes.toml");
    let cells = [
        ("moyens_caf", r#"=HYPERLINK("http://exemple.fr";"clic")"#),
        ("moyens_partenaires", "- Fonctionnement\n- Investissement"),
        ("objectifs", "@partenaires"),
        ("impact_envisage", "+33 4 68 00 00 00"),
    ];
    let mut text = fs::read_to_string(&action).unwrap();
    for (key, value) in cells {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap()
            .to_string();
        text = text.replace(&line, &format!("{key} = '''{value}'''"));
    }
    fs::write(&action, text).unwrap();
    let (_, out) = ctg::render_project(project.path()).unwrap();
    let (header, rows) = csv_rows(&out.bytes("plan.csv"));
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == "logement-impayes"))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&out.text("plan.json")).unwrap();
    let record = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action_id"] == "logement-impayes")
        .unwrap();
    for (key, value) in cells {
        let at = header.iter().position(|h| h == key).unwrap();
        // The CSV marks it as text; the JSON gives it as written.
        assert_eq!(row[at], format!("'{value}"), "{key}");
        assert_eq!(record[key], value, "{key}");
    }
    // The data package says how.
    let package: serde_json::Value = serde_json::from_str(&out.text("datapackage.json")).unwrap();
    let description = package["resources"][0]["description"].as_str().unwrap();
    assert!(
        description.contains("précédé d'une apostrophe"),
        "{description}"
    );

    // Opened in LibreOffice, as a person would: no cell is a formula, and
    // each shows its text.
    if !tool(
        "a_spreadsheet_shows_a_text_that_starts_like_a_formula_as_text",
        missing_soffice(),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("plan.csv");
    fs::write(&csv, &out.bytes("plan.csv")).unwrap();
    let ods = soffice_convert(&csv, "ods", dir.path());
    let content = zip_part(&ods, "content.xml");
    assert!(!content.contains("table:formula"), "{content}");
    assert!(!content.contains("Err:"), "{content}");
    for shown in [
        "&apos;=HYPERLINK(&quot;http://exemple.fr&quot;;&quot;clic&quot;)",
        "&apos;- Fonctionnement",
        "&apos;@partenaires",
        "&apos;+33 4 68 00 00 00",
    ] {
        assert!(content.contains(shown), "{shown}: {content}");
    }
}

/// The text of part `name` of a zip archive (a workbook, a Word document).
fn zip_part(file: &std::path::Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(file).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

#[test]
fn csv_keeps_code_like_text_as_data() {
    let (_, out) = &*MINI;
    let (_, rows) = csv_rows(&out.bytes("plan.csv"));
    assert_eq!(rows.len(), 3);
    let creche = &rows[0];
    assert_eq!(
        creche[10],
        r#"#read("/etc/passwd") $x^2$ *a* _b_ [c] <d> @e \f"#
    );
    assert_eq!(creche[12], "<script>alert('x')</script>");
    assert_eq!(creche[11], "Une crèche ouverte.\nDeuxième ligne.");
    // RFC 4180: the field is quoted and its quotes doubled.
    let raw = out.text("plan.csv").to_string();
    assert!(raw.contains(r##","#read(""/etc/passwd"") $x^2$"##), "{raw}");
}

#[test]
fn json_has_the_same_records_as_the_csv() {
    for (_, out) in [&*REFERENCE, &*MINI] {
        let json: serde_json::Value = serde_json::from_str(&out.text("plan.json")).unwrap();
        let records = json.as_array().expect("an array of records");
        let (header, rows) = csv_rows(&out.bytes("plan.csv"));
        assert_eq!(records.len(), rows.len());
        for (record, row) in records.iter().zip(&rows) {
            let object = record.as_object().unwrap();
            let keys: Vec<&str> = object.keys().map(String::as_str).collect();
            let mut sorted = COLUMNS.to_vec();
            sorted.sort();
            let mut keys_sorted = keys.clone();
            keys_sorted.sort();
            assert_eq!(keys_sorted, sorted);
            for (name, cell) in header.iter().zip(row) {
                let value = &object[name];
                let as_text = match value {
                    serde_json::Value::String(s) => in_csv(s),
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Null => String::new(),
                    other => panic!("{name} : {other}"),
                };
                assert_eq!(&as_text, cell, "{name}");
                if name.starts_with("periode_") || name.starts_with("echeance_") {
                    assert!(value.is_u64(), "{name} is a number");
                }
            }
        }
    }
}

#[test]
fn datapackage_describes_the_csv() {
    let (plan, out) = &*REFERENCE;
    let package: serde_json::Value = serde_json::from_str(&out.text("datapackage.json")).unwrap();
    let name = package["name"].as_str().unwrap();
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    );
    assert!(
        package["title"]
            .as_str()
            .unwrap()
            .contains("plan d'actions 2023-2027")
    );
    let (header, _) = csv_rows(&out.bytes("plan.csv"));
    let resources = package["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    let csv = &resources[0];
    assert_eq!(csv["path"], "plan.csv");
    assert_eq!(csv["format"], "csv");
    assert_eq!(csv["encoding"], "utf-8");
    assert_eq!(csv["dialect"]["delimiter"], ",");
    assert_eq!(csv["bytes"], out.bytes("plan.csv").len());
    assert_eq!(resources[1]["path"], "plan.json");
    assert_eq!(resources[1]["schema"], csv["schema"]);

    let schema = &csv["schema"];
    assert_eq!(schema["primaryKey"], serde_json::json!(["action_id"]));
    let fields = schema["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, header);
    for field in fields {
        let name = field["name"].as_str().unwrap();
        let kind = field["type"].as_str().unwrap();
        let expected = if name.starts_with("periode_") || name.starts_with("echeance_") {
            "year"
        } else {
            "string"
        };
        assert_eq!(kind, expected, "{name}");
        assert_eq!(
            field["constraints"]["required"],
            name != "sous_section",
            "{name}"
        );
        let description = field["description"].as_str().unwrap();
        assert!(
            description.ends_with('.') && description.len() > 20,
            "{name}"
        );
        assert!(!field["title"].as_str().unwrap().is_empty());
    }
    assert_eq!(fields[7]["title"], plan.convention.shape.columns[0].label);
}

#[test]
fn two_builds_give_the_same_web_and_data_files() {
    let (_, again) = ctg::render_project(&fixture("mini")).unwrap();
    let (_, first) = &*MINI;
    assert_eq!(
        first.text("plan.fragment.html"),
        again.text("plan.fragment.html")
    );
    assert!(first.bytes("plan.csv") == again.bytes("plan.csv"));
    assert_eq!(first.text("plan.json"), again.text("plan.json"));
    assert_eq!(
        first.text("datapackage.json"),
        again.text("datapackage.json")
    );
}

#[test]
fn mini_open_data_snapshots() {
    let data = &MINI.1;
    // Record ends are shown: CRLF between records, LF inside a quoted cell.
    let csv = data.text("plan.csv").replace("\r\n", "␍\n");
    insta::assert_snapshot!("mini_plan_csv", csv);
    insta::assert_snapshot!("mini_plan_json", data.text("plan.json"));
    insta::assert_snapshot!("mini_datapackage_json", data.text("datapackage.json"));
}

fn edit_convention(project: &tempfile::TempDir, edit: impl Fn(&str) -> String) {
    let path = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, edit(&text)).unwrap();
}

#[test]
fn collectivite_comes_from_parties_when_no_signatory_is_one() {
    let (plan, _) = &*MINI;
    assert_eq!(
        plan.convention.collectivity,
        "Communauté de communes d'Exemple"
    );
    assert_eq!(plan.convention.caf, "Caf d'Exemple");
}

#[test]
fn unknown_collectivite_is_an_error_with_a_hint() {
    let project = copy_project(&fixture("mini"));
    edit_convention(&project, |t| {
        t.replace(
            "parties = \"Caf / Communauté de communes d'Exemple\"",
            "parties = \"Caf / Ville d'Exemple\"",
        )
    });
    let root = project.path().to_str().unwrap();
    let failed = ctg(&["build", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("l'intercommunalité signataire introuvable"),
        "{stderr}"
    );
    assert!(stderr.contains("data/convention.toml"), "{stderr}");
    assert!(
        stderr.contains("ex. `collectivite = \"Communauté de"),
        "{stderr}"
    );
    assert!(!project.path().join("out").exists());
}

#[test]
fn explicit_collectivite_goes_to_the_open_data() {
    let project = copy_project(&fixture("mini"));
    edit_convention(&project, |t| {
        format!(
            "collectivite = \"Ville d'Exemple\"\ncaf = \"Caisse d'allocations familiales d'Exemple\"\n{t}"
        )
    });
    let (plan, out) = ctg::render_project(project.path()).expect("builds");
    assert_eq!(plan.convention.collectivity, "Ville d'Exemple");
    let (_, rows) = csv_rows(&out.bytes("plan.csv"));
    assert_eq!(rows[0][0], "Ville d'Exemple");
    assert_eq!(rows[0][1], "Caisse d'allocations familiales d'Exemple");
}

#[test]
fn blank_collectivite_is_an_error() {
    let project = copy_project(&fixture("mini"));
    edit_convention(&project, |t| format!("collectivite = \"  \"\n{t}"));
    let root = project.path().to_str().unwrap();
    let failed = ctg(&["check", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("le texte de `collectivite` est vide"),
        "{stderr}"
    );
    assert!(stderr.contains("data/convention.toml:1:16"), "{stderr}");
}
