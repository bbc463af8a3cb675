//! Serving a `wasi:http/proxy` component: a fresh instance per request, from one
//! pre-instantiation, with the container limits applied per request.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use parking_lot::RwLock;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use wasmtime::component::{ComponentExportIndex, InstancePre, Linker, Resource};
use wasmtime::{Store, Trap};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::types::{HostIncomingRequest, HostResponseOutparam};
use wasmtime_wasi_http::{Error as HttpError, WasiHttpView};

use crate::container::CallClock;
use crate::host_state::HostState;
use crate::image::Image;
use crate::limits::{LimitHit, Limiter, Limits};
use crate::sandbox::Sandbox;
use crate::{Error, Result};

/// The body of a response from [`ProxyServer::handle`]: the guest's, streamed as it writes
/// it, or the server's own for a refused or failed request.
pub type ResponseBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// One finished request, as [`ProxyServerBuilder::access_log`] receives it. Its `Display` is
/// the line `tairitsu serve` prints:
/// `127.0.0.1:50312 "GET /hello HTTP/1.1" 200 1.2ms #17`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessRecord {
    /// The request's number, from 1, in this server.
    pub id: u64,
    /// The client's address, when the server knows it.
    pub remote: Option<SocketAddr>,
    /// The method.
    pub method: http::Method,
    /// The path and query.
    pub path: String,
    /// The HTTP version.
    pub version: http::Version,
    /// The status sent.
    pub status: u16,
    /// From the request's arrival to the response's head.
    pub elapsed: Duration,
    /// Why the guest did not answer, when it did not: a trap, the deadline, a limit.
    pub failure: Option<String>,
}

impl fmt::Display for AccessRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.remote {
            Some(remote) => write!(f, "{remote} ")?,
            None => f.write_str("- ")?,
        }
        write!(
            f,
            "\"{} {} {:?}\" {} {:.1}ms #{}",
            self.method,
            self.path,
            self.version,
            self.status,
            self.elapsed.as_secs_f64() * 1000.0,
            self.id
        )?;
        if let Some(failure) = &self.failure {
            write!(f, " ({failure})")?;
        }
        Ok(())
    }
}

type AccessLog = Arc<dyn Fn(&AccessRecord) + Send + Sync>;

/// Builds a [`ProxyServer`]. Start with [`ProxyServer::builder`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct ProxyServerBuilder {
    image: Image,
    sandbox: Sandbox,
    limits: Limits,
    max_request_body: u64,
    access_log: Option<AccessLog>,
}

impl ProxyServerBuilder {
    /// What each request's instance may touch; the default [`Sandbox`] grants nothing (no
    /// outgoing HTTP either: see [`Sandbox::allow_http`]).
    pub fn sandbox(mut self, sandbox: Sandbox) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// The limits of each request's instance: its memory, and its deadline, which here is
    /// wall-clock time from the request's arrival until the guest returns (host waits and
    /// outgoing requests included); past it the request fails with 504.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The largest request body, in bytes, a guest may read; default 1 MiB. A larger
    /// `content-length` is answered 413 without starting an instance; a longer streamed body
    /// fails the guest's read with `HTTP-request-body-size`.
    pub fn max_request_body(mut self, bytes: u64) -> Self {
        self.max_request_body = bytes;
        self
    }

    /// Receives one [`AccessRecord`] per request, once its response head is sent. Without
    /// one, each request is a `tracing` event at `info` level.
    pub fn access_log(mut self, log: impl Fn(&AccessRecord) + Send + Sync + 'static) -> Self {
        self.access_log = Some(Arc::new(log));
        self
    }

    /// Links WASI (the `wasi:cli` interfaces too, as componentize-js components need them) and
    /// `wasi:http`, and pre-instantiates the component once.
    ///
    /// # Errors
    ///
    /// [`Error::ExportType`] when the component is not a `wasi:http/proxy` (it does not export
    /// `wasi:http/incoming-handler`), [`Error::Instantiate`] when an import is missing,
    /// [`Error::InvalidHostPattern`] for a bad [`Sandbox::allow_http`] entry.
    pub fn build(self) -> Result<ProxyServer> {
        // Fail now, not at the first request.
        self.sandbox.build()?;
        let engine = self.image.engine().wasmtime();
        let mut linker = Linker::<HostState<()>>::new(engine);
        let link_error = |e: wasmtime::Error| Error::Instantiate {
            image: self.image.display_name(),
            message: format!("{e:#}"),
            source: Some(crate::error::WasmtimeError::new(e)),
        };
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link_error)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(link_error)?;
        let served = Served::prepare(&linker, self.image)?;
        Ok(ProxyServer {
            inner: Arc::new(Inner {
                served: RwLock::new(Arc::new(served)),
                linker,
                sandbox: self.sandbox,
                limits: self.limits,
                max_request_body: self.max_request_body,
                access_log: self.access_log,
                next_id: AtomicU64::new(1),
            }),
        })
    }
}

