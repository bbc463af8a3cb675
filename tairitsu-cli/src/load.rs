//! Where a component comes from (a file, or an image in the store), and compiling it with a
//! progress indicator when that takes a while.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use tairitsu_runtime::oci::RemoteRef;
use tairitsu_runtime::{Engine, Error as RuntimeError, Image, ImageStore, StoredImage};

use crate::cli::{PullArgs, PullPolicy};
use crate::error::CliError;
use crate::remote::{self, Report};
use crate::units::format_size;

/// Components at least this large show a spinner while they compile (on a terminal, when the
/// compiled code is not in the cache).
const PROGRESS_MIN_SIZE: u64 = 1 << 20;

/// A loaded component and where it came from.
pub struct Loaded {
    /// The image.
    pub image: Image,
    /// The file, or the image reference as given.
    pub source: String,
    /// The stored image, when it came from the store.
    pub stored: Option<StoredImage>,
}

/// The store, opened on the shared engine.
pub fn open_store(dir: Option<&Path>) -> Result<ImageStore, CliError> {
    let dir: PathBuf = match dir {
        Some(dir) => dir.to_path_buf(),
        None => ImageStore::default_dir().ok_or_else(|| {
            CliError::input("cannot tell where the image store is: no home directory is set")
                .hint("give a directory with `--store DIR` or `TAIRITSU_STORE`")
        })?,
    };
    Ok(ImageStore::open(dir)?)
}

/// Loads `spec`: a digest (`sha256:…`) of the store; else a file when one exists at that path;
/// else an image of the store, where a reference that names a registry host is pulled first as
/// `pull` says (`None`: never).
pub fn load(
    spec: &str,
    store_dir: Option<&Path>,
    pull: Option<&PullArgs>,
) -> Result<Loaded, CliError> {
    let path = Path::new(spec);
    // A digest is never a file name: a file planted under that name must not answer for it.
    let digest = spec.trim().starts_with("sha256:");
    if !digest && (path.exists() || looks_like_a_path(spec)) {
        return load_file(path);
    }
    let store = open_store(store_dir)?;
    if !digest && let Ok(remote) = RemoteRef::parse(spec) {
        return load_remote(&store, spec, &remote, pull);
    }
    match store.get(spec) {
        Ok(_) => load_stored(&store, spec),
        Err(RuntimeError::ImageNotFound(_)) => Err(CliError::input(format!(
            "`{spec}` is neither a file nor an image in the store ({})",
            store.dir().display()
        ))
        .hint("give the path of a `.wasm` component, or see `tairitsu image ls` for the images")),
        Err(e) => Err(e.into()),
    }
}

