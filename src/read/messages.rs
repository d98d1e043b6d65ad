//! The French messages for TOML's and serde's errors: where, what was
//! written, what was expected, and a hint.
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};

/// A TOML syntax error, in French.
pub(crate) fn syntax_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let msg = err.message().trim();
    let (what, expected) = match msg.split_once(", expected ") {
        Some((what, expected)) => (what, Some(expected)),
        None => (msg, None),
    };
    // A text over several lines whose closing quotes were forgotten: the
    // parser stops at the end of the file, the officer needs the line where
    // the text opened.
    if what.starts_with("invalid multi-line")
        && let Some((opened, quotes)) = unclosed_multiline(&file.text)
    {
        let (line, _) = file.line_col(opened.start);
        return Diagnostic::error(format!(
            "texte sur plusieurs lignes jamais refermé : le {quotes} ouvert ligne {line} n'a pas de {quotes} fermant"
        ))
        .at(file, opened)
        .label("texte ouvert ici")
        .hint(format!(
            "ajoutez {quotes} à la fin de ce texte, juste après son dernier mot ou seul sur la ligne suivante : sans lui, tout le reste du fichier est lu comme ce texte"
        ));
    }
    let (french, hint) = french_syntax(what);
    let mut message = format!("syntaxe TOML invalide : {french}");
    if let Some(expected) = expected.filter(|e| *e != "nothing") {
        message.push_str(&format!(" (attendu : {})", french_tokens(expected)));
    }
    let d = Diagnostic::error(message).label("ici");
    let d = match err.span() {
        Some(span) => d.at(file, span),
        None => d.in_file(file),
    };
    d.hint(hint)
}

