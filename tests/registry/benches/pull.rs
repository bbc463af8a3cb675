//! Pulling a 12 MiB component from a registry on this machine into an empty store, against
//! copying the file and against loading it into a store from disk (the anchors, in the same
//! run). Needs `docker-registry` (Debian package `docker-registry`).
//!
//! `cargo bench --workspace --bench pull` (BENCHMARKS.md's figures: `--profile dev`)

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

use std::path::Path;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tairitsu_fixtures::TestRegistry;
use tairitsu_runtime::oci::RegistryClient;
use tairitsu_runtime::{CacheDir, Engine, EngineConfig, Image, ImageStore, Registry};

const SIZE: usize = 12 << 20;

fn store(dir: &Path, engine: &Engine) -> ImageStore {
    ImageStore::with_registry(dir, Arc::new(Registry::with_engine(engine.clone()))).unwrap()
}

fn pull(c: &mut Criterion) {
    let registry = TestRegistry::start()
        .expect("the CNCF distribution registry runs (apt-get install docker-registry)");
    let tmp = tempfile::tempdir().unwrap();
    let bytes = tairitsu_fixtures::large(SIZE);
    let file = tmp.path().join("large.wasm");
    std::fs::write(&file, &bytes).unwrap();
    // One engine and artifact cache for every iteration: after the first, a pull or a load
    // deserializes the compiled code instead of compiling it, as a second host would.
    let engine =
        Engine::new(EngineConfig::new().cache(CacheDir::Path(tmp.path().join("cache")))).unwrap();
    let image = Image::from_bytes_with(&engine, &bytes).unwrap();
    let reference = format!("{}/large:1.0", registry.host());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = RegistryClient::new();
    runtime.block_on(client.push(&image, &reference)).unwrap();

    let mut group = c.benchmark_group("12 MiB component");
    group.sample_size(20);
    group.bench_function("copy the file (std::fs::copy)", |b| {
        b.iter_batched(
            || tempfile::tempdir_in(tmp.path()).unwrap(),
            |dir| {
                (
                    std::fs::copy(&file, dir.path().join("copy.wasm")).unwrap(),
                    dir,
                )
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("ImageStore::load_file into an empty store", |b| {
        b.iter_batched(
            || tempfile::tempdir_in(tmp.path()).unwrap(),
            |dir| {
                store(dir.path(), &engine)
                    .load_file("large:1.0", &file)
                    .unwrap();
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("ImageStore::pull into an empty store", |b| {
        b.iter_batched(
            || tempfile::tempdir_in(tmp.path()).unwrap(),
            |dir| {
                let stored = runtime
                    .block_on(store(dir.path(), &engine).pull(&reference, &client))
                    .unwrap();
                assert_eq!(stored.size as usize, bytes.len());
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, pull);
criterion_main!(benches);
