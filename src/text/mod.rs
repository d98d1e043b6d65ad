//! Stage 3 (convert): cell text, written in Markdown by the officers, becomes Typst
//! markup or HTML. Escaping for each output format lives here and nowhere else.

pub mod count;
pub mod escape;
pub mod markdown;
pub mod typography;

pub use count::count;
pub use markdown::{
    markdown_to_html, markdown_to_html_document, markdown_to_plain, markdown_to_typst,
    markdown_to_typst_document,
};
