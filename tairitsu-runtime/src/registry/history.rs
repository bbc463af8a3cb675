//! The versions of a tag: the last images it pointed at, updates and rollbacks.

use std::sync::Arc;

use super::{Images, Registry, RegistryEvent, compat};
use crate::image::Image;
use crate::reference::ImageRef;
use crate::{Error, Result};

/// How many versions a tag keeps by default, the current one included.
pub(super) const DEFAULT_KEEP: usize = 5;

impl Images {
    /// Points `tag` at `digest`, moving the digest it pointed at into its history.
    pub(super) fn point(&mut self, tag: &ImageRef, digest: String) -> Option<String> {
        let previous = self.tags.insert(tag.clone(), digest.clone());
        let earlier = self.history.entry(tag.clone()).or_default();
        // The current version is not an earlier one; each earlier version appears once.
        earlier.retain(|d| *d != digest);
        if let Some(previous) = &previous
            && *previous != digest
        {
            earlier.retain(|d| d != previous);
            earlier.push(previous.clone());
        }
        let excess = earlier.len().saturating_sub(self.keep.saturating_sub(1));
        let dropped: Vec<String> = earlier.drain(..excess).collect();
        for digest in dropped {
            self.prune(&digest);
        }
        previous.filter(|p| *p != digest)
    }

    /// Forgets the history of a removed tag.
    pub(super) fn forget(&mut self, tag: &ImageRef) {
        for digest in self.history.remove(tag).unwrap_or_default() {
            self.prune(&digest);
        }
    }

    /// Drops an image nothing names any more: no tag, no tag's history.
    fn prune(&mut self, digest: &str) {
        let named = self.tags.values().any(|d| d == digest)
            || self.history.values().any(|h| h.iter().any(|d| d == digest));
        if !named {
            self.by_digest.remove(digest);
        }
    }
}

impl<T: Send + 'static> Registry<T> {
    /// Sets how many versions each tag keeps, the current one included (default 5; at least
    /// 1). Older versions are forgotten at the next update of their tag.
    pub fn keep_versions(&self, versions: usize) {
        self.images.write().keep = versions.max(1);
    }

    /// Points the tag `reference` at `image` (adding the image), after checking that it
    /// exports everything the current image of the tag exports, with the same signatures.
    /// The image the tag pointed at becomes its latest earlier version. Containers are not
    /// moved: [`rollout`](Self::rollout) or [`upgrade`](Self::upgrade) does that; new
    /// containers of the tag start on `image`.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] with the list of differences (use
    /// [`update_image_forced`](Self::update_image_forced) to skip the check),
    /// [`Error::InvalidReference`], [`Error::EngineMismatch`].
    pub fn update_image(&self, reference: &str, image: Image) -> Result<Image> {
        self.update(reference, image, false)
    }

    /// [`update_image`](Self::update_image) without the compatibility check.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`], [`Error::EngineMismatch`].
    pub fn update_image_forced(&self, reference: &str, image: Image) -> Result<Image> {
        self.update(reference, image, true)
    }

    fn update(&self, reference: &str, image: Image, force: bool) -> Result<Image> {
        let tag: ImageRef = reference.parse()?;
        if !image.engine().same(&self.engine) {
            return Err(Error::EngineMismatch {
                image: image.display_name(),
            });
        }
        let digest = image.digest();
        let result = {
            let mut images = self.images.write();
            let current = images
                .tags
                .get(&tag)
                .and_then(|d| images.by_digest.get(d))
                .cloned();
            let differences = match &current {
                Some(current) if !force => compat::export_differences(current, &image),
                _ => Vec::new(),
            };
            if differences.is_empty() {
                let stored = images
                    .by_digest
                    .entry(digest.clone())
                    .or_insert_with(|| image.clone())
                    .clone();
                let previous = images.point(&tag, digest.clone());
                Ok((stored.with_reference(tag.clone()), previous))
            } else {
                let previous = current.map(|c| c.display_name()).unwrap_or_default();
                Err((image.display_name(), previous, differences))
            }
        };
        match result {
            Ok((image, previous)) => {
                self.emit(RegistryEvent::ImageUpdated {
                    reference: tag.to_string(),
                    digest,
                    previous,
                });
                Ok(image)
            }
            Err((image, previous, differences)) => {
                let error = |differences| Error::Incompatible {
                    image: image.clone(),
                    previous: previous.clone(),
                    differences,
                };
                self.emit(RegistryEvent::UpdateRefused {
                    reference: tag.to_string(),
                    digest,
                    error: Arc::new(error(differences.clone())),
                });
                Err(error(differences))
            }
        }
    }

    /// The images the tag `reference` has pointed at, current first, then earlier ones from
    /// the most recent, at most [`keep_versions`](Self::keep_versions) in all.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] for an unknown tag; [`Error::InvalidReference`].
    pub fn image_history(&self, reference: &str) -> Result<Vec<Image>> {
        let tag: ImageRef = reference.parse()?;
        let images = self.images.read();
        let current = images
            .tags
            .get(&tag)
            .ok_or_else(|| Error::ImageNotFound(reference.to_string()))?;
        let earlier = images.history.get(&tag).map(Vec::as_slice).unwrap_or(&[]);
        Ok(std::iter::once(current)
            .chain(earlier.iter().rev())
            .filter_map(|d| images.by_digest.get(d))
            .map(|image| image.clone().with_reference(tag.clone()))
            .collect())
    }

    /// Points the tag `reference` back at its latest earlier version; the current version is
    /// dropped from its history. Containers are not moved ([`rollout`](Self::rollout) does).
    /// Returns the image the tag now points at.
    ///
    /// # Errors
    ///
    /// [`Error::NoPreviousVersion`], [`Error::ImageNotFound`], [`Error::InvalidReference`].
    pub fn rollback(&self, reference: &str) -> Result<Image> {
        let tag: ImageRef = reference.parse()?;
        let (image, from) = {
            let mut images = self.images.write();
            let from = images
                .tags
                .get(&tag)
                .cloned()
                .ok_or_else(|| Error::ImageNotFound(reference.to_string()))?;
            let image = loop {
                let Some(digest) = images.history.get_mut(&tag).and_then(Vec::pop) else {
                    return Err(Error::NoPreviousVersion(reference.to_string()));
                };
                // An earlier version removed by digest is skipped.
                if let Some(image) = images.by_digest.get(&digest).cloned() {
                    images.tags.insert(tag.clone(), digest);
                    break image;
                }
            };
            images.prune(&from);
            (image.with_reference(tag.clone()), from)
        };
        self.emit(RegistryEvent::TagRolledBack {
            reference: tag.to_string(),
            digest: image.digest(),
            from,
        });
        Ok(image)
    }

    /// The containers run from the tag `tag`.
    pub(super) fn containers_of(&self, tag: &ImageRef) -> Vec<super::ContainerHandle<T>> {
        self.containers
            .read()
            .by_id
            .values()
            .filter(|h| h.reference() == Some(tag))
            .cloned()
            .collect()
    }
}
