//! Every WIT-to-Rust name goes through here. The casing and keyword policy is
//! [`tairitsu_wit::rust_name`]'s, shared with the macros and the runtime; this module adds what
//! only generated code needs: clash scopes and identifiers.
//!
//! # Policy
//!
//! - Types, variant and enum cases, and the prefixes of generated items are UpperCamelCase
//!   (`item-info` → `ItemInfo`); fields, parameters, functions and modules are snake_case
//!   (`x-pos` → `x_pos`); flag constants are SHOUTY_SNAKE_CASE (`dark-magenta` → `DARK_MAGENTA`).
//! - A name that is a Rust keyword is written as a raw identifier (`type` → `r#type`, `in` →
//!   `r#in`), except the four keywords that cannot be raw (`self`, `Self`, `super`, `crate`),
//!   which get a trailing underscore (`self` → `self_`). Serde names stay the plain snake_case
//!   or UpperCamelCase WIT name (`type`, `self`), so RON never shows the escaping.
//! - A name that clashes with a name the generator itself puts in the same scope (`HostCommand`
//!   next to the generated command enum of interface `host`, a method `handle` next to the
//!   provided `handle`) gets trailing underscores until it is unique ([`Scope::claim`]).
//! - A package module gets a version suffix (`kitchen0_1_0`) only when the world sees two
//!   versions of the same package ([`version_suffix`]).

use std::collections::HashSet;

use proc_macro2::{Ident, Span};
use tairitsu_wit::rust_name;

pub use tairitsu_wit::rust_name::{function_base, version_suffix};

/// `x-pos` → `x_pos` (before keyword escaping; this is also the serde name of a field).
pub fn snake(wit: &str) -> String {
    rust_name::snake_case(wit)
}

/// `item-info` → `ItemInfo` (before keyword escaping; this is also the serde name of a case).
pub fn camel(wit: &str) -> String {
    rust_name::upper_camel_case(wit)
}

/// `dark-magenta` → `DARK_MAGENTA`.
pub fn shouty(wit: &str) -> String {
    rust_name::shouty_snake_case(wit)
}

/// The Rust spelling of `name` under the keyword policy: `type` → `r#type`, `self` → `self_`,
/// anything else unchanged. [`from_escaped`] makes it an identifier.
pub fn escape(name: &str) -> String {
    rust_name::rust_ident(name)
}

/// The serde name a Rust identifier needs when it differs from `wanted` (its unescaped name).
pub fn serde_rename(rust: &str, wanted: &str) -> Option<String> {
    let unraw = rust.strip_prefix("r#").unwrap_or(rust);
    (unraw != wanted).then(|| wanted.to_string())
}

/// Names already used in one Rust scope; [`Scope::claim`] hands out unique ones.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: HashSet<String>,
}

impl Scope {
    /// A scope that already holds `reserved` (names the generator puts there itself).
    pub fn with_reserved<I, S>(reserved: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            used: reserved.into_iter().map(Into::into).collect(),
        }
    }

    /// Reserves `name` and returns it, with trailing underscores added until it is unique.
    /// `name` is the escaped spelling (see [`escape`]); uniqueness ignores the `r#` prefix.
    pub fn claim(&mut self, name: String) -> String {
        let mut name = name;
        loop {
            let key = name.strip_prefix("r#").unwrap_or(&name).to_string();
            if self.used.insert(key) {
                return name;
            }
            name = format!("{}_", name.strip_prefix("r#").unwrap_or(&name));
        }
    }
}

/// An identifier from an escaped spelling (`r#type`, `self_`, `point`).
pub fn from_escaped(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_shared_policy() {
        // The generator's spellings are tairitsu-wit's, made identifiers.
        for (wit, snake_ident, camel_ident) in [
            ("x-pos", "x_pos", "XPos"),
            ("type", "r#type", "Type"),
            ("self", "self_", "Self_"),
            ("async", "r#async", "Async"),
        ] {
            assert_eq!(from_escaped(&escape(&snake(wit))).to_string(), snake_ident);
            assert_eq!(from_escaped(&escape(&camel(wit))).to_string(), camel_ident);
        }
        assert_eq!(shouty("dark-magenta"), "DARK_MAGENTA");
    }

    #[test]
    fn serde_names_drop_the_escaping() {
        assert_eq!(serde_rename("r#type", "type"), None);
        assert_eq!(serde_rename("self_", "self"), Some("self".into()));
        assert_eq!(serde_rename("x_pos", "x_pos"), None);
        assert_eq!(
            serde_rename("HostCommand_", "HostCommand"),
            Some("HostCommand".into())
        );
    }

    #[test]
    fn clashes_get_underscores() {
        let mut scope = Scope::with_reserved(["HostCommand", "handle"]);
        assert_eq!(scope.claim("HostCommand".into()), "HostCommand_");
        assert_eq!(scope.claim("HostCommand".into()), "HostCommand__");
        assert_eq!(scope.claim("handle".into()), "handle_");
        assert_eq!(scope.claim("r#type".into()), "r#type");
        assert_eq!(scope.claim("r#type".into()), "type_");
        assert_eq!(scope.claim("point".into()), "point");
    }
}
