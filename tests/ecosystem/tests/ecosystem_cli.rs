//! `tairitsu inspect`, `call` and `serve` on each toolchain's components, as a user runs them:
//! no `--import` for WASI (only the plugin's own two host functions are given constants), and
//! proxies served on 127.0.0.1 and exercised with a real HTTP client (hyper's).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tairitsu_ecosystem::{RUST_PLUGIN_WASM, RUST_PROXY_WASM, built};

/// The `tairitsu` binary of this build (`target/debug/tairitsu`, beside this test's `deps/`).
fn tairitsu() -> Command {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(format!("tairitsu{}", std::env::consts::EXE_SUFFIX)))
        .unwrap();
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p tairitsu-cli` (`just ecosystem` does)",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    let tmp = std::env::temp_dir().join("tairitsu-ecosystem");
    cmd.env("TAIRITSU_CACHE_DIR", tmp.join("cache"))
        .env("TAIRITSU_STORE", tmp.join("store"));
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = tairitsu().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim_end().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `inspect` lists the plugin's exports; `call` works with constants for the two host
/// functions and nothing for WASI.
fn inspect_and_call(wasm: &Path) {
    let wasm = wasm.to_str().unwrap();
    let (code, out, err) = run(&["inspect", wasm]);
    assert_eq!(code, 0, "{err}");
    for export in [
        "area: func(s: shape) -> f64",
        "checked-div: func(a: s32, b: s32) -> result<s32, string>",
        "stats: func(values: list<f64>) -> tuple<f64, f64, u32>",
    ] {
        assert!(out.contains(export), "{export} missing from:\n{out}");
    }
    assert!(out.contains("tairitsu:ecosystem/host@0.1.0"), "{out}");
    let host = [
        "--import",
        "host#log=()",
        "--import",
        "host#lookup=Some(\"Ada\")",
    ];
    for (call, expected) in [
        ("translate((x: 1, y: 2), 3, -4)", "(x:4,y:-2)"),
        ("area(Circle(2.0))", "12.0"),
        ("next-color(Blue)", "Red"),
        ("grant([Read], [Exec])", "[Read,Exec]"),
        ("checked-div(1, 0)", "Err(\"division by zero\")"),
        ("greet()", "\"hello, Ada\""),
    ] {
        let mut args = vec!["call", wasm, call];
        args.extend(host);
        let (code, out, err) = run(&args);
        assert_eq!((code, out.as_str()), (0, expected), "{call}: {err}");
    }
    // `--import` values are read in the call's format too.
    let mut args = vec!["call", wasm, "checked-div(7, 2)", "--format", "wave"];
    args.extend([
        "--import",
        "host#log=()",
        "--import",
        "host#lookup=some(\"Ada\")",
    ]);
    let (code, out, err) = run(&args);
    assert_eq!((code, out.as_str()), (0, "ok(3)"), "{err}");
    missing_imports_are_the_host_functions(wasm);
}

/// Regression (issue 15): without `--import`, the report listed every WASI 0.2.x import and the
/// resource types other interfaces `use`, which the sandbox provides by semver; only the two
/// host functions are missing. With `--trap-unknown-imports` the first call reaches the guest
/// and fails at the host function it really lacks.
fn missing_imports_are_the_host_functions(wasm: &str) {
    let (code, _, err) = run(&["call", wasm, "greet()"]);
    assert_eq!(code, 2, "{err}");
    let listed = err
        .lines()
        .find(|l| l.contains("nobody provides"))
        .unwrap_or_else(|| panic!("no missing-import report in:\n{err}"));
    let (_, names) = listed.split_once("provides: ").unwrap();
    let mut names: Vec<&str> = names.split(", ").collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "tairitsu:ecosystem/host@0.1.0#log",
            "tairitsu:ecosystem/host@0.1.0#lookup"
        ],
        "{err}"
    );
    assert!(listed.contains("imports 2 functions that"), "{listed}");
    let (code, _, err) = run(&["call", wasm, "greet()", "--trap-unknown-imports"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown import: `tairitsu:ecosystem/host@0.1.0#lookup` has not been defined"),
        "{err}"
    );
}

#[test]
fn the_rust_plugin_works_from_the_command_line() {
    inspect_and_call(Path::new(RUST_PLUGIN_WASM));
}

#[test]
#[ignore = "needs componentize-py: run `just ecosystem`"]
fn the_python_plugin_works_from_the_command_line() {
    inspect_and_call(&built("python-plugin.wasm"));
}

#[test]
#[ignore = "needs componentize-js: run `just ecosystem`"]
fn the_javascript_plugin_works_from_the_command_line() {
    inspect_and_call(&built("js-plugin.wasm"));
}

