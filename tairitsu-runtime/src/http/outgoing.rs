//! How a guest's outgoing `wasi:http` request is sent: checked against the sandbox's
//! [`HttpPolicy`], its host looked up, every address checked, and the connection made to the
//! address that passed, with the container's timeouts and response size limit.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::uri::Scheme;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpHooks,
};

use wasmtime::component::Linker;

use super::limits::HttpLimits;
use super::policy::{HttpPolicy, Refusal};

/// What a container's store holds for `wasi:http`: wasmtime's context and the hooks that
/// enforce the sandbox. The default refuses every request.
#[derive(Default)]
pub(crate) struct HttpState {
    pub(crate) ctx: WasiHttpCtx,
    pub(crate) hooks: OutgoingHttp,
}

impl HttpState {
    /// The state for a guest that may reach what `policy` allows, within `limits`.
    pub(crate) fn new(policy: Option<Arc<HttpPolicy>>, limits: HttpLimits) -> Self {
        Self {
            ctx: WasiHttpCtx::new(),
            hooks: OutgoingHttp { policy, limits },
        }
    }
}

/// Links `wasi:http/types` and `wasi:http/outgoing-handler` (sync variants) into a linker that
/// has WASI already: requests go through the store's [`OutgoingHttp`].
pub(crate) fn add_to_linker_sync<T: Send + 'static>(
    linker: &mut Linker<crate::HostState<T>>,
) -> wasmtime::Result<()> {
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(linker)
}

/// [`add_to_linker_sync`] for async containers: the same interfaces, awaited on the caller's
/// executor.
pub(crate) fn add_to_linker_async<T: Send + 'static>(
    linker: &mut Linker<crate::HostState<T>>,
) -> wasmtime::Result<()> {
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

/// The [`WasiHttpHooks`] of a container: its `send_request` is the only way out.
#[derive(Default)]
pub(crate) struct OutgoingHttp {
    /// `None` refuses everything without looking at the request.
    policy: Option<Arc<HttpPolicy>>,
    limits: HttpLimits,
}

type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;
type SendResult = Result<(http::Response<WasiBody>, IoFuture), HttpError>;

impl WasiHttpHooks for OutgoingHttp {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _response_errors: IoFuture,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let policy = self.policy.clone();
        let limits = self.limits.with_options(options);
        Box::new(async move {
            match policy {
                Some(policy) => send(&policy, limits, request).await,
                None => {
                    tracing::info!(uri = %request.uri(), "wasi:http request refused: no host is allowed");
                    Err(HttpError::HttpRequestDenied)
                }
            }
        })
    }
}

impl HttpLimits {
    /// The guest's `request-options` may shorten the timeouts, never lengthen them.
    fn with_options(mut self, options: Option<RequestOptions>) -> Self {
        let Some(options) = options else {
            return self;
        };
        let shorter =
            |limit: Duration, asked: Option<Duration>| asked.map_or(limit, |a| a.min(limit));
        self.connect_timeout = shorter(self.connect_timeout, options.connect_timeout);
        self.first_byte_timeout = shorter(self.first_byte_timeout, options.first_byte_timeout);
        self.between_bytes_timeout =
            shorter(self.between_bytes_timeout, options.between_bytes_timeout);
        self
    }
}

async fn send(
    policy: &HttpPolicy,
    limits: HttpLimits,
    mut request: http::Request<WasiBody>,
) -> SendResult {
    let uri = request.uri().clone();
    let authority = uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?;
    let tls = uri.scheme() == Some(&Scheme::HTTPS);
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_string();
    if let Err(refusal) = policy.check_host(&host, port, tls) {
        return Err(refused(&uri, refusal));
    }

    let connect_by = Instant::now() + limits.connect_timeout;
    let stream = match tokio::time::timeout_at(connect_by, connect(policy, &host, port, tls)).await
    {
        Ok(stream) => stream.map_err(|e| match e {
            Connect::Refused(refusal) => refused(&uri, refusal),
            Connect::Failed(e) => e,
        })?,
        Err(_) => return Err(HttpError::ConnectionTimeout),
    };
    let io: Box<dyn Stream> = if tls {
        let name = server_name(&host)?;
        let connector = tokio_rustls::TlsConnector::from(tls_config()?);
        match tokio::time::timeout_at(connect_by, connector.connect(name, stream)).await {
            Ok(stream) => Box::new(stream.map_err(HttpError::Tls)?),
            Err(_) => return Err(HttpError::ConnectionTimeout),
        }
    } else {
        Box::new(stream)
    };
    let (mut sender, connection) = match tokio::time::timeout_at(
        connect_by,
        hyper::client::conn::http1::handshake(TokioIo::new(io)),
    )
    .await
    {
        Ok(handshake) => handshake?,
        Err(_) => return Err(HttpError::ConnectionTimeout),
    };

    // The request line carries the path only; the authority went into `host` already.
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    *request.uri_mut() = path.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;

    let mut connection = Box::pin(connection);
    let response = tokio::time::timeout(limits.first_byte_timeout, sender.send_request(request));
    tokio::pin!(response);
    let mut connection_done = false;
    let response = tokio::select! {
        response = &mut response => response,
        result = &mut connection => {
            connection_done = true;
            result?;
            response.await
        }
    };
    let response = response.map_err(|_| HttpError::ConnectionReadTimeout)??;

    let max = limits.max_response_size;
    let announced = response
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = announced.filter(|&length| length > max) {
        tracing::info!(%uri, length, max, "wasi:http response refused: body too large");
        return Err(HttpError::HttpResponseBodySize(Some(length)));
    }
    let response = response.map(|incoming| {
        BoundedBody {
            incoming,
            remaining: max,
            limit: max,
            idle: limits.between_bytes_timeout,
            timer: Box::pin(tokio::time::sleep(limits.between_bytes_timeout)),
            waiting: false,
        }
        .boxed_unsync()
    });
    let io: IoFuture = Box::new(async move {
        if !connection_done {
            connection.await?;
        }
        Ok(())
    });
    Ok((response, io))
}

