//! Compiles the generated Typst source in process, with the
//! fonts embedded in the binary and no access to files or network, then exports
//! the PDF.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diag::{Diagnostic, SourceFile};

/// Prepares the fonts and the standard library, once per process.
pub fn warm_up() {
    LazyLock::force(&FONTS);
    LazyLock::force(&LIBRARY);
}

/// The standard library, with the accessibility extras (row header cells, table
/// summaries) that PDF/UA tagging of the plan's complex table needs.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    let features = [Feature::A11yExtras].into_iter().collect();
    LazyHash::new(Library::builder().with_features(features).build())
});

/// Every font the documents may use ([`crate::fonts`]), parsed once per process.
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut store = FontStore::new();
    for data in crate::fonts::files() {
        for font in Font::iter(Bytes::new(data)) {
            let info = font.info().clone();
            store.push((font, info));
        }
    }
    store
});

/// How many compilations a memoized result survives unused (see [`retain_caches`]).
static CACHE_RETENTION: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(10);

/// Sets how many compilations a memoized result of the compiler survives without
/// being used again: 10 by default, so that a watch session that goes back and
/// forth between versions finds them; fewer in a process that compiles unrelated
/// documents one after the other, which share little and would only hold memory.
pub fn retain_caches(compilations: usize) {
    CACHE_RETENTION.store(compilations, std::sync::atomic::Ordering::Relaxed);
}

/// The images a document may show: the plan's logos, checked in validation,
/// each at `/logos/<n>.<ext>` (see [`crate::read::logos::Logo::virtual_path`]).
#[derive(Clone, Default)]
pub struct Images(Vec<(FileId, Bytes)>);

impl Images {
    pub fn of(plan: &crate::model::Plan) -> Self {
        Self(
            plan.convention
                .signatories
                .iter()
                .filter_map(|s| s.logo.as_ref())
                .filter_map(|logo| {
                    let path = VirtualPath::new(logo.virtual_path()).ok()?;
                    let id = RootedPath::new(VirtualRoot::Project, path).intern();
                    Some((id, Bytes::new(logo.bytes.to_vec())))
                })
                .collect(),
        )
    }
}

/// A world of the generated source and the validated logos: nothing else can
/// be read.
struct PlanWorld {
    main: FileId,
    source: Source,
    images: Images,
}

impl PlanWorld {
    fn new(text: String, images: Images) -> Self {
        let path = VirtualPath::new("main.typ").expect("a constant, valid path");
        let main = RootedPath::new(VirtualRoot::Project, path).intern();
        Self {
            main,
            source: Source::new(main, text),
            images,
        }
    }
}

impl World for PlanWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        FONTS.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        // Documents are generated from data: they read no file of the disk,
        // only the logos that validation checked, served from memory.
        self.images
            .0
            .iter()
            .find(|(image, _)| *image == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.font(index)
    }

    fn today(&self, _: Option<Duration>) -> Option<Datetime> {
        // The clock never enters a document: dates come from the data.
        None
    }
}

/// A compiled document and its PDF bytes.
pub struct Pdf {
    pub document: PagedDocument,
    pub bytes: Vec<u8>,
}

/// How the PDF is exported: its stable identifier and creation date.
#[derive(Debug, Clone)]
pub struct Export {
    /// Hashed by Typst into the PDF's document identifier.
    pub ident: String,
    /// Creation date, in seconds since 1970-01-01 UTC (PDF/A requires one).
    pub timestamp: i64,
}

/// The standards every annex meets: archival (PDF/A-2a, tagged) and accessible
/// (PDF/UA-1). Typst checks them at export and refuses a document that fails.
fn standards() -> PdfStandards {
    PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1])
        .expect("PDF/A-2a and PDF/UA-1 are compatible")
}

fn timestamp(seconds: i64) -> Option<Timestamp> {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    let datetime = Datetime::from_ymd_hms(
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )?;
    Some(Timestamp::new_utc(datetime))
}

