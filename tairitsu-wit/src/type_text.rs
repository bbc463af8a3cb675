//! The one writer of WIT type text, generic over [`TypeShape`]: whatever describes types
//! (wit-parser's `Resolve`, the runtime's value types, wasmtime's component types) says what
//! shape a type has, and [`write_shape`] spells it.
//!
//! The rule:
//!
//! * primitives by their WIT names: `bool`, `u8` … `u64`, `s8` … `s64`, `f32`, `f64`, `char`,
//!   `string`, `error-context`;
//! * a type with a name (record, variant, enum, flags, resource, and aliases such as
//!   `type id = u64`) by that name: `point`, `id`;
//! * anonymous types spelled out with `, ` between parameters: `list<T>`, `option<T>`,
//!   `result`, `result<T>`, `result<_, E>`, `result<T, E>`, `tuple<A, B>`, `future`,
//!   `future<T>`, `stream`, `stream<T>`, `map<K, V>`, `list<T, N>`;
//! * an owned handle by its resource name (`counter`), a borrowed one as `borrow<counter>`, and
//!   `resource` / `borrow<resource>` when the resource has no name;
//! * a record, variant, enum or flags type known without its name, structurally:
//!   `record { x: s32 }`, `variant { a(u8), b }`, `enum { a, b }`, `flags { a, b }`; or only
//!   by its kind (`record`) when the describer does not know its members.

use std::fmt::{self, Write};

/// A primitive WIT type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `bool`
    Bool,
    /// `s8`
    S8,
    /// `u8`
    U8,
    /// `s16`
    S16,
    /// `u16`
    U16,
    /// `s32`
    S32,
    /// `u32`
    U32,
    /// `s64`
    S64,
    /// `u64`
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `char`
    Char,
    /// `string`
    String,
    /// `error-context`
    ErrorContext,
}

impl Primitive {
    /// The WIT name (`u8`, `string`, `error-context`).
    pub fn wit(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::S8 => "s8",
            Primitive::U8 => "u8",
            Primitive::S16 => "s16",
            Primitive::U16 => "u16",
            Primitive::S32 => "s32",
            Primitive::U32 => "u32",
            Primitive::S64 => "s64",
            Primitive::U64 => "u64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
            Primitive::Char => "char",
            Primitive::String => "string",
            Primitive::ErrorContext => "error-context",
        }
    }
}

