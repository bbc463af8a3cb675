//! Resources a guest or a result holds when nobody will drop them: host resources of a
//! discarded instance, resources of a result that was not printed, and the cap on the handles
//! of the dynamic path. Each test fails without its fix (RELIABILITY.md, "What broke").

use std::sync::Arc;

use parking_lot::Mutex;
use tairitsu_fixtures::Bodies;
use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::dynamic::{ValueErrorKind, ValueLimits};
use tairitsu_runtime::{Container, Error, Image};

const LEAKER_WIT: &str = r#"
package test:leak@0.1.0;

/// Bytes held by the host.
interface blobs {
    /// A blob of bytes.
    resource blob {
        /// Takes a copy of `data`.
        constructor(data: list<u8>);
        /// The number of bytes.
        size: func() -> u32;
    }
}

world leaker {
    import blobs;
    use blobs.{blob};
    /// Constructs a blob and keeps it (never drops it); returns its size.
    export keep: func(data: list<u8>) -> u32;
    /// Constructs a blob, then traps.
    export keep-and-trap: func(data: list<u8>);
    /// Constructs a blob and gives it to the caller.
    export make: func(data: list<u8>) -> blob;
}
"#;

const KEEP: &str = r#"(local $blob i32)
(local.set $blob (call $"blobs#[constructor]blob" (local.get 0) (local.get 1)))
(call $"blobs#[method]blob.size" (local.get $blob))"#;

const KEEP_AND_TRAP: &str = r#"(drop (call $"blobs#[constructor]blob" (local.get 0) (local.get 1)))
unreachable"#;

const MAKE: &str = r#"(call $"blobs#[constructor]blob" (local.get 0) (local.get 1))"#;

fn leaker() -> Image {
    let bodies = Bodies::new()
        .wat("keep", KEEP)
        .wat("keep-and-trap", KEEP_AND_TRAP)
        .wat("make", MAKE);
    let wasm = tairitsu_fixtures::generate(LEAKER_WIT, "leaker", &bodies).expect("leaker builds");
    Image::from_bytes(wasm).expect("leaker loads")
}

/// The host's blobs: how many exist, and how many drop closures ran.
#[derive(Default)]
struct Blobs {
    slots: Vec<Option<Vec<u8>>>,
    dropped: Vec<u32>,
}

impl Blobs {
    fn alive(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }
}

fn blob_imports(blobs: &Arc<Mutex<Blobs>>) -> HostImports {
    let (new, size, drop) = (blobs.clone(), blobs.clone(), blobs.clone());
    HostImports::new()
        .resource("test:leak/blobs#blob", move |rep| {
            let mut blobs = drop.lock();
            blobs.dropped.push(rep);
            match blobs.slots.get_mut(rep as usize).and_then(Option::take) {
                Some(_) => Ok(()),
                None => Err(format!("blob {rep} dropped twice")),
            }
        })
        .ron_func("test:leak/blobs#[constructor]blob", move |args| {
            let mut blobs = new.lock();
            let (data,): (Vec<u8>,) = ron::from_str(args).map_err(|e| e.to_string())?;
            blobs.slots.push(Some(data));
            Ok(format!("Handle({})", blobs.slots.len() - 1))
        })
        .ron_func("test:leak/blobs#[method]blob.size", move |args| {
            let blobs = size.lock();
            let rep: usize = args
                .strip_prefix("(Handle(")
                .and_then(|rest| rest.strip_suffix("))"))
                .ok_or_else(|| format!("unexpected arguments {args}"))?
                .parse()
                .map_err(|e| format!("{e}"))?;
            let blob = blobs.slots.get(rep).and_then(Option::as_ref);
            Ok(blob.ok_or("no such blob")?.len().to_string())
        })
}

fn container(blobs: &Arc<Mutex<Blobs>>, limits: ValueLimits) -> Container {
    Container::builder(leaker())
        .with_host_imports(blob_imports(blobs))
        .with_value_limits(limits)
        .build()
        .expect("leaker starts")
}

