//! Follow-up by spreadsheet, reading: why a workbook could not be read, in
//! French. The errors of the readers (the zip archive, its XML parts,
//! calamine) are matched here to a sentence that says what is wrong with the
//! file, and a hint that says what to do; their own English words are never
//! shown.

use std::error::Error;
use std::io;

use calamine::{OdsError, XlsxError};
use zip_calamine::result::ZipError;

use super::limits::TOO_MANY_CELLS_HINT;
use crate::diag::Diagnostic;
use crate::read::source::io_message;

/// What is wrong with a workbook that the readers gave up on.
#[derive(Debug)]
pub(crate) enum Damage {
    /// The file is no zip archive: another file under a workbook's name.
    NotAnArchive,
    /// A compound file under the name of an `.xlsx`: an Excel workbook
    /// encrypted with a password, or one of Excel 97-2003 (`.xls`) renamed.
    CompoundFile,
    /// A workbook encrypted with a password.
    Password,
    /// The archive is cut short or damaged (its directory, or a compressed
    /// part that does not inflate).
    BrokenArchive,
    /// The archive is made in a way the reader does not follow (a method of
    /// compression, an archive in several pieces).
    Unsupported,
    /// A part the format requires is missing (its path, when the reader
    /// says it).
    MissingPart(Option<String>),
    /// An XML part cannot be read as XML, or ends too early.
    BadXml,
    /// A text in an encoding the reader does not know.
    Encoding,
    /// A value that the format does not allow: a cell's address, type or
    /// number.
    BadValue,
    /// A worksheet the workbook lists is not in the archive.
    MissingSheet,
    /// An OpenDocument file of another kind: a text, a presentation.
    NotASpreadsheet,
    /// More cells than the reader takes.
    TooManyCells,
    /// The disk would not give the file.
    Io(io::Error),
    /// Anything else.
    Other,
}

/// Where in the workbook the damage is, when known.
#[derive(Debug, Clone)]
pub(crate) enum Spot {
    /// A part of the archive, by its path: `xl/sharedStrings.xml`.
    Part(String),
    /// A worksheet, by its name.
    Sheet(String),
}

/// What to do with a workbook that is damaged: another copy of it, or the
/// spreadsheet's own repair.
const DAMAGED_HINT: &str = "le fichier a été abîmé, ou modifié par un autre programme qu'un tableur : ouvrez-le dans Excel ou LibreOffice (qui propose souvent de le réparer) et enregistrez-le à nouveau, ou demandez au partenaire de renvoyer son classeur";

/// What to do with a workbook made in a way that ctg does not read.
const SAVE_AGAIN_HINT: &str = "ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau au format .xlsx ou .ods, puis relancez l'import";

impl Damage {
    /// The error of the workbook `name`, of the format `what` (« Excel »,
    /// « OpenDocument »), damaged at `spot`.
    pub(crate) fn diagnostic(&self, name: &str, what: &str, spot: Option<&Spot>) -> Diagnostic {
        if let Damage::Io(e) = self {
            return Diagnostic::error(format!(
                "lecture impossible de `{name}` : {}",
                io_message(Some(e))
            ))
            .hint("vérifiez le chemin du fichier et que vous avez le droit de le lire");
        }
        let (reason, hint) = self.reason();
        if let (Damage::MissingSheet, Some(Spot::Sheet(worksheet))) = (self, spot) {
            return Diagnostic::error(format!(
                "`{name}` n'est pas un classeur {what} lisible : feuille « {worksheet} » introuvable : le classeur la déclare, mais l'archive ne la contient pas"
            ))
            .hint(hint);
        }
        let missing = match self {
            Damage::MissingPart(Some(part)) => Some(Spot::Part(part.clone())),
            _ => None,
        };
        let at = match spot.filter(|_| self.has_a_spot()).or(missing.as_ref()) {
            Some(Spot::Part(part)) => format!(" (partie {part})"),
            Some(Spot::Sheet(worksheet)) => format!(" (feuille « {worksheet} »)"),
            None => String::new(),
        };
        Diagnostic::error(format!(
            "`{name}` n'est pas un classeur {what} lisible : {reason}{at}"
        ))
        .hint(hint)
    }

    /// Whether the damage is in one part or worksheet (a password, or a file of
    /// another kind, is the whole file's).
    fn has_a_spot(&self) -> bool {
        !matches!(
            self,
            Damage::NotAnArchive
                | Damage::CompoundFile
                | Damage::Password
                | Damage::NotASpreadsheet
                | Damage::TooManyCells
                | Damage::Io(_)
        )
    }

