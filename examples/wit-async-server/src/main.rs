//! Serves the lookup plugin over HTTP until Ctrl-C.
//!
//! ```text
//! cargo run -p wit-async-server -- --addr 127.0.0.1:8080
//! curl -d 'lookup("alpha")' http://127.0.0.1:8080/plugins/lookup/call
//! ```

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use wit_async_server::{PluginServer, ServerConfig, Store};

/// A tokio HTTP server that calls plugins; their host import awaits.
#[derive(Parser)]
struct Args {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Containers per plugin.
    #[arg(long, default_value_t = 8)]
    containers: usize,
    /// How long the host's store takes to answer, in milliseconds.
    #[arg(long, default_value_t = 1)]
    store_delay_ms: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let config = ServerConfig {
        containers: args.containers,
        store_delay: Duration::from_millis(args.store_delay_ms),
        ..ServerConfig::default()
    };
    let store = Store::new(
        [("alpha", "1"), ("beta", "2"), ("gamma", "3")]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        config.store_delay,
    );
    let server = Arc::new(PluginServer::new(&config, &store).await?);
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    // The line tests and scripts wait for.
    println!("listening on http://{}", listener.local_addr()?);
    server
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
