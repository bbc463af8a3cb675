//! The local image store: components kept on disk by digest and tagged `name:tag`, on top of a
//! [`Registry`] (images in memory) and the engine's compiled-artifact cache (compiled code on
//! disk).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::durable;
#[cfg(feature = "oci")]
use crate::durable::TempFile;
use crate::image::Image;
use crate::reference::{ImageRef, Lookup, is_full_hex};
use crate::registry::Registry;
use crate::{Error, Result};

/// The environment variable that overrides [`ImageStore::default_dir`].
pub const STORE_ENV: &str = "TAIRITSU_STORE";

/// A directory of components, each stored once by its sha256 and tagged with `name:tag`
/// references: what `tairitsu image load|ls|inspect|rm` manage, and what a host can load plugins
/// from by name.
///
/// The store keeps the component bytes; compiled code lives in the engine's artifact cache
/// (see [`CacheDir`](crate::CacheDir)), so an image that was loaded once is deserialized, not
/// compiled, by every later process. Images read from the store go into the store's
/// [`Registry`], so one process compiles or deserializes each at most once.
///
/// # Layout
///
/// ```text
/// <dir>/blobs/sha256/<hex>.wasm   the component bytes, named by their sha256
/// <dir>/refs                      one `name:tag sha256:<hex>` line per reference, and one
///                                 `name@sha256:<manifest> sha256:<hex>` line per registry
///                                 digest an image was pulled or pushed by
/// <dir>/lock                      taken (an OS file lock) by writers
/// <dir>/.tmp-<pid>-<n>            a write in progress (removed when its writer died)
/// ```
///
/// Every write goes to a temporary file that is synced and renamed into place under the lock,
/// and the directory is synced, so concurrent processes see either the old or the new state,
/// never half of one, and so does the next process after a crash or a power loss. Blobs are
/// checked against their digest when read, and a damaged blob is rewritten by the next
/// [`load`](Self::load) of its component. A `refs` line that does not parse is an error
/// ([`Error::StoreDamaged`], naming the file and line), never skipped. Like the artifact cache,
/// the directory must not be writable by anyone less trusted than the host.
///
/// `sha256:…` always means a digest: no reference can be written like one, and lookups try
/// digests first.
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::{Container, ImageStore};
///
/// let store = ImageStore::open(ImageStore::default_dir().expect("a home directory"))?;
/// store.load_file("calc:1.0", "calculator.wasm")?;
///
/// // Later, in any process:
/// let image = store.image("calc:1.0")?;
/// let mut container = Container::builder(image).build()?;
/// assert_eq!(container.call_ron("add(1, 2)")?, "3");
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
pub struct ImageStore<T: Send + 'static = ()> {
    dir: PathBuf,
    registry: Arc<Registry<T>>,
}

/// A stored image: its digest, its references and its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// `sha256:` and the hex sha256 of the component.
    pub digest: String,
    /// The `name:tag` references that point at it, sorted.
    pub references: Vec<String>,
    /// The registry digests it was pulled or pushed by, `name@sha256:<manifest digest>`,
    /// sorted: what to pull it by to get exactly these bytes again.
    pub repo_digests: Vec<String>,
    /// The component's size in bytes.
    pub size: u64,
    /// When it was first stored (the file's modification time), if the file system says.
    pub loaded: Option<SystemTime>,
    /// The component file in the store.
    pub path: PathBuf,
}

/// What [`ImageStore::remove`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Removed {
    /// The references removed.
    pub untagged: Vec<String>,
    /// The digest of the component deleted, when its last reference went.
    pub deleted: Option<String>,
    /// How many compiled artifacts of the deleted component left the engine's cache.
    pub evicted: usize,
}

impl ImageStore<()> {
    /// Opens (creating it when missing) the store in `dir`, with a new [`Registry`] on the
    /// [shared engine](crate::Engine::shared).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory cannot be created; errors of [`Registry::new`].
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        Self::with_registry(dir, Arc::new(Registry::new()?))
    }

    /// The default directory: `$TAIRITSU_STORE`, else `$XDG_DATA_HOME/tairitsu/images`, else
    /// `$HOME/.local/share/tairitsu/images`, else (on Windows) `%LOCALAPPDATA%\tairitsu\images`;
    /// `None` when none of these is set.
    pub fn default_dir() -> Option<PathBuf> {
        default_dir_from(|name| std::env::var_os(name))
    }
}

