//! The tera templates, one instance per output format so that
//! each format has its own escaping. Built-in templates are embedded in the
//! binary; a file of the same name in the project's `templates/` replaces one.
//! What tera says of a template is told in French in `diagnostics.rs`.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::Source;
use crate::text::escape;

mod diagnostics;

use diagnostics::{load_diagnostics, template_diagnostic};

/// The built-in templates, by file name, in the order they are added.
pub const BUILTIN: &[(&str, &str)] = &[
    // Parts shared by several documents come before the templates that use
    // them: the title block (logos and colours) of every document, the table's
    // Typst functions and the plan's table with its notes
    // (annex and review), the page settings of every PDF (`typst_page`) and the
    // frame of every web page (`page.html.tera`, which the pages extend), the
    // table's styles and markup (the plan's page, its fragment and the review's
    // page).
    (
        "title_block.typ.tera",
        include_str!("../../../templates/title_block.typ.tera"),
    ),
    (
        "table.typ.tera",
        include_str!("../../../templates/table.typ.tera"),
    ),
    (
        "plan.table.typ.tera",
        include_str!("../../../templates/plan.table.typ.tera"),
    ),
    (
        "signatures.typ.tera",
        include_str!("../../../templates/signatures.typ.tera"),
    ),
    (
        "page.typ.tera",
        include_str!("../../../templates/page.typ.tera"),
    ),
    (
        "plan.typ.tera",
        include_str!("../../../templates/plan.typ.tera"),
    ),
    (
        "bilan.typ.tera",
        include_str!("../../../templates/bilan.typ.tera"),
    ),
    (
        "fiches.typ.tera",
        include_str!("../../../templates/fiches.typ.tera"),
    ),
    (
        "avenant.typ.tera",
        include_str!("../../../templates/avenant.typ.tera"),
    ),
    (
        "page.html.tera",
        include_str!("../../../templates/page.html.tera"),
    ),
    (
        "title_block.style.html.tera",
        include_str!("../../../templates/title_block.style.html.tera"),
    ),
    (
        "title_block.html.tera",
        include_str!("../../../templates/title_block.html.tera"),
    ),
    (
        "plan.style.html.tera",
        include_str!("../../../templates/plan.style.html.tera"),
    ),
    (
        "plan.table.html.tera",
        include_str!("../../../templates/plan.table.html.tera"),
    ),
    (
        "plan.html.tera",
        include_str!("../../../templates/plan.html.tera"),
    ),
    (
        "plan.fragment.html.tera",
        include_str!("../../../templates/plan.fragment.html.tera"),
    ),
    (
        "bilan.chart.svg.tera",
        include_str!("../../../templates/bilan.chart.svg.tera"),
    ),
    (
        "bilan.html.tera",
        include_str!("../../../templates/bilan.html.tera"),
    ),
    (
        "avenant.html.tera",
        include_str!("../../../templates/avenant.html.tera"),
    ),
    (
        "fiches.style.html.tera",
        include_str!("../../../templates/fiches.style.html.tera"),
    ),
    (
        "fiche.html.tera",
        include_str!("../../../templates/fiche.html.tera"),
    ),
    (
        "fiches.html.tera",
        include_str!("../../../templates/fiches.html.tera"),
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

        let mut sources: Vec<SourceFile> = Vec::new();
        let mut diags = Vec::new();
        // Templates tera refused: what fails for want of one of them is no
        // mistake of its own, and is not reported again.
        let mut refused: Vec<&str> = Vec::new();
        for (name, builtin) in BUILTIN {
            let path = format!("templates/{name}");
            // A link in a revision is no file, but it is there: reading it says
            // so, as it does in the working tree, rather than taking the built-in.
            let source = if project.exists(&path) {
                match project.read_text(&path) {
                    Ok(file) => file,
                    Err(d) => {
                        diags.push(d);
                        refused.push(name);
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
            sources.push(source);
            let source = &sources[sources.len() - 1];
            // tera is a dependency: a panic while parsing names the template.
            let problems = match crate::diag::guard(&source.name, || {
                tera.add_raw_template(name, &source.text)
            }) {
                Ok(Ok(())) => continue,
                Ok(Err(err)) => load_diagnostics(&sources, source, &refused, &err),
                Err(panic) => vec![panic.in_file(source)],
            };
            diags.extend(problems);
            refused.push(name);
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
        let source = source_named(&self.sources, name);
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
            Some(source) => template_diagnostic(&self.sources, source, &err),
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
        let Some(source) = source_named(&self.sources, name) else {
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

/// The source of template `name` (its file name, `plan.typ.tera`): the
/// project's own or the built-in one.
fn source_named<'a>(sources: &'a [SourceFile], name: &str) -> Option<&'a SourceFile> {
    let own = format!("templates/{name}");
    let builtin = format!("templates/{name} (intégré)");
    sources.iter().find(|s| s.name == own || s.name == builtin)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The templates of a project whose `templates/` holds `files`.
    fn load_with(files: &[(&str, &str)]) -> Result<Templates, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir_all(&templates).unwrap();
        for (name, text) in files {
            std::fs::write(templates.join(name), text).unwrap();
        }
        Templates::load(dir.path())
    }

    fn builtin(name: &str) -> &'static str {
        BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn the_page_templates_come_before_the_documents_that_use_them() {
        let position = |name: &str| BUILTIN.iter().position(|(n, _)| *n == name).unwrap();
        for document in ["plan", "fiches", "bilan", "avenant"] {
            let name = format!("{document}.typ.tera");
            assert!(builtin(&name).contains("<typst_page"), "{name}");
            assert!(position("page.typ.tera") < position(&name), "{name}");
        }
        for page in ["plan", "fiches", "fiche", "bilan", "avenant"] {
            let name = format!("{page}.html.tera");
            assert!(
                builtin(&name).contains(r#"{% extends "page.html.tera" %}"#),
                "{name}"
            );
            assert!(position("page.html.tera") < position(&name), "{name}");
        }
        // A changed page template makes the documents again: it is among
        // the sources of their fingerprint.
        let loaded = load_with(&[]).ok().unwrap();
        for name in ["page.typ.tera", "page.html.tera"] {
            assert!(source_named(loaded.sources(), name).is_some(), "{name}");
        }
    }

    #[test]
    fn an_own_page_template_is_used_in_place_of_the_built_in_one() {
        let page = builtin("page.html.tera").replace("<body>", "<body class=\"collectivite\">");
        let loaded = load_with(&[("page.html.tera", &page)]).ok().unwrap();
        let own = source_named(loaded.sources(), "page.html.tera").unwrap();
        assert_eq!(own.name, "templates/page.html.tera");
        assert!(own.text.contains("collectivite"));
    }

    #[test]
    fn a_block_an_own_page_template_lacks_is_named_in_each_page() {
        let page = builtin("page.html.tera").replace("{% block style %}{% endblock style %}", "");
        let diags = load_with(&[("page.html.tera", &page)]).err().unwrap();
        assert_eq!(diags.len(), 5, "{diags:?}");
        for d in &diags {
            assert_eq!(d.message, "bloc inconnu du gabarit étendu : `style`");
            let file = &d.file.as_ref().unwrap().name;
            assert!(file.ends_with(".html.tera (intégré)"), "{file}");
            let span = d.span.clone().unwrap();
            assert_eq!(&d.file.as_ref().unwrap().text[span], "style");
            let hint = d.hint.as_deref().unwrap_or_default();
            assert!(hint.contains("`templates/page.html.tera`"), "{hint}");
        }
    }

    #[test]
    fn a_page_template_tera_refuses_is_reported_once() {
        let diags = load_with(&[("page.typ.tera", "{% component typst_page( %}")])
            .err()
            .unwrap();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].file.as_ref().unwrap().name,
            "templates/page.typ.tera"
        );
    }
}
