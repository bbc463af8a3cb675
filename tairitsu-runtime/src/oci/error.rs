//! What can go wrong with a registry, told apart so that callers can act on it.

use oci_client::errors::{OciDistributionError, OciErrorCode};

/// The error of a cause kept with its type erased.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failed exchange with an OCI registry. Each variant says which registry and which image;
/// nothing of a failed pull is stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No connection could be made: the host does not resolve, nothing listens, the
    /// connection timed out or was reset before an answer.
    #[error("cannot reach the registry `{registry}`: {}", chain(source.as_ref()))]
    Unreachable {
        /// The registry host.
        registry: String,
        /// What the network said.
        #[source]
        source: BoxError,
    },

    /// The TLS handshake failed: an untrusted or expired certificate, a name mismatch, or a
    /// server that does not speak TLS.
    #[error("TLS with the registry `{registry}` failed: {}", chain(source.as_ref()))]
    Tls {
        /// The registry host.
        registry: String,
        /// What TLS said.
        #[source]
        source: BoxError,
    },

    /// The connection broke while a blob or a manifest was being transferred (the registry
    /// stopped, the network went down).
    #[error("the transfer from `{registry}` broke off: {}", chain(source.as_ref()))]
    Interrupted {
        /// The registry host.
        registry: String,
        /// What the network said.
        #[source]
        source: BoxError,
    },

    /// The registry refused access: 401 (no credentials, or wrong ones) or 403 (the
    /// credentials are not allowed to do this).
    #[error(
        "the registry `{registry}` refused {operation} `{repository}` ({status}{}): {}",
        if *status == 401 { " Unauthorized" } else { " Forbidden" },
        if *with_credentials {
            "the credentials given were not accepted"
        } else {
            "it wants credentials and none were given"
        }
    )]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// `pulling` or `pushing to`.
        operation: &'static str,
        /// 401 or 403.
        status: u16,
        /// Whether credentials were sent.
        with_credentials: bool,
    },

    /// The registry has no such repository, tag or digest.
    #[error("`{reference}` was not found in the registry `{registry}`")]
    NotFound {
        /// The registry host.
        registry: String,
        /// `repository:tag` or `repository@sha256:…`.
        reference: String,
    },

    /// The manifest is not a Wasm component artifact (config
    /// `application/vnd.wasm.config.v0+json`, one `application/wasm` layer): for example a
    /// Docker or OCI container image.
    #[error("`{reference}` is not a Wasm component: {found}")]
    NotAWasmArtifact {
        /// The reference pulled.
        reference: String,
        /// What the manifest holds instead.
        found: String,
    },

    /// Content does not match the digest it was asked for by, or its declared size: it was
    /// damaged or changed on the way or in the registry, and was refused.
    #[error(
        "the {what} of `{reference}` does not match its digest: expected {expected}, got {actual}"
    )]
    DigestMismatch {
        /// `manifest` or `component layer`.
        what: &'static str,
        /// The reference pulled.
        reference: String,
        /// The digest (or size) asked for.
        expected: String,
        /// What arrived.
        actual: String,
    },

    /// The registry answered something the distribution spec does not allow, or failed
    /// (a 5xx).
    #[error("the registry `{registry}` answered unexpectedly: {message}")]
    Protocol {
        /// The registry host.
        registry: String,
        /// What it answered.
        message: String,
    },
}

impl RegistryError {
    /// Whether the registry wants (other) credentials: a 401 or 403.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, RegistryError::Unauthorized { .. })
    }
}

/// What a failed call was doing, to name it in the error.
pub(crate) struct Context<'a> {
    pub(crate) registry: &'a str,
    pub(crate) repository: &'a str,
    pub(crate) reference: String,
    pub(crate) operation: &'static str,
    pub(crate) with_credentials: bool,
}

