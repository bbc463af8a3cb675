//! Hot reload: versions per tag, container upgrades, rollouts with checks and automatic
//! rollback, state hand-off, and watched files, on real components.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use tairitsu_fixtures::{plugin, plugin_incompatible, plugin_trapping, plugin_unhealthy};
use tairitsu_runtime::{
    Container, Error, Image, Registry, RegistryEvent, RolloutPolicy, export_differences,
};

const TAG: &str = "plugin:live";

fn image(registry: &Registry, bytes: &[u8]) -> Image {
    Image::from_bytes_with(registry.engine(), bytes).expect("fixture loads")
}

fn version(registry: &Registry, id: &str) -> String {
    registry
        .container(id)
        .expect("container")
        .lock()
        .call_ron("version()")
        .expect("version() answers")
}

fn drain(events: &Receiver<RegistryEvent>) -> Vec<RegistryEvent> {
    events.try_iter().collect()
}

fn healthy_policy() -> RolloutPolicy {
    RolloutPolicy::new().with_health_call("healthy()", "true")
}

#[test]
fn a_tag_keeps_its_last_versions_and_rolls_back() {
    let registry = Registry::new().unwrap();
    registry.keep_versions(3);
    let digests: Vec<String> = (1..=4)
        .map(|v| {
            registry
                .update_image(TAG, image(&registry, &plugin(v)))
                .unwrap()
                .digest()
        })
        .collect();
    let history: Vec<String> = registry
        .image_history(TAG)
        .unwrap()
        .iter()
        .map(Image::digest)
        .collect();
    assert_eq!(
        history,
        vec![digests[3].clone(), digests[2].clone(), digests[1].clone()]
    );

    let c = registry.run(TAG, Some("newest"), Ok).unwrap();
    assert_eq!(version(&registry, c.id()), "4");
    assert_eq!(c.reference().map(ToString::to_string).as_deref(), Some(TAG));

    assert_eq!(registry.rollback(TAG).unwrap().digest(), digests[2]);
    let c3 = registry.run(TAG, None, Ok).unwrap();
    assert_eq!(
        version(&registry, c3.id()),
        "3",
        "new containers start on the current image"
    );
    assert_eq!(registry.rollback(TAG).unwrap().digest(), digests[1]);
    assert!(matches!(
        registry.rollback(TAG),
        Err(Error::NoPreviousVersion(_))
    ));
    assert_eq!(registry.image_history(TAG).unwrap().len(), 1);
    // The container started on version 4 keeps running it until a rollout moves it.
    assert_eq!(version(&registry, c.id()), "4");
    let rollout = registry
        .rollout(TAG, &RolloutPolicy::new().with_batch(2))
        .unwrap();
    assert_eq!(rollout.upgraded.len(), 2);
    assert_eq!(version(&registry, c.id()), "2");
    assert_eq!(version(&registry, c3.id()), "2");
}

#[test]
fn a_container_upgrades_with_its_host_data_and_stays_put_when_the_new_image_does_not_link() {
    let registry = Registry::new().unwrap();
    let v1 = image(&registry, &plugin(1));
    let v2 = image(&registry, &plugin(2));
    let mut container = Container::builder(v1)
        .with_host_state(42u32)
        .build()
        .unwrap();
    assert_eq!(container.call_ron("bump()").unwrap(), "1");
    container.upgrade(v2.clone()).unwrap();
    assert_eq!(container.call_ron("version()").unwrap(), "2");
    assert_eq!(container.data(), Some(&42));
    assert_eq!(container.generation(), 2);
    assert_eq!(container.image().digest(), v2.digest());
    assert_eq!(
        container.call_ron("bump()").unwrap(),
        "1",
        "a fresh instance"
    );

    // host_import needs imports this container does not provide: refused before anything moves.
    let unlinkable = image(&registry, &tairitsu_fixtures::host_import());
    let err = container.upgrade(unlinkable).unwrap_err();
    assert!(matches!(err, Error::MissingImports { .. }), "{err}");
    assert_eq!(
        container.call_ron("bump()").unwrap(),
        "2",
        "the same instance serves"
    );
    assert_eq!(container.image().digest(), v2.digest());
    assert_eq!(container.generation(), 2);
}

