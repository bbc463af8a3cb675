//! `future<T>`, `stream<T>` and `error-context`: the types wasmtime's `bindgen!` names
//! (`FutureReader<T>`, `StreamReader<T>`, `ErrorContext`), for a build of wasmtime without
//! `component-model-async`, where wasmtime does not define them.
//!
//! They appear in records and signatures that a host never calls concurrently, so the bindings
//! must compile. No value of them can exist: each is uninhabited, and its type check fails with
//! an error that says what is missing. A component that passes one cannot be loaded by this
//! build of wasmtime in the first place; a function that takes or returns one fails to link or
//! load with that error, never at a call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Gen;

/// The module the types are generated in, at the top of the bindings.
pub(crate) const MODULE: &str = "__component_async";

impl Gen<'_> {
    /// The `__component_async` module: `FutureReader<T>`, `StreamReader<T>`, `ErrorContext`.
    pub(crate) fn concurrency_types(&self) -> TokenStream {
        let wt = self.wt();
        let module = format_ident!("{MODULE}");
        let internal = quote!(#wt::component::__internal);
        let generic = |name: &str, wit: &str| {
            let name = format_ident!("{name}");
            let doc = format!(
                " `{wit}<T>` of the component model. Uninhabited: passing one needs wasmtime's \
                 `component-model-async`, which this build leaves off."
            );
            let message = format!(
                "`{wit}` values need wasmtime's `component-model-async`, which this build of \
                 Tairitsu leaves off"
            );
            let body = impls(
                &wt,
                &internal,
                &quote!(#name<T>),
                &quote!(<T: 'static>),
                &message,
            );
            quote! {
                #[doc = #doc]
                pub struct #name<T: 'static> {
                    never: ::core::convert::Infallible,
                    payload: ::core::marker::PhantomData<fn() -> T>,
                }

                impl<T: 'static> ::core::fmt::Debug for #name<T> {
                    fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        let _ = &self.payload;
                        match self.never {}
                    }
                }

                #body
            }
        };
        let future = generic("FutureReader", "future");
        let stream = generic("StreamReader", "stream");
        let error_context = impls(
            &wt,
            &internal,
            &quote!(ErrorContext),
            &TokenStream::new(),
            "`error-context` values need wasmtime's `component-model-async`, which this build of \
             Tairitsu leaves off",
        );
        quote! {
            #[doc(hidden)]
            pub mod #module {
                #future
                #stream

                /// `error-context` of the component model. Uninhabited: passing one needs
                /// wasmtime's `component-model-async`, which this build leaves off.
                pub struct ErrorContext {
                    never: ::core::convert::Infallible,
                }

                impl ::core::fmt::Debug for ErrorContext {
                    fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        match self.never {}
                    }
                }

                #error_context
            }
        }
    }
}

/// `ComponentType`, `Lift` and `Lower` for an uninhabited `ty`: the type check fails with
/// `message`, so wasmtime never lifts or lowers one.
fn impls(
    wt: &TokenStream,
    internal: &TokenStream,
    ty: &TokenStream,
    generics: &TokenStream,
    message: &str,
) -> TokenStream {
    quote! {
        // SAFETY: the type check always fails, so wasmtime never lifts or lowers a value of
        // this type, and none exists to lower (the type is uninhabited).
        unsafe impl #generics #wt::component::ComponentType for #ty {
            type Lower = <u32 as #wt::component::ComponentType>::Lower;
            const ABI: #internal::CanonicalAbiInfo = #internal::CanonicalAbiInfo::SCALAR4;

            fn typecheck(
                _: &#internal::InterfaceType,
                _: &#internal::InstanceType<'_>,
            ) -> #wt::Result<()> {
                ::core::result::Result::Err(#wt::Error::msg(#message))
            }
        }

        // SAFETY: as above; there is nothing to lower.
        unsafe impl #generics #wt::component::Lower for #ty {
            fn linear_lower_to_flat<U>(
                &self,
                _: &mut #internal::LowerContext<'_, U>,
                _: #internal::InterfaceType,
                _: &mut ::core::mem::MaybeUninit<Self::Lower>,
            ) -> #wt::Result<()> {
                match self.never {}
            }

            fn linear_lower_to_memory<U>(
                &self,
                _: &mut #internal::LowerContext<'_, U>,
                _: #internal::InterfaceType,
                _: usize,
            ) -> #wt::Result<()> {
                match self.never {}
            }
        }

        // SAFETY: as above; the type check fails before any lift.
        unsafe impl #generics #wt::component::Lift for #ty {
            fn linear_lift_from_flat(
                _: &mut #internal::LiftContext<'_>,
                _: #internal::InterfaceType,
                _: &Self::Lower,
            ) -> #wt::Result<Self> {
                ::core::result::Result::Err(#wt::Error::msg(#message))
            }

            fn linear_lift_from_memory(
                _: &mut #internal::LiftContext<'_>,
                _: #internal::InterfaceType,
                _: &[u8],
            ) -> #wt::Result<Self> {
                ::core::result::Result::Err(#wt::Error::msg(#message))
            }
        }
    }
}
