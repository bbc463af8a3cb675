//! Descriptors: every function as a `FunctionSignature`, with types written as WIT text.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;
use crate::model::{FuncModel, FuncSet};

/// A WIT type as text, by the rule the generated descriptors and the runtime's dynamic discovery
/// share so that they compare equal: named types by name, anonymous ones spelled out
/// (`list<option<string>>`, `result<_, string>`, `borrow<counter>`).
pub use tairitsu_wit::wit_type_text;

impl Gen<'_> {
    /// One `FunctionSignature` literal.
    fn signature(&self, interface: Option<&str>, f: &FuncModel) -> TokenStream {
        let rt = &self.rt;
        let cow = quote!(::std::borrow::Cow::Borrowed);
        let iface = match interface {
            Some(i) => quote!(::core::option::Option::Some(#cow(#i))),
            None => quote!(::core::option::Option::None),
        };
        let name = &f.func.name;
        let params = f.func.params.iter().map(|p| {
            let n = &p.name;
            let t = wit_type_text(self.resolve, &p.ty);
            quote!(#rt::Param { name: #cow(#n), ty: #cow(#t) })
        });
        let result = match &f.func.result {
            Some(t) => {
                let t = wit_type_text(self.resolve, t);
                quote!(::core::option::Option::Some(#cow(#t)))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            #rt::FunctionSignature {
                interface: #iface,
                name: #cow(#name),
                params: #cow(&[#(#params),*]),
                result: #result,
            }
        }
    }

    /// The signatures of `set`'s functions (drops are not WIT functions and are left out).
    pub(crate) fn signatures(&self, set: &FuncSet) -> Vec<TokenStream> {
        let iface = set.instance.as_deref();
        set.funcs.iter().map(|f| self.signature(iface, f)).collect()
    }

    /// `INTERFACE` and `DESCRIPTORS` of an interface module.
    pub(crate) fn interface_consts(&self, set: &FuncSet) -> TokenStream {
        let rt = &self.rt;
        let sigs = self.signatures(set);
        let q = &set.qualified;
        let doc = format!(" Every function of `{q}`, as WIT signatures.");
        quote! {
            /// The qualified name of this interface, as the component model names it.
            pub const INTERFACE: &str = #q;

            #[doc = #doc]
            pub const DESCRIPTORS: &[#rt::FunctionSignature] = &[#(#sigs),*];
        }
    }
}