/// The parser's list of what it expected (« `'`, literal string, etc »), in
/// the words of the people who write the files.
pub(crate) fn french_tokens(expected: &str) -> String {
    expected
        .split(", ")
        .map(|token| match token.trim() {
            "literal string" => "un texte entre apostrophes",
            "basic string" => "un texte entre guillemets",
            "multi-line literal string" | "multi-line basic string" => {
                "un texte sur plusieurs lignes"
            }
            "string" | "quoted string" => "un texte entre guillemets",
            "integer" => "un nombre entier",
            "float" => "un nombre décimal",
            "boolean" => "true ou false",
            "date-time" | "datetime" | "local date" => "une date",
            "array" => "une liste",
            "inline table" => "une table en ligne",
            "newline" => "un retour à la ligne",
            "key" | "unquoted key" => "une clé",
            "value" => "une valeur",
            "comment" => "un commentaire",
            "etc" | "etc." => "…",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the last text over several lines of a TOML file opens, if it is
/// never closed, with its quotes (`'''` or `"""`). Comments and one-line texts
/// are read over, so that quotes inside them do not count.
pub(crate) fn unclosed_multiline(text: &str) -> Option<(Range<usize>, &'static str)> {
    // Bytes, not characters: every delimiter is ASCII, and no index can then
    // fall inside a character.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"'''") || rest.starts_with(b"\"\"\"") {
            let (quotes, quote) = if rest[0] == b'\'' {
                ("'''", b'\'')
            } else {
                ("\"\"\"", b'"')
            };
            let opened = i..i + 3;
            let mut j = i + 3;
            loop {
                let Some(at) = bytes[j..].windows(3).position(|w| w == quotes.as_bytes()) else {
                    return Some((opened, quotes));
                };
                let close = j + at;
                // In a basic string, a quote after a backslash is escaped.
                if quote == b'"' && bytes[close - 1] == b'\\' {
                    j = close + 1;
                    continue;
                }
                // Up to two more quotes belong to the text: `''''` ends it too.
                i = close + 3;
                while i < bytes.len() && i < close + 5 && bytes[i] == quote {
                    i += 1;
                }
                break;
            }
            continue;
        }
        match bytes[i] {
            b'#' => i += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len()),
            quote @ (b'\'' | b'"') => {
                // A one-line text ends at its quote or at the end of the line.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
                    j += if quote == b'"' && bytes[j] == b'\\' {
                        2
                    } else {
                        1
                    };
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The parser's words for a syntax error, and what to do about it.
pub(crate) fn french_syntax(what: &str) -> (String, &'static str) {
    const QUOTES: &str = "un texte s'écrit entre guillemets droits : \"…\" sur une ligne, ou '''…''' sur plusieurs lignes";
    const LINE: &str =
        "chaque ligne s'écrit `clé = valeur`, un texte entre guillemets droits \"…\"";
    let (french, hint) = match what {
        "invalid basic string" | "invalid multi-line basic string" => ("texte mal fermé", QUOTES),
        "missing closing quote" | "missing opening quote" => ("guillemet manquant", QUOTES),
        "string values must be quoted" => ("texte sans guillemets", QUOTES),
        "missing escaped value" | "too few unicode value digits" => (
            "barre oblique inverse `\\` mal employée",
            "dans \"…\", écrivez `\\\\` pour une barre oblique inverse, ou utilisez '''…''' où elle s'écrit telle quelle",
        ),
        "duplicate key" => ("clé en double", "gardez une seule ligne pour cette clé"),
        "missing assignment between key-value pairs" | "key with no value" => {
            ("signe `=` manquant", LINE)
        }
        "missing value" | "missing value for key" => ("valeur manquante après `=`", LINE),
        "extra assignment between key-value pairs" | "extra `=`" => ("signe `=` en trop", LINE),
        "unclosed table" | "unclosed array table" => (
            "crochet fermant manquant",
            "un en-tête de table s'écrit `[nom]`, et une entrée de liste `[[nom]]`",
        ),
        "unclosed array" | "missing comma between array elements" | "extra comma in array" => (
            "liste mal formée",
            "une liste s'écrit `[\"a\", \"b\"]`, les éléments séparés par des virgules",
        ),
        "unclosed inline table"
        | "missing comma between key-value pairs"
        | "extra comma in inline table"
        | "invalid inline table element"
        | "missing key for inline table element" => (
            "table en ligne mal formée",
            "une table en ligne s'écrit `{ id = \"a\", libelle = \"A\" }` sur une seule ligne",
        ),
        "invalid unquoted key" | "unquoted keys cannot be empty" | "invalid key-value pair" => (
            "clé invalide",
            "une clé s'écrit en minuscules sans accents ni espaces, avec des `_`, ex. `budget_previsionnel`",
        ),
        "unexpected content"
        | "unexpected key or value"
        | "unexpected content between comment and newline" => ("contenu inattendu", LINE),
        "cannot recurse further; max recursion depth met" | "recursion limit" => (
            "imbrication trop profonde",
            "les listes et tables imbriquées ne servent pas dans ces fichiers : simplifiez cette valeur",
        ),
        "carriage return must be followed by newline" => (
            "retour chariot isolé",
            "enregistrez le fichier avec des fins de ligne normales (LF ou CRLF)",
        ),
        other => {
            return (
                format!("« {other} »"),
                "vérifiez les guillemets, les crochets et le signe `=` de cette ligne",
            );
        }
    };
    (french.to_string(), hint)
}

/// A serde error (wrong key, missing key, wrong type) in French, with a hint.
pub(crate) fn serde_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let msg = err.message().trim();
    let written = err
        .span()
        .and_then(|s| file.text.get(s))
        .unwrap_or_default();
    let (message, label, hint) = translate(msg, written);
    let d = Diagnostic::error(message).label(label);
    let d = match err.span() {
        Some(span) => d.at(file, span),
        None => d.in_file(file),
    };
    match hint {
        Some(h) => d.hint(h),
        None => d,
    }
}

/// Missing required keys of one table, in one message: each key with what it
/// holds. `root` tells that the table is the file itself.
pub fn missing_keys(
    file: &SourceFile,
    span: Range<usize>,
    root: bool,
    keys: &[(String, String)],
) -> Diagnostic {
    let quoted: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let message = match quoted.as_slice() {
        [one] => format!("clé obligatoire manquante : `{one}`"),
        _ => format!("clés obligatoires manquantes : {}", quote_list(&quoted)),
    };
    let lines: Vec<String> = keys
        .iter()
        .map(|(k, what)| format!("`{k} = …` ({what})"))
        .collect();
    let hint = match lines.as_slice() {
        [one] => format!("ajoutez une ligne {one}"),
        _ => format!("ajoutez les lignes {}", lines.join(" ; ")),
    };
    // The document's own span is empty: point at its start.
    let label = if root {
        "dans ce fichier"
    } else {
        "dans cette table"
    };
    Diagnostic::error(message)
        .at(file, span)
        .label(label)
        .hint(hint)
}

/// An unknown key of a table, with the known keys as hint, the closest first.
pub fn unknown_key(file: &SourceFile, span: Range<usize>, key: &str, known: &[&str]) -> Diagnostic {
    Diagnostic::error(format!("clé inconnue `{key}`"))
        .at(file, span)
        .label("clé inconnue")
        .hint(unknown_key_hint(key, known))
}

/// What to write instead of an unknown key: the closest known key if it looks
/// like a typo, then every known key, the closest first.
pub fn unknown_key_hint(key: &str, known: &[&str]) -> String {
    if known.is_empty() {
        return "supprimez cette clé".to_string();
    }
    let list = quote_list(&by_closeness(key, known));
    match closest(key, known) {
        Some(best) => format!("vouliez-vous dire `{best}` ? Clés possibles ici : {list}"),
        None => format!("clés possibles ici : {list}"),
    }
}

/// `known`, the closest to `key` first (the order of `known` among equals).
pub fn by_closeness<'a>(key: &str, known: &[&'a str]) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), *k))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, k)| k).collect()
}

