//! Discovery: what a component imports and exports, as WIT, read from its own types.
//!
//! [`WorldInfo::from_component_bytes`] decodes the WIT world embedded in the component
//! (`wit_component::decode`), so names are all there: functions with their parameter names, named
//! types by name (`point`), and the definitions of those types. When decoding fails,
//! [`WorldInfo::from_wasmtime`] reads wasmtime's view of the component types instead: the same
//! functions, but records, variants, enums and flags come out structurally (wasmtime keeps no
//! type names) and there are no type definitions.
//!
//! # The type-to-text rule
//!
//! [`wit_type_text`] is the one place that writes a WIT type as text; `tairitsu-build` writes
//! the same text for its descriptors, so that signatures from both sides compare equal:
//!
//! * primitives by their WIT names: `bool`, `u8` … `u64`, `s8` … `s64`, `f32`, `f64`, `char`,
//!   `string`, `error-context`;
//! * a type with a name (record, variant, enum, flags, resource, and aliases such as
//!   `type id = u64`) by that name: `point`, `id`;
//! * anonymous types spelled out with `, ` between parameters: `list<T>`, `option<T>`,
//!   `result`, `result<T>`, `result<_, E>`, `result<T, E>`, `tuple<A, B>`, `future`,
//!   `future<T>`, `stream`, `stream<T>`, `map<K, V>`, `list<T, N>`;
//! * an owned handle by its resource name (`counter`), a borrowed one as `borrow<counter>`;
//! * names as they are, without WIT's `%` escape.
//!
//! The type definitions in [`WorldInfo::types`] are valid WIT, so there names that are WIT
//! keywords do get the escape (`record item { %type: string }`).

use std::borrow::Cow;
use std::fmt::Write as _;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem, Type as WasmtimeType};
use wit_parser::{Function, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem, WorldKey};

use crate::{FunctionSignature, Param};

/// What a component imports and exports, as WIT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorldInfo {
    /// Imported functions, interface by interface, in the world's order.
    pub imports: Vec<FunctionSignature>,
    /// Exported functions, interface by interface, in the world's order.
    pub exports: Vec<FunctionSignature>,
    /// The named types of the imported and exported interfaces (and of the world), as WIT
    /// definitions.
    pub types: Vec<TypeDef>,
}

/// A named type definition, rendered as WIT.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeDef {
    /// The qualified interface that defines it (`test:pkg/types@0.1.0`), or `None` for a type of
    /// the world.
    pub interface: Option<String>,
    /// The type name (`point`).
    pub name: String,
    /// The definition: `record point { x: s32, y: s32 }`, `enum color { red, green }`,
    /// `flags permissions { read, write }`, `variant shape { circle(f64), empty }`,
    /// `type id = u64`, `resource counter`.
    pub wit: String,
}

impl WorldInfo {
    /// Reads the WIT world embedded in a component's bytes.
    ///
    /// # Errors
    ///
    /// When the bytes are not a component with a decodable world (for example a core module, or
    /// a WIT package encoded as wasm).
    ///
    /// # Examples
    ///
    /// ```
    /// use tairitsu_runtime::dynamic::WorldInfo;
    ///
    /// let core_module = b"\0asm\x01\0\0\0";
    /// let err = WorldInfo::from_component_bytes(core_module).unwrap_err();
    /// assert!(err.to_string().contains("is a core WebAssembly module"));
    /// ```
    pub fn from_component_bytes(bytes: &[u8]) -> crate::Result<Self> {
        let (resolve, world) = decode_world(bytes)?;
        Ok(Self::from_world(&resolve, world))
    }

