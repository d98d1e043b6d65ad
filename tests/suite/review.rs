//! The annual review of the fictional example (examples/bilan-demo): every action
//! with its state, summary counts equal to the data, hand-checked lists, texts in
//! both outputs, and the plan annex untouched by follow-up data.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use common::*;
use ctg::{FollowUps, State};

fn demo() -> PathBuf {
    project_root().join("examples/bilan-demo")
}

fn load() -> (ctg::Plan, ctg::Templates, FollowUps) {
    let (plan, templates, mut warnings) =
        ctg::load_and_validate(&demo()).expect("the example is valid");
    let follow_ups =
        ctg::load_follow_ups(&demo(), &plan, &mut warnings).expect("its follow-up is valid");
    assert!(warnings.is_empty(), "{warnings:?}");
    (plan, templates, follow_ups)
}

fn ids(actions: &[&ctg::Action]) -> Vec<String> {
    actions.iter().map(|a| a.id.clone()).collect()
}

#[test]
fn due_overdue_and_changed_in_2025_are_exactly_the_hand_checked_ones() {
    let (plan, _, follow_ups) = load();
    let review = ctg::Review::new(&plan, &follow_ups, 2025).unwrap();
    // Échéance 2025, or a period that ends in 2025; not « 2025-2026 » nor
    // « 2024-2027 », under way in 2025 but not due.
    assert_eq!(
        ids(&review.due()),
        [
            "enfance-creche-centre-bourg",
            "jeunesse-conseil-jeunes",
            "jeunesse-accueil-loisirs",
            "parentalite-laep",
        ]
    );
    // Échéance 2024, neither done nor abandoned in 2025 (the relay, due 2024, is done).
    assert_eq!(
        ids(&review.overdue()),
        ["jeunesse-espace-jeunes", "parentalite-guide-parents"]
    );
    let changed: Vec<(String, State, State)> = review
        .changed()
        .into_iter()
        .map(|(a, b, n)| (a.id.clone(), b, n))
        .collect();
    use State::*;
    assert_eq!(
        changed,
        [
            ("enfance-creche-centre-bourg".into(), InProgress, Done),
            ("enfance-horaires-atypiques".into(), NotStarted, InProgress),
            ("jeunesse-conseil-jeunes".into(), InProgress, Abandoned),
            ("jeunesse-accueil-loisirs".into(), NotStarted, Done),
            ("parentalite-laep".into(), InProgress, Redirected),
            ("parentalite-clas".into(), NotStarted, InProgress),
        ]
    );
    // The first year has nothing before it and nothing overdue.
    let first = ctg::Review::new(&plan, &follow_ups, 2024).unwrap();
    assert!(first.changed().is_empty() && first.overdue().is_empty());
    assert_eq!(
        ids(&first.due()),
        [
            "enfance-relais-petite-enfance",
            "jeunesse-espace-jeunes",
            "parentalite-guide-parents",
        ]
    );
}

#[test]
fn summary_counts_equal_the_counts_of_the_data() {
    let (plan, _, follow_ups) = load();
    for (year, data) in &follow_ups.years {
        let review = ctg::Review::new(&plan, &follow_ups, *year).unwrap();
        let (rows, totals) = review.summary();
        // Counted again here, straight from the follow-up data.
        let mut expected: BTreeMap<(&str, State), usize> = BTreeMap::new();
        for action in &plan.actions {
            let field = plan.convention.field(&action.field).unwrap();
            *expected
                .entry((field.label.as_str(), data.actions[&action.id].state))
                .or_default() += 1;
        }
        for (label, counts) in &rows {
            for (i, state) in State::ALL.iter().enumerate() {
                let want = expected.get(&(*label, *state)).copied().unwrap_or(0);
                assert_eq!(counts.by_state[i], want, "{year} {label} {state}");
            }
        }
        assert_eq!(totals.total(), plan.actions.len());
        assert_eq!(totals.missing, 0);
    }
}

