//! Pushing: the component layer (streamed, unless the registry has it), the config with the
//! world summary, then the manifest with its creation time, to a tag.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::stream;
use oci_client::RegistryOperation;

use super::artifact::{OCI_MANIFEST_MEDIA_TYPE, WasmConfig, manifest, sha256};
use super::client::{Direction, Progress, RegistryClient};
use super::error::Context;
use super::reference::RemoteRef;
use crate::store::ImageStore;
use crate::{Error, Image, Result};

/// How much of a layer goes in one piece of the upload stream (and one progress report).
const CHUNK: usize = 256 << 10;

/// What a push did, as `docker push` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// Where it went, with its tag.
    pub reference: RemoteRef,
    /// The manifest's digest: what to pull by to get exactly this image.
    pub manifest_digest: String,
    /// The manifest's size in bytes.
    pub manifest_size: usize,
    /// The component layer's digest, the image's [`digest`](Image::digest).
    pub layer_digest: String,
    /// The component's size in bytes.
    pub layer_size: usize,
    /// Whether the registry had the layer already (it was not uploaded again).
    pub layer_existed: bool,
}

impl Pushed {
    /// `registry/repository@sha256:<manifest>`: the reference that pins this push.
    pub fn repo_digest(&self) -> String {
        format!("{}@{}", self.reference.name(), self.manifest_digest)
    }
}

impl RegistryClient {
    /// Pushes `image` as a Wasm artifact to `reference`, a tag (`localhost:5000/calc:1.0`;
    /// without a tag, `:latest`; without a registry host, Docker Hub).
    ///
    /// The layer is the component's bytes (`application/wasm`, digest [`Image::digest`]), the
    /// config an `application/vnd.wasm.config.v0+json` with the world's imports and exports
    /// and the creation time, which the manifest also carries as the
    /// `org.opencontainers.image.created` annotation. A layer the registry already has is not
    /// uploaded again.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`] for a reference that is not a tag; [`Error::Registry`] with
    /// what the registry did.
    pub async fn push(&self, image: &Image, reference: &str) -> Result<Pushed> {
        let remote = RemoteRef::parse_with_defaults(reference)?;
        if remote.digest().is_some() {
            return Err(Error::InvalidReference {
                reference: reference.to_string(),
                reason: "a push goes to a tag, as in `localhost:5000/calc:1.0`, not to a digest",
            });
        }
        let credentials = self.credentials_for(remote.registry());
        let context = Context {
            registry: remote.registry(),
            repository: remote.repository(),
            reference: remote.short(),
            operation: "pushing to",
            with_credentials: !credentials.is_anonymous(),
        };
        let classify = |e| Error::Registry(context.classify(e));
        let oci = self.connect(&remote)?;
        let auth = credentials.to_oci();
        let target = remote.to_oci();
        oci.auth(&target, &auth, RegistryOperation::Push)
            .await
            .map_err(classify)?;

        let created = creation_time();
        let layer_digest = image.digest();
        let layer = bytes::Bytes::copy_from_slice(image.bytes());
        let layer_size = layer.len();
        let layer_existed = oci
            .blob_exists(&target, &layer_digest)
            .await
            .map_err(classify)?;
        if !layer_existed {
            let chunks = upload_chunks(layer, layer_digest.clone(), self.clone());
            oci.push_blob_stream(&target, chunks, &layer_digest, Some(layer_size as u64))
                .await
                .map_err(classify)?;
        }

        let config = serde_json::to_vec(&WasmConfig::for_image(image, &created))
            .map_err(|e| Error::Config(format!("cannot write the artifact config: {e}")))?;
        let config_digest = sha256(&config);
        if !oci
            .blob_exists(&target, &config_digest)
            .await
            .map_err(classify)?
        {
            oci.push_blob(&target, config.clone(), &config_digest)
                .await
                .map_err(classify)?;
        }

        let manifest = manifest(&config, &layer_digest, layer_size, &created);
        let body = serde_json::to_vec(&manifest)
            .map_err(|e| Error::Config(format!("cannot write the manifest: {e}")))?;
        let manifest_digest = sha256(&body);
        let manifest_size = body.len();
        oci.push_manifest_raw(
            &target,
            body,
            reqwest::header::HeaderValue::from_static(OCI_MANIFEST_MEDIA_TYPE),
        )
        .await
        .map_err(classify)?;
        Ok(Pushed {
            reference: remote,
            manifest_digest,
            manifest_size,
            layer_digest,
            layer_size,
            layer_existed,
        })
    }
}

/// The layer as a stream of pieces, each reported as progress when the upload takes it.
fn upload_chunks(
    layer: bytes::Bytes,
    digest: String,
    client: RegistryClient,
) -> impl futures_util::Stream<Item = oci_client::errors::Result<bytes::Bytes>> + Send + 'static {
    let total = layer.len() as u64;
    let pieces: Vec<bytes::Bytes> = (0..layer.len())
        .step_by(CHUNK)
        .map(|start| layer.slice(start..(start + CHUNK).min(layer.len())))
        .collect();
    let mut done = 0u64;
    stream::iter(pieces.into_iter().map(move |piece| {
        done += piece.len() as u64;
        client.report(Progress {
            direction: Direction::Push,
            digest: &digest,
            done,
            total,
        });
        Ok(piece)
    }))
}

impl<T: Send + 'static> ImageStore<T> {
    /// Pushes the stored image `image` (a reference or a digest, as
    /// [`ImageStore::image`] takes it) to `reference`, as [`RegistryClient::push`] does, and
    /// records the registry digest in [`StoredImage::repo_digests`](crate::StoredImage).
    ///
    /// # Errors
    ///
    /// As [`ImageStore::image`] and [`RegistryClient::push`].
    pub async fn push(
        &self,
        image: &str,
        reference: &str,
        client: &RegistryClient,
    ) -> Result<Pushed> {
        let image = self.image(image)?;
        let pushed = client.push(&image, reference).await?;
        self.record_repo_digest(&image.digest(), &pushed.repo_digest())?;
        Ok(pushed)
    }
}

/// The creation time a push records: `SOURCE_DATE_EPOCH` when set (the reproducible-builds
/// convention), so that pushing the same bytes twice gives the same manifest digest; else now.
fn creation_time() -> String {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|secs| secs.trim().parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
