//! Escaping rules: the one place where plain text is made safe for Typst markup,
//! Typst string literals and HTML.

use super::typography::{self, Segment};

/// Characters that start Typst markup syntax (or a shorthand) wherever they stand.
/// A backslash before any of them makes Typst print the character itself.
const TYPST_SPECIAL: &[char] = &[
    '\\', '#', '$', '*', '_', '`', '<', '>', '@', '[', ']', '~', '\'', '"', '-', '+', '=', '/',
];

/// True for the characters Typst treats as line breaks in markup.
fn is_typst_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Appends `text` to `out` as Typst markup that displays exactly `text`.
///
/// `after_call` tells that the markup just before is an embedded call such as
/// `#strong[…]`: a `(`, `[` or `.` right after it would continue the call, so it is
/// escaped too. Line breaks become spaces: paragraph structure comes from Markdown,
/// never from raw text.
pub fn push_typst_markup(out: &mut String, text: &str, after_call: bool) {
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if is_typst_newline(c) {
            out.push(' ');
        } else if TYPST_SPECIAL.contains(&c)
            || (first && after_call && matches!(c, '(' | '.'))
            // `...` is a shorthand and `1.` starts a numbered list.
            || (c == '.' && (prev == Some('.') || next == Some('.') || prev.is_some_and(|p| p.is_ascii_digit()) || prev.is_none()))
        {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
        prev = Some(c);
        first = false;
    }
}

/// Appends prose to `out` as Typst markup: French typography applied, ordinal
/// endings raised with `#super`, every character otherwise literal.
pub fn push_typst_prose(out: &mut String, text: &str, after_call: bool) {
    let mut after_call = after_call;
    for segment in typography::segments(text) {
        match segment {
            Segment::Plain(s) => {
                push_typst_markup(out, &s, after_call);
                after_call = after_call && s.is_empty();
            }
            Segment::Super(s) => {
                out.push_str("#super[");
                push_typst_markup(out, &s, false);
                out.push(']');
                after_call = true;
            }
        }
    }
}

/// `text` as Typst markup (see [`push_typst_markup`]).
pub fn typst_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_typst_markup(&mut out, text, false);
    out
}

/// `text` as a Typst string literal, quotes included, for use in code.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `text` escaped for HTML text and attribute values.
pub fn push_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Plain text as Typst markup, with French typography: what `{{ value }}`
/// writes in a Typst template.
pub fn typst_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_typst_prose(&mut out, text, false);
    out
}

/// Plain text as HTML, with the spacing rules of French typography: what
/// `{{ value }}` writes in an HTML template.
pub fn html_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_html(&mut out, &typography::spacing(text));
    out
}

/// Tera escape function for the Typst templates: `{{ value }}` in markup, with
/// French typography.
pub fn tera_typst(text: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    w.write_all(typst_prose(text).as_bytes())
}

/// Tera escape function for the HTML templates. A value may sit in an attribute,
/// so only the spacing rules of French typography apply (no superscript markup).
pub fn tera_html(text: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    w.write_all(html_prose(text).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typst_sigil_is_escaped() {
        assert_eq!(
            typst_markup(r#"#read("/etc/passwd") $x^2$ *a* _b_ [c] <d> @e \f"#),
            r#"\#read(\"\/etc\/passwd\") \$x^2\$ \*a\* \_b\_ \[c\] \<d\> \@e \\f"#
        );
    }

    #[test]
    fn dots_only_escaped_where_typst_reads_syntax() {
        assert_eq!(typst_markup("fin. 1. a... b"), r"fin. 1\. a\.\.\. b");
        assert_eq!(typst_markup(".début"), r"\.début");
    }

    #[test]
    fn newlines_never_reach_typst() {
        assert_eq!(typst_markup("a\nb\u{2029}c"), "a b c");
    }

    #[test]
    fn text_after_a_call_cannot_extend_it() {
        let mut out = String::from("#strong[x]");
        push_typst_markup(&mut out, "(suite).", true);
        assert_eq!(out, r"#strong[x]\(suite).");
    }

    #[test]
    fn typst_strings_are_quoted() {
        assert_eq!(typst_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
    }

    #[test]
    fn html_is_escaped() {
        let mut out = String::new();
        push_html(&mut out, r#"<script>alert("x")</script> & 'y'"#);
        assert_eq!(
            out,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
