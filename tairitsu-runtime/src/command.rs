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
/// Ways to get one:
///
/// - implement it by hand (a `match` over the command enum);
/// - a closure `FnMut(C) -> Result<C::Response, String>` is a handler;
/// - [`simple_handler!`](crate::simple_handler) and [`stateful_handler!`](crate::stateful_handler)
///   build a [`SimpleHandler`] and a [`StatefulHandler`];
/// - for an interface a guest imports, generated code has a `{Iface}Handler` trait with one
///   method per function, and `{Iface}Service<H>` wraps an implementation of it as a
///   `WitCommandHandler` (a blanket implementation is impossible: the orphan rule).
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{WitCommand, WitCommandHandler};
///
/// #[derive(Debug)]
/// enum Shout { Upper { text: String }, Lower { text: String } }
/// impl WitCommand for Shout {
///     type Response = String;
///     const INTERFACE: &'static str = "shout";
///     fn command_name(&self) -> &'static str {
///         match self { Self::Upper { .. } => "upper", Self::Lower { .. } => "lower" }
///     }
/// }
///
/// struct Shouter;
/// impl WitCommandHandler<Shout> for Shouter {
///     fn execute(&mut self, command: Shout) -> Result<String, String> {
///         Ok(match command {
///             Shout::Upper { text } => text.to_uppercase(),
///             Shout::Lower { text } => text.to_lowercase(),
///         })
///     }
/// }
///
/// assert_eq!(Shouter.execute(Shout::Upper { text: "hi".into() }), Ok("HI".to_string()));
/// ```
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
/// A dispatcher can serve a guest's imports: the code `tairitsu-build` (or the `bindings!` and
/// `wit_interface!` macros) generates for an imported interface has an `add_to_linker_dispatch`
/// function that turns each import call into a command and dispatches it here. Keep the
/// dispatcher in the container's host state and hand the generated function a getter:
///
/// ```ignore
/// let mut dispatcher = WitCommandDispatcher::new();
/// filesystem::register(&mut dispatcher, MemoryFs::default());
/// let container = Container::builder(image)?
///     .with_host_state(dispatcher)
///     .with_linker(|linker| filesystem::add_to_linker_dispatch(linker, |state| state.data_mut()))
///     .build()?;
/// ```
///
/// A registered handler can be reached again, to read what the guest did to its state, with
/// [`handler`](Self::handler) and [`handler_mut`](Self::handler_mut).
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
    /// The handler's Rust type, for `Debug` and error messages.
    handler_type: &'static str,
    // Always a `Box<dyn ErasedHandler<C>>` for the `C` of the key.
    handler: Box<dyn Any + Send>,
}

