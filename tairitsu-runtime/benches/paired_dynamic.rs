//! The dynamic call paths (`Val`, RON, WAVE) and the container's typed `invoke`, each against
//! raw wasmtime on its own store and instance of the same component and engine (the anchors of
//! `calls.rs`), measured in interleaved pairs (`support/pairs.rs` says why and how).
//!
//! The file needs nothing but `tairitsu-runtime` and `tairitsu-fixtures`, so that it also builds
//! against the crate of an earlier commit: that is how `BENCHMARKS.md` compares before and after
//! a change with the same code on both sides.
//!
//! `cargo bench --workspace --bench paired_dynamic [FILTER…]` (about a minute).

#![allow(missing_docs)]

#[path = "support/pairs.rs"]
mod pairs;

use std::cell::RefCell;
use std::hint::black_box;

use pairs::{Pair, Side, timed};
use tairitsu_runtime::wasmtime::Store;
use tairitsu_runtime::wasmtime::component::{Func, Linker, TypedFunc, Val};
use tairitsu_runtime::{CacheDir, Container, Engine, EngineConfig, Image};

/// The `add` export as a typed function: hand-written bindings, so that the same file builds
/// against the crate before and after the redesign (`BENCHMARKS.md`, "Before and after").
struct AddOnly {
    add: TypedFunc<(u32, u32), (u32,)>,
}

impl tairitsu_runtime::Bindings for AddOnly {
    type Indices = tairitsu_runtime::wasmtime::component::ComponentExportIndex;
    const WORLD: &'static str = "test:root/root";

    fn indices(
        component: &tairitsu_runtime::wasmtime::component::Component,
    ) -> tairitsu_runtime::wasmtime::Result<Self::Indices> {
        component
            .get_export_index(None, "add")
            .ok_or_else(|| tairitsu_runtime::wasmtime::format_err!("no export `add`"))
    }

    fn load(
        mut store: impl tairitsu_runtime::wasmtime::AsContextMut,
        instance: &tairitsu_runtime::wasmtime::component::Instance,
        indices: &Self::Indices,
    ) -> tairitsu_runtime::wasmtime::Result<Self> {
        Ok(Self {
            add: instance.get_typed_func(&mut store, indices)?,
        })
    }
}

/// A side that calls `call` as text on the container: RON, or WAVE when `wave`.
fn text_call<'a>(container: &'a RefCell<&mut Container>, call: &'a str, wave: bool) -> Side<'a> {
    Box::new(move |n| {
        let mut c = container.borrow_mut();
        timed(n, || {
            let answer = if wave {
                c.call_wave(call)
            } else {
                c.call_ron(call)
            };
            black_box(answer.expect("call"));
        })
    })
}

