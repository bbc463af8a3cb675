//! Image references: `name` or `name:tag`.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An image reference, `name:tag`, as in `calculator:1.2` (a bare `name` means `name:latest`).
///
/// Names are lower-case ASCII letters, digits and `-._/`, starting with a letter or digit; tags
/// are letters, digits and `-._`, up to 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    name: String,
    tag: String,
}

impl ImageRef {
    /// The name part.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag part (`latest` when none was given).
    pub fn tag(&self) -> &str {
        &self.tag
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
        let (name, tag) = match s.rsplit_once(':') {
            Some((name, tag)) => (name, tag),
            None => (s, "latest"),
        };
        if name.is_empty() {
            return Err(invalid("the name is empty"));
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            return Err(invalid("a name starts with a lower-case letter or a digit"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._/".contains(c))
        {
            return Err(invalid(
                "a name has only lower-case letters, digits and `-._/`",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let r: ImageRef = "calc:1.0".parse().unwrap();
        assert_eq!((r.name(), r.tag()), ("calc", "1.0"));
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
}
