//! What a guest may touch through WASI: nothing, unless granted.

mod network;

use std::path::PathBuf;
use std::sync::Arc;

use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::{Error, Result};

pub use network::{AddressRule, AddressRuleError};

/// The WASI capabilities a container grants its guest.
///
/// By default a guest gets no files, no directories, no environment variables, no arguments, no
/// sockets (TCP, UDP and name lookup are all refused), closed stdin, and stdout/stderr that go
/// nowhere. It does get what WASI 0.2 cannot run without: wall and monotonic clocks and random
/// numbers. Each grant is explicit.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::Sandbox;
///
/// let sandbox = Sandbox::new()
///     .preopen_dir("/srv/plugin-data", "/data", true)
///     .env("MODE", "production")
///     .allow_network(["127.0.0.1:9000".parse()?, "10.0.0.0/8:443".parse()?])
///     .inherit_stderr();
/// # Ok::<(), tairitsu_runtime::AddressRuleError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    dirs: Vec<Preopen>,
    env: Vec<(String, String)>,
    args: Vec<String>,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    network: Network,
    pub(crate) http: crate::http::HttpPolicy,
}

/// What the guest may reach over the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Network {
    /// Nothing: no socket, no name lookup.
    #[default]
    None,
    /// The addresses of an allow-list, and no name lookup.
    Allowed(Vec<AddressRule>),
    /// Every address, and name lookup.
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Preopen {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

impl Sandbox {
    /// Grants nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the host directory `host` visible to the guest as `guest`, read-only or
    /// read-write. The guest sees that directory and what is below it, nothing beside it.
    pub fn preopen_dir(
        mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        read_only: bool,
    ) -> Self {
        self.dirs.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            read_only,
        });
        self
    }

    /// Sets one environment variable in the guest (the host's environment is never inherited).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the guest's arguments (`argv`, program name first).
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Connects the guest's stdin, stdout and stderr to the host's.
    pub fn inherit_stdio(mut self) -> Self {
        self.stdin = true;
        self.stdout = true;
        self.stderr = true;
        self
    }

    /// Connects the guest's stdout to the host's.
    pub fn inherit_stdout(mut self) -> Self {
        self.stdout = true;
        self
    }

    /// Connects the guest's stderr to the host's.
    pub fn inherit_stderr(mut self) -> Self {
        self.stderr = true;
        self
    }

    /// Lets the guest open TCP and UDP sockets to any address, listen, and look names up.
    ///
    /// Any address means the host's own loopback services (databases, admin ports), the
    /// private network, and link-local addresses such as a cloud provider's metadata service
    /// (`169.254.169.254`, which hands out credentials). Prefer
    /// [`allow_network`](Self::allow_network) for a guest that needs a few services.
    pub fn inherit_network(mut self) -> Self {
        self.network = Network::Any;
        self
    }

    /// Lets the guest reach the addresses of an allow-list and nothing else: it may connect
    /// (TCP) and send to (UDP) an address that one of `rules` allows, and receives datagrams
    /// only from such addresses. Everything else is refused before any packet leaves, as if
    /// unreachable: other addresses and ports, binding a fixed port, listening, and name
    /// lookup (which would reach a DNS resolver; give the guest addresses). Calling it again
    /// adds rules; after [`inherit_network`](Self::inherit_network) it changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use tairitsu_runtime::{AddressRule, Sandbox};
    ///
    /// let rules: Vec<AddressRule> = ["127.0.0.1:9000", "10.0.0.0/8"]
    ///     .iter()
    ///     .map(|r| r.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let sandbox = Sandbox::new().allow_network(rules);
    /// # Ok::<(), tairitsu_runtime::AddressRuleError>(())
    /// ```
    pub fn allow_network(mut self, rules: impl IntoIterator<Item = AddressRule>) -> Self {
        match &mut self.network {
            Network::Any => {}
            Network::Allowed(list) => list.extend(rules),
            Network::None => self.network = Network::Allowed(rules.into_iter().collect()),
        }
        self
    }

    /// Builds a fresh WASI context with these grants (one per container start).
    pub(crate) fn build(&self) -> Result<WasiCtx> {
        if let Some(invalid) = self.http.invalid.first() {
            return Err(invalid.clone().into());
        }
        let mut b = WasiCtxBuilder::new();
        for dir in &self.dirs {
            let perms = if dir.read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            b.preopened_dir(&dir.host, &dir.guest, perms).map_err(|e| {
                Error::Config(format!(
                    "cannot grant directory {}: {e:#}",
                    dir.host.display()
                ))
            })?;
        }
        for (k, v) in &self.env {
            b.env(k, v);
        }
        b.args(&self.args);
        if self.stdin {
            b.inherit_stdin();
        }
        if self.stdout {
            b.inherit_stdout();
        }
        if self.stderr {
            b.inherit_stderr();
        }
        match &self.network {
            // wasmtime-wasi leaves TCP and UDP off by default: the address check alone allows
            // nothing.
            Network::Any => {
                b.inherit_network()
                    .allow_tcp(true)
                    .allow_udp(true)
                    .allow_ip_name_lookup(true);
            }
            Network::Allowed(rules) => {
                let rules: Arc<[AddressRule]> = rules.as_slice().into();
                b.socket_addr_check(move |addr, usage| {
                    let permitted = network::permits(&rules, addr, usage);
                    Box::pin(std::future::ready(permitted))
                })
                .allow_tcp(true)
                .allow_udp(true)
                .allow_ip_name_lookup(false);
            }
            Network::None => {
                b.allow_tcp(false)
                    .allow_udp(false)
                    .allow_ip_name_lookup(false);
            }
        }
        Ok(b.build())
    }
}
