//! Every document's files go to the output folder
//! ([`folder`]) together, with the record of how each was made.

pub mod folder;

use std::path::Path;

use crate::diag::Diagnostic;
use crate::render::document;
use folder as output;
pub use folder::Written;

/// One document of a build, as it goes to the output folder.
pub(crate) struct Made<'a> {
    pub(crate) document: &'a document::Document<'a>,
    /// The fingerprint of its inputs.
    pub(crate) key: String,
    /// Its files, when it was made.
    pub(crate) output: Option<&'a document::Rendered>,
    /// How it was recorded, when it was not made again.
    pub(crate) unchanged: Option<&'a output::Made>,
}

/// Every document's files, replaced together. What earlier builds
/// wrote and this one did not is removed when a document of this build owns
/// it, and every such file after a build of all documents (an action, an
/// amendment or a year gone, a source kept by a failed build); the files of
/// the documents not made again stay. Then each document is recorded with the
/// fingerprint of its inputs and its files as written.
/// The folder is locked here unless the build locked it already.
pub(crate) fn write(
    folder: Option<output::OutputFolder>,
    out: &Path,
    made: &[Made],
    made_before: &std::collections::BTreeMap<String, output::Made>,
    every_document: bool,
    emit_typst: bool,
) -> Result<Vec<Written>, Diagnostic> {
    let mut folder = match folder {
        Some(folder) => folder,
        None => output::OutputFolder::lock(out)?,
    };
    let mut files: Vec<(&str, &[u8])> = Vec::new();
    for output in made.iter().filter_map(|m| m.output) {
        files.extend(output.files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        if emit_typst {
            let (name, source) = &output.typst;
            files.push((name.as_str(), source.as_bytes()));
        }
    }
    let kept: Vec<&str> = made
        .iter()
        .filter_map(|m| m.unchanged)
        .flat_map(|u| u.files.iter().map(|f| f.name.as_str()))
        .collect();
    // All outputs are replaced together, only once every one is fully
    // written, under the folder's lock.
    let out = folder.dir().to_path_buf();
    let out = out.as_path();
    let written = folder.replace_keeping(&files, &kept, |name| {
        every_document || made.iter().any(|m| m.document.owns(name))
    })?;
    // A build of one document leaves the others' records as they were.
    let mut record = match every_document {
        true => Default::default(),
        false => made_before.clone(),
    };
    for m in made {
        let recorded = match (m.output, m.unchanged) {
            (_, Some(unchanged)) => Some(unchanged.clone()),
            (Some(output), None) => {
                let mut names: Vec<&str> = output.files.iter().map(|(n, _)| n.as_str()).collect();
                if emit_typst {
                    names.push(&output.typst.0);
                }
                names
                    .iter()
                    .map(|name| output::Stamp::of(out, name))
                    .collect::<Option<Vec<_>>>()
                    .map(|files| output::Made {
                        inputs: m.key.clone(),
                        files,
                    })
            }
            (None, None) => None,
        };
        match recorded {
            Some(recorded) => record.insert(m.document.name(), recorded),
            None => record.remove(&m.document.name()),
        };
    }
    output::record_documents(out, &record);
    Ok(written)
}
