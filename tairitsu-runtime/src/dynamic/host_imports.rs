//! A component's imports served by closures defined at run time.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use wasmtime::StoreContextMut;
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Linker, ResourceAny, ResourceDynamic, ResourceType, Val};

use crate::surface::{Import, ImportKind, Surface};

use super::call::{CallName, parse_ron_results, ron_args_to_string};
use super::error::{ValueError, ValueErrorKind};
use super::handles::HandleTable;
use super::value_limits::ValueLimits;
use super::value_type::{FuncType, ValueType};

type ValFn = dyn Fn(&[Val]) -> Result<Vec<Val>, String> + Send + Sync;
type RonFn = dyn Fn(&str) -> Result<String, String> + Send + Sync;
type DropFn = dyn Fn(u32) -> Result<(), String> + Send + Sync;
type ValResourcesFn =
    dyn Fn(&mut HostResources<'_>, &[Val]) -> Result<Vec<Val>, String> + Send + Sync;
/// The future an async closure returns.
type Answer<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'static>>;
type ValAsyncFn = dyn Fn(Vec<Val>) -> Answer<Vec<Val>> + Send + Sync;
type RonAsyncFn = dyn Fn(String) -> Answer<String> + Send + Sync;

#[derive(Clone)]
enum HostFn {
    Val(Arc<ValFn>),
    ValResources(Arc<ValResourcesFn>),
    Ron(Arc<RonFn>),
    ValAsync(Arc<ValAsyncFn>),
    RonAsync(Arc<RonAsyncFn>),
}

impl HostFn {
    fn is_async(&self) -> bool {
        matches!(self, HostFn::ValAsync(_) | HostFn::RonAsync(_))
    }
}

/// Host functions for a component's imports, given as closures at run time: no generated code.
///
/// Each function is registered under its qualified import name (`pkg:ns/iface@ver#func`, or
/// `func` for a function the world imports directly; a name without a version matches any
/// version of its interface). A closure takes either the arguments as [`Val`]s
/// ([`HostImports::func`]) or as the RON text of an argument list, `(1,"a")`, and answers RON
/// ([`HostImports::ron_func`]). An `Err` from a closure fails the guest's call (it traps) with the
/// message.
///
/// [`HostImports::link`] defines them in a wasmtime [`Linker`] for one component (its
/// [`Surface`]); [`HostImports::missing`] lists what the component imports that nobody
/// provides, before instantiation. With [`HostImports::define_unknown_imports_as_traps`], the rest of the
/// component's imports are defined as functions that trap when called.
///
/// Cloning is cheap (the closures are shared).
///
/// # Resources
///
/// [`HostImports::resource`] defines a resource type the component imports
/// (`pkg:ns/iface#blob`) as a host resource, with a closure that runs when the guest drops one.
/// The host gives each resource a number of its own, its *rep* (an index into the host's
/// table, say), and RON closures read and write resources as `Handle(rep)`: the constructor
/// (`[constructor]blob`) answers `Handle(7)` for a new blob, and a method
/// (`[method]blob.size`) gets `(Handle(7))`. An owned resource passed to a closure belongs to
/// the host from then on (its drop closure does not run for it).
///
/// [`Val`] closures get resources as [`Val::Resource`]; those of
/// [`HostImports::func_with_resources`] also get [`HostResources`], which reads the rep of a
/// resource and makes a handle of a rep.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::dynamic::HostImports;
/// use tairitsu_runtime::wasmtime::component::Val;
///
/// let imports = HostImports::new()
///     .func("test:host/math@0.1.0#double", |args: &[Val]| match args {
///         [Val::U32(x)] => Ok(vec![Val::U32(x * 2)]),
///         _ => Err("expected one u32".to_string()),
///     })
///     .ron_func("test:host/log#log", |args: &str| {
///         println!("guest says {args}");
///         Ok("()".to_string())
///     });
/// assert_eq!(
///     imports.names().collect::<Vec<_>>(),
///     ["test:host/log#log", "test:host/math@0.1.0#double"]
/// );
/// ```
#[derive(Clone, Default)]
pub struct HostImports {
    funcs: BTreeMap<String, (CallName, HostFn)>,
    resources: BTreeMap<String, (CallName, Arc<DropFn>)>,
    traps: bool,
    limits: ValueLimits,
}

impl fmt::Debug for HostImports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostImports")
            .field("funcs", &self.funcs.keys().collect::<Vec<_>>())
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field("define_unknown_imports_as_traps", &self.traps)
            .finish()
    }
}