/// The version of the component being served: what each request instantiates.
struct Served {
    pre: InstancePre<HostState<()>>,
    /// `wasi:http/incoming-handler@0.2.x#handle`, whatever 0.2 version the component exports
    /// (componentize-js exports 0.2.10, wasmtime's own bindings look for 0.2.12 only).
    handle: ComponentExportIndex,
    image: Image,
}

impl Served {
    /// Checks that `image` is a proxy component and pre-instantiates it with `linker`.
    fn prepare(linker: &Linker<HostState<()>>, image: Image) -> Result<Served> {
        let handle = incoming_handler(&image).ok_or_else(|| Error::ExportType {
            name: "wasi:http/incoming-handler".into(),
            message: format!(
                "{} is not a `wasi:http/proxy` component: it exports no \
                 `wasi:http/incoming-handler@0.2.x` with a `handle` function",
                image.display_name()
            ),
        })?;
        let pre = linker
            .instantiate_pre(image.component())
            .map_err(|e| Error::Instantiate {
                image: image.display_name(),
                message: format!("{e:#}"),
                source: Some(crate::error::WasmtimeError::new(e)),
            })?;
        Ok(Served { pre, handle, image })
    }
}

/// A `wasi:http/proxy` component served over HTTP: every request gets a fresh instance from
/// one [`InstancePre`](wasmtime::component::InstancePre), with the [`Limits`] and
/// [`Sandbox`] applied to that instance alone, so a request that traps, runs out of memory
/// or past its deadline fails alone (500, 500, 504) and the others are served.
///
/// Cloning is cheap (a reference count). [`serve`](Self::serve) runs a server on a listener
/// until a shutdown future resolves, then lets the requests in flight finish;
/// [`handle`](Self::handle) answers one request, for hosts that mount the component in their
/// own hyper (or axum) server.
///
/// A request costs a `Store`, a WASI context and an instantiation: use an [`Engine`] with
/// the pooling allocator (`EngineConfig::new().pooling(true)`), which makes that cheap and
/// bounds how many instances run at once (a request past that bound is answered 503).
///
/// [`Engine`]: crate::Engine
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::http::ProxyServer;
/// use tairitsu_runtime::{Engine, EngineConfig, Image, Limits, Sandbox};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let engine = Engine::new(EngineConfig::new().pooling(true))?;
/// let image = Image::from_file_with(&engine, "app.wasm")?;
/// let server = ProxyServer::builder(image)
///     .sandbox(Sandbox::new().allow_http(["api.example.com"]))
///     .limits(Limits::new().max_memory(64 << 20))
///     .build()?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// server
///     .serve(listener, async {
///         let _ = tokio::signal::ctrl_c().await;
///     })
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ProxyServer {
    inner: Arc<Inner>,
}

struct Inner {
    /// Swapped by [`ProxyServer::replace_image`]; each request holds the version it started on.
    served: RwLock<Arc<Served>>,
    /// WASI and `wasi:http`, linked once, for every version.
    linker: Linker<HostState<()>>,
    sandbox: Sandbox,
    limits: Limits,
    max_request_body: u64,
    access_log: Option<AccessLog>,
    next_id: AtomicU64,
}

/// The `handle` function of the component's `wasi:http/incoming-handler@0.2.x` export.
fn incoming_handler(image: &Image) -> Option<ComponentExportIndex> {
    let component = image.component();
    let engine = image.engine().wasmtime();
    let ty = component.component_type();
    let name = ty.exports(engine).map(|(name, _)| name).find(|name| {
        name.strip_prefix("wasi:http/incoming-handler@0.2.")
            .is_some_and(|patch| !patch.is_empty())
    })?;
    let instance = component.get_export_index(None, name)?;
    component.get_export_index(Some(&instance), "handle")
}

/// Why a request's guest gave no response.
enum Failure {
    Deadline(Duration),
    Trap(String),
    Limit(String),
    Other(String),
}

impl Failure {
    fn from_wasmtime(e: &wasmtime::Error) -> Failure {
        if let Some(hit) = e.downcast_ref::<LimitHit>() {
            return Failure::Limit(hit.to_string());
        }
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Failure::Other("interrupted".into()),
            Some(trap) => Failure::Trap(trap.to_string()),
            None => Failure::Other(format!("{e:#}")),
        }
    }

    fn status(&self) -> http::StatusCode {
        match self {
            Failure::Deadline(_) => http::StatusCode::GATEWAY_TIMEOUT,
            _ => http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Deadline(d) => write!(f, "ran past the {d:?} deadline"),
            Failure::Trap(m) => write!(f, "trapped: {m}"),
            Failure::Limit(m) => write!(f, "exceeded a limit: {m}"),
            Failure::Other(m) => f.write_str(m),
        }
    }
}

