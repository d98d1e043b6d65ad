//! Fuzz target: any bytes as an action file (and, after a NUL byte, as the
//! convention), through decoding, TOML parsing, validation and the rendering of
//! diagnostics. Nothing may panic; every diagnostic must point inside its file.
#![no_main]
#![allow(dead_code, clippy::result_large_err)]

include!("ctg_core.rs");

use libfuzzer_sys::fuzz_target;

/// A valid convention, used when the input holds an action only.
const CONVENTION: &str = include_str!("../../tests/fixtures/mini/data/convention.toml");

fn parse<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
    diags: &mut Vec<diag::Diagnostic>,
) -> Option<load::Loaded<T>> {
    match load::decode(name.to_string(), bytes.to_vec()) {
        Ok(file) => load::parse_source(file, diags),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (action, convention) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, CONVENTION.as_bytes()),
    };
    let mut diags = Vec::new();
    let convention = parse::<load::RawConvention>("data/convention.toml", convention, &mut diags);
    let action = parse::<load::RawAction>("data/actions/a/01-a.toml", action, &mut diags);
    let raw = load::RawProject {
        convention,
        actions: action.into_iter().collect(),
    };
    let plan = model::validate(raw, &mut diags);
    if plan.is_none() {
        assert!(
            diags.iter().any(|d| d.is_error()),
            "refused without an error"
        );
    }
    for d in &diags {
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
    let report = diag::render(&diags, false);
    assert_eq!(diags.is_empty(), report.is_empty());
    assert!(!report.contains("erreur interne"), "{report}");
});
