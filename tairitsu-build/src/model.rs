//! Our model of one world: every name resolved once, every module placed, the analysis flags the
//! emitters need. Built from wit-parser's `Resolve`; the emitters read only this and the
//! `Resolve`.

use std::collections::{BTreeMap, HashMap};

use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, WorldId,
    WorldItem, WorldKey,
};

use crate::error::{Error, Result};
use crate::names::{self, Scope};

/// Which side of the world an interface or a resource is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Provided by the host, called by the guest.
    Import,
    /// Provided by the guest, called by the host.
    Export,
}

/// One world, ready to emit.
#[derive(Debug)]
pub(crate) struct WorldModel {
    pub qualified: String,
    pub docs: Option<String>,
    /// Generated top-level names (escaped).
    pub rust: String,
    pub indices: String,
    pub pre: String,
    pub imports_trait: String,
    pub interfaces: Vec<IfaceModel>,
    pub root_imports: FuncSet,
    pub root_exports: FuncSet,
    /// Types defined in the world itself, at the top level.
    pub root_types: Vec<TypeId>,
    /// Every named type the world can see: where it lives and what it is called.
    pub types: HashMap<TypeId, NamedType>,
}

/// One interface imported or exported by the world.
#[derive(Debug)]
pub(crate) struct IfaceModel {
    pub id: InterfaceId,
    /// The module path, each segment escaped (`["test", "kitchen", "host"]`).
    pub module: Vec<String>,
    /// The name of the world's accessor for an exported interface.
    pub accessor: String,
    pub types: Vec<TypeId>,
    pub funcs: FuncSet,
}

/// The functions of one interface, or of the world root on one side.
#[derive(Debug)]
pub(crate) struct FuncSet {
    pub side: Side,
    /// What the linker and `WitCommand::INTERFACE` call it (`test:kitchen/host@0.1.0`), or the
    /// world's qualified name for root functions.
    pub qualified: String,
    /// `None` for root functions (they live in the root of the linker).
    pub instance: Option<String>,
    pub command: String,
    pub response: String,
    pub handler: String,
    pub service: String,
    pub guest: String,
    pub guest_indices: String,
    pub funcs: Vec<FuncModel>,
    pub drops: Vec<DropModel>,
}

impl FuncSet {
    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty() && self.drops.is_empty()
    }

    /// Whether any function (or destructor) of the set is async.
    pub fn any_async(&self) -> bool {
        self.funcs.iter().any(|f| f.is_async) || self.drops.iter().any(|d| d.is_async)
    }
}

/// Which functions of one side are async: all of them, or those named
/// (`pkg:ns/iface#f`, the interface with or without its version, or `f` at the world's root).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AsyncChoice<'a> {
    pub all: bool,
    pub named: &'a [String],
}

impl AsyncChoice<'_> {
    fn wants(&self, instance: Option<&str>, func: &str) -> bool {
        self.all || self.named.iter().any(|n| names_function(n, instance, func))
    }
}

/// Whether `wanted` (as given to `async_import`) names `func` of `instance`.
fn names_function(wanted: &str, instance: Option<&str>, func: &str) -> bool {
    let wanted = wanted.trim();
    match (wanted.split_once('#'), instance) {
        (None, None) => wanted == func,
        (Some((iface, f)), Some(have)) => {
            f == func
                && (iface == have
                    || (!iface.contains('@') && have.split('@').next() == Some(iface)))
        }
        _ => false,
    }
}

/// One function, with its Rust names.
#[derive(Debug)]
pub(crate) struct FuncModel {
    pub func: Function,
    /// Handler method name (escaped); the typed caller is `call_` + the unescaped form.
    pub method: String,
    pub caller: String,
    /// Command and response variant name.
    pub variant: String,
    /// (WIT name, escaped Rust name, type) per parameter.
    pub params: Vec<(String, String, Type)>,
    /// Whether the handler method (import) or the typed caller (export) is async.
    pub is_async: bool,
}

/// The destructor of an imported resource, which the handler serves like a function.
#[derive(Debug)]
pub(crate) struct DropModel {
    pub resource: TypeId,
    pub resource_wit: String,
    pub method: String,
    pub variant: String,
    /// Whether the handler's destructor method is async.
    pub is_async: bool,
}

/// A named WIT type: its Rust name and module.
#[derive(Debug, Clone)]
pub(crate) struct NamedType {
    pub rust: String,
    pub module: Vec<String>,
    pub side: Side,
}

