//! Which hosts a guest may reach over `wasi:http`: none unless granted, and never a private,
//! loopback or link-local address unless that address is granted itself.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::sandbox::Sandbox;

/// One entry of [`Sandbox::allow_http`]: a host (or a family of hosts) and the ports allowed.
///
/// | pattern | matches |
/// | --- | --- |
/// | `api.example.com` | that name, on the scheme's default port (80 for `http`, 443 for `https`) |
/// | `api.example.com:8443` | that name on port 8443 only |
/// | `api.example.com:*` | that name on any port |
/// | `*.example.org` | every name under `example.org` (not `example.org` itself) |
/// | `127.0.0.1:9000`, `[::1]:9000` | that address literally, private or not |
/// | `*` | every public host name and address (private ones still need their own entry) |
///
/// Names are compared without case and without a trailing dot.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::http::HostPattern;
///
/// let pattern: HostPattern = "*.example.org:8443".parse()?;
/// assert_eq!(pattern.to_string(), "*.example.org:8443");
/// assert!("*.".parse::<HostPattern>().is_err());
/// # Ok::<(), tairitsu_runtime::http::HostPatternError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPattern {
    host: HostMatch,
    port: PortMatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum HostMatch {
    /// `*`: any public host.
    Any,
    /// A name, lower case, without a trailing dot.
    Name(String),
    /// `*.suffix`: the names under `suffix` (kept as `.suffix`).
    Under(String),
    /// An address literal.
    Ip(IpAddr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PortMatch {
    /// 80 for `http`, 443 for `https`.
    SchemeDefault,
    /// `:*`.
    Any,
    /// `:N`.
    Exactly(u16),
}

impl PortMatch {
    fn allows(self, port: u16, tls: bool) -> bool {
        match self {
            PortMatch::SchemeDefault => port == if tls { 443 } else { 80 },
            PortMatch::Any => true,
            PortMatch::Exactly(p) => p == port,
        }
    }
}

/// A [`HostPattern`] that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{pattern}` is not a host pattern: {reason}")]
pub struct HostPatternError {
    /// The text given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for HostPattern {
    type Err = HostPatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| HostPatternError {
            pattern: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("it is empty"));
        }
        if trimmed.contains("://") || trimmed.contains('/') {
            return Err(error(
                "write a host and an optional port (`api.example.com:443`), not a URL",
            ));
        }
        // `[v6]` or `[v6]:port`, else `host` or `host:port` (a bare v6 address has several
        // colons and no port).
        let (host, port) = if let Some(rest) = trimmed.strip_prefix('[') {
            let Some((v6, after)) = rest.split_once(']') else {
                return Err(error("an IPv6 address in `[` has no closing `]`"));
            };
            let port = match after {
                "" => None,
                _ => match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return Err(error("expected `:PORT` after `]`")),
                },
            };
            let ip: Ipv6Addr = v6.parse().map_err(|_| error("not an IPv6 address"))?;
            (HostMatch::Ip(IpAddr::V6(ip)), port)
        } else if trimmed.matches(':').count() > 1 {
            let ip: Ipv6Addr = trimmed
                .parse()
                .map_err(|_| error("not an IPv6 address (write `[ADDRESS]:PORT` for a port)"))?;
            (HostMatch::Ip(IpAddr::V6(ip)), None)
        } else {
            let (host, port) = match trimmed.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (trimmed, None),
            };
            (parse_host(host).map_err(error)?, port)
        };
        let port = match port {
            None => PortMatch::SchemeDefault,
            Some("*") => PortMatch::Any,
            Some(port) => match port.parse::<u16>() {
                Ok(0) | Err(_) => return Err(error("the port is not a number from 1 to 65535")),
                Ok(port) => PortMatch::Exactly(port),
            },
        };
        Ok(HostPattern { host, port })
    }
}

fn parse_host(host: &str) -> Result<HostMatch, &'static str> {
    if host == "*" {
        return Ok(HostMatch::Any);
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(HostMatch::Ip(IpAddr::V4(ip)));
    }
    let (under, name) = match host.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, host),
    };
    let name = normalize(name);
    if name.is_empty() {
        return Err("the host name is empty");
    }
    if name.contains('*') {
        return Err("`*` may only stand alone or as the first label (`*.example.org`)");
    }
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if name.len() > 253 || !name.split('.').all(valid_label) {
        return Err("not a host name (letters, digits, `-` and `_` in dot-separated labels)");
    }
    Ok(if under {
        HostMatch::Under(format!(".{name}"))
    } else {
        HostMatch::Name(name)
    })
}

