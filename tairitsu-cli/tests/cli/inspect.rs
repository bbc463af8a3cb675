//! `tairitsu inspect`: signatures, imports, resources, types, JSON, and what is not a component.

use crate::support::*;

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
