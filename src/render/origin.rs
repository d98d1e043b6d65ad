//! Traces a place in a generated document back to the template
//! line that wrote it, so that a Typst error in a user's template is reported at
//! that template's file and line.
//!
//! tera keeps no source map. The template is rendered a second time (on the
//! failure path only) with a marker at the end of each line of its static text;
//! in that output, every byte belongs to the template line of the next marker.
//! The marked output, markers removed, must equal the real output byte for byte,
//! otherwise no place is claimed.

use std::ops::Range;

use crate::diag::{Diagnostic, SourceFile};

/// At most this many Typst errors are reported: one mistake in a template can
/// cause hundreds.
const MAX_TYPST_ERRORS: usize = 10;

/// Marker brackets: private-use characters, which no template writes.
const OPEN: char = '\u{F8F0}';
const CLOSE: char = '\u{F8F1}';

/// `template` with a marker before each line break of its static text, naming the
/// line (1-based). Line breaks inside tags, and those that a `-` of whitespace
/// control removes, are left alone: markers must not change what is rendered.
pub fn mark_lines(template: &str) -> String {
    let bytes = template.as_bytes();
    let mut out = String::with_capacity(template.len() * 2);
    let mut line = 1usize;
    let mut i = 0usize;
    // Whether a trimming tag (`-}}`, `-%}`, `-#}`) ends right before `i`.
    let mut trim_before = false;
    let mark = |out: &mut String, line: usize| {
        out.push(OPEN);
        out.push_str(&line.to_string());
        out.push(CLOSE);
    };
    while i < bytes.len() {
        if let Some(close) = tag_close(bytes, i) {
            // A tag: copied as is, counting its lines.
            let end = find_tag_end(template, i + 2, close).unwrap_or(template.len());
            let tag = &template[i..end];
            line += tag.matches('\n').count();
            out.push_str(tag);
            trim_before = tag.len() >= 3 && tag.as_bytes()[tag.len() - 3] == b'-';
            i = end;
            continue;
        }
        let rest = &template[i..];
        let run = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
        if run == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            trim_before = false;
            continue;
        }
        // A run of static whitespace. A `-` on either side removes all of it:
        // a marker inside would stop that, so it goes at the run's kept edge.
        let ws = &rest[..run];
        let trim_after = ["{{-", "{%-", "{#-"]
            .iter()
            .any(|p| rest[run..].starts_with(p));
        let breaks = ws.matches('\n').count();
        match (breaks, trim_before, trim_after) {
            (0, _, _) | (_, true, true) => out.push_str(ws),
            (_, false, false) => {
                let mut l = line;
                for c in ws.chars() {
                    if c == '\n' {
                        mark(&mut out, l);
                        l += 1;
                    }
                    out.push(c);
                }
            }
            (_, false, true) => {
                mark(&mut out, line);
                out.push_str(ws);
            }
            (_, true, false) => {
                out.push_str(ws);
                mark(&mut out, line);
            }
        }
        line += breaks;
        i += run;
        trim_before = false;
    }
    out
}

/// The closing delimiter of a tag opening at `i`, if one does.
fn tag_close(bytes: &[u8], i: usize) -> Option<&'static str> {
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    match bytes.get(i + 1) {
        Some(b'{') => Some("}}"),
        Some(b'%') => Some("%}"),
        Some(b'#') => Some("#}"),
        _ => None,
    }
}

/// The end (past the delimiter) of a tag whose body starts at `from`, skipping
/// string literals in expressions.
fn find_tag_end(text: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let comment = close == "#}";
    while i < bytes.len() {
        if bytes[i..].starts_with(close.as_bytes()) {
            return Some(i + close.len());
        }
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') if !comment => {
                // Past an ASCII quote: a character boundary.
                let end = text[i + 1..].find(q as char)?;
                i += end + 2;
            }
            _ => i += 1,
        }
    }
    None
}

