//! Typed callers of exported functions: `TypedFunc`s loaded from export indices that were looked
//! up once, `call_<function>` methods, and `call(command)`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Gen;
use crate::model::{FuncModel, FuncSet};
use crate::names;

/// The pieces of typed callers for a list of functions, shared by interfaces and the world root.
pub(crate) struct Callers {
    /// `name: TypedFunc<…>` fields.
    pub fields: Vec<TokenStream>,
    /// `name: ComponentExportIndex` fields.
    pub index_fields: Vec<TokenStream>,
    /// `name: lookup("wit-name")?` initialisers of the indices.
    pub index_inits: Vec<TokenStream>,
    /// `name: instance.get_typed_func(&mut store, &self.name)?` initialisers.
    pub loads: Vec<TokenStream>,
    /// `call_x` methods.
    pub methods: Vec<TokenStream>,
    /// `Command::X { .. } => Response::X(self.call_x(store, ..)?)` arms.
    pub arms: Vec<TokenStream>,
}

impl Gen<'_> {
    fn func_field(f: &FuncModel) -> proc_macro2::Ident {
        names::from_escaped(&f.method)
    }

    /// Typed callers of `funcs`, seen from `module`.
    pub(crate) fn callers(&self, set: &FuncSet, module: &[String]) -> Callers {
        let wt = self.wt();
        let command = names::from_escaped(&set.command);
        let response = names::from_escaped(&set.response);
        let mut c = Callers {
            fields: Vec::new(),
            index_fields: Vec::new(),
            index_inits: Vec::new(),
            loads: Vec::new(),
            methods: Vec::new(),
            arms: Vec::new(),
        };
        for f in &set.funcs {
            let field = Self::func_field(f);
            let wit_name = &f.func.name;
            let params = {
                let ts = f.params.iter().map(|(_, _, t)| self.param_ty(t, module));
                quote!((#(#ts,)*))
            };
            let results = match &f.func.result {
                Some(t) => {
                    let t = self.ty(t, module);
                    quote!((#t,))
                }
                None => quote!(()),
            };
            // A `Func` whose type was checked at load: borrowed parameters (`&str`) cannot be
            // named in a stored `TypedFunc` without a lifetime, so each call re-types it, as
            // wasmtime's `bindgen!` does.
            c.fields.push(quote!(#field: #wt::component::Func));
            c.index_fields
                .push(quote!(#field: #wt::component::ComponentExportIndex));
            c.index_inits.push(quote!(#field: lookup(#wit_name)?));
            c.loads.push(quote!(#field: *instance.get_typed_func::<#params, #results>(&mut store, &self.#field)?.func()));

            let caller = format_ident!("{}", f.caller);
            let args: Vec<_> = f
                .params
                .iter()
                .map(|(_, rust, _)| names::from_escaped(rust))
                .collect();
            let arg_decls = f.params.iter().map(|(_, rust, ty)| {
                let ident = names::from_escaped(rust);
                let ty = self.param_ty(ty, module);
                quote!(#ident: #ty)
            });
            // Command fields are owned; borrow those the caller takes by reference.
            let command_args: Vec<_> = f
                .params
                .iter()
                .map(|(_, rust, ty)| {
                    let ident = names::from_escaped(rust);
                    if self.by_value(ty) {
                        quote!(#ident)
                    } else {
                        quote!(&#ident)
                    }
                })
                .collect();
            let callee = quote! {
                // SAFETY: `load` checked this function's type against exactly these parameter
                // and result types (`get_typed_func`), and the `Func` belongs to that instance.
                let callee = unsafe {
                    #wt::component::TypedFunc::<#params, #results>::new_unchecked(self.#field)
                };
            };
            let docs_para = self.docs_para(f.func.docs.contents.as_deref());
            let doc = format!(" Calls the guest's `{wit_name}`.");
            // Async: `call_async` instead of `call`, awaited.
            let (call, awaited) = if f.is_async {
                (quote!(call_async), quote!(.await))
            } else {
                (quote!(call), TokenStream::new())
            };
            let (ret, body) = match &f.func.result {
                Some(t) => {
                    let t = self.ty(t, module);
                    (
                        quote!(#wt::Result<#t>),
                        quote! {
                            #callee
                            let (r,) = callee.#call(#wt::AsContextMut::as_context_mut(&mut store), (#(#args,)*))#awaited?;
                            ::core::result::Result::Ok(r)
                        },
                    )
                }
                None => (
                    quote!(#wt::Result<()>),
                    quote! {
                        #callee
                        callee.#call(#wt::AsContextMut::as_context_mut(&mut store), (#(#args,)*))#awaited
                    },
                ),
            };
            let (asyncness, bound) = if f.is_async {
                (
                    quote!(async),
                    quote!(where <S as #wt::AsContext>::Data: ::core::marker::Send),
                )
            } else {
                (TokenStream::new(), TokenStream::new())
            };
            c.methods.push(quote! {
                #docs_para
                #[doc = #doc]
                #[doc = ""]
                #[doc = " # Errors"]
                #[doc = ""]
                #[doc = " When the guest traps."]
                pub #asyncness fn #caller<S: #wt::AsContextMut>(&self, mut store: S, #(#arg_decls),*) -> #ret #bound {
                    #body
                }
            });
            let v = names::from_escaped(&f.variant);
            let pattern = if args.is_empty() {
                quote!(#command::#v)
            } else {
                quote!(#command::#v { #(#args),* })
            };
            c.arms.push(if f.func.result.is_some() {
                quote!(#pattern => #response::#v(self.#caller(store, #(#command_args),*)#awaited?))
            } else {
                quote!(#pattern => { self.#caller(store, #(#command_args),*)#awaited?; #response::#v })
            });
        }
        c
    }

    /// `async` and its `Send` bound for `call(store, command)`, when a caller of `set` is
    /// async (it awaits them); nothing otherwise.
    pub(crate) fn command_call_asyncness(&self, set: &FuncSet) -> (TokenStream, TokenStream) {
        let wt = self.wt();
        if set.any_async() {
            (
                quote!(async),
                quote!(where <S as #wt::AsContext>::Data: ::core::marker::Send),
            )
        } else {
            (TokenStream::new(), TokenStream::new())
        }
    }

    /// `{Iface}Guest` and `{Iface}GuestIndices` of an exported interface.
    pub(crate) fn guest(&self, set: &FuncSet, module: &[String]) -> TokenStream {
        let wt = self.wt();
        let guest = names::from_escaped(&set.guest);
        let indices = names::from_escaped(&set.guest_indices);
        let command = names::from_escaped(&set.command);
        let response = names::from_escaped(&set.response);
        let instance_name = set.instance.clone().unwrap_or_default();
        let Callers {
            fields,
            index_fields,
            index_inits,
            loads,
            methods,
            arms,
        } = self.callers(set, module);
        let (call_async, call_bound) = self.command_call_asyncness(set);
        let guest_doc = format!(" Typed callers of the guest's `{instance_name}`.");
        let idx_doc =
            format!(" Export indices of `{instance_name}` in one component, looked up once.");
        quote! {
            #[doc = #guest_doc]
            #[derive(::core::clone::Clone)]
            pub struct #guest {
                #(#fields,)*
            }

            #[doc = #idx_doc]
            #[derive(::core::fmt::Debug, ::core::clone::Clone)]
            pub struct #indices {
                #(#index_fields,)*
            }

            impl #indices {
                /// Looks up every function of the interface in `component`.
                ///
                /// # Errors
                ///
                /// When the component does not export the interface or one of its functions.
                pub fn new(component: &#wt::component::Component) -> #wt::Result<Self> {
                    let (item, instance) = component
                        .get_export(::core::option::Option::None, #instance_name)
                        .ok_or_else(|| #wt::Error::msg(::std::format!(
                            "the component does not export `{}`", #instance_name
                        )))?;
                    if !::core::matches!(item, #wt::component::types::ComponentItem::ComponentInstance(_)) {
                        return ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                            "the component's export `{}` is not an instance", #instance_name
                        )));
                    }
                    let lookup = |name: &str| -> #wt::Result<#wt::component::ComponentExportIndex> {
                        match component.get_export(::core::option::Option::Some(&instance), name) {
                            ::core::option::Option::Some((#wt::component::types::ComponentItem::ComponentFunc(_), index)) => ::core::result::Result::Ok(index),
                            ::core::option::Option::Some(_) => ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                                "the export `{}#{}` is not a function", #instance_name, name
                            ))),
                            ::core::option::Option::None => ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                                "the component does not export `{}#{}`", #instance_name, name
                            ))),
                        }
                    };
                    ::core::result::Result::Ok(Self { #(#index_inits,)* })
                }

                /// Loads the typed functions of `instance`, an instance of the component these
                /// indices came from.
                ///
                /// # Errors
                ///
                /// When a function does not have the type of the WIT.
                pub fn load(
                    &self,
                    mut store: impl #wt::AsContextMut,
                    instance: &#wt::component::Instance,
                ) -> #wt::Result<#guest> {
                    let mut store = #wt::AsContextMut::as_context_mut(&mut store);
                    ::core::result::Result::Ok(#guest { #(#loads,)* })
                }
            }

            impl #guest {
                #(#methods)*

                /// Sends `command` to the guest and returns its response.
                ///
                /// # Errors
                ///
                /// When the guest traps.
                pub #call_async fn call<S: #wt::AsContextMut>(&self, store: S, command: #command) -> #wt::Result<#response> #call_bound {
                    ::core::result::Result::Ok(match command {
                        #(#arms,)*
                    })
                }
            }
        }
    }
}
