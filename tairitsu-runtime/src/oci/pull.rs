//! Pulling: the manifest (its digest checked), the one component layer (streamed to a
//! temporary file in the store, its size and sha256 checked), compiled, then put in place and
//! tagged in one step.

use std::io::Write;

use futures_util::StreamExt;
use oci_client::RegistryOperation;
use oci_client::manifest::OciDescriptor;
use sha2::{Digest, Sha256};

use super::artifact::{ACCEPTED_MANIFESTS, component_layer, sha256};
use super::client::{Direction, Progress, RegistryClient};
use super::error::{Context, RegistryError};
use super::reference::RemoteRef;
use crate::reference::is_full_hex;
use crate::store::{ImageStore, StoredImage};
use crate::{Error, Image, Result};

impl<T: Send + 'static> ImageStore<T> {
    /// Pulls a component from a registry into the store: `ghcr.io/org/calc:1.0`,
    /// `localhost:5000/calc@sha256:…` (a manifest digest), or, with Docker's defaults, `calc`
    /// (`docker.io/library/calc:latest`).
    ///
    /// The manifest must be a Wasm artifact (one `application/wasm` layer). The manifest is
    /// checked against the digest asked for (and the one the registry names), the layer against
    /// its size and digest, which is then the image's [`digest`](Image::digest); the component
    /// is compiled (or found in the artifact cache) before anything is stored. The store then
    /// holds it tagged `registry/repository:tag` (for a pull by tag) with its registry digest
    /// `registry/repository@sha256:<manifest>` in [`StoredImage::repo_digests`], and the image
    /// is in the store's registry. A layer the store already holds intact is not downloaded
    /// again.
    ///
    /// Nothing is stored when anything fails, and a download cut short leaves nothing but a
    /// temporary file that the next write to the store removes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`]; [`Error::Registry`] with a [`RegistryError`] saying what
    /// the registry did (unreachable, unauthorized, not found, not a Wasm artifact, a digest
    /// that does not match…); the errors of [`Image::from_bytes`] for a layer that is not a
    /// valid component; [`Error::Io`] when the store cannot be written.
    pub async fn pull(&self, reference: &str, client: &RegistryClient) -> Result<StoredImage> {
        let remote = RemoteRef::parse_with_defaults(reference)?;
        Ok(self.pull_remote(&remote, client).await?.0)
    }

    /// [`ImageStore::pull`] of a parsed reference, returning the image too.
    pub(crate) async fn pull_remote(
        &self,
        remote: &RemoteRef,
        client: &RegistryClient,
    ) -> Result<(StoredImage, Image)> {
        let credentials = client.credentials_for(remote.registry());
        let context = Context {
            registry: remote.registry(),
            repository: remote.repository(),
            reference: remote.short(),
            operation: "pulling",
            with_credentials: !credentials.is_anonymous(),
        };
        let oci = client.connect(remote)?;
        let auth = credentials.to_oci();
        let reference = remote.to_oci();
        // Asked first so that its failure is told: inside a pull, oci-client drops the error
        // of a token request and goes on without a token, so a token server that is down or
        // refuses would read as the registry's 401.
        oci.auth(&reference, &auth, RegistryOperation::Pull)
            .await
            .map_err(|e| context.classify(e))?;
        let (body, manifest_digest) = oci
            .pull_manifest_raw(&reference, &auth, ACCEPTED_MANIFESTS)
            .await
            .map_err(|e| context.classify(e))?;
        // oci-client checks the body against the registry's `Docker-Content-Digest`; the
        // digest asked for is the promise of a pull by digest, so check it here too.
        let actual = sha256(&body);
        if let Some(expected) = remote.digest()
            && actual != expected
        {
            return Err(RegistryError::DigestMismatch {
                what: "manifest",
                reference: remote.to_string(),
                expected: expected.to_string(),
                actual,
            }
            .into());
        }
        let layer = component_layer(&body).map_err(|found| RegistryError::NotAWasmArtifact {
            reference: remote.to_string(),
            found,
        })?;
        let digest = layer.digest.to_ascii_lowercase();
        let size = u64::try_from(layer.size).ok();
        let (Some(size), true) = (
            size,
            digest.strip_prefix("sha256:").is_some_and(is_full_hex),
        ) else {
            return Err(RegistryError::NotAWasmArtifact {
                reference: remote.to_string(),
                found: format!(
                    "its layer is described as `{}` of {} bytes; a sha256 digest and a size are \
                     needed",
                    layer.digest, layer.size
                ),
            }
            .into());
        };

        let (bytes, blob) = match self.intact_blob(&digest) {
            Some(bytes) => (bytes, None),
            None => {
                // Never follow a manifest's `urls` to other hosts.
                let descriptor = OciDescriptor {
                    urls: None,
                    ..layer.clone()
                };
                let mut temp = self.temp_file()?;
                let stream = oci
                    .pull_blob_stream(&reference, &descriptor)
                    .await
                    .map_err(|e| context.classify(e))?;
                let bytes = download(stream, &mut temp, &digest, size, client, &context).await?;
                (bytes, Some(temp))
            }
        };
        let engine = self.registry().engine();
        let image = match self.registry().image(&digest) {
            Ok(image) => image,
            Err(_) => Image::from_bytes_with(engine, &bytes)?,
        };
        let repo_digest = format!("{}@{manifest_digest}", remote.name());
        let tag = remote.store_reference();
        let stored = self.commit(blob, image.clone(), tag.as_ref(), Some(&repo_digest))?;
        Ok((stored, image))
    }
}

/// Streams a layer into `temp`, checking that it is `size` bytes (never more) with sha256
/// `digest`; returns its bytes.
async fn download(
    mut stream: oci_client::client::SizedStream,
    temp: &mut crate::durable::TempFile,
    digest: &str,
    size: u64,
    client: &RegistryClient,
    context: &Context<'_>,
) -> Result<Vec<u8>> {
    let mismatch = |expected: String, actual: String| RegistryError::DigestMismatch {
        what: "component layer",
        reference: context.reference.clone(),
        expected,
        actual,
    };
    let mut hasher = Sha256::new();
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(64 << 20)).unwrap_or(0));
    let mut done = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| context.io(e))?;
        done += chunk.len() as u64;
        if done > size {
            return Err(mismatch(format!("{size} bytes"), "more".into()).into());
        }
        hasher.update(&chunk);
        temp.file().write_all(&chunk).map_err(|source| Error::Io {
            path: "a temporary file of the image store".into(),
            source,
        })?;
        bytes.extend_from_slice(&chunk);
        client.report(Progress {
            direction: Direction::Pull,
            digest,
            done,
            total: size,
        });
    }
    if done != size {
        return Err(mismatch(format!("{size} bytes"), format!("{done} bytes")).into());
    }
    let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
    if actual != digest {
        return Err(mismatch(digest.to_string(), actual).into());
    }
    Ok(bytes)
}
