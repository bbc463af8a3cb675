//! Reliability: what a call returns is bounded on the host, while it is lifted and while it is
//! written as text.
//!
//! The guest is built from WAT here: it hands back strings of control characters (ten times their
//! size as escapes) and lists whose elements all point at one buffer (guest memory holds the
//! buffer once; lifted, it is copied once per element). A per-thread counting allocator measures
//! what the host allocates for each call.

// A global allocator has to be `unsafe`; it only counts and forwards to the system allocator.
#![allow(unsafe_code)]

use tairitsu_runtime::dynamic::{ValueErrorKind, ValueLimits};
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{Container, Error, Image, Limits};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::measure;

const MIB: usize = 1 << 20;

const WIT: &str = r#"
package test:results;

world results {
    /// `n` bytes of U+0001.
    export control: func(n: u32) -> string;
    /// `n` lists that all point at the same `len` zero bytes.
    export aliased: func(n: u32, len: u32) -> list<list<u8>>;
}
"#;

const WAT: &str = r#"
(module
  (memory (export "memory") 1)

  ;; Grows memory until it holds `[0, bytes)`.
  (func $room (param $bytes i32)
    (local $need i32)
    (local.set $need
      (i32.sub
        (i32.shr_u (i32.add (local.get $bytes) (i32.const 65535)) (i32.const 16))
        (memory.size)))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (local.get $need)) (i32.const -1))
          (then unreachable)))))

  (func (export "control") (param $n i32) (result i32)
    (call $room (i32.add (i32.const 65536) (local.get $n)))
    (memory.fill (i32.const 65536) (i32.const 1) (local.get $n))
    (i32.store (i32.const 8) (i32.const 65536))
    (i32.store (i32.const 12) (local.get $n))
    (i32.const 8))

  (func (export "aliased") (param $n i32) (param $len i32) (result i32)
    (local $outer i32)
    (local $at i32)
    (local $i i32)
    ;; The buffer at 65536, the outer list after it.
    (local.set $outer
      (i32.and
        (i32.add (i32.add (i32.const 65536) (local.get $len)) (i32.const 7))
        (i32.const -8)))
    (call $room (i32.add (local.get $outer) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.add (local.get $outer) (i32.shl (local.get $i) (i32.const 3))))
        (i32.store (local.get $at) (i32.const 65536))
        (i32.store offset=4 (local.get $at) (local.get $len))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.store (i32.const 8) (local.get $outer))
    (i32.store (i32.const 12) (local.get $n))
    (i32.const 8))
)
"#;

fn container(value_limits: ValueLimits) -> Container {
    let bytes = tairitsu_fixtures::build(WIT, "results", WAT).unwrap();
    Container::builder(Image::from_bytes(bytes).unwrap())
        .with_limits(Limits::new().max_memory(128 * MIB))
        .with_value_limits(value_limits)
        .build()
        .unwrap()
}

fn assert_text_limit(err: &Error) {
    match err {
        Error::Value(e) => assert_eq!(e.kind(), ValueErrorKind::Limit, "{err}"),
        other => panic!("expected a text limit error, got {other}"),
    }
}

#[test]
fn bug_a_string_of_control_characters_was_escaped_whole_before_the_text_limit() {
    let mut c = container(ValueLimits {
        max_text_len: MIB,
        ..ValueLimits::default()
    });
    // Small: every character is an escape, in RON and in WAVE.
    assert_eq!(c.call_ron("control(3)").unwrap(), r#""\u{1}\u{1}\u{1}""#);
    assert_eq!(c.call_wave("control(2)").unwrap(), r#""\u{1}\u{1}""#);

    // 8 MiB of control characters are 40 MiB of escapes; the text limit is 1 MiB. The lifted
    // string is 8 MiB on the host; the writers stop at the limit instead of escaping it all
    // first (RON) or without any limit (WAVE).
    let (err, extra) = measure(|| c.call_ron("control(8388608)").unwrap_err());
    assert_text_limit(&err);
    assert!(extra < 8 * MIB + 4 * MIB, "RON: {} MiB", extra / MIB);
    let (err, extra) = measure(|| c.call_wave("control(8388608)").unwrap_err());
    assert_text_limit(&err);
    assert!(extra < 8 * MIB + 4 * MIB, "WAVE: {} MiB", extra / MIB);

    // A text exactly at the limit still passes: 1 MiB less the quotes, 5 bytes per escape.
    let fits = (MIB - 2) / 5;
    let text = c.call_ron(&format!("control({fits})")).unwrap();
    assert!(text.len() <= MIB && text.len() > MIB - 8, "{}", text.len());
    assert_text_limit(&c.call_ron(&format!("control({})", fits + 1)).unwrap_err());
    let text = c.call_wave(&format!("control({fits})")).unwrap();
    assert!(text.len() <= MIB, "{}", text.len());
}

#[test]
fn the_host_memory_of_lifted_results_is_bounded() {
    // 65,536 lists all pointing at the same 64 KiB: about 520 KiB of guest memory, and 4 GiB of
    // bytes (128 GiB of `Val`s) if lifted without a bound.
    let call = "aliased(65536, 65536)";
    let mut c = container(ValueLimits {
        max_lifted_bytes: 16 * MIB,
        ..ValueLimits::default()
    });
    let (err, extra) = measure(|| c.call_ron(call).unwrap_err());
    assert!(matches!(err, Error::Wasmtime { .. }), "{err}");
    assert!(
        err.to_string().contains("too much data"),
        "wasmtime's hostcall fuel: {err}"
    );
    assert!(extra < 16 * MIB + 8 * MIB, "{} MiB", extra / MIB);
    // The container is still usable, and a result within the bound comes back whole.
    let (out, _) = measure(|| c.call_guest_binary("aliased", &[Val::U32(3), Val::U32(2)]));
    let inner = Val::List(vec![Val::U8(0), Val::U8(0)]);
    assert_eq!(
        out.unwrap(),
        [Val::List(vec![inner.clone(), inner.clone(), inner])]
    );
    assert_eq!(c.call_ron("aliased(2, 1)").unwrap(), "[[0],[0]]");

    // The same through the binary path, which lifts the same way.
    let (err, extra) = measure(|| {
        c.call_guest_binary("aliased", &[Val::U32(65536), Val::U32(65536)])
            .unwrap_err()
    });
    assert!(matches!(err, Error::Wasmtime { .. }), "{err}");
    assert!(extra < 16 * MIB + 8 * MIB, "{} MiB", extra / MIB);

    // The worst case with the default bound (128 MiB): refused, the host's peak near the bound.
    let mut c = container(ValueLimits::default());
    let (err, extra) = measure(|| c.call_ron(call).unwrap_err());
    assert!(matches!(err, Error::Wasmtime { .. }), "{err}");
    assert!(extra < 128 * MIB + 32 * MIB, "{} MiB", extra / MIB);
    assert_eq!(c.call_ron("aliased(1, 1)").unwrap(), "[[0]]");
}
