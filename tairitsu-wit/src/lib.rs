//! WIT as text, one rule for every part of Tairitsu: the generator's descriptors, the macros'
//! interface text and the runtime's discovery write names and types the same way, so that what
//! one says about a function compares equal to what another says.
//!
//! - [`WIT_KEYWORDS`]: the words a WIT name must escape with `%`;
//! - [`wit_name`]: a name as WIT writes it (`%type`);
//! - [`wit_type_text`]: a type as WIT writes it: named types by name, anonymous ones spelled
//!   out (`list<option<string>>`, `result<_, string>`, `borrow<counter>`).

use std::borrow::Cow;
use std::fmt::Write as _;

use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId};

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

/// Writes a WIT type as text, by the rule in the [crate docs](crate): named types by name,
/// anonymous ones spelled out (`list<option<string>>`, `result<_, string>`, `borrow<counter>`).
///
/// # Examples
///
/// ```
/// use tairitsu_wit::wit_type_text;
/// use wit_parser::{Resolve, Type};
///
/// let mut resolve = Resolve::default();
/// let pkg = resolve.push_str("t.wit", "package t:t; interface i {
///     record point { x: s32 }
///     f: func(a: list<option<point>>, b: result<_, string>);
/// }")?;
/// let iface = resolve.packages[pkg].interfaces["i"];
/// let f = &resolve.interfaces[iface].functions["f"];
/// assert_eq!(wit_type_text(&resolve, &f.params[0].ty), "list<option<point>>");
/// assert_eq!(wit_type_text(&resolve, &f.params[1].ty), "result<_, string>");
/// assert_eq!(wit_type_text(&resolve, &Type::U8), "u8");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn wit_type_text(resolve: &Resolve, ty: &Type) -> String {
    let mut out = String::new();
    write_type(resolve, ty, &mut out);
    out
}

/// Appends the WIT text of `ty` to `out` (what [`wit_type_text`] returns).
pub fn write_type(resolve: &Resolve, ty: &Type, out: &mut String) {
    match ty {
        Type::Bool => out.push_str("bool"),
        Type::U8 => out.push_str("u8"),
        Type::U16 => out.push_str("u16"),
        Type::U32 => out.push_str("u32"),
        Type::U64 => out.push_str("u64"),
        Type::S8 => out.push_str("s8"),
        Type::S16 => out.push_str("s16"),
        Type::S32 => out.push_str("s32"),
        Type::S64 => out.push_str("s64"),
        Type::F32 => out.push_str("f32"),
        Type::F64 => out.push_str("f64"),
        Type::Char => out.push_str("char"),
        Type::String => out.push_str("string"),
        Type::ErrorContext => out.push_str("error-context"),
        Type::Id(id) => write_type_id(resolve, *id, out),
    }
}

fn write_type_id(resolve: &Resolve, id: TypeId, out: &mut String) {
    let def = &resolve.types[id];
    match &def.name {
        Some(name) => out.push_str(name),
        None => write_anonymous(resolve, &def.kind, out),
    }
}

/// Appends the shape of a type definition to `out`: what follows `type x = ` (`list<u8>`,
/// `result<_, string>`), or the kind (`record`) for one WIT cannot spell without a name.
pub fn write_anonymous(resolve: &Resolve, kind: &TypeDefKind, out: &mut String) {
    match kind {
        TypeDefKind::List(t) => write_generic(resolve, out, "list", &[t]),
        TypeDefKind::Option(t) => write_generic(resolve, out, "option", &[t]),
        TypeDefKind::Result(r) => match (&r.ok, &r.err) {
            (None, None) => out.push_str("result"),
            (Some(ok), None) => write_generic(resolve, out, "result", &[ok]),
            (None, Some(err)) => {
                out.push_str("result<_, ");
                write_type(resolve, err, out);
                out.push('>');
            }
            (Some(ok), Some(err)) => write_generic(resolve, out, "result", &[ok, err]),
        },
        TypeDefKind::Tuple(t) => {
            let types: Vec<&Type> = t.types.iter().collect();
            write_generic(resolve, out, "tuple", &types);
        }
        TypeDefKind::Handle(Handle::Own(r)) => write_type_id(resolve, *r, out),
        TypeDefKind::Handle(Handle::Borrow(r)) => {
            out.push_str("borrow<");
            write_type_id(resolve, *r, out);
            out.push('>');
        }
        TypeDefKind::Future(t) => match t {
            Some(t) => write_generic(resolve, out, "future", &[t]),
            None => out.push_str("future"),
        },
        TypeDefKind::Stream(t) => match t {
            Some(t) => write_generic(resolve, out, "stream", &[t]),
            None => out.push_str("stream"),
        },
        TypeDefKind::Map(k, v) => write_generic(resolve, out, "map", &[k, v]),
        TypeDefKind::FixedLengthList(t, n) => {
            out.push_str("list<");
            write_type(resolve, t, out);
            _ = write!(out, ", {n}>");
        }
        TypeDefKind::Type(t) => write_type(resolve, t, out),
        // Anonymous records and the like cannot be written in WIT; say what they are.
        kind @ (TypeDefKind::Record(_)
        | TypeDefKind::Variant(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Flags(_)
        | TypeDefKind::Resource
        | TypeDefKind::Unknown) => out.push_str(kind.as_str()),
    }
}

fn write_generic(resolve: &Resolve, out: &mut String, name: &str, args: &[&Type]) {
    out.push_str(name);
    out.push('<');
    for (i, t) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_type(resolve, t, out);
    }
    out.push('>');
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

    #[test]
    fn every_anonymous_shape_is_spelled_out() {
        let mut resolve = Resolve::default();
        let pkg = resolve
            .push_str(
                "t.wit",
                "package t:t; interface i {
                    resource counter;
                    type id = u64;
                    f: func(
                        a: tuple<u8, string>, b: result, c: result<u32>, d: borrow<counter>,
                        e: counter, f: option<id>, g: list<list<char>>,
                    );
                }",
            )
            .unwrap();
        let iface = resolve.packages[pkg].interfaces["i"];
        let f = &resolve.interfaces[iface].functions["f"];
        let texts: Vec<String> = f
            .params
            .iter()
            .map(|p| wit_type_text(&resolve, &p.ty))
            .collect();
        assert_eq!(
            texts,
            [
                "tuple<u8, string>",
                "result",
                "result<u32>",
                "borrow<counter>",
                "counter",
                "option<id>",
                "list<list<char>>"
            ]
        );
    }
}
