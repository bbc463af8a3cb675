//! Tairitsu: host WebAssembly components as plugins.
//!
//! This is the crate applications depend on. It re-exports the runtime
//! ([`Image`](tairitsu_runtime), `Container`, `Registry`, the dynamic path) and, with the
//! `macros` feature (on by default), the proc macros.

pub use tairitsu_runtime::*;

/// Includes the bindings that `tairitsu-build` generated for a world in `build.rs`.
///
/// The argument is the world name as given to the builder; the file is
/// `$OUT_DIR/<world>.rs`. For another output directory, use `include!` with its path.
///
/// ```ignore
/// tairitsu::include_bindings!("my-world");
/// ```
#[macro_export]
macro_rules! include_bindings {
    ($world:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $world, ".rs"));
    };
}
