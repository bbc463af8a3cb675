//! Images: loading, rejection of what is not a component, digests, references, the cache.

use tairitsu_runtime::{CacheDir, Engine, EngineConfig, Error, Image, ImageOrigin};

fn engine_with_cache(dir: &std::path::Path) -> Engine {
    Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.to_path_buf()))).unwrap()
}

#[test]
fn loads_a_component_and_reads_its_digest() {
    let bytes = tairitsu_fixtures::root();
    let image = Image::from_bytes(&bytes).unwrap();
    let expected = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    assert_eq!(image.digest(), format!("sha256:{expected}"));
    assert_eq!(image.digest_hex(), expected);
    assert_eq!(image.size(), bytes.len());
    assert!(image.reference().is_none());
    let tagged = image.tagged("root:1.0").unwrap();
    assert_eq!(tagged.reference().unwrap().to_string(), "root:1.0");
    assert_eq!(tagged.display_name(), "root:1.0");
    assert!(matches!(
        Image::from_bytes(&bytes).unwrap().tagged("Not Valid"),
        Err(Error::InvalidReference { .. })
    ));
}

#[test]
fn loads_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calc.wasm");
    std::fs::write(&path, tairitsu_fixtures::calc()).unwrap();
    let image = Image::from_file(&path).unwrap();
    assert_eq!(
        image.size(),
        std::fs::metadata(&path).unwrap().len() as usize
    );

    let missing = Image::from_file(dir.path().join("nope.wasm")).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
    assert!(missing.to_string().contains("nope.wasm"), "{missing}");
}

#[test]
fn rejects_a_core_module_and_says_how_to_make_a_component() {
    let module = wat::parse_str("(module (func (export \"f\")))").unwrap();
    let err = Image::from_bytes(&module).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::NotAComponent { .. }), "{text}");
    assert!(text.contains("core WebAssembly module"), "{text}");
    assert!(text.contains("wasm-tools component new"), "{text}");
}

#[test]
fn rejects_garbage_empty_text_and_truncated_input() {
    let empty = Image::from_bytes(b"").unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");

    let garbage = Image::from_bytes(b"this is not wasm at all").unwrap_err();
    assert!(garbage.to_string().contains("magic"), "{garbage}");

    let text = Image::from_bytes(b"(component)").unwrap_err();
    assert!(text.to_string().contains("WAT"), "{text}");

    let bytes = tairitsu_fixtures::root();
    for cut in [5, 40, bytes.len() / 2, bytes.len() - 1] {
        let err = Image::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotAComponent { .. } | Error::InvalidComponent { .. }
            ),
            "cut at {cut}: {err}"
        );
    }
    let err = Image::from_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(err.to_string().contains("not a valid component"), "{err}");
}

#[test]
fn second_load_comes_from_the_cache_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tairitsu_fixtures::calc();

    let engine = engine_with_cache(dir.path());
    let first = Image::from_bytes_with(&engine, &bytes).unwrap();
    assert_eq!(first.origin(), ImageOrigin::Compiled);
    // Beside the artifact, the cache keeps the key its artifacts are sealed with.
    let artifacts: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "cwasm")
        })
        .collect();
    assert_eq!(artifacts.len(), 1, "one artifact written");

    let second = Image::from_bytes_with(&engine, &bytes).unwrap();
    assert_eq!(second.origin(), ImageOrigin::Cache);
    assert_eq!(first.digest(), second.digest());

    // A new engine with the same configuration (a new process, say) reads the same entry.
    let again = Image::from_bytes_with(&engine_with_cache(dir.path()), &bytes).unwrap();
    assert_eq!(again.origin(), ImageOrigin::Cache);

    // The cached image runs.
    let mut container = tairitsu_runtime::Container::builder(again).build().unwrap();
    let out = container
        .call_guest_binary(
            "mul",
            &[
                wasmtime::component::Val::S32(6),
                wasmtime::component::Val::S32(7),
            ],
        )
        .unwrap();
    assert_eq!(out, vec![wasmtime::component::Val::S32(42)]);
}

#[test]
fn a_damaged_cache_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tairitsu_fixtures::root();
    let engine = engine_with_cache(dir.path());
    Image::from_bytes_with(&engine, &bytes).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let image = Image::from_bytes_with(&engine, &bytes).unwrap();
    assert_eq!(image.origin(), ImageOrigin::Compiled);
    assert_eq!(
        Image::from_bytes_with(&engine, &bytes).unwrap().origin(),
        ImageOrigin::Cache
    );
}

#[test]
fn without_a_cache_every_load_compiles() {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap();
    let bytes = tairitsu_fixtures::root();
    assert!(engine.cache_dir().is_none());
    for _ in 0..2 {
        assert_eq!(
            Image::from_bytes_with(&engine, &bytes).unwrap().origin(),
            ImageOrigin::Compiled
        );
    }
}

#[test]
fn images_share_the_process_engine() {
    let a = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let b = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
    assert!(a.engine().same(b.engine()));
    assert!(a.engine().same(Engine::shared().unwrap()));
}

#[test]
fn lists_imports_and_exports_without_instantiating() {
    let image = Image::from_bytes(tairitsu_fixtures::host_import()).unwrap();
    let exports: Vec<String> = image.exports().iter().map(|f| f.to_wit()).collect();
    assert_eq!(exports, vec!["run: func(x: u32) -> u32"]);
    let imports: Vec<String> = image
        .imports()
        .iter()
        .map(|f| format!("{} {}", f.qualified_name(), f.to_wit()))
        .collect();
    assert_eq!(
        imports,
        vec![
            "test:host/log@0.1.0#log log: func(message: string)",
            "test:host/math@0.1.0#double double: func(x: u32) -> u32",
        ]
    );

    let calc = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
    let names: Vec<String> = calc.exports().iter().map(|f| f.qualified_name()).collect();
    assert!(
        names.contains(&"test:calc/api@0.1.0#add".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"test:calc/extra@0.1.0#describe".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"version".to_string()), "{names:?}");
}

#[test]
fn concurrency_support_is_refused_with_a_reason_in_this_build() {
    // wasmtime is built without `component-model-async`; asking for it is an error, not a panic.
    let err = Engine::new(EngineConfig::new().concurrency_support(true)).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert!(err.to_string().contains("concurrency"), "{err}");
}
