//! The one path into a guest: set the deadline, run under `catch_unwind`, classify the outcome,
//! settle the container. Typed calls, dynamic calls, command runs and handle drops all go
//! through [`Core::guarded`].

use std::panic::AssertUnwindSafe;

use wasmtime::Store;
use wasmtime::component::{Func, Val};

use super::fault::{Fault, classify, wrong_guest};
use super::lifecycle::{Container, Core, Run};
use super::state::ContainerState;
use crate::host_state::HostState;
use crate::image::Image;
use crate::surface::Export;
use crate::{Error, Result};

impl<T: Send + 'static> Container<T> {
    /// Runs `f` on the guest with the container's deadline and failure tracking: the way to call
    /// typed bindings.
    ///
    /// ```ignore
    /// let sum = container.invoke(|calc: &Calc, store| calc.api().call_add(store, 1, 2))?;
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ExportType`] when the guest object is not a `W`; a guest failure
    /// ([`Error::Trap`], [`Error::DeadlineExceeded`], [`Error::LimitExceeded`],
    /// [`Error::Host`]), after which the container is failed; other errors of `f` as
    /// [`Error::Wasmtime`].
    pub fn invoke<W: 'static, R>(
        &mut self,
        f: impl FnOnce(&W, &mut Store<HostState<T>>) -> wasmtime::Result<R>,
    ) -> Result<R> {
        self.core.guarded("typed call", |run| {
            // The only type check: a wrong guest is refused here, before the guest runs, and
            // leaves the container running (see `WrongGuest`).
            match run.guest.as_deref().and_then(|g| g.downcast_ref::<W>()) {
                Some(guest) => f(guest, &mut run.store),
                None => Err(wrong_guest::<W>()),
            }
        })
    }

    /// Calls an export with wasmtime [`Val`]s: the binary path of the original API.
    ///
    /// `name` is a root export (`version`), qualified (`test:pkg/api@0.1.0#add`,
    /// `test:pkg/api.add`), by interface (`api.add`), or bare when only one exported interface
    /// has it.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownExport`] / [`Error::AmbiguousExport`] for names, [`Error::ExportType`]
    /// for the wrong number of arguments and [`Error::Wasmtime`] for arguments of the wrong
    /// type (the container stays running in both cases), and the guest failures of
    /// [`invoke`](Self::invoke).
    pub fn call_guest_binary(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>> {
        let number = self.core.resolve(&self.image, name)?;
        let export = self.image.surface().export_at(number);
        check_arity(export, args.len())?;
        let mut results = vec![Val::Bool(false); export.results];
        self.core.call_func(number, export, args, &mut results)?;
        Ok(results)
    }
}

/// Turns a failed call of the container `who` into the caller's error, and fails the
/// container (its `state`) when the guest failed.
pub(crate) fn settle(
    state: &mut ContainerState,
    who: &str,
    deadline: Option<std::time::Duration>,
    call: &str,
    fault: Fault,
) -> Error {
    let call = format!("{who}/{call}");
    let error = classify(&call, fault, deadline);
    if error.is_guest_failure() {
        tracing::debug!(container = %who, "call failed: {error}");
        *state = ContainerState::Failed {
            reason: error.to_string(),
        };
    }
    error
}

/// What an async call leaves while it runs (see [`Core::enter`]).
const CANCELLED: &str = "a call was cancelled before it finished (its future was dropped)";

/// Fails with [`Error::ExportType`] unless `export` takes `given` arguments.
///
/// Inlined, with the error out of line: it is on every dynamic call (`benches/paired_dynamic.rs`
/// counts the instructions of the call path).
#[inline]
pub(crate) fn check_arity(export: &Export, given: usize) -> Result<()> {
    if given == export.params {
        return Ok(());
    }
    Err(arity_error(export, given))
}