#[test]
fn the_review_pdf_and_html_show_every_action_with_its_state_and_the_texts() {
    let (plan, templates, follow_ups) = load();
    let out = ctg::Document::Review(2025)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .expect("the review builds");
    let pdf = out.page_texts().join(" ");
    let html = html_text(&out.html());
    let (pdf_n, html_n) = (normalise(&pdf), normalise(&html));
    let year = &follow_ups.years[&2025];
    for action in &plan.actions {
        let description = normalise(&ctg::markdown_to_plain(&action.description));
        let state = year.actions[&action.id].state.label();
        // Its row in the plan table: description, then state, in that order.
        for (name, text) in [("PDF", &pdf_n), ("HTML", &html_n)] {
            let at = text
                .rfind(&description)
                .unwrap_or_else(|| panic!("{name}: {} absent", action.id));
            assert!(
                text[at..].contains(&normalise(state)),
                "{name}: state of {}",
                action.id
            );
        }
    }
    for text in [
        "Exemple fictif.",
        "Conclusions du comité de pilotage",
        "préparer le prochain bilan",
        "Guide des familles",
    ] {
        assert!(pdf_n.contains(&normalise(text)), "PDF: {text}");
        assert!(html_n.contains(&normalise(text)), "HTML: {text}");
    }
    // Markdown became structure in both formats.
    assert!(
        out.html().contains("<table>")
            && out.html().contains("<li>")
            && out
                .html()
                .contains("<a href=\"https://exemple.invalid/bilan\">")
    );
    assert!(
        out.typst_source().contains("#table(columns: 2") && out.typst_source().contains("#list(")
    );
    // The chart, with its figures written out for those who cannot see it.
    assert!(out.html().contains("<svg role=\"img\""));
    assert!(pdf.contains("Synthèse 2025") && pdf.contains("Actions en retard"));
    assert!(out.layout().pages().len() >= 4);
}

#[test]
fn adding_follow_up_data_never_changes_the_plan_annex() {
    let project = copy_project(&demo());
    let before = ctg::render_project(project.path())
        .unwrap()
        .1
        .pdf()
        .to_vec();
    fs::remove_dir_all(project.path().join("data/suivi")).unwrap();
    fs::remove_dir_all(project.path().join("data/bilans")).unwrap();
    let without = ctg::render_project(project.path())
        .unwrap()
        .1
        .pdf()
        .to_vec();
    assert!(before == without, "the annex depends on follow-up data");
    // A changed comment and a new year do not change it either.
    let suivi = project.path().join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    fs::write(
        suivi.join("2026.toml"),
        "[actions.enfance-mam-nord]\netat = \"en cours\"\ncommentaire = \"Nouveau\"\n",
    )
    .unwrap();
    let with_2026 = ctg::render_project(project.path())
        .unwrap()
        .1
        .pdf()
        .to_vec();
    assert!(before == with_2026);
}

#[test]
fn build_writes_one_pair_per_year_and_bilan_writes_only_its_year() {
    let project = copy_project(&demo());
    let root = project.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let out = ctg(args);
        assert!(out.status.success(), "{}", stderr_line(&out));
    };
    run(&["build", "--root", root, "--bilan", "2024"]);
    let names = |dir: &std::path::Path| {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&project.path().join("out")),
        [
            ctg::DOCUMENTS_FILE,
            ctg::RECORD_FILE,
            "bilan-2024.docx",
            "bilan-2024.html",
            "bilan-2024.pdf"
        ]
    );
    run(&["build", "--root", root]);
    let all = names(&project.path().join("out"));
    for name in [
        "bilan-2024.pdf",
        "bilan-2025.pdf",
        "bilan-2025.html",
        "bilan-2025.docx",
        "plan.pdf",
        "plan.docx",
        "plan.csv",
    ] {
        assert!(all.contains(&name.to_string()), "{all:?}");
    }
}

#[test]
fn a_review_without_any_date_is_refused_with_the_plans_hint() {
    // `--bilan` builds no annex: the review meets the missing date itself, and
    // says so as the annex would, rather than blaming its template.
    let project = copy_project(&demo());
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    assert!(text.contains("\ndate = 2024-03-01\n"));
    fs::write(&convention, text.replace("\ndate = 2024-03-01\n", "\n")).unwrap();
    let root = project.path().to_str().unwrap();
    let out = ctg(&["build", "--root", root, "--bilan", "2025"]);
    let err = stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("date d'édition manquante"), "{err}");
    assert!(err.contains("ajoutez `date = 2024-01-15`"), "{err}");
    assert!(!err.contains("gabarit"), "{err}");
    assert!(!project.path().join("out").exists());
}

