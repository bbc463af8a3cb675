//! The network allow-list of a sandbox: which remote addresses a guest may reach.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;
use wasmtime_wasi::sockets::SocketAddrUse;

/// One entry of a network allow-list ([`Sandbox::allow_network`](crate::Sandbox::allow_network)):
/// an address or a CIDR block, with one port or any port.
///
/// | text | allows |
/// | --- | --- |
/// | `127.0.0.1:9000`, `[::1]:9000` | that address, that port |
/// | `10.0.0.7`, `::1` | that address, any port |
/// | `10.0.0.0/8`, `fd00::/8` | the block, any port |
/// | `10.0.0.0/8:443`, `[fd00::/8]:443` | the block, that port |
///
/// An IPv4 address reached as IPv4-mapped IPv6 (`::ffff:10.0.0.7`) is matched as the IPv4
/// address it is. Host names are not rules: an allow-list grants no name lookup.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::AddressRule;
///
/// let rule: AddressRule = "10.0.0.0/8:443".parse()?;
/// assert!(rule.allows("10.1.2.3:443".parse().unwrap()));
/// assert!(!rule.allows("10.1.2.3:80".parse().unwrap()));
/// assert!(!rule.allows("169.254.169.254:443".parse().unwrap()));
/// # Ok::<(), tairitsu_runtime::AddressRuleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRule {
    net: IpNet,
    port: Option<u16>,
}

/// A network rule that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid network rule `{text}`: {reason}; write an address (`10.0.0.7`), an address and a \
     port (`127.0.0.1:9000`, `[::1]:9000`), or a CIDR block with or without a port \
     (`10.0.0.0/8`, `10.0.0.0/8:443`, `[fd00::/8]:443`)"
)]
pub struct AddressRuleError {
    /// The text given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl AddressRule {
    /// Whether this rule lets a guest reach `addr`.
    pub fn allows(&self, addr: SocketAddr) -> bool {
        self.net.contains(&addr.ip().to_canonical()) && self.port.is_none_or(|p| p == addr.port())
    }
}

impl From<SocketAddr> for AddressRule {
    /// That address and port.
    fn from(addr: SocketAddr) -> Self {
        Self {
            net: IpNet::from(addr.ip().to_canonical()),
            port: Some(addr.port()),
        }
    }
}

impl From<IpAddr> for AddressRule {
    /// That address, any port.
    fn from(ip: IpAddr) -> Self {
        Self {
            net: IpNet::from(ip.to_canonical()),
            port: None,
        }
    }
}

impl FromStr for AddressRule {
    type Err = AddressRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| AddressRuleError {
            text: text.to_string(),
            reason,
        };
        // `[host]` or `[host]:port`; else an IPv4 `host:port`; else a bare host. A bare IPv6
        // address has colons of its own, so it takes a port only in brackets.
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| err("no closing `]`"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(err("only `:PORT` may follow `]`")),
                },
            }
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                _ => (text, None),
            }
        };
        let port = match port {
            None => None,
            Some(port) => match port.parse::<u16>() {
                Ok(0) => return Err(err("port 0 is no port")),
                Ok(port) => Some(port),
                Err(_) => return Err(err("the port is not a number from 1 to 65535")),
            },
        };
        let net = if host.contains('/') {
            IpNet::from_str(host)
                .map_err(|_| err("not a CIDR block"))?
                .trunc()
        } else {
            let ip = IpAddr::from_str(host).map_err(|_| err("not an IP address"))?;
            IpNet::from(ip.to_canonical())
        };
        Ok(Self { net, port })
    }
}

impl fmt::Display for AddressRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let single = self.net.prefix_len() == self.net.max_prefix_len();
        let host = if single {
            self.net.addr().to_string()
        } else {
            self.net.to_string()
        };
        match (self.port, self.net) {
            (None, _) => f.write_str(&host),
            (Some(port), IpNet::V4(_)) => write!(f, "{host}:{port}"),
            (Some(port), IpNet::V6(_)) => write!(f, "[{host}]:{port}"),
        }
    }
}

