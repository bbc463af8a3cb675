//! Reliability: bad input of every kind is a clear error, never a panic, and the container it
//! was aimed at keeps running.
//!
//! Images: malformed bytes, truncated and bit-flipped components, core modules, empty files,
//! text. Calls: RON and WAVE with wrong types, wrong arity, unknown names, numbers out of range,
//! broken syntax, nesting 10,000 deep, and text past the size limit. Host imports: a RON closure
//! answering nonsense or 10,000 levels deep. (Sizes and memory are in `reliability_memory.rs`;
//! invalid UTF-8 from a guest is in `reliability_faults.rs`.)

use tairitsu_runtime::dynamic::{HostImports, ValueLimits};
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{
    CacheDir, Container, ContainerState, Engine, EngineConfig, Error, Format, Image,
};

/// An engine that caches nothing, so that hundreds of broken inputs leave nothing on disk.
fn engine() -> Engine {
    Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/// Loading `bytes` fails (without panicking) with a message; answers it.
#[track_caller]
fn refused(engine: &Engine, what: &str, bytes: &[u8]) -> String {
    match Image::from_bytes_with(engine, bytes) {
        Ok(_) => panic!("{what}: loaded"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                matches!(
                    e,
                    Error::NotAComponent { .. } | Error::InvalidComponent { .. }
                ),
                "{what}: {e:?}"
            );
            assert!(text.len() > 20, "{what}: a terse message: {text}");
            text
        }
    }
}

#[test]
fn empty_garbage_text_and_core_modules_are_refused_with_the_reason() {
    let engine = engine();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        ("one byte", vec![0], "input"),
        ("garbage", b"this is not wasm at all".to_vec(), "input"),
        ("zeros", vec![0; 4096], "input"),
        ("magic only", b"\0asm".to_vec(), "input"),
        ("WAT text", b"(component (core module))".to_vec(), "text"),
        (
            "core module",
            wat::parse_str("(module (func (export \"f\")))").unwrap(),
            "core webassembly module",
        ),
        (
            "component magic, unknown version",
            b"\0asm\x0e\x00\x02\x00".to_vec(),
            "input",
        ),
    ];
    for (what, bytes, expected) in cases {
        let text = refused(&engine, what, &bytes);
        println!("{what}: {text}");
        assert!(
            text.to_lowercase().contains(expected),
            "{what}: expected `{expected}` in: {text}"
        );
    }
}

#[test]
fn an_empty_file_and_a_missing_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, b"").unwrap();
    let err = Image::from_file(&empty).unwrap_err();
    println!("{err}");
    assert!(err.to_string().contains("empty.wasm"), "{err}");
    let err = Image::from_file(dir.path().join("missing.wasm")).unwrap_err();
    println!("{err}");
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("missing.wasm"), "{err}");
    let err = Image::from_file(dir.path()).unwrap_err();
    println!("{err}");
}

/// The offsets at which the top-level sections of a component (or module) end, read from its
/// binary layout: an 8-byte header, then sections of one id byte, a LEB128 size and the payload.
fn section_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = vec![8];
    let mut at = 8;
    while at < bytes.len() {
        at += 1;
        let (mut size, mut shift) = (0usize, 0);
        loop {
            let byte = bytes[at];
            at += 1;
            size |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        at += size;
        ends.push(at);
    }
    assert_eq!(at, bytes.len(), "the sections cover the component exactly");
    ends
}

#[test]
fn every_truncation_of_a_component_is_refused_or_a_smaller_component() {
    // A cut inside a section is refused; a cut between sections leaves a valid component with
    // fewer sections (8 bytes, the header alone, is the empty component), which loads.
    let engine = engine();
    let bytes = tairitsu_fixtures::root();
    let mut kinds = std::collections::BTreeMap::new();
    let mut loaded = Vec::new();
    for len in 0..bytes.len() {
        match Image::from_bytes_with(&engine, &bytes[..len]) {
            Ok(_) => loaded.push(len),
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        Error::NotAComponent { .. } | Error::InvalidComponent { .. }
                    ),
                    "{len} bytes: {e:?}"
                );
                let text = e.to_string();
                let reason = text.split(": ").nth(1).unwrap_or_default();
                *kinds.entry(reason.to_string()).or_insert(0) += 1;
            }
        }
    }
    println!(
        "{} truncations: {} refused, loaded at {loaded:?}; reasons: {kinds:#?}",
        bytes.len(),
        bytes.len() - loaded.len()
    );
    // Exactly the cuts between sections load: every other cut is refused.
    let mut boundaries = section_ends(&bytes);
    assert_eq!(boundaries.pop(), Some(bytes.len()));
    assert_eq!(loaded, boundaries);
    // The figures RELIABILITY.md gives for this fixture (they follow from the layout above;
    // a change to `tairitsu_fixtures::root()` changes them, and the file must follow).
    assert_eq!(
        (bytes.len(), bytes.len() - loaded.len(), loaded.len()),
        (1669, 1644, 25),
        "update RELIABILITY.md"
    );
    // The whole component still loads.
    Image::from_bytes_with(&engine, &bytes).unwrap();
}

