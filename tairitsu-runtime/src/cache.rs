//! The on-disk cache of compiled components.
//!
//! An entry is keyed by the component's sha256 and the engine's compatibility hash (wasmtime
//! version, target, and every setting that changes code), so a changed engine never reads an
//! artifact it cannot run. Entries are written to a temporary file and renamed into place, so a
//! reader never sees half an artifact.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::{Engine, Error, Result};

pub(crate) struct ArtifactCache {
    dir: PathBuf,
    engine_hash: u64,
}

impl ArtifactCache {
    pub(crate) fn open(dir: PathBuf, engine: &wasmtime::Engine) -> Result<Self> {
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(Self {
            dir,
            engine_hash: hasher.finish(),
        })
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

    /// The cached component for `digest`, if there is a usable one. A stale or damaged entry is
    /// removed and reported as a miss.
    pub(crate) fn load(&self, engine: &wasmtime::Engine, digest: &str) -> Option<Component> {
        let path = self.path(digest);
        if !path.is_file() {
            return None;
        }
        // SAFETY: `deserialize_file` trusts the file to be an artifact that wasmtime wrote. Only
        // this cache writes into its directory (atomically, via rename), entries are named by
        // the sha256 of their source and the engine's compatibility hash, and wasmtime checks
        // the header (version, target, settings) before using it. The cache directory must not
        // be writable by anyone less trusted than the host itself; the docs of `CacheDir` say so.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize_file(engine, &path) };
        match loaded {
            Ok(component) => Some(component),
            Err(e) => {
                tracing::warn!("discarding cache entry {}: {e}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Deletes every artifact of `digest`, for this engine and for any other engine settings,
    /// and returns how many files went. A file that is already gone is not an error.
    pub(crate) fn evict(&self, digest: &str) -> Result<usize> {
        let prefix = format!("{digest}-");
        let entries = std::fs::read_dir(&self.dir).map_err(|source| Error::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut evicted = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !(name.starts_with(&prefix) && name.ends_with(".cwasm")) {
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
    use crate::{CacheDir, Engine, EngineConfig, Image};

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
        let mut container = crate::Container::builder(image).unwrap().build().unwrap();
        assert_eq!(container.call_ron("add(1, 2)").unwrap(), "3");
        let again = Image::from_bytes_with(&engine, tairitsu_fixtures::root()).unwrap();
        assert_eq!(again.origin(), crate::ImageOrigin::Compiled);
    }
}
