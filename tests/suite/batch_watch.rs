//! Many projects in one run, and `ctg watch` with its preview server.

use crate::common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

fn ctg_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctg"))
}

#[test]
fn a_folder_of_projects_builds_them_all_and_reports_the_broken_one() {
    let (all, _) = folder_of_projects(&["a-ok", "b-casse", "c-ok"]);
    let broken = all
        .path()
        .join("b-casse/data/actions/logement/02-decence.toml");
    fs::write(
        &broken,
        fs::read_to_string(&broken)
            .unwrap()
            .replace("position = 2", "position = 1"),
    )
    .unwrap();

    let out = ctg_command()
        .args([
            "build",
            "--root",
            all.path().to_str().unwrap(),
            "--jobs",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not a terminal: one line per project, then the summary.
    assert!(stderr.contains("ok      a-ok ("), "{stderr}");
    assert!(stderr.contains("ok      c-ok ("), "{stderr}");
    assert!(stderr.contains("ÉCHEC   b-casse : 1 erreur"), "{stderr}");
    assert!(
        stderr.contains("2 projets construits, 1 en échec"),
        "{stderr}"
    );
    assert!(stderr.contains("position 1 déjà prise"), "{stderr}");
    assert!(all.path().join("a-ok/out/plan.pdf").is_file());
    assert!(all.path().join("c-ok/out/plan.pdf").is_file());
    assert!(!all.path().join("b-casse/out/plan.pdf").exists());
}

/// A folder holding one copy of the small fixture per name, and their paths.
fn folder_of_projects(names: &[&str]) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let all = tempfile::tempdir().unwrap();
    let mut projects = Vec::new();
    for name in names {
        let project = copy_project(&fixture("mini"));
        let path = all.path().join(name);
        fs::rename(project.keep(), &path).unwrap();
        projects.push(path);
    }
    (all, projects)
}

#[cfg(unix)]
#[test]
fn a_worker_that_crashes_fails_its_project_only_and_is_replaced() {
    use ctg::{Progress, Runner};
    use std::os::unix::fs::PermissionsExt;

    let (all, projects) = folder_of_projects(&["a", "b-plante", "c", "d-illisible", "e"]);
    // A stand-in for `ctg worker` that answers like it, but dies on one project
    // (as a crash in a dependency would) and garbles its answer on another.
    let worker = all.path().join("worker.sh");
    fs::write(
        &worker,
        r#"#!/bin/sh
[ "$1" = worker ] || exit 2
while read -r request; do
  case "$request" in
    *b-plante*) kill -SEGV $$ ;;
    *d-illisible*) echo "pas du JSON" ;;
    *) echo '{"result":{"Ok":{"written":[],"warnings":[],"pages":7,"actions":3}}}' ;;
  esac
done
"#,
    )
    .unwrap();
    fs::set_permissions(&worker, fs::Permissions::from_mode(0o755)).unwrap();

    // One slot: every project goes through the same worker, restarted after each
    // failure.
    let outcomes = ctg::build_all(
        &projects,
        true,
        Progress::Quiet,
        Some(1),
        &Runner::Workers(worker),
    );
    for i in [0, 2, 4] {
        let name = projects[i].file_name().unwrap().to_str().unwrap();
        let line = outcomes[i].line();
        assert!(
            line.starts_with(&format!("ok      {name} (7 pages,")),
            "{line}"
        );
    }
    let error = |i: usize| {
        let failure = outcomes[i].result.as_ref().expect_err("a failed project");
        assert_eq!(failure.0.len(), 1);
        failure.0[0].clone()
    };
    let crashed = error(1);
    assert_eq!(
        crashed.message,
        format!(
            "construction de `{}` interrompue : le processus qui la menait s'est arrêté (signal 11)",
            projects[1].display()
        )
    );
    assert!(
        crashed.hint.unwrap().contains("construisez celui-ci seul"),
        "the hint says what to do"
    );
    assert!(
        error(3)
            .message
            .ends_with("(réponse illisible : expected value at line 1 column 1)"),
        "{}",
        error(3).message
    );
}

