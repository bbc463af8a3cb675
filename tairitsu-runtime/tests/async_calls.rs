//! Async containers: host imports that await, calls that yield, deadlines that hold across
//! awaits, cancellation by dropping a future or by an interrupt handle.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, ContainerState, Error, Image, Limits, Registry};

fn image(bytes: Vec<u8>) -> Image {
    Image::from_bytes(bytes).expect("fixture loads")
}

/// The `host_import` fixture (`run(x) = double(x) + 1`) with a `double` that awaits `delay`
/// before answering, counted in `calls`.
fn awaiting_imports(delay: Duration, calls: Arc<AtomicU32>) -> HostImports {
    HostImports::new()
        .ron_func("test:host/log#log", |_| Ok("()".into()))
        .func_async("test:host/math#double", move |args| {
            let calls = calls.clone();
            async move {
                tokio::time::sleep(delay).await;
                calls.fetch_add(1, Ordering::Relaxed);
                match args.as_slice() {
                    [Val::U32(x)] => Ok(vec![Val::U32(x * 2)]),
                    other => Err(format!("expected one u32, got {other:?}")),
                }
            }
        })
}

async fn awaiting_container(delay: Duration, calls: Arc<AtomicU32>) -> Container {
    Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_imports(awaiting_imports(delay, calls))
        .build_async()
        .await
        .expect("async container starts")
}

