//! Every WIT-to-Rust name goes through here.
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

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust keywords of edition 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be written as raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// `x-pos` → `x_pos` (before keyword escaping; this is also the serde name of a field).
pub fn snake(wit: &str) -> String {
    wit.to_snake_case()
}

/// `item-info` → `ItemInfo` (before keyword escaping; this is also the serde name of a case).
pub fn camel(wit: &str) -> String {
    wit.to_upper_camel_case()
}

/// `dark-magenta` → `DARK_MAGENTA`.
pub fn shouty(wit: &str) -> String {
    wit.to_shouty_snake_case()
}

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The Rust spelling of `name` under the keyword policy: `type` → `r#type`, `self` → `self_`,
/// anything else unchanged. The result is what [`ident`] builds.
pub fn escape(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// An identifier for `name` (already cased) under the keyword policy.
#[cfg(test)]
fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The identifier of a field, parameter, function or module: snake_case, escaped.
#[cfg(test)]
fn snake_ident(wit: &str) -> Ident {
    ident(&snake(wit))
}

/// The serde name a Rust identifier needs when it differs from `wanted` (its unescaped name).
pub fn serde_rename(rust: &str, wanted: &str) -> Option<String> {
    let unraw = rust.strip_prefix("r#").unwrap_or(rust);
    (unraw != wanted).then(|| wanted.to_string())
}

/// The module suffix for a package version: `0.2.12` → `0_2_12`, `1.0.0-rc.1` → `1_0_0_rc_1`.
pub fn version_suffix(version: &str) -> String {
    version
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The kebab-case base name of a function, resource functions prefixed by their resource:
/// `[method]counter.get` → `counter-get`, `[constructor]counter` → `counter-new`,
/// `[static]counter.make` → `counter-make`, `add` → `add`.
pub fn function_base(resource: Option<&str>, item_name: &str, constructor: bool) -> String {
    match (resource, constructor) {
        (Some(r), true) => format!("{r}-new"),
        (Some(r), false) => format!("{r}-{item_name}"),
        (None, _) => item_name.to_string(),
    }
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
    fn naming_table() {
        // (WIT name, snake, camel, shouty)
        let table = [
            ("x-pos", "x_pos", "XPos", "X_POS"),
            ("item-info", "item_info", "ItemInfo", "ITEM_INFO"),
            ("type", "r#type", "Type", "TYPE"),
            ("self", "self_", "Self_", "SELF"),
            ("in", "r#in", "In", "IN"),
            ("self-ref", "self_ref", "SelfRef", "SELF_REF"),
            (
                "dark-magenta",
                "dark_magenta",
                "DarkMagenta",
                "DARK_MAGENTA",
            ),
            ("get-HTTP", "get_http", "GetHttp", "GET_HTTP"),
            ("crate", "crate_", "Crate", "CRATE"),
            ("super", "super_", "Super", "SUPER"),
            ("async", "r#async", "Async", "ASYNC"),
            ("gen", "r#gen", "Gen", "GEN"),
            ("match", "r#match", "Match", "MATCH"),
            ("u8", "u8", "U8", "U8"),
        ];
        for (wit, s, c, sh) in table {
            assert_eq!(escape(&snake(wit)), s, "snake of {wit}");
            assert_eq!(escape(&camel(wit)), c, "camel of {wit}");
            assert_eq!(shouty(wit), sh, "shouty of {wit}");
            assert_eq!(snake_ident(wit).to_string(), s);
        }
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

    #[test]
    fn function_bases() {
        assert_eq!(function_base(Some("counter"), "get", false), "counter-get");
        assert_eq!(
            function_base(Some("counter"), "counter", true),
            "counter-new"
        );
        assert_eq!(function_base(None, "echo-s8", false), "echo-s8");
    }

    #[test]
    fn versions() {
        assert_eq!(version_suffix("0.2.12"), "0_2_12");
        assert_eq!(version_suffix("1.0.0-rc.1"), "1_0_0_rc_1");
    }
}
