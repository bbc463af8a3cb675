//! Handlers built from plain functions: stateless, or with a state of their own.

use std::fmt;

use super::traits::{WitCommand, WitCommandHandler};

/// A stateless handler: a plain function from a command to its response. What
/// [`simple_handler!`](crate::simple_handler) builds.
///
/// The function is a `fn` pointer, so the type can be named (to get the handler back from a
/// dispatcher) and the handler is `Copy`. A closure that captures nothing coerces to it; keep
/// state in a [`StatefulHandler`](crate::StatefulHandler) instead.
pub struct SimpleHandler<C: WitCommand> {
    f: fn(C) -> Result<C::Response, String>,
}

impl<C: WitCommand> SimpleHandler<C> {
    /// A handler that answers every command with `f`.
    pub const fn new(f: fn(C) -> Result<C::Response, String>) -> Self {
        Self { f }
    }
}

impl<C: WitCommand> Clone for SimpleHandler<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: WitCommand> Copy for SimpleHandler<C> {}

impl<C: WitCommand> fmt::Debug for SimpleHandler<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleHandler")
            .field("interface", &C::INTERFACE)
            .finish_non_exhaustive()
    }
}

impl<C: WitCommand> WitCommandHandler<C> for SimpleHandler<C> {
    fn execute(&mut self, command: C) -> Result<C::Response, String> {
        (self.f)(command)
    }
}

/// A handler with state: a function of the state and a command, and the state it mutates.
/// What [`stateful_handler!`](crate::stateful_handler) builds.
///
/// The state is reachable before registration ([`state`](Self::state),
/// [`into_state`](Self::into_state)) and after it, through
/// [`WitCommandDispatcher::handler`](crate::WitCommandDispatcher::handler).
pub struct StatefulHandler<S, C: WitCommand> {
    state: S,
    f: fn(&mut S, C) -> Result<C::Response, String>,
}

impl<S, C: WitCommand> StatefulHandler<S, C> {
    /// A handler that answers every command with `f`, starting from `state`.
    pub const fn new(state: S, f: fn(&mut S, C) -> Result<C::Response, String>) -> Self {
        Self { state, f }
    }

    /// The state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The state, mutably.
    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    /// The state, consuming the handler.
    pub fn into_state(self) -> S {
        self.state
    }
}

impl<S: Clone, C: WitCommand> Clone for StatefulHandler<S, C> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            f: self.f,
        }
    }
}

impl<S: fmt::Debug, C: WitCommand> fmt::Debug for StatefulHandler<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatefulHandler")
            .field("interface", &C::INTERFACE)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<S: Send, C: WitCommand> WitCommandHandler<C> for StatefulHandler<S, C> {
    fn execute(&mut self, command: C) -> Result<C::Response, String> {
        (self.f)(&mut self.state, command)
    }
}