impl Context<'_> {
    /// Classifies an error of oci-client.
    pub(crate) fn classify(&self, error: OciDistributionError) -> RegistryError {
        let registry = self.registry.to_string();
        let unauthorized = |status| RegistryError::Unauthorized {
            registry: registry.clone(),
            repository: self.repository.to_string(),
            operation: self.operation,
            status,
            with_credentials: self.with_credentials,
        };
        let not_found = || RegistryError::NotFound {
            registry: registry.clone(),
            reference: self.reference.clone(),
        };
        let protocol = |message: String| RegistryError::Protocol {
            registry: registry.clone(),
            message,
        };
        match error {
            OciDistributionError::UnauthorizedError { .. } => unauthorized(401),
            OciDistributionError::AuthenticationFailure(_) => unauthorized(401),
            OciDistributionError::RegistryError { envelope, .. } => {
                let code = envelope.errors.first().map(|e| &e.code);
                match code {
                    Some(OciErrorCode::Unauthorized) => unauthorized(401),
                    Some(OciErrorCode::Denied) => unauthorized(403),
                    Some(
                        OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::NotFound
                        | OciErrorCode::BlobUnknown,
                    ) => not_found(),
                    _ => protocol(envelope.to_string()),
                }
            }
            OciDistributionError::ServerError { code, message, .. } => match code {
                401 => unauthorized(401),
                403 => unauthorized(403),
                404 => not_found(),
                _ => protocol(format!("HTTP {code}: {}", message.trim())),
            },
            OciDistributionError::ImageManifestNotFoundError(_) => not_found(),
            OciDistributionError::DigestError(e) => self.digest_mismatch("manifest", e),
            OciDistributionError::RequestError(e) => match e.status().map(|s| s.as_u16()) {
                Some(401) => unauthorized(401),
                Some(403) => unauthorized(403),
                Some(404) => not_found(),
                Some(code) => protocol(format!("HTTP {code}")),
                None => self.network(Box::new(e), false),
            },
            OciDistributionError::IoError(e) => self.io(e),
            other => protocol(other.to_string()),
        }
    }

    /// Classifies an error of a blob stream (oci-client wraps what reqwest and its digest
    /// check say in `io::Error`).
    pub(crate) fn io(&self, error: std::io::Error) -> RegistryError {
        if error.get_ref().is_none() {
            return self.network(Box::new(error), true);
        }
        // Start from the wrapped error: `io::Error::source` skips it.
        match error
            .into_inner()
            .map(|inner| inner.downcast::<oci_client::errors::DigestError>())
        {
            Some(Ok(digest)) => self.digest_mismatch("component layer", *digest),
            Some(Err(inner)) => self.network(inner, true),
            None => self.network("the connection failed".into(), true),
        }
    }

    fn digest_mismatch(
        &self,
        what: &'static str,
        error: oci_client::errors::DigestError,
    ) -> RegistryError {
        let (expected, actual) = match error {
            oci_client::errors::DigestError::VerificationError { expected, actual } => {
                (expected, actual)
            }
            other => (String::from("a sha256 digest"), other.to_string()),
        };
        RegistryError::DigestMismatch {
            what,
            reference: self.reference.clone(),
            expected,
            actual,
        }
    }

    /// A network failure: TLS when rustls is in the causes, else unreachable before any
    /// answer or interrupted during a transfer.
    pub(crate) fn network(&self, source: BoxError, transferring: bool) -> RegistryError {
        let registry = self.registry.to_string();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        let mut connect = false;
        while let Some(e) = cause {
            if e.is::<rustls::Error>() {
                return RegistryError::Tls { registry, source };
            }
            if let Some(e) = e.downcast_ref::<reqwest::Error>() {
                connect |= e.is_connect() || e.is_timeout();
            }
            // `io::Error::source` skips the error it wraps, which is where hyper puts
            // rustls' (a certificate refused during the handshake).
            cause = match e.downcast_ref::<std::io::Error>() {
                Some(io) => io
                    .get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static)),
                None => e.source(),
            };
        }
        if transferring && !connect {
            RegistryError::Interrupted { registry, source }
        } else {
            RegistryError::Unreachable { registry, source }
        }
    }
}

/// An error and its causes, `a: b: c`, skipping causes whose text their parent already shows.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}
