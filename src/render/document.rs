//! The documents: what each one the project asks for is
//! named in the output folder, how it renders and the files it gives. `build`
//! lists the documents ([`asked_for`]) and renders them side by side; `write`
//! writes what they give, whatever they are. Every output file's name is
//! declared here.
//!
//! Adding a kind of document means writing its view and its templates, a
//! variant of [`Document`] with its name and its rendering, and its place in
//! [`asked_for`].

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use typst_layout::PagedDocument;

use crate::diag::Diagnostic;
use crate::model::Plan;
use crate::model::fingerprint::{hex, sha256_hex};
use crate::model::follow_up::FollowUps;
use crate::versions::amendments::Prepared;

use super::templates::Templates;

/// The plan's files, before their extension: `plan.pdf`, `plan.html`…
pub const PLAN: &str = "plan";
/// The action sheets' PDF, before its extension: `fiches.pdf`.
pub const SHEETS: &str = "fiches";
/// The folder of the sheets' web pages: `actions/<id>.html`.
pub const SHEETS_DIR: &str = "actions";
/// The sheets' PDF, as the sheets' pages link to it.
pub const SHEETS_PDF_FROM_PAGES: &str = "../fiches.pdf";
/// The open data: the actions as CSV and JSON, and their description.
pub const CSV: &str = "plan.csv";
pub const JSON: &str = "plan.json";
pub const DATAPACKAGE: &str = "datapackage.json";
/// The plan's table and notes, to paste into a site's pages.
const FRAGMENT_SUFFIX: &str = ".fragment.html";

const REVIEW_PREFIX: &str = "bilan-";
const AMENDMENT_PREFIX: &str = "avenant-";
/// How the generated Typst source of a document is named when a failed build
/// keeps it in the output folder for inspection: `plan.erreur.typ`.
const KEPT_SUFFIX: &str = ".erreur.typ";

/// The files of `year`'s review, before their extension: `bilan-2025.pdf`…
pub fn review(year: u16) -> String {
    format!("{REVIEW_PREFIX}{year}")
}

/// The files of amendment `number`, before their extension: `avenant-1.pdf`…
pub fn amendment(number: u32) -> String {
    format!("{AMENDMENT_PREFIX}{number}")
}

/// The PDF of `document` (`plan`, `bilan-2025`…).
pub fn pdf(document: &str) -> String {
    format!("{document}.pdf")
}

/// The web page of `document`, or of an action in [`SHEETS_DIR`].
pub fn web_page(document: &str) -> String {
    format!("{document}.html")
}

/// The Word copy of `document`.
pub fn word(document: &str) -> String {
    format!("{document}.docx")
}

/// The plan's PDF, as its page links to it.
pub fn plan_pdf() -> String {
    pdf(PLAN)
}

/// The file of an action's web page, in [`SHEETS_DIR`].
pub fn sheet_page(id: &str) -> String {
    web_page(id)
}

/// A page of the sheets (`index.html`, `<id>.html`), in the output folder.
pub fn sheet_page_path(page: &str) -> String {
    format!("{SHEETS_DIR}/{page}")
}

/// The plan's web page.
pub fn plan_page() -> String {
    web_page(PLAN)
}

/// The plan's table and notes, to paste into a site's pages.
pub fn plan_fragment() -> String {
    format!("{PLAN}{FRAGMENT_SUFFIX}")
}

/// The name under which the generated source of `document` (`plan`,
/// `bilan-2025`…) is kept when its compilation failed.
pub fn kept_typst(document: &str) -> String {
    format!("{document}{KEPT_SUFFIX}")
}

/// Whether `document` (a file's name before its extension) names a document
/// of some kind: the plan, the sheets, a year's review, an amendment.
fn is_document(document: &str) -> bool {
    let numbered = |prefix: &str, digits: Option<usize>| {
        document.strip_prefix(prefix).is_some_and(|n| {
            !n.is_empty()
                && digits.is_none_or(|d| n.len() == d)
                && n.bytes().all(|b| b.is_ascii_digit())
        })
    };
    document == PLAN
        || document == SHEETS
        || numbered(REVIEW_PREFIX, Some(4))
        || numbered(AMENDMENT_PREFIX, None)
}