/// A handler of `C` that can also be reached as its own type again.
trait ErasedHandler<C: WitCommand>: WitCommandHandler<C> {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<C: WitCommand, H: WitCommandHandler<C> + 'static> ErasedHandler<C> for H {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
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
        let boxed: Box<dyn ErasedHandler<C>> = Box::new(handler);
        self.handlers.insert(
            TypeId::of::<C>(),
            Registered {
                interface: C::INTERFACE,
                handler_type: std::any::type_name::<H>(),
                handler: Box::new(boxed),
            },
        );
        self
    }

    /// [`register`](Self::register), builder style.
    ///
    /// ```
    /// # use tairitsu_runtime::{WitCommand, WitCommandDispatcher};
    /// # #[derive(Debug)] enum Ping { Ping }
    /// # impl WitCommand for Ping {
    /// #     type Response = &'static str;
    /// #     const INTERFACE: &'static str = "ping";
    /// #     fn command_name(&self) -> &'static str { "ping" }
    /// # }
    /// let mut dispatcher = WitCommandDispatcher::new().with::<Ping, _>(|_| Ok("pong"));
    /// assert_eq!(dispatcher.dispatch(Ping::Ping), Ok("pong"));
    /// ```
    pub fn with<C, H>(mut self, handler: H) -> Self
    where
        C: WitCommand,
        H: WitCommandHandler<C> + 'static,
    {
        self.register::<C, H>(handler);
        self
    }

    /// Registers the handlers of `interface` (one or several command types): the same as
    /// `interface.register_handlers(self)`.
    pub fn register_interface(&mut self, interface: &dyn WitInterface) -> &mut Self {
        interface.register_handlers(self);
        self
    }

    /// Removes the handler of `C`; returns whether there was one.
    pub fn unregister<C: WitCommand>(&mut self) -> bool {
        self.handlers.remove(&TypeId::of::<C>()).is_some()
    }

    /// Whether a handler is registered for `C`.
    pub fn handles<C: WitCommand>(&self) -> bool {
        self.handlers.contains_key(&TypeId::of::<C>())
    }

    /// How many command types have a handler.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// Whether no handler is registered.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// The interfaces that have a handler, in no particular order.
    pub fn interfaces(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.values().map(|r| r.interface)
    }

    /// The handler registered for `C`, if it is an `H`.
    ///
    /// This is how a host reads the state its handler kept while serving a guest: for a
    /// handler registered through generated code (`register(dispatcher, handler)`), `H` is the
    /// generated `{Iface}Service<YourHandler>`; for [`stateful_handler!`](crate::stateful_handler)
    /// it is a [`StatefulHandler`].
    ///
    /// ```
    /// use tairitsu_runtime::{StatefulHandler, WitCommand, WitCommandDispatcher, stateful_handler};
    ///
    /// #[derive(Debug)]
    /// enum Tally { Add(u32) }
    /// impl WitCommand for Tally {
    ///     type Response = u32;
    ///     const INTERFACE: &'static str = "tally";
    ///     fn command_name(&self) -> &'static str { "add" }
    /// }
    ///
    /// let mut dispatcher = WitCommandDispatcher::new();
    /// dispatcher.register::<Tally, _>(stateful_handler!(u32, Tally, |sum, Tally::Add(n)| {
    ///     *sum += n;
    ///     Ok(*sum)
    /// }));
    /// dispatcher.dispatch(Tally::Add(4)).unwrap();
    /// let handler = dispatcher.handler::<Tally, StatefulHandler<u32, Tally>>().unwrap();
    /// assert_eq!(*handler.state(), 4);
    /// ```
    pub fn handler<C: WitCommand, H: 'static>(&self) -> Option<&H> {
        self.handlers
            .get(&TypeId::of::<C>())?
            .handler
            .downcast_ref::<Box<dyn ErasedHandler<C>>>()?
            .as_any()
            .downcast_ref::<H>()
    }

    /// The handler registered for `C`, mutably, if it is an `H`. See
    /// [`handler`](Self::handler).
    pub fn handler_mut<C: WitCommand, H: 'static>(&mut self) -> Option<&mut H> {
        self.handlers
            .get_mut(&TypeId::of::<C>())?
            .handler
            .downcast_mut::<Box<dyn ErasedHandler<C>>>()?
            .as_any_mut()
            .downcast_mut::<H>()
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
            .and_then(|r| r.handler.downcast_mut::<Box<dyn ErasedHandler<C>>>())
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
        let mut handlers: Vec<_> = self
            .handlers
            .values()
            .map(|r| (r.interface, r.handler_type))
            .collect();
        handlers.sort_unstable();
        f.debug_struct("WitCommandDispatcher")
            .field("handlers", &handlers)
            .finish()
    }
}

/// A stateless handler: a plain function from a command to its response. What
/// [`simple_handler!`](crate::simple_handler) builds.
///
/// The function is a `fn` pointer, so the type can be named (to get the handler back from a
/// dispatcher) and the handler is `Copy`. A closure that captures nothing coerces to it; keep
/// state in a [`StatefulHandler`] instead.
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
/// [`WitCommandDispatcher::handler`].
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

/// Builds a [`SimpleHandler`]: a stateless handler of the command type `$command`, from a
/// closure that captures nothing.
///
/// `simple_handler!(Command, |command| body)`: `body` returns
/// `Result<<Command as WitCommand>::Response, String>`. The closure becomes a `fn` pointer, so
/// the handler's type can be named (`SimpleHandler<Command>`); to keep state, use
/// [`stateful_handler!`](crate::stateful_handler).
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{WitCommand, WitCommandDispatcher, simple_handler};
///
/// #[derive(Debug)]
/// enum Math { Add { a: i32, b: i32 }, Div { a: i32, b: i32 } }
/// impl WitCommand for Math {
///     type Response = i32;
///     const INTERFACE: &'static str = "math";
///     fn command_name(&self) -> &'static str {
///         match self { Self::Add { .. } => "add", Self::Div { .. } => "div" }
///     }
/// }
///
/// let handler = simple_handler!(Math, |command| match command {
///     Math::Add { a, b } => Ok(a + b),
///     Math::Div { a, b } => a.checked_div(b).ok_or_else(|| "division by zero".to_string()),
/// });
/// let mut dispatcher = WitCommandDispatcher::new();
/// dispatcher.register::<Math, _>(handler);
/// assert_eq!(dispatcher.dispatch(Math::Add { a: 2, b: 3 }), Ok(5));
/// assert!(dispatcher.dispatch(Math::Div { a: 1, b: 0 }).is_err());
/// ```
#[macro_export]
macro_rules! simple_handler {
    ($command:ty, $handler:expr $(,)?) => {
        $crate::SimpleHandler::<$command>::new($handler)
    };
}

