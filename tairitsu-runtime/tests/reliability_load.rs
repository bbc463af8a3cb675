//! Reliability under load: several threads drive many containers of one [`Registry`] at once for
//! a bounded time, mixing good calls, failing calls, restarts, temporary containers and
//! listings.
//!
//! Nothing here asserts on time, except loosely. What is checked: every call returns (a watchdog
//! fails the test if the threads do not finish long after their time is up, which is what a
//! deadlock looks like), every answer is the right one, every kind of work in the mix happened
//! (a run that made no restart, or no deadline, tested less than it claims), and the counts add
//! up: each `root` container's counter equals the `count` calls it answered, each `faults`
//! container's generation equals its restarts plus one, it trapped at most once per generation,
//! and the listings always show each container once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{ContainerState, Error, Limits, Registry};

const THREADS: usize = 6;
const ROOTS: usize = 16;
const FLAKY: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(3);
/// Far longer than any call may take: past it, the threads are stuck.
const WATCHDOG: Duration = Duration::from_secs(120);

/// What one container has seen, counted by the threads.
#[derive(Default)]
struct Seen {
    /// `count` calls answered (root containers).
    counted: AtomicU32,
    /// Successful restarts (flaky containers).
    restarts: AtomicU32,
    /// Calls that trapped (flaky containers).
    traps: AtomicU32,
}

/// What one thread did.
#[derive(Default, Debug)]
struct Tally {
    calls: u64,
    ok: u64,
    traps: u64,
    deadlines: u64,
    refused_failed: u64,
    restarts: u64,
    temporaries: u64,
    listings: u64,
}

/// A small deterministic generator, one per thread.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Tells the watchdog a thread is done, also when it panics.
struct Done(mpsc::Sender<()>);

impl Drop for Done {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

fn root_name(i: usize) -> String {
    format!("root-{i}")
}

fn flaky_name(i: usize) -> String {
    format!("flaky-{i}")
}

/// Checks a listing: ids and names unique, the long-lived containers all there, at most one
/// temporary container per thread.
fn check_listing(registry: &Registry) {
    let rows = registry.containers();
    let ids: HashSet<_> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), rows.len(), "an id listed twice: {rows:?}");
    let names: Vec<_> = rows.iter().filter_map(|r| r.name.clone()).collect();
    let unique: HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a name listed twice: {names:?}");
    for i in 0..ROOTS {
        assert!(names.contains(&root_name(i)), "{} missing", root_name(i));
    }
    for i in 0..FLAKY {
        assert!(names.contains(&flaky_name(i)), "{} missing", flaky_name(i));
    }
    let temporaries = rows.len() - ROOTS - FLAKY;
    assert!(temporaries <= THREADS, "{temporaries} temporaries");
    for row in &rows {
        if row.name.as_deref().is_some_and(|n| n.starts_with("root-")) {
            assert_eq!(row.state, ContainerState::Running, "{row:?}");
        }
    }
}

