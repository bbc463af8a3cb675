//! Image references: `name` or `name:tag`, where a name may start with a registry host
//! (`localhost:5000/calc:1.0`, `ghcr.io/org/plugin:1.0`), and how a lookup text is read.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An image reference, `name:tag`, as in `calculator:1.2` (a bare `name` means `name:latest`).
///
/// Names are lower-case ASCII letters, digits and `-._/`, starting with a letter or digit; tags
/// are letters, digits and `-._`, up to 128 characters. A name whose first `/`-separated part
/// looks like a host, as Docker reads it (it has a `.` or a `:`, or is `localhost`), names an
/// image of that registry: `localhost:5000/calc:1.0`, `ghcr.io/org/plugin:1.0`. Other names are
/// local, however many `/` they have: `org/calc:1.0` is never looked up on a registry.
///
/// `sha256:…` always means a digest, so a reference can never be written like one: the name
/// `sha256` and names of 64 hex digits are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    name: String,
    tag: String,
}

impl ImageRef {
    /// The name part, with the registry host when there is one (`localhost:5000/calc`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag part (`latest` when none was given).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The registry host (and port) the name starts with, if it starts with one:
    /// `localhost:5000` for `localhost:5000/calc:1.0`, `None` for `calc:1.0`.
    pub fn registry(&self) -> Option<&str> {
        split_registry(&self.name).0
    }

    /// The name without its registry host: `calc` for `localhost:5000/calc:1.0`.
    pub fn repository(&self) -> &str {
        split_registry(&self.name).1
    }
}

/// Splits `host[:port]/path` into the host and the path, when the first part is a host by
/// Docker's rule: it holds a `.` or a `:`, or it is `localhost`.
pub(crate) fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)
    }
}

impl FromStr for ImageRef {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidReference {
            reference: s.to_string(),
            reason,
        };
        if s.starts_with("sha256:") {
            return Err(invalid(
                "`sha256:` starts a digest, and a digest cannot be used as a tag",
            ));
        }
        // The tag follows the last `:` after the last `/`: a `:` before it is a port.
        let last_part = s.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match s[last_part..].rfind(':') {
            Some(i) => (&s[..last_part + i], &s[last_part + i + 1..]),
            None => (s, "latest"),
        };
        if name.is_empty() {
            return Err(invalid("the name is empty"));
        }
        let (host, path) = split_registry(name);
        if let Some(host) = host {
            check_host(host).map_err(invalid)?;
        }
        if path.is_empty() {
            return Err(invalid("the name is empty"));
        }
        if !path.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            return Err(invalid("a name starts with a lower-case letter or a digit"));
        }
        if !path
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._/".contains(c))
        {
            return Err(invalid(
                "a name has only lower-case letters, digits and `-._/`",
            ));
        }
        if name == "sha256" {
            return Err(invalid(
                "`sha256` is reserved: `sha256:…` always means a digest",
            ));
        }
        if is_full_hex(name) {
            return Err(invalid(
                "a name of 64 hex digits would read as a digest; choose another name",
            ));
        }
        if tag.is_empty() || tag.len() > 128 {
            return Err(invalid("a tag has 1 to 128 characters"));
        }
        if !tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        {
            return Err(invalid("a tag has only letters, digits and `-._`"));
        }
        Ok(ImageRef {
            name: name.to_string(),
            tag: tag.to_string(),
        })
    }
}

/// Checks a registry host: lower-case letters, digits, `-` and `.`, then an optional `:port`.
fn check_host(host: &str) -> Result<(), &'static str> {
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    if !labels_ok {
        return Err("a registry host has lower-case letters, digits, `-` and `.`, as in `ghcr.io`");
    }
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("a registry port is a number, as in `localhost:5000`");
    }
    Ok(())
}

/// Whether `text` is 64 hex digits: a whole sha256.
pub(crate) fn is_full_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a lookup text (`calc:1.0`, `sha256:…`, a hex prefix) asks for, in the order the
/// registry and the store resolve it: a digest form is only ever a digest, so that no tag can
/// stand in for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// `sha256:` and hex digits, or 64 hex digits alone: the digest whose hex starts with
    /// these (lower-case) digits, never a tag.
    Digest(String),
    /// A reference, and, when its text is also 6 or more hex digits, the digest prefix it may
    /// mean when no such tag exists.
    Reference(ImageRef, Option<String>),
    /// Neither: nothing can match.
    Nothing,
}

