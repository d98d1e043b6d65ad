//! The texts of the documents, written in Markdown by the officers: checked for
//! what the documents can show ([`check`], during validation), then converted
//! to Typst markup or HTML (when rendering). Escaping for each output format lives here and
//! nowhere else.

pub mod check;
pub mod escape;
pub mod markdown;
pub mod redline;
pub mod typography;
pub mod words;

pub use markdown::{
    markdown_to_html, markdown_to_html_document, markdown_to_plain, markdown_to_typst,
    markdown_to_typst_document,
};
