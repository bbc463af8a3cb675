//! A container and its lifecycle: start, stop, restart, and what it holds meanwhile.

use std::any::Any;
use std::fmt;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;

use std::sync::Arc;

use wasmtime::component::{Func, Instance, InstancePre, Linker, Val};
use wasmtime::{Store, UpdateDeadline};

use super::fault::{Interrupted, panic_message};
use super::guest::{Guest, GuestContext, Initializer, Loader};
use super::interrupt::{CallClock, Interrupt, InterruptHandle};
use super::state::ContainerState;
use super::upgrade::Relink;
use crate::dynamic::{LiveHostResources, ResourceHandles, ValueLimits};
use crate::host_state::HostState;
use crate::image::Image;
use crate::limits::{Limiter, Limits};
use crate::sandbox::Sandbox;
use crate::{Error, Result};

/// A running instance of an [`Image`]: its own store, host data `T`, limits, WASI sandbox and
/// lifecycle.
///
/// Containers are independent: a trap, a deadline or a limit in one fails that call and marks
/// that container [`Failed`](ContainerState::Failed); [`restart`](Container::restart) gives a
/// fresh instance and no other container notices.
///
/// Starting costs a `Store::new` and an `InstancePre::instantiate` (microseconds for small
/// guests, less with the pooling allocator). A container is `Send` but not `Sync`: one call at a
/// time; share it behind a `Mutex` or use a [`Registry`](crate::Registry).
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::{Container, Image};
/// use tairitsu_runtime::wasmtime::component::Val;
///
/// let image = Image::from_file("calculator.wasm")?;
/// let mut container = Container::builder(image).build()?;
/// let sum = container.call_guest_binary("add", &[Val::U32(1), Val::U32(2)])?;
/// assert_eq!(sum, vec![Val::U32(3)]);
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
pub struct Container<T: Send + 'static = ()> {
    pub(super) image: Image,
    pub(super) sandbox: Sandbox,
    pub(super) start: Start<T>,
    pub(super) loader: Option<Loader<T>>,
    /// What it takes to link another image: see [`Container::upgrade`].
    pub(super) relink: Relink<T>,
    /// The host data while no store holds it (stopped, or between stores).
    pub(super) parked: Option<T>,
    pub(super) generation: u64,
    pub(super) core: Core<T>,
}

/// How a container gets an instance.
pub(super) enum Start<T: 'static> {
    /// Linked once at build: instantiation only.
    Pre(InstancePre<HostState<T>>),
    /// The original API's initializer, run with a copy of the linker at every start.
    Initializer {
        linker: Box<Linker<HostState<T>>>,
        initializer: Initializer<T>,
    },
}

/// A started instance.
pub(crate) struct Run<T: 'static> {
    pub(crate) store: Store<HostState<T>>,
    pub(crate) instance: Option<Instance>,
    pub(crate) guest: Option<Guest>,
}

/// What a call touches, apart from the image. Split out so that a call can borrow the image's
/// surface while it mutates this, with no reference counting on the hot path.
pub(crate) struct Core<T: 'static> {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) limits: Limits,
    /// The deadline in epoch ticks (`None`: none), set before every call.
    pub(crate) deadline_ticks: Option<u64>,
    /// Shared with the container's interrupt handles.
    pub(crate) interrupt: Arc<Interrupt>,
    /// Whether the host imports may await: calls go through the `_async` methods.
    pub(crate) asynchronous: bool,
    pub(crate) run: Option<Run<T>>,
    pub(crate) state: ContainerState,
    /// Dynamic-call functions of this generation, by export number.
    pub(crate) funcs: Vec<Option<Func>>,
    /// Resources the dynamic path handed out as `Handle(n)`, for this generation.
    pub(crate) handles: ResourceHandles,
    /// The host resources ([`HostImports::resource`](crate::HostImports::resource)) the
    /// instance holds, released when it is discarded.
    pub(crate) host_resources: Option<Arc<LiveHostResources>>,
    pub(crate) value_limits: ValueLimits,
    /// The arguments of the last text call, kept so that the next one reuses the buffer.
    pub(crate) args: Vec<Val>,
    /// The last name a call resolved, and its export: hosts call the same function in loops.
    pub(crate) last_name: Option<(Box<str>, usize)>,
}

