//! Command and response enums: one variant per function, implementing `WitCommand`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;
use crate::model::{FuncSet, Holds};
use crate::names;

impl Gen<'_> {
    /// What the functions (and drops) of `set` hold, all together.
    pub(crate) fn set_holds(&self, set: &FuncSet) -> Holds {
        let mut holds = set
            .funcs
            .iter()
            .map(|f| self.model.func_holds(self.resolve, &f.func))
            .fold(Holds::default(), Holds::or);
        if !set.drops.is_empty() {
            holds.handle = true;
            holds.host_handle = true;
        }
        holds
    }

    /// The `{Iface}Command` and `{Iface}Response` enums of `set`, in module `module`.
    pub(crate) fn commands(&self, set: &FuncSet, module: &[String]) -> TokenStream {
        let rt = &self.rt;
        let command = names::from_escaped(&set.command);
        let response = names::from_escaped(&set.response);
        let holds = self.set_holds(set);
        let serde_ok = !holds.handle;
        let derives = match (holds.host_handle, serde_ok) {
            (true, _) => quote!(::core::fmt::Debug),
            (false, false) => {
                quote!(
                    ::core::fmt::Debug,
                    ::core::clone::Clone,
                    ::core::cmp::PartialEq
                )
            }
            (false, true) => {
                let (sd, _) = self.serde_derives();
                quote!(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, #sd)
            }
        };
        let serde_crate = if serde_ok {
            self.serde_crate()
        } else {
            TokenStream::new()
        };
        // A misspelt argument name is an error, as in a dynamic call.
        let deny_unknown = serde_ok.then(|| quote!(#[serde(deny_unknown_fields)]));

        let mut cmd_variants = Vec::new();
        let mut resp_variants = Vec::new();
        let mut names_cmd = Vec::new();
        let mut names_resp = Vec::new();
        for f in &set.funcs {
            let v = names::from_escaped(&f.variant);
            let wit_name = &f.func.name;
            let docs = self.docs(f.func.docs.contents.as_deref());
            let fields = f.params.iter().map(|(wit, rust, ty)| {
                let ident = names::from_escaped(rust);
                let ty = self.ty(ty, module);
                let rename = serde_ok
                    .then(|| names::serde_rename(rust, &names::snake(wit)))
                    .flatten()
                    .map(|r| quote!(#[serde(rename = #r)]));
                quote!(#rename #ident: #ty)
            });
            let call_doc = format!(" A call of `{wit_name}`.");
            if f.params.is_empty() {
                cmd_variants.push(quote!(#[doc = #call_doc] #docs #v));
                names_cmd.push(quote!(Self::#v => #wit_name));
            } else {
                cmd_variants.push(quote!(#[doc = #call_doc] #docs #v { #(#fields,)* }));
                names_cmd.push(quote!(Self::#v { .. } => #wit_name));
            }
            let resp_doc = format!(" The result of `{wit_name}`.");
            match &f.func.result {
                Some(t) => {
                    let t = self.ty(t, module);
                    resp_variants.push(quote!(#[doc = #resp_doc] #v(#t)));
                    names_resp.push(quote!(Self::#v(..) => #wit_name));
                }
                None => {
                    resp_variants.push(quote!(#[doc = #resp_doc] #v));
                    names_resp.push(quote!(Self::#v => #wit_name));
                }
            }
        }
        for d in &set.drops {
            let v = names::from_escaped(&d.variant);
            let wit_name = format!("[resource-drop]{}", d.resource_wit);
            let marker = self.handle_ty(d.resource, module);
            let doc = format!(
                " The guest dropped its last handle to a `{}`.",
                d.resource_wit
            );
            cmd_variants.push(quote!(#[doc = #doc] #v { rep: #marker }));
            names_cmd.push(quote!(Self::#v { .. } => #wit_name));
            let rdoc = format!(" The `{}` was released.", d.resource_wit);
            resp_variants.push(quote!(#[doc = #rdoc] #v));
            names_resp.push(quote!(Self::#v => #wit_name));
        }

        let qualified = &set.qualified;
        let cmd_doc = format!(" One call of a function of `{qualified}`, with its arguments.");
        let resp_doc = format!(" What a function of `{qualified}` returned.");
        let ron = if serde_ok {
            let c = self.ron_impl(&quote!(#command));
            let r = self.ron_impl(&quote!(#response));
            quote!(#c #r)
        } else {
            TokenStream::new()
        };
        quote! {
            #[doc = #cmd_doc]
            #[derive(#derives)]
            #serde_crate
            #deny_unknown
            pub enum #command {
                #(#cmd_variants,)*
            }

            const _: () = {
                impl #rt::WitCommand for #command {
                    type Response = #response;
                    const INTERFACE: &'static str = #qualified;

                    fn command_name(&self) -> &'static str {
                        match self {
                            #(#names_cmd,)*
                        }
                    }
                }
            };

            impl #command {
                /// The WIT name of the function this command calls.
                pub fn function_name(&self) -> &'static str {
                    <Self as #rt::WitCommand>::command_name(self)
                }
            }

            #[doc = #resp_doc]
            #[derive(#derives)]
            #serde_crate
            pub enum #response {
                #(#resp_variants,)*
            }

            impl #response {
                /// The WIT name of the function this is the result of.
                pub fn function_name(&self) -> &'static str {
                    match self {
                        #(#names_resp,)*
                    }
                }
            }

            #ron
        }
    }
}