/// [`ImageStore::default_dir`] with the environment read through `var`, for tests.
fn default_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var(STORE_ENV)
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("tairitsu").join("images")))
        .or_else(|| var("HOME").map(|d| d.join(".local/share/tairitsu/images")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("tairitsu").join("images")))
}

impl<T: Send + 'static> ImageStore<T> {
    /// Opens (creating it when missing) the store in `dir`, putting the images it reads into
    /// `registry` and compiling them for its engine.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory cannot be created.
    pub fn with_registry(dir: impl Into<PathBuf>, registry: Arc<Registry<T>>) -> Result<Self> {
        let dir = dir.into();
        let blobs = dir.join("blobs").join("sha256");
        std::fs::create_dir_all(&blobs).map_err(|source| Error::Io {
            path: blobs.clone(),
            source,
        })?;
        Ok(Self { dir, registry })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The registry the store's images are loaded into.
    pub fn registry(&self) -> &Arc<Registry<T>> {
        &self.registry
    }

    /// Stores a component and tags it `reference` (`name` or `name:tag`; the tag defaults to
    /// `latest`), moving the reference if it pointed at another component (which is deleted
    /// when that was its last reference).
    ///
    /// The component is compiled first (or deserialized, when the artifact cache has it; see
    /// [`Image::origin`]), so that only valid components are stored; the image is returned,
    /// tagged and in the registry.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`]; the errors of [`Image::from_bytes`] for bytes that are not
    /// a valid component; [`Error::Io`] when the store cannot be written.
    pub fn load(&self, reference: &str, bytes: &[u8]) -> Result<Image> {
        let reference: ImageRef = reference.parse()?;
        let hex = hex::encode(Sha256::digest(bytes));
        let digest = format!("sha256:{hex}");
        let image = match self.registry.image(&digest) {
            Ok(image) => image,
            Err(_) => Image::from_bytes_with(self.registry.engine(), bytes)?,
        };
        let _lock = self.lock()?;
        let blob = self.blob_path(&hex);
        // A blob damaged on disk is rewritten, not trusted because it exists.
        if std::fs::read(&blob).ok().as_deref() != Some(bytes) {
            self.write_atomically(&blob, bytes)?;
        }
        let mut refs = self.read_refs()?;
        let orphan = refs.tag(&reference, &digest);
        self.write_refs(&refs)?;
        if let Some(old) = orphan {
            self.delete_blob(&old)?;
        }
        self.registry.add_image(image, Some(&reference.to_string()))
    }

    /// Stores a component file; see [`ImageStore::load`].
    ///
    /// # Errors
    ///
    /// As [`ImageStore::load`], and [`Error::Io`] when the file cannot be read.
    pub fn load_file(&self, reference: &str, path: impl AsRef<Path>) -> Result<Image> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.load(reference, &bytes).map_err(|e| match e {
            Error::NotAComponent { reason, .. } => Error::NotAComponent {
                what: path.display().to_string(),
                reason,
            },
            Error::InvalidComponent { message, .. } => Error::InvalidComponent {
                what: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// The image a reference (`name`, `name:tag`) or a digest (`sha256:…`, or a unique prefix
    /// of its hex of at least 6 digits) names, compiled or deserialized on first use in this
    /// process and then shared through the registry.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`]; [`Error::Config`] when the stored file no longer matches its
    /// digest; the errors of [`Image::from_bytes`].
    pub fn image(&self, reference: &str) -> Result<Image> {
        let refs = self.read_refs()?;
        let (digest, found) = self.find(&refs, reference)?;
        let tag = match found {
            Found::Tag(tag) => Some(tag),
            Found::RepoDigest(_) | Found::Digest => refs
                .tags
                .iter()
                .find(|(_, d)| **d == digest)
                .map(|(r, _)| r.clone()),
        };
        if let Ok(image) = self.registry.image(&digest) {
            return Ok(match tag.and_then(|t| t.parse().ok()) {
                Some(r) => image.with_reference(r),
                None => image,
            });
        }
        let bytes = self.read_blob(&digest)?;
        let image = Image::from_bytes_with(self.registry.engine(), &bytes)?;
        match tag {
            Some(tag) => self.registry.add_image(image, Some(&tag)),
            None => Ok(image),
        }
    }

    /// The bytes of the stored component `digest`, checked against it.
    pub(crate) fn read_blob(&self, digest: &str) -> Result<Vec<u8>> {
        let hex = &digest["sha256:".len()..];
        let path = self.blob_path(hex);
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if hex::encode(Sha256::digest(&bytes)) != hex {
            return Err(Error::StoreDamaged {
                path,
                line: None,
                reason: "the file does not match its digest; load the component again (or \
                         remove the image)"
                    .into(),
            });
        }
        Ok(bytes)
    }

    /// The stored image a reference or digest names, without loading it.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`]; [`Error::Io`] when the store cannot be read.
    pub fn get(&self, reference: &str) -> Result<StoredImage> {
        let refs = self.read_refs()?;
        let (digest, _) = self.find(&refs, reference)?;
        self.stored(&refs, &digest)
    }

    /// Every stored image, by first reference (images without one last).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the store cannot be read.
    pub fn list(&self) -> Result<Vec<StoredImage>> {
        let refs = self.read_refs()?;
        let mut rows = self
            .blob_digests()?
            .iter()
            .map(|digest| self.stored(&refs, digest))
            .collect::<Result<Vec<_>>>()?;
        rows.sort_by(|a, b| {
            (a.references.is_empty(), &a.references, &a.digest).cmp(&(
                b.references.is_empty(),
                &b.references,
                &b.digest,
            ))
        });
        Ok(rows)
    }

    /// Removes a reference; the component goes with its last reference. Given a digest (or a
    /// unique prefix), removes the component and every reference to it.
    ///
    /// When the component goes, so does its compiled code in the engine's artifact cache
    /// ([`Engine::evict_compiled`](crate::Engine::evict_compiled)). Images already loaded into
    /// the registry stay there (and containers keep running); only the store forgets them.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`]; [`Error::Io`] when the store cannot be written.
    pub fn remove(&self, reference: &str) -> Result<Removed> {
        let _lock = self.lock()?;
        let mut refs = self.read_refs()?;
        let (digest, found) = self.find(&refs, reference)?;
        let mut removed = Removed::default();
        let by_tag = matches!(found, Found::Tag(_));
        match found {
            Found::Tag(tag) => {
                refs.tags.remove(&tag);
                removed.untagged.push(tag);
            }
            Found::RepoDigest(repo_digest) => {
                refs.repo_digests.remove(&repo_digest);
                removed.untagged.push(repo_digest);
            }
            Found::Digest => {
                for names in [&mut refs.tags, &mut refs.repo_digests] {
                    names.retain(|r, d| {
                        let keep = *d != digest;
                        if !keep {
                            removed.untagged.push(r.clone());
                        }
                        keep
                    });
                }
            }
        }
        let last = !refs.tags.values().any(|d| *d == digest)
            && (by_tag || !refs.repo_digests.values().any(|d| *d == digest));
        if last {
            // The registry digests go with the last tag, as `docker rmi` does.
            refs.repo_digests.retain(|_, d| *d != digest);
        }
        self.write_refs(&refs)?;
        if last {
            self.delete_blob(&digest)?;
            removed.evicted = self.registry.engine().evict_compiled(&digest)?;
            removed.deleted = Some(digest);
        }
        Ok(removed)
    }

    fn stored(&self, refs: &Refs, digest: &str) -> Result<StoredImage> {
        let path = self.blob_path(&digest["sha256:".len()..]);
        let meta = std::fs::metadata(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let pointing = |names: &BTreeMap<String, String>| {
            names
                .iter()
                .filter(|(_, d)| *d == digest)
                .map(|(r, _)| r.clone())
                .collect()
        };
        Ok(StoredImage {
            digest: digest.to_string(),
            references: pointing(&refs.tags),
            repo_digests: pointing(&refs.repo_digests),
            size: meta.len(),
            loaded: meta.modified().ok(),
            path,
        })
    }

    /// The digest that `reference` names, and how it was found: digest forms first (so that no
    /// tag can stand in for a digest), then registry digests and tags, then a digest prefix.
    fn find(&self, refs: &Refs, reference: &str) -> Result<(String, Found)> {
        let reference = reference.trim();
        let not_found = || Error::ImageNotFound(reference.to_string());
        if reference.contains('@') {
            return match refs.repo_digests.get_key_value(reference) {
                Some((r, d)) => Ok((d.clone(), Found::RepoDigest(r.clone()))),
                None => Err(not_found()),
            };
        }
        let by_prefix = |hex: &str| -> Result<Option<String>> {
            let digests = self.blob_digests()?;
            let matches: Vec<&String> = digests
                .iter()
                .filter(|d| d["sha256:".len()..].starts_with(hex))
                .collect();
            Ok(match matches.as_slice() {
                [one] => Some((*one).clone()),
                _ => None,
            })
        };
        let found = match Lookup::parse(reference) {
            Lookup::Digest(hex) => by_prefix(&hex)?.map(|d| (d, Found::Digest)),
            Lookup::Reference(r, hex) => match refs.tags.get(&r.to_string()) {
                Some(digest) => Some((digest.clone(), Found::Tag(r.to_string()))),
                None => match hex {
                    Some(hex) => by_prefix(&hex)?.map(|d| (d, Found::Digest)),
                    None => None,
                },
            },
            Lookup::Nothing => None,
        };
        found.ok_or_else(not_found)
    }

    fn blob_dir(&self) -> PathBuf {
        self.dir.join("blobs").join("sha256")
    }

    fn blob_path(&self, hex: &str) -> PathBuf {
        self.blob_dir().join(format!("{hex}.wasm"))
    }

    /// The digests of the stored blobs, sorted.
    fn blob_digests(&self) -> Result<Vec<String>> {
        let dir = self.blob_dir();
        let io = |source| Error::Io {
            path: dir.clone(),
            source,
        };
        let mut digests = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(digests),
            Err(e) => return Err(io(e)),
        };
        for entry in entries {
            let name = entry.map_err(io)?.file_name();
            if let Some(hex) = name.to_str().and_then(|n| n.strip_suffix(".wasm"))
                && is_full_hex(hex)
            {
                digests.push(format!("sha256:{hex}"));
            }
        }
        digests.sort();
        Ok(digests)
    }

    fn delete_blob(&self, digest: &str) -> Result<()> {
        let path = self.blob_path(digest.strip_prefix("sha256:").unwrap_or(digest));
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    fn refs_path(&self) -> PathBuf {
        self.dir.join("refs")
    }

    /// Reads `refs`. A line that does not parse, or a file that is not UTF-8, is an error that
    /// names the file and the line: skipping it would lose the reference at the next write.
    fn read_refs(&self) -> Result<Refs> {
        let path = self.refs_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Refs::default()),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let damaged = |line: usize, reason: String| Error::StoreDamaged {
            path: path.clone(),
            line: Some(line),
            reason,
        };
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            damaged(
                line,
                "the file is not UTF-8 text; repair or remove that line (the components are \
                 in blobs/sha256/, named by their digest)"
                    .into(),
            )
        })?;
        let mut refs = Refs::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, digest) = parse_refs_line(line).map_err(|reason| {
                damaged(
                    number + 1,
                    format!("`{line}` {reason}; repair or remove that line"),
                )
            })?;
            let names = if name.contains('@') {
                &mut refs.repo_digests
            } else {
                &mut refs.tags
            };
            names.insert(name, digest);
        }
        Ok(refs)
    }

    fn write_refs(&self, refs: &Refs) -> Result<()> {
        let mut text = String::from(
            "# name:tag sha256:digest, and name@sha256:manifest sha256:digest, written by \
             tairitsu\n",
        );
        for (r, d) in refs.tags.iter().chain(&refs.repo_digests) {
            text.push_str(r);
            text.push(' ');
            text.push_str(d);
            text.push('\n');
        }
        self.write_atomically(&self.refs_path(), text.as_bytes())
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        durable::write_atomically(&self.dir, path, bytes).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Takes the writers' lock, released when the file is dropped, and removes what writers that
    /// died left behind (their temporary files are no longer locked).
    fn lock(&self) -> Result<File> {
        let path = self.dir.join("lock");
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        durable::remove_leftovers(&self.dir);
        Ok(file)
    }

    /// A temporary file in the store, for a download to be renamed into place by
    /// [`commit`](Self::commit). It is created under the lock, so that no writer takes it for
    /// a leftover before it is locked.
    #[cfg(feature = "oci")]
    pub(crate) fn temp_file(&self) -> Result<TempFile> {
        let _lock = self.lock()?;
        TempFile::create(&self.dir).map_err(|source| Error::Io {
            path: self.dir.clone(),
            source,
        })
    }

    /// The stored bytes of `digest`, when they are there and intact.
    #[cfg(feature = "oci")]
    pub(crate) fn intact_blob(&self, digest: &str) -> Option<Vec<u8>> {
        self.read_blob(digest).ok()
    }

    /// Puts a downloaded component in place (unless `blob` is `None`: it was there already),
    /// tags it `tag` and records the registry digest it came by, in one write of `refs`; adds
    /// the image to the registry.
    #[cfg(feature = "oci")]
    pub(crate) fn commit(
        &self,
        blob: Option<TempFile>,
        image: Image,
        tag: Option<&ImageRef>,
        repo_digest: Option<&str>,
    ) -> Result<StoredImage> {
        let digest = image.digest();
        let _lock = self.lock()?;
        if let Some(blob) = blob {
            let path = self.blob_path(image.digest_hex());
            blob.persist(&path)
                .map_err(|source| Error::Io { path, source })?;
        }
        let mut refs = self.read_refs()?;
        let orphan = tag.and_then(|tag| refs.tag(tag, &digest));
        if let Some(repo_digest) = repo_digest {
            refs.repo_digests
                .insert(repo_digest.to_string(), digest.clone());
        }
        self.write_refs(&refs)?;
        if let Some(old) = orphan {
            self.delete_blob(&old)?;
        }
        if let Some(tag) = tag {
            self.registry.add_image(image, Some(&tag.to_string()))?;
        }
        self.stored(&refs, &digest)
    }

    /// Records that the stored component `digest` is in a registry as `repo_digest`
    /// (`name@sha256:<manifest>`), after a push.
    #[cfg(feature = "oci")]
    pub(crate) fn record_repo_digest(&self, digest: &str, repo_digest: &str) -> Result<()> {
        let _lock = self.lock()?;
        let mut refs = self.read_refs()?;
        if !self.blob_path(&digest["sha256:".len()..]).is_file() {
            return Ok(());
        }
        refs.repo_digests
            .insert(repo_digest.to_string(), digest.to_string());
        self.write_refs(&refs)
    }
}

