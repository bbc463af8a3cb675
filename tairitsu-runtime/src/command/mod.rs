//! The command layer: typed commands, the handlers that execute them, and the dispatcher that
//! routes each command to the one handler registered for its interface.
//!
//! A WIT interface becomes one command enum (a variant per function, named fields for the
//! parameters) and one response enum (a variant per function, holding its result).
//! `tairitsu-build` generates both and implements [`WitCommand`] for them; `#[derive(WitCommand)]`
//! does it for hand-written enums. A host then serves an interface with any
//! [`WitCommandHandler`] for its command type, and a [`WitCommandDispatcher`] holds one handler
//! per interface, keyed by the command's Rust type, so dispatching is a hash lookup and a direct
//! call: no boxing per function name, no string matching.

mod async_handler;
mod dispatcher;
mod handlers;
mod interface;
mod macros;
mod traits;

pub use async_handler::AsyncWitCommandHandler;
pub use dispatcher::{DispatchError, WitCommandDispatcher};
pub use handlers::{SimpleHandler, StatefulHandler};
pub use interface::{CompositeWitInterface, WitInterface};
pub use traits::{WitCommand, WitCommandHandler};
