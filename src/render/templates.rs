//! Stage 4 (render): the tera templates, one instance per output format so that
//! each format has its own escaping. Built-in templates are embedded in the
//! binary; a file of the same name in the project's `templates/` replaces one.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::diag::{Diagnostic, SourceFile};
use crate::load::read_text;
use crate::text::escape;

/// The built-in templates, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "plan.typ.tera",
        include_str!("../../templates/plan.typ.tera"),
    ),
    (
        "plan.html.tera",
        include_str!("../../templates/plan.html.tera"),
    ),
];

/// The loaded templates of a project.
pub struct Templates {
    typst: Tera,
    html: Tera,
    sources: Vec<SourceFile>,
}

impl Templates {
    /// Loads every template, the project's own in place of a built-in one.
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut typst = Tera::new();
        typst.autoescape_on([".typ.tera"]);
        typst.set_escape_fn(escape::tera_typst);
        typst.register_filter("typst_str", |s: &str, _: Kwargs, _: &State| {
            escape::typst_string(s)
        });

        let mut html = Tera::new();
        html.autoescape_on([".html.tera"]);
        html.set_escape_fn(escape::tera_html);

        let mut sources = Vec::new();
        let mut diags = Vec::new();
        for (name, builtin) in BUILTIN {
            let path = root.join("templates").join(name);
            let source = if path.is_file() {
                match read_text(root, &path) {
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
            if let Err(err) = tera.add_raw_template(name, &source.text) {
                diags.push(template_diagnostic(&source, &err));
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
        tera.render(name, &context).map_err(|err| match source {
            Some(source) => template_diagnostic(source, &err),
            None => Diagnostic::error(format!("gabarit `{name}` : {err}")),
        })
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
