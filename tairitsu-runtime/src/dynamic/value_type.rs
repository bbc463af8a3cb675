//! The type model of the dynamic path: an owned tree of WIT value types.

use std::fmt;

use wasmtime::component::ResourceType;
use wasmtime::component::types::{self, Type};

use super::error::{ValueError, ValueErrorKind};
use super::names::Name;
use super::value_limits::DEFAULT_MAX_DEPTH;

/// The WIT type of a value, as the dynamic path reads and writes it.
///
/// It is an owned tree (cheap to keep next to a function, no store or engine needed) built from
/// wasmtime's component types with [`ValueType::from_wasmtime`], or by hand with the
/// constructors ([`ValueType::record`], [`ValueType::variant`], …). Records, variants, enums and
/// flags carry their WIT names and the Rust spellings RON uses ([`Name`]); named types can carry
/// their type name, which appears in error messages and is checked in the named record form
/// `Point(x: 1)`.
///
/// `Display` writes the type as WIT text: a named type by its name (`point`), anything else
/// spelled out (`list<option<string>>`, `result<_, string>`, `borrow<counter>`). A record with no
/// name is written `record { x: s32 }`, which is not WIT but says what it is.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::dynamic::ValueType;
///
/// let point = ValueType::record(Some("point"), [("x-pos", ValueType::S32), ("y", ValueType::S32)]);
/// let ty = ValueType::list(ValueType::option(point));
/// assert_eq!(ty.to_string(), "list<option<point>>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "the variants are the WIT kinds of the same names"
)]
pub enum ValueType {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List(Box<ValueType>),
    Record(RecordType),
    Tuple(Vec<ValueType>),
    Variant(VariantType),
    Enum(EnumType),
    Option(Box<ValueType>),
    Result(ResultType),
    Flags(FlagsType),
    /// An owned resource handle.
    Own(ResourceInfo),
    /// A borrowed resource handle.
    Borrow(ResourceInfo),
    /// `future<T>` (`None`: `future`). Described, not read or written: values of it need
    /// component-model concurrency, which the dynamic path does not drive.
    Future(Option<Box<ValueType>>),
    /// `stream<T>` (`None`: `stream`). Described, not read or written, as [`ValueType::Future`].
    Stream(Option<Box<ValueType>>),
    /// `error-context`. Described, not read or written.
    ErrorContext,
    /// `map<K, V>`. Described, not read or written.
    Map(Box<ValueType>, Box<ValueType>),
    /// `list<T, N>`, a list of fixed length. Described, not read or written.
    FixedList(Box<ValueType>, u32),
}

/// A record: its optional type name and its fields in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordType {
    /// The type name (`point`), when known.
    pub name: Option<Name>,
    /// The fields in declaration order.
    pub fields: Vec<Field>,
}

/// A field of a [`RecordType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name (`x-pos`, Rust `x_pos`).
    pub name: Name,
    /// The field type.
    pub ty: ValueType,
}

/// A variant: its optional type name and its cases in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantType {
    /// The type name (`shape`), when known.
    pub name: Option<Name>,
    /// The cases in declaration order.
    pub cases: Vec<Case>,
}

/// A case of a [`VariantType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The case name (`circle`, Rust `Circle`).
    pub name: Name,
    /// The payload type, if the case has one.
    pub ty: Option<ValueType>,
}

/// An enum: its optional type name and its cases in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// The type name (`color`), when known.
    pub name: Option<Name>,
    /// The case names in declaration order.
    pub cases: Vec<Name>,
}

/// A flags type: its optional type name and its flags in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagsType {
    /// The type name (`permissions`), when known.
    pub name: Option<Name>,
    /// The flag names in declaration order.
    pub flags: Vec<Name>,
}

/// A result: the optional ok and err payload types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultType {
    /// The ok payload (`None` for `result<_, E>` and `result`).
    pub ok: Option<Box<ValueType>>,
    /// The err payload (`None` for `result<T>` and `result`).
    pub err: Option<Box<ValueType>>,
}

/// What is known about a resource type: its name and, when read from a component, wasmtime's
/// type (which a [`HandleTable`](super::HandleTable) can check handles against).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceInfo {
    /// The resource name (`counter`), when known.
    pub name: Option<Name>,
    /// wasmtime's resource type, when known.
    pub ty: Option<ResourceType>,
}

