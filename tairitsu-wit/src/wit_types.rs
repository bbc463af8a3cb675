//! [`TypeShape`] for wit-parser's types, and the text functions over it.

use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId};

use crate::type_text::{Primitive, Shape, TypeShape, type_text, write_shape};

/// A wit-parser type with the `Resolve` it lives in: what [`TypeShape`] needs to describe it.
#[derive(Debug, Clone, Copy)]
pub struct WitType<'a> {
    resolve: &'a Resolve,
    of: Of<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Of<'a> {
    Type(Type),
    /// A type definition's kind, for its shape without its name.
    Kind(&'a TypeDefKind),
}

impl<'a> WitType<'a> {
    /// `ty`, a type of `resolve`.
    pub fn new(resolve: &'a Resolve, ty: Type) -> Self {
        Self {
            resolve,
            of: Of::Type(ty),
        }
    }

    /// The shape of a type definition's `kind`, ignoring its name.
    pub fn kind(resolve: &'a Resolve, kind: &'a TypeDefKind) -> Self {
        Self {
            resolve,
            of: Of::Kind(kind),
        }
    }

    fn child(&self, ty: &Type) -> Self {
        Self::new(self.resolve, *ty)
    }

    fn id_shape(&self, id: TypeId) -> Shape<'a, Self> {
        let def = &self.resolve.types[id];
        match &def.name {
            Some(name) => Shape::Named(name),
            None => self.kind_shape(&def.kind),
        }
    }

    fn kind_shape(&self, kind: &'a TypeDefKind) -> Shape<'a, Self> {
        match kind {
            TypeDefKind::List(t) => Shape::List(self.child(t)),
            TypeDefKind::Option(t) => Shape::Option(self.child(t)),
            TypeDefKind::Result(r) => Shape::Result {
                ok: r.ok.as_ref().map(|t| self.child(t)),
                err: r.err.as_ref().map(|t| self.child(t)),
            },
            TypeDefKind::Tuple(t) => Shape::Tuple(t.types.iter().map(|t| self.child(t)).collect()),
            TypeDefKind::Handle(Handle::Own(r)) => match self.id_shape(*r) {
                Shape::Named(name) => Shape::Own(Some(name)),
                Shape::Kind("resource") => Shape::Own(None),
                other => other,
            },
            TypeDefKind::Handle(Handle::Borrow(r)) => match self.id_shape(*r) {
                Shape::Named(name) => Shape::Borrow(Some(name)),
                _ => Shape::Borrow(None),
            },
            TypeDefKind::Future(t) => Shape::Future(t.as_ref().map(|t| self.child(t))),
            TypeDefKind::Stream(t) => Shape::Stream(t.as_ref().map(|t| self.child(t))),
            TypeDefKind::Map(k, v) => Shape::Map(self.child(k), self.child(v)),
            TypeDefKind::FixedLengthList(t, n) => Shape::FixedList(self.child(t), *n),
            TypeDefKind::Type(t) => self.child(t).shape_of(),
            // Anonymous records and the like cannot be written in WIT; say what they are.
            kind @ (TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource
            | TypeDefKind::Unknown) => Shape::Kind(kind.as_str()),
        }
    }

    /// The shape, borrowing from the `Resolve` rather than from `self`.
    fn shape_of(&self) -> Shape<'a, Self> {
        let ty = match self.of {
            Of::Kind(kind) => return self.kind_shape(kind),
            Of::Type(ty) => ty,
        };
        Shape::Primitive(match ty {
            Type::Bool => Primitive::Bool,
            Type::U8 => Primitive::U8,
            Type::U16 => Primitive::U16,
            Type::U32 => Primitive::U32,
            Type::U64 => Primitive::U64,
            Type::S8 => Primitive::S8,
            Type::S16 => Primitive::S16,
            Type::S32 => Primitive::S32,
            Type::S64 => Primitive::S64,
            Type::F32 => Primitive::F32,
            Type::F64 => Primitive::F64,
            Type::Char => Primitive::Char,
            Type::String => Primitive::String,
            Type::ErrorContext => Primitive::ErrorContext,
            Type::Id(id) => return self.id_shape(id),
        })
    }
}

impl TypeShape for WitType<'_> {
    fn shape(&self) -> Shape<'_, Self> {
        self.shape_of()
    }
}

/// Writes a WIT type as text, by the rule of [`write_shape`]: named types by name, anonymous
/// ones spelled out (`list<option<string>>`, `result<_, string>`, `borrow<counter>`).
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
    type_text(&WitType::new(resolve, *ty))
}

/// Appends the WIT text of `ty` to `out` (what [`wit_type_text`] returns).
pub fn write_type(resolve: &Resolve, ty: &Type, out: &mut String) {
    // Writing to a `String` cannot fail.
    _ = write_shape(&WitType::new(resolve, *ty), out);
}

/// Appends the shape of a type definition to `out`: what follows `type x = ` (`list<u8>`,
/// `result<_, string>`), or the kind (`record`) for one WIT cannot spell without a name.
pub fn write_anonymous(resolve: &Resolve, kind: &TypeDefKind, out: &mut String) {
    _ = write_shape(&WitType::kind(resolve, kind), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_anonymous_shape_is_spelled_out() {
        let mut resolve = Resolve::default();
        let pkg = resolve
            .push_str(
                "t.wit",
                "package t:t; interface i {
                    resource counter;
                    type id = u64;
                    record point { x: s32 }
                    f: func(
                        a: tuple<u8, string>, b: result, c: result<u32>, d: borrow<counter>,
                        e: counter, f: option<id>, g: list<list<char>>, h: future<u8>,
                        i: stream, j: list<u8, 4>, k: result<_, point>,
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
                "list<list<char>>",
                "future<u8>",
                "stream",
                "list<u8, 4>",
                "result<_, point>",
            ]
        );
        let point = resolve.interfaces[iface].types["point"];
        let mut out = String::new();
        write_anonymous(&resolve, &resolve.types[point].kind, &mut out);
        assert_eq!(out, "record");
    }
}
