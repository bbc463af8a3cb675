//! Reliability: every way a guest can fail, on real components in a [`Registry`].
//!
//! Each test sets up the same scene (a registry with a victim container and two bystanders that
//! have already answered calls), makes the victim fail one way, then checks the four promises of
//! `DESIGN.md` ("Safety and failure"):
//!
//! 1. the call fails with an error of the right kind that says what happened;
//! 2. the victim is listed as failed, refuses calls until restarted, and restarts into a fresh,
//!    working instance;
//! 3. the bystanders keep answering, and their state (a call counter) was not reset;
//! 4. the registry's listings stay consistent (every container listed once, with the right
//!    state; images count their containers).
//!
//! A counting global allocator, per thread, measures what the host allocates while a call that
//! must be refused without a copy fails (the `*_without_allocating` tests).

// A global allocator has to be `unsafe`; it only counts and forwards to the system allocator.
#![allow(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tairitsu_fixtures::Bodies;
use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::wasmtime;
use tairitsu_runtime::wasmtime::component::{Linker, Val};
use tairitsu_runtime::{
    ContainerBuilder, ContainerHandle, ContainerState, Error, HostState, Limits, Registry,
};

// ---------------------------------------------------------------------------------------------
// What a thread allocates
// ---------------------------------------------------------------------------------------------

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::measure;

const MIB: usize = 1 << 20;

#[test]
fn the_counting_allocator_sees_this_threads_allocations() {
    let (kept, extra) = measure(|| vec![1u8; 8 * MIB]);
    assert!(extra >= 8 * MIB, "{extra}");
    let (_, extra) = measure(|| drop(vec![1u8; 3 * MIB]));
    assert!((3 * MIB..4 * MIB).contains(&extra), "{extra}");
    // Another thread's allocations are not this thread's.
    let (_, extra) = measure(|| std::thread::spawn(|| vec![1u8; 16 * MIB]).join().unwrap());
    assert!(extra < MIB, "{extra}");
    drop(kept);
}

// ---------------------------------------------------------------------------------------------
// A guest that sends its host bad data, and returns bad data.
// ---------------------------------------------------------------------------------------------

const BAD_DATA_WIT: &str = r#"
package test:bad-data;

/// Served by the host.
interface sink {
    /// Answers the length of `text` in bytes.
    put: func(text: string) -> u32;
    /// Answers the number of items.
    put-list: func(items: list<u32>) -> u32;
}

world bad-data {
    import sink;

    enum color { red, green, blue }

    /// `put("fine")`: 4.
    export ok: func() -> u32;
    /// `put-list` of one item: 1.
    export ok-list: func() -> u32;
    /// Returns 1, 2, 3, ... on successive calls.
    export count: func() -> u32;
    /// `put` with the bytes `80 fe ff`, which are not UTF-8.
    export invalid-utf8: func() -> u32;
    /// `put` with a pointer past the end of memory.
    export string-out-of-bounds: func() -> u32;
    /// `put` with a length of 2 GiB (memory is a few pages).
    export string-huge: func() -> u32;
    /// `put-list` with a pointer past the end of memory.
    export list-out-of-bounds: func() -> u32;
    /// `put-list` with a pointer that is not 4-aligned.
    export list-misaligned: func() -> u32;
    /// `put-list` with 2^30 elements (4 GiB).
    export list-huge: func() -> u32;
    /// Returns the surrogate 0xD800, which is not a `char`.
    export return-bad-char: func() -> char;
    /// Returns discriminant 7 for a three-case enum.
    export return-bad-enum: func() -> color;
    /// Returns a string that lies past the end of memory.
    export return-out-of-bounds-string: func() -> string;
    /// Returns a list of 2^28 `u64`s (2 GiB) from a memory of a few pages.
    export return-huge-list: func() -> list<u64>;
}
"#;

/// Where the bad data fixture keeps its bytes.
const FINE: u32 = tairitsu_fixtures::DATA_START;
const NOT_UTF8: u32 = tairitsu_fixtures::DATA_START + 16;

