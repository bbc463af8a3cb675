//! The server on 127.0.0.1, driven by a real HTTP client (hyper's): answers that come from the
//! plugin through an awaiting host import, concurrent requests that overlap their awaits, the
//! status codes of bad calls, and the binary itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use wit_async_server::{PluginServer, ServerConfig, Store};

fn store(delay: Duration) -> Store {
    Store::new(
        [("alpha", "1"), ("beta", "2")].map(|(k, v)| (k.to_string(), v.to_string())),
        delay,
    )
}

/// Starts a server on a free port; it stops when the returned sender is dropped.
async fn start(config: ServerConfig) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let server = Arc::new(
        PluginServer::new(&config, &store(config.store_delay))
            .await
            .expect("the plugin loads"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// One request on its own connection: the status and the body.
async fn request(addr: SocketAddr, method: Method, path: &str, body: &str) -> (StatusCode, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn call(addr: SocketAddr, body: &str) -> (StatusCode, String) {
    request(addr, Method::POST, "/plugins/lookup/call", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_awaits_the_host_store_and_answers() {
    let (addr, _stop) = start(ServerConfig::default()).await;
    assert_eq!(
        call(addr, r#"lookup("alpha")"#).await,
        (StatusCode::OK, "\"alpha = 1\"\n".to_string())
    );
    assert_eq!(
        call(addr, r#"lookup("zeta")"#).await,
        (StatusCode::OK, "\"zeta is not in the store\"\n".to_string())
    );
    assert_eq!(
        call(addr, r#"lookup-all(["beta", "nope", "alpha"])"#).await,
        (
            StatusCode::OK,
            "[Some(\"2\"),None,Some(\"1\")]\n".to_string()
        )
    );
    assert_eq!(
        call(addr, r#"greet("wasm")"#).await,
        (StatusCode::OK, "\"Hello, wasm!\"\n".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_overlap_their_awaits() {
    // 64 requests of 4 awaits of 50 ms each on 8 containers: 8 rounds of 200 ms if the awaits
    // overlap (1.6 s), 64 × 200 ms = 12.8 s if each await held a thread or the whole pool.
    let config = ServerConfig {
        store_delay: Duration::from_millis(50),
        ..ServerConfig::default()
    };
    let (addr, _stop) = start(config).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        tasks.spawn(async move {
            let key = ["alpha", "beta"][i % 2];
            let answer = call(
                addr,
                &format!(r#"lookup-all(["{key}", "{key}", "x", "{key}"])"#),
            )
            .await;
            (key, answer)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (key, (status, body)) = done.unwrap();
        let value = if key == "alpha" { "1" } else { "2" };
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            format!("[Some(\"{value}\"),Some(\"{value}\"),None,Some(\"{value}\")]\n")
        );
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(8),
        "64 requests took {elapsed:?}: the awaits did not overlap"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_calls_get_the_status_of_their_fault() {
    let (addr, _stop) = start(ServerConfig {
        containers: 1,
        ..ServerConfig::default()
    })
    .await;
    let (status, body) = call(addr, "lookup(42)").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("string"), "{body}");
    let (status, body) = call(addr, "nope()").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("no export `nope`"), "{body}");
    let (status, body) = request(addr, Method::POST, "/plugins/other/call", "f()").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("no plugin `other`"), "{body}");
    let (status, _) = request(addr, Method::GET, "/plugins/lookup/call", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let too_long = format!("greet(\"{}\")", "x".repeat(70 * 1024));
    let (status, _) = call(addr, &too_long).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // The one container still answers after all that.
    assert_eq!(call(addr, r#"greet("again")"#).await.0, StatusCode::OK);
    let (status, listing) = request(addr, Method::GET, "/plugins", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        listing.contains("lookup  lookup: func(key: string) -> string"),
        "{listing}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_its_deadline_is_a_504_and_the_container_recovers() {
    // The store takes longer than the deadline: the deadline covers host awaits.
    let config = ServerConfig {
        containers: 1,
        store_delay: Duration::from_millis(800),
        deadline: Duration::from_millis(200),
    };
    let (addr, _stop) = start(config).await;
    let (status, body) = call(addr, r#"lookup("alpha")"#).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
    assert!(body.contains("deadline"), "{body}");
    assert_eq!(
        call(addr, r#"greet("after")"#).await,
        (StatusCode::OK, "\"Hello, after!\"\n".to_string())
    );
}

/// The binary: it prints its address, serves, and is killed by the test (also when it fails).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_on_the_address_it_prints() {
    use std::io::BufRead;
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Killed(
        std::process::Command::new(env!("CARGO_BIN_EXE_wit-async-server"))
            .args(["--addr", "127.0.0.1:0", "--containers", "2"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(60), line)
        .await
        .expect("the server starts")
        .unwrap()
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    assert_eq!(
        call(addr, r#"lookup("gamma")"#).await,
        (StatusCode::OK, "\"gamma = 3\"\n".to_string())
    );
}