/// Linking host imports failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostImportError {
    /// The component imports functions (or resource types) nobody provides.
    #[error("the component imports {} that nobody provides: {}", crate::error::count_imports(.0), .0.join(", "))]
    Missing(Vec<String>),
    /// An import could not be defined (its type is not supported by the dynamic path, or the
    /// linker already defines that name).
    #[error("cannot serve import `{name}`: {message}")]
    Link {
        /// The qualified import.
        name: String,
        /// Why.
        message: String,
    },
}

impl HostImports {
    /// No host functions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves the import `name` with a closure over [`Val`]s: it gets the arguments and returns
    /// the results (one value, or none for a function without a result).
    ///
    /// Registering a name twice keeps the last closure.
    #[must_use]
    pub fn func(
        mut self,
        name: &str,
        f: impl Fn(&[Val]) -> Result<Vec<Val>, String> + Send + Sync + 'static,
    ) -> Self {
        self.insert(name, HostFn::Val(Arc::new(f)));
        self
    }

    /// Serves the import `name` with a closure over [`Val`]s that takes or returns resources
    /// defined with [`HostImports::resource`]: [`HostResources::rep`] reads the host's number
    /// of a resource the guest passed, and [`HostResources::own`] makes a handle to return.
    ///
    /// ```
    /// use tairitsu_runtime::dynamic::HostImports;
    /// use tairitsu_runtime::wasmtime::component::Val;
    ///
    /// let imports = HostImports::new()
    ///     .resource("test:kitchen/blobs#blob", |_rep| Ok(()))
    ///     .func_with_resources("test:kitchen/blobs#[constructor]blob", |resources, args| {
    ///         let [Val::List(bytes)] = args else { return Err("expected bytes".into()) };
    ///         // The host's number for the new blob: here, its length.
    ///         Ok(vec![resources.own("blob", bytes.len() as u32)?])
    ///     })
    ///     .func_with_resources("test:kitchen/blobs#[method]blob.size", |resources, args| {
    ///         let [Val::Resource(blob)] = args else { return Err("expected a blob".into()) };
    ///         Ok(vec![Val::U32(resources.rep(*blob)?)])
    ///     });
    /// # let _ = imports;
    /// ```
    ///
    /// Registering a name twice keeps the last closure.
    #[must_use]
    pub fn func_with_resources(
        mut self,
        name: &str,
        f: impl Fn(&mut HostResources<'_>, &[Val]) -> Result<Vec<Val>, String> + Send + Sync + 'static,
    ) -> Self {
        self.insert(name, HostFn::ValResources(Arc::new(f)));
        self
    }

    /// Defines the resource type `name` (`pkg:ns/iface#blob`, or `blob` for one the world
    /// imports directly) as a host resource; `drop` runs with the resource's rep when the guest
    /// drops one it owns. An `Err` from `drop` fails the guest's call that dropped it.
    ///
    /// The resource's functions (`[constructor]blob`, `[method]blob.size`,
    /// `[static]blob.open`) are served like any other, with [`HostImports::ron_func`]: there a
    /// resource is `Handle(rep)`, the host's own number for it.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use tairitsu_runtime::dynamic::HostImports;
    /// use tairitsu_runtime::{Container, Image};
    ///
    /// // The host's blobs: a blob's rep is its index.
    /// let blobs: Arc<Mutex<Vec<Option<Vec<u8>>>>> = Arc::default();
    /// let (new, size, drop) = (blobs.clone(), blobs.clone(), blobs.clone());
    /// let imports = HostImports::new()
    ///     .resource("test:kitchen/blobs#blob", move |rep| {
    ///         drop.lock().unwrap()[rep as usize] = None;
    ///         Ok(())
    ///     })
    ///     // `([1,2,3])` in, `Handle(0)` out.
    ///     .ron_func("test:kitchen/blobs#[constructor]blob", move |args| {
    ///         let (data,): (Vec<u8>,) = ron::from_str(args).map_err(|e| e.to_string())?;
    ///         let mut blobs = new.lock().unwrap();
    ///         blobs.push(Some(data));
    ///         Ok(format!("Handle({})", blobs.len() - 1))
    ///     })
    ///     // `(Handle(0))` in.
    ///     .ron_func("test:kitchen/blobs#[method]blob.size", move |args| {
    ///         let rep = args.trim_start_matches("(Handle(").trim_end_matches("))");
    ///         let rep: usize = rep.parse().map_err(|_| format!("bad arguments {args}"))?;
    ///         let blobs = size.lock().unwrap();
    ///         Ok(blobs[rep].as_ref().map_or(0, Vec::len).to_string())
    ///     })
    ///     // The kitchen's other imports.
    ///     .define_unknown_imports_as_traps(true);
    ///
    /// let image = Image::from_bytes(tairitsu_fixtures::kitchen())?;
    /// let mut container = Container::builder(image).with_host_imports(imports).build()?;
    /// // The guest makes a blob, asks for its size, and drops it.
    /// assert_eq!(container.call_ron("blob-size([1, 2, 3])")?, "3");
    /// assert_eq!(*blobs.lock().unwrap(), [None]);
    /// # Ok::<_, tairitsu_runtime::Error>(())
    /// ```
    #[must_use]
    pub fn resource(
        mut self,
        name: &str,
        drop: impl Fn(u32) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        let call_name = CallName::parse(name).unwrap_or_else(|_| CallName::new(None, name));
        self.resources
            .insert(name.to_string(), (call_name, Arc::new(drop)));
        self
    }

    /// Serves the import `name` with a closure over RON text: it gets the arguments as a RON
    /// argument list (`(1,"a")`, `()` for none) and returns the result as RON (the value, or
    /// `()` or nothing for a function without a result).
    ///
    /// Registering a name twice keeps the last closure.
    #[must_use]
    pub fn ron_func(
        mut self,
        name: &str,
        f: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static,
    ) -> Self {
        self.insert(name, HostFn::Ron(Arc::new(f)));
        self
    }

    /// Serves the import `name` with an async closure over [`Val`]s: the host may await in it
    /// (a timer, a request, a database). A container with an async closure is an async
    /// container (see [`ContainerBuilder::with_async`](crate::ContainerBuilder::with_async)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tairitsu_runtime::dynamic::HostImports;
    /// use tairitsu_runtime::wasmtime::component::Val;
    ///
    /// let imports = HostImports::new().func_async("test:host/math#double", |args| async move {
    ///     tokio::time::sleep(Duration::from_millis(1)).await;
    ///     match args.as_slice() {
    ///         [Val::U32(x)] => Ok(vec![Val::U32(x * 2)]),
    ///         _ => Err("expected one u32".to_string()),
    ///     }
    /// });
    /// assert!(imports.has_async());
    /// ```
    ///
    /// Registering a name twice keeps the last closure.
    #[must_use]
    pub fn func_async<F, Fut>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(Vec<Val>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Val>, String>> + Send + 'static,
    {
        self.insert(
            name,
            HostFn::ValAsync(Arc::new(move |args| Box::pin(f(args)))),
        );
        self
    }

    /// Serves the import `name` with an async closure over RON text, as
    /// [`ron_func`](Self::ron_func): it gets the arguments as a RON argument list and answers
    /// the result as RON, and may await in between. Resources are `Handle(rep)` as there.
    ///
    /// Registering a name twice keeps the last closure.
    #[must_use]
    pub fn ron_func_async<F, Fut>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, String>> + Send + 'static,
    {
        self.insert(
            name,
            HostFn::RonAsync(Arc::new(move |args| Box::pin(f(args)))),
        );
        self
    }

    /// Whether any closure is async: the container they serve is then an async container.
    pub fn has_async(&self) -> bool {
        self.funcs.values().any(|(_, f)| f.is_async())
    }

    /// Whether imports nobody provides are defined as functions that trap when called (with a
    /// message naming the import) instead of failing instantiation.
    #[must_use]
    pub fn define_unknown_imports_as_traps(mut self, traps: bool) -> Self {
        self.traps = traps;
        self
    }

    /// The bounds on the RON text that RON closures exchange.
    #[must_use]
    pub fn with_limits(mut self, limits: ValueLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether unknown imports become traps.
    pub fn traps_unknown_imports(&self) -> bool {
        self.traps
    }

    /// The registered names, functions and resources, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self
            .funcs
            .keys()
            .chain(self.resources.keys())
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// How many functions and resources are registered.
    pub fn len(&self) -> usize {
        self.funcs.len() + self.resources.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty() && self.resources.is_empty()
    }

    fn insert(&mut self, name: &str, f: HostFn) {
        // A name that does not parse is kept as given: it matches no import, and
        // `unmatched` reports it.
        let call_name = CallName::parse(name).unwrap_or_else(|_| CallName::new(None, name));
        self.funcs.insert(name.to_string(), (call_name, f));
    }

    fn find(&self, interface: Option<&str>, function: &str) -> Option<(&str, &HostFn)> {
        find(&self.funcs, interface, function)
    }

    fn find_resource(&self, interface: Option<&str>, name: &str) -> Option<(&str, &Arc<DropFn>)> {
        find(&self.resources, interface, name)
    }

    /// The registered function or resource for an import.
    fn provides(&self, import: &Import) -> bool {
        match import.kind() {
            ImportKind::Function => self.find(import.interface(), import.name()).is_some(),
            _ => self
                .find_resource(import.interface(), import.name())
                .is_some(),
        }
    }

    /// The functions and resources a component imports (its [`Surface`]) that this does not
    /// provide, qualified (`pkg:ns/iface@ver#func`, and `pkg:ns/iface@ver#[resource]name` for
    /// a resource type), in the component's order. Imports the container provides in other ways
    /// (WASI, for example) are in the list too: leave them out before reporting.
    pub fn missing(&self, surface: &Surface) -> Vec<String> {
        surface
            .imports()
            .iter()
            .filter(|import| !self.provides(import))
            .map(Import::qualified)
            .collect()
    }

    /// The registered names that match no import of a component (misspelt names, or functions
    /// for another component).
    pub fn unmatched(&self, surface: &Surface) -> Vec<String> {
        let imported = surface.imports();
        let matches = |name: &CallName, resource: bool| {
            imported.iter().any(|import| {
                (import.kind() == ImportKind::Resource) == resource
                    && name.is_qualified() == import.interface().is_some()
                    && name.matches(import.interface(), import.name())
            })
        };
        let funcs = (self.funcs.iter())
            .filter(|(_, (name, _))| !matches(name, false))
            .map(|(registered, _)| registered.clone());
        let resources = (self.resources.iter())
            .filter(|(_, (name, _))| !matches(name, true))
            .map(|(registered, _)| registered.clone());
        let mut unmatched: Vec<String> = funcs.chain(resources).collect();
        unmatched.sort();
        unmatched
    }

    /// Fails with [`HostImportError::Missing`] when `component` imports functions this does not
    /// provide and unknown imports are not traps. `provided_elsewhere` says which qualified
    /// imports the caller serves by other means (for example `|name| name.starts_with("wasi:")`).
    ///
    /// # Errors
    ///
    /// [`HostImportError::Missing`], listing every import nobody provides.
    pub fn check(
        &self,
        surface: &Surface,
        provided_elsewhere: impl Fn(&str) -> bool,
    ) -> Result<(), HostImportError> {
        if self.traps {
            return Ok(());
        }
        let missing: Vec<String> = self
            .missing(surface)
            .into_iter()
            .filter(|name| !provided_elsewhere(name))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(HostImportError::Missing(missing))
        }
    }

    /// Defines the registered functions that a component (its [`Surface`]) imports in
    /// `linker`, then, if unknown imports are traps, defines every import the linker still
    /// lacks as a trap (matching versions as wasmtime does, so a `wasi:cli@0.2.9` import that
    /// the linker serves at `0.2.12` is not shadowed).
    ///
    /// It does not check for missing imports (see [`HostImports::check`]); instantiation fails
    /// on one, naming it.
    ///
    /// ```
    /// use tairitsu_runtime::dynamic::HostImports;
    /// use tairitsu_runtime::wasmtime::component::{Component, Linker};
    /// use tairitsu_runtime::{Engine, Surface};
    ///
    /// let engine = Engine::shared()?.wasmtime();
    /// let component = Component::new(engine, tairitsu_fixtures::host_import())?;
    /// let mut linker = Linker::<()>::new(engine);
    /// HostImports::new()
    ///     .ron_func("test:host/math#double", |args| Ok(args.trim_matches(['(', ')']).to_string()))
    ///     .define_unknown_imports_as_traps(true)
    ///     .link(&mut linker, &Surface::from_component(&component))?;
    /// linker.instantiate_pre(&component)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`HostImportError::Link`] when an import with a RON closure uses a type the dynamic path
    /// does not support, or the linker already defines the name.
    pub fn link<T: Send + 'static>(
        &self,
        linker: &mut Linker<T>,
        surface: &Surface,
    ) -> Result<(), HostImportError> {
        // The ledger lives as long as the linker's closures: dropping the linker runs the drop
        // closures of the host resources its guests still hold.
        self.link_only(linker, surface)?;
        if self.traps {
            crate::surface::link_traps(linker, surface).map_err(|e| HostImportError::Link {
                name: "(unknown imports)".to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// [`HostImports::link`] without the traps: the container defines those itself, after its
    /// other host functions.
    pub(crate) fn link_only<T: Send + 'static>(
        &self,
        linker: &mut Linker<T>,
        surface: &Surface,
    ) -> Result<Arc<LiveHostResources>, HostImportError> {
        let imports = surface.imports();
        let live = Arc::new(LiveHostResources::default());

        // Resource types first: the functions' RON closures map the component's resource
        // types to the host's.
        let mut resources = Vec::new();
        for import in imports {
            let Some(abstract_ty) = import.resource_type() else {
                continue;
            };
            let Some((registered, drop)) = self.find_resource(import.interface(), import.name())
            else {
                continue;
            };
            let id = u32::try_from(resources.len()).unwrap_or(u32::MAX);
            let host_ty = ResourceType::host_dynamic(id);
            let registered = registered.to_string();
            let registered_name = registered.clone();
            let drop = drop.clone();
            live.drops.lock().push(drop.clone());
            let ledger = live.clone();
            let dtor = move |_: StoreContextMut<'_, T>, rep: u32| {
                ledger.returned(id, rep);
                drop(rep).map_err(|message| {
                    wasmtime::Error::msg(format!(
                        "dropping host resource `{registered}` ({rep}) failed: {message}"
                    ))
                })
            };
            let defined = match import.interface() {
                Some(i) => linker
                    .instance(i)
                    .and_then(|mut instance| instance.resource(import.name(), host_ty, dtor)),
                None => linker.root().resource(import.name(), host_ty, dtor),
            };
            defined.map_err(|e| HostImportError::Link {
                name: import.qualified(),
                message: format!("{e:#}"),
            })?;
            resources.push(HostResourceType {
                component: abstract_ty,
                id,
                registered: registered_name,
                qualified: import.qualified().replace("[resource]", ""),
                name: import.name().to_string(),
            });
        }
        let resources = Arc::new(HostResourceTypes {
            list: resources,
            live: live.clone(),
        });

        for import in imports {
            let Some(func_type) = import.func_type() else {
                continue;
            };
            let Some((registered, host)) = self.find(import.interface(), import.name()) else {
                continue;
            };
            let qualified = import.qualified();
            let link_error = |message: String| HostImportError::Link {
                name: qualified.clone(),
                message,
            };
            let mut instance = match import.interface() {
                Some(i) => linker.instance(i),
                None => Ok(linker.root()),
            }
            .map_err(|e| link_error(format!("{e:#}")))?;
            let defined = if host.is_async() {
                let closure = self
                    .async_closure(registered, &qualified, host, func_type, resources.clone())
                    .map_err(|e| link_error(e.to_string()))?;
                instance.func_new_async(import.name(), closure)
            } else {
                let closure = self
                    .closure(registered, &qualified, host, func_type, resources.clone())
                    .map_err(|e| link_error(e.to_string()))?;
                instance.func_new(import.name(), closure)
            };
            defined.map_err(|e| link_error(format!("{e:#}")))?;
        }
        Ok(live)
    }

    #[allow(
        clippy::type_complexity,
        reason = "the closure type of `LinkerInstance::func_new`"
    )]
    fn closure<T: 'static>(
        &self,
        registered: &str,
        qualified: &str,
        host: &HostFn,
        func_type: Result<&FuncType, &ValueError>,
        resources: Arc<HostResourceTypes>,
    ) -> Result<
        impl Fn(
            wasmtime::StoreContextMut<'_, T>,
            ComponentFunc,
            &[Val],
            &mut [Val],
        ) -> wasmtime::Result<()>
        + Send
        + Sync
        + 'static,
        super::ValueError,
    > {
        let qualified = qualified.to_string();
        let registered = registered.to_string();
        let limits = self.limits;
        let call = match host {
            HostFn::Val(f) => Call::Val(f.clone()),
            HostFn::ValResources(f) => Call::ValResources(f.clone()),
            HostFn::Ron(f) => Call::Ron(
                f.clone(),
                Arc::new(func_type.cloned().map_err(Clone::clone)?),
            ),
            // `link_only` sends async closures to `async_closure`.
            HostFn::ValAsync(_) | HostFn::RonAsync(_) => {
                return Err(ValueError::new(format!("`{qualified}` is async")));
            }
        };
        Ok(
            move |mut store: wasmtime::StoreContextMut<'_, T>,
                  _ty: ComponentFunc,
                  params: &[Val],
                  results: &mut [Val]|
                  -> wasmtime::Result<()> {
                let fail = |message: String| host_failure(&registered, message);
                let out = match &call {
                    Call::Val(f) => f(params).map_err(fail)?,
                    Call::ValResources(f) => {
                        let mut handles = HostHandles {
                            store: &mut store,
                            types: &resources,
                        };
                        f(
                            &mut HostResources {
                                access: &mut handles,
                            },
                            params,
                        )
                        .map_err(fail)?
                    }
                    Call::Ron(f, ty) => {
                        let mut handles = HostHandles {
                            store: &mut store,
                            types: &resources,
                        };
                        let args = ron_args_to_string(params, ty, &limits, &mut handles)
                            .map_err(|e| fail(e.to_string()))?;
                        let answer = f(&args).map_err(fail)?;
                        parse_ron_results(&answer, ty, &limits, &mut handles)
                            .map_err(|e| fail(format!("its answer `{answer}` does not fit: {e}")))?
                    }
                };
                fill_results(&registered, &qualified, out, results)
            },
        )
    }
}

