//! The session's secret: drawn from the system's randomness, printed in the
//! address, traded for a cookie of the server's port, and compared in a time
//! that tells nothing; without it, a page says where to find it.

use std::io;

use super::Response;

/// The cookie that carries the secret.
pub(super) fn cookie_name(port: u16) -> String {
    // Cookies are shared by all the ports of a host: each server names its
    // own, so that two sessions on two ports do not overwrite each other's.
    format!("ctg_jeton_{port}")
}

/// The values of the cookies named `name` in a `Cookie` header.
pub(super) fn cookie_values<'a>(header: &'a [u8], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    header.split(|&b| b == b';').filter_map(move |pair| {
        let pair = pair.trim_ascii();
        let equals = pair.iter().position(|&b| b == b'=')?;
        (&pair[..equals] == name.as_bytes()).then(|| &pair[equals + 1..])
    })
}

/// The page refusing a request without the secret.
pub(super) fn forbidden(command: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"fr\">\n<meta charset=\"utf-8\">\n<title>Accès refusé</title>\n\
         <h1>Accès refusé</h1>\n<p>Ouvrez l'adresse affichée par <code>{command}</code> : elle contient \
         le jeton de cette session. Si <code>{command}</code> a été relancé, l'ancienne adresse ne vaut plus.</p>\n"
    );
    Response::new(403, "text/html; charset=utf-8", page)
}

/// The session's secret: 32 bytes from the system's randomness, in hexadecimal.
pub(super) struct Secret(pub(super) String);

impl Secret {
    pub(super) fn new() -> io::Result<Secret> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            io::Error::other(format!("aléa du système indisponible pour le jeton ({e})"))
        })?;
        Ok(Secret(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub(super) fn matches(&self, candidate: &[u8]) -> bool {
        same_secret(self.0.as_bytes(), candidate)
    }
}

/// Compares in a time that does not depend on where the bytes differ, so that
/// timing answers cannot guess the secret byte after byte. The length is no
/// secret: always 64 digits.
pub(super) fn same_secret(secret: &[u8], candidate: &[u8]) -> bool {
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