#[test]
fn bit_flipped_components_never_panic() {
    // Each flipped component either fails to load with an error or loads; one that loads must
    // start (or fail to start) and answer (or fail) without a panic. The flips are a fixed
    // pseudo-random sequence, so the outcome is the same on every run.
    let engine = engine();
    let bytes = tairitsu_fixtures::root();
    let (mut refused_count, mut loaded, mut answered, mut answered_3) = (0, 0, 0, 0);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..400 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut flipped = bytes.clone();
        let at = (seed % bytes.len() as u64) as usize;
        flipped[at] ^= 1 << ((seed >> 32) % 8);
        match Image::from_bytes_with(&engine, &flipped) {
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        Error::NotAComponent { .. } | Error::InvalidComponent { .. }
                    ),
                    "flip at {at}: {e:?}"
                );
                refused_count += 1;
            }
            Ok(image) => {
                loaded += 1;
                let outcome = Container::builder(image)
                    .build()
                    .and_then(|mut c| c.call_ron("add(1, 2)"));
                match outcome {
                    Ok(out) => {
                        answered += 1;
                        answered_3 += usize::from(out == "3");
                    }
                    // A panic caught on the way would read as one.
                    Err(e) => assert!(!e.to_string().contains("panic"), "flip at {at}: {e}"),
                }
            }
        }
    }
    println!(
        "400 bit flips: {refused_count} refused, {loaded} loaded, {answered} answered \
         ({answered_3} with 3)"
    );
    // What RELIABILITY.md says; the sequence is fixed, so these change only with the fixture
    // or with wasmtime's validator (then update the file).
    assert_eq!(
        (refused_count, loaded, answered, answered_3),
        (220, 180, 179, 179),
        "update RELIABILITY.md"
    );
}

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

fn root() -> Container {
    Container::builder(Image::from_bytes(tairitsu_fixtures::root()).unwrap())
        .build()
        .unwrap()
}

fn kitchen() -> Container {
    // The kitchen imports host functions; the calls here never reach them.
    Container::builder(Image::from_bytes(tairitsu_fixtures::kitchen()).unwrap())
        .trap_unknown_imports(true)
        .build()
        .unwrap()
}

/// `call` in `format` fails with a caller's error (never a guest failure) whose text has every
/// string of `expected`; the container keeps running and answers.
#[track_caller]
fn bad_call(c: &mut Container, format: Format, call: &str, expected: &[&str]) {
    let err = c
        .call_text(call, format, Format::Ron)
        .expect_err("the call must fail");
    let text = err.to_string();
    println!("{format:?} {call:?}: {text}");
    assert!(!err.is_guest_failure(), "{call}: {err:?}");
    assert!(
        matches!(
            err,
            Error::Value(_)
                | Error::UnknownExport { .. }
                | Error::AmbiguousExport { .. }
                | Error::ExportType { .. }
        ),
        "{call}: {err:?}"
    );
    for e in expected {
        assert!(
            text.contains(e),
            "{format:?} {call:?}: expected `{e}` in: {text}"
        );
    }
    assert_eq!(*c.state(), ContainerState::Running);
}