    /// Reads a world of a [`Resolve`].
    pub fn from_world(resolve: &Resolve, world: wit_parser::WorldId) -> Self {
        let world = &resolve.worlds[world];
        let mut info = WorldInfo::default();
        let mut seen_types = std::collections::HashSet::new();
        for (items, imports) in [(&world.imports, true), (&world.exports, false)] {
            for (key, item) in items {
                let target = if imports {
                    &mut info.imports
                } else {
                    &mut info.exports
                };
                match item {
                    WorldItem::Function(func) => target.push(signature(resolve, None, func)),
                    WorldItem::Interface { id, .. } => {
                        let name = interface_name(resolve, key, *id);
                        let iface = &resolve.interfaces[*id];
                        for func in iface.functions.values() {
                            target.push(signature(resolve, Some(&name), func));
                        }
                        for &ty in iface.types.values() {
                            if seen_types.insert(ty) {
                                push_type_def(resolve, Some(&name), ty, &mut info.types);
                            }
                        }
                    }
                    WorldItem::Type { id, .. } => {
                        if seen_types.insert(*id) {
                            push_type_def(resolve, None, *id, &mut info.types);
                        }
                    }
                }
            }
        }
        info
    }

    /// Reads wasmtime's view of a component's types: the fallback when the WIT world cannot be
    /// decoded. Types are structural (`record { x: s32 }`) and [`WorldInfo::types`] is empty.
    pub fn from_wasmtime(engine: &Engine, component: &Component) -> Self {
        let ty = component.component_type();
        let mut info = WorldInfo::default();
        for (name, item) in ty.imports(engine) {
            push_wasmtime_item(engine, name, item.ty, &mut info.imports);
        }
        for (name, item) in ty.exports(engine) {
            push_wasmtime_item(engine, name, item.ty, &mut info.exports);
        }
        info
    }

    /// Reads the WIT world from `bytes` and falls back on wasmtime's view of `component` when
    /// that fails.
    pub fn discover(engine: &Engine, component: &Component, bytes: &[u8]) -> Self {
        Self::from_component_bytes(bytes).unwrap_or_else(|_| Self::from_wasmtime(engine, component))
    }

    /// The export with this qualified name (`pkg:ns/iface@ver#func`, or `func` at the root).
    pub fn export(&self, qualified: &str) -> Option<&FunctionSignature> {
        self.exports
            .iter()
            .find(|f| f.qualified_name() == qualified)
    }

    /// The import with this qualified name.
    pub fn import(&self, qualified: &str) -> Option<&FunctionSignature> {
        self.imports
            .iter()
            .find(|f| f.qualified_name() == qualified)
    }
}

/// Decodes the WIT world embedded in a component's bytes, for callers that need more than
/// [`WorldInfo`] (for example [`FuncType::name_from_wit`](super::FuncType::name_from_wit)).
///
/// # Errors
///
/// [`Error::NotAComponent`](crate::Error::NotAComponent) for bytes that are not wasm or are a core
/// module or a WIT package, [`Error::InvalidComponent`](crate::Error::InvalidComponent) when the
/// world cannot be decoded.
pub fn decode_world(bytes: &[u8]) -> crate::Result<(Resolve, wit_parser::WorldId)> {
    let not_a_component = |reason: &str| crate::Error::NotAComponent {
        what: "input".to_string(),
        reason: reason.to_string(),
    };
    if !bytes.starts_with(b"\0asm") {
        return Err(not_a_component(
            "it does not start with the WebAssembly magic bytes `\\0asm`",
        ));
    }
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(not_a_component(
            "it is a core WebAssembly module; build a component (for example with \
             `wasm-tools component new` or the `wasm32-wasip2` target)",
        ));
    }
    let decoded = wit_component::decode(bytes).map_err(|e| crate::Error::InvalidComponent {
        what: "input".to_string(),
        message: format!("cannot read its WIT world: {e:#}"),
    })?;
    match decoded {
        wit_component::DecodedWasm::Component(resolve, world) => Ok((resolve, world)),
        wit_component::DecodedWasm::WitPackage(..) => Err(not_a_component(
            "it is a WIT package encoded as wasm, not a component",
        )),
    }
}

