//! Why the artifact cache may be trusted with native code: a directory only its user can write,
//! and a per-user key that seals every artifact.
//!
//! An artifact is machine code that the next process maps and runs, so whoever can write one
//! chooses what that process executes. Two checks keep that to the user who owns the cache:
//!
//! 1. **The directory** is created `0700` and, on Unix, refused when it belongs to another user
//!    or lets group or others write to it ([`CacheProblem`]). This stops other users on a shared
//!    machine from planting artifacts.
//! 2. **The seal**: every artifact ends with an HMAC-SHA256 tag over the component's digest, the
//!    engine's compatibility hash and the artifact's bytes, keyed by 32 random bytes in the
//!    cache's `key` file (`0600`, read once when the cache opens). An artifact that does not
//!    carry this key's tag for that digest is never deserialized: one copied in from another
//!    machine's or user's cache, one renamed to another digest, one altered after the directory
//!    was checked (a directory swapped through a writable parent, a restored backup). The bytes
//!    checked are the bytes deserialized, so there is no window between check and use.
//!
//! Neither protects against the user's own account: whoever runs as the user can read the key,
//! and could as well change the host program itself.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The name of the key file in the cache directory.
pub(crate) const KEY_FILE: &str = "key";
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 32;
/// Separates the sealed fields, and versions the seal.
const SEAL_CONTEXT: &[u8] = b"tairitsu compiled artifact v1\0";

/// Why a cache directory or its key file is refused (the `problem` of
/// [`Error::UnsafeCache`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CacheProblem {
    /// The cache path is not a directory.
    #[error("it is not a directory")]
    NotADirectory,
    /// The key file is not a regular file.
    #[error("the key file is not a regular file")]
    KeyNotAFile,
    /// Another user owns it: that user could replace the artifacts.
    #[error(
        "it belongs to uid {owner}, not to this process's uid {uid}; use a directory of your own"
    )]
    OwnedByAnotherUser {
        /// The owner's uid.
        owner: u32,
        /// This process's effective uid.
        uid: u32,
    },
    /// Its mode lets group or others write to it: they could plant artifacts.
    #[error("its mode {mode:04o} lets other users write to it; `chmod go-w` it")]
    WritableByOthers {
        /// The permission bits.
        mode: u32,
    },
    /// The key file's mode lets group or others read or write it.
    #[error("the key file's mode {mode:04o} lets other users read or write it; `chmod 600` it")]
    KeyOpenToOthers {
        /// The permission bits.
        mode: u32,
    },
    /// The key file does not hold a key (it was truncated or replaced).
    #[error(
        "the key file holds {len} bytes, not a {KEY_LEN}-byte key; delete it to make a new one"
    )]
    DamagedKey {
        /// Its length.
        len: u64,
    },
}

fn unsafe_cache(path: &Path, problem: CacheProblem) -> Error {
    Error::UnsafeCache {
        path: path.to_path_buf(),
        problem,
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (and missing parents) private to the user, `0700` on Unix.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io(dir))
}

/// Checks that only this user can write `dir`.
///
/// # Errors
///
/// [`Error::UnsafeCache`] when it is not a directory, belongs to another user, or is writable
/// by group or others (on Unix; elsewhere only the seal protects the artifacts).
pub(crate) fn check_private_dir(dir: &Path) -> Result<()> {
    let meta = std::fs::metadata(dir).map_err(io(dir))?;
    if !meta.is_dir() {
        return Err(unsafe_cache(dir, CacheProblem::NotADirectory));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = rustix::process::geteuid().as_raw();
        if meta.uid() != uid {
            return Err(unsafe_cache(
                dir,
                CacheProblem::OwnedByAnotherUser {
                    owner: meta.uid(),
                    uid,
                },
            ));
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(unsafe_cache(dir, CacheProblem::WritableByOthers { mode }));
        }
    }
    Ok(())
}

/// The key that seals the artifacts of one cache directory.
pub(crate) struct ArtifactKey([u8; KEY_LEN]);

impl ArtifactKey {
    /// Reads the key of `dir`, making one first when there is none (then the flag is true).
    /// Two processes that make one at once agree on the first that lands (the second is never
    /// linked into place).
    pub(crate) fn open_or_create(dir: &Path) -> Result<(Self, bool)> {
        let path = dir.join(KEY_FILE);
        match std::fs::File::open(&path) {
            Ok(file) => return Ok((Self::read(&path, file)?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e)),
        }
        let made = Self::create(dir, &path)?;
        let file = std::fs::File::open(&path).map_err(io(&path))?;
        Ok((Self::read(&path, file)?, made))
    }

