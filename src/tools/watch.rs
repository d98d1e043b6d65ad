//! `ctg watch`: rebuilds on every change in `data/` or `templates/`, in the same
//! process so that Typst's fonts, library and memoized layout stay warm; with
//! `--serve`, serves `out/` on 127.0.0.1 ([`crate::tools::serve`]) and reloads the page
//! after each rebuild.

use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::build::{BuildOptions, build};
use crate::diag::{self, Diagnostic};
use crate::tools::serve::{self, Request, Response};

/// Path the page polls to learn that a rebuild happened.
const VERSION_PATH: &str = "/__ctg/version";

/// Added to HTML pages served by `--serve` only; never written to `out/`. The
/// fetch is of the same origin: it carries the session's cookie.
const RELOAD_SCRIPT: &str = r#"<script>
(() => {
  let seen = null;
  setInterval(async () => {
    try {
      const v = await (await fetch("/__ctg/version", { cache: "no-store" })).text();
      if (seen !== null && v !== seen) location.reload();
      seen = v;
    } catch (e) {}
  }, 500);
})();
</script>"#;

/// How long the files must stay quiet before a rebuild: one save is several
/// events (write, rename, attributes) within a few milliseconds.
const SETTLE: Duration = Duration::from_millis(100);

/// A rebuild starts at the latest this long after the first change, even while
/// files keep changing (a long copy into `data/`).
const SETTLE_AT_MOST: Duration = Duration::from_secs(1);

/// Builds once, then again after every change, until interrupted.
pub fn watch(options: &BuildOptions, serve: Option<u16>) -> Result<(), Diagnostic> {
    let version = Arc::new(AtomicU64::new(0));
    if let Some(port) = serve {
        let out = options.out_dir();
        let version = Arc::clone(&version);
        let server =
            serve::Server::bind(port, serve::Limits::default(), "ctg watch").map_err(|e| {
                Diagnostic::error(format!(
                    "impossible d'ouvrir le port {port} sur 127.0.0.1 : {e}"
                ))
                .hint("choisissez un autre port avec `--port`")
            })?;
        crate::say!("aperçu sur {}", server.address("/plan.html"));
        server
            .spawn(move |request| preview(&out, &version, request))
            .map_err(|e| Diagnostic::error(format!("aperçu impossible : {e}")))?;
    }
    // Watching starts before the first build, so that a save during it is not
    // missed; the build's own reading of the files is no change.
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Diagnostic::error(format!("surveillance des fichiers impossible : {e}")))?;
    let mut changes = Changes {
        watched: Vec::new(),
        out: resolved(&options.out_dir()),
    };
    for dir in ["data", "templates", "logos"] {
        let path = options.root.join(dir);
        if path.is_dir() {
            // Events then name the same paths as `out`, whatever `--root` was.
            let path = resolved(&path);
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| {
                    Diagnostic::error(format!("surveillance de `{dir}/` impossible : {e}"))
                })?;
            changes.watched.push(path);
        }
    }
    let color = std::io::stderr().is_terminal();
    rebuild(options, color, &version);
    crate::say!("surveillance de data/, templates/ et logos/ (Ctrl+C pour arrêter)");
    while changes.next(&rx) {
        rebuild(options, color, &version);
    }
    Ok(())
}

/// Tells the events that may change the documents from the others.
struct Changes {
    /// The watched folders, as the events name them.
    watched: Vec<PathBuf>,
    /// The output folder: what the build writes there is no change, even when
    /// it lies inside `data/`.
    out: PathBuf,
}

/// What an event says of the entries it names.
#[derive(Clone, Copy)]
enum Entry {
    File,
    Folder,
    /// An entry whose attributes changed: it matters if it is still there.
    Present,
    /// An entry renamed, or one the system does not describe: perhaps a folder.
    Unknown,
}

