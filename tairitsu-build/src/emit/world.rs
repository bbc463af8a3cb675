//! The world type: typed callers of every export, `{World}Indices`, `{World}Pre`,
//! `{World}Imports` with `add_to_linker`, descriptors, and `impl Bindings`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;
use super::exports::Callers;
use super::linker::Target;
use crate::model::Side;
use crate::names;

impl Gen<'_> {
    pub(crate) fn world(&self) -> TokenStream {
        let rt = &self.rt;
        let wt = self.wt();
        let m = self.model;
        let world = names::from_escaped(&m.rust);
        let indices = names::from_escaped(&m.indices);
        let pre = names::from_escaped(&m.pre);
        let qualified = &m.qualified;
        let docs_para = self.docs_para(m.docs.as_deref());
        let root: &[String] = &[];

        // Exported interfaces: one field each, plus their indices.
        let mut fields = Vec::new();
        let mut index_fields = Vec::new();
        let mut index_inits = Vec::new();
        let mut loads = Vec::new();
        let mut accessors = Vec::new();
        for iface in m.interfaces.iter().filter(|i| i.funcs.side == Side::Export) {
            if iface.funcs.funcs.is_empty() {
                continue;
            }
            let field = names::from_escaped(&iface.accessor);
            let accessor = names::from_escaped(&iface.accessor);
            let guest = self.path_to(&iface.module, &iface.funcs.guest, root);
            let gidx = self.path_to(&iface.module, &iface.funcs.guest_indices, root);
            fields.push(quote!(#field: #guest));
            index_fields.push(quote!(#field: #gidx));
            index_inits.push(quote!(#field: #gidx::new(component)?));
            loads.push(quote!(#field: self.#field.load(&mut store, instance)?));
            let doc = format!(" Typed callers of the guest's `{}`.", iface.funcs.qualified);
            accessors.push(quote! {
                #[doc = #doc]
                pub fn #accessor(&self) -> &#guest {
                    &self.#field
                }
            });
        }

        // World-level exports: callers on the world type itself.
        let roots = &m.root_exports;
        let Callers {
            fields: rfields,
            index_fields: rindex_fields,
            index_inits: rindex_inits,
            loads: rloads,
            methods: rmethods,
            arms: rarms,
        } = self.callers(roots, root);
        let root_lookup = if roots.funcs.is_empty() {
            TokenStream::new()
        } else {
            quote! {
                let lookup = |name: &str| -> #wt::Result<#wt::component::ComponentExportIndex> {
                    match component.get_export(::core::option::Option::None, name) {
                        ::core::option::Option::Some((#wt::component::types::ComponentItem::ComponentFunc(_), index)) => ::core::result::Result::Ok(index),
                        ::core::option::Option::Some(_) => ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                            "the export `{}` is not a function", name
                        ))),
                        ::core::option::Option::None => ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                            "the component does not export `{}`", name
                        ))),
                    }
                };
            }
        };
        let root_call = if roots.funcs.is_empty() {
            TokenStream::new()
        } else {
            let command = names::from_escaped(&roots.command);
            let response = names::from_escaped(&roots.response);
            let (call_async, call_bound) = self.command_call_asyncness(roots);
            quote! {
                /// Sends `command`, a call of a world-level export, to the guest.
                ///
                /// # Errors
                ///
                /// When the guest traps.
                pub #call_async fn call<S: #wt::AsContextMut>(&self, store: S, command: #command) -> #wt::Result<#response> #call_bound {
                    ::core::result::Result::Ok(match command {
                        #(#rarms,)*
                    })
                }
            }
        };

        // A world with no exports has nothing to look up or load.
        let no_exports = loads.is_empty() && rloads.is_empty();
        let (unused_component, store_param, store_context) = if no_exports {
            (
                quote!(let _ = component;),
                quote!(store),
                quote!(let _ = (store, instance);),
            )
        } else {
            (
                TokenStream::new(),
                quote!(mut store),
                quote!(let mut store = #wt::AsContextMut::as_context_mut(&mut store);),
            )
        };

        // Descriptors.
        let mut imports = Vec::new();
        let mut exports = Vec::new();
        for iface in &m.interfaces {
            match iface.funcs.side {
                Side::Import => imports.extend(self.signatures(&iface.funcs)),
                Side::Export => exports.extend(self.signatures(&iface.funcs)),
            }
        }
        imports.extend(self.signatures(&m.root_imports));
        exports.extend(self.signatures(&m.root_exports));

        let linking = self.world_linking();

        // With async imports or exports, instantiation can await (and must, with async imports).
        let any_async = m
            .interfaces
            .iter()
            .map(|i| &i.funcs)
            .chain([&m.root_imports, &m.root_exports])
            .any(|set| set.any_async());
        let (pre_async, world_async) = if any_async {
            (
                quote! {
                    /// Instantiates the component in `store` and loads its typed exports, awaiting
                    /// async imports the start function calls. Required when imports are async.
                    ///
                    /// # Errors
                    ///
                    /// As [`Self::instantiate`].
                    pub async fn instantiate_async(&self, mut store: impl #wt::AsContextMut<Data = T>) -> #wt::Result<#world>
                    where
                        T: ::core::marker::Send,
                    {
                        let mut store = #wt::AsContextMut::as_context_mut(&mut store);
                        let instance = self.instance_pre.instantiate_async(&mut store).await?;
                        self.indices.load(&mut store, &instance)
                    }
                },
                quote! {
                    /// [`Self::instantiate`], awaiting async imports: required when imports are
                    /// async.
                    ///
                    /// # Errors
                    ///
                    /// As [`Self::instantiate`].
                    pub async fn instantiate_async<T: ::core::marker::Send + 'static>(
                        mut store: impl #wt::AsContextMut<Data = T>,
                        component: &#wt::component::Component,
                        linker: &#wt::component::Linker<T>,
                    ) -> #wt::Result<Self> {
                        let pre = #pre::new(linker.instantiate_pre(component)?)?;
                        pre.instantiate_async(&mut store).await
                    }
                },
            )
        } else {
            (TokenStream::new(), TokenStream::new())
        };

        let world_doc =
            format!(" The guest side of world `{qualified}`: typed callers of every export.");
        let indices_doc =
            format!(" Export indices of world `{qualified}` in one component, looked up once.");
        let inst_doc = format!(" To instantiate many times, use [`{}`] instead.", m.pre);
        let pre_doc = format!(
            " A component of world `{qualified}`, linked and ready to instantiate many times."
        );
        quote! {
            #docs_para
            #[doc = #world_doc]
            #[derive(::core::clone::Clone)]
            pub struct #world {
                #(#fields,)*
                #(#rfields,)*
            }

            #[doc = #indices_doc]
            #[derive(::core::fmt::Debug, ::core::clone::Clone)]
            pub struct #indices {
                #(#index_fields,)*
                #(#rindex_fields,)*
            }

            impl #indices {
                /// Looks up every export of the world in `component` and checks its kind.
                ///
                /// # Errors
                ///
                /// When the component lacks an export of the world.
                pub fn new(component: &#wt::component::Component) -> #wt::Result<Self> {
                    #root_lookup
                    #unused_component
                    ::core::result::Result::Ok(Self {
                        #(#index_inits,)*
                        #(#rindex_inits,)*
                    })
                }

                /// Loads the typed exports of `instance`, an instance of the component these
                /// indices came from.
                ///
                /// # Errors
                ///
                /// When an export does not have the type of the WIT.
                pub fn load(
                    &self,
                    #store_param: impl #wt::AsContextMut,
                    instance: &#wt::component::Instance,
                ) -> #wt::Result<#world> {
                    #store_context
                    ::core::result::Result::Ok(#world {
                        #(#loads,)*
                        #(#rloads,)*
                    })
                }
            }

            #[doc = #pre_doc]
            pub struct #pre<T: 'static> {
                instance_pre: #wt::component::InstancePre<T>,
                indices: #indices,
            }

            const _: () = {
                impl<T: 'static> ::core::clone::Clone for #pre<T> {
                    fn clone(&self) -> Self {
                        Self {
                            instance_pre: self.instance_pre.clone(),
                            indices: self.indices.clone(),
                        }
                    }
                }
            };

            impl<T: 'static> #pre<T> {
                /// Wraps `instance_pre`, looking up the world's exports once.
                ///
                /// # Errors
                ///
                /// When the component lacks an export of the world.
                pub fn new(instance_pre: #wt::component::InstancePre<T>) -> #wt::Result<Self> {
                    let indices = #indices::new(instance_pre.component())?;
                    ::core::result::Result::Ok(Self { instance_pre, indices })
                }

                /// The wrapped `InstancePre`.
                pub fn instance_pre(&self) -> &#wt::component::InstancePre<T> {
                    &self.instance_pre
                }

                /// The export indices.
                pub fn indices(&self) -> &#indices {
                    &self.indices
                }

                /// Instantiates the component in `store` and loads its typed exports.
                ///
                /// # Errors
                ///
                /// When instantiation fails (a trap in the start function, a limit) or an
                /// export does not have the type of the WIT.
                pub fn instantiate(&self, mut store: impl #wt::AsContextMut<Data = T>) -> #wt::Result<#world> {
                    let mut store = #wt::AsContextMut::as_context_mut(&mut store);
                    let instance = self.instance_pre.instantiate(&mut store)?;
                    self.indices.load(&mut store, &instance)
                }

                #pre_async
            }

            impl #world {
                /// The WIT world these bindings were generated from.
                pub const WORLD: &'static str = #qualified;

                /// Every function the world imports (what the host serves), as WIT signatures.
                pub const IMPORTS: &'static [#rt::FunctionSignature] = &[#(#imports),*];

                /// Every function the world exports (what the guest serves), as WIT signatures.
                pub const EXPORTS: &'static [#rt::FunctionSignature] = &[#(#exports),*];

                /// Instantiates `component` with the imports of `linker` and loads its typed
                /// exports.
                #[doc = #inst_doc]
                ///
                /// # Errors
                ///
                /// When linking or instantiation fails, or an export does not have the type of
                /// the WIT.
                pub fn instantiate<T: 'static>(
                    mut store: impl #wt::AsContextMut<Data = T>,
                    component: &#wt::component::Component,
                    linker: &#wt::component::Linker<T>,
                ) -> #wt::Result<Self> {
                    let pre = #pre::new(linker.instantiate_pre(component)?)?;
                    pre.instantiate(&mut store)
                }

                /// Loads the typed exports of an existing `instance` (looking them up by name).
                ///
                /// # Errors
                ///
                /// When an export is missing or does not have the type of the WIT.
                pub fn new<T: 'static>(
                    mut store: impl #wt::AsContextMut<Data = T>,
                    instance: &#wt::component::Instance,
                ) -> #wt::Result<Self> {
                    let mut store = #wt::AsContextMut::as_context_mut(&mut store);
                    let component = instance.instance_pre(&store).component().clone();
                    #indices::new(&component)?.load(&mut store, instance)
                }

                #world_async

                #(#accessors)*

                #(#rmethods)*

                #root_call
            }

            #linking

            const _: () = {
                impl #rt::Bindings for #world {
                    type Indices = #indices;
                    const WORLD: &'static str = #qualified;

                    fn indices(component: &#wt::component::Component) -> #wt::Result<Self::Indices> {
                        #indices::new(component)
                    }

                    fn load(
                        store: impl #wt::AsContextMut,
                        instance: &#wt::component::Instance,
                        indices: &Self::Indices,
                    ) -> #wt::Result<Self> {
                        indices.load(store, instance)
                    }
                }
            };
        }
    }

    /// `{World}Imports` and the world's `add_to_linker` / `add_to_linker_dispatch`.
    fn world_linking(&self) -> TokenStream {
        let rt = &self.rt;
        let wt = self.wt();
        let m = self.model;
        let world = names::from_escaped(&m.rust);
        let imports_trait = names::from_escaped(&m.imports_trait);
        let root: &[String] = &[];
        let imported: Vec<_> = m
            .interfaces
            .iter()
            .filter(|i| i.funcs.side == Side::Import && !i.funcs.is_empty())
            .collect();
        let root_imports = &m.root_imports;
        if imported.is_empty() && root_imports.is_empty() {
            return TokenStream::new();
        }
        let mut bounds = Vec::new();
        let mut via_handler = Vec::new();
        let mut via_dispatch = Vec::new();
        for iface in &imported {
            let handler = self.path_to(&iface.module, &iface.funcs.handler, root);
            bounds.push(handler);
            let module = iface
                .module
                .iter()
                .map(|s| names::from_escaped(s))
                .collect::<Vec<_>>();
            via_handler.push(quote!(#(#module::)*add_to_linker::<T, H>(linker, get)?;));
            via_dispatch.push(quote!(#(#module::)*add_to_linker_dispatch::<T>(linker, get)?;));
        }
        if !root_imports.is_empty() {
            let handler = names::from_escaped(&root_imports.handler);
            bounds.push(quote!(#handler));
            let h = self.linker_body(root_imports, root, Target::Handler);
            let d = self.linker_body(root_imports, root, Target::Dispatch);
            via_handler.push(quote!({ let r: #wt::Result<()> = { #h }; r?; }));
            via_dispatch.push(quote!({ let r: #wt::Result<()> = { #d }; r?; }));
        }
        let doc = format!(
            " Everything the host serves to world `{}`: implement each handler trait, and this \
             trait comes for free.",
            m.qualified
        );
        quote! {
            #[doc = #doc]
            pub trait #imports_trait: #(#bounds)+* {}

            const _: () = {
                impl<X: #(#bounds)+*> #imports_trait for X {}
            };

            impl #world {
                /// Registers every import of the world in `linker`, served by the handler `get`
                /// returns (one type implementing every handler trait).
                ///
                /// # Errors
                ///
                /// When `linker` already defines one of the imports.
                pub fn add_to_linker<T: ::core::marker::Send + 'static, H: #imports_trait + 'static>(
                    linker: &mut #wt::component::Linker<T>,
                    get: fn(&mut T) -> &mut H,
                ) -> #wt::Result<()> {
                    #(#via_handler)*
                    ::core::result::Result::Ok(())
                }

                /// Registers every import of the world in `linker`: each call becomes a command
                /// dispatched on the `WitCommandDispatcher` `get` returns.
                ///
                /// # Errors
                ///
                /// When `linker` already defines one of the imports.
                pub fn add_to_linker_dispatch<T: ::core::marker::Send + 'static>(
                    linker: &mut #wt::component::Linker<T>,
                    get: fn(&mut T) -> &mut #rt::WitCommandDispatcher,
                ) -> #wt::Result<()> {
                    #(#via_dispatch)*
                    ::core::result::Result::Ok(())
                }
            }
        }
    }
}
