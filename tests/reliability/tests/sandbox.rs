//! The WASI sandbox, probed from inside by a real Rust guest (`examples/guests/sandbox-probe`,
//! which uses `std::fs`, `std::env` and `std::net` like any plugin would).
//!
//! Both sides are tested: without grants the guest reaches no file, directory, environment
//! variable or socket; with a granted directory it reads exactly that directory and nothing beside
//! it (no `..` escape, no absolute host path, no symlink out), and with granted variables it sees
//! exactly those. The network grant is tested too, so that a refusal is known to come from the
//! sandbox and not from a probe that cannot connect at all.

use std::io::{ErrorKind, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use tairitsu_reliability::SANDBOX_PROBE_WASM;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, Image, Sandbox};

/// A container of the probe with `sandbox`.
fn probe(sandbox: Sandbox) -> Container {
    let image = Image::from_file(SANDBOX_PROBE_WASM).unwrap();
    Container::builder(image)
        .with_sandbox(sandbox)
        .build()
        .unwrap()
}

fn call(c: &mut Container, name: &str, args: &[&str]) -> Val {
    let args: Vec<Val> = args.iter().map(|a| Val::String(a.to_string())).collect();
    let mut out = c.call_guest_binary(name, &args).unwrap();
    assert_eq!(out.len(), 1);
    out.remove(0)
}

fn string(v: Val) -> String {
    match v {
        Val::String(s) => s,
        other => panic!("expected a string, got {other:?}"),
    }
}

fn strings(v: Val) -> Vec<String> {
    match v {
        Val::List(items) => items.into_iter().map(string).collect(),
        other => panic!("expected a list, got {other:?}"),
    }
}

/// A `result<T, string>` as a Rust result, the ok side read by `ok`.
fn result<T>(v: Val, ok: impl FnOnce(Val) -> T) -> Result<T, String> {
    match v {
        Val::Result(Ok(Some(v))) => Ok(ok(*v)),
        Val::Result(Ok(None)) => Ok(ok(Val::Tuple(Vec::new()))),
        Val::Result(Err(Some(e))) => Err(string(*e)),
        other => panic!("expected a result, got {other:?}"),
    }
}

fn read_file(c: &mut Container, path: &str) -> Result<String, String> {
    result(call(c, "read-file", &[path]), string)
}

fn list_dir(c: &mut Container, path: &str) -> Result<Vec<String>, String> {
    result(call(c, "list-dir", &[path]), strings)
}

fn write_file(c: &mut Container, path: &str, contents: &str) -> Result<(), String> {
    result(call(c, "write-file", &[path, contents]), |_| ())
}

fn env_var(c: &mut Container, name: &str) -> Option<String> {
    match call(c, "env-var", &[name]) {
        Val::Option(v) => v.map(|v| string(*v)),
        other => panic!("expected an option, got {other:?}"),
    }
}

fn env_all(c: &mut Container) -> Vec<String> {
    strings(call(c, "env-all", &[]))
}

fn connect(c: &mut Container, address: &str) -> Result<String, String> {
    result(call(c, "connect", &[address]), string)
}

fn udp_bind(c: &mut Container) -> Result<String, String> {
    result(call(c, "udp-bind", &[]), string)
}

fn lookup(c: &mut Container, name: &str) -> Result<Vec<String>, String> {
    result(call(c, "lookup", &[name]), strings)
}

/// Asserts that the probe was refused, and prints how.
#[track_caller]
fn refused<T: std::fmt::Debug>(what: &str, outcome: Result<T, String>) {
    match outcome {
        Ok(value) => panic!("{what}: the guest got through: {value:?}"),
        Err(e) => println!("{what}: refused: {e}"),
    }
}

/// A host directory laid out for the tests:
///
/// ```text
/// <root>/secret.txt                 the file beside the grant
/// <root>/granted/hello.txt
/// <root>/granted/sub/inner.txt
/// <root>/granted/inner-link     ->  sub/inner.txt         (stays inside)
/// <root>/granted/escape         ->  ../secret.txt         (relative, out)
/// <root>/granted/absolute       ->  <root>/secret.txt     (absolute, out)
/// <root>/granted/parent         ->  ..                    (a directory, out)
/// ```
struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
    granted: PathBuf,
    secret: PathBuf,
}