/// What `refs` holds.
#[derive(Debug, Default)]
struct Refs {
    /// `name:tag` to `sha256:<hex>` of the component.
    tags: BTreeMap<String, String>,
    /// `name@sha256:<manifest>` to `sha256:<hex>` of the component.
    repo_digests: BTreeMap<String, String>,
}

impl Refs {
    /// Points `tag` at `digest`. Returns the digest it pointed at before when no tag points
    /// there any more: that component is to be deleted, and its registry digests are dropped.
    fn tag(&mut self, tag: &ImageRef, digest: &str) -> Option<String> {
        let old = self.tags.insert(tag.to_string(), digest.to_string())?;
        if old == digest || self.tags.values().any(|d| *d == old) {
            return None;
        }
        self.repo_digests.retain(|_, d| *d != old);
        Some(old)
    }
}

/// How [`ImageStore::find`] found a digest.
enum Found {
    /// By this `name:tag`.
    Tag(String),
    /// By this `name@sha256:…`.
    RepoDigest(String),
    /// By the digest or a prefix of it.
    Digest,
}

/// Reads a `refs` line: `name:tag sha256:<hex>` or `name@sha256:<hex> sha256:<hex>`.
fn parse_refs_line(line: &str) -> std::result::Result<(String, String), &'static str> {
    let (name, digest) = line
        .split_once(' ')
        .ok_or("is not `REFERENCE sha256:DIGEST`")?;
    let digest = digest.trim();
    if !digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| is_full_hex(hex) && hex == hex.to_ascii_lowercase())
    {
        return Err("does not end with a digest `sha256:` and 64 lower-case hex digits");
    }
    let name = match name.split_once('@') {
        Some((repository, manifest)) => {
            let valid = repository
                .parse::<ImageRef>()
                .is_ok_and(|r| r.name() == repository)
                && manifest.strip_prefix("sha256:").is_some_and(is_full_hex);
            if !valid {
                return Err("does not start with a reference `name:tag` or `name@sha256:…`");
            }
            name.to_string()
        }
        None => name
            .parse::<ImageRef>()
            .map_err(|_| "does not start with a reference `name:tag` or `name@sha256:…`")?
            .to_string(),
    };
    Ok((name, digest.to_string()))
}