/// Whether `name` is the kept source of a document: a successful build of
/// every document makes it stale.
pub fn is_kept_typst(name: &str) -> bool {
    name.strip_suffix(KEPT_SUFFIX).is_some_and(is_document)
}

/// One document the project asks for.
pub enum Document<'a> {
    /// The annex: the plan's table as PDF, web page (and its fragment) and
    /// Word document, with the open data.
    Plan,
    /// The action sheets: one PDF, and a web page per action with their index.
    Sheets,
    /// A year's review.
    Review(u16),
    /// An amendment, with the versions of the plan it compares.
    Amendment(&'a Prepared),
}

/// What the documents are made from.
pub struct Inputs<'a> {
    pub plan: &'a Plan,
    pub follow_ups: &'a FollowUps,
    pub templates: &'a Templates,
}

impl<'a> Inputs<'a> {
    pub fn new(plan: &'a Plan, follow_ups: &'a FollowUps, templates: &'a Templates) -> Self {
        Inputs {
            plan,
            follow_ups,
            templates,
        }
    }
}

/// What a document gives: its files, named as in the output folder.
pub struct Rendered {
    /// The document's name ([`Document::name`]).
    name: String,
    /// Its files, in the order they were made: its PDF first.
    pub files: Vec<(String, Vec<u8>)>,
    /// The generated Typst source, written on request (`--typst`).
    pub typst: (String, String),
    /// The pages of its PDF.
    pub pages: usize,
    /// Its PDF as laid out, for reading its pages; a build lets it go once
    /// the PDF is made ([`Rendered::forget_layout`]).
    layout: Option<PagedDocument>,
    /// How long each of its steps took (`ctg build --timings`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// What the documents are made from, as fingerprints: a document whose
/// inputs have the fingerprint recorded with its files need not be made
/// again. Each is a SHA-256 of the values themselves (their `Debug` form, in
/// which every collection of the model is ordered), so that a comment or a
/// blank line changed in a record makes nothing again.
pub struct Fingerprints {
    /// The program, the templates and the settings that change the files.
    common: String,
    plan: String,
    /// Every year's follow-up of the actions, for the sheets.
    follow_ups: String,
}

impl Fingerprints {
    pub fn new(inputs: &Inputs, emit_typst: bool) -> Self {
        let mut common = Sha256::new();
        common.update(program().as_bytes());
        let epoch = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default();
        common.update(format!("\0SOURCE_DATE_EPOCH={epoch}\0typst={emit_typst}\0").as_bytes());
        for source in inputs.templates.sources() {
            common.update(format!("{}\0{}\0", source.name, source.text.len()).as_bytes());
            common.update(source.text.as_bytes());
        }
        // The sheets show each action's follow-up, not the reviews' texts.
        let follow_ups: Vec<_> = inputs
            .follow_ups
            .years
            .iter()
            .map(|(year, y)| (year, &y.actions))
            .collect();
        Fingerprints {
            common: hex(common.finalize().as_slice()),
            plan: of_value(inputs.plan),
            follow_ups: of_value(&follow_ups),
        }
    }
}

/// The program itself: its version, and its executable's size and date, so
/// that a program built again makes every document again.
fn program() -> &'static str {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROGRAM.get_or_init(|| {
        let executable = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {modified}", m.len())
            })
            // Unknown: a fingerprint no record holds, so that all is made.
            .unwrap_or_else(|_| format!("{:?}", std::time::SystemTime::now()));
        format!("ctg {} {executable}", env!("CARGO_PKG_VERSION"))
    })
}

