//! Deadlines that hold while the guest waits in WASI, where the epoch check cannot reach it:
//! a real Rust guest (`examples/guests/sandbox-probe`) sleeps with `std::thread::sleep` and
//! waits on a pollable with `wasi:io/poll#poll`, in sync and async containers.
//!
//! Before this was fixed, `nap(5000)` with a 500 ms deadline failed only after 5.1 s.

use std::time::{Duration, Instant};

use tairitsu_reliability::SANDBOX_PROBE_WASM;
use tairitsu_runtime::{Container, ContainerState, Error, Image, Limits};

const DEADLINE: Duration = Duration::from_millis(500);

/// How late past the deadline a call may end on a loaded two-core machine; the point is that
/// it is nowhere near the 5 s the guest asked to sleep.
const SLACK: Duration = Duration::from_millis(400);

fn probe() -> Image {
    Image::from_file(SANDBOX_PROBE_WASM).expect("the probe loads")
}

fn sync_probe() -> Container {
    Container::builder(probe())
        .with_limits(Limits::new().deadline(Some(DEADLINE)))
        .build()
        .unwrap()
}

async fn async_probe() -> Container {
    Container::builder(probe())
        .with_async(true)
        .with_limits(Limits::new().deadline(Some(DEADLINE)))
        .build_async()
        .await
        .unwrap()
}

fn check_deadline(result: tairitsu_runtime::Result<String>, took: Duration) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(took >= DEADLINE, "ended before its deadline: {took:?}");
    assert!(took < DEADLINE + SLACK, "ended {took:?} after it began");
}

#[test]
fn a_sync_guest_sleeping_in_wasi_meets_its_deadline() {
    for call in ["nap(5000)", "poll-nap(5000)"] {
        let mut c = sync_probe();
        let start = Instant::now();
        let result = c.call_ron(call);
        check_deadline(result, start.elapsed());
        assert!(matches!(c.state(), ContainerState::Failed { .. }));
        c.restart().unwrap();
        // Short waits still complete.
        assert_eq!(c.call_ron("nap(10)").unwrap(), "()");
        assert_eq!(c.call_ron("poll-nap(10)").unwrap(), "()");
    }
}

#[test]
fn an_interrupt_reaches_a_sync_guest_sleeping_in_wasi() {
    let mut c = Container::builder(probe())
        .with_limits(Limits::new().deadline(None))
        .build()
        .unwrap();
    let handle = c.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let start = Instant::now();
    let err = c.call_ron("nap(5000)").unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(err, Error::Interrupted { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    c.restart().unwrap();
    assert_eq!(c.call_ron("nap(1)").unwrap(), "()");
}

#[tokio::test]
async fn an_async_guest_sleeping_in_wasi_meets_its_deadline() {
    for call in ["nap(5000)", "poll-nap(5000)"] {
        let mut c = async_probe().await;
        let start = Instant::now();
        let result = c.call_ron_async(call).await;
        check_deadline(result, start.elapsed());
        c.restart_async().await.unwrap();
        assert_eq!(c.call_ron_async("nap(10)").await.unwrap(), "()");
    }
}
