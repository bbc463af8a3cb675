//! Generates the bindings this crate compiles: the fixture worlds, the WASI 0.2 worlds and every
//! snapshot case of `tairitsu-build/tests/codegen/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tairitsu_build::Builder;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let fixtures = manifest.join("../../tairitsu-fixtures/wit");

    let run = |b: Builder| b.compile_or_exit();
    run(Builder::new()
        .wit_dir(fixtures.join("kitchen"))
        .world("kitchen"));
    run(Builder::new().wit_dir(fixtures.join("root")).world("root"));
    run(Builder::new()
        .wit_dir(fixtures.join("host"))
        .world("host-import"));
    // The kitchen again, with additional derives (`src/lib.rs`, `tests/derives.rs`).
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    run(Builder::new()
        .wit_dir(fixtures.join("kitchen"))
        .world("kitchen")
        .additional_derive("Eq")
        .additional_derive("Hash")
        .additional_derive("PartialOrd")
        .out_dir(out_dir.join("derives")));
    // Trappable imports (`src/lib.rs`, `tests/trappable.rs`).
    run(Builder::new()
        .wit_dir(fixtures.join("host"))
        .world("host-import")
        .trappable_imports(true)
        .out_dir(out_dir.join("trappable")));
    run(Builder::new()
        .wit_dir(fixtures.join("blobs"))
        .world("blob-user")
        .trappable_imports(true)
        .out_dir(out_dir.join("trappable")));
    // Async imports and exports (`src/lib.rs`, `tests/async_calls.rs`), trappable and not.
    run(Builder::new()
        .wit_dir(fixtures.join("host"))
        .world("host-import")
        .async_imports(true)
        .async_exports(true)
        .out_dir(out_dir.join("async")));
    run(Builder::new()
        .wit_dir(fixtures.join("host"))
        .world("host-import")
        .async_import("test:host/math#double")
        .trappable_imports(true)
        .async_exports(true)
        .out_dir(out_dir.join("async-trappable")));
    run(Builder::new()
        .wit_dir(fixtures.join("root"))
        .world("root")
        .async_exports(true)
        .out_dir(out_dir.join("async")));
    // An imported resource bound to a host type (`src/lib.rs`).
    run(Builder::new()
        .wit_dir(fixtures.join("blobs"))
        .world("blob-user")
        .with_resource("test:blobs/blobs/blob", "crate::blob_user::HostBlob"));

    // WASI 0.2, each package's world selected by its qualified name.
    run(Builder::new()
        .wit_dir(manifest.join("wit-wasi"))
        .world("wasi:io/imports@0.2.12")
        .world("wasi:clocks/imports@0.2.12")
        .world("wasi:random/imports@0.2.12")
        .world("wasi:filesystem/imports@0.2.12")
        .world("wasi:sockets/imports@0.2.12")
        .world("wasi:cli/command@0.2.12")
        .world("wasi:http/proxy@0.2.12")
        .world("all-imports"));

    // Every snapshot case, so that every expansion is compiled.
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let cases_dir = manifest.join("../tests/codegen");
    println!("cargo:rerun-if-changed={}", cases_dir.display());
    let mut modules = String::new();
    let mut cases: Vec<_> = std::fs::read_dir(&cases_dir)
        .expect("tests/codegen exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_case(p))
        .collect();
    cases.sort();
    for case in cases {
        let name = case
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("case names are UTF-8")
            .replace('-', "_");
        let dir = out_dir.join("codegen").join(&name);
        let builder = Builder::new().wit_dir(&case).all_worlds().out_dir(&dir);
        let worlds = match builder.generate() {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        run(builder);
        writeln!(modules, "pub mod {name} {{").unwrap();
        for w in worlds {
            let file = dir.join(format!("{}.rs", w.name));
            writeln!(
                modules,
                "    pub mod {} {{ include!({:?}); }}",
                w.name.replace('-', "_"),
                file.display().to_string()
            )
            .unwrap();
        }
        writeln!(modules, "}}").unwrap();
    }
    // The option snapshots of `tests/codegen.rs` (`option_cases` there), compiled too.
    let options: [OptionCase; 7] = [
        ("imports_async_imports", "imports.wit", |b| {
            b.async_imports(true)
        }),
        ("imports_async_trappable", "imports.wit", |b| {
            b.async_imports(true).trappable_imports(true)
        }),
        ("imports_async_import_one", "imports.wit", |b| {
            b.async_import("test:imports/files#read")
                .async_import("log")
        }),
        ("exports_async_exports", "exports.wit", |b| {
            b.async_exports(true)
        }),
        ("exports_async_export_one", "exports.wit", |b| {
            b.async_export("test:exports/api#greet")
                .async_export("version")
        }),
        ("resources_async", "resources.wit", |b| {
            b.async_imports(true).async_exports(true)
        }),
        ("world_resources_async", "world-resources.wit", |b| {
            b.async_imports(true).async_exports(true)
        }),
    ];
    for (name, case, options) in options {
        let dir = out_dir.join("codegen-options").join(name);
        let builder = options(Builder::new().wit_dir(cases_dir.join(case)).out_dir(&dir));
        let worlds = builder.generate().unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1)
        });
        run(builder);
        for w in worlds {
            let file = dir.join(format!("{}.rs", w.name));
            writeln!(
                modules,
                "pub mod {name} {{ include!({:?}); }}",
                file.display().to_string()
            )
            .unwrap();
        }
    }
    std::fs::write(out_dir.join("codegen_cases.rs"), modules).expect("OUT_DIR is writable");

    // wasmtime's `bindgen!` corpus, every world of every case, with every feature on.
    let corpus_dir = manifest.join("../tests/bindgen-corpus");
    println!("cargo:rerun-if-changed={}", corpus_dir.display());
    let mut corpus: Vec<_> = std::fs::read_dir(&corpus_dir)
        .expect("tests/bindgen-corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "wit"))
        .collect();
    corpus.sort();
    let mut modules = String::new();
    for case in corpus {
        let name = case
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("case names are UTF-8")
            .replace('-', "_");
        let dir = out_dir.join("corpus").join(&name);
        let builder = Builder::new()
            .wit_dir(&case)
            .all_worlds()
            .all_features()
            .out_dir(&dir);
        let worlds = builder.generate().unwrap_or_else(|e| {
            eprintln!("error: {}: {e}", case.display());
            std::process::exit(1)
        });
        run(builder);
        writeln!(modules, "pub mod r#{name} {{").unwrap();
        for w in worlds {
            let file = dir.join(format!("{}.rs", w.name));
            writeln!(
                modules,
                "    pub mod r#{} {{ include!({:?}); }}",
                w.name.replace('-', "_"),
                file.display().to_string()
            )
            .unwrap();
        }
        writeln!(modules, "}}").unwrap();
    }
    std::fs::write(out_dir.join("corpus_cases.rs"), modules).expect("OUT_DIR is writable");
}

/// A snapshot case generated with options: module name, WIT case, the options.
type OptionCase = (&'static str, &'static str, fn(Builder) -> Builder);

fn is_case(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "wit") || (p.is_dir() && p.join("world.wit").is_file())
}
