//! The registry under concurrency: host imports that reach for their own container, stopping
//! and removing busy containers, and removals racing runs and restarts.
//!
//! Every wait that a bug would make endless runs on its own thread and is bounded here, so a
//! regression fails the test instead of hanging it.

use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{ContainerHandle, ContainerState, Error, Limits, Registry};

/// Runs `f` on a thread and answers its result, or fails the test after `limit`.
fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    match receive.recv_timeout(limit) {
        Ok(out) => out,
        Err(_) => panic!("{what} did not return within {limit:?}: a deadlock"),
    }
}

/// What the host import did when it reached for its own container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Stop,
    Remove,
    Restart,
    CheckedLock,
    /// `lock()`, which panics rather than waiting for itself.
    Lock,
}

/// A registry running the host-import guest as `me`, whose `double` import does `reach` to
/// `me` and records the error it got.
fn reaching(reach: Reach) -> (Arc<Registry>, ContainerHandle, Arc<Mutex<Option<Error>>>) {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .load_image("host:1", tairitsu_fixtures::host_import())
        .unwrap();
    let seen: Arc<Mutex<Option<Error>>> = Arc::default();
    // The import needs the registry, which holds the container, which holds the import.
    let cell: Arc<OnceLock<Arc<Registry>>> = Arc::default();
    let imports = {
        let (cell, seen) = (cell.clone(), seen.clone());
        HostImports::new()
            .func("test:host/log@0.1.0#log", |_| Ok(vec![]))
            .func("test:host/math@0.1.0#double", move |args| {
                let registry = cell.get().ok_or("no registry")?;
                let outcome = match reach {
                    Reach::Stop => registry.stop("me"),
                    Reach::Remove => registry.remove("me", true),
                    Reach::Restart => registry.restart("me"),
                    Reach::CheckedLock => registry
                        .container("me")
                        .and_then(|me| me.checked_lock().map(drop)),
                    Reach::Lock => registry.container("me").map(|me| drop(me.lock())),
                };
                match outcome {
                    Ok(()) => Ok(args.to_vec()),
                    Err(e) => {
                        let message = e.to_string();
                        *seen.lock().unwrap() = Some(e);
                        Err(message)
                    }
                }
            })
    };
    let handle = registry
        .run("host:1", Some("me"), |b| Ok(b.with_host_imports(imports)))
        .unwrap();
    cell.set(registry.clone()).ok().unwrap();
    (registry, handle, seen)
}

#[test]
fn bug_a_host_import_reaching_for_its_own_container_deadlocked() {
    for reach in [
        Reach::Stop,
        Reach::Remove,
        Reach::Restart,
        Reach::CheckedLock,
    ] {
        let (registry, handle, seen) = reaching(reach);
        let call = handle.clone();
        let err = within(Duration::from_secs(30), "the call", move || {
            call.lock()
                .call_guest_binary("run", &[Val::U32(1)])
                .unwrap_err()
        });
        assert!(matches!(err, Error::Host { .. }), "{reach:?}: {err}");
        let got = seen.lock().unwrap().take();
        assert!(
            matches!(&got, Some(Error::ReentrantLock { container }) if container == "me"),
            "{reach:?}: {got:?}"
        );
        // The import's failure failed the call (as any failing host import does), and the
        // operation did not happen: the container was neither stopped nor removed.
        assert!(
            matches!(handle.state(), ContainerState::Failed { .. }),
            "{reach:?}: {:?}",
            handle.state()
        );
        assert!(registry.container("me").is_ok(), "{reach:?}");
        // From outside a call, the registry may stop it (and the import's failure stays the
        // import's): the same operations succeed.
        registry.stop("me").unwrap();
        assert_eq!(handle.state(), ContainerState::Stopped);
        registry.restart("me").unwrap();
        registry.remove("me", true).unwrap();
    }
}

#[test]
fn lock_from_inside_its_own_call_fails_the_call_instead_of_hanging() {
    let (_registry, handle, _) = reaching(Reach::Lock);
    let call = handle.clone();
    let err = within(Duration::from_secs(30), "the call", move || {
        call.lock()
            .call_guest_binary("run", &[Val::U32(1)])
            .unwrap_err()
    });
    // The panic of `lock` is caught at the call, which fails.
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(
        err.to_string().contains("lock the container itself"),
        "{err}"
    );
    handle.lock().restart().unwrap();
    // Other containers may be locked from an import: only its own is refused.
    assert!(handle.checked_lock().is_ok());
}

/// A registry with a `faults` container named `name` whose calls have no deadline.
fn spinner(registry: &Registry, name: &str) -> ContainerHandle {
    if registry.image("faults").is_err() {
        registry
            .load_image("faults", tairitsu_fixtures::faults())
            .unwrap();
    }
    registry
        .run("faults", Some(name), |b| {
            Ok(b.with_limits(Limits::new().deadline(None)))
        })
        .unwrap()
}