fn worker(
    t: usize,
    registry: &Registry,
    roots: &[Seen],
    flaky: &[Seen],
    stop: &AtomicBool,
) -> Tally {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1));
    let mut tally = Tally::default();
    let mut temporary = 0;
    while !stop.load(Ordering::Relaxed) {
        match rng.below(100) {
            // A good call on a root container, binary or text.
            0..=49 => {
                let i = rng.below(ROOTS);
                let handle = registry.container(&root_name(i)).unwrap();
                let (a, b) = (rng.next() as u32 >> 1, rng.next() as u32 >> 1);
                tally.calls += 1;
                match rng.below(3) {
                    0 => {
                        let out = handle
                            .lock()
                            .call_guest_binary("add", &[Val::U32(a), Val::U32(b)])
                            .unwrap();
                        assert_eq!(out, [Val::U32(a.wrapping_add(b))]);
                    }
                    1 => {
                        let out = handle.lock().call_ron(&format!("add({a}, {b})")).unwrap();
                        assert_eq!(out, a.wrapping_add(b).to_string());
                    }
                    _ => {
                        // Counting happens under the container's lock, so the counter and the
                        // tally move together.
                        let mut c = handle.lock();
                        let out = c.call_guest_binary("count", &[]).unwrap();
                        let before = roots[i].counted.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(out, [Val::U32(before + 1)], "{}", root_name(i));
                    }
                }
                tally.ok += 1;
            }
            // A call on a flaky container: fine, a trap, or a deadline.
            50..=79 => {
                let i = rng.below(FLAKY);
                let handle = registry.container(&flaky_name(i)).unwrap();
                let call = match rng.below(10) {
                    0..=5 => "ok",
                    6..=8 => "crash",
                    _ => "spin",
                };
                tally.calls += 1;
                let outcome = handle.lock().call_guest_binary(call, &[]);
                match outcome {
                    Ok(out) => {
                        assert_eq!(call, "ok");
                        assert_eq!(out, [Val::U32(42)]);
                        tally.ok += 1;
                    }
                    Err(Error::Trap { message, .. }) => {
                        assert_eq!(call, "crash", "{message}");
                        assert!(message.contains("unreachable"), "{message}");
                        flaky[i].traps.fetch_add(1, Ordering::SeqCst);
                        tally.traps += 1;
                    }
                    Err(Error::DeadlineExceeded { .. }) => {
                        assert_eq!(call, "spin");
                        tally.deadlines += 1;
                    }
                    Err(Error::ContainerFailed { .. }) => tally.refused_failed += 1,
                    Err(other) => panic!("{call} on {}: {other}", flaky_name(i)),
                }
            }
            // Restart a flaky container, failed or not.
            80..=89 => {
                let i = rng.below(FLAKY);
                let handle = registry.container(&flaky_name(i)).unwrap();
                // Restart under the lock, so the count moves with the generation.
                let mut c = handle.lock();
                c.restart().unwrap();
                flaky[i].restarts.fetch_add(1, Ordering::SeqCst);
                tally.restarts += 1;
            }
            // A temporary container: run, call, remove.
            90..=94 => {
                let name = format!("tmp-{t}-{temporary}");
                temporary += 1;
                let handle = registry.run("root:1", Some(&name), Ok).unwrap();
                tally.calls += 1;
                let out = handle.lock().call_guest_binary("count", &[]).unwrap();
                assert_eq!(out, [Val::U32(1)]);
                tally.ok += 1;
                registry.remove(&name, true).unwrap();
                assert!(registry.container(&name).is_err());
                tally.temporaries += 1;
            }
            // Listings.
            _ => {
                check_listing(registry);
                let images = registry.images();
                assert_eq!(images.len(), 2, "{images:?}");
                tally.listings += 1;
            }
        }
    }
    tally
}

