//! The signed annex: PDF/A-2a and PDF/UA-1, reproducible, traceable, with its
//! signature page.

use crate::common;

use std::fs;
use std::process::Command;
use std::sync::LazyLock;

use common::*;
use ctg::Plan;
use ctg::Rendered;
use lopdf::{Document, Object};

static BUILT: LazyLock<(Plan, Rendered)> =
    LazyLock::new(|| ctg::render_project(&project_root()).expect("the shipped plan builds"));

fn pdf() -> Document {
    Document::load_mem(&BUILT.1.pdf()).expect("a readable PDF")
}

fn text_of(doc: &Document, obj: &Object) -> String {
    let obj = match obj {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    };
    match obj {
        Object::String(bytes, _) => {
            if bytes.starts_with(&[0xFE, 0xFF]) {
                let units: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
        other => panic!("not a string: {other:?}"),
    }
}

#[test]
fn two_builds_give_the_same_bytes() {
    let (_, again) = ctg::render_project(&project_root()).unwrap();
    assert!(
        again.pdf() == BUILT.1.pdf(),
        "the PDF differs between two builds"
    );
}

#[test]
fn xmp_declares_pdf_a_2a_and_pdf_ua_1() {
    let xmp = xmp(&pdf());
    let part =
        |ns: &str| xmp.contains(&format!("<{ns}:part>")) || xmp.contains(&format!("{ns}:part=\""));
    assert!(part("pdfaid") && part("pdfuaid"), "{xmp}");
    assert!(
        xmp.contains("pdfaid:part>2<") || xmp.contains("pdfaid:part=\"2\""),
        "{xmp}"
    );
    assert!(
        xmp.contains("pdfaid:conformance>A<") || xmp.contains("pdfaid:conformance=\"A\""),
        "{xmp}"
    );
    assert!(
        xmp.contains("pdfuaid:part>1<") || xmp.contains("pdfuaid:part=\"1\""),
        "{xmp}"
    );
}

#[test]
fn title_language_author_subject_and_keywords_are_set() {
    let doc = pdf();
    let plan = &BUILT.0;
    let catalog = doc.catalog().unwrap();
    assert_eq!(text_of(&doc, catalog.get(b"Lang").unwrap()), "fr-FR");
    let display_title = catalog
        .get(b"ViewerPreferences")
        .and_then(|v| match v {
            Object::Reference(id) => doc.get_dictionary(*id),
            Object::Dictionary(d) => Ok(d),
            _ => panic!("ViewerPreferences"),
        })
        .and_then(|v| v.get(b"DisplayDocTitle"))
        .and_then(Object::as_bool)
        .unwrap();
    assert!(
        display_title,
        "PDF/UA: the viewer shows the title, not the file name"
    );
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let field = |key: &[u8]| text_of(&doc, info.get(key).unwrap());
    assert_eq!(
        field(b"Title"),
        "Convention Territoriale Globale – CAF/Communauté de Communes du Bassin de Joinville en Champagne"
    );
    let author = field(b"Author");
    for signatory in &plan.convention.signatories {
        assert!(author.contains(&signatory.institution), "{author}");
    }
    assert_eq!(field(b"Subject"), plan.convention.caption);
    let keywords = field(b"Keywords");
    assert!(
        keywords.contains("Petite Enfance") && keywords.contains("Logement"),
        "{keywords}"
    );
    assert_eq!(field(b"Creator"), "ctg");
    assert!(xmp(&doc).contains("Convention Territoriale Globale"));
}

#[test]
fn every_font_is_embedded() {
    let doc = pdf();
    let mut descriptors = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor".as_slice()) {
            descriptors += 1;
            assert!(
                dict.has(b"FontFile2") || dict.has(b"FontFile3") || dict.has(b"FontFile"),
                "font not embedded: {dict:?}"
            );
        }
    }
    assert!(descriptors >= 2, "regular and bold at least");
}

