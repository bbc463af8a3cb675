//! Drives the built `tairitsu` binary on real components: the fixtures of `tairitsu-fixtures`
//! (written to a temporary directory) and `examples/guests/probe`, a Rust `wasi:cli/command`
//! guest built for `wasm32-wasip2` on first use.
//!
//! Every command runs with its own `TAIRITSU_STORE` and a shared `TAIRITSU_CACHE_DIR` under
//! cargo's test temporary directory, never the user's.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_tairitsu");

/// The fixtures as files, written once per test process (atomically, so that concurrent test
/// processes never see half a file).
fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tairitsu-cli-fixtures");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in [
            ("root", tairitsu_fixtures::root()),
            ("calc", tairitsu_fixtures::calc()),
            ("faults", tairitsu_fixtures::faults()),
            ("kitchen", tairitsu_fixtures::kitchen()),
            ("host", tairitsu_fixtures::host_import()),
        ] {
            write_atomically(&dir.join(format!("{name}.wasm")), &bytes);
        }
        write_atomically(&dir.join("core.wasm"), b"\0asm\x01\0\0\0");
        dir
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// `examples/guests/probe` built into a component (once per test process), copied next to
/// the fixtures as `probe.wasm`.
fn probe() -> &'static Path {
    static PROBE: OnceLock<PathBuf> = OnceLock::new();
    PROBE.get_or_init(|| {
        let built = tairitsu_build::Guest::new(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/guests/probe"),
        )
        .emit_rerun_if_changed(false)
        .build()
        .unwrap_or_else(|e| panic!("cannot build the probe guest: {e}"));
        let path = fixtures().join("probe.wasm");
        write_atomically(&path, &std::fs::read(built).unwrap());
        path
    })
}

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// A `tairitsu` invocation in the fixtures directory.
struct Tairitsu {
    cmd: Command,
    stdin: Option<String>,
}

/// What an invocation did.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tairitsu<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Tairitsu {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(fixtures())
        .env("TAIRITSU_CACHE_DIR", tmp.join("tairitsu-cli-cache"))
        .env("TAIRITSU_STORE", tmp.join("tairitsu-cli-no-store"))
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_BACKTRACE");
    Tairitsu { cmd, stdin: None }
}

