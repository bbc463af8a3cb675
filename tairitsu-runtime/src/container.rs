//! Containers: running instances of an image, with host state, limits and a lifecycle.

mod command;
mod text;

pub use text::Format;

use std::any::Any;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::component::{Component, Func, Instance, InstancePre, Linker, Val};
use wasmtime::{Store, Trap, WasmBacktrace};

use crate::bindings::Bindings;
use crate::dynamic::{ResourceHandles, ValueLimits};
use crate::exports::ExportedFunc;
use crate::host_state::HostState;
use crate::image::Image;
use crate::imports;
use crate::limits::{LimitHit, Limiter, Limits};
use crate::sandbox::Sandbox;
use crate::{Error, Result};

/// The lifecycle state of a [`Container`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    /// Started and taking calls.
    Running,
    /// A call trapped, ran past its deadline, hit a limit or failed in the host (or the start
    /// itself failed). Calls are refused until [`Container::restart`].
    Failed {
        /// What happened.
        reason: String,
    },
    /// Stopped: the instance and its memory are gone, the host data is kept.
    Stopped,
}

impl fmt::Display for ContainerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerState::Running => f.write_str("running"),
            ContainerState::Failed { .. } => f.write_str("failed"),
            ContainerState::Stopped => f.write_str("stopped"),
        }
    }
}

/// What a guest initializer returns: the guest object the container hands out through
/// [`Container::guest`], typically the world type of generated bindings.
///
/// Wrapping a plain [`Instance`] (`GuestInstance::new(instance)`) also makes the dynamic calls
/// (`call_guest_binary` and the text forms) available.
pub struct GuestInstance {
    guest: Box<dyn Any + Send + Sync>,
    instance: Option<Instance>,
}

impl GuestInstance {
    /// Wraps the guest object.
    pub fn new<G: Any + Send + Sync>(guest: G) -> Self {
        let guest: Box<dyn Any + Send + Sync> = Box::new(guest);
        let instance = guest.downcast_ref::<Instance>().copied();
        Self { guest, instance }
    }

    /// Also records the raw instance, so dynamic calls work next to the typed guest.
    pub fn with_instance(mut self, instance: Instance) -> Self {
        self.instance = Some(instance);
        self
    }
}

/// What a guest initializer gets: the container's linker (with WASI and any host imports
/// already in it), a fresh store, and the image's component.
pub struct GuestContext<'a, T: 'static> {
    /// The linker. The initializer may add host functions; they are used for this start only.
    pub linker: &'a mut Linker<HostState<T>>,
    /// The store of this start.
    pub store: &'a mut Store<HostState<T>>,
    /// The component of the image.
    pub component: &'a Component,
    instance: Option<Instance>,
}

impl<T: Send + 'static> GuestContext<'_, T> {
    /// Instantiates the component with the linker and records the instance, so the dynamic
    /// calls work on this container.
    ///
    /// # Errors
    ///
    /// When an import is missing or instantiation traps.
    pub fn instantiate(&mut self) -> wasmtime::Result<Instance> {
        let instance = self.linker.instantiate(&mut *self.store, self.component)?;
        self.instance = Some(instance);
        Ok(instance)
    }
}

type Guest = Box<dyn Any + Send + Sync>;
type LinkerHook<T> = Box<dyn FnOnce(&mut Linker<HostState<T>>) -> wasmtime::Result<()> + Send>;
type Initializer<T> =
    Box<dyn FnMut(&mut GuestContext<'_, T>) -> wasmtime::Result<GuestInstance> + Send>;
type Loader<T> = Arc<
    dyn Fn(&mut Store<HostState<T>>, &Instance) -> wasmtime::Result<Box<dyn Any + Send + Sync>>
        + Send
        + Sync,
>;

/// Builds a [`Container`]: host state, WASI grants, limits, host imports and how the guest is
/// loaded. Start with [`Container::builder`].
///
/// Linking happens once, in [`ContainerBuilder::build`]: the container keeps an
/// [`InstancePre`], so starts and restarts only instantiate. (A
/// [guest initializer](ContainerBuilder::with_guest_initializer) runs at every start instead,
/// with a copy of the linker; that is the flexible, slower path.)
#[must_use = "a builder does nothing until `build` is called"]
pub struct ContainerBuilder<T: Send + 'static = ()> {
    image: Image,
    data: T,
    name: Option<String>,
    limits: Limits,
    sandbox: Sandbox,
    wasi: bool,
    trap_unknown_imports: bool,
    host_imports: Option<crate::dynamic::HostImports>,
    value_limits: ValueLimits,
    hooks: Vec<LinkerHook<T>>,
    initializer: Option<Initializer<T>>,
    loader: Option<Loader<T>>,
    misplaced_state: bool,
}

