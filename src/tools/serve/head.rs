//! Reading a request: its head into a buffer of `Limits::head_bytes`,
//! parsed by httparse once complete, and a body of the length the checks
//! accepted, each read by the request's deadline.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Instant;

use super::Response;

/// Why no request was read.
pub(super) enum Unread {
    /// The client closed the connection, or it failed: nobody to answer.
    Left,
    Refused(Response),
}

/// What the server keeps of a request's head.
#[derive(Debug, Default)]
pub(super) struct Head {
    pub(super) method: String,
    /// The request target as sent: `/plan.html?jeton=…`.
    pub(super) target: String,
    pub(super) hosts: Vec<Vec<u8>>,
    pub(super) content_lengths: Vec<Vec<u8>>,
    pub(super) transfer_encoding: bool,
    pub(super) cookies: Vec<Vec<u8>>,
}

/// Reads until the head is complete; with it, where the head ends in `buffer`
/// and how far `buffer` was filled (the start of a body).
pub(super) fn read_head(
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
pub(super) fn read_before(
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
pub(super) fn parse_head(bytes: &[u8], headers: usize) -> Result<Option<(Head, usize)>, Unread> {
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

/// Reads a body of `length` bytes (at most `Limits::body_bytes`), starting
/// with those that came with the head.
pub(super) fn read_body(
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
