//! RON converters: `to_ron` / `from_ron` on every generated type that serde can carry.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;

impl Gen<'_> {
    /// `impl T { fn to_ron; fn from_ron }` through the runtime's converters.
    pub(crate) fn ron_impl(&self, ty: &TokenStream) -> TokenStream {
        let rt = &self.rt;
        quote! {
            impl #ty {
                /// Writes this value as compact RON, the text the dynamic path writes for the
                /// same WIT value (`(x_pos:1)`, `Circle(1.0)`, `Some(1)`, `[Read,Write]`).
                pub fn to_ron(&self) -> ::core::result::Result<::std::string::String, #rt::dynamic::ValueError> {
                    #rt::__private::to_ron(self)
                }

                /// Reads a value from RON text; the error has the line and column.
                pub fn from_ron(text: &str) -> ::core::result::Result<Self, #rt::dynamic::ValueError> {
                    #rt::__private::from_ron(text)
                }
            }
        }
    }
}
