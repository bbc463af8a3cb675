//! Tairitsu: host WebAssembly components as plugins.
//!
//! This is the crate applications depend on. It re-exports the runtime
//! ([`Image`](tairitsu_runtime), `Container`, `Registry`, the dynamic path, the command layer
//! with `simple_handler!`, `stateful_handler!` and `impl_wit_interface!`) and, with the `macros`
//! feature (on by default), the proc macros: [`bindings!`], [`wit_interface!`] and
//! [`derive@WitCommand`].

pub use tairitsu_runtime::*;

/// `#[derive(WitCommand)]`: `WitCommand` for a hand-written command enum.
#[cfg(feature = "macros")]
pub use tairitsu_macros::WitCommand;
/// Typed bindings from WIT files (or inline WIT), in place: what `tairitsu-build` writes from
/// `build.rs` for the same world, token for token.
#[cfg(feature = "macros")]
pub use tairitsu_macros::bindings;
/// One WIT interface declared in Rust source (WIT or Rust spellings), with its bindings.
#[cfg(feature = "macros")]
pub use tairitsu_macros::wit_interface;

/// Includes the bindings that `tairitsu-build` generated for a world in `build.rs`.
///
/// The argument is the world name as given to the builder; the file is
/// `$OUT_DIR/<world>.rs`. For another output directory, use `include!` with its path.
///
/// Include it in a module of its own: the generated top-level modules are named after the WIT
/// namespaces, and one named like a crate you use (`tairitsu:` itself, say) would shadow it.
///
/// ```ignore
/// mod bindings {
///     ::tairitsu::include_bindings!("my-world");
/// }
/// ```
#[macro_export]
macro_rules! include_bindings {
    ($world:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $world, ".rs"));
    };
}

/// The README's Rust examples, compiled as doc tests. (Its `rust,ignore` blocks are excerpts of
/// the examples, checked against their sources by `tests/readme.rs`.)
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
