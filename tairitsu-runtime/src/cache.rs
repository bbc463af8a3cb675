//! The on-disk cache of compiled components.
//!
//! An entry is keyed by the component's sha256 and the engine's compatibility hash (wasmtime
//! version, target, and every setting that changes code), so a changed engine never reads an
//! artifact it cannot run. Entries are written to a temporary file and renamed into place, so a
//! reader never sees half an artifact. An entry is native code: [`trust`] says why one can be
//! trusted (a private directory, and a keyed seal on every artifact).

mod trust;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::{Engine, Error, Result};

pub use trust::CacheProblem;
use trust::{ArtifactKey, check_private_dir, create_private_dir};

pub(crate) struct ArtifactCache {
    dir: PathBuf,
    engine_hash: u64,
    key: ArtifactKey,
}

impl ArtifactCache {
    /// Opens (creating it private to the user when missing) the cache in `dir`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when it cannot be created or read; [`Error::UnsafeCache`] when it, or its
    /// key file, could be written by another user.
    pub(crate) fn open(dir: PathBuf, engine: &wasmtime::Engine) -> Result<Self> {
        create_private_dir(&dir)?;
        check_private_dir(&dir)?;
        let (key, new_key) = ArtifactKey::open_or_create(&dir)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let cache = Self {
            dir,
            engine_hash: hasher.finish(),
            key,
        };
        if new_key {
            // Artifacts older than the key (a cache from before artifacts were sealed) can never
            // be opened with it: clear them now rather than warn about each one later.
            match cache.evict("") {
                Ok(0) => {}
                Ok(n) => tracing::debug!(
                    "cleared {n} unsealed artifacts from {}",
                    cache.dir.display()
                ),
                Err(e) => tracing::warn!("cannot clear unsealed artifacts: {e}"),
            }
        }
        Ok(cache)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir
            .join(format!("{digest}-{:016x}.cwasm", self.engine_hash))
    }

    /// Whether an artifact for `digest` is in the cache (it may still turn out stale).
    pub(crate) fn contains(&self, digest: &str) -> bool {
        self.path(digest).is_file()
    }

    /// The cached component for `digest`, if there is a usable one. A stale, damaged or
    /// unsealed entry is removed and reported as a miss.
    pub(crate) fn load(&self, engine: &wasmtime::Engine, digest: &str) -> Option<Component> {
        let path = self.path(digest);
        let sealed = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("cannot read cache entry {}: {e}", path.display());
                return None;
            }
        };
        let Some(artifact) = self.key.open(digest, self.engine_hash, &sealed) else {
            tracing::warn!(
                "refusing cache entry {}: it is not sealed by this cache's key for this \
                 component (copied from elsewhere, renamed, or changed since it was written); \
                 compiling instead",
                path.display()
            );
            let _ = std::fs::remove_file(&path);
            return None;
        };
        // SAFETY: `deserialize` trusts its bytes to be an artifact that wasmtime wrote for this
        // engine. These bytes carry this cache's seal, an HMAC over the component's digest, the
        // engine's compatibility hash and the bytes themselves, keyed by the private key of a
        // directory only this user can write (checked when the cache opened); so this process's
        // user wrote them, from `Component::serialize`, for this component. The seal was checked
        // on these very bytes, not on a file that could change afterwards. wasmtime checks the
        // header (version, target, settings) too.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize(engine, artifact) };
        match loaded {
            Ok(component) => Some(component),
            Err(e) => {
                tracing::warn!("discarding cache entry {}: {e}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Deletes every artifact of `digest` (of every digest, given ""), for this engine and for
    /// any other engine settings, and returns how many files went. A file that is already gone
    /// is not an error.
    pub(crate) fn evict(&self, digest: &str) -> Result<usize> {
        let prefix = if digest.is_empty() {
            String::new()
        } else {
            format!("{digest}-")
        };
        let entries = std::fs::read_dir(&self.dir).map_err(|source| Error::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut evicted = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !(name.starts_with(&prefix) && is_artifact_name(name)) {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => evicted += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        path: entry.path(),
                        source,
                    });
                }
            }
        }
        Ok(evicted)
    }

    /// Stores `component` under `digest`. Failures are logged, not returned: the cache only
    /// saves time. The artifact is synced and renamed into place and the directory synced (see
    /// `durable`), and temporary files left by writers that died are removed first.
    pub(crate) fn store(&self, digest: &str, component: &Component) {
        let path = self.path(digest);
        crate::durable::remove_leftovers(&self.dir);
        let result = component
            .serialize()
            .map(|artifact| self.key.seal(digest, self.engine_hash, artifact))
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                crate::durable::write_atomically(&self.dir, &path, &bytes)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = result {
            tracing::warn!("cannot cache {}: {e}", path.display());
        }
    }
}

