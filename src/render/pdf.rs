//! Stage 4 (render): compiles the generated Typst source in process, with the
//! fonts embedded in the binary and no access to files or network, then exports
//! the PDF.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::diag::{Diagnostic, SourceFile};

/// Liberation Sans (SIL Open Font License 1.1), the body font.
const BODY_FONTS: &[&[u8]] = &[
    include_bytes!("../../templates/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-BoldItalic.ttf"),
];

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// Every font the documents may use, parsed once per process: the body font first,
/// then Typst's own fonts for mathematics and code.
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut store = FontStore::new();
    for data in BODY_FONTS {
        for font in Font::iter(Bytes::new(*data)) {
            let info = font.info().clone();
            store.push((font, info));
        }
    }
    store.extend(typst_kit::fonts::embedded());
    store
});

/// A world of one file: the generated source. Nothing else can be read.
struct PlanWorld {
    main: FileId,
    source: Source,
}

impl PlanWorld {
    fn new(text: String) -> Self {
        let path = VirtualPath::new("main.typ").expect("a constant, valid path");
        let main = RootedPath::new(VirtualRoot::Project, path).intern();
        Self {
            main,
            source: Source::new(main, text),
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

    fn file(&self, _: FileId) -> FileResult<Bytes> {
        // Documents are generated from data: they never read files.
        Err(FileError::AccessDenied)
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

/// Compiles `source` (named `name` in messages) and exports it to PDF.
pub fn compile(name: &str, source: String, ident: &str) -> Result<Pdf, Vec<Diagnostic>> {
    let world = PlanWorld::new(source);
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
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("ctg".into())),
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&document, &options).map_err(|e| to_diags(&e))?;
        Ok(Pdf { document, bytes })
    }));
    result.unwrap_or_else(|_| {
        Err(
            vec![Diagnostic::error("erreur interne du compilateur Typst").in_file(&file).hint(
            "le document généré est conservé pour examen ; signalez ce problème avec vos fichiers",
        )],
        )
    })
}

fn typst_diagnostic(world: &PlanWorld, file: &SourceFile, e: &SourceDiagnostic) -> Diagnostic {
    let mut d = Diagnostic::error(format!("erreur Typst : {}", e.message));
    if let Some(range) = world.range(e.span) {
        d = d.at(file, range);
    } else {
        d = d.in_file(file);
    }
    let hints: Vec<&str> = e.hints.iter().map(|h| h.v.as_str()).collect();
    if !hints.is_empty() {
        d = d.hint(hints.join(" ; "));
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