impl Container<()> {
    /// A builder for a container of `image`, with no host data.
    ///
    /// # Errors
    ///
    /// None today; the `Result` keeps the original API (`Container::builder(image)?`).
    pub fn builder(image: Image) -> Result<ContainerBuilder<()>> {
        Ok(ContainerBuilder {
            image,
            data: (),
            name: None,
            limits: Limits::default(),
            sandbox: Sandbox::default(),
            wasi: true,
            trap_unknown_imports: false,
            host_imports: None,
            value_limits: ValueLimits::default(),
            hooks: Vec::new(),
            initializer: None,
            loader: None,
            misplaced_state: false,
        })
    }
}

impl<T: Send + 'static> ContainerBuilder<T> {
    /// Sets the host data the container's store holds (and host functions can reach through
    /// [`HostState::data_mut`]).
    ///
    /// Call it first: linker hooks, initializers and bindings registered before it were typed
    /// for the old data type, and [`build`](Self::build) then fails saying so.
    pub fn with_host_state<U: Send + 'static>(self, data: U) -> ContainerBuilder<U> {
        let misplaced = self.misplaced_state
            || !self.hooks.is_empty()
            || self.initializer.is_some()
            || self.loader.is_some();
        ContainerBuilder {
            image: self.image,
            data,
            name: self.name,
            limits: self.limits,
            sandbox: self.sandbox,
            wasi: self.wasi,
            trap_unknown_imports: self.trap_unknown_imports,
            host_imports: self.host_imports,
            value_limits: self.value_limits,
            hooks: Vec::new(),
            initializer: None,
            loader: None,
            misplaced_state: misplaced,
        }
    }

    /// Names the container (for messages and the registry).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the limits (memory, tables, instances, deadline). See [`Limits`] for the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the WASI grants. The default [`Sandbox`] grants nothing.
    pub fn with_sandbox(mut self, sandbox: Sandbox) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// Whether to link WASI 0.2 (default yes). Without it, a guest that imports WASI fails to
    /// start with the list of missing imports.
    pub fn with_wasi(mut self, enable: bool) -> Self {
        self.wasi = enable;
        self
    }

    /// Serves imports with closures defined at run time (RON or `Val`).
    pub fn with_host_imports(mut self, imports: crate::dynamic::HostImports) -> Self {
        self.host_imports = Some(imports);
        self
    }

    /// Bounds the text the dynamic calls read and write: nesting depth and length. See
    /// [`ValueLimits`] for the defaults.
    pub fn with_value_limits(mut self, limits: ValueLimits) -> Self {
        self.value_limits = limits;
        self
    }

    /// Defines the imports nobody provides as functions that trap when called, instead of
    /// refusing to build.
    pub fn trap_unknown_imports(mut self, enable: bool) -> Self {
        self.trap_unknown_imports = enable;
        self
    }

    /// Adds host functions to the container's linker, once, at build time: for example
    /// `|linker| MyWorld::add_to_linker(linker, |state| state.data_mut())` for generated
    /// bindings.
    pub fn with_linker(
        mut self,
        hook: impl FnOnce(&mut Linker<HostState<T>>) -> wasmtime::Result<()> + Send + 'static,
    ) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Loads typed bindings (`tairitsu-build` output) after every start, so that
    /// `container.guest::<W>()` and [`Container::invoke`] hand them out. The export indices
    /// are resolved once, here; each start costs only index lookups.
    ///
    /// # Errors
    ///
    /// At [`build`](Self::build), when the component does not export what `W` expects.
    pub fn with_bindings<W: Bindings>(mut self) -> Self {
        let component = self.image.component().clone();
        let indices = W::indices(&component);
        let loader: Loader<T> = match indices {
            Ok(indices) => Arc::new(move |store, instance| {
                Ok(Box::new(W::load(&mut *store, instance, &indices)?)
                    as Box<dyn Any + Send + Sync>)
            }),
            Err(e) => {
                let message = format!("{e:#}");
                Arc::new(move |_, _| {
                    Err(wasmtime::Error::msg(format!(
                        "the component does not match world `{}`: {message}",
                        W::WORLD
                    )))
                })
            }
        };
        self.loader = Some(loader);
        self
    }

    /// The original API's way in: a closure that instantiates the guest itself, run at every
    /// start with a copy of the linker and a fresh store.
    ///
    /// Prefer [`with_linker`](Self::with_linker) plus [`with_bindings`](Self::with_bindings):
    /// they link once and start through an [`InstancePre`]. This path re-links at every start.
    ///
    /// # Errors
    ///
    /// None today; the `Result` keeps the original API.
    pub fn with_guest_initializer<F>(mut self, initializer: F) -> Result<Self>
    where
        F: FnMut(&mut GuestContext<'_, T>) -> wasmtime::Result<GuestInstance> + Send + 'static,
    {
        self.initializer = Some(Box::new(initializer));
        Ok(self)
    }

    /// Links, pre-instantiates and starts the container.
    ///
    /// # Errors
    ///
    /// [`Error::MissingImports`] listing every import nobody provides (unless
    /// [`trap_unknown_imports`](Self::trap_unknown_imports)), [`Error::Instantiate`] when
    /// linking or the start fails, [`Error::Config`] for a misordered builder or an unusable
    /// sandbox grant.
    pub fn build(self) -> Result<Container<T>> {
        if self.misplaced_state {
            return Err(Error::Config(
                "`with_host_state` must come before `with_linker`, `with_bindings` and \
                 `with_guest_initializer`: they are typed for the host data"
                    .into(),
            ));
        }
        let image = self.image;
        let engine = image.engine().wasmtime().clone();
        let instantiate_error = |e: wasmtime::Error| Error::Instantiate {
            image: image.display_name(),
            message: format!("{e:#}"),
        };
        let mut linker = Linker::<HostState<T>>::new(&engine);
        if self.wasi {
            wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(instantiate_error)?;
            crate::http::add_to_linker_sync(&mut linker).map_err(instantiate_error)?;
        }
        for hook in self.hooks {
            hook(&mut linker).map_err(instantiate_error)?;
        }
        let mut trap_unknown = self.trap_unknown_imports;
        if let Some(host_imports) = &self.host_imports {
            trap_unknown |= host_imports.traps_unknown_imports();
            host_imports
                .link(&mut linker, image.component())
                .map_err(|e| Error::Instantiate {
                    image: image.display_name(),
                    message: e.to_string(),
                })?;
        }
        let start = match self.initializer {
            Some(initializer) => Start::Initializer {
                linker: Box::new(linker),
                initializer,
            },
            None => {
                if trap_unknown {
                    linker
                        .define_unknown_imports_as_traps(image.component())
                        .map_err(instantiate_error)?;
                } else {
                    let missing = imports::missing(&linker, image.component());
                    if !missing.is_empty() {
                        return Err(Error::MissingImports {
                            image: image.display_name(),
                            missing,
                        });
                    }
                }
                Start::Pre(
                    linker
                        .instantiate_pre(image.component())
                        .map_err(instantiate_error)?,
                )
            }
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let serial = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:012x}", serial ^ (u64::from(std::process::id()) << 32));
        let deadline_ticks = match self.limits.deadline {
            Some(deadline) => image.engine().ticks_for(deadline),
            // Far in the future, without overflowing `current + delta` in wasmtime.
            None => u64::MAX / 2,
        };
        let mut container = Container {
            image,
            sandbox: self.sandbox,
            start,
            loader: self.loader,
            parked: Some(self.data),
            generation: 0,
            core: Core {
                id,
                name: self.name,
                limits: self.limits,
                deadline_ticks,
                run: None,
                state: ContainerState::Stopped,
                funcs: Vec::new(),
                handles: ResourceHandles::new(),
                value_limits: self.value_limits,
                args: Vec::new(),
                last_name: None,
            },
        };
        container.start()?;
        Ok(container)
    }
}

