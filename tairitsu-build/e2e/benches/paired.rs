//! Typed calls through the generated bindings against wasmtime's `bindgen!` on the same
//! component and engine, sync and async (the anchors of `typed_calls.rs` and
//! `async_calls.rs`), measured in interleaved pairs
//! (`tairitsu-runtime/benches/support/pairs.rs` says why and how).
//!
//! `cargo bench --workspace --bench paired [FILTER…]` (a few seconds).

#![allow(missing_docs)]

#[path = "../../../tairitsu-runtime/benches/support/pairs.rs"]
mod pairs;

use std::hint::black_box;
use std::time::Instant;

use pairs::{Pair, timed};
use tairitsu::wasmtime::component::{Component, Linker};
use tairitsu::wasmtime::{Config, Store};

mod wasmtime_bindgen {
    tairitsu::wasmtime::component::bindgen!({
        path: "../../tairitsu-fixtures/wit/root",
        world: "root",
        wasmtime_crate: tairitsu::wasmtime,
    });
}

mod wasmtime_bindgen_async {
    tairitsu::wasmtime::component::bindgen!({
        path: "../../tairitsu-fixtures/wit/root",
        world: "root",
        wasmtime_crate: tairitsu::wasmtime,
        exports: { default: async },
    });
}

fn main() {
    // Typed calls, generated and bindgen!, sync on one engine (wasmtime's Config, as in
    // typed_calls.rs) and async on a current-thread runtime (as in async_calls.rs).
    let mut config = Config::new();
    config.concurrency_support(false);
    let wt_engine = tairitsu::wasmtime::Engine::new(&config).expect("engine");
    let component = Component::new(&wt_engine, tairitsu_fixtures::root()).expect("root");
    let wt_linker = Linker::<()>::new(&wt_engine);
    let mut ours_store = Store::new(&wt_engine, ());
    let ours = tairitsu_build_e2e::root::Root::instantiate(&mut ours_store, &component, &wt_linker)
        .expect("instantiate");
    let mut theirs_store = Store::new(&wt_engine, ());
    let theirs = wasmtime_bindgen::Root::instantiate(&mut theirs_store, &component, &wt_linker)
        .expect("instantiate");
    let ours_store = std::cell::RefCell::new(ours_store);
    let theirs_store = std::cell::RefCell::new(theirs_store);

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut ours_async_store = Store::new(&wt_engine, ());
    let ours_async = rt
        .block_on(tairitsu_build_e2e::async_root::Root::instantiate_async(
            &mut ours_async_store,
            &component,
            &wt_linker,
        ))
        .expect("instantiate");
    let mut theirs_async_store = Store::new(&wt_engine, ());
    let theirs_async = rt
        .block_on(wasmtime_bindgen_async::Root::instantiate_async(
            &mut theirs_async_store,
            &component,
            &wt_linker,
        ))
        .expect("instantiate");

    // Both typed paths answer, and the same.
    assert_eq!(
        ours.call_add(&mut *ours_store.borrow_mut(), 1, 2)
            .expect("add"),
        theirs
            .call_add(&mut *theirs_store.borrow_mut(), 1, 2)
            .expect("add")
    );
    let mut pairs: Vec<Pair<'_>> = vec![
        Pair {
            label: "typed, generated / `bindgen!`: `add`",
            before: "0.98",
            path: Box::new(|n| {
                let mut s = ours_store.borrow_mut();
                timed(n, || {
                    black_box(ours.call_add(&mut *s, black_box(1), 2).expect("add"));
                })
            }),
            anchor: Box::new(|n| {
                let mut s = theirs_store.borrow_mut();
                timed(n, || {
                    black_box(theirs.call_add(&mut *s, black_box(1), 2).expect("add"));
                })
            }),
        },
        Pair {
            label: "typed, generated / `bindgen!`: `greet`",
            before: "0.99",
            path: Box::new(|n| {
                let mut s = ours_store.borrow_mut();
                timed(n, || {
                    black_box(ours.call_greet(&mut *s, black_box("Ada")).expect("greet"));
                })
            }),
            anchor: Box::new(|n| {
                let mut s = theirs_store.borrow_mut();
                timed(n, || {
                    black_box(theirs.call_greet(&mut *s, black_box("Ada")).expect("greet"));
                })
            }),
        },
        Pair {
            label: "async typed, generated / `bindgen!` async: `add`",
            before: "goal ≤ 1.05",
            path: Box::new(|n| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..n {
                        black_box(
                            ours_async
                                .call_add(&mut ours_async_store, black_box(1), 2)
                                .await
                                .expect("add"),
                        );
                    }
                    start.elapsed()
                })
            }),
            anchor: Box::new(|n| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..n {
                        black_box(
                            theirs_async
                                .call_add(&mut theirs_async_store, black_box(1), 2)
                                .await
                                .expect("add"),
                        );
                    }
                    start.elapsed()
                })
            }),
        },
    ];

    pairs::run(&mut pairs);
}
