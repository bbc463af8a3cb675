//! wasi:http tests that need real Rust guests. The tests live in `tests/`; this crate only
//! builds the guests from its build script and names their components.

/// A component that exports `get(url) -> result<response, string>` over
/// `wasi:http/outgoing-handler` (`examples/guests/http-client`).
pub const HTTP_CLIENT_WASM: &str = env!("HTTP_CLIENT_WASM");

/// A `wasi:http/proxy` component that answers, traps, spins, sleeps, echoes, grows and fetches
/// by path (`examples/guests/http-proxy`).
pub const HTTP_PROXY_WASM: &str = env!("HTTP_PROXY_WASM");