impl ProxyServer {
    /// A builder for serving `image`, which must be a `wasi:http/proxy` component.
    pub fn builder(image: Image) -> ProxyServerBuilder {
        ProxyServerBuilder {
            image,
            sandbox: Sandbox::new(),
            limits: Limits::new(),
            max_request_body: 1 << 20,
            access_log: None,
        }
    }

    /// The image served: the one new requests go to.
    pub fn image(&self) -> Image {
        self.inner.served.read().image.clone()
    }

    /// Serves `image` from now on: it is checked (it must still be a `wasi:http/proxy`
    /// component whose imports WASI and `wasi:http` provide) and pre-instantiated on the
    /// calling thread, then requests that arrive after the swap go to it, while requests in
    /// flight finish on the version they started on. Compile the image off the request path
    /// (a background thread), as `tairitsu serve --watch` does.
    ///
    /// # Errors
    ///
    /// As [`ProxyServerBuilder::build`]: [`Error::ExportType`] when `image` is not a proxy
    /// component, [`Error::Instantiate`] when an import is missing; [`Error::EngineMismatch`]
    /// when it was compiled for another engine than the served one. The previous version keeps
    /// serving.
    pub fn replace_image(&self, image: Image) -> Result<()> {
        if !self.inner.served.read().image.engine().same(image.engine()) {
            return Err(Error::EngineMismatch {
                image: image.display_name(),
            });
        }
        let served = Served::prepare(&self.inner.linker, image)?;
        *self.inner.served.write() = Arc::new(served);
        Ok(())
    }

