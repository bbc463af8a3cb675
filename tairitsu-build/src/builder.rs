//! The `build.rs` entry point: one [`Builder`] with chainable setters.

use std::path::{Path, PathBuf};

use wit_parser::WorldId;

use crate::emit::{self, Options};
use crate::error::{Error, Result};
use crate::load::{self, Features, Loaded};
use crate::write;

/// Generates typed bindings from WIT, in a build script or anywhere else.
///
/// ```no_run
/// // build.rs, in `fn main`
/// if let Err(e) = tairitsu_build::Builder::new().wit_dir("wit").world("my-world").compile() {
///     eprintln!("error: {e}");
///     std::process::exit(1);
/// }
/// ```
///
/// [`Builder::compile_or_exit`] does exactly that.
#[derive(Debug, Clone)]
pub struct Builder {
    wit_dir: PathBuf,
    worlds: Vec<String>,
    all_worlds: bool,
    options: Options,
    features: Features,
    out_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

/// The bindings of one world, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedWorld {
    /// The file stem: the world as selected, with `:`, `/` and `@` turned into `-`
    /// (`my-world`, `wasi-cli-command-0.2.12`, see [`file_stem`]). `compile` writes
    /// `<name>.rs`, which `include_bindings!` finds from the world as given.
    pub name: String,
    /// The qualified world (`my:pkg/my-world`).
    pub world: String,
    /// The formatted Rust source, with its `@generated` header.
    pub source: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder reading `wit/`, with no world selected yet, the runtime at `::tairitsu`, output
    /// to `$OUT_DIR` and `cargo:rerun-if-changed` lines on.
    pub fn new() -> Self {
        Self {
            wit_dir: PathBuf::from("wit"),
            worlds: Vec::new(),
            all_worlds: false,
            options: Options::default(),
            features: Features::default(),
            out_dir: None,
            emit_rerun_if_changed: true,
        }
    }

    /// Where the WIT is: a directory with `*.wit` files and `deps/`, or one `.wit` file.
    /// Relative paths are relative to the package (a build script's working directory).
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().wit_dir("../wit").world("plugin").compile_or_exit();
    /// ```
    pub fn wit_dir(mut self, path: impl AsRef<Path>) -> Self {
        self.wit_dir = path.as_ref().to_path_buf();
        self
    }

    /// Adds a world to generate: a name in the main package (`my-world`) or a qualified one
    /// from any package (`wasi:cli/command@0.2.12`). Call it once per world.
    ///
    /// With no world selected and no [`Builder::all_worlds`], the main package's only world is
    /// used; several worlds there is an error that lists them.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("host").world("plugin").compile_or_exit();
    /// ```
    pub fn world(mut self, world: impl Into<String>) -> Self {
        self.worlds.push(world.into());
        self
    }

    /// Generates every world of the main package, each into `<world>.rs`.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().all_worlds().compile_or_exit();
    /// ```
    pub fn all_worlds(mut self) -> Self {
        self.all_worlds = true;
        self
    }