#[test]
fn wrong_types_in_ron_and_wave() {
    let mut c = root();
    for format in [Format::Ron, Format::Wave] {
        bad_call(
            &mut c,
            format,
            r#"add("1", 2)"#,
            &["argument `a` of `add`", "u32"],
        );
        bad_call(
            &mut c,
            format,
            "add(1, true)",
            &["argument `b` of `add`", "u32"],
        );
        bad_call(&mut c, format, "add(1.5, 2)", &["argument `a` of `add`"]);
        bad_call(
            &mut c,
            format,
            "greet(1)",
            &["argument `name` of `greet`", "string"],
        );
        bad_call(
            &mut c,
            format,
            "sum(1)",
            &["argument `values` of `sum`", "list<u32>"],
        );
        bad_call(
            &mut c,
            format,
            r#"sum([1, "2"])"#,
            &["argument `values` of `sum`"],
        );
    }
    let mut k = kitchen();
    let ron: &[(&str, &[&str])] = &[
        ("echo.echo-point((x: 1, z: 2))", &["`z`", "point"]),
        ("echo.echo-point((x: 1))", &["`y`"]),
        ("echo.echo-point((x: 1, y: 2, y: 3))", &["`y`"]),
        ("echo.echo-color(Purple)", &["Purple", "color"]),
        ("echo.echo-permissions([Read, Fly])", &["Fly"]),
        ("echo.echo-shape(Circle)", &["Circle"]),
        ("echo.echo-shape(Empty(1))", &["found `(`", "column 22"]),
        ("echo.echo-char('ab')", &["char"]),
        (
            "echo.echo-option-string(Some())",
            &["argument `v`", "expected string"],
        ),
        ("echo.echo-result-no-ok(Ok(1))", &["result<_, string>"]),
        ("echo.echo-tuple((1, \"a\"))", &["tuple<u8, string, f64>"]),
        ("echo.echo-bool(1)", &["bool"]),
    ];
    for (call, expected) in ron {
        bad_call(&mut k, Format::Ron, call, expected);
    }
    let wave: &[(&str, &[&str])] = &[
        (
            "echo.echo-point({x: 1, z: 2})",
            &["argument `v`", "missing field \"y\""],
        ),
        ("echo.echo-color(purple)", &["argument `v`", "purple"]),
        (
            "echo.echo-permissions({read, fly})",
            &["argument `v`", "fly"],
        ),
        (
            "echo.echo-char('ab')",
            &["argument `v`", "`'ab'` (expected char)"],
        ),
        (
            "echo.echo-bool(1)",
            &["argument `v`", "`1` (expected bool)"],
        ),
        (
            "echo.echo-nested([[1]])",
            &["argument `v`", "`[1]` (in list<option<result<"],
        ),
    ];
    for (call, expected) in wave {
        bad_call(&mut k, Format::Wave, call, expected);
    }
    assert_eq!(k.call_ron("echo.echo-u8(7)").unwrap(), "7");
}

#[test]
fn numbers_out_of_range() {
    let mut k = kitchen();
    for format in [Format::Ron, Format::Wave] {
        bad_call(&mut k, format, "echo.echo-u8(256)", &["256", "u8"]);
        bad_call(&mut k, format, "echo.echo-u8(-1)", &["u8"]);
        bad_call(&mut k, format, "echo.echo-s8(-129)", &["s8"]);
        bad_call(&mut k, format, "echo.echo-u16(65536)", &["u16"]);
        bad_call(&mut k, format, "echo.echo-s32(2147483648)", &["s32"]);
        bad_call(&mut k, format, "echo.echo-u32(4294967296)", &["u32"]);
        bad_call(
            &mut k,
            format,
            "echo.echo-u64(18446744073709551616)",
            &["u64"],
        );
        bad_call(
            &mut k,
            format,
            "echo.echo-s64(-9223372036854775809)",
            &["s64"],
        );
        bad_call(
            &mut k,
            format,
            "echo.echo-u64(99999999999999999999999999999999999999999)",
            &["u64"],
        );
        bad_call(
            &mut k,
            format,
            "echo.echo-list-u32([1, 2, 4294967296])",
            &["u32"],
        );
    }
    bad_call(
        &mut k,
        Format::Ron,
        "echo.echo-list-u32([1, 2, 4294967296])",
        &["[2]"],
    );
    bad_call(
        &mut k,
        Format::Ron,
        "echo.echo-point((x: 1, y: 2147483648))",
        &[".y", "s32"],
    );
    bad_call(&mut k, Format::Ron, "echo.echo-u8(0x100)", &["u8"]);
    bad_call(&mut k, Format::Ron, "echo.echo-u8(1u16)", &["u8"]);
    // The edges themselves fit.
    assert_eq!(
        k.call_ron("echo.echo-u64(18446744073709551615)").unwrap(),
        "18446744073709551615"
    );
    assert_eq!(
        k.call_ron("echo.echo-s64(-9223372036854775808)").unwrap(),
        "-9223372036854775808"
    );
    assert_eq!(k.call_wave("echo.echo-s8(-128)").unwrap(), "-128");
}