impl ValueType {
    /// `list<T>`.
    pub fn list(element: ValueType) -> Self {
        ValueType::List(Box::new(element))
    }

    /// `option<T>`.
    pub fn option(payload: ValueType) -> Self {
        ValueType::Option(Box::new(payload))
    }

    /// `result<ok, err>`, either side optional.
    pub fn result(ok: Option<ValueType>, err: Option<ValueType>) -> Self {
        ValueType::Result(ResultType {
            ok: ok.map(Box::new),
            err: err.map(Box::new),
        })
    }

    /// `tuple<…>`.
    pub fn tuple(elements: impl IntoIterator<Item = ValueType>) -> Self {
        ValueType::Tuple(elements.into_iter().collect())
    }

    /// A record with WIT field names (`x-pos`); `name` is the WIT type name, if any.
    pub fn record<S: Into<String>>(
        name: Option<&str>,
        fields: impl IntoIterator<Item = (S, ValueType)>,
    ) -> Self {
        ValueType::Record(RecordType {
            name: name.map(Name::case),
            fields: fields
                .into_iter()
                .map(|(name, ty)| Field {
                    name: Name::field(name),
                    ty,
                })
                .collect(),
        })
    }

    /// A variant with WIT case names and optional payloads.
    pub fn variant<S: Into<String>>(
        name: Option<&str>,
        cases: impl IntoIterator<Item = (S, Option<ValueType>)>,
    ) -> Self {
        ValueType::Variant(VariantType {
            name: name.map(Name::case),
            cases: cases
                .into_iter()
                .map(|(name, ty)| Case {
                    name: Name::case(name),
                    ty,
                })
                .collect(),
        })
    }

    /// An enum with WIT case names.
    pub fn enumeration<S: Into<String>>(
        name: Option<&str>,
        cases: impl IntoIterator<Item = S>,
    ) -> Self {
        ValueType::Enum(EnumType {
            name: name.map(Name::case),
            cases: cases.into_iter().map(Name::case).collect(),
        })
    }

    /// A flags type with WIT flag names.
    pub fn flags<S: Into<String>>(name: Option<&str>, flags: impl IntoIterator<Item = S>) -> Self {
        ValueType::Flags(FlagsType {
            name: name.map(Name::case),
            flags: flags.into_iter().map(Name::case).collect(),
        })
    }

    /// Builds the model of a wasmtime component type.
    ///
    /// wasmtime's types carry no type names, so records, variants, enums, flags and resources
    /// come out anonymous; field and case names are there.
    ///
    /// # Errors
    ///
    /// When the type uses a kind the dynamic path does not support (`future`, `stream`,
    /// `error-context`, `map`, fixed-length lists): the error names the kind. When the type is
    /// nested deeper than 128 levels.
    pub fn from_wasmtime(ty: &Type) -> Result<Self, ValueError> {
        from_wasmtime(ty, 0)
    }

