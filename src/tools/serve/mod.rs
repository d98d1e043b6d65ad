//! A local HTTP server on 127.0.0.1, shared by the preview (`ctg watch --serve`)
//! and the editor: every connection is bounded in time and memory, only this
//! machine's names are answered, and only a browser that opened the address
//! printed with the session's secret.
//!
//! Each connection has its own thread, at most [`Limits::connections`] at once.
//! A request's head is read into a buffer of [`Limits::head_bytes`] within
//! [`Limits::request_time`] and parsed by httparse; a body is read only when the
//! server accepts one, and only up to [`Limits::body_bytes`]. What no client may
//! decide: how much is allocated, how long a thread waits. Every refusal is a
//! status with a short French message, then the connection is closed.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The query parameter that carries the secret in the printed address.
pub const TOKEN_PARAMETER: &str = "jeton";

/// What a connection may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; the next ones get 503 at once.
    pub connections: usize,
    /// Size of a request's head (request line and headers), in bytes.
    pub head_bytes: usize,
    /// Number of headers.
    pub headers: usize,
    /// Time to receive a whole request, head and body, from the connection on.
    pub request_time: Duration,
    /// Time to send a whole response.
    pub write_time: Duration,
    /// Largest body accepted; 0: requests with a body are refused (413).
    pub body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // A browser opens about six connections per host: 32 leaves room for
            // several tabs, and a few stalled clients cannot exhaust the threads.
            connections: 32,
            // A browser's request to 127.0.0.1 is well under 2 KiB.
            head_bytes: 16 * 1024,
            headers: 64,
            request_time: Duration::from_secs(10),
            write_time: Duration::from_secs(30),
            body_bytes: 0,
        }
    }
}

/// Methods answered; the others get 405.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    /// Answered as GET, without the body.
    Head,
}

/// A request that passed every check. A handler reads what it needs: the
/// preview serves files, and reads only the path.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Request {
    pub method: Method,
    /// The path, percent-decoded: `/fiches/index.html`.
    pub path: String,
    /// What follows `?`, as sent; the secret never reaches a handler.
    pub query: Option<String>,
    /// At most [`Limits::body_bytes`]; empty when the server accepts no body.
    pub body: Vec<u8>,
}

/// A handler's answer; the server adds the headers every response carries.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }

    /// A plain text answer.
    pub fn text(status: u16, text: impl Into<String>) -> Response {
        Response::new(status, "text/plain; charset=utf-8", text.into())
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        let value = value.into();
        // A line break would let a value write its own headers.
        assert!(
            !value.contains(['\r', '\n']),
            "header {name} with a line break"
        );
        self.headers.push((name, value));
        self
    }

    /// The value of a header the handler or the server set.
    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What answers a request.
pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A listening server, not yet answering: its address can be printed first.
pub struct Server {
    listener: TcpListener,
    settings: Settings,
}

/// What every connection's thread reads.
struct Shared {
    settings: Settings,
    handler: Box<Handler>,
}

/// What the checks of a request need.
struct Settings {
    port: u16,
    secret: Secret,
    limits: Limits,
    /// The command that prints the address, named in the page refusing a
    /// request without the secret: `ctg watch`.
    command: &'static str,
}