impl Changes {
    /// Waits for a change, then for the files to settle, so that one save gives
    /// one rebuild; `false` when the watcher has stopped.
    fn next(&self, rx: &Receiver<notify::Result<Event>>) -> bool {
        loop {
            match rx.recv() {
                Ok(event) if self.report(&event) => break,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        let first = Instant::now();
        let mut deadline = first + SETTLE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(event) if self.report(&event) => {
                    deadline = (Instant::now() + SETTLE).min(first + SETTLE_AT_MOST);
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// Whether an event is a change; a watcher's error is printed.
    fn report(&self, event: &notify::Result<Event>) -> bool {
        match event {
            Ok(event) => self.is_change(event),
            Err(e) => {
                crate::say!("surveillance : {e}");
                false
            }
        }
    }

    /// Whether an event may change what a build makes: a data file or a
    /// template written, created, removed or renamed, or a folder that may hold
    /// some.
    fn is_change(&self, event: &Event) -> bool {
        let entry = match event.kind {
            // Opening, reading and closing a file are no change: the build's
            // own reading of `data/` reports these.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Entry::File,
            EventKind::Access(_) => return false,
            EventKind::Create(CreateKind::File)
            | EventKind::Remove(RemoveKind::File)
            | EventKind::Modify(ModifyKind::Data(_)) => Entry::File,
            EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder) => {
                Entry::Folder
            }
            // A file made unreadable, or readable again, changes the build.
            EventKind::Modify(ModifyKind::Metadata(_)) => Entry::Present,
            _ => Entry::Unknown,
        };
        // Events the system lost come as one that names no path: anything may
        // have changed.
        event.paths.is_empty() || event.paths.iter().any(|path| self.matters(path, entry))
    }

    fn matters(&self, path: &Path, entry: Entry) -> bool {
        if path.starts_with(&self.out) {
            return false;
        }
        // The walk of `data/` skips hidden files and folders, editors' swap
        // files (`.plan.toml.swp`) among them.
        let inside = self
            .watched
            .iter()
            .find_map(|dir| path.strip_prefix(dir).ok())
            .unwrap_or(Path::new(""));
        if inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        {
            return false;
        }
        // Records and follow-up are `.toml`, review texts `.md`, templates
        // `.tera`, logos images; anything else in `data/` is left out of the
        // build (a backup `plan.toml~`, vim's write test `4913`, a temporary
        // file renamed over a record a moment later).
        let data = path.extension().is_some_and(|e| {
            ["toml", "md", "tera", "svg", "png", "jpg", "jpeg"]
                .iter()
                .any(|known| e.eq_ignore_ascii_case(known))
        });
        match entry {
            Entry::File => data,
            Entry::Folder => true,
            Entry::Present => data || path.is_dir(),
            // A folder renamed away no longer exists; folders seldom have an
            // extension.
            Entry::Unknown => {
                data || path.is_dir() || (path.extension().is_none() && !path.exists())
            }
        }
    }
}

/// `path` absolute, with links and `..` resolved as far as it exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// One rebuild: errors are printed and the watcher goes on.
fn rebuild(options: &BuildOptions, color: bool, version: &AtomicU64) {
    let start = Instant::now();
    match build(options) {
        Ok(report) => {
            // The page may reload as soon as the line is out: the version comes first.
            version.fetch_add(1, Ordering::SeqCst);
            if !report.warnings.is_empty() {
                crate::say_raw!("{}", diag::render(&report.warnings, color));
            }
            crate::say!(
                "reconstruit en {} ms ({} pages)",
                start.elapsed().as_millis(),
                report.pages
            );
        }
        Err(failure) => {
            crate::say_raw!("{}", diag::render(&failure.0, color));
            crate::say!(
                "échec : {failure} ; les fichiers de out/ sont inchangés, en attente d'une correction"
            );
        }
    }
}

/// The preview's answer: the rebuild counter, or a file of `out/`.
fn preview(out: &Path, version: &AtomicU64, request: &Request) -> Response {
    if request.path == VERSION_PATH {
        return Response::text(200, version.load(Ordering::SeqCst).to_string());
    }
    match local_file(out, &request.path).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((path, bytes)) => file_response(&path, bytes),
        None => Response::text(404, "introuvable"),
    }
}

/// The file of `out/` a URL names; `None` for anything that would leave `out/`.
fn local_file(out: &Path, url: &str) -> Option<PathBuf> {
    let relative = url.trim_start_matches('/');
    let relative = if relative.is_empty() {
        "plan.html"
    } else {
        relative
    };
    let path = Path::new(relative);
    if path.components().all(|c| matches!(c, Component::Normal(_))) {
        Some(out.join(path))
    } else {
        None
    }
}

/// The policy of the preview's pages: the reload script, named by its hash,
/// is the only inline script; scripts and connections of the same origin only.
/// A script a custom template writes inline would not run in the preview.
/// Styles stay inline (the pages carry theirs), logos are `data:` images.
static PAGE_POLICY: LazyLock<String> = LazyLock::new(|| {
    let script = RELOAD_SCRIPT
        .strip_prefix("<script>")
        .and_then(|s| s.strip_suffix("</script>"))
        .expect("the reload script is one element");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script));
    format!(
        "default-src 'self'; script-src 'self' 'sha256-{hash}'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'self'"
    )
});

