//! What the command reports when it fails: the message, a hint when one is known, and the
//! exit code.

use std::fmt;
use std::process::ExitCode;

use tairitsu_runtime::oci::RegistryError;
use tairitsu_runtime::{Error as RuntimeError, LimitKind, Provider};

/// Why the command failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The guest failed: a trap, a deadline, a limit, a failing host import, a failed start.
    /// Exit code 1.
    Guest,
    /// Bad usage or bad input: a file that is not a component, an unknown function, a value of
    /// the wrong type, a missing import, an unknown image. Exit code 2.
    Input,
}

impl Failure {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Failure::Guest => 1,
            Failure::Input => 2,
        }
    }
}

/// An error on its way to stderr: `error: …` and, when known, `hint: …`.
#[derive(Debug)]
pub struct CliError {
    /// What kind of failure it is.
    pub failure: Failure,
    /// The message. Only the top level is printed: the runtime's messages already include
    /// their causes.
    pub error: anyhow::Error,
    /// What to do about it.
    pub hint: Option<String>,
}

impl CliError {
    /// Bad usage or input, with a message.
    pub fn input(message: impl fmt::Display) -> Self {
        Self {
            failure: Failure::Input,
            error: anyhow::anyhow!("{message}"),
            hint: None,
        }
    }

    /// Adds or replaces the hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error to stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {}", self.error);
        if let Some(hint) = &self.hint {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.failure.code())
    }
}

impl From<RuntimeError> for CliError {
    fn from(error: RuntimeError) -> Self {
        let failure = match &error {
            RuntimeError::Trap { .. }
            | RuntimeError::DeadlineExceeded { .. }
            | RuntimeError::LimitExceeded { .. }
            | RuntimeError::Host { .. }
            | RuntimeError::Instantiate { .. }
            | RuntimeError::ContainerFailed { .. }
            | RuntimeError::ContainerStopped { .. }
            | RuntimeError::Interrupted { .. }
            | RuntimeError::Wasmtime { .. } => Failure::Guest,
            _ => Failure::Input,
        };
        let hint = runtime_hint(&error);
        Self {
            failure,
            error: error.into(),
            hint,
        }
    }
}