/// Regression: `HostImports::resource` drop closures ran only when the guest dropped a
/// resource, so a trap followed by `restart` (or a stop) left the host objects alive forever.
#[test]
fn bug_host_resources_of_a_discarded_instance_were_never_dropped() {
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let mut c = container(&blobs, ValueLimits::default());

    assert_eq!(c.call_ron("keep([1, 2, 3])").unwrap(), "3");
    assert_eq!(c.call_ron("keep([4])").unwrap(), "1");
    assert_eq!(blobs.lock().alive(), 2, "the guest holds two blobs");

    let err = c.call_ron("keep-and-trap([5, 6])").unwrap_err();
    assert!(matches!(err, Error::Trap { .. }), "{err}");
    assert_eq!(
        blobs.lock().alive(),
        3,
        "the failed instance still holds three"
    );

    c.restart().unwrap();
    {
        let blobs = blobs.lock();
        assert_eq!(
            blobs.alive(),
            0,
            "the restart released what the old instance held"
        );
        let mut dropped = blobs.dropped.clone();
        dropped.sort_unstable();
        assert_eq!(dropped, [0, 1, 2], "each drop closure ran once");
    }

    // The new instance works, and a stop releases too.
    assert_eq!(c.call_ron("keep([7, 8])").unwrap(), "2");
    c.stop();
    assert_eq!(blobs.lock().alive(), 0);
    assert_eq!(blobs.lock().dropped.len(), 4);

    // Dropping the container releases what its instance held.
    c.start().unwrap();
    assert_eq!(c.call_ron("keep([9])").unwrap(), "1");
    drop(c);
    assert_eq!(blobs.lock().alive(), 0);
    assert_eq!(blobs.lock().dropped.len(), 5, "no closure ran twice");
}

/// A host resource the guest hands back to the caller is the caller's: `drop_handle` runs the
/// drop closure once, and a later restart does not run it again.
#[test]
fn a_host_resource_returned_to_the_caller_is_dropped_once() {
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let mut c = container(&blobs, ValueLimits::default());
    assert_eq!(c.call_ron("make([1, 2])").unwrap(), "Handle(1)");
    assert_eq!(blobs.lock().alive(), 1);
    c.drop_handle(1).unwrap();
    assert_eq!(blobs.lock().alive(), 0);
    c.restart().unwrap();
    assert_eq!(blobs.lock().dropped, [0], "dropped once, by drop_handle");
}

/// Regression: a result with a resource printed as WAVE (which cannot carry resources) failed
/// and left the resource lifted but never dropped; the host object leaked until the instance
/// went.
#[test]
fn bug_resources_of_an_unprinted_result_leaked() {
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let mut c = container(&blobs, ValueLimits::default());
    let err = c.call_wave("make([1, 2])").unwrap_err();
    assert!(matches!(err, Error::Value(_)), "{err}");
    assert_eq!(blobs.lock().alive(), 0, "the unprinted blob was dropped");
    assert_eq!(blobs.lock().dropped, [0]);
    assert_eq!(c.handle_count(), 0);
    assert_eq!(
        c.call_ron("keep([3])").unwrap(),
        "1",
        "the container still answers"
    );
}

/// Regression: the dynamic path's handle table grew without bound; a guest returning resources
/// in a loop grew the host until the store's own table refused. Now a result past
/// `ValueLimits::max_handles` is a limit error, its resource is dropped, and releasing a
/// handle makes room.
#[test]
fn bug_the_handle_table_had_no_cap() {
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let limits = ValueLimits {
        max_handles: 3,
        ..ValueLimits::default()
    };
    let mut c = container(&blobs, limits);
    for n in 1..=3 {
        assert_eq!(c.call_ron("make([1])").unwrap(), format!("Handle({n})"));
    }
    let err = c.call_ron("make([1])").unwrap_err();
    match &err {
        Error::Value(e) => {
            assert_eq!(e.kind(), ValueErrorKind::Limit, "{err}");
            assert!(err.to_string().contains("drop_handle"), "{err}");
        }
        other => panic!("expected a limit error, got {other}"),
    }
    assert_eq!(c.handle_count(), 3);
    assert_eq!(
        blobs.lock().alive(),
        3,
        "the fourth blob was dropped, not leaked"
    );
    c.drop_handle(2).unwrap();
    assert_eq!(c.call_ron("make([1])").unwrap(), "Handle(4)");
    assert_eq!(c.handle_count(), 3);
}
