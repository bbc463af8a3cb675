//! `tairitsu image load|ls|inspect|rm` and running a stored image.

use std::path::{Path, PathBuf};

use crate::support::*;

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
