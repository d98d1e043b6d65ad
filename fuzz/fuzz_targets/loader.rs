//! Fuzz target: any bytes as an action file (and, after a NUL byte, as the
//! convention), and the same bytes as a year's follow-up of a small valid plan,
//! through decoding, TOML parsing, validation and the rendering of diagnostics.
//! Nothing may panic; every diagnostic must point inside its file.
#![no_main]
#![allow(dead_code, clippy::result_large_err)]

include!("ctg_core.rs");

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// A valid convention, used when the input holds an action only.
const CONVENTION: &str = include_str!("../../tests/fixtures/mini/data/convention.toml");

/// The actions of the same small plan, against which follow-up is checked.
const ACTIONS: &[(&str, &str)] = &[
    (
        "data/actions/enfance/01-creche.toml",
        include_str!("../../tests/fixtures/mini/data/actions/enfance/01-creche.toml"),
    ),
    (
        "data/actions/logement/01-impayes.toml",
        include_str!("../../tests/fixtures/mini/data/actions/logement/01-impayes.toml"),
    ),
    (
        "data/actions/logement/02-decence.toml",
        include_str!("../../tests/fixtures/mini/data/actions/logement/02-decence.toml"),
    ),
];

/// The small plan, validated once.
static PLAN: LazyLock<model::Plan> = LazyLock::new(|| {
    let mut diags = Vec::new();
    let raw = read::RawProject {
        convention: parse("data/convention.toml", CONVENTION.as_bytes(), &mut diags),
        actions: ACTIONS
            .iter()
            .filter_map(|(name, text)| parse(name, text.as_bytes(), &mut diags))
            .collect(),
        logos: Default::default(),
    };
    validate::validate(raw, &mut diags).expect("the plan of the tests is valid")
});

fn parse<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
    diags: &mut Vec<diag::Diagnostic>,
) -> Option<read::Loaded<T>> {
    match read::source::decode(name.to_string(), bytes.to_vec()) {
        Ok(file) => read::parse_source(file, diags),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Every diagnostic says something and points inside its file.
fn check_diagnostics(diags: &[diag::Diagnostic]) {
    for d in diags {
        assert!(
            !d.message.trim().is_empty(),
            "a diagnostic without a message"
        );
        if let (Some(file), Some(span)) = (&d.file, &d.span) {
            assert!(
                span.start <= span.end && span.end <= file.text.len(),
                "span {span:?} outside {} ({} bytes)",
                file.name,
                file.text.len()
            );
            assert!(
                file.text.is_char_boundary(span.start) && file.text.is_char_boundary(span.end),
                "span {span:?} cuts a character"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (action, convention) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, CONVENTION.as_bytes()),
    };
    let mut diags = Vec::new();
    let convention = parse::<read::RawConvention>("data/convention.toml", convention, &mut diags);
    let action = parse::<read::RawAction>("data/actions/a/01-a.toml", action, &mut diags);
    let raw = read::RawProject {
        convention,
        actions: action.into_iter().collect(),
        // A logo the convention names is then missing: its check is the
        // loader's, on the files of a folder.
        logos: Default::default(),
    };
    let plan = validate::validate(raw, &mut diags);
    if plan.is_none() {
        assert!(
            diags.iter().any(|d| d.is_error()),
            "refused without an error"
        );
    }
    check_diagnostics(&diags);
    // The report renders them all, none as an internal error (the renderer is
    // the same for every file: it runs once per input, for speed).
    let report = diag::render(&diags, false);
    assert_eq!(diags.is_empty(), report.is_empty());
    assert!(!report.contains("erreur interne"), "{report}");

    let mut diags = Vec::new();
    let year = PLAN.convention.period.start;
    match read::source::decode(format!("data/suivi/{year}.toml"), data.to_vec()) {
        Ok(file) => {
            let _ = validate::follow_up::parse_year(file, year, &PLAN, &mut diags);
        }
        Err(d) => diags.push(d),
    }
    check_diagnostics(&diags);
});