/// Lower case, without a trailing dot: how names are compared.
fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            HostMatch::Any => f.write_str("*")?,
            HostMatch::Name(name) => f.write_str(name)?,
            HostMatch::Under(suffix) => write!(f, "*{suffix}")?,
            HostMatch::Ip(IpAddr::V4(ip)) => write!(f, "{ip}")?,
            HostMatch::Ip(IpAddr::V6(ip)) if self.port == PortMatch::SchemeDefault => {
                return write!(f, "{ip}");
            }
            HostMatch::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]")?,
        }
        match self.port {
            PortMatch::SchemeDefault => Ok(()),
            PortMatch::Any => f.write_str(":*"),
            PortMatch::Exactly(port) => write!(f, ":{port}"),
        }
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No pattern names this host and port: `HTTP-request-denied`.
    HostNotAllowed,
    /// The host is allowed, but it is (or resolves to) an address that is not public and not
    /// granted by an address pattern: `destination-IP-prohibited`.
    AddressNotPublic(IpAddr),
}

/// The hosts a container's guest may reach over `wasi:http`; empty (everything refused) by
/// default. Part of a [`Sandbox`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HttpPolicy {
    allowed: Vec<HostPattern>,
    /// Entries of `allow_http` that did not parse: reported when the container is built.
    pub(crate) invalid: Vec<HostPatternError>,
}

impl HttpPolicy {
    /// Whether any host is allowed at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.allowed.is_empty()
    }

    /// The first check, before any name lookup: does a pattern name `host` on `port`?
    /// `host` is a name or an address literal (IPv6 without brackets).
    pub(crate) fn check_host(&self, host: &str, port: u16, tls: bool) -> Result<(), Refusal> {
        let ip = host.parse::<IpAddr>().ok();
        let name = normalize(host);
        let allowed = self.allowed.iter().any(|p| {
            p.port.allows(port, tls)
                && match (&p.host, ip) {
                    (HostMatch::Any, _) => true,
                    (HostMatch::Ip(allowed), Some(ip)) => same_address(*allowed, ip),
                    (HostMatch::Name(allowed), None) => *allowed == name,
                    (HostMatch::Under(suffix), None) => name.ends_with(suffix.as_str()),
                    _ => false,
                }
        });
        if !allowed {
            return Err(Refusal::HostNotAllowed);
        }
        match ip {
            Some(ip) => self.check_address(ip, port, tls),
            None => Ok(()),
        }
    }

    /// The second check, on every address the host resolved to (and the one connected to):
    /// a public address passes; any other only when an address pattern grants it.
    pub(crate) fn check_address(&self, ip: IpAddr, port: u16, tls: bool) -> Result<(), Refusal> {
        if is_public(ip) {
            return Ok(());
        }
        let granted = self.allowed.iter().any(|p| {
            matches!(p.host, HostMatch::Ip(allowed) if same_address(allowed, ip))
                && p.port.allows(port, tls)
        });
        if granted {
            Ok(())
        } else {
            Err(Refusal::AddressNotPublic(ip))
        }
    }
}

