//! `ProxyServer` serving a real `wasi:http/proxy` component (`examples/guests/http-proxy`) on
//! 127.0.0.1, driven by a real HTTP client (hyper's): concurrent requests, some of which trap;
//! a request past its deadline; one past its memory limit; bodies over the limit, announced and
//! streamed; outgoing requests from inside a request; and a graceful shutdown that lets the
//! request in flight finish.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame};
use hyper_util::rt::TokioIo;
use tairitsu_http_tests::HTTP_PROXY_WASM;
use tairitsu_runtime::http::{AccessRecord, ProxyServer};
use tairitsu_runtime::{Engine, EngineConfig, Image, Limits, Sandbox};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One engine for the whole test binary: pooling, as `tairitsu serve` uses.
fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(EngineConfig::new().pooling(true)).unwrap())
}

fn image() -> Image {
    Image::from_file_with(engine(), HTTP_PROXY_WASM).unwrap()
}

/// A running server: its address, its access log, and how to stop it.
struct Running {
    addr: SocketAddr,
    log: Arc<parking_lot::Mutex<Vec<AccessRecord>>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(limits: Limits, sandbox: Sandbox) -> Running {
    let log = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let records = log.clone();
    let server = ProxyServer::builder(image())
        .limits(limits)
        .sandbox(sandbox)
        .max_request_body(1024)
        .access_log(move |record| records.lock().push(record.clone()))
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
    });
    Running {
        addr,
        log,
        stop: Some(stop),
        task,
    }
}

