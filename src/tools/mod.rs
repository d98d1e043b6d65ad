//! Beside the pipeline: the tools that use it. Importing a plan written in
//! Word or a spreadsheet ([`import`]) and setting up a project
//! ([`scaffold`]); the follow-up workbooks sent to the partners and read back
//! ([`workbook`]); building again on every change ([`watch`]) and many
//! projects at once ([`batch`]); the bounded local server they share
//! ([`serve`]).

pub mod batch;
pub mod import;
pub mod scaffold;
pub mod serve;
pub mod watch;
pub mod workbook;
