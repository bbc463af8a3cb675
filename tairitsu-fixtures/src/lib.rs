//! Real WebAssembly components for Tairitsu's tests, built from WIT and WAT at test time.
//!
//! No wasm compilation target is needed: a core module is written (or generated) in WAT, the
//! world's metadata is embedded with `wit-component`, and the result is encoded and validated as
//! a component.
//!
//! Three levels:
//!
//! * [`build`]: WIT text + a complete core module in WAT → component bytes;
//! * [`generate`]: WIT text + per-export [`Bodies`] (echo, relay to an import, or hand-written
//!   WAT instructions) → component bytes; the memory, allocator, imports and canonical ABI
//!   plumbing are generated;
//! * the named fixtures, each with its WIT as a constant and as a file under [`wit_dir()`]:
//!   [`root()`], [`calc()`] (also [`ambiguous()`]), [`host_import()`], [`faults()`],
//!   [`kitchen()`], [`blob_user()`], [`large()`] of any size, and the versions of
//!   [`plugin()`] for hot reload.
//!
//! [`TestRegistry`] runs a real OCI registry (the CNCF
//! distribution registry) for tests that push and pull: without auth, with htpasswd, or with
//! bearer tokens from a token server of its own, over plain HTTP or TLS.
//!
//! ```
//! let bytes = tairitsu_fixtures::root();
//! assert_eq!(&bytes[..4], b"\0asm");
//! assert!(tairitsu_fixtures::ROOT_WIT.contains("greet: func(name: string) -> string"));
//! assert!(tairitsu_fixtures::wit_dir().join("kitchen/kitchen.wit").is_file());
//! ```

mod abi;
mod certificate;
mod component;
mod echo;
mod fixtures;
mod generate;
mod large;
mod plugin;
mod registry;
mod token_server;

pub use certificate::SelfSigned;
pub use component::build;
pub use fixtures::{
    BLOB_USER_WIT, CALC_WIT, FAULTS_WIT, HOST_IMPORT_WIT, KITCHEN_WIT, ROOT_WIT, ambiguous,
    blob_user, calc, faults, host_import, kitchen, root, wit_dir,
};
pub use generate::{Bodies, Body, DATA_START, HEAP_START, RET_AREA, generate, generate_core_wat};
pub use large::{LARGE_WIT, large, large_checksum, large_data};
pub use plugin::{PLUGIN_WIT, plugin, plugin_incompatible, plugin_trapping, plugin_unhealthy};
pub use registry::{RegistryAuth, Response, TestRegistry};
pub use token_server::TokenRequest;
