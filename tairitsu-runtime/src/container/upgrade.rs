//! Upgrading a container to another image between calls: link the new surface, move the host
//! data across, and go back to the old image when the new one does not start.

use std::borrow::Cow;
use std::sync::Arc;

use wasmtime::component::{Component, InstancePre, Linker};

use super::guest::{Guest, Loader};
use super::lifecycle::{Container, Start};
use super::state::ContainerState;
use crate::bindings::Bindings;
use crate::dynamic::{HostImports, LiveHostResources};
use crate::error::WasmtimeError;
use crate::host_state::HostState;
use crate::image::Image;
use crate::surface;
use crate::{Error, Result};

/// Makes the typed-bindings loader for one component (its export indices resolved once), or
/// says why the component does not fit.
pub(super) type Binder<T> =
    Arc<dyn Fn(&Component) -> std::result::Result<Loader<T>, String> + Send + Sync>;

/// The binder of the bindings `W`.
pub(super) fn binder<T: Send + 'static, W: Bindings>() -> Binder<T> {
    Arc::new(|component: &Component| {
        let indices = W::indices(component)
            .map_err(|e| format!("the component does not match world `{}`: {e:#}", W::WORLD))?;
        let loader: Loader<T> = Arc::new(move |store, instance| {
            Ok(Box::new(W::load(&mut *store, instance, &indices)?) as Guest)
        });
        Ok(loader)
    })
}

/// A pre-instantiated image and its typed-bindings loader.
type Linked<T> = (InstancePre<HostState<T>>, Option<Loader<T>>);

/// A linked image, ready to start: its pre-instance, its typed-bindings loader, and the ledger
/// of the host resources its instances will hold (with host imports).
pub(super) type Prepared<T> = (
    InstancePre<HostState<T>>,
    Option<Loader<T>>,
    Option<Arc<LiveHostResources>>,
);

/// What a container keeps so that it can link another image's surface: the linker with WASI
/// and the builder's hooks (nothing surface-specific), the host imports, whether unknown
/// imports trap, and how to load typed bindings.
pub(super) struct Relink<T: 'static> {
    /// `None` for a container with a guest initializer, which links at every start itself.
    pub(super) linker: Option<Linker<HostState<T>>>,
    pub(super) host_imports: Option<HostImports>,
    pub(super) trap_unknown: bool,
    pub(super) binder: Option<Binder<T>>,
}

impl<T: Send + 'static> Relink<T> {
    /// Links `image`'s surface and pre-instantiates it, with the bindings loader for its
    /// component. Nothing of a running container is touched.
    pub(super) fn prepare(&self, image: &Image) -> Result<Prepared<T>> {
        let Some(base) = &self.linker else {
            return Err(Error::Config(format!(
                "a container with a guest initializer cannot upgrade to `{}`: it links at every \
                 start itself; build a new container instead",
                image.display_name()
            )));
        };
        let instantiate_error =
            |message: String, source: Option<wasmtime::Error>| Error::Instantiate {
                image: image.display_name(),
                message,
                source: source.map(WasmtimeError::new),
            };
        let surface = image.surface();
        let trap_unknown = self.trap_unknown
            || self
                .host_imports
                .as_ref()
                .is_some_and(HostImports::traps_unknown_imports);
        // The base linker serves as is when nothing surface-specific is added to it.
        let mut host_resources = None;
        let linker: Cow<'_, Linker<HostState<T>>> = if self.host_imports.is_some() || trap_unknown {
            let mut linker = base.clone();
            if let Some(host_imports) = &self.host_imports {
                host_resources = Some(
                    host_imports
                        .link_only(&mut linker, surface)
                        .map_err(|e| instantiate_error(e.to_string(), None))?,
                );
            }
            if trap_unknown {
                surface::link_traps(&mut linker, surface)
                    .map_err(|e| instantiate_error(e.to_string(), None))?;
            }
            Cow::Owned(linker)
        } else {
            Cow::Borrowed(base)
        };
        if !trap_unknown {
            let missing = surface::missing(&linker, surface);
            if !missing.is_empty() {
                return Err(Error::MissingImports {
                    image: image.display_name(),
                    missing,
                });
            }
        }
        let (pre, loader) = self.finish(image, &linker)?;
        Ok((pre, loader, host_resources))
    }

    fn finish(&self, image: &Image, linker: &Linker<HostState<T>>) -> Result<Linked<T>> {
        let pre = linker
            .instantiate_pre(image.component())
            .map_err(|e| Error::Instantiate {
                image: image.display_name(),
                message: format!("{e:#}"),
                source: Some(WasmtimeError::new(e)),
            })?;
        let loader = match &self.binder {
            Some(binder) => {
                Some(
                    binder(image.component()).map_err(|message| Error::Instantiate {
                        image: image.display_name(),
                        message,
                        source: None,
                    })?,
                )
            }
            None => None,
        };
        Ok((pre, loader))
    }
}

