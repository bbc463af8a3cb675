//! Images: compiled components, ready to start as containers.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::dynamic::WorldInfo;
use crate::engine::Engine;
use crate::reference::ImageRef;
use crate::surface::Surface;
use crate::{Error, FunctionSignature, Result};

/// A compiled WebAssembly component: the thing containers are started from.
///
/// An image knows its sha256 digest, an optional `name:tag`, and its imports and exports, all
/// without instantiating it. Cloning is cheap (a reference count); clones share the compiled
/// code.
///
/// Loading compiles the component with the engine's compiler, which takes from milliseconds to
/// seconds depending on its size, unless the engine's artifact cache has it: then loading
/// deserializes the artifact, which is tens of times faster. [`Image::origin`] says which
/// happened.
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::Image;
///
/// let image = Image::from_file("plugin.wasm")?.tagged("plugin:1.0")?;
/// println!("{} {}", image.digest(), image.reference().unwrap());
/// for export in image.exports() {
///     println!("{}", export.to_wit());
/// }
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Image {
    inner: Arc<ImageInner>,
    reference: Option<ImageRef>,
}

struct ImageInner {
    engine: Engine,
    component: Component,
    digest: String,
    bytes: Arc<[u8]>,
    origin: ImageOrigin,
    surface: OnceLock<Surface>,
}

/// How an image's code came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageOrigin {
    /// Compiled from the component's bytes.
    Compiled,
    /// Deserialized from the engine's artifact cache (no compilation).
    Cache,
}

impl Image {
    /// Loads a component from bytes, with the [shared engine](Engine::shared).
    ///
    /// # Errors
    ///
    /// [`Error::NotAComponent`] for a core module, WAT text, an empty input or bytes that are not
    /// WebAssembly; [`Error::InvalidComponent`] for a truncated or malformed component.
    pub fn from_bytes(bytes: impl AsRef<[u8]>) -> Result<Image> {
        Self::load(Engine::shared()?, bytes.as_ref(), "input")
    }

    /// The original name of [`Image::from_bytes`].
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<Image> {
        Self::from_bytes(bytes)
    }

    /// Loads a component file, with the [shared engine](Engine::shared).
    ///
    /// # Errors
    ///
    /// As [`Image::from_bytes`], and [`Error::Io`] when the file cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Image> {
        Self::from_file_with(Engine::shared()?, path)
    }

    /// Loads a component from bytes for `engine`.
    ///
    /// # Errors
    ///
    /// As [`Image::from_bytes`].
    pub fn from_bytes_with(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Image> {
        Self::load(engine, bytes.as_ref(), "input")
    }

    /// Loads a component file for `engine`.
    ///
    /// # Errors
    ///
    /// As [`Image::from_file`].
    pub fn from_file_with(engine: &Engine, path: impl AsRef<Path>) -> Result<Image> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::load(engine, &bytes, &path.display().to_string())
    }

    fn load(engine: &Engine, bytes: &[u8], what: &str) -> Result<Image> {
        check_header(bytes, what)?;
        let digest = hex::encode(Sha256::digest(bytes));
        let cached = engine
            .cache()
            .and_then(|cache| cache.load(engine.wasmtime(), &digest));
        let (component, origin) = match cached {
            Some(component) => (component, ImageOrigin::Cache),
            None => {
                let component = Component::new(engine.wasmtime(), bytes).map_err(|e| {
                    Error::InvalidComponent {
                        what: what.to_string(),
                        message: format!("{e:#}"),
                    }
                })?;
                if let Some(cache) = engine.cache() {
                    cache.store(&digest, &component);
                }
                (component, ImageOrigin::Compiled)
            }
        };
        tracing::debug!(digest = %digest, ?origin, "loaded image");
        Ok(Image {
            inner: Arc::new(ImageInner {
                engine: engine.clone(),
                component,
                digest,
                bytes: bytes.into(),
                origin,
                surface: OnceLock::new(),
            }),
            reference: None,
        })
    }

    pub(crate) fn with_reference(mut self, reference: ImageRef) -> Image {
        self.reference = Some(reference);
        self
    }

    /// This image with a `name` or `name:tag` reference (the tag defaults to `latest`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`] when the text is not a valid reference.
    pub fn tagged(mut self, reference: &str) -> Result<Image> {
        self.reference = Some(reference.parse()?);
        Ok(self)
    }

    /// The `name:tag` of this image, if it has one.
    pub fn reference(&self) -> Option<&ImageRef> {
        self.reference.as_ref()
    }

    /// `sha256:` and the hex sha256 of the component's bytes.
    pub fn digest(&self) -> String {
        format!("sha256:{}", self.inner.digest)
    }

    /// The hex sha256 of the component's bytes, without the `sha256:` prefix.
    pub fn digest_hex(&self) -> &str {
        &self.inner.digest
    }

    /// A short name for messages: the reference, else the first 12 digits of the digest.
    pub fn display_name(&self) -> String {
        match &self.reference {
            Some(r) => r.to_string(),
            None => self.inner.digest[..12].to_string(),
        }
    }

    /// The size of the component, in bytes.
    pub fn size(&self) -> usize {
        self.inner.bytes.len()
    }

    /// The component's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.inner.bytes
    }

    /// Whether this image was compiled or read from the cache.
    pub fn origin(&self) -> ImageOrigin {
        self.inner.origin
    }

    /// The engine the image was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        &self.inner.component
    }

    /// The component's world: imports, exports and named types as WIT, read from the
    /// component's embedded WIT on first use (no instantiation) and kept. When the WIT cannot be
    /// decoded, the signatures come from wasmtime's view of the types instead (structural:
    /// `record { x: s32 }` rather than `point`).
    pub fn world(&self) -> &WorldInfo {
        self.surface().world()
    }

    /// What the component imports and exports, with wasmtime's types and the WIT names of its
    /// embedded world: built on first use (decoding the WIT costs about as much as reading the
    /// component's type sections once) and kept. Calls, the missing-import report, host-import
    /// linking and discovery all read it.
    #[inline]
    pub fn surface(&self) -> &Surface {
        self.inner
            .surface
            .get_or_init(|| Surface::new(&self.inner.component, &self.inner.bytes))
    }

    /// Every function the component exports, with its WIT signature.
    pub fn exports(&self) -> &[FunctionSignature] {
        &self.world().exports
    }

    /// Every function the component imports, with its WIT signature.
    pub fn imports(&self) -> &[FunctionSignature] {
        &self.world().imports
    }

    /// Whether two handles share the same compiled code.
    pub fn same(&self, other: &Image) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("reference", &self.reference.as_ref().map(|r| r.to_string()))
            .field("digest", &self.digest())
            .field("size", &self.size())
            .field("origin", &self.inner.origin)
            .finish()
    }
}

