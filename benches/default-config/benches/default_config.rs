//! A typed `add` on wasmtime's default `Config` against the same call on Tairitsu's default
//! engine, in one criterion group, on the same component.
//!
//! `cargo bench --manifest-path benches/default-config/Cargo.toml`

#![allow(missing_docs, reason = "criterion_group! generates undocumented functions")]

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu_runtime::{CacheDir, Engine, EngineConfig};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, TypedFunc};

fn typed_add(engine: &wasmtime::Engine) -> (Store<()>, TypedFunc<(u32, u32), (u32,)>) {
    let component = Component::new(engine, tairitsu_fixtures::root()).expect("component");
    let mut store = Store::new(engine, ());
    // Tairitsu's engine interrupts on epochs; a bare store gets no deadline.
    store.set_epoch_deadline(u64::MAX / 2);
    let instance = Linker::new(engine)
        .instantiate(&mut store, &component)
        .expect("instantiate");
    let add = instance
        .get_typed_func::<(u32, u32), (u32,)>(&mut store, "add")
        .expect("add");
    (store, add)
}

fn engines(c: &mut Criterion) {
    let default = wasmtime::Engine::new(&wasmtime::Config::new()).expect("default engine");
    let tairitsu = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).expect("engine");

    let mut group = c.benchmark_group("typed add: engine configuration");
    let (mut store, add) = typed_add(&default);
    group.bench_function("wasmtime Config::new() (default features)", |b| {
        b.iter(|| add.call(&mut store, (1, 2)).expect("add"))
    });
    let (mut store, add) = typed_add(tairitsu.wasmtime());
    group.bench_function("tairitsu EngineConfig::new()", |b| {
        b.iter(|| add.call(&mut store, (1, 2)).expect("add"))
    });
    group.finish();
}

criterion_group!(benches, engines);
criterion_main!(benches);