/// Whether `name` is one of this cache's artifact names, `<sha256 hex>-<engine hash>.cwasm`
/// (so that clearing a cache never takes another program's `.cwasm` files sharing the folder).
fn is_artifact_name(name: &str) -> bool {
    let hex = |s: &str, len| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    name.strip_suffix(".cwasm")
        .and_then(|stem| stem.split_once('-'))
        .is_some_and(|(digest, engine)| hex(digest, 64) && hex(engine, 16))
}

impl Engine {
    /// Whether this engine's artifact cache holds compiled code for the component with this
    /// digest (`sha256:` and hex, or the hex alone, as [`Image::digest`](crate::Image::digest)
    /// gives it), so that loading it would deserialize instead of compiling. Costs one `stat`.
    ///
    /// A host uses it to decide whether loading is worth a progress indicator. The answer is a
    /// hint: an entry that turns out stale or damaged is recompiled.
    pub fn is_cached(&self, digest: &str) -> bool {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        hex.len() == 64
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && self.cache().is_some_and(|cache| cache.contains(hex))
    }
}

impl Engine {
    /// Deletes the compiled code of the component with this digest from the artifact cache
    /// (for every engine configuration that cached it) and returns how many artifacts went.
    /// Images already loaded keep working: they hold their compiled code in memory. The next
    /// load of the component compiles it again.
    ///
    /// Returns 0 when the engine has no cache or the digest is not a sha256.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the cache directory cannot be read or an artifact cannot be deleted.
    pub fn evict_compiled(&self, digest: &str) -> Result<usize> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(0);
        }
        match self.cache() {
            Some(cache) => cache.evict(&hex.to_ascii_lowercase()),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::{CacheDir, CacheProblem, Engine, EngineConfig, Error, Image, ImageOrigin};

    fn engine_in(dir: &Path) -> crate::Result<Engine> {
        Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.into())))
    }

    /// The one artifact file in `dir`.
    fn artifact(dir: &Path) -> PathBuf {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn artifacts_from_before_the_key_are_cleared_when_it_is_made() {
        let tmp = tempfile::tempdir().unwrap();
        let engine = engine_in(tmp.path()).unwrap();
        let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
        let sealed = artifact(tmp.path());
        // What an older version left: the same artifact without its seal, and no key.
        let bytes = std::fs::read(&sealed).unwrap();
        std::fs::write(&sealed, &bytes[..bytes.len() - 32]).unwrap();
        std::fs::remove_file(tmp.path().join(super::trust::KEY_FILE)).unwrap();
        let others = [tmp.path().join("notes.txt"), tmp.path().join("app.cwasm")];
        for other in &others {
            std::fs::write(other, b"not ours").unwrap();
        }
        let engine = engine_in(tmp.path()).unwrap();
        assert!(!sealed.exists());
        assert!(others.iter().all(|o| o.exists()));
        assert!(!engine.is_cached(&image.digest()));
    }

    #[cfg(unix)]
    #[test]
    fn a_new_cache_directory_and_its_key_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/cache");
        let engine = engine_in(&dir).unwrap();
        assert_eq!(engine.cache_dir(), Some(dir.as_path()));
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(super::trust::KEY_FILE)), 0o600);
        // The key is made once: a second engine reads it, and so can use the first's artifacts.
        let key = std::fs::read(dir.join(super::trust::KEY_FILE)).unwrap();
        assert_eq!(key.len(), 32);
        let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
        assert_eq!(image.origin(), ImageOrigin::Compiled);
        let again = Image::from_bytes_with(&engine_in(&dir).unwrap(), tairitsu_fixtures::root());
        assert_eq!(again.unwrap().origin(), ImageOrigin::Cache);
        assert_eq!(
            std::fs::read(dir.join(super::trust::KEY_FILE)).unwrap(),
            key
        );
    }

    /// Regression: the cache directory was created with the default umask and never checked,
    /// so anyone who could write it chose the machine code the next process ran.
    #[cfg(unix)]
    #[test]
    fn bug_a_cache_directory_others_can_write_was_used() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        engine_in(&dir).unwrap();
        for bits in [0o770, 0o722, 0o1777] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(bits)).unwrap();
            let err = engine_in(&dir).unwrap_err();
            match &err {
                Error::UnsafeCache { path, problem } => {
                    assert_eq!(path, &dir);
                    assert_eq!(problem, &CacheProblem::WritableByOthers { mode: bits });
                }
                other => panic!("{other:?}"),
            }
            let text = err.to_string();
            assert!(text.contains("lets other users write to it"), "{text}");
            assert!(text.contains(&format!("{bits:04o}")), "{text}");
        }
        // Readable by others is fine: artifacts are not secrets, only their integrity matters.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        engine_in(&dir).unwrap();
        // Not a directory.
        let file = tmp.path().join("file");
        std::fs::write(&file, b"").unwrap();
        assert!(matches!(engine_in(&file), Err(Error::Io { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_directory_or_key_of_another_user_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let uid = rustix::process::geteuid().as_raw();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        engine_in(&dir).unwrap();
        let key = dir.join(super::trust::KEY_FILE);
        if uid == 0 {
            // As root, hand the directory to `nobody`.
            let nobody = 65534;
            std::os::unix::fs::chown(&key, Some(nobody), None).unwrap();
            match engine_in(&dir).unwrap_err() {
                Error::UnsafeCache { path, problem } => {
                    assert_eq!(path, key);
                    assert_eq!(
                        problem,
                        CacheProblem::OwnedByAnotherUser { owner: nobody, uid }
                    );
                }
                other => panic!("{other:?}"),
            }
            std::os::unix::fs::chown(&key, Some(0), None).unwrap();
            std::os::unix::fs::chown(&dir, Some(nobody), None).unwrap();
            match engine_in(&dir).unwrap_err() {
                Error::UnsafeCache { path, problem } => {
                    assert_eq!(path, dir);
                    assert_eq!(
                        problem,
                        CacheProblem::OwnedByAnotherUser { owner: nobody, uid }
                    );
                }
                other => panic!("{other:?}"),
            }
            std::os::unix::fs::chown(&dir, Some(0), None).unwrap();
        } else {
            // Not root: `/` belongs to root.
            match engine_in(Path::new("/")).unwrap_err() {
                Error::UnsafeCache { problem, .. } => {
                    assert_eq!(problem, CacheProblem::OwnedByAnotherUser { owner: 0, uid })
                }
                other => panic!("{other:?}"),
            }
        }
        // A key others can read is refused too (they could seal artifacts with it), and so is
        // one that is not a key.
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            engine_in(&dir),
            Err(Error::UnsafeCache {
                problem: CacheProblem::KeyOpenToOthers { mode: 0o644 },
                ..
            })
        ));
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&key, b"short").unwrap();
        assert!(matches!(
            engine_in(&dir),
            Err(Error::UnsafeCache {
                problem: CacheProblem::DamagedKey { len: 5 },
                ..
            })
        ));
        std::fs::remove_file(&key).unwrap();
        engine_in(&dir).unwrap();
    }

    /// An artifact that this cache's key did not seal for that component is never run: one
    /// from another cache (another user's, another machine's), one renamed to another
    /// component's name, one changed on disk. Each is removed and the component compiled.
    #[test]
    fn an_artifact_not_sealed_by_this_cache_is_refused_and_recompiled() {
        let tmp = tempfile::tempdir().unwrap();
        let (mine, theirs) = (tmp.path().join("mine"), tmp.path().join("theirs"));
        let root = tairitsu_fixtures::root();
        let calc = tairitsu_fixtures::calc();

        // Another cache's artifact of the same component: a valid wasmtime artifact, which
        // wasmtime alone would load.
        let other = engine_in(&theirs).unwrap();
        Image::from_bytes_with(&other, &root).unwrap();
        let engine = engine_in(&mine).unwrap();
        Image::from_bytes_with(&engine, &root).unwrap();
        let name = artifact(&mine);
        std::fs::copy(artifact(&theirs), &name).unwrap();
        let image = Image::from_bytes_with(&engine, &root).unwrap();
        assert_eq!(image.origin(), ImageOrigin::Compiled);
        // Recompiled and sealed again: the next load is a hit.
        let image = Image::from_bytes_with(&engine, &root).unwrap();
        assert_eq!(image.origin(), ImageOrigin::Cache);

        // This cache's own artifact of `calc`, renamed to be `root`'s: the seal names the
        // component, so it is refused, and `root` is what runs.
        let calc_dir = tmp.path().join("calc-only");
        let calc_engine = engine_in(&calc_dir).unwrap();
        Image::from_bytes_with(&calc_engine, &calc).unwrap();
        let calc_artifact = artifact(&calc_dir);
        std::fs::copy(mine.join(super::trust::KEY_FILE), calc_dir.join("key")).unwrap();
        let resealed = engine_in(&calc_dir).unwrap();
        std::fs::remove_file(&calc_artifact).unwrap();
        Image::from_bytes_with(&resealed, &calc).unwrap();
        std::fs::copy(artifact(&calc_dir), &name).unwrap();
        let image = Image::from_bytes_with(&engine, &root).unwrap();
        assert_eq!(image.origin(), ImageOrigin::Compiled);
        let mut container = crate::Container::builder(image).build().unwrap();
        assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");

        // Changed on disk: one byte in the middle, and the tag cut off.
        for change in [
            (|bytes: &mut Vec<u8>| {
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x01;
            }) as fn(&mut Vec<u8>),
            |bytes| bytes.truncate(bytes.len() - 32),
        ] {
            Image::from_bytes_with(&engine, &root).unwrap();
            let mut bytes = std::fs::read(&name).unwrap();
            change(&mut bytes);
            std::fs::write(&name, &bytes).unwrap();
            let image = Image::from_bytes_with(&engine, &root).unwrap();
            assert_eq!(image.origin(), ImageOrigin::Compiled);
        }
    }

    #[test]
    fn is_cached_after_the_first_load() {
        let tmp = tempfile::tempdir().unwrap();
        let engine =
            Engine::new(EngineConfig::new().cache(CacheDir::Path(tmp.path().into()))).unwrap();
        let bytes = tairitsu_fixtures::root();
        let digest = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        assert!(!engine.is_cached(&digest));
        let image = Image::from_bytes_with(&engine, &bytes).unwrap();
        assert_eq!(image.digest_hex(), digest);
        assert!(engine.is_cached(&digest));
        assert!(engine.is_cached(&image.digest()));
        assert!(!engine.is_cached("sha256:nothex"));
        let uncached = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap();
        assert!(!uncached.is_cached(&digest));
    }

    #[test]
    fn evict_compiled_deletes_every_artifact_of_one_digest() {
        let tmp = tempfile::tempdir().unwrap();
        let engine =
            Engine::new(EngineConfig::new().cache(CacheDir::Path(tmp.path().into()))).unwrap();
        let image = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
        let other = Image::from_bytes_with(&engine, tairitsu_fixtures::calc()).unwrap();
        // An artifact of the same component from an engine with other settings.
        let stale = tmp
            .path()
            .join(format!("{}-0000000000000000.cwasm", image.digest_hex()));
        std::fs::write(&stale, b"old").unwrap();

        assert_eq!(engine.evict_compiled(&image.digest()).unwrap(), 2);
        assert!(!stale.exists());
        assert!(!engine.is_cached(&image.digest()));
        assert!(engine.is_cached(&other.digest()));
        assert_eq!(engine.evict_compiled(&image.digest()).unwrap(), 0);
        assert_eq!(engine.evict_compiled("sha256:nothex").unwrap(), 0);

        // The loaded image still runs; the next load compiles again.
        let mut container = crate::Container::builder(image).build().unwrap();
        assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");
        let again = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
        assert_eq!(again.origin(), crate::ImageOrigin::Compiled);
    }
}
