//! `bindings!`: load WIT from the crate (or inline), run tairitsu-build's generator, and expand to
//! its tokens, plus one dummy `include_bytes!` per WIT file read so that editing one rebuilds.

use std::path::Path;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};
use tairitsu_build::load::{Features, Loaded};
use tairitsu_build::wit_parser::WorldId;
use tairitsu_build::{Error, Options};

/// The arguments: `path = "…"` or `inline = "…"`, `world = "…"`, `runtime_path = "…"`,
/// `with = { "pkg:ns/iface/resource": crate::HostType, … }`,
/// `additional_derives = [Hash, Eq, …]`, `trappable_imports = true`, `features = ["…"]`,
/// `all_features = true`, `async_imports = true`, `async_exports = true`,
/// `async_import = ["pkg:ns/iface#f", …]` and `async_export = [...]`.
pub(crate) struct Args {
    path: Option<LitStr>,
    inline: Option<LitStr>,
    world: Option<LitStr>,
    runtime_path: Option<LitStr>,
    with: Option<With>,
    additional_derives: Option<(Span, Vec<syn::Path>)>,
    trappable_imports: Option<syn::LitBool>,
    features: Option<Vec<LitStr>>,
    all_features: Option<syn::LitBool>,
    async_imports: Option<syn::LitBool>,
    async_exports: Option<syn::LitBool>,
    async_import: Option<Vec<LitStr>>,
    async_export: Option<Vec<LitStr>>,
}

/// `["a", "b"]`.
fn strings(input: ParseStream<'_>) -> syn::Result<Vec<LitStr>> {
    let content;
    syn::bracketed!(content in input);
    Ok(content
        .parse_terminated(<LitStr as Parse>::parse, Token![,])?
        .into_iter()
        .collect())
}

/// `with = { "pkg:ns/iface/resource": path, … }`: imported resources bound to host types.
struct With {
    span: Span,
    entries: Vec<(LitStr, syn::Path)>,
}

const KEYS: &str = "`path`, `inline`, `world`, `runtime_path`, `with`, `additional_derives`, \
     `trappable_imports`, `features`, `all_features`, `async_imports`, `async_exports`, \
     `async_import`, `async_export`";