fn bad_data() -> Vec<u8> {
    let put = |ptr: String, len: String| format!(r#"(call $"sink#put" ({ptr}) ({len}))"#);
    let put_list = |ptr: &str, len: &str| format!(r#"(call $"sink#put-list" ({ptr}) ({len}))"#);
    let ret = |ptr: &str, len: &str| {
        format!(
            "(i32.store (global.get $ret_area) ({ptr}))
             (i32.store offset=4 (global.get $ret_area) ({len}))
             (global.get $ret_area)"
        )
    };
    let bodies = Bodies::new()
        .wat("ok", put(format!("i32.const {FINE}"), "i32.const 4".into()))
        .wat(
            "ok-list",
            put_list(&format!("i32.const {FINE}"), "i32.const 1"),
        )
        .wat(
            "count",
            "(global.set $count (i32.add (global.get $count) (i32.const 1)))
             (global.get $count)",
        )
        .wat(
            "invalid-utf8",
            put(format!("i32.const {NOT_UTF8}"), "i32.const 3".into()),
        )
        .wat(
            "string-out-of-bounds",
            put("i32.const 0xfffffff0".into(), "i32.const 16".into()),
        )
        .wat(
            "string-huge",
            put("i32.const 0".into(), "i32.const 0x7fffffff".into()),
        )
        .wat(
            "list-out-of-bounds",
            put_list("i32.const 0xffff0000", "i32.const 1000"),
        )
        .wat("list-misaligned", put_list("i32.const 1025", "i32.const 2"))
        .wat("list-huge", put_list("i32.const 0", "i32.const 0x40000000"))
        .wat("return-bad-char", "(i32.const 0xd800)")
        .wat("return-bad-enum", "(i32.const 7)")
        .wat(
            "return-out-of-bounds-string",
            ret("i32.const 0xfffffff0", "i32.const 100"),
        )
        .wat(
            "return-huge-list",
            ret("i32.const 0", "i32.const 0x10000000"),
        )
        .extra(format!(
            r#"  (global $count (mut i32) (i32.const 0))
  (data (i32.const {FINE}) "fine")
  (data (i32.const {NOT_UTF8}) "\80\fe\ff")"#
        ));
    tairitsu_fixtures::generate(BAD_DATA_WIT, "bad-data", &bodies).expect("the fixture builds")
}

/// How often the host's `sink` functions were entered.
#[derive(Clone, Default)]
struct Entered(Arc<AtomicU32>);

impl Entered {
    fn get(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Serves `sink` with typed host functions (the generated-bindings path).
fn typed_sink(entered: Entered) -> impl FnOnce(&mut Linker<HostState<()>>) -> wasmtime::Result<()> {
    move |linker| {
        let mut sink = linker.instance("test:bad-data/sink")?;
        let e = entered.clone();
        sink.func_wrap("put", move |_, (text,): (String,)| {
            e.0.fetch_add(1, Ordering::SeqCst);
            Ok((text.len() as u32,))
        })?;
        let e = entered;
        sink.func_wrap("put-list", move |_, (items,): (Vec<u32>,)| {
            e.0.fetch_add(1, Ordering::SeqCst);
            Ok((items.len() as u32,))
        })?;
        Ok(())
    }
}

/// Serves `sink` with dynamic closures over `Val`s (the no-generated-code path).
fn dynamic_sink(entered: Entered) -> HostImports {
    let e = entered.clone();
    HostImports::new()
        .func("test:bad-data/sink#put", move |args| {
            e.0.fetch_add(1, Ordering::SeqCst);
            match args {
                [Val::String(s)] => Ok(vec![Val::U32(s.len() as u32)]),
                other => Err(format!("put got {other:?}")),
            }
        })
        .func("test:bad-data/sink#put-list", move |args| {
            entered.0.fetch_add(1, Ordering::SeqCst);
            match args {
                [Val::List(items)] => Ok(vec![Val::U32(items.len() as u32)]),
                other => Err(format!("put-list got {other:?}")),
            }
        })
}

// ---------------------------------------------------------------------------------------------
// The scene: a registry with a victim and two bystanders.
// ---------------------------------------------------------------------------------------------

struct Scene {
    registry: Registry,
    victim: ContainerHandle,
    bystanders: [ContainerHandle; 2],
    /// How many `count` calls each bystander has answered.
    counted: u32,
}

impl Scene {
    /// A registry with the `faults`, `root` and `bad-data` images, a victim of image `image`
    /// configured by `configure`, and two bystanders (`root` and `faults`) that have counted to
    /// 3 each.
    fn new<S>(
        image: &str,
        configure: impl FnOnce(
            ContainerBuilder<()>,
        ) -> tairitsu_runtime::Result<ContainerBuilder<(), S>>,
    ) -> Scene {
        let registry = Registry::new().unwrap();
        registry
            .load_image("faults:1", tairitsu_fixtures::faults())
            .unwrap();
        registry
            .load_image("root:1", tairitsu_fixtures::root())
            .unwrap();
        registry.load_image("bad-data:1", bad_data()).unwrap();
        let bystanders = [
            registry.run("root:1", Some("bystander-root"), Ok).unwrap(),
            registry
                .run("faults:1", Some("bystander-faults"), Ok)
                .unwrap(),
        ];
        let victim = registry.run(image, Some("victim"), configure).unwrap();
        let mut scene = Scene {
            registry,
            victim,
            bystanders,
            counted: 0,
        };
        for _ in 0..3 {
            scene.bystanders_count();
        }
        scene.check_listing(false);
        scene
    }

    /// Each bystander counts once more, continuing where it was.
    fn bystanders_count(&mut self) {
        self.counted += 1;
        for b in &self.bystanders {
            let out = b.lock().call_guest_binary("count", &[]).unwrap();
            assert_eq!(out, [Val::U32(self.counted)], "bystander {}", b.id());
        }
    }

    /// Calls `name` on the victim and returns the error it must fail with.
    fn fail(&self, name: &str, args: &[Val]) -> Error {
        self.fail_measured(name, args).0
    }

    /// [`Scene::fail`], and the most the call allocated on the host.
    fn fail_measured(&self, name: &str, args: &[Val]) -> (Error, usize) {
        let mut victim = self.victim.lock();
        let started = Instant::now();
        let (outcome, allocated) = measure(|| victim.call_guest_binary(name, args));
        let err = outcome.expect_err("the call must fail");
        println!(
            "{name}: failed in {:?}, {allocated} bytes allocated: {err}",
            started.elapsed()
        );
        (err, allocated)
    }

    /// The listing: three containers, each once, in the expected state; images count them.
    fn check_listing(&self, victim_failed: bool) {
        let rows = self.registry.containers();
        assert_eq!(rows.len(), 3, "{rows:?}");
        let mut names: Vec<_> = rows.iter().filter_map(|r| r.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["bystander-faults", "bystander-root", "victim"]);
        for row in &rows {
            let handle = self.registry.container(&row.id).unwrap();
            assert_eq!(handle.id(), row.id);
            assert_eq!(handle.state(), row.state, "{row:?}");
            if row.id == self.victim.id() && victim_failed {
                let ContainerState::Failed { reason } = &row.state else {
                    panic!("the victim should be listed as failed: {row:?}");
                };
                assert!(!reason.is_empty());
            } else {
                assert_eq!(row.state, ContainerState::Running, "{row:?}");
            }
        }
        let images = self.registry.images();
        assert_eq!(images.len(), 3, "{images:?}");
        assert_eq!(images.iter().map(|i| i.containers).sum::<usize>(), 3);
        for image in &images {
            let users = rows
                .iter()
                .filter(|r| image.references.contains(&r.image))
                .count();
            assert_eq!(users, image.containers, "{image:?}");
        }
    }

    /// After a failure of the victim: it is listed as failed with `err`'s text, refuses calls,
    /// the bystanders answer, and a restart through the registry gives a fresh instance that
    /// answers `probe` with `expected`.
    fn recover(&mut self, err: &Error, probe: &str, expected: &[Val]) {
        assert!(err.is_guest_failure(), "{err}");
        let reason = match self.victim.state() {
            ContainerState::Failed { reason } => reason,
            other => panic!("the victim should have failed: {other:?}"),
        };
        assert_eq!(reason, err.to_string());
        self.check_listing(true);

        let refused = self
            .victim
            .lock()
            .call_guest_binary(probe, &[])
            .unwrap_err();
        assert!(
            matches!(refused, Error::ContainerFailed { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("restart"), "{refused}");

        self.bystanders_count();

        let generation = self.victim.lock().generation();
        self.registry.restart("victim").unwrap();
        assert_eq!(self.victim.lock().generation(), generation + 1);
        assert_eq!(self.victim.state(), ContainerState::Running);
        self.check_listing(false);
        // A fresh instance: its counter starts again.
        assert_eq!(
            self.victim.lock().call_guest_binary("count", &[]).unwrap(),
            [Val::U32(1)]
        );
        assert_eq!(
            self.victim.lock().call_guest_binary(probe, &[]).unwrap(),
            expected
        );
        self.bystanders_count();
    }

    /// After an error that is not a guest failure (the guest's result could not be read): the
    /// victim is still running, listed as such, and its instance keeps its state.
    fn still_running(&mut self, err: &Error, counted: u32) {
        assert!(!err.is_guest_failure(), "{err}");
        assert_eq!(self.victim.state(), ContainerState::Running);
        self.check_listing(false);
        assert_eq!(
            self.victim.lock().call_guest_binary("count", &[]).unwrap(),
            [Val::U32(counted + 1)]
        );
        self.bystanders_count();
    }
}

fn faults_scene() -> Scene {
    Scene::new("faults:1", Ok)
}

/// Runs one fault of the `faults` fixture and checks everything around it.
fn faults_case(name: &str, args: &[Val], check: impl FnOnce(&Error)) {
    let mut scene = faults_scene();
    // The victim has state to lose.
    for n in 1..=2 {
        let out = scene.victim.lock().call_guest_binary("count", &[]).unwrap();
        assert_eq!(out, [Val::U32(n)]);
    }
    let err = scene.fail(name, args);
    check(&err);
    scene.recover(&err, "ok", &[Val::U32(42)]);
}

fn assert_trap(err: &Error, call: &str, what: &str) {
    assert!(matches!(err, Error::Trap { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("victim/{call}")), "{text}");
    assert!(text.contains(what), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Traps
// ---------------------------------------------------------------------------------------------

#[test]
fn trap_unreachable() {
    faults_case("crash", &[], |err| assert_trap(err, "crash", "unreachable"));
}

#[test]
fn trap_out_of_bounds_memory_access() {
    faults_case("out-of-bounds", &[], |err| {
        assert_trap(err, "out-of-bounds", "out of bounds memory access")
    });
}

#[test]
fn trap_integer_divide_by_zero() {
    faults_case("divide", &[Val::S32(1), Val::S32(0)], |err| {
        assert_trap(err, "divide", "integer divide by zero")
    });
}

#[test]
fn trap_integer_overflow() {
    faults_case("divide", &[Val::S32(i32::MIN), Val::S32(-1)], |err| {
        assert_trap(err, "divide", "integer overflow")
    });
}

#[test]
fn trap_stack_overflow_from_deep_recursion() {
    faults_case("recurse", &[Val::U32(0)], |err| {
        assert_trap(err, "recurse", "call stack exhausted")
    });
}

// ---------------------------------------------------------------------------------------------
// Deadline and limits
// ---------------------------------------------------------------------------------------------

#[test]
fn an_infinite_loop_meets_the_deadline() {
    let mut scene = Scene::new("faults:1", |b| {
        Ok(b.with_limits(Limits::new().deadline(Some(Duration::from_millis(200)))))
    });
    let started = Instant::now();
    let err = scene.fail("spin", &[]);
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(err.to_string().contains("victim/spin"), "{err}");
    assert!(err.to_string().contains("200ms deadline"), "{err}");
    // 200 ms is 20 ticks of the 10 ms epoch clock, which runs apart from the call, so the first
    // tick may come at once: never before 190 ms. A loaded machine makes it later, not earlier;
    // 3 s is far from "never".
    assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    scene.recover(&err, "ok", &[Val::U32(42)]);
    // The restarted container has its deadline again.
    let again = scene.fail("spin", &[]);
    assert!(matches!(again, Error::DeadlineExceeded { .. }), "{again}");
}

#[test]
fn a_bystander_answers_while_the_victim_spins() {
    let scene = Scene::new("faults:1", |b| {
        Ok(b.with_limits(Limits::new().deadline(Some(Duration::from_secs(2)))))
    });
    let victim = scene.victim.clone();
    let started = Instant::now();
    let spinner = std::thread::spawn(move || victim.lock().call_guest_binary("spin", &[]));
    let mut answered = 0u32;
    while !spinner.is_finished() {
        let out = scene.bystanders[0]
            .lock()
            .call_guest_binary("add", &[Val::U32(answered), Val::U32(2)])
            .unwrap();
        assert_eq!(out, [Val::U32(answered + 2)]);
        answered += 1;
        // The listing does not wait for the spinning call.
        assert_eq!(scene.registry.containers().len(), 3);
        std::thread::sleep(Duration::from_millis(5));
    }
    let spun = started.elapsed();
    println!("the bystander answered {answered} calls while the victim spun for {spun:?}");
    let err = spinner.join().unwrap().unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(spun >= Duration::from_millis(1900), "{spun:?}");
    // One call every 5 ms or so makes about 400; a bystander that waited for the victim would
    // answer once or twice. 25 leaves room for a machine busy with other work.
    assert!(
        answered >= 25,
        "the bystander answered only {answered} calls in {spun:?}"
    );
}

#[test]
fn a_memory_bomb_meets_the_memory_limit() {
    let mut scene = Scene::new("faults:1", |b| {
        Ok(b.with_limits(Limits::new().max_memory(8 << 20)))
    });
    let err = scene.fail("grow-memory", &[]);
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("memory limit of 8 MiB"), "{err}");
    scene.recover(&err, "ok", &[Val::U32(42)]);
}

#[test]
fn a_memory_bomb_meets_the_default_limit() {
    // No limits given: the default of 128 MiB still stops a guest that grows without end.
    let mut scene = faults_scene();
    let err = scene.fail("grow-memory", &[]);
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("memory limit of 128 MiB"), "{err}");
    scene.recover(&err, "ok", &[Val::U32(42)]);
}

#[test]
fn a_table_bomb_meets_the_table_limit() {
    let mut scene = Scene::new("faults:1", |b| {
        Ok(b.with_limits(Limits::new().max_table_elements(1000)))
    });
    let err = scene.fail("grow-table", &[]);
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("table limit of 1000"), "{err}");
    scene.recover(&err, "ok", &[Val::U32(42)]);
}

const MEMORIES_WIT: &str = r#"
package test:memories;

/// A guest with four linear memories and two tables, which it grows on request.
world memories {
    /// Grows memory `index` (0 to 3) by `pages` of 64 KiB; answers its old size in pages, or -1
    /// when the grow was refused.
    export grow: func(index: u32, pages: u32) -> s32;
    /// Grows table `index` (0 or 1) by `elements`; answers its old size, or -1.
    export grow-table: func(index: u32, elements: u32) -> s32;
}
"#;

const MEMORIES_WAT: &str = r#"
(module
  (memory $m0 (export "memory") 1)
  (memory $m1 0)
  (memory $m2 0)
  (memory $m3 0)
  (table $t0 1 funcref)
  (table $t1 0 funcref)
  (func (export "grow") (param $index i32) (param $pages i32) (result i32)
    (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 (local.get $index)))
      (return (memory.grow $m0 (local.get $pages))))
      (return (memory.grow $m1 (local.get $pages))))
      (return (memory.grow $m2 (local.get $pages))))
    (memory.grow $m3 (local.get $pages)))
  (func (export "grow-table") (param $index i32) (param $elements i32) (result i32)
    (if (result i32) (local.get $index)
      (then (table.grow $t1 (ref.null func) (local.get $elements)))
      (else (table.grow $t0 (ref.null func) (local.get $elements))))))
"#;

/// A container of the four-memory guest with `limits`.
fn memories(limits: Limits) -> tairitsu_runtime::Container {
    let bytes = tairitsu_fixtures::build(MEMORIES_WIT, "memories", MEMORIES_WAT).unwrap();
    let image = tairitsu_runtime::Image::from_bytes(bytes).unwrap();
    tairitsu_runtime::Container::builder(image)
        .with_limits(limits)
        .build()
        .unwrap()
}

fn grow(c: &mut tairitsu_runtime::Container, index: u32, pages: u32) -> Result<i32, Error> {
    let out = c.call_guest_binary("grow", &[Val::U32(index), Val::U32(pages)])?;
    match out[..] {
        [Val::S32(old)] => Ok(old),
        _ => panic!("{out:?}"),
    }
}

fn grow_table(c: &mut tairitsu_runtime::Container, index: u32, n: u32) -> Result<i32, Error> {
    let out = c.call_guest_binary("grow-table", &[Val::U32(index), Val::U32(n)])?;
    match out[..] {
        [Val::S32(old)] => Ok(old),
        _ => panic!("{out:?}"),
    }
}

/// Regression: the memory limit held for each memory alone, so a guest with four memories,
/// limited to 64 MiB, grew to 250 MiB (and with the default of 100 memories, to ~12.5 GiB).
#[test]
fn bug_the_memory_limit_was_per_memory_not_per_container() {
    // 64 MiB is 1024 pages; memory 0 starts with one.
    let mut c = memories(Limits::new().max_memory(64 << 20));
    assert_eq!(grow(&mut c, 1, 400).unwrap(), 0);
    assert_eq!(grow(&mut c, 2, 400).unwrap(), 0);
    // 801 pages so far: 400 more would make 1201, past the total although this memory is empty.
    let err = grow(&mut c, 3, 400).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("memory limit of 64 MiB"), "{text}");
    assert!(text.contains("memories have"), "{text}");
    // A fresh instance starts from its initial memory again.
    c.restart().unwrap();
    assert_eq!(grow(&mut c, 3, 1000).unwrap(), 0);
    assert!(grow(&mut c, 1, 24).is_err());

    // The default limit (128 MiB, 2048 pages) is a total too.
    let mut c = memories(Limits::new());
    assert_eq!(grow(&mut c, 1, 1000).unwrap(), 0);
    assert_eq!(grow(&mut c, 2, 1000).unwrap(), 0);
    let err = grow(&mut c, 3, 1000).unwrap_err();
    assert!(err.to_string().contains("memory limit of 128 MiB"), "{err}");
}

#[test]
fn a_refused_grow_across_memories_answers_minus_one_when_asked_not_to_trap() {
    let mut c = memories(
        Limits::new()
            .max_memory(64 << 20)
            .trap_on_grow_failure(false),
    );
    assert_eq!(grow(&mut c, 1, 400).unwrap(), 0);
    assert_eq!(grow(&mut c, 2, 400).unwrap(), 0);
    assert_eq!(grow(&mut c, 3, 400).unwrap(), -1);
    // The refused grow took nothing: exactly the rest of the total still fits, one page more
    // does not.
    assert_eq!(grow(&mut c, 3, 200).unwrap(), 0);
    assert_eq!(grow(&mut c, 0, 24).unwrap(), -1);
    assert_eq!(grow(&mut c, 0, 23).unwrap(), 1);
    assert_eq!(grow(&mut c, 1, 1).unwrap(), -1);
    assert_eq!(*c.state(), ContainerState::Running);
}

#[test]
fn the_table_limit_is_per_container_not_per_table() {
    let mut c = memories(Limits::new().max_table_elements(1000));
    assert_eq!(grow_table(&mut c, 0, 600).unwrap(), 1);
    let err = grow_table(&mut c, 1, 600).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err:?}");
    assert!(err.to_string().contains("table limit of 1000"), "{err}");
    assert!(err.to_string().contains("tables have"), "{err}");

    let mut c = memories(
        Limits::new()
            .max_table_elements(1000)
            .trap_on_grow_failure(false),
    );
    assert_eq!(grow_table(&mut c, 0, 600).unwrap(), 1);
    assert_eq!(grow_table(&mut c, 1, 400).unwrap(), -1);
    assert_eq!(grow_table(&mut c, 1, 399).unwrap(), 0);
    assert_eq!(grow_table(&mut c, 0, 1).unwrap(), -1);
}

