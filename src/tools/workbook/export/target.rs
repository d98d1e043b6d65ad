//! Where the follow-up workbook may be written: never into the files `ctg`
//! reads, never over a file that is not the export's own workbook as it
//! wrote it, which a custom document property marks.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Failure};

/// The custom document property that marks a workbook written by `ctg suivi
/// export`: the export replaces such a workbook, and no other file.
pub(super) const MARK: &str = "ctg";

/// Refuses to write the workbook at `path` into the project's `data/` or
/// `templates/` (the files `ctg` reads), and over an existing file that is
/// not a workbook of the export left as it wrote it: a user's file, or a
/// workbook that a spreadsheet saved since (it may hold a partner's
/// entries). Replacing the export's own earlier workbook is the yearly
/// routine, and stays possible.
pub(super) fn check_target(root: &Path, path: &Path) -> Result<(), Failure> {
    let shown = path.display();
    let target = resolved(path);
    for folder in ["data", "templates"] {
        // A project without templates of its own may get them later: its
        // `templates/` is refused too, before it exists.
        if target.starts_with(resolved(&root.join(folder))) {
            return Err(Failure(vec![
                Diagnostic::error(format!(
                    "`{shown}` est dans le dossier `{folder}/` du projet : le classeur de suivi ne s'y écrit pas"
                ))
                .hint(format!(
                    "`{folder}/` garde les fichiers que ctg lit, qu'un classeur remplacerait : choisissez un autre chemin avec `--sortie`, par exemple `--sortie out/{}`, ou écrivez la commande sans `--sortie` (le classeur va dans `out/`)",
                    path.file_name().map_or_else(|| "suivi.xlsx".into(), |n| n.to_string_lossy())
                )),
            ]));
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let refuse =
        |message: String, hint: &str| Err(Failure(vec![Diagnostic::error(message).hint(hint)]));
    if meta.is_dir() {
        return refuse(
            format!("`{shown}` est un dossier : le classeur de suivi ne peut pas le remplacer"),
            "donnez à `--sortie` le chemin d'un fichier, par exemple `--sortie suivi-2026.xlsx`",
        );
    }
    match own_export(path) {
        Some(true) => Ok(()),
        Some(false) => refuse(
            format!(
                "`{shown}` est un classeur de suivi enregistré par un tableur depuis son export : il n'est pas remplacé"
            ),
            "il peut contenir les saisies d'un partenaire : renommez-le (ou déplacez-le) avant d'exporter à nouveau, ou choisissez un autre nom avec `--sortie`",
        ),
        None => refuse(
            format!(
                "`{shown}` existe déjà et n'est pas un classeur écrit par `ctg suivi export` : il n'est pas remplacé"
            ),
            "choisissez un autre nom avec `--sortie`, par exemple `--sortie suivi-2026.xlsx` ; pour remplacer ce fichier, supprimez-le d'abord",
        ),
    }
}

/// The absolute path that `path` names, links resolved: the longest part
/// that exists as the system resolves it, the rest as written.
fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component),
            Component::CurDir => {}
            // What `out` holds has its links resolved: `..` is its parent.
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match out.canonicalize() {
                        Ok(real) => out = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    out
}

/// Whether the file at `path` is a workbook written by `ctg suivi export`
/// (`None` when it is not), and if so whether it is as the export wrote it.
/// A spreadsheet that saves a workbook keeps its custom properties, where
/// the mark is, but updates its date of modification, which the export
/// sets to the date of creation.
fn own_export(path: &Path) -> Option<bool> {
    let file = std::fs::File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    // The two parts are a few hundred bytes: a larger one is no export's.
    let mut part = |name: &str| -> Option<String> {
        use std::io::Read;
        let entry = archive.by_name(name).ok()?;
        let mut text = String::new();
        entry.take(64_000).read_to_string(&mut text).ok()?;
        Some(text)
    };
    let core = part("docProps/core.xml")?;
    let custom = part("docProps/custom.xml").unwrap_or_default();
    let (created, modified, title) = core_properties(&core);
    let marked = custom_property_names(&custom).iter().any(|n| n == MARK);
    // The workbooks written before the mark existed: titled « Suivi ANNÉE –
    // … » and dated the first of January of their year at midnight.
    let earlier = title.starts_with("Suivi ") && created.ends_with("-01-01T00:00:00Z");
    if !marked && !earlier {
        return None;
    }
    Some(!created.is_empty() && created == modified)
}

/// The creation date, modification date and title of a `docProps/core.xml`.
fn core_properties(xml: &str) -> (String, String, String) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut created, mut modified, mut title) = (String::new(), String::new(), String::new());
    let mut current: Option<Vec<u8>> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => current = Some(e.local_name().as_ref().to_vec()),
            Ok(Event::Text(t)) => {
                let text = t.decode().map(|t| t.into_owned()).unwrap_or_default();
                match current.as_deref() {
                    Some(b"created") => created.push_str(&text),
                    Some(b"modified") => modified.push_str(&text),
                    Some(b"title") => title.push_str(&text),
                    _ => {}
                }
            }
            Ok(Event::End(_)) => current = None,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (created, modified, title)
}