fn file_response(path: &Path, bytes: Vec<u8>) -> Response {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let (mime, bytes) = match ext {
        "html" => {
            let page = String::from_utf8_lossy(&bytes);
            let page = match page.rfind("</body>") {
                Some(i) => format!("{}{RELOAD_SCRIPT}{}", &page[..i], &page[i..]),
                None => format!("{page}{RELOAD_SCRIPT}"),
            };
            ("text/html; charset=utf-8", page.into_bytes())
        }
        "pdf" => ("application/pdf", bytes),
        "csv" => ("text/csv; charset=utf-8", bytes),
        "json" => ("application/json", bytes),
        "png" => ("image/png", bytes),
        _ => ("application/octet-stream", bytes),
    };
    let response = Response::new(200, mime, bytes);
    // Other files go without it: a policy on a PDF can keep a browser's
    // viewer from showing it.
    if ext == "html" {
        response.with_header("Content-Security-Policy", PAGE_POLICY.as_str())
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, MetadataKind, RenameMode};

    #[test]
    fn urls_cannot_leave_out() {
        let out = Path::new("/p/out");
        assert_eq!(
            local_file(out, "/"),
            Some(PathBuf::from("/p/out/plan.html"))
        );
        assert_eq!(
            local_file(out, "/plan.pdf"),
            Some(PathBuf::from("/p/out/plan.pdf"))
        );
        assert_eq!(local_file(out, "/../data/convention.toml"), None);
        assert_eq!(
            local_file(out, "//etc/passwd"),
            Some(PathBuf::from("/p/out/etc/passwd"))
        );
    }

    fn changes() -> Changes {
        Changes {
            watched: vec![
                PathBuf::from("/p/data"),
                PathBuf::from("/p/templates"),
                PathBuf::from("/p/logos"),
            ],
            out: PathBuf::from("/p/data/sortie"),
        }
    }

    fn is_change(kind: EventKind, paths: &[&str]) -> bool {
        let event = paths
            .iter()
            .fold(Event::new(kind), |event, path| event.add_path(path.into()));
        changes().is_change(&event)
    }

    const WRITTEN: EventKind = EventKind::Modify(ModifyKind::Data(DataChange::Any));
    const RENAMED: EventKind = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
    const RENAMED_FROM: EventKind = EventKind::Modify(ModifyKind::Name(RenameMode::From));
    const CLOSED: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Write));

    #[test]
    fn reading_a_file_is_no_change() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
        ] {
            assert!(!is_change(kind, &["/p/data/convention.toml"]), "{kind:?}");
        }
    }

    #[test]
    fn saving_a_record_a_text_or_a_template_is_a_change() {
        let record = "/p/data/actions/logement/01-impayes.toml";
        assert!(is_change(WRITTEN, &[record]));
        assert!(is_change(CLOSED, &["/p/templates/plan.typ.tera"]));
        assert!(is_change(WRITTEN, &["/p/logos/caf.svg"]));
        assert!(is_change(WRITTEN, &["/p/logos/cc.PNG"]));
        assert!(is_change(
            EventKind::Create(CreateKind::File),
            &["/p/data/bilans/2025/introduction.md"]
        ));
        assert!(is_change(EventKind::Remove(RemoveKind::File), &[record]));
        assert!(is_change(RENAMED, &["/p/data/actions/x.tmp", record]));
        let touched = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));
        assert!(is_change(touched, &[record]));
    }

    #[test]
    fn side_files_and_outputs_are_no_change() {
        let dir = "/p/data/actions/logement";
        for side in [
            "4913",
            "01-impayes.toml~",
            ".01-impayes.toml.swp",
            "notes.txt",
        ] {
            let path = format!("{dir}/{side}");
            for kind in [
                EventKind::Create(CreateKind::File),
                WRITTEN,
                CLOSED,
                EventKind::Remove(RemoveKind::File),
            ] {
                assert!(!is_change(kind, &[&path]), "{side} {kind:?}");
            }
        }
        // A temporary file written before it is renamed over the record.
        assert!(!is_change(RENAMED_FROM, &["/p/data/actions/x.toml.tmp"]));
        assert!(!is_change(WRITTEN, &["/p/data/.git/index"]));
        // `--out data/sortie`: the build's own writing.
        assert!(!is_change(
            EventKind::Create(CreateKind::Folder),
            &["/p/data/sortie"]
        ));
        assert!(!is_change(CLOSED, &["/p/data/sortie/plan.toml"]));
    }

    #[test]
    fn folders_and_lost_events_are_changes() {
        assert!(is_change(
            EventKind::Create(CreateKind::Folder),
            &["/p/data/actions/jeunesse"]
        ));
        // A folder moved out of `data/`: gone, it cannot be told from a file.
        assert!(is_change(RENAMED_FROM, &["/p/data/actions/jeunesse"]));
        assert!(is_change(EventKind::Other, &[]));
    }

    #[test]
    fn served_pages_reload_after_a_rebuild() {
        let response = file_response(Path::new("plan.html"), b"<body><p>x</p></body>".to_vec());
        let body = String::from_utf8(response.body.clone()).unwrap();
        assert!(
            body.contains(VERSION_PATH) && body.ends_with("</script></body>"),
            "{body}"
        );
        // The policy allows the script as served: the hash of the element's
        // text, as a browser computes it.
        let script = &body
            [body.find("<script>").unwrap() + "<script>".len()..body.rfind("</script>").unwrap()];
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script));
        let policy = response.header("Content-Security-Policy").unwrap();
        assert!(
            policy.contains(&format!("script-src 'self' 'sha256-{hash}'")),
            "{policy}"
        );
        let pdf = file_response(Path::new("plan.pdf"), b"%PDF".to_vec());
        assert_eq!(pdf.header("Content-Type"), Some("application/pdf"));
        assert_eq!(pdf.header("Content-Security-Policy"), None);
    }
}