/// A value of the wrong type, found by validation rather than by serde: the
/// same words as serde's own type errors. `expected` is serde's name of the
/// type (`a string`, `an integer`, `an amount`…).
pub fn wrong_type(file: &SourceFile, value: &Spanned<toml::Value>, expected: &str) -> Diagnostic {
    use serde::de::Unexpected;
    let found = match value.get_ref() {
        toml::Value::String(s) => Unexpected::Str(s).to_string(),
        toml::Value::Integer(i) => Unexpected::Signed(*i).to_string(),
        toml::Value::Float(f) => Unexpected::Float(*f).to_string(),
        toml::Value::Boolean(b) => Unexpected::Bool(*b).to_string(),
        toml::Value::Datetime(_) => "datetime".to_string(),
        toml::Value::Array(_) => Unexpected::Seq.to_string(),
        toml::Value::Table(_) => Unexpected::Map.to_string(),
    };
    let written = file.text.get(value.span()).unwrap_or_default();
    let (message, label, hint) = translate(
        &format!("invalid type: {found}, expected {expected}"),
        written,
    );
    let d = Diagnostic::error(message)
        .at(file, value.span())
        .label(label);
    match hint {
        Some(h) => d.hint(h),
        None => d,
    }
}

/// Text between the first pair of backquotes after `prefix`.
pub(crate) fn quoted_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    rest.split('`').next()
}

pub(crate) fn translate(msg: &str, written: &str) -> (String, String, Option<String>) {
    if let Some(key) = quoted_after(msg, "unknown field ") {
        let expected: Vec<&str> = msg
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return (
            format!("clé inconnue `{key}`"),
            "clé inconnue".into(),
            Some(unknown_key_hint(key, &expected)),
        );
    }
    if let Some(key) = quoted_after(msg, "missing field ") {
        return (
            format!("clé obligatoire manquante : `{key}`"),
            "dans cette table".into(),
            Some(format!(
                "ajoutez une ligne `{key} = …` ({})",
                describe_key(key)
            )),
        );
    }
    let wrong = msg
        .strip_prefix("invalid type: ")
        .map(|rest| ("type de valeur incorrect", rest))
        .or_else(|| {
            msg.strip_prefix("invalid value: ")
                .map(|rest| ("valeur incorrecte", rest))
        });
    if let Some((what, rest)) = wrong {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "{what} : {} au lieu {}",
                french_type(found),
                french_expected(expected)
            ),
            "valeur incorrecte".into(),
            Some(type_hint(found, expected, written)),
        );
    }
    if msg.starts_with("data did not match any variant") {
        return (
            format!("valeur de forme inattendue : {written}"),
            "valeur incorrecte".into(),
            Some("vérifiez la forme de cette valeur (nombre, texte entre guillemets…) dans l'exemple du README".into()),
        );
    }
    if let Some(key) = quoted_after(msg, "duplicate key ") {
        return (
            format!("clé en double : `{key}`"),
            "déjà définie plus haut".into(),
            Some("gardez une seule ligne pour cette clé".into()),
        );
    }
    (
        format!("valeur refusée : {}", msg.replace('\n', " ")),
        "ici".into(),
        Some("vérifiez cette valeur d'après l'exemple du README".into()),
    )
}

