//! Discovery against the fixtures: signatures and type definitions as WIT, from the decoded
//! world and from wasmtime's types.

use std::collections::BTreeSet;

use tairitsu_runtime::dynamic::WorldInfo;
use tairitsu_runtime::wasmtime::component::Component;
use tairitsu_runtime::wasmtime::{Config, Engine};

fn lines(sigs: &[tairitsu_runtime::FunctionSignature]) -> Vec<String> {
    sigs.iter()
        .map(|f| format!("{} => {f}", f.qualified_name()))
        .collect()
}

#[test]
fn root_world() {
    let info = WorldInfo::from_component_bytes(&tairitsu_fixtures::root()).unwrap();
    assert!(info.imports.is_empty());
    assert_eq!(
        lines(&info.exports),
        [
            "add => add: func(a: u32, b: u32) -> u32",
            "greet => greet: func(name: string) -> string",
            "sum => sum: func(values: list<u32>) -> u64",
            "version => version: func() -> string",
            "count => count: func() -> u32",
        ]
    );
}

#[test]
fn kitchen_signatures_and_types() {
    let info = WorldInfo::from_component_bytes(&tairitsu_fixtures::kitchen()).unwrap();
    let echo = |name: &str| {
        info.export(&format!("test:kitchen/echo@0.1.0#{name}"))
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    assert_eq!(
        echo("echo-nested"),
        "echo-nested: func(v: list<option<result<point, shape>>>) -> list<option<result<point, shape>>>"
    );
    assert_eq!(
        echo("echo-result-no-ok"),
        "echo-result-no-ok: func(v: result<_, string>) -> result<_, string>"
    );
    assert_eq!(
        echo("echo-result-empty"),
        "echo-result-empty: func(v: result) -> result"
    );
    assert_eq!(echo("echo-id"), "echo-id: func(v: id) -> id");
    assert_eq!(
        echo("echo-tuple"),
        "echo-tuple: func(v: tuple<u8, string, f64>) -> tuple<u8, string, f64>"
    );
    assert_eq!(echo("nothing"), "nothing: func()");
    let counters = |name: &str| {
        info.export(&format!("test:kitchen/counters@0.1.0#{name}"))
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    assert_eq!(
        counters("[constructor]counter"),
        "[constructor]counter: func(start: u32) -> counter"
    );
    assert_eq!(
        counters("[method]counter.get"),
        "[method]counter.get: func(self: borrow<counter>) -> u32"
    );
    assert_eq!(
        counters("total"),
        "total: func(a: borrow<counter>, b: borrow<counter>) -> u32"
    );
    assert_eq!(
        counters("make-counter"),
        "make-counter: func(start: u32) -> counter"
    );
    assert_eq!(
        info.import("test:kitchen/blobs@0.1.0#[constructor]blob")
            .unwrap()
            .to_string(),
        "[constructor]blob: func(data: list<u8>) -> blob"
    );
    assert!(info.import("test:kitchen/host@0.1.0#echo-deep").is_some());
    assert_eq!(
        info.export("blob-size").unwrap().to_string(),
        "blob-size: func(data: list<u8>) -> u32"
    );

    let types: Vec<(&str, &str)> = info
        .types
        .iter()
        .map(|t| (t.interface.as_deref().unwrap_or(""), t.wit.as_str()))
        .collect();
    for expected in [
        (
            "test:kitchen/types@0.1.0",
            "record point { x: s32, y: s32 }",
        ),
        (
            "test:kitchen/types@0.1.0",
            "record item-info { item-id: u64, %type: string, self-ref: option<string>, in-stock: bool }",
        ),
        (
            "test:kitchen/types@0.1.0",
            "variant shape { circle(f64), rectangle(point), label(string), empty }",
        ),
        (
            "test:kitchen/types@0.1.0",
            "enum color { red, green, blue, dark-magenta }",
        ),
        (
            "test:kitchen/types@0.1.0",
            "flags permissions { read, write, exec }",
        ),
        ("test:kitchen/types@0.1.0", "type id = u64"),
        (
            "test:kitchen/types@0.1.0",
            "record deep { label: string, grid: list<list<option<point>>>, outcome: result<list<tuple<color, shape>>, option<person>>, perms: permissions }",
        ),
        ("test:kitchen/counters@0.1.0", "resource counter"),
        ("test:kitchen/blobs@0.1.0", "resource blob"),
    ] {
        assert!(types.contains(&expected), "{expected:?} not in {types:#?}");
    }
    // `use types.{point}` in `echo` is not a second definition.
    assert_eq!(
        types
            .iter()
            .filter(|(_, wit)| wit.starts_with("record point "))
            .count(),
        1
    );
}

#[test]
fn the_wasmtime_fallback_finds_the_same_functions() {
    let bytes = tairitsu_fixtures::kitchen();
    let engine = Engine::new(Config::new().concurrency_support(false)).unwrap();
    let component = Component::new(&engine, &bytes).unwrap();
    let decoded = WorldInfo::from_component_bytes(&bytes).unwrap();
    let fallback = WorldInfo::from_wasmtime(&engine, &component);
    let names = |sigs: &[tairitsu_runtime::FunctionSignature]| -> BTreeSet<String> {
        sigs.iter().map(|f| f.qualified_name()).collect()
    };
    assert_eq!(names(&fallback.exports), names(&decoded.exports));
    assert_eq!(names(&fallback.imports), names(&decoded.imports));
    assert!(fallback.types.is_empty());
    // Anonymous types and primitives read the same; named ones are spelled out.
    let f = |info: &WorldInfo, name: &str| info.export(name).unwrap().to_string();
    assert_eq!(
        f(&fallback, "test:kitchen/echo@0.1.0#echo-list-string"),
        f(&decoded, "test:kitchen/echo@0.1.0#echo-list-string")
    );
    assert_eq!(
        f(&fallback, "test:kitchen/echo@0.1.0#echo-point"),
        "echo-point: func(v: record { x: s32, y: s32 }) -> record { x: s32, y: s32 }"
    );
    assert_eq!(
        f(&fallback, "test:kitchen/counters@0.1.0#total"),
        "total: func(a: borrow<resource>, b: borrow<resource>) -> u32"
    );
    // `discover` prefers the decoded world.
    assert_eq!(WorldInfo::discover(&engine, &component, &bytes), decoded);
    // And falls back when the bytes do not decode.
    assert_eq!(WorldInfo::discover(&engine, &component, b"junk"), fallback);
}

#[test]
fn non_components_are_errors() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "magic bytes"),
        (b"junk", "magic bytes"),
        (b"\0asm\x01\0\0\0", "core WebAssembly module"),
        (b"\0asm\x0d\0\x01\0\xff", "not a valid component"),
    ];
    for (bytes, expected) in cases {
        let err = WorldInfo::from_component_bytes(bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{bytes:?}: {err}");
    }
}