enum Call {
    Val(Arc<ValFn>),
    ValResources(Arc<ValResourcesFn>),
    Ron(Arc<RonFn>, Arc<FuncType>),
}

enum AsyncCall {
    Val(Arc<ValAsyncFn>),
    Ron(Arc<RonAsyncFn>, Arc<FuncType>),
}

impl HostImports {
    /// The closure `func_new_async` defines for an async host function.
    #[allow(
        clippy::type_complexity,
        reason = "the closure type of `LinkerInstance::func_new_async`"
    )]
    fn async_closure<T: Send + 'static>(
        &self,
        registered: &str,
        qualified: &str,
        host: &HostFn,
        func_type: Result<&FuncType, &ValueError>,
        resources: Arc<HostResourceTypes>,
    ) -> Result<
        impl for<'a> Fn(
            wasmtime::StoreContextMut<'a, T>,
            ComponentFunc,
            &'a [Val],
            &'a mut [Val],
        ) -> Box<dyn Future<Output = wasmtime::Result<()>> + Send + 'a>
        + Send
        + Sync
        + 'static,
        ValueError,
    > {
        let qualified: Arc<str> = qualified.into();
        let registered: Arc<str> = registered.into();
        let limits = self.limits;
        let call = Arc::new(match host {
            HostFn::ValAsync(f) => AsyncCall::Val(f.clone()),
            HostFn::RonAsync(f) => AsyncCall::Ron(
                f.clone(),
                Arc::new(func_type.cloned().map_err(Clone::clone)?),
            ),
            _ => return Err(ValueError::new(format!("`{qualified}` is not async"))),
        });
        Ok(async_host_fn(
            move |mut store: wasmtime::StoreContextMut<'_, T>,
                  _ty: ComponentFunc,
                  params: &[Val],
                  results: &mut [Val]| {
                let (call, registered, qualified) =
                    (call.clone(), registered.clone(), qualified.clone());
                let resources = resources.clone();
                Box::new(async move {
                    let fail = |message: String| host_failure(&registered, message);
                    let out = match &*call {
                        AsyncCall::Val(f) => f(params.to_vec()).await.map_err(fail)?,
                        AsyncCall::Ron(f, ty) => {
                            let args = ron_args_to_string(
                                params,
                                ty,
                                &limits,
                                &mut HostHandles {
                                    store: &mut store,
                                    types: &resources,
                                },
                            )
                            .map_err(|e| fail(e.to_string()))?;
                            let answer = f(args).await.map_err(fail)?;
                            parse_ron_results(
                                &answer,
                                ty,
                                &limits,
                                &mut HostHandles {
                                    store: &mut store,
                                    types: &resources,
                                },
                            )
                            .map_err(|e| fail(format!("its answer `{answer}` does not fit: {e}")))?
                        }
                    };
                    fill_results(&registered, &qualified, out, results)
                }) as Box<dyn Future<Output = wasmtime::Result<()>> + Send + '_>
            },
        ))
    }
}

