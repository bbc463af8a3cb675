//! A token server for a [`TestRegistry`](crate::TestRegistry) in distribution's `auth: token`
//! mode, on 127.0.0.1 with a free port: it checks HTTP Basic credentials of one user and issues
//! the JWT the registry verifies (ES256, signed with the key of a self-signed certificate that
//! is the registry's `rootcertbundle`, the certificate in the `x5c` header).
//!
//! Anonymous requests get a token that grants nothing (as Docker Hub's token server does for a
//! private repository); wrong credentials get 401.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

use crate::certificate::SelfSigned;

/// The `service` the registry names in its challenge and the token's audience.
pub(crate) const SERVICE: &str = "tairitsu-test-registry";
/// The token's issuer, as the registry's configuration expects it.
pub(crate) const ISSUER: &str = "tairitsu-test-token-server";

/// One request the token server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The user whose Basic credentials were accepted; `None` for an anonymous request and for
    /// refused credentials.
    pub user: Option<String>,
    /// Whether Basic credentials came with the request.
    pub with_credentials: bool,
    /// The `scope` parameters, as `repository:NAME:pull,push`.
    pub scopes: Vec<String>,
    /// 200 (a token) or 401 (wrong credentials).
    pub status: u16,
}

/// What the server thread shares with the guard.
struct Shared {
    username: String,
    password: String,
    key: EcdsaKeyPair,
    certificate_der: Vec<u8>,
    requests: Mutex<Vec<TokenRequest>>,
    stop: AtomicBool,
    next_id: AtomicU64,
}

/// A running token server, stopped on drop.
pub(crate) struct TokenServer {
    shared: Arc<Shared>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    /// Starts a server that accepts `username`/`password` and signs with `signing`'s key.
    pub(crate) fn start(username: &str, password: &str, signing: &SelfSigned) -> Result<Self> {
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &signing.key_der()?,
            &SystemRandom::new(),
        )
        .map_err(|e| anyhow::anyhow!("the token signing key is not a P-256 PKCS#8 key: {e}"))?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            username: username.to_string(),
            password: password.to_string(),
            key,
            certificate_der: signing.certificate_der()?,
            requests: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
        });
        let thread = std::thread::Builder::new()
            .name("token-server".into())
            .spawn({
                let shared = shared.clone();
                move || serve(&listener, &shared)
            })?;
        Ok(TokenServer {
            shared,
            port,
            thread: Some(thread),
        })
    }

    /// The realm URL the registry sends clients to.
    pub(crate) fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The requests answered so far.
    pub(crate) fn requests(&self) -> Vec<TokenRequest> {
        match self.shared.requests.lock() {
            Ok(requests) => requests.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocked `accept`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: &TcpListener, shared: &Shared) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(mut stream) = stream {
            // A malformed request only costs that connection.
            let _ = answer(&mut stream, shared);
        }
    }
}

fn answer(stream: &mut TcpStream, shared: &Shared) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .context("no request line")?;
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let scopes: Vec<String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| *name == "scope")
        .map(|(_, value)| percent_decode(value))
        .collect();
    let basic = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.trim().strip_prefix("Basic ").map(str::to_string));
    let user = match &basic {
        None => None,
        Some(encoded) => {
            let decoded = STANDARD.decode(encoded.trim()).unwrap_or_default();
            let expected = format!("{}:{}", shared.username, shared.password);
            (decoded == expected.as_bytes()).then(|| shared.username.clone())
        }
    };
    let refused = basic.is_some() && user.is_none();
    let status = if refused { 401 } else { 200 };
    if let Ok(mut requests) = shared.requests.lock() {
        requests.push(TokenRequest {
            user: user.clone(),
            with_credentials: basic.is_some(),
            scopes: scopes.clone(),
            status,
        });
    }
    let (reason, body) = if refused {
        (
            "Unauthorized",
            r#"{"details":"incorrect username or password"}"#.to_string(),
        )
    } else {
        // The one user may do what it asks; anyone else nothing.
        let access: Vec<serde_json::Value> = match &user {
            None => Vec::new(),
            Some(_) => scopes.iter().filter_map(|s| access(s)).collect(),
        };
        let token = sign(shared, user.as_deref().unwrap_or(""), &access)?;
        (
            "OK",
            serde_json::json!({ "token": token, "access_token": token, "expires_in": 300 })
                .to_string(),
        )
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes())?;
    Ok(())
}

/// `repository:NAME:ACTIONS` as the token's `access` entry.
fn access(scope: &str) -> Option<serde_json::Value> {
    let (kind, rest) = scope.split_once(':')?;
    let (name, actions) = rest.rsplit_once(':')?;
    Some(serde_json::json!({
        "type": kind,
        "name": name,
        "actions": actions.split(',').collect::<Vec<_>>(),
    }))
}

/// A compact JWS (ES256) of distribution's claim set, the certificate in `x5c`.
fn sign(shared: &Shared, subject: &str, access: &[serde_json::Value]) -> Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let header = serde_json::json!({
        "typ": "JWT",
        "alg": "ES256",
        "x5c": [STANDARD.encode(&shared.certificate_der)],
    });
    let claims = serde_json::json!({
        "iss": ISSUER,
        "sub": subject,
        "aud": SERVICE,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("tairitsu-{}", shared.next_id.fetch_add(1, Ordering::SeqCst)),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = shared
        .key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot sign the token: {e}"))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    ))
}

/// Decodes `%XX` escapes and `+` of a query value.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
