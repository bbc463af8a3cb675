//! Many live containers in one process: how much memory 10,000 containers of a small guest
//! take with the pooling allocator, and how many calls per second they answer from one and two
//! threads.
//!
//! `cargo bench -p tairitsu-runtime --bench density` (add `-- --quick` for a small run;
//! `cargo test --benches` runs it small too)
//!
//! Not a criterion bench: it measures resident memory and throughput, and prints them.

#![allow(missing_docs, reason = "a bench binary")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tairitsu_runtime::wasmtime::PoolingAllocationConfig;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{CacheDir, Container, Engine, EngineConfig, Image, Limits};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`, CI's smoke run) or
    // with `--quick`, run small.
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--quick");
    let count: u32 = if quick { 500 } else { 10_000 };
    let slots = count + 16;

    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(slots)
        .total_core_instances(slots * 2)
        .total_memories(slots)
        .total_tables(slots)
        .max_memory_size(1 << 20);
    let engine = Engine::new(
        EngineConfig::new()
            .pooling_config(pooling)
            .memory_reservation(1 << 20)
            .memory_guard_size(64 << 10)
            .cache(CacheDir::Disabled),
    )
    .expect("engine");
    let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).expect("image");

    let before = rss_bytes();
    let started = Instant::now();
    let containers: Vec<Container> = (0..count)
        .map(|_| {
            Container::builder(image.clone())
                .with_wasi(false)
                .with_limits(Limits::new().max_memory(1 << 20))
                .build()
                .expect("container")
        })
        .collect();
    let build_time = started.elapsed();
    let after = rss_bytes();
    println!(
        "{count} live containers: RSS {:.1} MiB before, {:.1} MiB after, {:.1} KiB per container; \
         built in {:.2?} ({:.1} µs each)",
        mib(before),
        mib(after),
        (after - before) as f64 / 1024.0 / f64::from(count),
        build_time,
        build_time.as_secs_f64() * 1e6 / f64::from(count),
    );

    // Calls per second over all containers, from one thread and then two.
    let containers: Arc<Vec<parking_lot::Mutex<Container>>> = Arc::new(
        containers
            .into_iter()
            .map(parking_lot::Mutex::new)
            .collect(),
    );
    let window = if quick {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(3)
    };
    let mut rates = Vec::new();
    for threads in [1usize, 2] {
        let stop = Arc::new(AtomicBool::new(false));
        let calls = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (containers, stop, calls) = (containers.clone(), stop.clone(), calls.clone());
                std::thread::spawn(move || {
                    let mut i = t;
                    let mut local = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let mut c = containers[i % containers.len()].lock();
                        let out = c
                            .call_guest_binary("add", &[Val::U32(1), Val::U32(2)])
                            .expect("add");
                        assert_eq!(out, [Val::U32(3)]);
                        local += 1;
                        i += threads;
                    }
                    calls.fetch_add(local, Ordering::Relaxed);
                })
            })
            .collect();
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            h.join().expect("thread");
        }
        let rate = calls.load(Ordering::Relaxed) as f64 / window.as_secs_f64();
        println!("{threads} thread(s): {rate:.0} calls/s over {count} containers");
        rates.push(rate);
    }
    println!("scaling 1 -> 2 threads: {:.2}x", rates[1] / rates[0]);
}
