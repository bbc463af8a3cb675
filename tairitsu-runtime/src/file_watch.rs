//! Watching one file for changes, debounced, with the reaction on a background thread: what
//! [`Registry::watch`](crate::Registry::watch), `tairitsu call --watch` and
//! `tairitsu serve --watch` share.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::{Error, Result};

/// How long a file must stay quiet after a change before it is reported, by default: editors
/// and build tools write in several steps.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// One file watched for changes. Every change (a write in place, or another file renamed over
/// it) calls the closure given to [`FileWatch::new`] on a background thread, once the file has
/// been quiet for the debounce time; changes during a call are reported once more after it.
/// Dropping the `FileWatch` stops the watching; a call in progress finishes.
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::FileWatch;
///
/// let watch = FileWatch::new("plugin.wasm", || println!("plugin.wasm changed"))?;
/// std::thread::sleep(std::time::Duration::from_secs(60));
/// drop(watch);
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
pub struct FileWatch {
    path: PathBuf,
    _watcher: notify::RecommendedWatcher,
}

impl FileWatch {
    /// Watches `path`, calling `on_change` after each change with the
    /// [default debounce](DEFAULT_DEBOUNCE).
    ///
    /// # Errors
    ///
    /// As [`with_debounce`](Self::with_debounce).
    pub fn new(path: impl AsRef<Path>, on_change: impl FnMut() + Send + 'static) -> Result<Self> {
        Self::with_debounce(path, DEFAULT_DEBOUNCE, on_change)
    }

    /// Watches `path`, calling `on_change` once the file has been quiet for `debounce` after a
    /// change. The file's directory is watched, so the file need not exist yet, and a file
    /// replaced by a rename is seen.
    ///
    /// # Errors
    ///
    /// [`Error::Watch`] when the watcher or its thread cannot start (the directory does not
    /// exist, no more inotify watches).
    pub fn with_debounce(
        path: impl AsRef<Path>,
        debounce: Duration,
        mut on_change: impl FnMut() + Send + 'static,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let watch_error = |e: notify::Error| Error::Watch {
            path: path.clone(),
            message: e.to_string(),
        };
        let name = path.file_name().map(ToOwned::to_owned);
        let directory = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (changes, changed) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                let relevant = matches!(
                    event.kind,
                    EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any
                ) && event
                    .paths
                    .iter()
                    .any(|p| p.file_name().map(ToOwned::to_owned) == name);
                if relevant {
                    // The thread is gone only when the watch is.
                    let _ = changes.send(());
                }
            })
            .map_err(watch_error)?;
        watcher
            .watch(&directory, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        std::thread::Builder::new()
            .name(format!("tairitsu-watch {}", path.display()))
            .spawn(move || {
                while changed.recv().is_ok() {
                    loop {
                        match changed.recv_timeout(debounce) {
                            Ok(()) => continue,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    on_change();
                }
            })
            .map_err(|e| Error::Watch {
                path: path.clone(),
                message: format!("cannot start the watching thread: {e}"),
            })?;
        Ok(FileWatch {
            path,
            _watcher: watcher,
        })
    }

    /// The file watched.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for FileWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileWatch")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
