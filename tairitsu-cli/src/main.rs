//! `tairitsu`: WebAssembly components from the command line.
//!
//! ```text
//! tairitsu inspect plugin.wasm [--json]
//! tairitsu call plugin.wasm 'add(1, 2)' [--format ron|wave] [--output ron|wave]
//!     [--import 'pkg:ns/iface#func=VALUE']… [--trap-unknown-imports]
//!     [--timeout 500ms] [--max-memory 64MiB] [--dir HOST::GUEST]… [--env K=V]…
//!     [--allow-net ADDR]… [--inherit-stderr] [--watch]
//! tairitsu run [--argv0 NAME] hello.wasm [-- ARGS…]
//! tairitsu bindgen wit/ [--world W]
//! tairitsu image load|ls|inspect|rm|pull|push
//! tairitsu serve app.wasm [--addr 127.0.0.1:8080] [--allow-http HOST]… [--watch]
//! ```
//!
//! Warnings from the runtime go to stderr as `warning: …` (`-v` adds debug events, `-vv` trace).
//!
//! Exit codes: 0 success, 1 the guest failed (trap, deadline, limit, failing import, failed
//! start; for `run`, the guest's own exit code), 2 bad usage or bad input. `tairitsu --help`
//! and `tairitsu COMMAND --help` explain each command with examples.

mod bindgen;
mod call;
mod cli;
mod diagnostics;
mod error;
mod image;
mod inspect;
mod load;
mod options;
mod output;
mod remote;
mod run;
mod serve;
mod units;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::CliError;

fn main() -> ExitCode {
    // A bug in the command must still read as a message, not as a Rust backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("hint: this is a bug in tairitsu; please report it with the command you ran");
    }));
    let cli = Cli::parse();
    diagnostics::install(cli.verbose);
    match dispatch(&cli) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn dispatch(cli: &Cli) -> Result<ExitCode, CliError> {
    let store = cli.store.as_deref();
    match &cli.command {
        Command::Inspect(args) => inspect::inspect(args, store).map(|()| ExitCode::SUCCESS),
        Command::Call(args) => call::call(args, store).map(|()| ExitCode::SUCCESS),
        Command::Run(args) => run::run(args, store),
        Command::Bindgen(args) => bindgen::bindgen(args).map(|()| ExitCode::SUCCESS),
        Command::Image(command) => image::image(command, store),
        Command::Serve(args) => serve::serve(args, store).map(|()| ExitCode::SUCCESS),
    }
}
