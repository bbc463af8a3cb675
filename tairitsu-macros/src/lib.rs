//! The proc macros of Tairitsu: typed host bindings from WIT without a build script.
//!
//! Use them through the `tairitsu` crate (feature `macros`, on by default), which re-exports
//! them next to the runtime they generate code for:
//!
//! - [`bindings!`] reads WIT files (or inline WIT) and expands to exactly what
//!   `tairitsu-build` writes from `build.rs` for the same world: the same generator, token for
//!   token.
//! - [`wit_interface!`] takes one interface written in the macro, in WIT or with Rust spellings
//!   of its types (`Result<Vec<u8>, String>` for `result<list<u8>, string>`), renders it as WIT
//!   (kept in a `WIT` constant) and generates its bindings the same way.
//! - [`derive@WitCommand`] implements `WitCommand` for a hand-written command enum.
//!
//! The declarative helpers `simple_handler!`, `stateful_handler!` and `impl_wit_interface!` live
//! in the runtime, next to the types they build, and are re-exported by `tairitsu` as well.
//!
//! Every mistake in a macro's input is a compile error pointing at the offending tokens; the
//! macros never panic.

mod bindings;
mod derive;
mod interface;

use proc_macro::TokenStream;

/// Generates typed bindings for a world of WIT files, in place: what `tairitsu-build` writes
/// from `build.rs` for the same world, token for token.
///
/// ```text
/// tairitsu::bindings!(path = "wit", world = "my-world");
/// tairitsu::bindings!(inline = "package my:pkg; …", world = "my-world");
/// ```
///
/// Options, each `key = "string"` but `with`, `additional_derives` and `trappable_imports`:
///
/// - `path`: a WIT directory (its `*.wit` files and `deps/`) or one `.wit` file, relative to the
///   crate's root (the folder of its `Cargo.toml`); `"wit"` when neither `path` nor `inline` is
///   given.
/// - `inline`: WIT text instead of a path.
/// - `world` (required): the world to generate, by name in the main package (`my-world`) or
///   qualified (`wasi:cli/command@0.2.12`).
/// - `runtime_path`: how the generated code names the runtime; `::tairitsu` by default
///   (`::tairitsu_runtime` when depending on the runtime crate directly).
/// - `with = { "pkg:ns/iface/resource": crate::HostType, … }`: binds imported resources to the
///   host's own types, so that handles are `Resource<HostType>` (as `Builder::with_resource`
///   does, and the `with` of wasmtime's `bindgen!`).
/// - `additional_derives = [Hash, Eq, …]`: more derives for the generated records, variants and
///   enums, left off where a type cannot have them (as `Builder::additional_derive`).
/// - `trappable_imports = true`: handler methods return `wasmtime::Result<T>`, and an `Err`
///   traps the guest's call (as `Builder::trappable_imports`).
///
/// The expansion is the world's items: imported interfaces under `ns::pkg::iface`, exported
/// ones under `exports::ns::pkg::iface`, the world type at the top (see `tairitsu-build` for
/// what each holds). Wrap the call in a module to keep them apart from your own items. Every
/// WIT file read is pulled in with a dummy `include_bytes!`, so editing one recompiles the
/// crate (a file added to the folder is seen at the next rebuild).
///
/// # Errors
///
/// Compile errors, on the offending option: a missing path (with the absolute path looked at),
/// WIT that does not parse (wit-parser's message with file, line and caret), a missing or
/// unknown `world` (listing the package's worlds), an unknown option, an invalid
/// `runtime_path`, a `with` entry that names no imported resource.
///
/// # Examples
///
/// ```
/// mod calc {
///     tairitsu::bindings!(
///         inline = "
///             package example:calc;
///
///             interface log {
///                 write: func(line: string);
///             }
///
///             interface api {
///                 add: func(a: s32, b: s32) -> s32;
///             }
///
///             world calc {
///                 import log;
///                 export api;
///             }
///         ",
///         world = "calc",
///     );
/// }
///
/// use calc::example::calc::log::{LogCommand, LogHandler};
///
/// // The imported interface: a handler trait with one method per function.
/// #[derive(Default)]
/// struct Logger(Vec<String>);
///
/// impl LogHandler for Logger {
///     fn write(&mut self, line: String) {
///         self.0.push(line);
///     }
/// }
///
/// fn main() {
///     // Commands reach the handler through its provided `handle`.
///     let mut logger = Logger::default();
///     logger.handle(LogCommand::Write { line: "hello".into() });
///     assert_eq!(logger.0, ["hello"]);
///
///     // The world type, and descriptors of every function.
///     assert_eq!(calc::Calc::WORLD, "example:calc/calc");
///     let add = &calc::exports::example::calc::api::DESCRIPTORS[0];
///     assert_eq!(add.to_wit(), "add: func(a: s32, b: s32) -> s32");
/// }
/// ```
///
/// With WIT files in the crate, `tairitsu::bindings!(path = "wit", world = "calc");` does the
/// same; the `wit-native-simple` example uses it to serve a real guest.
#[proc_macro]
pub fn bindings(input: TokenStream) -> TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    bindings::expand(input.into(), &manifest_dir)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares one WIT interface in Rust source and generates its bindings: a module named after
/// the interface with the WIT it stands for and the code `bindings!` would generate for it.
///
/// # Syntax
///
/// ```text
/// wit_interface! {
///     /// Optional docs, and an optional package (default `local:interfaces`).
///     package my:files@0.1.0;
///
///     /// Docs become the module's docs and the WIT's.
///     pub interface filesystem {          // `pub`, `pub(crate)`, or nothing (private)
///         /// A function.
///         read: func(path: String) -> Result<Vec<u8>, String>;
///         // The same in WIT spelling.
///         read-text: func(path: string) -> result<string, string>;
///
///         record entry { name: string, size: u64 }     // or `struct Entry { … }`
///         enum kind { file, directory }                 // a Rust `enum` with payloads is a variant
///         variant change { created(entry), removed(string) }
///         flags mode { read, write }
///         type path = string;
///         stat: func(path: string) -> option<entry>;
///
///         /// A resource: the host's handler gets `file_new`, `file_read`, `file_drop`…
///         resource file {
///             constructor(path: string);
///             read: func(len: u32) -> list<u8>;
///             open-count: static func() -> u32;
///         }
///         size: func(f: borrow<file>) -> u64;          // `file` or `own<file>` for ownership
///     }
/// }
/// ```
///
/// `use`, `include` and worlds are not taken: write the WIT in a file and use `bindings!`.
///
/// `interface` (or `import interface`) is an interface the host serves and the guest imports;
/// `export interface` is one the guest serves and the host calls.
///
/// Types may be written in WIT or with their Rust spelling, freely mixed: `String`/`string`,
/// `i32`/`s32` (and the other integers), `Vec<T>`/`list<T>`, `Option<T>`/`option<T>`,
/// `Result<T, E>`/`result<T, E>` with `()` or `_` for no payload, `(A, B)`/`tuple<A, B>`;
/// resources are WIT only (`own<r>`, `borrow<r>`, or the bare name for an owned handle).
/// Names may be kebab-case (`read-file`) or Rust-style (`read_file`, `FileInfo`), which become
/// kebab-case; `%name` escapes a WIT keyword.
///
/// # What it generates
///
/// `mod filesystem` (with the interface's visibility) holding:
///
/// - `WIT`: the interface as WIT text, the same for either spelling: what a guest's WIT must
///   say for the guest and the host to link;
/// - the generated interface items, re-exported: its types, `FilesystemCommand` and
///   `FilesystemResponse` (`WitCommand`), `INTERFACE`, `DESCRIPTORS`; for an imported
///   interface the `FilesystemHandler` trait, `FilesystemService<H>`, `add_to_linker`,
///   `add_to_linker_dispatch` and `register`; for an exported one `FilesystemGuest` with its
///   typed callers and `call(store, command)`;
/// - the world the interface is wrapped in (`filesystem-world`): `FilesystemWorld` with
///   `instantiate` and `add_to_linker`, usable with `Container::with_bindings`.
///
/// The code is `tairitsu-build`'s output for the WIT in `WIT`, unchanged (in a hidden
/// `__generated` module).
///
/// # Errors
///
/// Compile errors on the offending tokens: a type that is not WIT (`usize`, `&str`,
/// `HashMap<…>`), a type that is neither built in nor defined in the interface, a name that is
/// not a WIT name, a name defined twice, a syntax error, and anything else wit-parser rejects
/// (pointed at the item it came from).
///
/// # Examples
///
/// The README's interface, served over an in-memory map:
///
/// ```
/// use std::collections::BTreeMap;
///
/// use tairitsu::{WitCommandDispatcher, wit_interface};
///
/// wit_interface! {
///     /// Files kept by the host.
///     interface filesystem {
///         read: func(path: String) -> Result<Vec<u8>, String>;
///         write: func(path: String, data: Vec<u8>) -> Result<(), String>;
///         delete: func(path: String) -> Result<(), String>;
///         list: func(directory: String) -> Result<Vec<String>, String>;
///     }
/// }
///
/// use filesystem::{FilesystemCommand, FilesystemHandler, FilesystemResponse};
///
/// #[derive(Default)]
/// struct MemoryFs(BTreeMap<String, Vec<u8>>);
///
/// impl FilesystemHandler for MemoryFs {
///     fn read(&mut self, path: String) -> Result<Vec<u8>, String> {
///         self.0.get(&path).cloned().ok_or(format!("no such file: {path}"))
///     }
///     fn write(&mut self, path: String, data: Vec<u8>) -> Result<(), String> {
///         self.0.insert(path, data);
///         Ok(())
///     }
///     fn delete(&mut self, path: String) -> Result<(), String> {
///         self.0.remove(&path).map(drop).ok_or(format!("no such file: {path}"))
///     }
///     fn list(&mut self, directory: String) -> Result<Vec<String>, String> {
///         Ok(self.0.keys().filter(|p| p.starts_with(&directory)).cloned().collect())
///     }
/// }
///
/// fn main() {
///     // The Rust spelling became WIT.
///     assert!(filesystem::WIT.contains("read: func(path: string) -> result<list<u8>, string>;"));
///     assert_eq!(filesystem::INTERFACE, "local:interfaces/filesystem");
///
///     // Commands go through a dispatcher to the handler, as a guest's calls would.
///     let mut dispatcher = WitCommandDispatcher::new();
///     filesystem::register(&mut dispatcher, MemoryFs::default());
///     let write = FilesystemCommand::Write { path: "a.txt".into(), data: b"hi".to_vec() };
///     assert_eq!(dispatcher.dispatch(write), Ok(FilesystemResponse::Write(Ok(()))));
///     let read = FilesystemCommand::Read { path: "a.txt".into() };
///     assert_eq!(dispatcher.dispatch(read), Ok(FilesystemResponse::Read(Ok(b"hi".to_vec()))));
/// }
/// ```
///
/// Serving a real guest: `filesystem::add_to_linker_dispatch(linker, |state| state.data_mut())`
/// in `Container::builder(image).with_host_state(dispatcher).with_linker(…)`; the
/// `wit-native-macro` example does it.
#[proc_macro]
pub fn wit_interface(input: TokenStream) -> TokenStream {
    interface::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Includes the bindings `tairitsu-build` generated in `build.rs` for a world, named exactly as
/// it was given to `Builder::world`: `"my-world"`, or qualified, `"wasi:http/proxy@0.2.12"`.
///
/// The file is `$OUT_DIR/<stem>.rs`, the stem being the world with `:`, `/` and `@` turned
/// into `-` (`tairitsu_build::file_stem`), which this macro computes so that the name stays
/// the builder's. Use it through `tairitsu::include_bindings!`.
///
/// # Errors
///
/// A compile error when the argument is not one string literal.
#[proc_macro]
pub fn include_bindings(input: TokenStream) -> TokenStream {
    let world = match syn::parse::<syn::LitStr>(input) {
        Ok(world) => world,
        Err(e) => return e.into_compile_error().into(),
    };
    let file = format!("/{}.rs", tairitsu_build::file_stem(&world.value()));
    quote::quote_spanned!(world.span()=>
        include!(concat!(env!("OUT_DIR"), #file));
    )
    .into()
}

/// Implements `WitCommand` for a hand-written command enum: one variant per function, the
/// command name the variant's name in kebab-case (`SetValue` → `set-value`).
///
/// Options, in `#[wit(…)]` on the enum:
///
/// - `response = Type` (required): what the commands are answered with;
/// - `interface = "…"`: the interface's WIT name; by default the enum's name without a
///   `Command`/`Commands` suffix, in kebab-case (`KeyValueCommand` → `key-value`);
/// - `crate = "…"`: the path of the runtime, `::tairitsu` by default.
///
/// On a variant, `#[wit(name = "…")]` sets its command name.
///
/// # Errors
///
/// A compile error for a struct or union, a missing `response`, an unknown option, two variants
/// with the same command name, or a name that is not kebab-case.
///
/// # Examples
///
/// ```
/// use tairitsu::{WitCommand, WitCommandDispatcher};
///
/// #[derive(Debug, WitCommand)]
/// #[wit(interface = "example:kv/store", response = KvResponse)]
/// enum KvCommand {
///     Get { key: String },
///     SetValue { key: String, value: String },
///     #[wit(name = "clear-all")]
///     Clear,
/// }
///
/// #[derive(Debug, PartialEq)]
/// enum KvResponse {
///     Value(Option<String>),
///     Done,
/// }
///
/// fn main() {
///     let set = KvCommand::SetValue { key: "k".into(), value: "v".into() };
///     assert_eq!(set.command_name(), "set-value");
///     assert_eq!(KvCommand::Clear.command_name(), "clear-all");
///     assert_eq!(<KvCommand as WitCommand>::INTERFACE, "example:kv/store");
///
///     let mut store = std::collections::HashMap::new();
///     let mut dispatcher = WitCommandDispatcher::new();
///     dispatcher.register::<KvCommand, _>(move |command| {
///         Ok(match command {
///             KvCommand::Get { key } => KvResponse::Value(store.get(&key).cloned()),
///             KvCommand::SetValue { key, value } => {
///                 store.insert(key, value);
///                 KvResponse::Done
///             }
///             KvCommand::Clear => {
///                 store.clear();
///                 KvResponse::Done
///             }
///         })
///     });
///     assert_eq!(dispatcher.dispatch(set), Ok(KvResponse::Done));
///     let get = KvCommand::Get { key: "k".into() };
///     assert_eq!(dispatcher.dispatch(get), Ok(KvResponse::Value(Some("v".into()))));
/// }
/// ```
#[proc_macro_derive(WitCommand, attributes(wit))]
pub fn derive_wit_command(input: TokenStream) -> TokenStream {
    derive::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
