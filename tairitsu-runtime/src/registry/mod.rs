//! The registry: images by `name:tag` and digest, containers by id and name, shared across
//! threads; versions per tag, upgrades, rollouts and watched files.

mod compat;
mod events;
mod handle;
mod history;
mod rollout;
mod watch;

pub use compat::export_differences;
pub use events::RegistryEvent;
pub use handle::{ContainerGuard, ContainerHandle};
pub use rollout::{HealthCheck, HealthCheckFn, Rollout, RolloutPolicy};
pub use watch::Watch;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::atomic::Ordering;

use parking_lot::RwLock;

use crate::container::{Container, ContainerBuilder, ContainerState};
use crate::engine::Engine;
use crate::image::Image;
use crate::reference::{ImageRef, Lookup};
use crate::{Error, Result};

/// Holds images by `name:tag` and by digest, and containers by id and name: the Docker daemon
/// of the model.
///
/// `Registry` is `Send + Sync`; share it with an `Arc` and use it from any thread. Listing and
/// lookups take a read lock for a moment; calls into a container lock only that container, so
/// containers run in parallel on different threads, while one container takes one call at a
/// time. Listings never wait for a running call: each container's state is published when its
/// lock is released.
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::Registry;
/// use tairitsu_runtime::wasmtime::component::Val;
///
/// let registry = Registry::new()?;
/// registry.load_image_file("calc:1.0", "calculator.wasm")?;
/// let calc = registry.run("calc:1.0", Some("calc-1"), Ok)?;
/// let out = calc.lock().call_guest_binary("add", &[Val::U32(1), Val::U32(2)])?;
/// for c in registry.containers() {
///     println!("{} {:?} {} {}", c.id, c.name, c.image, c.state);
/// }
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
pub struct Registry<T: Send + 'static = ()> {
    engine: Engine,
    images: RwLock<Images>,
    containers: RwLock<Containers<T>>,
    events: events::Events,
}

struct Images {
    by_digest: HashMap<String, Image>,
    tags: BTreeMap<ImageRef, String>,
    /// The earlier digests of each tag, oldest first, without the current one.
    history: BTreeMap<ImageRef, Vec<String>>,
    /// How many versions a tag keeps, the current one included.
    keep: usize,
}

struct Containers<T: Send + 'static> {
    by_id: BTreeMap<String, ContainerHandle<T>>,
    names: HashMap<String, String>,
}

/// A row of [`Registry::images`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSummary {
    /// `sha256:…`.
    pub digest: String,
    /// The `name:tag` references that point at it.
    pub references: Vec<String>,
    /// The component's size in bytes.
    pub size: usize,
    /// How many containers use it.
    pub containers: usize,
}

/// A row of [`Registry::containers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSummary {
    /// The container's id.
    pub id: String,
    /// Its name, if any.
    pub name: Option<String>,
    /// The image, as its reference or short digest.
    pub image: String,
    /// Its state when last released.
    pub state: ContainerState,
}

impl Registry<()> {
    /// An empty registry on the [shared engine](Engine::shared).
    ///
    /// # Errors
    ///
    /// When the shared engine cannot be created.
    pub fn new() -> Result<Self> {
        Ok(Self::with_engine(Engine::shared()?.clone()))
    }
}

