//! Shared handles to registry containers, and the guard that publishes their state.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parking_lot::RwLock;
use tokio::sync::{Mutex, MutexGuard};

use super::ContainerSummary;
use crate::container::ContainerState;
use crate::container::{Container, InterruptHandle};
use crate::reference::ImageRef;
use crate::{Error, Result};

/// How often a stop or removal waiting for a busy container interrupts it again: a call queued
/// ahead of it may start after the first interrupt.
const INTERRUPT_EVERY: Duration = Duration::from_millis(10);

/// A shared handle to a container in a [`Registry`](crate::Registry). Cloning it is cheap.
///
/// [`lock`](Self::lock) (from threads) and [`lock_async`](Self::lock_async) (from async tasks,
/// without blocking the executor) give exclusive access for calls; the state the registry lists
/// is updated when the guard is dropped. The guard is `Send`, so a task may hold it across
/// `.await`s, for example around [`Container::call_ron_async`].
pub struct ContainerHandle<T: Send + 'static = ()> {
    pub(super) shared: Arc<Shared<T>>,
}

pub(super) struct Shared<T: Send + 'static> {
    pub(super) id: String,
    /// The tag the container was run from; rollouts of that tag move it.
    pub(super) reference: Option<ImageRef>,
    container: Mutex<Container<T>>,
    pub(super) meta: RwLock<Meta>,
    interrupt: InterruptHandle,
    /// This container's mark while it is being called (see `container::is_calling`).
    calling_id: usize,
    /// Set, under the container's lock, when the registry removed it: a restart that waited
    /// for the lock meanwhile must not bring it back.
    pub(super) removed: AtomicBool,
}

/// What listings read without taking the container's lock, published when a guard drops.
pub(super) struct Meta {
    pub(super) name: Option<String>,
    pub(super) state: ContainerState,
    /// The digest of the image it runs.
    pub(super) digest: String,
    pub(super) image_name: String,
    /// How many times the lock was released: the rollout's sign that calls went through.
    pub(super) releases: u64,
}

impl<T: Send + 'static> Clone for ContainerHandle<T> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Send + 'static> ContainerHandle<T> {
    pub(super) fn new(container: Container<T>) -> Self {
        Self {
            shared: Arc::new(Shared {
                id: container.id().to_string(),
                reference: container.image().reference().cloned(),
                meta: RwLock::new(Meta {
                    name: container.name().map(str::to_string),
                    state: container.state().clone(),
                    digest: container.image().digest(),
                    image_name: container.image().display_name(),
                    releases: 0,
                }),
                interrupt: container.interrupt_handle(),
                calling_id: crate::container::calling_identity(
                    &container.interrupt_handle().shared,
                ),
                removed: AtomicBool::new(false),
                container: Mutex::new(container),
            }),
        }
    }