#[test]
fn wit_names_complete_wasmtime_types() {
    use tairitsu_runtime::dynamic::{FuncType, decode_world, ron};
    use tairitsu_runtime::wasmtime::component::types::ComponentItem;

    let bytes = tairitsu_fixtures::kitchen();
    let engine = Engine::new(Config::new().concurrency_support(false)).unwrap();
    let component = Component::new(&engine, &bytes).unwrap();
    let (resolve, _) = decode_world(&bytes).unwrap();
    let echo_iface = resolve
        .interfaces
        .iter()
        .find(|(id, _)| resolve.id_of(*id).as_deref() == Some("test:kitchen/echo@0.1.0"))
        .map(|(_, i)| i)
        .unwrap();
    let Some(ComponentItem::ComponentInstance(echo)) = component
        .component_type()
        .get_export(&engine, "test:kitchen/echo@0.1.0")
        .map(|e| e.ty)
    else {
        panic!("no echo instance")
    };
    let func_type = |name: &str| {
        let Some(ComponentItem::ComponentFunc(f)) = echo.get_export(&engine, name).map(|e| e.ty)
        else {
            panic!("no {name}")
        };
        let mut ty = FuncType::from_wasmtime(name, &f).unwrap();
        let before = ty.params_text();
        ty.name_from_wit(&resolve, &echo_iface.functions[name]);
        (before, ty)
    };

    let (before, deep) = func_type("echo-deep");
    assert!(before.starts_with("v: record { label: string"), "{before}");
    assert_eq!(deep.params_text(), "v: deep");
    assert_eq!(deep.results[0].to_string(), "deep");
    let (_, nested) = func_type("echo-nested");
    assert_eq!(
        nested.params_text(),
        "v: list<option<result<point, shape>>>"
    );
    let (_, id) = func_type("echo-id");
    assert_eq!(id.params_text(), "v: u64");

    // Named types make better messages and check the named record form.
    let (_, point) = func_type("echo-point");
    let ty = &point.params[0].1;
    let err = ron::parse("5", ty).unwrap_err().to_string();
    assert_eq!(
        err,
        "expected point `(x: s32, y: s32)`, found `5` (line 1, column 1)"
    );
    assert!(ron::parse("Point(x: 1, y: 2)", ty).is_ok());
    let err = ron::parse("Shape(x: 1, y: 2)", ty).unwrap_err().to_string();
    assert!(err.contains("expected point"), "{err}");
}