/// What a type holds, for deciding derives and serde.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Holds {
    /// Any resource handle (no serde).
    pub handle: bool,
    /// A handle to an imported resource, `Resource<T>` (not `Clone`, not `PartialEq`).
    pub host_handle: bool,
    /// An `f32` or `f64` (not `Eq`, `Hash` or `Ord`).
    pub float: bool,
    /// A flags value (not `PartialOrd` or `Ord`).
    pub flags: bool,
}

impl Holds {
    pub(crate) fn or(self, other: Holds) -> Holds {
        Holds {
            handle: self.handle || other.handle,
            host_handle: self.host_handle || other.host_handle,
            float: self.float || other.float,
            flags: self.flags || other.flags,
        }
    }
}

/// The Rust names the world puts at the top level, before any WIT name claims them.
fn reserved_top(world: &str) -> Vec<String> {
    [
        "",
        "Indices",
        "Pre",
        "Imports",
        "Handler",
        "Service",
        "Command",
        "Response",
        "ImportCommand",
        "ImportResponse",
    ]
    .iter()
    .map(|s| format!("{world}{s}"))
    .chain(["exports".to_string()])
    .collect()
}

fn reserved_iface(prefix: &str) -> Vec<String> {
    [
        "Command",
        "Response",
        "Handler",
        "Service",
        "Guest",
        "GuestIndices",
    ]
    .iter()
    .map(|s| format!("{prefix}{s}"))
    .collect()
}

pub(crate) fn docs_of(docs: &wit_parser::Docs) -> Option<String> {
    docs.contents.clone()
}