/// The names of the custom properties of a `docProps/custom.xml`.
fn custom_property_names(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"property" => {
                // As written, unescaped or not: the mark is plain letters.
                if let Ok(Some(name)) = e.try_get_attribute("name") {
                    names.push(String::from_utf8_lossy(&name.value).into_owned());
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    names
}

/// The folder and file name of the workbook's path.
pub(super) fn split(path: &Path) -> Result<(PathBuf, String), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..");
    let Some(name) = name else {
        return Err(Failure(vec![
            Diagnostic::error(format!("`{}` n'est pas un nom de fichier", path.display())).hint(
                "donnez à `--sortie` le chemin du classeur à écrire, par exemple `suivi-2026.xlsx`",
            ),
        ]));
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((dir, name))
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

    use super::*;

    /// A workbook with the document properties `properties`, saved in `dir`.
    fn saved(dir: &Path, name: &str, properties: DocProperties) -> PathBuf {
        let mut book = Workbook::new();
        book.set_properties(&properties);
        book.add_worksheet().write_string(0, 0, "Suivi").unwrap();
        let path = dir.join(name);
        book.save(&path).unwrap();
        path
    }

    #[test]
    fn the_exports_own_workbooks_are_recognised_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let created = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
        let ours = DocProperties::new()
            .set_title("Suivi 2026 – Plan")
            .set_creation_datetime(&created);
        // Marked, as the export writes it now.
        let marked = saved(
            dir.path(),
            "marque.xlsx",
            ours.clone()
                .set_custom_property(MARK, "classeur de suivi 2026"),
        );
        assert_eq!(own_export(&marked), Some(true));
        // Written before the mark: its title and its date tell it.
        let earlier = saved(dir.path(), "avant.xlsx", ours);
        assert_eq!(own_export(&earlier), Some(true));
        // Another workbook, dated otherwise.
        let other = saved(
            dir.path(),
            "budget.xlsx",
            DocProperties::new().set_title("Budget 2026"),
        );
        assert_eq!(own_export(&other), None);
        std::fs::write(dir.path().join("notes.xlsx"), "pas un classeur").unwrap();
        assert_eq!(own_export(&dir.path().join("notes.xlsx")), None);
    }

    #[test]
    fn paths_are_resolved_through_their_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::os::unix::fs::symlink(root.join("data"), root.join("lien")).unwrap();
        assert_eq!(
            resolved(&root.join("lien/nouveau/../convention.toml")),
            root.join("data/convention.toml")
        );
        assert_eq!(
            resolved(&root.join("absent/../data/x.xlsx")),
            root.join("data/x.xlsx")
        );
    }
}
