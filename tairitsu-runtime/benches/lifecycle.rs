//! Container start and image load, each next to the raw-wasmtime way of doing the same.
//!
//! `cargo bench -p tairitsu-runtime --bench lifecycle`

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu_runtime::wasmtime::component::{Component, Linker, ResourceTable};
use tairitsu_runtime::wasmtime::{self, Store};
use tairitsu_runtime::{CacheDir, Container, Engine, EngineConfig, Image};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// What a hand-written host keeps in its store: WASI and a resource table.
struct RawState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for RawState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A raw host that also bounds memory.
struct LimitedState {
    raw: RawState,
    limits: wasmtime::StoreLimits,
}

impl WasiView for LimitedState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.raw.ctx()
    }
}

fn start(c: &mut Criterion) {
    for pooling in [false, true] {
        let engine = Engine::new(
            EngineConfig::new()
                .pooling(pooling)
                .cache(CacheDir::Disabled),
        )
        .unwrap();
        let bytes = tairitsu_fixtures::root();
        let image = Image::from_bytes_with(&engine, &bytes).unwrap();
        let mut group = c.benchmark_group(if pooling {
            "container start (pooling)"
        } else {
            "container start"
        });

        // Raw wasmtime: link once, then a store and an instance per start.
        let mut linker = Linker::<RawState>::new(engine.wasmtime());
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
        let pre = linker.instantiate_pre(image.component()).unwrap();
        let mut limited = Linker::<LimitedState>::new(engine.wasmtime());
        wasmtime_wasi::p2::add_to_linker_sync(&mut limited).unwrap();
        let pre_limited = limited.instantiate_pre(image.component()).unwrap();
        group.bench_function("raw Store::new + InstancePre::instantiate", |b| {
            b.iter(|| {
                let mut store = Store::new(
                    engine.wasmtime(),
                    RawState {
                        wasi: WasiCtx::builder().build(),
                        table: ResourceTable::new(),
                    },
                );
                pre.instantiate(&mut store).unwrap()
            })
        });

        // The same with a resource limiter, as any host that bounds memory has.
        group.bench_function("raw + StoreLimits limiter", |b| {
            b.iter(|| {
                let mut store = Store::new(
                    engine.wasmtime(),
                    LimitedState {
                        raw: RawState {
                            wasi: WasiCtx::builder().build(),
                            table: ResourceTable::new(),
                        },
                        limits: wasmtime::StoreLimitsBuilder::new()
                            .memory_size(128 << 20)
                            .build(),
                    },
                );
                store.limiter(|s| &mut s.limits);
                pre_limited.instantiate(&mut store).unwrap()
            })
        });

        let mut container = Container::builder(image.clone()).build().unwrap();
        group.bench_function("tairitsu Container::restart", |b| {
            b.iter(|| container.restart().unwrap())
        });
        group.finish();
    }
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.path().into()))).unwrap();
    let bytes = tairitsu_fixtures::kitchen();
    // Fill the cache.
    Image::from_bytes_with(&engine, &bytes).unwrap();

    let mut group = c.benchmark_group("image load (kitchen)");
    group.sample_size(20);
    group.bench_function("raw Component::new (compile)", |b| {
        b.iter(|| Component::new(engine.wasmtime(), &bytes).unwrap())
    });
    group.bench_function("tairitsu Image::from_bytes (cache hit)", |b| {
        b.iter(|| {
            let image = Image::from_bytes_with(&engine, &bytes).unwrap();
            assert_eq!(image.origin(), tairitsu_runtime::ImageOrigin::Cache);
            image
        })
    });
    group.finish();
}

criterion_group!(benches, start, load);
criterion_main!(benches);
