//! Bounds on what reading a workbook may cost: a few kilobytes of a crafted
//! or damaged file must not make the reader ask for gigabytes. Before the
//! spreadsheet reader (calamine) touches an archive, each XML part it will
//! read is inflated here into nothing, its size counted, and the parts whose
//! contents calamine keeps in memory (shared strings, styles, an OpenDocument
//! sheet's repeated cells) are scanned for what calamine would allocate.
//!
//! The limits are far above any follow-up workbook (a few hundred rows, a
//! dozen columns, a few hundred kilobytes) and low enough that the reading
//! stays within about a hundred megabytes.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek};

use quick_xml::Reader as XmlReader;
use quick_xml::events::{BytesStart, Event};

use super::damage::{Damage, Spot};
use crate::diag::Diagnostic;
use crate::french::french_size;

/// What reading one workbook may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// A part that holds cells (a worksheet, the shared strings, an
    /// OpenDocument's `content.xml`), inflated.
    pub sheet_part: u64,
    /// Any other part read (workbook, relationships, styles, theme,
    /// manifest), inflated: calamine keeps most of them in memory, as
    /// structures several times their size.
    pub other_part: u64,
    /// All the parts read, inflated.
    pub total: u64,
    /// Entries of the archive.
    pub entries: usize,
    /// Sheets of the workbook.
    pub sheets: usize,
    /// Rows and columns where a cell may stand (0-based bounds, exclusive).
    pub rows: u32,
    pub columns: u32,
    /// Cells kept in memory for the whole workbook: calamine's for an
    /// OpenDocument file (each repeated cell counts), ours for any format.
    pub cells: usize,
    /// Bytes of text kept in memory for the whole workbook.
    pub text: usize,
    /// What calamine's table of cell styles may take, in bytes.
    pub styles: usize,
    /// A sheet saved as CSV, in bytes.
    pub csv: u64,
}

/// The limits of `ctg suivi import`. Sizes are counted as the web counts
/// them (1 Mo = 1 000 000 octets), as the messages show them.
pub(crate) const LIMITS: Limits = Limits {
    sheet_part: 32_000_000,
    other_part: 4_000_000,
    total: 64_000_000,
    entries: 10_000,
    sheets: 256,
    // Far beyond a follow-up sheet, and well inside what a spreadsheet can
    // hold: a cell out there is a stray value, or a crafted file.
    rows: 100_000,
    columns: 1_024,
    cells: 500_000,
    text: 16_000_000,
    styles: 16_000_000,
    // The CSV reader keeps one position per field of a record: eight bytes
    // for each comma of a line.
    csv: 8_000_000,
};

/// The archive formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archive {
    Xlsx,
    Ods,
}

impl Archive {
    fn what(self) -> &'static str {
        match self {
            Archive::Xlsx => "Excel",
            Archive::Ods => "OpenDocument",
        }
    }
}

/// A number as French writes it: `96 000 000`, thousands separated by a
/// narrow no-break space.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(d);
    }
    out
}

/// What to do with a file refused for its size: it is no workbook as
/// exported and filled, and another copy of it is the way out.
const TOO_BIG_HINT: &str = "un classeur de suivi rempli pèse quelques centaines de kilo-octets : ce fichier est abîmé ou fabriqué (une « bombe » de compression, par exemple) ; demandez au partenaire de renvoyer son classeur, ou recopiez ses saisies dans un classeur écrit par `ctg suivi export`";

/// What to do with a sheet that declares too many cells.
pub(crate) const TOO_MANY_CELLS_HINT: &str = "le tableau se prolonge sans doute par une valeur ou une mise en forme recopiée sur des lignes ou des colonnes entières : supprimez les lignes et les colonnes au-delà du tableau (ou recopiez le tableau dans un classeur neuf), enregistrez, puis relancez l'import";

/// Checks the archive `reader` before calamine opens it: the size of every
/// part calamine reads, and for the parts it keeps in memory, what it would
/// allocate. Media (images, embedded files) are never read, and not counted.
pub(crate) fn check_archive<R: Read + Seek>(
    name: &str,
    reader: R,
    format: Archive,
    limits: &Limits,
) -> Result<(), Diagnostic> {
    let what = format.what();
    let mut archive = zip_calamine::ZipArchive::new(reader)
        .map_err(|e| Damage::of_zip(e).diagnostic(name, what, None))?;
    if archive.len() > limits.entries {
        return Err(Diagnostic::error(format!(
            "`{name}` : l'archive du classeur a {} parties, au-delà des {} qu'un classeur de suivi peut avoir",
            grouped(archive.len() as u64),
            grouped(limits.entries as u64)
        ))
        .hint(TOO_BIG_HINT));
    }
    let mut parts = Parts {
        name,
        what,
        excel: format == Archive::Xlsx,
        limits,
        index: HashMap::new(),
        measured: Vec::new(),
        total: 0,
    };
    for i in 0..archive.len() {
        let Some(Ok(entry)) = archive.name_for_index(i) else {
            continue;
        };
        // calamine finds an Excel part whatever its case and slashes.
        let key = match format {
            Archive::Xlsx => normalised(&entry),
            Archive::Ods => entry.to_string(),
        };
        parts.index.entry(key).or_insert_with(Vec::new).push(i);
    }
    match format {
        Archive::Xlsx => check_xlsx(&mut archive, &mut parts),
        Archive::Ods => check_ods(&mut archive, &mut parts),
    }
}

