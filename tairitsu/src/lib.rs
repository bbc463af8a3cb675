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
/// The argument is the world name exactly as given to the builder, qualified names included
/// (`include_bindings!("wasi:http/proxy@0.2.12")`); the file is `$OUT_DIR/<stem>.rs`, the stem
/// being the name with `:`, `/` and `@` turned into `-` (`wasi-http-proxy-0.2.12`). For another
/// output directory, use `include!` with its path.
///
/// Include it in a module of its own: the generated top-level modules are named after the WIT
/// namespaces, and one named like a crate you use (`tairitsu:` itself, say) would shadow it.
///
/// ```ignore
/// mod bindings {
///     ::tairitsu::include_bindings!("my-world");
/// }
/// ```
#[cfg(feature = "macros")]
pub use tairitsu_macros::include_bindings;

/// Includes the bindings that `tairitsu-build` generated for a world in `build.rs`.
///
/// Without the `macros` feature this takes the file stem, which is the world name for an
/// unqualified one (`"my-world"`); for a qualified world give the stem
/// (`"wasi-http-proxy-0.2.12"`) or turn `macros` on.
#[cfg(not(feature = "macros"))]
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
