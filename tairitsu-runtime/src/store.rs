//! The local image store: components kept on disk by digest and tagged `name:tag`, on top of a
//! [`Registry`] (images in memory) and the engine's compiled-artifact cache (compiled code on
//! disk).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::image::Image;
use crate::reference::ImageRef;
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
/// <dir>/refs                      one `name:tag sha256:<hex>` line per reference
/// <dir>/lock                      taken (an OS file lock) by writers
/// ```
///
/// Every write goes to a temporary file that is renamed into place, under the lock, so
/// concurrent processes see either the old or the new state, never half of one. Blobs are
/// checked against their digest when read. Like the artifact cache, the directory must not be
/// writable by anyone less trusted than the host.
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
        if !blob.is_file() {
            self.write_atomically(&blob, bytes)?;
        }
        let mut refs = self.read_refs()?;
        let previous = refs.insert(reference.to_string(), digest.clone());
        self.write_refs(&refs)?;
        if let Some(old) = previous
            && old != digest
            && !refs.values().any(|d| *d == old)
        {
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
        let (digest, tag) = self.find(&refs, reference)?;
        let tag = tag.or_else(|| {
            refs.iter()
                .find(|(_, d)| **d == digest)
                .map(|(r, _)| r.clone())
        });
        if let Ok(image) = self.registry.image(&digest) {
            return Ok(match tag.and_then(|t| t.parse().ok()) {
                Some(r) => image.with_reference(r),
                None => image,
            });
        }
        let hex = &digest["sha256:".len()..];
        let path = self.blob_path(hex);
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if hex::encode(Sha256::digest(&bytes)) != hex {
            return Err(Error::Config(format!(
                "the image store is damaged: {} does not match its digest; remove the image \
                 and load it again",
                path.display()
            )));
        }
        let image = Image::from_bytes_with(self.registry.engine(), &bytes)?;
        match tag {
            Some(tag) => self.registry.add_image(image, Some(&tag)),
            None => Ok(image),
        }
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
        let (digest, tag) = self.find(&refs, reference)?;
        let mut removed = Removed::default();
        match tag {
            Some(tag) => {
                refs.remove(&tag);
                removed.untagged.push(tag);
            }
            None => refs.retain(|r, d| {
                let keep = *d != digest;
                if !keep {
                    removed.untagged.push(r.clone());
                }
                keep
            }),
        }
        self.write_refs(&refs)?;
        if !refs.values().any(|d| *d == digest) {
            self.delete_blob(&digest)?;
            removed.evicted = self.registry.engine().evict_compiled(&digest)?;
            removed.deleted = Some(digest);
        }
        Ok(removed)
    }

    fn stored(&self, refs: &BTreeMap<String, String>, digest: &str) -> Result<StoredImage> {
        let path = self.blob_path(&digest["sha256:".len()..]);
        let meta = std::fs::metadata(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(StoredImage {
            digest: digest.to_string(),
            references: refs
                .iter()
                .filter(|(_, d)| *d == digest)
                .map(|(r, _)| r.clone())
                .collect(),
            size: meta.len(),
            loaded: meta.modified().ok(),
            path,
        })
    }

    /// The digest and, when found by reference, the reference that `reference` names.
    fn find(
        &self,
        refs: &BTreeMap<String, String>,
        reference: &str,
    ) -> Result<(String, Option<String>)> {
        let reference = reference.trim();
        if let Ok(r) = reference.parse::<ImageRef>()
            && let Some(digest) = refs.get(&r.to_string())
        {
            return Ok((digest.clone(), Some(r.to_string())));
        }
        let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
        if hex.len() >= 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let hex = hex.to_ascii_lowercase();
            let digests = self.blob_digests()?;
            let matches: Vec<&String> = digests
                .iter()
                .filter(|d| d["sha256:".len()..].starts_with(&hex))
                .collect();
            if let [one] = matches.as_slice() {
                return Ok(((*one).clone(), None));
            }
        }
        Err(Error::ImageNotFound(reference.to_string()))
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
                && hex.len() == 64
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
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

    /// Reads `refs`: reference to digest. Lines that do not parse are skipped with a warning.
    fn read_refs(&self) -> Result<BTreeMap<String, String>> {
        let path = self.refs_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let mut refs = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line.split_once(' ').and_then(|(r, d)| {
                let r = r.parse::<ImageRef>().ok()?;
                let d = d.trim();
                let hex = d.strip_prefix("sha256:")?;
                (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| (r.to_string(), d.to_string()))
            });
            match parsed {
                Some((r, d)) => {
                    refs.insert(r, d);
                }
                None => tracing::warn!("{}:{}: ignoring `{line}`", path.display(), number + 1),
            }
        }
        Ok(refs)
    }

    fn write_refs(&self, refs: &BTreeMap<String, String>) -> Result<()> {
        let mut text = String::from("# name:tag sha256:digest, written by tairitsu\n");
        for (r, d) in refs {
            text.push_str(r);
            text.push(' ');
            text.push_str(d);
            text.push('\n');
        }
        self.write_atomically(&self.refs_path(), text.as_bytes())
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|source| {
                let _ = std::fs::remove_file(&tmp);
                Error::Io {
                    path: path.to_path_buf(),
                    source,
                }
            })
    }

    /// Takes the writers' lock, released when the file is dropped.
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
        Ok(file)
    }
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
        let err = store.image("root").unwrap_err().to_string();
        assert!(err.contains("does not match its digest"), "{err}");
    }
}
