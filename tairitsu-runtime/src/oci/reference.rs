//! References to images in registries, as registries write them: `ghcr.io/org/plugin:1.0`,
//! `localhost:5000/plugin@sha256:…`, with Docker's defaults where they apply.

use std::fmt;

use crate::Error;
use crate::reference::{ImageRef, is_full_hex, split_registry};

/// Docker Hub, as references name it.
pub const DOCKER_HUB: &str = "docker.io";

/// An image in a registry: registry host, repository, and a tag, a digest or both.
///
/// [`RemoteRef::parse`] reads only references that name their registry (the first part is a
/// host: it has a `.` or a `:`, or it is `localhost`), so a local `name:tag` is never taken for
/// a remote one. [`RemoteRef::parse_with_defaults`] applies Docker's defaults to the others
/// (`plugin` is `docker.io/library/plugin:latest`), for commands that only talk to registries.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::oci::RemoteRef;
///
/// let r = RemoteRef::parse("localhost:5000/calc:1.0")?;
/// assert_eq!((r.registry(), r.repository(), r.tag()), ("localhost:5000", "calc", Some("1.0")));
/// assert!(RemoteRef::parse("calc:1.0").is_err()); // a local reference
///
/// let r = RemoteRef::parse_with_defaults("calc")?;
/// assert_eq!(r.to_string(), "docker.io/library/calc:latest");
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl RemoteRef {
    /// Reads a reference that names its registry: `host[:port]/repository[:tag][@sha256:…]`.
    /// Without a tag or a digest the tag is `latest`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`] when the text has no registry host (it is a local
    /// reference) or is not a valid reference.
    pub fn parse(text: &str) -> Result<RemoteRef, Error> {
        Self::read(text, false)
    }

    /// Reads a reference with Docker's defaults: a reference without a registry host is on
    /// [Docker Hub](DOCKER_HUB), whose one-part repositories are under `library/`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`] when the text is not a valid reference.
    pub fn parse_with_defaults(text: &str) -> Result<RemoteRef, Error> {
        Self::read(text, true)
    }

    /// Whether `text` is a reference to a registry by [`RemoteRef::parse`]'s rule (it names a
    /// registry host), as opposed to a local reference, a digest or a file.
    pub fn is_remote(text: &str) -> bool {
        Self::parse(text).is_ok()
    }

    fn read(text: &str, defaults: bool) -> Result<RemoteRef, Error> {
        let invalid = |reason| Error::InvalidReference {
            reference: text.to_string(),
            reason,
        };
        let (named, digest) = match text.split_once('@') {
            Some((named, digest)) => {
                let hex = digest
                    .strip_prefix("sha256:")
                    .ok_or_else(|| invalid("a digest is `sha256:` and 64 hex digits"))?;
                if !is_full_hex(hex) {
                    return Err(invalid("a digest is `sha256:` and 64 hex digits"));
                }
                (named, Some(format!("sha256:{}", hex.to_ascii_lowercase())))
            }
            None => (text, None),
        };
        let has_tag = named
            .rsplit_once('/')
            .map_or(named, |(_, last)| last)
            .contains(':');
        let parsed: ImageRef = named.parse()?;
        let tag = (has_tag || digest.is_none()).then(|| parsed.tag().to_string());
        let (registry, repository) = match split_registry(parsed.name()) {
            (Some(host), path) => (canonical_host(host).to_string(), path.to_string()),
            (None, _) if !defaults => {
                return Err(invalid(
                    "it names no registry; write the registry host first, as in \
                     `localhost:5000/calc:1.0` or `ghcr.io/org/calc:1.0`",
                ));
            }
            (None, path) => (DOCKER_HUB.to_string(), path.to_string()),
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Ok(RemoteRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry host and port: `localhost:5000`, `ghcr.io`, `docker.io`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository in the registry: `org/plugin`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if the reference has one (`latest` when it has neither tag nor digest).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The manifest digest, `sha256:…`, if the reference pins one.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The same image, pinned to a manifest digest (and without a tag).
    pub fn with_digest(&self, digest: &str) -> RemoteRef {
        RemoteRef {
            tag: None,
            digest: Some(digest.to_string()),
            ..self.clone()
        }
    }

    /// `registry/repository`: the name of the image in the store.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The store reference a pull by tag writes, `registry/repository:tag`; `None` for a
    /// reference by digest alone.
    pub fn store_reference(&self) -> Option<ImageRef> {
        let tag = self.tag.as_deref()?;
        format!("{}:{tag}", self.name()).parse().ok()
    }

    /// `registry/repository@sha256:…`, when the reference pins a digest.
    pub fn repo_digest(&self) -> Option<String> {
        Some(format!("{}@{}", self.name(), self.digest.as_deref()?))
    }

    /// What an error message names: `repository:tag` or `repository@digest`.
    pub(crate) fn short(&self) -> String {
        match (&self.tag, &self.digest) {
            (_, Some(digest)) => format!("{}@{digest}", self.repository),
            (Some(tag), None) => format!("{}:{tag}", self.repository),
            (None, None) => self.repository.clone(),
        }
    }

    /// Whether the registry is on this machine (`localhost`, `127.0.0.0/8`, `[::1]`), where
    /// plain HTTP is used: nothing leaves the machine.
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => self.registry.as_str(),
        };
        host == "localhost"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The reference as oci-client takes it.
    pub(crate) fn to_oci(&self) -> oci_client::Reference {
        match (&self.tag, &self.digest) {
            (Some(tag), Some(digest)) => oci_client::Reference::with_tag_and_digest(
                self.registry.clone(),
                self.repository.clone(),
                tag.clone(),
                digest.clone(),
            ),
            (None, Some(digest)) => oci_client::Reference::with_digest(
                self.registry.clone(),
                self.repository.clone(),
                digest.clone(),
            ),
            (tag, None) => oci_client::Reference::with_tag(
                self.registry.clone(),
                self.repository.clone(),
                tag.clone().unwrap_or_else(|| "latest".into()),
            ),
        }
    }
}

/// Docker Hub's other names are Docker Hub.
fn canonical_host(host: &str) -> &str {
    match host {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB,
        other => other,
    }
}

impl fmt::Display for RemoteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_as_registries_write_them() {
        let hex = "ab".repeat(32);
        let r = RemoteRef::parse("ghcr.io/org/plugin:1.0").unwrap();
        assert_eq!(
            (r.registry(), r.repository(), r.tag(), r.digest()),
            ("ghcr.io", "org/plugin", Some("1.0"), None)
        );
        assert_eq!(r.to_string(), "ghcr.io/org/plugin:1.0");
        assert_eq!(
            r.store_reference().unwrap().to_string(),
            "ghcr.io/org/plugin:1.0"
        );

        let r = RemoteRef::parse(&format!("localhost:5000/plugin@sha256:{hex}")).unwrap();
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.tag(), None);
        assert_eq!(r.digest(), Some(format!("sha256:{hex}").as_str()));
        assert_eq!(r.store_reference(), None);
        assert_eq!(
            r.repo_digest().unwrap(),
            format!("localhost:5000/plugin@sha256:{hex}")
        );
        assert!(r.is_loopback());

        let r = RemoteRef::parse(&format!("127.0.0.1:5000/a/b:v2@sha256:{hex}")).unwrap();
        assert_eq!((r.tag(), r.repository()), (Some("v2"), "a/b"));
        assert!(r.is_loopback());
        assert_eq!(r.to_oci().to_string(), r.to_string());

        let r = RemoteRef::parse("localhost/plugin").unwrap();
        assert_eq!(r.to_string(), "localhost/plugin:latest");
        assert!(!RemoteRef::parse("ghcr.io/x").unwrap().is_loopback());
        assert!(
            !RemoteRef::parse("127.0.0.1.example.com/x")
                .unwrap()
                .is_loopback()
        );
    }

    #[test]
    fn docker_defaults_apply_only_when_asked() {
        for local in ["calc", "calc:1.0", "org/calc:1.0", "my.plugin:1.0"] {
            assert!(!RemoteRef::is_remote(local), "{local}");
        }
        let r = RemoteRef::parse_with_defaults("calc").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/calc:latest");
        let r = RemoteRef::parse_with_defaults("org/calc:1.0").unwrap();
        assert_eq!(r.to_string(), "docker.io/org/calc:1.0");
        let r = RemoteRef::parse("index.docker.io/org/calc").unwrap();
        assert_eq!(r.to_string(), "docker.io/org/calc:latest");
        let r = RemoteRef::parse("docker.io/calc").unwrap();
        assert_eq!(r.repository(), "library/calc");
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "localhost:5000/Calc",
            "localhost:5000/calc@sha256:abc",
            "localhost:5000/calc@md5:abc",
            "localhost:5000/",
        ] {
            let err = RemoteRef::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidReference { .. }),
                "{bad}: {err}"
            );
        }
    }
}