/// `::ffff:127.0.0.1` is `127.0.0.1`.
fn same_address(a: IpAddr, b: IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

/// Whether `ip` is a globally routable unicast address: not loopback, private, link-local
/// (169.254.169.254, the cloud metadata service, is one), shared (CGNAT), unspecified,
/// broadcast, multicast, documentation, benchmarking or reserved; IPv6 forms that embed an
/// IPv4 address (mapped, NAT64, 6to4) are judged by that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = segments[6].to_be_bytes();
        let [c, d] = segments[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    if segments[0] == 0x2002 {
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || segments[..6] == [0; 6]) // IPv4-compatible (deprecated)
}

impl Sandbox {
    /// Lets the guest send `wasi:http` requests to these hosts (see [`HostPattern`] for the
    /// forms). Without this every request fails with `HTTP-request-denied`; the guest sees an
    /// error, never a trap.
    ///
    /// Names are checked before the lookup and every address after it, and the connection
    /// goes to the address that was checked, so a name that resolves to a private, loopback
    /// or link-local address (DNS rebinding included) is refused with
    /// `destination-IP-prohibited` unless that address is listed itself:
    /// `allow_http(["localhost:9000", "127.0.0.1:9000"])`.
    ///
    /// The timeouts and the response size limit are [`Limits`](crate::Limits). An entry that
    /// does not parse makes the container's build fail with
    /// [`Error::InvalidHostPattern`](crate::Error::InvalidHostPattern).
    ///
    /// # Examples
    ///
    /// ```
    /// use tairitsu_runtime::Sandbox;
    ///
    /// let sandbox = Sandbox::new().allow_http(["api.example.com", "*.example.org:8443"]);
    /// ```
    pub fn allow_http<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for host in hosts {
            match host.as_ref().parse() {
                Ok(pattern) => self.http.allowed.push(pattern),
                Err(e) => self.http.invalid.push(e),
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(patterns: &[&str]) -> HttpPolicy {
        Sandbox::new().allow_http(patterns).http
    }

    #[test]
    fn patterns_parse_and_print_back() {
        for text in [
            "api.example.com",
            "api.example.com:8443",
            "api.example.com:*",
            "*.example.org",
            "*.example.org:8443",
            "127.0.0.1:9000",
            "[::1]:9000",
            "::1",
            "*",
            "*:*",
        ] {
            let pattern: HostPattern = text.parse().unwrap();
            assert_eq!(pattern.to_string(), text);
        }
        assert_eq!(
            "API.Example.COM."
                .parse::<HostPattern>()
                .unwrap()
                .to_string(),
            "api.example.com"
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        for (text, reason) in [
            ("", "empty"),
            ("https://api.example.com", "not a URL"),
            ("api.example.com/v1", "not a URL"),
            ("api.example.com:0", "port"),
            ("api.example.com:http", "port"),
            ("a*.example.com", "first label"),
            ("*.", "empty"),
            ("exa mple.com", "not a host name"),
            ("[::1", "closing"),
            ("[::1]9000", "`:PORT`"),
            ("1::2::3", "IPv6"),
        ] {
            let error = text.parse::<HostPattern>().unwrap_err();
            assert!(error.to_string().contains(reason), "{text}: {error}");
        }
        let policy = policy(&["ok.example.com", "bad:port"]);
        assert_eq!(policy.invalid.len(), 1);
        assert_eq!(policy.allowed.len(), 1);
    }

    #[test]
    fn nothing_is_allowed_by_default() {
        let p = HttpPolicy::default();
        assert_eq!(
            p.check_host("example.com", 443, true),
            Err(Refusal::HostNotAllowed)
        );
        assert_eq!(
            p.check_host("169.254.169.254", 80, false),
            Err(Refusal::HostNotAllowed)
        );
    }

    #[test]
    fn names_ports_and_wildcards() {
        let p = policy(&["api.example.com", "*.example.org:8443", "any.example.net:*"]);
        assert!(p.check_host("api.example.com", 443, true).is_ok());
        assert!(p.check_host("API.example.com.", 80, false).is_ok());
        assert!(p.check_host("api.example.com", 80, true).is_err());
        assert!(p.check_host("api.example.com", 8080, false).is_err());
        assert!(p.check_host("other.example.com", 443, true).is_err());
        assert!(p.check_host("a.b.example.org", 8443, true).is_ok());
        assert!(p.check_host("example.org", 8443, true).is_err());
        assert!(p.check_host("evilexample.org", 8443, true).is_err());
        assert!(p.check_host("a.example.org", 443, true).is_err());
        assert!(p.check_host("any.example.net", 1, false).is_ok());
    }

    #[test]
    fn private_addresses_need_their_own_entry() {
        let p = policy(&["*", "localhost:9000"]);
        // A public literal passes `*`; the metadata service and loopback do not.
        assert!(p.check_host("93.184.216.34", 80, false).is_ok());
        assert_eq!(
            p.check_host("169.254.169.254", 80, false),
            Err(Refusal::AddressNotPublic(
                "169.254.169.254".parse().unwrap()
            ))
        );
        assert!(p.check_host("127.0.0.1", 80, false).is_err());
        // The name is allowed; what it resolves to is checked after the lookup.
        assert!(p.check_host("localhost", 9000, false).is_ok());
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            p.check_address(loopback, 9000, false),
            Err(Refusal::AddressNotPublic(loopback))
        );
        let p = policy(&["localhost:9000", "127.0.0.1:9000"]);
        assert!(p.check_address(loopback, 9000, false).is_ok());
        assert!(p.check_address(loopback, 9001, false).is_err());
        // The mapped form is the same address.
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(p.check_address(mapped, 9000, false).is_ok());
        assert!(p.check_host("::ffff:127.0.0.1", 9000, false).is_ok());
    }

    #[test]
    fn what_counts_as_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
