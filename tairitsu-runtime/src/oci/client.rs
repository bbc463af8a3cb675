//! The client side of a registry: which credentials, plain HTTP or TLS, timeouts, and who
//! hears of progress.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};

use super::auth::{Credentials, DockerConfig};
use super::error::RegistryError;
use super::reference::RemoteRef;

/// The `User-Agent` registries see.
const USER_AGENT: &str = concat!("tairitsu/", env!("CARGO_PKG_VERSION"));

/// How Tairitsu talks to OCI registries: the credentials to use, whether plain HTTP is allowed,
/// and a progress callback. Build one, then pass it to [`ImageStore::pull`](crate::ImageStore::pull)
/// and [`ImageStore::push`](crate::ImageStore::push). Cloning is cheap.
///
/// Credentials come from [`credentials`](Self::credentials) when given (for every registry),
/// else from the [Docker configuration](Self::docker_config) entry of the registry, else none.
///
/// TLS is always used, with the system's root certificates (`SSL_CERT_FILE` and `SSL_CERT_DIR`
/// replace them, as for OpenSSL) and any [added](Self::root_certificate), except for registries
/// on this machine (`localhost`, `127.0.0.0/8`), which are reached over plain HTTP unless
/// [`tls_on_loopback`](Self::tls_on_loopback) says otherwise: nothing leaves the machine.
/// [`insecure`](Self::insecure) allows plain HTTP to any registry. Digests are verified either
/// way, which protects an image pulled by digest; an image pulled by tag over plain HTTP is only
/// as trustworthy as the network.
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::ImageStore;
/// use tairitsu_runtime::oci::{Credentials, RegistryClient};
///
/// # async fn pull() -> Result<(), tairitsu_runtime::Error> {
/// let store = ImageStore::open("images")?;
/// let client = RegistryClient::new().credentials(Credentials::basic("ada", "s3cret"));
/// let stored = store.pull("ghcr.io/org/calc:1.0", &client).await?;
/// println!("{} {:?}", stored.digest, stored.repo_digests);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct RegistryClient {
    credentials: Option<Credentials>,
    docker_config: Option<DockerConfig>,
    insecure: bool,
    tls_on_loopback: bool,
    root_certificates: Vec<Vec<u8>>,
    timeout: Option<Duration>,
    progress: Option<ProgressCallback>,
}

/// What [`RegistryClient::on_progress`] keeps.
type ProgressCallback = Arc<dyn Fn(&Progress<'_>) + Send + Sync>;

/// How far a blob transfer is, as [`RegistryClient::on_progress`] hears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// Pulling or pushing.
    pub direction: Direction,
    /// The blob's digest, `sha256:…`.
    pub digest: &'a str,
    /// Bytes transferred so far.
    pub done: u64,
    /// The blob's size.
    pub total: u64,
}

/// Which way a blob goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the registry.
    Pull,
    /// To the registry.
    Push,
}

impl RegistryClient {
    /// No credentials, TLS except on this machine, no progress callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses these credentials for every registry (instead of the Docker configuration's).
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Uses the `auths` of a Docker configuration for registries that have an entry there
    /// (see [`DockerConfig::load_default`]).
    #[must_use]
    pub fn docker_config(mut self, config: DockerConfig) -> Self {
        self.docker_config = Some(config);
        self
    }

    /// Allows plain HTTP to every registry, not only those on this machine: what is
    /// transferred can then be read, and (for a pull by tag) changed, by anyone on the way.
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// Uses TLS for registries on this machine too (by default they are reached over plain
    /// HTTP), for a local registry that only serves HTTPS. [`insecure`](Self::insecure) wins.
    #[must_use]
    pub fn tls_on_loopback(mut self, tls: bool) -> Self {
        self.tls_on_loopback = tls;
        self
    }

    /// Trusts this certificate (PEM; a CA's or a registry's self-signed one) as a root, in
    /// addition to the system's, for every registry reached over TLS. A PEM that does not
    /// parse fails the first pull or push with [`RegistryError::Tls`].
    #[must_use]
    pub fn root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Fails a transfer that receives nothing for this long (default: 30 s). Connecting has
    /// its own limit of 10 s.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Calls `progress` as blobs are transferred (each chunk, from the task that transfers).
    #[must_use]
    pub fn on_progress(mut self, progress: impl Fn(&Progress<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The credentials for `registry`.
    pub fn credentials_for(&self, registry: &str) -> Credentials {
        if let Some(credentials) = &self.credentials {
            return credentials.clone();
        }
        self.docker_config
            .as_ref()
            .and_then(|config| config.credentials(registry))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether `reference` is reached over plain HTTP.
    pub fn uses_plain_http(&self, reference: &RemoteRef) -> bool {
        self.insecure || (reference.is_loopback() && !self.tls_on_loopback)
    }

    pub(crate) fn report(&self, progress: Progress<'_>) {
        if let Some(callback) = &self.progress {
            callback(&progress);
        }
    }

    /// An oci-client for the registry of `reference`.
    pub(crate) fn connect(
        &self,
        reference: &RemoteRef,
    ) -> Result<oci_client::Client, RegistryError> {
        // reqwest is built without a default crypto provider so that ring alone is compiled;
        // a provider the host installed first is kept.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let protocol = if self.uses_plain_http(reference) {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        };
        let extra_root_certificates = self
            .root_certificates
            .iter()
            .map(|pem| Certificate {
                encoding: CertificateEncoding::Pem,
                data: pem.clone(),
            })
            .collect();
        let config = ClientConfig {
            protocol,
            extra_root_certificates,
            // An image index is refused with a clear error instead of resolved to a platform.
            platform_resolver: None,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(self.timeout.unwrap_or(Duration::from_secs(30))),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let bad_certificate = !self.root_certificates.is_empty();
        oci_client::Client::try_from(config).map_err(|e| {
            // The one input that can make the client fail to build is a root certificate.
            if bad_certificate {
                RegistryError::Tls {
                    registry: reference.registry().to_string(),
                    source: Box::new(e),
                }
            } else {
                RegistryError::Protocol {
                    registry: reference.registry().to_string(),
                    message: format!("cannot set up the HTTP client: {e}"),
                }
            }
        })
    }
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("credentials", &self.credentials)
            .field(
                "docker_config",
                &self.docker_config.as_ref().and_then(DockerConfig::path),
            )
            .field("insecure", &self.insecure)
            .field("tls_on_loopback", &self.tls_on_loopback)
            .field("root_certificates", &self.root_certificates.len())
            .field("timeout", &self.timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}