/// For each byte of the real output, the template line that wrote it, computed
/// from the marked output; `None` when the two do not agree.
pub fn line_map(marked: &str, real: &str) -> Option<Vec<usize>> {
    let mut plain = String::with_capacity(real.len());
    // (position in `plain` where the marker stood, line it names)
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut rest = marked;
    while let Some(start) = rest.find(OPEN) {
        plain.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let end = after.find(CLOSE)?;
        let line: usize = after[..end].parse().ok()?;
        marks.push((plain.len(), line));
        rest = &after[end + CLOSE.len_utf8()..];
    }
    plain.push_str(rest);
    if plain != real {
        return None;
    }
    let mut lines = vec![0usize; real.len()];
    let mut next = marks.iter().peekable();
    for (offset, slot) in lines.iter_mut().enumerate() {
        while next.peek().is_some_and(|(at, _)| *at < offset) {
            next.next();
        }
        // Bytes after the last marker come from the template's last line.
        *slot = next.peek().map_or(usize::MAX, |(_, line)| *line);
    }
    Some(lines)
}

/// Byte range of line `line` (1-based) of `text`, without its line break.
fn line_range(text: &str, line: usize) -> Option<Range<usize>> {
    let mut start = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return Some(start..start + l.len());
        }
        start += l.len() + 1;
    }
    None
}

/// Where a span of the generated source comes from in the template: the
/// template line, and within it the span's own text when the template wrote it
/// literally, else the whole line (the text came from a `{{ … }}`).
fn place_in_template(
    template: &str,
    generated: &str,
    lines: &[usize],
    span: &Range<usize>,
) -> Option<Range<usize>> {
    let at = span.start.min(generated.len().saturating_sub(1));
    let line = *lines.get(at)?;
    let line = if line == usize::MAX {
        template.split('\n').count()
    } else {
        line
    };
    let range = line_range(template, line)?;
    let text = &template[range.clone()];
    let wanted = generated.get(span.clone()).unwrap_or_default();
    let wanted = wanted.lines().next().unwrap_or_default().trim();
    if !wanted.is_empty()
        && let Some(pos) = text.find(wanted)
    {
        return Some(range.start + pos..range.start + pos + wanted.len());
    }
    let indent = text.len() - text.trim_start().len();
    Some(range.start + indent..range.start + text.trim_end().len())
}

/// Rewrites the Typst errors found in `generated` (the output of `template` for
/// `document`): each is placed at the template line that wrote it when `marked`
/// (the output of the marked template) allows it, and keeps the generated source
/// for inspection under the document's name. Duplicates are merged and the count
/// is capped.
pub fn trace_typst_errors(
    template: &SourceFile,
    document: &str,
    generated: &str,
    marked: Option<&str>,
    diags: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let lines = marked.and_then(|m| line_map(m, generated));
    let kept = SourceFile::new(super::document::kept_typst(document), generated);
    let total = diags.len();
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diags {
        let d = trace_one(template, generated, &kept, lines.as_deref(), d);
        let same = |o: &Diagnostic| o.message == d.message && o.location() == d.location();
        if out.iter().any(same) {
            continue;
        }
        if out.len() == MAX_TYPST_ERRORS {
            out.push(
                Diagnostic::error(crate::french::count(
                    total - MAX_TYPST_ERRORS,
                    "autre erreur Typst non affichée",
                    "autres erreurs Typst non affichées",
                ))
                .hint("corrigez d'abord les premières : les suivantes en découlent souvent"),
            );
            break;
        }
        out.push(d);
    }
    out
}