#[test]
fn four_threads_call_while_the_tag_alternates_twenty_times() {
    let registry = Arc::new(Registry::new().unwrap());
    let versions = [image(&registry, &plugin(1)), image(&registry, &plugin(2))];
    registry.update_image(TAG, versions[0].clone()).unwrap();
    let ids: Vec<String> = (0..4)
        .map(|i| {
            registry
                .run(TAG, Some(&format!("c{i}")), Ok)
                .unwrap()
                .id()
                .to_string()
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (registry, ids, stop, answers) =
                (registry.clone(), ids.clone(), stop.clone(), answers.clone());
            std::thread::spawn(move || -> Result<(u64, Duration), String> {
                let mut calls = 0u64;
                let mut slowest = Duration::ZERO;
                while !stop.load(Ordering::Relaxed) {
                    let id = &ids[(t + calls as usize) % ids.len()];
                    let handle = registry.container(id).map_err(|e| e.to_string())?;
                    let started = Instant::now();
                    let answer = handle
                        .lock()
                        .call_ron("version()")
                        .map_err(|e| e.to_string())?;
                    slowest = slowest.max(started.elapsed());
                    match answer.as_str() {
                        "1" => answers[0].fetch_add(1, Ordering::Relaxed),
                        "2" => answers[1].fetch_add(1, Ordering::Relaxed),
                        other => return Err(format!("answer {other} from no version")),
                    };
                    calls += 1;
                }
                Ok((calls, slowest))
            })
        })
        .collect();
    let policy = healthy_policy();
    let mut rollouts = Duration::ZERO;
    for round in 0..20 {
        let next = &versions[(round + 1) % 2];
        let started = Instant::now();
        registry.update_image(TAG, next.clone()).unwrap();
        let rollout = registry.rollout(TAG, &policy).unwrap();
        rollouts += started.elapsed();
        assert_eq!(rollout.upgraded.len(), 4, "round {round}");
        let expected = ((round + 1) % 2 + 1).to_string();
        for id in &ids {
            assert_eq!(version(&registry, id), expected, "round {round}: switched");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::Relaxed);
    let (mut total, mut slowest) = (0, Duration::ZERO);
    for thread in threads {
        let (calls, slowest_call) = thread.join().unwrap().expect("no call fails");
        total += calls;
        slowest = slowest.max(slowest_call);
    }
    assert!(total >= 4, "the threads called ({total} calls)");
    // Loose bounds on a shared machine: a call waits for at most one upgrade.
    assert!(slowest < Duration::from_secs(2), "slowest call {slowest:?}");
    assert!(
        rollouts / 20 < Duration::from_secs(2),
        "mean rollout {:?}",
        rollouts / 20
    );
    eprintln!(
        "{total} calls, slowest {slowest:?}; mean rollout of 4 containers {:?}",
        rollouts / 20
    );
    assert!(answers[0].load(Ordering::Relaxed) > 0 && answers[1].load(Ordering::Relaxed) > 0);
    assert_eq!(registry.image_history(TAG).unwrap().len(), 2);
}

#[test]
fn a_version_failing_its_health_check_leaves_the_previous_one_serving() {
    let registry = Registry::new().unwrap();
    let events = registry.events();
    let v1 = registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let a = registry.run(TAG, Some("a"), Ok).unwrap();
    let b = registry.run(TAG, Some("b"), Ok).unwrap();
    registry
        .update_image(TAG, image(&registry, &plugin_unhealthy(2)))
        .unwrap();
    let err = registry.rollout(TAG, &healthy_policy()).unwrap_err();
    let Error::RolledBack { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::HealthCheck { .. }), "{source}");
    assert_eq!(
        registry.image(TAG).unwrap().digest(),
        v1.digest(),
        "the tag points back"
    );
    assert_eq!(version(&registry, a.id()), "1");
    assert_eq!(version(&registry, b.id()), "1");
    let events = drain(&events);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RegistryEvent::UpgradeFailed { .. }))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RegistryEvent::TagRolledBack { .. }))
    );
    assert!(events.iter().any(
        |e| matches!(e, RegistryEvent::RolloutRolledBack { error, .. }
            if matches!(**error, Error::HealthCheck { .. }))
    ));
}

