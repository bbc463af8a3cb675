//! RON and WAVE calls against the `kitchen` fixture with raw wasmtime: every kind of WIT value
//! through the guest's `echo` exports, through `relay` (guest → host closures → guest), errors,
//! resources as handles, and the limits.

use std::sync::{Arc, Mutex};

use tairitsu_runtime::Surface;
use tairitsu_runtime::dynamic::call::{ron_results_to_string, wave_results_to_string};
use tairitsu_runtime::dynamic::{
    CallText, FuncType, HandleTable, HostImports, NoHandles, ResourceHandles, ValueError,
    ValueLimits, WorldInfo,
};
use tairitsu_runtime::wasmtime::component::{Component, Instance, Linker, Val};
use tairitsu_runtime::wasmtime::{self, Config, Engine, Store};

const ECHO: &str = "test:kitchen/echo@0.1.0";

/// `(call argument, RON the echo prints)`, for every echo export.
const ECHO_CASES: &[(&str, &str, &str)] = &[
    ("echo-bool", "true", "true"),
    ("echo-s8", "-128", "-128"),
    ("echo-u8", "0xff", "255"),
    ("echo-s16", "-32_768", "-32768"),
    ("echo-u16", "65535", "65535"),
    ("echo-s32", "-2147483648", "-2147483648"),
    ("echo-u32", "4294967295", "4294967295"),
    ("echo-s64", "-9223372036854775808", "-9223372036854775808"),
    ("echo-u64", "18446744073709551615", "18446744073709551615"),
    ("echo-f32", "1.5", "1.5"),
    ("echo-f32", "-inf", "-inf"),
    ("echo-f32", "NaN", "NaN"),
    ("echo-f64", "1e300", "1e300"),
    ("echo-f64", "-0.0", "-0.0"),
    ("echo-f64", "7", "7.0"),
    ("echo-char", "'ü'", "'ü'"),
    ("echo-char", r"'\''", r"'\''"),
    ("echo-string", r#""tab\t \"q\" ü""#, r#""tab\t \"q\" ü""#),
    ("echo-list-u32", "[1, 2, 3,]", "[1,2,3]"),
    ("echo-list-string", r#"["a", "", "c"]"#, r#"["a","","c"]"#),
    ("echo-bytes", "[]", "[]"),
    ("echo-tuple", r#"(1, "a", 2.5)"#, r#"(1,"a",2.5)"#),
    ("echo-point", "(x: 1, y: -2)", "(x:1,y:-2)"),
    ("echo-point", "Point(y: -2, x: 1)", "(x:1,y:-2)"),
    (
        "echo-item-info",
        r#"(item-id: 7, type: "t", self-ref: Some("s"), in-stock: true)"#,
        r#"(item_id:7,type:"t",self_ref:Some("s"),in_stock:true)"#,
    ),
    (
        "echo-item-info",
        r#"ItemInfo(item_id: 7, r#type: "t", in_stock: false)"#,
        r#"(item_id:7,type:"t",self_ref:None,in_stock:false)"#,
    ),
    (
        "echo-person",
        r#"(name: "Ann", age: 30, tags: ["a", "b"], home: Some((x: 1, y: 2)))"#,
        r#"(name:"Ann",age:30,tags:["a","b"],home:Some((x:1,y:2)))"#,
    ),
    ("echo-shape", "Circle(1.0)", "Circle(1.0)"),
    (
        "echo-shape",
        "Rectangle((x: 3, y: 4))",
        "Rectangle((x:3,y:4))",
    ),
    ("echo-shape", r#"label("l")"#, r#"Label("l")"#),
    ("echo-shape", "Empty", "Empty"),
    ("echo-color", "dark-magenta", "DarkMagenta"),
    ("echo-permissions", "[Exec, Read]", "[Read,Exec]"),
    ("echo-permissions", "[]", "[]"),
    ("echo-option-string", r#"Some("x")"#, r#"Some("x")"#),
    ("echo-option-string", "None", "None"),
    ("echo-option-option", "Some(None)", "Some(None)"),
    ("echo-option-option", "Some(Some(3))", "Some(Some(3))"),
    ("echo-result", "Ok(1)", "Ok(1)"),
    ("echo-result", r#"Err("e")"#, r#"Err("e")"#),
    ("echo-result-no-ok", "Ok(())", "Ok(())"),
    ("echo-result-no-ok", r#"Err("e")"#, r#"Err("e")"#),
    ("echo-result-no-err", "Ok(5)", "Ok(5)"),
    ("echo-result-no-err", "Err(())", "Err(())"),
    ("echo-result-empty", "Ok(())", "Ok(())"),
    ("echo-result-empty", "Err(())", "Err(())"),
    ("echo-id", "18446744073709551615", "18446744073709551615"),
    (
        "echo-nested",
        "[Some(Ok((x: 1, y: 2))), None, Some(Err(Circle(0.5)))]",
        "[Some(Ok((x:1,y:2))),None,Some(Err(Circle(0.5)))]",
    ),
    ("echo-scalar", "Int(-5)", "Int(-5)"),
    ("echo-scalar", "Float(0.25)", "Float(0.25)"),
    ("echo-scalar", "Double(NaN)", "Double(NaN)"),
    ("echo-scalar", "Letter('z')", "Letter('z')"),
    ("echo-scalar", "r#None", "r#None"),
    ("echo-scalar", "None", "r#None"),
    (
        "echo-deep",
        r#"(label: "d", grid: [[Some((x: 1, y: 1)), None], []],
            outcome: Ok([(Red, Circle(2.0)), (Blue, Empty)]), perms: [Write])"#,
        r#"(label:"d",grid:[[Some((x:1,y:1)),None],[]],outcome:Ok([(Red,Circle(2.0)),(Blue,Empty)]),perms:[Write])"#,
    ),
    (
        "echo-deep",
        r#"(label: "e", grid: [], outcome: Err(Some((name: "N", age: 1, tags: [], home: None))), perms: [])"#,
        r#"(label:"e",grid:[],outcome:Err(Some((name:"N",age:1,tags:[],home:None))),perms:[])"#,
    ),
    (
        "echo-big",
        r#"(info: (item_id: 1, type: "x", self_ref: None, in_stock: true),
            owner: (name: "O", age: 2, tags: ["t"], home: None), value: Letter('q'))"#,
        r#"(info:(item_id:1,type:"x",self_ref:None,in_stock:true),owner:(name:"O",age:2,tags:["t"],home:None),value:Letter('q'))"#,
    ),
];

struct Kitchen {
    store: Store<()>,
    component: Component,
    instance: Instance,
}

fn engine() -> Engine {
    Engine::new(Config::new().concurrency_support(false)).expect("engine")
}

/// The `host` interface served by `imports` (blobs trap), kitchen instantiated.
fn kitchen(imports: HostImports) -> Kitchen {
    let engine = engine();
    let component =
        Component::new(&engine, tairitsu_fixtures::kitchen()).expect("kitchen compiles");
    let mut linker = Linker::new(&engine);
    imports
        .define_unknown_imports_as_traps(true)
        .link(&mut linker, &Surface::from_component(&component))
        .expect("links");
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("instantiates");
    Kitchen {
        store,
        component,
        instance,
    }
}

impl Kitchen {
    /// Resolves `iface#func` (or a root `func`) and its `FuncType`.
    fn func(
        &mut self,
        interface: Option<&str>,
        name: &str,
    ) -> (wasmtime::component::Func, FuncType) {
        let parent = interface.map(|i| {
            self.component
                .get_export_index(None, i)
                .unwrap_or_else(|| panic!("no export {i}"))
        });
        let index = self
            .component
            .get_export_index(parent.as_ref(), name)
            .unwrap_or_else(|| panic!("no export {name}"));
        let func = self
            .instance
            .get_func(&mut self.store, index)
            .expect("a function");
        let ty = FuncType::from_wasmtime(name, &func.ty(&self.store)).expect("supported types");
        (func, ty)
    }

    /// Parses a whole RON call, calls it, prints the result as RON.
    fn call_ron(&mut self, text: &str, handles: &mut dyn HandleTable) -> Result<String, String> {
        let call = CallText::parse(text).map_err(|e| e.to_string())?;
        let name = call.name().clone();
        let (func, ty) = self.func(name.interface(), name.function());
        let limits = ValueLimits::default();
        let args = call
            .ron_args(&ty, &limits, handles)
            .map_err(|e| e.to_string())?;
        let mut results = vec![Val::Bool(false); ty.results.len()];
        func.call(&mut self.store, &args, &mut results)
            .map_err(|e| format!("{e:#}"))?;
        ron_results_to_string(&results, &ty, &limits, handles).map_err(|e| e.to_string())
    }

    /// Parses a whole WAVE call, calls it, prints the result as WAVE.
    fn call_wave(&mut self, text: &str) -> Result<String, String> {
        let call = CallText::parse(text).map_err(|e| e.to_string())?;
        let name = call.name().clone();
        let (func, ty) = self.func(name.interface(), name.function());
        let args = call
            .wave_args(&ty, &ValueLimits::default())
            .map_err(|e| e.to_string())?;
        let mut results = vec![Val::Bool(false); ty.results.len()];
        func.call(&mut self.store, &args, &mut results)
            .map_err(|e| format!("{e:#}"))?;
        wave_results_to_string(&results).map_err(|e| e.to_string())
    }
}

/// Every function of the `host` interface: answers its arguments.
fn echoing_host_vals() -> HostImports {
    let info = WorldInfo::from_component_bytes(&tairitsu_fixtures::kitchen()).expect("decodes");
    let mut imports = HostImports::new();
    for f in info
        .imports
        .iter()
        .filter(|f| f.interface.as_deref() == Some("test:kitchen/host@0.1.0"))
    {
        imports = imports.func(&f.qualified_name(), |args: &[Val]| {
            Ok(match args {
                [] => vec![],
                [one] => vec![one.clone()],
                many => vec![Val::Tuple(many.to_vec())],
            })
        });
    }
    imports
}

/// The same, over RON text: the argument list `(x)` answers `x`, `(a,b)` answers the tuple.
fn echoing_host_ron(seen: Arc<Mutex<Vec<String>>>) -> HostImports {
    let info = WorldInfo::from_component_bytes(&tairitsu_fixtures::kitchen()).expect("decodes");
    let mut imports = HostImports::new();
    for f in info
        .imports
        .iter()
        .filter(|f| f.interface.as_deref() == Some("test:kitchen/host@0.1.0"))
    {
        let params = f.params.len();
        let seen = seen.clone();
        imports = imports.ron_func(&f.qualified_name(), move |args: &str| {
            seen.lock().unwrap().push(args.to_string());
            Ok(match params {
                1 => args[1..args.len() - 1].to_string(),
                _ => args.to_string(),
            })
        });
    }
    imports
}

#[test]
fn every_kind_echoes_through_ron_calls() {
    let mut k = kitchen(echoing_host_vals());
    for (func, arg, expected) in ECHO_CASES {
        let text = format!("{ECHO}#{func}({arg})");
        let got = k
            .call_ron(&text, &mut NoHandles)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(&got, expected, "{text}");
        // The printed result is valid input again, and echoes to itself.
        let again = k
            .call_ron(&format!("{ECHO}.{func}(v: {got})"), &mut NoHandles)
            .unwrap_or_else(|e| panic!("{got}: {e}"));
        assert_eq!(again, got);
    }
    assert_eq!(
        k.call_ron(&format!("{ECHO}#pair(\"a\", 7)"), &mut NoHandles)
            .unwrap(),
        "(\"a\",7)"
    );
    assert_eq!(
        k.call_ron(&format!("{ECHO}#pair(b: 7, a: \"a\")"), &mut NoHandles)
            .unwrap(),
        "(\"a\",7)"
    );
    assert_eq!(
        k.call_ron(&format!("{ECHO}#nothing()"), &mut NoHandles)
            .unwrap(),
        "()"
    );
}

#[test]
fn every_kind_echoes_through_wave_calls() {
    let mut k = kitchen(echoing_host_vals());
    for (func, arg, _) in ECHO_CASES {
        // RON in, WAVE of the value, WAVE call, same value out.
        let ron_text = format!("{ECHO}#{func}({arg})");
        let (_, ty) = k.func(Some(ECHO), func);
        let call = CallText::parse(&ron_text).unwrap();
        let args = call
            .ron_args(&ty, &ValueLimits::default(), &mut NoHandles)
            .unwrap();
        let wave_arg = tairitsu_runtime::dynamic::wave::to_string(&args[0]).unwrap();
        let wave_call = format!("{ECHO}#{func}({wave_arg})");
        let got = k
            .call_wave(&wave_call)
            .unwrap_or_else(|e| panic!("{wave_call}: {e}"));
        assert_eq!(got, wave_arg, "{wave_call}");
        let named = k.call_wave(&format!("{ECHO}#{func}(v: {got})")).unwrap();
        assert_eq!(named, got);
    }
    let cases = [
        ("echo-u64", "18446744073709551615", "18446744073709551615"),
        ("echo-f64", "nan", "nan"),
        ("echo-f32", "-inf", "-inf"),
        ("echo-char", "'ü'", "'ü'"),
        ("echo-point", "{x: 1, y: -2}", "{x: 1, y: -2}"),
        (
            "echo-shape",
            "rectangle({x: 1, y: 2})",
            "rectangle({x: 1, y: 2})",
        ),
        ("echo-color", "dark-magenta", "dark-magenta"),
        ("echo-option-option", "some(none)", "some(none)"),
        ("echo-result-no-ok", "ok", "ok"),
        (
            "echo-item-info",
            "{item-id: 1, type: \"t\", self-ref: none, in-stock: false}",
            "{item-id: 1, type: \"t\", in-stock: false}",
        ),
    ];
    for (func, arg, expected) in cases {
        assert_eq!(
            k.call_wave(&format!("{ECHO}#{func}({arg})")).unwrap(),
            expected,
            "{func}({arg})"
        );
    }
    assert_eq!(
        k.call_wave(&format!("{ECHO}#pair(\"a\", 7)")).unwrap(),
        "(\"a\", 7)"
    );
    assert_eq!(
        k.call_wave(&format!("{ECHO}#pair(b: 7, a: \"a\")"))
            .unwrap(),
        "(\"a\", 7)"
    );
    assert_eq!(k.call_wave(&format!("{ECHO}#nothing()")).unwrap(), "()");
}

#[test]
fn relay_reaches_val_closures() {
    let mut k = kitchen(echoing_host_vals());
    for (func, arg, expected) in ECHO_CASES {
        let text = format!("test:kitchen/relay@0.1.0#{func}({arg})");
        let got = k
            .call_ron(&text, &mut NoHandles)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(&got, expected, "{text}");
    }
}

#[test]
fn relay_reaches_ron_closures() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut k = kitchen(echoing_host_ron(seen.clone()));
    for (func, arg, expected) in ECHO_CASES {
        let text = format!("test:kitchen/relay@0.1.0#{func}({arg})");
        let got = k
            .call_ron(&text, &mut NoHandles)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(&got, expected, "{text}");
        // The host closure saw the argument list in canonical RON.
        assert_eq!(seen.lock().unwrap().pop(), Some(format!("({expected})")));
    }
    assert_eq!(
        k.call_ron("test:kitchen/relay@0.1.0#pair(\"a\", 7)", &mut NoHandles)
            .unwrap(),
        "(\"a\",7)"
    );
    assert_eq!(seen.lock().unwrap().pop().as_deref(), Some("(\"a\",7)"));
    assert_eq!(
        k.call_ron("test:kitchen/relay@0.1.0#nothing()", &mut NoHandles)
            .unwrap(),
        "()"
    );
    assert_eq!(seen.lock().unwrap().pop().as_deref(), Some("()"));
}

#[test]
fn host_closure_errors_reach_the_caller() {
    let imports = echoing_host_vals()
        .func("test:kitchen/host@0.1.0#echo-u8", |_: &[Val]| {
            Err("no u8 today".to_string())
        })
        .ron_func("test:kitchen/host@0.1.0#echo-u16", |_: &str| {
            Ok("\"not a number\"".to_string())
        });
    // A trap leaves the instance unusable, so each failure gets a fresh one.
    let mut k = kitchen(imports.clone());
    let err = k
        .call_ron("test:kitchen/relay@0.1.0#echo-u8(1)", &mut NoHandles)
        .unwrap_err();
    assert!(
        err.contains("host function `test:kitchen/host@0.1.0#echo-u8` failed: no u8 today"),
        "{err}"
    );
    let mut k = kitchen(imports);
    let err = k
        .call_ron("test:kitchen/relay@0.1.0#echo-u16(1)", &mut NoHandles)
        .unwrap_err();
    assert!(
        err.contains("its answer `\"not a number\"` does not fit") && err.contains("expected u16"),
        "{err}"
    );
}

#[test]
fn bad_calls_are_errors_naming_the_function() {
    let mut k = kitchen(echoing_host_vals());
    let cases = [
        (
            "echo-u8(300)",
            "argument `v` of `echo-u8`: 300 does not fit u8",
        ),
        (
            "echo-u8(-1)",
            "argument `v` of `echo-u8`: -1 does not fit u8",
        ),
        (
            "echo-u64(18446744073709551616)",
            "18446744073709551616 does not fit u64",
        ),
        (
            "echo-u8(\"a\")",
            "argument `v` of `echo-u8`: expected u8, found `\"a\"`",
        ),
        ("echo-point((x: 1))", "missing field `y`"),
        ("echo-color(purple)", "unknown case `purple`"),
        (
            "pair(\"a\")",
            "`pair` takes 2 arguments (a: string, b: u32), 1 given",
        ),
        (
            "pair(\"a\", 1, 2)",
            "`pair` takes 2 arguments (a: string, b: u32), more were given",
        ),
        (
            "pair(a: \"a\", c: 1)",
            "unknown parameter `c` of `pair`; its parameters are a: string, b: u32",
        ),
        (
            "pair(a: \"a\", a: \"b\")",
            "argument `a` of `pair` is given twice",
        ),
        ("pair(a: \"a\")", "`pair` is missing argument `b`"),
        ("pair(\"a\", b: 1)", "both positional and named"),
        ("nothing(1)", "`nothing` takes no arguments"),
        (
            "echo-list-u32([1, 2, x])",
            "argument `v` of `echo-list-u32`[2]: expected u32",
        ),
        ("echo-u8(1) trailing", "unexpected `trailing`"),
    ];
    for (call, expected) in cases {
        let err = k
            .call_ron(&format!("{ECHO}#{call}"), &mut NoHandles)
            .expect_err(call);
        assert!(err.contains(expected), "{call}: {err}");
    }
    let wave_cases = [
        ("echo-u8(300)", "argument `v` of `echo-u8`"),
        (
            "pair(\"a\")",
            "`pair` takes 2 arguments (a: string, b: u32), 1 given",
        ),
        ("pair(a: \"a\", c: 1)", "unknown parameter `c` of `pair`"),
        ("echo-u8(1", "expected `)`"),
    ];
    for (call, expected) in wave_cases {
        let err = k.call_wave(&format!("{ECHO}#{call}")).expect_err(call);
        assert!(err.contains(expected), "{call}: {err}");
    }
}

#[test]
fn resources_are_handles() {
    let mut k = kitchen(echoing_host_vals());
    let mut handles = ResourceHandles::new();
    let counters = "test:kitchen/counters@0.1.0";
    let a = k
        .call_ron(&format!("{counters}#make-counter(5)"), &mut handles)
        .unwrap();
    assert_eq!(a, "Handle(1)");
    let b = k
        .call_ron(
            &format!("{counters}#[constructor]counter(10)"),
            &mut handles,
        )
        .unwrap();
    assert_eq!(b, "Handle(2)");
    assert_eq!(
        k.call_ron(
            &format!("{counters}#[method]counter.increment(Handle(1))"),
            &mut handles
        )
        .unwrap(),
        "6"
    );
    assert_eq!(
        k.call_ron(
            &format!("{counters}#total(a: Handle(1), b: Handle(2))"),
            &mut handles
        )
        .unwrap(),
        "16"
    );
    let err = k
        .call_ron(
            &format!("{counters}#[method]counter.get(Handle(9))"),
            &mut handles,
        )
        .unwrap_err();
    assert!(err.contains("unknown resource handle `Handle(9)`"), "{err}");
    // Without a table, resources are refused with a clear message.
    let err = k
        .call_ron(&format!("{counters}#make-counter(1)"), &mut NoHandles)
        .unwrap_err();
    assert!(err.contains("resources need a handle table"), "{err}");
    assert_eq!(handles.len(), 2);
    for (_, resource) in handles.drain() {
        resource.resource_drop(&mut k.store).unwrap();
    }
}

#[test]
fn deep_and_huge_input_is_bounded() {
    let mut k = kitchen(echoing_host_vals());
    let deep = format!(
        "{ECHO}#echo-list-u32({}1{})",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = k.call_ron(&deep, &mut NoHandles).unwrap_err();
    assert!(err.contains("expected u32"), "{err}");
    let err = k.call_wave(&deep).unwrap_err();
    assert!(err.contains("deeper than 128"), "{err}");

    // A deep value of a deep type: `deep.grid` nests 4 levels.
    let (_, ty) = k.func(Some(ECHO), "echo-deep");
    let limits = ValueLimits {
        max_depth: 3,
        ..ValueLimits::default()
    };
    let text = r#"(label: "d", grid: [[None]], outcome: Ok([]), perms: [])"#;
    let err =
        tairitsu_runtime::dynamic::ron::parse_with(text, &ty.params[0].1, &limits, &mut NoHandles)
            .unwrap_err();
    assert!(err.to_string().contains("deeper than 3"), "{err}");

    let limits = ValueLimits {
        max_text_len: 1 << 10,
        ..ValueLimits::default()
    };
    let (_, ty) = k.func(Some(ECHO), "echo-string");
    let call = format!("echo-string(\"{}\")", "x".repeat(2000));
    let err: ValueError = CallText::parse(&call)
        .unwrap()
        .ron_args(&ty, &limits, &mut NoHandles)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("more than the limit of 1024 bytes"),
        "{err}"
    );
}

/// Mangled input (valid calls with a slice replaced by random text, and random text) is an
/// error or a value, never a panic, in both formats.
#[test]
fn mangled_input_never_panics() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};

    let mut k = kitchen(echoing_host_vals());
    let funcs: Vec<(String, FuncType)> = [
        "echo-deep",
        "echo-big",
        "echo-nested",
        "pair",
        "echo-string",
    ]
    .iter()
    .map(|name| (name.to_string(), k.func(Some(ECHO), name).1))
    .collect();
    let ron_calls: Vec<String> = ECHO_CASES
        .iter()
        .filter(|(f, _, _)| funcs.iter().any(|(n, _)| n == f))
        .map(|(f, arg, _)| format!("{f}({arg})"))
        .chain([r#"pair("a", 7)"#.to_string()])
        .collect();
    let wave_calls = [
        r#"echo-deep({label: "d", grid: [[some({x: 1, y: 1}), none]], outcome: ok([(red, circle(2.0))]), perms: {write}})"#,
        r#"echo-nested([some(ok({x: 1, y: 2})), none, some(err(label("é")))])"#,
        r#"pair("a\u{e9}", 7)"#,
    ];
    let strategy = (
        prop::sample::select(
            ron_calls
                .iter()
                .chain(
                    wave_calls
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .cloned()
                .collect::<Vec<String>>(),
        ),
        any::<prop::sample::Index>(),
        0usize..6,
        prop_oneof![
            "[\\[\\](){}:,'\"\\\\/* a-zA-Z0-9_#.-]{0,6}",
            any::<String>(),
        ],
    );
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 2000,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    runner
        .run(&strategy, |(call, at, len, insert)| {
            let mut start = at.index(call.len() + 1);
            while !call.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(call.len());
            while !call.is_char_boundary(end) {
                end -= 1;
            }
            for text in [
                format!("{}{insert}{}", &call[..start], &call[end..]),
                insert.clone(),
            ] {
                let Ok(parsed) = CallText::parse(&text) else {
                    continue;
                };
                let name = parsed.name().function().to_string();
                if let Some((_, ty)) = funcs.iter().find(|(n, _)| *n == name) {
                    let _ = parsed.ron_args(ty, &ValueLimits::default(), &mut NoHandles);
                    let _ = parsed.wave_args(ty, &ValueLimits::default());
                }
                for (_, ty) in &funcs {
                    let _ = tairitsu_runtime::dynamic::call::parse_ron_args(
                        parsed.args_text(),
                        ty,
                        &ValueLimits::default(),
                        &mut NoHandles,
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}
