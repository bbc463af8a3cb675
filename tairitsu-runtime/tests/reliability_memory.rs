//! Reliability: big input is refused early, with bounded memory.
//!
//! A counting global allocator measures how much the host allocates while it handles each input
//! (the input itself is built before the measurement starts). Everything runs in one test so
//! that no other test allocates at the same time. Guest linear memory is mapped by wasmtime, not
//! allocated through the global allocator, and is bounded by the container's memory limit.

// A global allocator has to be `unsafe`; it only counts and forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tairitsu_runtime::dynamic::{NoHandles, ValueLimits, ValueType, ron};
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, Error, Image, Limits};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to `System` with the same arguments; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `System.alloc`, with the caller's layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `System.realloc`, with the caller's arguments.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let now = CURRENT.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1 << 20;

/// Runs `f` and answers its result and the most it allocated beyond what was live before.
fn measure<R>(what: &str, f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let started = Instant::now();
    let out = f();
    let elapsed = started.elapsed();
    let extra = PEAK.load(Ordering::SeqCst).saturating_sub(base);
    println!(
        "{what}: at most {:.1} MiB more, in {elapsed:?}",
        extra as f64 / MIB as f64
    );
    (out, extra)
}

fn root(value_limits: ValueLimits) -> Container {
    Container::builder(Image::from_bytes(tairitsu_fixtures::root()).unwrap())
        .with_value_limits(value_limits)
        .build()
        .unwrap()
}

#[test]
fn big_input_is_refused_early_and_memory_stays_bounded() {
    let hundred_mib = "a".repeat(100 * MIB);

    // 1. A 100 MiB argument is past the default 64 MiB text limit: refused before parsing.
    let mut c = root(ValueLimits::default());
    let ron_call = format!("greet(\"{hundred_mib}\")");
    let (err, extra) = measure("100 MiB RON call", || c.call_ron(&ron_call).unwrap_err());
    assert!(err.to_string().contains("more than the limit"), "{err}");
    assert!(extra < MIB, "{extra} bytes for a refused call");
    let (err, extra) = measure("100 MiB WAVE call", || c.call_wave(&ron_call).unwrap_err());
    assert!(err.to_string().contains("more than the limit"), "{err}");
    assert!(extra < MIB, "{extra} bytes for a refused call");
    let raw = format!("\"{hundred_mib}\"");
    let (err, extra) = measure("100 MiB raw RON argument", || {
        c.call_guest_raw_desc("greet", &raw).unwrap_err()
    });
    assert!(err.to_string().contains("more than the limit"), "{err}");
    assert!(extra < MIB, "{extra} bytes for a refused call");
    drop((ron_call, raw));
    assert_eq!(c.call_ron("greet(\"Ada\")").unwrap(), "\"Hello, Ada!\"");

    // 2. Allowed through the text limit, the same argument costs about its size on the host,
    //    and the guest runs into its memory limit (it needs room for the argument and the
    //    answer), which fails the call, not the process.
    let mut big = root(ValueLimits {
        max_text_len: 256 * MIB,
        ..ValueLimits::default()
    });
    let ron_call = format!("greet(\"{hundred_mib}\")");
    let (err, extra) = measure("100 MiB RON call, text limit 256 MiB", || {
        big.call_ron(&ron_call).unwrap_err()
    });
    println!(
        "  {}",
        err.to_string().chars().take(200).collect::<String>()
    );
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(extra < 3 * 100 * MIB, "{} MiB", extra / MIB);
    drop(ron_call);

    // 3. The binary path: a 100 MiB `Val` is copied into the guest's memory, not the host's.
    let arg = [Val::String(hundred_mib.clone())];
    let mut c = root(ValueLimits::default());
    let (err, extra) = measure("100 MiB Val argument", || {
        c.call_guest_binary("greet", &arg).unwrap_err()
    });
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(extra < 8 * MIB, "{} MiB", extra / MIB);
    drop(arg);
    c.restart().unwrap();
    // With room for both, it answers.
    let mut roomy = Container::builder(Image::from_bytes(tairitsu_fixtures::root()).unwrap())
        .with_limits(Limits::new().max_memory(512 * MIB))
        .build()
        .unwrap();
    let arg = [Val::String(hundred_mib.clone())];
    let (out, extra) = measure("100 MiB Val argument, 512 MiB guest", || {
        roomy.call_guest_binary("greet", &arg).unwrap()
    });
    match &out[..] {
        [Val::String(s)] => assert_eq!(s.len(), 100 * MIB + 8),
        other => panic!("{other:?}"),
    }
    // The answer is 100 MiB on the host; the argument was never copied there.
    assert!(extra < 100 * MIB + 8 * MIB, "{} MiB", extra / MIB);
    drop((arg, out, roomy));

    // 4. Images: 100 MiB that are not a component are refused without a copy of them.
    let zeros = vec![0u8; 100 * MIB];
    let (err, extra) = measure("100 MiB of zeros as an image", || {
        Image::from_bytes(&zeros).unwrap_err()
    });
    assert!(matches!(err, Error::NotAComponent { .. }), "{err}");
    assert!(extra < MIB, "{} MiB", extra / MIB);
    let mut header = b"\0asm\x0d\x00\x01\x00".to_vec();
    header.resize(100 * MIB, 0xff);
    let (err, extra) = measure("100 MiB of garbage after a component header", || {
        Image::from_bytes(&header).unwrap_err()
    });
    println!("  {err}");
    assert!(matches!(err, Error::InvalidComponent { .. }), "{err}");
    assert!(extra < 110 * MIB, "{} MiB", extra / MIB);
    drop((zeros, header));

    // 5. Text under the limit that reads into many small values: the cost per element of a
    //    list (a `Val` each) against its two bytes of text. As many as the default value limit
    //    lets through (the list is a value too); one more is refused.
    let elements = tairitsu_runtime::dynamic::DEFAULT_MAX_VALUES - 1;
    let mut one_more = String::from("[0");
    for _ in 0..elements {
        one_more.push_str(",0");
    }
    one_more.push(']');
    let (err, extra) = measure("a list of 4 Mi zeros, past the value limit", || {
        ron::parse_with(
            &one_more,
            &ValueType::list(ValueType::U32),
            &ValueLimits::default(),
            &mut NoHandles,
        )
        .unwrap_err()
    });
    assert!(err.to_string().contains("values"), "{err}");
    assert!(extra < 200 * MIB, "{} MiB", extra / MIB);
    drop(one_more);
    let mut text = String::with_capacity(2 * elements + 2);
    text.push('[');
    for i in 0..elements {
        if i > 0 {
            text.push(',');
        }
        text.push('0');
    }
    text.push(']');
    let ty = ValueType::list(ValueType::U32);
    let (val, extra) = measure("a list of 4 Mi - 1 zeros read from 8 MiB of RON", || {
        ron::parse_with(&text, &ty, &ValueLimits::default(), &mut NoHandles).unwrap()
    });
    let per_element = extra / elements;
    println!(
        "  {per_element} bytes per element (size_of::<Val>() = {}): {:.0}× the text",
        std::mem::size_of::<Val>(),
        extra as f64 / text.len() as f64
    );
    assert!(matches!(&val, Val::List(items) if items.len() == elements));
    assert!(
        per_element <= 2 * std::mem::size_of::<Val>(),
        "{per_element}"
    );
}