fn interface_name(resolve: &Resolve, key: &WorldKey, id: wit_parser::InterfaceId) -> String {
    match key {
        WorldKey::Interface(_) => resolve
            .id_of(id)
            .unwrap_or_else(|| resolve.name_world_key(key)),
        WorldKey::Name(name) => name.clone(),
    }
}

fn signature(resolve: &Resolve, interface: Option<&str>, func: &Function) -> FunctionSignature {
    FunctionSignature {
        interface: interface.map(|i| Cow::Owned(i.to_string())),
        name: Cow::Owned(func.name.clone()),
        params: func
            .params
            .iter()
            .map(|p| Param {
                name: Cow::Owned(p.name.clone()),
                ty: Cow::Owned(wit_type_text(resolve, &p.ty)),
            })
            .collect::<Vec<_>>()
            .into(),
        result: func
            .result
            .as_ref()
            .map(|t| Cow::Owned(wit_type_text(resolve, t))),
    }
}

pub use tairitsu_wit::{wit_name, wit_type_text};
use tairitsu_wit::{write_anonymous, write_type};

/// Renders a named type as a WIT definition, unless it is a `use` of another interface's type.
fn push_type_def(resolve: &Resolve, interface: Option<&str>, id: TypeId, out: &mut Vec<TypeDef>) {
    let def = &resolve.types[id];
    let Some(name) = &def.name else { return };
    if let TypeDefKind::Type(Type::Id(target)) = &def.kind {
        let target = &resolve.types[*target];
        if target.name.as_deref() == Some(name.as_str()) && target.owner != def.owner {
            // `use types.{point}`: defined (and listed) where it comes from.
            return;
        }
    }
    let escaped = wit_name(name);
    let mut wit = String::new();
    match &def.kind {
        TypeDefKind::Record(record) => {
            _ = write!(wit, "record {escaped} {{ ");
            for (i, field) in record.fields.iter().enumerate() {
                if i > 0 {
                    wit.push_str(", ");
                }
                _ = write!(wit, "{}: ", wit_name(&field.name));
                write_type(resolve, &field.ty, &mut wit);
            }
            wit.push_str(" }");
        }
        TypeDefKind::Variant(variant) => {
            _ = write!(wit, "variant {escaped} {{ ");
            for (i, case) in variant.cases.iter().enumerate() {
                if i > 0 {
                    wit.push_str(", ");
                }
                wit.push_str(&wit_name(&case.name));
                if let Some(t) = &case.ty {
                    wit.push('(');
                    write_type(resolve, t, &mut wit);
                    wit.push(')');
                }
            }
            wit.push_str(" }");
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<_> = e.cases.iter().map(|c| wit_name(&c.name)).collect();
            _ = write!(wit, "enum {escaped} {{ {} }}", cases.join(", "));
        }
        TypeDefKind::Flags(f) => {
            let flags: Vec<_> = f.flags.iter().map(|c| wit_name(&c.name)).collect();
            _ = write!(wit, "flags {escaped} {{ {} }}", flags.join(", "));
        }
        TypeDefKind::Resource => _ = write!(wit, "resource {escaped}"),
        kind => {
            _ = write!(wit, "type {escaped} = ");
            write_anonymous(resolve, kind, &mut wit);
        }
    }
    let interface = interface.map(str::to_string).or_else(|| match def.owner {
        TypeOwner::Interface(i) => resolve.id_of(i),
        _ => None,
    });
    out.push(TypeDef {
        interface,
        name: name.clone(),
        wit,
    });
}

fn push_wasmtime_item(
    engine: &Engine,
    name: &str,
    item: ComponentItem,
    out: &mut Vec<FunctionSignature>,
) {
    match item {
        ComponentItem::ComponentFunc(func) => out.push(wasmtime_signature(None, name, &func)),
        ComponentItem::ComponentInstance(instance) => {
            for (fname, item) in instance.exports(engine) {
                if let ComponentItem::ComponentFunc(func) = item.ty {
                    out.push(wasmtime_signature(Some(name), fname, &func));
                }
            }
        }
        _ => {}
    }
}

