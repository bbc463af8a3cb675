//! Handler traits for imported interfaces: one method per function, a provided `handle` that
//! executes a command, and a `{Iface}Service` adapter that makes a handler a `WitCommandHandler`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;
use crate::model::FuncSet;
use crate::names;

impl Gen<'_> {
    /// The `{Iface}Handler` trait and `{Iface}Service` adapter of `set`, in `module`.
    pub(crate) fn handler(&self, set: &FuncSet, module: &[String]) -> TokenStream {
        let rt = &self.rt;
        let handler = names::from_escaped(&set.handler);
        let service = names::from_escaped(&set.service);
        let command = names::from_escaped(&set.command);
        let response = names::from_escaped(&set.response);
        let qualified = &set.qualified;

        let wt = self.wt();
        // Trappable: every method returns `wasmtime::Result`, and `handle` passes errors on.
        let trappable = self.trappable;
        let wrap = |t: TokenStream, wt: &TokenStream| {
            if trappable {
                quote!(#wt::Result<#t>)
            } else {
                t
            }
        };
        let try_ = if trappable {
            quote!(?)
        } else {
            TokenStream::new()
        };
        let mut methods = Vec::new();
        let mut arms = Vec::new();
        for f in &set.funcs {
            let m = names::from_escaped(&f.method);
            let v = names::from_escaped(&f.variant);
            let docs_para = self.docs_para(f.func.docs.contents.as_deref());
            let wit_name = &f.func.name;
            let doc = format!(" Serves `{wit_name}`.");
            let params = f.params.iter().map(|(_, rust, ty)| {
                let ident = names::from_escaped(rust);
                let ty = self.ty(ty, module);
                quote!(#ident: #ty)
            });
            let ret = match (&f.func.result, self.trappable) {
                (Some(t), _) => {
                    let t = wrap(self.ty(t, module), &wt);
                    future_of(f.is_async, quote!(#t))
                }
                (None, true) => future_of(f.is_async, quote!(#wt::Result<()>)),
                (None, false) if f.is_async => future_of(true, quote!(())),
                (None, false) => TokenStream::new(),
            };
            let awaited = f.is_async.then(|| quote!(.await));
            methods.push(quote! {
                #docs_para
                #[doc = #doc]
                fn #m(&mut self, #(#params),*) #ret;
            });
            let args: Vec<_> = f
                .params
                .iter()
                .map(|(_, rust, _)| names::from_escaped(rust))
                .collect();
            let pattern = if args.is_empty() {
                quote!(#command::#v)
            } else {
                quote!(#command::#v { #(#args),* })
            };
            arms.push(if f.func.result.is_some() {
                quote!(#pattern => #response::#v(self.#m(#(#args),*)#awaited #try_))
            } else {
                quote!(#pattern => { self.#m(#(#args),*)#awaited #try_; #response::#v })
            });
        }
        for d in &set.drops {
            let m = names::from_escaped(&d.method);
            let v = names::from_escaped(&d.variant);
            let marker = self.handle_ty(d.resource, module);
            let doc = format!(
                " The guest dropped its last handle to the `{}` `rep`: release what it holds.",
                d.resource_wit
            );
            let ret = match (self.trappable, d.is_async) {
                (true, is_async) => future_of(is_async, quote!(#wt::Result<()>)),
                (false, true) => future_of(true, quote!(())),
                (false, false) => TokenStream::new(),
            };
            let awaited = d.is_async.then(|| quote!(.await));
            methods.push(quote! {
                #[doc = #doc]
                fn #m(&mut self, rep: #marker) #ret;
            });
            arms.push(
                quote!(#command::#v { rep } => { self.#m(rep)#awaited #try_; #response::#v }),
            );
        }

        let trait_doc =
            format!(" The host side of `{qualified}`: implement it to serve the guest.");
        let service_doc = format!(
            " A [`{}`] as a [`WitCommandHandler`]({}::WitCommandHandler) of [`{}`], for a \
             `WitCommandDispatcher`.",
            set.handler,
            self.rt_str.trim_start_matches("::"),
            set.command
        );
        let (handle_ret, handle_doc, handle_body, execute) = if self.trappable {
            (
                quote!(#wt::Result<#response>),
                quote! {
                    /// Executes `command` by calling the method of its function and returns the
                    /// result as a response, or the method's error.
                },
                quote!(::core::result::Result::Ok(match command { #(#arms,)* })),
                quote!(self.0.handle(command).map_err(|e| ::std::format!("{e:#}"))),
            )
        } else {
            (
                quote!(#response),
                quote! {
                    /// Executes `command` by calling the method of its function and returns the
                    /// result as a response.
                },
                quote!(match command { #(#arms,)* }),
                quote!(::core::result::Result::Ok(self.0.handle(command))),
            )
        };
        let trap_doc = if self.trappable {
            quote! {
                #[doc = " Every method returns `wasmtime::Result`: an `Err` traps the guest's call with"]
                #[doc = " that error, and so does a panic; the host lives on."]
            }
        } else {
            quote! {
                #[doc = " A panic in a method does not take the host down: the guest's call traps with"]
                #[doc = " an error that names the function."]
            }
        };
        let is_async = set.any_async();
        let (handle_sig, handle_body, async_doc) = if is_async {
            (
                quote!(fn handle(&mut self, command: #command) -> impl ::core::future::Future<Output = #handle_ret> + ::core::marker::Send),
                quote!(async move { #handle_body }),
                quote! {
                    #[doc = ""]
                    #[doc = " Async methods return `impl Future + Send`: write them as `async fn`. The guest"]
                    #[doc = " waits while they await; call it with `call_async` and instantiate with"]
                    #[doc = " `instantiate_async`."]
                },
            )
        } else {
            (
                quote!(fn handle(&mut self, command: #command) -> #handle_ret),
                handle_body,
                TokenStream::new(),
            )
        };
        let trait_ = quote! {
            #[doc = #trait_doc]
            #[doc = ""]
            #trap_doc
            #async_doc
            pub trait #handler: ::core::marker::Send {
                #(#methods)*

                #handle_doc
                #handle_sig {
                    #handle_body
                }
            }
        };
        // A `WitCommandHandler` is synchronous: an async handler has no service adapter.
        if is_async {
            return trait_;
        }
        quote! {
            #trait_

            #[doc = #service_doc]
            #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default)]
            pub struct #service<H>(pub H);

            const _: () = {
                impl<H: #handler> #rt::WitCommandHandler<#command> for #service<H> {
                    fn execute(&mut self, command: #command) -> ::core::result::Result<#response, ::std::string::String> {
                        #execute
                    }
                }
            };
        }
    }
}

/// `-> impl Future<Output = T> + Send` for an async method, `-> T` for another.
fn future_of(is_async: bool, t: TokenStream) -> TokenStream {
    if is_async {
        quote!(-> impl ::core::future::Future<Output = #t> + ::core::marker::Send)
    } else {
        quote!(-> #t)
    }
}