impl Server {
    /// Listens on 127.0.0.1 only: `port` 0 takes a free one.
    pub fn bind(port: u16, limits: Limits, command: &'static str) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        Ok(Server {
            listener,
            settings: Settings {
                port,
                secret: Secret::new()?,
                limits,
                command,
            },
        })
    }

    #[cfg(test)]
    pub fn port(&self) -> u16 {
        self.settings.port
    }

    /// The address to print: it opens `path` and carries the secret, which the
    /// server trades for a cookie.
    pub fn address(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}{path}?{TOKEN_PARAMETER}={}",
            self.settings.port, self.settings.secret.0
        )
    }

    /// Answers requests with `handler` on a thread of its own, until the
    /// process ends.
    pub fn spawn(
        self,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> io::Result<thread::JoinHandle<()>> {
        let Server { listener, settings } = self;
        let shared = Arc::new(Shared {
            settings,
            handler: Box::new(handler),
        });
        thread::Builder::new()
            .name("ctg-serve".into())
            .spawn(move || accept_loop(&listener, &shared))
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
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

/// Why no request was read.
enum Unread {
    /// The client closed the connection, or it failed: nobody to answer.
    Left,
    Refused(Response),
}

/// What the server keeps of a request's head.
#[derive(Debug, Default)]
struct Head {
    method: String,
    /// The request target as sent: `/plan.html?jeton=…`.
    target: String,
    hosts: Vec<Vec<u8>>,
    content_lengths: Vec<Vec<u8>>,
    transfer_encoding: bool,
    cookies: Vec<Vec<u8>>,
}

/// Reads until the head is complete; with it, where the head ends in `buffer`
/// and how far `buffer` was filled (the start of a body).
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut [u8],
    headers: usize,
    deadline: Instant,
) -> Result<(Head, usize, usize), Unread> {
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            return Err(Unread::Refused(head_too_large()));
        }
        let read = match read_before(stream, &mut buffer[filled..], deadline) {
            // Browsers open connections ahead of need and may leave them
            // unused: one that sent nothing is closed without a word.
            Err(Unread::Refused(_)) if filled == 0 => return Err(Unread::Left),
            read => read?,
        };
        let new = &buffer[filled..filled + read];
        filled += read;
        // A head ends with a line break: parsing only when one came keeps a
        // client sending byte after byte from costing a parse per byte.
        if new.contains(&b'\n')
            && let Some((head, used)) = parse_head(&buffer[..filled], headers)?
        {
            return Ok((head, used, filled));
        }
    }
}

/// One read, waiting at most until `deadline`; at least one byte.
fn read_before(
    stream: &mut TcpStream,
    into: &mut [u8],
    deadline: Instant,
) -> Result<usize, Unread> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // A zero timeout would mean none at all.
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Unread::Refused(too_slow()));
        }
        match stream.read(into) {
            Ok(0) => return Err(Unread::Left),
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Unread::Refused(too_slow()));
            }
            Err(_) => return Err(Unread::Left),
        }
    }
}

/// The head at the start of `bytes`, and its length; `None` while incomplete.
fn parse_head(bytes: &[u8], headers: usize) -> Result<Option<(Head, usize)>, Unread> {
    let mut slots = vec![httparse::EMPTY_HEADER; headers];
    let mut request = httparse::Request::new(&mut slots);
    let used = match request.parse(bytes) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Unread::Refused(head_too_large())),
        Err(_) => {
            return Err(Unread::Refused(Response::text(400, "requête mal formée")));
        }
    };
    let mut head = Head {
        method: request.method.unwrap_or_default().to_string(),
        target: request.path.unwrap_or_default().to_string(),
        ..Head::default()
    };
    for header in request.headers.iter() {
        let value = header.value.to_vec();
        if header.name.eq_ignore_ascii_case("host") {
            head.hosts.push(value);
        } else if header.name.eq_ignore_ascii_case("content-length") {
            head.content_lengths.push(value);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            head.transfer_encoding = true;
        } else if header.name.eq_ignore_ascii_case("cookie") {
            head.cookies.push(value);
        }
    }
    Ok(Some((head, used)))
}

fn head_too_large() -> Response {
    Response::text(431, "en-têtes de la requête trop longs")
}

fn too_slow() -> Response {
    Response::text(408, "requête trop lente")
}

/// What a request that passed the checks asks for.
#[derive(Debug)]
struct Pass {
    method: Method,
    path: String,
    query: Option<String>,
    /// The body's length, at most `Limits::body_bytes`.
    length: usize,
}

#[derive(Debug)]
enum Checked {
    Pass(Pass),
    /// The secret came in the address: a cookie now carries it.
    Redirect(Response),
}

