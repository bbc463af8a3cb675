//! Typed Tairitsu host bindings generated from WIT, in `build.rs` or in a proc macro.
//!
//! # From WIT to Rust in three steps
//!
//! 1. Put the WIT in the crate's `wit/` folder (dependencies in `wit/deps/`):
//!
//!    ```wit
//!    package my:plugin;
//!
//!    interface files {
//!        read: func(path: string) -> result<list<u8>, string>;
//!    }
//!
//!    interface api {
//!        add: func(a: s32, b: s32) -> s32;
//!    }
//!
//!    world my-world {
//!        import files;
//!        export api;
//!    }
//!    ```
//!
//! 2. Add `tairitsu-build` as a build-dependency and write `build.rs`:
//!
//!    ```no_run
//!    // build.rs, in `fn main`
//!    tairitsu_build::Builder::new().wit_dir("wit").world("my-world").compile_or_exit();
//!    ```
//!
//! 3. Include the generated file, then serve the imports and call the exports:
//!
//!    ```ignore
//!    tairitsu::include_bindings!("my-world");
//!
//!    struct Host;
//!    impl my::plugin::files::FilesHandler for Host {
//!        fn read(&mut self, path: String) -> Result<Vec<u8>, String> {
//!            std::fs::read(&path).map_err(|e| e.to_string())
//!        }
//!    }
//!
//!    let mut linker = tairitsu::wasmtime::component::Linker::<Host>::new(&engine);
//!    MyWorld::add_to_linker(&mut linker, |host| host)?;
//!    let mut store = tairitsu::wasmtime::Store::new(&engine, Host);
//!    let guest = MyWorld::instantiate(&mut store, &component, &linker)?;
//!    assert_eq!(guest.api().call_add(&mut store, 1, 2)?, 3);
//!    ```
//!
//! # What is generated
//!
//! Per world, one file with the layout of wasmtime's own `bindgen!`: imported interfaces at
//! `ns::pkg::iface`, exported ones at `exports::ns::pkg::iface`, world-level items at the top.
//!
//! - **Types**: records, variants, enums and flags deriving `Debug`, `Clone`, `PartialEq` where
//!   valid, wasmtime's `ComponentType` / `Lift` / `Lower`, and serde (not for types that hold
//!   resource handles); aliases, tuples, options, results and lists as Rust aliases and
//!   generics. Every serde type has `to_ron` / `from_ron`.
//! - Per interface: `{Iface}Command` and `{Iface}Response` enums (`WitCommand`), `INTERFACE` and
//!   `DESCRIPTORS` (every function as a `FunctionSignature`).
//! - Per imported interface: a `{Iface}Handler` trait with one method per function and a
//!   provided `handle(command) -> response`; `{Iface}Service<H>`, the handler as a
//!   `WitCommandHandler`; `add_to_linker(linker, get)` serving the guest's calls from the
//!   handler (a panic in the handler traps that call, naming the function),
//!   `add_to_linker_dispatch(linker, get)` serving them from a `WitCommandDispatcher`, and
//!   `register(dispatcher, handler)`. Imported resources are methods of the handler
//!   (`{resource}_new`, `{resource}_{method}`, `{resource}_drop`) over
//!   `Resource<{Resource}>`, where `{Resource}` is a generated uninhabited marker type and the
//!   handle's `rep` is whatever the host chose (an index into its own table), or, with
//!   [`Builder::with_resource`], an alias of the host's own type, so that a wasmtime
//!   `ResourceTable` holds the values and its handles go to the guest as they are. With
//!   [`Builder::trappable_imports`], every method returns `wasmtime::Result<T>` and an `Err`
//!   traps the guest's call.
//! - Per exported interface: `{Iface}Guest` with a `call_{function}` typed caller per function
//!   (resource functions as `call_{resource}_{method}`, constructors as
//!   `call_{resource}_new`, handles as `ResourceAny`), and `call(store, command)`; and
//!   `{Iface}GuestIndices`, the export indices looked up once.
//! - The world: `{World}` (accessors to each exported interface's callers, world-level
//!   callers, `instantiate`, `new`, `add_to_linker`, `add_to_linker_dispatch`, `WORLD`,
//!   `IMPORTS`, `EXPORTS`, `impl Bindings`), `{World}Indices`, `{World}Pre<T>` over
//!   `InstancePre<T>`, and `{World}Imports`, implemented for any type that implements every
//!   imported interface's handler.
//!
//! Names follow one policy, documented in the `names` module: keywords become raw identifiers
//! (`r#type`) or get a trailing underscore (`self_`), clashes with generated names get trailing
//! underscores, and a package module gets a version suffix only when two versions meet.
//!
//! # Errors in build scripts
//!
//! The generator never panics on bad input. [`Builder::compile`] returns an [`Error`] whose
//! message for bad WIT is wit-parser's, with file, line, column and caret; print it and exit
//! (as [`Builder::compile_or_exit`] does) so cargo shows it without a panic backtrace.
//!
//! # For the proc macro
//!
//! [`generate_tokens`] takes an already-loaded `Resolve` and world and returns the tokens that
//! [`Builder::compile`] formats and writes, so the macro's expansion is the build path's,
//! token for token.

mod builder;
mod emit;
mod error;
mod guest;
pub mod load;
mod model;
mod names;
mod write;

pub use builder::{Builder, GeneratedWorld, compile_world, file_stem};
pub use emit::{Options, generate_tokens, wit_type_text};
pub use error::{Error, Result, WitError, WitLocation};
pub use guest::{GUEST_TARGET, Guest, GuestError};

/// [`generate_tokens`], formatted with prettyplease under the `@generated` header: the text
/// [`Builder::compile`] writes for `world`.
///
/// # Errors
///
/// As [`generate_tokens`].
pub fn generate_source(
    resolve: &wit_parser::Resolve,
    world: wit_parser::WorldId,
    options: &Options,
) -> Result<String> {
    let w = &resolve.worlds[world];
    let qualified = match w.package {
        Some(p) => resolve.id_of_name(p, &w.name),
        None => w.name.clone(),
    };
    write::format(&qualified, generate_tokens(resolve, world, options)?)
}

/// The wit-parser this crate is built on, so that callers of [`generate_tokens`] use the same
/// `Resolve`.
pub use wit_parser;
