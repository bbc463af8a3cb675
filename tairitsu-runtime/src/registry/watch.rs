//! Watching a component file: when it changes, load it off the call path, update its tag and
//! roll it out.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{Registry, RegistryEvent, RolloutPolicy};
use crate::file_watch::FileWatch;
use crate::image::Image;
use crate::{Error, Result};

/// How long a file must stay quiet after a change before it is loaded: editors and build
/// tools write in several steps.
const DEBOUNCE: Duration = crate::file_watch::DEFAULT_DEBOUNCE;

/// A file watched by [`Registry::watch`]. Dropping it stops the watching; a reload in progress
/// finishes.
pub struct Watch {
    path: PathBuf,
    reference: String,
    _watch: FileWatch,
}

impl Watch {
    /// The file watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tag it updates.
    pub fn reference(&self) -> &str {
        &self.reference
    }
}

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("path", &self.path)
            .field("reference", &self.reference)
            .finish()
    }
}

impl<T: Send + 'static> Registry<T> {
    /// Watches the component file `path` for the tag `reference`, with the default
    /// [`RolloutPolicy`]. See [`watch_with`](Self::watch_with).
    ///
    /// # Errors
    ///
    /// As [`watch_with`](Self::watch_with).
    pub fn watch(self: &Arc<Self>, path: impl AsRef<Path>, reference: &str) -> Result<Watch> {
        self.watch_with(path, reference, RolloutPolicy::default())
    }

    /// Watches the component file `path`: every time it changes (debounced by 50 ms), a
    /// background thread reads and compiles it, updates the tag `reference`
    /// ([`update_image`](Self::update_image), so an incompatible file is refused unless the
    /// policy is [forced](RolloutPolicy::forced)) and rolls it out with `policy`. Calls keep
    /// being served meanwhile; a file that does not load (half-written, not a component,
    /// refused) leaves the current version serving and is reported as
    /// [`RegistryEvent::FileRejected`]. A successful load is [`RegistryEvent::FileLoaded`],
    /// then the rollout's events.
    ///
    /// The directory of the file is watched, so a file replaced by a rename is seen too.
    ///
    /// # Errors
    ///
    /// [`Error::Watch`] when the watcher cannot start; [`Error::InvalidReference`].
    pub fn watch_with(
        self: &Arc<Self>,
        path: impl AsRef<Path>,
        reference: &str,
        policy: RolloutPolicy<T>,
    ) -> Result<Watch> {
        let _: crate::reference::ImageRef = reference.parse()?;
        let path = path.as_ref().to_path_buf();
        let registry = Arc::clone(self);
        let file = path.clone();
        let tag = reference.to_string();
        let watch = FileWatch::with_debounce(&path, DEBOUNCE, move || {
            registry.reload(&file, &tag, &policy);
        })?;
        Ok(Watch {
            path,
            reference: reference.to_string(),
            _watch: watch,
        })
    }

    /// Loads the file and rolls it out; every outcome is an event.
    fn reload(&self, path: &Path, reference: &str, policy: &RolloutPolicy<T>) {
        let loaded = std::fs::read(path)
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })
            .and_then(|bytes| {
                // Bytes seen before (a version switched back to) are not compiled again.
                let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
                let known = self.images.read().by_digest.get(&digest).cloned();
                match known {
                    Some(image) => Ok(image),
                    None => Image::from_bytes_with(&self.engine, bytes),
                }
            });
        let image = match loaded {
            Ok(image) => image,
            Err(error) => {
                self.emit(RegistryEvent::FileRejected {
                    path: path.to_path_buf(),
                    reference: reference.to_string(),
                    error: Arc::new(error),
                });
                return;
            }
        };
        let digest = image.digest();
        if self.image(reference).is_ok_and(|i| i.digest() == digest) {
            // Touched, not changed.
            return;
        }
        let updated = if policy.is_forced() {
            self.update_image_forced(reference, image)
        } else {
            self.update_image(reference, image)
        };
        if let Err(error) = updated {
            self.emit(RegistryEvent::FileRejected {
                path: path.to_path_buf(),
                reference: reference.to_string(),
                error: Arc::new(error),
            });
            return;
        }
        self.emit(RegistryEvent::FileLoaded {
            path: path.to_path_buf(),
            reference: reference.to_string(),
            digest,
        });
        // Its outcome, good or bad, is reported by the rollout's own events.
        let _ = self.rollout(reference, policy);
    }
}
