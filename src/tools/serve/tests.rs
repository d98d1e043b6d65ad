//! The server's unit tests: the parsing and the checks of a request on
//! strings, then an in-process server over sockets.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::check::{Checked, check, host_allowed, percent_decoded};
use super::head::{Head, Unread, parse_head};
use super::secret::same_secret;
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

const COOKIE: &str =
    "Cookie: ctg_jeton_8023=abababababababababababababababababababababababababababababababab\r\n";

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