// ---------------------------------------------------------------------------------------------
// Host functions that fail
// ---------------------------------------------------------------------------------------------

/// A `host-import` victim whose `double` errs on 0 and panics on 1.
fn failing_host_scene() -> Scene {
    let registry_scene = Scene::new("faults:1", Ok);
    registry_scene
        .registry
        .load_image("host:1", tairitsu_fixtures::host_import())
        .unwrap();
    registry_scene.registry.remove("victim", true).unwrap();
    let victim = registry_scene
        .registry
        .run("host:1", Some("victim"), |b| {
            Ok(b.with_linker(|linker| {
                linker
                    .instance("test:host/log@0.1.0")?
                    .func_wrap("log", |_, (_,): (String,)| Ok(()))?;
                linker.instance("test:host/math@0.1.0")?.func_wrap(
                    "double",
                    |_, (x,): (u32,)| -> wasmtime::Result<(u32,)> {
                        match x {
                            0 => Err(wasmtime::Error::msg("the host refuses 0")),
                            1 => panic!("the host panics on 1"),
                            x => Ok((x * 2,)),
                        }
                    },
                )
            }))
        })
        .unwrap();
    Scene {
        victim,
        ..registry_scene
    }
}

impl Scene {
    /// The listing when the victim runs `host:1` (the `faults:1` image it replaced is unused).
    fn check_host_listing(&self) {
        let images = self.registry.images();
        assert_eq!(images.len(), 4, "{images:?}");
        assert_eq!(images.iter().map(|i| i.containers).sum::<usize>(), 3);
        assert_eq!(self.registry.containers().len(), 3);
    }
}