/// How to write a value of the expected type, from what was written.
pub(crate) fn type_hint(found: &str, expected: &str, written: &str) -> String {
    let expected = expected.trim();
    let one_line = !written.contains('\n') && written.chars().count() <= 40;
    if expected == "a string" {
        if one_line && !written.is_empty() && !found.starts_with("string") {
            return format!("un texte s'écrit entre guillemets : \"{written}\"");
        }
        return "un texte s'écrit entre guillemets : \"…\" sur une ligne, '''…''' sur plusieurs"
            .into();
    }
    if is_float_type(expected) {
        let figures = written.trim_matches(['"', '\'']).replace(',', ".");
        if found.starts_with("string") && one_line && figures.parse::<f64>().is_ok() {
            return format!(
                "un nombre s'écrit sans guillemets, les décimales après un point : {figures}"
            );
        }
        return "un nombre s'écrit en chiffres, sans guillemets, les décimales après un point, ex. 1.5".into();
    }
    if is_integer_type(expected) {
        let digits = written.trim_matches(['"', '\'']);
        if found.starts_with("string") && one_line && digits.parse::<i64>().is_ok() {
            return format!("un nombre s'écrit sans guillemets : {digits}");
        }
        return "un nombre entier s'écrit en chiffres, sans guillemets, ex. 3".into();
    }
    if expected == "an amount" {
        let figures: String = written
            .trim_matches(['"', '\''])
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '€')
            .collect::<String>()
            .replace(',', ".");
        if found.starts_with("string") && one_line && figures.parse::<f64>().is_ok() {
            return format!(
                "un montant s'écrit en chiffres, sans guillemets, espace ni « € » : {figures}"
            );
        }
        return "un montant s'écrit en chiffres, sans guillemets, espace ni « € », les centimes après un point : 12500 ou 12500.50".into();
    }
    if expected.contains("datetime") {
        return "une date s'écrit sans guillemets, au format année-mois-jour : 2023-06-30".into();
    }
    if expected == "a sequence" {
        return "une liste s'écrit entre crochets : [\"a\", \"b\"]".into();
    }
    if expected.starts_with("struct ") || expected == "a map" {
        return "cette clé attend une table `[nom]` et ses lignes `clé = valeur` : voir l'exemple du README".into();
    }
    "les textes s'écrivent entre guillemets (\"…\" ou '''…'''), les nombres sans guillemets".into()
}

/// serde's words for an integer of Rust.
pub(crate) fn is_integer_type(expected: &str) -> bool {
    matches!(
        expected,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "an integer"
    )
}

/// serde's words for a floating-point number of Rust.
pub(crate) fn is_float_type(expected: &str) -> bool {
    matches!(expected, "f32" | "f64" | "a float")
}

pub(crate) fn french_type(found: &str) -> String {
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let kind = match kind {
        "string" => "le texte",
        "integer" => "le nombre entier",
        "floating" => "le nombre décimal",
        "boolean" => "la valeur booléenne",
        "sequence" => "une liste",
        "map" => "une table",
        "datetime" => "la date",
        other => other,
    };
    let value = value.trim_start_matches("point ").trim();
    if value.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {value}")
    }
}

pub(crate) fn french_expected(expected: &str) -> String {
    match expected.trim() {
        "a string" => "d'un texte".into(),
        e if is_integer_type(e) => "d'un nombre entier".into(),
        e if is_float_type(e) => "d'un nombre".into(),
        "a sequence" => "d'une liste".into(),
        "a boolean" => "de true ou false".into(),
        "an amount" => "d'un montant en euros".into(),
        "a table or an array of tables" => "d'une table ou d'une liste de tables".into(),
        e if e.contains("datetime") => "d'une date".into(),
        e if e.starts_with("struct ") || e == "a map" => "d'une table".into(),
        e => format!("de : {e}"),
    }
}

pub(crate) fn quote_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known key closest to `key`, if it is close enough to be a typo.
pub fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), *k))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// What a key holds, in the words of the people who fill it in.
pub fn describe_key(key: &str) -> &'static str {
    match key {
        "id" => "identifiant stable, en minuscules et tirets, ex. `jeunesse-lieu-accueil`",
        "champ" => "identifiant d'un champ d'intervention déclaré dans data/convention.toml",
        "position" => "rang de l'action dans son champ : 1, 2, 3…",
        "cle" => "clé de la colonne dans les fiches d'action, ex. `pilote`",
        "periode" => "années de la convention, ex. \"2023-2027\"",
        "libelle" => "intitulé affiché dans le document",
        _ => "voir l'exemple du README",
    }
}