#[test]
fn follow_up_mistakes_are_reported_in_french_with_a_hint() {
    let project = copy_project(&demo());
    let file = project.path().join("data/suivi/2025.toml");
    let text = fs::read_to_string(&file).unwrap();
    let text = text
        .replacen("etat = \"réalisé\"", "etat = \"realise\"", 1)
        .replacen("avancement = 30", "avancement = 130", 1)
        .replacen(
            "[actions.jeunesse-accueil-loisirs]",
            "[actions.jeunesse-acceuil-loisirs]",
            1,
        );
    fs::write(&file, text).unwrap();
    fs::write(project.path().join("data/suivi/2031.toml"), "").unwrap();
    let out = ctg(&["check", "--root", project.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "état inconnu : \"realise\"",
        "vouliez-vous dire \"réalisé\" ?",
        "data/suivi/2025.toml:4:8",
        "avancement hors limites : 130",
        "action inconnue : `jeunesse-acceuil-loisirs`",
        "vouliez-vous dire `jeunesse-accueil-loisirs` ?",
        "année de suivi hors de la période de la convention : 2031",
        "la convention couvre 2024-2027",
    ] {
        assert!(err.contains(needle), "« {needle} » absent:\n{err}");
    }
}

#[test]
fn a_failed_review_keeps_its_own_source_until_it_builds() {
    let project = copy_project(&demo());
    let root = project.path().to_str().unwrap();
    let out = project.path().join("out");
    let templates = project.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("bilan.typ.tera"),
        "#set document(title: \"Bilan {{ year }}\")\n#oups(1)\n",
    )
    .unwrap();
    let failed = ctg(&["build", "--root", root, "--bilan", "2025"]);
    let err = stderr_line(&failed);
    assert_eq!(failed.status.code(), Some(1), "{err}");
    // Named after the review, in the error and on disk; not after the plan.
    assert!(
        err.contains("conservé sous `bilan-2025.erreur.typ`"),
        "{err}"
    );
    assert!(err.contains("out/bilan-2025.erreur.typ"), "{err}");
    assert!(!err.contains("plan.erreur.typ"), "{err}");
    let kept = fs::read_to_string(out.join("bilan-2025.erreur.typ")).unwrap();
    assert!(kept.contains("#oups(1)"), "{kept}");
    assert!(!out.join("plan.erreur.typ").exists());

    // A build of every document fails on the plan's template too: its source
    // is kept as well.
    fs::write(templates.join("plan.typ.tera"), "#oups(2)\n").unwrap();
    let failed = ctg(&["build", "--root", root]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr_line(&failed));
    assert!(out.join("plan.erreur.typ").exists());
    // Files of the user's named like kept sources are theirs: never removed.
    fs::write(out.join("bilan-2023.erreur.typ"), "#mes notes").unwrap();

    // The review builds again: its kept source goes. The plan's stays until
    // every document builds.
    fs::remove_dir_all(&templates).unwrap();
    let built = ctg(&["build", "--root", root, "--bilan", "2025"]);
    assert!(built.status.success(), "{}", stderr_line(&built));
    assert!(!out.join("bilan-2025.erreur.typ").exists());
    assert!(out.join("plan.erreur.typ").exists());
    let built = ctg(&["build", "--root", root]);
    assert!(built.status.success(), "{}", stderr_line(&built));
    assert!(!out.join("plan.erreur.typ").exists());
    assert_eq!(
        fs::read_to_string(out.join("bilan-2023.erreur.typ")).unwrap(),
        "#mes notes"
    );
}

