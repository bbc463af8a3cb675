//! Async calls: the same call path as the sync one, awaited.
//!
//! An async container (built with [`with_async`](crate::ContainerBuilder::with_async), or with
//! host imports that await) takes its calls through these methods. A guest running wasm yields
//! to the executor at every epoch tick, so other tasks on the thread keep running; the call's
//! deadline is wall-clock and covers host awaits and WASI waits; dropping a call's future
//! cancels the call and leaves the container [`Failed`](crate::ContainerState::Failed).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures::FutureExt as _;
use wasmtime::Store;
use wasmtime::component::{Func, Val};

use super::fault::{Fault, Interrupted};
use super::lifecycle::{Container, Core, Run};
use super::state::ContainerState;
use super::text::Format;
use crate::host_state::HostState;
use crate::surface::Export;
use crate::{Error, Result};

/// What a typed async call returns: a future borrowing the guest and the store.
pub type InvokeFuture<'a, R> = Pin<Box<dyn Future<Output = wasmtime::Result<R>> + Send + 'a>>;

impl<T: Send + 'static> Container<T> {
    /// [`invoke`](Self::invoke) for async bindings: `f` gets the guest object and the store and
    /// returns the future of the typed call (generated async callers, or `TypedFunc::call_async`).
    ///
    /// ```ignore
    /// let sum = container
    ///     .invoke_async(|calc: &Calc, store| Box::pin(calc.api().call_add(store, 1, 2)))
    ///     .await?;
    /// ```
    ///
    /// # Errors
    ///
    /// As [`invoke`](Self::invoke), and [`Error::CallMode`] on a sync container.
    pub async fn invoke_async<'s, W, R, F>(&'s mut self, f: F) -> Result<R>
    where
        W: Send + Sync + 'static,
        R: Send,
        F: FnOnce(&'s W, &'s mut Store<HostState<T>>) -> InvokeFuture<'s, R> + Send,
    {
        self.core
            .guarded_async("typed call", |run| {
                let Run { store, guest, .. } = run;
                // As in `invoke`: a wrong guest is refused before the guest runs.
                match guest.as_deref().and_then(|g| g.downcast_ref::<W>()) {
                    Some(guest) => f(guest, store),
                    None => Box::pin(async { Err(super::fault::wrong_guest::<W>()) }),
                }
            })
            .await
    }

    /// [`call_guest_binary`](Self::call_guest_binary), awaited.
    ///
    /// # Errors
    ///
    /// As [`call_guest_binary`](Self::call_guest_binary), and [`Error::CallMode`] on a sync
    /// container.
    pub async fn call_guest_binary_async(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>> {
        let number = self.core.resolve(&self.image, name)?;
        let export = self.image.surface().export_at(number);
        super::call::check_arity(export, args.len())?;
        let mut results = vec![Val::Bool(false); export.results];
        self.core
            .call_func_async(number, export, args, &mut results)
            .await?;
        Ok(results)
    }

    /// [`call_ron`](Self::call_ron), awaited.
    ///
    /// # Errors
    ///
    /// As [`call_ron`](Self::call_ron), and [`Error::CallMode`] on a sync container.
    pub async fn call_ron_async(&mut self, call: &str) -> Result<String> {
        self.call_text_async(call, Format::Ron, Format::Ron).await
    }

    /// [`call_wave`](Self::call_wave), awaited.
    ///
    /// # Errors
    ///
    /// As [`call_wave`](Self::call_wave), and [`Error::CallMode`] on a sync container.
    pub async fn call_wave_async(&mut self, call: &str) -> Result<String> {
        self.call_text_async(call, Format::Wave, Format::Wave).await
    }

    /// [`call_text`](Self::call_text), awaited.
    ///
    /// # Errors
    ///
    /// As [`call_text`](Self::call_text), and [`Error::CallMode`] on a sync container.
    pub async fn call_text_async(
        &mut self,
        call: &str,
        input: Format,
        output: Format,
    ) -> Result<String> {
        let (number, mut args) = self.read_call(call, input)?;
        let export = self.image.surface().export_at(number);
        let core = &mut self.core;
        let mut results = vec![Val::Bool(false); export.results];
        let called = core
            .call_func_async(number, export, &args, &mut results)
            .await;
        args.clear();
        core.args = args;
        called?;
        let printed = core.print_results(export, &results, output);
        if printed.is_err() {
            let mut owned = Vec::new();
            crate::dynamic::owned_resources(&results, &mut owned);
            if !owned.is_empty() {
                core.guarded_async("drop the resources of an unprinted result", |run| {
                    Box::pin(async move {
                        for r in owned {
                            r.resource_drop_async(&mut run.store).await?;
                        }
                        Ok(())
                    })
                })
                .await?;
            }
        }
        printed
    }

    /// [`start`](Self::start) for an async container: instantiates with
    /// `instantiate_async`, so a start function may call host imports that await.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub async fn start_async(&mut self) -> Result<()> {
        self.start_with(true).await
    }

    /// [`restart`](Self::restart) for an async container.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub async fn restart_async(&mut self) -> Result<()> {
        self.stop();
        self.start_async().await
    }
}

impl<T: Send + 'static> Core<T> {
    /// The async twin of [`Core::guarded`]: the same entry and settling, with the deadline and
    /// interrupts raced against the call. `f` gets the running instance for as long as `self`
    /// is borrowed, so its future may borrow what the caller lends it.
    pub(crate) async fn guarded_async<'s, R, F>(&'s mut self, call: &str, f: F) -> Result<R>
    where
        F: FnOnce(&'s mut Run<T>) -> InvokeFuture<'s, R>,
    {
        self.enter(true)?;
        let Core {
            run,
            state,
            name,
            id,
            limits,
            interrupt,
            ..
        } = self;
        let deadline = limits.deadline;
        let who: &str = name.as_deref().unwrap_or(id);
        let Some(run) = run.as_mut() else {
            return Err(Error::ContainerStopped {
                container: who.to_string(),
            });
        };
        let started = std::time::Instant::now();
        let woken = interrupt.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let call_future = super::calling::Marked {
            id: super::calling::identity(interrupt),
            inner: AssertUnwindSafe(f(run)).catch_unwind(),
        };
        let expired = async {
            match deadline {
                Some(d) => tokio::time::sleep_until((started + d).into()).await,
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            biased;
            out = call_future => match out {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(e)) => Err(Fault::Error(e)),
                Err(panic) => Err(Fault::Panic(panic)),
            },
            () = woken => Err(Fault::Error(Interrupted::ByHost.into())),
            () = expired => Err(Fault::Error(Interrupted::Deadline.into())),
        };
        *state = ContainerState::Running;
        outcome.map_err(|fault| super::call::settle(state, who, deadline, call, fault))
    }

    /// [`Core::call_func`], awaited.
    pub(crate) async fn call_func_async(
        &mut self,
        number: usize,
        export: &Export,
        args: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let func: Func = self.func(number, export)?;
        self.guarded_async(&export.qualified, move |run| {
            Box::pin(async move { func.call_async(&mut run.store, args, results).await })
        })
        .await
    }
}