fn main() {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).expect("engine");
    let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).expect("root");
    let mut container = Container::builder(image.clone())
        .with_wasi(false)
        .with_bindings::<AddOnly>()
        .build()
        .expect("container");
    let container = RefCell::new(&mut container);

    // Raw wasmtime: its own store and instance of the same component, same engine.
    let linker = Linker::<()>::new(engine.wasmtime());
    let store = {
        let mut store = Store::new(engine.wasmtime(), ());
        // The engine interrupts on epochs (for container deadlines); give the raw store none.
        store.set_epoch_deadline(u64::MAX / 2);
        RefCell::new(store)
    };
    let instance = linker
        .instantiate(&mut *store.borrow_mut(), image.component())
        .expect("instantiate");
    let func = |name: &str| -> Func {
        instance
            .get_func(&mut *store.borrow_mut(), name)
            .expect("export")
    };
    let (add, greet, sum) = (func("add"), func("greet"), func("sum"));
    let list: Vec<u32> = (0..1000).collect();
    let list_text = format!(
        "[{}]",
        list.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let list_vals = vec![Val::List(list.iter().copied().map(Val::U32).collect())];

    // Raw `Val` and raw WAVE calls, as in calls.rs: the results go into a `Vec`, as the
    // dynamic calls return one.
    let raw_val = |f: Func, args: &[Val]| {
        let mut results = vec![Val::Bool(false); 1];
        f.call(&mut *store.borrow_mut(), args, &mut results)
            .expect("call");
        black_box(results);
    };
    let raw_wave = |f: Func, texts: &[&str]| {
        let mut store = store.borrow_mut();
        let ty = f.ty(&*store);
        let args: Vec<Val> = texts
            .iter()
            .zip(ty.params())
            .map(|(text, (_, ty))| Val::from_wave(&ty, text).expect("wave"))
            .collect();
        let mut results = vec![Val::Bool(false); 1];
        f.call(&mut *store, &args, &mut results).expect("call");
        black_box(results[0].to_wave().expect("to_wave"));
    };

    let typed_add: TypedFunc<(u32, u32), (u32,)> = instance
        .get_typed_func(&mut *store.borrow_mut(), "add")
        .expect("typed add");

    // The same text is a RON call and a WAVE call.
    let sum_call = format!("sum({list_text})");
    let mut pairs: Vec<Pair<'_>> = vec![
        Pair {
            label: "typed `invoke` / raw typed: `add`",
            before: "",
            path: Box::new(|n| {
                let mut c = container.borrow_mut();
                timed(n, || {
                    black_box(
                        c.invoke(|g: &AddOnly, store| g.add.call(store, (black_box(1), 2)))
                            .expect("add"),
                    );
                })
            }),
            anchor: Box::new(|n| {
                let mut s = store.borrow_mut();
                timed(n, || {
                    black_box(typed_add.call(&mut *s, (black_box(1), 2)).expect("add"));
                })
            }),
        },
        Pair {
            label: "`Val` Tairitsu / raw `Val`: `add`",
            before: "1.08",
            path: Box::new(|n| {
                let args = [Val::U32(1), Val::U32(2)];
                let mut c = container.borrow_mut();
                timed(n, || {
                    black_box(c.call_guest_binary("add", &args).expect("add"));
                })
            }),
            anchor: Box::new(|n| timed(n, || raw_val(add, &[Val::U32(1), Val::U32(2)]))),
        },
        Pair {
            label: "`Val` Tairitsu / raw `Val`: `greet`",
            before: "1.06",
            path: Box::new(|n| {
                let args = [Val::String("Tairitsu".into())];
                let mut c = container.borrow_mut();
                timed(n, || {
                    black_box(c.call_guest_binary("greet", &args).expect("greet"));
                })
            }),
            anchor: Box::new(|n| timed(n, || raw_val(greet, &[Val::String("Tairitsu".into())]))),
        },
        Pair {
            label: "`Val` Tairitsu / raw `Val`: `sum`",
            before: "1.01",
            path: Box::new(|n| {
                let mut c = container.borrow_mut();
                timed(n, || {
                    black_box(c.call_guest_binary("sum", &list_vals).expect("sum"));
                })
            }),
            anchor: Box::new(|n| timed(n, || raw_val(sum, &list_vals))),
        },
        Pair {
            label: "RON / raw WAVE: `add`",
            before: "0.98",
            path: text_call(&container, "add(1, 2)", false),
            anchor: Box::new(|n| timed(n, || raw_wave(add, &["1", "2"]))),
        },
        Pair {
            label: "RON / raw WAVE: `greet`",
            before: "0.71",
            path: text_call(&container, r#"greet("Tairitsu")"#, false),
            anchor: Box::new(|n| timed(n, || raw_wave(greet, &[r#""Tairitsu""#]))),
        },
        Pair {
            label: "RON / raw WAVE: `sum` of 1000",
            before: "0.43",
            path: text_call(&container, &sum_call, false),
            anchor: Box::new(|n| timed(n, || raw_wave(sum, &[&list_text]))),
        },
        Pair {
            label: "Tairitsu WAVE / raw WAVE: `add`",
            before: "1.50",
            path: text_call(&container, "add(1, 2)", true),
            anchor: Box::new(|n| timed(n, || raw_wave(add, &["1", "2"]))),
        },
        Pair {
            label: "Tairitsu WAVE / raw WAVE: `greet`",
            before: "1.21",
            path: text_call(&container, r#"greet("Tairitsu")"#, true),
            anchor: Box::new(|n| timed(n, || raw_wave(greet, &[r#""Tairitsu""#]))),
        },
        Pair {
            label: "Tairitsu WAVE / raw WAVE: `sum` of 1000",
            before: "1.12",
            path: text_call(&container, &sum_call, true),
            anchor: Box::new(|n| timed(n, || raw_wave(sum, &[&list_text]))),
        },
        Pair {
            label: "`Val` Tairitsu / raw typed: `add`",
            before: "1.73",
            path: Box::new(|n| {
                let args = [Val::U32(1), Val::U32(2)];
                let mut c = container.borrow_mut();
                timed(n, || {
                    black_box(c.call_guest_binary("add", &args).expect("add"));
                })
            }),
            anchor: Box::new(|n| {
                let mut s = store.borrow_mut();
                timed(n, || {
                    black_box(typed_add.call(&mut *s, (1, 2)).expect("add"));
                })
            }),
        },
    ];

    pairs::run(&mut pairs);
}
