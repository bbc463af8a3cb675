//! Building a [`Surface`]: the one walk over a component's types, joined with its WIT.

use std::borrow::Cow;
use std::collections::HashMap;

use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wit_parser::Function;

use super::Surface;
use super::exports::{Export, names};
use super::imports::{Import, Imported};
use super::world::{WitWorld, WorldInfo, decode_world, signature};
use crate::dynamic::FuncType;
use crate::{FunctionSignature, Param};

/// An item the component imports or exports, as wasmtime's types list it.
enum Item {
    Func(ComponentFunc),
    Resource(wasmtime::component::ResourceType),
}

/// Builds the surface of `component`; with `bytes`, names come from the WIT embedded there.
pub(super) fn build(component: &Component, bytes: Option<&[u8]>) -> Surface {
    let decoded = bytes.and_then(|b| decode_world(b).ok());
    let wit = decoded
        .as_ref()
        .map(|(resolve, world)| (resolve, WitWorld::walk(resolve, *world)));
    let index: HashMap<(bool, Option<&str>, &str), &Function> = match &wit {
        Some((_, world)) => world
            .functions
            .iter()
            .map(|f| {
                (
                    (f.imported, f.interface.as_deref(), f.func.name.as_str()),
                    f.func,
                )
            })
            .collect(),
        None => HashMap::new(),
    };
    let describe = |imported: bool, interface: Option<&str>, name: &str, ty: &ComponentFunc| {
        let qualified = match interface {
            Some(i) => format!("{i}#{name}"),
            None => name.to_string(),
        };
        // Messages name an export by its function name (``argument `v` of `echo-u8` ``), and
        // an import, which the host serves, by its qualified name.
        let shown = if imported { qualified.as_str() } else { name };
        let mut func_type = FuncType::from_wasmtime(shown, ty);
        let wit_func = index.get(&(imported, interface, name));
        let signature = match (&wit, wit_func) {
            (Some((resolve, _)), Some(func)) => {
                if let Ok(func_type) = &mut func_type {
                    func_type.name_from_wit(resolve, func);
                }
                signature(resolve, interface, func)
            }
            _ => structural_signature(interface, name, ty),
        };
        let func_type = func_type.and_then(|f| {
            f.check_supported()
                .map_err(|e| e.at(format!("`{shown}`")))
                .map(|()| f)
        });
        (qualified, func_type, signature)
    };

    let engine = component.engine();
    let ty = component.component_type();
    let mut imports = Vec::new();
    for_each_item(engine, ty.imports(engine), |interface, name, item| {
        let item = match item {
            Item::Func(ty) => {
                let (_, func_type, signature) = describe(true, interface, name, &ty);
                Imported::Func {
                    ty,
                    func_type,
                    signature,
                }
            }
            Item::Resource(ty) => Imported::Resource(ty),
        };
        imports.push(Import {
            interface: interface.map(str::to_string),
            name: name.to_string(),
            item,
        });
    });
    let mut exports = Vec::new();
    for_each_item(engine, ty.exports(engine), |interface, name, item| {
        let Item::Func(ty) = item else { return };
        let parent = interface.and_then(|i| component.get_export_index(None, i));
        if interface.is_some() && parent.is_none() {
            return;
        }
        let Some(index) = component.get_export_index(parent.as_ref(), name) else {
            return;
        };
        let (qualified, func_type, signature) = describe(false, interface, name, &ty);
        let (params, results) = (ty.params().len(), ty.results().len());
        exports.push(Export {
            qualified,
            interface: interface.map(str::to_string),
            name: name.to_string(),
            index,
            params,
            results,
            ty,
            func_type,
            signature,
        });
    });

    let mut by_name: HashMap<Box<str>, Vec<usize>, foldhash::fast::RandomState> =
        HashMap::default();
    for (i, export) in exports.iter().enumerate() {
        for name in names(export) {
            by_name.entry(name.into_boxed_str()).or_default().push(i);
        }
    }
    let world = WorldInfo {
        imports: imports
            .iter()
            .filter_map(|i| i.signature().cloned())
            .collect(),
        exports: exports.iter().map(|e| e.signature.clone()).collect(),
        types: wit.map(|(_, world)| world.types).unwrap_or_default(),
    };
    Surface {
        component: component.clone(),
        exports,
        names: by_name,
        imports,
        world,
        named: decoded.is_some(),
    }
}

/// Calls `f` with each function and resource type in `items` (a component's imports or
/// exports), one level into instances: `(interface, name, item)`.
fn for_each_item<'a>(
    engine: &wasmtime::Engine,
    items: impl Iterator<Item = (&'a str, wasmtime::component::types::ComponentExtern<'a>)>,
    mut f: impl FnMut(Option<&str>, &str, Item),
) {
    let item = |ty| match ty {
        ComponentItem::ComponentFunc(func) => Some(Item::Func(func)),
        ComponentItem::Resource(ty) => Some(Item::Resource(ty)),
        _ => None,
    };
    for (name, ext) in items {
        if let ComponentItem::ComponentInstance(instance) = ext.ty {
            for (member, export) in instance.exports(engine) {
                if let Some(it) = item(export.ty) {
                    f(Some(name), member, it);
                }
            }
        } else if let Some(it) = item(ext.ty) {
            f(None, name, it);
        }
    }
}

/// A signature from wasmtime's types alone: named types come out structurally.
fn structural_signature(
    interface: Option<&str>,
    name: &str,
    ty: &ComponentFunc,
) -> FunctionSignature {
    let text = |t: &wasmtime::component::Type| match crate::dynamic::ValueType::from_wasmtime(t) {
        Ok(t) => t.to_string(),
        Err(_) => "…".to_string(),
    };
    FunctionSignature {
        interface: interface.map(|i| Cow::Owned(i.to_string())),
        name: Cow::Owned(name.to_string()),
        params: ty
            .params()
            .map(|(pname, t)| Param {
                name: Cow::Owned(pname.to_string()),
                ty: Cow::Owned(text(&t)),
            })
            .collect::<Vec<_>>()
            .into(),
        result: ty.results().next().map(|t| Cow::Owned(text(&t))),
    }
}
