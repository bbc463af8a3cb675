//! Handlers that await: the async twin of [`WitCommandHandler`](super::WitCommandHandler).

use std::future::Future;
use std::pin::Pin;

use super::traits::WitCommand;

/// Something that executes the commands of one interface and may await while it does (a
/// database, a request, a timer).
///
/// Register it with [`WitCommandDispatcher::register_async`](super::WitCommandDispatcher::register_async)
/// and send commands with [`dispatch_async`](super::WitCommandDispatcher::dispatch_async). A
/// closure `FnMut(C) -> impl Future<Output = Result<C::Response, String>> + Send` is one.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::{AsyncWitCommandHandler, WitCommand, WitCommandDispatcher};
///
/// #[derive(Debug)]
/// enum Lookup { Get { key: String } }
/// impl WitCommand for Lookup {
///     type Response = Option<String>;
///     const INTERFACE: &'static str = "lookup";
///     fn command_name(&self) -> &'static str { "get" }
/// }
///
/// struct Remote;
/// impl AsyncWitCommandHandler<Lookup> for Remote {
///     async fn execute(&mut self, Lookup::Get { key }: Lookup) -> Result<Option<String>, String> {
///         tokio::task::yield_now().await;
///         Ok((key == "a").then(|| "1".to_string()))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut dispatcher = WitCommandDispatcher::new();
/// dispatcher.register_async::<Lookup, _>(Remote);
/// let got = dispatcher.dispatch_async(Lookup::Get { key: "a".into() }).await;
/// assert_eq!(got, Ok(Some("1".to_string())));
/// # });
/// ```
pub trait AsyncWitCommandHandler<C: WitCommand>: Send {
    /// Executes `command`. An `Err` is a failure of the host, as for
    /// [`WitCommandHandler::execute`](super::WitCommandHandler::execute).
    fn execute(&mut self, command: C) -> impl Future<Output = Result<C::Response, String>> + Send;
}

impl<C, F, Fut> AsyncWitCommandHandler<C> for F
where
    C: WitCommand,
    F: FnMut(C) -> Fut + Send,
    Fut: Future<Output = Result<C::Response, String>> + Send,
{
    fn execute(&mut self, command: C) -> impl Future<Output = Result<C::Response, String>> + Send {
        self(command)
    }
}

/// The future of a boxed async handler.
pub(super) type Executing<'a, R> = Pin<Box<dyn Future<Output = Result<R, String>> + Send + 'a>>;

/// An async handler of `C` behind a pointer: its future boxed.
pub(super) trait ErasedAsyncHandler<C: WitCommand>: Send {
    fn execute_boxed(&mut self, command: C) -> Executing<'_, C::Response>;
    fn as_any(&self) -> &dyn std::any::Any;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

impl<C: WitCommand, H: AsyncWitCommandHandler<C> + 'static> ErasedAsyncHandler<C> for H {
    fn execute_boxed(&mut self, command: C) -> Executing<'_, C::Response> {
        Box::pin(self.execute(command))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
