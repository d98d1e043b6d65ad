//! The checks of a request's head, before a byte of its body is read: the
//! host it names, its method, the body it announces, its target and the
//! session's secret.

use super::head::Head;
use super::secret::{cookie_name, cookie_values, forbidden};
use super::{Method, Response, Settings, TOKEN_PARAMETER};

/// What a request that passed the checks asks for.
#[derive(Debug)]
pub(super) struct Pass {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Option<String>,
    /// The body's length, at most `Limits::body_bytes`.
    pub(super) length: usize,
}

#[derive(Debug)]
pub(super) enum Checked {
    Pass(Pass),
    /// The secret came in the address: a cookie now carries it.
    Redirect(Response),
}

/// Checks, in order: the host named (a page of another site that resolves its
/// name to 127.0.0.1 names its own), the method, the body announced (before a
/// byte of it is read), the target, the secret.
pub(super) fn check(head: &Head, settings: &Settings) -> Result<Checked, Response> {
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
pub(super) fn host_allowed(host: &[u8], port: u16) -> bool {
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

/// `%XX` sequences decoded; `None` for a broken one or bytes that are no UTF-8.
pub(super) fn percent_decoded(raw: &str) -> Option<String> {
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
