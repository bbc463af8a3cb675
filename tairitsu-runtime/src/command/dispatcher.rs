//! The dispatcher: one handler per interface, found by the command's Rust type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

use super::async_handler::{AsyncWitCommandHandler, ErasedAsyncHandler};
use super::interface::WitInterface;
use super::traits::{WitCommand, WitCommandHandler};

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
/// let container = Container::builder(image)
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

    /// Keeps `handler` (an erased handler of `C`, of Rust type `H`) as the handler of `C`.
    fn insert<C: WitCommand, H>(&mut self, handler: Box<dyn Any + Send>) -> &mut Self {
        self.handlers.insert(
            TypeId::of::<C>(),
            Registered {
                interface: C::INTERFACE,
                handler_type: std::any::type_name::<H>(),
                handler,
            },
        );
        self
    }

    /// Registers `handler` for the commands of type `C`, replacing any earlier one.
    pub fn register<C, H>(&mut self, handler: H) -> &mut Self
    where
        C: WitCommand,
        H: WitCommandHandler<C> + 'static,
    {
        let boxed: Box<dyn ErasedHandler<C>> = Box::new(handler);
        self.insert::<C, H>(Box::new(boxed))
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
    /// it is a [`StatefulHandler`](crate::StatefulHandler).
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
        let handler = &self.handlers.get(&TypeId::of::<C>())?.handler;
        let any = match handler.downcast_ref::<Box<dyn ErasedHandler<C>>>() {
            Some(sync) => sync.as_any(),
            None => handler
                .downcast_ref::<Box<dyn ErasedAsyncHandler<C>>>()?
                .as_any(),
        };
        any.downcast_ref::<H>()
    }

    /// The handler registered for `C`, mutably, if it is an `H`. See
    /// [`handler`](Self::handler).
    pub fn handler_mut<C: WitCommand, H: 'static>(&mut self) -> Option<&mut H> {
        let handler = &mut self.handlers.get_mut(&TypeId::of::<C>())?.handler;
        let any = if handler.is::<Box<dyn ErasedHandler<C>>>() {
            handler
                .downcast_mut::<Box<dyn ErasedHandler<C>>>()?
                .as_any_mut()
        } else {
            handler
                .downcast_mut::<Box<dyn ErasedAsyncHandler<C>>>()?
                .as_any_mut()
        };
        any.downcast_mut::<H>()
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
        // An async handler of `C` is not found here: `dispatch_async` reaches it.
        handler
            .execute(command)
            .map_err(|message| DispatchError::Handler {
                interface: C::INTERFACE,
                command: name,
                message,
            })
    }
}

impl WitCommandDispatcher {
    /// Registers an async `handler` for the commands of type `C`, replacing any earlier one
    /// (sync or async). Commands reach it through [`dispatch_async`](Self::dispatch_async).
    pub fn register_async<C, H>(&mut self, handler: H) -> &mut Self
    where
        C: WitCommand,
        H: AsyncWitCommandHandler<C> + 'static,
    {
        let boxed: Box<dyn ErasedAsyncHandler<C>> = Box::new(handler);
        self.insert::<C, H>(Box::new(boxed))
    }

    /// Sends `command` to the handler registered for its type, awaiting an async one (a sync
    /// one runs at once).
    ///
    /// # Errors
    ///
    /// As [`dispatch`](Self::dispatch).
    pub async fn dispatch_async<C: WitCommand>(
        &mut self,
        command: C,
    ) -> Result<C::Response, DispatchError> {
        let name = command.command_name();
        let no_handler = DispatchError::NoHandler {
            interface: C::INTERFACE,
            command: name,
        };
        let Some(registered) = self.handlers.get_mut(&TypeId::of::<C>()) else {
            return Err(no_handler);
        };
        let fails = |message| DispatchError::Handler {
            interface: C::INTERFACE,
            command: name,
            message,
        };
        if registered.handler.is::<Box<dyn ErasedHandler<C>>>() {
            return self.dispatch(command);
        }
        match registered
            .handler
            .downcast_mut::<Box<dyn ErasedAsyncHandler<C>>>()
        {
            Some(handler) => handler.execute_boxed(command).await.map_err(fails),
            None => Err(no_handler),
        }
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