    /// The path generated code names the runtime by; `::tairitsu` by default. Use
    /// `::tairitsu_runtime` when depending on the runtime crate directly, or a re-export of
    /// your own.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .runtime_path("::my_host::tairitsu")
    ///     .compile_or_exit();
    /// ```
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.options.runtime_path = path.into();
        self
    }

    /// Binds an imported resource to a Rust type of the host, as the `with` option of
    /// wasmtime's `bindgen!` does: handles to it become `Resource<YourType>`, so that a
    /// `wasmtime::component::ResourceTable` can hold the host's values and its `push`, `get`
    /// and `delete` work on them directly, with no conversion of handles.
    ///
    /// `wit` names the resource as `pkg:ns/iface/name`, the interface with or without its
    /// version (`wasi:filesystem/types/descriptor`), or `name` alone for a resource the world
    /// itself imports. `rust` is a path that resolves from anywhere in the crate:
    /// `crate::files::OpenFile`, or a path through another crate (`my_host::OpenFile`). The
    /// generated code only names the type; it needs no trait of it.
    ///
    /// Without a binding, the generator declares an empty marker type for the resource.
    /// Naming a resource the world does not import, or one the guest exports, is an error
    /// that lists what the world imports.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .with_resource("my:plugin/files/file", "crate::host::OpenFile")
    ///     .compile_or_exit();
    /// ```
    pub fn with_resource(mut self, wit: impl Into<String>, rust: impl Into<String>) -> Self {
        self.options.resources.push((wit.into(), rust.into()));
        self
    }

    /// Adds a derive to every generated record, variant and enum, as the `additional_derives`
    /// of wasmtime's `bindgen!` does: `"Hash"`, `"Eq"`, `"PartialOrd"`, or a path
    /// (`"serde_with::SerializeDisplay"`). Call it once per derive.
    ///
    /// Types that hold a resource handle get none (handles implement none of the usual
    /// traits), types that hold an `f32` or `f64` get no `Eq`, `Hash` or `Ord`, types that hold
    /// flags no `PartialOrd` or `Ord` (flags types have `Eq` and `Hash`), and a trait a
    /// type derives already (an enum's `Eq` and `Hash`) is not derived twice. Any other trait a
    /// type cannot implement fails to compile in your crate, as it would by hand.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .additional_derive("Eq")
    ///     .additional_derive("Hash")
    ///     .compile_or_exit();
    /// ```
    pub fn additional_derive(mut self, path: impl Into<String>) -> Self {
        self.options.additional_derives.push(path.into());
        self
    }

    /// Makes every handler method return `wasmtime::Result<T>` (and `handle`
    /// `wasmtime::Result<Response>`), as `trappable_imports: true` does for wasmtime's
    /// `bindgen!`: an `Err` traps the guest's call with that error, with the function named in
    /// its context, and the container reports the failure. Off by default: methods return the
    /// WIT result alone, and a host that must stop the guest panics (which traps the same way).
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").trappable_imports(true).compile_or_exit();
    /// ```
    pub fn trappable_imports(mut self, trappable: bool) -> Self {
        self.options.trappable_imports = trappable;
        self
    }

    /// Enables the items gated by `@unstable(feature = …)` for these features, as the
    /// `features` of wasmtime's `bindgen!` does. Without it, gated items are left out, and a
    /// world that is gated itself is an [`Error::UnstableWorld`] that names its feature.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .features(["experimental-api"])
    ///     .compile_or_exit();
    /// ```
    pub fn features<I, S>(mut self, features: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.features
            .enabled
            .extend(features.into_iter().map(Into::into));
        self
    }

    /// Enables every `@unstable` feature, as `all_features: true` does for `bindgen!`.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").all_features().compile_or_exit();
    /// ```
    pub fn all_features(mut self) -> Self {
        self.features.all = true;
        self
    }

    /// Makes every imported function async, as `imports: { default: async }` does for
    /// wasmtime's `bindgen!`: handler methods return `impl Future<Output = T> + Send` (write
    /// them as `async fn`), `handle` is async too, and `add_to_linker` links them with
    /// `func_wrap_async`, so a method can await (a timer, a socket, a lock) while the guest
    /// waits. Call the guest with `call_async` (or async typed callers, see
    /// [`Builder::async_exports`]) and instantiate with `instantiate_async`.
    ///
    /// The `{Iface}Service` adapter and `register`, which serve a synchronous
    /// `WitCommandDispatcher`, are not generated for interfaces with async functions;
    /// `add_to_linker_dispatch` still serves the guest from a dispatcher, synchronously.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").async_imports(true).compile_or_exit();
    /// ```
    pub fn async_imports(mut self, on: bool) -> Self {
        self.options.async_imports = on;
        self
    }

    /// Makes every typed caller of an export async, as `exports: { default: async }` does for
    /// wasmtime's `bindgen!`: `call_x(store, …)` is an `async fn` that awaits
    /// `TypedFunc::call_async`, and so is `call(store, command)`. The store's data must be
    /// `Send`.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").async_exports(true).compile_or_exit();
    /// ```
    pub fn async_exports(mut self, on: bool) -> Self {
        self.options.async_exports = on;
        self
    }

    /// Makes one imported function async, as `imports: { "pkg:ns/iface#f": async }` does for
    /// `bindgen!`: `pkg:ns/iface#f` (the interface with or without its version; a resource
    /// function by its WIT name, `pkg:ns/iface#[method]file.read`), or `f` for a function the
    /// world imports itself. Call it once per function. Naming no imported function is an
    /// [`Error::UnknownAsyncFunction`].
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .async_import("my:plugin/files#read")
    ///     .compile_or_exit();
    /// ```
    pub fn async_import(mut self, function: impl Into<String>) -> Self {
        self.options.async_import_functions.push(function.into());
        self
    }

    /// Makes the typed caller of one exported function async, as
    /// `exports: { "pkg:ns/iface#f": async }` does for `bindgen!`; names as in
    /// [`Builder::async_import`].
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new()
    ///     .world("plugin")
    ///     .async_export("my:plugin/api#add")
    ///     .compile_or_exit();
    /// ```
    pub fn async_export(mut self, function: impl Into<String>) -> Self {
        self.options.async_export_functions.push(function.into());
        self
    }

    /// Where [`Builder::compile`] writes; `$OUT_DIR` by default. With another directory,
    /// include the file with `include!("path/my-world.rs")` instead of `include_bindings!`.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").out_dir("src/generated").compile_or_exit();
    /// ```
    pub fn out_dir(mut self, path: impl AsRef<Path>) -> Self {
        self.out_dir = Some(path.as_ref().to_path_buf());
        self
    }

    /// Whether [`Builder::compile`] prints `cargo:rerun-if-changed` for the WIT directory and
    /// every file read (on by default). Note that printing any such line replaces cargo's
    /// default of re-running the build script on any change in the package.
    ///
    /// ```no_run
    /// tairitsu_build::Builder::new().world("plugin").emit_rerun_if_changed(false).compile_or_exit();
    /// ```
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.emit_rerun_if_changed = on;
        self
    }

    /// Loads the WIT and generates every selected world, touching no environment variable and
    /// writing nothing. This is what `tairitsu bindgen` prints.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the WIT path does not exist, [`Error::Wit`] when it does not parse,
    /// [`Error::UnknownWorld`], [`Error::AmbiguousWorld`], [`Error::UnstableWorld`] or
    /// [`Error::NoWorldSelected`] when the world cannot be chosen, [`Error::Unsupported`] for
    /// WIT the generator cannot bind, and the option errors ([`Error::InvalidRuntimePath`],
    /// [`Error::UnknownResource`], …) for options that are invalid or match nothing.
    pub fn generate(&self) -> Result<Vec<GeneratedWorld>> {
        let loaded = load::load_with(&self.wit_dir, &self.features)?;
        self.generate_loaded(&loaded)
    }

    fn generate_loaded(&self, loaded: &Loaded) -> Result<Vec<GeneratedWorld>> {
        let selected = self.select(loaded)?;
        selected
            .into_iter()
            .map(|(name, world)| {
                let tokens = emit::generate_tokens(&loaded.resolve, world, &self.options)?;
                let qualified = loaded.qualified(world);
                let source = write::format(&qualified, tokens)?;
                Ok(GeneratedWorld {
                    name,
                    world: qualified,
                    source,
                })
            })
            .collect()
    }

    fn select(&self, loaded: &Loaded) -> Result<Vec<(String, WorldId)>> {
        let mut out = Vec::new();
        if self.all_worlds {
            for (name, id) in &loaded.resolve.packages[loaded.package].worlds {
                out.push((name.clone(), *id));
            }
        }
        for w in &self.worlds {
            out.push((file_stem(w), loaded.select_world(Some(w))?));
        }
        if out.is_empty() {
            let id = loaded.select_world(None)?;
            out.push((file_stem(&loaded.resolve.worlds[id].name), id));
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|(name, _)| seen.insert(name.clone()));
        Ok(out)
    }

    /// Generates every selected world and writes each to `<out_dir>/<name>.rs` (only when its
    /// content changed), printing `cargo:rerun-if-changed` lines unless turned off.
    ///
    /// # Errors
    ///
    /// As [`Builder::generate`], plus [`Error::Io`] when writing fails and [`Error::NoOutDir`]
    /// when no output directory is set and `OUT_DIR` is not either (outside a build script).
    pub fn compile(&self) -> Result<()> {
        if self.emit_rerun_if_changed {
            println!("cargo:rerun-if-changed={}", self.wit_dir.display());
        }
        let loaded = load::load_with(&self.wit_dir, &self.features)?;
        if self.emit_rerun_if_changed {
            for file in &loaded.files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        for world in self.generate_loaded(&loaded)? {
            write::write_if_changed(&out_dir.join(format!("{}.rs", world.name)), &world.source)?;
        }
        Ok(())
    }

    /// [`Builder::compile`], and on error prints it to stderr (cargo shows it, with wit-parser's
    /// file, line and caret) and exits with status 1: no panic, no backtrace.
    pub fn compile_or_exit(&self) {
        if let Err(e) = self.compile() {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// The file a world's bindings are written to, without `.rs`: the world as given to
/// [`Builder::world`] with `:`, `/` and `@` turned into `-` (`wasi:cli/command@0.2.12` →
/// `wasi-cli-command-0.2.12`; `my-world` stays). `include_bindings!` applies the same rule to
/// its argument.
pub fn file_stem(world: &str) -> String {
    world
        .chars()
        .map(|c| if matches!(c, ':' | '/' | '@') { '-' } else { c })
        .collect()
}

/// Shortcut for `Builder::new().world(world).compile()`: the world's bindings from `wit/` into
/// `$OUT_DIR/<world>.rs`.
///
/// # Errors
///
/// As [`Builder::compile`].
pub fn compile_world(world: &str) -> Result<()> {
    Builder::new().world(world).compile()
}