#[cold]
fn arity_error(export: &Export, given: usize) -> Error {
    Error::ExportType {
        name: export.qualified.clone(),
        message: format!(
            "takes {} arguments ({}), got {given}",
            export.params,
            export
                .ty
                .params()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// A container with no instance, named by its name or id: stopped, or never started.
#[cold]
fn never_started(name: Option<&str>, id: &str) -> Error {
    Error::ContainerStopped {
        container: name.unwrap_or(id).to_string(),
    }
}

/// The number of the export `name` refers to in `image`'s surface.
pub(crate) fn resolve(image: &Image, name: &str) -> Result<usize> {
    image
        .surface()
        .resolve(name)
        .map_err(|e| e.into_error(image.display_name(), name))
}

impl<T: 'static> Core<T> {
    /// The one way into the guest. Checks that the container runs, sets the deadline, runs `f`
    /// under `catch_unwind`, and settles: a trap, a deadline, a limit or a host failure fails
    /// the container; other errors leave it running. `call` names the call in errors.
    pub(crate) fn guarded<R>(
        &mut self,
        call: &str,
        f: impl FnOnce(&mut Run<T>) -> wasmtime::Result<R>,
    ) -> Result<R> {
        let id = super::calling::identity(&self.interrupt);
        let run = self.enter(false)?;
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| {
            let _mark = super::calling::Mark::new(id);
            f(run)
        })) {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => Fault::Error(e),
            Err(panic) => Fault::Panic(panic),
        };
        Err(self.settle(call, outcome))
    }

    /// The running instance, with this call's deadline set, for a call that is
    /// `asynchronous` or not.
    ///
    /// Inlined, with every refusal out of line: it is on every call, and the typed sync call is
    /// held to the cost of the design before the clock and the call modes came
    /// (`benches/paired_dynamic.rs`).
    #[inline]
    pub(crate) fn enter(&mut self, asynchronous: bool) -> Result<&mut Run<T>> {
        let ready = asynchronous == self.asynchronous
            && matches!(self.state, ContainerState::Running)
            && self.run.is_some();
        if !ready {
            return Err(self.refusal(asynchronous));
        }
        if asynchronous {
            // Failed until the call finishes: a future dropped mid-call leaves it so, and the
            // instance, perhaps half-updated, is never called again.
            self.state = ContainerState::Failed {
                reason: CANCELLED.to_string(),
            };
        }
        let ticks = self.deadline_ticks;
        let Some(run) = self.run.as_mut() else {
            return Err(never_started(self.name.as_deref(), &self.id));
        };
        run.store.data_mut().clock.begin(ticks, asynchronous);
        run.store.set_epoch_deadline(1);
        Ok(run)
    }

    /// Why a call of mode `asynchronous` cannot enter: the wrong mode, or not running.
    #[cold]
    #[inline(never)]
    fn refusal(&mut self, asynchronous: bool) -> Error {
        if asynchronous != self.asynchronous {
            return self.call_mode_error();
        }
        match self.running() {
            Ok(_) => never_started(self.name.as_deref(), &self.id),
            Err(e) => e,
        }
    }

    /// Turns a failed call into the caller's error, and fails the container when the guest
    /// failed.
    pub(crate) fn settle(&mut self, call: &str, fault: Fault) -> Error {
        let who = self.name.as_deref().unwrap_or(&self.id);
        settle(&mut self.state, who, self.limits.deadline, call, fault)
    }

    /// [`resolve`], remembering the last name: a repeated name costs a string compare.
    pub(crate) fn resolve(&mut self, image: &Image, name: &str) -> Result<usize> {
        if let Some((last, number)) = &self.last_name
            && **last == *name
        {
            return Ok(*number);
        }
        let number = resolve(image, name)?;
        self.last_name = Some((name.into(), number));
        Ok(number)
    }

    #[inline]
    pub(crate) fn running(&mut self) -> Result<&mut Run<T>> {
        if !matches!(self.state, ContainerState::Running) {
            return Err(self.not_running_error());
        }
        match self.run.as_mut() {
            Some(run) => Ok(run),
            None => Err(never_started(self.name.as_deref(), &self.id)),
        }
    }

    /// Why the container cannot be called: failed, stopped, or never started.
    #[cold]
    fn not_running_error(&self) -> Error {
        match &self.state {
            ContainerState::Failed { reason } => Error::ContainerFailed {
                container: self.display_name().to_string(),
                reason: reason.clone(),
            },
            ContainerState::Running | ContainerState::Stopped => {
                never_started(self.name.as_deref(), &self.id)
            }
        }
    }

    /// A call of the wrong mode: sync on an async container, or async on a sync one.
    #[cold]
    fn call_mode_error(&self) -> Error {
        Error::CallMode {
            container: self.display_name().to_string(),
            asynchronous: self.asynchronous,
        }
    }

    /// Calls export `number` (from [`resolve`]) with arguments of the right number.
    pub(crate) fn call_func(
        &mut self,
        number: usize,
        export: &Export,
        args: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let func = self.func(number, export)?;
        self.guarded(&export.qualified, |run| {
            func.call(&mut run.store, args, results)
        })
    }

    /// The function of export `number` in this generation's instance, looked up once.
    pub(crate) fn func(&mut self, number: usize, export: &Export) -> Result<Func> {
        if let Some(func) = self.funcs.get(number).copied().flatten() {
            return Ok(func);
        }
        let display = self.display_name().to_string();
        let run = self.running()?;
        let instance = run.instance.ok_or_else(|| Error::ExportType {
            name: export.qualified.clone(),
            message: format!(
                "container `{display}` was started by a guest initializer that did not record \
                 its instance; call `ctx.instantiate()` in the initializer or return \
                 `GuestInstance::new(instance)` to enable dynamic calls"
            ),
        })?;
        let func = instance
            .get_func(&mut run.store, export.index)
            .ok_or_else(|| Error::ExportType {
                name: export.qualified.clone(),
                message: "not a function of this instance".into(),
            })?;
        if self.funcs.len() <= number {
            self.funcs.resize(number + 1, None);
        }
        self.funcs[number] = Some(func);
        Ok(func)
    }
}