#[test]
fn a_version_trapping_on_its_first_call_is_rolled_back() {
    let registry = Arc::new(Registry::new().unwrap());
    let events = registry.events();
    let v1 = registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let handle = registry.run(TAG, None, Ok).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let caller = {
        let (handle, stop) = (handle.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut traps = 0;
            while !stop.load(Ordering::Relaxed) {
                match handle.lock().call_ron("version()") {
                    Ok(answer) => assert_eq!(answer, "1", "only version 1 answers"),
                    Err(_) => traps += 1,
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            traps
        })
    };
    registry
        .update_image(TAG, image(&registry, &plugin_trapping()))
        .unwrap();
    let policy = RolloutPolicy::new().with_first_call_window(Duration::from_secs(5));
    let err = registry.rollout(TAG, &policy).unwrap_err();
    let Error::RolledBack { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(**source, Error::ContainerFailed { .. }),
        "{source}"
    );
    assert_eq!(registry.image(TAG).unwrap().digest(), v1.digest());
    assert_eq!(handle.lock().call_ron("version()").unwrap(), "1");
    stop.store(true, Ordering::Relaxed);
    let traps = caller.join().unwrap();
    assert!(traps >= 1, "the first call on the new version trapped");
    assert!(
        drain(&events)
            .iter()
            .any(|e| matches!(e, RegistryEvent::RolloutRolledBack { .. }))
    );
}

#[test]
fn an_incompatible_version_is_refused_with_its_differences() {
    let registry = Registry::new().unwrap();
    let events = registry.events();
    let v1 = registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let handle = registry.run(TAG, None, Ok).unwrap();
    let changed = image(&registry, &plugin_incompatible());
    let differences = export_differences(&v1, &changed);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(differences[0].contains("version"), "{differences:?}");
    let err = registry.update_image(TAG, changed.clone()).unwrap_err();
    let Error::Incompatible {
        differences: listed,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(listed, &differences);
    assert_eq!(registry.image(TAG).unwrap().digest(), v1.digest());
    assert!(
        drain(&events)
            .iter()
            .any(|e| matches!(e, RegistryEvent::UpdateRefused { .. }))
    );

    // Forced onto the tag, the rollout still refuses it before moving anything...
    registry.update_image_forced(TAG, changed).unwrap();
    let err = registry.rollout(TAG, &RolloutPolicy::new()).unwrap_err();
    assert!(matches!(err, Error::Incompatible { .. }), "{err}");
    assert_eq!(handle.lock().call_ron("version()").unwrap(), "1");
    // ...unless the rollout is forced too.
    let checked =
        RolloutPolicy::new()
            .forced(true)
            .with_health_check(|c| match c.call_ron("version(7)") {
                Ok(answer) if answer == "7" => Ok(()),
                other => Err(format!("{other:?}")),
            });
    registry.rollout(TAG, &checked).unwrap();
    assert_eq!(handle.lock().call_ron("version(7)").unwrap(), "7");
}

#[test]
fn a_version_the_container_cannot_link_leaves_its_instance_untouched() {
    let registry = Registry::new().unwrap();
    let v1 = registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let handle = registry.run(TAG, None, Ok).unwrap();
    assert_eq!(handle.lock().call_ron("bump()").unwrap(), "1");
    registry
        .update_image_forced(TAG, image(&registry, &tairitsu_fixtures::host_import()))
        .unwrap();
    let err = registry
        .rollout(TAG, &RolloutPolicy::new().forced(true))
        .unwrap_err();
    let Error::RolledBack { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::MissingImports { .. }), "{source}");
    assert_eq!(registry.image(TAG).unwrap().digest(), v1.digest());
    assert_eq!(
        handle.lock().call_ron("bump()").unwrap(),
        "2",
        "same instance"
    );
}

#[test]
fn the_state_handoff_carries_a_counter_across_versions() {
    let registry = Registry::new().unwrap();
    registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let handle = registry.run(TAG, None, Ok).unwrap();
    for _ in 0..3 {
        handle.lock().call_ron("bump()").unwrap();
    }
    let handoff = healthy_policy().with_state_handoff("save", "load");
    registry
        .update_image(TAG, image(&registry, &plugin(2)))
        .unwrap();
    registry.rollout(TAG, &handoff).unwrap();
    assert_eq!(handle.lock().call_ron("version()").unwrap(), "2");
    assert_eq!(handle.lock().call_ron("bump()").unwrap(), "4");

    // A failed rollout hands the state back too.
    registry
        .update_image(TAG, image(&registry, &plugin_unhealthy(3)))
        .unwrap();
    registry.rollout(TAG, &handoff).unwrap_err();
    assert_eq!(handle.lock().call_ron("version()").unwrap(), "2");
    assert_eq!(handle.lock().call_ron("bump()").unwrap(), "5");

    // Without the hand-off, the guest starts from scratch.
    registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    registry.rollout(TAG, &healthy_policy()).unwrap();
    assert_eq!(handle.lock().call_ron("bump()").unwrap(), "1");
}

#[test]
fn a_watched_file_switches_within_a_second_and_a_broken_one_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.wasm");
    let bytes = [plugin(1), plugin(2)];
    std::fs::write(&path, &bytes[0]).unwrap();
    let registry = Arc::new(Registry::new().unwrap());
    let events = registry.events();
    registry.load_image_file(TAG, &path).unwrap();
    let handle = registry.run(TAG, None, Ok).unwrap();
    let _watch = registry.watch_with(&path, TAG, healthy_policy()).unwrap();
    let mut slowest = Duration::ZERO;
    for round in 0..6 {
        let next = (round + 1) % 2;
        let expected = (next + 1).to_string();
        // Written in place: the debounce waits for the write to settle.
        let written = Instant::now();
        std::fs::write(&path, &bytes[next]).unwrap();
        loop {
            let answer = handle.lock().call_ron("version()").expect("no call fails");
            if answer == expected {
                slowest = slowest.max(written.elapsed());
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(1),
                "round {round}: still `{answer}` 1 s after the write"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert!(slowest < Duration::from_secs(1));
    eprintln!("slowest switch from file write to the new version's answer: {slowest:?}");
    drain(&events);
    std::fs::write(&path, b"\0asm half a component").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let rejected = loop {
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(RegistryEvent::FileRejected { error, .. }) => break error,
            Ok(_) => {}
            Err(_) => assert!(Instant::now() < deadline, "no FileRejected event"),
        }
    };
    assert!(
        matches!(
            *rejected,
            Error::NotAComponent { .. } | Error::InvalidComponent { .. }
        ),
        "{rejected}"
    );
    assert_eq!(handle.lock().call_ron("version()").unwrap(), "1");
}

#[tokio::test]
async fn an_async_container_upgrades_with_its_host_data() {
    let registry = Registry::new().unwrap();
    let v1 = image(&registry, &plugin(1));
    let v2 = image(&registry, &plugin(2));
    let mut container = Container::builder(v1)
        .with_host_state(String::from("kept"))
        .with_async(true)
        .build_async()
        .await
        .unwrap();
    assert!(matches!(
        container.upgrade(v2.clone()),
        Err(Error::CallMode { .. })
    ));
    assert_eq!(container.call_ron_async("version()").await.unwrap(), "1");
    container.upgrade_async(v2).await.unwrap();
    assert_eq!(container.call_ron_async("version()").await.unwrap(), "2");
    assert_eq!(container.data().map(String::as_str), Some("kept"));
}

#[test]
fn four_threads_call_while_the_watched_file_is_replaced_twenty_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.wasm");
    let bytes = [plugin(1), plugin(2)];
    std::fs::write(&path, &bytes[0]).unwrap();
    let registry = Arc::new(Registry::new().unwrap());
    registry.load_image_file(TAG, &path).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| registry.run(TAG, None, Ok).unwrap())
        .collect();
    let _watch = registry.watch_with(&path, TAG, healthy_policy()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (handles, stop) = (handles.clone(), stop.clone());
            std::thread::spawn(move || -> Result<u64, String> {
                let mut calls = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let handle = &handles[(t + calls as usize) % handles.len()];
                    let answer = handle
                        .lock()
                        .call_ron("version()")
                        .map_err(|e| e.to_string())?;
                    if answer != "1" && answer != "2" {
                        return Err(format!("answer {answer} from no version"));
                    }
                    calls += 1;
                }
                Ok(calls)
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for round in 0..20 {
        let next = (round + 1) % 2;
        let expected = (next + 1).to_string();
        // Replaced as build tools do it: written aside, renamed over the watched file.
        let aside = dir.path().join("plugin.wasm.tmp");
        std::fs::write(&aside, &bytes[next]).unwrap();
        let written = Instant::now();
        std::fs::rename(&aside, &path).unwrap();
        for handle in &handles {
            loop {
                let answer = handle.lock().call_ron("version()").expect("no call fails");
                if answer == expected {
                    break;
                }
                assert!(
                    written.elapsed() < Duration::from_secs(1),
                    "round {round}: still `{answer}` 1 s after the write"
                );
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        slowest = slowest.max(written.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    let total: u64 = threads
        .into_iter()
        .map(|t| t.join().unwrap().expect("no call fails"))
        .sum();
    assert!(total >= 4, "the threads called ({total} calls)");
    eprintln!(
        "20 file replacements under {total} calls; slowest write-to-all-switched {slowest:?}"
    );
}

/// On a current-thread runtime, a task that ticks every millisecond keeps ticking while
/// `rollout_async` moves async containers through a slow (100 ms) health check: the rollout
/// does not hold the executor's one thread. The state hand-off runs with the async calls.
#[tokio::test]
async fn an_async_rollout_leaves_the_executor_free_and_moves_async_containers() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let mut handles = Vec::new();
    for _ in 0..2 {
        let handle = registry
            .run_async(TAG, None, |b| Ok(b.with_async(true)))
            .await
            .unwrap();
        for _ in 0..3 {
            handle
                .lock_async()
                .await
                .call_ron_async("bump()")
                .await
                .unwrap();
        }
        handles.push(handle);
    }
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // Let the ticker start.
    tokio::time::sleep(Duration::from_millis(5)).await;

    registry
        .update_image(TAG, image(&registry, &plugin(2)))
        .unwrap();
    let policy = RolloutPolicy::new()
        .with_state_handoff("save", "load")
        .with_health_check(|_| {
            std::thread::sleep(Duration::from_millis(100));
            Ok(())
        });
    let before = ticks.load(Ordering::Relaxed);
    let rollout = registry.rollout_async(TAG, &policy).await.unwrap();
    let during = ticks.load(Ordering::Relaxed) - before;
    ticker.abort();
    assert_eq!(rollout.upgraded.len(), 2);
    // 200 ms of health checks: a blocked executor would have ticked not once.
    assert!(
        during >= 20,
        "the executor ticked {during} times during the rollout"
    );
    for handle in &handles {
        let mut guard = handle.lock_async().await;
        assert_eq!(guard.call_ron_async("version()").await.unwrap(), "2");
        assert_eq!(guard.call_ron_async("bump()").await.unwrap(), "4");
    }

    // One container back by hand: the tag points at version 1 again.
    registry.rollback(TAG).unwrap();
    assert!(registry.upgrade_async(&handles[0]).await.unwrap());
    assert!(!registry.upgrade_async(&handles[0]).await.unwrap());
    assert_eq!(
        handles[0]
            .lock_async()
            .await
            .call_ron_async("version()")
            .await
            .unwrap(),
        "1"
    );
}

#[test]
fn an_async_rollout_outside_a_tokio_runtime_is_an_error() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .update_image(TAG, image(&registry, &plugin(1)))
        .unwrap();
    let result = futures::executor::block_on(registry.rollout_async(TAG, &RolloutPolicy::new()));
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
}
