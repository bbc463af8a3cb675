//! Moving the containers of a tag to its current image: one at a time or in batches, checked,
//! with the state handed over, and undone when a container does not take the new version.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::Val;

use super::{ContainerHandle, Registry, RegistryEvent, compat};
use crate::container::{Container, ContainerState};
use crate::image::Image;
use crate::reference::ImageRef;
use crate::{Error, Result};

/// A closure that checks a freshly upgraded container; `Err` says what is wrong.
pub type HealthCheckFn<T> =
    dyn Fn(&mut Container<T>) -> std::result::Result<(), String> + Send + Sync;

/// How a rollout checks a container right after it moved to the new image.
pub enum HealthCheck<T: Send + 'static = ()> {
    /// A RON call (`version()`) and the RON answer it must give (`2`); compared as text, with
    /// surrounding whitespace ignored.
    Call {
        /// The call text.
        call: String,
        /// The answer it must give.
        answer: String,
    },
    /// A closure on the container.
    Check(Arc<HealthCheckFn<T>>),
}

impl<T: Send + 'static> Clone for HealthCheck<T> {
    fn clone(&self) -> Self {
        match self {
            HealthCheck::Call { call, answer } => HealthCheck::Call {
                call: call.clone(),
                answer: answer.clone(),
            },
            HealthCheck::Check(check) => HealthCheck::Check(check.clone()),
        }
    }
}

impl<T: Send + 'static> fmt::Debug for HealthCheck<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealthCheck::Call { call, answer } => write!(f, "{call} == {answer}"),
            HealthCheck::Check(_) => f.write_str("closure"),
        }
    }
}

/// How [`Registry::rollout`] moves the containers of a tag: batch size, health check, how
/// long to watch for a first call that traps, state hand-off, and whether to skip the
/// compatibility check.
///
/// The default moves one container at a time, with no check, no hand-off and no watching.
///
/// # State hand-off
///
/// With [`with_state_handoff("save", "load")`](Self::with_state_handoff), when the old and the
/// new image both export those functions, the rollout calls the old instance's `save` (no
/// parameters, any one result, typically `save: func() -> list<u8>`) right before the upgrade
/// and passes its result to the new instance's `load` (one parameter of that type, typically
/// `load: func(state: list<u8>)`) right after it, before the health check. When either side
/// lacks them, the container moves without its guest state. A failing `load` fails that
/// container's upgrade. Going back (a failed check, a rollback) hands the state back the same
/// way.
pub struct RolloutPolicy<T: Send + 'static = ()> {
    batch: usize,
    health: Option<HealthCheck<T>>,
    first_call: Option<Duration>,
    handoff: Option<(String, String)>,
    force: bool,
}

impl<T: Send + 'static> Default for RolloutPolicy<T> {
    fn default() -> Self {
        Self {
            batch: 1,
            health: None,
            first_call: None,
            handoff: None,
            force: false,
        }
    }
}

impl<T: Send + 'static> Clone for RolloutPolicy<T> {
    fn clone(&self) -> Self {
        Self {
            batch: self.batch,
            health: self.health.clone(),
            first_call: self.first_call,
            handoff: self.handoff.clone(),
            force: self.force,
        }
    }
}

impl<T: Send + 'static> fmt::Debug for RolloutPolicy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RolloutPolicy")
            .field("batch", &self.batch)
            .field("health", &self.health)
            .field("first_call", &self.first_call)
            .field("handoff", &self.handoff)
            .field("force", &self.force)
            .finish()
    }
}

impl<T: Send + 'static> RolloutPolicy<T> {
    /// One container at a time, no check, no hand-off.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves `containers` at a time (at least 1); each batch is checked before the next.
    pub fn with_batch(mut self, containers: usize) -> Self {
        self.batch = containers.max(1);
        self
    }

    /// Checks each upgraded container with a RON call and the RON answer it must give.
    pub fn with_health_call(mut self, call: impl Into<String>, answer: impl Into<String>) -> Self {
        self.health = Some(HealthCheck::Call {
            call: call.into(),
            answer: answer.into(),
        });
        self
    }

    /// Checks each upgraded container with a closure; `Err` fails the upgrade.
    pub fn with_health_check(
        mut self,
        check: impl Fn(&mut Container<T>) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.health = Some(HealthCheck::Check(Arc::new(check)));
        self
    }

    /// After each batch, waits up to `window` for every container of the batch to be used
    /// once (a call by its users) and fails the rollout when one of them has failed (its
    /// first call trapped). Without it, the rollout does not wait.
    pub fn with_first_call_window(mut self, window: Duration) -> Self {
        self.first_call = Some(window);
        self
    }

    /// Hands the guest's state over: the old instance's `save` result goes to the new
    /// instance's `load` (see [the contract](Self#state-hand-off)).
    pub fn with_state_handoff(mut self, save: impl Into<String>, load: impl Into<String>) -> Self {
        self.handoff = Some((save.into(), load.into()));
        self
    }

    /// Skips the compatibility check between each container's image and the new one (and,
    /// for a watched file, the one of [`Registry::update_image`]).
    pub fn forced(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    pub(super) fn is_forced(&self) -> bool {
        self.force
    }
}

