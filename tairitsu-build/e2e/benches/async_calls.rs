//! An async typed call through the generated bindings (`async_exports(true)`) vs the same call
//! through wasmtime's own `bindgen!` with `exports: { default: async }`, on the same component
//! and engine, both awaited on one tokio current-thread runtime.
//!
//! `cargo bench -p tairitsu-build-e2e --bench async_calls`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu::wasmtime::component::{Component, Linker};
use tairitsu::wasmtime::{Config, Engine, Store};

mod wasmtime_bindgen {
    tairitsu::wasmtime::component::bindgen!({
        path: "../../tairitsu-fixtures/wit/root",
        world: "root",
        wasmtime_crate: tairitsu::wasmtime,
        exports: { default: async },
    });
}

fn async_calls(c: &mut Criterion) {
    let mut config = Config::new();
    config.concurrency_support(false);
    let engine = Engine::new(&config).expect("engine");
    let component = Component::new(&engine, tairitsu_fixtures::root()).expect("root");
    let linker = Linker::<()>::new(&engine);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    let mut store = Store::new(&engine, ());
    let ours = rt
        .block_on(tairitsu_build_e2e::async_root::Root::instantiate_async(
            &mut store, &component, &linker,
        ))
        .expect("instantiate");
    let mut wt_store = Store::new(&engine, ());
    let theirs = rt
        .block_on(wasmtime_bindgen::Root::instantiate_async(
            &mut wt_store,
            &component,
            &linker,
        ))
        .expect("instantiate");
    // Both answer, and the same.
    let a = rt.block_on(ours.call_add(&mut store, 1, 2)).expect("add");
    let b = rt
        .block_on(theirs.call_add(&mut wt_store, 1, 2))
        .expect("add");
    assert_eq!((a, b), (3, 3));

    let mut group = c.benchmark_group("async-typed-call-add");
    group.bench_function("tairitsu-build", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(
                        ours.call_add(&mut store, black_box(1), black_box(2))
                            .await
                            .unwrap(),
                    );
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("wasmtime-bindgen", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(
                        theirs
                            .call_add(&mut wt_store, black_box(1), black_box(2))
                            .await
                            .unwrap(),
                    );
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, async_calls);
criterion_main!(benches);
