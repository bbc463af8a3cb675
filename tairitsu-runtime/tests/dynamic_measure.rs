//! Rough timings of the dynamic call paths against the `root` fixture (run in release:
//! `cargo test --release -p tairitsu-runtime --test dynamic_measure -- --ignored --nocapture`).
//!
//! For `add(u32, u32)`, `greet(string)` and `sum(list<u32>)` of 1000 items: typed
//! (`TypedFunc`), `Val` (`Func::call`), RON (call text → `Val`s → call → RON), our WAVE path, and
//! wasmtime's own WAVE path (`UntypedFuncCall::parse` → `to_wasm_params` → call → `to_wave`) as
//! the baseline. The assertion is the goal of the issue, with slack for a noisy machine: the RON
//! path is no slower than wasmtime's WAVE path.

use std::time::{Duration, Instant};

use tairitsu_runtime::dynamic::call::{ron_results_to_string, wave_results_to_string};
use tairitsu_runtime::dynamic::{CallText, FuncType, NoHandles, ValueLimits};
use tairitsu_runtime::wasmtime::component::{
    Component, Func, Instance, Linker, Val, wasm_wave::untyped::UntypedFuncCall,
};
use tairitsu_runtime::wasmtime::{Config, Engine, Store};

/// Average time of `f` over enough runs to take about 200 ms.
fn time(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_millis(50) {
        f();
        runs += 1;
    }
    let per_run = start.elapsed() / runs;
    let runs = (Duration::from_millis(200).as_nanos() / per_run.as_nanos().max(1)).max(10) as u32;
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed() / runs
}

struct Root {
    store: Store<()>,
    instance: Instance,
}

impl Root {
    fn func(&mut self, name: &str) -> (Func, FuncType) {
        let func = self.instance.get_func(&mut self.store, name).unwrap();
        let ty = FuncType::from_wasmtime(name, &func.ty(&self.store)).unwrap();
        (func, ty)
    }

    fn ron(&mut self, func: Func, ty: &FuncType, text: &str) -> String {
        let limits = ValueLimits::default();
        let args = CallText::parse(text)
            .unwrap()
            .ron_args(ty, &limits, &mut NoHandles)
            .unwrap();
        let mut results = [Val::Bool(false)];
        func.call(&mut self.store, &args, &mut results).unwrap();
        ron_results_to_string(&results, ty, &limits, &mut NoHandles).unwrap()
    }

    fn wave(&mut self, func: Func, ty: &FuncType, text: &str) -> String {
        let args = CallText::parse(text)
            .unwrap()
            .wave_args(ty, &ValueLimits::default())
            .unwrap();
        let mut results = [Val::Bool(false)];
        func.call(&mut self.store, &args, &mut results).unwrap();
        wave_results_to_string(&results).unwrap()
    }

    fn wasmtime_wave(&mut self, func: Func, text: &str) -> String {
        let ty = func.ty(&self.store);
        let types: Vec<_> = ty.params().map(|(_, t)| t).collect();
        let args: Vec<Val> = UntypedFuncCall::parse(text)
            .unwrap()
            .to_wasm_params(types.iter())
            .unwrap();
        let mut results = [Val::Bool(false)];
        func.call(&mut self.store, &args, &mut results).unwrap();
        results[0].to_wave().unwrap()
    }
}

#[test]
#[ignore = "timings: run in release with --ignored --nocapture"]
fn call_paths() {
    let engine = Engine::new(Config::new().concurrency_support(false)).unwrap();
    let component = Component::new(&engine, tairitsu_fixtures::root()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let mut root = Root { store, instance };

    let list: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let sum_ron = format!("sum([{}])", list.join(", "));
    let sum_vals = Val::List((0..1000).map(Val::U32).collect());
    let cases: [(&str, String, Vec<Val>); 3] = [
        (
            "add",
            "add(1, 2)".to_string(),
            vec![Val::U32(1), Val::U32(2)],
        ),
        (
            "greet",
            "greet(\"world\")".to_string(),
            vec![Val::String("world".into())],
        ),
        ("sum", sum_ron, vec![sum_vals]),
    ];
    let mut slower = Vec::new();
    for (name, text, vals) in &cases {
        let (func, ty) = root.func(name);
        assert_eq!(root.ron(func, &ty, text), root.wasmtime_wave(func, text));
        assert_eq!(root.wave(func, &ty, text), root.wasmtime_wave(func, text));
        let typed = match *name {
            "add" => {
                let f = root
                    .instance
                    .get_typed_func::<(u32, u32), (u32,)>(&mut root.store, "add")
                    .unwrap();
                time(|| {
                    f.call(&mut root.store, (1, 2)).unwrap();
                })
            }
            "greet" => {
                let f = root
                    .instance
                    .get_typed_func::<(&str,), (String,)>(&mut root.store, "greet")
                    .unwrap();
                time(|| {
                    f.call(&mut root.store, ("world",)).unwrap();
                })
            }
            _ => {
                let f = root
                    .instance
                    .get_typed_func::<(&[u32],), (u64,)>(&mut root.store, "sum")
                    .unwrap();
                let items: Vec<u32> = (0..1000).collect();
                time(|| {
                    f.call(&mut root.store, (&items,)).unwrap();
                })
            }
        };
        let val = time(|| {
            let mut results = [Val::Bool(false)];
            func.call(&mut root.store, vals, &mut results).unwrap();
        });
        let ron = time(|| {
            root.ron(func, &ty, text);
        });
        let wave = time(|| {
            root.wave(func, &ty, text);
        });
        let baseline = time(|| {
            root.wasmtime_wave(func, text);
        });
        let limits = ValueLimits::default();
        let parse_ron = time(|| {
            let call = CallText::parse(text).unwrap();
            std::hint::black_box(call.ron_args(&ty, &limits, &mut NoHandles).unwrap());
        });
        let wasmtime_types: Vec<_> = func.ty(&root.store).params().map(|(_, t)| t).collect();
        let parse_wave = time(|| {
            let call = UntypedFuncCall::parse(text).unwrap();
            std::hint::black_box(call.to_wasm_params::<Val>(wasmtime_types.iter()).unwrap());
        });
        let print_ron = time(|| {
            std::hint::black_box(
                tairitsu_runtime::dynamic::call::ron_args_to_string(
                    vals,
                    &ty,
                    &limits,
                    &mut NoHandles,
                )
                .unwrap(),
            );
        });
        let print_wave = time(|| {
            for v in vals {
                std::hint::black_box(v.to_wave().unwrap());
            }
        });
        println!(
            "{name:6} parse: RON {parse_ron:>10.2?}  wasmtime WAVE {parse_wave:>10.2?}; \
             print: RON {print_ron:>10.2?}  wasmtime WAVE {print_wave:>10.2?}"
        );
        println!(
            "{name:6} typed {typed:>10.2?}  Val {val:>10.2?}  RON {ron:>10.2?}  WAVE {wave:>10.2?}  \
             wasmtime WAVE {baseline:>10.2?}"
        );
        if ron > baseline + baseline / 4 {
            slower.push(format!("{name}: RON {ron:?} vs wasmtime WAVE {baseline:?}"));
        }
    }
    assert!(
        slower.is_empty(),
        "the RON path is slower than wasmtime's WAVE path: {slower:?}"
    );
}
