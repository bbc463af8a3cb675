//! `tairitsu serve`: a `wasi:http/proxy` component as an HTTP server.

use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tairitsu_runtime::http::ProxyServer;
use tairitsu_runtime::{Engine, EngineConfig, Error as RuntimeError, FileWatch, Image, Sandbox};

use crate::cli::ServeArgs;
use crate::error::CliError;
use crate::load;
use crate::options;
use crate::units::Timeout;

/// The deadline of a request when `--timeout` is not given.
const DEFAULT_TIMEOUT: Timeout = Timeout::After(Duration::from_secs(30));

/// `tairitsu serve COMPONENT …`: serves until Ctrl-C (or SIGTERM), then lets the requests in
/// flight finish.
pub fn serve(args: &ServeArgs, store: Option<&Path>) -> Result<(), CliError> {
    let engine = serving_engine()?;
    let (image, source) = load_image(&engine, &args.component, store)?;
    let sandbox = options::sandbox(&args.sandbox, Sandbox::new().inherit_stderr())?;
    let server = ProxyServer::builder(image)
        .sandbox(sandbox)
        .limits(options::limits(&args.limits, DEFAULT_TIMEOUT))
        .max_request_body(args.max_body as u64)
        .access_log(|record| eprintln!("{record}"))
        .build()
        .map_err(|e| load::named(&source, e))?;
    let _watch = if args.watch {
        Some(watch(&server, &engine, &args.component)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| {
                CliError::input(format!("cannot listen on {}: {e}", args.addr))
                    .hint("pick another address with `--addr 127.0.0.1:PORT`")
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| CliError::input(format!("cannot tell the address listened on: {e}")))?;
        eprintln!("Serving {source} on http://{address}/ (Ctrl-C to stop)");
        server
            .serve(listener, shutdown_signal())
            .await
            .map_err(|e| CliError::input(format!("serving on {address} failed: {e}")))?;
        eprintln!("Stopped: every request in flight has finished");
        Ok(())
    })
}

/// `--watch`: each change of the file is read and compiled on the watching thread, off the
/// request path, and replaces the version served once the server has checked it; a version
/// that does not load is logged, and the previous one keeps serving.
fn watch(server: &ProxyServer, engine: &Engine, spec: &str) -> Result<FileWatch, CliError> {
    let path = Path::new(spec).to_path_buf();
    if !path.is_file() {
        return Err(CliError::input(format!(
            "--watch needs a component file, and `{spec}` is not one"
        ))
        .hint("images in the store do not change; give the path of a `.wasm` file"));
    }
    let server = server.clone();
    let engine = engine.clone();
    let file = path.clone();
    Ok(FileWatch::new(&path, move || {
        reload(&server, &engine, &file)
    })?)
}

/// Loads `path` and serves it, unless it is the version already served.
fn reload(server: &ProxyServer, engine: &Engine, path: &Path) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "warning: cannot read {} ({e}); the previous version keeps serving",
                path.display()
            );
            return;
        }
    };
    if hex::encode(Sha256::digest(&bytes)) == server.image().digest_hex() {
        // Touched, not changed.
        return;
    }
    match Image::from_bytes_with(engine, &bytes).and_then(|image| {
        let name = image.display_name();
        server.replace_image(image).map(|()| name)
    }) {
        Ok(name) => eprintln!("Reloaded {}: new requests go to {name}", path.display()),
        Err(e) => eprintln!(
            "warning: {} not reloaded, the previous version keeps serving: {e}",
            path.display()
        ),
    }
}

/// An engine with the pooling allocator, which makes the instance per request cheap; without
/// the virtual memory it reserves (a small `ulimit -v`), the default allocator.
fn serving_engine() -> Result<Engine, CliError> {
    match Engine::new(EngineConfig::new().pooling(true)) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            eprintln!(
                "warning: the pooling allocator is not available ({e}); instances are allocated on demand"
            );
            Ok(Engine::new(EngineConfig::new())?)
        }
    }
}

/// Compiles (or loads from the cache) the component for `engine`: a file, or an image of the
/// store.
fn load_image(
    engine: &Engine,
    spec: &str,
    store: Option<&Path>,
) -> Result<(Image, String), CliError> {
    let path = if Path::new(spec).exists() {
        Path::new(spec).to_path_buf()
    } else {
        // Not a file: the store's copy of the image, compiled for this engine.
        match load::open_store(store)?.get(spec) {
            Ok(stored) => stored.path,
            Err(RuntimeError::ImageNotFound(_)) => {
                return Err(CliError::input(format!(
                    "`{spec}` is neither a file nor an image in the store"
                ))
                .hint("give the path of a `wasi:http/proxy` component"));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let bytes = std::fs::read(&path).map_err(|source| RuntimeError::Io {
        path: path.clone(),
        source,
    })?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let image = load::with_progress(engine, &digest, bytes.len() as u64, spec, || {
        Image::from_bytes_with(engine, &bytes)
    })?;
    Ok((image, spec.to_string()))
}

/// Resolves at the first Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    eprintln!("Shutting down: no new connections; waiting for the requests in flight");
}
