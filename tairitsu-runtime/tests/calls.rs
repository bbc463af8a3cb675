//! Text calls on containers: RON and WAVE in, RON and WAVE out, names, errors, resources.

use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, ContainerState, Error, Format, Image};

fn container(bytes: Vec<u8>) -> Container {
    Container::builder(Image::from_bytes(bytes).unwrap())
        .build()
        .unwrap()
}

/// The kitchen guest with its `host` imports relayed back by a RON closure that echoes.
fn kitchen() -> Container {
    let image = Image::from_bytes(tairitsu_fixtures::kitchen()).unwrap();
    let mut imports = HostImports::new();
    for f in image.imports() {
        if f.interface.as_deref() == Some("test:kitchen/host@0.1.0") {
            imports = imports.func(&f.qualified_name(), |args: &[Val]| Ok(args.to_vec()));
        }
    }
    imports = imports.define_unknown_imports_as_traps(true);
    Container::builder(image)
        .with_host_imports(imports)
        .build()
        .unwrap()
}

#[test]
fn ron_calls_on_root_exports() {
    let mut c = container(tairitsu_fixtures::root());
    assert_eq!(c.call_ron("add(1, 2)").unwrap(), "3");
    assert_eq!(c.call_ron("add(a: 40, b: 2)").unwrap(), "42");
    assert_eq!(c.call_ron("add(b: 2, a: 40)").unwrap(), "42");
    assert_eq!(c.call_ron(r#"greet("Ada")"#).unwrap(), r#""Hello, Ada!""#);
    assert_eq!(c.call_ron("version()").unwrap(), r#""1.0.0""#);
    assert_eq!(c.call_ron("sum([1, 2, 3])").unwrap(), "6");
    assert_eq!(
        c.call_ron("add(4294967295, 1)").unwrap(),
        "0",
        "wrapping add at the top of u32"
    );
}

#[test]
fn wave_calls_and_mixed_formats() {
    let mut c = container(tairitsu_fixtures::root());
    assert_eq!(c.call_wave("add(1, 2)").unwrap(), "3");
    assert_eq!(c.call_wave(r#"greet("Ada")"#).unwrap(), r#""Hello, Ada!""#);
    assert_eq!(c.call_wave("sum([1, 2, 3])").unwrap(), "6");
    assert_eq!(
        c.call_text(r#"greet(name: "x")"#, Format::Wave, Format::Ron)
            .unwrap(),
        r#""Hello, x!""#
    );
}

#[test]
fn the_original_raw_desc_call() {
    let mut c = container(tairitsu_fixtures::calc());
    assert_eq!(c.call_guest_raw_desc("mul", "(a: 6, b: 7)").unwrap(), "42");
    assert_eq!(c.call_guest_raw_desc("api.add", "(42, 58)").unwrap(), "100");
    assert_eq!(c.call_guest_raw_desc("negate", "5").unwrap(), "-5");
}

#[test]
fn value_errors_name_the_place_and_keep_the_container_running() {
    let mut c = container(tairitsu_fixtures::root());
    let err = c.call_ron("add(1, -2)").unwrap_err();
    assert!(matches!(err, Error::Value(_)), "{err}");
    let text = err.to_string();
    assert!(text.contains("argument `b` of `add`"), "{text}");
    assert!(text.contains("u32"), "{text}");

    let err = c.call_ron("add(1)").unwrap_err().to_string();
    assert!(err.contains("a: u32, b: u32"), "{err}");
    let err = c.call_ron("add(a: 1, c: 2)").unwrap_err().to_string();
    assert!(err.contains("`c`"), "{err}");
    let err = c.call_ron("nope(1)").unwrap_err();
    assert!(matches!(err, Error::UnknownExport { .. }), "{err}");
    let err = c.call_ron("add 1 2").unwrap_err().to_string();
    assert!(err.contains("not a call"), "{err}");
    let err = c.call_wave("greet(1)").unwrap_err().to_string();
    assert!(err.contains("argument `name` of `greet`"), "{err}");
    assert_eq!(*c.state(), ContainerState::Running);
    assert_eq!(c.call_ron("add(1, 1)").unwrap(), "2");
}

#[test]
fn ambiguous_names_list_the_candidates() {
    let mut c = container(tairitsu_fixtures::calc());
    let err = c.call_ron("add(1, 2)").unwrap_err().to_string();
    assert!(err.contains("test:calc/api@0.1.0#add"), "{err}");
    assert!(err.contains("test:calc/extra@0.1.0#add"), "{err}");
    assert_eq!(
        c.call_ron("test:calc/extra@0.1.0#add(1, 2)").unwrap(),
        "1003"
    );
    assert_eq!(c.call_ron("test:calc/api.add(1, 2)").unwrap(), "3");
}

#[test]
fn every_value_kind_through_ron_and_wave() {
    let mut c = kitchen();
    // (call, RON result, WAVE result)
    let cases = [
        ("echo-bool(true)", "true", "true"),
        ("echo-s8(-128)", "-128", "-128"),
        (
            "echo-u64(18446744073709551615)",
            "18446744073709551615",
            "18446744073709551615",
        ),
        (
            "echo-s64(-9223372036854775808)",
            "-9223372036854775808",
            "-9223372036854775808",
        ),
        ("echo-f64(1.5)", "1.5", "1.5"),
        ("echo-char('ü')", "'ü'", "'ü'"),
        (
            r#"echo-string("hi \"there\"")"#,
            r#""hi \"there\"""#,
            r#""hi \"there\"""#,
        ),
        ("echo-list-u32([1, 2])", "[1,2]", "[1, 2]"),
    ];
    for (call, ron, wave) in cases {
        let echo = format!("echo.{call}");
        assert_eq!(c.call_ron(&echo).unwrap(), ron, "{call}");
        assert_eq!(c.call_wave(&echo).unwrap(), wave, "{call}");
        // Through the host and back.
        let relay = format!("test:kitchen/relay@0.1.0#{call}");
        assert_eq!(c.call_ron(&relay).unwrap(), ron, "{relay}");
    }
    assert_eq!(
        c.call_ron("echo.echo-point((x: 1, y: -2))").unwrap(),
        "(x:1,y:-2)"
    );
    assert_eq!(
        c.call_ron("echo.echo-point(Point(x: 1, y: -2))").unwrap(),
        "(x:1,y:-2)"
    );
    assert_eq!(
        c.call_wave("echo.echo-point({x: 1, y: -2})").unwrap(),
        "{x: 1, y: -2}"
    );
    assert_eq!(
        c.call_ron("echo.echo-color(DarkMagenta)").unwrap(),
        "DarkMagenta"
    );
    assert_eq!(
        c.call_wave("echo.echo-color(dark-magenta)").unwrap(),
        "dark-magenta"
    );
    assert_eq!(
        c.call_ron("echo.echo-permissions([Read, Exec])").unwrap(),
        "[Read,Exec]"
    );
    assert_eq!(
        c.call_ron("echo.echo-shape(Circle(2.0))").unwrap(),
        "Circle(2.0)"
    );
    assert_eq!(c.call_ron("echo.echo-shape(Empty)").unwrap(), "Empty");
    assert_eq!(
        c.call_ron(r#"echo.echo-option-string(Some("a"))"#).unwrap(),
        r#"Some("a")"#
    );
    assert_eq!(c.call_ron("echo.echo-option-string(None)").unwrap(), "None");
    assert_eq!(
        c.call_ron(r#"echo.echo-result-no-ok(Ok(()))"#).unwrap(),
        "Ok(())"
    );
    assert_eq!(
        c.call_ron(r#"echo.echo-result(Err("no"))"#).unwrap(),
        r#"Err("no")"#
    );
    assert_eq!(c.call_ron("echo.nothing()").unwrap(), "()");
}

#[test]
fn resources_are_handles_in_ron_and_an_error_in_wave() {
    let mut c = kitchen();
    let handle = c.call_ron("counters.make-counter(5)").unwrap();
    assert_eq!(handle, "Handle(1)");
    assert_eq!(
        c.call_ron("counters.[method]counter.increment(Handle(1))")
            .unwrap(),
        "6"
    );
    // WAVE has no syntax for a resource: an error, not a panic, and the container runs on.
    let err = c.call_wave("counters.make-counter(1)").unwrap_err();
    assert!(err.to_string().contains("resource"), "{err}");
    assert_eq!(*c.state(), ContainerState::Running);
    c.drop_handle(1).unwrap();
    assert!(c.drop_handle(1).is_err());
}

#[test]
fn integer_lists_name_the_bad_element() {
    let mut c = container(tairitsu_fixtures::root());
    let err = c.call_ron("sum([1, 2, -3])").unwrap_err().to_string();
    assert!(err.contains("argument `values` of `sum`[2]"), "{err}");
    assert!(err.contains("does not fit u32"), "{err}");
    let err = c.call_ron("sum([1, \"2\"])").unwrap_err().to_string();
    assert!(err.contains("[1]"), "{err}");
    assert_eq!(
        c.call_ron("sum([ 4294967295 , 1 ,])").unwrap(),
        "4294967296"
    );
    assert_eq!(c.call_ron("sum([])").unwrap(), "0");
}

#[test]
fn the_number_of_values_in_a_call_is_bounded() {
    use tairitsu_runtime::dynamic::ValueLimits;
    let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let mut c = Container::builder(image)
        .with_value_limits(ValueLimits {
            max_values: 10,
            ..ValueLimits::default()
        })
        .build()
        .unwrap();
    // A list is one value and each element another: 1 + 9 fits, 1 + 10 does not.
    let nine = format!("sum([{}])", ["1"; 9].join(","));
    assert_eq!(c.call_ron(&nine).unwrap(), "9");
    assert_eq!(c.call_wave(&nine).unwrap(), "9");
    let ten = format!("sum([{}])", ["1"; 10].join(","));
    for err in [
        c.call_ron(&ten).unwrap_err(),
        c.call_wave(&ten).unwrap_err(),
    ] {
        assert!(err.to_string().contains("more than 10 values"), "{err}");
    }
    assert_eq!(*c.state(), ContainerState::Running);

    // With the defaults, 5 Mi numbers (10 MiB of text, far under the text limit) are refused
    // before they become 200 MiB of values.
    let mut c = container(tairitsu_fixtures::root());
    let mut huge = String::with_capacity(11 << 20);
    huge.push_str("sum([");
    for _ in 0..(5 << 20) {
        huge.push_str("0,");
    }
    huge.push_str("])");
    let err = c.call_ron(&huge).unwrap_err();
    assert!(err.to_string().contains("values"), "{err}");
}
