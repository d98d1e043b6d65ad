//! Bounds on what reading a workbook may cost: a few kilobytes of a crafted
//! or damaged file must not make the reader ask for gigabytes. Before the
//! spreadsheet reader (calamine) touches an archive, each XML part it will
//! read is inflated here into nothing, its size counted, and the parts whose
//! contents calamine keeps in memory (shared strings, styles, an OpenDocument
//! worksheet's repeated cells) are scanned for what calamine would allocate.
//!
//! The limits are far above any follow-up workbook (a few hundred rows, a
//! dozen columns, a few hundred kilobytes) and low enough that the reading
//! stays within about a hundred megabytes.
//!
//! The parts of an Excel archive are checked in [`xlsx`], those of an
//! OpenDocument one in [`ods`]; what both share, the measure of a part and
//! XML read as calamine reads it, is here.

mod ods;
mod xlsx;

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek};

use quick_xml::Reader as XmlReader;
use quick_xml::events::BytesStart;

use super::damage::{Damage, Spot};
use crate::diag::Diagnostic;
use crate::french::french_size;
use ods::check_ods;
use xlsx::check_xlsx;

/// What reading one workbook may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// A part that holds cells (a worksheet, the shared strings, an
    /// OpenDocument's `content.xml`), inflated.
    pub worksheet_part: u64,
    /// Any other part read (workbook, relationships, styles, theme,
    /// manifest), inflated: calamine keeps most of them in memory, as
    /// structures several times their size.
    pub other_part: u64,
    /// All the parts read, inflated.
    pub total: u64,
    /// Entries of the archive.
    pub entries: usize,
    /// Sheets of the workbook.
    pub worksheets: usize,
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
    /// A worksheet saved as CSV, in bytes.
    pub csv: u64,
}

/// The limits of `ctg suivi import`. Sizes are counted as the web counts
/// them (1 Mo = 1 000 000 octets), as the messages show them.
pub(crate) const LIMITS: Limits = Limits {
    worksheet_part: 32_000_000,
    other_part: 4_000_000,
    total: 64_000_000,
    entries: 10_000,
    worksheets: 256,
    // Far beyond a follow-up worksheet, and well inside what a spreadsheet can
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

/// What to do with a worksheet that declares too many cells.
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
    /// Beyond the cells or the text a workbook may have: a worksheet that goes
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

/// Measures the XML parts not measured yet, within the limit of a worksheet:
/// should a crafted archive make calamine read a part that the checks of
/// its format did not foresee, it is measured all the same (the images,
/// never read, are still left out).
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
    let big = parts.limits.worksheet_part;
    for name in names {
        parts.size(archive, &name, big)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Excel archive whose workbook names the worksheets `worksheets` (each a
    /// part of so many bytes), with `more` parts (name, bytes).
    fn archive_of(worksheets: &[usize], more: &[(&str, usize)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut put = |name: &str, data: &[u8]| {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(data).unwrap();
        };
        put("_rels/.rels", br#"<Relationships><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        let rels: String = (0..worksheets.len())
            .map(|i| format!(r#"<Relationship Id="r{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
            .collect();
        put(
            "xl/_rels/workbook.xml.rels",
            format!("<Relationships>{rels}</Relationships>").as_bytes(),
        );
        put("xl/workbook.xml", b"<workbook/>");
        for (i, size) in worksheets.iter().enumerate() {
            put(&format!("xl/worksheets/sheet{i}.xml"), &vec![b' '; *size]);
        }
        for (name, size) in more {
            put(name, &vec![b'x'; *size]);
        }
        out.finish().unwrap().into_inner()
    }

    fn checked(bytes: Vec<u8>) -> Result<(), String> {
        let limits = Limits {
            worksheet_part: 10_000,
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
        // within the limit of a worksheet.
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