/// Starts `spin()` on another thread and waits until it holds the container.
fn spin(handle: &ContainerHandle) -> std::thread::JoinHandle<Error> {
    let call = handle.clone();
    let entered = Arc::new(Barrier::new(2));
    let inside = entered.clone();
    let thread = std::thread::spawn(move || {
        let mut container = call.lock();
        inside.wait();
        container.call_ron("spin()").unwrap_err()
    });
    entered.wait();
    thread
}

#[test]
fn bug_stop_and_remove_of_a_busy_container_waited_forever() {
    let registry = Arc::new(Registry::new().unwrap());

    // stop: the endless call is interrupted and the container is stopped.
    let handle = spinner(&registry, "spinner");
    let spinning = spin(&handle);
    let started = Instant::now();
    let stopper = registry.clone();
    within(Duration::from_secs(20), "stop", move || {
        stopper.stop("spinner").unwrap()
    });
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(matches!(
        spinning.join().unwrap(),
        Error::Interrupted { .. }
    ));
    assert_eq!(handle.state(), ContainerState::Stopped);
    registry.restart("spinner").unwrap();
    assert_eq!(handle.lock().call_ron("ok()").unwrap(), "42");

    // remove without force: refused at once, the call goes on.
    let spinning = spin(&handle);
    let remover = registry.clone();
    let err = within(Duration::from_secs(20), "remove", move || {
        remover.remove("spinner", false).unwrap_err()
    });
    assert!(matches!(err, Error::ContainerRunning { .. }), "{err}");
    // remove with force: interrupted, stopped and gone.
    let remover = registry.clone();
    within(Duration::from_secs(20), "forced remove", move || {
        remover.remove("spinner", true).unwrap()
    });
    assert!(matches!(
        spinning.join().unwrap(),
        Error::Interrupted { .. }
    ));
    assert_eq!(handle.state(), ContainerState::Stopped);
    assert!(matches!(
        registry.container("spinner"),
        Err(Error::ContainerNotFound(_))
    ));

    // stop_async: the same from a task.
    let handle = spinner(&registry, "async-spinner");
    let spinning = spin(&handle);
    let stopper = registry.clone();
    within(Duration::from_secs(20), "stop_async", move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(stopper.stop_async("async-spinner"))
            .unwrap()
    });
    assert!(matches!(
        spinning.join().unwrap(),
        Error::Interrupted { .. }
    ));
    assert_eq!(handle.state(), ContainerState::Stopped);
}

#[test]
fn bug_remove_image_and_run_raced_into_a_container_on_a_removed_image() {
    let registry = Arc::new(Registry::new().unwrap());
    let (mut removed, mut ran, mut both) = (0, 0, 0);
    for round in 0..150 {
        registry
            .load_image("calc:1", tairitsu_fixtures::calc())
            .unwrap();
        let go = Arc::new(Barrier::new(2));
        let (r, g) = (registry.clone(), go.clone());
        let runner = std::thread::spawn(move || {
            g.wait();
            r.run("calc:1", None, Ok).is_ok()
        });
        go.wait();
        let removed_now = registry.remove_image("calc:1", false).is_ok();
        let ran_now = runner.join().unwrap();
        // The invariant: every container's image is still in the registry.
        for row in registry.containers() {
            let digest = registry.container(&row.id).unwrap().digest();
            assert!(
                registry.image(&digest).is_ok(),
                "round {round}: container {} runs on removed image {digest}",
                row.id
            );
        }
        removed += usize::from(removed_now);
        ran += usize::from(ran_now);
        both += usize::from(removed_now && ran_now);
        for row in registry.containers() {
            registry.remove(&row.id, true).unwrap();
        }
        let _ = registry.remove_image("calc:1", true);
    }
    // Both orders happened, and they never both won.
    assert!(removed > 0 && ran > 0, "removed {removed}, ran {ran}");
    assert_eq!(both, 0);
}

#[test]
fn bug_a_restart_racing_remove_resurrected_the_removed_container() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .load_image("calc:1", tairitsu_fixtures::calc())
        .unwrap();
    for round in 0..300 {
        let handle = registry.run("calc:1", Some("c"), Ok).unwrap();
        let go = Arc::new(Barrier::new(2));
        let (r, g) = (registry.clone(), go.clone());
        let restarter = std::thread::spawn(move || {
            g.wait();
            r.restart("c")
        });
        go.wait();
        registry.remove("c", true).unwrap();
        match restarter.join().unwrap() {
            // Restarted before the removal, or found it removed.
            Ok(()) | Err(Error::ContainerNotFound(_)) => {}
            Err(e) => panic!("round {round}: {e}"),
        }
        // Removed means gone and stopped, whoever won.
        assert!(registry.container("c").is_err(), "round {round}");
        assert_eq!(handle.state(), ContainerState::Stopped, "round {round}");
        assert!(
            handle.lock().call_ron("add(1, 2)").is_err(),
            "round {round}"
        );
    }
}