/// Builds the model of `world`.
pub(crate) fn build(
    resolve: &Resolve,
    world_id: WorldId,
    async_imports: AsyncChoice<'_>,
    async_exports: AsyncChoice<'_>,
) -> Result<WorldModel> {
    let world = &resolve.worlds[world_id];
    let qualified = match world.package {
        Some(pkg) => resolve.id_of_name(pkg, &world.name),
        None => world.name.clone(),
    };
    let world_camel = names::camel(&world.name);
    let mut top = Scope::with_reserved(reserved_top(&world_camel));
    let rust = names::escape(&world_camel);

    // Package modules get a version suffix only when two versions of a package meet.
    let mut versions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (key, item) in world.imports.iter().chain(world.exports.iter()) {
        if let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item)
            && let Some(pkg) = resolve.interfaces[*id].package
        {
            let name = &resolve.packages[pkg].name;
            let v = name
                .version
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default();
            let entry = versions
                .entry((name.namespace.clone(), name.name.clone()))
                .or_default();
            if !entry.contains(&v) {
                entry.push(v);
            }
        }
    }

    let mut ns_modules: HashMap<String, String> = HashMap::new();
    let mut export_scope = Scope::default();
    let mut accessors = Scope::with_reserved([
        "new",
        "call",
        "instantiate",
        "add_to_linker",
        "add_to_linker_dispatch",
    ]);
    let mut interfaces = Vec::new();
    let mut types = HashMap::new();

    for (side, items) in [
        (Side::Import, &world.imports),
        (Side::Export, &world.exports),
    ] {
        for (key, item) in items {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            let iface = &resolve.interfaces[*id];
            let (mut module, iface_name, qualified_iface) = match key {
                WorldKey::Name(name) => {
                    let m = match side {
                        Side::Import => top.claim(names::escape(&names::snake(name))),
                        Side::Export => export_scope.claim(names::escape(&names::snake(name))),
                    };
                    (vec![m], name.clone(), name.clone())
                }
                WorldKey::Interface(_) => {
                    let pkg = iface.package.ok_or_else(|| {
                        Error::unsupported(qualified.clone(), "interface without a package")
                    })?;
                    let pname = &resolve.packages[pkg].name;
                    let iname = iface.name.clone().ok_or_else(|| {
                        Error::unsupported(qualified.clone(), "anonymous interface without a name")
                    })?;
                    let ns_key = format!("{}/{}", side_tag(side), pname.namespace);
                    let ns = match ns_modules.get(&ns_key) {
                        Some(ns) => ns.clone(),
                        None => {
                            let scope = match side {
                                Side::Import => &mut top,
                                Side::Export => &mut export_scope,
                            };
                            let ns = scope.claim(names::escape(&names::snake(&pname.namespace)));
                            ns_modules.insert(ns_key, ns.clone());
                            ns
                        }
                    };
                    let mut pkg_mod = names::snake(&pname.name);
                    let seen = &versions[&(pname.namespace.clone(), pname.name.clone())];
                    if seen.len() > 1
                        && let Some(v) = &pname.version
                    {
                        pkg_mod.push_str(&names::version_suffix(&v.to_string()));
                    }
                    let q = resolve.id_of(*id).unwrap_or_else(|| iname.clone());
                    (
                        vec![
                            ns,
                            names::escape(&pkg_mod),
                            names::escape(&names::snake(&iname)),
                        ],
                        iname,
                        q,
                    )
                }
            };
            if side == Side::Export {
                module.insert(0, "exports".to_string());
            }
            let prefix = names::camel(&iface_name);
            let mut scope = Scope::with_reserved(reserved_iface(&prefix));
            let mut iface_types = Vec::new();
            let mut host_resources = Vec::new();
            for (tname, tid) in &iface.types {
                let rust = scope.claim(names::escape(&names::camel(tname)));
                types.insert(
                    *tid,
                    NamedType {
                        rust,
                        module: module.clone(),
                        side,
                    },
                );
                iface_types.push(*tid);
                if side == Side::Import && matches!(resolve.types[*tid].kind, TypeDefKind::Resource)
                {
                    host_resources.push(*tid);
                }
            }
            let choice = match side {
                Side::Import => async_imports,
                Side::Export => async_exports,
            };
            let funcs = func_set(
                resolve,
                choice,
                side,
                qualified_iface.clone(),
                Some(qualified_iface.clone()),
                &prefix,
                iface.functions.values(),
                &host_resources,
            )?;
            let accessor = if side == Side::Export {
                accessors.claim(names::escape(&names::snake(&iface_name)))
            } else {
                String::new()
            };
            interfaces.push(IfaceModel {
                id: *id,
                module,
                accessor,
                types: iface_types,
                funcs,
            });
        }
    }

    // Types and functions of the world itself.
    let mut root_types = Vec::new();
    let mut root_resources = Vec::new();
    let mut root_imports = Vec::new();
    let mut root_exports = Vec::new();
    for (side, items) in [
        (Side::Import, &world.imports),
        (Side::Export, &world.exports),
    ] {
        for (key, item) in items {
            match item {
                WorldItem::Type { id, .. } => {
                    let tname = match key {
                        WorldKey::Name(n) => n.clone(),
                        WorldKey::Interface(_) => continue,
                    };
                    // A resource of the world itself is served by the host like an imported
                    // interface's, from the world's root handler.
                    if matches!(resolve.types[*id].kind, TypeDefKind::Resource) {
                        root_resources.push(*id);
                    }
                    let rust = top.claim(names::escape(&names::camel(&tname)));
                    types.insert(
                        *id,
                        NamedType {
                            rust,
                            module: Vec::new(),
                            side: Side::Import,
                        },
                    );
                    root_types.push(*id);
                }
                WorldItem::Function(f) => match side {
                    Side::Import => root_imports.push(f),
                    Side::Export => root_exports.push(f),
                },
                WorldItem::Interface { .. } => {}
            }
        }
    }
    let mut root_imports = func_set(
        resolve,
        async_imports,
        Side::Import,
        qualified.clone(),
        None,
        &format!("{world_camel}Import"),
        root_imports.into_iter(),
        &root_resources,
    )?;
    root_imports.handler = names::escape(&format!("{world_camel}Handler"));
    root_imports.service = names::escape(&format!("{world_camel}Service"));
    let mut root_exports = func_set(
        resolve,
        async_exports,
        Side::Export,
        qualified.clone(),
        None,
        &world_camel,
        root_exports.into_iter(),
        &[],
    )?;
    // World functions are callers on the world type itself: keep them clear of its methods.
    for f in &mut root_exports.funcs {
        f.caller = accessors.claim(f.caller.clone());
    }

    let model = WorldModel {
        qualified,
        docs: docs_of(&world.docs),
        indices: names::escape(&format!("{world_camel}Indices")),
        pre: names::escape(&format!("{world_camel}Pre")),
        imports_trait: names::escape(&format!("{world_camel}Imports")),
        rust,
        interfaces,
        root_imports,
        root_exports,
        root_types,
        types,
    };
    model.check(resolve)?;
    model.check_async_names("async_import", Side::Import, async_imports)?;
    model.check_async_names("async_export", Side::Export, async_exports)?;
    Ok(model)
}

fn side_tag(side: Side) -> &'static str {
    match side {
        Side::Import => "import",
        Side::Export => "export",
    }
}