impl Parse for With {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let content;
        let brace = syn::braced!(content in input);
        let mut entries = Vec::new();
        while !content.is_empty() {
            let wit: LitStr = content.parse()?;
            content.parse::<Token![:]>()?;
            let path: syn::Path = content.parse()?;
            entries.push((wit, path));
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        Ok(With {
            span: brace.span.join(),
            entries,
        })
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args {
            path: None,
            inline: None,
            world: None,
            runtime_path: None,
            with: None,
            additional_derives: None,
            trappable_imports: None,
            features: None,
            all_features: None,
            async_imports: None,
            async_exports: None,
            async_import: None,
            async_export: None,
        };
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let twice = || syn::Error::new(key.span(), format!("`{key}` is given twice"));
            /// Fills `slot` with the value parsed next, unless it was given already.
            fn set<T>(
                slot: &mut Option<T>,
                value: T,
                twice: impl Fn() -> syn::Error,
            ) -> syn::Result<()> {
                if slot.is_some() {
                    return Err(twice());
                }
                *slot = Some(value);
                Ok(())
            }
            match key.to_string().as_str() {
                "path" => set(&mut args.path, input.parse()?, twice)?,
                "inline" => set(&mut args.inline, input.parse()?, twice)?,
                "world" => set(&mut args.world, input.parse()?, twice)?,
                "runtime_path" => set(&mut args.runtime_path, input.parse()?, twice)?,
                "with" => set(&mut args.with, input.parse()?, twice)?,
                "trappable_imports" => set(&mut args.trappable_imports, input.parse()?, twice)?,
                "all_features" => set(&mut args.all_features, input.parse()?, twice)?,
                "async_imports" => set(&mut args.async_imports, input.parse()?, twice)?,
                "async_exports" => set(&mut args.async_exports, input.parse()?, twice)?,
                "features" => set(&mut args.features, strings(input)?, twice)?,
                "async_import" => set(&mut args.async_import, strings(input)?, twice)?,
                "async_export" => set(&mut args.async_export, strings(input)?, twice)?,
                "additional_derives" => {
                    let content;
                    let bracket = syn::bracketed!(content in input);
                    let paths = content.parse_terminated(syn::Path::parse, Token![,])?;
                    set(
                        &mut args.additional_derives,
                        (bracket.span.join(), paths.into_iter().collect()),
                        twice,
                    )?;
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{other}`; the options are {KEYS}"),
                    ));
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        if let (Some(_), Some(inline)) = (&args.path, &args.inline) {
            return Err(syn::Error::new(
                inline.span(),
                "give either `path` or `inline`, not both",
            ));
        }
        Ok(args)
    }
}

/// Expands `bindings!(args)`; relative paths are relative to `manifest_dir`.
pub(crate) fn expand(input: TokenStream, manifest_dir: &Path) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(input)?;
    let (loaded, source_span) = load(&args, manifest_dir)?;
    let world = select(&args, &loaded)?;
    let mut options = Options::default();
    if let Some(path) = &args.runtime_path {
        options.runtime_path = path.value();
    }
    if let Some(trappable) = &args.trappable_imports {
        options.trappable_imports = trappable.value;
    }
    if let Some(on) = &args.async_imports {
        options.async_imports = on.value;
    }
    if let Some(on) = &args.async_exports {
        options.async_exports = on.value;
    }
    let values = |list: &Option<Vec<LitStr>>| -> Vec<String> {
        list.iter().flatten().map(LitStr::value).collect()
    };
    options.async_import_functions = values(&args.async_import);
    options.async_export_functions = values(&args.async_export);
    if let Some((_, derives)) = &args.additional_derives {
        options.additional_derives = derives.iter().map(|d| quote!(#d).to_string()).collect();
    }
    if let Some(with) = &args.with {
        for (wit, path) in &with.entries {
            options
                .resources
                .push((wit.value(), quote!(#path).to_string()));
        }
    }
    let tokens =
        tairitsu_build::generate_tokens(&loaded.resolve, world, &options).map_err(|e| {
            let with_entry = |resource: &str| {
                args.with.as_ref().map(|w| {
                    w.entries
                        .iter()
                        .find(|(wit, _)| wit.value().trim() == resource)
                        .map_or(w.span, |(wit, _)| wit.span())
                })
            };
            let named = |list: &Option<Vec<LitStr>>, function: &str| {
                list.iter()
                    .flatten()
                    .find(|f| f.value() == function)
                    .map(LitStr::span)
            };
            let span = match &e {
                Error::UnknownResource { resource, .. }
                | Error::ExportedResource { resource }
                | Error::InvalidResourcePath { resource, .. }
                | Error::DuplicateResource { resource } => with_entry(resource),
                Error::InvalidRuntimePath { .. } => args.runtime_path.as_ref().map(LitStr::span),
                Error::InvalidDerive { .. } => args.additional_derives.as_ref().map(|d| d.0),
                Error::UnknownAsyncFunction {
                    option: "async_import",
                    function,
                    ..
                } => named(&args.async_import, function),
                Error::UnknownAsyncFunction { function, .. } => named(&args.async_export, function),
                _ => args.world.as_ref().map(LitStr::span),
            };
            syn::Error::new(span.unwrap_or(source_span), e.to_string())
        })?;
    let includes = loaded.files.iter().filter_map(|file| {
        let file = file.to_str()?;
        Some(quote!(
            const _: &[u8] = ::core::include_bytes!(#file);
        ))
    });
    Ok(quote! {
        #(#includes)*
        #tokens
    })
}

/// The unstable features the arguments enable.
fn features(args: &Args) -> Features {
    Features {
        enabled: args.features.iter().flatten().map(LitStr::value).collect(),
        all: args.all_features.as_ref().is_some_and(|b| b.value),
    }
}

/// Loads the WIT the arguments point at; returns it and the span to blame for it.
fn load(args: &Args, manifest_dir: &Path) -> syn::Result<(Loaded, Span)> {
    let features = features(args);
    if let Some(inline) = &args.inline {
        let loaded = tairitsu_build::load::load_str_with("inline.wit", &inline.value(), &features)
            .map_err(|e| syn::Error::new(inline.span(), e.to_string()))?;
        return Ok((loaded, inline.span()));
    }
    let (relative, span) = match &args.path {
        Some(path) => (path.value(), path.span()),
        None => ("wit".to_string(), Span::call_site()),
    };
    let full = manifest_dir.join(&relative);
    let loaded = tairitsu_build::load::load_with(&full, &features).map_err(|e| {
        let message = match e {
            Error::Io { source, .. } => format!(
                "cannot read WIT at `{relative}` ({}): {source}; the path is relative to the \
                 crate's root, the folder of its Cargo.toml",
                full.display()
            ),
            other => other.to_string(),
        };
        syn::Error::new(span, message)
    })?;
    Ok((loaded, span))
}

/// The world the arguments name: in the main package, qualified, or a bare name found in one
/// dependency (as `Builder::world` selects it).
fn select(args: &Args, loaded: &Loaded) -> syn::Result<WorldId> {
    let names: Vec<String> = loaded.resolve.packages[loaded.package]
        .worlds
        .keys()
        .map(|w| format!("`{w}`"))
        .collect();
    let available = if names.is_empty() {
        "the package has no world".to_string()
    } else {
        format!("the worlds of the package are {}", names.join(", "))
    };
    let Some(world) = &args.world else {
        return Err(syn::Error::new(
            Span::call_site(),
            format!("`bindings!` needs the world to generate: add `world = \"…\"`; {available}"),
        ));
    };
    loaded.select_world(Some(&world.value())).map_err(|e| {
        let message = match e {
            Error::UnknownWorld { world, reason, .. } => {
                format!("world `{world}` does not exist ({reason}); {available}")
            }
            other => other.to_string(),
        };
        syn::Error::new(world.span(), message)
    })
}