const SECRET: &str = "the secret beside the granted directory";
const HELLO: &str = "hello from the granted directory";
const GRANTED_ENTRIES: [&str; 6] = [
    "absolute",
    "escape",
    "hello.txt",
    "inner-link",
    "parent",
    "sub",
];

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let granted = root.join("granted");
    let secret = root.join("secret.txt");
    std::fs::create_dir_all(granted.join("sub")).unwrap();
    std::fs::write(&secret, SECRET).unwrap();
    std::fs::write(granted.join("hello.txt"), HELLO).unwrap();
    std::fs::write(granted.join("sub/inner.txt"), "inner").unwrap();
    std::os::unix::fs::symlink("sub/inner.txt", granted.join("inner-link")).unwrap();
    std::os::unix::fs::symlink("../secret.txt", granted.join("escape")).unwrap();
    std::os::unix::fs::symlink(&secret, granted.join("absolute")).unwrap();
    std::os::unix::fs::symlink("..", granted.join("parent")).unwrap();
    // The host itself can follow every link out: only the sandbox stops the guest.
    assert_eq!(
        std::fs::read_to_string(granted.join("escape")).unwrap(),
        SECRET
    );
    assert_eq!(
        std::fs::read_to_string(granted.join("absolute")).unwrap(),
        SECRET
    );
    assert_eq!(
        std::fs::read_to_string(granted.join("parent/secret.txt")).unwrap(),
        SECRET
    );
    Tree {
        _dir: dir,
        root,
        granted,
        secret,
    }
}

fn host_path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A TCP listener on the host that greets whoever connects; answers the address.
fn greeting_listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

/// Whether anyone connected to `listener` (without waiting).
fn anyone_connected(listener: &TcpListener) -> bool {
    listener.set_nonblocking(true).unwrap();
    match listener.accept() {
        Ok(_) => true,
        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
        Err(e) => panic!("accept: {e}"),
    }
}

#[test]
fn without_grants_no_file_directory_variable_or_socket_is_reachable() {
    let tree = tree();
    let mut c = probe(Sandbox::new());

    // Files: by absolute host path, through well-known host files, relative to any directory.
    refused(
        "read the secret",
        read_file(&mut c, host_path(&tree.secret)),
    );
    refused(
        "read a granted-looking file",
        read_file(&mut c, host_path(&tree.granted.join("hello.txt"))),
    );
    if std::fs::read_to_string("/etc/passwd").is_ok() {
        refused("read /etc/passwd", read_file(&mut c, "/etc/passwd"));
    }
    refused("read a relative path", read_file(&mut c, "secret.txt"));

    // Directories.
    refused("list /", list_dir(&mut c, "/"));
    refused("list .", list_dir(&mut c, "."));
    refused(
        "list the host root",
        list_dir(&mut c, host_path(&tree.root)),
    );

    // Writing.
    let planted = tree.root.join("planted.txt");
    refused(
        "write a host file",
        write_file(&mut c, host_path(&planted), "x"),
    );
    assert!(!planted.exists());

    // The environment: the host has variables, the guest sees none of them.
    let host_vars: Vec<(String, String)> = std::env::vars().collect();
    assert!(!host_vars.is_empty());
    assert_eq!(env_all(&mut c), Vec::<String>::new());
    for (key, _) in host_vars.iter().take(20) {
        assert_eq!(env_var(&mut c, key), None, "{key}");
    }

    // Sockets and name lookup.
    let (listener, address) = greeting_listener();
    refused("connect over TCP", connect(&mut c, &address));
    assert!(!anyone_connected(&listener), "the guest reached the host");
    refused("bind a UDP socket", udp_bind(&mut c));
    refused("look up localhost", lookup(&mut c, "localhost"));

    // A restart builds a fresh WASI context from the same (empty) grants.
    c.restart().unwrap();
    refused(
        "read the secret after a restart",
        read_file(&mut c, host_path(&tree.secret)),
    );
    assert_eq!(env_all(&mut c), Vec::<String>::new());
}

