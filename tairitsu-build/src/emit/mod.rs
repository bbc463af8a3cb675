//! Emission: the world model to Rust tokens, one file per concern.
//!
//! [`Gen`] holds the run's state (the `Resolve`, the model, the runtime path) and a module tree
//! that the per-concern emitters fill. Each emitter is an `impl Gen` block in its own file:
//! `types.rs` (WIT types), `commands.rs` (command and response enums), `handlers.rs` (handler
//! traits for imports), `linker.rs` (wiring into wasmtime's `Linker`), `exports.rs` (typed
//! callers), `world.rs` (the world type), `ron.rs` (RON converters), `descriptors.rs` (function
//! signatures) and `docs.rs` (WIT docs as rustdoc).

mod commands;
mod concurrency;
mod descriptors;
mod docs;
mod exports;
mod handlers;
mod linker;
mod ron;
mod types;
mod world;

pub use descriptors::wit_type_text;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId};

use crate::error::{Error, Result};
use crate::model::{self, Side, WorldModel};
use crate::names;

/// Options of one generation run that change the output.
#[derive(Debug, Clone)]
pub struct Options {
    /// The path generated code names the runtime by, `::tairitsu` by default.
    pub runtime_path: String,
    /// Imported resources bound to the host's own Rust types, as pairs of the resource
    /// (`pkg:ns/iface/name`, the interface with or without its version, or `name` for a
    /// resource of the world itself) and an absolute Rust path (`crate::files::OpenFile`).
    /// See [`Builder::with_resource`](crate::Builder::with_resource).
    pub resources: Vec<(String, String)>,
    /// More derives for every generated record, variant and enum that holds no resource handle
    /// (`Hash`, `Eq`, `PartialOrd`, `serde_with::…`): paths, as
    /// [`Builder::additional_derive`](crate::Builder::additional_derive) takes them.
    pub additional_derives: Vec<String>,
    /// Whether handler methods return `wasmtime::Result<T>`, so that the host can fail (trap)
    /// the guest's call with an error. See
    /// [`Builder::trappable_imports`](crate::Builder::trappable_imports).
    pub trappable_imports: bool,
    /// Whether every imported function is async. See
    /// [`Builder::async_imports`](crate::Builder::async_imports).
    pub async_imports: bool,
    /// Whether every typed caller of an export is async. See
    /// [`Builder::async_exports`](crate::Builder::async_exports).
    pub async_exports: bool,
    /// Imported functions made async one by one (`pkg:ns/iface#f`, or `f` for the world's
    /// own). See [`Builder::async_import`](crate::Builder::async_import).
    pub async_import_functions: Vec<String>,
    /// Exported functions whose callers are made async one by one. See
    /// [`Builder::async_export`](crate::Builder::async_export).
    pub async_export_functions: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runtime_path: "::tairitsu".to_string(),
            resources: Vec::new(),
            additional_derives: Vec::new(),
            trappable_imports: false,
            async_imports: false,
            async_exports: false,
            async_import_functions: Vec::new(),
            async_export_functions: Vec::new(),
        }
    }
}

