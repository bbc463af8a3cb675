//! The options `call` and `run` share, turned into the runtime's limits and sandbox.

use std::path::{Path, PathBuf};

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

/// The WASI grants of `--dir`, `--ro-dir`, `--env`, `--allow-net` and `--allow-http`, added to
/// `sandbox`.
pub fn sandbox(args: &SandboxArgs, mut sandbox: Sandbox) -> Result<Sandbox, CliError> {
    for (specs, read_only) in [(&args.dirs, false), (&args.ro_dirs, true)] {
        for spec in specs {
            let flag = if read_only { "--ro-dir" } else { "--dir" };
            let Some((host, guest)) = split_dir(spec) else {
                // The same path on both sides would show the guest where its files live on
                // this machine (`/home/alice/...`): say where it should see them instead.
                let name = Path::new(spec)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("data");
                return Err(CliError::input(format!(
                    "{flag} {spec}: say where the guest sees the directory"
                ))
                .hint(format!(
                    "write `{flag} {spec}::/{name}`; the guest sees only the path after `::`"
                )));
            };
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
    if !args.allow_net.is_empty() {
        sandbox = sandbox.allow_network(args.allow_net.iter().copied());
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

/// `HOST::GUEST`, both sides non-empty.
fn split_dir(spec: &str) -> Option<(&str, &str)> {
    spec.split_once("::")
        .filter(|(host, guest)| !host.is_empty() && !guest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_grants() -> SandboxArgs {
        SandboxArgs {
            dirs: vec![],
            ro_dirs: vec![],
            env: vec![],
            allow_net: vec![],
            allow_http: vec![],
        }
    }

    #[test]
    fn dir_specs() {
        assert_eq!(split_dir("./data::/data"), Some(("./data", "/data")));
        assert_eq!(split_dir("/srv"), None);
        assert_eq!(split_dir("/srv::"), None);
        assert_eq!(split_dir("::/srv"), None);
        let args = SandboxArgs {
            dirs: vec!["/definitely/not/here::/x".into()],
            ..no_grants()
        };
        let err = sandbox(&args, Sandbox::new()).unwrap_err();
        assert!(err.error.to_string().contains("is not a directory"));
        let args = SandboxArgs {
            env: vec!["=x".into()],
            ..no_grants()
        };
        assert!(sandbox(&args, Sandbox::new()).is_err());
        let args = SandboxArgs {
            allow_http: vec!["api.example.com".into(), "https://x".into()],
            ..no_grants()
        };
        let err = sandbox(&args, Sandbox::new()).unwrap_err();
        assert!(
            err.error
                .to_string()
                .contains("--allow-http https://x: write a host")
        );
    }

    /// Regression: `--dir HOST` without `::GUEST` mounted the directory at its host path, so the
    /// guest saw where it lives on the host (`/home/alice/...`).
    #[test]
    fn bug_a_dir_without_a_guest_path_showed_the_guest_the_host_path() {
        let host = std::env::temp_dir();
        let spec = host.to_str().unwrap().to_string();
        for (dirs, ro_dirs, flag) in [
            (vec![spec.clone()], vec![], "--dir"),
            (vec![], vec![spec.clone()], "--ro-dir"),
        ] {
            let args = SandboxArgs {
                dirs,
                ro_dirs,
                ..no_grants()
            };
            let err = sandbox(&args, Sandbox::new()).unwrap_err();
            assert!(
                err.error.to_string().contains("say where the guest sees"),
                "{}",
                err.error
            );
            let hint = err.hint.unwrap();
            assert!(hint.contains(&format!("`{flag} {spec}::/")), "{hint}");
        }
        let args = SandboxArgs {
            dirs: vec![format!("{spec}::/tmp")],
            ..no_grants()
        };
        assert_ne!(sandbox(&args, Sandbox::new()).unwrap(), Sandbox::new());
    }

    #[test]
    fn allow_net_becomes_an_allow_list() {
        let rule: tairitsu_runtime::AddressRule = "127.0.0.1:9000".parse().unwrap();
        let args = SandboxArgs {
            allow_net: vec![rule],
            ..no_grants()
        };
        assert_eq!(
            sandbox(&args, Sandbox::new()).unwrap(),
            Sandbox::new().allow_network([rule])
        );
        assert_eq!(
            sandbox(&no_grants(), Sandbox::new()).unwrap(),
            Sandbox::new()
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
