//! `tairitsu run`: arguments, stdio, environment and directory grants, exit codes.

use crate::support::*;

#[test]
fn run_passes_arguments_and_inherits_stdio() {
    let probe = probe().to_str().unwrap().to_string();
    let out = tairitsu(["run", &probe, "a", "b c", "--", "-x"]).run();
    assert_eq!(
        lines(out.ok()),
        ["argc 4", "arg: a", "arg: b c", "arg: --", "arg: -x"]
    );
    assert_eq!(out.stderr, "probe done\n");
    // inspect says it is a command.
    let text = tairitsu(["inspect", &probe]).run().ok().to_string();
    assert!(text.contains("    run: func() -> result"), "{text}");
    assert!(
        text.ends_with("This is a `wasi:cli/command`: run it with `tairitsu run`."),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(tairitsu(["inspect", &probe, "--json"]).run().ok()).unwrap();
    assert_eq!(json["command"], true);
    // A `--` right after the component separates tairitsu's options from the guest's.
    let out = tairitsu(["run", &probe, "--", "--stdin"])
        .stdin("piped text\n")
        .run();
    assert_eq!(lines(out.ok()), ["argc 1", "stdin: piped text"]);
}

#[test]
fn run_grants_environment_only_when_asked() {
    let probe = probe().to_str().unwrap().to_string();
    let out = tairitsu([
        "run",
        "--env",
        "GREETING=hi",
        "--env",
        "FROM_HOST",
        "--env",
        "UNSET_ON_HOST",
        &probe,
        "--env",
        "GREETING",
        "--env",
        "FROM_HOST",
        "--env",
        "SECRET",
        "--env",
        "UNSET_ON_HOST",
    ])
    .env("FROM_HOST", "passed")
    .env("SECRET", "not passed")
    .run();
    assert_eq!(
        lines(out.ok()),
        [
            "argc 8",
            "env GREETING=hi",
            "env FROM_HOST=passed",
            "env SECRET unset",
            "env UNSET_ON_HOST unset"
        ]
    );
}

#[test]
fn run_grants_directories_only_when_asked() {
    let probe = probe().to_str().unwrap().to_string();
    let host = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(host.path().join("hello.txt"), "hello from the host\n").unwrap();
    let data = format!("{}::/data", host.path().display());
    let read = [
        "--read",
        "/data/hello.txt",
        "--write",
        "/data/out.txt",
        "written",
    ];

    // Not granted: nothing to read, nowhere to write.
    let mut args = vec!["run", probe.as_str()];
    args.extend(read);
    let out = tairitsu(&args).run();
    let text = out.ok();
    assert!(text.contains("read /data/hello.txt failed"), "{text}");
    assert!(text.contains("write /data/out.txt failed"), "{text}");

    // Read-only.
    let mut args = vec!["run", "--ro-dir", data.as_str(), probe.as_str()];
    args.extend(read);
    let out = tairitsu(&args).run();
    let text = out.ok();
    assert!(
        text.contains("read /data/hello.txt: hello from the host"),
        "{text}"
    );
    assert!(text.contains("write /data/out.txt failed"), "{text}");
    assert!(!host.path().join("out.txt").exists());

    // Read-write.
    let mut args = vec!["run", "--dir", data.as_str(), probe.as_str()];
    args.extend(read);
    let out = tairitsu(&args).run();
    let text = out.ok();
    assert!(
        text.contains("read /data/hello.txt: hello from the host"),
        "{text}"
    );
    assert!(text.contains("wrote /data/out.txt"), "{text}");
    assert_eq!(
        std::fs::read_to_string(host.path().join("out.txt")).unwrap(),
        "written"
    );
}

#[test]
fn run_exit_codes() {
    let probe = probe().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["run", probe.as_str()];
        all.extend_from_slice(args);
        tairitsu(all).run()
    };
    assert_eq!(run(&["--exit", "0"]).code, 0);
    // WASI 0.2's `exit` carries success or failure only: 3 becomes 1.
    let out = run(&["--exit", "3"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(lines(&out.stdout), ["argc 2"]);
    assert_eq!(out.stderr, "probe done\n");
    // A panic is a trap: exit 1 with the guest's message and ours.
    let out = run(&["--trap"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("probe was asked to trap"), "{out:#?}");
    assert!(out.stderr.contains("error: `"), "{out:#?}");
    assert!(
        out.stderr.contains("wasi:cli/run@0.2.0#run` trapped"),
        "{out:#?}"
    );
    // Not a command.
    tairitsu(["run", "calc.wasm"])
        .run()
        .fails(2, &["calc.wasm is not a `wasi:cli/command`"])
        .hint("tairitsu call");
    let usage = tairitsu(["run"]).run();
    assert_eq!(usage.code, 2, "{usage:#?}");
    assert!(usage.stderr.contains("COMPONENT"), "{usage:#?}");
}