impl<T: Send + 'static> Container<T> {
    /// The container's id (12 hex digits, unique in the process).
    pub fn id(&self) -> &str {
        &self.core.id
    }

    /// The container's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.core.name.as_deref()
    }

    /// The name if there is one, else the id: what messages show.
    pub fn display_name(&self) -> &str {
        self.core.display_name()
    }

    /// The image the container runs.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// The lifecycle state.
    pub fn state(&self) -> &ContainerState {
        &self.core.state
    }

    /// The container's limits.
    pub fn limits(&self) -> &Limits {
        &self.core.limits
    }

    /// Whether this is an async container (see
    /// [`ContainerBuilder::with_async`](crate::ContainerBuilder::with_async)): it takes calls
    /// through the `_async` methods.
    pub fn is_async(&self) -> bool {
        self.core.asynchronous
    }

    /// How many times the container has been started (1 after `build`).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The guest object (the typed bindings or what the initializer returned), as `Any`; `()`
    /// when there is none or the container is not running.
    pub fn guest(&self) -> &(dyn Any + Send + Sync) {
        match self.core.run.as_ref().and_then(|r| r.guest.as_deref()) {
            Some(guest) => guest,
            None => &(),
        }
    }

    /// The guest object as `W`, if it is one.
    pub fn guest_as<W: 'static>(&self) -> Option<&W> {
        self.guest().downcast_ref::<W>()
    }

    /// The host data.
    pub fn data(&self) -> Option<&T> {
        match &self.core.run {
            Some(run) => Some(run.store.data().data()),
            None => self.parked.as_ref(),
        }
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> Option<&mut T> {
        match &mut self.core.run {
            Some(run) => Some(run.store.data_mut().data_mut()),
            None => self.parked.as_mut(),
        }
    }

    /// The store, for direct wasmtime calls. Calls made this way skip the container's deadline
    /// and failure tracking; prefer [`invoke`](Self::invoke).
    pub fn store_mut(&mut self) -> Option<&mut Store<HostState<T>>> {
        self.core.run.as_mut().map(|r| &mut r.store)
    }

    /// A handle that interrupts the call this container is running, from another thread or
    /// task. See [`InterruptHandle`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: self.core.interrupt.clone(),
        }
    }

    /// The raw instance, when the container knows it.
    pub fn instance(&self) -> Option<Instance> {
        self.core.run.as_ref().and_then(|r| r.instance)
    }

    /// Starts a stopped container (a fresh instance; host data kept).
    ///
    /// # Errors
    ///
    /// [`Error::Instantiate`] when the start fails; the container is then
    /// [`Failed`](ContainerState::Failed). [`Error::CallMode`] for an async container, which
    /// starts with [`start_async`](Self::start_async).
    pub fn start(&mut self) -> Result<()> {
        if self.core.asynchronous {
            return Err(Error::CallMode {
                container: self.display_name().to_string(),
                asynchronous: true,
            });
        }
        let Some(mut store) = self.new_store()? else {
            return Ok(());
        };
        let id = super::calling::identity(&self.core.interrupt);
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
            // A start function may call host imports too.
            let _mark = super::calling::Mark::new(id);
            instantiate(
                &mut self.start,
                self.loader.as_ref(),
                &self.image,
                &mut store,
            )
        }));
        self.finish_start(store, started)
    }

    /// The async start of an async container (see [`start_async`](Self::start_async)).
    pub(super) async fn start_with(&mut self, _asynchronous: bool) -> Result<()> {
        if !self.core.asynchronous {
            return Err(Error::CallMode {
                container: self.display_name().to_string(),
                asynchronous: false,
            });
        }
        let Some(mut store) = self.new_store()? else {
            return Ok(());
        };
        let started = super::calling::Marked {
            id: super::calling::identity(&self.core.interrupt),
            inner: AssertUnwindSafe(Box::pin(instantiate_async(
                &mut self.start,
                self.loader.as_ref(),
                &self.image,
                &mut store,
            )))
            .catch_unwind(),
        }
        .await;
        self.finish_start(store, started)
    }

    /// A store for a new instance, or `None` when the container is running.
    fn new_store(&mut self) -> Result<Option<Store<HostState<T>>>> {
        if self.core.run.is_some() {
            return Ok(None);
        }
        let Some(data) = self.parked.take() else {
            return Err(Error::HostDataLost {
                container: self.display_name().to_string(),
            });
        };
        let wasi = match self.sandbox.build() {
            Ok(wasi) => wasi,
            Err(e) => {
                self.parked = Some(data);
                return Err(e);
            }
        };
        let engine = self.image.engine();
        let clock = CallClock::new(engine, self.core.interrupt.clone());
        let mut store = Store::new(
            engine.wasmtime(),
            HostState::new(data, wasi, Limiter::new(self.core.limits.clone()), clock)
                .with_http(self.sandbox.http_state(&self.core.limits)),
        );
        store.limiter(|state| &mut state.limiter);
        // Bounds what lifting a call's results (or an import's arguments) allocates on the
        // host, which guest memory alone does not.
        store.set_hostcall_fuel(self.core.value_limits.max_lifted_bytes);
        // The epoch check runs at every tick while the guest runs: it ends the call at its
        // deadline or at an interrupt, and in an async call yields to the executor.
        store.epoch_deadline_callback(|ctx| {
            let clock = &ctx.data().clock;
            if clock.interrupt.requested() {
                return Err(Interrupted::ByHost.into());
            }
            if clock.expired() {
                return Err(Interrupted::Deadline.into());
            }
            Ok(if clock.asynchronous {
                UpdateDeadline::Yield(1)
            } else {
                UpdateDeadline::Continue(1)
            })
        });
        let asynchronous = self.core.asynchronous;
        store
            .data_mut()
            .clock
            .begin(self.core.deadline_ticks, asynchronous);
        store.set_epoch_deadline(1);
        self.generation += 1;
        self.core.funcs.clear();
        self.core.handles = ResourceHandles::with_max(self.core.value_limits.max_handles);
        Ok(Some(store))
    }

    fn finish_start(
        &mut self,
        store: Store<HostState<T>>,
        started: std::thread::Result<wasmtime::Result<(Option<Instance>, Option<Guest>)>>,
    ) -> Result<()> {
        let outcome = match started {
            Ok(Ok((instance, guest))) => Ok((instance, guest)),
            Ok(Err(e)) => Err((format!("{e:#}"), Some(e))),
            Err(panic) => Err((
                format!("the host panicked: {}", panic_message(&*panic)),
                None,
            )),
        };
        match outcome {
            Ok((instance, guest)) => {
                self.core.run = Some(Run {
                    store,
                    instance,
                    guest,
                });
                self.core.state = ContainerState::Running;
                Ok(())
            }
            Err((message, source)) => {
                self.parked = Some(store.into_data().into_data());
                self.core.state = ContainerState::Failed {
                    reason: format!("start failed: {message}"),
                };
                Err(Error::Instantiate {
                    image: self.image.display_name(),
                    message,
                    source: source.map(Into::into),
                })
            }
        }
    }

    /// Stops the container: the instance, its memory and its WASI state are dropped; the host
    /// data is kept for the next start.
    pub fn stop(&mut self) {
        if let Some(run) = self.core.run.take() {
            self.parked = Some(run.store.into_data().into_data());
        }
        // The instance is gone, and with it every handle to a host resource it held: their
        // drop closures run now, or the host objects would outlive it.
        if let Some(Err(message)) = self.core.host_resources.as_ref().map(|l| l.release()) {
            tracing::warn!(
                container = %self.core.display_name(),
                "dropping a host resource the stopped instance held failed: {message}"
            );
        }
        self.core.funcs.clear();
        self.core.handles = ResourceHandles::with_max(self.core.value_limits.max_handles);
        self.core.state = ContainerState::Stopped;
    }

    /// Stops and starts again: a fresh instance, the same host data. The way out of
    /// [`Failed`](ContainerState::Failed).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn restart(&mut self) -> Result<()> {
        if self.core.asynchronous {
            return self.start();
        }
        self.stop();
        self.start()
    }
}