/// The SHA-256 of a value's `Debug` form, fed to the hash as it is written.
fn of_value(value: &impl std::fmt::Debug) -> String {
    struct Feed(Sha256);
    impl std::fmt::Write for Feed {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut feed = Feed(Sha256::new());
    // Writing into a hash cannot fail.
    let _ = std::fmt::Write::write_fmt(&mut feed, format_args!("{value:?}"));
    hex(feed.0.finalize().as_slice())
}

impl Rendered {
    /// A document made of a PDF, compiled from `typst`: its first file.
    pub(super) fn new(name: &str, typst: String, pdf: super::pdf::Pdf) -> Self {
        Rendered {
            name: name.to_string(),
            pages: pdf.document.pages().len(),
            files: vec![(self::pdf(name), pdf.bytes)],
            typst: (format!("{name}.typ"), typst),
            layout: Some(pdf.document),
            timings: Vec::new(),
        }
    }

    /// A document made of a PDF, its web page and its Word copy.
    pub(super) fn of_page(
        name: &str,
        typst: String,
        pdf: super::pdf::Pdf,
        html: String,
        docx: Vec<u8>,
    ) -> Self {
        let mut output = Rendered::new(name, typst, pdf);
        output.add(web_page(name), html);
        output.add(word(name), docx);
        output
    }

    /// Adds a file named as in the output folder.
    pub(super) fn add(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.push((name.into(), bytes.into()));
    }

    /// The document's name, as its files are named (`bilan-2025`…).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lets the layout go: only the files are written.
    pub fn forget_layout(&mut self) {
        self.layout = None;
    }

    /// The file named `name` in the output folder (`plan.csv`,
    /// `actions/index.html`…), if the document gives it.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// The file named `name`, as text.
    ///
    /// # Panics
    /// When the document gives no such file, or not as UTF-8: a question
    /// about the document, asked by a test or a tool, not by a build.
    pub fn text(&self, name: &str) -> &str {
        std::str::from_utf8(self.bytes(name)).expect("the file is UTF-8")
    }

    /// The file named `name`, as bytes. Panics as [`Rendered::text`].
    pub fn bytes(&self, name: &str) -> &[u8] {
        self.file(name).unwrap_or_else(|| {
            let names: Vec<&str> = self.files.iter().map(|(n, _)| n.as_str()).collect();
            panic!("{} gives no file {name}, only {names:?}", self.name)
        })
    }

    /// Its PDF.
    pub fn pdf(&self) -> &[u8] {
        self.bytes(&pdf(&self.name))
    }

    /// Its web page (the plan, a review, an amendment).
    pub fn html(&self) -> &str {
        self.text(&web_page(&self.name))
    }

    /// Its Word copy (the plan, a review, an amendment).
    pub fn docx(&self) -> &[u8] {
        self.bytes(&word(&self.name))
    }

    /// The generated Typst source of its PDF.
    pub fn typst_source(&self) -> &str {
        &self.typst.1
    }

    /// Its PDF as laid out, page by page. Panics after
    /// [`Rendered::forget_layout`].
    pub fn layout(&self) -> &PagedDocument {
        self.layout
            .as_ref()
            .expect("the layout is kept until written")
    }

    /// The text of each page of its PDF, in reading order.
    pub fn page_texts(&self) -> Vec<String> {
        super::pdf::page_texts(self.layout())
    }
}

/// The documents a build makes: the annex (unless `review_year` asks for that
/// year's review only), the action sheets when the convention publishes them,
/// each year of follow-up's review, and each amendment.
pub fn asked_for<'a>(
    plan: &Plan,
    follow_ups: &FollowUps,
    amendments: &'a [Prepared],
    review_year: Option<u16>,
) -> Vec<Document<'a>> {
    if let Some(year) = review_year {
        return vec![Document::Review(year)];
    }
    let mut documents = vec![Document::Plan];
    if plan.convention.sheets.publish {
        documents.push(Document::Sheets);
    }
    documents.extend(follow_ups.years.keys().map(|&year| Document::Review(year)));
    documents.extend(amendments.iter().map(Document::Amendment));
    documents
}

