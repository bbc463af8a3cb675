//! One call through every path: typed, `Val`, RON and WAVE, next to raw wasmtime doing the
//! same (a `TypedFunc`, and its own WAVE path: `Val::from_wave` then `Func::call`).
//!
//! `cargo bench -p tairitsu-runtime --bench calls`

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tairitsu_runtime::wasmtime::Store;
use tairitsu_runtime::wasmtime::component::{Func, Linker, TypedFunc, Val};
use tairitsu_runtime::{CacheDir, Container, Engine, EngineConfig, Image};

struct Case {
    name: &'static str,
    func: &'static str,
    ron: String,
    wave_args: Vec<String>,
    vals: Vec<Val>,
}

fn cases() -> Vec<Case> {
    let list: Vec<u32> = (0..1000).collect();
    let list_text = format!(
        "[{}]",
        list.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![
        Case {
            name: "add(u32, u32)",
            func: "add",
            ron: "add(1, 2)".into(),
            wave_args: vec!["1".into(), "2".into()],
            vals: vec![Val::U32(1), Val::U32(2)],
        },
        Case {
            name: "greet(string)",
            func: "greet",
            ron: r#"greet("Tairitsu")"#.into(),
            wave_args: vec![r#""Tairitsu""#.into()],
            vals: vec![Val::String("Tairitsu".into())],
        },
        Case {
            name: "sum(list<u32>) of 1000",
            func: "sum",
            ron: format!("sum({list_text})"),
            wave_args: vec![list_text.clone()],
            vals: vec![Val::List(list.iter().copied().map(Val::U32).collect())],
        },
    ]
}

fn calls(c: &mut Criterion) {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap();
    let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
    let mut container = Container::builder(image.clone())
        .with_wasi(false)
        .build()
        .unwrap();

    // Raw wasmtime: its own store and instance of the same component.
    let linker = Linker::<()>::new(engine.wasmtime());
    let mut store = Store::new(engine.wasmtime(), ());
    // The engine interrupts on epochs (for container deadlines); give the raw store none.
    store.set_epoch_deadline(u64::MAX / 2);
    let instance = linker.instantiate(&mut store, image.component()).unwrap();

    for case in cases() {
        let mut group = c.benchmark_group(format!("call {}", case.name));
        let func: Func = instance.get_func(&mut store, case.func).unwrap();
        let param_types: Vec<_> = func.ty(&store).params().map(|(_, t)| t).collect();
        let results_len = func.ty(&store).results().len();

        group.bench_function(
            BenchmarkId::new("raw wasmtime", "WAVE: from_wave + Func::call"),
            |b| {
                b.iter(|| {
                    let args: Vec<Val> = case
                        .wave_args
                        .iter()
                        .zip(&param_types)
                        .map(|(text, ty)| Val::from_wave(ty, text).unwrap())
                        .collect();
                    let mut results = vec![Val::Bool(false); results_len];
                    func.call(&mut store, &args, &mut results).unwrap();
                    results[0].to_wave().unwrap()
                })
            },
        );
        group.bench_function(BenchmarkId::new("raw wasmtime", "Val: Func::call"), |b| {
            b.iter(|| {
                let mut results = vec![Val::Bool(false); results_len];
                func.call(&mut store, &case.vals, &mut results).unwrap();
                results
            })
        });
        match case.func {
            "add" => {
                let typed: TypedFunc<(u32, u32), (u32,)> =
                    instance.get_typed_func(&mut store, "add").unwrap();
                group.bench_function(
                    BenchmarkId::new("raw wasmtime", "typed: TypedFunc::call"),
                    |b| b.iter(|| typed.call(&mut store, (1, 2)).unwrap()),
                );
            }
            "greet" => {
                let typed: TypedFunc<(&str,), (String,)> =
                    instance.get_typed_func(&mut store, "greet").unwrap();
                group.bench_function(
                    BenchmarkId::new("raw wasmtime", "typed: TypedFunc::call"),
                    |b| b.iter(|| typed.call(&mut store, ("Tairitsu",)).unwrap()),
                );
            }
            _ => {
                let typed: TypedFunc<(&[u32],), (u64,)> =
                    instance.get_typed_func(&mut store, "sum").unwrap();
                let list: Vec<u32> = (0..1000).collect();
                group.bench_function(
                    BenchmarkId::new("raw wasmtime", "typed: TypedFunc::call"),
                    |b| b.iter(|| typed.call(&mut store, (&list,)).unwrap()),
                );
            }
        }
        group.bench_function(
            BenchmarkId::new("tairitsu", "Val: call_guest_binary"),
            |b| b.iter(|| container.call_guest_binary(case.func, &case.vals).unwrap()),
        );
        group.bench_function(BenchmarkId::new("tairitsu", "RON: call_ron"), |b| {
            b.iter(|| container.call_ron(&case.ron).unwrap())
        });
        let wave_call = format!("{}({})", case.func, case.wave_args.join(", "));
        group.bench_function(BenchmarkId::new("tairitsu", "WAVE: call_wave"), |b| {
            b.iter(|| container.call_wave(&wave_call).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, calls);
criterion_main!(benches);