enum Start<T: 'static> {
    Pre(InstancePre<HostState<T>>),
    Initializer {
        linker: Box<Linker<HostState<T>>>,
        initializer: Initializer<T>,
    },
}

struct Run<T: 'static> {
    store: Store<HostState<T>>,
    instance: Option<Instance>,
    guest: Option<Box<dyn Any + Send + Sync>>,
}

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
/// let mut container = Container::builder(image)?.build()?;
/// let sum = container.call_guest_binary("add", &[Val::U32(1), Val::U32(2)])?;
/// assert_eq!(sum, vec![Val::U32(3)]);
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
pub struct Container<T: Send + 'static = ()> {
    image: Image,
    sandbox: Sandbox,
    start: Start<T>,
    loader: Option<Loader<T>>,
    /// The host data while no store holds it (stopped, or between stores).
    parked: Option<T>,
    generation: u64,
    core: Core<T>,
}

/// What a call touches, apart from the image. Split out so that a call can borrow the image's
/// export table while it mutates this, with no reference counting on the hot path.
struct Core<T: 'static> {
    id: String,
    name: Option<String>,
    limits: Limits,
    /// The deadline in epoch ticks, set before every call.
    deadline_ticks: u64,
    run: Option<Run<T>>,
    state: ContainerState,
    /// Dynamic-call functions of this generation, by export number.
    funcs: Vec<Option<Func>>,
    /// Resources the dynamic path handed out as `Handle(n)`, for this generation.
    handles: ResourceHandles,
    value_limits: ValueLimits,
    /// The arguments of the last text call, kept so that the next one reuses the buffer.
    args: Vec<Val>,
    /// The last name a call resolved, and its export: hosts call the same function in loops.
    last_name: Option<(Box<str>, usize)>,
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

    /// The raw instance, when the container knows it.
    pub fn instance(&self) -> Option<Instance> {
        self.core.run.as_ref().and_then(|r| r.instance)
    }

    /// Starts a stopped container (a fresh instance; host data kept).
    ///
    /// # Errors
    ///
    /// [`Error::Instantiate`] when the start fails; the container is then
    /// [`Failed`](ContainerState::Failed).
    pub fn start(&mut self) -> Result<()> {
        if self.core.run.is_some() {
            return Ok(());
        }
        let Some(data) = self.parked.take() else {
            return Err(Error::Config(format!(
                "container `{}` lost its host data in an earlier failed start",
                self.display_name()
            )));
        };
        let wasi = match self.sandbox.build() {
            Ok(wasi) => wasi,
            Err(e) => {
                self.parked = Some(data);
                return Err(e);
            }
        };
        let mut store = Store::new(
            self.image.engine().wasmtime(),
            HostState::new(data, wasi, Limiter::new(self.core.limits.clone()))
                .with_http(self.sandbox.http_state(&self.core.limits)),
        );
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(self.core.deadline_ticks);
        self.generation += 1;
        self.core.funcs.clear();
        self.core.handles = ResourceHandles::new();
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
            instantiate(
                &mut self.start,
                self.loader.as_ref(),
                &self.image,
                &mut store,
            )
        }));
        let outcome = match started {
            Ok(Ok((instance, guest))) => Ok((instance, guest)),
            Ok(Err(e)) => Err(format!("{e:#}")),
            Err(panic) => Err(format!("the host panicked: {}", panic_message(&*panic))),
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
            Err(message) => {
                self.parked = Some(store.into_data().into_data());
                self.core.state = ContainerState::Failed {
                    reason: format!("start failed: {message}"),
                };
                Err(Error::Instantiate {
                    image: self.image.display_name(),
                    message,
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
        self.core.funcs.clear();
        self.core.handles = ResourceHandles::new();
        self.core.state = ContainerState::Stopped;
    }

    /// Stops and starts again: a fresh instance, the same host data. The way out of
    /// [`Failed`](ContainerState::Failed).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        self.start()
    }

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
        let ticks = self.core.deadline_ticks;
        let run = self.core.running()?;
        let Some(guest) = run.guest.as_deref().and_then(|g| g.downcast_ref::<W>()) else {
            return Err(Error::ExportType {
                name: std::any::type_name::<W>().to_string(),
                message: "the container's guest is not of this type; load it with \
                          `with_bindings::<W>()`"
                    .into(),
            });
        };
        run.store.set_epoch_deadline(ticks);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(guest, &mut run.store)));
        self.core.settle("typed call", outcome)
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
        let export = self.image.export_table().func(number);
        if args.len() != export.params {
            return Err(Error::ExportType {
                name: export.qualified.clone(),
                message: format!(
                    "takes {} arguments ({}), got {}",
                    export.ty.params().len(),
                    export
                        .ty
                        .params()
                        .map(|(n, _)| n)
                        .collect::<Vec<_>>()
                        .join(", "),
                    args.len()
                ),
            });
        }
        let mut results = vec![Val::Bool(false); export.results];
        self.core.call_func(number, export, args, &mut results)?;
        Ok(results)
    }
}