/// Whether a guest with the allow-list `rules` may use `addr` for `usage`.
///
/// Connecting and sending need a rule for the remote address, and a datagram is received only
/// from such an address. A socket may be bound to an ephemeral port (port 0, which is also what
/// wasmtime-wasi checks for the implicit bind before a connect), never to a fixed one, and
/// never listen: the allow-list grants reaching out, not serving.
pub(crate) fn permits(rules: &[AddressRule], addr: SocketAddr, usage: SocketAddrUse) -> bool {
    match usage {
        SocketAddrUse::TcpConnect | SocketAddrUse::UdpSend | SocketAddrUse::UdpReceive => {
            rules.iter().any(|rule| rule.allows(addr))
        }
        SocketAddrUse::TcpBind | SocketAddrUse::UdpBind => addr.port() == 0,
        SocketAddrUse::TcpListen | SocketAddrUse::TcpAccept => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> AddressRule {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn rules_parse_print_and_match() {
        let cases: &[(&str, &str, &[&str], &[&str])] = &[
            (
                "127.0.0.1:9000",
                "127.0.0.1:9000",
                &["127.0.0.1:9000", "[::ffff:127.0.0.1]:9000"],
                &["127.0.0.1:9001", "127.0.0.2:9000", "[::1]:9000"],
            ),
            (
                "10.0.0.7",
                "10.0.0.7",
                &["10.0.0.7:1", "10.0.0.7:65535"],
                &["10.0.0.8:80"],
            ),
            (
                "10.1.2.3/8",
                "10.0.0.0/8",
                &["10.0.0.1:80", "10.255.255.255:22"],
                &["11.0.0.1:80", "169.254.169.254:80"],
            ),
            (
                "10.0.0.0/8:443",
                "10.0.0.0/8:443",
                &["10.9.9.9:443"],
                &["10.9.9.9:80"],
            ),
            ("::1", "::1", &["[::1]:5"], &["127.0.0.1:5"]),
            ("[::1]:9000", "[::1]:9000", &["[::1]:9000"], &["[::1]:9001"]),
            (
                "[fd00::/8]:443",
                "[fd00::/8]:443",
                &["[fd12::1]:443"],
                &["[fe80::1]:443", "[fd12::1]:80"],
            ),
            ("fd00::/8", "fd00::/8", &["[fdff::1]:1"], &["[fe00::1]:1"]),
            (
                "0.0.0.0/0",
                "0.0.0.0/0",
                &["1.2.3.4:5", "169.254.169.254:80"],
                &["[::1]:5"],
            ),
        ];
        for (text, printed, allowed, refused) in cases {
            let r = rule(text);
            assert_eq!(r.to_string(), *printed, "{text}");
            assert_eq!(rule(printed), r, "{text}");
            for a in *allowed {
                assert!(r.allows(addr(a)), "{text} must allow {a}");
            }
            for a in *refused {
                assert!(!r.allows(addr(a)), "{text} must refuse {a}");
            }
        }
        assert_eq!(
            AddressRule::from(addr("127.0.0.1:80")),
            rule("127.0.0.1:80")
        );
        assert_eq!(
            AddressRule::from(addr("127.0.0.1:80").ip()),
            rule("127.0.0.1")
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (text, reason) in [
            ("", "not an IP address"),
            ("localhost:80", "not an IP address"),
            ("example.com", "not an IP address"),
            ("10.0.0.1:", "the port is not a number"),
            ("10.0.0.1:99999", "the port is not a number"),
            ("10.0.0.1:0", "port 0"),
            ("10.0.0.0/33", "not a CIDR block"),
            ("[::1", "no closing"),
            ("[::1]80", "only `:PORT`"),
            ("::1:80:x", "not an IP address"),
        ] {
            let err = text.parse::<AddressRule>().unwrap_err();
            assert_eq!(err.text, text);
            assert!(err.reason.contains(reason), "{text}: {err}");
            assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
        }
    }

    #[test]
    fn an_allow_list_permits_reaching_out_to_its_addresses_only() {
        let rules = [rule("127.0.0.1:9000"), rule("10.0.0.0/8")];
        let yes = |a, u| assert!(permits(&rules, addr(a), u), "{a} {u:?}");
        let no = |a, u| assert!(!permits(&rules, addr(a), u), "{a} {u:?}");
        yes("127.0.0.1:9000", SocketAddrUse::TcpConnect);
        yes("10.3.4.5:53", SocketAddrUse::UdpSend);
        yes("10.3.4.5:53", SocketAddrUse::UdpReceive);
        no("127.0.0.1:9001", SocketAddrUse::TcpConnect);
        // The cloud metadata service and the rest of the world.
        no("169.254.169.254:80", SocketAddrUse::TcpConnect);
        no("169.254.169.254:80", SocketAddrUse::UdpSend);
        no("8.8.8.8:53", SocketAddrUse::UdpSend);
        no("8.8.8.8:53", SocketAddrUse::UdpReceive);
        // Binding an ephemeral port (and the implicit bind of a connect) is allowed, a fixed
        // port or listening is not.
        yes("0.0.0.0:0", SocketAddrUse::TcpBind);
        yes("127.0.0.1:0", SocketAddrUse::UdpBind);
        no("127.0.0.1:9000", SocketAddrUse::TcpBind);
        no("0.0.0.0:53", SocketAddrUse::UdpBind);
        no("0.0.0.0:0", SocketAddrUse::TcpListen);
        no("127.0.0.1:9000", SocketAddrUse::TcpAccept);
        // An empty list reaches nothing.
        assert!(!permits(
            &[],
            addr("127.0.0.1:9000"),
            SocketAddrUse::TcpConnect
        ));
    }
}
