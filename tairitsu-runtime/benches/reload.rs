//! Hot reload: the latency of a call while rollouts run against the same call without one
//! (same binary, same containers), and the time from writing a new version of a watched file
//! to the first answer from it.
//!
//! `cargo bench -p tairitsu-runtime --bench reload`

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tairitsu_runtime::{CacheDir, Engine, EngineConfig, Image, Registry, RolloutPolicy};

const TAG: &str = "plugin:live";

fn registry() -> Registry {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap();
    Registry::with_engine(engine)
}

fn during_rollout(c: &mut Criterion) {
    let registry = Arc::new(registry());
    let versions = [
        Image::from_bytes_with(registry.engine(), tairitsu_fixtures::plugin(1)).unwrap(),
        Image::from_bytes_with(registry.engine(), tairitsu_fixtures::plugin(2)).unwrap(),
    ];
    registry.update_image(TAG, versions[0].clone()).unwrap();
    let called = registry.run(TAG, Some("called"), Ok).unwrap();
    // Three more containers of the tag, so that each rollout has work besides the one called.
    for _ in 0..3 {
        registry.run(TAG, None, Ok).unwrap();
    }
    let policy = RolloutPolicy::new().with_health_call("healthy()", "true");

    let mut group = c.benchmark_group("call version()");
    group.bench_function("no rollout", |b| {
        b.iter(|| called.lock().call_ron("version()").unwrap());
    });

    // Rollouts back to back on another thread, alternating the two versions.
    let stop = Arc::new(AtomicBool::new(false));
    let rollouts = {
        let (registry, stop, policy) = (registry.clone(), stop.clone(), policy.clone());
        std::thread::spawn(move || {
            let mut done = 0u64;
            // At least one, even when the calls are over at once (`cargo test --benches`).
            loop {
                let next = versions[((done + 1) % 2) as usize].clone();
                registry.update_image(TAG, next).unwrap();
                registry.rollout(TAG, &policy).unwrap();
                done += 1;
                if stop.load(Ordering::Relaxed) {
                    break done;
                }
            }
        })
    };
    let mut answers = [0u64; 2];
    group.bench_function("during rollouts", |b| {
        b.iter(|| {
            let answer = called.lock().call_ron("version()").unwrap();
            answers[usize::from(answer == "2")] += 1;
        });
    });
    group.finish();
    stop.store(true, Ordering::Relaxed);
    let done = rollouts.join().unwrap();
    assert!(done > 0, "no rollout ran");
    // A real run (not the one-iteration smoke run) calls across many rollouts.
    if answers.iter().sum::<u64>() > 10_000 {
        assert!(
            answers[0] > 0 && answers[1] > 0,
            "both versions answered: {answers:?}"
        );
    }
    println!("{done} rollouts of 4 containers ran during the calls; answers {answers:?} (1, 2)");
}

/// Written aside, then renamed over the watched file, as build tools do.
fn replace(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("partial");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

fn write_to_answer(c: &mut Criterion) {
    let registry = Arc::new(registry());
    let dir = std::env::temp_dir().join(format!("tairitsu-bench-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plugin.wasm");
    replace(&file, &tairitsu_fixtures::plugin(1));
    registry.load_image_file(TAG, &file).unwrap();
    let called = registry.run(TAG, Some("called"), Ok).unwrap();
    let _watch = registry.watch(&file, TAG).unwrap();

    let mut group = c.benchmark_group("watched file");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    let mut next = 2u32;
    // Each iteration writes a version never seen before (so it is compiled), then calls until
    // it answers. The debounce (50 ms) is part of the figure.
    group.bench_function("write to first answer (new version, compiled)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let bytes = tairitsu_fixtures::plugin(next);
                let expected = next.to_string();
                next += 1;
                let written = Instant::now();
                replace(&file, &bytes);
                loop {
                    if called.lock().call_ron("version()").unwrap() == expected {
                        break;
                    }
                    assert!(
                        written.elapsed() < Duration::from_secs(10),
                        "version {expected} did not answer within 10 s"
                    );
                }
                total += written.elapsed();
            }
            total
        });
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, during_rollout, write_to_answer);
criterion_main!(benches);