/// A part's name as calamine looks it up in an Excel archive.
fn normalised(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// The parts measured so far.
struct Parts<'a> {
    name: &'a str,
    what: &'a str,
    /// Whether names are compared as calamine compares an Excel archive's.
    excel: bool,
    limits: &'a Limits,
    /// The entries of each name (names that differ only by case or slashes
    /// are one for calamine).
    index: HashMap<String, Vec<usize>>,
    measured: Vec<String>,
    total: u64,
}

impl Parts<'_> {
    /// Inflates each entry named `part` (none when the archive has none)
    /// into nothing, at most `limit + 1` bytes of it, and refuses the part
    /// beyond `limit`, the archive beyond its total; then, within them,
    /// reads it again through `scan`, if any. (One pass would do, but the
    /// XML reader keeps a whole text in memory: a text of gigabytes must be
    /// refused by its size first.) The scan's findings, one per entry.
    fn measure<R: Read + Seek, T>(
        &mut self,
        archive: &mut zip_calamine::ZipArchive<R>,
        part: &str,
        limit: u64,
        mut scan: Option<impl FnMut(&mut dyn BufRead) -> Result<T, Stop>>,
    ) -> Result<Vec<T>, Diagnostic> {
        let key = if self.excel {
            normalised(part)
        } else {
            part.to_string()
        };
        if self.measured.contains(&key) {
            return Ok(Vec::new());
        }
        self.measured.push(key.clone());
        let spot = Spot::Part(part.to_string());
        let broken = |damage: Damage| damage.diagnostic(self.name, self.what, Some(&spot));
        let mut found = Vec::new();
        for i in self.index.get(&key).cloned().unwrap_or_default() {
            let entry = archive.by_index(i).map_err(|e| broken(Damage::of_zip(e)))?;
            let bytes = io::copy(&mut entry.take(limit + 1), &mut io::sink())
                .map_err(|e| broken(Damage::of_io(e)))?;
            if bytes > limit {
                return Err(Diagnostic::error(format!(
                    "`{}` : la partie {part} du classeur dépasse {} une fois décompressée",
                    self.name,
                    french_size(limit as usize)
                ))
                .hint(TOO_BIG_HINT));
            }
            self.total += bytes;
            if self.total > self.limits.total {
                return Err(Diagnostic::error(format!(
                    "`{}` : les parties du classeur dépassent {} une fois décompressées",
                    self.name,
                    french_size(self.limits.total as usize)
                ))
                .hint(TOO_BIG_HINT));
            }
            let Some(scan) = scan.as_mut() else {
                continue;
            };
            let entry = archive.by_index(i).map_err(|e| broken(Damage::of_zip(e)))?;
            let mut input = BufReader::new(entry.take(limit + 1));
            found.push(scan(&mut input).map_err(|stop| {
                match stop {
                    // A scan refuses with a message of its own, or stops on
                    // what calamine would not read either.
                    Stop::RefusedCells(message) => {
                        Diagnostic::error(format!("`{}` : {message}", self.name))
                            .hint(TOO_MANY_CELLS_HINT)
                    }
                    Stop::Refused(message) => {
                        Diagnostic::error(format!("`{}` : {message}", self.name)).hint(TOO_BIG_HINT)
                    }
                    Stop::Damaged(damage) => broken(damage),
                }
            })?);
        }
        Ok(found)
    }

    /// Measures the part `part`, which needs no scan: calamine reads it as
    /// it goes, or keeps little of it.
    fn size<R: Read + Seek>(
        &mut self,
        archive: &mut zip_calamine::ZipArchive<R>,
        part: &str,
        limit: u64,
    ) -> Result<(), Diagnostic> {
        let none: Option<fn(&mut dyn BufRead) -> Result<(), Stop>> = None;
        self.measure(archive, part, limit, none).map(drop)
    }
}