/// Builds a [`StatefulHandler`]: a handler of the command type `$command` that owns a state
/// of type `$state` and gets it mutably with every command.
///
/// - `stateful_handler!(State, Command, |state, command| body)` starts from
///   `State::default()`;
/// - `stateful_handler!(State = initial, Command, |state, command| body)` starts from
///   `initial`.
///
/// `body` returns `Result<<Command as WitCommand>::Response, String>`. The closure captures
/// nothing (it becomes a `fn` pointer): everything it keeps is in the state, which the host
/// reads back with [`StatefulHandler::state`] or, once registered, through
/// [`WitCommandDispatcher::handler`].
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{StatefulHandler, WitCommand, WitCommandDispatcher, stateful_handler};
///
/// #[derive(Debug)]
/// enum Counter { Increment { by: u64 }, Reset }
/// impl WitCommand for Counter {
///     type Response = u64;
///     const INTERFACE: &'static str = "counter";
///     fn command_name(&self) -> &'static str {
///         match self { Self::Increment { .. } => "increment", Self::Reset => "reset" }
///     }
/// }
///
/// #[derive(Debug, Default)]
/// struct Tally { total: u64, calls: u32 }
///
/// let mut dispatcher = WitCommandDispatcher::new();
/// dispatcher.register::<Counter, _>(stateful_handler!(Tally, Counter, |state, command| {
///     state.calls += 1;
///     match command {
///         Counter::Increment { by } => state.total += by,
///         Counter::Reset => state.total = 0,
///     }
///     Ok(state.total)
/// }));
/// assert_eq!(dispatcher.dispatch(Counter::Increment { by: 2 }), Ok(2));
/// assert_eq!(dispatcher.dispatch(Counter::Increment { by: 5 }), Ok(7));
///
/// let handler = dispatcher.handler::<Counter, StatefulHandler<Tally, Counter>>().unwrap();
/// assert_eq!(handler.state().calls, 2);
///
/// // With an initial state.
/// let mut from_ten = stateful_handler!(u64 = 10, Counter, |total, command| match command {
///     Counter::Increment { by } => { *total += by; Ok(*total) }
///     Counter::Reset => { *total = 0; Ok(0) }
/// });
/// use tairitsu_runtime::WitCommandHandler;
/// assert_eq!(from_ten.execute(Counter::Increment { by: 1 }), Ok(11));
/// ```
///
/// The closure becomes a plain function, so it cannot capture; keep what it needs in the
/// state:
///
/// ```compile_fail,E0308
/// use tairitsu_runtime::{WitCommand, stateful_handler};
///
/// #[derive(Debug)]
/// enum Counter { Add { n: u32 } }
/// impl WitCommand for Counter {
///     type Response = u32;
///     const INTERFACE: &'static str = "counter";
///     fn command_name(&self) -> &'static str { "add" }
/// }
///
/// let step = 2;
/// let _handler = stateful_handler!(u32, Counter, |total, Counter::Add { n }| {
///     *total += n * step;
///     Ok(*total)
/// });
/// ```
#[macro_export]
macro_rules! stateful_handler {
    ($state:ty = $initial:expr, $command:ty, $handler:expr $(,)?) => {
        $crate::StatefulHandler::<$state, $command>::new($initial, $handler)
    };
    ($state:ty, $command:ty, $handler:expr $(,)?) => {
        $crate::StatefulHandler::<$state, $command>::new(
            <$state as ::core::default::Default>::default(),
            $handler,
        )
    };
}

/// Implements [`WitInterface`] for a type: its WIT name and how it registers its handlers.
///
/// `impl_wit_interface!(Type, "name", fn register_handlers(&self, dispatcher: &mut
/// WitCommandDispatcher) { … })`, the form of the original README. The name is any
/// `&'static str` expression (a generated `INTERFACE` constant, say).
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{WitCommand, WitCommandDispatcher, WitInterface, impl_wit_interface};
///
/// #[derive(Debug)]
/// enum Echo { Say { text: String } }
/// impl WitCommand for Echo {
///     type Response = String;
///     const INTERFACE: &'static str = "echo";
///     fn command_name(&self) -> &'static str { "say" }
/// }
///
/// struct EchoInterface { prefix: &'static str }
///
/// impl_wit_interface!(EchoInterface, "echo",
///     fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
///         let prefix = self.prefix;
///         dispatcher.register::<Echo, _>(move |Echo::Say { text }| Ok(format!("{prefix}{text}")));
///     }
/// );
///
/// let interface = EchoInterface { prefix: "> " };
/// assert_eq!(interface.interface_name(), "echo");
/// let mut dispatcher = WitCommandDispatcher::new();
/// dispatcher.register_interface(&interface);
/// assert_eq!(dispatcher.dispatch(Echo::Say { text: "hi".into() }), Ok("> hi".to_string()));
/// ```
#[macro_export]
macro_rules! impl_wit_interface {
    (
        $ty:ty, $name:expr,
        fn register_handlers(&$this:ident, $dispatcher:ident : $dispatcher_ty:ty) $body:block
        $(,)?
    ) => {
        impl $crate::WitInterface for $ty {
            fn interface_name(&self) -> &'static str {
                $name
            }

            fn register_handlers(&$this, $dispatcher: $dispatcher_ty) $body
        }
    };
}