/// A host function's failure, as the guest's call reports it.
fn host_failure(registered: &str, message: String) -> wasmtime::Error {
    wasmtime::Error::msg(format!("host function `{registered}` failed: {message}"))
}

/// Moves a closure's answer into wasmtime's result slots, refusing a wrong number of values
/// (sync and async closures alike).
fn fill_results(
    registered: &str,
    qualified: &str,
    out: Vec<Val>,
    results: &mut [Val],
) -> wasmtime::Result<()> {
    if out.len() != results.len() {
        return Err(host_failure(
            registered,
            format!(
                "`{qualified}` has {} results, the closure returned {}",
                results.len(),
                out.len()
            ),
        ));
    }
    for (slot, val) in results.iter_mut().zip(out) {
        *slot = val;
    }
    Ok(())
}

/// Gives a closure the one-lifetime signature `func_new_async` wants (closures infer a lifetime
/// per argument otherwise).
fn async_host_fn<T, F>(f: F) -> F
where
    F: for<'a> Fn(
            wasmtime::StoreContextMut<'a, T>,
            ComponentFunc,
            &'a [Val],
            &'a mut [Val],
        ) -> Box<dyn Future<Output = wasmtime::Result<()>> + Send + 'a>
        + Send
        + Sync
        + 'static,
{
    f
}