    /// What is wrong, and what to do.
    fn reason(&self) -> (&'static str, &'static str) {
        match self {
            Damage::NotAnArchive => (
                "ce n'est pas une archive de classeur",
                super::read::ACCEPTED,
            ),
            Damage::CompoundFile => (
                "le classeur est protégé par un mot de passe, ou enregistré au format Excel 97-2003 (.xls)",
                "ouvrez-le dans Excel ou LibreOffice (avec son mot de passe s'il en demande un), puis enregistrez-en une copie au format Classeur Excel (.xlsx) sans mot de passe ; la protection des feuilles, elle, ne gêne pas l'import",
            ),
            Damage::Password => (
                "le classeur est protégé par un mot de passe",
                "ctg ne lit pas un classeur chiffré : ouvrez-le avec son mot de passe et enregistrez-en une copie sans mot de passe (la protection des feuilles, elle, ne gêne pas l'import), puis importez cette copie",
            ),
            Damage::BrokenArchive => (
                "l'archive est abîmée ou incomplète",
                "le fichier a sans doute été abîmé ou tronqué pendant l'envoi ou la copie : demandez au partenaire de renvoyer son classeur, ou, s'il s'ouvre encore dans un tableur, enregistrez-le à nouveau",
            ),
            Damage::Unsupported => (
                "l'archive est compressée d'une manière que ctg ne lit pas",
                SAVE_AGAIN_HINT,
            ),
            Damage::MissingPart(_) => (
                "il manque une partie indispensable au classeur",
                DAMAGED_HINT,
            ),
            Damage::BadXml => (
                "une partie XML du classeur est mal formée ou incomplète",
                DAMAGED_HINT,
            ),
            Damage::Encoding => (
                "un texte du classeur est écrit dans un codage de caractères que ctg ne lit pas",
                SAVE_AGAIN_HINT,
            ),
            Damage::BadValue => (
                "une cellule a une adresse, un type ou une valeur que le format ne prévoit pas",
                DAMAGED_HINT,
            ),
            Damage::MissingSheet => (
                "feuille introuvable : le classeur la déclare, mais l'archive ne la contient pas",
                DAMAGED_HINT,
            ),
            Damage::NotASpreadsheet => (
                "c'est un document OpenDocument, mais pas un classeur (un texte ou une présentation ?)",
                "ouvrez la feuille de suivi dans LibreOffice Calc et enregistrez-la au format .ods",
            ),
            Damage::TooManyCells => (
                "le classeur a plus de cellules qu'un classeur de suivi peut en avoir",
                TOO_MANY_CELLS_HINT,
            ),
            // Said by `diagnostic`.
            Damage::Io(_) => ("", ""),
            Damage::Other => (
                "son contenu n'est pas celui qu'écrit un tableur",
                "ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau ; si le tableur l'ouvre sans erreur et que l'import échoue encore, signalez le problème en joignant le classeur",
            ),
        }
    }

    /// A read of the archive that failed: the disk, or a part cut short, that
    /// does not inflate or whose checksum is wrong (which the zip reader
    /// reports as errors of reading).
    pub(crate) fn of_io(e: io::Error) -> Damage {
        match e.kind() {
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::InvalidData
            | io::ErrorKind::InvalidInput => Damage::BrokenArchive,
            _ => Damage::Io(e),
        }
    }

    pub(crate) fn of_zip(e: ZipError) -> Damage {
        match e {
            ZipError::Io(e) => Damage::of_io(e),
            ZipError::InvalidArchive(_) => Damage::BrokenArchive,
            ZipError::UnsupportedArchive(what) if what == ZipError::PASSWORD_REQUIRED => {
                Damage::Password
            }
            ZipError::InvalidPassword => Damage::Password,
            ZipError::UnsupportedArchive(_) | ZipError::CompressionMethodNotSupported(_) => {
                Damage::Unsupported
            }
            ZipError::FileNotFound => Damage::MissingPart(None),
            _ => Damage::Other,
        }
    }

    /// An error of the XML reader of the scans ([`super::limits`]).
    pub(crate) fn of_xml(e: &quick_xml::Error) -> Damage {
        match e {
            quick_xml::Error::Io(e) => Damage::of_io(io::Error::from(e.kind())),
            quick_xml::Error::Encoding(_) => Damage::Encoding,
            _ => Damage::BadXml,
        }
    }