/// The table summaries of a tagged PDF (the `/Summary` of its tables' structure
/// attributes), in the order of the file's objects.
fn table_summaries(pdf: &[u8]) -> Vec<String> {
    fn walk(object: &lopdf::Object, out: &mut Vec<String>) {
        match object {
            lopdf::Object::Dictionary(dict) => {
                for (key, value) in dict.iter() {
                    match value {
                        lopdf::Object::String(bytes, _) if key == b"Summary" => {
                            out.push(pdf_string(bytes));
                        }
                        other => walk(other, out),
                    }
                }
            }
            lopdf::Object::Array(items) => items.iter().for_each(|i| walk(i, out)),
            lopdf::Object::Stream(stream) => {
                walk(&lopdf::Object::Dictionary(stream.dict.clone()), out)
            }
            _ => {}
        }
    }
    let doc = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    let mut summaries = Vec::new();
    for object in doc.objects.values() {
        walk(object, &mut summaries);
    }
    summaries
}

#[test]
fn the_review_table_carries_the_annexs_summary_and_note_marks() {
    // The small plan: a field with a note, a sub-section, an action without follow-up.
    let project = copy_project(&fixture("mini"));
    let suivi = project.path().join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    fs::copy(fixture("mini-suivi/2024.toml"), suivi.join("2024.toml")).unwrap();
    let (plan, templates, mut warnings) = ctg::load_and_validate(project.path()).unwrap();
    let follow_ups = ctg::load_follow_ups(project.path(), &plan, &mut warnings).unwrap();
    let review = ctg::Document::Review(2024)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let (_, annex) = ctg::render_project(project.path()).unwrap();

    // The annex's summary of the table's structure, and the year's columns after it.
    let annex_summaries = table_summaries(&annex.pdf());
    assert_eq!(annex_summaries.len(), 1, "{annex_summaries:?}");
    let base = annex_summaries[0].strip_suffix('.').unwrap();
    let summaries = table_summaries(&review.pdf());
    let expected = format!("{base}\u{a0}; « Suivi 2024 » regroupe État 2024 et Commentaire 2024.");
    assert!(
        summaries
            .iter()
            .any(|s| normalise(s) == normalise(&expected)),
        "{summaries:#?}\nattendu : {expected}"
    );

    // The field's label carries its note's mark, as in the annex, and the note
    // follows the table.
    let pages = review.page_texts();
    let text = normalise(&pages.join(" "));
    // After its heading, "Plan d’actions et état 2024" (with Typst's apostrophe).
    let table = text
        .find(&normalise("actions et état 2024"))
        .expect("the plan's table");
    let after = &text[table..];
    let mark = &plan.convention.notes[0].mark;
    assert!(after.contains(&format!("Enfance{mark}")), "{after}");
    assert!(
        after.contains(&normalise("Note en italique sur la compétence.")),
        "{after}"
    );
    assert!(normalise(&annex.page_texts().join(" ")).contains(&format!("Enfance{mark}")));
}

/// `text` without the table `[actions.<id>]` and its indicators.
fn without_follow_up(text: &str, id: &str) -> String {
    let own = |line: &str| {
        line == format!("[actions.{id}]") || line == format!("[[actions.{id}.indicateurs]]")
    };
    let mut kept = Vec::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with('[') {
            skipping = own(line);
        }
        if !skipping {
            kept.push(line);
        }
    }
    assert!(kept.len() < text.lines().count(), "no follow-up for {id}");
    kept.join("\n") + "\n"
}