impl Running {
    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// A body sent in chunks, without a `content-length`.
struct Chunked(VecDeque<Bytes>);

impl Body for Chunked {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

/// One request on its own connection: the status and the body as text.
async fn send<B>(addr: SocketAddr, method: &str, path: &str, body: B) -> (u16, String)
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .body(body)
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    send(addr, "GET", path, Full::new(Bytes::new())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_are_served_and_a_trap_fails_only_its_own() {
    let server = start(Limits::new(), Sandbox::new()).await;
    let addr = server.addr;
    let mut requests = Vec::new();
    for i in 0..48 {
        let path = if i % 4 == 3 { "/trap" } else { "/" };
        requests.push(tokio::spawn(async move { (path, get(addr, path).await) }));
    }
    let (mut ok, mut trapped) = (0, 0);
    for request in requests {
        match request.await.unwrap() {
            ("/", (200, body)) => {
                assert_eq!(body, "hello from rust");
                ok += 1;
            }
            ("/trap", (500, body)) => {
                assert!(body.contains("trapped"), "{body}");
                trapped += 1;
            }
            other => panic!("unexpected answer: {other:?}"),
        }
    }
    assert_eq!((ok, trapped), (36, 12));
    // Keep-alive: several requests on one connection, each with a fresh instance.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    for path in ["/", "/trap", "/"] {
        let request = hyper::Request::builder()
            .uri(path)
            .header("host", addr.to_string())
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), if path == "/" { 200 } else { 500 });
        response.into_body().collect().await.unwrap();
        sender.ready().await.unwrap();
    }
    let log = server.log.lock().clone();
    assert_eq!(log.len(), 51);
    let trapped: Vec<&AccessRecord> = log.iter().filter(|r| r.path == "/trap").collect();
    assert_eq!(trapped.len(), 13);
    assert!(trapped.iter().all(|r| r.status == 500));
    let line = trapped[0].to_string();
    assert!(line.starts_with("127.0.0.1:"), "{line}");
    assert!(line.contains("\"GET /trap HTTP/1.1\" 500 "), "{line}");
    assert!(line.contains("(trapped: "), "{line}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_is_cut_off_and_the_next_is_served() {
    let limits = Limits::new().deadline(Some(Duration::from_millis(300)));
    let server = start(limits, Sandbox::new()).await;
    let started = std::time::Instant::now();
    let (status, body) = get(server.addr, "/spin").await;
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("ran past the 300ms deadline"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // A guest blocked in a WASI wait past the deadline is cut off too.
    let (status, _) = get(server.addr, "/sleep/5000").await;
    assert_eq!(status, 504);
    assert_eq!(get(server.addr, "/").await, (200, "hello from rust".into()));
    assert_eq!(
        get(server.addr, "/sleep/10").await,
        (200, "slept 10".into())
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_past_the_limit_fails_the_request() {
    let server = start(Limits::new().max_memory(16 << 20), Sandbox::new()).await;
    let (status, body) = get(server.addr, "/grow/64").await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("memory limit of 16 MiB"), "{body}");
    assert_eq!(get(server.addr, "/grow/1").await, (200, "grew 1".into()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_past_the_limit_is_refused() {
    let server = start(Limits::new(), Sandbox::new()).await;
    let small = "a".repeat(1000);
    assert_eq!(
        send(
            server.addr,
            "POST",
            "/echo",
            Full::new(Bytes::from(small.clone()))
        )
        .await,
        (200, small)
    );
    // Announced: refused before any instance starts.
    let (status, body) = send(
        server.addr,
        "POST",
        "/echo",
        Full::new(Bytes::from("b".repeat(2000))),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    // Streamed: the guest's read fails, and it says so (a stream error without an error code
    // in wasmtime-wasi-http 48).
    let chunks = Chunked(VecDeque::from(vec![
        Bytes::from("c".repeat(800)),
        Bytes::from("c".repeat(800)),
    ]));
    let (status, body) = send(server.addr, "POST", "/echo", chunks).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("HTTP request body size exceeds limit"),
        "{body}"
    );
    let log = server.log.lock().clone();
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 413, 400]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_may_reach_only_allowed_hosts() {
    // The upstream is a second server of the same component.
    let upstream = start(Limits::new(), Sandbox::new()).await;
    let target = format!("/fetch/http://{}/", upstream.addr);

    let closed = start(Limits::new(), Sandbox::new()).await;
    assert_eq!(
        get(closed.addr, &target).await,
        (502, "ErrorCode::HttpRequestDenied".into())
    );
    let open = start(
        Limits::new(),
        Sandbox::new().allow_http([upstream.addr.to_string()]),
    )
    .await;
    assert_eq!(
        get(open.addr, &target).await,
        (200, "hello from rust".into())
    );
    // The metadata address stays refused even with `*`.
    let star = start(Limits::new(), Sandbox::new().allow_http(["*"])).await;
    assert_eq!(
        get(star.addr, "/fetch/http://169.254.169.254/latest/").await,
        (502, "ErrorCode::DestinationIpProhibited".into())
    );
    assert_eq!(upstream.log.lock().len(), 1);
    for server in [upstream, closed, open, star] {
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish_and_refuses_new_connections() {
    let server = start(Limits::new(), Sandbox::new()).await;
    let addr = server.addr;
    let in_flight = tokio::spawn(async move { get(addr, "/sleep/1000").await });
    // Let the request reach the guest.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.log.clone();
    server.shutdown().await;
    assert_eq!(in_flight.await.unwrap(), (200, "slept 1000".into()));
    assert_eq!(log.lock().len(), 1);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn a_component_that_is_not_a_proxy_is_refused() {
    let image = Image::from_file(tairitsu_http_tests::HTTP_CLIENT_WASM).unwrap();
    let error = ProxyServer::builder(image).build().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is not a `wasi:http/proxy` component"),
        "{error}"
    );
}

/// `replace_image` refuses what the server could not serve, and keeps the version it has.
#[test]
fn a_replacement_must_be_a_proxy_compiled_for_the_served_engine() {
    let server = ProxyServer::builder(image()).build().unwrap();
    let served = server.image().digest();
    let client = Image::from_file_with(engine(), tairitsu_http_tests::HTTP_CLIENT_WASM).unwrap();
    assert!(matches!(
        server.replace_image(client),
        Err(tairitsu_runtime::Error::ExportType { .. })
    ));
    let elsewhere = Image::from_file(HTTP_PROXY_WASM).unwrap();
    assert!(matches!(
        server.replace_image(elsewhere),
        Err(tairitsu_runtime::Error::EngineMismatch { .. })
    ));
    assert_eq!(server.image().digest(), served);
    server.replace_image(image()).unwrap();
    assert_eq!(server.image().digest(), served);
}
