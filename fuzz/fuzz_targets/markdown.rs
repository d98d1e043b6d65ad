//! Fuzz target: any text as a cell's Markdown, converted to Typst, HTML and plain
//! text, and checked as a review's text. The text is data: the Typst markup may
//! only hold the converter's own calls (never a `#` of the text, a `$`, a label or
//! a reference), and within the nesting limit of validation it parses without
//! error; the HTML may only hold the converter's own elements and attributes.
#![no_main]
#![allow(dead_code, clippy::result_large_err)]

include!("ctg_core.rs");

use libfuzzer_sys::fuzz_target;
use typst_syntax::{SyntaxKind, SyntaxNode};

/// The functions the converter calls.
const CALLS: &[&str] = &[
    "strong",
    "emph",
    "strike",
    "super",
    "sub",
    "link",
    "raw",
    "quote",
    "list",
    "enum",
    "linebreak",
    "line",
    "box",
    "table",
    "table.header",
];

/// Markup the converter never writes: text that turned into syntax.
const FORBIDDEN: &[SyntaxKind] = &[
    SyntaxKind::Equation,
    SyntaxKind::Label,
    SyntaxKind::Ref,
    SyntaxKind::Heading,
    SyntaxKind::ListItem,
    SyntaxKind::EnumItem,
    SyntaxKind::TermItem,
    SyntaxKind::Strong,
    SyntaxKind::Emph,
    SyntaxKind::Raw,
    SyntaxKind::Link,
    SyntaxKind::LetBinding,
    SyntaxKind::SetRule,
    SyntaxKind::ShowRule,
    SyntaxKind::ModuleImport,
    SyntaxKind::ModuleInclude,
    SyntaxKind::Closure,
    SyntaxKind::Contextual,
    SyntaxKind::FieldAccess,
];

fn check_typst(node: &SyntaxNode, source: &str) {
    let kind = node.kind();
    assert!(!FORBIDDEN.contains(&kind), "{kind:?} in {source:?}");
    let mut children = node.children();
    if kind == SyntaxKind::FuncCall {
        // A name of the list (`strong`, `table.header`): nothing else to check in it.
        let callee = children.next().expect("a callee");
        let name = callee.full_text();
        assert!(
            matches!(callee.kind(), SyntaxKind::Ident | SyntaxKind::FieldAccess)
                && CALLS.contains(&name.as_str()),
            "call of {name:?} in {source:?}"
        );
    }
    for child in children {
        check_typst(child, source);
    }
}

/// Elements and attributes the converter writes.
const ELEMENTS: &[&str] = &[
    "p",
    "em",
    "strong",
    "del",
    "sup",
    "sub",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h4",
    "h5",
    "h6",
    "pre",
    "code",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

fn check_html(html: &str) {
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("unclosed tag in {html:?}"));
        let tag = rest[..end].trim_end_matches('/').trim_end();
        rest = &rest[end + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(ELEMENTS.contains(&name), "element <{name}> in {html:?}");
        while !attrs.trim().is_empty() {
            let (key, value) = attrs
                .trim_start()
                .split_once("=\"")
                .unwrap_or_else(|| panic!("attribute {attrs:?}"));
            let close = value.find('"').expect("a closed attribute value");
            let value_text = &value[..close];
            assert!(
                !value_text.contains(['<', '>']),
                "markup in attribute {value_text:?}"
            );
            match (name, key) {
                ("a", "href") => {
                    // Leading spaces of the target are percent-encoded.
                    let mut target = value_text.to_ascii_lowercase();
                    while let Some(rest) = target.strip_prefix("%20") {
                        target = rest.to_string();
                    }
                    assert!(
                        ["https://", "http://", "mailto:"]
                            .iter()
                            .any(|p| target.trim_start().starts_with(p)),
                        "link to {value_text:?}"
                    )
                }
                ("a", "title") | ("ol", "start") | ("code", "class") | ("th" | "td", "style") => {}
                _ => panic!("attribute {key} on <{name}> in {html:?}"),
            }
            attrs = &value[close + 1..];
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    let typst = text::markdown_to_typst(markdown);
    let html = text::markdown_to_html(markdown);
    let _ = text::markdown_to_plain(markdown);
    check_html(&html);
    // As the template inserts a cell: inside a content block.
    let source = format!("#box[{typst}]");
    let root = typst_syntax::parse(&source);
    check_typst(&root, &source);
    if text::check::markdown_depth(markdown) <= text::check::MAX_MARKDOWN_DEPTH {
        assert!(
            !root.diagnosis().errors,
            "syntax error in {source:?}: {:?}",
            root.errors_and_warnings().0
        );
    }
    // As a review's text, checked in its own file: each problem points inside it.
    let file = diag::SourceFile::new("data/bilans/2025/introduction.md", markdown);
    let mut diags = Vec::new();
    let kind = text::check::TextKind::markdown("introduction.md");
    let passed = text::check::check(&file, 0..markdown.len(), markdown, kind, &mut diags);
    assert_eq!(passed, diags.is_empty());
    for d in &diags {
        let span = d.span.clone().expect("a place in the text");
        assert!(
            span.start < span.end && span.end <= markdown.len(),
            "span {span:?} of {markdown:?}"
        );
        assert!(markdown.is_char_boundary(span.start) && markdown.is_char_boundary(span.end));
    }
});