#[test]
fn a_granted_directory_is_readable_and_nothing_beside_it() {
    let tree = tree();
    let mut c = probe(Sandbox::new().preopen_dir(&tree.granted, "/data", true));

    // Exactly the granted directory.
    assert_eq!(read_file(&mut c, "/data/hello.txt").unwrap(), HELLO);
    assert_eq!(read_file(&mut c, "/data/sub/inner.txt").unwrap(), "inner");
    assert_eq!(list_dir(&mut c, "/data").unwrap(), GRANTED_ENTRIES);
    assert_eq!(list_dir(&mut c, "/data/sub").unwrap(), ["inner.txt"]);
    // `..` that stays inside, and a symlink that stays inside, are fine.
    assert_eq!(read_file(&mut c, "/data/sub/../hello.txt").unwrap(), HELLO);
    assert_eq!(read_file(&mut c, "/data/inner-link").unwrap(), "inner");

    // Nothing beside it: `..` escapes.
    refused(
        "read /data/../secret.txt",
        read_file(&mut c, "/data/../secret.txt"),
    );
    refused(
        "read /data/sub/../../secret.txt",
        read_file(&mut c, "/data/sub/../../secret.txt"),
    );
    refused("list /data/..", list_dir(&mut c, "/data/.."));
    // Absolute host paths, the guest's root, and paths outside any grant.
    refused(
        "read the secret",
        read_file(&mut c, host_path(&tree.secret)),
    );
    refused(
        "read hello.txt by its host path",
        read_file(&mut c, host_path(&tree.granted.join("hello.txt"))),
    );
    refused("read /secret.txt", read_file(&mut c, "/secret.txt"));
    refused(
        "list the host root",
        list_dir(&mut c, host_path(&tree.root)),
    );
    match list_dir(&mut c, "/") {
        // wasi-libc may list its preopens at `/`; never the host's root.
        Ok(names) => assert!(names.iter().all(|n| n == "data"), "{names:?}"),
        Err(e) => println!("list /: refused: {e}"),
    }
    // Symlinks out: relative, absolute, and through a directory link.
    refused("read /data/escape", read_file(&mut c, "/data/escape"));
    refused("read /data/absolute", read_file(&mut c, "/data/absolute"));
    refused(
        "read /data/parent/secret.txt",
        read_file(&mut c, "/data/parent/secret.txt"),
    );
    refused("list /data/parent", list_dir(&mut c, "/data/parent"));

    // Read-only: no new file, no change to an existing one.
    refused(
        "write /data/new.txt",
        write_file(&mut c, "/data/new.txt", "x"),
    );
    assert!(!tree.granted.join("new.txt").exists());
    refused(
        "overwrite /data/hello.txt",
        write_file(&mut c, "/data/hello.txt", "x"),
    );
    assert_eq!(
        std::fs::read_to_string(tree.granted.join("hello.txt")).unwrap(),
        HELLO
    );
    refused(
        "write through /data/escape",
        write_file(&mut c, "/data/escape", "x"),
    );
    assert_eq!(std::fs::read_to_string(&tree.secret).unwrap(), SECRET);

    // A directory grant grants nothing else.
    assert_eq!(env_all(&mut c), Vec::<String>::new());
    let (listener, address) = greeting_listener();
    refused("connect over TCP", connect(&mut c, &address));
    assert!(!anyone_connected(&listener));

    // The grant survives a restart, and so do its bounds.
    c.restart().unwrap();
    assert_eq!(read_file(&mut c, "/data/hello.txt").unwrap(), HELLO);
    refused(
        "read /data/../secret.txt after a restart",
        read_file(&mut c, "/data/../secret.txt"),
    );
}

#[test]
fn a_writable_grant_writes_inside_and_nowhere_else() {
    let tree = tree();
    let mut c = probe(Sandbox::new().preopen_dir(&tree.granted, "/data", false));
    write_file(&mut c, "/data/new.txt", "written by the guest").unwrap();
    assert_eq!(
        std::fs::read_to_string(tree.granted.join("new.txt")).unwrap(),
        "written by the guest"
    );
    assert_eq!(
        read_file(&mut c, "/data/new.txt").unwrap(),
        "written by the guest"
    );

    refused(
        "write /data/../escaped.txt",
        write_file(&mut c, "/data/../escaped.txt", "x"),
    );
    assert!(!tree.root.join("escaped.txt").exists());
    refused(
        "write through /data/escape",
        write_file(&mut c, "/data/escape", "x"),
    );
    refused(
        "write through /data/absolute",
        write_file(&mut c, "/data/absolute", "x"),
    );
    refused(
        "write through /data/parent",
        write_file(&mut c, "/data/parent/escaped.txt", "x"),
    );
    assert!(!tree.root.join("escaped.txt").exists());
    assert_eq!(std::fs::read_to_string(&tree.secret).unwrap(), SECRET);
    refused(
        "write the host path",
        write_file(&mut c, host_path(&tree.root.join("escaped.txt")), "x"),
    );
    assert!(!tree.root.join("escaped.txt").exists());
}