fn refused(uri: &http::Uri, refusal: Refusal) -> HttpError {
    match refusal {
        Refusal::HostNotAllowed => {
            tracing::info!(%uri, "wasi:http request refused: the host is not allowed");
            HttpError::HttpRequestDenied
        }
        Refusal::AddressNotPublic(ip) => {
            tracing::info!(%uri, %ip, "wasi:http request refused: the address is not public");
            HttpError::DestinationIpProhibited
        }
    }
}

enum Connect {
    Refused(Refusal),
    Failed(HttpError),
}

/// Looks `host` up (unless it is an address), checks every address, and connects to the
/// first that passes and answers. The stream is connected to an address that was checked:
/// no second lookup can point it elsewhere.
async fn connect(
    policy: &HttpPolicy,
    host: &str,
    port: u16,
    tls: bool,
) -> Result<TcpStream, Connect> {
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| {
                Connect::Failed(HttpError::DnsError {
                    rcode: Some(e.to_string()),
                    info_code: None,
                })
            })?
            .collect(),
    };
    if addresses.is_empty() {
        return Err(Connect::Failed(HttpError::DestinationNotFound));
    }
    let mut refusal = None;
    let mut last_error = None;
    for address in addresses {
        if let Err(r) = policy.check_address(address.ip(), port, tls) {
            refusal.get_or_insert(r);
            continue;
        }
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Small request and response writes should not wait for Nagle.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last_error = Some(e),
        }
    }
    match (last_error, refusal) {
        (Some(e), _) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(Connect::Failed(HttpError::ConnectionRefused))
        }
        (Some(e), _) => Err(Connect::Failed(HttpError::Connect(e))),
        (None, Some(refusal)) => Err(Connect::Refused(refusal)),
        (None, None) => Err(Connect::Failed(HttpError::DestinationNotFound)),
    }
}

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> Stream for T {}

fn server_name(host: &str) -> Result<rustls::pki_types::ServerName<'static>, HttpError> {
    rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|_| HttpError::HttpRequestUriInvalid)
}

/// One TLS client configuration per process: the webpki roots, ring's safe defaults.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, HttpError> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map(|builder| Arc::new(builder.with_root_certificates(roots).with_no_client_auth()))
            .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| HttpError::InternalError(Some(format!("TLS configuration: {e}"))))
}

/// A response body that fails with `HTTP-response-body-size` past the limit and with
/// `connection-read-timeout` when no chunk comes for the between-bytes timeout.
struct BoundedBody {
    incoming: Incoming,
    remaining: u64,
    limit: u64,
    idle: Duration,
    /// Armed when a read finds no data, so that a guest slow to read is not the server's
    /// fault.
    timer: Pin<Box<Sleep>>,
    waiting: bool,
}

impl Body for BoundedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.incoming).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let len = data.len() as u64;
                    if len > this.remaining {
                        return Poll::Ready(Some(Err(HttpError::HttpResponseBodySize(Some(
                            this.limit - this.remaining + len,
                        )))));
                    }
                    this.remaining -= len;
                }
                this.waiting = false;
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(HttpError::from(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if !this.waiting {
                    this.waiting = true;
                    let deadline = Instant::now() + this.idle;
                    this.timer.as_mut().reset(deadline);
                }
                ready!(this.timer.as_mut().poll(cx));
                Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}

impl crate::Sandbox {
    /// The `wasi:http` state of one container start: this sandbox's hosts, `limits`' timeouts.
    pub(crate) fn http_state(&self, limits: &crate::Limits) -> HttpState {
        let policy = (!self.http.is_empty()).then(|| Arc::new(self.http.clone()));
        HttpState::new(policy, limits.http)
    }
}
