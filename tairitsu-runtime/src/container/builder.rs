//! Building a container: host data, grants, limits, host imports, and how the guest loads.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::component::Linker;

use super::guest::{GuestContext, GuestInstance, Initializer, LinkerHook};
use super::lifecycle::{Container, Core, Start};
use super::state::ContainerState;
use super::upgrade::{self, Binder, Relink};
use crate::bindings::Bindings;
use crate::dynamic::{HostImports, ResourceHandles, ValueLimits};
use crate::error::WasmtimeError;
use crate::host_state::HostState;
use crate::image::Image;
use crate::limits::Limits;
use crate::sandbox::Sandbox;
use crate::{Error, Result};

/// A [`ContainerBuilder`] that has no hooks typed for its host data yet:
/// [`with_host_state`](ContainerBuilder::with_host_state) is still open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unhooked;

/// A [`ContainerBuilder`] with linker hooks, bindings or an initializer, all typed for its host
/// data: the data can no longer change.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hooked;

/// Builds a [`Container`]: host state, WASI grants, limits, host imports and how the guest is
/// loaded. Start with [`Container::builder`].
///
/// Linking happens once, in [`ContainerBuilder::build`]: the container keeps an
/// [`InstancePre`](wasmtime::component::InstancePre), so starts and restarts only instantiate.
/// (A [guest initializer](ContainerBuilder::with_guest_initializer) runs at every start
/// instead, with a copy of the linker; that is the flexible, slower path.)
///
/// The host data comes first: linker hooks, bindings and initializers are typed for it, so
/// [`with_host_state`](Self::with_host_state) exists only before them. A builder in the wrong
/// order does not compile:
///
/// ```compile_fail
/// # use tairitsu_runtime::{Container, Image};
/// # fn f(image: Image) {
/// let builder = Container::builder(image)
///     .with_linker(|_linker| Ok(()))
///     .with_host_state(42u32); // error: no method `with_host_state` once hooked
/// # }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct ContainerBuilder<T: Send + 'static = (), S = Unhooked> {
    image: Image,
    data: T,
    name: Option<String>,
    limits: Limits,
    sandbox: Sandbox,
    wasi: bool,
    asynchronous: bool,
    trap_unknown_imports: bool,
    host_imports: Option<HostImports>,
    value_limits: ValueLimits,
    hooks: Vec<LinkerHook<T>>,
    initializer: Option<Initializer<T>>,
    binder: Option<Binder<T>>,
    hooked: PhantomData<S>,
}

impl Container<()> {
    /// A builder for a container of `image`, with no host data.
    pub fn builder(image: Image) -> ContainerBuilder<()> {
        ContainerBuilder {
            image,
            data: (),
            name: None,
            limits: Limits::default(),
            sandbox: Sandbox::default(),
            wasi: true,
            asynchronous: false,
            trap_unknown_imports: false,
            host_imports: None,
            value_limits: ValueLimits::default(),
            hooks: Vec::new(),
            initializer: None,
            binder: None,
            hooked: PhantomData,
        }
    }
}

impl<T: Send + 'static> ContainerBuilder<T, Unhooked> {
    /// Sets the host data the container's store holds (and host functions can reach through
    /// [`HostState::data_mut`]). It comes before the hooks typed for it.
    pub fn with_host_state<U: Send + 'static>(self, data: U) -> ContainerBuilder<U, Unhooked> {
        ContainerBuilder {
            image: self.image,
            data,
            name: self.name,
            limits: self.limits,
            sandbox: self.sandbox,
            wasi: self.wasi,
            asynchronous: self.asynchronous,
            trap_unknown_imports: self.trap_unknown_imports,
            host_imports: self.host_imports,
            value_limits: self.value_limits,
            hooks: Vec::new(),
            initializer: None,
            binder: None,
            hooked: PhantomData,
        }
    }
}