impl<T: Send + 'static> Registry<T> {
    /// An empty registry whose images are compiled for `engine`.
    pub fn with_engine(engine: Engine) -> Self {
        Self {
            engine,
            images: RwLock::new(Images {
                by_digest: HashMap::new(),
                tags: BTreeMap::new(),
                history: BTreeMap::new(),
                keep: history::DEFAULT_KEEP,
            }),
            containers: RwLock::new(Containers {
                by_id: BTreeMap::new(),
                names: HashMap::new(),
            }),
            events: events::Events::default(),
        }
    }

    /// The engine images are compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads a component from bytes and tags it `reference` (`name` or `name:tag`). Loading the
    /// same bytes again reuses the compiled image.
    ///
    /// # Errors
    ///
    /// As [`Image::from_bytes`], and [`Error::InvalidReference`].
    pub fn load_image(&self, reference: &str, bytes: impl AsRef<[u8]>) -> Result<Image> {
        let reference: ImageRef = reference.parse()?;
        let image = Image::from_bytes_with(&self.engine, bytes)?;
        Ok(self.add(image, reference))
    }

    /// Loads a component file and tags it `reference`.
    ///
    /// # Errors
    ///
    /// As [`Image::from_file`], and [`Error::InvalidReference`].
    pub fn load_image_file(&self, reference: &str, path: impl AsRef<Path>) -> Result<Image> {
        let reference: ImageRef = reference.parse()?;
        let image = Image::from_file_with(&self.engine, path)?;
        Ok(self.add(image, reference))
    }

    /// Adds an image loaded elsewhere (for this registry's engine) under its own reference or
    /// `reference`.
    ///
    /// # Errors
    ///
    /// [`Error::EngineMismatch`] when the image was compiled for another engine;
    /// [`Error::InvalidReference`] when it has no reference and none is given.
    pub fn add_image(&self, image: Image, reference: Option<&str>) -> Result<Image> {
        if !image.engine().same(&self.engine) {
            return Err(Error::EngineMismatch {
                image: image.display_name(),
            });
        }
        let reference = match (reference, image.reference()) {
            (Some(text), _) => text.parse()?,
            (None, Some(r)) => r.clone(),
            (None, None) => {
                return Err(Error::InvalidReference {
                    reference: String::new(),
                    reason: "the image has no reference; give one",
                });
            }
        };
        Ok(self.add(image, reference))
    }

    fn add(&self, image: Image, reference: ImageRef) -> Image {
        let mut images = self.images.write();
        let digest = image.digest();
        // Keep the first compiled copy of these bytes; a second load shares its code.
        let stored = images
            .by_digest
            .entry(digest.clone())
            .or_insert_with(|| image.clone())
            .clone();
        images.point(&reference, digest);
        stored.with_reference(reference)
    }

    /// Pulls `reference` from an OCI registry into `store` (see
    /// [`ImageStore::pull`](crate::ImageStore::pull)), then loads it into this registry under
    /// the reference's `registry/repository:tag` (a pull by digest alone adds it by digest).
    /// The image is compiled once when `store` is on this registry; otherwise it is compiled
    /// again for this registry's engine.
    ///
    /// # Errors
    ///
    /// As [`ImageStore::pull`](crate::ImageStore::pull).
    #[cfg(feature = "oci")]
    pub async fn pull<S: Send + 'static>(
        &self,
        store: &crate::ImageStore<S>,
        reference: &str,
        client: &crate::oci::RegistryClient,
    ) -> Result<Image> {
        let remote = crate::oci::RemoteRef::parse_with_defaults(reference)?;
        let (stored, image) = store.pull_remote(&remote, client).await?;
        let image = if image.engine().same(&self.engine) {
            image
        } else {
            Image::from_bytes_with(&self.engine, store.read_blob(&stored.digest)?)?
        };
        Ok(match remote.store_reference() {
            Some(tag) => self.add(image, tag),
            None => {
                let mut images = self.images.write();
                images
                    .by_digest
                    .entry(image.digest())
                    .or_insert(image)
                    .clone()
            }
        })
    }

    /// The image a reference (`name`, `name:tag`) or a digest (`sha256:…`, or a unique prefix of
    /// its hex of at least 6 digits) names.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`].
    pub fn image(&self, reference: &str) -> Result<Image> {
        let images = self.images.read();
        let (digest, tag) = Self::find(&images, reference)?;
        let image = images.by_digest[&digest].clone();
        Ok(match tag {
            Some(tag) => image.with_reference(tag),
            None => image,
        })
    }

    /// Digest forms first, so that no tag can stand in for a digest; then tags; then a digest
    /// prefix that no tag claims.
    fn find(images: &Images, reference: &str) -> Result<(String, Option<ImageRef>)> {
        let by_prefix = |hex: &str| {
            let matches: Vec<&String> = images
                .by_digest
                .keys()
                .filter(|d| d["sha256:".len()..].starts_with(hex))
                .collect();
            match matches.as_slice() {
                [one] => Some((*one).clone()),
                _ => None,
            }
        };
        let found = match Lookup::parse(reference) {
            Lookup::Digest(hex) => by_prefix(&hex).map(|d| (d, None)),
            Lookup::Reference(r, hex) => match images.tags.get(&r) {
                Some(digest) => Some((digest.clone(), Some(r))),
                None => hex.and_then(|hex| by_prefix(&hex)).map(|d| (d, None)),
            },
            Lookup::Nothing => None,
        };
        found.ok_or_else(|| Error::ImageNotFound(reference.to_string()))
    }

    /// Every image, with its references and the number of containers using it.
    pub fn images(&self) -> Vec<ImageSummary> {
        let usage = self.usage();
        let images = self.images.read();
        let mut rows: Vec<ImageSummary> = images
            .by_digest
            .iter()
            .map(|(digest, image)| ImageSummary {
                digest: digest.clone(),
                references: images
                    .tags
                    .iter()
                    .filter(|(_, d)| *d == digest)
                    .map(|(r, _)| r.to_string())
                    .collect(),
                size: image.size(),
                containers: usage.get(digest).map_or(0, Vec::len),
            })
            .collect();
        rows.sort_by(|a, b| {
            a.references
                .cmp(&b.references)
                .then(a.digest.cmp(&b.digest))
        });
        rows
    }

    /// Container ids by the digest of their image.
    fn usage(&self) -> HashMap<String, Vec<String>> {
        let mut usage: HashMap<String, Vec<String>> = HashMap::new();
        for handle in self.containers.read().by_id.values() {
            usage
                .entry(handle.digest())
                .or_default()
                .push(handle.shared.id.clone());
        }
        usage
    }

    /// Removes an image reference; the image goes when its last reference does. Given a digest,
    /// removes the image and all its references.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`], and [`Error::ImageInUse`] when containers use the image and
    /// `force` is false. Forced removal leaves those containers running on their copy.
    pub fn remove_image(&self, reference: &str, force: bool) -> Result<()> {
        // The usage is read under the images lock, which `run` holds while it adds a
        // container: no container can start on the image between the check and the removal.
        let mut images = self.images.write();
        let usage = self.usage();
        let (digest, tag) = Self::find(&images, reference)?;
        let last = match &tag {
            Some(_) => images.tags.values().filter(|d| **d == digest).count() == 1,
            None => true,
        };
        if last
            && !force
            && let Some(users) = usage.get(&digest)
        {
            return Err(Error::ImageInUse {
                image: reference.to_string(),
                containers: users.clone(),
            });
        }
        match tag {
            Some(tag) => {
                images.tags.remove(&tag);
                images.forget(&tag);
            }
            None => {
                images.tags.retain(|_, d| *d != digest);
                for earlier in images.history.values_mut() {
                    earlier.retain(|d| *d != digest);
                }
            }
        }
        if last {
            images.by_digest.remove(&digest);
        }
        Ok(())
    }

    /// Builds and starts a container of the image `reference`, configured by `configure`
    /// (for example `Ok` to take the defaults, or
    /// `|b| Ok(b.with_host_state(MyHost::default()).with_limits(limits))`).
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`], [`Error::NameTaken`], errors of `configure`, and those of
    /// [`ContainerBuilder::build`].
    pub fn run<F, S>(
        &self,
        reference: &str,
        name: Option<&str>,
        configure: F,
    ) -> Result<ContainerHandle<T>>
    where
        F: FnOnce(ContainerBuilder<()>) -> Result<ContainerBuilder<T, S>>,
    {
        let container = configure(self.builder_for(reference, name)?)?.build()?;
        self.insert_from(container, reference)
    }

    /// [`run`](Self::run) for an async container: `configure` should make it one
    /// ([`ContainerBuilder::with_async`], or async host imports), and it starts with
    /// [`ContainerBuilder::build_async`].
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    pub async fn run_async<F, S>(
        &self,
        reference: &str,
        name: Option<&str>,
        configure: F,
    ) -> Result<ContainerHandle<T>>
    where
        F: FnOnce(ContainerBuilder<()>) -> Result<ContainerBuilder<T, S>>,
    {
        let container = configure(self.builder_for(reference, name)?)?
            .build_async()
            .await?;
        self.insert_from(container, reference)
    }

    /// Inserts a container `run` built from the image `reference` named, unless that image was
    /// removed meanwhile (checked under the images lock, which `remove_image` holds while it
    /// checks the image's users).
    fn insert_from(&self, container: Container<T>, reference: &str) -> Result<ContainerHandle<T>> {
        let images = self.images.read();
        if !images.by_digest.contains_key(&container.image().digest()) {
            return Err(Error::ImageNotFound(reference.to_string()));
        }
        let handle = self.insert(container);
        drop(images);
        handle
    }

    /// A builder for a container of `reference`'s image, named `name` when the name is free.
    fn builder_for(&self, reference: &str, name: Option<&str>) -> Result<ContainerBuilder<()>> {
        let image = self.image(reference)?;
        if let Some(name) = name
            && self.containers.read().names.contains_key(name)
        {
            return Err(Error::NameTaken(name.to_string()));
        }
        let builder = Container::builder(image);
        Ok(match name {
            Some(name) => builder.with_name(name),
            None => builder,
        })
    }

    /// Puts a container built elsewhere under the registry's management.
    ///
    /// # Errors
    ///
    /// [`Error::NameTaken`] when another container has its name; [`Error::EngineMismatch`] when
    /// its image was compiled for another engine.
    pub fn insert(&self, container: Container<T>) -> Result<ContainerHandle<T>> {
        if !container.image().engine().same(&self.engine) {
            return Err(Error::EngineMismatch {
                image: container.image().display_name(),
            });
        }
        let mut containers = self.containers.write();
        if let Some(name) = container.name() {
            if containers.names.contains_key(name) {
                return Err(Error::NameTaken(name.to_string()));
            }
            containers
                .names
                .insert(name.to_string(), container.id().to_string());
        }
        let handle = ContainerHandle::new(container);
        containers
            .by_id
            .insert(handle.id().to_string(), handle.clone());
        Ok(handle)
    }

    /// The container with this id or name.
    ///
    /// # Errors
    ///
    /// [`Error::ContainerNotFound`].
    pub fn container(&self, id_or_name: &str) -> Result<ContainerHandle<T>> {
        let containers = self.containers.read();
        let id = containers
            .names
            .get(id_or_name)
            .map_or(id_or_name, String::as_str);
        containers
            .by_id
            .get(id)
            .cloned()
            .ok_or_else(|| Error::ContainerNotFound(id_or_name.to_string()))
    }

    /// Every container: id, name, image and state, by id.
    pub fn containers(&self) -> Vec<ContainerSummary> {
        self.containers
            .read()
            .by_id
            .values()
            .map(ContainerHandle::summary)
            .collect()
    }

    /// Stops a container. A call in progress is interrupted (it fails with
    /// [`Error::Interrupted`]), and so is any call that takes the container before the stop
    /// does; a guard held without calling is waited for.
    ///
    /// # Errors
    ///
    /// [`Error::ContainerNotFound`]; [`Error::ReentrantLock`] from a call of the container
    /// itself.
    pub fn stop(&self, id_or_name: &str) -> Result<()> {
        self.container(id_or_name)?.lock_interrupting()?.stop();
        Ok(())
    }

    /// Restarts a container (waiting for a call in progress).
    ///
    /// # Errors
    ///
    /// [`Error::ContainerNotFound`] (also when it was removed while the restart waited), a
    /// failed start, and [`Error::ReentrantLock`] from a call of the container itself.
    pub fn restart(&self, id_or_name: &str) -> Result<()> {
        let handle = self.container(id_or_name)?;
        let mut container = handle.checked_lock()?;
        Self::check_not_removed(&handle, id_or_name)?;
        container.restart()
    }

    /// [`stop`](Self::stop) from an async task: interrupts a call in progress, awaiting it.
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop).
    pub async fn stop_async(&self, id_or_name: &str) -> Result<()> {
        self.container(id_or_name)?
            .lock_interrupting_async()
            .await?
            .stop();
        Ok(())
    }

    /// [`restart`](Self::restart) from an async task: awaits a call in progress, and restarts an
    /// async container with [`Container::restart_async`].
    ///
    /// # Errors
    ///
    /// As [`restart`](Self::restart).
    pub async fn restart_async(&self, id_or_name: &str) -> Result<()> {
        let handle = self.container(id_or_name)?;
        let mut container = handle.checked_lock_async().await?;
        Self::check_not_removed(&handle, id_or_name)?;
        if container.is_async() {
            container.restart_async().await
        } else {
            container.restart()
        }
    }

    /// Removes a stopped or failed container; a running one only when `force` is set (it is
    /// stopped first, interrupting a call in progress as [`stop`](Self::stop) does). Handles
    /// held elsewhere keep the container alive until they are dropped, stopped; the registry
    /// never restarts it.
    ///
    /// # Errors
    ///
    /// [`Error::ContainerNotFound`]; [`Error::ContainerRunning`] for a running container
    /// without `force` (at once when a call is in progress); [`Error::ReentrantLock`] from a
    /// call of the container itself.
    pub fn remove(&self, id_or_name: &str, force: bool) -> Result<()> {
        let handle = self.container(id_or_name)?;
        let running = || Error::ContainerRunning {
            container: id_or_name.to_string(),
        };
        let mut container = if force {
            handle.lock_interrupting()?
        } else {
            match handle.try_lock() {
                Some(container) => container,
                // Busy with a call: running.
                None if handle.state() == ContainerState::Running => return Err(running()),
                None => handle.checked_lock()?,
            }
        };
        if handle.shared.removed.load(Ordering::Acquire) {
            return Err(Error::ContainerNotFound(id_or_name.to_string()));
        }
        if !force && *container.state() == ContainerState::Running {
            return Err(running());
        }
        // A failed container still holds its instance (and an interrupted one just failed):
        // every removed container is stopped.
        container.stop();
        // Under the container's lock, so that a restart waiting for it sees the removal.
        handle.shared.removed.store(true, Ordering::Release);
        let mut containers = self.containers.write();
        containers.by_id.remove(handle.id());
        containers.names.retain(|_, id| id != handle.id());
        drop(containers);
        drop(container);
        Ok(())
    }

    /// Fails when `handle`'s container was removed while the caller waited for its lock.
    fn check_not_removed(handle: &ContainerHandle<T>, id_or_name: &str) -> Result<()> {
        if handle.shared.removed.load(Ordering::Acquire) {
            return Err(Error::ContainerNotFound(id_or_name.to_string()));
        }
        Ok(())
    }
}

impl<T: Send + 'static> fmt::Debug for Registry<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("images", &self.images.read().by_digest.len())
            .field("containers", &self.containers.read().by_id.len())
            .finish()
    }
}