#[tokio::test]
async fn an_awaiting_host_import_serves_the_guest() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut c = awaiting_container(Duration::from_millis(20), calls.clone()).await;
    assert!(c.is_async());
    assert_eq!(c.call_ron_async("run(20)").await.unwrap(), "41");
    assert_eq!(c.call_wave_async("run(1)").await.unwrap(), "3");
    assert_eq!(
        c.call_guest_binary_async("run", &[Val::U32(5)])
            .await
            .unwrap(),
        [Val::U32(11)]
    );
    assert_eq!(calls.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn a_ron_closure_may_await_too() {
    let imports = HostImports::new()
        .ron_func("test:host/log#log", |_| Ok("()".into()))
        .ron_func_async("test:host/math#double", |args| async move {
            tokio::task::yield_now().await;
            let x: u32 = args
                .trim_matches(['(', ')'])
                .parse()
                .map_err(|e| format!("{e}"))?;
            Ok((x * 2).to_string())
        });
    let mut c = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_imports(imports)
        .build_async()
        .await
        .unwrap();
    assert_eq!(c.call_ron_async("run(4)").await.unwrap(), "9");
}

#[tokio::test]
async fn sync_calls_on_an_async_container_are_a_clear_error() {
    let mut c = awaiting_container(Duration::ZERO, Arc::default()).await;
    let err = c.call_ron("run(1)").unwrap_err();
    assert!(
        matches!(
            err,
            Error::CallMode {
                asynchronous: true,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("call_ron_async"), "{err}");
    // Nothing broke: the container still answers the async way.
    assert_eq!(*c.state(), ContainerState::Running);
    assert_eq!(c.call_ron_async("run(1)").await.unwrap(), "3");
    // And `build` is not the way to start one.
    let err = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_imports(awaiting_imports(Duration::ZERO, Arc::default()))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::CallMode { .. }), "{err}");
    // The other way round: a sync container refuses async calls.
    let mut sync = Container::builder(image(tairitsu_fixtures::root()))
        .build()
        .unwrap();
    let err = sync.call_ron_async("add(1, 2)").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::CallMode {
                asynchronous: false,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(sync.call_ron("add(1, 2)").unwrap(), "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_over_eight_containers() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .load_image("host:1", tairitsu_fixtures::host_import())
        .unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let mut handles = Vec::new();
    for i in 0..8 {
        let imports = awaiting_imports(Duration::from_millis(2), calls.clone());
        let handle = registry
            .run_async("host:1", Some(&format!("host-{i}")), |b| {
                Ok(b.with_host_imports(imports))
            })
            .await
            .unwrap();
        handles.push(handle);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..1000u32 {
        let handle = handles[(n % 8) as usize].clone();
        tasks.spawn(async move {
            let mut container = handle.lock_async().await;
            let answer = container.call_ron_async(&format!("run({n})")).await;
            (n, answer)
        });
    }
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (n, answer) = joined.expect("task ran");
        assert_eq!(answer.unwrap(), (n * 2 + 1).to_string());
        done += 1;
    }
    assert_eq!(done, 1000);
    assert_eq!(calls.load(Ordering::Relaxed), 1000);
    for c in registry.containers() {
        assert_eq!(c.state, ContainerState::Running, "{}", c.id);
    }
}

#[test]
fn a_spinning_guest_yields_to_other_tasks_on_its_thread() {
    // One thread: the spinning guest and a timer share it. The guest yields at every epoch tick
    // (10 ms), so the timer fires about on time instead of after the guest's deadline.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut c = Container::builder(image(tairitsu_fixtures::faults()))
            .with_async(true)
            .with_limits(Limits::new().deadline(Some(Duration::from_millis(600))))
            .build_async()
            .await
            .unwrap();
        let spin = async { c.call_ron_async("spin()").await };
        let timer = async {
            // Let the guest start spinning first.
            tokio::task::yield_now().await;
            let start = Instant::now();
            tokio::time::sleep(Duration::from_millis(10)).await;
            start.elapsed()
        };
        let (spun, late) = tokio::join!(spin, timer);
        assert!(
            matches!(spun, Err(Error::DeadlineExceeded { .. })),
            "{spun:?}"
        );
        // Two ticks of 10 ms past the timer's 10 ms, with room for a loaded machine; without
        // yielding it would be the guest's 600 ms deadline.
        assert!(
            late < Duration::from_millis(150),
            "the timer fired {late:?} late"
        );
        c.restart_async().await.unwrap();
        assert_eq!(c.call_ron_async("count()").await.unwrap(), "1");
    });
}

#[tokio::test]
async fn the_deadline_covers_host_awaits() {
    // The import sleeps 5 s; the call's deadline is 200 ms, and no wasm runs meanwhile.
    let mut c = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_imports(awaiting_imports(Duration::from_secs(5), Arc::default()))
        .with_limits(Limits::new().deadline(Some(Duration::from_millis(200))))
        .build_async()
        .await
        .unwrap();
    let start = Instant::now();
    let err = c.call_ron_async("run(1)").await.unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert!(matches!(c.state(), ContainerState::Failed { .. }));
    c.restart_async().await.unwrap();
    assert_eq!(c.state(), &ContainerState::Running);
}

#[tokio::test]
async fn a_dropped_call_future_fails_the_container_until_restart() {
    let mut c = awaiting_container(Duration::from_secs(5), Arc::default()).await;
    {
        let call = c.call_ron_async("run(1)");
        // Give up on it after 20 ms: the future is dropped mid-call.
        let out = tokio::time::timeout(Duration::from_millis(20), call).await;
        assert!(out.is_err(), "the call should still be waiting");
    }
    match c.state() {
        ContainerState::Failed { reason } => assert!(reason.contains("cancelled"), "{reason}"),
        other => panic!("expected failed, got {other}"),
    }
    let err = c.call_ron_async("run(1)").await.unwrap_err();
    assert!(matches!(err, Error::ContainerFailed { .. }), "{err}");
    c.restart_async().await.unwrap();
    let mut fast = awaiting_container(Duration::ZERO, Arc::default()).await;
    assert_eq!(fast.call_ron_async("run(2)").await.unwrap(), "5");
}

#[tokio::test]
async fn an_interrupt_handle_stops_an_awaiting_call() {
    let mut c = awaiting_container(Duration::from_secs(5), Arc::default()).await;
    let handle = c.interrupt_handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        handle.interrupt();
    });
    let start = Instant::now();
    let err = c.call_ron_async("run(1)").await.unwrap_err();
    assert!(matches!(err, Error::Interrupted { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2));
    c.restart_async().await.unwrap();
    assert_eq!(c.state(), &ContainerState::Running);
}

#[test]
fn an_interrupt_handle_stops_a_spinning_sync_call() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .with_limits(Limits::new().deadline(None))
        .build()
        .unwrap();
    let handle = c.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let err = c.call_ron("spin()").unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(err, Error::Interrupted { .. }), "{err}");
    c.restart().unwrap();
    assert_eq!(c.call_ron("count()").unwrap(), "1");
    // An interrupt between calls does not reach the next one.
    c.interrupt_handle().interrupt();
    assert_eq!(c.call_ron("count()").unwrap(), "2");
}

#[test]
fn futures_and_containers_are_send() {
    fn send<S: Send>(_: &S) {}
    let mut c = Container::builder(image(tairitsu_fixtures::root()))
        .build()
        .unwrap();
    send(&c.call_ron_async("add(1, 2)"));
    send(&c.call_guest_binary_async("add", &[]));
    send(&c.restart_async());
    send(&c);
    let registry = Registry::new().unwrap();
    send(&registry.restart_async("x"));
}