#[cfg(test)]
mod tests {
    //! The macro's expansion is the build script's output, token for token.

    use std::path::{Path, PathBuf};

    use quote::quote;
    use tairitsu_build::Builder;

    use super::expand;

    fn workspace() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the crate is in the workspace")
            .to_path_buf()
    }

    /// The expansion without the `include_bytes!` items, formatted as `tairitsu-build` writes
    /// it, and the paths those items name.
    fn formatted(tokens: proc_macro2::TokenStream) -> (String, Vec<String>) {
        let mut file: syn::File = syn::parse2(tokens).expect("the expansion parses");
        let mut included = Vec::new();
        file.items.retain(|item| {
            if let syn::Item::Const(c) = item
                && c.ident == "_"
            {
                let text = quote!(#c).to_string();
                included.push(text);
                return false;
            }
            true
        });
        (prettyplease::unparse(&file), included)
    }

    /// Every WIT case the generator is snapshot-tested with, every fixture world and every
    /// world of the examples' WIT: expanding `bindings!` gives exactly the file
    /// `Builder::compile` writes.
    #[test]
    fn the_macro_expands_to_what_the_build_script_writes() {
        let root = workspace();
        let mut cases: Vec<(PathBuf, String)> = Vec::new();
        let codegen = root.join("tairitsu-build/tests/codegen");
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&codegen)
            .expect("tairitsu-build/tests/codegen exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "wit")
                    || (p.is_dir() && p.join("world.wit").is_file())
            })
            .collect();
        entries.sort();
        for case in entries {
            let loaded = tairitsu_build::load::load(&case).expect("the case loads");
            for name in loaded.resolve.packages[loaded.package].worlds.keys() {
                cases.push((case.clone(), name.clone()));
            }
        }
        // The fixtures' worlds and the examples' shared WIT (`wit/<package>/`).
        let mut dirs: Vec<PathBuf> = ["tairitsu-fixtures/wit", "wit"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).expect("the WIT folders exist"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let loaded = tairitsu_build::load::load(&dir).expect("the WIT loads");
            for name in loaded.resolve.packages[loaded.package].worlds.keys() {
                cases.push((dir.clone(), name.clone()));
            }
        }
        assert!(cases.len() >= 15, "{cases:?}");

        for (path, world) in cases {
            let relative = path
                .strip_prefix(&root)
                .expect("cases are in the workspace")
                .to_str()
                .expect("UTF-8 paths");
            let input = quote!(path = #relative, world = #world);
            let expanded = expand(input, &root).unwrap_or_else(|e| panic!("{relative}: {e}"));
            let (macro_text, included) = formatted(expanded);

            let built = Builder::new()
                .wit_dir(&path)
                .world(&world)
                .generate()
                .expect("the build path generates");
            let [built] = built.as_slice() else {
                panic!("one world")
            };
            // `Builder` puts a one-line `@generated` header above the same tokens.
            let body = built
                .source
                .split_once("\n\n")
                .map(|(_, body)| body)
                .expect("a header");
            assert_eq!(macro_text, body, "{relative} {world}");

            // Every file the WIT was read from is included, so that editing it rebuilds.
            let loaded = tairitsu_build::load::load(&path).unwrap();
            assert_eq!(included.len(), loaded.files.len(), "{relative}");
            for file in &loaded.files {
                let file = file.to_str().unwrap();
                assert!(
                    included.iter().any(|i| i.contains(file)),
                    "{file} is not included in {included:?}"
                );
            }
        }
    }

    #[test]
    fn the_runtime_path_option_reaches_the_generator() {
        let root = workspace();
        let input = quote!(
            path = "tairitsu-build/tests/codegen/exports.wit",
            world = "exports",
            runtime_path = "::tairitsu_runtime"
        );
        let (text, _) = formatted(expand(input, &root).unwrap());
        assert!(text.contains("::tairitsu_runtime::WitCommand"), "{text}");
        assert!(!text.contains("::tairitsu::"), "{text}");
    }

    #[test]
    fn with_binds_resources_as_the_builder_does() {
        let root = workspace();
        let input = quote!(
            path = "tairitsu-build/tests/codegen/resources.wit",
            world = "resources",
            with = { "test:resources/blobs/blob": crate::host::Blob },
        );
        let (text, _) = formatted(expand(input, &root).unwrap());
        let built = Builder::new()
            .wit_dir(root.join("tairitsu-build/tests/codegen/resources.wit"))
            .world("resources")
            .with_resource("test:resources/blobs/blob", "crate::host::Blob")
            .generate()
            .unwrap();
        let body = built[0].source.split_once("\n\n").unwrap().1;
        assert_eq!(text, body);
        assert!(
            text.contains("pub type Blob = crate::host::Blob;"),
            "{text}"
        );

        let err = |input| expand(input, &root).unwrap_err().to_string();
        let e = err(quote!(
            path = "tairitsu-build/tests/codegen/resources.wit",
            world = "resources",
            with = { "test:resources/blobs/nope": crate::B }
        ));
        assert!(e.contains("names no resource of the world"), "{e}");
        let e = err(quote!(world = "w", with = {}, with = {}));
        assert!(e.contains("given twice"), "{e}");
        let e = err(quote!(world = "w", with = { "a/b/c" = crate::B }));
        assert!(e.contains("expected `:`"), "{e}");
    }

    #[test]
    fn additional_derives_reach_the_generator_as_from_the_builder() {
        let root = workspace();
        let input = quote!(
            path = "tairitsu-build/tests/codegen/variants.wit",
            world = "variants",
            additional_derives = [Hash, ::core::cmp::Eq],
        );
        let (text, _) = formatted(expand(input, &root).unwrap());
        let built = Builder::new()
            .wit_dir(root.join("tairitsu-build/tests/codegen/variants.wit"))
            .world("variants")
            .additional_derive("Hash")
            .additional_derive("::core::cmp::Eq")
            .generate()
            .unwrap();
        assert_eq!(text, built[0].source.split_once("\n\n").unwrap().1);
        assert!(text.contains("Hash,\n"), "{text}");
        let e = expand(quote!(world = "w", additional_derives = [1]), &root)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected identifier"), "{e}");
    }

    #[test]
    fn trappable_imports_reach_the_generator_as_from_the_builder() {
        let root = workspace();
        let input = quote!(
            path = "tairitsu-fixtures/wit/host",
            world = "host-import",
            trappable_imports = true,
        );
        let (text, _) = formatted(expand(input, &root).unwrap());
        let built = Builder::new()
            .wit_dir(root.join("tairitsu-fixtures/wit/host"))
            .world("host-import")
            .trappable_imports(true)
            .generate()
            .unwrap();
        assert_eq!(text, built[0].source.split_once("\n\n").unwrap().1);
        assert!(
            text.contains("fn double(&mut self, x: u32) -> ::tairitsu::wasmtime::Result<u32>;"),
            "{text}"
        );
        let e = expand(quote!(world = "w", trappable_imports = "yes"), &root)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected boolean literal"), "{e}");
    }

    /// Every async option, as the builder takes it: the expansion is the build path's.
    #[test]
    fn async_options_reach_the_generator_as_from_the_builder() {
        let root = workspace();
        let host = root.join("tairitsu-fixtures/wit/host");
        let cases: Vec<(proc_macro2::TokenStream, Builder)> = vec![
            (
                quote!(
                    path = "tairitsu-fixtures/wit/host",
                    world = "host-import",
                    async_imports = true,
                    async_exports = true
                ),
                Builder::new().async_imports(true).async_exports(true),
            ),
            (
                quote!(
                    path = "tairitsu-fixtures/wit/host",
                    world = "host-import",
                    async_imports = true,
                    trappable_imports = true
                ),
                Builder::new().async_imports(true).trappable_imports(true),
            ),
            (
                quote!(
                    path = "tairitsu-fixtures/wit/host",
                    world = "host-import",
                    async_import = ["test:host/math#double"],
                    async_export = ["run"],
                ),
                Builder::new()
                    .async_import("test:host/math#double")
                    .async_export("run"),
            ),
        ];
        for (input, builder) in cases {
            let (text, _) = formatted(expand(input.clone(), &root).unwrap());
            let built = builder
                .wit_dir(&host)
                .world("host-import")
                .generate()
                .unwrap();
            assert_eq!(
                text,
                built[0].source.split_once("\n\n").unwrap().1,
                "{input}"
            );
            assert!(
                text.contains("func_wrap_async") || text.contains("call_async"),
                "{input}"
            );
        }
        let err = |input| expand(input, &root).unwrap_err().to_string();
        let e = err(quote!(
            path = "tairitsu-fixtures/wit/host",
            world = "host-import",
            async_import = ["test:host/math#triple"]
        ));
        assert!(e.contains("names no imported function"), "{e}");
        let e = err(quote!(world = "w", async_imports = "yes"));
        assert!(e.contains("expected boolean literal"), "{e}");
        let e = err(quote!(world = "w", async_import = "f"));
        assert!(e.contains("expected square brackets"), "{e}");
    }

    #[test]
    fn features_reach_the_loader_as_from_the_builder() {
        let wit = "package a:b;\n@unstable(feature = shiny)\nworld w { export f: func(); }\n";
        let e = expand(quote!(inline = #wit, world = "w"), Path::new("/"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("world `a:b/w` is unstable") && e.contains("`shiny`"),
            "{e}"
        );
        let (some, _) = formatted(
            expand(
                quote!(inline = #wit, world = "w", features = ["shiny"]),
                Path::new("/"),
            )
            .unwrap(),
        );
        let (all, _) = formatted(
            expand(
                quote!(inline = #wit, world = "w", all_features = true),
                Path::new("/"),
            )
            .unwrap(),
        );
        assert_eq!(some, all);
        assert!(some.contains("pub fn call_f<"), "{some}");
    }

    /// A bare world name found in one dependency package resolves to it, as in the builder.
    #[test]
    fn a_bare_world_in_one_dependency_resolves() {
        let root = workspace();
        let (text, _) = formatted(
            expand(
                quote!(path = "tairitsu-build/e2e/wit-wasi", world = "proxy"),
                &root,
            )
            .unwrap(),
        );
        assert!(
            text.contains("\"wasi:http/proxy@0.2.12\""),
            "the world is wasi:http/proxy"
        );
        let e = expand(
            quote!(path = "tairitsu-build/e2e/wit-wasi", world = "imports"),
            &root,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean"), "{e}");
    }

    #[test]
    fn inline_wit_generates_like_a_file() {
        let wit =
            std::fs::read_to_string(workspace().join("tairitsu-build/tests/codegen/exports.wit"))
                .unwrap();
        let inline = expand(quote!(inline = #wit, world = "exports"), Path::new("/")).unwrap();
        let from_file = expand(
            quote!(
                path = "tairitsu-build/tests/codegen/exports.wit",
                world = "exports"
            ),
            &workspace(),
        )
        .unwrap();
        assert_eq!(formatted(inline).0, formatted(from_file).0);
    }

    #[test]
    fn errors_say_what_and_where() {
        let root = workspace();
        let err = |input| expand(input, &root).unwrap_err().to_string();
        let e = err(quote!(path = "no/such/dir", world = "w"));
        assert!(e.contains("cannot read WIT at `no/such/dir`"), "{e}");
        assert!(e.contains("relative to the crate's root"), "{e}");
        let e = err(quote!(path = "tairitsu-build/tests/codegen/exports.wit"));
        assert!(e.contains("add `world = \"…\"`"), "{e}");
        assert!(e.contains("`exports`"), "{e}");
        let e = err(quote!(
            path = "tairitsu-build/tests/codegen/exports.wit",
            world = "nope"
        ));
        assert!(e.contains("world `nope` does not exist"), "{e}");
        let e = err(quote!(
            inline = "package a:b; world w { export f: func() -> nope; }",
            world = "w"
        ));
        assert!(e.contains("nope"), "{e}");
        let e = err(quote!(world = "w", wrld = "x"));
        assert!(e.contains("unknown option `wrld`"), "{e}");
        let e = err(quote!(world = "w", world = "x"));
        assert!(e.contains("given twice"), "{e}");
        let e = err(quote!(path = "wit", inline = "x", world = "w"));
        assert!(e.contains("not both"), "{e}");
        let e = err(quote!(
            path = "tairitsu-build/tests/codegen/exports.wit",
            world = "exports",
            runtime_path = "not a path"
        ));
        assert!(e.contains("runtime path"), "{e}");
    }

    /// Any prefix of valid inline WIT, and of the arguments, is an error or an expansion, never
    /// a panic.
    #[test]
    fn no_input_panics() {
        let wit =
            std::fs::read_to_string(workspace().join("tairitsu-fixtures/wit/kitchen/kitchen.wit"))
                .unwrap();
        let mut expanded = 0;
        let step = (wit.len() / 400).max(1);
        for end in (0..=wit.len()).step_by(step).chain([wit.len()]) {
            let Some(prefix) = wit.get(..end) else {
                continue;
            };
            let input = quote!(inline = #prefix, world = "kitchen");
            match std::panic::catch_unwind(|| expand(input, Path::new("/"))) {
                Ok(Ok(_)) => expanded += 1,
                Ok(Err(_)) => {}
                Err(_) => panic!("bindings! panicked on WIT: {prefix}"),
            }
        }
        assert!(expanded > 0);
        let args = r#"path = "tairitsu-build/tests/codegen/exports.wit", world = "exports", runtime_path = "::tairitsu""#;
        for end in 0..=args.len() {
            let Some(Ok(input)) = args.get(..end).map(str::parse::<proc_macro2::TokenStream>)
            else {
                continue;
            };
            let text = input.to_string();
            if std::panic::catch_unwind(|| expand(input, &workspace())).is_err() {
                panic!("bindings! panicked on: {text}");
            }
        }
    }
}