fn host_case(arg: u32, expected: &str) {
    let mut scene = failing_host_scene();
    let run = |scene: &Scene, x: u32| scene.victim.lock().call_guest_binary("run", &[Val::U32(x)]);
    assert_eq!(run(&scene, 5).unwrap(), [Val::U32(11)]);
    let err = run(&scene, arg).unwrap_err();
    println!("run({arg}): {err}");
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("victim/"), "{err}");
    assert!(err.to_string().contains(expected), "{err}");
    assert!(matches!(
        scene.victim.state(),
        ContainerState::Failed { .. }
    ));
    scene.check_host_listing();
    scene.bystanders_count();
    scene.registry.restart("victim").unwrap();
    assert_eq!(run(&scene, 20).unwrap(), [Val::U32(41)]);
    scene.check_host_listing();
    scene.bystanders_count();
}

#[test]
fn a_host_function_returning_an_error_fails_only_that_call() {
    host_case(0, "the host refuses 0");
}

#[test]
fn a_host_function_panicking_fails_only_that_call_and_the_process_lives_on() {
    host_case(1, "the host panicked: the host panics on 1");
    // Again, to show nothing was poisoned by the first panic.
    host_case(1, "the host panics on 1");
}

#[test]
fn a_dynamic_host_closure_failing_fails_only_that_call() {
    let mut scene = Scene::new("bad-data:1", |b| {
        Ok(b.with_host_imports(
            HostImports::new()
                .func("test:bad-data/sink#put", |_| Err("the sink is full".into()))
                .func("test:bad-data/sink#put-list", |_| panic!("the sink panics")),
        ))
    });
    let err = scene.fail("ok", &[]);
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("the sink is full"), "{err}");
    scene.recover(&err, "count", &[Val::U32(2)]);
    let err = scene.fail("ok-list", &[]);
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("the sink panics"), "{err}");
    scene.recover(&err, "count", &[Val::U32(2)]);
    // Bad data never reaches the closures.
    let err = scene.fail("list-misaligned", &[]);
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("not aligned"), "{err}");
    scene.recover(&err, "count", &[Val::U32(2)]);
    let err = scene.fail("list-huge", &[]);
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("out of bounds"), "{err}");
    scene.recover(&err, "count", &[Val::U32(2)]);
}

