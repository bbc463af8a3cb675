//! The imports of a surface, and which of them a linker really provides.
//!
//! wasmtime's pre-instantiation stops at the first missing import. To list every missing
//! import by name, each one is probed on a scratch copy of the linker: with shadowing off,
//! defining a name the linker has fails, defining a missing one succeeds.
//!
//! Names are matched as wasmtime matches them when it instantiates: an import of
//! `wasi:cli/environment@0.2.9` is served by the `@0.2.12` the linker defines, because both are
//! on the `0.2` track (for `1.x.y`, the track is `1`; `0.0.x` and pre-releases match exactly).
//! An instance the component imports at a version the linker does not have exactly is looked
//! up at the highest version of its track that the linker has.

use std::collections::HashMap;

use semver::Version;
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Linker, LinkerInstance, ResourceType};

use super::Surface;
use crate::FunctionSignature;
use crate::dynamic::{FuncType, ValueError};

/// One function or resource type a component imports.
#[derive(Clone)]
pub struct Import {
    /// The interface (`pkg:ns/iface@ver`), `None` at the root.
    pub(crate) interface: Option<String>,
    /// The function (`[method]blob.size`) or resource (`blob`).
    pub(crate) name: String,
    pub(crate) item: Imported,
}

/// What an [`Import`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportKind {
    /// A function.
    Function,
    /// A resource type.
    Resource,
}

#[derive(Clone)]
pub(crate) enum Imported {
    Func {
        ty: ComponentFunc,
        func_type: Result<FuncType, ValueError>,
        signature: FunctionSignature,
    },
    /// The component's own (uninstantiated) type for the resource.
    Resource(ResourceType),
}

impl Import {
    /// The interface (`pkg:ns/iface@ver`), `None` for an import of the world itself.
    pub fn interface(&self) -> Option<&str> {
        self.interface.as_deref()
    }

    /// The function (`[method]blob.size`) or resource (`blob`) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is a function or a resource type.
    pub fn kind(&self) -> ImportKind {
        match self.item {
            Imported::Func { .. } => ImportKind::Function,
            Imported::Resource(_) => ImportKind::Resource,
        }
    }

    /// `iface#func`, `iface#[resource]name`, or the name alone at the root: how the
    /// missing-import report writes it.
    pub fn qualified(&self) -> String {
        let mut out = String::new();
        if let Some(interface) = &self.interface {
            out.push_str(interface);
            out.push('#');
        }
        if matches!(self.item, Imported::Resource(_)) {
            out.push_str("[resource]");
        }
        out.push_str(&self.name);
        out
    }

    /// wasmtime's type of an imported function.
    pub fn func(&self) -> Option<&ComponentFunc> {
        match &self.item {
            Imported::Func { ty, .. } => Some(ty),
            Imported::Resource(_) => None,
        }
    }

    /// The dynamic path's model of an imported function (with WIT names where the component
    /// has them), or why the dynamic path cannot serve it; `None` for a resource type.
    pub fn func_type(&self) -> Option<Result<&FuncType, &ValueError>> {
        match &self.item {
            Imported::Func { func_type, .. } => Some(func_type.as_ref()),
            Imported::Resource(_) => None,
        }
    }

    /// An imported function as WIT; `None` for a resource type.
    pub fn signature(&self) -> Option<&FunctionSignature> {
        match &self.item {
            Imported::Func { signature, .. } => Some(signature),
            Imported::Resource(_) => None,
        }
    }

    /// The component's type of an imported resource (equal for every import that names the
    /// same resource, for example through a `use`).
    pub fn resource_type(&self) -> Option<ResourceType> {
        match &self.item {
            Imported::Resource(ty) => Some(*ty),
            Imported::Func { .. } => None,
        }
    }
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.qualified())
    }
}

/// Every import of `surface` (a surface of `component`) that `linker` lacks, qualified, in the
/// component's order.
pub(crate) fn missing<T: 'static>(linker: &Linker<T>, surface: &Surface) -> Vec<String> {
    if linker.instantiate_pre(surface.component()).is_ok() {
        return Vec::new();
    }
    Probe::new(linker, surface)
        .missing
        .iter()
        .map(|&i| surface.imports[i].qualified())
        .collect()
}

