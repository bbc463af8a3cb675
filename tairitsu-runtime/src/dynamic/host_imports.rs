//! A component's imports served by closures defined at run time.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, Linker, Val};

use super::call::{CallName, parse_ron_results, ron_args_to_string};
use super::handles::NoHandles;
use super::limits::ValueLimits;
use super::value_type::FuncType;

type ValFn = dyn Fn(&[Val]) -> Result<Vec<Val>, String> + Send + Sync;
type RonFn = dyn Fn(&str) -> Result<String, String> + Send + Sync;

#[derive(Clone)]
enum HostFn {
    Val(Arc<ValFn>),
    Ron(Arc<RonFn>),
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
/// [`HostImports::link`] defines them in a wasmtime [`Linker`] for one [`Component`];
/// [`HostImports::missing`] lists what the component imports that nobody provides, before
/// instantiation. With [`HostImports::define_unknown_imports_as_traps`], the rest of the
/// component's imports are defined as functions that trap when called.
///
/// Cloning is cheap (the closures are shared).
///
/// # Resources
///
/// Imported resource *types* are not defined here (only with the traps option, as wasmtime's
/// placeholder types). `Val` closures receive and return resources as [`Val::Resource`]; RON
/// closures cannot take or return resources.
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
    traps: bool,
    limits: ValueLimits,
}

impl fmt::Debug for HostImports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostImports")
            .field("funcs", &self.funcs.keys().collect::<Vec<_>>())
            .field("define_unknown_imports_as_traps", &self.traps)
            .finish()
    }
}

/// Linking host imports failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostImportError {
    /// The component imports functions nobody provides.
    #[error("the component imports {} that nobody provides: {}", count(.0.len()), .0.join(", "))]
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