/// Looks an import up among registered names: an exact qualified match wins over a
/// versionless one.
fn find<'a, V>(
    registered: &'a BTreeMap<String, (CallName, V)>,
    interface: Option<&str>,
    name: &str,
) -> Option<(&'a str, &'a V)> {
    let qualified = match interface {
        Some(i) => format!("{i}#{name}"),
        None => name.to_string(),
    };
    if let Some((key, (_, v))) = registered.get_key_value(&qualified) {
        return Some((key.as_str(), v));
    }
    registered
        .iter()
        .find(|(_, (n, _))| n.is_qualified() == interface.is_some() && n.matches(interface, name))
        .map(|(key, (_, v))| (key.as_str(), v))
}

/// A resource type defined by [`HostImports::resource`]: the component's type for it, the
/// payload of the `ResourceType::host_dynamic` it is linked as, and its names.
struct HostResourceType {
    component: ResourceType,
    id: u32,
    /// As registered (`test:kitchen/blobs#blob`).
    registered: String,
    /// As imported (`test:kitchen/blobs@0.1.0#blob`).
    qualified: String,
    /// The WIT name (`blob`).
    name: String,
}

/// The host resource types of one linking, and the ledger of those the guest holds.
struct HostResourceTypes {
    list: Vec<HostResourceType>,
    live: Arc<LiveHostResources>,
}