// ---------------------------------------------------------------------------------------------
// A guest that sends bad data to an import, or returns bad data
// ---------------------------------------------------------------------------------------------

/// `call` on a `bad-data` victim whose `sink` is served by `sink` fails with a guest failure
/// mentioning `what`, without the host function ever running; answers the most the failing
/// call allocated on the host.
fn bad_data_case(sink: &str, call: &str, what: &str) -> usize {
    let entered = Entered::default();
    let e = entered.clone();
    let mut scene = match sink {
        "typed" => Scene::new("bad-data:1", move |b| Ok(b.with_linker(typed_sink(e)))),
        _ => Scene::new("bad-data:1", move |b| {
            Ok(b.with_host_imports(dynamic_sink(e)))
        }),
    };
    assert_eq!(
        scene.victim.lock().call_guest_binary("ok", &[]).unwrap(),
        [Val::U32(4)]
    );
    assert_eq!(entered.get(), 1);
    let (err, allocated) = scene.fail_measured(call, &[]);
    assert!(err.is_guest_failure(), "{sink} {call}: {err:?}");
    let text = err.to_string();
    assert!(text.contains(&format!("victim/{call}")), "{text}");
    assert!(text.contains(what), "{sink} {call}: {text}");
    assert_eq!(entered.get(), 1, "the host function must not see bad data");
    scene.recover(&err, "ok", &[Val::U32(4)]);
    assert_eq!(entered.get(), 2);
    allocated
}

