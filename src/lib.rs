//! `ctg` turns the action plan of a Convention Territoriale Globale, kept as TOML
//! records in `data/`, into its documents: the PDF annex, the HTML page and its
//! embeddable fragment, and the open data (CSV, JSON, data package).
//!
//! The whole pipeline reads in [`build`]: load → validate → render → write.

// Diagnostics travel on the error path only, where their size costs nothing.
#![allow(clippy::result_large_err)]

// The stages, in the order of the pipeline, each a folder: each imports only
// from those above it (a test of the house checks it).

// What every stage uses: its messages, French counts and sizes, the fonts.
mod diag;
mod fonts;
mod french;

// 1. Reading the project's files: the folder walk, the raw records, serde's
// errors recovered and told in French, the logos.
mod read;

// The texts of the documents: Markdown, typography, checks, escaping.
mod text;

// The model's types: the plan, its shape, its follow-up, its fingerprint.
mod model;

// 2. Validation: the raw records become the model, every mistake reported.
mod validate;

// The versions of a plan, what changed between two, the amendments.
mod versions;

// 3. Rendering: the documents, their views, templates, PDF, HTML, Word.
mod render;

// 4. Writing the output folder.
mod write;

// The pipeline, from a project to its documents.
mod build;

// Beside the pipeline: import, scaffold, follow-up workbooks, watch, batch.
mod tools;

// The library's surface, for the command line and the tests: the build and
// the loaders, the documents and what reads them, the model, the text rules
// that the documents apply, and the tools' entry points. The stages behind
// it are private, so that they can be laid out anew without changing what
// uses the library.
pub use build::{
    BuildOptions, Report, build, load_and_validate, load_and_validate_from, load_follow_ups,
    load_follow_ups_from, render_project, revision_folder,
};
pub use diag::{Diagnostic, Failure, render as render_diagnostics};
pub use french::{count, french_size};
pub use model::fingerprint::{plan_fingerprint, sha256_hex};
pub use model::follow_up::{FollowUps, Review, State};
pub use model::shape::{Column, ColumnType, Shape};
pub use model::title::{singular, title as sheet_title};
pub use model::{Action, Colours, Plan, Value};
pub use read::logos::LogoFormat;
pub use render::amendment::AmendmentView;
pub use render::document::{Document, Inputs, Rendered, SHEETS_DIR, is_kept_typst};
pub use render::templates::{BUILTIN as BUILTIN_TEMPLATES, Templates};
pub use render::view::Markup;
pub use text::check::{MAX_MARKDOWN_DEPTH, markdown_depth};
pub use text::escape::typst_markup;
pub use text::markdown_to_plain;
pub use text::redline::LAYOUT_ONLY;
pub use text::typography::{Segment, segments};
pub use tools::batch::{
    Mode as BatchMode, Progress, Runner, build_all, find_projects, serve as serve_batch,
};
pub use tools::scaffold::{
    Outcome, PLACEHOLDER, declaration, export_templates, import as import_plan, init, new_action,
};
pub use tools::watch::watch;
pub use tools::workbook::export::{ExportOptions, export as export_workbook};
pub use tools::workbook::import::{ImportOptions, import as import_workbook};
pub use versions::amendments::{
    Prepared, prepare as prepare_amendments, warnings as amendment_warnings,
};
pub use versions::diff::{
    ActionChange, Cell, Changes, FieldActions, Listed, Modified, report as diff_report,
};
pub use versions::{Comparison, compare, load_version};
pub use write::Written;
pub use write::folder::{DOCUMENTS_FILE, RECORD_FILE};