/// Checks, in order: the host named (a page of another site that resolves its
/// name to 127.0.0.1 names its own), the method, the body announced (before a
/// byte of it is read), the target, the secret.
fn check(head: &Head, settings: &Settings) -> Result<Checked, Response> {
    let port = settings.port;
    match head.hosts.as_slice() {
        [] => return Err(Response::text(400, "en-tête Host absent")),
        [host] if host_allowed(host, port) => {}
        [_] => {
            return Err(Response::text(
                421,
                format!("adresse inconnue : ce serveur ne répond qu'à http://127.0.0.1:{port}/"),
            ));
        }
        _ => return Err(Response::text(400, "plusieurs en-têtes Host")),
    }
    let method = match head.method.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        _ => {
            return Err(
                Response::text(405, "méthode non autorisée").with_header("Allow", "GET, HEAD")
            );
        }
    };
    let length = body_length(head, settings.limits.body_bytes)?;
    let (path, query) = match head.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (head.target.as_str(), None),
    };
    // Only the origin form (`/path`), as browsers send it; `http://…` targets
    // are for proxies. Browsers percent-encode what is not ASCII: the path can
    // then go back into a Location header as it came.
    let decoded = match path
        .starts_with('/')
        .then(|| percent_decoded(path))
        .flatten()
    {
        Some(decoded) if head.target.is_ascii() => decoded,
        _ => return Err(Response::text(400, "adresse mal formée")),
    };
    let secret = &settings.secret;
    if let Some(query) = query {
        let (tokens, rest): (Vec<&str>, Vec<&str>) = query
            .split('&')
            .partition(|p| p.split('=').next() == Some(TOKEN_PARAMETER));
        if !tokens.is_empty() {
            let valid = tokens.iter().any(|t| {
                t.split_once('=')
                    .is_some_and(|(_, value)| secret.matches(value.as_bytes()))
            });
            if !valid {
                return Err(forbidden(settings.command));
            }
            // The address without the secret: it leaves the address bar and
            // the history, and a reload goes through the cookie.
            let location = if rest.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", rest.join("&"))
            };
            // HttpOnly: no script reads it. SameSite=Strict: a page of another
            // site cannot make the browser send it. No Max-Age: it ends with
            // the browser's session, and the secret with the server's.
            let cookie = format!(
                "{}={}; HttpOnly; SameSite=Strict; Path=/",
                cookie_name(port),
                secret.0
            );
            return Ok(Checked::Redirect(
                Response::text(303, "suite sur la page demandée")
                    .with_header("Location", location)
                    .with_header("Set-Cookie", cookie),
            ));
        }
    }
    let name = cookie_name(port);
    let carried = head
        .cookies
        .iter()
        .flat_map(|header| cookie_values(header, &name))
        .any(|value| secret.matches(value));
    if !carried {
        return Err(forbidden(settings.command));
    }
    Ok(Checked::Pass(Pass {
        method,
        path: decoded,
        query: query.map(str::to_string),
        length,
    }))
}