/// Generates the bindings of `world` as tokens: what `build.rs` formats and writes, and what the
/// `bindings!` macro expands to, token for token.
///
/// # Errors
///
/// [`Error::Unsupported`] for WIT the generator cannot bind, naming the item, and the option
/// errors ([`Error::InvalidRuntimePath`], [`Error::InvalidDerive`], [`Error::UnknownResource`],
/// [`Error::UnknownAsyncFunction`], …) for options that are invalid or match nothing.
pub fn generate_tokens(
    resolve: &Resolve,
    world: WorldId,
    options: &Options,
) -> Result<TokenStream> {
    let rt: syn::Path =
        syn::parse_str(&options.runtime_path).map_err(|e| Error::InvalidRuntimePath {
            path: options.runtime_path.clone(),
            reason: e.to_string(),
        })?;
    let model = model::build(
        resolve,
        world,
        model::AsyncChoice {
            all: options.async_imports,
            named: &options.async_import_functions,
        },
        model::AsyncChoice {
            all: options.async_exports,
            named: &options.async_export_functions,
        },
    )?;
    let resource_paths = resource_paths(resolve, &model, &options.resources)?;
    let additional_derives = options
        .additional_derives
        .iter()
        .map(|d| {
            syn::parse_str::<syn::Path>(d).map_err(|e| Error::InvalidDerive {
                derive: d.clone(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut sizes = wit_parser::SizeAlign::default();
    sizes.fill(resolve);
    let gen_ = Gen {
        resolve,
        model: &model,
        world,
        sizes,
        rt: quote!(#rt),
        rt_str: options.runtime_path.replace(' ', ""),
        resource_paths,
        additional_derives,
        trappable: options.trappable_imports,
        uses_concurrency: std::cell::Cell::new(false),
    };
    Ok(gen_.world_tokens())
}

/// A tree of modules, filled in any order and printed nested.
#[derive(Default)]
pub(crate) struct ModTree {
    items: Vec<TokenStream>,
    docs: TokenStream,
    children: Vec<(String, ModTree)>,
}

impl ModTree {
    fn child(&mut self, path: &[String]) -> &mut ModTree {
        let Some((first, rest)) = path.split_first() else {
            return self;
        };
        let pos = match self.children.iter().position(|(n, _)| n == first) {
            Some(pos) => pos,
            None => {
                self.children.push((first.clone(), ModTree::default()));
                self.children.len() - 1
            }
        };
        self.children[pos].1.child(rest)
    }

    pub(crate) fn push(&mut self, path: &[String], item: TokenStream) {
        self.child(path).items.push(item);
    }

    pub(crate) fn set_docs(&mut self, path: &[String], docs: TokenStream) {
        self.child(path).docs = docs;
    }

    /// The items of this tree, then its modules.
    fn into_tokens(self) -> TokenStream {
        let mut out = TokenStream::new();
        out.extend(self.items);
        for (name, child) in self.children {
            let ident = names::from_escaped(&name);
            let docs = child.docs.clone();
            let inner = child.into_tokens();
            out.extend(quote! {
                #docs
                pub mod #ident {
                    #inner
                }
            });
        }
        out
    }
}

/// One generation run.
pub(crate) struct Gen<'a> {
    pub resolve: &'a Resolve,
    pub model: &'a WorldModel,
    /// The world being generated.
    pub world: WorldId,
    /// Sizes and alignments of every type, for the compile-time checks of generated types.
    pub sizes: wit_parser::SizeAlign,
    /// The runtime path as tokens (`::tairitsu`).
    pub rt: TokenStream,
    /// The runtime path as text, for `#[serde(crate = "…")]`.
    pub rt_str: String,
    /// Imported resources bound to the host's types ([`Options::resources`]).
    pub resource_paths: HashMap<TypeId, syn::Path>,
    /// [`Options::additional_derives`], parsed.
    pub additional_derives: Vec<syn::Path>,
    /// [`Options::trappable_imports`].
    pub trappable: bool,
    /// Set when a type of the generated [`concurrency`] module is named, so that it is emitted.
    pub uses_concurrency: std::cell::Cell<bool>,
}

/// Resolves [`Options::resources`] to the imported resource types they name.
fn resource_paths(
    resolve: &Resolve,
    model: &WorldModel,
    wanted: &[(String, String)],
) -> Result<HashMap<TypeId, syn::Path>> {
    // Every resource the world sees, as (`pkg:ns/iface@ver`, name, id, side).
    let mut resources: Vec<(Option<String>, &str, TypeId, Side)> = model
        .types
        .iter()
        .filter(|(id, _)| matches!(resolve.types[**id].kind, TypeDefKind::Resource))
        .filter_map(|(id, named)| {
            let def = &resolve.types[*id];
            let interface = match def.owner {
                TypeOwner::Interface(i) => Some(resolve.id_of(i)?),
                _ => None,
            };
            Some((interface, def.name.as_deref()?, *id, named.side))
        })
        .collect();
    resources.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let key = |(interface, name, _, _): &(Option<String>, &str, TypeId, Side)| match interface {
        Some(i) => format!("{i}/{name}"),
        None => name.to_string(),
    };
    let imported = || {
        resources
            .iter()
            .filter(|r| r.3 == Side::Import)
            .map(key)
            .collect::<Vec<String>>()
    };

    let mut paths = HashMap::new();
    for (wit, rust) in wanted {
        let wit = wit.trim();
        let (interface, name) = match wit.rsplit_once('/') {
            Some((interface, name)) => (Some(interface), name),
            None => (None, wit),
        };
        let found = resources.iter().find(|(i, n, _, _)| {
            *n == name
                && match (interface, i) {
                    (None, None) => true,
                    (Some(want), Some(have)) => {
                        want == have
                            || (!want.contains('@') && have.split('@').next() == Some(want))
                    }
                    _ => false,
                }
        });
        let Some(&(_, _, id, side)) = found else {
            return Err(Error::UnknownResource {
                resource: wit.to_string(),
                imported: imported(),
            });
        };
        if side == Side::Export {
            return Err(Error::ExportedResource {
                resource: wit.to_string(),
            });
        }
        let path: syn::Path = syn::parse_str(rust).map_err(|e| Error::InvalidResourcePath {
            resource: wit.to_string(),
            path: rust.clone(),
            reason: e.to_string(),
        })?;
        if paths.insert(id, path).is_some() {
            return Err(Error::DuplicateResource {
                resource: wit.to_string(),
            });
        }
    }
    Ok(paths)
}

impl Gen<'_> {
    fn world_tokens(&self) -> TokenStream {
        let mut tree = ModTree::default();
        for iface in &self.model.interfaces {
            let i = &self.resolve.interfaces[iface.id];
            tree.set_docs(&iface.module, self.docs(i.docs.contents.as_deref()));
            for id in &iface.types {
                let item = self.type_def(*id, &iface.module);
                tree.push(&iface.module, item);
            }
            if !iface.funcs.is_empty() {
                tree.push(&iface.module, self.interface_consts(&iface.funcs));
                tree.push(&iface.module, self.commands(&iface.funcs, &iface.module));
                match iface.funcs.side {
                    Side::Import => {
                        tree.push(&iface.module, self.handler(&iface.funcs, &iface.module));
                        tree.push(&iface.module, self.linker_fns(&iface.funcs, &iface.module));
                    }
                    Side::Export => {
                        tree.push(&iface.module, self.guest(&iface.funcs, &iface.module));
                    }
                }
            }
        }
        if tree.children.iter().any(|(n, _)| n == "exports") {
            tree.set_docs(
                &["exports".to_string()],
                quote!(#[doc = " Interfaces the guest exports: typed callers for the host."]),
            );
        }
        for id in &self.model.root_types {
            tree.push(&[], self.type_def(*id, &[]));
        }
        let root = &self.model.root_imports;
        if !root.is_empty() {
            tree.push(&[], self.commands(root, &[]));
            tree.push(&[], self.handler(root, &[]));
        }
        let root = &self.model.root_exports;
        if !root.is_empty() {
            tree.push(&[], self.commands(root, &[]));
        }
        tree.push(&[], self.world());
        if self.uses_concurrency.get() {
            tree.push(&[], self.concurrency_types());
        }
        // One allowance for the whole file: an included file cannot have inner attributes, so
        // the items live in one module that carries it, re-exported as they are.
        let wrapper = names::from_escaped(&format!(
            "__{}_bindings",
            names::snake(&self.resolve.worlds[self.world].name)
        ));
        let body = tree.into_tokens();
        quote! {
            #[allow(
                // WIT items without docs, and the generated helpers of those.
                missing_docs,
                // A host uses the part of a world it needs; the rest is not dead code of its own.
                dead_code,
                // Typed callers skip a second type check (`TypedFunc::new_unchecked`).
                unsafe_code,
                // WIT functions can take any number of parameters, of any nesting.
                clippy::too_many_arguments,
                clippy::type_complexity,
                // Names and shapes are the WIT's: `result<T>` is `Result<T, ()>`, a `to-x`
                // method takes `&self`, an interface may share its package's name, cases may
                // share a prefix, one case may be much larger than the others.
                clippy::result_unit_err,
                clippy::wrong_self_convention,
                clippy::module_inception,
                clippy::enum_variant_names,
                clippy::large_enum_variant,
                // WIT docs are copied as their authors wrote them.
                clippy::doc_lazy_continuation,
                clippy::doc_overindented_list_items,
            )]
            #[doc(hidden)]
            mod #wrapper {
                #body
            }
            #[allow(unused_imports)]
            pub use self::#wrapper::*;
        }
    }

    /// The runtime's wasmtime (`::tairitsu::wasmtime`).
    pub(crate) fn wt(&self) -> TokenStream {
        let rt = &self.rt;
        quote!(#rt::wasmtime)
    }

    /// The path from module `from` to the item `name` in module `to`.
    pub(crate) fn path_to(&self, to: &[String], name: &str, from: &[String]) -> TokenStream {
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        let supers = (common..from.len()).map(|_| quote!(super::));
        let downs = to[common..].iter().map(|m| {
            let m = names::from_escaped(m);
            quote!(#m::)
        });
        let name = names::from_escaped(name);
        quote!(#(#supers)* #(#downs)* #name)
    }

    /// The Rust type of a WIT type, as seen from module `from`.
    pub(crate) fn ty(&self, ty: &Type, from: &[String]) -> TokenStream {
        match ty {
            Type::Bool => quote!(bool),
            Type::U8 => quote!(u8),
            Type::U16 => quote!(u16),
            Type::U32 => quote!(u32),
            Type::U64 => quote!(u64),
            Type::S8 => quote!(i8),
            Type::S16 => quote!(i16),
            Type::S32 => quote!(i32),
            Type::S64 => quote!(i64),
            Type::F32 => quote!(f32),
            Type::F64 => quote!(f64),
            Type::Char => quote!(char),
            Type::String => quote!(::std::string::String),
            Type::ErrorContext => self.concurrency_ty("ErrorContext", None, from),
            Type::Id(id) => {
                if let Some(named) = self.model.types.get(id) {
                    return self.path_to(&named.module, &named.rust, from);
                }
                let def = &self.resolve.types[*id];
                match &def.kind {
                    TypeDefKind::List(t) => {
                        let t = self.ty(t, from);
                        quote!(::std::vec::Vec<#t>)
                    }
                    TypeDefKind::Option(t) => {
                        let t = self.ty(t, from);
                        quote!(::core::option::Option<#t>)
                    }
                    TypeDefKind::Result(r) => {
                        let ok = self.opt_ty(r.ok.as_ref(), from);
                        let err = self.opt_ty(r.err.as_ref(), from);
                        quote!(::core::result::Result<#ok, #err>)
                    }
                    TypeDefKind::Tuple(t) => {
                        let ts = t.types.iter().map(|t| self.ty(t, from));
                        quote!((#(#ts,)*))
                    }
                    TypeDefKind::Type(t) => self.ty(t, from),
                    TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                        self.handle_ty(*r, from)
                    }
                    TypeDefKind::Future(t) => {
                        let t = self.opt_ty(t.as_ref(), from);
                        self.concurrency_ty("FutureReader", Some(t), from)
                    }
                    TypeDefKind::Stream(t) => {
                        let t = self.opt_ty(t.as_ref(), from);
                        self.concurrency_ty("StreamReader", Some(t), from)
                    }
                    other => {
                        let msg = format!("unsupported WIT type `{}`", other.as_str());
                        quote!(::core::compile_error!(#msg))
                    }
                }
            }
        }
    }

    /// `FutureReader<T>`, `StreamReader<T>` or `ErrorContext` of the generated
    /// [`concurrency`] module, which is then emitted.
    fn concurrency_ty(&self, name: &str, arg: Option<TokenStream>, from: &[String]) -> TokenStream {
        self.uses_concurrency.set(true);
        let path = self.path_to(&[concurrency::MODULE.to_string()], name, from);
        match arg {
            Some(t) => quote!(#path<#t>),
            None => path,
        }
    }

    /// Whether a value of this WIT type is passed to an export by value (scalars, enums, flags
    /// and handles) rather than by reference.
    pub(crate) fn by_value(&self, ty: &Type) -> bool {
        match ty {
            Type::String => false,
            Type::Id(id) => {
                let def = &self.resolve.types[model::dealias(self.resolve, *id)];
                match &def.kind {
                    TypeDefKind::Enum(_)
                    | TypeDefKind::Flags(_)
                    | TypeDefKind::Handle(_)
                    | TypeDefKind::Future(_)
                    | TypeDefKind::Stream(_) => true,
                    TypeDefKind::Type(t) => self.by_value(t),
                    _ => false,
                }
            }
            _ => true,
        }
    }

    /// The Rust type of an export's parameter: as [`Gen::ty`], but borrowed where the value
    /// owns memory (`&str`, `&[T]`, `&Record`), as wasmtime's `bindgen!` does, so that a call
    /// copies the value into the guest once and never clones it on the host.
    pub(crate) fn param_ty(&self, ty: &Type, from: &[String]) -> TokenStream {
        if self.by_value(ty) {
            return self.ty(ty, from);
        }
        match ty {
            Type::String => quote!(&str),
            Type::Id(id) => match &self.resolve.types[model::dealias(self.resolve, *id)].kind {
                TypeDefKind::List(t) if !self.model.types.contains_key(id) => {
                    let t = self.ty(t, from);
                    quote!(&[#t])
                }
                _ => {
                    let t = self.ty(ty, from);
                    quote!(&#t)
                }
            },
            _ => self.ty(ty, from),
        }
    }

    pub(crate) fn opt_ty(&self, ty: Option<&Type>, from: &[String]) -> TokenStream {
        match ty {
            Some(t) => self.ty(t, from),
            None => quote!(()),
        }
    }

    /// `Resource<Marker>` for a host (imported) resource, `ResourceAny` for a guest one.
    pub(crate) fn handle_ty(&self, resource: wit_parser::TypeId, from: &[String]) -> TokenStream {
        let wt = self.wt();
        let r = model::dealias(self.resolve, resource);
        match self.model.types.get(&r) {
            Some(named) if named.side == Side::Import => {
                let path = self.path_to(&named.module, &named.rust, from);
                quote!(#wt::component::Resource<#path>)
            }
            _ => quote!(#wt::component::ResourceAny),
        }
    }

    /// `(A, B,)` for a list of types.
    pub(crate) fn tuple_of<'t>(
        &self,
        types: impl Iterator<Item = &'t Type>,
        from: &[String],
    ) -> TokenStream {
        let ts = types.map(|t| self.ty(t, from));
        quote!((#(#ts,)*))
    }

    /// `#[serde(crate = "::tairitsu::__private::serde")]`.
    pub(crate) fn serde_crate(&self) -> TokenStream {
        let path = format!("{}::__private::serde", self.rt_str);
        quote!(#[serde(crate = #path)])
    }

    /// The serde derives, with the crate attribute.
    pub(crate) fn serde_derives(&self) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        (
            quote!(#rt::__private::serde::Serialize, #rt::__private::serde::Deserialize),
            self.serde_crate(),
        )
    }
}
