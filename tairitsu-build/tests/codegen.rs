//! Snapshot tests of the generated code: one WIT feature per case in `tests/codegen/*.wit`, and
//! `tests/codegen/parse-fail/*.wit` with their expected error text (`*.err`).
//!
//! Re-bless snapshots with `INSTA_UPDATE=always` (or `cargo insta review`) and parse-fail
//! expectations with `BLESS=1`.

use std::path::{Path, PathBuf};

use tairitsu_build::Builder;

/// A case generated with options: snapshot name, WIT case, the options.
type OptionCase = (&'static str, &'static str, fn(Builder) -> Builder);

/// The cases generated with options, as `(snapshot, case, builder options)`; the e2e crate's
/// build script compiles the same list (`option_cases` there).
fn option_cases() -> Vec<OptionCase> {
    vec![
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
        ("world-resources_async", "world-resources.wit", |b| {
            b.async_imports(true).async_exports(true)
        }),
    ]
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "wit") || p.is_dir() && p.join("world.wit").exists()
        })
        .collect();
    out.sort();
    out
}

fn case_name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn codegen_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let cases = cases(&dir);
    assert!(!cases.is_empty());
    for case in cases {
        let name = case_name(&case);
        let worlds = Builder::new()
            .wit_dir(&case)
            .all_worlds()
            .generate()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for world in worlds {
            let snap = if worlds_len_one(&case) {
                name.clone()
            } else {
                format!("{name}_{}", world.name)
            };
            insta::assert_snapshot!(snap, world.source);
        }
    }
}

fn worlds_len_one(case: &Path) -> bool {
    Builder::new()
        .wit_dir(case)
        .all_worlds()
        .generate()
        .map(|w| w.len() == 1)
        .unwrap_or(false)
}

#[test]
fn option_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for (snap, case, options) in option_cases() {
        let worlds = options(Builder::new().wit_dir(dir.join(case)))
            .generate()
            .unwrap_or_else(|e| panic!("{snap}: {e}"));
        let [world] = worlds.as_slice() else {
            panic!("{snap}: one world")
        };
        insta::assert_snapshot!(snap, world.source);
    }
}

#[test]
fn parse_fail() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen/parse-fail");
    let bless = std::env::var_os("BLESS").is_some();
    for case in cases(&dir) {
        let name = case_name(&case);
        let err = match Builder::new().wit_dir(&case).all_worlds().generate() {
            Ok(_) => panic!("{name}: expected an error"),
            Err(e) => e.to_string(),
        };
        // Paths differ between machines: show them relative to the case directory.
        let err = err.replace(&format!("{}/", dir.display()), "");
        let expected_path = case.with_extension("err");
        if bless {
            std::fs::write(&expected_path, &err).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{name}: no {}; run with BLESS=1", expected_path.display()));
        assert_eq!(
            err, expected,
            "{name}: error text changed; run with BLESS=1 to accept"
        );
    }
}
