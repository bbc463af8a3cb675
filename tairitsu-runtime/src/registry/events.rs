//! What the registry reports about versions, upgrades, rollouts and watched files.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use parking_lot::RwLock;

use super::Registry;
use crate::Error;

/// Something that happened to a tag, a container or a watched file. Errors are kept as data
/// (shared, so an event can be cloned).
///
/// Register one receiver with [`Registry::on_event`] or [`Registry::events`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RegistryEvent {
    /// A tag points at a new image.
    ImageUpdated {
        /// The tag.
        reference: String,
        /// The new image.
        digest: String,
        /// The image it pointed at before, if any.
        previous: Option<String>,
    },
    /// An update was refused (an incompatible image); the tag did not move.
    UpdateRefused {
        /// The tag.
        reference: String,
        /// The image refused.
        digest: String,
        /// Why.
        error: Arc<Error>,
    },
    /// A tag points back at an earlier version.
    TagRolledBack {
        /// The tag.
        reference: String,
        /// The image it points at now.
        digest: String,
        /// The image it pointed at before.
        from: String,
    },
    /// A container moved to another image.
    ContainerUpgraded {
        /// The container's id.
        container: String,
        /// The image it runs now.
        digest: String,
        /// The image it ran before.
        previous: String,
    },
    /// A container did not take a new image (it did not start, failed its health check, or
    /// its first call trapped); it runs its previous image.
    UpgradeFailed {
        /// The container's id.
        container: String,
        /// The image it did not take.
        digest: String,
        /// Why.
        error: Arc<Error>,
    },
    /// Every container of the tag runs its current image.
    RolloutFinished {
        /// The tag.
        reference: String,
        /// The image rolled out.
        digest: String,
        /// How many containers moved.
        upgraded: usize,
    },
    /// A rollout stopped and was undone: the containers it moved went back and the tag points
    /// at the previous version again.
    RolloutRolledBack {
        /// The tag.
        reference: String,
        /// The image that did not take over.
        digest: String,
        /// The container where it failed.
        container: String,
        /// Why.
        error: Arc<Error>,
    },
    /// A watched file changed and was loaded; a rollout follows.
    FileLoaded {
        /// The file.
        path: PathBuf,
        /// The tag it is watched for.
        reference: String,
        /// The image loaded from it.
        digest: String,
    },
    /// A watched file changed but did not load (half-written, not a component, refused); the
    /// current version keeps serving.
    FileRejected {
        /// The file.
        path: PathBuf,
        /// The tag it is watched for.
        reference: String,
        /// Why.
        error: Arc<Error>,
    },
}

type Receiver = Arc<dyn Fn(&RegistryEvent) + Send + Sync>;

/// The one receiver of a registry's events.
#[derive(Default)]
pub(super) struct Events {
    receiver: RwLock<Option<Receiver>>,
}

impl<T: Send + 'static> Registry<T> {
    /// Calls `receiver` with every [`RegistryEvent`], replacing any receiver registered
    /// before. It runs on the thread where the event happens (a rollout, a watcher's thread),
    /// with no registry lock held, so it may call the registry.
    pub fn on_event(&self, receiver: impl Fn(&RegistryEvent) + Send + Sync + 'static) {
        *self.events.receiver.write() = Some(Arc::new(receiver));
    }

    /// Sends every [`RegistryEvent`] to the returned channel (replacing any receiver
    /// registered before): a host reads and logs them at its own pace.
    pub fn events(&self) -> mpsc::Receiver<RegistryEvent> {
        let (sender, receiver) = mpsc::channel();
        let sender = parking_lot::Mutex::new(sender);
        self.on_event(move |event| {
            // A dropped receiver only means nobody listens any more.
            let _ = sender.lock().send(event.clone());
        });
        receiver
    }

    pub(super) fn emit(&self, event: RegistryEvent) {
        let receiver = self.events.receiver.read().clone();
        if let Some(receiver) = receiver {
            receiver(&event);
        }
    }
}