/// A `tairitsu serve` process, its address, and its stderr lines so far.
struct Served {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn serve(wasm: &Path, extra: &[&str]) -> Served {
    let mut child = tairitsu()
        .arg("serve")
        .arg(wasm)
        .args(["--addr", "127.0.0.1:0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let lines = stderr.clone();
    let (found, address) = std::sync::mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Some(rest) = line.split(" on http://").nth(1) {
                let _ = found.send(
                    rest.trim_end_matches(|c| c != '/')
                        .trim_end_matches('/')
                        .to_string(),
                );
            }
            lines.lock().unwrap().push(line);
        }
    });
    let addr = match address.recv_timeout(Duration::from_secs(300)) {
        Ok(addr) => addr.parse().unwrap(),
        Err(_) => {
            let _ = child.kill();
            panic!("tairitsu serve did not start: {:?}", stderr.lock().unwrap());
        }
    };
    Served {
        child,
        addr,
        stderr,
    }
}

impl Served {
    /// Ctrl-C, and the exit code once it has stopped.
    fn interrupt(mut self) -> (i32, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let until = Instant::now() + Duration::from_secs(30);
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("tairitsu serve did not stop after Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread drains what is left.
        std::thread::sleep(Duration::from_millis(100));
        let lines = self.stderr.lock().unwrap().clone();
        (code, lines)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .uri(path)
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn access_lines(lines: &[String]) -> Vec<&String> {
    lines
        .iter()
        .filter(|l| l.contains("\" ") && l.contains(" #"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_proxy_is_served_under_concurrent_requests() {
    let served = serve(Path::new(RUST_PROXY_WASM), &["--timeout", "2s"]);
    let addr = served.addr;
    let mut requests = Vec::new();
    for i in 0..32 {
        let path = ["/", "/trap", "/", "/spin"][i % 4];
        requests.push(tokio::spawn(async move { (path, get(addr, path).await) }));
    }
    for request in requests {
        let (path, (status, body)) = request.await.unwrap();
        match path {
            "/" => assert_eq!((status, body.as_str()), (200, "hello from rust")),
            "/trap" => assert_eq!(status, 500, "{body}"),
            _ => assert_eq!(status, 504, "{body}"),
        }
    }
    let (code, lines) = served.interrupt();
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(access_lines(&lines).len(), 32, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"GET /spin HTTP/1.1\" 504 ")),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_lets_the_request_in_flight_finish() {
    let served = serve(Path::new(RUST_PROXY_WASM), &[]);
    let addr = served.addr;
    let in_flight = tokio::spawn(async move { get(addr, "/sleep/1500").await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let stopping = tokio::task::spawn_blocking(move || served.interrupt());
    assert_eq!(in_flight.await.unwrap(), (200, "slept 1500".into()));
    let (code, lines) = stopping.await.unwrap();
    assert_eq!(code, 0, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("Shutting down")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"GET /sleep/1500 HTTP/1.1\" 200 ")),
        "{lines:?}"
    );
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs componentize-js: run `just ecosystem`"]
async fn the_javascript_proxy_is_served_and_fetches_only_allowed_hosts() {
    let js = built("js-proxy.wasm");
    // Two upstreams, both the Rust proxy; only the first is allowed.
    let allowed = serve(Path::new(RUST_PROXY_WASM), &[]);
    let denied = serve(Path::new(RUST_PROXY_WASM), &[]);
    let allow = allowed.addr.to_string();
    let served = serve(&js, &["--allow-http", &allow]);
    let addr = served.addr;

    let mut requests = Vec::new();
    for _ in 0..16 {
        requests.push(tokio::spawn(async move { get(addr, "/").await }));
    }
    for request in requests {
        assert_eq!(
            request.await.unwrap(),
            (200, "hello from javascript".into())
        );
    }
    assert_eq!(
        get(addr, &format!("/fetch/http://{}/", allowed.addr)).await,
        (200, "200 hello from rust".into())
    );
    let (status, body) = get(addr, &format!("/fetch/http://{}/", denied.addr)).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.starts_with("fetch failed:"), "{body}");
    let (status, body) = get(addr, "/fetch/http://169.254.169.254/latest/meta-data/").await;
    assert_eq!(status, 502, "{body}");

    let (code, lines) = served.interrupt();
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(access_lines(&lines).len(), 19, "{lines:?}");
    let (_, upstream) = allowed.interrupt();
    assert_eq!(access_lines(&upstream).len(), 1, "{upstream:?}");
    let (_, untouched) = denied.interrupt();
    assert_eq!(access_lines(&untouched).len(), 0, "{untouched:?}");
}