    pub(crate) fn of_xlsx(e: XlsxError) -> Damage {
        match e {
            XlsxError::Io(e) => Damage::of_io(e),
            XlsxError::Zip(e) => Damage::of_zip(e),
            // calamine's XML reader is not ours: a failed read of a part is
            // found among the causes.
            XlsxError::Xml(e) => read_failure(&e).unwrap_or(Damage::BadXml),
            XlsxError::XmlAttr(_)
            | XlsxError::XmlEof(_)
            | XlsxError::UnexpectedNode(_)
            | XlsxError::Unexpected(_) => Damage::BadXml,
            XlsxError::Parse(_)
            | XlsxError::ParseFloat(_)
            | XlsxError::ParseInt(_)
            | XlsxError::Alphanumeric(_)
            | XlsxError::NumericColumn(_)
            | XlsxError::RangeWithoutColumnComponent
            | XlsxError::RangeWithoutRowComponent
            | XlsxError::ColumnNumberOverflow
            | XlsxError::RowNumberOverflow
            | XlsxError::DimensionCount(_)
            | XlsxError::CellTAttribute(_)
            | XlsxError::Unrecognized { .. }
            | XlsxError::CellError(_) => Damage::BadValue,
            XlsxError::FileNotFound(part) => Damage::MissingPart(Some(part)),
            XlsxError::RelationshipNotFound => Damage::MissingPart(None),
            XlsxError::Password => Damage::Password,
            XlsxError::WorksheetNotFound(_) | XlsxError::NotAWorksheet(_) => Damage::MissingSheet,
            XlsxError::Encoding(_) => Damage::Encoding,
            XlsxError::Vba(_) | XlsxError::TableNotFound(_) | XlsxError::PivotTableNotFound(_) => {
                Damage::Other
            }
        }
    }

    pub(crate) fn of_ods(e: OdsError) -> Damage {
        match e {
            OdsError::Io(e) => Damage::of_io(e),
            OdsError::Zip(e) => Damage::of_zip(e),
            OdsError::Xml(e) => read_failure(&e).unwrap_or(Damage::BadXml),
            OdsError::XmlAttr(_)
            | OdsError::AttrError(_)
            | OdsError::Eof(_)
            | OdsError::Mismatch { .. } => Damage::BadXml,
            OdsError::Parse(_)
            | OdsError::ParseInt(_)
            | OdsError::ParseFloat(_)
            | OdsError::ParseBool(_) => Damage::BadValue,
            OdsError::InvalidMime(_) => Damage::NotASpreadsheet,
            OdsError::FileNotFound(part) => Damage::MissingPart(Some(part.to_string())),
            OdsError::Password => Damage::Password,
            OdsError::WorksheetNotFound(_) => Damage::MissingSheet,
            OdsError::EncodingError(_) => Damage::Encoding,
            OdsError::CellLimitExceeded { .. } => Damage::TooManyCells,
        }
    }
}

/// The failed read of the archive behind an error, if one caused it (the
/// XML readers keep it in an `Arc`).
fn read_failure(e: &(dyn Error + 'static)) -> Option<Damage> {
    let mut cause = Some(e);
    while let Some(e) = cause {
        let io = e
            .downcast_ref::<io::Error>()
            .or_else(|| e.downcast_ref::<std::sync::Arc<io::Error>>().map(|a| &**a));
        if let Some(io) = io {
            return Some(Damage::of_io(io::Error::from(io.kind())));
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(damage: Damage, spot: Option<Spot>) -> String {
        let d = damage.diagnostic("suivi.xlsx", "Excel", spot.as_ref());
        format!("{} — {}", d.message, d.hint.unwrap_or_default())
    }

    #[test]
    fn the_readers_errors_are_said_in_french() {
        assert_eq!(
            said(
                Damage::of_xlsx(XlsxError::XmlEof("row")),
                Some(Spot::Sheet("Suivi 2026".into()))
            ),
            format!(
                "`suivi.xlsx` n'est pas un classeur Excel lisible : une partie XML du classeur est mal formée ou incomplète (feuille « Suivi 2026 ») — {DAMAGED_HINT}"
            )
        );
        assert!(matches!(
            Damage::of_zip(ZipError::InvalidArchive("Could not find EOCD".into())),
            Damage::BrokenArchive
        ));
        assert!(matches!(
            Damage::of_xlsx(XlsxError::Password),
            Damage::Password
        ));
        assert!(matches!(
            Damage::of_ods(OdsError::InvalidMime(b"text".to_vec())),
            Damage::NotASpreadsheet
        ));
        assert!(matches!(
            Damage::of_xlsx(XlsxError::Io(io::Error::from(io::ErrorKind::UnexpectedEof))),
            Damage::BrokenArchive
        ));
        // A read refused by the disk is said as such.
        let denied = said(
            Damage::of_io(io::Error::from(io::ErrorKind::PermissionDenied)),
            None,
        );
        assert!(
            denied.starts_with("lecture impossible de `suivi.xlsx` : permission refusée"),
            "{denied}"
        );
        // No reason is left unsaid, and none in English.
        for damage in [
            Damage::NotAnArchive,
            Damage::CompoundFile,
            Damage::Password,
            Damage::BrokenArchive,
            Damage::Unsupported,
            Damage::MissingPart(None),
            Damage::BadXml,
            Damage::Encoding,
            Damage::BadValue,
            Damage::MissingSheet,
            Damage::NotASpreadsheet,
            Damage::TooManyCells,
            Damage::Other,
        ] {
            let (reason, hint) = damage.reason();
            assert!(!reason.is_empty() && !hint.is_empty(), "{damage:?}");
        }
    }
}
