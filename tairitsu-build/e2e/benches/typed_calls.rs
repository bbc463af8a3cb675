//! A typed call through the generated bindings vs the same call through wasmtime's own
//! `bindgen!`, on the same component; and the generation time of the WASI 0.2 packages.
//!
//! `cargo bench -p tairitsu-build-e2e --bench typed_calls`

#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu::wasmtime::component::{Component, Linker};
use tairitsu::wasmtime::{Config, Engine, Store};

mod wasmtime_bindgen {
    tairitsu::wasmtime::component::bindgen!({
        path: "../../tairitsu-fixtures/wit/root",
        world: "root",
        wasmtime_crate: tairitsu::wasmtime,
    });
}

fn engine() -> Engine {
    let mut config = Config::new();
    config.concurrency_support(false);
    Engine::new(&config).expect("engine")
}

fn typed_calls(c: &mut Criterion) {
    let engine = engine();
    let component = Component::new(&engine, tairitsu_fixtures::root()).expect("root");
    let linker = Linker::<()>::new(&engine);

    let mut store = Store::new(&engine, ());
    let ours = tairitsu_build_e2e::root::Root::instantiate(&mut store, &component, &linker)
        .expect("instantiate");
    let mut wt_store = Store::new(&engine, ());
    let theirs = wasmtime_bindgen::Root::instantiate(&mut wt_store, &component, &linker)
        .expect("instantiate");

    let mut group = c.benchmark_group("typed-call-add");
    group.bench_function("tairitsu-build", |b| {
        b.iter(|| {
            ours.call_add(&mut store, black_box(1), black_box(2))
                .unwrap()
        })
    });
    group.bench_function("wasmtime-bindgen", |b| {
        b.iter(|| {
            theirs
                .call_add(&mut wt_store, black_box(1), black_box(2))
                .unwrap()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("typed-call-greet");
    group.bench_function("tairitsu-build", |b| {
        b.iter(|| ours.call_greet(&mut store, black_box("Ada")).unwrap())
    });
    group.bench_function("wasmtime-bindgen", |b| {
        b.iter(|| theirs.call_greet(&mut wt_store, black_box("Ada")).unwrap())
    });
    group.finish();
}

fn wasi_generation(c: &mut Criterion) {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit-wasi");
    let builder = tairitsu_build::Builder::new()
        .wit_dir(&wit)
        .world("wasi:io/imports@0.2.12")
        .world("wasi:clocks/imports@0.2.12")
        .world("wasi:random/imports@0.2.12")
        .world("wasi:filesystem/imports@0.2.12")
        .world("wasi:sockets/imports@0.2.12")
        .world("wasi:cli/command@0.2.12")
        .world("wasi:http/proxy@0.2.12");
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.bench_function("wasi-0.2-seven-worlds", |b| {
        b.iter(|| builder.generate().expect("generate"))
    });
    group.bench_function("wasi-http-proxy", |b| {
        let one = tairitsu_build::Builder::new()
            .wit_dir(&wit)
            .world("wasi:http/proxy@0.2.12");
        b.iter(|| one.generate().expect("generate"))
    });
    group.finish();
}

criterion_group!(benches, typed_calls, wasi_generation);
criterion_main!(benches);
