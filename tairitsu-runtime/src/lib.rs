//! The Tairitsu runtime: WebAssembly components as Images, Containers and a Registry, on
//! wasmtime.
//!
//! Most users depend on the `tairitsu` facade crate, which re-exports this one.

mod bindings;
mod cache;
mod command;
mod container;
pub mod dynamic;
mod engine;
mod error;
mod exports;
mod host_state;
mod image;
mod imports;
mod limits;
mod reference;
mod registry;
pub mod ron;
mod sandbox;
mod signature;
mod store;

pub use bindings::Bindings;
pub use command::{
    CompositeWitInterface, DispatchError, SimpleHandler, StatefulHandler, WitCommand,
    WitCommandDispatcher, WitCommandHandler, WitInterface,
};
pub use container::{
    Container, ContainerBuilder, ContainerState, Format, GuestContext, GuestInstance,
};
pub use engine::{CacheDir, DEFAULT_EPOCH_TICK, Engine, EngineConfig};
pub use error::{Error, Result};
pub use host_state::HostState;
pub use image::{Image, ImageOrigin};
pub use limits::Limits;
pub use reference::ImageRef;
pub use registry::{ContainerGuard, ContainerHandle, ContainerSummary, ImageSummary, Registry};
pub use sandbox::Sandbox;
pub use signature::{FunctionSignature, Param};
pub use store::{ImageStore, Removed, STORE_ENV, StoredImage};

/// The wasmtime this runtime is built on, for generated code and for hosts that need its types.
pub use wasmtime;

/// What generated code needs. Not part of the public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use ::ron;
    pub use ::serde;
    pub use ::wasmtime;

    pub use crate::ron::{from_str as from_ron, to_string as to_ron};
}
