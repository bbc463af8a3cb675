//! `tairitsu call`: every value kind in both formats, call forms, errors, guest failures, limits, imports and WASI grants.

use std::time::{Duration, Instant};

use crate::support::*;

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