#[test]
fn wrong_arity_and_unknown_names() {
    let mut c = root();
    for format in [Format::Ron, Format::Wave] {
        bad_call(&mut c, format, "add(1)", &["add", "a: u32, b: u32"]);
        bad_call(&mut c, format, "add(1, 2, 3)", &["add", "a: u32, b: u32"]);
        bad_call(&mut c, format, "add()", &["add"]);
        bad_call(&mut c, format, "version(1)", &["version"]);
        bad_call(&mut c, format, "add(a: 1, c: 2)", &["`c`"]);
        bad_call(&mut c, format, "add(a: 1, a: 2)", &["`a`"]);
        bad_call(&mut c, format, "add(a: 1, 2)", &["add"]);
        bad_call(&mut c, format, "subtract(1, 2)", &["no export `subtract`"]);
        bad_call(&mut c, format, "test:root/nope#add(1, 2)", &["no export"]);
        bad_call(&mut c, format, "add", &["not a call"]);
        bad_call(&mut c, format, "", &["not a call"]);
        bad_call(&mut c, format, "ad d(1, 2)", &["no export `ad d`"]);
        bad_call(&mut c, format, "add!(1, 2)", &["no export `add!`"]);
        bad_call(&mut c, format, "add(1, 2", &["column 9"]);
        bad_call(&mut c, format, "add(1, 2))", &[]);
        bad_call(&mut c, format, "add(1, 2) trailing", &[]);
        bad_call(&mut c, format, "add((1, 2)", &[]);
        bad_call(&mut c, format, "greet(\"unterminated)", &[]);
        bad_call(&mut c, format, "\u{0}(\u{0})", &[]);
    }
    // The binary path: arity and types of `Val`s.
    let err = c.call_guest_binary("add", &[Val::U32(1)]).unwrap_err();
    assert!(err.to_string().contains("takes 2 arguments"), "{err}");
    let err = c
        .call_guest_binary("add", &[Val::U32(1), Val::String("2".into())])
        .unwrap_err();
    println!("binary wrong type: {err}");
    assert!(!err.is_guest_failure(), "{err}");
    let err = c
        .call_guest_binary("sum", &[Val::List(vec![Val::U32(1), Val::U8(2)])])
        .unwrap_err();
    println!("binary mixed list: {err}");
    assert!(!err.is_guest_failure(), "{err}");
    let err = c.call_guest_binary("nope", &[]).unwrap_err();
    assert!(matches!(err, Error::UnknownExport { .. }), "{err}");
    assert_eq!(c.call_ron("add(1, 2)").unwrap(), "3");
}

/// `open` repeated `depth` times, then `inner`, then `close` repeated.
fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * depth + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn nesting_ten_thousand_deep_is_an_error_not_a_stack_overflow() {
    let mut c = root();
    let mut k = kitchen();
    const DEEP: usize = 10_000;
    let lists = nested("[", "1", "]", DEEP);
    let tuples = nested("(", "1", ")", DEEP);
    let somes = nested("Some(", "1", ")", DEEP);
    let wave_somes = nested("some(", "1", ")", DEEP);
    let records = nested("(x: ", "1", ", y: 2)", DEEP);
    let wave_records = nested("{x: ", "1", ", y: 2}", DEEP);
    for (format, call, on_kitchen) in [
        (Format::Ron, format!("sum({lists})"), false),
        (Format::Wave, format!("sum({lists})"), false),
        (Format::Ron, format!("add({tuples}, 1)"), false),
        (Format::Wave, format!("add({tuples}, 1)"), false),
        (Format::Ron, format!("add{tuples}"), false),
        (
            Format::Ron,
            format!("echo.echo-option-option({somes})"),
            true,
        ),
        (
            Format::Wave,
            format!("echo.echo-option-option({wave_somes})"),
            true,
        ),
        (Format::Ron, format!("echo.echo-point({records})"), true),
        (
            Format::Wave,
            format!("echo.echo-point({wave_records})"),
            true,
        ),
        (Format::Ron, format!("echo.echo-nested({lists})"), true),
        (Format::Wave, format!("echo.echo-nested({lists})"), true),
    ] {
        let short = format!("{}…", &call[..20]);
        let container = if on_kitchen { &mut k } else { &mut c };
        let err = container
            .call_text(&call, format, Format::Ron)
            .expect_err("too deep");
        let text = err.to_string();
        println!("{format:?} {short}: {}", &text[..text.len().min(200)]);
        assert!(!err.is_guest_failure(), "{err:?}");
        assert_eq!(*container.state(), ContainerState::Running);
    }
    // Unclosed nesting, too.
    for format in [Format::Ron, Format::Wave] {
        let open = format!("sum({}", "[".repeat(DEEP));
        bad_call(&mut c, format, &open, &[]);
    }
    // The depth limit itself is what refuses well-typed input nested past it.
    let deep_ok = nested("[", "", "]", 200);
    let err = c.call_ron(&format!("sum({deep_ok})")).unwrap_err();
    println!("{err}");
    assert_eq!(c.call_ron("sum([1, 2])").unwrap(), "3");
}