#[test]
fn invalid_utf8_sent_to_an_import() {
    for sink in ["typed", "dynamic"] {
        let _ = bad_data_case(sink, "invalid-utf8", "invalid utf-8");
    }
}

#[test]
fn an_out_of_bounds_string_sent_to_an_import() {
    for sink in ["typed", "dynamic"] {
        let _ = bad_data_case(sink, "string-out-of-bounds", "out of bounds");
    }
}

#[test]
fn a_huge_string_sent_to_an_import_is_refused_without_allocating() {
    // 2 GiB asked for; what the failed call costs is its error message and backtrace.
    for sink in ["typed", "dynamic"] {
        let allocated = bad_data_case(sink, "string-huge", "out of bounds");
        assert!(allocated < 64 << 10, "{sink}: {allocated} bytes");
    }
}

#[test]
fn an_out_of_bounds_list_sent_to_an_import() {
    for sink in ["typed", "dynamic"] {
        let _ = bad_data_case(sink, "list-out-of-bounds", "out of bounds");
    }
}

#[test]
fn a_misaligned_list_sent_to_an_import() {
    for sink in ["typed", "dynamic"] {
        let _ = bad_data_case(sink, "list-misaligned", "not aligned");
    }
}

#[test]
fn a_huge_list_sent_to_an_import_is_refused_without_allocating() {
    // 2^30 `u32`s, 4 GiB, asked for.
    for sink in ["typed", "dynamic"] {
        let allocated = bad_data_case(sink, "list-huge", "out of bounds");
        assert!(allocated < 64 << 10, "{sink}: {allocated} bytes");
    }
}

