//! Which imports of a component a linker does not provide.
//!
//! wasmtime's pre-instantiation stops at the first missing import and names only its instance.
//! To list every missing function by name, each import is probed on a scratch copy of the
//! linker: defining a name that the linker already has fails (shadowing is off), defining a
//! missing one succeeds.

use wasmtime::component::types::{ComponentInstance, ComponentItem};
use wasmtime::component::{Component, Linker, LinkerInstance};

/// Every import function (`iface#func` or `func`) and resource (`iface#[resource]name`) of
/// `component` that `linker` lacks, in the component's order.
pub(crate) fn missing<T: 'static>(linker: &Linker<T>, component: &Component) -> Vec<String> {
    // The probe below looks names up exactly, while instantiation also accepts a
    // semver-compatible version (an import of `wasi:cli/exit@0.2.0` is served by the
    // `@0.2.6` that WASI defines). When the linker can pre-instantiate, nothing is missing.
    if linker.instantiate_pre(component).is_ok() {
        return Vec::new();
    }
    let engine = component.engine();
    let mut scratch = linker.clone();
    scratch.allow_shadowing(false);
    let mut missing = Vec::new();
    for (name, item) in component.component_type().imports(engine) {
        match item.ty {
            ComponentItem::ComponentInstance(instance) => match scratch.instance(name) {
                Ok(mut inst) => probe_instance(&mut inst, name, &instance, engine, &mut missing),
                Err(_) => missing.push(name.to_string()),
            },
            ComponentItem::ComponentFunc(_)
                if scratch.root().func_new(name, |_, _, _, _| Ok(())).is_ok() =>
            {
                missing.push(name.to_string());
            }
            _ => {}
        }
    }
    missing
}

fn probe_instance<T: 'static>(
    linker: &mut LinkerInstance<'_, T>,
    name: &str,
    instance: &ComponentInstance,
    engine: &wasmtime::Engine,
    missing: &mut Vec<String>,
) {
    for (item_name, item) in instance.exports(engine) {
        let defined_now = match item.ty {
            ComponentItem::ComponentFunc(_) => {
                linker.func_new(item_name, |_, _, _, _| Ok(())).is_ok()
            }
            ComponentItem::Resource(ty) => linker.resource(item_name, ty, |_, _| Ok(())).is_ok(),
            _ => false,
        };
        if defined_now {
            let shown = match item.ty {
                ComponentItem::Resource(_) => format!("{name}#[resource]{item_name}"),
                _ => format!("{name}#{item_name}"),
            };
            missing.push(shown);
        }
    }
}
