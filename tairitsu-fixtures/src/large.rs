//! A component of any size: [`large()`] carries a data segment of pseudo-random bytes (the same
//! for the same size), for tests and benchmarks of transfers.

use std::fmt::Write;

/// WIT of [`large()`]: package `test:large`, world `large` (file `wit/large/large.wit`).
pub const LARGE_WIT: &str = include_str!("../wit/large/large.wit");

/// The `size` bytes the data segment of [`large()`] holds: pseudo-random (xorshift), so that
/// nothing on the way compresses them, and the same for the same size.
pub fn large_data(size: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// The sum of [`large_data`]`(size)`, wrapping at 2^32: what `checksum()` returns.
pub fn large_checksum(size: usize) -> u32 {
    large_data(size)
        .iter()
        .fold(0u32, |sum, b| sum.wrapping_add(u32::from(*b)))
}

/// World `test:large/large`: a component of a little more than `size` bytes.
///
/// * `size() -> u32`: `size`;
/// * `checksum() -> u32`: the sum of the data segment's bytes (see [`large_checksum`]), read
///   from linear memory at each call, so it proves the whole component arrived intact.
///
/// # Panics
///
/// When `size` does not fit in a 32-bit linear memory (4 GiB).
pub fn large(size: usize) -> Vec<u8> {
    let size32 = u32::try_from(size).expect("a large fixture fits in a 32-bit memory");
    let pages = size32 / 65536 + 1;
    let mut data = String::with_capacity(size * 3);
    for byte in large_data(size) {
        write!(data, "\\{byte:02x}").expect("writing to a String");
    }
    let wat = format!(
        r#"(module
  (memory (export "memory") {pages})
  (data (i32.const 0) "{data}")
  (func (export "size") (result i32) (i32.const {size32}))
  (func (export "checksum") (result i32) (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const {size32})))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))"#
    );
    crate::build(LARGE_WIT, "large", &wat).expect("the large fixture builds")
}

#[cfg(test)]
mod tests {
    #[test]
    fn carries_its_data() {
        let data = super::large_data(1000);
        assert_eq!(data, super::large_data(1000));
        assert!(
            data.iter().filter(|b| **b == data[0]).count() < 50,
            "not constant"
        );
        let component = super::large(100_000);
        assert!(component.len() > 100_000);
        assert!(
            component
                .windows(64)
                .any(|w| w == &super::large_data(100_000)[..64]),
            "the data segment holds the bytes"
        );
    }
}
