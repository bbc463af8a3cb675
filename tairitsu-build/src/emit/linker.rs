//! Wiring into wasmtime's component `Linker`: every imported function (and resource destructor)
//! registered with `func_wrap`, calling either a handler or a `WitCommandDispatcher`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;
use crate::model::FuncSet;
use crate::names;

/// Where an import call goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `get(data)` is a handler; call its method.
    Handler,
    /// `get(data)` is a `WitCommandDispatcher`; dispatch a command.
    Dispatch,
}

impl Gen<'_> {
    /// `add_to_linker`, `add_to_linker_dispatch` and `register` of an imported interface.
    pub(crate) fn linker_fns(&self, set: &FuncSet, module: &[String]) -> TokenStream {
        let rt = &self.rt;
        let wt = self.wt();
        let handler = names::from_escaped(&set.handler);
        let service = names::from_escaped(&set.service);
        let command = names::from_escaped(&set.command);
        let via_handler = self.linker_body(set, module, Target::Handler);
        let via_dispatch = self.linker_body(set, module, Target::Dispatch);
        let qualified = &set.qualified;
        // A `WitCommandDispatcher` is synchronous: an async handler cannot be registered on one.
        let register = (!set.any_async()).then(|| {
            quote! {
                /// Registers `handler` for this interface's commands on `dispatcher`.
                pub fn register<H: #handler + 'static>(
                    dispatcher: &mut #rt::WitCommandDispatcher,
                    handler: H,
                ) {
                    dispatcher.register::<#command, _>(#service(handler));
                }
            }
        });
        let doc = format!(
            " Registers every function of `{qualified}` in `linker`, served by the handler `get` returns."
        );
        let doc_d = format!(
            " Registers every function of `{qualified}` in `linker`: each call becomes a [`{}`] dispatched on the `WitCommandDispatcher` `get` returns.",
            set.command
        );
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = " # Errors"]
            #[doc = ""]
            #[doc = " When `linker` already defines one of these functions."]
            pub fn add_to_linker<T: ::core::marker::Send + 'static, H: #handler + 'static>(
                linker: &mut #wt::component::Linker<T>,
                get: fn(&mut T) -> &mut H,
            ) -> #wt::Result<()> {
                #via_handler
            }

            #[doc = #doc_d]
            #[doc = ""]
            #[doc = " A dispatch error (no handler, or the handler failed) traps the guest's call."]
            #[doc = ""]
            #[doc = " # Errors"]
            #[doc = ""]
            #[doc = " When `linker` already defines one of these functions."]
            pub fn add_to_linker_dispatch<T: ::core::marker::Send + 'static>(
                linker: &mut #wt::component::Linker<T>,
                get: fn(&mut T) -> &mut #rt::WitCommandDispatcher,
            ) -> #wt::Result<()> {
                #via_dispatch
            }

            #register
        }
    }

    /// The body of an `add_to_linker` function for `set`; `linker` and `get` are in scope.
    pub(crate) fn linker_body(
        &self,
        set: &FuncSet,
        module: &[String],
        target: Target,
    ) -> TokenStream {
        let wt = self.wt();
        let command = names::from_escaped(&set.command);
        let response = names::from_escaped(&set.response);
        let qualified = &set.qualified;
        let open = match &set.instance {
            Some(name) => quote!(let mut inst = linker.instance(#name)?;),
            None => quote!(let mut inst = linker.root();),
        };
        // Methods are called through their trait: the host type implements every handler trait
        // of the world, and two may have a method of the same name.
        let handler = names::from_escaped(&set.handler);
        let mut stmts = Vec::new();
        for f in &set.funcs {
            let wit_name = &f.func.name;
            let full = format!("{qualified}#{wit_name}");
            let args: Vec<_> = (0..f.params.len())
                .map(|i| quote::format_ident!("arg{i}"))
                .collect();
            let arg_tys = self.tuple_of(f.params.iter().map(|(_, _, t)| t), module);
            let ok = if f.func.result.is_some() {
                quote!(::core::result::Result::Ok((r,)))
            } else {
                quote!(::core::result::Result::Ok(()))
            };
            let ret_ty = match &f.func.result {
                Some(t) => {
                    let t = self.ty(t, module);
                    quote!((#t,))
                }
                None => quote!(()),
            };
            let v = names::from_escaped(&f.variant);
            // The match arms on what the handler returned; `r` is the result, if any.
            let r = if f.func.result.is_some() {
                quote!(r)
            } else {
                quote!(())
            };
            let trappable = self.trappable;
            let returned = |ok: &TokenStream, full: &str| {
                if trappable {
                    quote! {
                        ::core::result::Result::Ok(::core::result::Result::Ok(#r)) => #ok,
                        ::core::result::Result::Ok(::core::result::Result::Err(e)) => ::core::result::Result::Err(failed(#full, e)),
                    }
                } else {
                    quote!(::core::result::Result::Ok(#r) => #ok,)
                }
            };
            // A response enum with one variant has no other answer to reject.
            let several = set.funcs.len() + set.drops.len() > 1;
            let body = match target {
                Target::Handler => {
                    let m = names::from_escaped(&f.method);
                    let returned = returned(&ok, &full);
                    quote! {
                        let host = get(store.data_mut());
                        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| <H as #handler>::#m(host, #(#args),*))) {
                            #returned
                            ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                        }
                    }
                }
                Target::Dispatch => {
                    let fields = f.params.iter().zip(&args).map(|((_, rust, _), a)| {
                        let ident = names::from_escaped(rust);
                        quote!(#ident: #a)
                    });
                    let cmd = if args.is_empty() {
                        quote!(#command::#v)
                    } else {
                        quote!(#command::#v { #(#fields),* })
                    };
                    let pat = if f.func.result.is_some() {
                        quote!(#response::#v(r))
                    } else {
                        quote!(#response::#v)
                    };
                    let wrong = several.then(|| quote! {
                        ::core::result::Result::Ok(::core::result::Result::Ok(other)) => ::core::result::Result::Err(#wt::Error::msg(::std::format!(
                            "the handler of `{}` answered with the response of `{}`", #full, other.function_name()
                        ))),
                    });
                    quote! {
                        let dispatcher = get(store.data_mut());
                        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| dispatcher.dispatch(#cmd))) {
                            ::core::result::Result::Ok(::core::result::Result::Ok(#pat)) => #ok,
                            #wrong
                            ::core::result::Result::Ok(::core::result::Result::Err(e)) => ::core::result::Result::Err(#wt::Error::new(e)),
                            ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                        }
                    }
                }
            };
            if f.is_async && target == Target::Handler {
                let m = names::from_escaped(&f.method);
                let returned = returned(&ok, &full);
                stmts.push(quote! {
                    inst.func_wrap_async(
                        #wit_name,
                        move |mut store: #wt::StoreContextMut<'_, T>, (#(#args,)*): #arg_tys| -> ::std::boxed::Box<dyn ::core::future::Future<Output = #wt::Result<#ret_ty>> + ::core::marker::Send + '_> {
                            ::std::boxed::Box::new(async move {
                                let host = get(store.data_mut());
                                match unwound(|| <H as #handler>::#m(host, #(#args),*)).await {
                                    #returned
                                    ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                                }
                            })
                        },
                    )?;
                });
                continue;
            }
            stmts.push(quote! {
                inst.func_wrap(
                    #wit_name,
                    move |mut store: #wt::StoreContextMut<'_, T>, (#(#args,)*): #arg_tys| -> #wt::Result<#ret_ty> {
                        #body
                    },
                )?;
            });
        }
        for d in &set.drops {
            let rname = &d.resource_wit;
            let full = format!("{qualified}#[resource-drop]{rname}");
            let marker = match self.model.types.get(&d.resource) {
                Some(named) => self.path_to(&named.module, &named.rust, module),
                None => quote!(()),
            };
            let handle = quote!(#wt::component::Resource::<#marker>::new_own(rep));
            let call = match target {
                Target::Handler => {
                    let m = names::from_escaped(&d.method);
                    let returned = if self.trappable {
                        quote! {
                            ::core::result::Result::Ok(r) => r.map_err(|e| failed(#full, e)),
                        }
                    } else {
                        quote!(::core::result::Result::Ok(()) => ::core::result::Result::Ok(()),)
                    };
                    quote! {
                        let host = get(store.data_mut());
                        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| <H as #handler>::#m(host, #handle))) {
                            #returned
                            ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                        }
                    }
                }
                Target::Dispatch => {
                    let v = names::from_escaped(&d.variant);
                    quote! {
                        let dispatcher = get(store.data_mut());
                        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| dispatcher.dispatch(#command::#v { rep: #handle }))) {
                            ::core::result::Result::Ok(::core::result::Result::Ok(_)) => ::core::result::Result::Ok(()),
                            ::core::result::Result::Ok(::core::result::Result::Err(e)) => ::core::result::Result::Err(#wt::Error::new(e)),
                            ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                        }
                    }
                }
            };
            if d.is_async && target == Target::Handler {
                let m = names::from_escaped(&d.method);
                let returned = if self.trappable {
                    quote!(::core::result::Result::Ok(r) => r.map_err(|e| failed(#full, e)),)
                } else {
                    quote!(::core::result::Result::Ok(()) => ::core::result::Result::Ok(()),)
                };
                stmts.push(quote! {
                    inst.resource_async(
                        #rname,
                        #wt::component::ResourceType::host::<#marker>(),
                        move |mut store: #wt::StoreContextMut<'_, T>, rep: u32| -> ::std::boxed::Box<dyn ::core::future::Future<Output = #wt::Result<()>> + ::core::marker::Send + '_> {
                            ::std::boxed::Box::new(async move {
                                let host = get(store.data_mut());
                                match unwound(|| <H as #handler>::#m(host, #handle)).await {
                                    #returned
                                    ::core::result::Result::Err(payload) => ::core::result::Result::Err(panicked(#full, payload)),
                                }
                            })
                        },
                    )?;
                });
                continue;
            }
            stmts.push(quote! {
                inst.resource(
                    #rname,
                    #wt::component::ResourceType::host::<#marker>(),
                    move |mut store: #wt::StoreContextMut<'_, T>, rep: u32| -> #wt::Result<()> {
                        #call
                    },
                )?;
            });
        }
        let failed = (self.trappable && target == Target::Handler).then(|| {
            quote! {
                /// The trap error for a handler of `function` that returned `error`.
                fn failed(function: &str, error: #wt::Error) -> #wt::Error {
                    error.context(::std::format!("the host handler of `{function}` failed"))
                }
            }
        });
        let any_async = target == Target::Handler && set.any_async();
        let unwound = any_async.then(|| {
            quote! {
                /// Runs the future `start` returns, catching a panic in `start` or in any poll,
                /// as `catch_unwind` does for a synchronous handler.
                async fn unwound<F: ::core::future::Future>(
                    start: impl ::core::ops::FnOnce() -> F,
                ) -> ::core::result::Result<F::Output, ::std::boxed::Box<dyn ::core::any::Any + ::core::marker::Send>> {
                    let mut future = ::std::boxed::Box::pin(
                        ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(start))?,
                    );
                    ::core::future::poll_fn(move |cx| {
                        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| ::core::future::Future::poll(future.as_mut(), cx))) {
                            ::core::result::Result::Ok(::core::task::Poll::Ready(r)) => ::core::task::Poll::Ready(::core::result::Result::Ok(r)),
                            ::core::result::Result::Ok(::core::task::Poll::Pending) => ::core::task::Poll::Pending,
                            ::core::result::Result::Err(payload) => ::core::task::Poll::Ready(::core::result::Result::Err(payload)),
                        }
                    })
                    .await
                }
            }
        });
        quote! {
            #failed
            #unwound
            /// The trap error for a handler that panicked in `function`.
            fn panicked(
                function: &str,
                payload: ::std::boxed::Box<dyn ::core::any::Any + ::core::marker::Send>,
            ) -> #wt::Error {
                let message = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<::std::string::String>().map(|s| s.as_str()))
                    .unwrap_or("(no message)");
                #wt::Error::msg(::std::format!("the host handler of `{function}` panicked: {message}"))
            }
            #open
            #(#stmts)*
            ::core::result::Result::Ok(())
        }
    }
}
