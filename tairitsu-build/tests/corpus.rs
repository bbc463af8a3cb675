//! wasmtime's `bindgen!` codegen corpus (`tests/bindgen-corpus/`, see its README) generates
//! through `tairitsu-build`, every world of every case. The `tairitsu-build-e2e` crate compiles
//! the same expansions.

use std::path::{Path, PathBuf};

use tairitsu_build::Builder;

/// Every case: a `.wit` file or a folder.
fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bindgen-corpus");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the corpus exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "wit"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_case_of_the_bindgen_corpus_generates() {
    let cases = cases();
    assert_eq!(cases.len(), 35, "{cases:?}");
    let mut worlds = 0;
    for case in cases {
        let generated = Builder::new()
            .wit_dir(&case)
            .all_worlds()
            .all_features()
            .generate()
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        for world in &generated {
            // Formatted, so the tokens parsed as a Rust file.
            assert!(world.source.starts_with("// @generated"), "{}", world.world);
        }
        worlds += generated.len();
    }
    assert!(worlds >= 35, "{worlds} worlds");
}

#[test]
fn the_unstable_case_needs_its_features() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bindgen-corpus/unstable-features.wit");
    let err = Builder::new().wit_dir(&case).generate().unwrap_err();
    assert!(
        matches!(&err, tairitsu_build::Error::UnstableWorld { feature, .. } if feature == "experimental-world"),
        "{err:?}"
    );
    assert!(err.to_string().contains("experimental-world"), "{err}");
    // The features named are in, the others out: the resource without its gated method.
    let some = Builder::new()
        .wit_dir(&case)
        .features(["experimental-world", "experimental-world-resource"])
        .generate()
        .unwrap();
    let all = Builder::new()
        .wit_dir(&case)
        .all_features()
        .generate()
        .unwrap();
    assert!(some[0].source.contains("pub enum Baz"), "the resource");
    assert!(
        !some[0].source.contains("fn baz_foo"),
        "its gated method left out"
    );
    assert!(
        all[0].source.contains("fn baz_foo"),
        "all features: the method"
    );
}