impl Document<'_> {
    /// The name of its files, before their extension.
    pub fn name(&self) -> String {
        match self {
            Document::Plan => PLAN.to_string(),
            Document::Sheets => SHEETS.to_string(),
            Document::Review(year) => review(*year),
            Document::Amendment(prepared) => amendment(prepared.amendment.number),
        }
    }

    /// The file that a failure of its rendering is about.
    pub fn subject(&self) -> String {
        match self {
            Document::Plan | Document::Sheets => "data/".to_string(),
            Document::Review(year) => {
                format!("{}/{year}.toml", crate::model::follow_up::FOLLOW_UP_DIR)
            }
            Document::Amendment(_) => crate::read::CONVENTION_FILE.to_string(),
        }
    }

    /// Its step in `ctg build --timings`; the annex names each of its own.
    fn step(&self) -> Option<&'static str> {
        match self {
            Document::Plan => None,
            Document::Sheets => Some("fiches actions"),
            Document::Review(_) => Some("bilans annuels"),
            Document::Amendment(_) => Some("avenants"),
        }
    }

    /// The fingerprint of what this document is made from: the plan, and the
    /// follow-up for the documents that show it (the sheets give each action's
    /// latest; a review compares its year with the one before), or the versions
    /// an amendment compares; with what every document is made from.
    pub fn inputs(&self, inputs: &Inputs, fingerprints: &Fingerprints) -> String {
        let Fingerprints {
            common,
            plan,
            follow_ups,
        } = fingerprints;
        let own = match self {
            Document::Plan => plan.clone(),
            Document::Sheets => format!("{plan} {follow_ups}"),
            Document::Review(year) => {
                let years = &inputs.follow_ups.years;
                let before = year.checked_sub(1).and_then(|y| years.get(&y));
                format!("{plan} {}", of_value(&(years.get(year), before)))
            }
            Document::Amendment(prepared) => of_value(prepared),
        };
        sha256_hex(format!("{common} {} {own}", self.name()).as_bytes())
    }

    /// Whether `name`, a file of the output folder, is one of this document's
    /// files, in any of its formats, its Typst source or its kept source.
    pub fn owns(&self, name: &str) -> bool {
        let document = self.name();
        let own = name
            .strip_prefix(document.as_str())
            .is_some_and(|rest| rest.starts_with('.') && !rest[1..].contains('/'));
        let data = matches!(self, Document::Plan) && [CSV, JSON, DATAPACKAGE].contains(&name);
        let pages = matches!(self, Document::Sheets)
            && name
                .strip_prefix(SHEETS_DIR)
                .is_some_and(|rest| rest.starts_with('/'));
        own || data || pages
    }

    /// Renders the document into its files, in memory.
    pub fn render(&self, inputs: &Inputs) -> Result<Rendered, Vec<Diagnostic>> {
        let start = Instant::now();
        let mut output = match self {
            Document::Plan => super::render_plan(inputs.plan, inputs.templates)?,
            Document::Sheets => {
                super::render_sheets(inputs.plan, inputs.follow_ups, inputs.templates)?
            }
            Document::Review(year) => {
                super::render_review(inputs.plan, inputs.follow_ups, *year, inputs.templates)?
            }
            Document::Amendment(prepared) => super::render_amendment(prepared, inputs.templates)?,
        };
        if let Some(step) = self.step() {
            output.timings.push((step, start.elapsed()));
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_sources_are_named_after_their_document() {
        assert_eq!(kept_typst(PLAN), "plan.erreur.typ");
        assert_eq!(kept_typst(&review(2025)), "bilan-2025.erreur.typ");
        for name in [
            "plan.erreur.typ",
            "fiches.erreur.typ",
            "bilan-2025.erreur.typ",
            "avenant-12.erreur.typ",
        ] {
            assert!(is_kept_typst(name), "{name}");
        }
        for name in [
            "plan.typ",
            "autre.erreur.typ",
            "bilan-25.erreur.typ",
            "avenant-.erreur.typ",
            "avenant-x.erreur.typ",
        ] {
            assert!(!is_kept_typst(name), "{name}");
        }
    }

    #[test]
    fn a_document_owns_its_files_and_no_other() {
        let review = Document::Review(2025);
        for name in ["bilan-2025.pdf", "bilan-2025.typ", "bilan-2025.erreur.typ"] {
            assert!(review.owns(name), "{name}");
        }
        for name in [
            "bilan-2024.pdf",
            "bilan-20250.pdf",
            "plan.pdf",
            "actions/a.html",
        ] {
            assert!(!review.owns(name), "{name}");
        }
        assert!(Document::Plan.owns("plan.fragment.html"));
        assert!(Document::Plan.owns(CSV));
        assert!(!Document::Plan.owns("fiches.pdf"));
        assert!(Document::Sheets.owns("actions/index.html"));
        assert!(!Document::Sheets.owns("actions.html"));
    }
}
