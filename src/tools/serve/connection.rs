//! The connection loop: each connection accepted is served on a thread of
//! its own, at most `Limits::connections` at once, one request and one
//! response, then closed; a panic is caught and told, and the server goes on.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::check::{Checked, check};
use super::head::{Unread, read_before, read_body, read_head};
use super::response::write_response;
use super::{Handler, Request, Response, Settings, Shared};

pub(super) fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let port = shared.settings.port;
    // `incoming` never ends: getting past it means a panic, caught so that it
    // is told. The process goes on (the watcher still rebuilds): without a
    // word, the page would just stop answering.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        let active = Arc::new(AtomicUsize::new(0));
        let mut failing = false;
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => {
                    failing = false;
                    dispatch(stream, shared, &active);
                }
                Err(e) => {
                    // One line per series of failures: out of file descriptors,
                    // every accept fails until connections end.
                    if !failing {
                        crate::say!(
                            "serveur local (127.0.0.1:{port}) : une connexion n'a pu être acceptée ({e}) ; le serveur continue"
                        );
                    }
                    failing = true;
                    thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }));
    crate::say!(
        "serveur local (127.0.0.1:{port}) arrêté sur une erreur interne ; relancez `{}` pour le retrouver",
        shared.settings.command
    );
}

/// Hands a connection to a thread of its own, or refuses it when all slots are
/// taken.
fn dispatch(stream: TcpStream, shared: &Arc<Shared>, active: &Arc<AtomicUsize>) {
    let Some(slot) = Slot::take(active, shared.settings.limits.connections) else {
        // Answered from the accepting thread: a few bytes into a new
        // connection's empty send buffer do not wait, and the timeout bounds it.
        let mut stream = stream;
        let response = Response::text(503, "trop de connexions simultanées ; réessayez");
        let deadline = Instant::now() + Duration::from_secs(1);
        let _ = write_response(&mut stream, &response, false, deadline);
        let _ = stream.shutdown(Shutdown::Both);
        return;
    };
    let shared = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("ctg-connexion".into())
        .spawn(move || {
            let _slot = slot;
            // The handler's panics are caught nearer; this catches the rest, so
            // that a connection never takes anything else down.
            if panic::catch_unwind(AssertUnwindSafe(|| connection(stream, &shared))).is_err() {
                crate::say!(
                    "serveur local : erreur interne sur une connexion ; le serveur continue"
                );
            }
        });
    if let Err(e) = spawned {
        crate::say!("serveur local : connexion abandonnée ({e}) ; le serveur continue");
    }
}

/// One of the connections served at once, released when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(active: &Arc<AtomicUsize>, limit: usize) -> Option<Slot> {
        active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(active)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One request, one response, then the connection closes: a browser opens
/// another for the next request, which keeps every connection's life short.
fn connection(mut stream: TcpStream, shared: &Shared) {
    let Some((response, head_only)) = answer(&mut stream, &shared.settings, &*shared.handler)
    else {
        return;
    };
    let deadline = Instant::now() + shared.settings.limits.write_time;
    if write_response(&mut stream, &response, head_only, deadline).is_ok() {
        linger(&mut stream);
    }
}

/// The response to the request on `stream`; `None` when the client left
/// before sending one. With it, whether to send the head only.
fn answer(
    stream: &mut TcpStream,
    settings: &Settings,
    handler: &Handler,
) -> Option<(Response, bool)> {
    let limits = &settings.limits;
    let deadline = Instant::now() + limits.request_time;
    // Sized by the server: whatever the client announces, this is all a
    // request's head gets.
    let mut buffer = vec![0; limits.head_bytes];
    let (head, used, filled) = match read_head(stream, &mut buffer, limits.headers, deadline) {
        Ok(read) => read,
        Err(Unread::Left) => return None,
        Err(Unread::Refused(response)) => return Some((response, false)),
    };
    let head_only = head.method == "HEAD";
    let checked = match check(&head, settings) {
        Ok(Checked::Pass(checked)) => checked,
        Ok(Checked::Redirect(response)) | Err(response) => return Some((response, head_only)),
    };
    let body = match read_body(stream, &buffer[used..filled], checked.length, deadline) {
        Ok(body) => body,
        Err(Unread::Left) => return None,
        Err(Unread::Refused(response)) => return Some((response, head_only)),
    };
    let request = Request {
        method: checked.method,
        path: checked.path,
        query: checked.query,
        body,
    };
    let response = match panic::catch_unwind(AssertUnwindSafe(|| handler(&request))) {
        Ok(response) => response,
        Err(_) => {
            crate::say!(
                "serveur local : erreur interne en répondant à {} ; le serveur continue",
                request.path
            );
            Response::text(500, "erreur interne du serveur")
        }
    };
    Some((response, head_only))
}

/// Closes after the response: what the client still sends (a refused body,
/// the rest of a long header) is read and dropped for a moment, because
/// closing with unread bytes resets the connection and the client may lose
/// the response. Bounded in time and bytes.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut left = 256 * 1024;
    while left > 0 {
        match read_before(stream, &mut sink, deadline) {
            Ok(n) => left -= n.min(left),
            Err(_) => break,
        }
    }
}