impl Tairitsu {
    fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    fn run(mut self) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("the tairitsu binary runs");
        if let Some(text) = &self.stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        Out {
            code: output.status.code().expect("exited, not killed"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Out {
    /// The stdout of a successful run, without the final newline.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }

    /// Checks a failure: the exit code, `error: ` first on stderr, each needle in stderr,
    /// nothing on stdout and no Rust panic or backtrace.
    fn fails(&self, code: i32, needles: &[&str]) -> &Self {
        assert_eq!(self.code, code, "exit code: {self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        for needle in needles {
            assert!(self.stderr.contains(needle), "`{needle}` not in {self:#?}");
        }
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{self:#?}");
        self
    }

    fn hint(&self, needle: &str) {
        let hint = self
            .stderr
            .lines()
            .find(|l| l.starts_with("hint: "))
            .unwrap_or_else(|| panic!("no hint: {self:#?}"));
        assert!(hint.contains(needle), "`{needle}` not in {hint}");
    }
}

fn call(component: &str, call: &str, extra: &[&str]) -> Out {
    let mut args = vec!["call", component, call];
    args.extend_from_slice(extra);
    tairitsu(args).run()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn inspect_prints_signatures_digest_and_size() {
    let out = tairitsu(["inspect", "calc.wasm"]).run();
    let digest = sha256(&fixtures().join("calc.wasm"));
    let size = std::fs::metadata(fixtures().join("calc.wasm"))
        .unwrap()
        .len();
    let expected = format!(
        "calc.wasm
  digest  sha256:{digest}
  size    {:.1} KiB ({size} bytes)

imports: none

exports:
  version: func() -> string
  test:calc/api@0.1.0
    add: func(a: s32, b: s32) -> s32
    mul: func(a: s32, b: s32) -> s32
    negate: func(x: s32) -> s32
  test:calc/extra@0.1.0
    add: func(a: s32, b: s32) -> s32
    describe: func() -> string",
        size as f64 / 1024.0
    );
    assert_eq!(out.ok(), expected);
}

#[test]
fn inspect_shows_imports_resources_and_named_types() {
    let text = tairitsu(["inspect", "kitchen.wasm"]).run().ok().to_string();
    let text = lines(&text);
    let at = |line: &str| {
        text.iter()
            .position(|l| *l == line)
            .unwrap_or_else(|| panic!("no line `{line}` in {text:#?}"))
    };
    // Imports come before exports, interface by interface, with full signatures.
    let imports = at("imports:");
    let exports = at("exports:");
    let types = at("types:");
    assert!(imports < exports && exports < types);
    let host = at("  test:kitchen/host@0.1.0");
    assert!(imports < host && host < exports);
    at(
        "    echo-nested: func(v: list<option<result<point, shape>>>) -> list<option<result<point, shape>>>",
    );
    at("    [constructor]blob: func(data: list<u8>) -> blob");
    at("    [method]blob.size: func(self: borrow<blob>) -> u32");
    at("    total: func(a: borrow<counter>, b: borrow<counter>) -> u32");
    at("  blob-size: func(data: list<u8>) -> u32");
    // Named types, as WIT definitions, under their interface.
    assert!(at("  test:kitchen/types@0.1.0") > types);
    at("    record point { x: s32, y: s32 }");
    at(
        "    record item-info { item-id: u64, %type: string, self-ref: option<string>, in-stock: bool }",
    );
    at("    enum color { red, green, blue, dark-magenta }");
    at("    flags permissions { read, write, exec }");
    at("    variant shape { circle(f64), rectangle(point), label(string), empty }");
    at("    type id = u64");
    at("    resource counter");
    assert!(!text.iter().any(|l| l.contains("wasi:cli/command")));
}

#[test]
fn inspect_json() {
    let out = tairitsu(["inspect", "host.wasm", "--json"]).run();
    let json: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(json["source"], "host.wasm");
    assert_eq!(
        json["digest"],
        format!("sha256:{}", sha256(&fixtures().join("host.wasm")))
    );
    assert_eq!(
        json["size"],
        std::fs::metadata(fixtures().join("host.wasm"))
            .unwrap()
            .len()
    );
    assert_eq!(
        json["imports"],
        serde_json::json!([
            {
                "interface": "test:host/log@0.1.0",
                "name": "log",
                "qualified": "test:host/log@0.1.0#log",
                "params": [{"name": "message", "type": "string"}],
                "result": null,
                "wit": "log: func(message: string)"
            },
            {
                "interface": "test:host/math@0.1.0",
                "name": "double",
                "qualified": "test:host/math@0.1.0#double",
                "params": [{"name": "x", "type": "u32"}],
                "result": "u32",
                "wit": "double: func(x: u32) -> u32"
            }
        ])
    );
    assert_eq!(json["exports"][0]["qualified"], "run");
    assert_eq!(json["exports"][0]["wit"], "run: func(x: u32) -> u32");
    assert_eq!(json["types"], serde_json::json!([]));
    assert_eq!(json["command"], false);
    assert!(json.get("store").is_none());

    let kitchen: serde_json::Value =
        serde_json::from_str(tairitsu(["inspect", "kitchen.wasm", "--json"]).run().ok()).unwrap();
    let point = kitchen["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "point")
        .unwrap();
    assert_eq!(point["interface"], "test:kitchen/types@0.1.0");
    assert_eq!(point["wit"], "record point { x: s32, y: s32 }");
    assert_eq!(kitchen["exports"].as_array().unwrap().len(), 36 * 2 + 6);
}

#[test]
fn inspect_refuses_what_is_not_a_component() {
    tairitsu(["inspect", "core.wasm"]).run().fails(
        2,
        &[
            "core.wasm is not a WebAssembly component",
            "wasm-tools component new",
        ],
    );
    tairitsu(["inspect", "missing.wasm"])
        .run()
        .fails(2, &["missing.wasm", "No such file"]);
    tairitsu(["inspect", "nothing-here:1.0"])
        .run()
        .fails(
            2,
            &["`nothing-here:1.0` is neither a file nor an image in the store"],
        )
        .hint("tairitsu image ls");
}

// ---------------------------------------------------------------------------------------------
// call: every value kind, both formats

/// `(function, argument, printed result)` in RON; the output parses back to the same value.
const RON_CASES: &[(&str, &str, &str)] = &[
    ("echo-bool", "true", "true"),
    ("echo-s8", "-128", "-128"),
    ("echo-u8", "255", "255"),
    ("echo-s16", "-32768", "-32768"),
    ("echo-u16", "65535", "65535"),
    ("echo-s32", "-2147483648", "-2147483648"),
    ("echo-u32", "4294967295", "4294967295"),
    ("echo-s64", "-9223372036854775808", "-9223372036854775808"),
    ("echo-u64", "18446744073709551615", "18446744073709551615"),
    ("echo-f32", "1.5", "1.5"),
    ("echo-f64", "-0.25", "-0.25"),
    ("echo-f64", "NaN", "NaN"),
    ("echo-f64", "inf", "inf"),
    ("echo-char", "'ü'", "'ü'"),
    ("echo-string", r#""hi \"there\"\n""#, r#""hi \"there\"\n""#),
    ("echo-list-u32", "[1, 2, 3]", "[1,2,3]"),
    ("echo-list-string", r#"["a", ""]"#, r#"["a",""]"#),
    ("echo-bytes", "[0, 255]", "[0,255]"),
    ("echo-tuple", r#"(7, "x", 2.5)"#, r#"(7,"x",2.5)"#),
    ("echo-point", "(x: 1, y: -2)", "(x:1,y:-2)"),
    ("echo-point", "Point(x: 1, y: -2)", "(x:1,y:-2)"),
    (
        "echo-item-info",
        r#"(item_id: 9, type: "t", self_ref: None, in_stock: true)"#,
        r#"(item_id:9,type:"t",self_ref:None,in_stock:true)"#,
    ),
    (
        "echo-person",
        r#"(name: "Ada", age: 36, tags: ["math"], home: Some((x: 0, y: 0)))"#,
        r#"(name:"Ada",age:36,tags:["math"],home:Some((x:0,y:0)))"#,
    ),
    ("echo-shape", "Circle(1.5)", "Circle(1.5)"),
    (
        "echo-shape",
        "Rectangle((x: 1, y: 2))",
        "Rectangle((x:1,y:2))",
    ),
    ("echo-shape", r#"Label("l")"#, r#"Label("l")"#),
    ("echo-shape", "Empty", "Empty"),
    ("echo-color", "DarkMagenta", "DarkMagenta"),
    ("echo-permissions", "[Read, Exec]", "[Read,Exec]"),
    ("echo-permissions", "[]", "[]"),
    ("echo-option-string", r#"Some("x")"#, r#"Some("x")"#),
    ("echo-option-string", "None", "None"),
    ("echo-option-option", "Some(None)", "Some(None)"),
    ("echo-option-option", "Some(Some(3))", "Some(Some(3))"),
    ("echo-result", "Ok(1)", "Ok(1)"),
    ("echo-result", r#"Err("bad")"#, r#"Err("bad")"#),
    ("echo-result-no-ok", "Ok(())", "Ok(())"),
    ("echo-result-no-ok", r#"Err("e")"#, r#"Err("e")"#),
    ("echo-result-no-err", "Ok(5)", "Ok(5)"),
    ("echo-result-no-err", "Err(())", "Err(())"),
    ("echo-result-empty", "Ok(())", "Ok(())"),
    ("echo-result-empty", "Err(())", "Err(())"),
    ("echo-id", "42", "42"),
    (
        "echo-nested",
        "[Some(Ok((x: 1, y: 2))), Some(Err(Empty)), None]",
        "[Some(Ok((x:1,y:2))),Some(Err(Empty)),None]",
    ),
    ("echo-scalar", "Int(-7)", "Int(-7)"),
    ("echo-scalar", "Float(0.5)", "Float(0.5)"),
    ("echo-scalar", "Double(0.125)", "Double(0.125)"),
    ("echo-scalar", "Letter('z')", "Letter('z')"),
    // The case `none` of a variant is written as a raw identifier, apart from `Option::None`.
    ("echo-scalar", "r#None", "r#None"),
    (
        "echo-deep",
        r#"(label: "d", grid: [[Some((x: 1, y: 1)), None]], outcome: Ok([(Red, Circle(2.0))]), perms: [Write])"#,
        r#"(label:"d",grid:[[Some((x:1,y:1)),None]],outcome:Ok([(Red,Circle(2.0))]),perms:[Write])"#,
    ),
    (
        "echo-big",
        r#"(info: (item_id: 1, type: "k", self_ref: Some("s"), in_stock: false), owner: (name: "B", age: 2, tags: [], home: None), value: Double(3.25))"#,
        r#"(info:(item_id:1,type:"k",self_ref:Some("s"),in_stock:false),owner:(name:"B",age:2,tags:[],home:None),value:Double(3.25))"#,
    ),
];

/// The same in WAVE.
const WAVE_CASES: &[(&str, &str, &str)] = &[
    ("echo-bool", "false", "false"),
    ("echo-s8", "-128", "-128"),
    ("echo-u8", "255", "255"),
    ("echo-s16", "-32768", "-32768"),
    ("echo-u16", "65535", "65535"),
    ("echo-s32", "-2147483648", "-2147483648"),
    ("echo-u32", "4294967295", "4294967295"),
    ("echo-s64", "-9223372036854775808", "-9223372036854775808"),
    ("echo-u64", "18446744073709551615", "18446744073709551615"),
    ("echo-f32", "1.5", "1.5"),
    ("echo-f64", "-0.25", "-0.25"),
    ("echo-f64", "nan", "nan"),
    ("echo-f64", "-inf", "-inf"),
    ("echo-char", "'ü'", "'ü'"),
    ("echo-string", r#""hi \"there\"\n""#, r#""hi \"there\"\n""#),
    ("echo-list-u32", "[1, 2, 3]", "[1, 2, 3]"),
    ("echo-list-string", r#"["a", ""]"#, r#"["a", ""]"#),
    ("echo-bytes", "[0, 255]", "[0, 255]"),
    ("echo-tuple", r#"(7, "x", 2.5)"#, r#"(7, "x", 2.5)"#),
    ("echo-point", "{x: 1, y: -2}", "{x: 1, y: -2}"),
    // WAVE leaves out optional fields that are `none`.
    (
        "echo-item-info",
        r#"{item-id: 9, type: "t", self-ref: none, in-stock: true}"#,
        r#"{item-id: 9, type: "t", in-stock: true}"#,
    ),
    (
        "echo-person",
        r#"{name: "Ada", age: 36, tags: ["math"], home: some({x: 0, y: 0})}"#,
        r#"{name: "Ada", age: 36, tags: ["math"], home: some({x: 0, y: 0})}"#,
    ),
    ("echo-shape", "circle(1.5)", "circle(1.5)"),
    (
        "echo-shape",
        "rectangle({x: 1, y: 2})",
        "rectangle({x: 1, y: 2})",
    ),
    ("echo-shape", r#"label("l")"#, r#"label("l")"#),
    ("echo-shape", "empty", "empty"),
    ("echo-color", "dark-magenta", "dark-magenta"),
    ("echo-permissions", "{read, exec}", "{read, exec}"),
    ("echo-permissions", "{}", "{}"),
    ("echo-option-string", r#"some("x")"#, r#"some("x")"#),
    ("echo-option-string", "none", "none"),
    ("echo-option-option", "some(none)", "some(none)"),
    ("echo-option-option", "some(some(3))", "some(some(3))"),
    ("echo-result", "ok(1)", "ok(1)"),
    ("echo-result", r#"err("bad")"#, r#"err("bad")"#),
    ("echo-result-no-ok", "ok", "ok"),
    ("echo-result-no-ok", r#"err("e")"#, r#"err("e")"#),
    ("echo-result-no-err", "ok(5)", "ok(5)"),
    ("echo-result-no-err", "err", "err"),
    ("echo-result-empty", "ok", "ok"),
    ("echo-result-empty", "err", "err"),
    ("echo-id", "42", "42"),
    (
        "echo-nested",
        "[some(ok({x: 1, y: 2})), some(err(empty)), none]",
        "[some(ok({x: 1, y: 2})), some(err(empty)), none]",
    ),
    ("echo-scalar", "int(-7)", "int(-7)"),
    ("echo-scalar", "float(0.5)", "float(0.5)"),
    ("echo-scalar", "double(0.125)", "double(0.125)"),
    ("echo-scalar", "letter('z')", "letter('z')"),
    ("echo-scalar", "%none", "%none"),
    (
        "echo-deep",
        r#"{label: "d", grid: [[some({x: 1, y: 1}), none]], outcome: ok([(red, circle(2.5))]), perms: {write}}"#,
        r#"{label: "d", grid: [[some({x: 1, y: 1}), none]], outcome: ok([(red, circle(2.5))]), perms: {write}}"#,
    ),
    (
        "echo-big",
        r#"{info: {item-id: 1, type: "k", self-ref: some("s"), in-stock: false}, owner: {name: "B", age: 2, tags: []}, value: double(3.25)}"#,
        r#"{info: {item-id: 1, type: "k", self-ref: some("s"), in-stock: false}, owner: {name: "B", age: 2, tags: []}, value: double(3.25)}"#,
    ),
];

/// Runs every case on `echo` (the guest returns its argument) and checks the printed result,
/// then calls again with the printed result as the argument, which must print the same.
fn every_value_kind(cases: &[(&str, &str, &str)], format: &str) {
    for (function, input, expected) in cases {
        let run = |arg: &str| {
            call(
                "kitchen.wasm",
                &format!("echo.{function}({arg})"),
                &["--format", format, "--trap-unknown-imports"],
            )
        };
        let out = run(input);
        assert_eq!(out.ok(), *expected, "{format} {function}({input})");
        assert_eq!(
            run(expected).ok(),
            *expected,
            "{format} round trip {expected}"
        );
    }
}

#[test]
fn call_ron_every_value_kind() {
    every_value_kind(RON_CASES, "ron");
}

#[test]
fn call_wave_every_value_kind() {
    every_value_kind(WAVE_CASES, "wave");
}

#[test]
fn call_forms_and_formats() {
    let root = |c: &str, extra: &[&str]| call("root.wasm", c, extra).ok().to_string();
    assert_eq!(root("add(1, 2)", &[]), "3");
    assert_eq!(root("add(a: 40, b: 2)", &[]), "42");
    assert_eq!(root(r#"greet("Ada")"#, &[]), r#""Hello, Ada!""#);
    assert_eq!(
        root(r#"greet(name: "Ada")"#, &["--format", "wave"]),
        r#""Hello, Ada!""#
    );
    assert_eq!(root("sum([4294967295, 1])", &[]), "4294967296");
    assert_eq!(root("version()", &[]), r#""1.0.0""#);
    // Several arguments, named, and no result at all.
    let kitchen = |c: &str, extra: &[&str]| {
        let mut args = vec!["--trap-unknown-imports"];
        args.extend_from_slice(extra);
        call("kitchen.wasm", c, &args).ok().to_string()
    };
    assert_eq!(kitchen(r#"echo.pair(b: 2, a: "x")"#, &[]), r#"("x",2)"#);
    assert_eq!(
        kitchen(r#"echo.pair("x", 2)"#, &["--format", "wave"]),
        r#"("x", 2)"#
    );
    assert_eq!(kitchen("echo.nothing()", &[]), "()");
    assert_eq!(kitchen("echo.nothing()", &["--format", "wave"]), "()");
    // `--output` overrides the output format only.
    assert_eq!(
        kitchen("echo.echo-point((x: 1, y: 2))", &["--output", "wave"]),
        "{x: 1, y: 2}"
    );
    assert_eq!(
        kitchen(
            "echo.echo-shape(circle(0.5))",
            &["--format", "wave", "--output", "ron"]
        ),
        "Circle(0.5)"
    );
    // Every name form: qualified with and without version, with `.`, by interface.
    for name in [
        "test:calc/api@0.1.0#add",
        "test:calc/api#add",
        "test:calc/api@0.1.0.add",
        "api.add",
        "api#add",
    ] {
        assert_eq!(
            call("calc.wasm", &format!("{name}(2, 3)"), &[]).ok(),
            "5",
            "{name}"
        );
    }
    assert_eq!(call("calc.wasm", "extra.add(2, 3)", &[]).ok(), "1005");
    assert_eq!(call("calc.wasm", "mul(-6, 7)", &[]).ok(), "-42");
    // A resource comes back as a handle in RON.
    assert_eq!(kitchen("make-counter(5)", &[]), "Handle(1)");
}

#[test]
fn call_errors_for_names_and_values() {
    call("calc.wasm", "nope(1)", &[])
        .fails(
            2,
            &[
                "`calc.wasm` has no export `nope`",
                "test:calc/api@0.1.0#add",
            ],
        )
        .hint("tairitsu inspect");
    call("calc.wasm", "add(1, 2)", &[])
        .fails(
            2,
            &[
                "`add` is ambiguous in `calc.wasm`",
                "test:calc/api@0.1.0#add",
                "test:calc/extra@0.1.0#add",
            ],
        )
        .hint("api.add");
    call(
        "kitchen.wasm",
        "echo.echo-u8(256)",
        &["--trap-unknown-imports"],
    )
    .fails(2, &["argument `v` of `echo-u8`", "256", "u8"])
    .hint("RON writes records");
    call(
        "kitchen.wasm",
        "echo.echo-u8(256)",
        &["--trap-unknown-imports", "--format", "wave"],
    )
    .fails(2, &["256", "u8"])
    .hint("WAVE writes records");
    call(
        "kitchen.wasm",
        "echo.echo-color(Purple)",
        &["--trap-unknown-imports"],
    )
    .fails(2, &["Purple", "DarkMagenta"]);
    call("root.wasm", "add(1)", &[]).fails(2, &["`add` takes 2 arguments"]);
    call("root.wasm", "add", &[])
        .fails(2, &["`add` is not a call"])
        .hint("tairitsu inspect");
    call(
        "kitchen.wasm",
        "make-counter(1)",
        &["--trap-unknown-imports", "--output", "wave"],
    )
    .fails(2, &["WAVE cannot write the result", "resource"])
    .hint("--output ron");
    call("core.wasm", "add(1, 2)", &[]).fails(2, &["is a core WebAssembly module"]);
}

#[test]
fn call_guest_failures_exit_with_1() {
    call("faults.wasm", "crash()", &[]).fails(1, &["`faults.wasm/crash` trapped", "unreachable"]);
    call("faults.wasm", "divide(1, 0)", &[]).fails(1, &["trapped", "divide by zero"]);
    call("faults.wasm", "recurse(1)", &[]).fails(1, &["trapped", "call stack exhausted"]);
    call("faults.wasm", "bad-string()", &[]).fails(1, &["utf-8"]);
    assert_eq!(call("faults.wasm", "divide(7, 2)", &[]).ok(), "3");
}

#[test]
fn call_timeout_interrupts_the_guest() {
    let started = Instant::now();
    call("faults.wasm", "spin()", &["--timeout", "200ms"])
        .fails(1, &["`faults.wasm/spin` was interrupted", "200ms deadline"])
        .hint("--timeout");
    // The default deadline is 5 s: this shows the flag took effect.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    tairitsu(["call", "faults.wasm", "spin()", "--timeout", "200"])
        .run()
        .fails(2, &["`200` has no unit"]);
}

#[test]
fn call_memory_limit() {
    call("faults.wasm", "grow-memory()", &["--max-memory", "2MiB"])
        .fails(1, &["exceeded a limit", "memory limit of 2 MiB"])
        .hint("--max-memory");
    call("faults.wasm", "grow-memory()", &["--max-memory", "3MiB"])
        .fails(1, &["memory limit of 3 MiB"]);
    tairitsu(["call", "faults.wasm", "ok()", "--max-memory", "lots"])
        .run()
        .fails(2, &["`lots` does not start with a number"]);
}

#[test]
fn call_imports_missing_constant_or_trapped() {
    // Nothing serves `log` and `math`: both are listed, nothing runs.
    call("host.wasm", "run(4)", &[])
        .fails(
            2,
            &[
                "`host.wasm` imports 2 functions that nobody provides",
                "test:host/log@0.1.0#log",
                "test:host/math@0.1.0#double",
            ],
        )
        .hint("--import");
    // Constants, in RON and in WAVE, by every name form.
    let ron = [
        "--import",
        "test:host/math#double=8",
        "--import",
        "log#log=()",
    ];
    assert_eq!(call("host.wasm", "run(4)", &ron).ok(), "9");
    let wave = [
        "--format",
        "wave",
        "--import",
        "test:host/math@0.1.0#double=41",
        "--import",
        "test:host/log@0.1.0#log=()",
    ];
    assert_eq!(call("host.wasm", "run(4)", &wave).ok(), "42");
    assert_eq!(
        call(
            "host.wasm",
            "run(0)",
            &["--import", "double=1", "--import", "log=()"]
        )
        .ok(),
        "2"
    );
    // One given: only the other is missing.
    let out = call("host.wasm", "run(4)", &["--import", "double=1"]);
    out.fails(
        2,
        &["imports 1 function that nobody provides: test:host/log@0.1.0#log"],
    );
    assert!(!out.stderr.contains("math"), "{out:#?}");
    // Trapped on purpose: the guest calls `log` first, and that call fails.
    call(
        "host.wasm",
        "run(4)",
        &["--import", "double=1", "--trap-unknown-imports"],
    )
    .fails(1, &["test:host/log@0.1.0#log", "has not been defined"]);
    // A relay of kitchen forwards to the constant.
    assert_eq!(
        call(
            "kitchen.wasm",
            "relay.echo-point((x: 1, y: 2))",
            &[
                "--trap-unknown-imports",
                "--import",
                "host#echo-point=(x: 5, y: -6)"
            ],
        )
        .ok(),
        "(x:5,y:-6)"
    );
    // Bad constants are bad input, before the guest starts.
    call(
        "host.wasm",
        "run(4)",
        &["--import", "double=-1", "--import", "log=()"],
    )
    .fails(2, &["--import double=-1", "u32"]);
    call("host.wasm", "run(4)", &["--import", "math#tripple=1"])
        .fails(2, &["the component imports no function `math#tripple`"])
        .hint("test:host/math@0.1.0#double");
    call("host.wasm", "run(4)", &["--import", "double"]).fails(2, &["expected `NAME=VALUE`"]);
    call(
        "host.wasm",
        "run(4)",
        &["--import", "log=5", "--import", "double=1"],
    )
    .fails(2, &["--import log=5"]);
}

#[test]
fn call_grants_wasi_only_when_asked() {
    // `call` links WASI as `run` does; a directory that does not exist is refused up front.
    tairitsu([
        "call",
        "root.wasm",
        "add(1, 2)",
        "--dir",
        "no-such-dir::/data",
    ])
    .run()
    .fails(2, &["--dir no-such-dir::/data", "is not a directory"]);
    tairitsu(["call", "root.wasm", "add(1, 2)", "--env", "=x"])
        .run()
        .fails(2, &["has no name"]);
    let out = tairitsu([
        "call",
        "root.wasm",
        "add(1, 2)",
        "--dir",
        ".::/data",
        "--env",
        "A=b",
    ])
    .run();
    assert_eq!(out.ok(), "3");
}

// ---------------------------------------------------------------------------------------------
// run

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

// ---------------------------------------------------------------------------------------------
// bindgen

fn module<'a>(items: &'a [syn::Item], path: &[&str]) -> &'a [syn::Item] {
    let Some((first, rest)) = path.split_first() else {
        return items;
    };
    let inner = items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == first => m.content.as_ref().map(|(_, i)| i.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no module `{first}`"));
    module(inner, rest)
}

/// The generated items: inside the one module that carries the file's lint allowance.
fn generated(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) => m.content.as_ref().map(|(_, i)| i.as_slice()),
            _ => None,
        })
        .expect("the generated module")
}

fn enum_variants(items: &[syn::Item], name: &str) -> Vec<String> {
    items
        .iter()
        .find_map(|item| match item {
            syn::Item::Enum(e) if e.ident == name => {
                Some(e.variants.iter().map(|v| v.ident.to_string()).collect())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no enum `{name}`"))
}

#[test]
fn bindgen_prints_what_tairitsu_build_generates() {
    let wit = tairitsu_fixtures::wit_dir().join("calc");
    let out = tairitsu([Path::new("bindgen"), &wit]).run();
    let source = out.ok();
    // Exactly the library's output.
    let expected = tairitsu_build::Builder::new()
        .wit_dir(&wit)
        .emit_rerun_if_changed(false)
        .generate()
        .unwrap();
    assert_eq!(format!("{source}\n"), expected[0].source);
    // Valid Rust with the items of the world.
    let file = syn::parse_file(source).expect("the bindings parse");
    assert_eq!(enum_variants(generated(&file), "CalcCommand"), ["Version"]);
    let api = module(generated(&file), &["exports", "test", "calc", "api"]);
    assert_eq!(enum_variants(api, "ApiCommand"), ["Add", "Mul", "Negate"]);
    assert!(source.contains("pub fn call_add<"));
    assert!(source.contains("::tairitsu::"));
    // Another runtime path.
    let out = tairitsu([
        Path::new("bindgen"),
        &wit,
        Path::new("--runtime-path"),
        Path::new("::tairitsu_runtime"),
    ])
    .run();
    assert!(out.ok().contains("::tairitsu_runtime::"));
    assert!(!out.ok().contains("::tairitsu::"));
}

#[test]
fn bindgen_async_and_feature_options_reach_the_generator() {
    let wit = tairitsu_fixtures::wit_dir().join("host");
    let wit_arg = wit.to_str().unwrap();
    let generate = |b: tairitsu_build::Builder| {
        b.wit_dir(&wit)
            .emit_rerun_if_changed(false)
            .generate()
            .unwrap()
            .remove(0)
            .source
    };
    let both = tairitsu(["bindgen", wit_arg, "--async"]).run();
    let expected = generate(
        tairitsu_build::Builder::new()
            .async_imports(true)
            .async_exports(true),
    );
    assert_eq!(format!("{}\n", both.ok()), expected);
    assert!(both.ok().contains("func_wrap_async"));
    assert!(both.ok().contains("pub async fn call_run<"));
    let one = tairitsu([
        "bindgen",
        wit_arg,
        "--async-import",
        "test:host/math#double",
        "--async-exports",
    ])
    .run();
    let expected = generate(
        tairitsu_build::Builder::new()
            .async_import("test:host/math#double")
            .async_exports(true),
    );
    assert_eq!(format!("{}\n", one.ok()), expected);
    tairitsu([
        "bindgen",
        wit_arg,
        "--async-import",
        "test:host/math#triple",
    ])
    .run()
    .fails(
        2,
        &["names no imported function", "test:host/math@0.1.0#double"],
    );

    // An unstable world names its feature; `--features` and `--all-features` enable it.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(
        dir.path().join("w.wit"),
        "package a:b;\n@unstable(feature = shiny)\nworld w { export f: func(); }\n",
    )
    .unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    tairitsu(["bindgen", dir_arg])
        .run()
        .fails(2, &["world `a:b/w` is unstable", "`shiny`"])
        .hint("--features");
    let shiny = tairitsu(["bindgen", dir_arg, "--features", "shiny"]).run();
    assert!(shiny.ok().contains("pub fn call_f<"));
    let all = tairitsu(["bindgen", dir_arg, "--all-features"]).run();
    assert_eq!(shiny.ok(), all.ok());
}

#[test]
fn bindgen_worlds_files_and_errors() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let wit = dir.path().join("wit");
    std::fs::create_dir(&wit).unwrap();
    std::fs::write(
        wit.join("two.wit"),
        "package my:two;\n\
         interface api { ping: func() -> u32; }\n\
         world first { export api; }\n\
         world second { import api; }\n",
    )
    .unwrap();
    let wit_arg = wit.to_str().unwrap();
    tairitsu(["bindgen", wit_arg])
        .run()
        .fails(2, &["no world selected"])
        .hint("--world");
    let first = tairitsu(["bindgen", wit_arg, "--world", "first"]).run();
    assert!(
        first
            .ok()
            .starts_with("// @generated by tairitsu-build from WIT world `my:two/first`")
    );
    syn::parse_file(first.ok()).unwrap();
    let both = tairitsu(["bindgen", wit_arg, "--all-worlds"]).run();
    assert!(both.ok().contains("WIT world `my:two/first`"));
    assert!(both.ok().contains("WIT world `my:two/second`"));
    tairitsu(["bindgen", wit_arg, "--world", "third"])
        .run()
        .fails(
            2,
            &[
                "world `third` does not exist",
                "my:two/first",
                "my:two/second",
            ],
        );

    // Files: written, then left alone when nothing changed.
    let out_dir = dir.path().join("generated");
    let out_arg = out_dir.to_str().unwrap();
    let out = tairitsu(["bindgen", wit_arg, "--all-worlds", "--out-dir", out_arg]).run();
    assert_eq!(out.ok(), "");
    assert!(out.stderr.contains("wrote"), "{out:#?}");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("first.rs")).unwrap(),
        format!("{}\n", first.ok())
    );
    assert!(out_dir.join("second.rs").is_file());
    let again = tairitsu(["bindgen", wit_arg, "--all-worlds", "--out-dir", out_arg]).run();
    assert_eq!(again.code, 0);
    assert_eq!(again.stderr.matches("unchanged").count(), 2, "{again:#?}");

    // An imported resource bound to a host type.
    let resources = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tairitsu-build/tests/codegen/resources.wit")
        .canonicalize()
        .unwrap();
    let resources_arg = resources.to_str().unwrap();
    let bound = tairitsu([
        "bindgen",
        resources_arg,
        "--with",
        "test:resources/blobs/blob=crate::host::Blob",
    ])
    .run();
    assert!(
        bound.ok().contains("pub type Blob = crate::host::Blob;"),
        "{bound:#?}"
    );
    tairitsu([
        "bindgen",
        resources_arg,
        "--with",
        "test:resources/blobs/blobb=crate::B",
    ])
    .run()
    .fails(
        2,
        &[
            "names no resource of the world",
            "`test:resources/blobs/blob`",
        ],
    );
    let records = resources.with_file_name("records.wit");
    let records_arg = records.to_str().unwrap();
    let derives_hash = |source: &str| source.lines().any(|l| matches!(l.trim(), "Hash" | "Hash,"));
    let derived = tairitsu(["bindgen", records_arg, "--derive", "Hash"]).run();
    assert!(derives_hash(derived.ok()));
    assert!(!derives_hash(tairitsu(["bindgen", records_arg]).run().ok()));
    let host_wit = tairitsu_fixtures::wit_dir().join("host");
    let trappable = tairitsu([
        Path::new("bindgen"),
        &host_wit,
        Path::new("--trappable-imports"),
    ])
    .run();
    assert!(
        trappable
            .ok()
            .contains("-> ::tairitsu::wasmtime::Result<u32>;")
    );
    tairitsu(["bindgen", resources_arg, "--with", "blob"])
        .run()
        .fails(2, &["not of the form RESOURCE=PATH"])
        .hint("--with my:plugin/files/file=crate::OpenFile");

    // Bad WIT: wit-parser's location and caret.
    std::fs::write(
        wit.join("two.wit"),
        "package my:two;\ninterface api { ping: func() -> nope; }\n",
    )
    .unwrap();
    tairitsu(["bindgen", wit_arg])
        .run()
        .fails(2, &["invalid WIT", "two.wit:2:", "nope"]);
    tairitsu(["bindgen", "no-such-dir"])
        .run()
        .fails(2, &["`no-such-dir` does not exist"]);
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // The kitchen bindings are far larger than a pipe's buffer, so the write fails for sure.
    let mut child = Command::new(BIN)
        .arg("bindgen")
        .arg(tairitsu_fixtures::wit_dir().join("kitchen"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

// ---------------------------------------------------------------------------------------------
// image

/// A store and a cache of its own, so that the first load compiles.
struct Store {
    dir: tempfile::TempDir,
}

impl Store {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
        }
    }

    fn run<S: AsRef<std::ffi::OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Out {
        tairitsu(args)
            .env("TAIRITSU_STORE", self.dir.path().join("store"))
            .env("TAIRITSU_CACHE_DIR", self.dir.path().join("cache"))
            .run()
    }
}

#[test]
fn image_load_ls_inspect_call_rm() {
    let store = Store::new();
    let digest = format!("sha256:{}", sha256(&fixtures().join("calc.wasm")));
    let short = &digest[7..19];

    // The first load compiles; the next is served from the compiled-artifact cache.
    let out = store.run(["image", "load", "calc.wasm"]);
    let first = out.ok();
    assert!(
        first.starts_with(&format!(
            "loaded calc:latest {digest} (1.7 KiB, compiled in "
        )),
        "{first}"
    );
    let out = store.run([
        "image",
        "load",
        "calc.wasm",
        "--tag",
        "calc:0.1",
        "-t",
        "calc:stable",
    ]);
    assert_eq!(
        lines(out.ok()),
        [
            format!("loaded calc:0.1 {digest} (1.7 KiB, from the compiled-artifact cache)"),
            format!("loaded calc:stable {digest} (1.7 KiB, from the compiled-artifact cache)"),
        ]
    );
    store.run(["image", "load", "root.wasm", "-t", "root"]).ok();

    // ls: a row per reference.
    let table = store.run(["image", "ls"]).ok().to_string();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| {
            l.split("  ")
                .filter(|c| !c.is_empty())
                .map(str::trim)
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["REFERENCE", "DIGEST", "SIZE", "LOADED"]);
    assert_eq!(rows[1], ["calc:0.1", short, "1.7 KiB", "just now"]);
    assert_eq!(rows[2][0], "calc:latest");
    assert_eq!(rows[3][0], "calc:stable");
    assert_eq!(rows[4][0], "root:latest");
    assert_eq!(rows.len(), 5);
    let json: serde_json::Value =
        serde_json::from_str(store.run(["image", "ls", "--json"]).ok()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[0]["digest"], digest);
    assert_eq!(
        json[0]["references"],
        serde_json::json!(["calc:0.1", "calc:latest", "calc:stable"])
    );
    assert_eq!(
        json[0]["size"],
        std::fs::metadata(fixtures().join("calc.wasm"))
            .unwrap()
            .len()
    );
    let blob = PathBuf::from(json[0]["path"].as_str().unwrap());
    assert_eq!(
        std::fs::read(&blob).unwrap(),
        std::fs::read(fixtures().join("calc.wasm")).unwrap()
    );
    let quiet = store.run(["image", "ls", "-q"]);
    assert!(lines(quiet.ok()).contains(&digest.as_str()));

    // inspect, by reference, by name and by digest prefix.
    let text = store
        .run(["image", "inspect", "calc:stable"])
        .ok()
        .to_string();
    assert!(
        text.contains("  tags    calc:0.1, calc:latest, calc:stable\n"),
        "{text}"
    );
    assert!(text.contains(&format!("  digest  {digest}\n")), "{text}");
    assert!(
        lines(&text).contains(&"    describe: func() -> string"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(store.run(["image", "inspect", short, "--json"]).ok()).unwrap();
    assert_eq!(
        json["store"]["references"],
        serde_json::json!(["calc:0.1", "calc:latest", "calc:stable"])
    );
    assert_eq!(json["exports"][0]["wit"], "version: func() -> string");
    assert!(store.run(["inspect", "calc"]).ok().contains("  tags    "));

    // The commands take stored images wherever they take a file.
    assert_eq!(
        store.run(["call", "calc:0.1", "version()"]).ok(),
        r#""0.1.0""#
    );
    assert_eq!(store.run(["call", "root", "add(2, 2)"]).ok(), "4");
    // `--store` wins over the environment.
    let elsewhere = Store::new();
    let store_dir = store.dir.path().join("store");
    assert_eq!(
        elsewhere
            .run([
                Path::new("call"),
                Path::new("--store"),
                &store_dir,
                Path::new("root"),
                Path::new("add(1, 1)")
            ])
            .ok(),
        "2"
    );
    elsewhere
        .run(["call", "root", "add(1, 1)"])
        .fails(2, &["`root` is neither a file nor an image"]);

    // rm: a reference, then the digest (every reference, and the file).
    assert_eq!(
        store.run(["image", "rm", "calc:0.1"]).ok(),
        "untagged calc:0.1"
    );
    assert_eq!(
        lines(store.run(["image", "rm", short]).ok()),
        [
            "untagged calc:latest",
            "untagged calc:stable",
            &format!("deleted {digest} and its compiled code")
        ]
    );
    assert!(!blob.exists());
    let cached: Vec<_> = std::fs::read_dir(store.dir.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with(&digest[7..]))
        .collect();
    assert!(cached.is_empty(), "{cached:?}");
    store
        .run(["image", "rm", "calc"])
        .fails(2, &["no image `calc` in the store"])
        .hint("image ls");
    store
        .run(["image", "inspect", "calc"])
        .fails(2, &["no image `calc` in the store"]);
    assert_eq!(
        lines(store.run(["image", "rm", "root:latest"]).ok())[0],
        "untagged root:latest"
    );
    let empty = store.run(["image", "ls"]);
    assert_eq!(empty.ok(), "REFERENCE  DIGEST  SIZE  LOADED");
    assert!(empty.stderr.contains("is empty"), "{empty:#?}");
}

#[test]
fn image_load_refuses_bad_input() {
    let store = Store::new();
    store
        .run(["image", "load", "core.wasm", "-t", "core"])
        .fails(2, &["core.wasm is not a WebAssembly component"]);
    store
        .run(["image", "load", "calc.wasm", "-t", "Calc"])
        .fails(2, &["invalid image reference `Calc`"])
        .hint("lower-case");
    store
        .run(["image", "load", "missing.wasm"])
        .fails(2, &["missing.wasm"]);
    assert_eq!(store.run(["image", "ls", "-q"]).ok(), "");

    // The default name comes from the file name.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let file = dir.path().join("My_Calc v2.wasm");
    std::fs::copy(fixtures().join("calc.wasm"), &file).unwrap();
    let out = store.run([Path::new("image"), Path::new("load"), &file]);
    assert!(
        out.ok().starts_with("loaded my_calc-v2:latest sha256:"),
        "{out:#?}"
    );
}

#[test]
fn run_a_stored_command() {
    let store = Store::new();
    let probe = probe().to_str().unwrap().to_string();
    store.run(["image", "load", &probe, "-t", "probe:1"]).ok();
    let out = store.run(["run", "probe:1", "stored"]);
    assert_eq!(lines(out.ok()), ["argc 1", "arg: stored"]);
}

// ---------------------------------------------------------------------------------------------
// help and usage

#[test]
fn help_texts_have_examples_and_usage_errors_exit_with_2() {
    let help = tairitsu(["--help"]).run();
    let text = help.ok();
    for needle in [
        "inspect",
        "call",
        "run",
        "bindgen",
        "image",
        "Exit codes:",
        "TAIRITSU_STORE",
    ] {
        assert!(text.contains(needle), "`{needle}` not in {text}");
    }
    for command in [
        &["inspect"][..],
        &["call"],
        &["run"],
        &["bindgen"],
        &["image"],
        &["image", "load"],
        &["image", "ls"],
        &["image", "inspect"],
        &["image", "rm"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = tairitsu(&args).run();
        assert!(out.ok().contains("Examples:"), "{command:?}: {out:#?}");
    }
    assert!(
        tairitsu(["call", "--help"])
            .run()
            .ok()
            .contains("--import <NAME=VALUE>")
    );
    assert!(
        tairitsu(["--version"])
            .run()
            .ok()
            .contains(env!("CARGO_PKG_VERSION"))
    );
    let out = tairitsu(["call", "root.wasm"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("<CALL>"), "{out:#?}");
    let out = tairitsu(["frobnicate"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    let out = tairitsu(["call", "root.wasm", "add(1, 2)", "--format", "json"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("ron"), "{out:#?}");
}

// ---------------------------------------------------------------------------------------------
// What the guest sees of the host, and what the host hears of the runtime

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