impl std::ops::Deref for HostResourceTypes {
    type Target = [HostResourceType];

    fn deref(&self) -> &[HostResourceType] {
        &self.list
    }
}

/// The host resources a guest owns, by resource type and rep, with the drop closures of their
/// types: when an instance is discarded without dropping them (a trap, a restart, a stop),
/// [`release`](Self::release) runs the host's drop closures, so host objects do not outlive
/// the instance that held them.
#[derive(Default)]
pub(crate) struct LiveHostResources {
    live: parking_lot::Mutex<std::collections::HashSet<(u32, u32)>>,
    /// By resource type id.
    drops: parking_lot::Mutex<Vec<Arc<DropFn>>>,
}

impl LiveHostResources {
    /// The host handed `rep` of type `id` to the guest to own.
    fn lent(&self, id: u32, rep: u32) {
        self.live.lock().insert((id, rep));
    }

    /// The guest dropped `rep` of type `id`, or gave it back to the host.
    fn returned(&self, id: u32, rep: u32) {
        self.live.lock().remove(&(id, rep));
    }

    /// Runs the drop closure of every host resource the guest still holds, and forgets them.
    /// The first closure error is returned; the others still run.
    pub(crate) fn release(&self) -> Result<(), String> {
        let held: Vec<(u32, u32)> = self.live.lock().drain().collect();
        let drops = self.drops.lock().clone();
        let mut first = Ok(());
        for (id, rep) in held {
            let outcome = usize::try_from(id)
                .ok()
                .and_then(|i| drops.get(i))
                .map_or(Ok(()), |drop| drop(rep));
            if first.is_ok() {
                first = outcome;
            }
        }
        first
    }
}