impl From<tairitsu_build::Error> for CliError {
    fn from(error: tairitsu_build::Error) -> Self {
        Self {
            failure: Failure::Input,
            error: error.into(),
            hint: None,
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        match error.downcast::<RuntimeError>() {
            Ok(runtime) => runtime.into(),
            Err(error) => Self {
                failure: Failure::Input,
                error,
                hint: None,
            },
        }
    }
}

/// The hints every command shares; commands add their own where they know more.
fn runtime_hint(error: &RuntimeError) -> Option<String> {
    Some(match error {
        RuntimeError::UnknownExport { .. } => {
            "`tairitsu inspect COMPONENT` lists the exports with their signatures".into()
        }
        RuntimeError::AmbiguousExport { .. } => {
            "write the interface before the function, as `api.add` or `pkg:ns/api#add`".into()
        }
        RuntimeError::MissingImports { missing, .. } => {
            // WASI this build cannot serve comes first: the flags below only stub it.
            let mut unserved: Vec<String> = Vec::new();
            for provider in missing.iter().map(|m| Provider::of(m)) {
                let note = match provider {
                    Provider::Host => continue,
                    Provider::WasiProposal { package } => {
                        format!("`{package}` is not linked by Tairitsu")
                    }
                    Provider::WasiVersion { package } => {
                        format!("`{package}` is WASI 0.3, which wasmtime 48 does not serve")
                    }
                };
                if !unserved.contains(&note) {
                    unserved.push(note);
                }
            }
            let flags = "give each a constant result with `--import 'NAME=VALUE'`, or pass \
                 `--trap-unknown-imports` to define them as functions that trap when called";
            if unserved.is_empty() {
                flags.into()
            } else {
                format!("{}; {flags}", unserved.join(", "))
            }
        }
        RuntimeError::DeadlineExceeded { .. } => {
            "allow more time with `--timeout` (for example `--timeout 30s`, or `none`)".into()
        }
        RuntimeError::LimitExceeded {
            limit: LimitKind::Memory,
            ..
        } => "allow more memory with `--max-memory` (for example `--max-memory 512MiB`)".into(),
        RuntimeError::ImageNotFound(_) => "`tairitsu image ls` lists the stored images".into(),
        RuntimeError::Registry(registry) => return registry_hint(registry),
        RuntimeError::StoreDamaged { .. } => {
            "the store's files were changed outside tairitsu; repair or remove what the message \
             names (`--store DIR` uses another store)"
                .into()
        }
        RuntimeError::InvalidReference { .. } => {
            "a reference is `name` or `name:tag`: lower-case letters, digits and `-._/`, \
             as in `calc:1.0`"
                .into()
        }
        _ => return None,
    })
}

/// What to do about a registry's answer.
fn registry_hint(error: &RegistryError) -> Option<String> {
    Some(match error {
        RegistryError::Unauthorized {
            registry,
            with_credentials: false,
            ..
        } => format!(
            "log in: `--username NAME --password-stdin`, or an `auths` entry for `{registry}` \
             in ~/.docker/config.json (`docker login {registry}` writes one)"
        ),
        RegistryError::Unauthorized { registry, .. } => format!(
            "check the user name and the password (or token) for `{registry}`, and that they \
             may do this"
        ),
        RegistryError::NotFound { .. } => {
            "check the repository and the tag (or digest); a reference is \
             `REGISTRY/REPOSITORY[:TAG]`"
                .into()
        }
        RegistryError::Unreachable { .. } => {
            "check that the registry is running and that its host and port are right".into()
        }
        RegistryError::Tls { .. } => "a TLS or certificate problem: if the registry's \
             certificate is self-signed or from a CA this machine does not trust, trust it with \
             `--ca-file CA.pem` (or `SSL_CERT_FILE=CA.pem`, which replaces the system's roots); \
             check that it has not expired and names this host; for a registry that serves plain \
             HTTP, `--insecure`"
            .into(),
        RegistryError::NotAWasmArtifact { .. } => "tairitsu runs WebAssembly components: push \
             one with `tairitsu image push FILE REFERENCE` (or `wkg oci push`)"
            .into(),
        RegistryError::DigestMismatch { .. } => {
            "nothing was stored; the registry's copy is damaged or was changed".into()
        }
        RegistryError::Interrupted { .. } => "nothing was stored; pull again".into(),
        // A registry on this machine is spoken to in plain HTTP; one that only serves HTTPS
        // answers that with a 400.
        RegistryError::Protocol { registry, .. }
            if tairitsu_runtime::oci::RemoteRef::parse(&format!("{registry}/x"))
                .is_ok_and(|r| r.is_loopback()) =>
        {
            "a registry on this machine is reached over plain HTTP; if it only serves HTTPS, \
             pass `--tls`"
                .into()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_failures_exit_with_1_and_input_errors_with_2() {
        let trap = CliError::from(RuntimeError::Trap {
            call: "c/f".into(),
            message: "unreachable".into(),
            source: None,
        });
        assert_eq!(trap.failure.code(), 1);
        let deadline = CliError::from(RuntimeError::DeadlineExceeded {
            call: "c/f".into(),
            deadline: std::time::Duration::from_millis(10),
        });
        assert_eq!(deadline.failure, Failure::Guest);
        assert!(deadline.hint.unwrap().contains("--timeout"));
        let missing = CliError::from(anyhow::Error::from(RuntimeError::MissingImports {
            image: "x".into(),
            missing: vec!["a#b".into()],
        }));
        assert_eq!(missing.failure.code(), 2);
        assert!(missing.hint.unwrap().contains("--import"));
        let wasi = CliError::from(anyhow::Error::from(RuntimeError::MissingImports {
            image: "x".into(),
            missing: vec![
                "wasi:keyvalue/store@0.2.0-draft#get".into(),
                "wasi:keyvalue/store@0.2.0-draft#set".into(),
            ],
        }));
        let hint = wasi.hint.unwrap();
        assert!(
            hint.starts_with("`wasi:keyvalue` is not linked by Tairitsu; give each"),
            "{hint}"
        );
        let other = CliError::from(anyhow::anyhow!("no such file"));
        assert_eq!(other.failure.code(), 2);
        assert_eq!(other.hint, None);
    }
}