/// Why a scan stopped.
#[derive(Debug)]
enum Stop {
    /// Beyond a limit, said by the message: a file that is no follow-up
    /// workbook.
    Refused(String),
    /// Beyond the cells or the text a workbook may have: a sheet that goes
    /// on beyond its table.
    RefusedCells(String),
    /// What calamine would not read either.
    Damaged(Damage),
}

impl From<quick_xml::Error> for Stop {
    fn from(e: quick_xml::Error) -> Self {
        Stop::Damaged(Damage::of_xml(&e))
    }
}

/// An XML reader set up as calamine sets up its own: empty elements as a
/// start and an end, names of ends not checked, text kept as it is.
fn xml(input: &mut dyn BufRead) -> XmlReader<&mut dyn BufRead> {
    let mut reader = XmlReader::from_reader(input);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    reader
}

/// The attributes of an element, as calamine reads them: malformed ones
/// left out, repeated ones kept.
fn attributes<'a>(
    e: &'a BytesStart<'_>,
) -> impl Iterator<Item = quick_xml::events::attributes::Attribute<'a>> {
    let mut all = e.attributes();
    all.with_checks(false);
    all.flatten()
}

/// The value of the attribute `key` (qualified name, as calamine matches
/// it), unescaped; the first one when repeated.
fn attribute(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    attributes(e).find(|a| a.key.as_ref() == key).map(|a| {
        let raw = String::from_utf8_lossy(&a.value).into_owned();
        quick_xml::escape::unescape(&raw)
            .map(|s| s.into_owned())
            .unwrap_or(raw)
    })
}

/// The same, matched on the local name (`r:id` and `id` alike).
fn local_attribute(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    attributes(e)
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The bytes of all the attribute values of an element: an upper bound of
/// the text calamine takes from it.
fn attributes_len(e: &BytesStart<'_>) -> usize {
    attributes(e).map(|a| a.value.len()).sum()
}

// ---------------------------------------------------------------------------
// Excel.

/// The parts calamine reads when it opens an Excel workbook, and each sheet
/// when it is read: the package relationships, which name the workbook; the
/// workbook's relationships, which name its sheets; the workbook, the
/// shared strings, the styles and the theme. Relationships, workbook and
/// theme are only measured; the shared strings and the styles are scanned;
/// the sheets are streamed cell by cell later, within the limits of cells
/// and text.
fn check_xlsx<R: Read + Seek>(
    archive: &mut zip_calamine::ZipArchive<R>,
    parts: &mut Parts<'_>,
) -> Result<(), Diagnostic> {
    let small = parts.limits.other_part;
    let big = parts.limits.sheet_part;
    let package = parts.measure(archive, "_rels/.rels", small, Some(relationships))?;
    // As calamine: the office document's folder and name, else xl/workbook.xml.
    let (mut folder, mut workbook) = ("xl/".to_string(), "workbook.xml".to_string());
    if let Some(target) = package
        .iter()
        .flatten()
        .filter(|(kind, _)| kind.ends_with("/relationships/officeDocument"))
        .map(|(_, target)| target)
        .next_back()
    {
        // calamine unescapes this target (and no other).
        let target = quick_xml::escape::unescape(target)
            .map(|t| t.into_owned())
            .unwrap_or_else(|_| target.clone());
        let (dir, name) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        folder = dir.strip_prefix('/').unwrap_or(dir).to_string();
        if !name.is_empty() {
            workbook = name.to_string();
        }
    }
    let rels = parts.measure(
        archive,
        &format!("{folder}_rels/{workbook}.rels"),
        small,
        Some(relationships),
    )?;
    parts.size(archive, &format!("{folder}{workbook}"), small)?;
    let limits = *parts.limits;
    parts.measure(
        archive,
        &format!("{folder}styles.xml"),
        small,
        Some(|input: &mut dyn BufRead| styles(input, &limits)),
    )?;
    parts.size(archive, &format!("{folder}theme/theme1.xml"), small)?;
    parts.measure(
        archive,
        &format!("{folder}sharedStrings.xml"),
        big,
        Some(|input: &mut dyn BufRead| shared_strings(input, &limits)),
    )?;
    for (kind, target) in rels.into_iter().flatten() {
        let sheet = ["worksheet", "chartsheet", "dialogsheet"]
            .iter()
            .any(|k| kind.rsplit('/').next() == Some(k));
        if sheet {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{folder}{target}"),
            };
            parts.size(archive, &path, big)?;
        }
    }
    every_xml_part(archive, parts)
}