    /// Answers one request with a fresh instance. Never fails: a request the server refuses
    /// or a guest that fails gets an error status (413, 500, 503, 504) with a short text body,
    /// and the failure goes to the access log. `remote` is the client's address, for the log.
    pub async fn handle<B>(
        &self,
        request: hyper::Request<B>,
        remote: Option<SocketAddr>,
    ) -> hyper::Response<ResponseBody>
    where
        B: Body<Data = Bytes> + Send + Unpin + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let started = Instant::now();
        let inner = &self.inner;
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        let method = request.method().clone();
        let version = request.version();
        let path = request
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let (response, failure) = self.respond(request).await;
        let record = AccessRecord {
            id,
            remote,
            method,
            path,
            version,
            status: response.status().as_u16(),
            elapsed: started.elapsed(),
            failure: failure.map(|f| f.to_string()),
        };
        match &inner.access_log {
            Some(log) => log(&record),
            None => tracing::info!(target: "tairitsu::access", "{record}"),
        }
        response
    }

    async fn respond<B>(
        &self,
        request: hyper::Request<B>,
    ) -> (hyper::Response<ResponseBody>, Option<Failure>)
    where
        B: Body<Data = Bytes> + Send + Unpin + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let inner = &self.inner;
        let max = inner.max_request_body;
        let announced = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|length| length > max) {
            let text = format!("the request body is larger than {max} bytes\n");
            return (
                text_response(http::StatusCode::PAYLOAD_TOO_LARGE, text),
                None,
            );
        }
        let request = request.map(|body| BoundedRequestBody {
            body,
            remaining: max,
        });

        // This request's version: a replacement from now on does not touch it.
        let served = Arc::clone(&inner.served.read());
        let mut store = match self.store(&served.image) {
            Ok(store) => store,
            Err(e) => {
                let failure = Failure::Other(e.to_string());
                return (failed(&failure), Some(failure));
            }
        };
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let prepared = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)
            .and_then(|req| {
                let out = store.data_mut().http().new_response_outparam(sender)?;
                Ok((req, out))
            });
        let (req, out) = match prepared {
            Ok(pair) => pair,
            Err(e) => {
                let text = format!("bad request: {e:#}\n");
                return (text_response(http::StatusCode::BAD_REQUEST, text), None);
            }
        };
        let pre = served.pre.clone();
        let handle = served.handle;
        let deadline = inner.limits.deadline;
        // The guest runs in its own task: it may go on writing the body after it has handed
        // over the response head.
        let guest = tokio::spawn(async move {
            let run = async {
                let proxy = pre.instantiate_async(&mut store).await.map_err(|e| {
                    let pool_full = e
                        .downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
                        .is_some();
                    (Failure::from_wasmtime(&e), pool_full)
                })?;
                let call = async {
                    type Handle = (
                        Resource<HostIncomingRequest>,
                        Resource<HostResponseOutparam>,
                    );
                    let func = proxy.get_typed_func::<Handle, ()>(&mut store, handle)?;
                    func.call_async(&mut store, (req, out)).await
                };
                call.await.map_err(|e| (Failure::from_wasmtime(&e), false))
            };
            match deadline {
                Some(deadline) => match tokio::time::timeout(deadline, run).await {
                    Ok(result) => result,
                    Err(_) => Err((Failure::Deadline(deadline), false)),
                },
                None => run.await,
            }
        });
        match receiver.await {
            Ok(Ok(response)) => (
                response.map(|body| body.map_err(boxed).boxed_unsync()),
                None,
            ),
            Ok(Err(code)) => {
                let failure = Failure::Other(format!("the guest answered an error: {code:?}"));
                (failed(&failure), Some(failure))
            }
            // The guest returned (or failed) without setting a response.
            Err(_) => {
                let failure = match guest.await {
                    Ok(Ok(())) => Failure::Other("the guest returned without a response".into()),
                    Ok(Err((failure, true))) => {
                        let text = format!("too many requests at once: {failure}\n");
                        return (
                            text_response(http::StatusCode::SERVICE_UNAVAILABLE, text),
                            Some(failure),
                        );
                    }
                    Ok(Err((failure, false))) => failure,
                    Err(join) => Failure::Other(format!("the request's task failed: {join}")),
                };
                (failed(&failure), Some(failure))
            }
        }
    }

    fn store(&self, image: &Image) -> Result<Store<HostState<()>>> {
        let inner = &self.inner;
        let wasi = inner.sandbox.build()?;
        // The request's deadline is a wall-clock timeout around its future; the clock only
        // serves the store's WASI waits.
        let clock = CallClock::new(image.engine(), Default::default());
        let state = HostState::new((), wasi, Limiter::new(inner.limits.clone()), clock)
            .with_http(inner.sandbox.http_state(&inner.limits));
        let mut store = Store::new(image.engine().wasmtime(), state);
        store.limiter(|state| &mut state.limiter);
        // Yield to the executor at every epoch tick: a spinning guest cannot hold a worker
        // thread, and the wall-clock deadline above can drop it.
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);
        Ok(store)
    }

    /// Serves HTTP/1.1 on `listener` until `shutdown` resolves; then stops accepting, lets
    /// every request in flight finish (keep-alive connections close after their current
    /// request), and returns.
    ///
    /// # Errors
    ///
    /// None once started: a failed accept is logged and the loop goes on. The `Result` is for
    /// listeners that fail to report their address.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (stream, remote) = match accepted {
                        Ok(pair) => pair,
                        Err(e) => {
                            // Out of descriptors, a reset before accept: wait a little, go on.
                            tracing::warn!("accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let server = self.clone();
                    let mut stopped = stopped.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            let server = server.clone();
                            async move {
                                Ok::<_, Infallible>(server.handle(request, Some(remote)).await)
                            }
                        });
                        let connection = http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), service);
                        tokio::pin!(connection);
                        let result = tokio::select! {
                            result = connection.as_mut() => result,
                            _ = stopped.changed() => {
                                connection.as_mut().graceful_shutdown();
                                connection.await
                            }
                        };
                        if let Err(e) = result {
                            tracing::debug!(%remote, "connection ended with an error: {e}");
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let _ = stop.send(true);
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}

impl fmt::Debug for ProxyServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyServer")
            .field("image", &self.inner.served.read().image.display_name())
            .field("limits", &self.inner.limits)
            .field("max_request_body", &self.inner.max_request_body)
            .finish_non_exhaustive()
    }
}

fn boxed(e: HttpError) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(e)
}

fn text_response(status: http::StatusCode, text: String) -> hyper::Response<ResponseBody> {
    let mut response = hyper::Response::new(
        Full::new(Bytes::from(text))
            .map_err(|never: Infallible| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn failed(failure: &Failure) -> hyper::Response<ResponseBody> {
    let status = failure.status();
    let reason = status.canonical_reason().unwrap_or("error");
    text_response(status, format!("{reason}: the guest {failure}\n"))
}

/// A request body that fails the guest's read with `HTTP-request-body-size` past the limit.
struct BoundedRequestBody<B> {
    body: B,
    remaining: u64,
}

impl<B> Body for BoundedRequestBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        match std::task::ready!(Pin::new(&mut this.body).poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    let len = data.len() as u64;
                    if len > this.remaining {
                        return Poll::Ready(Some(Err(HttpError::HttpRequestBodySize(None))));
                    }
                    this.remaining -= len;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(HttpError::InternalError(Some(
                e.into().to_string(),
            ))))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