impl<T: 'static> Core<T> {
    pub(crate) fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

fn instantiate<T: Send + 'static>(
    start: &mut Start<T>,
    loader: Option<&Loader<T>>,
    image: &Image,
    store: &mut Store<HostState<T>>,
) -> wasmtime::Result<(Option<Instance>, Option<Guest>)> {
    match start {
        Start::Pre(pre) => {
            let instance = pre.instantiate(&mut *store)?;
            let guest = match loader {
                Some(load) => Some(load(store, &instance)?),
                None => None,
            };
            Ok((Some(instance), guest))
        }
        Start::Initializer {
            linker,
            initializer,
        } => {
            let mut linker = (**linker).clone();
            let mut ctx = GuestContext {
                linker: &mut linker,
                store,
                component: image.component(),
                instance: None,
            };
            let guest = initializer(&mut ctx)?;
            let instance = guest.instance.or(ctx.instance);
            Ok((instance, Some(guest.guest)))
        }
    }
}

async fn instantiate_async<T: Send + 'static>(
    start: &mut Start<T>,
    loader: Option<&Loader<T>>,
    image: &Image,
    store: &mut Store<HostState<T>>,
) -> wasmtime::Result<(Option<Instance>, Option<Guest>)> {
    match start {
        Start::Pre(pre) => {
            let instance = pre.instantiate_async(&mut *store).await?;
            let guest = match loader {
                Some(load) => Some(load(store, &instance)?),
                None => None,
            };
            Ok((Some(instance), guest))
        }
        // The original API's initializer is sync; it runs as it does in a sync container.
        initializer @ Start::Initializer { .. } => instantiate(initializer, loader, image, store),
    }
}

impl<T: Send + 'static> fmt::Debug for Container<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("id", &self.core.id)
            .field("name", &self.core.name)
            .field("image", &self.image.display_name())
            .field("state", &self.core.state)
            .field("generation", &self.generation)
            .finish()
    }
}