/// The image, start and loader a container ran before an upgrade, kept to go back to.
struct Previous<T: 'static> {
    image: Image,
    start: Start<T>,
    loader: Option<Loader<T>>,
    host_resources: Option<Arc<LiveHostResources>>,
}

impl<T: Send + 'static> Container<T> {
    /// Moves the container to `image` between calls: the new image is linked against the
    /// container's linker (WASI, hooks, host imports, traps for unknown imports recomputed for
    /// the new surface), the old instance is dropped, and the host data `T` moves into an
    /// instance of the new image, as [`restart`](Self::restart) does. A stopped container stays
    /// stopped, on the new image.
    ///
    /// The guest's own state (its linear memory) does not cross; hand it over with the
    /// registry's rollout (`save` / `load` exports, see
    /// [`RolloutPolicy::with_state_handoff`](crate::RolloutPolicy::with_state_handoff)).
    ///
    /// # Errors
    ///
    /// When the new image does not link (missing imports, wrong types, typed bindings that do
    /// not fit), the container is untouched: same image, same instance. When the new instance
    /// fails to start (its start function traps, a limit), the container goes back to the old
    /// image with a fresh instance and the same host data, and [`Error::Upgrade`] says why.
    /// [`Error::EngineMismatch`] for an image of another engine; [`Error::CallMode`] for an
    /// async container, which upgrades with [`upgrade_async`](Self::upgrade_async).
    pub fn upgrade(&mut self, image: Image) -> Result<()> {
        if self.core.asynchronous {
            return Err(Error::CallMode {
                container: self.display_name().to_string(),
                asynchronous: true,
            });
        }
        let Some((previous, was_stopped)) = self.switch_to(image)? else {
            return Ok(());
        };
        if was_stopped {
            return Ok(());
        }
        match self.start() {
            Ok(()) => Ok(()),
            Err(e) => {
                let new = self.go_back(previous);
                let back = self.start().err();
                Err(self.upgrade_error(new, e, back))
            }
        }
    }

    /// [`upgrade`](Self::upgrade) for an async container: the new instance starts with
    /// `instantiate_async`.
    ///
    /// # Errors
    ///
    /// As [`upgrade`](Self::upgrade); [`Error::CallMode`] for a sync container.
    pub async fn upgrade_async(&mut self, image: Image) -> Result<()> {
        if !self.core.asynchronous {
            return Err(Error::CallMode {
                container: self.display_name().to_string(),
                asynchronous: false,
            });
        }
        let Some((previous, was_stopped)) = self.switch_to(image)? else {
            return Ok(());
        };
        if was_stopped {
            return Ok(());
        }
        match self.start_async().await {
            Ok(()) => Ok(()),
            Err(e) => {
                let new = self.go_back(previous);
                let back = self.start_async().await.err();
                Err(self.upgrade_error(new, e, back))
            }
        }
    }

    /// Links `image` and swaps it in, stopped. `None` when the container already runs that
    /// image; otherwise what it ran before and whether it was stopped.
    fn switch_to(&mut self, image: Image) -> Result<Option<(Previous<T>, bool)>> {
        if !image.engine().same(self.image.engine()) {
            return Err(Error::EngineMismatch {
                image: image.display_name(),
            });
        }
        if image.digest() == self.image.digest() && self.core.state == ContainerState::Running {
            // Keep the reference the caller gave, nothing else changes.
            self.image = image;
            return Ok(None);
        }
        let (pre, loader, host_resources) = self.relink.prepare(&image)?;
        let was_stopped = self.core.state == ContainerState::Stopped && self.core.run.is_none();
        // Stopping releases the host resources the old instance held, under the old ledger.
        self.stop();
        let previous = Previous {
            image: std::mem::replace(&mut self.image, image),
            start: std::mem::replace(&mut self.start, Start::Pre(pre)),
            loader: std::mem::replace(&mut self.loader, loader),
            host_resources: std::mem::replace(&mut self.core.host_resources, host_resources),
        };
        // Export numbers belong to the old surface.
        self.core.last_name = None;
        Ok(Some((previous, was_stopped)))
    }

    /// Puts the previous image back (stopped); returns the name of the one that failed.
    fn go_back(&mut self, previous: Previous<T>) -> String {
        self.stop();
        let failed = self.image.display_name();
        self.image = previous.image;
        self.start = previous.start;
        self.loader = previous.loader;
        self.core.host_resources = previous.host_resources;
        self.core.last_name = None;
        failed
    }

    fn upgrade_error(&self, image: String, cause: Error, back: Option<Error>) -> Error {
        Error::Upgrade {
            container: self.display_name().to_string(),
            image,
            restarted: back.is_none(),
            source: Box::new(cause),
        }
    }
}
