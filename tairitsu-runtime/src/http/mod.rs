//! `wasi:http` for guests: outgoing requests refused unless the [`Sandbox`](crate::Sandbox)
//! allows their host (checked again after the name lookup), and, with the `http-server`
//! feature, serving `wasi:http/proxy` components.

mod limits;
mod outgoing;
mod policy;

pub(crate) use limits::HttpLimits;
pub(crate) use outgoing::{HttpState, add_to_linker_async, add_to_linker_sync};
pub(crate) use policy::HttpPolicy;
pub use policy::{HostPattern, HostPatternError, is_public};
#[cfg(feature = "http-server")]
mod server;

#[cfg(feature = "http-server")]
pub use server::{AccessRecord, ProxyServer, ProxyServerBuilder, ResponseBody};