#[test]
fn table_header_cells_are_tagged_as_headers() {
    let doc = pdf();
    let mut th = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"S").and_then(Object::as_name).ok() == Some(b"TH".as_slice()) {
            th += 1;
        }
    }
    let plan = &BUILT.0;
    // Ten column headers, a row header per action, two header cells per
    // sub-section row; the header repeated on later pages is not tagged again.
    let subsections: usize = plan
        .convention
        .fields
        .iter()
        .map(|f| f.subsections.len())
        .sum();
    assert_eq!(
        th,
        10 + plan.actions.len() + 2 * subsections,
        "header cells in the tag tree"
    );
}

#[test]
fn every_page_carries_version_and_fingerprint() {
    let (plan, out) = &*BUILT;
    let fingerprint = &ctg::plan_fingerprint(plan)[..8];
    let version = plan.convention.version.as_deref().unwrap();
    let annex = plan
        .convention
        .annex
        .as_ref()
        .expect("the shipped plan names its annex");
    for (i, page) in out.page_texts().iter().enumerate() {
        assert!(
            page.starts_with(&annex.to_string()),
            "page {}: {page}",
            i + 1
        );
        assert!(
            page.contains(&format!("Empreinte {fingerprint}")),
            "page {}: {page}",
            i + 1
        );
        assert!(
            page.contains(&format!("Version {version}")),
            "page {}",
            i + 1
        );
    }
}

#[test]
fn the_fingerprint_follows_the_data() {
    let project = copy_project(&project_root());
    let (plan, _) = ctg::load_and_validate(project.path())
        .map(|(p, _, _)| (p, ()))
        .unwrap();
    let before = ctg::plan_fingerprint(&plan);
    let file = project
        .path()
        .join("data/actions/logement/01-impayes-de-loyers.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("Travailleur social", "Travailleuse sociale"),
    )
    .unwrap();
    let (plan, _, _) = ctg::load_and_validate(project.path()).unwrap();
    assert_ne!(ctg::plan_fingerprint(&plan), before);
}

/// Whatever the page settings hold takes part in the layout of every cell: if an
/// edit of one cell changed them (as the fingerprint in the footer did), the
/// whole plan would be laid out again, and a rebuild in `ctg watch` would take
/// several times as long.
#[test]
fn an_edit_of_a_cell_leaves_the_page_settings_alone() {
    let project = copy_project(&project_root());
    let page_settings = || {
        let (_, out) = ctg::render_project(project.path()).unwrap();
        let source = out.typst_source();
        let start = source.find("#set page(").unwrap();
        let end = start + source[start..].find("\n)\n").unwrap();
        source[start..end].to_string()
    };
    let before = page_settings();
    let file = project
        .path()
        .join("data/actions/logement/01-impayes-de-loyers.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("Travailleur social", "Travailleuse sociale"),
    )
    .unwrap();
    assert_eq!(page_settings(), before);
}

#[test]
fn signature_page_lists_every_signatory() {
    let (plan, out) = &*BUILT;
    let pages = out.page_texts();
    let last = normalise(pages.last().unwrap());
    assert!(
        last.contains("Signatures") && last.contains("Faità"),
        "{last}"
    );
    for s in &plan.convention.signatories {
        assert!(
            last.contains(&normalise(&s.institution)),
            "{} absent",
            s.institution
        );
    }
    assert!(!normalise(&pages[pages.len() - 2]).contains("Faità"));
}

