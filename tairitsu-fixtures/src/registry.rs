//! A real OCI registry for tests: the CNCF distribution registry (Debian's `docker-registry`),
//! started on 127.0.0.1 with a free port and a temporary storage directory, and killed when the
//! guard is dropped. Also plain HTTP/1.1 requests to it, for writing artifacts by hand.
//!
//! Without auth, with htpasswd Basic auth, or with distribution's bearer-token auth against a
//! [token server](crate::token_server) of the test's own; over plain HTTP or over TLS with a
//! self-signed certificate.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::certificate::SelfSigned;
use crate::token_server::{ISSUER, SERVICE, TokenRequest, TokenServer};

/// The registry binary: `$TAIRITSU_REGISTRY_BIN`, else `docker-registry` on `PATH`.
const BINARY_ENV: &str = "TAIRITSU_REGISTRY_BIN";

/// How a [`TestRegistry`] authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryAuth {
    /// Anyone may pull and push.
    Anonymous,
    /// HTTP Basic with one user, from an htpasswd file (bcrypt, made with `htpasswd -Bbn`).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// Bearer tokens (distribution's `auth: token`) from a token server on 127.0.0.1 that
    /// issues them for one user's HTTP Basic credentials; anonymous clients get a token that
    /// grants nothing.
    Token {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

/// A running distribution registry, killed on drop.
///
/// # Examples
///
/// ```no_run
/// let registry = tairitsu_fixtures::TestRegistry::start()?;
/// println!("push to {}/calc:1.0", registry.host());
/// # Ok::<(), anyhow::Error>(())
/// ```
pub struct TestRegistry {
    child: Arc<Mutex<Option<Child>>>,
    port: u16,
    tls: Option<SelfSigned>,
    token_server: Option<TokenServer>,
    // Last: the registry is killed (in `drop`) before its storage goes.
    dir: tempfile::TempDir,
}

impl TestRegistry {
    /// Starts a registry that anyone may use.
    ///
    /// # Errors
    ///
    /// When the binary is missing (the message says to `apt-get install docker-registry`),
    /// or the registry does not answer within 30 s.
    pub fn start() -> Result<TestRegistry> {
        Self::start_with(RegistryAuth::Anonymous)
    }

    /// Starts a registry with the given authentication.
    ///
    /// # Errors
    ///
    /// As [`TestRegistry::start`], and when `htpasswd` (Debian `apache2-utils`) is missing.
    pub fn start_with(auth: RegistryAuth) -> Result<TestRegistry> {
        Self::launch(auth, false)
    }

    /// Starts a registry served over TLS (HTTPS only) with a self-signed certificate for
    /// `localhost` and `127.0.0.1`, made with `openssl`; see [`TestRegistry::tls_certificate`].
    ///
    /// # Errors
    ///
    /// As [`TestRegistry::start_with`], and when `openssl` is missing.
    pub fn start_tls(auth: RegistryAuth) -> Result<TestRegistry> {
        Self::launch(auth, true)
    }

    fn launch(auth: RegistryAuth, tls: bool) -> Result<TestRegistry> {
        let binary = std::env::var_os(BINARY_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("docker-registry"));
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let mut token_server = None;
        let auth_section = match &auth {
            RegistryAuth::Anonymous => String::new(),
            RegistryAuth::Token { username, password } => {
                let signing = SelfSigned::make(dir.path(), "token-signing")?;
                let server = TokenServer::start(username, password, &signing)?;
                let section = format!(
                    "auth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n    \
                     issuer: {ISSUER}\n    rootcertbundle: {bundle}\n",
                    realm = server.realm(),
                    bundle = signing.certificate.display(),
                );
                token_server = Some(server);
                section
            }
            RegistryAuth::Basic { username, password } => {
                let out = Command::new("htpasswd")
                    .args(["-Bbn", username, password])
                    .output()
                    .context(
                        "cannot run `htpasswd` to make the registry's password file; install it \
                         with `apt-get install apache2-utils`",
                    )?;
                if !out.status.success() {
                    bail!("htpasswd failed: {}", String::from_utf8_lossy(&out.stderr));
                }
                let path = dir.path().join("htpasswd");
                std::fs::write(&path, &out.stdout)?;
                format!(
                    "auth:\n  htpasswd:\n    realm: tairitsu-test\n    path: {}\n",
                    path.display()
                )
            }
        };
        let tls = if tls {
            Some(SelfSigned::make(dir.path(), "localhost")?)
        } else {
            None
        };
        let tls_section = match &tls {
            Some(certificate) => format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                certificate.certificate.display(),
                certificate.key.display()
            ),
            None => String::new(),
        };
        let config = format!(
            "version: 0.1\n\
             log:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n\
             \x20 maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: tairitsu-test-secret\n\
             {tls_section}{auth_section}",
            storage = dir.path().join("storage").display(),
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config)?;
        let log = std::fs::File::create(dir.path().join("registry.log"))?;
        let child = Command::new(&binary)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start the OCI registry `{}`; install it with `apt-get install \
                     docker-registry` (or point {BINARY_ENV} at the binary)",
                    binary.display()
                )
            })?;
        let registry = TestRegistry {
            child: Arc::new(Mutex::new(Some(child))),
            port,
            tls,
            token_server,
            dir,
        };
        registry.wait_until_ready()?;
        Ok(registry)
    }

    fn wait_until_ready(&self) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .lock()
                .map_err(|_| anyhow::anyhow!("the registry guard is poisoned"))?
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!(
                    "the registry exited with {status} before answering: {}",
                    std::fs::read_to_string(self.dir.path().join("registry.log"))
                        .unwrap_or_default()
                );
            }
            // Over TLS, a plain HTTP request is answered 400: the server is up.
            if let Ok(response) = self.request("GET", "/v2/", &[], &[])
                && (response.status == 200
                    || response.status == 401
                    || (self.tls.is_some() && response.status == 400))
            {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the registry did not answer on {} within 30 s", self.host());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:<port>`: the registry part of references to it.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The certificate a TLS registry serves (PEM, self-signed, for `localhost` and
    /// `127.0.0.1`): what a client must trust to reach it. `None` over plain HTTP.
    pub fn tls_certificate(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.certificate.as_path())
    }

    /// The requests the token server answered, in order (empty unless [`RegistryAuth::Token`]).
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.token_server
            .as_ref()
            .map(TokenServer::requests)
            .unwrap_or_default()
    }

    /// Stops the token server (of a [`RegistryAuth::Token`] registry); the registry goes on
    /// sending clients to it.
    pub fn stop_token_server(&mut self) {
        self.token_server = None;
    }

    /// The storage directory (the registry keeps blobs under `docker/registry/v2/blobs`).
    pub fn storage(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// The file holding the blob `sha256:<hex>` in the registry's storage.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.storage()
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// A scratch directory that goes with the registry.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    /// Kills the registry now (it is also killed on drop).
    pub fn stop(&self) {
        kill(&self.child);
    }

    /// A function that kills the registry, for a callback on another thread.
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let child = self.child.clone();
        move || kill(&child)
    }

    /// Sends one HTTP/1.1 request (no auth) and reads the whole response.
    ///
    /// # Errors
    ///
    /// When the registry cannot be reached or the response is not HTTP.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response> {
        http(&self.host(), method, path, headers, body)
    }

    /// Uploads a blob with the monolithic POST-then-PUT of the distribution spec and returns
    /// its digest.
    ///
    /// # Errors
    ///
    /// When the registry refuses it.
    pub fn upload_blob(&self, repository: &str, bytes: &[u8]) -> Result<String> {
        let digest = sha256(bytes);
        let started = self.request(
            "POST",
            &format!("/v2/{repository}/blobs/uploads/"),
            &[],
            &[],
        )?;
        if started.status != 202 {
            bail!(
                "starting an upload: HTTP {}: {}",
                started.status,
                started.text()
            );
        }
        let location = started
            .header("location")
            .context("the upload has no Location")?;
        // The location may be absolute; keep its path and query.
        let location = match location.find("/v2/") {
            Some(i) => location[i..].to_string(),
            None => location.to_string(),
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let done = self.request(
            "PUT",
            &format!("{location}{separator}digest={digest}"),
            &[("Content-Type", "application/octet-stream")],
            bytes,
        )?;
        if done.status != 201 {
            bail!("finishing an upload: HTTP {}: {}", done.status, done.text());
        }
        Ok(digest)
    }

    /// Puts a manifest under `reference` (a tag) and returns its digest.
    ///
    /// # Errors
    ///
    /// When the registry refuses it.
    pub fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        manifest: &[u8],
    ) -> Result<String> {
        let response = self.request(
            "PUT",
            &format!("/v2/{repository}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            manifest,
        )?;
        if response.status != 201 {
            bail!(
                "putting the manifest: HTTP {}: {}",
                response.status,
                response.text()
            );
        }
        Ok(sha256(manifest))
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        kill(&self.child);
    }
}

fn kill(child: &Mutex<Option<Child>>) {
    let mut child = match child.lock() {
        Ok(child) => child,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with `Connection: close`, read to the end.
fn http(
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response> {
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the response has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .context("the response has no status")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Decodes a chunked body.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("a chunk has no size line")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            bail!("a chunk is cut short");
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// `sha256:` and the hex sha256 of `bytes`.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}