#[test]
fn without_a_worker_program_projects_are_built_in_this_process() {
    use ctg::{Progress, Runner};

    let (all, projects) = folder_of_projects(&["a", "b"]);
    let outcomes = ctg::build_all(
        &projects,
        true,
        Progress::Quiet,
        None,
        &Runner::Workers(all.path().join("absent")),
    );
    for (outcome, project) in outcomes.iter().zip(&projects) {
        assert!(
            outcome.result.is_ok(),
            "{:?}",
            outcome.result.as_ref().err()
        );
        assert!(project.join("out/plan.pdf").is_file());
    }
}

#[test]
fn timings_name_each_stage() {
    let project = copy_project(&fixture("mini"));
    let out = ctg_command()
        .args([
            "build",
            "--timings",
            "--root",
            project.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for stage in [
        "chargement et validation",
        "compilation Typst et PDF",
        "pages HTML",
        "écriture",
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(stage) && l.ends_with(" ms")),
            "{stage}: {stderr}"
        );
    }
}

/// Lines of a child's stderr, as they come.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("« {needle} » never came");
}

/// A connection to the preview, which never waits long: 127.0.0.1 only.
fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// What the server sends until it closes, or until the connection fails.
fn response_of(mut stream: TcpStream) -> String {
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// Sends `request` as it is, returns the response.
fn exchange(port: u16, request: &str) -> String {
    let mut stream = connect(port);
    stream.write_all(request.as_bytes()).unwrap();
    response_of(stream)
}

/// The preview of a `ctg watch --serve`, opened as a browser opens it.
struct Preview {
    port: u16,
    /// `name=value`, as the browser sends it back.
    cookie: String,
}

impl Preview {
    /// Reads the printed address, with its secret, and trades the secret for
    /// the session's cookie.
    fn open(rx: &mpsc::Receiver<String>, port: u16) -> Preview {
        let line = wait_for(rx, "aperçu sur ");
        let address = format!("http://127.0.0.1:{port}/plan.html?jeton=");
        let token = line
            .strip_prefix(&format!("aperçu sur {address}"))
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
        let response = exchange(
            port,
            &format!("GET /plan.html?jeton={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
        );
        assert!(response.starts_with("HTTP/1.1 303 "), "{response}");
        assert!(
            response.contains("\r\nLocation: /plan.html\r\n"),
            "{response}"
        );
        let cookie = response
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: "))
            .unwrap_or_else(|| panic!("{response}"));
        for attribute in ["; HttpOnly", "; SameSite=Strict", "; Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        Preview {
            port,
            cookie: cookie.split(';').next().unwrap().to_string(),
        }
    }

    /// A request with the cookie and `headers`.
    fn request(&self, method: &str, path: &str, headers: &str) -> String {
        let port = self.port;
        let cookie = &self.cookie;
        exchange(
            port,
            &format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n{headers}\r\n"
            ),
        )
    }

    fn get(&self, path: &str) -> String {
        self.request("GET", path, "")
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `ctg watch --serve` on `project`, and its lines on stderr.
fn watch_serving(project: &std::path::Path, port: u16) -> (mpsc::Receiver<String>, Killed) {
    let mut child = ctg_command()
        .args([
            "watch",
            "--serve",
            "--port",
            &port.to_string(),
            "--root",
            project.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    (rx, Killed(child))
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_rebuilds_on_change_keeps_going_after_an_error_and_serves_with_reload() {
    let project = copy_project(&fixture("mini"));
    let port = free_port();
    let (rx, _guard) = watch_serving(project.path(), port);
    let preview = Preview::open(&rx, port);
    wait_for(&rx, "reconstruit en");
    wait_for(&rx, "surveillance de data/");
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n1"));

    let page = preview.get("/plan.html");
    assert!(
        page.contains("200 OK") && page.contains("/__ctg/version"),
        "{page}"
    );
    assert!(
        page.contains("\r\nContent-Type: text/html; charset=utf-8\r\n")
            && page.contains(
                "\r\nContent-Security-Policy: default-src 'self'; script-src 'self' 'sha256-"
            )
            && page.contains("\r\nX-Content-Type-Options: nosniff\r\n")
            && page.contains("\r\nCache-Control: no-store\r\n"),
        "{page}"
    );
    // The page's address without the file's name, and a download.
    assert!(preview.get("/").contains("/__ctg/version"));
    let pdf = preview.get("/plan.pdf");
    assert!(
        pdf.starts_with("HTTP/1.1 200 OK") && pdf.contains("\r\nContent-Type: application/pdf\r\n"),
        "{}",
        &pdf[..pdf.len().min(400)]
    );
    assert!(
        !fs::read_to_string(project.path().join("out/plan.html"))
            .unwrap()
            .contains("__ctg")
    );
    assert!(
        preview
            .get("/../data/convention.toml")
            .starts_with("HTTP/1.1 404 ")
    );
    assert!(
        preview
            .get("/%2E%2E/data/convention.toml")
            .starts_with("HTTP/1.1 404 ")
    );

    // An error is printed, the watcher goes on, out/ is untouched.
    let cell = project.path().join("data/actions/logement/01-impayes.toml");
    let good = fs::read_to_string(&cell).unwrap();
    fs::write(
        &cell,
        good.replace("echeance = \"2026\"", "echeance = \"2031\""),
    )
    .unwrap();
    wait_for(&rx, "échec");
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n1"));

    fs::write(
        &cell,
        good.replace("Travailleur social", "Travailleuse sociale"),
    )
    .unwrap();
    let line = wait_for(&rx, "reconstruit en");
    assert!(line.ends_with("pages)"), "{line}");
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n2"));
    assert!(
        fs::read_to_string(project.path().join("out/plan.html"))
            .unwrap()
            .contains("Travailleuse sociale")
    );
}

/// The next line that ends a build, a success or a failure.
fn next_build(rx: &mpsc::Receiver<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("reconstruit en") || line.contains("échec") => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no build ended within a minute");
}

/// The lines ending a build that come within `window`: none when the watcher
/// stays idle.
fn builds_during(rx: &mpsc::Receiver<String>, window: Duration) -> Vec<String> {
    let deadline = Instant::now() + window;
    let mut builds = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("reconstruit en") || line.contains("échec") => {
                builds.push(line)
            }
            Ok(_) => {}
            Err(_) => {}
        }
    }
    builds
}

/// Processor time a process has used so far, all its threads together.
#[cfg(target_os = "linux")]
fn cpu_time(pid: u32) -> Duration {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses: utime and
    // stime are the 12th and 13th of them, in clock ticks.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let per_second = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100);
    Duration::from_secs_f64(ticks as f64 / per_second as f64)
}

#[test]
fn watch_stays_idle_until_a_save_and_rebuilds_once_per_save() {
    let project = copy_project(&fixture("mini"));
    let port = free_port();
    let (rx, guard) = watch_serving(project.path(), port);
    let preview = Preview::open(&rx, port);
    assert!(next_build(&rx).contains("reconstruit en"));
    wait_for(&rx, "surveillance de data/");
    let pdf = project.path().join("out/plan.pdf");
    let built = fs::metadata(&pdf).unwrap().modified().unwrap();

    // Nothing saved: no rebuild, out/ untouched, the page does not reload, and
    // the watcher sleeps.
    #[cfg(target_os = "linux")]
    let cpu_before = cpu_time(guard.0.id());
    let idle = Duration::from_secs(3);
    assert_eq!(builds_during(&rx, idle), Vec::<String>::new());
    #[cfg(target_os = "linux")]
    {
        let used = cpu_time(guard.0.id()) - cpu_before;
        assert!(used < idle / 20, "{used:?} of processor time while idle");
    }
    assert_eq!(fs::metadata(&pdf).unwrap().modified().unwrap(), built);
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n1"));

    // An editor's side files are not data: a write test, a backup, a swap file.
    let actions = project.path().join("data/actions/logement");
    let cell = actions.join("01-impayes.toml");
    let good = fs::read_to_string(&cell).unwrap();
    for side in ["4913", "01-impayes.toml~", ".01-impayes.toml.swp"] {
        fs::write(actions.join(side), &good).unwrap();
        fs::remove_file(actions.join(side)).unwrap();
    }
    assert_eq!(
        builds_during(&rx, Duration::from_secs(2)),
        Vec::<String>::new()
    );

    // A save in place: one rebuild.
    fs::write(
        &cell,
        good.replace("Travailleur social", "Travailleuse sociale"),
    )
    .unwrap();
    assert!(next_build(&rx).contains("reconstruit en"));
    assert_eq!(
        builds_during(&rx, Duration::from_secs(2)),
        Vec::<String>::new()
    );
    let html = || fs::read_to_string(project.path().join("out/plan.html")).unwrap();
    assert!(html().contains("Travailleuse sociale"));
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n2"));

    // A save to a temporary file, renamed over the record a moment later: one
    // rebuild, from the renamed file.
    let tmp = actions.join("01-impayes.toml.tmp");
    fs::write(&tmp, good.replace("Travailleur social", "Conseillère ESF")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    fs::rename(&tmp, &cell).unwrap();
    assert!(next_build(&rx).contains("reconstruit en"));
    assert_eq!(
        builds_during(&rx, Duration::from_secs(2)),
        Vec::<String>::new()
    );
    assert!(html().contains("Conseillère ESF"));
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n3"));
}

/// The most memory the process has held so far, in bytes.
#[cfg(target_os = "linux")]
fn peak_memory(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn the_preview_answers_its_session_only_and_outlasts_hostile_clients() {
    const MB: u64 = 1024 * 1024;
    let project = copy_project(&fixture("mini"));
    let port = free_port();
    let (rx, guard) = watch_serving(project.path(), port);
    let preview = Preview::open(&rx, port);
    wait_for(&rx, "surveillance de data/");
    let host = format!("Host: 127.0.0.1:{port}\r\n");
    let status = |response: &str| response.lines().next().unwrap_or("").to_string();
    assert_eq!(status(&preview.get("/plan.html")), "HTTP/1.1 200 OK");

    // Without the secret, or with another: a page saying what to open.
    for request in [
        format!("GET /plan.html HTTP/1.1\r\n{host}\r\n"),
        format!("GET /__ctg/version HTTP/1.1\r\n{host}\r\n"),
        format!(
            "GET /plan.html?jeton={} HTTP/1.1\r\n{host}\r\n",
            "0".repeat(64)
        ),
        format!(
            "GET /plan.html HTTP/1.1\r\n{host}Cookie: ctg_jeton_{port}={}\r\n\r\n",
            "0".repeat(64)
        ),
    ] {
        let refused = exchange(port, &request);
        assert_eq!(status(&refused), "HTTP/1.1 403 Forbidden", "{request}");
        assert!(
            refused.contains("Ouvrez l'adresse affichée par <code>ctg watch</code>")
                && !refused.contains("__ctg"),
            "{refused}"
        );
    }
    // A page of another site whose name leads to 127.0.0.1 (DNS rebinding)
    // names its own host: refused, even with the cookie.
    let foreign = exchange(
        port,
        &format!(
            "GET /plan.html HTTP/1.1\r\nHost: evil.example:{port}\r\nCookie: {}\r\n\r\n",
            preview.cookie
        ),
    );
    assert_eq!(status(&foreign), "HTTP/1.1 421 Misdirected Request");
    assert!(!foreign.contains("__ctg"), "{foreign}");
    let hostless = exchange(
        port,
        &format!(
            "GET /plan.html HTTP/1.0\r\nCookie: {}\r\n\r\n",
            preview.cookie
        ),
    );
    assert_eq!(status(&hostless), "HTTP/1.1 400 Bad Request");
    let post = preview.request("POST", "/plan.html", "Content-Length: 0\r\n");
    assert_eq!(status(&post), "HTTP/1.1 405 Method Not Allowed");

    #[cfg(target_os = "linux")]
    let before = peak_memory(guard.0.id());

    // A client that announces a body and sends nothing, another that stops in
    // the middle of its head: neither holds the others.
    let mut stalled = connect(port);
    write!(
        stalled,
        "GET /plan.html HTTP/1.1\r\n{host}Cookie: {}\r\nContent-Length: 5000\r\n\r\n",
        preview.cookie
    )
    .unwrap();
    let mut halfway = connect(port);
    write!(halfway, "GET /plan.html HTTP/1.1\r\n{host}").unwrap();
    let start = Instant::now();
    let page = preview.get("/plan.html");
    let waited = start.elapsed();
    assert_eq!(status(&page), "HTTP/1.1 200 OK");
    assert!(waited < Duration::from_secs(2), "{waited:?} for the page");
    assert_eq!(
        status(&response_of(stalled)),
        "HTTP/1.1 413 Content Too Large"
    );

    // Lengths beyond any memory: refused, and the server goes on.
    for length in ["18446744073709551615", "30000000000"] {
        let answer = preview.request(
            "GET",
            "/plan.html",
            &format!("Content-Length: {length}\r\n"),
        );
        assert_eq!(
            status(&answer),
            "HTTP/1.1 413 Content Too Large",
            "{length}"
        );
        assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n1"));
    }
    let answer = preview.request(
        "GET",
        "/plan.html",
        "Content-Length: 99999999999999999999\r\n",
    );
    assert_eq!(status(&answer), "HTTP/1.1 400 Bad Request");

    // A header line without end: the server stops reading it at its bound and
    // closes, so that writing fails long before 64 MB.
    let mut endless = connect(port);
    write!(endless, "GET /plan.html HTTP/1.1\r\n{host}X-Sans-Fin: ").unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    let start = Instant::now();
    while sent < 64 * MB && endless.write_all(&chunk).is_ok() {
        sent += chunk.len() as u64;
    }
    let refused = response_of(endless);
    eprintln!(
        "endless header: {} KiB sent in {:?} before the server closed",
        sent / 1024,
        start.elapsed()
    );
    assert!(sent < 64 * MB, "the server read 64 MB of one header");
    // The answer comes first; a client still writing may lose it to the reset.
    assert!(
        refused.is_empty() || status(&refused) == "HTTP/1.1 431 Request Header Fields Too Large",
        "{refused}"
    );
    let long = preview.request(
        "GET",
        "/plan.html",
        &format!("X-Long: {}\r\n", "a".repeat(20_000)),
    );
    assert_eq!(
        status(&long),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    drop(halfway);
    assert!(preview.get("/__ctg/version").ends_with("\r\n\r\n1"));
    assert!(preview.get("/plan.html").contains("/__ctg/version"));

    #[cfg(target_os = "linux")]
    {
        let after = peak_memory(guard.0.id());
        eprintln!(
            "peak memory of ctg watch: {} MB after the build, {} MB after the hostile clients",
            before / MB,
            after / MB
        );
        assert!(after < 200 * MB, "{} MB at the peak", after / MB);
        assert!(
            after - before < 16 * MB,
            "the hostile clients raised the peak by {} MB",
            (after - before) / MB
        );
    }
}

/// Builds `root` as `ctg build` does, and returns the documents not made again.
fn build_again(root: &std::path::Path) -> Vec<String> {
    ctg::build(&ctg::BuildOptions {
        root: root.to_path_buf(),
        write: true,
        ..Default::default()
    })
    .unwrap_or_else(|f| panic!("{f}: {:?}", f.0))
    .unchanged
}

/// The modification time of every output file.
fn dates_of(
    out: &std::path::Path,
) -> std::collections::BTreeMap<std::path::PathBuf, std::time::SystemTime> {
    files_in(out)
        .into_keys()
        .filter(|name| !name.to_string_lossy().starts_with(".ctg-"))
        .map(|name| {
            let date = fs::metadata(out.join(&name)).unwrap().modified().unwrap();
            (name, date)
        })
        .collect()
}

/// A build with nothing changed makes no document again, and touches none of
/// their files; each change makes again the documents that show it, and only
/// those; a file removed from `out/` is made again.
#[test]
fn only_the_documents_whose_inputs_changed_are_made_again() {
    let project = copy_project(&fixture("mini"));
    let root = project.path();
    let suivi = root.join("data/suivi");
    fs::create_dir_all(&suivi).unwrap();
    fs::copy(
        fixture("mini-suivi").join("2024.toml"),
        suivi.join("2024.toml"),
    )
    .unwrap();
    let out = root.join("out");
    let all = ["plan", "fiches", "bilan-2024"];
    assert!(
        build_again(root).is_empty(),
        "a first build makes everything"
    );
    let files = files_in(&out);
    let dates = dates_of(&out);
    assert_eq!(build_again(root), all);
    assert!(files_in(&out) == files, "the second build changed a file");
    assert_eq!(dates_of(&out), dates, "the second build wrote a file again");

    // A comment in a record changes no document.
    let action = root.join("data/actions/logement/02-decence.toml");
    let text = fs::read_to_string(&action).unwrap();
    fs::write(&action, format!("# Relu en comité.\n{text}")).unwrap();
    assert_eq!(build_again(root), all);

    // The follow-up shows in the sheets and the review, not in the annex.
    let year = suivi.join("2024.toml");
    let follow_up = fs::read_to_string(&year).unwrap();
    fs::write(
        &year,
        follow_up.replace("avancement = 40", "avancement = 45"),
    )
    .unwrap();
    assert_eq!(build_again(root), ["plan"]);

    // A review's own text shows in that review only.
    let texts = root.join("data/bilans/2024");
    fs::create_dir_all(&texts).unwrap();
    fs::write(texts.join("introduction.md"), "Une année de travaux.\n").unwrap();
    assert_eq!(build_again(root), ["plan", "fiches"]);

    // An action shows everywhere.
    fs::write(&action, text.replacen("position = 2", "position = 3", 1)).unwrap();
    assert_ne!(fs::read_to_string(&action).unwrap(), text);
    assert!(build_again(root).is_empty());

    // A file removed from the output folder is made again, with its document.
    fs::remove_file(out.join("fiches.pdf")).unwrap();
    assert_eq!(build_again(root), ["plan", "bilan-2024"]);
    assert!(out.join("fiches.pdf").is_file());

    // `--forcer` makes everything again.
    let forced = ctg_command()
        .args(["build", "--forcer", "--root", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(forced.status.success());
    let said = String::from_utf8_lossy(&forced.stderr);
    assert!(!said.contains("inchangé"), "{said}");
    let again = ctg_command()
        .args(["build", "--root", root.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("inchangés depuis la dernière construction : plan, fiches, bilan-2024"),
        "{said}"
    );
}

/// A template of the project's own changes every document that uses it.
#[test]
fn a_changed_template_makes_its_documents_again() {
    let project = copy_project(&fixture("mini"));
    let root = project.path();
    build_again(root);
    let templates = root.join("templates");
    fs::create_dir_all(&templates).unwrap();
    let builtin = fs::read_to_string(project_root().join("templates/plan.html.tera")).unwrap();
    fs::write(templates.join("plan.html.tera"), format!("{builtin}\n")).unwrap();
    assert_eq!(build_again(root), Vec::<String>::new());
    assert_eq!(build_again(root), ["plan", "fiches"]);
}
