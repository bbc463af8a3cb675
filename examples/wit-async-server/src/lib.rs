//! A tokio HTTP server that calls plugins from a [`Registry`]: `POST /plugins/{name}/call` with
//! a RON call in the body (`lookup("alpha")`) answers with the RON result.
//!
//! Each plugin has a pool of async containers. The guest's host import, `store::get`, is served
//! by an async closure that awaits (a timer standing in for a database round trip), so a call
//! that waits on the host holds no executor thread: the other requests keep being served.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /plugins` | one line per plugin and export: `lookup  greet: func(name: string) -> string` |
//! | `POST /plugins/{name}/call`, body `f(args)` | `200` and the RON result |
//! | a call that does not parse or fit the export | `400` and the error |
//! | an unknown plugin or path | `404` |
//! | a guest that traps or runs past its deadline | `500` / `504`; its container restarts |

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tairitsu::dynamic::HostImports;
use tairitsu::wasmtime::component::Val;
use tairitsu::{ContainerHandle, ContainerState, Error, Limits, Registry};
use tokio::net::TcpListener;

/// The lookup plugin, built from `examples/guests/lookup` by the build script.
pub const LOOKUP_WASM: &str = env!("LOOKUP_WASM");

/// The largest call text a request may carry.
const MAX_BODY: usize = 64 * 1024;

/// What the server is made of.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Containers per plugin: calls to one plugin run on this many instances at once.
    pub containers: usize,
    /// How long the host's store takes to answer a `get` (the await inside each lookup).
    pub store_delay: Duration,
    /// Each call's wall-clock deadline, host awaits included.
    pub deadline: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            containers: 8,
            store_delay: Duration::from_millis(1),
            deadline: Duration::from_secs(2),
        }
    }
}

/// The host's store: what `store::get` answers, after `delay`.
#[derive(Clone, Debug)]
pub struct Store {
    values: Arc<HashMap<String, String>>,
    delay: Duration,
}

impl Store {
    /// A store holding `values` that takes `delay` to answer.
    pub fn new(values: impl IntoIterator<Item = (String, String)>, delay: Duration) -> Self {
        Self {
            values: Arc::new(values.into_iter().collect()),
            delay,
        }
    }

    /// The import `tairitsu:lookup/store#get`, served by an async closure.
    fn imports(&self) -> HostImports {
        let store = self.clone();
        HostImports::new().func_async("tairitsu:lookup/store@0.1.0#get", move |args| {
            let store = store.clone();
            async move {
                let [Val::String(key)] = args.as_slice() else {
                    return Err(format!("get takes one string, got {args:?}"));
                };
                // The await that would be a database query; the guest is suspended here.
                tokio::time::sleep(store.delay).await;
                let value = store.values.get(key.as_str()).cloned();
                Ok(vec![Val::Option(value.map(|v| Box::new(Val::String(v))))])
            }
        })
    }
}

/// The containers of one plugin, handed out in turn.
struct Pool {
    containers: Vec<ContainerHandle>,
    next: AtomicUsize,
}

impl Pool {
    /// A free container if there is one, else the next in turn (whose lock the caller awaits).
    fn pick(&self) -> &ContainerHandle {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.containers.len();
        (0..n)
            .map(|i| &self.containers[(start + i) % n])
            .find(|c| c.try_lock().is_some())
            .unwrap_or(&self.containers[start % n])
    }
}

/// The server: a registry of plugins, each with its pool of containers.
pub struct PluginServer {
    registry: Registry,
    plugins: HashMap<String, Pool>,
}

impl PluginServer {
    /// Loads the lookup plugin as `lookup` and starts its containers.
    ///
    /// # Errors
    ///
    /// When the component does not load or a container does not start.
    pub async fn new(config: &ServerConfig, store: &Store) -> tairitsu::Result<Self> {
        let registry = Registry::new()?;
        let mut server = Self {
            registry,
            plugins: HashMap::new(),
        };
        server
            .add_plugin("lookup", Path::new(LOOKUP_WASM), config, store)
            .await?;
        Ok(server)
    }

