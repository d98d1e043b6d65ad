//! TEMPORARY stand-in.
use super::markdown::{markdown_to_html, markdown_to_typst};
pub fn redline_typst(old: &str, new: &str) -> String {
    let mut s = String::new();
    if !old.is_empty() { s.push_str(&format!("#del[{}]", markdown_to_typst(old))); }
    if !new.is_empty() { s.push_str(&format!("#ins[{}]", markdown_to_typst(new))); }
    s
}
pub fn redline_html(old: &str, new: &str) -> String {
    let mut s = String::new();
    if !old.is_empty() { s.push_str(&format!("<del><span class=\"ctg-cache\">suppression : </span>{}</del>", markdown_to_html(old))); }
    if !new.is_empty() { s.push_str(&format!("<ins><span class=\"ctg-cache\">ajout : </span>{}</ins>", markdown_to_html(new))); }
    s
}
pub fn differs(old: &str, new: &str) -> bool { old != new }
