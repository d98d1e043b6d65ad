//! `ctg watch`: rebuilds on every change in `data/` or `templates/`, in the same
//! process so that Typst's fonts, library and memoized layout stay warm; with
//! `--serve`, serves `out/` on 127.0.0.1 and reloads the page after each rebuild.

use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_mini::new_debouncer;
use notify_debouncer_mini::notify::RecursiveMode;

use crate::diag::{self, Diagnostic};
use crate::{BuildOptions, build};

/// Path the page polls to learn that a rebuild happened.
const VERSION_PATH: &str = "/__ctg/version";

/// Added to HTML pages served by `--serve` only; never written to `out/`.
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

/// Builds once, then again after every change, until interrupted.
pub fn watch(options: &BuildOptions, serve: Option<u16>) -> Result<(), Diagnostic> {
    let version = Arc::new(AtomicU64::new(0));
    if let Some(port) = serve {
        let out = options.out_dir();
        let version = Arc::clone(&version);
        let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
            Diagnostic::error(format!(
                "impossible d'ouvrir le port {port} sur 127.0.0.1 : {e}"
            ))
            .hint("choisissez un autre port avec `--port`")
        })?;
        eprintln!("aperçu sur http://127.0.0.1:{port}/plan.html");
        std::thread::spawn(move || serve_forever(&server, &out, &version));
    }
    let color = std::io::stderr().is_terminal();
    rebuild(options, color, &version);

    let (tx, rx) = mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(100), tx)
        .map_err(|e| Diagnostic::error(format!("surveillance des fichiers impossible : {e}")))?;
    for dir in ["data", "templates"] {
        let path = options.root.join(dir);
        if path.is_dir() {
            debouncer
                .watcher()
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| {
                    Diagnostic::error(format!("surveillance de `{dir}/` impossible : {e}"))
                })?;
        }
    }
    eprintln!("surveillance de data/ et templates/ (Ctrl+C pour arrêter)");
    for events in rx {
        match events {
            Ok(events) if events.is_empty() => continue,
            Ok(_) => rebuild(options, color, &version),
            Err(e) => eprintln!("surveillance : {e}"),
        }
    }
    Ok(())
}

/// One rebuild: errors are printed and the watcher goes on.
fn rebuild(options: &BuildOptions, color: bool, version: &AtomicU64) {
    let start = Instant::now();
    match build(options) {
        Ok(report) => {
            // The page may reload as soon as the line is out: the version comes first.
            version.fetch_add(1, Ordering::SeqCst);
            if !report.warnings.is_empty() {
                eprint!("{}", diag::render(&report.warnings, color));
            }
            eprintln!(
                "reconstruit en {} ms ({} pages)",
                start.elapsed().as_millis(),
                report.pages
            );
        }
        Err(failure) => {
            eprint!("{}", diag::render(&failure.0, color));
            eprintln!(
                "échec : {failure} ; les fichiers de out/ sont inchangés, en attente d'une correction"
            );
        }
    }
}

fn serve_forever(server: &tiny_http::Server, out: &Path, version: &AtomicU64) {
    for request in server.incoming_requests() {
        let url = request
            .url()
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_string();
        let response = if url == VERSION_PATH {
            tiny_http::Response::from_string(version.load(Ordering::SeqCst).to_string())
        } else {
            match local_file(out, &url).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
                Some((path, bytes)) => file_response(&path, bytes),
                None => tiny_http::Response::from_string("introuvable").with_status_code(404),
            }
        };
        let _ = request.respond(response);
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

fn file_response(path: &Path, bytes: Vec<u8>) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
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
    let header = tiny_http::Header::from_bytes("Content-Type", mime).expect("a valid header");
    tiny_http::Response::from_data(bytes).with_header(header)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn served_pages_reload_after_a_rebuild() {
        let response = file_response(Path::new("plan.html"), b"<body><p>x</p></body>".to_vec());
        let mut body = String::new();
        std::io::Read::read_to_string(&mut response.into_reader(), &mut body).unwrap();
        assert!(
            body.contains(VERSION_PATH) && body.ends_with("</script></body>"),
            "{body}"
        );
    }
}