/// The number of the export `name` refers to in `image`'s export table.
pub(crate) fn resolve(image: &Image, name: &str) -> Result<usize> {
    image
        .export_table()
        .resolve(name)
        .map_err(|e| e.into_error(image.display_name(), name))
}

impl<T: 'static> Core<T> {
    fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
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

    fn running(&mut self) -> Result<&mut Run<T>> {
        match &self.state {
            ContainerState::Running => {}
            ContainerState::Failed { reason } => {
                return Err(Error::ContainerFailed {
                    container: self.display_name().to_string(),
                    reason: reason.clone(),
                });
            }
            ContainerState::Stopped => {
                return Err(Error::ContainerStopped {
                    container: self.display_name().to_string(),
                });
            }
        }
        match self.run.as_mut() {
            Some(run) => Ok(run),
            None => Err(Error::ContainerStopped {
                container: self.name.clone().unwrap_or_else(|| self.id.clone()),
            }),
        }
    }

    /// Calls export `number` (from [`resolve`]) with arguments of the right number.
    pub(crate) fn call_func(
        &mut self,
        number: usize,
        export: &ExportedFunc,
        args: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let func = match self.funcs.get(number).copied().flatten() {
            Some(func) => func,
            None => self.lookup_func(number, export)?,
        };
        let ticks = self.deadline_ticks;
        let run = self.running()?;
        run.store.set_epoch_deadline(ticks);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            func.call(&mut run.store, args, results)
        }));
        self.settle(&export.qualified, outcome)
    }

    /// Finds export `number` in this generation's instance, once.
    fn lookup_func(&mut self, number: usize, export: &ExportedFunc) -> Result<Func> {
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

    /// Turns the outcome of a guest call into the container's state and the caller's error.
    /// Allocates nothing when the call succeeded.
    fn settle<R>(
        &mut self,
        call: &str,
        outcome: std::thread::Result<wasmtime::Result<R>>,
    ) -> Result<R> {
        let call = || format!("{}/{call}", self.display_name());
        let error = match outcome {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => classify(&call(), e, self.limits.deadline),
            Err(panic) => Error::Host {
                call: call(),
                message: format!("the host panicked: {}", panic_message(&*panic)),
            },
        };
        if error.is_guest_failure() {
            tracing::debug!(container = %self.display_name(), "call failed: {error}");
            self.state = ContainerState::Failed {
                reason: error.to_string(),
            };
        }
        Err(error)
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

/// Sorts a failed call into trap, deadline, limit, host failure, or a plain error that never
/// reached the guest.
fn classify(call: &str, e: wasmtime::Error, deadline: Option<std::time::Duration>) -> Error {
    if let Some(hit) = e.downcast_ref::<LimitHit>() {
        return Error::LimitExceeded {
            call: call.to_string(),
            message: hit.to_string(),
        };
    }
    if let Some(trap) = e.downcast_ref::<Trap>() {
        if *trap == Trap::Interrupt {
            return Error::DeadlineExceeded {
                call: call.to_string(),
                deadline: deadline.unwrap_or_default(),
            };
        }
        return Error::Trap {
            call: call.to_string(),
            message: describe(&e),
        };
    }
    if e.downcast_ref::<WasmBacktrace>().is_some() {
        // The error passed through guest frames: a host function called by the guest failed.
        return Error::Host {
            call: call.to_string(),
            message: describe(&e),
        };
    }
    Error::Wasmtime(format!("{call}: {}", describe(&e)))
}

/// What went wrong first, then where in the guest: wasmtime puts the backtrace first
/// ("error while executing at wasm backtrace: …") and the cause after it.
fn describe(e: &wasmtime::Error) -> String {
    let causes: Vec<String> = e
        .chain()
        .map(ToString::to_string)
        .filter(|m| !m.starts_with("error while executing at wasm backtrace"))
        .collect();
    let mut message = if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    };
    if let Some(backtrace) = e.downcast_ref::<WasmBacktrace>() {
        let text = backtrace.to_string();
        let frames: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("error while executing at wasm backtrace"))
            .filter(|l| !l.trim().is_empty())
            .collect();
        if !frames.is_empty() {
            message.push_str("\nguest backtrace:");
            for frame in frames {
                message.push_str("\n  ");
                message.push_str(frame.trim());
            }
        }
    }
    message
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
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
