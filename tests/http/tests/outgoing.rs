//! Outgoing `wasi:http` from a real Rust guest (`examples/guests/http-client`): refused by
//! default, let through for the hosts a sandbox names, refused again when an allowed name
//! resolves to a private address, and bounded by the container's timeouts and response size.
//!
//! The servers are plain threads on 127.0.0.1 that count their connections, so that a refusal
//! is known to happen before anything reaches the network.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tairitsu_http_tests::HTTP_CLIENT_WASM;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, Error, Image, Limits, Sandbox};

/// What the test server answers.
#[derive(Clone)]
enum Reply {
    /// 200 with this body and its `content-length`.
    Text(&'static str),
    /// 200 with this many bytes, announced (`content-length`) or chunked.
    Large { bytes: usize, announced: bool },
    /// Waits this long before answering 200.
    After(Duration),
}

/// A server on 127.0.0.1 that answers up to `max` connections with `reply`, then stops; it
/// also stops by itself after 20 s.
struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<parking_lot::Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(reply: Reply, max: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(20);
            while count.load(Ordering::SeqCst) < max && Instant::now() < until {
                match listener.accept() {
                    Ok((stream, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        stream.set_nonblocking(false).unwrap();
                        answer(stream, &reply, &seen);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            connections,
            requests,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Unblock the accept loop: it stops once it has counted `max` connections or timed out.
        self.connections.store(usize::MAX / 2, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads the request head, records it in `seen` (before answering, so that the client never
/// sees the answer first), and answers.
fn answer(stream: TcpStream, reply: &Reply, seen: &parking_lot::Mutex<Vec<String>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    seen.lock().push(head);
    let mut stream = stream;
    let result = match reply {
        Reply::Text(body) => write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
        Reply::Large { bytes, announced } => {
            let body = "x".repeat(*bytes);
            if *announced {
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-length: {bytes}\r\nconnection: close\r\n\r\n{body}"
                )
            } else {
                let mut text =
                    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                        .to_string();
                for chunk in body.as_bytes().chunks(512) {
                    text.push_str(&format!("{:x}\r\n", chunk.len()));
                    text.push_str(std::str::from_utf8(chunk).unwrap());
                    text.push_str("\r\n");
                }
                text.push_str("0\r\n\r\n");
                stream.write_all(text.as_bytes())
            }
        }
        Reply::After(delay) => {
            std::thread::sleep(*delay);
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nlate"
            )
        }
    };
    let _ = result.and_then(|()| stream.flush());
}

fn client(sandbox: Sandbox, limits: Limits) -> Container {
    let image = Image::from_file(HTTP_CLIENT_WASM).unwrap();
    Container::builder(image)
        .with_sandbox(sandbox)
        .with_limits(limits)
        .build()
        .unwrap()
}

/// `get(url)`: the status and body, or the guest's error text.
fn get(container: &mut Container, url: &str) -> Result<(u16, String), String> {
    let out = container
        .call_guest_binary("get", &[Val::String(url.into())])
        .unwrap();
    match out.as_slice() {
        [Val::Result(Ok(Some(response)))] => match &**response {
            Val::Record(fields) => match fields.as_slice() {
                [(_, Val::U16(status)), (_, Val::String(body))] => Ok((*status, body.clone())),
                other => panic!("not a response record: {other:?}"),
            },
            other => panic!("not a record: {other:?}"),
        },
        [Val::Result(Err(Some(error)))] => match &**error {
            Val::String(text) => Err(text.clone()),
            other => panic!("not a string: {other:?}"),
        },
        other => panic!("not a result: {other:?}"),
    }
}

#[test]
fn a_default_sandbox_refuses_every_request_before_it_connects() {
    let server = Server::start(Reply::Text("hello"), 1);
    let mut c = client(Sandbox::new(), Limits::new());
    assert_eq!(
        get(&mut c, &server.url("/")),
        Err("ErrorCode::HttpRequestDenied".into())
    );
    assert_eq!(
        get(&mut c, "http://169.254.169.254/latest/meta-data/"),
        Err("ErrorCode::HttpRequestDenied".into())
    );
    assert_eq!(
        get(&mut c, "https://api.example.com/"),
        Err("ErrorCode::HttpRequestDenied".into())
    );
    // The guest saw an error value, not a trap: the container keeps answering.
    assert_eq!(
        get(&mut c, &server.url("/again")),
        Err("ErrorCode::HttpRequestDenied".into())
    );
    assert_eq!(server.connections(), 0);
}

#[test]
fn an_allowed_host_is_reached_and_only_on_its_port() {
    let server = Server::start(Reply::Text("hello from the host"), 1);
    let other = Server::start(Reply::Text("other"), 1);
    let sandbox = Sandbox::new().allow_http([format!("127.0.0.1:{}", server.port)]);
    let mut c = client(sandbox, Limits::new());
    assert_eq!(
        get(&mut c, &server.url("/path?q=1")),
        Ok((200, "hello from the host".into()))
    );
    let requests = server.requests.lock().clone();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with("GET /path?q=1 HTTP/1.1\r\n"),
        "{requests:?}"
    );
    assert!(
        requests[0]
            .to_ascii_lowercase()
            .contains(&format!("host: 127.0.0.1:{}\r\n", server.port)),
        "{requests:?}"
    );
    assert_eq!(
        get(&mut c, &other.url("/")),
        Err("ErrorCode::HttpRequestDenied".into())
    );
    assert_eq!(other.connections(), 0);
}

#[test]
fn a_name_that_resolves_to_a_private_address_is_refused_unless_the_address_is_listed() {
    let server = Server::start(Reply::Text("via localhost"), 1);
    let url = format!("http://localhost:{}/", server.port);

    // The name is allowed, but it resolves to loopback, which nobody listed.
    let named = Sandbox::new().allow_http([format!("localhost:{}", server.port)]);
    let mut c = client(named, Limits::new());
    assert_eq!(
        get(&mut c, &url),
        Err("ErrorCode::DestinationIpProhibited".into())
    );
    // `*` is every public host: still not loopback, by name or by address.
    let mut c = client(Sandbox::new().allow_http(["*:*"]), Limits::new());
    assert_eq!(
        get(&mut c, &url),
        Err("ErrorCode::DestinationIpProhibited".into())
    );
    assert_eq!(
        get(&mut c, &server.url("/")),
        Err("ErrorCode::DestinationIpProhibited".into())
    );
    assert_eq!(
        get(&mut c, "http://169.254.169.254/latest/meta-data/"),
        Err("ErrorCode::DestinationIpProhibited".into())
    );
    assert_eq!(server.connections(), 0);

    // Listing the address as well lets the name through, to the address that was checked.
    let both = Sandbox::new().allow_http([
        format!("localhost:{}", server.port),
        format!("127.0.0.1:{}", server.port),
    ]);
    let mut c = client(both, Limits::new());
    assert_eq!(get(&mut c, &url), Ok((200, "via localhost".into())));
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_slow_server_hits_the_first_byte_timeout() {
    let delay = Duration::from_secs(3);
    let server = Server::start(Reply::After(delay), 1);
    let sandbox = Sandbox::new().allow_http([format!("127.0.0.1:{}", server.port)]);
    let limits = Limits::new().http_first_byte_timeout(Duration::from_millis(300));
    let mut c = client(sandbox, limits);
    let started = Instant::now();
    assert_eq!(
        get(&mut c, &server.url("/")),
        Err("ErrorCode::ConnectionReadTimeout".into())
    );
    // The container's timeout ended the wait, not the server's answer.
    assert!(started.elapsed() < delay, "{:?}", started.elapsed());
    assert_eq!(server.connections(), 1);
}

#[test]
fn an_oversized_response_is_refused_announced_or_streamed() {
    let limits = || Limits::new().max_http_response_size(1024);

    let announced = Server::start(
        Reply::Large {
            bytes: 4096,
            announced: true,
        },
        1,
    );
    let sandbox = Sandbox::new().allow_http([format!("127.0.0.1:{}", announced.port)]);
    let mut c = client(sandbox, limits());
    assert_eq!(
        get(&mut c, &announced.url("/")),
        Err("ErrorCode::HttpResponseBodySize(Some(4096))".into())
    );

    let streamed = Server::start(
        Reply::Large {
            bytes: 4096,
            announced: false,
        },
        1,
    );
    let sandbox = Sandbox::new().allow_http([format!("127.0.0.1:{}", streamed.port)]);
    let mut c = client(sandbox, limits());
    // Past the head, wasmtime-wasi-http 48 hands a body error to the guest as a stream error
    // without an error code: the guest's read fails with the reason.
    let error = get(&mut c, &streamed.url("/")).unwrap_err();
    assert!(
        error.contains("HTTP response body size exceeds limit"),
        "{error}"
    );

    // Exactly the limit is fine.
    let fits = Server::start(
        Reply::Large {
            bytes: 1024,
            announced: false,
        },
        1,
    );
    let sandbox = Sandbox::new().allow_http([format!("127.0.0.1:{}", fits.port)]);
    let mut c = client(sandbox, limits());
    let (status, body) = get(&mut c, &fits.url("/")).unwrap();
    assert_eq!((status, body.len()), (200, 1024));
}

#[test]
fn a_pattern_that_does_not_parse_fails_the_build() {
    let image = Image::from_file(HTTP_CLIENT_WASM).unwrap();
    let error = Container::builder(image)
        .with_sandbox(Sandbox::new().allow_http(["https://api.example.com"]))
        .build()
        .unwrap_err();
    match error {
        Error::InvalidHostPattern(e) => assert_eq!(e.pattern, "https://api.example.com"),
        other => panic!("expected InvalidHostPattern, got {other}"),
    }
}