    fn read(path: &Path, mut file: std::fs::File) -> Result<Self> {
        // The checks are on the open file, so they are about the bytes read below.
        let meta = file.metadata().map_err(io(path))?;
        if !meta.is_file() {
            return Err(unsafe_cache(path, CacheProblem::KeyNotAFile));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let uid = rustix::process::geteuid().as_raw();
            if meta.uid() != uid {
                return Err(unsafe_cache(
                    path,
                    CacheProblem::OwnedByAnotherUser {
                        owner: meta.uid(),
                        uid,
                    },
                ));
            }
            let mode = meta.mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(unsafe_cache(path, CacheProblem::KeyOpenToOthers { mode }));
            }
        }
        if meta.len() != KEY_LEN as u64 {
            return Err(unsafe_cache(
                path,
                CacheProblem::DamagedKey { len: meta.len() },
            ));
        }
        let mut key = [0; KEY_LEN];
        file.read_exact(&mut key).map_err(io(path))?;
        Ok(Self(key))
    }

    /// Writes a new random key to a private temporary file and links it into place, so that
    /// the key file is never seen half written and an existing one is never replaced. Answers
    /// whether this key is the one that landed.
    fn create(dir: &Path, path: &Path) -> Result<bool> {
        let mut key = [0; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| io(path)(std::io::Error::other(e)))?;
        let tmp: PathBuf = dir.join(format!(
            ".{KEY_FILE}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            std::io::Write::write_all(&mut file, &key)?;
            file.sync_all()?;
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                // A file system without hard links: a rename can only lose a race, which costs
                // the loser's artifacts a recompilation.
                Err(_) => std::fs::rename(&tmp, path).map(|()| true),
            }
        })();
        let _ = std::fs::remove_file(&tmp);
        written.map_err(io(path))
    }

    /// `artifact` with its tag for `digest` and `engine_hash` appended.
    pub(crate) fn seal(&self, digest: &str, engine_hash: u64, mut artifact: Vec<u8>) -> Vec<u8> {
        let tag = self.tag(digest, engine_hash, &artifact);
        artifact.extend_from_slice(&tag);
        artifact
    }

    /// The artifact inside `sealed`, when its tag is this key's for `digest` and
    /// `engine_hash`.
    pub(crate) fn open<'a>(
        &self,
        digest: &str,
        engine_hash: u64,
        sealed: &'a [u8],
    ) -> Option<&'a [u8]> {
        let (artifact, tag) = sealed.split_at_checked(sealed.len().checked_sub(TAG_LEN)?)?;
        let expected = self.tag(digest, engine_hash, artifact);
        // Compared without an early exit, so that the time taken says nothing about the tag.
        let difference = expected
            .iter()
            .zip(tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        (difference == 0).then_some(artifact)
    }

    fn tag(&self, digest: &str, engine_hash: u64, artifact: &[u8]) -> [u8; TAG_LEN] {
        let digest_len = (digest.len() as u64).to_le_bytes();
        hmac_sha256(
            &self.0,
            &[
                SEAL_CONTEXT,
                &digest_len,
                digest.as_bytes(),
                &engine_hash.to_le_bytes(),
                artifact,
            ],
        )
    }
}

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts`. Written over `sha2` rather than taken
/// from the `hmac` crate: that crate turns on `digest`'s `mac` feature, and `digest` is under
/// `sha2`, which Cranelift and wasmtime use, so the whole engine would be rebuilt for it.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let case = |key: &[u8], data: &[u8], expected: &str| {
            assert_eq!(hex::encode(hmac_sha256(key, &[data])), expected);
            // Split anywhere, the parts are one message.
            let (a, b) = data.split_at(data.len() / 2);
            assert_eq!(hex::encode(hmac_sha256(key, &[a, b])), expected);
        };
        // Test cases 1, 2 and 6 (a key longer than the block).
        case(
            &[0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        );
        case(
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        );
        case(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        );
    }

    #[test]
    fn a_seal_opens_only_with_its_key_digest_and_engine() {
        let key = ArtifactKey([7; KEY_LEN]);
        let sealed = key.seal("abc", 1, b"machine code".to_vec());
        assert_eq!(key.open("abc", 1, &sealed), Some(&b"machine code"[..]));
        assert_eq!(key.open("abd", 1, &sealed), None);
        assert_eq!(key.open("abc", 2, &sealed), None);
        assert_eq!(ArtifactKey([8; KEY_LEN]).open("abc", 1, &sealed), None);
        let mut flipped = sealed.clone();
        flipped[3] ^= 1;
        assert_eq!(key.open("abc", 1, &flipped), None);
        let last = flipped.len() - 1;
        let mut flipped = sealed.clone();
        flipped[last] ^= 0x80;
        assert_eq!(key.open("abc", 1, &flipped), None);
        assert_eq!(key.open("abc", 1, &sealed[..TAG_LEN - 1]), None);
        assert_eq!(key.open("abc", 1, b""), None);
    }
}