#[test]
fn many_threads_over_many_containers_with_failures_and_restarts() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .load_image("root:1", tairitsu_fixtures::root())
        .unwrap();
    registry
        .load_image("faults:1", tairitsu_fixtures::faults())
        .unwrap();
    for i in 0..ROOTS {
        registry.run("root:1", Some(&root_name(i)), Ok).unwrap();
    }
    for i in 0..FLAKY {
        registry
            .run("faults:1", Some(&flaky_name(i)), |b| {
                Ok(b.with_limits(Limits::new().deadline(Some(Duration::from_millis(30)))))
            })
            .unwrap();
    }
    let roots: Arc<Vec<Seen>> = Arc::new((0..ROOTS).map(|_| Seen::default()).collect());
    let flaky: Arc<Vec<Seen>> = Arc::new((0..FLAKY).map(|_| Seen::default()).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let listings = Arc::new(AtomicU64::new(0));

    let (done, finished) = mpsc::channel();
    let started = Instant::now();
    let mut threads = Vec::new();
    for t in 0..THREADS {
        let (registry, roots, flaky, stop, done) = (
            registry.clone(),
            roots.clone(),
            flaky.clone(),
            stop.clone(),
            done.clone(),
        );
        threads.push(std::thread::spawn(move || {
            let _done = Done(done);
            worker(t, &registry, &roots, &flaky, &stop)
        }));
    }
    // One more thread only lists, all the time.
    let lister = {
        let (registry, stop, listings, done) = (
            registry.clone(),
            stop.clone(),
            listings.clone(),
            done.clone(),
        );
        std::thread::spawn(move || {
            let _done = Done(done);
            while !stop.load(Ordering::Relaxed) {
                check_listing(&registry);
                let images = registry.images();
                let used: usize = images.iter().map(|i| i.containers).sum();
                assert!((ROOTS + FLAKY..=ROOTS + FLAKY + THREADS).contains(&used));
                listings.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    drop(done);

    std::thread::sleep(RUN_FOR);
    stop.store(true, Ordering::Relaxed);
    let stopping = Instant::now();
    for _ in 0..=THREADS {
        assert!(
            finished.recv_timeout(WATCHDOG).is_ok(),
            "the threads did not stop within {WATCHDOG:?} of their time: a deadlock"
        );
    }
    let stopped_in = stopping.elapsed();
    let tallies: Vec<Tally> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    lister.join().unwrap();
    let elapsed = started.elapsed();

    let sum = |f: fn(&Tally) -> u64| tallies.iter().map(f).sum::<u64>();
    let calls = sum(|t| t.calls);
    println!(
        "{THREADS} threads, {} containers, {elapsed:?} ({stopped_in:?} to stop): {calls} calls \
         ({:.0}/s): {} ok, {} traps, {} deadlines, {} refused as failed; {} restarts, {} \
         temporary containers, {} + {} listings",
        ROOTS + FLAKY,
        calls as f64 / elapsed.as_secs_f64(),
        sum(|t| t.ok),
        sum(|t| t.traps),
        sum(|t| t.deadlines),
        sum(|t| t.refused_failed),
        sum(|t| t.restarts),
        sum(|t| t.temporaries),
        sum(|t| t.listings),
        listings.load(Ordering::Relaxed),
    );
    for (t, tally) in tallies.iter().enumerate() {
        println!("  thread {t}: {tally:?}");
        assert!(tally.calls > 0, "thread {t} made no call");
    }

    // Every kind of work happened. A typical run makes thousands of calls and hundreds of each
    // failure; these bounds only say that the mix ran, on however busy a machine.
    assert!(calls >= 100, "{calls} calls");
    for (what, n) in [
        ("good answers", sum(|t| t.ok)),
        ("traps", sum(|t| t.traps)),
        ("deadlines", sum(|t| t.deadlines)),
        ("calls refused as failed", sum(|t| t.refused_failed)),
        ("restarts", sum(|t| t.restarts)),
        ("temporary containers", sum(|t| t.temporaries)),
        (
            "listings",
            sum(|t| t.listings) + listings.load(Ordering::Relaxed),
        ),
    ] {
        assert!(n >= 1, "no {what} in {calls} calls");
    }
    // Told to stop, the threads finish their current call and stop: a call takes at most the
    // 30 ms deadline, so seconds mean something waited where it must not.
    assert!(
        stopped_in < Duration::from_secs(10),
        "{stopped_in:?} to stop"
    );
    // Each root counter is the number of `count` calls it answered.
    for (i, seen) in roots.iter().enumerate() {
        let handle = registry.container(&root_name(i)).unwrap();
        let out = handle.lock().call_guest_binary("count", &[]).unwrap();
        assert_eq!(
            out,
            [Val::U32(seen.counted.load(Ordering::SeqCst) + 1)],
            "{}",
            root_name(i)
        );
        assert_eq!(
            handle.lock().generation(),
            1,
            "{} never restarted",
            root_name(i)
        );
    }
    // Each flaky container: one start plus its restarts; at most one trap per generation.
    let mut total_traps = 0;
    for (i, seen) in flaky.iter().enumerate() {
        let handle = registry.container(&flaky_name(i)).unwrap();
        let restarts = seen.restarts.load(Ordering::SeqCst);
        let traps = seen.traps.load(Ordering::SeqCst);
        let generation = handle.lock().generation();
        assert_eq!(generation, u64::from(restarts) + 1, "{}", flaky_name(i));
        assert!(
            u64::from(traps) <= generation,
            "{}: {traps} traps",
            flaky_name(i)
        );
        total_traps += u64::from(traps);
        // And it still works after a last restart.
        registry.restart(&flaky_name(i)).unwrap();
        assert_eq!(
            handle.lock().call_guest_binary("ok", &[]).unwrap(),
            [Val::U32(42)]
        );
    }
    assert_eq!(total_traps, sum(|t| t.traps));

    // The registry holds exactly the long-lived containers again, all running.
    let rows = registry.containers();
    assert_eq!(rows.len(), ROOTS + FLAKY, "{rows:?}");
    assert!(rows.iter().all(|r| r.state == ContainerState::Running));
    let images = registry.images();
    assert_eq!(
        images.iter().map(|i| i.containers).collect::<Vec<_>>(),
        [FLAKY, ROOTS]
    );
}