#[test]
fn the_environment_is_exactly_what_was_granted() {
    assert!(std::env::var_os("PATH").is_some(), "the host has a PATH");
    let mut c = probe(
        Sandbox::new()
            .env("MODE", "test")
            .env("EMPTY", "")
            .env("PATH", "/guest/bin"),
    );
    assert_eq!(env_all(&mut c), ["EMPTY=", "MODE=test", "PATH=/guest/bin"]);
    assert_eq!(env_var(&mut c, "MODE").as_deref(), Some("test"));
    assert_eq!(env_var(&mut c, "EMPTY").as_deref(), Some(""));
    // A granted name shows the granted value, never the host's.
    assert_eq!(env_var(&mut c, "PATH").as_deref(), Some("/guest/bin"));
    for (key, _) in std::env::vars() {
        if !matches!(key.as_str(), "MODE" | "EMPTY" | "PATH") {
            assert_eq!(env_var(&mut c, &key), None, "{key}");
        }
    }
    c.restart().unwrap();
    assert_eq!(env_all(&mut c), ["EMPTY=", "MODE=test", "PATH=/guest/bin"]);
}

/// Regression: `Sandbox::inherit_network` set the address check but left wasmtime-wasi's TCP and
/// UDP switches off (their default), so the network grant granted nothing.
#[test]
fn bug_inherit_network_left_tcp_and_udp_disabled() {
    let (listener, address) = greeting_listener();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"hello from the host\n").unwrap();
    });
    let mut c = probe(Sandbox::new().inherit_network());
    assert_eq!(connect(&mut c, &address).unwrap(), "hello from the host");
    server.join().unwrap();
    let bound = udp_bind(&mut c).unwrap();
    assert!(bound.starts_with("127.0.0.1:"), "{bound}");
    // The network grant grants no files.
    refused("read /etc/passwd", read_file(&mut c, "/etc/passwd"));
}

/// `allow_network` grants the addresses of its list and nothing else: a listener on an allowed
/// port answers, one on another port of the same address never sees a connection, and the
/// refusal is the sandbox's (`PermissionDenied`, from WASI's `access-denied`), not the network's.
/// (Addresses off this machine, such as the cloud metadata service `169.254.169.254`, are
/// checked by the same function in `sandbox/network.rs`'s tests, so that no test sends them a
/// packet even when the check is broken.)
#[test]
fn an_allow_list_reaches_its_addresses_and_nothing_else() {
    let (allowed, allowed_address) = greeting_listener();
    let (other, other_address) = greeting_listener();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = allowed.accept().unwrap();
        stream.write_all(b"hello from the allowed port\n").unwrap();
    });
    let rules = [
        allowed_address.parse().unwrap(),
        "10.0.0.0/8".parse().unwrap(),
    ];
    let mut c = probe(Sandbox::new().allow_network(rules));

    assert_eq!(
        connect(&mut c, &allowed_address).unwrap(),
        "hello from the allowed port"
    );
    server.join().unwrap();

    let err = connect(&mut c, &other_address).unwrap_err();
    assert!(err.starts_with("PermissionDenied"), "{err}");
    assert!(
        !anyone_connected(&other),
        "the guest reached a port off the list"
    );
    // Name lookup is not granted by an allow-list.
    refused("look up localhost", lookup(&mut c, "localhost"));
    // An ephemeral UDP port may be bound (to send to the list's addresses).
    let bound = udp_bind(&mut c).unwrap();
    assert!(bound.starts_with("127.0.0.1:"), "{bound}");

    // The same grants after a restart, and no file came with them.
    c.restart().unwrap();
    let err = connect(&mut c, &other_address).unwrap_err();
    assert!(err.starts_with("PermissionDenied"), "{err}");
    assert!(!anyone_connected(&other));
    refused("read /etc/passwd", read_file(&mut c, "/etc/passwd"));

    // An empty list grants no socket at all.
    let mut c = probe(Sandbox::new().allow_network([]));
    refused(
        "connect with an empty list",
        connect(&mut c, &other_address),
    );
    assert!(!anyone_connected(&other));
}