/// A bad result from an export: an error naming the problem. wasmtime checks the result before
/// it builds any value, so nothing is allocated for it; the instance stays usable (its state is
/// kept), so the container keeps running. Answers the most the binary call allocated.
fn bad_result_case(image: &str, call: &str, what: &str) -> usize {
    let entered = Entered::default();
    let e = entered.clone();
    let mut scene = Scene::new(image, move |b| Ok(b.with_linker(typed_sink(e))));
    assert_eq!(
        scene.victim.lock().call_guest_binary("count", &[]).unwrap(),
        [Val::U32(1)]
    );
    let (err, allocated) = scene.fail_measured(call, &[]);
    let text = err.to_string();
    assert!(matches!(err, Error::Wasmtime { .. }), "{call}: {err:?}");
    assert!(text.contains(what), "{call}: {text}");
    assert!(text.contains(&format!("victim/{call}")), "{text}");
    scene.still_running(&err, 1);
    // The dynamic text path reports the same error.
    let err = scene
        .victim
        .lock()
        .call_ron(&format!("{call}()"))
        .unwrap_err();
    assert!(err.to_string().contains(what), "{call}: {err}");
    scene.still_running(&err, 2);
    allocated
}

#[test]
fn invalid_utf8_returned_by_a_guest() {
    let _ = bad_result_case("faults:1", "bad-string", "invalid utf-8");
}