fn trace_one(
    template: &SourceFile,
    generated: &str,
    kept: &SourceFile,
    lines: Option<&[usize]>,
    mut d: Diagnostic,
) -> Diagnostic {
    d.file = None;
    let Some(span) = d.span.take() else {
        return d.in_file(template).keep(kept.clone());
    };
    let (gen_line, _) = kept.line_col(span.start);
    let where_generated = format!(
        "ligne {gen_line} du source Typst généré, conservé sous `{}` dans le dossier de sortie par `ctg build`",
        kept.name
    );
    let hint = match d.hint.take() {
        Some(h) => format!("{h} ; {where_generated}"),
        None => where_generated,
    };
    let placed = lines.and_then(|l| place_in_template(&template.text, generated, l, &span));
    let d = match placed {
        Some(range) => d.at(template, range),
        // No trustworthy origin: show the generated source itself.
        None => d.at(kept, span),
    };
    d.hint(hint).keep(kept.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a tiny template language by hand: `{{ x }}` becomes `X`, tags vanish,
    /// and `-` trims whitespace, as tera does.
    fn render(template: &str) -> String {
        let mut tera = tera::Tera::new();
        tera.add_raw_template("t", template).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("x", "X\nY");
        ctx.insert("items", &[1, 2]);
        tera.render("t", &ctx).unwrap()
    }

    #[test]
    fn markers_do_not_change_the_output_and_name_each_line() {
        let template = "a {{ x }}\n{%- for i in items %}\n  row {{ i }}\n{%- endfor %}\nend {# « c » #}\n\nlast";
        let real = render(template);
        let marked = render(&mark_lines(template));
        let lines = line_map(&marked, &real).expect("the marked output agrees");
        let line_of = |needle: &str| lines[real.find(needle).unwrap()];
        assert_eq!(line_of("a X"), 1);
        // Text inserted by `{{ x }}` belongs to the line of the tag.
        assert_eq!(line_of("Y"), 1);
        assert_eq!(line_of("row 1"), 3);
        assert_eq!(line_of("row 2"), 3);
        assert_eq!(line_of("end"), 5);
        assert_eq!(line_of("last"), usize::MAX);
    }

    #[test]
    fn any_text_can_be_marked() {
        for t in [
            "{{",
            "{% « %",
            "{# é",
            "{{ \"}}",
            "é\n{{-",
            "-%}\n",
            "a\n\nb {{ x -}}\n c",
        ] {
            let marked = mark_lines(t);
            let mut plain = String::new();
            let mut in_marker = false;
            for c in marked.chars() {
                match c {
                    OPEN => in_marker = true,
                    CLOSE => in_marker = false,
                    c if !in_marker => plain.push(c),
                    _ => {}
                }
            }
            assert_eq!(plain, t);
        }
    }

    #[test]
    fn trimming_tags_keep_their_effect() {
        let template = "x {%- if true -%}\n\n  y\n{% endif -%}\n  z\n";
        let real = render(template);
        let marked = render(&mark_lines(template));
        assert!(line_map(&marked, &real).is_some(), "{real:?} / {marked:?}");
    }

    #[test]
    fn a_typst_error_points_at_the_template_line() {
        let template = SourceFile::new(
            "templates/plan.typ.tera",
            "#set text(size: 8pt)\n{{ x }}\n#oups(1)\n",
        );
        let real = render(&template.text);
        let marked = render(&mark_lines(&template.text));
        let generated = SourceFile::new("plan.typ (généré)", real.clone());
        let at = real.find("oups").unwrap();
        let d =
            Diagnostic::error("erreur Typst : unknown variable: oups").at(&generated, at..at + 4);
        let out = trace_typst_errors(&template, "plan", &real, Some(&marked), vec![d]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].location().unwrap(),
            "templates/plan.typ.tera:3:2",
            "{out:?}"
        );
        assert!(
            out[0]
                .hint
                .as_ref()
                .unwrap()
                .contains("ligne 4 du source Typst généré")
        );
        assert_eq!(out[0].kept.as_ref().unwrap().name, "plan.erreur.typ");
    }

    #[test]
    fn without_agreement_the_generated_source_is_shown() {
        let template = SourceFile::new("t", "a\n");
        let d = Diagnostic::error("e").at(&SourceFile::new("g", "b\n"), 0..1);
        let out = trace_typst_errors(&template, "bilan-2025", "b\n", Some("c\n"), vec![d]);
        assert_eq!(out[0].location().unwrap(), "bilan-2025.erreur.typ:1:1");
    }

    #[test]
    fn many_errors_are_capped() {
        let template = SourceFile::new("t", "a\n");
        let generated = SourceFile::new("g", "x\n".repeat(50));
        let diags = (0..50)
            .map(|i| Diagnostic::error(format!("e{i}")).at(&generated, i * 2..i * 2 + 1))
            .collect();
        let out = trace_typst_errors(&template, "plan", &generated.text, None, diags);
        assert_eq!(out.len(), MAX_TYPST_ERRORS + 1);
        assert!(out.last().unwrap().message.starts_with("40 autres erreurs"));
    }
}
