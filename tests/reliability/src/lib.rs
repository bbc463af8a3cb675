//! Reliability tests that need a Rust guest. The tests live in `tests/`; this crate only builds
//! the guest (`examples/guests/sandbox-probe`) from its build script and names its component.

/// The path of the sandbox probe component, built by this crate's build script.
pub const SANDBOX_PROBE_WASM: &str = env!("SANDBOX_PROBE_WASM");