#[allow(clippy::too_many_arguments)]
fn func_set<'a>(
    resolve: &Resolve,
    choice: AsyncChoice<'_>,
    side: Side,
    qualified: String,
    instance: Option<String>,
    prefix: &str,
    functions: impl Iterator<Item = &'a Function>,
    host_resources: &[TypeId],
) -> Result<FuncSet> {
    let mut methods = Scope::with_reserved(["handle"]);
    let mut variants = Scope::default();
    let mut funcs = Vec::new();
    for func in functions {
        if func.kind.is_async() {
            return Err(Error::unsupported(
                format!("{qualified}#{}", func.name),
                "async functions (component-model-async is off in Tairitsu)",
            ));
        }
        let resource = func
            .kind
            .resource()
            .and_then(|r| resolve.types[r].name.clone());
        let base = names::function_base(
            resource.as_deref(),
            func.item_name(),
            matches!(func.kind, FunctionKind::Constructor(_)),
        );
        let method = methods.claim(names::escape(&names::snake(&base)));
        let caller = format!("call_{}", method.strip_prefix("r#").unwrap_or(&method));
        let variant = variants.claim(names::escape(&names::camel(&base)));
        let mut param_scope = Scope::with_reserved(["store"]);
        let params = func
            .params
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    param_scope.claim(names::escape(&names::snake(&p.name))),
                    p.ty,
                )
            })
            .collect();
        let is_async = choice.wants(instance.as_deref(), &func.name);
        funcs.push(FuncModel {
            func: func.clone(),
            method,
            caller,
            variant,
            params,
            is_async,
        });
    }
    let mut drops = Vec::new();
    for r in host_resources {
        let rname = resolve.types[*r].name.clone().unwrap_or_default();
        let base = format!("{rname}-drop");
        let is_async = choice.wants(instance.as_deref(), &format!("[resource-drop]{rname}"));
        drops.push(DropModel {
            resource: *r,
            resource_wit: rname,
            method: methods.claim(names::escape(&names::snake(&base))),
            variant: variants.claim(names::escape(&names::camel(&base))),
            is_async,
        });
    }
    Ok(FuncSet {
        side,
        qualified,
        instance,
        command: names::escape(&format!("{prefix}Command")),
        response: names::escape(&format!("{prefix}Response")),
        handler: names::escape(&format!("{prefix}Handler")),
        service: names::escape(&format!("{prefix}Service")),
        guest: names::escape(&format!("{prefix}Guest")),
        guest_indices: names::escape(&format!("{prefix}GuestIndices")),
        funcs,
        drops,
    })
}