/// A host name of this machine, with the server's port.
fn host_allowed(host: &[u8], port: u16) -> bool {
    let Ok(host) = std::str::from_utf8(host) else {
        return false;
    };
    let (name, host_port) = match host.rsplit_once(':') {
        Some((name, host_port)) => (name, Some(host_port)),
        None => (host, None),
    };
    // Without a port, a browser means 80. The port is compared as written
    // (`8023`, not `08023`), as browsers write it.
    let port_matches = match host_port {
        Some(host_port) => host_port == port.to_string(),
        None => port == 80,
    };
    port_matches && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// The body's announced length, checked against what the server accepts;
/// never used to allocate more than `accepted`.
fn body_length(head: &Head, accepted: usize) -> Result<usize, Response> {
    let too_large = || Response::text(413, "cette requête ne peut pas avoir de contenu");
    if head.transfer_encoding {
        // A body of unknown length (chunked): the preview takes none, the
        // editor will send its length.
        return Err(if accepted == 0 {
            too_large()
        } else {
            Response::text(411, "longueur du contenu requise")
        });
    }
    let unreadable = || Response::text(400, "longueur du contenu illisible");
    let length = match head.content_lengths.as_slice() {
        [] => return Ok(0),
        [length] => length,
        // Two lengths: which one a proxy would believe is anyone's guess.
        _ => return Err(unreadable()),
    };
    // Digits only (no sign, no space); a length beyond u64 is unreadable, one
    // beyond `accepted` too large, whatever memory it would take.
    if length.is_empty() || !length.iter().all(u8::is_ascii_digit) {
        return Err(unreadable());
    }
    let length: u64 = std::str::from_utf8(length)
        .ok()
        .and_then(|l| l.parse().ok())
        .ok_or_else(unreadable)?;
    match usize::try_from(length) {
        Ok(length) if length <= accepted => Ok(length),
        _ => Err(too_large()),
    }
}

/// Reads a body of `length` bytes (at most `Limits::body_bytes`), starting
/// with those that came with the head.
fn read_body(
    stream: &mut TcpStream,
    already: &[u8],
    length: usize,
    deadline: Instant,
) -> Result<Vec<u8>, Unread> {
    let mut body = vec![0; length];
    let mut filled = already.len().min(length);
    body[..filled].copy_from_slice(&already[..filled]);
    while filled < length {
        filled += read_before(stream, &mut body[filled..], deadline)?;
    }
    Ok(body)
}

fn cookie_name(port: u16) -> String {
    // Cookies are shared by all the ports of a host: each server names its
    // own, so that two sessions on two ports do not overwrite each other's.
    format!("ctg_jeton_{port}")
}

/// The values of the cookies named `name` in a `Cookie` header.
fn cookie_values<'a>(header: &'a [u8], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    header.split(|&b| b == b';').filter_map(move |pair| {
        let pair = pair.trim_ascii();
        let equals = pair.iter().position(|&b| b == b'=')?;
        (&pair[..equals] == name.as_bytes()).then(|| &pair[equals + 1..])
    })
}

/// The page refusing a request without the secret.
fn forbidden(command: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"fr\">\n<meta charset=\"utf-8\">\n<title>Accès refusé</title>\n\
         <h1>Accès refusé</h1>\n<p>Ouvrez l'adresse affichée par <code>{command}</code> : elle contient \
         le jeton de cette session. Si <code>{command}</code> a été relancé, l'ancienne adresse ne vaut plus.</p>\n"
    );
    Response::new(403, "text/html; charset=utf-8", page)
}

/// The session's secret: 32 bytes from the system's randomness, in hexadecimal.
struct Secret(String);

impl Secret {
    fn new() -> io::Result<Secret> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            io::Error::other(format!("aléa du système indisponible pour le jeton ({e})"))
        })?;
        Ok(Secret(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    fn matches(&self, candidate: &[u8]) -> bool {
        same_secret(self.0.as_bytes(), candidate)
    }
}

/// Compares in a time that does not depend on where the bytes differ, so that
/// timing answers cannot guess the secret byte after byte. The length is no
/// secret: always 64 digits.
fn same_secret(secret: &[u8], candidate: &[u8]) -> bool {
    if secret.len() != candidate.len() {
        return false;
    }
    let difference = secret
        .iter()
        .zip(candidate)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    // Keeps the compiler from turning the fold into an early exit.
    std::hint::black_box(difference) == 0
}

/// `%XX` sequences decoded; `None` for a broken one or bytes that are no UTF-8.
fn percent_decoded(raw: &str) -> Option<String> {
    fn digit(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = digit(*bytes.get(i + 1)?)?;
            let low = digit(*bytes.get(i + 2)?)?;
            decoded.push((high << 4) | low);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Sends `response` with the headers every response carries, by `deadline`.
fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
    deadline: Instant,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\n\
         Connection: close\r\n\
         Cache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\n\r\n",
        response.body.len()
    ));
    write_before(stream, head.as_bytes(), deadline)?;
    if !head_only {
        write_before(stream, &response.body, deadline)?;
    }
    stream.flush()
}

