//! Async calls, three ways:
//!
//! - an async typed call through the generated bindings (`async_exports(true)`) vs the same call
//!   through wasmtime's own `bindgen!` with `exports: { default: async }`, on the same component
//!   and engine, both awaited on one tokio current-thread runtime;
//! - the same export through a sync container and an async one (typed `invoke` /
//!   `invoke_async`, RON `call_ron` / `call_ron_async`);
//! - fairness: how late a 10 ms timer fires on a current-thread runtime while a guest spins on
//!   the same thread, against the same timer on an idle runtime. The time criterion reports is
//!   the lateness per timer, not the time of an iteration.
//!
//! `cargo bench -p tairitsu-build-e2e --bench async_calls`

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu::wasmtime::component::{Component, Linker};
use tairitsu::wasmtime::{Config, Engine, Store};
use tairitsu::{Container, Image, Limits};

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

/// One container of `root` per mode, the same image: sync, and async (`with_async(true)`).
fn sync_and_async(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let image = Image::from_bytes(tairitsu_fixtures::root()).expect("root");
    let mut sync = Container::builder(image.clone())
        .with_wasi(false)
        .with_bindings::<tairitsu_build_e2e::root::Root>()
        .build()
        .expect("sync container");
    let mut asynchronous = rt
        .block_on(
            Container::builder(image)
                .with_wasi(false)
                .with_async(true)
                .with_bindings::<tairitsu_build_e2e::async_root::Root>()
                .build_async(),
        )
        .expect("async container");
    use tairitsu_build_e2e::async_root::Root as AsyncRoot;
    use tairitsu_build_e2e::root::Root;

    let mut group = c.benchmark_group("container-add-sync-vs-async");
    group.bench_function("typed invoke (sync)", |bench| {
        bench.iter(|| {
            sync.invoke(|r: &Root, store| r.call_add(store, black_box(1), black_box(2)))
                .unwrap()
        })
    });
    group.bench_function("typed invoke_async", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(
                        asynchronous
                            .invoke_async(|r: &AsyncRoot, store| {
                                Box::pin(r.call_add(store, black_box(1), black_box(2)))
                            })
                            .await
                            .unwrap(),
                    );
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("RON call_ron (sync)", |bench| {
        bench.iter(|| sync.call_ron(black_box("add(1, 2)")).unwrap())
    });
    group.bench_function("RON call_ron_async", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(
                        asynchronous
                            .call_ron_async(black_box("add(1, 2)"))
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

/// The lateness of `iters` 10 ms timers on `rt`, while `spin` (if any) runs on the same thread.
fn timer_lateness(
    rt: &tokio::runtime::Runtime,
    spinner: Option<&mut Container>,
    iters: u64,
) -> Duration {
    const TIMER: Duration = Duration::from_millis(10);
    rt.block_on(async {
        let timers = async {
            // Let the guest start spinning first.
            tokio::task::yield_now().await;
            let mut late = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                tokio::time::sleep(TIMER).await;
                late += start.elapsed().saturating_sub(TIMER);
            }
            late
        };
        match spinner {
            Some(container) => {
                let interrupt = container.interrupt_handle();
                let spin = container.call_ron_async("spin()");
                let timers = async {
                    let late = timers.await;
                    interrupt.interrupt();
                    late
                };
                let (spun, late) = tokio::join!(spin, timers);
                assert!(spun.is_err(), "the spin ends only when interrupted");
                container.restart_async().await.expect("restart");
                late
            }
            None => timers.await,
        }
    })
}

fn fairness(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let image = Image::from_bytes(tairitsu_fixtures::faults()).expect("faults");
    let mut spinner = rt
        .block_on(
            Container::builder(image)
                .with_async(true)
                .with_limits(Limits::new().deadline(None))
                .build_async(),
        )
        .expect("async container");
    let mut group = c.benchmark_group("timer-lateness-10ms-current-thread");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_millis(500));
    group.bench_function("idle runtime", |bench| {
        bench.iter_custom(|iters| timer_lateness(&rt, None, iters))
    });
    group.bench_function("async guest spinning on the same thread", |bench| {
        bench.iter_custom(|iters| timer_lateness(&rt, Some(&mut spinner), iters))
    });
    group.finish();
}

criterion_group!(benches, async_calls, sync_and_async, fairness);
criterion_main!(benches);