/// Compiles `source` (named `name` in messages) and exports it to PDF.
pub fn compile(
    name: &str,
    source: String,
    images: Images,
    export: &Export,
) -> Result<Pdf, Vec<Diagnostic>> {
    let world = PlanWorld::new(source, images);
    let file = SourceFile::new(name, world.source.text());
    let to_diags = |errors: &[SourceDiagnostic]| -> Vec<Diagnostic> {
        errors
            .iter()
            .map(|e| typst_diagnostic(&world, &file, e))
            .collect()
    };
    // A panic inside the compiler must not bring the program down.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let document = typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|e| to_diags(&e))?;
        let options = PdfOptions {
            ident: Smart::Custom(export.ident.clone()),
            creator: Smart::Custom(Some("ctg".into())),
            timestamp: timestamp(export.timestamp),
            standards: standards(),
            tagged: true,
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&document, &options).map_err(|e| to_diags(&e))?;
        Ok(Pdf { document, bytes })
    }));
    // Memoized layouts of documents that are no longer compiled are dropped, so
    // that memory does not grow with the number of documents of a long run (a
    // watch session, a batch); those of recent compilations stay warm.
    comemo::evict(CACHE_RETENTION.load(std::sync::atomic::Ordering::Relaxed));
    result.unwrap_or_else(|_| {
        Err(
            vec![Diagnostic::error("erreur interne du compilateur Typst").in_file(&file).hint(
            "le document généré est conservé pour examen ; signalez ce problème avec vos fichiers",
        )],
        )
    })
}

fn typst_diagnostic(world: &PlanWorld, file: &SourceFile, e: &SourceDiagnostic) -> Diagnostic {
    let message = e.message.as_str();
    let mut d = if message.starts_with("PDF/A") || message.starts_with("PDF/UA") {
        // The document would not be fit for archiving or not accessible: refuse it.
        let hint = if message.contains("alt") {
            "donnez un texte de remplacement à chaque image : `image(…, alt: \"…\")`"
        } else {
            "le gabarit produit un élément que les normes PDF/A-2a et PDF/UA-1 interdisent"
        };
        Diagnostic::error(format!(
            "le document ne respecte pas les normes d'archivage et d'accessibilité : {message}"
        ))
        .hint(hint)
    } else {
        Diagnostic::error(format!("erreur Typst : {message}"))
    };
    if let Some(range) = world.range(e.span) {
        d = d.at(file, range);
    } else {
        d = d.in_file(file);
    }
    let hints: Vec<&str> = e.hints.iter().map(|h| h.v.as_str()).collect();
    if !hints.is_empty() {
        let typst_hints = hints.join(" ; ");
        let hint = match d.hint.take() {
            Some(ours) => format!("{ours} (Typst : {typst_hints})"),
            None => typst_hints,
        };
        d = d.hint(hint);
    }
    d
}

/// The text of each page, in reading order of the layout: runs of one line are
/// joined directly, separate runs by a space.
pub fn page_texts(document: &PagedDocument) -> Vec<String> {
    document
        .pages()
        .iter()
        .map(|page| {
            let mut out = String::new();
            frame_text(&page.frame, &mut out);
            out
        })
        .collect()
}

fn frame_text(frame: &Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => frame_text(&group.frame, out),
            FrameItem::Text(text) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(&text.text);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    /// Validation's table of printable characters ([`crate::fonts`]) is the
    /// compiler's own: a font of the compiler's book covers each character
    /// exactly when validation says one does.
    #[test]
    fn validation_and_compiler_agree_on_printable_characters() {
        let book = super::FONTS.book();
        let mut covered: Vec<u32> = (0..)
            .map_while(|i| book.info(i))
            .flat_map(|info| info.coverage.iter())
            .collect();
        covered.sort_unstable();
        covered.dedup();
        assert!(covered.len() > 5000, "{} characters", covered.len());
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                crate::fonts::covers(c),
                covered.binary_search(&(c as u32)).is_ok(),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
