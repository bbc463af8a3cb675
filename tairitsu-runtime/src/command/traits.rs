//! The two traits of the command layer: a command, and what executes it.

use std::any::Any;

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
///   build a [`SimpleHandler`](crate::SimpleHandler) and a [`StatefulHandler`](crate::StatefulHandler);
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