/// Measures the XML parts not measured yet, within the limit of a sheet:
/// should a crafted archive make calamine read a part that the steps above
/// did not foresee, it is measured all the same (the images, never read,
/// are still left out).
fn every_xml_part<R: Read + Seek>(
    archive: &mut zip_calamine::ZipArchive<R>,
    parts: &mut Parts<'_>,
) -> Result<(), Diagnostic> {
    let mut names: Vec<String> = parts
        .index
        .keys()
        .filter(|name| {
            let lower = name.to_ascii_lowercase();
            lower.ends_with(".xml") || lower.ends_with(".rels")
        })
        .cloned()
        .collect();
    names.sort();
    let big = parts.limits.sheet_part;
    for name in names {
        parts.size(archive, &name, big)?;
    }
    Ok(())
}

/// The relationships of a `.rels` part: type and target of each.
fn relationships(input: &mut dyn BufRead) -> Result<Vec<(String, String)>, Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let kind = local_attribute(&e, b"Type").unwrap_or_default();
                let target = local_attribute(&e, b"Target").unwrap_or_default();
                found.push((kind, target));
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
        buf.clear();
    }
}

/// The shared strings: calamine reserves room for as many as the part
/// declares, then keeps each one.
fn shared_strings(input: &mut dyn BufRead, limits: &Limits) -> Result<(), Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    let mut strings: u64 = 0;
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"sst" => {
                let declared = local_attribute(&e, b"uniqueCount")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                if declared > limits.cells as u64 {
                    return Err(Stop::Refused(format!(
                        "la partie des textes du classeur en annonce {}, au-delà des {} qu'un classeur de suivi peut avoir",
                        grouped(declared),
                        grouped(limits.cells as u64)
                    )));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                strings += 1;
                if strings > limits.cells as u64 {
                    return Err(Stop::Refused(format!(
                        "la partie des textes du classeur en a plus de {}, au-delà de ce qu'un classeur de suivi peut avoir",
                        grouped(limits.cells as u64)
                    )));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The styles: calamine keeps one style per cell format (`xf`), each with a
/// copy of its font (and the font's name) and of its number format's code.
/// What that takes is added up from the part, the copies included.
fn styles(input: &mut dyn BufRead, limits: &Limits) -> Result<(), Stop> {
    let style = std::mem::size_of::<calamine::Style>() + 16;
    let font = std::mem::size_of::<calamine::Font>();
    let mut reader = xml(input);
    let mut buf = Vec::new();
    // The text of each font (its name), of each number format's code.
    let mut fonts: Vec<usize> = Vec::new();
    let mut in_fonts = false;
    let mut in_font = false;
    let mut codes: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut in_cell_formats = false;
    let mut bytes: usize = 0;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"fonts" => in_fonts = true,
                b"font" if in_fonts => {
                    in_font = true;
                    fonts.push(0);
                    bytes = bytes.saturating_add(font);
                }
                b"numFmt" => {
                    let id = local_attribute(&e, b"numFmtId").unwrap_or_default();
                    let code = attributes_len(&e);
                    codes.insert(id.into_bytes(), code);
                    bytes = bytes.saturating_add(code + 32);
                }
                b"cellXfs" => in_cell_formats = true,
                b"xf" if in_cell_formats => {
                    let font_text = local_attribute(&e, b"fontId")
                        .and_then(|id| id.parse::<usize>().ok())
                        .and_then(|id| fonts.get(id).copied())
                        .unwrap_or(0);
                    let code = local_attribute(&e, b"numFmtId")
                        .map(|id| codes.get(id.as_bytes()).copied().unwrap_or(64))
                        .unwrap_or(0);
                    bytes = bytes.saturating_add(style + font_text + code);
                }
                _ if in_font => {
                    let n = attributes_len(&e);
                    if let Some(last) = fonts.last_mut() {
                        *last += n;
                    }
                    bytes = bytes.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"fonts" => in_fonts = false,
                b"font" => in_font = false,
                b"cellXfs" => in_cell_formats = false,
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        if bytes > limits.styles {
            return Err(Stop::Refused(format!(
                "les styles du classeur demanderaient plus de {} en mémoire, au-delà de ce qu'un classeur de suivi peut demander",
                french_size(limits.styles)
            )));
        }
        buf.clear();
    }
}

// ---------------------------------------------------------------------------
// OpenDocument.

/// The parts calamine reads when it opens an OpenDocument workbook: the
/// manifest, scanned for a password, and `content.xml`, where calamine
/// builds every sheet at once, scanned. (It reads `meta.xml` within a limit
/// of its own, and the first bytes of `mimetype` only.)
fn check_ods<R: Read + Seek>(
    archive: &mut zip_calamine::ZipArchive<R>,
    parts: &mut Parts<'_>,
) -> Result<(), Diagnostic> {
    let small = parts.limits.other_part;
    let big = parts.limits.sheet_part;
    parts.measure(archive, "META-INF/manifest.xml", small, Some(manifest))?;
    let limits = *parts.limits;
    parts.measure(
        archive,
        "content.xml",
        big,
        Some(|input: &mut dyn BufRead| OdsScan::new(&limits).content(input)),
    )?;
    every_xml_part(archive, parts)
}

/// The manifest of an OpenDocument file: a workbook encrypted with a
/// password says so there, and its `content.xml` is no XML until decrypted.
fn manifest(input: &mut dyn BufRead) -> Result<(), Stop> {
    let mut reader = xml(input);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"encryption-data" => {
                return Err(Stop::Damaged(Damage::Password));
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Calamine's own bounds on a sheet: it caps repeated rows and columns there.
const ODS_MAX_ROWS: usize = 1_048_576;
const ODS_MAX_COLUMNS: usize = 16_384;

/// What calamine builds of `content.xml`, counted as it builds it (its
/// `read_table`, `read_row`, `get_datatype` and `get_range`): each row as
/// read, empty cells at the end of a row left out; then the smallest
/// rectangle around the cells that hold something, where each row is
/// repeated as many times as it says, and the empty rows between two
/// others too (but not the empty rows after the last one, nor before the
/// first: what LibreOffice writes below a sheet costs nothing). Values and
/// formulas are two such rectangles; each cell of text holds a copy of its
/// text.
struct OdsScan<'a> {
    limits: &'a Limits,
    /// Cells and bytes of text counted so far, for the whole workbook.
    cells: usize,
    text: usize,
    tables: usize,
}

/// One cell as calamine reads it.
struct OdsCell {
    value: bool,
    value_text: usize,
    formula: usize,
    /// Whether calamine read its content (the cell's end is behind).
    closed: bool,
}

/// The smallest rectangle around the cells that hold something, over the
/// rows of a sheet, as `get_range` builds it.
#[derive(Default)]
struct Rectangle {
    /// Row elements read.
    rows: usize,
    first_row: Option<usize>,
    first_col: usize,
    last_col: usize,
    /// Since the first row that holds something: row elements, rows once
    /// repeated, bytes of text once repeated; and the same up to the last
    /// row that holds something.
    elements: usize,
    repeated: usize,
    text: usize,
    kept: (usize, usize, usize),
}

impl Rectangle {
    /// A row repeated `repeats` times, whose cells that hold something go
    /// from `span.0` to `span.1` and hold `text` bytes.
    fn row(&mut self, repeats: usize, span: Option<(usize, usize)>, text: usize) {
        if let Some((first, last)) = span {
            if self.first_row.is_none() {
                self.first_row = Some(self.rows);
                self.first_col = first;
                self.last_col = last;
            }
            self.first_col = self.first_col.min(first);
            self.last_col = self.last_col.max(last);
        }
        self.rows += 1;
        if self.first_row.is_some() {
            self.elements += 1;
            self.repeated = self.repeated.saturating_add(repeats);
            self.text = self.text.saturating_add(repeats.saturating_mul(text));
        }
        if span.is_some() {
            self.kept = (self.elements, self.repeated, self.text);
        }
    }

    /// Cells the rectangle takes (the room reserved first, or the cells
    /// written, whichever is more), and its bytes of text.
    fn size(&self) -> (usize, usize) {
        if self.first_row.is_none() {
            return (0, 0);
        }
        let width = self.last_col + 1 - self.first_col;
        let (elements, repeated, text) = self.kept;
        (elements.max(repeated).saturating_mul(width), text)
    }
}

impl<'a> OdsScan<'a> {
    fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            cells: 0,
            text: 0,
            tables: 0,
        }
    }

    fn content(mut self, input: &mut dyn BufRead) -> Result<(), Stop> {
        let mut reader = xml(input);
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match event {
                Event::Start(e) if e.name().as_ref() == b"table:table" => {
                    // calamine reads the tables that have a name.
                    if let Some(name) = attribute(&e, b"table:name") {
                        self.tables += 1;
                        if self.tables > self.limits.sheets {
                            return Err(Stop::Refused(format!(
                                "le classeur a plus de {} feuilles, au-delà de ce qu'un classeur de suivi peut avoir",
                                self.limits.sheets
                            )));
                        }
                        self.table(&mut reader, &name)?;
                    }
                }
                // Each style that tells whether a sheet shows is kept, and
                // each named range: counted as a cell and its text.
                Event::Start(e)
                    if matches!(
                        e.name().as_ref(),
                        b"style:table-properties"
                            | b"style:style"
                            | b"table:named-range"
                            | b"table:named-expression"
                    ) =>
                {
                    self.cells += 1;
                    self.text = self.text.saturating_add(attributes_len(&e));
                    self.check_totals(None)?;
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    /// Refuses the workbook once its cells or its text go beyond the
    /// limits, naming the sheet being read.
    fn check_totals(&self, sheet: Option<(&str, usize)>) -> Result<(), Stop> {
        let place = match sheet {
            Some((name, _)) => format!("la feuille « {name} »"),
            None => "le classeur".to_string(),
        };
        if self.cells > self.limits.cells {
            let cells = match sheet {
                Some((_, cells)) => format!("{} cellules", grouped(cells as u64)),
                None => format!("plus de {} cellules", grouped(self.limits.cells as u64)),
            };
            return Err(Stop::RefusedCells(format!(
                "{place} ferait lire {cells} (lignes et colonnes répétées comprises), au-delà des {} qu'un classeur de suivi peut avoir",
                grouped(self.limits.cells as u64)
            )));
        }
        if self.text > self.limits.text {
            return Err(Stop::RefusedCells(format!(
                "{place} ferait lire plus de {} de texte (cellules répétées comprises), au-delà de ce qu'un classeur de suivi peut avoir",
                french_size(self.limits.text)
            )));
        }
        Ok(())
    }

    /// A sheet, up to its end: each row as read, then its two rectangles.
    fn table(&mut self, reader: &mut XmlReader<&mut dyn BufRead>, name: &str) -> Result<(), Stop> {
        let mut buf = Vec::new();
        let mut values = Rectangle::default();
        let mut formulas = Rectangle::default();
        let mut total_rows: usize = 0;
        // Cells and text as rows are read: each cell costs a value and a
        // formula (an empty string), and the vectors may take twice what
        // they hold.
        let mut read_cells: usize = 0;
        let mut read_text: usize = 0;
        let before = (self.cells, self.text);
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match event {
                Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                    let repeats = attribute(&e, b"table:number-rows-repeated")
                        .and_then(|n| n.parse::<usize>().ok())
                        .unwrap_or(1);
                    let repeats = repeats.min(ODS_MAX_ROWS.saturating_sub(total_rows));
                    total_rows = total_rows.saturating_add(repeats);
                    let row = row(reader)?;
                    read_cells = read_cells.saturating_add(row.cells + 1);
                    read_text = read_text.saturating_add(row.value_text + row.formula_text);
                    values.row(repeats, row.values, row.value_text);
                    formulas.row(repeats, row.formulas, row.formula_text);
                    let (value_cells, value_text) = values.size();
                    let (formula_cells, formula_text) = formulas.size();
                    // The rectangle of values is copied once more when the
                    // sheet is asked for.
                    let cells = read_cells
                        .saturating_mul(4)
                        .saturating_add(value_cells.saturating_mul(2))
                        .saturating_add(formula_cells);
                    self.cells = before.0.saturating_add(cells);
                    self.text = before
                        .1
                        .saturating_add(read_text)
                        .saturating_add(value_text.saturating_mul(2))
                        .saturating_add(formula_text);
                    if self.cells > self.limits.cells || self.text > self.limits.text {
                        // The rest of the sheet is counted for the message:
                        // nothing is kept of it.
                        let cells = rest_of_table(
                            reader,
                            [&mut values, &mut formulas],
                            read_cells,
                            &mut total_rows,
                        )?;
                        return self.check_totals(Some((name, cells)));
                    }
                }
                Event::End(e) if e.name().as_ref() == b"table:table" => return Ok(()),
                // calamine would read on for ever past the end of a sheet
                // that does not close.
                Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
                _ => {}
            }
            buf.clear();
        }
    }
}

/// A row as calamine reads it.
#[derive(Default)]
struct OdsRow {
    /// Cells kept (the empty ones at the end left out).
    cells: usize,
    /// The first and last cells that hold a value, a formula.
    values: Option<(usize, usize)>,
    formulas: Option<(usize, usize)>,
    value_text: usize,
    formula_text: usize,
}

/// Reads a row up to its end, as `read_row`: an empty cell is kept only
/// when a cell that holds something follows it; a cell is repeated as many
/// times as it says, up to calamine's last column.
fn row(reader: &mut XmlReader<&mut dyn BufRead>) -> Result<OdsRow, Stop> {
    let mut row = OdsRow::default();
    let mut empty_pending: usize = 0;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) =>
            {
                let element = e.name().as_ref().to_vec();
                let repeats = attribute(&e, b"table:number-columns-repeated")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                let cell = cell(reader, &e)?;
                let empties = empty_pending.min(ODS_MAX_COLUMNS.saturating_sub(row.cells));
                row.cells += empties;
                empty_pending = 0;
                let repeats = repeats.min(ODS_MAX_COLUMNS.saturating_sub(row.cells));
                if !cell.value && cell.formula == 0 {
                    empty_pending = repeats;
                } else if repeats > 0 {
                    let (first, last) = (row.cells, row.cells + repeats - 1);
                    if cell.value {
                        row.values = Some(row.values.map_or((first, last), |(f, _)| (f, last)));
                    }
                    if cell.formula > 0 {
                        row.formulas = Some(row.formulas.map_or((first, last), |(f, _)| (f, last)));
                    }
                    row.value_text = row
                        .value_text
                        .saturating_add(repeats.saturating_mul(cell.value_text));
                    row.formula_text = row
                        .formula_text
                        .saturating_add(repeats.saturating_mul(cell.formula));
                    row.cells += repeats;
                }
                if !cell.closed {
                    skip(reader, &element)?;
                }
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => return Ok(row),
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            // calamine stops on anything else here; counting on is safe.
            _ => {}
        }
        buf.clear();
    }
}

/// A cell as `get_datatype` reads it: its value from its attributes, or
/// for text without a value attribute, from its paragraphs (each `text:s`
/// counting its spaces).
fn cell(reader: &mut XmlReader<&mut dyn BufRead>, e: &BytesStart<'_>) -> Result<OdsCell, Stop> {
    let mut cell = OdsCell {
        value: false,
        value_text: 0,
        formula: 0,
        closed: false,
    };
    let (mut is_string, mut is_error, mut empty_string) = (false, false, false);
    for a in attributes(e) {
        let len = a.value.len();
        match a.key.as_ref() {
            b"office:value" | b"office:boolean-value" if !cell.value => cell.value = true,
            key @ (b"office:string-value" | b"office:date-value" | b"office:time-value")
                if !cell.value =>
            {
                cell.value = true;
                cell.value_text = len;
                empty_string = key == b"office:string-value" && len == 0;
            }
            b"office:value-type" if !cell.value => is_string = a.value.as_ref() == b"string",
            b"calcext:value-type" => is_error = a.value.as_ref() == b"error",
            b"table:formula" => cell.formula = len,
            _ => {}
        }
    }
    if !((!cell.value && is_string) || (is_error && empty_string)) {
        return Ok(cell);
    }
    cell.value = true;
    cell.closed = true;
    let mut buf = Vec::new();
    let mut text: usize = 0;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Text(t) => text = text.saturating_add(t.len()),
            Event::GeneralRef(_) => text = text.saturating_add(4),
            Event::End(e)
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) =>
            {
                cell.value_text = text;
                return Ok(cell);
            }
            Event::Start(e) if e.name().as_ref() == b"office:annotation" => {
                // calamine would read on for ever past the end of a note
                // that does not close.
                skip(reader, b"office:annotation")?;
            }
            Event::Start(e) if e.name().as_ref() == b"text:s" => {
                let spaces = attribute(&e, b"text:c")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                text = text.saturating_add(spaces);
            }
            Event::Start(_) => text = text.saturating_add(1),
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            _ => {}
        }
        buf.clear();
    }
}

