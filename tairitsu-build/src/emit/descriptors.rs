//! Descriptors: every function as a `FunctionSignature`, with types written as WIT text.

use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{Handle, Resolve, Type, TypeDefKind};

use super::Gen;
use crate::model::{FuncModel, FuncSet};

/// A WIT type as text, the rule the generated descriptors and the runtime's dynamic discovery
/// share so that they compare equal:
///
/// - primitives by their WIT name (`u32`, `string`, `char`);
/// - named types (records, variants, enums, flags, resources, aliases) by their WIT name
///   (`point`, `item-info`);
/// - anonymous types spelled out with `, ` between arguments: `list<option<string>>`,
///   `tuple<u8, string>`, `option<u32>`, `result<u32, string>`, `result<_, string>`,
///   `result<u32>` and `result`;
/// - an owned handle as the resource name (`counter`), a borrowed one as `borrow<counter>`.
pub fn wit_type_text(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(name) = &def.name {
                return name.clone();
            }
            let t = |t: &Type| wit_type_text(resolve, t);
            match &def.kind {
                TypeDefKind::List(e) => format!("list<{}>", t(e)),
                TypeDefKind::FixedLengthList(e, n) => format!("list<{}, {n}>", t(e)),
                TypeDefKind::Map(k, v) => format!("map<{}, {}>", t(k), t(v)),
                TypeDefKind::Option(e) => format!("option<{}>", t(e)),
                TypeDefKind::Result(r) => match (&r.ok, &r.err) {
                    (Some(ok), Some(err)) => format!("result<{}, {}>", t(ok), t(err)),
                    (None, Some(err)) => format!("result<_, {}>", t(err)),
                    (Some(ok), None) => format!("result<{}>", t(ok)),
                    (None, None) => "result".into(),
                },
                TypeDefKind::Tuple(tu) => format!(
                    "tuple<{}>",
                    tu.types.iter().map(t).collect::<Vec<_>>().join(", ")
                ),
                TypeDefKind::Handle(Handle::Own(r)) => t(&Type::Id(*r)),
                TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", t(&Type::Id(*r))),
                TypeDefKind::Type(inner) => t(inner),
                TypeDefKind::Future(e) => match e {
                    Some(e) => format!("future<{}>", t(e)),
                    None => "future".into(),
                },
                TypeDefKind::Stream(e) => match e {
                    Some(e) => format!("stream<{}>", t(e)),
                    None => "stream".into(),
                },
                other => other.as_str().into(),
            }
        }
    }
}

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
