//! Credentials for registries: none, a user name and password, a token, or what
//! `~/.docker/config.json` holds for the registry (its plain `auths` entries).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;

use crate::{Error, Result};

/// How to authenticate to a registry.
///
/// With [`Credentials::Basic`] the client answers a registry's Basic challenge with them, and a
/// bearer-token registry's challenge (Docker Hub, GHCR, Harbor…) by asking its token service
/// for a token with them. [`Credentials::Anonymous`] gets an anonymous token from such a
/// registry, which is enough to pull public images.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// No credentials.
    #[default]
    Anonymous,
    /// A user name and a password (or an access token used as one).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token, sent as it is.
    Bearer(String),
}

impl Credentials {
    /// A user name and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Whether there are any.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Credentials::Anonymous)
    }

    pub(crate) fn to_oci(&self) -> RegistryAuth {
        match self {
            Credentials::Anonymous => RegistryAuth::Anonymous,
            Credentials::Basic { username, password } => {
                RegistryAuth::Basic(username.clone(), password.clone())
            }
            Credentials::Bearer(token) => RegistryAuth::Bearer(token.clone()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::Bearer(_) => f.debug_tuple("Bearer").field(&"<redacted>").finish(),
        }
    }
}

/// The credentials a Docker client configuration (`config.json`) holds for registries: its
/// `auths` entries (`auth` as base64 `user:password`, or `username` and `password`, or
/// `registrytoken`). Credential helpers (`credsStore`, `credHelpers`) are programs this does not
/// run; give their credentials explicitly instead.
#[derive(Debug, Clone, Default)]
pub struct DockerConfig {
    auths: BTreeMap<String, Credentials>,
    path: Option<PathBuf>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Deserialize)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    registrytoken: Option<String>,
}

impl DockerConfig {
    /// Where Docker keeps it: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    pub fn default_path() -> Option<PathBuf> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        var("DOCKER_CONFIG")
            .map(|dir| PathBuf::from(dir).join("config.json"))
            .or_else(|| {
                var("HOME")
                    .or_else(|| var("USERPROFILE"))
                    .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
            })
    }

    /// Reads the file at [`DockerConfig::default_path`]; a missing file holds no credentials.
    ///
    /// # Errors
    ///
    /// As [`DockerConfig::read`].
    pub fn load_default() -> Result<DockerConfig> {
        match Self::default_path() {
            Some(path) => Self::read(&path),
            None => Ok(DockerConfig::default()),
        }
    }

    /// Reads a `config.json`; a missing file holds no credentials.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when it cannot be read; [`Error::Config`] when it is not a Docker client
    /// configuration or an `auth` entry is not base64 of `user:password`.
    pub fn read(path: &Path) -> Result<DockerConfig> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(DockerConfig::default());
            }
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut config = Self::parse(&text)
            .map_err(|message| Error::Config(format!("{}: {message}", path.display())))?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Reads the text of a `config.json`.
    fn parse(text: &str) -> std::result::Result<DockerConfig, String> {
        let file: ConfigFile = serde_json::from_str(text)
            .map_err(|e| format!("not a Docker client configuration: {e}"))?;
        let mut auths = BTreeMap::new();
        for (key, entry) in file.auths {
            let credentials = if let Some(auth) = entry.auth.filter(|a| !a.is_empty()) {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok());
                match decoded.as_deref().and_then(|d| d.split_once(':')) {
                    Some((username, password)) => Credentials::basic(username, password),
                    None => {
                        return Err(format!(
                            "the `auth` of `{key}` is not base64 of `user:password`"
                        ));
                    }
                }
            } else if let (Some(username), Some(password)) = (entry.username, entry.password) {
                Credentials::basic(username, password)
            } else if let Some(token) = entry.registrytoken {
                Credentials::Bearer(token)
            } else {
                // An entry filled by a credential helper: nothing here to use.
                continue;
            };
            auths.insert(registry_of(&key).to_string(), credentials);
        }
        Ok(DockerConfig { auths, path: None })
    }

    /// The credentials for `registry` (`localhost:5000`, `ghcr.io`, `docker.io`), if any.
    pub fn credentials(&self, registry: &str) -> Option<&Credentials> {
        self.auths.get(registry)
    }

    /// The file it was read from.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// The registry an `auths` key names: keys are written `host`, `https://host`, or
/// `https://index.docker.io/v1/` for Docker Hub.
fn registry_of(key: &str) -> &str {
    let host = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = host.split('/').next().unwrap_or(host);
    match host {
        "index.docker.io" | "registry-1.docker.io" => super::reference::DOCKER_HUB,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_plain_auths_of_a_docker_config() {
        let config = DockerConfig::parse(
            r#"{
              "auths": {
                "localhost:5000": { "auth": "YWRhOnMzY3JldA==" },
                "https://index.docker.io/v1/": { "auth": "aHViOnB3" },
                "https://ghcr.io": { "username": "u", "password": "p" },
                "token.example.com": { "registrytoken": "t0k" },
                "helper.example.com": {}
              },
              "credsStore": "desktop"
            }"#,
        )
        .unwrap();
        assert_eq!(
            config.credentials("localhost:5000"),
            Some(&Credentials::basic("ada", "s3cret"))
        );
        assert_eq!(
            config.credentials("docker.io"),
            Some(&Credentials::basic("hub", "pw"))
        );
        assert_eq!(
            config.credentials("ghcr.io"),
            Some(&Credentials::basic("u", "p"))
        );
        assert_eq!(
            config.credentials("token.example.com"),
            Some(&Credentials::Bearer("t0k".into()))
        );
        assert_eq!(config.credentials("helper.example.com"), None);
        assert_eq!(config.credentials("localhost:5001"), None);
        // Secrets stay out of debug output.
        let debug = format!("{:?}", config);
        assert!(
            !debug.contains("s3cret") && !debug.contains("t0k"),
            "{debug}"
        );
    }

    #[test]
    fn a_broken_config_is_an_error_not_anonymous() {
        assert!(DockerConfig::parse("not json").is_err());
        let err = DockerConfig::parse(r#"{"auths": {"r.io": {"auth": "!!"}}}"#).unwrap_err();
        assert!(err.contains("r.io"), "{err}");
        assert!(DockerConfig::parse("{}").unwrap().auths.is_empty());
        let missing = DockerConfig::read(Path::new("/nonexistent/config.json")).unwrap();
        assert!(missing.auths.is_empty());
    }
}
