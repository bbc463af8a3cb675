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

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

/// A command: one call of one function of a WIT interface, with its arguments.
///
/// Implemented by the command enums that `tairitsu-build` generates (one per interface), by
/// `#[derive(WitCommand)]`, or by hand.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::WitCommand;
///
/// #[derive(Debug, Clone)]
/// pub enum Greeter {
///     Greet { name: String },
/// }
///
/// impl WitCommand for Greeter {
///     type Response = String;
///     const INTERFACE: &'static str = "greeter";
///
///     fn command_name(&self) -> &'static str {
///         match self {
///             Self::Greet { .. } => "greet",
///         }
///     }
/// }
///
/// assert_eq!(Greeter::Greet { name: "Ada".into() }.command_name(), "greet");
/// ```
pub trait WitCommand: Send + 'static {
    /// What executing the command produces. For generated commands, the interface's response
    /// enum.
    type Response: Send + 'static;

    /// The WIT interface the command belongs to (`filesystem`, or qualified,
    /// `my:pkg/filesystem@1.0.0`). It is what a dispatcher and error messages show.
    const INTERFACE: &'static str;

    /// The WIT name of the function this command calls, in kebab-case (`read-file`).
    fn command_name(&self) -> &'static str;

    /// The command as [`Any`], for hosts that route commands they do not know statically.
    fn as_any(&self) -> &dyn Any
    where
        Self: Sized,
    {
        self
    }
}

/// Something that executes the commands of one interface.
///
/// The generated handler trait of an imported interface has a blanket implementation of this
/// trait, so a host that implements the handler trait can also be put in a
/// [`WitCommandDispatcher`].
///
/// A closure `FnMut(C) -> Result<C::Response, String>` is a handler too.
pub trait WitCommandHandler<C: WitCommand>: Send {
    /// Executes `command`. An `Err` is a failure of the host, not a WIT-level error: when a
    /// guest's import call gets it, that call traps with the message.
    fn execute(&mut self, command: C) -> Result<C::Response, String>;
}

impl<C, F> WitCommandHandler<C> for F
where
    C: WitCommand,
    F: FnMut(C) -> Result<C::Response, String> + Send,
{
    fn execute(&mut self, command: C) -> Result<C::Response, String> {
        self(command)
    }
}

/// The error of [`WitCommandDispatcher::dispatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// No handler is registered for the command's interface.
    NoHandler {
        /// The interface of the command.
        interface: &'static str,
        /// The function that was called.
        command: &'static str,
    },
    /// The handler failed.
    Handler {
        /// The interface of the command.
        interface: &'static str,
        /// The function that was called.
        command: &'static str,
        /// What the handler said.
        message: String,
    },
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHandler { interface, command } => write!(
                f,
                "no handler is registered for interface `{interface}` (command `{command}`)"
            ),
            Self::Handler {
                interface,
                command,
                message,
            } => write!(
                f,
                "handler of `{interface}` failed on `{command}`: {message}"
            ),
        }
    }
}

impl std::error::Error for DispatchError {}

/// Routes each command to the one handler registered for its interface.
///
/// Handlers are keyed by the command's Rust type: registering a second handler for the same
/// command type replaces the first. Dispatch costs one hash lookup and one dynamic call.
///
/// A dispatcher can serve a guest's imports: the code `tairitsu-build` generates for an imported
/// interface has an `add_to_linker_dispatch` function that turns each import call into a command
/// and dispatches it here.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{WitCommand, WitCommandDispatcher};
///
/// #[derive(Debug)]
/// enum Counter { Add { n: u32 } }
/// impl WitCommand for Counter {
///     type Response = u32;
///     const INTERFACE: &'static str = "counter";
///     fn command_name(&self) -> &'static str { "add" }
/// }
///
/// let mut total = 0;
/// let mut dispatcher = WitCommandDispatcher::new();
/// dispatcher.register::<Counter, _>(move |Counter::Add { n }| {
///     total += n;
///     Ok(total)
/// });
/// assert_eq!(dispatcher.dispatch(Counter::Add { n: 2 }), Ok(2));
/// assert_eq!(dispatcher.dispatch(Counter::Add { n: 3 }), Ok(5));
/// ```
#[derive(Default)]
pub struct WitCommandDispatcher {
    handlers: HashMap<TypeId, Registered>,
}

struct Registered {
    interface: &'static str,
    // Always a `Box<dyn WitCommandHandler<C>>` for the `C` of the key.
    handler: Box<dyn Any + Send>,
}

impl WitCommandDispatcher {
    /// An empty dispatcher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for the commands of type `C`, replacing any earlier one.
    pub fn register<C, H>(&mut self, handler: H) -> &mut Self
    where
        C: WitCommand,
        H: WitCommandHandler<C> + 'static,
    {
        let boxed: Box<dyn WitCommandHandler<C>> = Box::new(handler);
        self.handlers.insert(
            TypeId::of::<C>(),
            Registered {
                interface: C::INTERFACE,
                handler: Box::new(boxed),
            },
        );
        self
    }

    /// Whether a handler is registered for `C`.
    pub fn handles<C: WitCommand>(&self) -> bool {
        self.handlers.contains_key(&TypeId::of::<C>())
    }

    /// The interfaces that have a handler, in no particular order.
    pub fn interfaces(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.values().map(|r| r.interface)
    }

    /// Sends `command` to the handler registered for its type.
    ///
    /// # Errors
    ///
    /// [`DispatchError::NoHandler`] when nothing is registered for `C`, and
    /// [`DispatchError::Handler`] when the handler fails.
    pub fn dispatch<C: WitCommand>(&mut self, command: C) -> Result<C::Response, DispatchError> {
        let name = command.command_name();
        let handler = self
            .handlers
            .get_mut(&TypeId::of::<C>())
            .and_then(|r| r.handler.downcast_mut::<Box<dyn WitCommandHandler<C>>>())
            .ok_or(DispatchError::NoHandler {
                interface: C::INTERFACE,
                command: name,
            })?;
        handler
            .execute(command)
            .map_err(|message| DispatchError::Handler {
                interface: C::INTERFACE,
                command: name,
                message,
            })
    }
}

impl fmt::Debug for WitCommandDispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut interfaces: Vec<_> = self.interfaces().collect();
        interfaces.sort_unstable();
        f.debug_struct("WitCommandDispatcher")
            .field("interfaces", &interfaces)
            .finish()
    }
}

/// A WIT interface served by the host: it knows its name and registers its handlers.
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
