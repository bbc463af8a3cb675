//! What the guest sees of the host, and what the host hears of the runtime.

use std::path::Path;

use crate::support::*;

/// Regression: `run` passed COMPONENT as written as `argv[0]`, so a guest run as
/// `tairitsu run /home/alice/apps/app.wasm` learnt where its file is on the host.
#[test]
fn bug_run_showed_the_guest_the_host_path_as_argv0() {
    let probe = probe().to_str().unwrap().to_string();
    assert!(Path::new(&probe).is_absolute());
    let out = tairitsu(["run", &probe, "--program"]).run();
    assert_eq!(lines(out.ok()), ["argc 1", "program probe.wasm"]);
    let out = tairitsu(["run", "--argv0", "hello", &probe, "--program", "x"]).run();
    assert_eq!(lines(out.ok()), ["argc 2", "program hello", "arg: x"]);
    // An image of the store is named by its reference.
    let store = Store::new();
    store
        .run(["image", "load", &probe, "--tag", "probe:1"])
        .ok();
    let out = store.run(["run", "probe:1", "--program"]);
    assert_eq!(lines(out.ok()), ["argc 1", "program probe:1"]);
}

/// Regression: `--dir HOST` without `::GUEST` mounted HOST at its own path, showing the guest
/// the host's directory layout. Now GUEST is required.
#[test]
fn bug_a_dir_without_a_guest_path_showed_the_guest_the_host_path() {
    let probe = probe().to_str().unwrap().to_string();
    let host = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let host_dir = host.path().to_str().unwrap().to_string();
    std::fs::write(host.path().join("hello.txt"), "hello\n").unwrap();
    let name = host.path().file_name().unwrap().to_str().unwrap();
    for flag in ["--dir", "--ro-dir"] {
        tairitsu(["run", flag, &host_dir, &probe])
            .run()
            .fails(
                2,
                &[&format!("{flag} {host_dir}: say where the guest sees")],
            )
            .hint(&format!("`{flag} {host_dir}::/{name}`"));
    }
    tairitsu(["call", "root.wasm", "add(1, 2)", "--dir", &host_dir])
        .run()
        .fails(2, &["say where the guest sees"]);
    // With a guest path the guest reads it there, and not at the host path.
    let grant = format!("{host_dir}::/data");
    let host_file = format!("{host_dir}/hello.txt");
    let out = tairitsu([
        "run",
        "--ro-dir",
        &grant,
        &probe,
        "--read",
        "/data/hello.txt",
        "--read",
        &host_file,
    ])
    .run();
    let text = out.ok();
    assert!(text.contains("read /data/hello.txt: hello"), "{text}");
    assert!(text.contains(&format!("read {host_file} failed")), "{text}");
}

/// Regression: `call` connected the guest's stderr to the terminal without being asked; now
/// it takes `--inherit-stderr`.
#[test]
fn bug_call_inherited_the_guest_stderr_without_being_asked() {
    let probe = probe().to_str().unwrap().to_string();
    // The probe's `run` writes `argc 0` to stdout (never connected for `call`) and
    // `probe done` to stderr.
    let out = call(&probe, "run()", &[]);
    assert_eq!(out.ok(), "Ok(())");
    assert_eq!(out.stderr, "");
    let out = call(&probe, "run()", &["--inherit-stderr"]);
    assert_eq!(out.ok(), "Ok(())");
    assert_eq!(out.stderr, "probe done\n");
    // A trap says where the guest's own words went.
    call("faults.wasm", "crash()", &[])
        .fails(1, &["trapped"])
        .hint("--inherit-stderr");
}

#[test]
fn allow_net_takes_addresses_and_blocks() {
    // The probe command opens no socket; this checks the flag's parsing and its errors (the
    // allow-list itself is tested from inside a guest in `tests/reliability`).
    let probe = probe().to_str().unwrap().to_string();
    let out = tairitsu([
        "run",
        "--allow-net",
        "127.0.0.1:9000",
        "--allow-net",
        "10.0.0.0/8",
        "--allow-net",
        "[::1]:80",
        &probe,
    ])
    .run();
    assert_eq!(out.ok(), "argc 0");
    let out = tairitsu(["run", "--allow-net", "localhost:80", &probe]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("not an IP address"), "{out:#?}");
}

/// Regression: the CLI installed no `tracing` subscriber, so the runtime's warnings (a cache it
/// cannot use, a refs line it skips) vanished.
#[cfg(unix)]
#[test]
fn bug_warnings_of_the_runtime_never_reached_stderr() {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = tairitsu(["call", "root.wasm", "add(1, 2)"])
        .env("TAIRITSU_CACHE_DIR", shared.path())
        .run();
    assert_eq!(out.ok(), "3");
    assert!(
        out.stderr
            .starts_with("warning: compiled-artifact cache disabled, every image compiles"),
        "{out:#?}"
    );
    assert!(
        out.stderr.contains("lets other users write to it"),
        "{out:#?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    // Nothing was written to the unsafe directory.
    assert_eq!(std::fs::read_dir(shared.path()).unwrap().count(), 0);

    // `-v` adds the runtime's debug events; without it there are none.
    let quiet = tairitsu(["call", "root.wasm", "add(1, 2)"]).run();
    assert_eq!(quiet.stderr, "", "{quiet:#?}");
    let verbose = tairitsu(["-v", "call", "root.wasm", "add(1, 2)"]).run();
    assert_eq!(verbose.ok(), "3");
    assert!(
        verbose.stderr.contains("debug: loaded image"),
        "{verbose:#?}"
    );
}
