//! A `wasi:http/proxy` component for `tairitsu serve` (its tests and benchmarks). What it does
//! depends on the path:
//!
//! | path | answer |
//! | --- | --- |
//! | `/` | 200 `hello from rust` |
//! | `/trap` | traps (a Rust panic) before answering |
//! | `/spin` | loops forever in wasm: only the deadline ends it |
//! | `/sleep/MS` | waits MS milliseconds on the monotonic clock, then 200 `slept MS` |
//! | `/echo` | 200 with the request body |
//! | `/grow/MIB` | allocates MIB MiB, then 200 `grew MIB` |
//! | `/fetch/URL` | sends `GET URL` (`http://…`) and answers its status and body, or 502 and the error |

use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{
    self, Fields, IncomingRequest, OutgoingBody, OutgoingRequest, OutgoingResponse,
    ResponseOutparam, Scheme,
};
use wasip2::io::streams::StreamError;

struct Proxy;

impl Guest for Proxy {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        let (status, body) = if path == "/" {
            (200, b"hello from rust".to_vec())
        } else if path == "/trap" {
            panic!("the client asked for a trap");
        } else if path == "/spin" {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        } else if let Some(ms) = path.strip_prefix("/sleep/") {
            let ms: u64 = ms.parse().unwrap_or(0);
            wasip2::clocks::monotonic_clock::subscribe_duration(ms * 1_000_000).block();
            (200, format!("slept {ms}").into_bytes())
        } else if path == "/echo" {
            match read_body(request.consume().ok()) {
                Ok(bytes) => (200, bytes),
                Err(e) => (400, e.into_bytes()),
            }
        } else if let Some(mib) = path.strip_prefix("/grow/") {
            let mib: usize = mib.parse().unwrap_or(0);
            let block = vec![1u8; mib << 20];
            std::hint::black_box(&block);
            (200, format!("grew {mib}").into_bytes())
        } else if let Some(url) = path.strip_prefix("/fetch/") {
            match fetch(url) {
                Ok((status, body)) => (status, body),
                Err(e) => (502, e.into_bytes()),
            }
        } else {
            (404, format!("no route {path}").into_bytes())
        };
        respond(out, status, &body);
    }
}

fn respond(out: ResponseOutparam, status: u16, body: &[u8]) {
    let headers = Fields::new();
    let _ = headers.set("content-type", &[b"text/plain".to_vec()]);
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(status);
    let outgoing = response.body().expect("a new response has a body");
    ResponseOutparam::set(out, Ok(response));
    let stream = outgoing.write().expect("a new body has a stream");
    for chunk in body.chunks(4096) {
        stream
            .blocking_write_and_flush(chunk)
            .expect("the client takes the body");
    }
    drop(stream);
    OutgoingBody::finish(outgoing, None).expect("the body is complete");
}

fn read_body(body: Option<types::IncomingBody>) -> Result<Vec<u8>, String> {
    let body = body.ok_or("the body was taken already")?;
    let stream = body.stream().map_err(|()| "no body stream")?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(error)) => {
                return Err(match types::http_error_code(&error) {
                    Some(code) => format!("{code:?}"),
                    None => error.to_debug_string(),
                });
            }
        }
    }
    drop(stream);
    Ok(bytes)
}

fn fetch(url: &str) -> Result<(u16, Vec<u8>), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http URL: {url}"))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_scheme(Some(&Scheme::Http));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(path));
    let pending =
        wasip2::http::outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(format!("{code:?}")),
        _ => return Err("no response".into()),
    };
    let status = response.status();
    let body = read_body(response.consume().ok())?;
    Ok((status, body))
}

wasip2::http::proxy::export!(Proxy);