impl<T: Send + 'static> std::fmt::Debug for ImageStore<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CacheDir, Engine, EngineConfig, ImageOrigin};

    fn store(dir: &Path) -> ImageStore {
        let engine = Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.join("cache"))))
            .expect("engine");
        ImageStore::with_registry(dir.join("store"), Arc::new(Registry::with_engine(engine)))
            .expect("store")
    }

    #[test]
    fn load_list_get_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let root = tairitsu_fixtures::root();
        let calc = tairitsu_fixtures::calc();

        let image = store.load("root:1.0", &root).unwrap();
        assert_eq!(image.reference().unwrap().to_string(), "root:1.0");
        assert_eq!(image.origin(), ImageOrigin::Compiled);
        store.load("root", &root).unwrap();
        store.load("calc:0.1", &calc).unwrap();

        let rows = store.list().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].references, ["calc:0.1"]);
        assert_eq!(rows[1].references, ["root:1.0", "root:latest"]);
        assert_eq!(rows[1].size, root.len() as u64);
        assert_eq!(std::fs::read(&rows[1].path).unwrap(), root);

        // By reference, by digest and by a digest prefix.
        let digest = rows[1].digest.clone();
        assert_eq!(store.get("root:latest").unwrap().digest, digest);
        assert_eq!(store.get(&digest).unwrap().digest, digest);
        assert_eq!(store.get(&digest[7..19]).unwrap().digest, digest);
        assert!(matches!(store.get("nope"), Err(Error::ImageNotFound(_))));
        assert!(matches!(store.get("abc"), Err(Error::ImageNotFound(_))));

        // Untagging keeps the blob while a reference remains.
        let removed = store.remove("root:1.0").unwrap();
        assert_eq!(removed.untagged, ["root:1.0"]);
        assert_eq!(removed.deleted, None);
        assert_eq!(removed.evicted, 0);
        let engine = store.registry().engine();
        assert!(engine.is_cached(&digest));
        let removed = store.remove("root").unwrap();
        assert_eq!(removed.deleted.as_deref(), Some(digest.as_str()));
        assert!(!rows[1].path.exists());
        // Its compiled code goes with it.
        assert_eq!(removed.evicted, 1);
        assert!(!engine.is_cached(&digest));
        assert_eq!(store.list().unwrap().len(), 1);

        // By digest: every reference goes.
        store.load("calc:latest", &calc).unwrap();
        let removed = store
            .remove(&store.get("calc:0.1").unwrap().digest)
            .unwrap();
        assert_eq!(removed.untagged, ["calc:0.1", "calc:latest"]);
        assert!(removed.deleted.is_some());
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn default_dir_follows_the_environment() {
        let dir = |vars: &[(&str, &str)]| {
            default_dir_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).into())
            })
        };
        let all = [
            ("TAIRITSU_STORE", "/s"),
            ("XDG_DATA_HOME", "/x"),
            ("HOME", "/h"),
            ("LOCALAPPDATA", "C:/l"),
        ];
        assert_eq!(dir(&all), Some("/s".into()));
        assert_eq!(dir(&all[1..]), Some(Path::new("/x/tairitsu/images").into()));
        assert_eq!(
            dir(&all[2..]),
            Some(Path::new("/h/.local/share/tairitsu/images").into())
        );
        assert_eq!(
            dir(&all[3..]),
            Some(Path::new("C:/l/tairitsu/images").into())
        );
        // Empty means unset.
        assert_eq!(
            dir(&[("TAIRITSU_STORE", ""), ("HOME", "/h")]),
            Some(Path::new("/h/.local/share/tairitsu/images").into())
        );
        assert_eq!(dir(&[]), None);
    }

    #[test]
    fn another_process_reads_from_disk_and_the_cache() {
        let tmp = tempfile::tempdir().unwrap();
        store(tmp.path())
            .load("root", &tairitsu_fixtures::root())
            .unwrap();
        // A fresh engine and registry, as in a new process: the bytes come from the store,
        // the code from the artifact cache.
        let store = store(tmp.path());
        let image = store.image("root").unwrap();
        assert_eq!(image.origin(), ImageOrigin::Cache);
        assert_eq!(image.reference().unwrap().to_string(), "root:latest");
        let mut container = crate::Container::builder(image).build().unwrap();
        assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");
        // The registry shares the image with later lookups.
        assert!(
            store
                .image("root:latest")
                .unwrap()
                .same(&store.image("root").unwrap())
        );
    }

    #[test]
    fn retagging_deletes_the_orphan() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let old = store.load("app", &tairitsu_fixtures::root()).unwrap();
        store.load("app", &tairitsu_fixtures::calc()).unwrap();
        let rows = store.list().unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].digest, old.digest());
        assert!(
            store
                .image("app")
                .unwrap()
                .exports()
                .iter()
                .any(|f| f.name == "describe")
        );
    }

    #[test]
    fn refuses_what_is_not_a_component() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let err = store.load("bad", b"\0asm\x01\0\0\0").unwrap_err();
        assert!(matches!(err, Error::NotAComponent { .. }), "{err}");
        let err = store
            .load("Bad Name", &tairitsu_fixtures::root())
            .unwrap_err();
        assert!(matches!(err, Error::InvalidReference { .. }), "{err}");
        assert!(store.list().unwrap().is_empty());
    }

    /// A copy of `store` on a new registry (same engine), as another process would open it.
    fn reopen(store: &ImageStore) -> ImageStore {
        ImageStore::with_registry(
            store.dir().to_path_buf(),
            Arc::new(Registry::with_engine(store.registry().engine().clone())),
        )
        .unwrap()
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(durable::TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn a_refs_line_that_does_not_parse_is_an_error_naming_the_file_and_line() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        let refs = store.dir().join("refs");
        let mut text = std::fs::read_to_string(&refs).unwrap();
        text.push_str("calc:1.0 sha256:nothex\n");
        std::fs::write(&refs, &text).unwrap();

        for err in [
            store.list().unwrap_err(),
            store.get("root").unwrap_err(),
            store.load("calc", &tairitsu_fixtures::calc()).unwrap_err(),
        ] {
            match &err {
                Error::StoreDamaged { path, line, .. } => {
                    assert_eq!(path, &refs);
                    assert_eq!(*line, Some(3));
                }
                other => panic!("{other:?}"),
            }
            let message = err.to_string();
            assert!(message.contains("refs:3"), "{message}");
            assert!(message.contains("calc:1.0 sha256:nothex"), "{message}");
        }
        // Nothing was skipped and written back: the line is still there for a person to fix.
        assert_eq!(std::fs::read_to_string(&refs).unwrap(), text);
    }

    #[test]
    fn a_refs_file_that_is_not_utf8_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        let refs = store.dir().join("refs");
        let mut bytes = std::fs::read(&refs).unwrap();
        bytes.extend_from_slice(b"caf\xe9:1.0 sha256:00\n");
        std::fs::write(&refs, &bytes).unwrap();
        let err = store.list().unwrap_err();
        assert!(
            matches!(&err, Error::StoreDamaged { line: Some(3), reason, .. } if reason.contains("UTF-8")),
            "{err:?}"
        );
    }

    #[test]
    fn a_digest_can_never_be_a_tag() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let good = store.load("good", &tairitsu_fixtures::root()).unwrap();
        let err = store
            .load(&good.digest(), &tairitsu_fixtures::calc())
            .unwrap_err();
        assert!(matches!(err, Error::InvalidReference { .. }), "{err}");
        // A refs file edited to hold one is refused, not read as a tag that wins.
        let refs = store.dir().join("refs");
        let mut text = std::fs::read_to_string(&refs).unwrap();
        text.push_str(&format!("{} {}\n", good.digest(), good.digest()));
        std::fs::write(&refs, text).unwrap();
        assert!(matches!(store.list(), Err(Error::StoreDamaged { .. })));
    }

    #[test]
    fn load_rewrites_a_damaged_blob() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        let path = store.get("root").unwrap().path;
        std::fs::write(&path, b"damaged").unwrap();
        assert!(matches!(
            reopen(&store).image("root"),
            Err(Error::StoreDamaged { .. })
        ));
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), tairitsu_fixtures::root());
        let image = reopen(&store).image("root").unwrap();
        let mut container = crate::Container::builder(image).build().unwrap();
        assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");
    }

    #[test]
    fn the_next_write_removes_leftovers_of_writers_that_died() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        std::fs::write(store.dir().join(".tmp-4000000-7"), b"half a blob").unwrap();
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        assert!(leftovers(store.dir()).is_empty());
    }

    /// Set in a child process of the tests below: the store to load into.
    const CHILD_STORE: &str = "TAIRITSU_TEST_CHILD_STORE";
    /// Set with it: what to load, `<fixture> <tag> <count>`.
    const CHILD_LOAD: &str = "TAIRITSU_TEST_CHILD_LOAD";

    /// In a child process (the env says so), loads what [`CHILD_LOAD`] says and returns true.
    fn child_role() -> bool {
        let (Some(dir), Some(what)) = (
            std::env::var_os(CHILD_STORE),
            std::env::var(CHILD_LOAD).ok(),
        ) else {
            return false;
        };
        let store = store(Path::new(&dir));
        let words: Vec<&str> = what.split(' ').collect();
        let bytes = match words[0] {
            "root" => tairitsu_fixtures::root(),
            _ => tairitsu_fixtures::calc(),
        };
        let count: usize = words[2].parse().unwrap();
        for i in 0..count {
            store.load(&format!("{}-{i}", words[1]), &bytes).unwrap();
        }
        true
    }

    /// This test binary running `test` alone, as a child process loading into `dir`.
    fn child(test: &str, dir: &Path, load: &str) -> std::process::Command {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", test, "--test-threads=1", "--nocapture"])
            .env(CHILD_STORE, dir)
            .env(CHILD_LOAD, load)
            .stdout(std::process::Stdio::null());
        command
    }

    #[test]
    fn a_crash_between_write_and_rename_leaves_the_old_state() {
        if child_role() {
            return;
        }
        let test = "store::tests::a_crash_between_write_and_rename_leaves_the_old_state";
        let tmp = tempfile::tempdir().unwrap();
        let parent = store(tmp.path());
        let root = parent.load("app-0", &tairitsu_fixtures::root()).unwrap();
        let calc_hex = hex::encode(Sha256::digest(tairitsu_fixtures::calc()));
        for (stop_at, blob_in_place) in [
            (format!("{calc_hex}.wasm"), false),
            ("refs".to_string(), true),
        ] {
            let marker = tmp.path().join("stopped");
            let _ = std::fs::remove_file(&marker);
            // The child retags `app-0` to calc, and is killed just before a rename.
            let mut running = child(test, tmp.path(), "calc app 1")
                .env(durable::CRASH_AT_ENV, &stop_at)
                .env(durable::CRASH_MARKER_ENV, &marker)
                .spawn()
                .unwrap();
            let started = std::time::Instant::now();
            while !marker.exists() {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(120),
                    "the child never reached the rename of {stop_at}"
                );
                if let Some(status) = running.try_wait().unwrap() {
                    panic!("the child exited with {status} before the rename of {stop_at}");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            running.kill().unwrap();
            running.wait().unwrap();
            // It left its temporary file, and the old state.
            assert_eq!(leftovers(parent.dir()).len(), 1, "{stop_at}");
            let after = reopen(&parent);
            assert_eq!(
                after.get("app-0").unwrap().digest,
                root.digest(),
                "{stop_at}"
            );
            assert_eq!(
                after
                    .dir()
                    .join("blobs/sha256")
                    .join(format!("{calc_hex}.wasm"))
                    .exists(),
                blob_in_place,
                "{stop_at}"
            );
            let image = after.image("app-0").unwrap();
            let mut container = crate::Container::builder(image).build().unwrap();
            assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");
        }
        // The next write clears the leftovers, and finishes what the child began.
        parent.load("app-0", &tairitsu_fixtures::calc()).unwrap();
        assert!(leftovers(parent.dir()).is_empty());
        assert_eq!(parent.list().unwrap().len(), 1);
    }

    #[test]
    fn two_processes_load_into_one_store_at_once() {
        if child_role() {
            return;
        }
        let test = "store::tests::two_processes_load_into_one_store_at_once";
        let tmp = tempfile::tempdir().unwrap();
        let children: Vec<_> = ["root a 15", "calc b 15"]
            .iter()
            .map(|load| child(test, tmp.path(), load).spawn().unwrap())
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        let store = reopen(&store(tmp.path()));
        let rows = store.list().unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        for row in &rows {
            assert_eq!(row.references.len(), 15, "no update was lost: {row:?}");
            store.read_blob(&row.digest).unwrap();
        }
        assert!(leftovers(store.dir()).is_empty());
    }

    #[test]
    fn damaged_blob_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        store.load("root", &tairitsu_fixtures::root()).unwrap();
        let path = store.get("root").unwrap().path;
        std::fs::write(&path, tairitsu_fixtures::calc()).unwrap();
        // A new registry, so the image is read from disk.
        let store: ImageStore = ImageStore::with_registry(
            store.dir().to_path_buf(),
            Arc::new(Registry::with_engine(store.registry().engine().clone())),
        )
        .unwrap();
        let err = store.image("root").unwrap_err();
        assert!(
            matches!(err, Error::StoreDamaged { line: None, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("does not match its digest"),
            "{err}"
        );
    }
}
