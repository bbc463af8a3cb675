//! Drives the built `tairitsu` binary on real components: the fixtures of `tairitsu-fixtures`
//! (written to a temporary directory) and `examples/guests/probe`, a Rust `wasi:cli/command`
//! guest built for `wasm32-wasip2` on first use.
//!
//! Every command runs with its own `TAIRITSU_STORE` and a shared `TAIRITSU_CACHE_DIR` under
//! cargo's test temporary directory, never the user's.
//!
//! One test binary, one module per subcommand.

mod support;

mod bindgen;
mod call;
mod help;
mod host_view;
mod image;
mod inspect;
mod run;
mod watch;