/// Writes all of `bytes` by `deadline`: a client that reads slowly cannot
/// hold the thread longer.
fn write_before(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(&bytes[..bytes.len().min(64 * 1024)]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(limits: Limits) -> Settings {
        Settings {
            port: 8023,
            secret: Secret("ab".repeat(32)),
            limits,
            command: "ctg watch",
        }
    }

    fn head_of(text: &str) -> Head {
        match parse_head(text.as_bytes(), 64) {
            Ok(Some((head, used))) => {
                assert_eq!(used, text.len());
                head
            }
            Ok(None) => panic!("incomplete: {text}"),
            Err(Unread::Refused(r)) => panic!("refused with {}: {text}", r.status),
            Err(Unread::Left) => unreachable!(),
        }
    }

    fn status_of(text: &str, limits: Limits) -> u16 {
        match check(&head_of(text), &settings(limits)) {
            Ok(Checked::Pass(_)) => 200,
            Ok(Checked::Redirect(r)) | Err(r) => r.status,
        }
    }

    const COOKIE: &str = "Cookie: ctg_jeton_8023=abababababababababababababababababababababababababababababababab\r\n";

    fn get(target: &str, headers: &str) -> String {
        format!("GET {target} HTTP/1.1\r\n{headers}\r\n")
    }

    fn allowed(headers: &str) -> u16 {
        status_of(
            &get("/plan.html", &format!("Host: 127.0.0.1:8023\r\n{headers}")),
            Limits::default(),
        )
    }

    #[test]
    fn a_head_is_parsed_once_complete() {
        let text = get("/a%20b.html?x=1", "Host: 127.0.0.1:8023\r\n");
        assert!(matches!(parse_head(&text.as_bytes()[..20], 64), Ok(None)));
        let head = head_of(&text);
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/a%20b.html?x=1");
        assert_eq!(head.hosts, vec![b"127.0.0.1:8023".to_vec()]);
        let refused = |text: &str| match parse_head(text.as_bytes(), 64) {
            Err(Unread::Refused(r)) => r.status,
            _ => panic!("accepted: {text}"),
        };
        assert_eq!(refused("GET /\r\n\r\n"), 400);
        assert_eq!(refused("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"), 400);
        let many: String = (0..65).map(|i| format!("X-{i}: y\r\n")).collect();
        assert_eq!(refused(&get("/", &many)), 431);
        let sixty_four: String = (0..63).map(|i| format!("X-{i}: y\r\n")).collect();
        head_of(&get("/", &format!("Host: 127.0.0.1:8023\r\n{sixty_four}")));
    }

    #[test]
    fn only_this_machine_s_names_with_the_port_are_answered() {
        for host in ["127.0.0.1:8023", "localhost:8023", "LocalHost:8023"] {
            assert!(host_allowed(host.as_bytes(), 8023), "{host}");
        }
        for host in [
            "evil.example:8023",
            "127.0.0.1:8024",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:08023",
            "127.0.0.2:8023",
            "localhost.:8023",
            "[::1]:8023",
            "evil.example",
            "",
        ] {
            assert!(!host_allowed(host.as_bytes(), 8023), "{host}");
        }
        assert!(host_allowed(b"localhost", 80));
        assert_eq!(allowed(COOKIE), 200);
        let evil = get("/", &format!("Host: evil.example:8023\r\n{COOKIE}"));
        assert_eq!(status_of(&evil, Limits::default()), 421);
        assert_eq!(status_of(&get("/", COOKIE), Limits::default()), 400);
        let twice = format!("Host: 127.0.0.1:8023\r\nHost: evil.example\r\n{COOKIE}");
        assert_eq!(status_of(&get("/", &twice), Limits::default()), 400);
    }

    #[test]
    fn bodies_are_refused_by_their_announced_length_without_reading_them() {
        for length in ["5000", "18446744073709551615", "30000000000", "1"] {
            assert_eq!(
                allowed(&format!("{COOKIE}Content-Length: {length}\r\n")),
                413,
                "{length}"
            );
        }
        for length in ["184467440737095516150", "-1", "+1", "1 2", "0x10", ""] {
            assert_eq!(
                allowed(&format!("{COOKIE}Content-Length: {length}\r\n")),
                400,
                "{length}"
            );
        }
        assert_eq!(allowed(&format!("{COOKIE}Content-Length: 0\r\n")), 200);
        let twice = format!("{COOKIE}Content-Length: 0\r\nContent-Length: 0\r\n");
        assert_eq!(allowed(&twice), 400);
        assert_eq!(
            allowed(&format!("{COOKIE}Transfer-Encoding: chunked\r\n")),
            413
        );
        // A server that takes bodies takes them up to its bound.
        let editor = Limits {
            body_bytes: 100,
            ..Limits::default()
        };
        let with = |headers: &str| {
            status_of(
                &get("/", &format!("Host: 127.0.0.1:8023\r\n{COOKIE}{headers}")),
                editor.clone(),
            )
        };
        assert_eq!(with("Content-Length: 100\r\n"), 200);
        assert_eq!(with("Content-Length: 101\r\n"), 413);
        assert_eq!(with("Transfer-Encoding: chunked\r\n"), 411);
    }

    #[test]
    fn only_get_and_head_are_answered() {
        for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
            let text = format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1:8023\r\n{COOKIE}\r\n");
            assert_eq!(status_of(&text, Limits::default()), 405, "{method}");
        }
        let text = format!("HEAD / HTTP/1.1\r\nHost: 127.0.0.1:8023\r\n{COOKIE}\r\n");
        assert_eq!(status_of(&text, Limits::default()), 200);
    }

    #[test]
    fn the_secret_is_traded_for_a_cookie_then_required() {
        let secret = "ab".repeat(32);
        let host = "Host: 127.0.0.1:8023\r\n";
        let checked = |target: &str, headers: &str| {
            check(
                &head_of(&get(target, &format!("{host}{headers}"))),
                &settings(Limits::default()),
            )
        };
        let Ok(Checked::Redirect(redirect)) =
            checked(&format!("/fiches/index.html?a=1&jeton={secret}&b=2"), "")
        else {
            panic!("no redirect");
        };
        assert_eq!(redirect.status, 303);
        assert_eq!(
            redirect.header("Location"),
            Some("/fiches/index.html?a=1&b=2")
        );
        assert_eq!(
            redirect.header("Set-Cookie"),
            Some(format!("ctg_jeton_8023={secret}; HttpOnly; SameSite=Strict; Path=/").as_str())
        );
        let Ok(Checked::Redirect(redirect)) = checked(&format!("/?jeton={secret}"), "") else {
            panic!("no redirect");
        };
        assert_eq!(redirect.header("Location"), Some("/"));

        let status = |target: &str, headers: &str| match checked(target, headers) {
            Ok(Checked::Pass(_)) => 200,
            Ok(Checked::Redirect(r)) | Err(r) => r.status,
        };
        let wrong = format!("{}ac", "ab".repeat(31));
        assert_eq!(status("/", ""), 403);
        assert_eq!(status(&format!("/?jeton={wrong}"), ""), 403);
        assert_eq!(status("/?jeton=", ""), 403);
        assert_eq!(status("/?jeton", COOKIE), 403);
        assert_eq!(
            status("/", &format!("Cookie: ctg_jeton_8023={wrong}\r\n")),
            403
        );
        assert_eq!(
            status("/", &format!("Cookie: ctg_jeton_8024={secret}\r\n")),
            403
        );
        assert_eq!(
            status("/", &format!("Cookie: ctg_jeton_8023={secret}x\r\n")),
            403
        );
        assert_eq!(status("/", COOKIE), 200);
        assert_eq!(
            status(
                "/",
                &format!("Cookie: a=b; ctg_jeton_8023={secret}; c=d\r\n")
            ),
            200
        );
        let Err(page) = checked("/", "") else {
            panic!("answered")
        };
        let page = String::from_utf8(page.body).unwrap();
        assert!(
            page.contains("Ouvrez l'adresse affichée par <code>ctg watch</code>"),
            "{page}"
        );

        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
        assert!(!same_secret(b"abc", b""));
    }

    #[test]
    fn secrets_are_64_hexadecimal_digits_drawn_anew() {
        let (a, b) = (Secret::new().unwrap(), Secret::new().unwrap());
        assert_eq!(a.0.len(), 64);
        assert!(
            a.0.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a.0, b.0);
    }

    #[test]
    fn paths_are_percent_decoded_and_targets_checked() {
        assert_eq!(
            percent_decoded("/donn%C3%A9es.csv").as_deref(),
            Some("/données.csv")
        );
        assert_eq!(percent_decoded("/a%2Fb").as_deref(), Some("/a/b"));
        assert_eq!(percent_decoded("/a%2"), None);
        assert_eq!(percent_decoded("/a%zz"), None);
        assert_eq!(percent_decoded("/a%+1"), None);
        assert_eq!(percent_decoded("/%FF"), None);
        assert_eq!(allowed(COOKIE), 200);
        let host = "Host: 127.0.0.1:8023\r\n";
        for target in ["http://127.0.0.1:8023/", "*", "/%zz", "/%C3"] {
            let text = get(target, &format!("{host}{COOKIE}"));
            assert_eq!(status_of(&text, Limits::default()), 400, "{target}");
        }
    }

    // Over sockets: an in-process server on a free port.

    struct Running {
        port: u16,
        secret: String,
    }

    fn start(limits: Limits) -> Running {
        let server = Server::bind(0, limits, "ctg watch").unwrap();
        let running = Running {
            port: server.port(),
            secret: server.settings.secret.0.clone(),
        };
        server
            .spawn(|request| {
                if request.path == "/panique" {
                    panic!("a handler's bug");
                }
                Response::text(
                    200,
                    format!("{} {} octets", request.path, request.body.len()),
                )
            })
            .unwrap();
        running
    }

    impl Running {
        fn connect(&self) -> TcpStream {
            let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
                .set_write_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
        }

        /// Sends `head` (the Host and the cookie added) and `body`, returns the response.
        fn send(&self, first: &str, headers: &str, body: &[u8]) -> String {
            let mut stream = self.connect();
            let cookie = format!("Cookie: ctg_jeton_{}={}\r\n", self.port, self.secret);
            let host = format!("Host: 127.0.0.1:{}\r\n", self.port);
            write!(stream, "{first}\r\n{host}{cookie}{headers}\r\n").unwrap();
            stream.write_all(body).unwrap();
            response_of(stream)
        }
    }

    fn response_of(stream: TcpStream) -> String {
        let mut response = String::new();
        let _ = std::io::BufReader::new(stream).read_to_string(&mut response);
        response
    }

    fn status_line(response: &str) -> &str {
        response.lines().next().unwrap_or("")
    }

    #[test]
    fn a_stalled_client_does_not_hold_the_others_and_times_out() {
        let server = start(Limits {
            request_time: Duration::from_millis(600),
            ..Limits::default()
        });
        let mut stalled = server.connect();
        write!(
            stalled,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
            server.port
        )
        .unwrap();
        let start = Instant::now();
        let answer = server.send("GET /autre HTTP/1.1", "", b"");
        assert!(start.elapsed() < Duration::from_millis(500));
        assert_eq!(status_line(&answer), "HTTP/1.1 200 OK", "{answer}");
        let answer = response_of(stalled);
        assert_eq!(status_line(&answer), "HTTP/1.1 408 Request Timeout");
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn a_head_beyond_its_bound_is_cut_off() {
        let server = start(Limits::default());
        let mut stream = server.connect();
        write!(stream, "GET / HTTP/1.1\r\nX-Long: ").unwrap();
        let chunk = vec![b'a'; 64 * 1024];
        // The server stops reading at 16 KiB; the kernel's buffers take a few
        // megabytes more, then writing fails or stalls (then the timeout).
        let mut sent = 0;
        while sent < 64 * 1024 * 1024 && stream.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        assert!(sent < 64 * 1024 * 1024, "the server read it all");
        let answer = response_of(stream);
        assert!(
            answer.is_empty() || status_line(&answer).starts_with("HTTP/1.1 431"),
            "{answer}"
        );
        // Sent in one go, the refusal arrives whole.
        let long = "a".repeat(20_000);
        let answer = server.send("GET / HTTP/1.1", &format!("X-Long: {long}\r\n"), b"");
        assert_eq!(
            status_line(&answer),
            "HTTP/1.1 431 Request Header Fields Too Large"
        );
        assert_eq!(
            status_line(&server.send("GET / HTTP/1.1", "", b"")),
            "HTTP/1.1 200 OK"
        );
    }

    #[test]
    fn beyond_the_bound_on_connections_the_next_ones_get_503() {
        let server = start(Limits {
            connections: 2,
            request_time: Duration::from_millis(800),
            ..Limits::default()
        });
        let held: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
        // Both are being served once the server accepted them.
        std::thread::sleep(Duration::from_millis(200));
        let answer = response_of(server.connect());
        assert_eq!(
            status_line(&answer),
            "HTTP/1.1 503 Service Unavailable",
            "{answer}"
        );
        // Having sent nothing, they are closed without an answer.
        for stream in held {
            assert_eq!(response_of(stream), "");
        }
        assert_eq!(
            status_line(&server.send("GET / HTTP/1.1", "", b"")),
            "HTTP/1.1 200 OK"
        );
    }

    #[test]
    fn a_handler_s_panic_is_a_500_and_the_server_goes_on() {
        let server = start(Limits::default());
        let answer = server.send("GET /panique HTTP/1.1", "", b"");
        assert_eq!(status_line(&answer), "HTTP/1.1 500 Internal Server Error");
        assert_eq!(
            status_line(&server.send("GET / HTTP/1.1", "", b"")),
            "HTTP/1.1 200 OK"
        );
    }

    #[test]
    fn responses_carry_the_common_headers_and_head_has_no_body() {
        let server = start(Limits::default());
        let answer = server.send("GET /donn%C3%A9es HTTP/1.1", "", b"");
        for header in [
            "Content-Length: 18\r\n",
            "Connection: close\r\n",
            "Cache-Control: no-store\r\n",
            "X-Content-Type-Options: nosniff\r\n",
        ] {
            assert!(answer.contains(header), "{header}: {answer}");
        }
        assert!(answer.ends_with("\r\n\r\n/données 0 octets"), "{answer}");
        let answer = server.send("HEAD /donn%C3%A9es HTTP/1.1", "", b"");
        assert!(answer.contains("Content-Length: 18\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\n"), "{answer}");
    }

    #[test]
    fn a_bounded_body_is_read_when_the_server_takes_one() {
        let server = start(Limits {
            body_bytes: 10,
            request_time: Duration::from_millis(500),
            ..Limits::default()
        });
        let answer = server.send("GET / HTTP/1.1", "Content-Length: 10\r\n", b"0123456789");
        assert!(answer.ends_with("/ 10 octets"), "{answer}");
        let answer = server.send("GET / HTTP/1.1", "Content-Length: 11\r\n", b"");
        assert!(status_line(&answer).starts_with("HTTP/1.1 413"), "{answer}");
        // Announced, never sent: the deadline ends the wait.
        let answer = server.send("GET / HTTP/1.1", "Content-Length: 10\r\n", b"01234");
        assert!(status_line(&answer).starts_with("HTTP/1.1 408"), "{answer}");
    }

    #[test]
    fn the_printed_address_opens_the_session() {
        let server = start(Limits::default());
        let mut stream = server.connect();
        write!(
            stream,
            "GET /plan.html?jeton={} HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            server.secret, server.port
        )
        .unwrap();
        let answer = response_of(stream);
        assert_eq!(status_line(&answer), "HTTP/1.1 303 See Other", "{answer}");
        assert!(answer.contains("\r\nLocation: /plan.html\r\n"), "{answer}");
        let cookie = answer
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: "))
            .unwrap();
        assert!(cookie.starts_with(&format!("ctg_jeton_{}={};", server.port, server.secret)));
        // Nothing else passes.
        let mut stream = server.connect();
        write!(
            stream,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            server.port
        )
        .unwrap();
        let answer = response_of(stream);
        assert_eq!(status_line(&answer), "HTTP/1.1 403 Forbidden", "{answer}");
    }
}
