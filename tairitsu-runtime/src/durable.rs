//! Writes that survive a crash: the bytes go to a temporary file that its writer holds locked,
//! the file is synced, renamed into place, and the directory is synced, so that after a power
//! loss or a kill the target holds either its old or its new content, never part of it.
//! Temporary files whose writer died (nobody holds their lock any more) are removed by the next
//! writer.

use std::fs::{File, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The prefix of every temporary file, in the image store and the artifact cache.
pub(crate) const TEMP_PREFIX: &str = ".tmp-";

/// A temporary file in the directory of its target, locked by this process until it is renamed
/// into place or dropped (which deletes it).
pub(crate) struct TempFile {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl TempFile {
    /// Creates `<dir>/.tmp-<pid>-<n>` and locks it.
    pub(crate) fn create(dir: &Path) -> io::Result<TempFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        loop {
            let path = dir.join(format!(
                "{TEMP_PREFIX}{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let file = match File::options().write(true).create_new(true).open(&path) {
                Ok(file) => file,
                // A leftover of an earlier process that had this pid.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            };
            let temp = TempFile {
                path,
                file,
                persisted: false,
            };
            temp.file.lock()?;
            return Ok(temp);
        }
    }

    /// The open file, to write to.
    pub(crate) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Syncs the file, renames it to `target` and syncs the directory.
    pub(crate) fn persist(mut self, target: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        #[cfg(test)]
        crash_point(target);
        std::fs::rename(&self.path, target)?;
        self.persisted = true;
        sync_dir(target.parent().unwrap_or(Path::new(".")))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Replaces `target` with `bytes`, through a temporary file in `dir` (on the same file system).
pub(crate) fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = TempFile::create(dir)?;
    temp.file().write_all(bytes)?;
    temp.persist(target)
}

/// Makes a rename or a removal in `dir` durable. On Windows, std offers no directory handle to
/// sync: there the rename is as durable as the file system makes it.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Deletes the temporary files in `dir` that nobody holds locked: those of writers that died
/// between creating and renaming them. Returns how many went; a file that cannot be opened or
/// deleted is left for a later try.
pub(crate) fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let is_temp = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(TEMP_PREFIX));
        if !is_temp {
            continue;
        }
        let path = entry.path();
        let Ok(file) = File::options().write(true).open(&path) else {
            continue;
        };
        match file.try_lock() {
            Ok(()) => {
                if std::fs::remove_file(&path).is_ok() {
                    tracing::debug!("removed {}, left by a writer that died", path.display());
                    removed += 1;
                }
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                tracing::debug!("cannot check {}: {e}", path.display());
            }
        }
    }
    removed
}

/// The variable naming the target file before whose rename a test process stops, and the
/// one naming the file it creates to say it has stopped there.
#[cfg(test)]
pub(crate) const CRASH_AT_ENV: &str = "TAIRITSU_TEST_CRASH_AT";
#[cfg(test)]
pub(crate) const CRASH_MARKER_ENV: &str = "TAIRITSU_TEST_CRASH_MARKER";

/// In a test process started with [`CRASH_AT_ENV`] set to `target`'s file name (`refs`, or
/// `<hex>.wasm`), signals through the marker file and waits to be killed, between the write and
/// the rename.
#[cfg(test)]
fn crash_point(target: &Path) {
    let Some(name) = std::env::var_os(CRASH_AT_ENV) else {
        return;
    };
    if target.file_name() != Some(name.as_os_str()) {
        return;
    }
    if let Some(marker) = std::env::var_os(CRASH_MARKER_ENV) {
        let _ = std::fs::write(marker, b"stopped before the rename");
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_writers_go_and_live_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // A leftover nobody holds (its writer is gone) and one this process is writing.
        std::fs::write(dir.join(".tmp-999999-0"), b"half").unwrap();
        let mut live = TempFile::create(dir).unwrap();
        live.file().write_all(b"in progress").unwrap();
        std::fs::write(dir.join("refs"), b"kept").unwrap();

        assert_eq!(remove_leftovers(dir), 1);
        assert!(!dir.join(".tmp-999999-0").exists());
        assert!(live.path.exists(), "a file being written is not a leftover");
        assert!(dir.join("refs").exists());

        live.persist(&dir.join("target")).unwrap();
        assert_eq!(std::fs::read(dir.join("target")).unwrap(), b"in progress");
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_dropped_temp_file_is_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let temp = TempFile::create(tmp.path()).unwrap();
        let path = temp.path.clone();
        assert!(path.exists());
        drop(temp);
        assert!(!path.exists());
    }
}
