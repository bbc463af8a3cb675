//! The lifecycle state of a container.

use std::fmt;

/// The lifecycle state of a [`Container`](crate::Container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    /// Started and taking calls.
    Running,
    /// A call trapped, ran past its deadline, hit a limit or failed in the host (or the start
    /// itself failed). Calls are refused until [`Container::restart`](crate::Container::restart).
    Failed {
        /// What happened.
        reason: String,
    },
    /// Stopped: the instance and its memory are gone, the host data is kept.
    Stopped,
}

impl fmt::Display for ContainerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerState::Running => f.write_str("running"),
            ContainerState::Failed { .. } => f.write_str("failed"),
            ContainerState::Stopped => f.write_str("stopped"),
        }
    }
}