#[test]
fn text_past_the_size_limit_is_refused_before_parsing() {
    let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let mut c = Container::builder(image)
        .with_value_limits(ValueLimits {
            max_text_len: 1024,
            ..ValueLimits::default()
        })
        .build()
        .unwrap();
    let long = format!("greet(\"{}\")", "a".repeat(2000));
    for format in [Format::Ron, Format::Wave] {
        bad_call(
            &mut c,
            format,
            &long,
            &["more than the limit of 1024 bytes"],
        );
    }
    let err = c
        .call_guest_raw_desc("greet", &format!("\"{}\"", "a".repeat(2000)))
        .unwrap_err();
    assert!(err.to_string().contains("1024"), "{err}");
    // Output past the limit: 1024 bytes of call text, 1025 of answer.
    let err = c
        .call_ron(&format!("greet(\"{}\")", "a".repeat(1015)))
        .unwrap_err();
    println!("{err}");
    assert!(err.to_string().contains("1024"), "{err}");
    assert_eq!(c.call_ron("greet(\"Ada\")").unwrap(), "\"Hello, Ada!\"");
}

#[test]
fn a_ron_host_closure_answering_nonsense_fails_that_call() {
    // `double` answers, in turn: the wrong type, a number out of range, 10,000 levels of
    // nesting, text that is not RON, and finally a good value.
    let answers = [
        "\"two\"".to_string(),
        "4294967296".to_string(),
        nested("[", "1", "]", 10_000),
        "(((".to_string(),
        "7".to_string(),
    ];
    let next = std::sync::atomic::AtomicUsize::new(0);
    let imports = HostImports::new()
        .ron_func("test:host/log#log", |_| Ok("()".into()))
        .ron_func("test:host/math#double", move |_| {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(answers[i.min(answers.len() - 1)].clone())
        });
    let image = Image::from_bytes(tairitsu_fixtures::host_import()).unwrap();
    let mut c = Container::builder(image)
        .with_host_imports(imports)
        .build()
        .unwrap();
    for _ in 0..4 {
        let err = c.call_ron("run(1)").unwrap_err();
        let text = err.to_string();
        println!("{}", &text[..text.len().min(300)]);
        assert!(matches!(err, Error::Host { .. }), "{err:?}");
        assert!(text.contains("double"), "{text}");
        c.restart().unwrap();
    }
    assert_eq!(c.call_ron("run(1)").unwrap(), "8");
}

/// Regression: WAVE type errors said only `invalid value` or `invalid value type`, naming
/// neither the text nor the type expected, where RON said ``expected u32, found `"1"` ``.
#[test]
fn bug_wave_type_errors_named_neither_text_nor_type() {
    let mut c = root();
    let err = c.call_wave("add(4294967296, 1)").unwrap_err().to_string();
    assert!(
        err.contains("invalid value `4294967296` (expected u32)"),
        "{err}"
    );
    let err = c.call_wave("greet(1)").unwrap_err().to_string();
    assert!(err.contains("`1` (expected string)"), "{err}");
    let err = c.call_wave("sum([1, \"2\"])").unwrap_err().to_string();
    assert!(err.contains("`\"2\"` (in list<u32>)"), "{err}");
    assert!(err.contains("column 9"), "{err}");
}

/// Regression (found by the `call_text` fuzz target, input `counters.make-counter(1)` with WAVE
/// in and out): printing a result that holds a resource as WAVE panicked inside wasm-wave's
/// writer (`unsupported value type`), taking the caller down. Fixed in `6a71627` at the same
/// time; this keeps the fuzzer's input.
#[test]
fn bug_wave_output_of_a_resource_panicked_in_wasm_wave() {
    let mut k = kitchen();
    for input in [Format::Wave, Format::Ron] {
        let err = k
            .call_text("counters.make-counter(1)", input, Format::Wave)
            .unwrap_err();
        assert!(err.to_string().contains("resource"), "{err}");
        assert!(!err.is_guest_failure(), "{err}");
        assert_eq!(*k.state(), ContainerState::Running);
    }
    assert_eq!(k.call_ron("counters.make-counter(1)").unwrap(), "Handle(1)");
}
