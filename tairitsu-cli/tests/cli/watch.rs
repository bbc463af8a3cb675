//! `--watch` on the built `tairitsu` binary: `call --watch` re-runs its call whenever the file
//! is replaced, and `serve --watch` moves new requests to each new version of a
//! `wasi:http/proxy` component (`examples/guests/http-proxy`), driven by a real HTTP client
//! (hyper's) on 127.0.0.1. A broken file in between is reported, and the next good one is
//! still picked up.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

use crate::support::{BIN, write_atomically};

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tairitsu-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replaces `path` as build tools do: written aside, then renamed over it.
fn replace(path: &Path, bytes: &[u8]) {
    write_atomically(path, bytes);
}

/// The binary with its own store and cache, its stdout and stderr read line by line into
/// channels.
struct Process {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
    /// Every stderr line so far, for failure messages.
    log: Arc<Mutex<Vec<String>>>,
}

impl Process {
    fn spawn(dir: &Path, args: &[&str]) -> Process {
        let mut child = Command::new(BIN)
            .args(args)
            .env("TAIRITSU_STORE", dir.join("store"))
            .env("TAIRITSU_CACHE_DIR", dir.join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = |pipe: Box<dyn std::io::Read + Send>, log: Option<Arc<Mutex<Vec<String>>>>| {
            let (send, receive) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(log) = &log {
                        log.lock().unwrap().push(line.clone());
                    }
                    let _ = send.send(line);
                }
            });
            receive
        };
        let stdout = lines(Box::new(child.stdout.take().unwrap()), None);
        let stderr = lines(Box::new(child.stderr.take().unwrap()), Some(log.clone()));
        Process {
            child,
            stdout,
            stderr,
            log,
        }
    }

    /// The next stdout line, within 30 s (a debug build compiling on a busy machine).
    fn next_answer(&mut self) -> String {
        match self.stdout.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => panic!(
                "no answer on stdout; stderr: {:?}",
                self.log.lock().unwrap()
            ),
        }
    }

    /// Waits for a stderr line containing `text`, and returns it.
    fn wait_stderr(&mut self, text: &str) -> String {
        let until = Instant::now() + Duration::from_secs(30);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!(
            "no `{text}` on stderr; stderr: {:?}",
            self.log.lock().unwrap()
        );
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn call_watch_answers_again_for_each_new_version_and_survives_a_broken_one() {
    let dir = scratch("call");
    let plugin = dir.join("plugin.wasm");
    replace(&plugin, &tairitsu_fixtures::plugin(1));
    let mut process = Process::spawn(
        &dir,
        &["call", "--watch", plugin.to_str().unwrap(), "version()"],
    );
    assert_eq!(process.next_answer(), "1");

    replace(&plugin, &tairitsu_fixtures::plugin(2));
    assert_eq!(process.next_answer(), "2");

    // Not a component: the error is printed and the watching goes on.
    replace(&plugin, b"\0asm\x01\0\0\0 half a component");
    let error = process.wait_stderr("error:");
    assert!(error.contains("error:"), "{error}");
    process.wait_stderr("Waiting for the next change");

    replace(&plugin, &tairitsu_fixtures::plugin(3));
    assert_eq!(process.next_answer(), "3");
    // Nothing else was answered in between.
    assert!(process.stdout.try_recv().is_err());
    assert!(
        process.child.try_wait().unwrap().is_none(),
        "call --watch ended"
    );
}

#[test]
fn call_watch_needs_a_file() {
    let dir = scratch("call-image");
    let out = Command::new(BIN)
        .args(["call", "--watch", "calc:1.0", "add(1, 2)"])
        .env("TAIRITSU_STORE", dir.join("store"))
        .env("TAIRITSU_CACHE_DIR", dir.join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--watch needs a component file"),
        "{stderr}"
    );
}

/// `examples/guests/http-proxy` built into a component, and a second version of it whose
/// `/` answers `hello from wasm` instead of `hello from rust`: the same bytes with that one
/// literal, which occurs once in the component, changed.
fn proxy_versions() -> (Vec<u8>, Vec<u8>) {
    let built = tairitsu_build::Guest::new(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/guests/http-proxy"),
    )
    .emit_rerun_if_changed(false)
    .build()
    .unwrap_or_else(|e| panic!("cannot build the http-proxy guest: {e}"));
    let first = std::fs::read(built).unwrap();
    let (from, to) = (b"hello from rust", b"hello from wasm");
    let at: Vec<usize> = (0..first.len() - from.len())
        .filter(|&i| &first[i..i + from.len()] == from)
        .collect();
    assert_eq!(at.len(), 1, "the answer of `/` occurs once in the proxy");
    let mut second = first.clone();
    second[at[0]..at[0] + to.len()].copy_from_slice(to);
    (first, second)
}

async fn get(addr: SocketAddr, path: &str) -> Result<(u16, String), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .uri(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

#[test]
fn serve_watch_switches_new_requests_without_failing_one() {
    let (first, second) = proxy_versions();
    let dir = scratch("serve");
    let app = dir.join("app.wasm");
    replace(&app, &first);
    let mut process = Process::spawn(
        &dir,
        &[
            "serve",
            app.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
            "--watch",
        ],
    );
    let line = process.wait_stderr(" on http://");
    let addr: SocketAddr = line
        .split(" on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .parse()
        .unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(get(addr, "/").await, Ok((200, "hello from rust".into())));

        // Clients call without a pause while the file is replaced; one request is in flight
        // on the old version across the switch.
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..3 {
            let stop = stop.clone();
            clients.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    answers.push(get(addr, "/").await);
                }
                answers
            }));
        }
        let in_flight = tokio::spawn(async move { get(addr, "/sleep/1500").await });
        tokio::time::sleep(Duration::from_millis(300)).await;

        // Blocking here is fine: the clients and the connections run on the worker threads.
        replace(&app, &second);
        let line = process.wait_stderr("Reloaded");
        assert!(line.contains("new requests go to"), "{line}");
        assert_eq!(get(addr, "/").await, Ok((200, "hello from wasm".into())));
        assert_eq!(in_flight.await.unwrap(), Ok((200, "slept 1500".into())));

        // Not a proxy component, then not a component at all: both are refused, and the
        // second version keeps serving.
        replace(&app, &tairitsu_fixtures::plugin(1));
        let line = process.wait_stderr("not reloaded");
        assert!(
            line.contains("is not a `wasi:http/proxy` component"),
            "{line}"
        );
        replace(&app, b"\0asm\x01\0\0\0 half");
        process.wait_stderr("not reloaded");
        assert_eq!(get(addr, "/").await, Ok((200, "hello from wasm".into())));

        // And back to the first version.
        replace(&app, &first);
        process.wait_stderr("Reloaded");
        assert_eq!(get(addr, "/").await, Ok((200, "hello from rust".into())));

        stop.store(true, Ordering::Relaxed);
        let mut seen = [0usize; 2];
        for client in clients {
            for answer in client.await.unwrap() {
                match answer {
                    Ok((200, body)) if body == "hello from rust" => seen[0] += 1,
                    Ok((200, body)) if body == "hello from wasm" => seen[1] += 1,
                    other => panic!("a request failed during the switch: {other:?}"),
                }
            }
        }
        assert!(seen[0] > 0 && seen[1] > 0, "answers seen: {seen:?}");
        println!("answers during the switches: {seen:?} (old, new)");
    });
}
