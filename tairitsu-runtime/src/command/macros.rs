//! The macros of the original API: `simple_handler!`, `stateful_handler!`, `impl_wit_interface!`.

/// Builds a [`SimpleHandler`](crate::SimpleHandler): a stateless handler of the command type `$command`, from a
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

/// Builds a [`StatefulHandler`](crate::StatefulHandler): a handler of the command type `$command` that owns a state
/// of type `$state` and gets it mutably with every command.
///
/// - `stateful_handler!(State, Command, |state, command| body)` starts from
///   `State::default()`;
/// - `stateful_handler!(State = initial, Command, |state, command| body)` starts from
///   `initial`.
///
/// `body` returns `Result<<Command as WitCommand>::Response, String>`. The closure captures
/// nothing (it becomes a `fn` pointer): everything it keeps is in the state, which the host
/// reads back with [`StatefulHandler::state`](crate::StatefulHandler::state) or, once registered, through
/// [`WitCommandDispatcher::handler`](crate::WitCommandDispatcher::handler).
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

/// Implements [`WitInterface`](crate::WitInterface) for a type: its WIT name and how it registers its handlers.
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