/// A registry reference: from the store, pulled first when `pull` says so.
fn load_remote(
    store: &ImageStore,
    spec: &str,
    remote: &RemoteRef,
    pull: Option<&PullArgs>,
) -> Result<Loaded, CliError> {
    let key = remote::store_key(remote).unwrap_or_else(|| spec.to_string());
    let policy = pull.map_or(PullPolicy::Never, |p| p.policy);
    let stored = match store.get(&key) {
        Ok(stored) => Some(stored),
        Err(RuntimeError::ImageNotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let digest = match (policy, stored, pull) {
        (PullPolicy::Always, _, Some(args)) | (PullPolicy::Missing, None, Some(args)) => {
            let client = remote::client(&args.registry)?;
            if policy == PullPolicy::Missing {
                eprintln!("Unable to find image '{remote}' in the store");
            }
            remote::pull(store, remote, &client, Report::Stderr)?.digest
        }
        (_, Some(stored), _) => stored.digest,
        (_, None, _) => {
            return Err(CliError::input(format!(
                "`{remote}` is not in the store ({})",
                store.dir().display()
            ))
            .hint(format!(
                "pull it with `tairitsu image pull {remote}` (or `--pull missing`)"
            )));
        }
    };
    let mut loaded = load_stored(store, &digest)?;
    loaded.source = spec.to_string();
    Ok(loaded)
}

/// The runtime says "not in the registry"; the user asked the store.
pub fn store_error(error: RuntimeError, store: &ImageStore) -> CliError {
    match error {
        RuntimeError::ImageNotFound(name) => CliError::input(format!(
            "no image `{name}` in the store ({})",
            store.dir().display()
        ))
        .hint("`tairitsu image ls` lists the stored images"),
        other => other.into(),
    }
}

/// Loads an image of the store.
pub fn load_stored(store: &ImageStore, spec: &str) -> Result<Loaded, CliError> {
    let stored = store.get(spec).map_err(|e| store_error(e, store))?;
    let engine = store.registry().engine().clone();
    let label = stored
        .references
        .first()
        .cloned()
        .unwrap_or_else(|| stored.digest.clone());
    let image = with_progress(&engine, &stored.digest, stored.size, &label, || {
        store.image(spec)
    })?;
    Ok(Loaded {
        image,
        source: spec.to_string(),
        stored: Some(stored),
    })
}

/// Loads a component file on the shared engine.
pub fn load_file(path: &Path) -> Result<Loaded, CliError> {
    let bytes = std::fs::read(path).map_err(|source| {
        let hint = (source.kind() == std::io::ErrorKind::NotFound)
            .then_some("check the path; an image in the store is named `name:tag`");
        let error = CliError::from(RuntimeError::Io {
            path: path.to_path_buf(),
            source,
        });
        match hint {
            Some(hint) => error.hint(hint),
            None => error,
        }
    })?;
    let engine = Engine::shared()?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let label = path.display().to_string();
    let image = with_progress(engine, &digest, bytes.len() as u64, &label, || {
        Image::from_bytes_with(engine, &bytes).map_err(|e| name_the_file(e, &label))
    })?;
    Ok(Loaded {
        image,
        source: label,
        stored: None,
    })
}

/// Whether loading a component of `size` bytes shows a spinner: only when it will compile (not
/// cached), it is large enough for that to take a while, and a person is watching stderr.
fn shows_progress(size: u64, terminal: bool, cached: impl FnOnce() -> bool) -> bool {
    size >= PROGRESS_MIN_SIZE && terminal && !cached()
}

/// Runs `compile`, with a spinner on stderr when it will take a while.
pub fn with_progress(
    engine: &Engine,
    digest: &str,
    size: u64,
    label: &str,
    compile: impl FnOnce() -> Result<Image, RuntimeError>,
) -> Result<Image, RuntimeError> {
    if !shows_progress(size, std::io::stderr().is_terminal(), || {
        engine.is_cached(digest)
    }) {
        return compile();
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!("compiling {label} ({})", format_size(size)));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let result = compile();
    spinner.finish_and_clear();
    result
}

/// The runtime names an image by its short digest; the user gave a file or a reference.
pub fn named(source: &str, error: RuntimeError) -> RuntimeError {
    let image = source.to_string();
    match error {
        RuntimeError::MissingImports { missing, .. } => {
            RuntimeError::MissingImports { image, missing }
        }
        RuntimeError::UnknownExport {
            name, candidates, ..
        } => RuntimeError::UnknownExport {
            image,
            name,
            candidates,
        },
        RuntimeError::AmbiguousExport {
            name, candidates, ..
        } => RuntimeError::AmbiguousExport {
            image,
            name,
            candidates,
        },
        RuntimeError::Instantiate {
            message, source, ..
        } => RuntimeError::Instantiate {
            image,
            message,
            source,
        },
        other => other,
    }
}

/// The runtime names bytes `input`; the user gave a file.
fn name_the_file(error: RuntimeError, file: &str) -> RuntimeError {
    match error {
        RuntimeError::NotAComponent { reason, .. } => RuntimeError::NotAComponent {
            what: file.to_string(),
            reason,
        },
        RuntimeError::InvalidComponent { message, .. } => RuntimeError::InvalidComponent {
            what: file.to_string(),
            message,
        },
        other => other,
    }
}

/// Whether `spec` can only be meant as a path (so a missing file is reported as one).
fn looks_like_a_path(spec: &str) -> bool {
    spec.ends_with(".wasm") || spec.starts_with(['.', '/', '~']) || spec.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::{PROGRESS_MIN_SIZE, shows_progress};

    #[test]
    fn a_spinner_only_for_a_large_uncached_compile_on_a_terminal() {
        let big = PROGRESS_MIN_SIZE;
        assert!(shows_progress(big, true, || false));
        assert!(!shows_progress(big - 1, true, || false));
        assert!(!shows_progress(big, false, || false));
        assert!(!shows_progress(big, true, || true));
        // The cache is not asked (a `stat`) when nothing would be shown anyway.
        assert!(!shows_progress(big, false, || unreachable!()));
    }
}
