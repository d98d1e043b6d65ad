//! The French diagnostics of the templates: a tera error placed in the
//! template it names, an unknown variable, a component called with the wrong
//! arguments, the mistakes tera reports together when it checks the templates
//! against each other, and a template, component or block none provides.

use std::ops::Range;

use super::{BUILTIN, source_named};
use crate::diag::{Diagnostic, SourceFile};

/// A tera error, placed in the template it names among `sources`, else in
/// `source`, the template being loaded or rendered.
pub(super) fn template_diagnostic(
    sources: &[SourceFile],
    source: &SourceFile,
    err: &tera::Error,
) -> Diagnostic {
    use tera::ErrorKind;
    let report = match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => report,
        _ => return Diagnostic::error(format!("gabarit : {err}")).in_file(source),
    };
    let source = source_named(sources, report.filename()).unwrap_or(source);
    let message = report.message();
    let range = report.span().range.clone();
    if message.starts_with("Variable `") {
        return unknown_variable(source, message, range);
    }
    if let Some(d) = component_call(sources, source, message, range.clone()) {
        return d;
    }
    if message.starts_with("This content would be ignored") {
        return Diagnostic::error(
            "texte hors d'un bloc dans un gabarit qui en étend un autre : il serait perdu",
        )
        .at(source, range)
        .label("hors de tout bloc")
        .hint(
            "un gabarit qui commence par `{% extends … %}` ne contient que des blocs : placez ce texte dans un `{% block … %}` (le corps de la page est le bloc `body`)",
        );
    }
    let what = match err.kind() {
        ErrorKind::SyntaxError(_) => "erreur de syntaxe dans le gabarit",
        _ => "erreur dans le gabarit",
    };
    let hint = if message.contains("not found in context") || message.contains("undefined") {
        "cette variable n'existe pas : vérifiez son nom, ou écrivez `x?.y` si elle est facultative"
    } else {
        "vérifiez les balises `{{ … }}` et `{% … %}` de cette ligne"
    };
    Diagnostic::error(format!("{what} : {message}"))
        .at(source, range)
        .hint(hint)
}