/// Defines every import of `surface` that `linker` lacks as a function that traps when called
/// (a missing resource type as a host resource), where wasmtime will look for it: in the
/// instance the linker already has at a compatible version, or in a new instance.
///
/// Resource types stay consistent: every missing import of one component resource type gets the
/// same host type, and one shared with WASI's `wasi:io` (through a `use`) gets WASI's.
///
/// # Errors
///
/// When a missing resource type is shared with a provided interface other than `wasi:io`
/// (there is no way to name the host's type for it), or the linker refuses a definition.
pub(crate) fn link_traps<T: 'static>(
    linker: &mut Linker<T>,
    surface: &Surface,
) -> Result<(), TrapError> {
    if linker.instantiate_pre(surface.component()).is_ok() {
        return Ok(());
    }
    let probe = Probe::new(linker, surface);
    // The host type of each component resource type that some import provides or that a
    // stub defines.
    let mut host_types: Vec<(ResourceType, ResourceType)> = Vec::new();
    let mut next_stub = 0u32;
    for &i in &probe.missing {
        let import = &surface.imports[i];
        let qualified = import.qualified();
        let target = import.interface.as_deref().map(|iface| {
            probe
                .resolved
                .get(iface)
                .cloned()
                .unwrap_or_else(|| iface.to_string())
        });
        let mut instance = match &target {
            Some(name) => linker.instance(name),
            None => Ok(linker.root()),
        }
        .map_err(|e| TrapError::Link {
            import: qualified.clone(),
            source: e,
        })?;
        let defined = match &import.item {
            Imported::Func { .. } => {
                let shown = qualified.clone();
                instance.func_new(&import.name, move |_, _, _, _| {
                    Err(wasmtime::Error::msg(format!(
                        "unknown import: `{shown}` has not been defined"
                    )))
                })
            }
            Imported::Resource(component_ty) => {
                let known = host_types.iter().find(|(c, _)| c == component_ty);
                let host_ty = match known {
                    Some((_, ty)) => *ty,
                    None => {
                        let ty = match shared_provider(surface, &probe, *component_ty) {
                            Some(provider) => wasi_io_host_type(provider).ok_or_else(|| {
                                TrapError::SharedResource {
                                    import: qualified.clone(),
                                    provider: provider.qualified(),
                                }
                            })?,
                            None => {
                                next_stub += 1;
                                ResourceType::host_dynamic(u32::MAX - next_stub)
                            }
                        };
                        host_types.push((*component_ty, ty));
                        ty
                    }
                };
                instance.resource(&import.name, host_ty, |_, _| Ok(()))
            }
        };
        defined.map_err(|e| TrapError::Link {
            import: qualified,
            source: e,
        })?;
    }
    Ok(())
}

/// Defining traps for missing imports failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TrapError {
    #[error(
        "cannot define `{import}` as a trap: its resource type is the one of `{provider}`, which \
         the host provides; provide `{import}` too"
    )]
    SharedResource { import: String, provider: String },
    #[error("cannot define `{import}` as a trap")]
    Link {
        import: String,
        #[source]
        source: wasmtime::Error,
    },
}

/// WASI's host type of a `wasi:io` resource, which other WASI interfaces (`wasi:http`,
/// `wasi:filesystem`, …) `use`.
fn wasi_io_host_type(provider: &Import) -> Option<ResourceType> {
    let interface = provider.interface()?;
    let track = interface.split('@').next()?;
    Some(match (track, provider.name()) {
        ("wasi:io/poll", "pollable") => ResourceType::host::<wasmtime_wasi::p2::DynPollable>(),
        ("wasi:io/streams", "input-stream") => {
            ResourceType::host::<wasmtime_wasi::p2::DynInputStream>()
        }
        ("wasi:io/streams", "output-stream") => {
            ResourceType::host::<wasmtime_wasi::p2::DynOutputStream>()
        }
        ("wasi:io/error", "error") => ResourceType::host::<wasmtime_wasi::p2::IoError>(),
        _ => return None,
    })
}

/// A provided import of the same component resource type as `ty`, if any.
fn shared_provider<'s>(
    surface: &'s Surface,
    probe: &Probe,
    ty: ResourceType,
) -> Option<&'s Import> {
    surface
        .imports
        .iter()
        .enumerate()
        .find(|(i, import)| import.resource_type() == Some(ty) && !probe.missing.contains(i))
        .map(|(_, import)| import)
}

/// Which imports a linker lacks, and where it finds the instances it has.
struct Probe {
    /// Indices into the surface's imports.
    missing: Vec<usize>,
    /// For each imported interface the linker has, the exact name it has it under.
    resolved: HashMap<String, String>,
}