    /// Fills in the type names that wasmtime's types lack, from the same type in WIT: a record
    /// read with [`ValueType::from_wasmtime`] becomes `point` instead of `record { x: s32 }`
    /// in messages, and the named form `Point(x: 1)` is checked against its name.
    ///
    /// Parts where the two types do not have the same shape are left as they are.
    ///
    /// # Examples
    ///
    /// ```
    /// use tairitsu_runtime::dynamic::ValueType;
    /// use wit_parser::Resolve;
    ///
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("t.wit", "package t:t; interface i {
    ///     record point { x: s32 }
    ///     f: func(p: list<point>);
    /// }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let wit_ty = &resolve.interfaces[iface].functions["f"].params[0].ty;
    ///
    /// let mut ty = ValueType::list(ValueType::record(None, [("x", ValueType::S32)]));
    /// assert_eq!(ty.to_string(), "list<record { x: s32 }>");
    /// ty.name_from_wit(&resolve, wit_ty);
    /// assert_eq!(ty.to_string(), "list<point>");
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn name_from_wit(&mut self, resolve: &wit_parser::Resolve, ty: &wit_parser::Type) {
        name_from_wit(self, resolve, ty, 0);
    }

    /// The type name of a named record, variant, enum, flags or resource.
    pub fn type_name(&self) -> Option<&Name> {
        match self {
            ValueType::Record(r) => r.name.as_ref(),
            ValueType::Variant(v) => v.name.as_ref(),
            ValueType::Enum(e) => e.name.as_ref(),
            ValueType::Flags(f) => f.name.as_ref(),
            ValueType::Own(r) | ValueType::Borrow(r) => r.name.as_ref(),
            _ => None,
        }
    }

    /// How many levels this type nests (a scalar is 1, `list<u8>` is 2).
    pub fn depth(&self) -> usize {
        1 + match self {
            ValueType::List(t) | ValueType::Option(t) | ValueType::FixedList(t, _) => t.depth(),
            ValueType::Future(t) | ValueType::Stream(t) => t.as_ref().map_or(0, |t| t.depth()),
            ValueType::Map(k, v) => k.depth().max(v.depth()),
            ValueType::Record(r) => r.fields.iter().map(|f| f.ty.depth()).max().unwrap_or(0),
            ValueType::Tuple(ts) => ts.iter().map(ValueType::depth).max().unwrap_or(0),
            ValueType::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty.as_ref().map(ValueType::depth))
                .max()
                .unwrap_or(0),
            ValueType::Result(r) => {
                r.ok.iter()
                    .chain(r.err.iter())
                    .map(|t| t.depth())
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }
}

fn from_wasmtime(ty: &Type, depth: usize) -> Result<ValueType, ValueError> {
    if depth >= DEFAULT_MAX_DEPTH {
        return Err(ValueError::new(format!(
            "the type nests deeper than {DEFAULT_MAX_DEPTH} levels"
        )));
    }
    let inner = |t: &Type| from_wasmtime(t, depth + 1);
    Ok(match ty {
        Type::Bool => ValueType::Bool,
        Type::S8 => ValueType::S8,
        Type::U8 => ValueType::U8,
        Type::S16 => ValueType::S16,
        Type::U16 => ValueType::U16,
        Type::S32 => ValueType::S32,
        Type::U32 => ValueType::U32,
        Type::S64 => ValueType::S64,
        Type::U64 => ValueType::U64,
        Type::Float32 => ValueType::F32,
        Type::Float64 => ValueType::F64,
        Type::Char => ValueType::Char,
        Type::String => ValueType::String,
        Type::List(list) => ValueType::list(inner(&list.ty())?),
        Type::Record(record) => ValueType::Record(RecordType {
            name: None,
            fields: record
                .fields()
                .map(|f| {
                    Ok(Field {
                        name: Name::field(f.name),
                        ty: inner(&f.ty)?,
                    })
                })
                .collect::<Result<_, ValueError>>()?,
        }),
        Type::Tuple(tuple) => {
            ValueType::Tuple(tuple.types().map(|t| inner(&t)).collect::<Result<_, _>>()?)
        }
        Type::Variant(variant) => ValueType::Variant(VariantType {
            name: None,
            cases: variant
                .cases()
                .map(|c| {
                    Ok(Case {
                        name: Name::case(c.name),
                        ty: c.ty.as_ref().map(inner).transpose()?,
                    })
                })
                .collect::<Result<_, ValueError>>()?,
        }),
        Type::Enum(e) => ValueType::Enum(EnumType {
            name: None,
            cases: e.names().map(Name::case).collect(),
        }),
        Type::Option(o) => ValueType::option(inner(&o.ty())?),
        Type::Result(r) => ValueType::Result(ResultType {
            ok: r.ok().as_ref().map(inner).transpose()?.map(Box::new),
            err: r.err().as_ref().map(inner).transpose()?.map(Box::new),
        }),
        Type::Flags(f) => ValueType::Flags(FlagsType {
            name: None,
            flags: f.names().map(Name::case).collect(),
        }),
        Type::Own(r) => ValueType::Own(ResourceInfo {
            name: None,
            ty: Some(*r),
        }),
        Type::Borrow(r) => ValueType::Borrow(ResourceInfo {
            name: None,
            ty: Some(*r),
        }),
        Type::Map(m) => ValueType::Map(Box::new(inner(&m.key())?), Box::new(inner(&m.value())?)),
        Type::Future(f) => ValueType::Future(f.ty().as_ref().map(inner).transpose()?.map(Box::new)),
        Type::Stream(s) => ValueType::Stream(s.ty().as_ref().map(inner).transpose()?.map(Box::new)),
        Type::ErrorContext => ValueType::ErrorContext,
        Type::FixedLengthList(l) => ValueType::FixedList(Box::new(inner(&l.ty())?), l.len()),
    })
}

fn name_from_wit(
    ty: &mut ValueType,
    resolve: &wit_parser::Resolve,
    wit: &wit_parser::Type,
    depth: usize,
) {
    use wit_parser::{Handle, TypeDefKind};

    let wit_parser::Type::Id(mut id) = *wit else {
        return;
    };
    if depth >= DEFAULT_MAX_DEPTH {
        return;
    }
    // Follow aliases (`type id = u64`, `use types.{point}`) to the definition; the name is the
    // definition's.
    for _ in 0..DEFAULT_MAX_DEPTH {
        match &resolve.types[id].kind {
            TypeDefKind::Type(wit_parser::Type::Id(next)) => id = *next,
            TypeDefKind::Type(_) => return,
            _ => break,
        }
    }
    let def = &resolve.types[id];
    let name = def.name.as_deref().map(Name::case);
    let d = depth + 1;
    match (ty, &def.kind) {
        (ValueType::List(t), TypeDefKind::List(w))
        | (ValueType::Option(t), TypeDefKind::Option(w)) => {
            name_from_wit(t, resolve, w, d);
        }
        (ValueType::Result(r), TypeDefKind::Result(w)) => {
            if let (Some(t), Some(w)) = (r.ok.as_deref_mut(), &w.ok) {
                name_from_wit(t, resolve, w, d);
            }
            if let (Some(t), Some(w)) = (r.err.as_deref_mut(), &w.err) {
                name_from_wit(t, resolve, w, d);
            }
        }
        (ValueType::Tuple(ts), TypeDefKind::Tuple(w)) => {
            for (t, w) in ts.iter_mut().zip(&w.types) {
                name_from_wit(t, resolve, w, d);
            }
        }
        (ValueType::Record(r), TypeDefKind::Record(w)) => {
            r.name = name;
            for (f, w) in r.fields.iter_mut().zip(&w.fields) {
                name_from_wit(&mut f.ty, resolve, &w.ty, d);
            }
        }
        (ValueType::Variant(v), TypeDefKind::Variant(w)) => {
            v.name = name;
            for (c, w) in v.cases.iter_mut().zip(&w.cases) {
                if let (Some(t), Some(w)) = (c.ty.as_mut(), &w.ty) {
                    name_from_wit(t, resolve, w, d);
                }
            }
        }
        (ValueType::Enum(e), TypeDefKind::Enum(_)) => e.name = name,
        (ValueType::Flags(f), TypeDefKind::Flags(_)) => f.name = name,
        (ValueType::Own(r), TypeDefKind::Handle(Handle::Own(res)))
        | (ValueType::Borrow(r), TypeDefKind::Handle(Handle::Borrow(res))) => {
            let mut res = *res;
            for _ in 0..DEFAULT_MAX_DEPTH {
                match &resolve.types[res].kind {
                    TypeDefKind::Type(wit_parser::Type::Id(next)) => res = *next,
                    _ => break,
                }
            }
            r.name = resolve.types[res].name.as_deref().map(Name::case);
        }
        _ => {}
    }
}

fn unsupported(kind: &str) -> ValueError {
    ValueError::new(format!(
        "{kind} types are not supported by the dynamic path (RON, WAVE and `Val` calls)"
    ))
    .with_kind(ValueErrorKind::Unsupported)
}

impl ValueType {
    /// The first part of this type the dynamic path cannot read or write (`future`, `stream`,
    /// `error-context`, `map`, fixed-length lists), as an error naming its kind.
    ///
    /// # Errors
    ///
    /// When the type holds such a part.
    pub fn check_supported(&self) -> Result<(), ValueError> {
        fn each<'t>(mut ts: impl Iterator<Item = &'t ValueType>) -> Result<(), ValueError> {
            ts.try_for_each(ValueType::check_supported)
        }
        match self {
            ValueType::Future(_) => Err(unsupported("future")),
            ValueType::Stream(_) => Err(unsupported("stream")),
            ValueType::ErrorContext => Err(unsupported("error-context")),
            ValueType::Map(..) => Err(unsupported("map")),
            ValueType::FixedList(..) => Err(unsupported("fixed-length list")),
            ValueType::List(t) | ValueType::Option(t) => t.check_supported(),
            ValueType::Record(r) => each(r.fields.iter().map(|f| &f.ty)),
            ValueType::Tuple(ts) => each(ts.iter()),
            ValueType::Variant(v) => each(v.cases.iter().filter_map(|c| c.ty.as_ref())),
            ValueType::Result(r) => each(r.ok.iter().chain(r.err.iter()).map(|t| &**t)),
            _ => Ok(()),
        }
    }
}

/// The parameters and results of a function, in the model of the dynamic path.
///
/// Built once per function (from wasmtime's [`ComponentFunc`](types::ComponentFunc) with
/// [`FuncType::from_wasmtime`], or by hand), then used for every call: parsing arguments,
/// printing results, and the messages of errors (which list the parameters).
#[derive(Debug, Clone)]
pub struct FuncType {
    /// The function name used in messages (`add`, `test:pkg/api#add`).
    pub name: String,
    /// The parameters in order, with their WIT names.
    pub params: Vec<(Name, ValueType)>,
    /// The result types (zero or one in WIT today).
    pub results: Vec<ValueType>,
    /// wasmtime's type of the function, needed for WAVE (`None` for a hand-built type).
    pub wasmtime: Option<types::ComponentFunc>,
}

impl FuncType {
    /// A hand-built function type (parameter names in WIT spelling).
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        params: impl IntoIterator<Item = (S, ValueType)>,
        results: impl IntoIterator<Item = ValueType>,
    ) -> Self {
        Self {
            name: name.into(),
            params: params
                .into_iter()
                .map(|(n, t)| (Name::field(n), t))
                .collect(),
            results: results.into_iter().collect(),
            wasmtime: None,
        }
    }

