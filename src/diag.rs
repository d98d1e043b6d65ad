//! Diagnostics: every problem found in the user's files, with its place, what is
//! wrong and a hint, collected across a run and printed together at the end.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// A file shown in diagnostics: its path relative to the project, and its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column of a byte offset, counting characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem, in French, for the person who edits `data/` or `templates/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file at fault; `None` for problems of the project as a whole.
    pub file: Option<SourceFile>,
    /// Byte range in the file, when the problem has a place in it.
    pub span: Option<Range<usize>>,
    pub message: String,
    /// What to write under the underlined span.
    pub label: Option<String>,
    pub hint: Option<String>,
    /// A generated file that shows the problem, kept in the output folder for
    /// inspection when a build fails (its name is relative to that folder).
    pub kept: Option<SourceFile>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: None,
            span: None,
            message: message.into(),
            label: None,
            hint: None,
            kept: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    pub fn in_file(mut self, file: &SourceFile) -> Self {
        self.file = Some(file.clone());
        self
    }

    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        self.file = Some(file.clone());
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn keep(mut self, generated: SourceFile) -> Self {
        self.kept = Some(generated);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, or just the file, or nothing.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match &self.span {
            Some(span) => {
                let (line, col) = file.line_col(span.start);
                format!("{}:{line}:{col}", file.name)
            }
            None => file.name.clone(),
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, &self.span) {
            // With a span, the report shows the file and line itself.
            (Some(_), Some(_)) | (None, _) => f.write_str(&self.message),
            (Some(file), None) => write!(f, "{} : {}", file.name, self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint
            .as_ref()
            .map(|h| Box::new(format!("conseil : {h}")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span.as_ref()?;
        self.file
            .as_ref()
            .map(|f| &f.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        let len = self.file.as_ref().map_or(0, |f| f.text.len());
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        let label = self.label.clone().or_else(|| Some("ici".into()));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label,
            SourceSpan::from(start..end),
        ))))
    }
}

/// Writes a line to standard error, as `eprintln!` does, except that a closed
/// stream (`ctg build 2>&1 | head`) ends the output quietly instead of
/// stopping the program: the command still finishes its work and its exit code.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The same, without a line break after.
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// Runs `f`, a stage that calls into a dependency, and turns a panic inside it into
/// an error naming `subject`, the file being processed: no input may bring the
/// program down with a Rust message.
pub fn guard<T>(subject: &str, f: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "aucun détail".into());
        Diagnostic::error(format!("erreur interne en traitant `{subject}`")).hint(format!(
            "ce fichier a fait échouer le programme lui-même : signalez le problème en joignant ce fichier (détail technique : {detail})"
        ))
    })
}

/// The diagnostics file by file, in the order the files first appear, and in
/// each file from top to bottom: the checks of a file run in stages, but its
/// reader goes down it once.
fn in_reading_order(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    // Each file's diagnostics, and each diagnostic without a file on its own.
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
    let mut group_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in diagnostics {
        let Some(file) = &d.file else {
            groups.push(vec![d]);
            continue;
        };
        match group_of.get(file.name.as_str()) {
            Some(&g) => groups[g].push(d),
            None => {
                group_of.insert(&file.name, groups.len());
                groups.push(vec![d]);
            }
        }
    }
    groups
        .into_iter()
        .flat_map(|mut members| {
            members.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
            members
        })
        .collect()
}

/// Renders diagnostics as a compiler would: file, line and column, the source line
/// with the span underlined, the message and the hint.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in in_reading_order(diagnostics).into_iter().take(MAX_SHOWN) {
        let named;
        let report: &dyn miette::Diagnostic = match (&d.file, &d.span) {
            (Some(file), Some(_)) => {
                named = WithName {
                    inner: d,
                    source: NamedSource::new(&file.name, file.text.clone()),
                };
                &named
            }
            _ => d,
        };
        // The report is built in a scratch buffer so that a failure of the
        // renderer falls back to the plain form without leaving half a report.
        let mut block = String::new();
        let rendered = guard("le message d'erreur", || {
            handler.render_report(&mut block, report).is_ok()
        });
        if !matches!(rendered, Ok(true)) {
            block = plain(d);
        }
        // The renderer writes « help: » before the hint, which already says
        // « conseil : » in French.
        let block = HELP_LABEL.replace_all(&block, "${1}conseil : ");
        out.push_str(&block);
        out.push('\n');
    }
    if let Some(rest) = diagnostics.get(MAX_SHOWN..).filter(|r| !r.is_empty()) {
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let parts: Vec<String> = [
            (errors, "erreur", "erreurs"),
            (rest.len() - errors, "avertissement", "avertissements"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| crate::french::count(n, one, many))
        .collect();
        out.push_str(&format!(
            "… et {} de plus, non affichés : corrigez les premiers problèmes, puis relancez la commande\n",
            parts.join(" et ")
        ));
    }
    out
}

/// The renderer's English label before a hint, with the colour codes around
/// it when there are some.
static HELP_LABEL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"help: ?((?:\x1b\[[0-9;]*m)*) ?conseil : ").expect("a valid pattern")
});

/// How many problems are shown in full: beyond, a line counts the others (a
/// workbook of 100 000 wrong rows would otherwise print as many reports).
pub const MAX_SHOWN: usize = 50;