    /// Adds the plugin in the component file `component`, with `config.containers` async containers.
    ///
    /// # Errors
    ///
    /// When the component does not load or a container does not start.
    pub async fn add_plugin(
        &mut self,
        name: &str,
        component: &Path,
        config: &ServerConfig,
        store: &Store,
    ) -> tairitsu::Result<()> {
        let reference = format!("{name}:latest");
        self.registry.load_image_file(&reference, component)?;
        let mut containers = Vec::new();
        for i in 0..config.containers.max(1) {
            let limits = Limits::new().deadline(Some(config.deadline));
            let handle = self
                .registry
                .run_async(&reference, Some(&format!("{name}-{i}")), |b| {
                    Ok(b.with_host_imports(store.imports()).with_limits(limits))
                })
                .await?;
            containers.push(handle);
        }
        self.plugins.insert(
            name.to_string(),
            Pool {
                containers,
                next: AtomicUsize::new(0),
            },
        );
        Ok(())
    }

    /// Serves HTTP/1.1 on `listener` until `shutdown` completes; connections in progress are
    /// then closed after their current request.
    ///
    /// # Errors
    ///
    /// When accepting a connection fails.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let mut shutdown = std::pin::pin!(shutdown);
        // Tells every open connection that the server is shutting down.
        let (connections, _) = tokio::sync::watch::channel(false);
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => accepted?,
                () = &mut shutdown => break,
            };
            let server = self.clone();
            let mut stop = connections.subscribe();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let server = server.clone();
                    async move { Ok::<_, Infallible>(server.handle(request).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let mut connection = std::pin::pin!(connection);
                tokio::select! {
                    _ = connection.as_mut() => {}
                    _ = stop.changed() => {
                        connection.as_mut().graceful_shutdown();
                        let _ = connection.await;
                    }
                }
            });
        }
        let _ = connections.send(true);
        Ok(())
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let path: Vec<&str> = request.uri().path().trim_matches('/').split('/').collect();
        match (request.method(), path.as_slice()) {
            (&Method::GET, ["plugins"]) => text(StatusCode::OK, self.listing()),
            (&Method::POST, ["plugins", name, "call"]) => match self.plugins.get(*name) {
                Some(pool) => {
                    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
                        Ok(body) => body.to_bytes(),
                        Err(e) => {
                            return text(
                                StatusCode::PAYLOAD_TOO_LARGE,
                                format!("the call text is too long or broken off: {e}\n"),
                            );
                        }
                    };
                    match std::str::from_utf8(&body) {
                        Ok(call) => call_plugin(pool, call.trim()).await,
                        Err(_) => text(StatusCode::BAD_REQUEST, "the call is not UTF-8\n".into()),
                    }
                }
                None => text(
                    StatusCode::NOT_FOUND,
                    format!("no plugin `{name}`; GET /plugins lists them\n"),
                ),
            },
            (_, ["plugins", _, "call"]) => text(
                StatusCode::METHOD_NOT_ALLOWED,
                "calls are POSTed, with the call in the body\n".into(),
            ),
            _ => text(
                StatusCode::NOT_FOUND,
                "try GET /plugins or POST /plugins/{name}/call\n".into(),
            ),
        }
    }

    /// `GET /plugins`: every plugin's exports, one per line.
    fn listing(&self) -> String {
        let mut names: Vec<&String> = self.plugins.keys().collect();
        names.sort();
        let mut out = String::new();
        for name in names {
            if let Ok(image) = self.registry.image(&format!("{name}:latest")) {
                for export in image.exports() {
                    out.push_str(&format!("{name}  {}\n", export.to_wit()));
                }
            }
        }
        out
    }
}

/// Runs `call` on a container of `pool`, restarting the container when the call failed it.
async fn call_plugin(pool: &Pool, call: &str) -> Response<Full<Bytes>> {
    let mut container = pool.pick().lock_async().await;
    let answer = container.call_ron_async(call).await;
    if matches!(container.state(), ContainerState::Failed { .. }) {
        // The next request gets a fresh instance; if even that fails, it sees why.
        let _ = container.restart_async().await;
    }
    drop(container);
    match answer {
        Ok(result) => text(StatusCode::OK, result + "\n"),
        Err(e) => text(status_of(&e), format!("{e}\n")),
    }
}

/// Whose fault a failed call is: the caller's text (4xx) or the plugin (5xx).
fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::Value(_)
        | Error::UnknownExport { .. }
        | Error::AmbiguousExport { .. }
        | Error::ExportType { .. } => StatusCode::BAD_REQUEST,
        Error::DeadlineExceeded { .. } => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