/// The outcome of a [`Registry::rollout`] that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    /// The image rolled out.
    pub digest: String,
    /// The ids of the containers that moved to it, in order.
    pub upgraded: Vec<String>,
}

/// A container moved by this rollout, and what it ran before.
struct Moved<T: Send + 'static> {
    handle: ContainerHandle<T>,
    previous: Image,
    releases: u64,
}

impl<T: Send + 'static> Registry<T> {
    /// Moves one container to the current image of the tag it was run from, between calls (a
    /// call in progress finishes first). Returns whether it moved (`false`: it already runs
    /// that image).
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] for a container with no tag or a tag that is gone; as
    /// [`Container::upgrade`] otherwise (the container then runs its previous image).
    pub fn upgrade(&self, container: &ContainerHandle<T>) -> Result<bool> {
        let Some(tag) = container.reference() else {
            return Err(Error::ImageNotFound(format!(
                "the tag of container `{}` (it was not run from a tag)",
                container.id()
            )));
        };
        let image = self.image(&tag.to_string())?;
        let digest = image.digest();
        let result = {
            let mut guard = container.lock();
            if guard.image().digest() == digest {
                return Ok(false);
            }
            let previous = guard.image().digest();
            upgrade_container(&mut guard, image).map(|()| previous)
        };
        match result {
            Ok(previous) => {
                self.emit(RegistryEvent::ContainerUpgraded {
                    container: container.id().to_string(),
                    digest,
                    previous,
                });
                Ok(true)
            }
            Err(error) => {
                let error = Arc::new(error);
                self.emit(RegistryEvent::UpgradeFailed {
                    container: container.id().to_string(),
                    digest,
                    error: error.clone(),
                });
                Err(unshare(error))
            }
        }
    }

    /// Moves every container run from the tag `reference` to the tag's current image, as
    /// `policy` says: a batch at a time, each container between two of its calls, checked
    /// right after it moved.
    ///
    /// When a container does not take the new image (it does not link or start, its state
    /// does not load, it fails its health check, or its first call traps within the
    /// policy's window), the rollout stops and is undone: that container and every container
    /// it moved go back to their previous image (state handed back when the policy hands it
    /// over), and the tag points at its previous version again ([`Registry::rollback`]).
    /// Events report each step.
    ///
    /// Async containers are moved with [`Container::upgrade_async`], driven on this thread;
    /// their checks and hand-off use the `_async` calls the same way. From a tokio task, use
    /// [`rollout_async`](Self::rollout_async), which does not hold the executor thread.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] before anything moves, when a container's image exports what
    /// the new image lacks (unless [forced](RolloutPolicy::forced)); [`Error::RolledBack`]
    /// with the cause when the rollout was undone; [`Error::ImageNotFound`].
    pub fn rollout(&self, reference: &str, policy: &RolloutPolicy<T>) -> Result<Rollout> {
        let tag: ImageRef = reference.parse()?;
        let image = self.image(reference)?;
        let digest = image.digest();
        let handles: Vec<ContainerHandle<T>> = self
            .containers_of(&tag)
            .into_iter()
            .filter(|h| h.digest() != digest)
            .collect();
        if !policy.force {
            self.check_compatible(&tag, &image, &handles)?;
        }
        let mut moved: Vec<Moved<T>> = Vec::new();
        for batch in handles.chunks(policy.batch) {
            let first = moved.len();
            for handle in batch {
                match move_container(handle, &image, policy) {
                    Ok(previous) => {
                        self.emit(RegistryEvent::ContainerUpgraded {
                            container: handle.id().to_string(),
                            digest: digest.clone(),
                            previous: previous.digest(),
                        });
                        moved.push(Moved {
                            handle: handle.clone(),
                            releases: handle.releases(),
                            previous,
                        });
                    }
                    Err(error) => {
                        return Err(self.undo(&tag, &image, moved, handle, error, policy));
                    }
                }
            }
            if let Some(window) = policy.first_call
                && let Some((handle, error)) = watch_first_calls(&moved[first..], window)
            {
                return Err(self.undo(&tag, &image, moved, &handle, error, policy));
            }
        }
        self.emit(RegistryEvent::RolloutFinished {
            reference: tag.to_string(),
            digest: digest.clone(),
            upgraded: moved.len(),
        });
        Ok(Rollout {
            digest,
            upgraded: moved.iter().map(|m| m.handle.id().to_string()).collect(),
        })
    }

    /// [`upgrade`](Self::upgrade) for tokio tasks: the upgrade runs on tokio's blocking pool
    /// (an async container's new instance is started there with
    /// [`Container::upgrade_async`]), so the task's executor thread stays free while it waits
    /// for the container's call in progress, instantiates and checks.
    ///
    /// # Errors
    ///
    /// As [`upgrade`](Self::upgrade); [`Error::Config`] when called outside a tokio runtime
    /// or when the runtime shuts down before the upgrade finished.
    pub async fn upgrade_async(self: &Arc<Self>, container: &ContainerHandle<T>) -> Result<bool> {
        let (registry, container) = (Arc::clone(self), container.clone());
        on_blocking_pool(move || registry.upgrade(&container)).await
    }

    /// [`rollout`](Self::rollout) for tokio tasks: the rollout runs on tokio's blocking pool,
    /// so the task's executor thread stays free while containers wait for their calls in
    /// progress, start on the new image, hand their state over and are checked (a slow health
    /// check or a [first-call window](RolloutPolicy::with_first_call_window) included). Its
    /// steps, checks, undo and events are those of [`rollout`](Self::rollout).
    ///
    /// # Errors
    ///
    /// As [`rollout`](Self::rollout); [`Error::Config`] when called outside a tokio runtime or
    /// when the runtime shuts down before the rollout finished.
    pub async fn rollout_async(
        self: &Arc<Self>,
        reference: &str,
        policy: &RolloutPolicy<T>,
    ) -> Result<Rollout> {
        let (registry, policy) = (Arc::clone(self), policy.clone());
        let reference = reference.to_string();
        on_blocking_pool(move || registry.rollout(&reference, &policy)).await
    }

    fn check_compatible(
        &self,
        tag: &ImageRef,
        image: &Image,
        handles: &[ContainerHandle<T>],
    ) -> Result<()> {
        let mut seen = Vec::new();
        for handle in handles {
            let old = handle.lock().image().clone();
            if seen.contains(&old.digest()) {
                continue;
            }
            seen.push(old.digest());
            let differences = compat::export_differences(&old, image);
            if !differences.is_empty() {
                let error = |differences| Error::Incompatible {
                    image: image.display_name(),
                    previous: old.display_name(),
                    differences,
                };
                self.emit(RegistryEvent::UpdateRefused {
                    reference: tag.to_string(),
                    digest: image.digest(),
                    error: Arc::new(error(differences.clone())),
                });
                return Err(error(differences));
            }
        }
        Ok(())
    }

    /// Sends the moved containers back, points the tag back, reports, and says why.
    fn undo(
        &self,
        tag: &ImageRef,
        image: &Image,
        moved: Vec<Moved<T>>,
        failed: &ContainerHandle<T>,
        error: Error,
        policy: &RolloutPolicy<T>,
    ) -> Error {
        let error = Arc::new(error);
        self.emit(RegistryEvent::UpgradeFailed {
            container: failed.id().to_string(),
            digest: image.digest(),
            error: error.clone(),
        });
        for m in moved.iter().rev() {
            let mut guard = m.handle.lock();
            // Best effort: a container that cannot go back stays failed, and says so.
            let _ = shift(&mut guard, m.previous.clone(), policy.handoff.as_ref());
        }
        let points_here = self
            .image(&tag.to_string())
            .is_ok_and(|i| i.digest() == image.digest());
        if points_here {
            // The tag may have no earlier version (a first load): it stays.
            let _ = self.rollback(&tag.to_string());
        }
        self.emit(RegistryEvent::RolloutRolledBack {
            reference: tag.to_string(),
            digest: image.digest(),
            container: failed.id().to_string(),
            error: error.clone(),
        });
        Error::RolledBack {
            reference: tag.to_string(),
            image: image.display_name(),
            container: failed.id().to_string(),
            source: error,
        }
    }
}

