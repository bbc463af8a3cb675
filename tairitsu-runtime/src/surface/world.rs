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

use wasmtime::component::Component;
use wit_parser::{Function, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem, WorldKey};

use super::Surface;
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

    /// Reads a world of a [`Resolve`]: WIT alone, with no component.
    pub fn from_world(resolve: &Resolve, world: wit_parser::WorldId) -> Self {
        let wit = WitWorld::walk(resolve, world);
        let signatures = |imported: bool| {
            wit.functions
                .iter()
                .filter(|f| f.imported == imported)
                .map(|f| signature(resolve, f.interface.as_deref(), f.func))
                .collect()
        };
        WorldInfo {
            imports: signatures(true),
            exports: signatures(false),
            types: wit.types,
        }
    }

    /// Reads wasmtime's view of a component's types: the fallback when the WIT world cannot be
    /// decoded. Types are structural (`record { x: s32 }`) and [`WorldInfo::types`] is empty.
    ///
    /// The same as the [`Surface`](crate::Surface) of the component without its WIT.
    pub fn from_wasmtime(_engine: &wasmtime::Engine, component: &Component) -> Self {
        Surface::from_component(component).world().clone()
    }

    /// Reads the WIT world from `bytes` and falls back on wasmtime's view of `component` when
    /// that fails: the [`Surface::world`] of the component.
    pub fn discover(_engine: &wasmtime::Engine, component: &Component, bytes: &[u8]) -> Self {
        Surface::new(component, bytes).world().clone()
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
/// [`WorldInfo`] (for example [`FuncType::name_from_wit`](crate::dynamic::FuncType::name_from_wit)).
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

/// A WIT world read once: its functions (imports first, then exports, each in the world's
/// order) and its named type definitions. [`WorldInfo::from_world`] and the
/// [`Surface`](crate::Surface) both read it, so WIT is walked in one place.
pub(crate) struct WitWorld<'r> {
    pub(crate) functions: Vec<WitFunction<'r>>,
    pub(crate) types: Vec<TypeDef>,
}

/// A function of a WIT world and where it lives.
pub(crate) struct WitFunction<'r> {
    pub(crate) imported: bool,
    /// The qualified interface (`test:pkg/api@0.1.0`), `None` for a function of the world.
    pub(crate) interface: Option<String>,
    pub(crate) func: &'r Function,
}

impl<'r> WitWorld<'r> {
    pub(crate) fn walk(resolve: &'r Resolve, world: wit_parser::WorldId) -> Self {
        let world = &resolve.worlds[world];
        let mut functions = Vec::new();
        let mut types = Vec::new();
        let mut seen_types = std::collections::HashSet::new();
        for (items, imported) in [(&world.imports, true), (&world.exports, false)] {
            for (key, item) in items {
                match item {
                    WorldItem::Function(func) => functions.push(WitFunction {
                        imported,
                        interface: None,
                        func,
                    }),
                    WorldItem::Interface { id, .. } => {
                        let name = interface_name(resolve, key, *id);
                        let iface = &resolve.interfaces[*id];
                        for func in iface.functions.values() {
                            functions.push(WitFunction {
                                imported,
                                interface: Some(name.clone()),
                                func,
                            });
                        }
                        for &ty in iface.types.values() {
                            if seen_types.insert(ty) {
                                push_type_def(resolve, Some(&name), ty, &mut types);
                            }
                        }
                    }
                    WorldItem::Type { id, .. } => {
                        if seen_types.insert(*id) {
                            push_type_def(resolve, None, *id, &mut types);
                        }
                    }
                }
            }
        }
        Self { functions, types }
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

pub(crate) fn signature(
    resolve: &Resolve,
    interface: Option<&str>,
    func: &Function,
) -> FunctionSignature {
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