impl Drop for LiveHostResources {
    fn drop(&mut self) {
        if let Err(message) = self.release() {
            tracing::warn!("dropping a host resource the guest held failed: {message}");
        }
    }
}

impl std::fmt::Debug for LiveHostResources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHostResources")
            .field("held", &self.live.lock().len())
            .finish()
    }
}

/// The host resources of one call of a [`HostImports::func_with_resources`] closure: reads the
/// host's number (rep) of a resource the guest passed, and makes handles of reps to return.
pub struct HostResources<'a> {
    access: &'a mut dyn ResourceAccess,
}

impl fmt::Debug for HostResources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostResources").finish_non_exhaustive()
    }
}

impl HostResources<'_> {
    /// The rep of a resource defined with [`HostImports::resource`], owned or borrowed. An
    /// owned one belongs to the host from then on: its drop closure will not run for it.
    ///
    /// # Errors
    ///
    /// When the resource is not one of the host's (a resource of the guest), or was taken
    /// already.
    pub fn rep(&mut self, resource: ResourceAny) -> Result<u32, String> {
        self.access.rep(resource)
    }

    /// A new owned handle to return to the guest: the resource `resource` (the WIT name
    /// `blob`, or as registered, `pkg:ns/iface#blob`) with the host's number `rep`.
    ///
    /// # Errors
    ///
    /// When no resource defined with [`HostImports::resource`] and imported by the component
    /// has that name (or the bare name is ambiguous).
    pub fn own(&mut self, resource: &str, rep: u32) -> Result<Val, String> {
        self.access.own(resource, rep).map(Val::Resource)
    }
}