impl Probe {
    fn new<T: 'static>(linker: &Linker<T>, surface: &Surface) -> Self {
        // One scratch linker answers "is this exact instance name defined": defining a function
        // under a defined name fails with shadowing off. The functions defined for absent names
        // only pollute the scratch copy.
        let mut names = linker.clone();
        names.allow_shadowing(false);
        let mut resolved = HashMap::new();
        let mut absent = Vec::new();
        for import in &surface.imports {
            let Some(iface) = import.interface.as_deref() else {
                continue;
            };
            if resolved.contains_key(iface) || absent.iter().any(|a: &String| a == iface) {
                continue;
            }
            match provided_instance(&mut names, iface) {
                Some(name) => {
                    resolved.insert(iface.to_string(), name);
                }
                None => absent.push(iface.to_string()),
            }
        }
        let mut items = linker.clone();
        items.allow_shadowing(false);
        let mut missing = Vec::new();
        for (i, import) in surface.imports.iter().enumerate() {
            let lacks = match import.interface.as_deref() {
                None => lacks_item(&mut items.root(), import),
                Some(iface) => match resolved.get(iface) {
                    None => true,
                    Some(name) => match items.instance(name) {
                        Ok(mut instance) => lacks_item(&mut instance, import),
                        Err(_) => true,
                    },
                },
            };
            if lacks {
                missing.push(i);
            }
        }
        // A resource type a component imports under several names (`use wasi:io/streams.
        // {output-stream}` in `wasi:cli/stdout`) is defined by its first import; the others are
        // aliases, which wasmtime accepts undefined once the type is. So a resource import is
        // missing only when no import of its type is provided, and then only the first one.
        let resource_of = |i: usize| match &surface.imports[i].item {
            Imported::Resource(ty) => Some(*ty),
            Imported::Func { .. } => None,
        };
        let provided: Vec<ResourceType> = (0..surface.imports.len())
            .filter(|i| !missing.contains(i))
            .filter_map(resource_of)
            .collect();
        let mut seen: Vec<ResourceType> = Vec::new();
        missing.retain(|&i| match resource_of(i) {
            None => true,
            Some(ty) if provided.contains(&ty) || seen.contains(&ty) => false,
            Some(ty) => {
                seen.push(ty);
                true
            }
        });
        Self { missing, resolved }
    }
}

/// Whether defining `import` in `instance` succeeds, that is, the linker lacks it.
fn lacks_item<T: 'static>(instance: &mut LinkerInstance<'_, T>, import: &Import) -> bool {
    match &import.item {
        Imported::Func { .. } => instance.func_new(&import.name, |_, _, _, _| Ok(())).is_ok(),
        Imported::Resource(ty) => instance.resource(&import.name, *ty, |_, _| Ok(())).is_ok(),
    }
}

/// The exact name under which `names` (a scratch linker) has the instance `iface`, as
/// wasmtime's lookup finds it: the name itself, else the highest version on its semver track.
fn provided_instance<T: 'static>(names: &mut Linker<T>, iface: &str) -> Option<String> {
    if is_defined(names, iface) {
        return Some(iface.to_string());
    }
    let (base, version) = iface.split_once('@')?;
    let version = Version::parse(version).ok()?;
    candidates(&version)
        .map(|v| format!("{base}@{v}"))
        .find(|name| is_defined(names, name))
}

/// The exact name under which `linker` has the instance `iface` (a semver-compatible version
/// of it), if it has one.
pub(crate) fn provided_instance_name<T: 'static>(
    linker: &Linker<T>,
    iface: &str,
) -> Option<String> {
    let mut names = linker.clone();
    names.allow_shadowing(false);
    provided_instance(&mut names, iface)
}

fn is_defined<T: 'static>(names: &mut Linker<T>, name: &str) -> bool {
    names.root().func_new(name, |_, _, _, _| Ok(())).is_err()
}

/// The versions on the semver track of `version`, highest first, as far as the probe looks:
/// `0.M.0` to `0.M.99` for a `0.M` track, `M.0.0` to `M.31.31` for a major track. A track of
/// `0.0.x` or a pre-release has no other versions.
fn candidates(version: &Version) -> Box<dyn Iterator<Item = Version>> {
    if !version.pre.is_empty() {
        return Box::new(std::iter::empty());
    }
    let (major, minor) = (version.major, version.minor);
    if major != 0 {
        Box::new(
            (0..32u64)
                .rev()
                .flat_map(move |mi| (0..32u64).rev().map(move |p| Version::new(major, mi, p))),
        )
    } else if minor != 0 {
        Box::new((0..100u64).rev().map(move |p| Version::new(0, minor, p)))
    } else {
        Box::new(std::iter::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks() {
        let v = |s: &str| Version::parse(s).unwrap();
        let first = |s: &str| candidates(&v(s)).next().map(|v| v.to_string());
        assert_eq!(first("0.2.9").as_deref(), Some("0.2.99"));
        assert_eq!(candidates(&v("0.2.9")).count(), 100);
        assert_eq!(first("1.4.0").as_deref(), Some("1.31.31"));
        assert_eq!(first("0.0.3"), None);
        assert_eq!(first("0.2.0-rc-2023-10-25"), None);
    }
}
