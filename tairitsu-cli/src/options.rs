//! The options `call` and `run` share, turned into the runtime's limits and sandbox.

use std::path::PathBuf;

use tairitsu_runtime::http::HostPattern;
use tairitsu_runtime::{Limits, Sandbox};

use crate::cli::{LimitArgs, SandboxArgs};
use crate::error::CliError;
use crate::units::Timeout;

/// The container limits: the runtime's defaults, `--timeout` and `--max-memory`, with
/// `default_timeout` when `--timeout` is not given.
pub fn limits(args: &LimitArgs, default_timeout: Timeout) -> Limits {
    let mut limits = Limits::new().deadline(args.timeout.unwrap_or(default_timeout).deadline());
    if let Some(bytes) = args.max_memory {
        limits = limits.max_memory(bytes);
    }
    limits
}

/// The WASI grants of `--dir`, `--ro-dir`, `--env` and `--allow-http`, added to `sandbox`.
pub fn sandbox(args: &SandboxArgs, mut sandbox: Sandbox) -> Result<Sandbox, CliError> {
    for (specs, read_only) in [(&args.dirs, false), (&args.ro_dirs, true)] {
        for spec in specs {
            let (host, guest) = split_dir(spec);
            let flag = if read_only { "--ro-dir" } else { "--dir" };
            let host_path = PathBuf::from(host);
            if !host_path.is_dir() {
                return Err(CliError::input(format!(
                    "{flag} {spec}: `{host}` is not a directory on this machine"
                ))
                .hint(format!(
                    "write `{flag} HOST::GUEST`, HOST being an existing directory"
                )));
            }
            sandbox = sandbox.preopen_dir(host_path, guest, read_only);
        }
    }
    for spec in &args.env {
        let (key, value) = match spec.split_once('=') {
            Some((key, value)) => (key, value.to_string()),
            None => match std::env::var(spec) {
                Ok(value) => (spec.as_str(), value),
                // `--env K` with K unset on the host grants nothing, as with docker.
                Err(_) => continue,
            },
        };
        if key.is_empty() {
            return Err(
                CliError::input(format!("--env {spec}: the variable has no name"))
                    .hint("write `--env NAME=VALUE`, or `--env NAME` to pass the host's value"),
            );
        }
        sandbox = sandbox.env(key, value);
    }
    for host in &args.allow_http {
        if let Err(e) = host.parse::<HostPattern>() {
            return Err(
                CliError::input(format!("--allow-http {host}: {}", e.reason)).hint(
                    "write a host and an optional port: `api.example.com`, `api.example.com:8443`, \
                 `*.example.org`, `127.0.0.1:9000`, `*`",
                ),
            );
        }
    }
    Ok(sandbox.allow_http(&args.allow_http))
}

/// `HOST::GUEST`, or `HOST` seen at the same path.
fn split_dir(spec: &str) -> (&str, &str) {
    match spec.split_once("::") {
        Some((host, guest)) => (host, guest),
        None => (spec, spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_specs() {
        assert_eq!(split_dir("./data::/data"), ("./data", "/data"));
        assert_eq!(split_dir("/srv"), ("/srv", "/srv"));
        let args = SandboxArgs {
            dirs: vec!["/definitely/not/here::/x".into()],
            ro_dirs: vec![],
            env: vec![],
            allow_http: vec![],
        };
        let err = sandbox(&args, Sandbox::new()).unwrap_err();
        assert!(err.error.to_string().contains("is not a directory"));
        let args = SandboxArgs {
            dirs: vec![],
            ro_dirs: vec![],
            env: vec!["=x".into()],
            allow_http: vec![],
        };
        assert!(sandbox(&args, Sandbox::new()).is_err());
        let args = SandboxArgs {
            dirs: vec![],
            ro_dirs: vec![],
            env: vec![],
            allow_http: vec!["api.example.com".into(), "https://x".into()],
        };
        let err = sandbox(&args, Sandbox::new()).unwrap_err();
        assert!(
            err.error
                .to_string()
                .contains("--allow-http https://x: write a host")
        );
    }

    #[test]
    fn limits_from_flags() {
        let args = LimitArgs {
            timeout: None,
            max_memory: Some(1 << 20),
        };
        let limits = limits(&args, Timeout::Never);
        assert_eq!(limits.deadline_limit(), None);
        assert_eq!(limits.memory_limit(), 1 << 20);
        let args = LimitArgs {
            timeout: Some(Timeout::After(std::time::Duration::from_millis(5))),
            max_memory: None,
        };
        let limits = super::limits(&args, Timeout::Never);
        assert_eq!(
            limits.deadline_limit(),
            Some(std::time::Duration::from_millis(5))
        );
        assert_eq!(limits.memory_limit(), Limits::new().memory_limit());
    }
}
