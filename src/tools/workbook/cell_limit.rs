//! Follow-up by spreadsheet, writing: a cell of a workbook holds 32 767
//! characters at most (Excel's limit, which the writer enforces). Every text
//! the workbook would show is measured before anything is written: each one
//! too long is an error naming the file it comes from and its line, the
//! action and the column, and one run lists them all.

use std::ops::Range;
use std::path::Path;

use toml_edit::{Document, Item, TableLike};

use super::limits::grouped;
use crate::diag::{Diagnostic, SourceFile};

/// The most a cell holds, counted as Excel counts: in UTF-16 units (a
/// character, but two for the rarest ones, an emoji).
pub const CELL_LIMIT: usize = 32_767;

/// The length of `text` when it is too long for a cell.
pub fn too_long(text: &str) -> Option<usize> {
    let length = text.encode_utf16().count();
    (length > CELL_LIMIT).then_some(length)
}

/// A step from a table of a TOML file to one of its values.
#[derive(Debug, Clone)]
pub enum Step {
    /// The key of that name.
    Key(String),
    /// In the array of tables `array`, the table whose `field` is `value`:
    /// the field `champs` whose `id` is `jeunesse`.
    Entry {
        array: &'static str,
        field: &'static str,
        value: String,
    },
}

pub fn key(name: impl Into<String>) -> Step {
    Step::Key(name.into())
}

pub fn entry(array: &'static str, field: &'static str, value: impl Into<String>) -> Step {
    Step::Entry {
        array,
        field,
        value: value.into(),
    }
}

/// Where a text of the workbook comes from: a file of the project, and the
/// ways to its key (a plan of another model declares its columns otherwise:
/// the first way found is the one).
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: String,
    pub ways: Vec<Vec<Step>>,
}

impl Origin {
    pub fn new(file: impl Into<String>, way: Vec<Step>) -> Self {
        Self {
            file: file.into(),
            ways: vec![way],
        }
    }

    /// The file and, when its key is found, its line: `data/actions/a.toml:7`.
    fn place(&self, root: &Path) -> String {
        let line = std::fs::read_to_string(root.join(&self.file))
            .ok()
            .and_then(|text| {
                let document = Document::parse(text.as_str()).ok()?;
                let span = self
                    .ways
                    .iter()
                    .find_map(|way| span_of(document.as_table(), way))?;
                Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
            });
        match line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

/// The place of the key at the end of `way`, from `table`.
fn span_of(table: &dyn TableLike, way: &[Step]) -> Option<Range<usize>> {
    let (step, rest) = way.split_first()?;
    let (key, item) = match step {
        Step::Key(name) => table.get_key_value(name)?,
        Step::Entry {
            array,
            field,
            value,
        } => {
            let (key, item) = table.get_key_value(array)?;
            let chosen = entries(item).find(|t| {
                t.get(field)
                    .and_then(Item::as_str)
                    .is_some_and(|v| v == value)
            })?;
            if rest.is_empty() {
                return key.span();
            }
            return span_of(chosen, rest);
        }
    };
    if rest.is_empty() {
        return key.span().or_else(|| item.span());
    }
    span_of(item.as_table_like()?, rest)
}

/// The tables of an array of tables, or of an array of inline tables.
fn entries<'a>(item: &'a Item) -> Box<dyn Iterator<Item = &'a dyn TableLike> + 'a> {
    if let Some(tables) = item.as_array_of_tables() {
        return Box::new(tables.iter().map(|t| t as &dyn TableLike));
    }
    match item.as_array() {
        Some(array) => Box::new(
            array
                .iter()
                .filter_map(|v| v.as_inline_table())
                .map(|t| t as &dyn TableLike),
        ),
        None => Box::new(std::iter::empty()),
    }
}

/// The error of a text of `length` characters, `what` (« « Descriptif » de
/// l'action `a` »), that comes from `origin`.
pub fn error(root: &Path, origin: &Origin, what: &str, length: usize) -> Diagnostic {
    Diagnostic::error(format!(
        "texte trop long pour une cellule du classeur : {what}, {} caractères pour {} au plus",
        grouped(length as u64),
        grouped(CELL_LIMIT as u64)
    ))
    .in_file(&SourceFile::new(origin.place(root), ""))
    .hint("raccourcissez ce texte, ou placez le détail dans un document joint (une annexe) et gardez ici l'essentiel ; puis relancez `ctg suivi export`")
}

/// A text shown in a message, cut after `max` characters.
pub fn shortened(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None if line.len() < text.trim_end().len() => format!("{line}…"),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_as_excel_counts() {
        assert_eq!(too_long(&"a".repeat(CELL_LIMIT)), None);
        assert_eq!(too_long(&"é".repeat(CELL_LIMIT + 1)), Some(CELL_LIMIT + 1));
        // An emoji takes two units.
        assert_eq!(
            too_long(&"😀".repeat(CELL_LIMIT / 2 + 1)),
            Some(CELL_LIMIT + 1)
        );
    }

    #[test]
    fn the_line_of_a_key_is_found_through_tables_and_arrays() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("c.toml"),
            "titre = \"t\"\n\n[[champs]]\nid = \"a\"\nlibelle = \"A\"\n\n[[champs]]\nid = \"b\"\nlibelle = \"B\"\nsous_sections = [{ id = \"s\", libelle = \"S\" }]\n\n[actions.x]\ncommentaire = \"c\"\n",
        )
        .unwrap();
        let place = |way: Vec<Step>| Origin::new("c.toml", way).place(dir.path());
        assert_eq!(
            place(vec![entry("champs", "id", "b"), key("libelle")]),
            "c.toml:9"
        );
        assert_eq!(
            place(vec![
                entry("champs", "id", "b"),
                entry("sous_sections", "id", "s"),
                key("libelle")
            ]),
            "c.toml:10"
        );
        assert_eq!(
            place(vec![key("actions"), key("x"), key("commentaire")]),
            "c.toml:13"
        );
        // A key not found, a file not there: the file alone.
        assert_eq!(place(vec![key("absente")]), "c.toml");
        assert_eq!(
            Origin::new("absent.toml", vec![key("titre")]).place(dir.path()),
            "absent.toml"
        );
    }

    #[test]
    fn texts_are_shortened_for_messages() {
        assert_eq!(shortened("Places", 10), "Places");
        assert_eq!(shortened("Places d'accueil", 6), "Places…");
        assert_eq!(shortened("Une ligne\nune autre", 40), "Une ligne…");
    }
}
