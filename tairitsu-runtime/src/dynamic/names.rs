//! WIT names and their Rust-style spellings, as the generated Rust types (and so serde and RON)
//! write them.
//!
//! The rule is the one `tairitsu-build` follows for generated code, so that the dynamic RON of a
//! value is the RON serde writes for the generated type:
//!
//! * record fields and function parameters: `snake_case` (`item-id` → `item_id`);
//! * variant, enum and flag cases and type names: `UpperCamelCase` (`dark-magenta` →
//!   `DarkMagenta`, `item-info` → `ItemInfo`);
//! * the conversions are [heck]'s `to_snake_case` and `to_upper_camel_case`, character for
//!   character (a test checks them against heck);
//! * Rust keywords that can be raw identifiers stay as they are (`type` is the Rust field
//!   `r#type`, which serde names `type`); the four that cannot (`self`, `Self`, `super`, `crate`)
//!   get a trailing underscore (`self_`, `Self_`).
//!
//! In RON text an identifier that RON itself would read as something else (`true`, `None`,
//! `inf`, `NaN`, …) is written raw, `r#None`, exactly as `ron` does.
//!
//! [heck]: https://docs.rs/heck

use std::fmt;

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
        let rust = escape_keyword(snake_case(&wit));
        Self::new(wit, rust)
    }

    /// A variant, enum or flag case, or a type name: the Rust spelling is `UpperCamelCase`
    /// (`dark-magenta` → `DarkMagenta`).
    pub fn case(wit: impl Into<String>) -> Self {
        let wit = wit.into();
        let rust = escape_keyword(upper_camel_case(&wit));
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

/// `x-pos` → `x_pos`, as heck's `to_snake_case`.
pub fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    transform(s, &mut out, lowercase, |out| out.push('_'));
    out
}

/// `dark-magenta` → `DarkMagenta`, as heck's `to_upper_camel_case`.
pub fn upper_camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    transform(s, &mut out, capitalize, |_| {});
    out
}

/// Rust keywords that cannot be raw identifiers get a trailing underscore.
fn escape_keyword(mut name: String) -> String {
    if matches!(name.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        name.push('_');
    }
    name
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

/// heck's word splitting: words are separated by non-alphanumeric characters and by case
/// changes (`fooBar`, `HTTPRequest`).
fn transform(
    s: &str,
    out: &mut String,
    mut with_word: impl FnMut(&str, &mut String),
    mut boundary: impl FnMut(&mut String),
) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lowercase,
        Uppercase,
    }

    let mut first_word = true;
    for word in s.split(|c: char| !c.is_alphanumeric()) {
        let mut char_indices = word.char_indices().peekable();
        let mut init = 0;
        let mut mode = Mode::Boundary;
        while let Some((i, c)) = char_indices.next() {
            if let Some(&(next_i, next)) = char_indices.peek() {
                let next_mode = if c.is_lowercase() {
                    Mode::Lowercase
                } else if c.is_uppercase() {
                    Mode::Uppercase
                } else {
                    mode
                };
                if next_mode == Mode::Lowercase && next.is_uppercase() {
                    if !first_word {
                        boundary(out);
                    }
                    with_word(&word[init..next_i], out);
                    first_word = false;
                    init = next_i;
                    mode = Mode::Boundary;
                } else if mode == Mode::Uppercase && c.is_uppercase() && next.is_lowercase() {
                    if first_word {
                        first_word = false;
                    } else {
                        boundary(out);
                    }
                    with_word(&word[init..i], out);
                    init = i;
                    mode = Mode::Boundary;
                } else {
                    mode = next_mode;
                }
            } else {
                if first_word {
                    first_word = false;
                } else {
                    boundary(out);
                }
                with_word(&word[init..], out);
                break;
            }
        }
    }
}

fn lowercase(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'Σ' && chars.peek().is_none() {
            out.push('ς');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

fn capitalize(s: &str, out: &mut String) {
    let mut char_indices = s.char_indices();
    if let Some((_, c)) = char_indices.next() {
        out.extend(c.to_uppercase());
        if let Some((i, _)) = char_indices.next() {
            lowercase(&s[i..], out);
        }
    }
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