#[test]
fn an_action_whose_period_starts_later_is_to_come_not_missing() {
    // The nursery of the north (« 2026-2027 ») has not begun in 2025; the
    // leisure centre (« 2025 ») has a deadline in 2025 and owes its follow-up.
    let project = copy_project(&demo());
    let file = project.path().join("data/suivi/2025.toml");
    let text = fs::read_to_string(&file).unwrap();
    let text = without_follow_up(&text, "enfance-mam-nord");
    let text = without_follow_up(&text, "jeunesse-accueil-loisirs");
    fs::write(&file, text).unwrap();
    let root = project.path();
    let (plan, templates, mut warnings) = ctg::load_and_validate(root).unwrap();
    let follow_ups = ctg::load_follow_ups(root, &plan, &mut warnings).unwrap();
    let said: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        said,
        ["aucun suivi 2025 pour l'action `jeunesse-accueil-loisirs`"],
        "only the action that was due is warned of"
    );
    let review = ctg::Review::new(&plan, &follow_ups, 2025).unwrap();
    let (_, totals) = review.summary();
    assert_eq!((totals.upcoming, totals.missing), (1, 1));
    assert_eq!(totals.total(), plan.actions.len());

    let out = ctg::Document::Review(2025)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let doc = scraper::Html::parse_document(&out.html());
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let text_of = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_string();
    // The summary table: a column « à venir » holding the one action.
    let summary = doc
        .select(&select("table"))
        .find(|t| text_of(*t).contains("Nombre d'actions par état"))
        .expect("the summary table");
    let heads: Vec<String> = summary.select(&select("thead th")).map(text_of).collect();
    let at = |label: &str| heads.iter().position(|h| h == label).unwrap();
    let total_row: Vec<String> = summary
        .select(&select("tbody tr"))
        .last()
        .unwrap()
        .select(&select("th, td"))
        .map(text_of)
        .collect();
    assert_eq!(total_row[at("à venir")], "1", "{heads:?} {total_row:?}");
    assert_eq!(
        total_row[at("non renseigné")],
        "1",
        "{heads:?} {total_row:?}"
    );
    // The chart's legend, and the action's row in the plan table.
    let chart = text_of(doc.select(&select("svg")).next().unwrap());
    assert!(chart.contains("à venir"), "{chart}");
    let pdf = out.page_texts().join(" ");
    let mam = plan
        .actions
        .iter()
        .find(|a| a.id == "enfance-mam-nord")
        .unwrap();
    let description = normalise(&ctg::markdown_to_plain(&mam.description));
    for (name, text) in [
        ("PDF", normalise(&pdf)),
        ("HTML", normalise(&html_text(&out.html()))),
    ] {
        let row = text.rfind(&description).expect(name);
        // Its state cell comes before the next row's (the leisure centre, later
        // in the plan, says « non renseigné »).
        let after = &text[row + description.len()..];
        let upcoming = after.find("àvenir").expect(name);
        assert!(
            after.find("nonrenseigné").is_some_and(|n| upcoming < n),
            "{name}: the row of {} says « à venir »",
            mam.id
        );
    }
}

#[test]
fn a_review_without_introduction_starts_its_summary_on_the_first_page() {
    let project = copy_project(&demo());
    fs::remove_dir_all(project.path().join("data/bilans/2025")).unwrap();
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention).unwrap();
    let long = "Axe 3 – Soutien à la parentalité et accès aux droits numériques";
    fs::write(
        &convention,
        text.replace(
            "libelle = \"Parentalité\"",
            &format!("libelle = \"{long}\""),
        ),
    )
    .unwrap();
    let (plan, templates, mut warnings) = ctg::load_and_validate(project.path()).unwrap();
    let follow_ups = ctg::load_follow_ups(project.path(), &plan, &mut warnings).unwrap();
    // The build says where the review's texts go.
    let warning = warnings
        .iter()
        .find(|w| w.message == "le bilan 2025 n'a pas d'introduction")
        .unwrap_or_else(|| panic!("{warnings:?}"));
    assert!(
        warning
            .hint
            .as_deref()
            .unwrap()
            .contains("`data/bilans/2025/introduction.md`")
    );
    assert!(!warnings.iter().any(|w| w.message.contains("2024")));
    let review = ctg::Document::Review(2025)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let pages = review.page_texts();
    assert!(pages[0].contains("Synthèse 2025"), "{}", pages[0]);
    // The summary's headers are whole words, never hyphenated, and the
    // chart's long label is whole too.
    let first = &pages[0];
    for label in [
        "réalisé",
        "en cours",
        "non démarré",
        "reporté",
        "abandonné",
        "réorienté",
        "Total",
    ] {
        assert!(first.contains(label), "{label}: {first}");
    }
    for cut in ["réali-", "aban-", "ré-", "démar-", "repor-", "pa-"] {
        assert!(!first.contains(cut), "{cut}: {first}");
    }
    // A review with its introduction keeps it alone on the first page.
    let with_intro = ctg::Document::Review(2024)
        .render(&ctg::Inputs::new(&plan, &follow_ups, &templates))
        .unwrap();
    let first = &with_intro.page_texts()[0];
    assert!(!first.contains("Synthèse 2024"), "{first}");
}