impl WorldModel {
    /// What `ty` holds (handles), following aliases and containers.
    pub fn holds(&self, resolve: &Resolve, ty: &Type) -> Holds {
        // Values of the component model's async types are uninhabited here (see
        // `emit::concurrency`): like host handles, they have `Debug` and nothing else.
        let opaque = Holds {
            handle: true,
            host_handle: true,
            float: false,
            flags: false,
        };
        let Type::Id(id) = ty else {
            if *ty == Type::ErrorContext {
                return opaque;
            }
            return Holds {
                float: matches!(ty, Type::F32 | Type::F64),
                ..Holds::default()
            };
        };
        match &resolve.types[*id].kind {
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                let r = dealias(resolve, *r);
                let host = self.types.get(&r).is_none_or(|t| t.side == Side::Import);
                Holds {
                    handle: true,
                    host_handle: host,
                    float: false,
                    flags: false,
                }
            }
            TypeDefKind::Resource => Holds {
                handle: true,
                host_handle: self.types.get(id).is_none_or(|t| t.side == Side::Import),
                float: false,
                flags: false,
            },
            TypeDefKind::Record(r) => r
                .fields
                .iter()
                .fold(Holds::default(), |h, f| h.or(self.holds(resolve, &f.ty))),
            TypeDefKind::Tuple(t) => t
                .types
                .iter()
                .fold(Holds::default(), |h, t| h.or(self.holds(resolve, t))),
            TypeDefKind::Variant(v) => v.cases.iter().fold(Holds::default(), |h, c| {
                c.ty.as_ref().map_or(h, |t| h.or(self.holds(resolve, t)))
            }),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
                self.holds(resolve, t)
            }
            TypeDefKind::Result(r) => {
                let ok = r.ok.as_ref().map(|t| self.holds(resolve, t));
                let err = r.err.as_ref().map(|t| self.holds(resolve, t));
                ok.unwrap_or_default().or(err.unwrap_or_default())
            }
            TypeDefKind::Flags(_) => Holds {
                flags: true,
                ..Holds::default()
            },
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => opaque,
            _ => Holds::default(),
        }
    }

    /// What the parameters and result of `func` hold.
    pub fn func_holds(&self, resolve: &Resolve, func: &Function) -> Holds {
        func.params
            .iter()
            .map(|p| &p.ty)
            .chain(func.result.iter())
            .fold(Holds::default(), |h, t| h.or(self.holds(resolve, t)))
    }

    /// Fails on a function named in `choice` that is not a function of `side`.
    fn check_async_names(
        &self,
        option: &'static str,
        side: Side,
        choice: AsyncChoice<'_>,
    ) -> Result<()> {
        let sets: Vec<&FuncSet> = self
            .interfaces
            .iter()
            .map(|i| &i.funcs)
            .chain([&self.root_imports, &self.root_exports])
            .filter(|set| set.side == side)
            .collect();
        let functions = || {
            sets.iter()
                .flat_map(|set| {
                    set.funcs.iter().map(move |f| match &set.instance {
                        Some(i) => format!("{i}#{}", f.func.name),
                        None => f.func.name.clone(),
                    })
                })
                .collect::<Vec<_>>()
        };
        for wanted in choice.named {
            let found = sets.iter().any(|set| {
                set.funcs
                    .iter()
                    .any(|f| names_function(wanted, set.instance.as_deref(), &f.func.name))
                    || set.drops.iter().any(|d| {
                        names_function(
                            wanted,
                            set.instance.as_deref(),
                            &format!("[resource-drop]{}", d.resource_wit),
                        )
                    })
            });
            if !found {
                return Err(Error::UnknownAsyncFunction {
                    option,
                    side: match side {
                        Side::Import => "imported",
                        Side::Export => "exported",
                    },
                    function: wanted.clone(),
                    functions: functions(),
                });
            }
        }
        Ok(())
    }

    /// Fails on WIT the generator cannot bind, naming the item.
    fn check(&self, resolve: &Resolve) -> Result<()> {
        let sets = self
            .interfaces
            .iter()
            .map(|i| &i.funcs)
            .chain([&self.root_imports, &self.root_exports]);
        for set in sets {
            for f in &set.funcs {
                for p in &f.func.params {
                    check_type(
                        resolve,
                        &p.ty,
                        &format!("{}#{}", set.qualified, f.func.name),
                    )?;
                }
                if let Some(r) = &f.func.result {
                    check_type(resolve, r, &format!("{}#{}", set.qualified, f.func.name))?;
                }
            }
        }
        for id in self.types.keys() {
            let t = &resolve.types[*id];
            check_type(
                resolve,
                &Type::Id(*id),
                t.name.as_deref().unwrap_or("anonymous type"),
            )?;
        }
        Ok(())
    }
}

/// Follows `type a = b` aliases to the defining type.
pub(crate) fn dealias(resolve: &Resolve, mut id: TypeId) -> TypeId {
    while let TypeDefKind::Type(Type::Id(next)) = resolve.types[id].kind {
        id = next;
    }
    id
}

fn check_type(resolve: &Resolve, ty: &Type, item: &str) -> Result<()> {
    let id = match ty {
        Type::Id(id) => *id,
        _ => return Ok(()),
    };
    let t = &resolve.types[id];
    match &t.kind {
        TypeDefKind::Record(r) => r
            .fields
            .iter()
            .try_for_each(|f| check_type(resolve, &f.ty, item)),
        TypeDefKind::Tuple(tu) => tu
            .types
            .iter()
            .try_for_each(|t| check_type(resolve, t, item)),
        TypeDefKind::Variant(v) => v
            .cases
            .iter()
            .filter_map(|c| c.ty.as_ref())
            .try_for_each(|t| check_type(resolve, t, item)),
        TypeDefKind::Option(t) | TypeDefKind::List(t) => check_type(resolve, &t.clone(), item),
        TypeDefKind::Type(t) => check_type(resolve, t, item),
        TypeDefKind::Result(r) => {
            if let Some(t) = &r.ok {
                check_type(resolve, t, item)?;
            }
            if let Some(t) = &r.err {
                check_type(resolve, t, item)?;
            }
            Ok(())
        }
        TypeDefKind::Resource
        | TypeDefKind::Handle(_)
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_) => Ok(()),
        TypeDefKind::Map(..) => Err(Error::unsupported(item, "`map<K, V>` types")),
        TypeDefKind::FixedLengthList(..) => {
            Err(Error::unsupported(item, "fixed-length `list<T, N>` types"))
        }
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => match t {
            Some(t) => check_type(resolve, t, item),
            None => Ok(()),
        },
        TypeDefKind::Unknown => Err(Error::unsupported(
            item,
            "a type wit-parser left unresolved",
        )),
    }
}
