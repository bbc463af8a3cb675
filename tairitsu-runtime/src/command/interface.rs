//! Interfaces the host serves: a name and the handlers it registers.

use std::fmt;

use super::dispatcher::WitCommandDispatcher;

/// A WIT interface served by the host: it knows its name and registers its handlers.
///
/// [`impl_wit_interface!`](crate::impl_wit_interface) writes the implementation in one line.
/// Several interfaces compose into a [`CompositeWitInterface`].
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{WitCommand, WitCommandDispatcher, WitInterface};
///
/// #[derive(Debug)]
/// enum Clock { Now }
/// impl WitCommand for Clock {
///     type Response = u64;
///     const INTERFACE: &'static str = "clock";
///     fn command_name(&self) -> &'static str { "now" }
/// }
///
/// struct FixedClock(u64);
/// impl WitInterface for FixedClock {
///     fn interface_name(&self) -> &'static str { "clock" }
///     fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
///         let t = self.0;
///         dispatcher.register::<Clock, _>(move |_| Ok(t));
///     }
/// }
///
/// let mut dispatcher = WitCommandDispatcher::new();
/// FixedClock(7).register_handlers(&mut dispatcher);
/// assert_eq!(dispatcher.dispatch(Clock::Now), Ok(7));
/// ```
pub trait WitInterface: Send + Sync {
    /// The interface's WIT name.
    fn interface_name(&self) -> &'static str;

    /// Registers this interface's handlers on `dispatcher`.
    fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher);
}

/// Several [`WitInterface`]s registered at once.
#[derive(Default)]
pub struct CompositeWitInterface {
    interfaces: Vec<Box<dyn WitInterface>>,
}

impl CompositeWitInterface {
    /// An empty composite.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an interface.
    pub fn add_interface(&mut self, interface: Box<dyn WitInterface>) -> &mut Self {
        self.interfaces.push(interface);
        self
    }

    /// Adds an interface, builder style.
    pub fn with(mut self, interface: impl WitInterface + 'static) -> Self {
        self.interfaces.push(Box::new(interface));
        self
    }

    /// The names of the interfaces, in the order they were added.
    pub fn interface_names(&self) -> Vec<&'static str> {
        self.interfaces.iter().map(|i| i.interface_name()).collect()
    }

    /// Registers the handlers of every interface, in the order they were added.
    pub fn register_all(&self, dispatcher: &mut WitCommandDispatcher) {
        for interface in &self.interfaces {
            interface.register_handlers(dispatcher);
        }
    }
}

impl WitInterface for CompositeWitInterface {
    fn interface_name(&self) -> &'static str {
        "composite"
    }

    fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
        self.register_all(dispatcher);
    }
}

impl fmt::Debug for CompositeWitInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeWitInterface")
            .field("interfaces", &self.interface_names())
            .finish()
    }
}