/// Runs `work` on the current tokio runtime's blocking pool and waits for it without blocking
/// the executor. A panic in `work` goes on in the caller.
async fn on_blocking_pool<R: Send + 'static>(
    work: impl FnOnce() -> Result<R> + Send + 'static,
) -> Result<R> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        Error::Config(
            "async upgrades and rollouts run on tokio's blocking pool: call them inside a \
             tokio runtime, or use the blocking `upgrade`/`rollout`"
                .into(),
        )
    })?;
    match runtime.spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::Config(
            "the tokio runtime shut down before the upgrade finished".into(),
        )),
    }
}

/// Moves one container, hands its state over and checks it; on failure it is back on its
/// previous image. Returns that previous image.
fn move_container<T: Send + 'static>(
    handle: &ContainerHandle<T>,
    image: &Image,
    policy: &RolloutPolicy<T>,
) -> Result<Image> {
    let mut guard = handle.lock();
    let container: &mut Container<T> = &mut guard;
    let previous = container.image().clone();
    let saved = match &policy.handoff {
        Some((save, load)) if exports(&previous, save) && exports(image, load) => {
            Some(call(container, save, &[])?)
        }
        _ => None,
    };
    upgrade_container(container, image.clone())?;
    let checked = (|| -> Result<()> {
        if let (Some(state), Some((_, load))) = (&saved, &policy.handoff) {
            call(container, load, std::slice::from_ref(state))?;
        }
        if let Some(health) = &policy.health {
            check(container, health)?;
        }
        Ok(())
    })();
    if let Err(error) = checked {
        // Back to the previous image, with the state it had before the upgrade.
        if upgrade_container(container, previous.clone()).is_ok()
            && let (Some(state), Some((_, load))) = (&saved, &policy.handoff)
            && exports(&previous, load)
        {
            let _ = call(container, load, std::slice::from_ref(state));
        }
        return Err(error);
    }
    Ok(previous)
}