fn count(n: usize) -> String {
    if n == 1 {
        "1 function".to_string()
    } else {
        format!("{n} functions")
    }
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

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }

    /// How many functions are registered.
    pub fn len(&self) -> usize {
        self.funcs.len()
    }

    /// Whether no function is registered.
    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }

    fn insert(&mut self, name: &str, f: HostFn) {
        // A name that does not parse is kept as given: it matches no import, and
        // `unmatched` reports it.
        let call_name = CallName::parse(name).unwrap_or_else(|_| CallName::new(None, name));
        self.funcs.insert(name.to_string(), (call_name, f));
    }

    fn find(&self, interface: Option<&str>, function: &str) -> Option<(&str, &HostFn)> {
        // An exact qualified match wins over a versionless one.
        let qualified = match interface {
            Some(i) => format!("{i}#{function}"),
            None => function.to_string(),
        };
        if let Some((name, (_, f))) = self.funcs.get_key_value(&qualified) {
            return Some((name.as_str(), f));
        }
        self.funcs
            .iter()
            .find(|(_, (n, _))| {
                n.is_qualified() == interface.is_some() && n.matches(interface, function)
            })
            .map(|(name, (_, f))| (name.as_str(), f))
    }

    /// Every function the component imports, as `(interface, function, type)`.
    fn imported_funcs(
        engine: &Engine,
        component: &Component,
    ) -> Vec<(Option<String>, String, ComponentFunc)> {
        let mut out = Vec::new();
        for (name, item) in component.component_type().imports(engine) {
            match item.ty {
                ComponentItem::ComponentFunc(func) => out.push((None, name.to_string(), func)),
                ComponentItem::ComponentInstance(instance) => {
                    for (fname, item) in instance.exports(engine) {
                        if let ComponentItem::ComponentFunc(func) = item.ty {
                            out.push((Some(name.to_string()), fname.to_string(), func));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The functions `component` imports that this does not provide, qualified
    /// (`pkg:ns/iface@ver#func`), in the component's order. Imports the container provides in
    /// other ways (WASI, for example) are in the list too: leave them out before reporting.
    pub fn missing(&self, engine: &Engine, component: &Component) -> Vec<String> {
        Self::imported_funcs(engine, component)
            .into_iter()
            .filter(|(i, f, _)| self.find(i.as_deref(), f).is_none())
            .map(|(i, f, _)| match i {
                Some(i) => format!("{i}#{f}"),
                None => f,
            })
            .collect()
    }

    /// The registered names that match no import of `component` (misspelt names, or functions
    /// for another component).
    pub fn unmatched(&self, engine: &Engine, component: &Component) -> Vec<String> {
        let imported = Self::imported_funcs(engine, component);
        self.funcs
            .iter()
            .filter(|(_, (name, _))| {
                !imported.iter().any(|(i, f, _)| {
                    name.is_qualified() == i.is_some() && name.matches(i.as_deref(), f)
                })
            })
            .map(|(name, _)| name.clone())
            .collect()
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
        engine: &Engine,
        component: &Component,
        provided_elsewhere: impl Fn(&str) -> bool,
    ) -> Result<(), HostImportError> {
        if self.traps {
            return Ok(());
        }
        let missing: Vec<String> = self
            .missing(engine, component)
            .into_iter()
            .filter(|name| !provided_elsewhere(name))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(HostImportError::Missing(missing))
        }
    }

    /// Defines the registered functions that `component` imports in `linker`, then, if unknown
    /// imports are traps, defines every import still undefined as a trap.
    ///
    /// It does not check for missing imports (see [`HostImports::check`]); instantiation fails
    /// on one, naming it.
    ///
    /// # Errors
    ///
    /// [`HostImportError::Link`] when an import with a RON closure uses a type the dynamic path
    /// does not support, or the linker already defines the name.
    pub fn link<T: 'static>(
        &self,
        linker: &mut Linker<T>,
        component: &Component,
    ) -> Result<(), HostImportError> {
        let engine = linker.engine().clone();
        for (interface, function, func) in Self::imported_funcs(&engine, component) {
            let Some((registered, host)) = self.find(interface.as_deref(), &function) else {
                continue;
            };
            let qualified = match &interface {
                Some(i) => format!("{i}#{function}"),
                None => function.clone(),
            };
            let link_error = |message: String| HostImportError::Link {
                name: qualified.clone(),
                message,
            };
            let closure = self
                .closure(registered, &qualified, host, &func)
                .map_err(|e| link_error(e.to_string()))?;
            let defined = match &interface {
                Some(i) => linker
                    .instance(i)
                    .and_then(|mut instance| instance.func_new(&function, closure)),
                None => linker.root().func_new(&function, closure),
            };
            defined.map_err(|e| link_error(format!("{e:#}")))?;
        }
        if self.traps {
            linker
                .define_unknown_imports_as_traps(component)
                .map_err(|e| HostImportError::Link {
                    name: "(unknown imports)".to_string(),
                    message: format!("{e:#}"),
                })?;
        }
        Ok(())
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
        func: &ComponentFunc,
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
            HostFn::Ron(f) => Call::Ron(
                f.clone(),
                Arc::new(FuncType::from_wasmtime(&qualified, func)?),
            ),
        };
        Ok(
            move |_store: wasmtime::StoreContextMut<'_, T>,
                  _ty: ComponentFunc,
                  params: &[Val],
                  results: &mut [Val]|
                  -> wasmtime::Result<()> {
                let fail = |message: String| {
                    wasmtime::Error::msg(format!("host function `{registered}` failed: {message}"))
                };
                let out = match &call {
                    Call::Val(f) => f(params).map_err(fail)?,
                    Call::Ron(f, ty) => {
                        let args = ron_args_to_string(params, ty, &limits, &mut NoHandles)
                            .map_err(|e| fail(e.to_string()))?;
                        let answer = f(&args).map_err(fail)?;
                        parse_ron_results(&answer, ty, &limits, &mut NoHandles)
                            .map_err(|e| fail(format!("its answer `{answer}` does not fit: {e}")))?
                    }
                };
                if out.len() != results.len() {
                    return Err(fail(format!(
                        "`{qualified}` has {} results, the closure returned {}",
                        results.len(),
                        out.len()
                    )));
                }
                for (slot, val) in results.iter_mut().zip(out) {
                    *slot = val;
                }
                Ok(())
            },
        )
    }
}

enum Call {
    Val(Arc<ValFn>),
    Ron(Arc<RonFn>, Arc<FuncType>),
}
