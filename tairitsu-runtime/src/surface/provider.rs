//! Who could provide an import that nobody does: the host (with a closure), or nobody in this
//! build (a WASI proposal Tairitsu does not link, or a WASI version wasmtime 48 does not serve).

use std::fmt;

/// The WASI 0.2 packages every container links (wasmtime-wasi 48 and wasmtime-wasi-http 48,
/// matched by semver, so any `0.2.x` is served).
const LINKED_WASI: [&str; 7] = [
    "cli",
    "clocks",
    "filesystem",
    "io",
    "random",
    "sockets",
    "http",
];

/// What would provide a missing import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provider {
    /// An interface of the component's own world: the host serves it, with
    /// [`HostImports`](crate::dynamic::HostImports) or generated bindings.
    Host,
    /// A WASI package Tairitsu does not link (`wasi:keyvalue`, `wasi:config`, …): the host may
    /// serve its functions itself, as it would its own.
    WasiProposal {
        /// The package, as `wasi:keyvalue`.
        package: String,
    },
    /// A WASI package Tairitsu links, at a version wasmtime 48 does not serve (`wasi:cli@0.3.0`):
    /// the component must be built for WASI 0.2.
    WasiVersion {
        /// The package with its version, as `wasi:cli@0.3.0`.
        package: String,
    },
}

impl Provider {
    /// What would provide `import`, a qualified name as [`Error::MissingImports`] lists them
    /// (`pkg:ns/iface@ver#func`).
    ///
    /// [`Error::MissingImports`]: crate::Error::MissingImports
    pub fn of(import: &str) -> Provider {
        let Some(rest) = import.strip_prefix("wasi:") else {
            return Provider::Host;
        };
        let interface = rest.split('#').next().unwrap_or(rest);
        let (path, version) = match interface.split_once('@') {
            Some((path, version)) => (path, Some(version)),
            None => (interface, None),
        };
        let name = path.split('/').next().unwrap_or(path);
        if !LINKED_WASI.contains(&name) {
            return Provider::WasiProposal {
                package: format!("wasi:{name}"),
            };
        }
        match version {
            Some(version) if !version.starts_with("0.2.") => Provider::WasiVersion {
                package: format!("wasi:{name}@{version}"),
            },
            _ => Provider::Host,
        }
    }

    /// One sentence per kind of provider among `missing`, in the library's terms: what to call to
    /// serve them, or why nothing in this build can.
    pub fn hint(missing: &[String]) -> String {
        let mut proposals = Vec::new();
        let mut versions = Vec::new();
        let mut host = false;
        for import in missing {
            match Provider::of(import) {
                Provider::Host => host = true,
                Provider::WasiProposal { package } if !proposals.contains(&package) => {
                    proposals.push(package)
                }
                Provider::WasiVersion { package } if !versions.contains(&package) => {
                    versions.push(package)
                }
                _ => {}
            }
        }
        let mut sentences = Vec::new();
        if !versions.is_empty() {
            sentences.push(format!(
                "{} {} WASI 0.3, which wasmtime 48 does not serve: build the component for WASI 0.2",
                versions.join(", "),
                if versions.len() == 1 { "is" } else { "are" }
            ));
        }
        if !proposals.is_empty() {
            sentences.push(format!(
                "Tairitsu does not link {}: serve {} functions with `HostImports`, as the host's own",
                proposals.join(", "),
                if proposals.len() == 1 { "its" } else { "their" }
            ));
        }
        if host || !proposals.is_empty() {
            sentences.push(
                "serve imports with `ContainerBuilder::with_host_imports` (closures) or generated \
                 bindings, or define the missing ones as functions that trap with \
                 `ContainerBuilder::trap_unknown_imports(true)`"
                    .to_string(),
            );
        }
        sentences.join("; ")
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::Host => f.write_str("the host"),
            Provider::WasiProposal { package } => write!(f, "nobody in this build ({package})"),
            Provider::WasiVersion { package } => write!(f, "WASI 0.3 ({package})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_of_missing_imports() {
        assert_eq!(Provider::of("test:host/log@0.1.0#log"), Provider::Host);
        assert_eq!(Provider::of("log"), Provider::Host);
        // Linked 0.2.x: only missing if the host chose not to provide it; the host can.
        assert_eq!(
            Provider::of("wasi:cli/environment@0.2.9#get-environment"),
            Provider::Host
        );
        assert_eq!(
            Provider::of("wasi:keyvalue/store@0.2.0-draft#[resource]bucket"),
            Provider::WasiProposal {
                package: "wasi:keyvalue".into()
            }
        );
        assert_eq!(
            Provider::of("wasi:http/types@0.3.0-rc-2025-09-16#[resource]fields"),
            Provider::WasiVersion {
                package: "wasi:http@0.3.0-rc-2025-09-16".into()
            }
        );
    }

    #[test]
    fn hints_name_what_would_provide_each_kind() {
        let hint = Provider::hint(&["test:host/log@0.1.0#log".into()]);
        assert!(
            hint.starts_with("serve imports with `ContainerBuilder::with_host_imports`"),
            "{hint}"
        );
        assert!(hint.contains("trap_unknown_imports(true)"), "{hint}");
        let hint = Provider::hint(&[
            "wasi:config/store@0.2.0-draft#get".into(),
            "wasi:config/store@0.2.0-draft#get-all".into(),
            "wasi:cli/stdin@0.3.0#get-stdin".into(),
        ]);
        assert!(hint.starts_with("wasi:cli@0.3.0 is WASI 0.3"), "{hint}");
        assert!(
            hint.contains("Tairitsu does not link wasi:config: serve its functions"),
            "{hint}"
        );
        assert_eq!(hint.matches("wasi:config").count(), 1, "{hint}");
    }
}
