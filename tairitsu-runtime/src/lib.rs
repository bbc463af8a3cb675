//! The Tairitsu runtime: WebAssembly components as Images, Containers and a Registry, on
//! wasmtime.
//!
//! Most users depend on the `tairitsu` facade crate, which re-exports this one.
//!
//! - An [`Image`] is a compiled component: compiled once per process for the shared [`Engine`]
//!   and cached on disk, so the next process deserializes it.
//! - A [`Container`] is a running instance of an image with host data, a WASI [`Sandbox`]
//!   (nothing granted by default) and [`Limits`] (memory, tables, a CPU deadline per call). A
//!   trap, a deadline or a limit fails that call and the container; [`Container::restart`] gives
//!   a fresh instance.
//! - A [`Registry`] holds images by `name:tag` and containers by id and name, for many threads.
//! - [`dynamic`] calls any export with RON or WAVE text or wasmtime `Val`s, and serves imports
//!   with closures defined at run time; the code `tairitsu-build` generates plugs in through
//!   [`Bindings`] and the command layer ([`WitCommand`], [`WitCommandDispatcher`]).
//!
//! ```
//! use tairitsu_runtime::dynamic::HostImports;
//! use tairitsu_runtime::{Container, Image, Limits};
//! # let bytes = tairitsu_fixtures::host_import();
//!
//! // A component that imports `log` and `double` and exports `run(x) = double(x) + 1`.
//! let image = Image::from_bytes(&bytes)?;
//! for f in image.exports() {
//!     assert_eq!(f.to_wit(), "run: func(x: u32) -> u32");
//! }
//!
//! // Serve its imports with closures, start it, call it with RON.
//! let imports = HostImports::new()
//!     .ron_func("test:host/log#log", |_message| Ok("()".into()))
//!     .ron_func("test:host/math#double", |args| {
//!         let (x,): (u32,) = tairitsu_runtime::serde_ron::from_str(args).map_err(|e| e.to_string())?;
//!         Ok((x * 2).to_string())
//!     });
//! let mut container = Container::builder(image)
//!     .with_host_imports(imports)
//!     .with_limits(Limits::new().max_memory(16 << 20))
//!     .build()?;
//! assert_eq!(container.call_ron("run(20)")?, "41");
//! # Ok::<(), tairitsu_runtime::Error>(())
//! ```

mod bindings;
mod cache;
mod command;
mod container;
mod durable;
pub mod dynamic;
mod engine;
mod error;
mod file_watch;
mod host_state;
pub mod http;
mod image;
mod limits;
#[cfg(feature = "oci")]
pub mod oci;
mod reference;
mod registry;
mod sandbox;
pub mod serde_ron;
mod signature;
mod store;
mod surface;
pub mod tools;

pub use bindings::Bindings;
pub use cache::CacheProblem;
pub use command::{
    AsyncWitCommandHandler, CompositeWitInterface, DispatchError, SimpleHandler, StatefulHandler,
    WitCommand, WitCommandDispatcher, WitCommandHandler, WitInterface,
};
pub use container::InvokeFuture;
pub use container::{
    Container, ContainerBuilder, ContainerState, Format, GuestContext, GuestInstance, Hooked,
    InterruptHandle, Unhooked,
};
pub use engine::{CacheDir, DEFAULT_EPOCH_TICK, Engine, EngineConfig};
pub use error::{Error, LimitKind, Result, WasmtimeError};
pub use file_watch::{DEFAULT_DEBOUNCE, FileWatch};
pub use host_state::HostState;
pub use image::{Image, ImageOrigin};
pub use limits::Limits;
pub use reference::ImageRef;
pub use registry::{
    ContainerGuard, ContainerHandle, ContainerSummary, HealthCheck, HealthCheckFn, ImageSummary,
    Registry, RegistryEvent, Rollout, RolloutPolicy, Watch, export_differences,
};
pub use sandbox::{AddressRule, AddressRuleError, Sandbox};
pub use signature::{FunctionSignature, Param};
pub use store::{ImageStore, Removed, STORE_ENV, StoredImage};
pub use surface::{Export, Import, ImportKind, Provider, Surface};

/// The wasmtime this runtime is built on, for generated code and for hosts that need its types.
pub use wasmtime;

/// What generated code needs. Not part of the public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use ::ron;
    pub use ::serde;
    pub use ::wasmtime;

    pub use crate::serde_ron::{from_str as from_ron, to_string as to_ron};
}