    /// The container's id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Exclusive access to the container, waiting (blocking the thread) for a call in progress
    /// to finish. From an async task, use [`lock_async`](Self::lock_async).
    ///
    /// # Panics
    ///
    /// When called from inside a call of this same container (a host import locking its own
    /// container), which would otherwise wait for itself forever; the panic fails that call.
    /// [`checked_lock`](Self::checked_lock) answers [`Error::ReentrantLock`] instead.
    pub fn lock(&self) -> ContainerGuard<'_, T> {
        match self.checked_lock() {
            Ok(guard) => guard,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`lock`](Self::lock), failing instead of waiting forever when called from inside a call
    /// of this same container.
    ///
    /// # Errors
    ///
    /// [`Error::ReentrantLock`] when this thread is inside a call of the container.
    pub fn checked_lock(&self) -> Result<ContainerGuard<'_, T>> {
        self.check_not_calling()?;
        let guard = match self.shared.container.try_lock() {
            Ok(guard) => guard,
            // The lock's future needs no runtime: wait for it on this thread.
            Err(_) => futures::executor::block_on(self.shared.container.lock()),
        };
        Ok(self.guard(guard))
    }

    /// Exclusive access to the container, awaiting a call in progress: the executor runs other
    /// tasks meanwhile.
    ///
    /// # Panics
    ///
    /// As [`lock`](Self::lock), from inside a call of this same container;
    /// [`checked_lock_async`](Self::checked_lock_async) answers an error instead.
    pub async fn lock_async(&self) -> ContainerGuard<'_, T> {
        match self.checked_lock_async().await {
            Ok(guard) => guard,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`lock_async`](Self::lock_async), failing instead of waiting forever when called from
    /// inside a call of this same container.
    ///
    /// # Errors
    ///
    /// [`Error::ReentrantLock`] when the task is inside a call of the container.
    pub async fn checked_lock_async(&self) -> Result<ContainerGuard<'_, T>> {
        self.check_not_calling()?;
        Ok(self.guard(self.shared.container.lock().await))
    }

    /// Exclusive access, interrupting the call in progress (and any that starts before the lock
    /// is free) instead of waiting for it: for stopping and removing.
    pub(super) fn lock_interrupting(&self) -> Result<ContainerGuard<'_, T>> {
        self.check_not_calling()?;
        if let Ok(guard) = self.shared.container.try_lock() {
            return Ok(self.guard(guard));
        }
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let interrupt = self.shared.interrupt.clone();
        let interrupter = std::thread::Builder::new()
            .name("tairitsu-stop".into())
            .spawn(move || {
                loop {
                    interrupt.interrupt();
                    // The lock was taken (the sender dropped): stop interrupting.
                    if wait.recv_timeout(INTERRUPT_EVERY)
                        != Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                    {
                        return;
                    }
                }
            });
        if interrupter.is_err() {
            // No thread: interrupt once; a call queued ahead is then waited for.
            self.shared.interrupt.interrupt();
        }
        let guard = futures::executor::block_on(self.shared.container.lock());
        drop(done);
        if let Ok(interrupter) = interrupter {
            let _ = interrupter.join();
        }
        Ok(self.guard(guard))
    }

    /// [`lock_interrupting`](Self::lock_interrupting) from an async task.
    pub(super) async fn lock_interrupting_async(&self) -> Result<ContainerGuard<'_, T>> {
        self.check_not_calling()?;
        if let Ok(guard) = self.shared.container.try_lock() {
            return Ok(self.guard(guard));
        }
        let lock = self.shared.container.lock();
        tokio::pin!(lock);
        loop {
            self.shared.interrupt.interrupt();
            tokio::select! {
                guard = &mut lock => return Ok(self.guard(guard)),
                () = tokio::time::sleep(INTERRUPT_EVERY) => {}
            }
        }
    }

    fn check_not_calling(&self) -> Result<()> {
        if crate::container::is_calling(self.shared.calling_id) {
            return Err(Error::ReentrantLock {
                container: self.display_name(),
            });
        }
        Ok(())
    }

    fn guard<'a>(&'a self, guard: MutexGuard<'a, Container<T>>) -> ContainerGuard<'a, T> {
        ContainerGuard {
            guard,
            meta: &self.shared.meta,
        }
    }

    /// The name, or the id, for messages.
    fn display_name(&self) -> String {
        self.shared
            .meta
            .read()
            .name
            .clone()
            .unwrap_or_else(|| self.shared.id.clone())
    }

    /// Exclusive access if nobody has it now.
    pub fn try_lock(&self) -> Option<ContainerGuard<'_, T>> {
        let guard = self.shared.container.try_lock().ok()?;
        Some(self.guard(guard))
    }

    /// A handle that interrupts the call the container is running, without taking the lock.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.shared.interrupt.clone()
    }

    /// The state published at the last release of the lock.
    pub fn state(&self) -> ContainerState {
        self.shared.meta.read().state.clone()
    }

    /// The tag (`name:tag`) the container was run from, which rollouts of that tag move it
    /// along; `None` for a container run by digest or built elsewhere without a reference.
    pub fn reference(&self) -> Option<&ImageRef> {
        self.shared.reference.as_ref()
    }

    /// The digest of the image the container runs, as published at the last release.
    pub fn digest(&self) -> String {
        self.shared.meta.read().digest.clone()
    }

    pub(super) fn releases(&self) -> u64 {
        self.shared.meta.read().releases
    }

    pub(super) fn summary(&self) -> ContainerSummary {
        let meta = self.shared.meta.read();
        ContainerSummary {
            id: self.shared.id.clone(),
            name: meta.name.clone(),
            image: meta.image_name.clone(),
            state: meta.state.clone(),
        }
    }
}

impl<T: Send + 'static> fmt::Debug for ContainerHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.summary(), f)
    }
}

/// Exclusive access to a registry container; derefs to [`Container`].
pub struct ContainerGuard<'a, T: Send + 'static> {
    guard: MutexGuard<'a, Container<T>>,
    meta: &'a RwLock<Meta>,
}

impl<T: Send + 'static> Deref for ContainerGuard<'_, T> {
    type Target = Container<T>;
    fn deref(&self) -> &Container<T> {
        &self.guard
    }
}

impl<T: Send + 'static> DerefMut for ContainerGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut Container<T> {
        &mut self.guard
    }
}

impl<T: Send + 'static> Drop for ContainerGuard<'_, T> {
    fn drop(&mut self) {
        let mut meta = self.meta.write();
        meta.state = self.guard.state().clone();
        meta.releases += 1;
        // Only an upgrade changes the image: no digest text on ordinary calls.
        let image = self.guard.image();
        if meta.digest.strip_prefix("sha256:") != Some(image.digest_hex()) {
            meta.digest = image.digest();
            meta.image_name = image.display_name();
        }
    }
}