/// "Variable `x` is not defined. Available variables: a, b, c", in `source`.
fn unknown_variable(source: &SourceFile, message: &str, range: Range<usize>) -> Diagnostic {
    let name = message.split('`').nth(1).unwrap_or_default();
    let known: Vec<&str> = message
        .split_once("Available variables:")
        .map(|(_, list)| list.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let mut hint = match crate::read::closest(name, &known) {
        Some(best) => format!(
            "vouliez-vous dire `{best}` ? Variables disponibles : {}",
            known.join(", ")
        ),
        None => format!("variables disponibles : {}", known.join(", ")),
    };
    // Inside a component, the document's variables are out of sight.
    if defines_components(&source.text) {
        hint.push_str(
            " ; un composant (`{% component … %}`) ne voit que ses arguments : pour lire une variable du document, déclarez-la `@nom` parmi eux",
        );
    }
    Diagnostic::error(format!("variable inconnue dans le gabarit : `{name}`"))
        .at(source, range)
        .label("variable inconnue")
        .hint(hint)
}

/// Whether a template defines components (`{% component … %}`).
fn defines_components(text: &str) -> bool {
    text.contains("{% component ") || text.contains("{%- component ")
}

/// A component called with arguments its definition does not take, or
/// without those it needs: the call, in `source`, is told which, and where the
/// component is defined.
fn component_call(
    sources: &[SourceFile],
    source: &SourceFile,
    message: &str,
    range: Range<usize>,
) -> Option<Diagnostic> {
    let call = source.text.get(range.clone())?;
    let name: String = call
        .trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
        .collect();
    let argument = message.split('`').nth(1).unwrap_or_default();
    let (problem, advice) = if let Some(rest) = message.strip_prefix("Unknown argument(s) ") {
        let unknown = rest.split(" in component call").next().unwrap_or_default();
        let possible = rest
            .split_once("Possible argument(s) are: ")
            .map(|(_, l)| l);
        let names: Vec<&str> = possible
            .map(|l| l.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let advice = match (possible, crate::read::closest(argument, &names)) {
            (Some(list), Some(best)) => {
                format!("vouliez-vous dire `{best}` ? Arguments possibles : {list}")
            }
            (Some(list), None) => format!("arguments possibles : {list}"),
            _ => "ce composant ne prend aucun argument".into(),
        };
        (
            format!("argument inconnu du composant `{name}` : {unknown}"),
            advice,
        )
    } else if message.starts_with("Argument `") && message.ends_with("missing.") {
        (
            format!("argument manquant au composant `{name}` : `{argument}`"),
            format!("ajoutez `{argument}=…` à l'appel"),
        )
    } else if message.starts_with("Implicit argument `") {
        (
            format!("variable manquante pour le composant `{name}` : `{argument}`"),
            format!(
                "le composant la lit dans les variables du document, qui n'en a pas : donnez-la à l'appel (`{argument}=…`)"
            ),
        )
    } else if message.starts_with("Component argument `") {
        let types: Vec<&str> = message.split('`').skip(3).step_by(2).collect();
        let (given, expected) = (types.first()?, types.get(1)?);
        (
            format!(
                "argument `{argument}` du composant `{name}` : attendu {}, donné {}",
                value_kind(expected),
                value_kind(given)
            ),
            "corrigez la valeur donnée à l'appel".into(),
        )
    } else {
        return None;
    };
    let defined = format!("component {name}(");
    let hint = match sources.iter().find(|s| s.text.contains(&defined)) {
        Some(definer) => format!(
            "{advice} ; le composant est défini dans `{}` : si l'un de ses arguments a été renommé ou retiré, l'appel et la définition doivent s'accorder",
            definer.name
        ),
        None => advice,
    };
    // The argument where the call gives it, else the component's name.
    let place = match call.find(&format!("{argument}=")) {
        Some(at) if !argument.is_empty() => range.start + at..range.start + at + argument.len(),
        _ => {
            let at = call.find(name.as_str()).unwrap_or(0);
            range.start + at..range.start + at + name.len()
        }
    };
    Some(
        Diagnostic::error(problem)
            .at(source, place)
            .label("appel du composant")
            .hint(hint),
    )
}

/// A tera type, in words.
fn value_kind(kind: &str) -> &str {
    match kind {
        "string" | "str" => "un texte",
        "bool" => "un booléen (true ou false)",
        "array" => "une liste",
        "map" => "une table",
        "integer" | "i64" | "u64" | "i128" | "u128" => "un entier",
        "float" | "f64" | "number" => "un nombre",
        "none" => "rien (none)",
        other => other,
    }
}

/// The diagnostics of template `source`, which tera refused: each mistake,
/// placed in the template it names among `sources`. A reference to a template
/// tera refused before (`refused`) is left out: its own error says why.
pub(super) fn load_diagnostics(
    sources: &[SourceFile],
    source: &SourceFile,
    refused: &[&str],
    err: &tera::Error,
) -> Vec<Diagnostic> {
    use tera::ErrorKind;
    match err.kind() {
        ErrorKind::Msg(text) => {
            let reports = reports(text);
            if reports.is_empty() {
                return vec![checked_together(source, text)];
            }
            reports
                .iter()
                .filter_map(|r| reference_diagnostic(sources, source, refused, r))
                .collect()
        }
        ErrorKind::MissingParent { current, parent } => {
            if refused.contains(&parent.as_str()) {
                return Vec::new();
            }
            let source = source_named(sources, current).unwrap_or(source);
            let range = source
                .text
                .find(&format!("\"{parent}\""))
                .map_or(0..0, |at| at + 1..at + 1 + parent.len());
            vec![unknown_template(source, range, parent)]
        }
        _ => vec![template_diagnostic(sources, source, err)],
    }
}

/// A mistake tera found while checking the templates against each other,
/// with no place: a component defined twice.
fn checked_together(source: &SourceFile, text: &str) -> Diagnostic {
    let names: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
    match names.as_slice() {
        [component, first, second] if text.contains("is defined in both") => {
            Diagnostic::error(format!(
                "composant défini deux fois : `{component}`, dans `{first}` et dans `{second}`"
            ))
            .in_file(source)
            .hint("un composant n'a qu'une définition : renommez l'un des deux, ou retirez-en un")
        }
        _ => Diagnostic::error(format!("gabarit : {text}")).in_file(source),
    }
}

/// One mistake among those tera reports together when it checks the templates
/// against each other: its message and its place (template, line and
/// column, from 1).
struct Report<'a> {
    message: &'a str,
    template: &'a str,
    line: usize,
    column: usize,
}

/// The reports of `text`: each starts with `error: message`, then
/// `--> template:line:column`.
fn reports(text: &str) -> Vec<Report<'_>> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(place) = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(line), Some(template)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        out.push(Report {
            message,
            template,
            line: line.parse().unwrap_or(1),
            column: column.parse().unwrap_or(1),
        });
    }
    out
}