/// Reads up to the end of the element `name` just started, nested ones of
/// the same name included.
fn skip(reader: &mut XmlReader<&mut dyn BufRead>, name: &[u8]) -> Result<(), Stop> {
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.name().as_ref() == name => depth += 1,
            Event::End(e) if e.name().as_ref() == name => {
                if depth == 0 {
                    return Ok(());
                }
                depth -= 1;
            }
            Event::Eof => return Err(Stop::Damaged(Damage::BadXml)),
            _ => {}
        }
        buf.clear();
    }
}

/// Counts the rest of a sheet refused, for its message: the cells of its
/// larger rectangle, or those of its rows as read if more.
fn rest_of_table(
    reader: &mut XmlReader<&mut dyn BufRead>,
    [values, formulas]: [&mut Rectangle; 2],
    mut read_cells: usize,
    total_rows: &mut usize,
) -> Result<usize, Stop> {
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                let repeats = attribute(&e, b"table:number-rows-repeated")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1)
                    .min(ODS_MAX_ROWS.saturating_sub(*total_rows));
                *total_rows = total_rows.saturating_add(repeats);
                let row = row(reader)?;
                read_cells = read_cells.saturating_add(row.cells);
                values.row(repeats, row.values, row.value_text);
                formulas.row(repeats, row.formulas, row.formula_text);
            }
            Event::End(e) if e.name().as_ref() == b"table:table" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(values.size().0.max(formulas.size().0).max(read_cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells and text calamine would keep of `content`.
    fn scanned(content: &str) -> Result<(usize, usize), String> {
        let mut scan = OdsScan::new(&LIMITS);
        let mut input = content.as_bytes();
        let mut reader = xml(&mut input);
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).unwrap() {
                Event::Start(e) if e.name().as_ref() == b"table:table" => {
                    scan.table(&mut reader, "Feuille1")
                        .map_err(|stop| match stop {
                            Stop::Refused(message) | Stop::RefusedCells(message) => message,
                            Stop::Damaged(damage) => format!("{damage:?}"),
                        })?;
                }
                Event::Eof => return Ok((scan.cells, scan.text)),
                _ => {}
            }
            buf.clear();
        }
    }

    #[test]
    fn empty_rows_written_below_a_sheet_cost_nothing() {
        // What LibreOffice writes below the last row of a sheet.
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        let (cells, text) = scanned(content).unwrap();
        // Two rows read (each counts one), one cell kept, four times for what
        // reading them takes; the one-cell rectangle twice.
        assert_eq!((cells, text), (3 * 4 + 2, 0));
    }

    #[test]
    fn repeated_cells_are_counted_as_calamine_repeats_them() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row table:number-rows-repeated="6000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16000"/></table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>"#;
        let refused = scanned(content).unwrap_err();
        assert!(
            refused
                .contains("la feuille « Feuille1 » ferait lire 96\u{202f}016\u{202f}000 cellules"),
            "{refused}"
        );
        // Empty rows between two rows are repeated too.
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row><table:table-row table:number-rows-repeated="1000"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>"#;
        assert!(scanned(content).is_err());
    }

    #[test]
    fn spaces_of_a_text_are_counted() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="40000000"/></text:p></table:table-cell></table:table-row></table:table>"#;
        let refused = scanned(content).unwrap_err();
        assert!(refused.contains("de texte"), "{refused}");
    }

    #[test]
    fn a_sheet_that_does_not_end_is_refused() {
        let content = r#"<table:table table:name="Feuille1"><table:table-row><table:table-cell/></table:table-row>"#;
        assert!(scanned(content).is_err());
    }

    /// An Excel archive whose workbook names the sheets `sheets` (each a
    /// part of so many bytes), with `more` parts (name, bytes).
    fn archive_of(sheets: &[usize], more: &[(&str, usize)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut put = |name: &str, data: &[u8]| {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(data).unwrap();
        };
        put("_rels/.rels", br#"<Relationships><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        let rels: String = (0..sheets.len())
            .map(|i| format!(r#"<Relationship Id="r{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
            .collect();
        put(
            "xl/_rels/workbook.xml.rels",
            format!("<Relationships>{rels}</Relationships>").as_bytes(),
        );
        put("xl/workbook.xml", b"<workbook/>");
        for (i, size) in sheets.iter().enumerate() {
            put(&format!("xl/worksheets/sheet{i}.xml"), &vec![b' '; *size]);
        }
        for (name, size) in more {
            put(name, &vec![b'x'; *size]);
        }
        out.finish().unwrap().into_inner()
    }

    fn checked(bytes: Vec<u8>) -> Result<(), String> {
        let limits = Limits {
            sheet_part: 10_000,
            other_part: 1_000,
            total: 15_000,
            ..LIMITS
        };
        check_archive(
            "c.xlsx",
            std::io::Cursor::new(bytes),
            Archive::Xlsx,
            &limits,
        )
        .map_err(|d| d.message)
    }

    #[test]
    fn the_parts_read_are_measured_and_the_media_left_out() {
        // An image of 1 Mo is never read; any other XML part is measured
        // within the limit of a sheet.
        assert_eq!(
            checked(archive_of(
                &[9_000],
                &[
                    ("xl/media/image1.png", 1_000_000),
                    ("xl/drawings/drawing1.xml", 4_000)
                ]
            )),
            Ok(())
        );
        assert_eq!(
            checked(archive_of(&[11_000], &[])),
            Err("`c.xlsx` : la partie xl/worksheets/sheet0.xml du classeur dépasse 10 ko une fois décompressée".into())
        );
        assert_eq!(
            checked(archive_of(&[9_000, 9_000], &[])),
            Err("`c.xlsx` : les parties du classeur dépassent 15 ko une fois décompressées".into())
        );
        assert_eq!(
            checked(archive_of(&[], &[("xl/drawings/drawing1.xml", 11_000)])),
            Err("`c.xlsx` : la partie xl/drawings/drawing1.xml du classeur dépasse 10 ko une fois décompressée".into())
        );
        // The styles have a smaller limit: calamine keeps them.
        assert_eq!(
            checked(archive_of(&[], &[("xl/styles.xml", 2_000)])),
            Err(
                "`c.xlsx` : la partie xl/styles.xml du classeur dépasse 1 ko une fois décompressée"
                    .into()
            )
        );
    }

    #[test]
    fn numbers_are_grouped_in_french() {
        assert_eq!(grouped(96_000_000), "96\u{202f}000\u{202f}000");
        assert_eq!(grouped(500), "500");
    }
}
