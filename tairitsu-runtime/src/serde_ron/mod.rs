//! RON for typed Rust values: the text the generated bindings read and write.
//!
//! [`to_string`] and [`from_str`] are the converters behind the generated `to_ron` / `from_ron`
//! methods. They write compact RON exactly as the `ron` crate does, which is also what the dynamic
//! path writes for the same WIT value, so text from one path parses in the other.

mod typed;

pub use typed::{from_str, to_string};