/// The bytes of `item` in `text` from line `line`, column `column` (from 1,
/// in characters) on, within that line; else the rest of the line.
fn span_at(text: &str, line: usize, column: usize, item: &str) -> Range<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    let rest = rest.split('\n').next().unwrap_or_default();
    let from = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    match rest[from..].find(item).filter(|_| !item.is_empty()) {
        Some(at) => start + from + at..start + from + at + item.len(),
        None => start + from..start + rest.len(),
    }
}

/// A template, component or block that a template uses and none provides, in
/// French, with what changed when the project's own copy of a built-in
/// template lacks it. `None` when the template that provides it was refused.
fn reference_diagnostic(
    sources: &[SourceFile],
    source: &SourceFile,
    refused: &[&str],
    report: &Report,
) -> Option<Diagnostic> {
    let source = source_named(sources, report.template).unwrap_or(source);
    let item = report.message.split('`').nth(1).unwrap_or_default();
    let range = span_at(&source.text, report.line, report.column, item);
    if report.message.starts_with("Unknown template ") {
        return (!refused.contains(&item)).then(|| unknown_template(source, range, item));
    }
    let (what, seen_in, needle, verb, otherwise) = if report
        .message
        .starts_with("Unknown component ")
    {
        (
            "composant",
            "dans le gabarit",
            format!("component {item}("),
            "définit",
            "aucun gabarit ne définit ce composant (`{% component … %}`) : vérifiez son nom",
        )
    } else if report
        .message
        .ends_with("is not defined in any parent template")
    {
        (
            "bloc",
            "du gabarit étendu",
            format!("{{% block {item} %}}"),
            "déclare",
            "un gabarit qui en étend un autre (`{% extends … %}`) ne remplit que les blocs que celui-ci déclare : vérifiez son nom",
        )
    } else {
        return Some(Diagnostic::error(format!("gabarit : {}", report.message)).at(source, range));
    };
    let provider = BUILTIN
        .iter()
        .find(|(_, text)| text.contains(&needle))
        .map(|(name, _)| *name);
    if provider.is_some_and(|p| refused.contains(&p)) {
        return None;
    }
    let own = provider
        .and_then(|p| source_named(sources, p))
        .filter(|s| !s.name.ends_with("(intégré)"));
    let hint = match (provider, own) {
        (Some(provider), Some(own)) => format!(
            "le gabarit intégré `{provider}` {verb} le {what} `{item}`, votre `{}` ne le {verb} pas (ou plus) : reprenez-le du gabarit intégré (`ctg templates export` dans un dossier vide les écrit tous), ou supprimez votre copie pour utiliser celle du programme",
            own.name
        ),
        _ => otherwise.into(),
    };
    Some(
        Diagnostic::error(format!("{what} inconnu {seen_in} : `{item}`"))
            .at(source, range)
            .label(format!("{what} inconnu"))
            .hint(hint),
    )
}

/// A template that includes or extends `name`, which does not exist.
fn unknown_template(source: &SourceFile, range: Range<usize>, name: &str) -> Diagnostic {
    let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    let hint = match crate::read::closest(name, &known) {
        Some(best) => format!(
            "vouliez-vous dire `{best}` ? Gabarits disponibles : {}",
            known.join(", ")
        ),
        None => format!("gabarits disponibles : {}", known.join(", ")),
    };
    Diagnostic::error(format!("gabarit inconnu : `{name}`"))
        .at(source, range)
        .label("gabarit inconnu")
        .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_tera_gives_together_are_read_with_their_place() {
        let text = "error: Unknown component `typst_page`\n --> plan.typ.tera:6:5\n  |\n6 | {{- <typst_page\n  |     ^^^^\n\nerror: Unknown template `tabel.typ.tera`\n  --> plan.typ.tera:12:12\n";
        let found = reports(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].message, "Unknown component `typst_page`");
        assert_eq!(
            (found[0].template, found[0].line, found[0].column),
            ("plan.typ.tera", 6, 5)
        );
        assert_eq!((found[1].line, found[1].column), (12, 12));
        let source = "a\nb\n{{- <typst_page\n";
        assert_eq!(&source[span_at(source, 3, 5, "typst_page")], "typst_page");
        assert_eq!(&source[span_at(source, 2, 1, "absent")], "b");
    }
}