    /// The model of a wasmtime function type; `name` is what messages call it.
    ///
    /// # Errors
    ///
    /// When a parameter or result uses a kind the dynamic path does not support; the error names
    /// the function and the parameter.
    pub fn from_wasmtime(
        name: impl Into<String>,
        func: &types::ComponentFunc,
    ) -> Result<Self, ValueError> {
        let name = name.into();
        let params = func
            .params()
            .map(|(pname, ty)| {
                ValueType::from_wasmtime(&ty)
                    .map(|t| (Name::field(pname), t))
                    .map_err(|e| e.at(format!("parameter `{pname}` of `{name}`")))
            })
            .collect::<Result<_, _>>()?;
        let results = func
            .results()
            .map(|ty| {
                ValueType::from_wasmtime(&ty).map_err(|e| e.at(format!("result of `{name}`")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            name,
            params,
            results,
            wasmtime: Some(func.clone()),
        })
    }

    /// Fills in the type names of the parameters and results from the same function in WIT (see
    /// [`ValueType::name_from_wit`]).
    pub fn name_from_wit(&mut self, resolve: &wit_parser::Resolve, func: &wit_parser::Function) {
        for ((_, ty), param) in self.params.iter_mut().zip(&func.params) {
            ty.name_from_wit(resolve, &param.ty);
        }
        if let (Some(ty), Some(result)) = (self.results.first_mut(), &func.result) {
            ty.name_from_wit(resolve, result);
        }
    }

    /// Whether the dynamic path can read and write every parameter and result (see
    /// [`ValueType::check_supported`]).
    ///
    /// # Errors
    ///
    /// The first part it cannot, with the parameter or result it is in.
    pub fn check_supported(&self) -> Result<(), ValueError> {
        for (name, ty) in &self.params {
            ty.check_supported()
                .map_err(|e| e.at(format!("parameter `{}`", name.wit())))?;
        }
        for ty in &self.results {
            ty.check_supported().map_err(|e| e.at("result"))?;
        }
        Ok(())
    }

    /// The parameters as WIT, for messages: `a: u32, b: list<string>`.
    pub fn params_text(&self) -> String {
        let mut out = String::new();
        for (i, (name, ty)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name.wit());
            out.push_str(": ");
            out.push_str(&ty.to_string());
        }
        out
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use tairitsu_wit::{Primitive, Shape, TypeShape, write_shape};

        /// This type as the shape `tairitsu_wit`'s one writer of type text reads.
        struct Text<'a>(&'a ValueType);

        impl TypeShape for Text<'_> {
            fn shape(&self) -> Shape<'_, Self> {
                let ty = self.0;
                if let Some(name) = ty.type_name() {
                    return match ty {
                        ValueType::Borrow(_) => Shape::Borrow(Some(name.wit())),
                        _ => Shape::Named(name.wit()),
                    };
                }
                match ty {
                    ValueType::Bool => Shape::Primitive(Primitive::Bool),
                    ValueType::S8 => Shape::Primitive(Primitive::S8),
                    ValueType::U8 => Shape::Primitive(Primitive::U8),
                    ValueType::S16 => Shape::Primitive(Primitive::S16),
                    ValueType::U16 => Shape::Primitive(Primitive::U16),
                    ValueType::S32 => Shape::Primitive(Primitive::S32),
                    ValueType::U32 => Shape::Primitive(Primitive::U32),
                    ValueType::S64 => Shape::Primitive(Primitive::S64),
                    ValueType::U64 => Shape::Primitive(Primitive::U64),
                    ValueType::F32 => Shape::Primitive(Primitive::F32),
                    ValueType::F64 => Shape::Primitive(Primitive::F64),
                    ValueType::Char => Shape::Primitive(Primitive::Char),
                    ValueType::String => Shape::Primitive(Primitive::String),
                    ValueType::List(t) => Shape::List(Text(t)),
                    ValueType::Option(t) => Shape::Option(Text(t)),
                    ValueType::Result(r) => Shape::Result {
                        ok: r.ok.as_deref().map(Text),
                        err: r.err.as_deref().map(Text),
                    },
                    ValueType::Tuple(ts) => Shape::Tuple(ts.iter().map(Text).collect()),
                    ValueType::Record(r) => Shape::Record(
                        r.fields
                            .iter()
                            .map(|field| (field.name.wit(), Text(&field.ty)))
                            .collect(),
                    ),
                    ValueType::Variant(v) => Shape::Variant(
                        v.cases
                            .iter()
                            .map(|case| (case.name.wit(), case.ty.as_ref().map(Text)))
                            .collect(),
                    ),
                    ValueType::Enum(e) => Shape::Enum(e.cases.iter().map(Name::wit).collect()),
                    ValueType::Flags(fl) => Shape::Flags(fl.flags.iter().map(Name::wit).collect()),
                    ValueType::Own(_) => Shape::Own(None),
                    ValueType::Borrow(_) => Shape::Borrow(None),
                    ValueType::Future(t) => Shape::Future(t.as_deref().map(Text)),
                    ValueType::Stream(t) => Shape::Stream(t.as_deref().map(Text)),
                    ValueType::ErrorContext => Shape::Primitive(Primitive::ErrorContext),
                    ValueType::Map(k, v) => Shape::Map(Text(k), Text(v)),
                    ValueType::FixedList(t, n) => Shape::FixedList(Text(t), *n),
                }
            }
        }

        write_shape(&Text(self), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_wit() {
        let point = ValueType::record(Some("point"), [("x", ValueType::S32)]);
        let cases = [
            (
                ValueType::list(ValueType::option(ValueType::String)),
                "list<option<string>>",
            ),
            (
                ValueType::result(None, Some(ValueType::String)),
                "result<_, string>",
            ),
            (ValueType::result(Some(ValueType::U32), None), "result<u32>"),
            (ValueType::result(None, None), "result"),
            (
                ValueType::tuple([ValueType::U8, point.clone()]),
                "tuple<u8, point>",
            ),
            (
                ValueType::record(None::<&str>, [("x-pos", ValueType::F64)]),
                "record { x-pos: f64 }",
            ),
            (
                ValueType::variant(None, [("a", None), ("b", Some(ValueType::U8))]),
                "variant { a, b(u8) }",
            ),
            (
                ValueType::flags(None, ["read", "write"]),
                "flags { read, write }",
            ),
            (
                ValueType::Borrow(ResourceInfo {
                    name: Some(Name::case("counter")),
                    ty: None,
                }),
                "borrow<counter>",
            ),
        ];
        for (ty, text) in cases {
            assert_eq!(ty.to_string(), text);
        }
    }

    #[test]
    fn names_are_precomputed() {
        let ValueType::Record(r) =
            ValueType::record(Some("item-info"), [("item-id", ValueType::U64)])
        else {
            unreachable!()
        };
        assert_eq!(r.name.as_ref().map(Name::rust), Some("ItemInfo"));
        assert_eq!(r.fields[0].name.rust(), "item_id");
        assert_eq!(r.fields[0].name.wit(), "item-id");
    }

    #[test]
    fn depth_counts_levels() {
        assert_eq!(ValueType::U8.depth(), 1);
        assert_eq!(ValueType::list(ValueType::option(ValueType::U8)).depth(), 3);
    }
}