fn wasmtime_signature(
    interface: Option<&str>,
    name: &str,
    func: &ComponentFunc,
) -> FunctionSignature {
    FunctionSignature {
        interface: interface.map(|i| Cow::Owned(i.to_string())),
        name: Cow::Owned(name.to_string()),
        params: func
            .params()
            .map(|(pname, ty)| Param {
                name: Cow::Owned(pname.to_string()),
                ty: Cow::Owned(wasmtime_type_text(&ty)),
            })
            .collect::<Vec<_>>()
            .into(),
        result: func
            .results()
            .next()
            .map(|t| Cow::Owned(wasmtime_type_text(&t))),
    }
}

/// A wasmtime type as text: as [`wit_type_text`] for anonymous types, and structurally for
/// records, variants, enums, flags and resources, whose names wasmtime does not keep
/// (`record { x: s32 }`, `resource`).
pub fn wasmtime_type_text(ty: &WasmtimeType) -> String {
    let mut out = String::new();
    write_wasmtime_type(ty, &mut out, 0);
    out
}

fn write_wasmtime_type(ty: &WasmtimeType, out: &mut String, depth: usize) {
    if depth > super::DEFAULT_MAX_DEPTH {
        out.push('…');
        return;
    }
    let d = depth + 1;
    let list = |out: &mut String, items: &mut dyn Iterator<Item = WasmtimeType>| {
        for (i, t) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_wasmtime_type(&t, out, d);
        }
    };
    match ty {
        WasmtimeType::Bool => out.push_str("bool"),
        WasmtimeType::S8 => out.push_str("s8"),
        WasmtimeType::U8 => out.push_str("u8"),
        WasmtimeType::S16 => out.push_str("s16"),
        WasmtimeType::U16 => out.push_str("u16"),
        WasmtimeType::S32 => out.push_str("s32"),
        WasmtimeType::U32 => out.push_str("u32"),
        WasmtimeType::S64 => out.push_str("s64"),
        WasmtimeType::U64 => out.push_str("u64"),
        WasmtimeType::Float32 => out.push_str("f32"),
        WasmtimeType::Float64 => out.push_str("f64"),
        WasmtimeType::Char => out.push_str("char"),
        WasmtimeType::String => out.push_str("string"),
        WasmtimeType::ErrorContext => out.push_str("error-context"),
        WasmtimeType::List(l) => {
            out.push_str("list<");
            write_wasmtime_type(&l.ty(), out, d);
            out.push('>');
        }
        WasmtimeType::FixedLengthList(l) => {
            out.push_str("list<");
            write_wasmtime_type(&l.ty(), out, d);
            _ = write!(out, ", {}>", l.len());
        }
        WasmtimeType::Map(m) => {
            out.push_str("map<");
            write_wasmtime_type(&m.key(), out, d);
            out.push_str(", ");
            write_wasmtime_type(&m.value(), out, d);
            out.push('>');
        }
        WasmtimeType::Option(o) => {
            out.push_str("option<");
            write_wasmtime_type(&o.ty(), out, d);
            out.push('>');
        }
        WasmtimeType::Result(r) => match (r.ok(), r.err()) {
            (None, None) => out.push_str("result"),
            (Some(ok), None) => {
                out.push_str("result<");
                write_wasmtime_type(&ok, out, d);
                out.push('>');
            }
            (None, Some(err)) => {
                out.push_str("result<_, ");
                write_wasmtime_type(&err, out, d);
                out.push('>');
            }
            (Some(ok), Some(err)) => {
                out.push_str("result<");
                write_wasmtime_type(&ok, out, d);
                out.push_str(", ");
                write_wasmtime_type(&err, out, d);
                out.push('>');
            }
        },
        WasmtimeType::Tuple(t) => {
            out.push_str("tuple<");
            list(out, &mut t.types());
            out.push('>');
        }
        WasmtimeType::Record(r) => {
            out.push_str("record { ");
            for (i, f) in r.fields().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                _ = write!(out, "{}: ", wit_name(f.name));
                write_wasmtime_type(&f.ty, out, d);
            }
            out.push_str(" }");
        }
        WasmtimeType::Variant(v) => {
            out.push_str("variant { ");
            for (i, c) in v.cases().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&wit_name(c.name));
                if let Some(t) = &c.ty {
                    out.push('(');
                    write_wasmtime_type(t, out, d);
                    out.push(')');
                }
            }
            out.push_str(" }");
        }
        WasmtimeType::Enum(e) => {
            let names: Vec<_> = e.names().map(wit_name).collect();
            _ = write!(out, "enum {{ {} }}", names.join(", "));
        }
        WasmtimeType::Flags(f) => {
            let names: Vec<_> = f.names().map(wit_name).collect();
            _ = write!(out, "flags {{ {} }}", names.join(", "));
        }
        WasmtimeType::Own(_) => out.push_str("resource"),
        WasmtimeType::Borrow(_) => out.push_str("borrow<resource>"),
        WasmtimeType::Future(f) => match f.ty() {
            Some(t) => {
                out.push_str("future<");
                write_wasmtime_type(&t, out, d);
                out.push('>');
            }
            None => out.push_str("future"),
        },
        WasmtimeType::Stream(s) => match s.ty() {
            Some(t) => {
                out.push_str("stream<");
                write_wasmtime_type(&t, out, d);
                out.push('>');
            }
            None => out.push_str("stream"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIT: &str = r#"
        package test:sig@0.1.0;
        interface types {
            record point { x: s32, y: s32 }
            record item { %type: string, item-id: u64 }
            enum color { red, dark-magenta }
            flags perms { read, write }
            variant shape { circle(f64), empty }
            type id = u64;
            resource counter { get: func() -> u32; }
        }
        interface api {
            use types.{point, id, counter};
            f: func(a: list<option<string>>, b: result<_, string>, c: borrow<counter>) -> tuple<point, id>;
            g: func() -> result;
            h: func(p: option<point>) -> counter;
        }
        world w {
            export api;
            export version: func() -> string;
        }
    "#;

    fn world() -> (Resolve, wit_parser::WorldId) {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("sig.wit", WIT).unwrap();
        let world = resolve.select_world(&[pkg], Some("w")).unwrap();
        (resolve, world)
    }

    #[test]
    fn signatures_as_wit() {
        let (resolve, world) = world();
        let info = WorldInfo::from_world(&resolve, world);
        let exports: Vec<String> = info
            .exports
            .iter()
            .map(|f| format!("{}: {f}", f.qualified_name()))
            .collect();
        assert_eq!(
            exports,
            [
                "version: version: func() -> string",
                "test:sig/api@0.1.0#f: f: func(a: list<option<string>>, b: result<_, string>, c: borrow<counter>) -> tuple<point, id>",
                "test:sig/api@0.1.0#g: g: func() -> result",
                "test:sig/api@0.1.0#h: h: func(p: option<point>) -> counter",
            ]
        );
        let methods: Vec<String> = info.imports.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            methods,
            ["[method]counter.get: func(self: borrow<counter>) -> u32"]
        );
    }

    #[test]
    fn type_definitions_as_wit() {
        let (resolve, world) = world();
        let info = WorldInfo::from_world(&resolve, world);
        let defs: Vec<&str> = info.types.iter().map(|t| t.wit.as_str()).collect();
        assert_eq!(
            defs,
            [
                "record point { x: s32, y: s32 }",
                "record item { %type: string, item-id: u64 }",
                "enum color { red, dark-magenta }",
                "flags perms { read, write }",
                "variant shape { circle(f64), empty }",
                "type id = u64",
                "resource counter",
            ]
        );
        assert!(
            info.types
                .iter()
                .all(|t| t.interface.as_deref() == Some("test:sig/types@0.1.0"))
        );
    }
}
