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
//!
//! The connections are accepted and served in [`connection`]; a request's
//! head is read and parsed in [`head`], then checked in [`check`], the
//! session's secret in [`secret`]; a response is written in [`response`].

mod check;
mod connection;
mod head;
mod response;
mod secret;
#[cfg(test)]
mod tests;

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use connection::accept_loop;
use secret::Secret;

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
