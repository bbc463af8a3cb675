//! `#[derive(WitCommand)]`: a hand-written command enum becomes a `WitCommand`, each variant a
//! function named in kebab-case.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, LitStr, Type};
use tairitsu_wit::rust_name;

/// The enum-level options of `#[wit(…)]`.
struct Options {
    interface: Option<LitStr>,
    response: Option<Type>,
    krate: Option<syn::Path>,
}

/// Expands the derive.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(s) => {
            return Err(syn::Error::new(
                s.struct_token.span,
                "`WitCommand` is derived for enums: one variant per function of the interface \
                 (a struct would be a single function; write `enum … { Call { … } }`)",
            ));
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "`WitCommand` is derived for enums, not unions",
            ));
        }
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };

    let options = match enum_options(&input.attrs) {
        Ok(o) => o,
        Err(e) => {
            push(e);
            Options {
                interface: None,
                response: None,
                krate: None,
            }
        }
    };
    let ident = &input.ident;
    let response = match &options.response {
        Some(r) => quote!(#r),
        None => {
            push(syn::Error::new(
                ident.span(),
                "missing `#[wit(response = Type)]`: the type every command of this enum is \
                 answered with (`#[wit(interface = \"my:pkg/files\", response = FilesResponse)]`)",
            ));
            quote!(())
        }
    };
    let interface = match &options.interface {
        Some(i) => i.value(),
        None => default_interface(&ident.to_string()),
    };
    let krate = match &options.krate {
        Some(p) => quote!(#p),
        None => quote!(::tairitsu),
    };

    let mut arms = Vec::new();
    let mut seen: Vec<(String, Span)> = Vec::new();
    for variant in &data.variants {
        let name = match variant_name(&variant.attrs) {
            Ok(Some(lit)) => {
                let value = lit.value();
                if !is_wit_name(&value) {
                    push(syn::Error::new(
                        lit.span(),
                        format!("`{value}` is not a kebab-case WIT name"),
                    ));
                }
                value
            }
            Ok(None) => rust_name::kebab_case(&variant.ident.to_string()),
            Err(e) => {
                push(e);
                continue;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            let mut e = syn::Error::new(
                variant.ident.span(),
                format!("two variants have the command name `{name}`"),
            );
            e.combine(syn::Error::new(*first, "the first one"));
            push(e);
        }
        seen.push((name.clone(), variant.ident.span()));
        let v = &variant.ident;
        arms.push(quote!(Self::#v { .. } => #name));
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let body = if arms.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms,)* })
    };
    // In an anonymous const, like serde's derives: nothing needs to name the impl.
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::WitCommand for #ident #ty_generics #where_clause {
                type Response = #response;
                const INTERFACE: &'static str = #interface;

                fn command_name(&self) -> &'static str {
                    #body
                }
            }
        };
    })
}

/// `FilesCommand` → `files`, `KvCommands` → `kv`, `Clock` → `clock`.
fn default_interface(ident: &str) -> String {
    let base = ident
        .strip_suffix("Commands")
        .or_else(|| ident.strip_suffix("Command"))
        .filter(|b| !b.is_empty())
        .unwrap_or(ident);
    rust_name::kebab_case(base)
}

fn is_wit_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && (w
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    || w.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        })
}

fn enum_options(attrs: &[syn::Attribute]) -> syn::Result<Options> {
    let mut options = Options {
        interface: None,
        response: None,
        krate: None,
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("wit")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match key.as_str() {
                "interface" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    set(&mut options.interface, lit, &meta.path)
                }
                "response" => {
                    let ty: Type = meta.value()?.parse()?;
                    set(&mut options.response, ty, &meta.path)
                }
                "crate" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    let path: syn::Path = lit.parse()?;
                    set(&mut options.krate, path, &meta.path)
                }
                "name" => Err(meta.error(
                    "`name` goes on a variant; on the enum, the options are `interface`, \
                     `response` and `crate`",
                )),
                _ => Err(meta.error(
                    "unknown option; on the enum, the options are `interface = \"…\"`, \
                     `response = Type` and `crate = \"…\"`",
                )),
            }
        })?;
    }
    Ok(options)
}

fn set<T>(slot: &mut Option<T>, value: T, path: &syn::Path) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(path.span(), "given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// `#[wit(name = "…")]` on a variant.
fn variant_name(attrs: &[syn::Attribute]) -> syn::Result<Option<LitStr>> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("wit")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: LitStr = meta.value()?.parse()?;
                set(&mut name, lit, &meta.path)
            } else {
                Err(meta.error("unknown option; on a variant, the option is `name = \"…\"`"))
            }
        })?;
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{default_interface, expand};

    #[test]
    fn command_names_are_kebab_case_and_can_be_renamed() {
        let out = expand(quote! {
            #[wit(interface = "my:kv/store", response = KvResponse)]
            enum KvCommand {
                Get { key: String },
                SetValue { key: String, value: String },
                #[wit(name = "clear-all")]
                Clear,
                Raw(u8),
            }
        })
        .unwrap()
        .to_string();
        for expected in [
            "\"get\"",
            "\"set-value\"",
            "\"clear-all\"",
            "\"raw\"",
            "\"my:kv/store\"",
            "type Response = KvResponse",
            ":: tairitsu :: WitCommand",
        ] {
            assert!(out.contains(expected), "{expected} in {out}");
        }
    }

    #[test]
    fn the_interface_defaults_to_the_enum_name() {
        assert_eq!(default_interface("FilesCommand"), "files");
        assert_eq!(default_interface("KeyValueCommands"), "key-value");
        assert_eq!(default_interface("Clock"), "clock");
        assert_eq!(default_interface("Command"), "command");
    }

    #[test]
    fn every_mistake_is_reported() {
        let err = |input| expand(input).unwrap_err().to_string();
        assert!(
            err(quote!(
                #[wit(response = R)]
                struct S;
            ))
            .contains("derived for enums")
        );
        assert!(
            err(quote!(
                enum E {
                    A,
                }
            ))
            .contains("missing `#[wit(response = Type)]`")
        );
        assert!(
            err(quote!(
                #[wit(response = R, colour = "x")]
                enum E {
                    A,
                }
            ))
            .contains("unknown option")
        );
        assert!(
            err(quote!(
                #[wit(response = R)]
                enum E {
                    A,
                    #[wit(name = "a")]
                    B,
                }
            ))
            .contains("two variants have the command name `a`")
        );
        assert!(
            err(quote!(
                #[wit(response = R)]
                enum E {
                    #[wit(name = "Not_Kebab")]
                    A,
                }
            ))
            .contains("not a kebab-case WIT name")
        );
    }

    /// Any prefix of a valid input is an error or an expansion, never a panic.
    #[test]
    fn no_input_panics() {
        let source = r#"
            #[wit(interface = "my:kv/store", response = KvResponse<'a>, crate = "::tairitsu_runtime")]
            enum KvCommand<'a> where 'a: 'static {
                Get { key: &'a str },
                #[wit(name = "put")]
                SetValue(String, String),
                Clear,
            }
        "#;
        let mut expanded = 0;
        for end in 0..=source.len() {
            let Some(Ok(input)) = source
                .get(..end)
                .map(str::parse::<proc_macro2::TokenStream>)
            else {
                continue;
            };
            let text = input.to_string();
            match std::panic::catch_unwind(|| expand(input)) {
                Ok(Ok(_)) => expanded += 1,
                Ok(Err(_)) => {}
                Err(_) => panic!("the derive panicked on: {text}"),
            }
        }
        assert!(expanded > 0);
    }
}
