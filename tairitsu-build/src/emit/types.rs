//! WIT type definitions: records, variants, enums, flags, resources and aliases.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wit_parser::{Type, TypeDefKind, TypeId};

use super::Gen;
use crate::model::Side;
use crate::names;

impl Gen<'_> {
    /// The definition of the named type `id` in module `module`, with its RON converters.
    pub(crate) fn type_def(&self, id: TypeId, module: &[String]) -> TokenStream {
        let def = &self.resolve.types[id];
        let named = &self.model.types[&id];
        let name = names::from_escaped(&named.rust);
        let docs = self.docs(def.docs.contents.as_deref());
        let docs_para = self.docs_para(def.docs.contents.as_deref());
        let holds = self.model.holds(self.resolve, &Type::Id(id));
        let wt = self.wt();
        let serde_ok = !holds.handle;
        let (serde_derive, serde_crate) = if serde_ok {
            let (d, c) = self.serde_derives();
            (quote!(, #d), c)
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        let std_derives = if holds.host_handle {
            quote!(::core::fmt::Debug)
        } else {
            quote!(
                ::core::fmt::Debug,
                ::core::clone::Clone,
                ::core::cmp::PartialEq
            )
        };
        let component_derives = quote!(
            #wt::component::ComponentType,
            #wt::component::Lift,
            #wt::component::Lower
        );
        // The user's derives, but for types with handles (a `Resource` or `ResourceAny` has
        // none of the usual traits), those already derived (an enum's `Eq`, `Hash`), the
        // total-order traits on types with floats, and the orders on types with flags.
        let extra = |derived: &[&str]| -> TokenStream {
            if holds.handle {
                return TokenStream::new();
            }
            let refused = |name: &syn::Ident| {
                derived.iter().any(|d| name == d)
                    || (holds.float && ["Eq", "Hash", "Ord"].iter().any(|t| name == t))
                    || (holds.flags && ["PartialOrd", "Ord"].iter().any(|t| name == t))
            };
            let extra = self.additional_derives.iter().filter(|path| {
                path.segments
                    .last()
                    .is_none_or(|last| !refused(&last.ident))
            });
            quote!(#(, #extra)*)
        };
        let wasmtime_crate = quote!(#[component(wasmtime_crate = #wt)]);

        let item = match &def.kind {
            TypeDefKind::Record(record) => {
                let fields = record.fields.iter().map(|f| {
                    let wit = &f.name;
                    let snake = names::snake(wit);
                    let rust = names::escape(&snake);
                    let ident = names::from_escaped(&rust);
                    let ty = self.ty(&f.ty, module);
                    let fdocs = self.docs(f.docs.contents.as_deref());
                    let rename = serde_ok
                        .then(|| names::serde_rename(&rust, &snake))
                        .flatten()
                        .map(|r| quote!(#[serde(rename = #r)]));
                    quote! {
                        #fdocs
                        #[component(name = #wit)]
                        #rename
                        pub #ident: #ty
                    }
                });
                // A misspelt field is an error, as in the dynamic path's RON, not silently dropped.
                let deny_unknown = serde_ok.then(|| quote!(#[serde(deny_unknown_fields)]));
                let extra = extra(&["Debug", "Clone", "PartialEq"]);
                quote! {
                    #docs
                    #[derive(#component_derives, #std_derives #serde_derive #extra)]
                    #[component(record)]
                    #wasmtime_crate
                    #serde_crate
                    #deny_unknown
                    pub struct #name {
                        #(#fields,)*
                    }
                }
            }
            TypeDefKind::Variant(variant) => {
                let cases = variant.cases.iter().map(|c| {
                    let wit = &c.name;
                    let camel = names::camel(wit);
                    let rust = names::escape(&camel);
                    let ident = names::from_escaped(&rust);
                    let cdocs = self.docs(c.docs.contents.as_deref());
                    let rename = serde_ok
                        .then(|| names::serde_rename(&rust, &camel))
                        .flatten()
                        .map(|r| quote!(#[serde(rename = #r)]));
                    let payload = c.ty.as_ref().map(|t| {
                        let t = self.ty(t, module);
                        quote!((#t))
                    });
                    quote! {
                        #cdocs
                        #[component(name = #wit)]
                        #rename
                        #ident #payload
                    }
                });
                let extra = extra(&["Debug", "Clone", "PartialEq"]);
                quote! {
                    #docs
                    #[derive(#component_derives, #std_derives #serde_derive #extra)]
                    #[component(variant)]
                    #wasmtime_crate
                    #serde_crate
                    pub enum #name {
                        #(#cases,)*
                    }
                }
            }
            TypeDefKind::Enum(e) => {
                let repr = match e.cases.len() {
                    0..=256 => quote!(u8),
                    257..=65536 => quote!(u16),
                    _ => quote!(u32),
                };
                let cases = e.cases.iter().map(|c| {
                    let wit = &c.name;
                    let camel = names::camel(wit);
                    let rust = names::escape(&camel);
                    let ident = names::from_escaped(&rust);
                    let cdocs = self.docs(c.docs.contents.as_deref());
                    let rename =
                        names::serde_rename(&rust, &camel).map(|r| quote!(#[serde(rename = #r)]));
                    quote! {
                        #cdocs
                        #[component(name = #wit)]
                        #rename
                        #ident
                    }
                });
                let (sd, sc) = self.serde_derives();
                let extra = extra(&["Debug", "Clone", "Copy", "PartialEq", "Eq", "Hash"]);
                quote! {
                    #docs
                    #[derive(
                        #component_derives,
                        ::core::fmt::Debug,
                        ::core::clone::Clone,
                        ::core::marker::Copy,
                        ::core::cmp::PartialEq,
                        ::core::cmp::Eq,
                        ::core::hash::Hash,
                        #sd
                        #extra
                    )]
                    #[component(enum)]
                    #wasmtime_crate
                    #sc
                    #[repr(#repr)]
                    pub enum #name {
                        #(#cases,)*
                    }
                }
            }
            TypeDefKind::Flags(flags) => self.flags_def(&named.rust, &docs, flags),
            TypeDefKind::Resource => match named.side {
                Side::Import => match self.resource_paths.get(&id) {
                    Some(path) => {
                        let shown = quote!(#path).to_string().replace(' ', "");
                        let doc = format!(
                            " A resource served by the host, bound to `{shown}`: handles are `Resource<{shown}>`."
                        );
                        quote! {
                            #docs_para
                            #[doc = #doc]
                            pub type #name = #path;
                        }
                    }
                    None => quote! {
                        #docs_para
                        #[doc = " A resource served by the host. This type only names it: handles are"]
                        #[doc = " `Resource<Self>` and their `rep` is whatever the host chose when it created them."]
                        pub enum #name {}
                    },
                },
                Side::Export => quote! {
                    #docs_para
                    #[doc = " A resource of the guest; handles to it are `ResourceAny`."]
                    pub type #name = #wt::component::ResourceAny;
                },
            },
            TypeDefKind::Type(t) => {
                let t = self.ty(t, module);
                quote!(#docs pub type #name = #t;)
            }
            TypeDefKind::Tuple(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_)
            | TypeDefKind::List(_)
            | TypeDefKind::Handle(_) => {
                // Structural types with a name: an alias of their spelled-out form.
                let t = self.structural(id, module);
                quote!(#docs pub type #name = #t;)
            }
            other => {
                let msg = format!("unsupported WIT type `{}`", other.as_str());
                quote!(::core::compile_error!(#msg);)
            }
        };
        let ron = if serde_ok && self.is_nominal(id) {
            self.ron_impl(&quote!(#name))
        } else {
            TokenStream::new()
        };
        let layout = self.layout_check(id, &quote!(#name));
        quote!(#item #layout #ron)
    }

    /// Compile-time checks that wasmtime lays the type out as the canonical ABI says, as
    /// wasmtime's `bindgen!` has them: records, variants, enums, flags and named tuples,
    /// options, results and handles.
    fn layout_check(&self, id: TypeId, name: &TokenStream) -> TokenStream {
        let checked = matches!(
            self.resolve.types[id].kind,
            TypeDefKind::Record(_)
                | TypeDefKind::Variant(_)
                | TypeDefKind::Enum(_)
                | TypeDefKind::Flags(_)
                | TypeDefKind::Tuple(_)
                | TypeDefKind::Option(_)
                | TypeDefKind::Result(_)
                | TypeDefKind::Handle(_)
        );
        if !checked {
            return TokenStream::new();
        }
        let wt = self.wt();
        let size =
            proc_macro2::Literal::usize_unsuffixed(self.sizes.size(&Type::Id(id)).size_wasm32());
        let align =
            proc_macro2::Literal::usize_unsuffixed(self.sizes.align(&Type::Id(id)).align_wasm32());
        quote! {
            const _: () = {
                ::core::assert!(#size == <#name as #wt::component::ComponentType>::SIZE32);
                ::core::assert!(#align == <#name as #wt::component::ComponentType>::ALIGN32);
            };
        }
    }

    /// Whether `id` is a record, variant, enum or flags (types we define, not aliases).
    fn is_nominal(&self, id: TypeId) -> bool {
        matches!(
            self.resolve.types[id].kind,
            TypeDefKind::Record(_)
                | TypeDefKind::Variant(_)
                | TypeDefKind::Enum(_)
                | TypeDefKind::Flags(_)
        )
    }

    /// The spelled-out Rust type of a structural type definition, ignoring its name.
    fn structural(&self, id: TypeId, module: &[String]) -> TokenStream {
        let wt = self.wt();
        match &self.resolve.types[id].kind {
            TypeDefKind::Tuple(t) => self.tuple_of(t.types.iter(), module),
            TypeDefKind::Option(t) => {
                let t = self.ty(t, module);
                quote!(::core::option::Option<#t>)
            }
            TypeDefKind::Result(r) => {
                let ok = self.opt_ty(r.ok.as_ref(), module);
                let err = self.opt_ty(r.err.as_ref(), module);
                quote!(::core::result::Result<#ok, #err>)
            }
            TypeDefKind::List(t) => {
                let t = self.ty(t, module);
                quote!(::std::vec::Vec<#t>)
            }
            TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
                self.handle_ty(*r, module)
            }
            _ => quote!(#wt::component::ResourceAny),
        }
    }

    /// Flags through wasmtime's `flags!`, plus serde as a list of UpperCamelCase names.
    ///
    /// `flags!` names wasmtime as plain `wasmtime`, so it is invoked in a private module that
    /// imports the runtime's wasmtime under that name, and re-exported.
    fn flags_def(&self, rust: &str, docs: &TokenStream, flags: &wit_parser::Flags) -> TokenStream {
        let wt = self.wt();
        let rt = &self.rt;
        let name = names::from_escaped(rust);
        let module = format_ident!("__flags_{}", rust.trim_start_matches("r#").to_lowercase());
        let consts: Vec<_> = flags
            .flags
            .iter()
            .map(|f| format_ident!("{}", names::shouty(&f.name)))
            .collect();
        let wits = flags.flags.iter().map(|f| &f.name);
        let cases: Vec<_> = flags
            .flags
            .iter()
            .map(|f| names::from_escaped(&names::escape(&names::camel(&f.name))))
            .collect();
        let renames: Vec<_> = flags
            .flags
            .iter()
            .map(|f| {
                let camel = names::camel(&f.name);
                names::serde_rename(&names::escape(&camel), &camel)
                    .map(|r| quote!(#[serde(rename = #r)]))
            })
            .collect();
        let (sd, sc) = self.serde_derives();
        let serde = &quote!(#rt::__private::serde);
        quote! {
            #[doc(hidden)]
            pub mod #module {
                use #wt;
                #wt::component::flags! {
                    #name {
                        #(#[component(name = #wits)] const #consts;)*
                    }
                }

                /// One flag, by its UpperCamelCase name, as serde writes it.
                #[derive(::core::clone::Clone, ::core::marker::Copy, #sd)]
                #sc
                pub enum Flag {
                    #(#renames #cases,)*
                }

                const _: () = {
                    impl #serde::Serialize for #name {
                        fn serialize<S: #serde::Serializer>(
                            &self,
                            serializer: S,
                        ) -> ::core::result::Result<S::Ok, S::Error> {
                            let all = [#((#name::#consts, Flag::#cases),)*];
                            serializer.collect_seq(
                                all.iter().filter(|(f, _)| self.contains(*f)).map(|(_, n)| *n),
                            )
                        }
                    }
                };

                // wasmtime's `flags!` has `Eq` but not `Hash`: with it, a flags value can key a
                // map, and records holding one can take `Hash` from `additional_derive`.
                const _: () = {
                    impl ::core::hash::Hash for #name {
                        fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                            self.as_array().hash(state);
                        }
                    }
                };

                const _: () = {
                    impl<'de> #serde::Deserialize<'de> for #name {
                        fn deserialize<D: #serde::Deserializer<'de>>(
                            deserializer: D,
                        ) -> ::core::result::Result<Self, D::Error> {
                            let names: ::std::vec::Vec<Flag> =
                                #serde::Deserialize::deserialize(deserializer)?;
                            let mut out = #name::empty();
                            for n in names {
                                out |= match n {
                                    #(Flag::#cases => #name::#consts,)*
                                };
                            }
                            ::core::result::Result::Ok(out)
                        }
                    }
                };
            }
            #docs
            pub use self::#module::#name;
        }
    }
}
