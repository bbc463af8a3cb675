//! A self-signed certificate and its P-256 key, made with the `openssl` command for a test: the
//! registry's TLS certificate, or the one whose key signs a token server's JWTs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use base64::Engine as _;

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid for two days, with its key,
/// both as PEM files.
#[derive(Debug, Clone)]
pub struct SelfSigned {
    /// The certificate (PEM): what a client or a registry must trust.
    pub certificate: PathBuf,
    /// The private key (PKCS#8 PEM).
    pub key: PathBuf,
}

impl SelfSigned {
    /// Makes a certificate with the subject `CN=<name>` into `dir` (`<name>.crt`, `<name>.key`).
    ///
    /// # Errors
    ///
    /// When `openssl` is missing (the message says to `apt-get install openssl`) or fails.
    pub fn make(dir: &Path, name: &str) -> Result<SelfSigned> {
        let certificate = dir.join(format!("{name}.crt"));
        let key = dir.join(format!("{name}.key"));
        // An end-entity certificate (not a CA: TLS clients refuse a CA certificate as a
        // server's), which is its own trust anchor.
        let config = dir.join(format!("{name}.cnf"));
        std::fs::write(
            &config,
            "[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n\
             [dn]\nCN = tairitsu-test\n\
             [ext]\nbasicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\n\
             extendedKeyUsage = serverAuth, clientAuth\n\
             subjectAltName = DNS:localhost, IP:127.0.0.1\n",
        )?;
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .arg("ec_paramgen_curve:prime256v1")
            .args(["-nodes", "-days", "2", "-config"])
            .arg(&config)
            .arg("-subj")
            .arg(format!("/CN={name}"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .output()
            .context(
                "cannot run `openssl` to make a test certificate; install it with \
                 `apt-get install openssl`",
            )?;
        if !out.status.success() {
            bail!("openssl failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(SelfSigned { certificate, key })
    }

    /// The certificate in DER.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not PEM.
    pub fn certificate_der(&self) -> Result<Vec<u8>> {
        pem_body(&self.certificate)
    }

    /// The private key in PKCS#8 DER.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not PEM.
    pub fn key_der(&self) -> Result<Vec<u8>> {
        pem_body(&self.key)
    }
}

/// The base64 body of the first PEM block of a file, decoded.
fn pem_body(path: &Path) -> Result<Vec<u8>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .with_context(|| format!("{} is not PEM", path.display()))
}