/// Keeps of the problems found since `from` that lie beyond the ones shown
/// in full ([`MAX_SHOWN`]) only whether each is an error or a warning, all
/// that the line counting them says: a workbook of 100 000 wrong rows then
/// takes the memory of a count, not of its messages. Called as problems
/// are found, it goes over each one once.
pub fn compact(diagnostics: &mut [Diagnostic], from: usize) {
    for d in diagnostics.iter_mut().skip(from.max(MAX_SHOWN)) {
        *d = Diagnostic {
            severity: d.severity,
            ..Diagnostic::error(String::new())
        };
    }
}

/// A diagnostic on a few lines of plain text: `file:line:col`, message, hint.
fn plain(d: &Diagnostic) -> String {
    let mut out = String::new();
    let kind = if d.is_error() {
        "erreur"
    } else {
        "avertissement"
    };
    match d.location() {
        Some(at) => out.push_str(&format!("{kind} : {at} : {}\n", d.message)),
        None => out.push_str(&format!("{kind} : {}\n", d.message)),
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("  conseil : {hint}\n"));
    }
    out
}

/// Attaches the file's name to the source so that the report shows `file:line:col`.
struct WithName<'a> {
    inner: &'a Diagnostic,
    source: NamedSource<Arc<str>>,
}

impl fmt::Debug for WithName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for WithName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for WithName<'_> {}

impl miette::Diagnostic for WithName<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

/// The outcome of a failed run: every problem found, errors and warnings.
#[derive(Serialize, Deserialize)]
pub struct Failure(pub Vec<Diagnostic>);

impl fmt::Debug for Failure {
    /// The rendered report, so that a failing test shows what a user would see.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}\n{}", render(&self.0, false))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.iter().filter(|d| d.is_error()).count();
        f.write_str(&crate::french::count(n, "erreur", "erreurs"))
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("a.toml", "é = 1\nclé = 2\n");
        assert_eq!(f.line_col(0), (1, 1));
        let off = f.text.find("= 2").unwrap();
        assert_eq!(f.line_col(off), (2, 5));
    }

    #[test]
    fn a_panic_becomes_an_error_naming_the_file() {
        let d = guard("data/actions/a.toml", || -> u8 { panic!("boom") }).unwrap_err();
        assert!(d.is_error());
        assert_eq!(
            d.message,
            "erreur interne en traitant `data/actions/a.toml`"
        );
        assert!(d.hint.unwrap().contains("boom"));
        assert_eq!(guard("x", || 3).unwrap(), 3);
    }

    #[test]
    fn plain_form_names_place_and_hint() {
        let f = SourceFile::new("data/convention.toml", "titre = 1\n");
        let d = Diagnostic::error("type incorrect")
            .at(&f, 8..9)
            .hint("des guillemets");
        assert_eq!(
            plain(&d),
            "erreur : data/convention.toml:1:9 : type incorrect\n  conseil : des guillemets\n"
        );
    }

    #[test]
    fn report_names_file_line_and_hint() {
        let f = SourceFile::new("data/actions/a.toml", "id = \"a\"\ndescriptiff = \"x\"\n");
        let d = Diagnostic::error("clé inconnue `descriptiff`")
            .at(&f, 9..20)
            .hint("vouliez-vous dire `descriptif` ?");
        let text = render(&[d], false);
        assert!(text.contains("data/actions/a.toml:2:1"), "{text}");
        assert!(text.contains("descriptiff = \"x\""), "{text}");
        assert!(text.contains("vouliez-vous dire `descriptif` ?"), "{text}");
        // The hint is said in French only, with or without colours.
        assert!(text.contains("conseil : vouliez-vous dire"), "{text}");
        assert!(!text.contains("help"), "{text}");
        let d = Diagnostic::error("x").at(&f, 9..20).hint("un conseil");
        let coloured = render(&[d], true);
        assert!(coloured.contains("conseil : un conseil"), "{coloured}");
        assert!(!coloured.contains("help"), "{coloured:?}");
    }

    #[test]
    fn problems_beyond_those_shown_are_kept_as_a_count() {
        let mut found: Vec<Diagnostic> = (0..60)
            .map(|i| Diagnostic::error(format!("ligne {i} : état inconnu")).hint("un conseil"))
            .collect();
        found.push(Diagnostic::warning("une de plus"));
        let before = render(&found, false);
        compact(&mut found, 0);
        assert_eq!(found[MAX_SHOWN - 1].message, "ligne 49 : état inconnu");
        assert!(
            found[MAX_SHOWN..]
                .iter()
                .all(|d| d.message.is_empty() && d.hint.is_none())
        );
        assert!(found[60].severity == Severity::Warning);
        // What is printed is the same.
        assert_eq!(render(&found, false), before);
    }

    #[test]
    fn beyond_fifty_problems_one_line_counts_the_rest() {
        let mut many: Vec<Diagnostic> = (0..100_000)
            .map(|i| Diagnostic::error(format!("ligne {i} : état inconnu")))
            .collect();
        many.push(Diagnostic::warning("une de plus"));
        let text = render(&many, false);
        assert!(text.contains("ligne 49 : état inconnu"), "{text}");
        assert!(!text.contains("ligne 50 : état inconnu"), "{text}");
        assert!(
            text.ends_with(
                "… et 99\u{202f}950 erreurs et 1 avertissement de plus, non affichés : corrigez les premiers problèmes, puis relancez la commande\n"
            ),
            "{}",
            &text[text.len() - 300..]
        );
        // Fifty are shown in full, with no such line.
        assert!(!render(&many[..MAX_SHOWN], false).contains("non affichés"));
    }
}
