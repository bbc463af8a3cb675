//! The Rust naming policy: how a WIT name becomes a Rust name, for generated code, the macros
//! and the runtime's RON (which writes the names serde writes for the generated types).
//!
//! - Types, variant and enum cases, and the prefixes of generated items are UpperCamelCase
//!   (`item-info` → `ItemInfo`); fields, parameters, functions and modules are snake_case
//!   (`x-pos` → `x_pos`); flag constants are SHOUTY_SNAKE_CASE (`dark-magenta` →
//!   `DARK_MAGENTA`). The conversions are [heck]'s.
//! - A name that is a Rust keyword is written as a raw identifier (`type` → `r#type`, `in` →
//!   `r#in`), except those that cannot be raw (`self`, `Self`, `super`, `crate`, `_`), which
//!   get a trailing underscore (`self` → `self_`): [`rust_ident`].
//! - The identifier without its `r#` ([`bare_ident`]) is what serde calls a field or case that
//!   has no rename (`type`, `self_`).
//! - A package module gets a version suffix (`kitchen0_1_0`) only when a world sees two versions
//!   of the same package ([`version_suffix`]).
//!
//! [heck]: https://docs.rs/heck

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust keywords of edition 2024, strict and reserved.
pub const RUST_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Identifiers that cannot be written raw (`r#self` is not Rust).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// `x-pos` → `x_pos`: fields, parameters, functions, modules (before keyword escaping).
pub fn snake_case(wit: &str) -> String {
    wit.to_snake_case()
}

/// `item-info` → `ItemInfo`: types, cases, prefixes of generated items (before keyword
/// escaping).
pub fn upper_camel_case(wit: &str) -> String {
    wit.to_upper_camel_case()
}

/// `dark-magenta` → `DARK_MAGENTA`: flag constants.
pub fn shouty_snake_case(wit: &str) -> String {
    wit.to_shouty_snake_case()
}

/// `ReadFile`, `read_file` → `read-file`: the WIT name of a Rust-style name (the other way,
/// for names written in Rust, as the macros take them).
pub fn kebab_case(rust: &str) -> String {
    rust.to_kebab_case()
}

/// Whether `name` is a Rust keyword.
pub fn is_rust_keyword(name: &str) -> bool {
    RUST_KEYWORDS.contains(&name)
}

/// The Rust spelling of an already-cased `name`: `type` → `r#type`, `self` → `self_`, anything
/// else unchanged.
pub fn rust_ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if is_rust_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// `name` without a leading `r#`: `r#type` → `type`, `self_` stays.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// What serde calls the identifier [`rust_ident`] gives for `name`, with no rename:
/// `type` → `type`, `self` → `self_`.
pub fn bare_ident(name: &str) -> String {
    unraw(&rust_ident(name)).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_table() {
        // (WIT name, snake, camel, shouty, serde name of the field)
        let table = [
            ("x-pos", "x_pos", "XPos", "X_POS", "x_pos"),
            (
                "item-info",
                "item_info",
                "ItemInfo",
                "ITEM_INFO",
                "item_info",
            ),
            ("type", "r#type", "Type", "TYPE", "type"),
            ("self", "self_", "Self_", "SELF", "self_"),
            ("in", "r#in", "In", "IN", "in"),
            ("self-ref", "self_ref", "SelfRef", "SELF_REF", "self_ref"),
            (
                "dark-magenta",
                "dark_magenta",
                "DarkMagenta",
                "DARK_MAGENTA",
                "dark_magenta",
            ),
            ("get-HTTP", "get_http", "GetHttp", "GET_HTTP", "get_http"),
            (
                "HTTP-request",
                "http_request",
                "HttpRequest",
                "HTTP_REQUEST",
                "http_request",
            ),
            ("crate", "crate_", "Crate", "CRATE", "crate_"),
            ("super", "super_", "Super", "SUPER", "super_"),
            ("async", "r#async", "Async", "ASYNC", "async"),
            ("gen", "r#gen", "Gen", "GEN", "gen"),
            ("match", "r#match", "Match", "MATCH", "match"),
            ("u8", "u8", "U8", "U8", "u8"),
            ("a1b2", "a1b2", "A1b2", "A1B2", "a1b2"),
        ];
        for (wit, snake, camel, shouty, serde) in table {
            assert_eq!(rust_ident(&snake_case(wit)), snake, "snake of {wit}");
            assert_eq!(rust_ident(&upper_camel_case(wit)), camel, "camel of {wit}");
            assert_eq!(shouty_snake_case(wit), shouty, "shouty of {wit}");
            assert_eq!(bare_ident(&snake_case(wit)), serde, "serde name of {wit}");
        }
    }

    #[test]
    fn rust_names_become_wit_names() {
        for (rust, wit) in [
            ("ReadFile", "read-file"),
            ("read_file", "read-file"),
            ("HTTPRequest", "http-request"),
        ] {
            assert_eq!(kebab_case(rust), wit);
        }
    }

    #[test]
    fn function_bases_and_versions() {
        assert_eq!(function_base(Some("counter"), "get", false), "counter-get");
        assert_eq!(
            function_base(Some("counter"), "counter", true),
            "counter-new"
        );
        assert_eq!(function_base(None, "echo-s8", false), "echo-s8");
        assert_eq!(version_suffix("0.2.12"), "0_2_12");
        assert_eq!(version_suffix("1.0.0-rc.1"), "1_0_0_rc_1");
    }
}
