//! What a container hands out as its guest, and what a guest initializer works with.

use std::any::Any;
use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::{Component, Instance, Linker};

use crate::host_state::HostState;

/// What a guest initializer returns: the guest object the container hands out through
/// [`Container::guest`](crate::Container::guest), typically the world type of generated
/// bindings.
///
/// Wrapping a plain [`Instance`] (`GuestInstance::new(instance)`) also makes the dynamic calls
/// (`call_guest_binary` and the text forms) available.
pub struct GuestInstance {
    pub(super) guest: Guest,
    pub(super) instance: Option<Instance>,
}

impl GuestInstance {
    /// Wraps the guest object.
    pub fn new<G: Any + Send + Sync>(guest: G) -> Self {
        let guest: Guest = Box::new(guest);
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
    pub(super) instance: Option<Instance>,
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

/// The guest object of a running container.
pub(super) type Guest = Box<dyn Any + Send + Sync>;

/// Adds host functions to the linker once, at build time.
pub(super) type LinkerHook<T> =
    Box<dyn FnOnce(&mut Linker<HostState<T>>) -> wasmtime::Result<()> + Send>;

/// The original API's guest initializer, run at every start.
pub(super) type Initializer<T> =
    Box<dyn FnMut(&mut GuestContext<'_, T>) -> wasmtime::Result<GuestInstance> + Send>;

/// Loads typed bindings from a fresh instance.
pub(super) type Loader<T> =
    Arc<dyn Fn(&mut Store<HostState<T>>, &Instance) -> wasmtime::Result<Guest> + Send + Sync>;
