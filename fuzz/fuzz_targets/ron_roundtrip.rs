//! RON write → parse round trip: a random type and a random value of it; the printed text must
//! read back as the same value and print the same text again.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use tairitsu_fuzz::{sorted_flags, value, value_type};
use tairitsu_runtime::dynamic::ron;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(ty) = value_type(&mut u, 4) else {
        return;
    };
    let Ok(val) = value(&mut u, &ty) else {
        return;
    };
    let text =
        ron::to_string(&val, &ty).unwrap_or_else(|e| panic!("{ty}: {val:?} does not print: {e}"));
    let back =
        ron::parse(&text, &ty).unwrap_or_else(|e| panic!("{ty}: {text:?} does not read: {e}"));
    assert_eq!(
        sorted_flags(&back),
        sorted_flags(&val),
        "{ty}: printed as {text:?}"
    );
    let again = ron::to_string(&back, &ty).expect("what was read prints");
    assert_eq!(again, text, "{ty}: printing is not stable");
});
