//! `wit_interface!`: the WIT it writes for both spellings, that the generated code is the build
//! path's for that WIT, and its error messages.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand;
use super::parse::{Input, to_wit_name};
use super::render::render;

fn wit_of(input: TokenStream) -> String {
    let parsed: Input = syn::parse2(input).unwrap_or_else(|e| panic!("parse: {e}"));
    render(&parsed)
        .unwrap_or_else(|e| panic!("render: {e}"))
        .text
}

fn error_of(input: TokenStream) -> String {
    match expand(input) {
        Ok(tokens) => panic!("expected an error, got {tokens}"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The README's interface, written with Rust types.
fn readme_rust() -> TokenStream {
    quote! {
        interface filesystem {
            read: func(path: String) -> Result<Vec<u8>, String>;
            write: func(path: String, data: Vec<u8>) -> Result<(), String>;
            delete: func(path: String) -> Result<(), String>;
            list: func(directory: String) -> Result<Vec<String>, String>;
        }
    }
}

/// The same interface in WIT.
fn readme_wit() -> TokenStream {
    quote! {
        interface filesystem {
            read: func(path: string) -> result<list<u8>, string>;
            write: func(path: string, data: list<u8>) -> result<_, string>;
            delete: func(path: string) -> result<_, string>;
            list: func(directory: string) -> result<list<string>, string>;
        }
    }
}

#[test]
fn the_readme_interface_becomes_this_wit() {
    assert_eq!(
        wit_of(readme_rust()),
        "package local:interfaces;

interface filesystem {
    read: func(path: string) -> result<list<u8>, string>;
    write: func(path: string, data: list<u8>) -> result<_, string>;
    delete: func(path: string) -> result<_, string>;
    %list: func(directory: string) -> result<list<string>, string>;
}

world filesystem-world {
    import filesystem;
}
"
    );
}

#[test]
fn both_spellings_give_the_same_wit_and_the_same_code() {
    assert_eq!(wit_of(readme_rust()), wit_of(readme_wit()));
    assert_eq!(
        expand(readme_rust()).unwrap().to_string(),
        expand(readme_wit()).unwrap().to_string()
    );
    // Every type, mixed spellings against pure WIT.
    let rust = quote! {
        package my:types@1.2.3;
        export interface kinds {
            struct FileInfo { name: String, size: u64, tags: Vec<String> }
            enum Colour { Red, Green }
            enum Shape { Circle(f64), Square((f32, f32)), Empty }
            flags mode { read, write }
            type Id = u32;
            all: func(a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64,
                      i: f32, j: f64, k: char, l: bool) -> (i64, String);
            nested: func(x: Option<Vec<FileInfo>>, y: Result<Id, ()>, z: Result<(), ()>,
                         s: Shape, c: Colour, m: Mode) -> Option<Result<Vec<(u8, u8)>, String>>;
            nothing: func() -> ();
        }
    };
    let wit = quote! {
        package my:types@1.2.3;
        export interface kinds {
            record file-info { name: string, size: u64, tags: list<string> }
            enum colour { red, green }
            variant shape { circle(f64), square(tuple<f32, f32>), empty }
            flags mode { read, write }
            type id = u32;
            all: func(a: s8, b: s16, c: s32, d: s64, e: u8, f: u16, g: u32, h: u64,
                      i: f32, j: f64, k: char, l: bool) -> tuple<s64, string>;
            nested: func(x: option<list<file-info>>, y: result<id>, z: result,
                         s: shape, c: colour, m: mode) -> option<result<list<tuple<u8, u8>>, string>>;
            nothing: func();
        }
    };
    assert_eq!(wit_of(rust.clone()), wit_of(wit.clone()));
    assert_eq!(
        expand(rust).unwrap().to_string(),
        expand(wit).unwrap().to_string()
    );
}

#[test]
fn docs_keywords_and_names_reach_the_wit() {
    let text = wit_of(quote! {
        /// The package.
        package my:pkg;
        /// The interface.
        interface r#type {
            /// A record.
            record r#record {
                /// A field.
                r#type: u32,
            }
            /// A function.
            read_file: func(r#use: r#record) -> string;
            min-max: func(values: list<f64>) -> option<tuple<f64, f64>>;
            %flags: func();
        }
    });
    assert_eq!(
        text,
        "/// The package.
package my:pkg;

/// The interface.
interface %type {
    /// A record.
    record %record {
        /// A field.
        %type: u32,
    }
    /// A function.
    read-file: func(%use: %record) -> string;
    min-max: func(values: list<f64>) -> option<tuple<f64, f64>>;
    %flags: func();
}

world type-world {
    import %type;
}
"
    );
    // It generates, and the module is named after the interface.
    let out = expand(quote! {
        interface r#type {
            read_file: func() -> string;
        }
    })
    .unwrap()
    .to_string();
    assert!(out.contains("mod r#type"), "{out}");
}

#[test]
fn names_convert_to_kebab_case() {
    for (raw, wit) in [
        ("read", Some("read")),
        ("read-file", Some("read-file")),
        ("read_file", Some("read-file")),
        ("ReadFile", Some("read-file")),
        ("HTTPGet", Some("http-get")),
        ("utf8", Some("utf8")),
        ("v2-api", Some("v2-api")),
        ("2fast", None),
        ("read--file", None),
        ("", None),
    ] {
        assert_eq!(to_wit_name(raw).as_deref(), wit, "{raw}");
    }
}

/// The code inside the module is what `tairitsu-build` writes from a file holding `WIT`.
#[test]
fn the_generated_code_is_the_build_paths_for_the_wit() {
    let expanded = expand(readme_rust()).unwrap();
    let file: syn::File = syn::parse2(expanded).unwrap();
    let [syn::Item::Mod(module)] = file.items.as_slice() else {
        panic!("one module")
    };
    assert_eq!(module.ident, "filesystem");
    let items = &module.content.as_ref().unwrap().1;
    let wit = items
        .iter()
        .find_map(|i| match i {
            syn::Item::Const(c) if c.ident == "WIT" => match &*c.expr {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .expect("a WIT constant");
    let generated = items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "__generated" => m.content.as_ref(),
            _ => None,
        })
        .expect("the generated module")
        .1
        .clone();
    let generated = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: generated,
    });

    let dir = std::env::temp_dir().join(format!("tairitsu-macros-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("filesystem.wit");
    std::fs::write(&path, &wit).unwrap();
    let built = tairitsu_build::Builder::new()
        .wit_dir(&path)
        .world("filesystem-world")
        .generate()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let body = built[0].source.split_once("\n\n").unwrap().1;
    assert_eq!(generated, body);

    // And the re-exports name what the build path generated.
    let reexports: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Use(u) => Some(quote!(#u).to_string()),
            _ => None,
        })
        .collect();
    assert!(
        reexports[0].contains("__generated :: local :: interfaces :: filesystem :: *"),
        "{reexports:?}"
    );
    for item in [
        "FilesystemWorld",
        "FilesystemWorldIndices",
        "FilesystemWorldPre",
        "FilesystemWorldImports",
    ] {
        assert!(reexports[1].contains(item), "{item} in {reexports:?}");
    }
}

#[test]
fn an_exported_interface_reexports_its_guest_callers() {
    let out = expand(quote! {
        package my:app;
        export interface notes {
            save: func(title: string) -> result<string, string>;
        }
    })
    .unwrap()
    .to_string();
    assert!(
        out.contains("__generated :: exports :: my :: app :: notes :: *"),
        "{out}"
    );
    assert!(out.contains("NotesGuest"), "{out}");
    assert!(out.contains("export notes;"), "{out}");
}

#[test]
fn mistakes_are_explained() {
    for (input, expected) in [
        (
            quote!(interface f { read: func(n: usize) -> u32; }),
            "`usize` has no WIT equivalent",
        ),
        (
            quote!(interface f { read: func(p: &str); }),
            "references are not WIT types",
        ),
        (
            quote!(interface f { read: func(m: HashMap<String, u32>); }),
            "`HashMap` has no WIT equivalent",
        ),
        (
            quote!(interface f { read: func(p: file-info); }),
            "unknown type `file-info`",
        ),
        (
            quote!(interface f { record entry { a: u32 } read: func(p: Entyr); }),
            "the types defined here are `entry`",
        ),
        (
            quote!(interface f { read: func(p: Box<u32>); }),
            "`Box` is not a WIT type",
        ),
        (
            quote!(interface f { read: func(p: Frob<u32>); }),
            "unknown generic type `Frob`",
        ),
        (
            quote!(interface f { read: func(p: list<u8, u8>); }),
            "`list` takes 1 type arguments, not 2",
        ),
        (
            quote!(interface f { read: func(p: std::string::String); }),
            "without a path",
        ),
        (
            quote!(interface f { read: func(); read: func(); }),
            "the name `read` is defined twice",
        ),
        (
            quote!(interface f { read: func(a: u32, a: u32); }),
            "the parameter `a` is defined twice",
        ),
        (quote!(interface f { read: func() }), "expected `;`"),
        (
            quote!(interface f { read func(); }),
            "expected `:` after `read`",
        ),
        (quote!(interface f { fn read(); }), "write a function as"),
        (quote!(interface f { use a.{b}; }), "`use` is not supported"),
        (
            quote!(interface f { record r { a: u32 } read: func(p: borrow<r>); }),
            "`borrow<r>`: `r` is not a resource defined in this interface",
        ),
        (
            quote!(interface f { resource file { constructor() -> u32; } }),
            "a constructor has no `->` result",
        ),
        (
            quote!(interface f { resource file { size: func(); size: func(); } }),
            "the function `size` is defined twice",
        ),
        (
            quote!(interface f { resource file { size func(); } }),
            "expected `:` after `size`",
        ),
        (
            quote!(interface f { resource file }),
            "expected `{ … }` with the resource's functions",
        ),
        (quote!(interface f {} interface g {}), "one interface per"),
        (quote!(world w {}), "for a world"),
        (
            quote!(package nope; interface f {}),
            "is not a package name",
        ),
        (quote!(interface f { read: func(x: ()); }), "cannot be `()`"),
        (
            quote!(interface f { read: func(x: Option<()>); }),
            "an option cannot hold `()`",
        ),
        (
            quote!(interface f { enum e { A { x: u32 } } }),
            "named fields has no WIT equivalent",
        ),
        (
            quote!(interface f { record r { a: r } }),
            "the interface is not valid WIT",
        ),
        (
            quote!(interface f { #[inline] read: func(); }),
            "only doc comments are allowed",
        ),
    ] {
        let text = input.to_string();
        let err = error_of(input);
        assert!(
            err.contains(expected),
            "{text}\n=> {err}\n(expected {expected:?})"
        );
    }
}

#[test]
fn resources_become_wit_and_handler_methods() {
    let input = quote! {
        interface files {
            /// An open file.
            resource file {
                /// Opens `path`.
                constructor(path: String);
                read: func(len: u32) -> Vec<u8>;
                open-count: static func() -> u32;
            }
            resource token;
            size: func(f: borrow<file>) -> u64;
            reopen: func(f: own<file>) -> file;
        }
    };
    assert_eq!(
        wit_of(input.clone()),
        "package local:interfaces;

interface files {
    /// An open file.
    resource file {
        /// Opens `path`.
        constructor(path: string);
        read: func(len: u32) -> list<u8>;
        open-count: static func() -> u32;
    }
    resource token;
    size: func(f: borrow<file>) -> u64;
    reopen: func(f: file) -> file;
}

world files-world {
    import files;
}
"
    );
    // The generated handler serves the resource like any imported one.
    let code = expand(input).unwrap().to_string();
    for method in [
        "fn file_new",
        "fn file_read",
        "fn file_open_count",
        "fn file_drop",
        "fn token_drop",
        "fn size",
    ] {
        assert!(code.contains(method), "{method}: {code}");
    }
}

#[test]
fn a_wit_parser_error_points_at_the_item_it_came_from() {
    // A record that holds itself parses, but does not resolve: wit-parser's message, on the
    // record's name.
    let err = expand(quote! {
        interface f {
            read: func();
            record r { a: r }
        }
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("f.wit:"), "{text}");
    assert!(text.contains("record r"), "{text}");
}

/// Every prefix of a valid input, and the input with any one token left out or doubled, is an
/// error or an expansion: never a panic.
#[test]
fn no_input_panics() {
    let source = r#"
        /// Docs.
        package my:pkg@1.0.0-rc1;
        /// Docs.
        pub export interface kitchen-sink {
            /// A record.
            record file-info { name: string, size: u64, tags: Vec<String> }
            enum Shape { Circle(f64), Square((f32, f32)), Empty }
            flags mode { read, write }
            type id = u32;
            %list: func(a: Option<Vec<FileInfo>>, b: Result<id, ()>, c: result, d: mode) -> option<result<tuple<u8, s64>, string>>;
            read_file: func(path: String, shape: shape) -> Result<(), String>;
        }
    "#;
    let mut inputs: Vec<TokenStream> = Vec::new();
    for end in 0..=source.len() {
        if let Some(prefix) = source.get(..end)
            && let Ok(tokens) = prefix.parse::<TokenStream>()
        {
            inputs.push(tokens);
        }
    }
    // Token-level mutations inside the interface's braces.
    let words: Vec<&str> = source.split_whitespace().collect();
    for i in 0..words.len() {
        for mutated in [
            [&words[..i], &words[i + 1..]].concat().join(" "),
            [&words[..=i], &words[i..]].concat().join(" "),
        ] {
            if let Ok(tokens) = mutated.parse::<TokenStream>() {
                inputs.push(tokens);
            }
        }
    }
    assert!(inputs.len() > 200, "{}", inputs.len());
    let mut expanded = 0;
    for input in inputs {
        let text = input.to_string();
        match std::panic::catch_unwind(|| expand(input)) {
            Ok(Ok(_)) => expanded += 1,
            Ok(Err(_)) => {}
            Err(_) => panic!("wit_interface! panicked on: {text}"),
        }
    }
    assert!(expanded > 0);
}

/// `#[wit(async)]`: an imported interface gets async handler methods, an exported one async
/// typed callers, as `bindings!(async_imports = true)` / `async_exports = true` give.
#[test]
fn the_async_attribute_makes_the_generated_code_async() {
    let imported = expand(quote! {
        #[wit(async)]
        interface clock {
            now: func() -> u64;
        }
    })
    .unwrap()
    .to_string();
    assert!(imported.contains("func_wrap_async"), "{imported}");
    assert!(
        imported.contains("impl :: core :: future :: Future < Output = u64 >"),
        "{imported}"
    );
    // The attribute is the macro's: it does not reach the module.
    assert!(!imported.contains("# [wit (async)]"), "{imported}");
    let exported = expand(quote! {
        #[wit(async)]
        export interface clock {
            now: func() -> u64;
        }
    })
    .unwrap()
    .to_string();
    assert!(exported.contains("call_async"), "{exported}");
    let plain = expand(quote! {
        interface clock {
            now: func() -> u64;
        }
    })
    .unwrap()
    .to_string();
    assert!(!plain.contains("func_wrap_async"));
    let e = error_of(quote! {
        #[wit(sync)]
        interface clock {
            now: func() -> u64;
        }
    });
    assert!(e.contains("unknown `wit` option"), "{e}");
}
