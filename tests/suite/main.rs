//! The integration tests, one module per concern in one program, so that the
//! library and the compiler it links are linked once. The follow-up
//! workbook's tests (`tests/suivi.rs`) are a program of their own: some change
//! the process's current folder, as a user's relative paths need.

mod common;

mod amendments;
mod annex_pdf;
mod batch_watch;
mod fixture_plan;
mod house;
mod import;
mod invalid;
mod logos;
mod other_shape;
mod reference_plan;
mod review;
mod scaffold;
mod sheets;
mod template_typography;
mod text_is_data;
mod verapdf;
mod versions;
mod web;
mod web_tools;
mod word;