/// Moves a container to `image`, handing its state over when both sides can.
fn shift<T: Send + 'static>(
    container: &mut Container<T>,
    image: Image,
    handoff: Option<&(String, String)>,
) -> Result<()> {
    let saved = match handoff {
        Some((save, load))
            if *container.state() == ContainerState::Running
                && exports(container.image(), save)
                && exports(&image, load) =>
        {
            call(container, save, &[]).ok()
        }
        _ => None,
    };
    upgrade_container(container, image)?;
    if let (Some(state), Some((_, load))) = (saved, handoff) {
        call(container, load, &[state])?;
    }
    Ok(())
}

/// Waits up to `window` for each container to be used once; the first one found failed.
fn watch_first_calls<T: Send + 'static>(
    moved: &[Moved<T>],
    window: Duration,
) -> Option<(ContainerHandle<T>, Error)> {
    let deadline = Instant::now() + window;
    loop {
        // Read before the states: a release publishes its state first.
        let all_used = moved.iter().all(|m| m.handle.releases() > m.releases);
        for m in moved {
            if let ContainerState::Failed { reason } = m.handle.state() {
                return Some((
                    m.handle.clone(),
                    Error::ContainerFailed {
                        container: m.handle.id().to_string(),
                        reason,
                    },
                ));
            }
        }
        if all_used || Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn exports(image: &Image, name: &str) -> bool {
    image.surface().export(name).is_ok()
}

fn upgrade_container<T: Send + 'static>(container: &mut Container<T>, image: Image) -> Result<()> {
    if container.is_async() {
        futures::executor::block_on(container.upgrade_async(image))
    } else {
        container.upgrade(image)
    }
}

/// Calls an export with `Val`s, returning its single result (`()` as an empty tuple).
fn call<T: Send + 'static>(container: &mut Container<T>, name: &str, args: &[Val]) -> Result<Val> {
    let results = if container.is_async() {
        futures::executor::block_on(container.call_guest_binary_async(name, args))?
    } else {
        container.call_guest_binary(name, args)?
    };
    Ok(results.into_iter().next().unwrap_or(Val::Tuple(Vec::new())))
}

fn check<T: Send + 'static>(container: &mut Container<T>, health: &HealthCheck<T>) -> Result<()> {
    match health {
        HealthCheck::Call { call, answer } => {
            let got = if container.is_async() {
                futures::executor::block_on(container.call_ron_async(call))?
            } else {
                container.call_ron(call)?
            };
            if got.trim() == answer.trim() {
                Ok(())
            } else {
                Err(Error::HealthCheck {
                    container: container.display_name().to_string(),
                    check: call.clone(),
                    answer: format!("answered `{got}`, expected `{answer}`"),
                })
            }
        }
        HealthCheck::Check(check) => check(container).map_err(|answer| Error::HealthCheck {
            container: container.display_name().to_string(),
            check: "closure".to_string(),
            answer,
        }),
    }
}

/// The error of an event, back as an owned error for the caller: the event receiver may keep
/// its copy, then the caller gets the same text and kind of failure as a rollout error.
fn unshare(error: Arc<Error>) -> Error {
    Arc::try_unwrap(error).unwrap_or_else(Error::Shared)
}
