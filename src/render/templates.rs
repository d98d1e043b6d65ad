//! Stage 4 (render): the tera templates, one instance per output format so that
//! each format has its own escaping. Built-in templates are embedded in the
//! binary; a file of the same name in the project's `templates/` replaces one.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::Source;
use crate::text::escape;

/// The built-in templates, by file name, in the order they are added.
pub const BUILTIN: &[(&str, &str)] = &[
    // Parts shared by several documents come before the templates that include
    // them: the title block (logos and colours) of every document, the table's
    // Typst functions and the plan's table with its notes
    // (annex and review), the table's styles and markup (the plan's page, its
    // fragment and the review's page).
    (
        "title_block.typ.tera",
        include_str!("../../templates/title_block.typ.tera"),
    ),
    (
        "table.typ.tera",
        include_str!("../../templates/table.typ.tera"),
    ),
    (
        "plan.table.typ.tera",
        include_str!("../../templates/plan.table.typ.tera"),
    ),
    (
        "signatures.typ.tera",
        include_str!("../../templates/signatures.typ.tera"),
    ),
    (
        "plan.typ.tera",
        include_str!("../../templates/plan.typ.tera"),
    ),
    (
        "bilan.typ.tera",
        include_str!("../../templates/bilan.typ.tera"),
    ),
    (
        "fiches.typ.tera",
        include_str!("../../templates/fiches.typ.tera"),
    ),
    (
        "avenant.typ.tera",
        include_str!("../../templates/avenant.typ.tera"),
    ),
    (
        "title_block.style.html.tera",
        include_str!("../../templates/title_block.style.html.tera"),
    ),
    (
        "title_block.html.tera",
        include_str!("../../templates/title_block.html.tera"),
    ),
    (
        "plan.style.html.tera",
        include_str!("../../templates/plan.style.html.tera"),
    ),
    (
        "plan.table.html.tera",
        include_str!("../../templates/plan.table.html.tera"),
    ),
    (
        "plan.html.tera",
        include_str!("../../templates/plan.html.tera"),
    ),
    (
        "plan.fragment.html.tera",
        include_str!("../../templates/plan.fragment.html.tera"),
    ),
    (
        "bilan.chart.svg.tera",
        include_str!("../../templates/bilan.chart.svg.tera"),
    ),
    (
        "bilan.html.tera",
        include_str!("../../templates/bilan.html.tera"),
    ),
    (
        "avenant.html.tera",
        include_str!("../../templates/avenant.html.tera"),
    ),
    (
        "fiches.style.html.tera",
        include_str!("../../templates/fiches.style.html.tera"),
    ),
    (
        "fiche.html.tera",
        include_str!("../../templates/fiche.html.tera"),
    ),
    (
        "fiches.html.tera",
        include_str!("../../templates/fiches.html.tera"),
    ),
];

/// The loaded templates of a project.
pub struct Templates {
    typst: Tera,
    html: Tera,
    sources: Vec<SourceFile>,
}

impl Templates {
    /// The source of every template, the project's own in place of a
    /// built-in one.
    pub fn sources(&self) -> &[SourceFile] {
        &self.sources
    }