/// One level of a type, as [`write_shape`] needs it: its children are `T`s again.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape<'a, T> {
    /// A primitive.
    Primitive(Primitive),
    /// A type with a name, written by it.
    Named(&'a str),
    /// `list<T>`
    List(T),
    /// `list<T, N>`
    FixedList(T, u32),
    /// `option<T>`
    Option(T),
    /// `result<ok, err>`, either payload absent.
    Result {
        /// The ok payload.
        ok: Option<T>,
        /// The err payload.
        err: Option<T>,
    },
    /// `tuple<…>`
    Tuple(Vec<T>),
    /// `future` or `future<T>`
    Future(Option<T>),
    /// `stream` or `stream<T>`
    Stream(Option<T>),
    /// `map<K, V>`
    Map(T, T),
    /// An owned handle to the resource of that name (`None`: not known).
    Own(Option<&'a str>),
    /// A borrowed handle to the resource of that name (`None`: not known).
    Borrow(Option<&'a str>),
    /// A record without a name: its fields.
    Record(Vec<(&'a str, T)>),
    /// A variant without a name: its cases.
    Variant(Vec<(&'a str, Option<T>)>),
    /// An enum without a name: its cases.
    Enum(Vec<&'a str>),
    /// A flags type without a name: its flags.
    Flags(Vec<&'a str>),
    /// A type only known by its kind (`record`, `resource`), which WIT cannot spell.
    Kind(&'a str),
}

/// Something that describes WIT types: it says what shape a type has, one level at a time.
pub trait TypeShape: Sized {
    /// The shape of this type.
    fn shape(&self) -> Shape<'_, Self>;
}

/// Writes the WIT text of `ty`: primitives and named types by their names, anonymous types
/// spelled out (`list<T>`, `result<_, E>`, `tuple<A, B>`), handles by their resource names.
///
/// # Errors
///
/// Only those of `out`.
pub fn write_shape<T: TypeShape, W: Write + ?Sized>(ty: &T, out: &mut W) -> fmt::Result {
    match ty.shape() {
        Shape::Primitive(p) => out.write_str(p.wit()),
        Shape::Named(name) => out.write_str(name),
        Shape::List(t) => generic(out, "list", &[&t]),
        Shape::FixedList(t, n) => {
            out.write_str("list<")?;
            write_shape(&t, out)?;
            write!(out, ", {n}>")
        }
        Shape::Option(t) => generic(out, "option", &[&t]),
        Shape::Result { ok, err } => match (ok, err) {
            (None, None) => out.write_str("result"),
            (Some(ok), None) => generic(out, "result", &[&ok]),
            (None, Some(err)) => {
                out.write_str("result<_, ")?;
                write_shape(&err, out)?;
                out.write_char('>')
            }
            (Some(ok), Some(err)) => generic(out, "result", &[&ok, &err]),
        },
        Shape::Tuple(ts) => {
            let ts: Vec<&T> = ts.iter().collect();
            generic(out, "tuple", &ts)
        }
        Shape::Future(t) => match t {
            Some(t) => generic(out, "future", &[&t]),
            None => out.write_str("future"),
        },
        Shape::Stream(t) => match t {
            Some(t) => generic(out, "stream", &[&t]),
            None => out.write_str("stream"),
        },
        Shape::Map(k, v) => generic(out, "map", &[&k, &v]),
        Shape::Own(name) => out.write_str(name.unwrap_or("resource")),
        Shape::Borrow(name) => write!(out, "borrow<{}>", name.unwrap_or("resource")),
        Shape::Record(fields) => {
            out.write_str("record { ")?;
            for (i, (name, t)) in fields.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write!(out, "{name}: ")?;
                write_shape(t, out)?;
            }
            out.write_str(" }")
        }
        Shape::Variant(cases) => {
            out.write_str("variant { ")?;
            for (i, (name, t)) in cases.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                out.write_str(name)?;
                if let Some(t) = t {
                    out.write_char('(')?;
                    write_shape(t, out)?;
                    out.write_char(')')?;
                }
            }
            out.write_str(" }")
        }
        Shape::Enum(names) => names_of(out, "enum", &names),
        Shape::Flags(names) => names_of(out, "flags", &names),
        Shape::Kind(kind) => out.write_str(kind),
    }
}

/// [`write_shape`] into a new string.
pub fn type_text<T: TypeShape>(ty: &T) -> String {
    let mut out = String::new();
    // Writing to a `String` cannot fail.
    _ = write_shape(ty, &mut out);
    out
}

fn generic<T: TypeShape, W: Write + ?Sized>(out: &mut W, name: &str, args: &[&T]) -> fmt::Result {
    out.write_str(name)?;
    out.write_char('<')?;
    for (i, t) in args.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write_shape(*t, out)?;
    }
    out.write_char('>')
}

fn names_of<W: Write + ?Sized>(out: &mut W, kind: &str, names: &[&str]) -> fmt::Result {
    write!(out, "{kind} {{ ")?;
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        out.write_str(name)?;
    }
    out.write_str(" }")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A describer of its own, to show the writer needs nothing but the trait.
    enum Toy {
        U8,
        List(Box<Toy>),
        Point,
        Anon(Vec<(&'static str, Toy)>),
        Handle(bool),
    }

    impl TypeShape for &Toy {
        fn shape(&self) -> Shape<'_, Self> {
            match self {
                Toy::U8 => Shape::Primitive(Primitive::U8),
                Toy::List(t) => Shape::List(t),
                Toy::Point => Shape::Named("point"),
                Toy::Anon(fields) => Shape::Record(fields.iter().map(|(n, t)| (*n, t)).collect()),
                Toy::Handle(true) => Shape::Borrow(None),
                Toy::Handle(false) => Shape::Own(Some("counter")),
            }
        }
    }

    #[test]
    fn any_describer_is_written_by_the_rule() {
        let ty = Toy::Anon(vec![
            ("a", Toy::List(Box::new(Toy::U8))),
            ("b", Toy::Point),
            ("c", Toy::Handle(true)),
            ("d", Toy::Handle(false)),
        ]);
        assert_eq!(
            type_text(&&ty),
            "record { a: list<u8>, b: point, c: borrow<resource>, d: counter }"
        );
    }
}