#[test]
fn signature_page_fits_on_one_page_for_two_to_eight_signatories() {
    let mut baseline = None;
    for n in 2..=8 {
        let project = copy_project(&fixture("mini"));
        let convention = project.path().join("data/convention.toml");
        let mut text = fs::read_to_string(&convention).unwrap();
        text = text.replace("[[signataires]]\ninstitution = \"Caf d'Exemple\"\n", "");
        for i in 1..=n {
            text.push_str(&format!(
                "\n[[signataires]]\ninstitution = \"Institution numéro {i} de la convention\"\nqualite = \"Le Président\"\nnom = \"Nom Prénom {i}\"\n"
            ));
        }
        fs::write(&convention, text).unwrap();
        let (_, out) = ctg::render_project(project.path()).unwrap();
        let pages = out.page_texts();
        let count = *baseline.get_or_insert(pages.len());
        assert_eq!(pages.len(), count, "{n} signatories change the page count");
        let last = pages.last().unwrap();
        for i in 1..=n {
            assert!(
                last.contains(&format!("Institution numéro {i} de la convention")),
                "{n} signatories: {i} absent"
            );
        }
        assert!(!pages[pages.len() - 2].contains("Institution numéro"));
    }
}

#[test]
fn source_date_epoch_sets_the_creation_date_and_build_prints_hashes() {
    let project = copy_project(&fixture("mini"));
    let out = Command::new(env!("CARGO_BIN_EXE_ctg"))
        .args([
            "build",
            "--detail",
            "--root",
            project.path().to_str().unwrap(),
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = fs::read(project.path().join("out/plan.pdf")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(project.path().join("out/plan.pdf"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "outputs are readable by a web server: {mode:o}"
        );
    }
    let doc = Document::load_mem(&bytes).unwrap();
    let xmp = xmp(&doc);
    assert!(xmp.contains("2023-11-14T22:13:20"), "{xmp}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let hash = ctg::sha256_hex(&bytes);
    assert!(stderr.contains(&format!("sha256 {hash}")), "{stderr}");
}

#[test]
fn the_creation_date_comes_from_the_convention() {
    // data/convention.toml: date = 2026-11-30, the date of this edition.
    let xmp = xmp(&pdf());
    assert!(xmp.contains("2026-11-30T00:00:00"), "{xmp}");
}

#[test]
fn a_plan_without_any_date_is_refused_with_a_hint() {
    let project = copy_project(&fixture("mini"));
    let convention = project.path().join("data/convention.toml");
    let text = fs::read_to_string(&convention)
        .unwrap()
        .replace("date = 2024-01-15\n", "");
    fs::write(&convention, text).unwrap();
    let failure = ctg::render_project(project.path())
        .err()
        .expect("no date, no PDF/A");
    let report = format!("{failure:?}");
    assert!(report.contains("date d'édition manquante"), "{report}");
    assert!(report.contains("ajoutez `date = 2024-01-15`"), "{report}");
}

#[test]
fn an_image_without_alternative_text_is_refused() {
    let project = copy_project(&fixture("mini"));
    let templates = project.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    let builtin = fs::read_to_string(project_root().join("templates/plan.typ.tera")).unwrap();
    let svg = r#"#image(bytes("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"), width: 1cm)"#;
    fs::write(
        templates.join("plan.typ.tera"),
        format!("{builtin}\n{svg}\n"),
    )
    .unwrap();
    let failure = ctg::render_project(project.path())
        .err()
        .expect("PDF/UA refuses it");
    let report = format!("{failure:?}");
    assert!(report.contains("ne respecte pas les normes"), "{report}");
    assert!(report.contains("texte de remplacement"), "{report}");
}

#[test]
fn a_sub_section_row_is_never_left_alone_at_the_foot_of_a_page() {
    let (plan, out) = &*BUILT;
    let pages: Vec<String> = out.page_texts().iter().map(|p| normalise(p)).collect();
    let mut checked = 0;
    for field in &plan.convention.fields {
        for sub in &field.subsections {
            let first = plan
                .actions
                .iter()
                .find(|a| a.subsection.as_deref() == Some(sub.id.as_str()))
                .expect("each sub-section has actions");
            let first = normalise(&ctg::markdown_to_plain(&first.description));
            let label = normalise(&sub.label);
            let page = pages
                .iter()
                .position(|p| p.contains(&label))
                .expect("sub-section shown");
            assert!(
                pages[page].contains(&first),
                "« {} » is alone at the foot of page {}",
                sub.label,
                page + 1
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 2);
}