    /// Loads every template, the project's own in place of a built-in one.
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        Self::load_from(&Source::folder(root))
    }

    /// Loads every template of one version of the project, a folder or a git
    /// revision.
    pub fn load_from(project: &Source) -> Result<Self, Vec<Diagnostic>> {
        let mut typst = Tera::new();
        typst.autoescape_on([".typ.tera"]);
        typst.set_escape_fn(escape::tera_typst);
        typst.register_filter("typst_str", |s: &str, _: Kwargs, _: &State| {
            escape::typst_string(s)
        });

        let mut html = Tera::new();
        // The review's chart is SVG, escaped as HTML is (XML's five characters).
        html.autoescape_on([".html.tera", ".svg.tera"]);
        html.set_escape_fn(escape::tera_html);

        let mut sources = Vec::new();
        let mut diags = Vec::new();
        for (name, builtin) in BUILTIN {
            let path = format!("templates/{name}");
            // A link in a revision is no file, but it is there: reading it says
            // so, as it does in the working tree, rather than taking the built-in.
            let source = if project.exists(&path) {
                match project.read_text(&path) {
                    Ok(file) => file,
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                }
            } else {
                SourceFile::new(format!("templates/{name} (intégré)"), *builtin)
            };
            let tera = if name.ends_with(".typ.tera") {
                &mut typst
            } else {
                &mut html
            };
            // tera is a dependency: a panic while parsing names the template.
            match crate::diag::guard(&source.name, || tera.add_raw_template(name, &source.text)) {
                Ok(Ok(())) => {}
                Ok(Err(err)) => diags.push(template_diagnostic(&source, &err)),
                Err(panic) => diags.push(panic.in_file(&source)),
            }
            sources.push(source);
        }
        if diags.is_empty() {
            Ok(Self {
                typst,
                html,
                sources,
            })
        } else {
            Err(diags)
        }
    }

    /// Renders template `name` with `view` as the variables.
    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String, Diagnostic> {
        let source = self
            .sources
            .iter()
            .find(|s| s.name.starts_with(&format!("templates/{name}")));
        let context = Context::from_serialize(view).map_err(|e| {
            Diagnostic::error(format!("données de gabarit invalides pour `{name}` : {e}"))
        })?;
        let tera = if name.ends_with(".typ.tera") {
            &self.typst
        } else {
            &self.html
        };
        let shown = source.map_or(name, |s| s.name.as_str());
        let rendered = crate::diag::guard(shown, || tera.render(name, &context)).map_err(
            |panic| match source {
                Some(source) => panic.in_file(source),
                None => panic,
            },
        )?;
        rendered.map_err(|err| match source {
            Some(source) => template_diagnostic(source, &err),
            None => Diagnostic::error(format!("gabarit `{name}` : {err}")),
        })
    }

    /// Places Typst errors in `generated` (the output of template `name` for
    /// `view`, the source of `document`) at the template lines that wrote them;
    /// see [`super::origin`].
    pub fn trace_typst_errors(
        &self,
        name: &str,
        document: &str,
        view: &impl Serialize,
        generated: &str,
        diags: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let Some(source) = self
            .sources
            .iter()
            .find(|s| s.name.starts_with(&format!("templates/{name}")))
        else {
            return diags;
        };
        // The same template with line markers, rendered by the same engine.
        let marked = crate::diag::guard(&source.name, || {
            let mut tera = self.typst.clone();
            let marked_name = format!("origine.{name}");
            tera.add_raw_template(&marked_name, &super::origin::mark_lines(&source.text))
                .ok()?;
            let context = Context::from_serialize(view).ok()?;
            tera.render(&marked_name, &context).ok()
        })
        .ok()
        .flatten();
        super::origin::trace_typst_errors(source, document, generated, marked.as_deref(), diags)
    }
}

/// A tera error, placed in the template's source.
fn template_diagnostic(source: &SourceFile, err: &tera::Error) -> Diagnostic {
    use tera::ErrorKind;
    let located = match err.kind() {
        ErrorKind::SyntaxError(report) => Some(("erreur de syntaxe dans le gabarit", report)),
        ErrorKind::RenderingError(report) => Some(("erreur dans le gabarit", report)),
        _ => None,
    };
    match located {
        Some((_, report)) if report.message().starts_with("Variable `") => {
            // "Variable `x` is not defined. Available variables: a, b, c"
            let message = report.message();
            let name = message.split('`').nth(1).unwrap_or_default();
            let known: Vec<&str> = message
                .split_once("Available variables:")
                .map(|(_, list)| list.split(',').map(str::trim).collect())
                .unwrap_or_default();
            let hint = match crate::read::closest(name, &known) {
                Some(best) => format!(
                    "vouliez-vous dire `{best}` ? Variables disponibles : {}",
                    known.join(", ")
                ),
                None => format!("variables disponibles : {}", known.join(", ")),
            };
            Diagnostic::error(format!("variable inconnue dans le gabarit : `{name}`"))
                .at(source, report.span().range.clone())
                .label("variable inconnue")
                .hint(hint)
        }
        Some((what, report)) => {
            let message = report.message();
            let hint = if message.contains("not found in context") || message.contains("undefined")
            {
                "cette variable n'existe pas : vérifiez son nom, ou écrivez `x?.y` si elle est facultative"
            } else {
                "vérifiez les balises `{{ … }}` et `{% … %}` de cette ligne"
            };
            Diagnostic::error(format!("{what} : {message}"))
                .at(source, report.span().range.clone())
                .hint(hint)
        }
        _ => Diagnostic::error(format!("gabarit : {err}")).in_file(source),
    }
}
