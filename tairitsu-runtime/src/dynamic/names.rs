//! WIT names and their Rust-style spellings, as the generated Rust types (and so serde and RON)
//! write them.
//!
//! The rule is the one `tairitsu-build` follows for generated code, so that the dynamic RON of a
//! value is the RON serde writes for the generated type:
//!
//! * record fields and function parameters: `snake_case` (`item-id` → `item_id`);
//! * variant, enum and flag cases and type names: `UpperCamelCase` (`dark-magenta` →
//!   `DarkMagenta`, `item-info` → `ItemInfo`);
//! * the conversions and the keyword escaping are [`tairitsu_wit::rust_name`]'s, the policy the
//!   generator uses: Rust keywords that can be raw identifiers stay as they are (`type` is the
//!   Rust field `r#type`, which serde names `type`); those that cannot (`self`, `Self`,
//!   `super`, `crate`) get a trailing underscore (`self_`, `Self_`).
//!
//! In RON text an identifier that RON itself would read as something else (`true`, `None`,
//! `inf`, `NaN`, …) is written raw, `r#None`, exactly as `ron` does.
//!
use std::fmt;

use tairitsu_wit::rust_name;

/// A WIT name with its Rust-style spelling: a record field, a variant or enum case, a flag, or a
/// type name.
///
/// Building one computes the Rust spelling once, so that reading and writing text does not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    wit: String,
    rust: String,
    raw: bool,
}

impl Name {
    /// A record field or parameter name: the Rust spelling is `snake_case` (`x-pos` → `x_pos`).
    pub fn field(wit: impl Into<String>) -> Self {
        let wit = wit.into();
        let rust = rust_name::bare_ident(&rust_name::snake_case(&wit));
        Self::new(wit, rust)
    }

    /// A variant, enum or flag case, or a type name: the Rust spelling is `UpperCamelCase`
    /// (`dark-magenta` → `DarkMagenta`).
    pub fn case(wit: impl Into<String>) -> Self {
        let wit = wit.into();
        let rust = rust_name::bare_ident(&rust_name::upper_camel_case(&wit));
        Self::new(wit, rust)
    }

    fn new(wit: String, rust: String) -> Self {
        let raw = needs_raw(&rust);
        Self { wit, rust, raw }
    }

    /// The name as WIT writes it (`dark-magenta`), without a `%` escape.
    pub fn wit(&self) -> &str {
        &self.wit
    }

    /// The Rust (and serde) spelling (`DarkMagenta`, `x_pos`, `type`).
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// Whether RON text must write this name raw (`r#None`).
    pub fn is_raw_in_ron(&self) -> bool {
        self.raw
    }

    /// Whether `ident` (as read from text, without `r#`) names this: the Rust spelling or the
    /// WIT spelling.
    pub(crate) fn matches(&self, ident: &str) -> bool {
        self.rust == ident || self.wit == ident
    }

    /// Appends the name as a RON identifier, `r#`-prefixed where `ron` does so.
    pub(crate) fn write_ron(&self, out: &mut String) {
        if self.raw {
            out.push_str("r#");
        }
        out.push_str(&self.rust);
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wit)
    }
}

/// `x-pos` → `x_pos`, as heck's `to_snake_case` (the policy of [`tairitsu_wit::rust_name`]).
pub fn snake_case(s: &str) -> String {
    rust_name::snake_case(s)
}

/// `dark-magenta` → `DarkMagenta`, as heck's `to_upper_camel_case` (the policy of
/// [`tairitsu_wit::rust_name`]).
pub fn upper_camel_case(s: &str) -> String {
    rust_name::upper_camel_case(s)
}

/// Whether `ron` writes this identifier as `r#…` (see `ron::ser::Serializer::write_identifier`).
fn needs_raw(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(is_ident_first_char);
    !first_ok
        || !chars.all(is_ident_continue_char)
        || matches!(
            name,
            "true"
                | "false"
                | "Some"
                | "None"
                | "inf"
                | "inff32"
                | "inff64"
                | "NaN"
                | "NaNf32"
                | "NaNf64"
        )
}

/// A character that can start an identifier in RON (`_` or XID start; alphabetic is the
/// approximation available in `std`).
pub(crate) fn is_ident_first_char(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// A character that can continue an identifier in RON.
pub(crate) fn is_ident_continue_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("x-pos", "x_pos", "XPos"),
            ("dark-magenta", "dark_magenta", "DarkMagenta"),
            ("item-info", "item_info", "ItemInfo"),
            ("type", "type", "Type"),
            ("self", "self_", "Self_"),
            ("HTTP-request", "http_request", "HttpRequest"),
            ("f32-value", "f32_value", "F32Value"),
            ("a1b2", "a1b2", "A1b2"),
            ("none", "none", "None"),
        ];
        for (wit, snake, camel) in cases {
            assert_eq!(Name::field(wit).rust(), snake, "{wit}");
            assert_eq!(Name::case(wit).rust(), camel, "{wit}");
        }
    }

    #[test]
    fn raw_identifiers_as_ron_writes_them() {
        let mut out = String::new();
        Name::case("none").write_ron(&mut out);
        Name::field("true").write_ron(&mut out);
        Name::field("type").write_ron(&mut out);
        assert_eq!(out, "r#Noner#truetype");
        assert!(Name::case("na-n").is_raw_in_ron());
    }

    #[test]
    fn matches_rust_and_wit_spellings() {
        let name = Name::field("x-pos");
        assert!(name.matches("x_pos"));
        assert!(name.matches("x-pos"));
        assert!(!name.matches("xpos"));
    }
}