/// What [`HostResources`] needs of the store, without its data type.
trait ResourceAccess {
    fn rep(&mut self, resource: ResourceAny) -> Result<u32, String>;
    fn own(&mut self, resource: &str, rep: u32) -> Result<ResourceAny, String>;
}

impl<T: 'static> ResourceAccess for HostHandles<'_, '_, T> {
    fn rep(&mut self, resource: ResourceAny) -> Result<u32, String> {
        let r = ResourceDynamic::try_from_resource_any(resource, &mut *self.store)
            .map_err(|e| format!("not a resource of the host's: {e:#}"))?;
        if r.owned() {
            // The guest gave it back: the host owns it again.
            self.types.live.returned(r.ty(), r.rep());
        }
        Ok(r.rep())
    }

    fn own(&mut self, resource: &str, rep: u32) -> Result<ResourceAny, String> {
        let exact = self
            .types
            .iter()
            .find(|t| t.registered == resource || t.qualified == resource);
        let id = match exact {
            Some(t) => t.id,
            None => {
                let mut named = self.types.iter().filter(|t| t.name == resource);
                match (named.next(), named.next()) {
                    (Some(t), None) => t.id,
                    (Some(_), Some(_)) => {
                        return Err(format!(
                            "`{resource}` is ambiguous: qualify it as `pkg:ns/iface#{resource}`"
                        ));
                    }
                    (None, _) => {
                        let known: Vec<&str> =
                            self.types.iter().map(|t| t.registered.as_str()).collect();
                        return Err(format!(
                            "no host resource `{resource}`; the resources defined with \
                             `HostImports::resource` are: {}",
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ));
                    }
                }
            }
        };
        let resource = ResourceDynamic::new_own(rep, id)
            .try_into_resource_any(&mut *self.store)
            .map_err(|e| format!("{e:#}"))?;
        self.types.live.lent(id, rep);
        Ok(resource)
    }
}

/// The handles of host resources in the RON that closures exchange: a resource is
/// `Handle(rep)`, the host's own number for it.
struct HostHandles<'s, 'a, T: 'static> {
    store: &'s mut StoreContextMut<'a, T>,
    types: &'s HostResourceTypes,
}

impl<T: 'static> HandleTable for HostHandles<'_, '_, T> {
    fn handle(&mut self, resource: ResourceAny, ty: &ValueType) -> Result<u64, ValueError> {
        let rep = ResourceAccess::rep(self, resource).map_err(|_| {
            ValueError::of(
                ValueErrorKind::Resource,
                format!(
                    "cannot write a {ty} for a RON closure: only resources defined with \
                 `HostImports::resource` have a host number"
                ),
            )
        })?;
        Ok(u64::from(rep))
    }

    fn resource(&mut self, handle: u64, ty: &ValueType) -> Result<ResourceAny, ValueError> {
        let (info, owned) = match ty {
            ValueType::Own(info) => (info, true),
            ValueType::Borrow(info) => (info, false),
            other => {
                return Err(ValueError::of(
                    ValueErrorKind::Resource,
                    format!("expected {other}, found a handle"),
                ));
            }
        };
        let id = info
            .ty
            .and_then(|t| self.types.iter().find(|h| h.component == t))
            .map(|h| h.id)
            .ok_or_else(|| {
                ValueError::of(ValueErrorKind::Resource, format!(
                    "`Handle({handle})` cannot be a {ty}: that resource type is not defined with \
                     `HostImports::resource`"
                ))
            })?;
        let rep = u32::try_from(handle).map_err(|_| {
            ValueError::of(
                ValueErrorKind::Resource,
                format!("`Handle({handle})` is out of range: a host resource's number is a u32"),
            )
        })?;
        let resource = if owned {
            ResourceDynamic::new_own(rep, id)
        } else {
            ResourceDynamic::new_borrow(rep, id)
        };
        if owned {
            self.types.live.lent(id, rep);
        }
        resource
            .try_into_resource_any(&mut *self.store)
            .map_err(|e| {
                ValueError::of(
                    ValueErrorKind::Resource,
                    format!("cannot hand `Handle({handle})` over: {e:#}"),
                )
            })
    }
}