impl Lookup {
    /// Reads a lookup text.
    pub(crate) fn parse(text: &str) -> Lookup {
        let text = text.trim();
        let hex_prefix = |hex: &str| {
            (hex.len() >= 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| hex.to_ascii_lowercase())
        };
        if let Some(hex) = text.strip_prefix("sha256:") {
            return match hex_prefix(hex) {
                Some(hex) => Lookup::Digest(hex),
                None => Lookup::Nothing,
            };
        }
        if is_full_hex(text) {
            return Lookup::Digest(text.to_ascii_lowercase());
        }
        match text.parse::<ImageRef>() {
            Ok(r) => Lookup::Reference(r, hex_prefix(text)),
            Err(_) => match hex_prefix(text) {
                Some(hex) => Lookup::Digest(hex),
                None => Lookup::Nothing,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let r: ImageRef = "calc:1.0".parse().unwrap();
        assert_eq!((r.name(), r.tag()), ("calc", "1.0"));
        assert_eq!(r.registry(), None);
        assert_eq!(
            "calc".parse::<ImageRef>().unwrap().to_string(),
            "calc:latest"
        );
        assert_eq!(
            "org/calc:v2".parse::<ImageRef>().unwrap().to_string(),
            "org/calc:v2"
        );
        for bad in ["", ":x", "Calc", "calc:", "calc:a b", "-x", "a b"] {
            assert!(bad.parse::<ImageRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_may_start_with_a_registry_host() {
        let r: ImageRef = "localhost:5000/calc:1.0".parse().unwrap();
        assert_eq!((r.name(), r.tag()), ("localhost:5000/calc", "1.0"));
        assert_eq!(r.registry(), Some("localhost:5000"));
        assert_eq!(r.repository(), "calc");
        let r: ImageRef = "localhost:5000/calc".parse().unwrap();
        assert_eq!(r.to_string(), "localhost:5000/calc:latest");
        let r: ImageRef = "ghcr.io/org/plugin:1.0".parse().unwrap();
        assert_eq!(r.registry(), Some("ghcr.io"));
        assert_eq!(r.repository(), "org/plugin");
        // Local names keep their slashes and dots, and no registry.
        for local in ["org/calc:1.0", "my.plugin:1.0", "a/b/c"] {
            let r: ImageRef = local.parse().unwrap();
            assert_eq!(r.registry(), None, "{local}");
        }
        for bad in [
            "Ghcr.io/x",
            "localhost:port/x",
            "localhost:5000/",
            "-a.io/x",
            "a..io/x",
        ] {
            assert!(bad.parse::<ImageRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn digest_forms_are_never_references() {
        let hex = "a".repeat(64);
        for digest_like in [
            format!("sha256:{hex}"),
            "sha256:abcdef".to_string(),
            "sha256".to_string(),
            "sha256:latest".to_string(),
            hex.clone(),
            format!("{hex}:v1"),
        ] {
            let err = digest_like.parse::<ImageRef>().unwrap_err();
            assert!(
                matches!(err, Error::InvalidReference { .. }),
                "{digest_like}: {err}"
            );
        }
        assert_eq!(
            Lookup::parse(&format!("sha256:{hex}")),
            Lookup::Digest(hex.clone())
        );
        assert_eq!(Lookup::parse(&hex.to_uppercase()), Lookup::Digest(hex));
        assert_eq!(
            Lookup::parse("sha256:ABCDEF"),
            Lookup::Digest("abcdef".into())
        );
        assert_eq!(Lookup::parse("sha256:abc"), Lookup::Nothing);
        assert_eq!(
            Lookup::parse("abcdef12"),
            Lookup::Reference("abcdef12".parse().unwrap(), Some("abcdef12".into()))
        );
        assert_eq!(
            Lookup::parse("calc"),
            Lookup::Reference("calc".parse().unwrap(), None)
        );
        assert_eq!(Lookup::parse("ABCDEF12"), Lookup::Digest("abcdef12".into()));
    }
}
