//! The layout of the source: the stages are folders in the order of the
//! pipeline, and each imports only from those before it; a file reads in a
//! few screens, a function in one.

use std::fs;
use std::path::{Path, PathBuf};

/// The top modules of `src/` in the order of the pipeline: a module may use
/// those of its own rank and those before it, never one after it.
const STAGES: &[&[&str]] = &[
    // What every stage uses (`say!` is `diag`'s macro).
    &["diag", "french", "fonts", "say", "say_raw"],
    &["read"],
    &["text"],
    &["model"],
    &["validate"],
    &["versions"],
    &["render"],
    &["write"],
    &["build"],
    &["tools"],
    &["lib", "main", "cli"],
];

/// Longest file, in lines, unless its module comment says why it is longer.
const MAX_FILE_LINES: usize = 600;
/// What a module comment says when its file is longer.
const LONG_FILE_REASON: &str = "Longer than 600 lines:";
/// Longest function, in lines, unless its comment says it is a table.
const MAX_FUNCTION_LINES: usize = 100;
/// What a function's comment says when it is a table, one entry a line.
const TABLE: &str = "(a table";

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&src)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("a readable src/"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let name = e.path().strip_prefix(&src).unwrap();
            let name = name.to_string_lossy().replace('\\', "/");
            (name, fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    assert!(files.len() > 50, "src/ holds the sources");
    files.sort();
    files
}

/// The stage of a top module, or of the file `name` (`render/pdf.rs`).
fn rank(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

fn top_module(file: &str) -> &str {
    let first = file.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The code of a file without its unit tests: a test may use any stage.
fn without_tests<'a>(file: &str, text: &'a str) -> &'a str {
    if file.ends_with("/tests.rs") {
        return "";
    }
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// Every top module a piece of code names by `crate::…`, with its line.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let code = line.split("//").next().unwrap();
        for (at, _) in code.match_indices("crate::") {
            // `$crate::` is a macro's own crate, `ctg` itself.
            if code[..at].ends_with('$') {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            let names: Vec<String> = match rest.strip_prefix('{') {
                // `use crate::{a, b::c}`, on one line as rustfmt leaves short ones.
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap()
                    .split(',')
                    .map(|p| p.trim().split("::").next().unwrap().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
                None => vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap()
                        .to_string(),
                ],
            };
            found.extend(names.into_iter().map(|n| (i + 1, n)));
        }
    }
    found
}

#[test]
fn every_stage_imports_only_from_the_stages_before_it() {
    let mut wrong = Vec::new();
    for (file, text) in sources() {
        let own = rank(top_module(&file)).unwrap_or_else(|| {
            panic!("src/{file} is in no stage: add its folder to STAGES in tests/suite/house.rs")
        });
        for (line, name) in crate_paths(without_tests(&file, &text)) {
            match rank(&name) {
                Some(used) if used <= own => {}
                None if own == STAGES.len() - 1 => {}
                _ => wrong.push(format!("src/{file}:{line} uses `crate::{name}`")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports from a later stage:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_file_reads_in_a_few_screens() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| text.lines().count() > MAX_FILE_LINES)
        .filter(|(_, text)| {
            let comment: String = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join(" ");
            !comment.contains(LONG_FILE_REASON)
        })
        .map(|(file, text)| format!("src/{file}: {} lignes", text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines without `{LONG_FILE_REASON} …` in their module comment:\n{}",
        long.join("\n")
    );
}

/// The functions of a file over [`MAX_FUNCTION_LINES`], with their first line:
/// a function ends at the first line that closes a brace at its indentation,
/// as rustfmt writes it.
fn long_functions(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let signature = [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ]
        .iter()
        .fold(trimmed, |t, p| t.strip_prefix(p).unwrap_or(t));
        let Some(rest) = signature.strip_prefix("fn ") else {
            continue;
        };
        if line.ends_with(';') {
            continue;
        }
        let end = format!("{indent}}}");
        let Some(length) = lines[i..].iter().position(|l| *l == end) else {
            continue;
        };
        let comment = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with("///") || l.trim_start().starts_with("#["))
            .any(|l| l.contains(TABLE));
        if length + 1 > MAX_FUNCTION_LINES && !comment {
            let name = rest.split(['(', '<']).next().unwrap().to_string();
            long.push((i + 1, name, length + 1));
        }
    }
    long
}

#[test]
fn a_function_reads_in_one_screen() {
    let long: Vec<String> = sources()
        .iter()
        .flat_map(|(file, text)| {
            long_functions(text)
                .into_iter()
                .map(move |(line, name, length)| {
                    format!("src/{file}:{line} {name} : {length} lignes")
                })
        })
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (say `{TABLE} …)` in the comment of one that is a table):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    // A later stage named from an earlier one is found, in a path and in a group.
    let found = crate_paths("use crate::render::pdf;\nuse crate::{diag, build::x};\n");
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["render", "diag", "build"]);
    assert!(crate_paths("$crate::diag::say").is_empty());
    // A function of 101 lines is long, one of 100 is not, a table never.
    let function =
        |body: usize, comment: &str| format!("{comment}fn f() {{\n{}}}\n", "    x;\n".repeat(body));
    assert_eq!(
        long_functions(&function(99, "")),
        vec![(1, "f".into(), 101)]
    );
    assert!(long_functions(&function(98, "")).is_empty());
    assert!(long_functions(&function(99, "/// Styles (a table: one a line).\n")).is_empty());
    // Every stage has its folder or file.
    let src: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for module in STAGES.iter().flat_map(|s| s.iter()) {
        if ["say", "say_raw"].contains(module) {
            continue;
        }
        assert!(
            src.join(module).is_dir() || src.join(format!("{module}.rs")).is_file(),
            "{module}"
        );
    }
}
