//! The dynamic path: component values as text (RON, WAVE) and as wasmtime [`Val`]s, with no
//! generated code.
//!
//! The model in the middle is wasmtime's [`Val`] plus a [`ValueType`] tree; the formats are edge
//! modules ([`ron`], [`wave`]) that read and write it, so N value kinds and M formats cost N+M.
//! [`call`] reads whole calls (`add(1, 2)`, `add(a: 1, b: 2)`), [`WorldInfo`] lists what a
//! component imports and exports as WIT (a view of the image's [`Surface`](crate::Surface)),
//! and [`HostImports`] serves a component's imports with closures defined at run time.
//!
//! [`Val`]: wasmtime::component::Val

pub mod call;
mod error;
mod handles;
mod host_imports;
mod names;
pub mod ron;
mod value_limits;
mod value_type;
pub mod wave;

pub use crate::surface::{TypeDef, WorldInfo, decode_world, wit_type_text};
pub use call::{CallName, CallText};
pub use error::{Position, ValueError, ValueErrorKind};
pub(crate) use handles::owned_resources;
pub use handles::{DEFAULT_MAX_HANDLES, HandleTable, NoHandles, ResourceHandles};
pub(crate) use host_imports::LiveHostResources;
pub use host_imports::{HostImportError, HostImports, HostResources};
pub use names::{Name, snake_case, upper_camel_case};
pub use value_limits::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_LIFTED_BYTES, DEFAULT_MAX_TEXT_LEN, DEFAULT_MAX_VALUES,
    ValueLimits,
};
pub use value_type::{
    Case, EnumType, Field, FlagsType, FuncType, RecordType, ResourceInfo, ResultType, ValueType,
    VariantType,
};
