//! Many projects in one run, and `ctg watch` with its preview server.

mod common;

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
    use ctg::batch::{self, Progress, Runner};
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
    let outcomes = batch::build_all(
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
    use ctg::batch::{self, Progress, Runner};

    let (all, projects) = folder_of_projects(&["a", "b"]);
    let outcomes = batch::build_all(
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

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
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
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut child = ctg_command()
        .args([
            "watch",
            "--serve",
            "--port",
            &port.to_string(),
            "--root",
            project.path().to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let _guard = Killed(child);
    wait_for(&rx, "reconstruit en");
    wait_for(&rx, "surveillance de data/");
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n1"));

    let page = get(port, "/plan.html");
    assert!(
        page.contains("200 OK") && page.contains("/__ctg/version"),
        "{page}"
    );
    assert!(
        !fs::read_to_string(project.path().join("out/plan.html"))
            .unwrap()
            .contains("__ctg")
    );
    assert!(get(port, "/../data/convention.toml").contains("404"));

    // An error is printed, the watcher goes on, out/ is untouched.
    let cell = project.path().join("data/actions/logement/01-impayes.toml");
    let good = fs::read_to_string(&cell).unwrap();
    fs::write(
        &cell,
        good.replace("echeance = \"2026\"", "echeance = \"2031\""),
    )
    .unwrap();
    wait_for(&rx, "échec");
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n1"));

    fs::write(
        &cell,
        good.replace("Travailleur social", "Travailleuse sociale"),
    )
    .unwrap();
    let line = wait_for(&rx, "reconstruit en");
    assert!(line.ends_with("pages)"), "{line}");
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n2"));
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
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut child = ctg_command()
        .args([
            "watch",
            "--serve",
            "--port",
            &port.to_string(),
            "--root",
            project.path().to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let guard = Killed(child);
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
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n1"));

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
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n2"));

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
    assert!(get(port, "/__ctg/version").ends_with("\r\n\r\n3"));
}
