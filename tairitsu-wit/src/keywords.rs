//! WIT's keywords and `%` escaping.

use std::borrow::Cow;

/// WIT's keywords, which names must escape with `%`.
pub const WIT_KEYWORDS: &[&str] = &[
    "use",
    "type",
    "func",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "resource",
    "own",
    "borrow",
    "record",
    "flags",
    "variant",
    "enum",
    "bool",
    "string",
    "option",
    "result",
    "future",
    "stream",
    "error-context",
    "list",
    "map",
    "as",
    "from",
    "static",
    "interface",
    "tuple",
    "world",
    "import",
    "export",
    "package",
    "constructor",
    "include",
    "with",
    "async",
];

/// A WIT name as WIT text: `%type` for a keyword, the name otherwise.
pub fn wit_name(name: &str) -> Cow<'_, str> {
    if WIT_KEYWORDS.contains(&name) {
        Cow::Owned(format!("%{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped_and_other_names_kept() {
        assert_eq!(wit_name("type"), "%type");
        assert_eq!(wit_name("error-context"), "%error-context");
        assert_eq!(wit_name("item-info"), "item-info");
        assert!(matches!(wit_name("point"), Cow::Borrowed(_)));
    }
}
