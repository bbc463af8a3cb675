//! The dynamic path: component values as text (RON, WAVE) and as wasmtime [`Val`]s, with no
//! generated code.
//!
//! [`Val`]: wasmtime::component::Val

mod error;

pub use error::{Position, ValueError};
