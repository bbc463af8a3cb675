//! Containers: running instances of an image, with host state, limits and a lifecycle.

mod builder;
mod call;
mod call_async;
mod calling;
mod fault;
mod guest;
mod interrupt;
mod lifecycle;
mod state;
mod text;
mod upgrade;
mod wasi_command;
mod wasi_wait;

pub use builder::{ContainerBuilder, Hooked, Unhooked};
pub use call_async::InvokeFuture;
pub use guest::{GuestContext, GuestInstance};
pub use interrupt::InterruptHandle;
pub use lifecycle::Container;
pub use state::ContainerState;
pub use text::Format;

pub(crate) use calling::{identity as calling_identity, is_calling};
pub(crate) use interrupt::CallClock;