impl<T: Send + 'static, S> ContainerBuilder<T, S> {
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

    /// Makes this an async container: host imports may await (async closures of
    /// [`HostImports`], `func_wrap_async` in [`with_linker`](Self::with_linker), generated
    /// async bindings), WASI is linked in its async form, and the container is built with
    /// [`build_async`](Self::build_async) and called with the `_async` methods
    /// ([`Container::call_ron_async`], [`Container::invoke_async`], …). Its sync methods
    /// return [`Error::CallMode`].
    ///
    /// [`HostImports`] with async closures make a container async without this.
    pub fn with_async(mut self, enable: bool) -> Self {
        self.asynchronous = enable;
        self
    }

    /// Serves imports with closures defined at run time (RON or `Val`).
    pub fn with_host_imports(mut self, imports: HostImports) -> Self {
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
    ) -> ContainerBuilder<T, Hooked> {
        self.hooks.push(Box::new(hook));
        self.hooked()
    }

    /// Loads typed bindings (`tairitsu-build` output) after every start, so that
    /// `container.guest::<W>()` and [`Container::invoke`] hand them out. The export indices
    /// are resolved once, here; each start costs only index lookups.
    ///
    /// # Errors
    ///
    /// At [`build`](Self::build), when the component does not export what `W` expects.
    pub fn with_bindings<W: Bindings>(mut self) -> ContainerBuilder<T, Hooked> {
        self.binder = Some(upgrade::binder::<T, W>());
        self.hooked()
    }

    /// The original API's way in: a closure that instantiates the guest itself, run at every
    /// start with a copy of the linker and a fresh store.
    ///
    /// Prefer [`with_linker`](Self::with_linker) plus [`with_bindings`](Self::with_bindings):
    /// they link once and start through an
    /// [`InstancePre`](wasmtime::component::InstancePre). This path re-links at every start.
    pub fn with_guest_initializer<F>(mut self, initializer: F) -> ContainerBuilder<T, Hooked>
    where
        F: FnMut(&mut GuestContext<'_, T>) -> wasmtime::Result<GuestInstance> + Send + 'static,
    {
        self.initializer = Some(Box::new(initializer));
        self.hooked()
    }

    fn hooked(self) -> ContainerBuilder<T, Hooked> {
        ContainerBuilder {
            image: self.image,
            data: self.data,
            name: self.name,
            limits: self.limits,
            sandbox: self.sandbox,
            wasi: self.wasi,
            asynchronous: self.asynchronous,
            trap_unknown_imports: self.trap_unknown_imports,
            host_imports: self.host_imports,
            value_limits: self.value_limits,
            hooks: self.hooks,
            initializer: self.initializer,
            binder: self.binder,
            hooked: PhantomData,
        }
    }

    /// Links, pre-instantiates and starts the container.
    ///
    /// # Errors
    ///
    /// [`Error::MissingImports`] listing every import nobody provides (unless
    /// [`trap_unknown_imports`](Self::trap_unknown_imports)), [`Error::Instantiate`] when
    /// linking or the start fails, [`Error::Config`] for an unusable sandbox grant.
    pub fn build(self) -> Result<Container<T>> {
        let mut container = self.link()?;
        container.start()?;
        Ok(container)
    }

    /// Links, pre-instantiates and starts an async container (see
    /// [`with_async`](Self::with_async)); `instantiate_async` lets a start function call host
    /// imports that await.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build); [`Error::CallMode`] for a sync container.
    pub async fn build_async(self) -> Result<Container<T>> {
        let mut container = self.link()?;
        container.start_async().await?;
        Ok(container)
    }

    /// Everything [`build`](Self::build) does but the start.
    fn link(self) -> Result<Container<T>> {
        let asynchronous = self.asynchronous
            || self
                .host_imports
                .as_ref()
                .is_some_and(HostImports::has_async);
        let image = self.image;
        let engine = image.engine().wasmtime().clone();
        let instantiate_error =
            |message: String, source: Option<wasmtime::Error>| Error::Instantiate {
                image: image.display_name(),
                message,
                source: source.map(WasmtimeError::new),
            };
        let wasmtime_error = |e: wasmtime::Error| instantiate_error(format!("{e:#}"), Some(e));
        let mut linker = Linker::<HostState<T>>::new(&engine);
        if self.wasi && asynchronous {
            wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(wasmtime_error)?;
            crate::http::add_to_linker_async(&mut linker).map_err(wasmtime_error)?;
        } else if self.wasi {
            wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(wasmtime_error)?;
            super::wasi_wait::link(&mut linker).map_err(wasmtime_error)?;
            crate::http::add_to_linker_sync(&mut linker).map_err(wasmtime_error)?;
        }
        for hook in self.hooks {
            hook(&mut linker).map_err(wasmtime_error)?;
        }
        let mut relink = Relink {
            linker: None,
            host_imports: self.host_imports,
            trap_unknown: self.trap_unknown_imports,
            binder: self.binder,
        };
        let (start, loader, host_resources) = match self.initializer {
            Some(initializer) => {
                let mut host_resources = None;
                if let Some(host_imports) = &relink.host_imports {
                    host_resources = Some(
                        host_imports
                            .link_only(&mut linker, image.surface())
                            .map_err(|e| instantiate_error(e.to_string(), None))?,
                    );
                }
                // The initializer instantiates by itself; typed bindings are not loaded.
                let start = Start::Initializer {
                    linker: Box::new(linker),
                    initializer,
                };
                (start, None, host_resources)
            }
            None => {
                // Kept free of anything surface-specific, so that an upgrade can link again.
                relink.linker = Some(linker);
                let (pre, loader, host_resources) = relink.prepare(&image)?;
                (Start::Pre(pre), loader, host_resources)
            }
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let serial = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:012x}", serial ^ (u64::from(std::process::id()) << 32));
        let deadline_ticks = self.limits.deadline.map(|d| image.engine().ticks_for(d));
        Ok(Container {
            image,
            sandbox: self.sandbox,
            start,
            loader,
            relink,
            parked: Some(self.data),
            generation: 0,
            core: Core {
                id,
                name: self.name,
                limits: self.limits,
                deadline_ticks,
                interrupt: Default::default(),
                asynchronous,
                run: None,
                state: ContainerState::Stopped,
                funcs: Vec::new(),
                handles: ResourceHandles::with_max(self.value_limits.max_handles),
                host_resources,
                value_limits: self.value_limits,
                args: Vec::new(),
                last_name: None,
            },
        })
    }
}