const WASM_MAGIC: &[u8; 4] = b"\0asm";

/// Tells a component from the other things people pass, before wasmtime sees the bytes.
fn check_header(bytes: &[u8], what: &str) -> Result<()> {
    let not = |reason: &str| Error::NotAComponent {
        what: what.to_string(),
        reason: reason.to_string(),
    };
    if bytes.is_empty() {
        return Err(not("it is empty"));
    }
    if bytes.len() < 8 || &bytes[..4] != WASM_MAGIC {
        let text = std::str::from_utf8(&bytes[..bytes.len().min(256)]).ok();
        if text.is_some_and(|t| t.trim_start().starts_with('(')) {
            return Err(not(
                "it looks like WebAssembly text (WAT); assemble it first, for example \
                 `wasm-tools parse component.wat -o component.wasm`",
            ));
        }
        if bytes.len() < 8 && bytes.starts_with(&WASM_MAGIC[..bytes.len().min(4)]) {
            return Err(not("it is truncated: shorter than a WebAssembly header"));
        }
        return Err(not(
            "it does not start with the WebAssembly magic bytes `\\0asm`",
        ));
    }
    match bytes[4..8] {
        // Core module, version 1.
        [1, 0, 0, 0] => Err(not(
            "it is a core WebAssembly module. Make a component of it with \
             `wasm-tools component new module.wasm -o component.wasm` (add \
             `--adapt wasi_snapshot_preview1.reactor.wasm` for a WASI preview 1 module), or \
             build for `wasm32-wasip2`, whose output is a component",
        )),
        // Component, layer 1.
        [_, _, 1, 0] => Ok(()),
        _ => Err(not(
            "its WebAssembly header has an unknown version or layer",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let err = |b: &[u8]| check_header(b, "x").unwrap_err().to_string();
        assert!(err(b"").contains("empty"));
        assert!(err(b"\0as").contains("truncated"));
        assert!(err(b"(component)").contains("WAT"));
        assert!(err(b"hello world").contains("magic"));
        assert!(err(b"\0asm\x01\0\0\0").contains("core WebAssembly module"));
        assert!(err(b"\0asm\x01\0\0\0").contains("wasm-tools component new"));
        assert!(check_header(b"\0asm\x0d\0\x01\0", "x").is_ok());
    }
}
