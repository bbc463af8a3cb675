//! `tairitsu bindgen`: what it prints is what `tairitsu-build` generates; its options and errors.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::*;

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
