//! Typed RON parsing against random types: a random `ValueType` from the first bytes, the rest
//! as RON text. Reading must never panic; what reads must print, and read back the same.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use tairitsu_fuzz::{sorted_flags, value_type};
use tairitsu_runtime::dynamic::{NoHandles, ValueLimits, ron};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(ty) = value_type(&mut u, 4) else {
        return;
    };
    let Ok(tight) = u.arbitrary::<bool>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(u.take_rest()) else {
        return;
    };
    let limits = if tight {
        ValueLimits {
            max_depth: 3,
            max_text_len: 256,
            max_values: 32,
        }
    } else {
        ValueLimits::default()
    };
    let Ok(val) = ron::parse_with(text, &ty, &limits, &mut NoHandles) else {
        return;
    };
    let printed = ron::to_string(&val, &ty)
        .unwrap_or_else(|e| panic!("{ty}: {val:?} read from {text:?} does not print: {e}"));
    let back = ron::parse(&printed, &ty)
        .unwrap_or_else(|e| panic!("{ty}: {printed:?} (from {text:?}) does not read back: {e}"));
    assert_eq!(
        sorted_flags(&back),
        sorted_flags(&val),
        "{ty}: {text:?} printed as {printed:?}"
    );
});