#[test]
fn an_invalid_char_returned_by_a_guest() {
    let _ = bad_result_case("bad-data:1", "return-bad-char", "char");
}

#[test]
fn an_invalid_enum_discriminant_returned_by_a_guest() {
    let _ = bad_result_case(
        "bad-data:1",
        "return-bad-enum",
        "discriminant 7 out of range",
    );
}

#[test]
fn an_out_of_bounds_string_returned_by_a_guest() {
    let _ = bad_result_case("bad-data:1", "return-out-of-bounds-string", "out of bounds");
}

#[test]
fn a_huge_list_returned_by_a_guest_is_refused_without_allocating() {
    // 2^28 `u64`s, 2 GiB, and about 10 GiB of `Val`s were they lifted.
    let allocated = bad_result_case("bad-data:1", "return-huge-list", "out of bounds");
    assert!(allocated < 64 << 10, "{allocated} bytes");
}

// ---------------------------------------------------------------------------------------------
// Guests that fail while starting
// ---------------------------------------------------------------------------------------------

const STARTS_WIT: &str = "package test:starts; world starts { export ok: func() -> u32; }";

fn with_start(start_body: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module
  (func $start {start_body})
  (start $start)
  (func (export "ok") (result i32) (i32.const 1)))"#
    );
    tairitsu_fixtures::build(STARTS_WIT, "starts", &wat).expect("the start fixture builds")
}

#[test]
fn a_guest_that_traps_while_starting_is_not_listed() {
    let registry = Registry::new().unwrap();
    registry
        .load_image("traps-at-start:1", with_start("unreachable"))
        .unwrap();
    registry
        .load_image("spins-at-start:1", with_start("(loop $l (br $l))"))
        .unwrap();
    registry
        .load_image("root:1", tairitsu_fixtures::root())
        .unwrap();
    let bystander = registry.run("root:1", Some("bystander"), Ok).unwrap();

    let err = registry
        .run("traps-at-start:1", Some("victim"), Ok)
        .unwrap_err();
    println!("{err}");
    assert!(matches!(err, Error::Instantiate { .. }), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");

    let err = registry
        .run("spins-at-start:1", Some("victim"), |b| {
            Ok(b.with_limits(Limits::new().deadline(Some(Duration::from_millis(100)))))
        })
        .unwrap_err();
    println!("{err}");
    assert!(matches!(err, Error::Instantiate { .. }), "{err}");
    assert!(err.to_string().contains("interrupt"), "{err}");

    // Neither is listed, the name is still free, and the bystander answers.
    let rows = registry.containers();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].id, bystander.id());
    assert_eq!(
        registry
            .images()
            .iter()
            .map(|i| i.containers)
            .sum::<usize>(),
        1
    );
    assert_eq!(
        bystander.lock().call_guest_binary("count", &[]).unwrap(),
        [Val::U32(1)]
    );
    registry.run("root:1", Some("victim"), Ok).unwrap();
}
