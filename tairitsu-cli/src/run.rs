//! `tairitsu run`: a `wasi:cli/command` component as a program.

use std::path::Path;
use std::process::ExitCode;

use tairitsu_runtime::{Container, Sandbox};

use crate::cli::RunArgs;
use crate::error::CliError;
use crate::inspect::is_command;
use crate::load;
use crate::options;
use crate::units::Timeout;

/// `tairitsu run COMPONENT [ARGS…]`: returns the guest's exit code.
pub fn run(args: &RunArgs, store: Option<&Path>) -> Result<ExitCode, CliError> {
    let loaded = load::load(args.component(), store, Some(&args.pull))?;
    let image = loaded.image.clone();
    if !is_command(&image) {
        let exports: Vec<String> = image.exports().iter().map(|f| f.qualified_name()).collect();
        return Err(CliError::input(format!(
            "{} is not a `wasi:cli/command`: it does not export `wasi:cli/run`",
            loaded.source
        ))
        .hint(if exports.is_empty() {
            "it exports no functions".to_string()
        } else {
            format!(
                "call its exports with `tairitsu call` instead: {}",
                exports.join(", ")
            )
        }));
    }
    let argv0 = args.argv0.clone().unwrap_or_else(|| program_name(&loaded));
    let argv = std::iter::once(argv0.as_str()).chain(args.args().iter().map(String::as_str));
    let sandbox = options::sandbox(&args.sandbox, Sandbox::new().args(argv).inherit_stdio())?;
    let mut container = Container::builder(image)
        .with_name(&loaded.source)
        .with_limits(options::limits(&args.limits, Timeout::Never))
        .with_sandbox(sandbox)
        .trap_unknown_imports(args.trap_unknown_imports)
        .build()
        .map_err(|e| load::named(&loaded.source, e))?;
    let code = container.run_command()?;
    // Codes outside what a process can return are failures, never a wrapped-around success.
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// The guest's `argv[0]` by default: the image reference as given, or the file's name without
/// the directories it is in on this machine.
fn program_name(loaded: &load::Loaded) -> String {
    if loaded.stored.is_some() {
        return loaded.source.clone();
    }
    Path::new(&loaded.source)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "component.wasm".into())
}
