//! `tairitsu inspect`: what a component imports and exports, as WIT.

use std::fmt::Write as _;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::Serialize;
use tairitsu_runtime::{FunctionSignature, Image, StoredImage};

use crate::cli::InspectArgs;
use crate::error::CliError;
use crate::load::{self, Loaded};
use crate::output::{out, outln};
use crate::units::{format_age, format_size};

/// `tairitsu inspect COMPONENT [--json]`.
pub fn inspect(args: &InspectArgs, store: Option<&Path>) -> Result<(), CliError> {
    let loaded = load::load(&args.component, store, None)?;
    print(&loaded, args.json)
}

/// Prints a loaded component as text or JSON.
pub fn print(loaded: &Loaded, json: bool) -> Result<(), CliError> {
    if json {
        let report = Report::new(loaded);
        let text = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
        outln!("{text}");
    } else {
        out!("{}", render(loaded));
    }
    Ok(())
}

/// The JSON form.
#[derive(Serialize)]
struct Report<'a> {
    source: &'a str,
    digest: String,
    size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<StoreReport>,
    /// Whether it is a `wasi:cli/command` (exports `wasi:cli/run`), for `tairitsu run`.
    command: bool,
    imports: Vec<Function>,
    exports: Vec<Function>,
    types: Vec<Type<'a>>,
}

#[derive(Serialize)]
struct StoreReport {
    references: Vec<String>,
    /// `registry/repository@sha256:…`: what to pull to get exactly this image.
    repo_digests: Vec<String>,
    path: String,
    /// Seconds since the Unix epoch.
    loaded: Option<u64>,
}

#[derive(Serialize)]
struct Function {
    interface: Option<String>,
    name: String,
    qualified: String,
    params: Vec<Param>,
    result: Option<String>,
    wit: String,
}

#[derive(Serialize)]
struct Param {
    name: String,
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Serialize)]
struct Type<'a> {
    interface: Option<&'a str>,
    name: &'a str,
    wit: &'a str,
}

impl<'a> Report<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let image = &loaded.image;
        let world = image.world();
        Report {
            source: &loaded.source,
            digest: image.digest(),
            size: image.size(),
            store: loaded.stored.as_ref().map(|s| StoreReport {
                references: s.references.clone(),
                repo_digests: s.repo_digests.clone(),
                path: s.path.display().to_string(),
                loaded: s
                    .loaded
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs()),
            }),
            command: is_command(image),
            imports: world.imports.iter().map(Function::new).collect(),
            exports: world.exports.iter().map(Function::new).collect(),
            types: world
                .types
                .iter()
                .map(|t| Type {
                    interface: t.interface.as_deref(),
                    name: &t.name,
                    wit: &t.wit,
                })
                .collect(),
        }
    }
}

impl Function {
    fn new(f: &FunctionSignature) -> Self {
        Function {
            interface: f.interface.as_deref().map(str::to_string),
            name: f.name.to_string(),
            qualified: f.qualified_name(),
            params: f
                .params
                .iter()
                .map(|p| Param {
                    name: p.name.to_string(),
                    ty: p.ty.to_string(),
                })
                .collect(),
            result: f.result.as_deref().map(str::to_string),
            wit: f.to_wit(),
        }
    }
}

/// The text form:
///
/// ```text
/// calc.wasm
///   digest  sha256:…
///   size    1.2 KiB (1234 bytes)
///
/// imports: none
///
/// exports:
///   version: func() -> string
///   test:calc/api@0.1.0
///     add: func(a: s32, b: s32) -> s32
/// ```
fn render(loaded: &Loaded) -> String {
    let image = &loaded.image;
    let mut out = String::new();
    let _ = writeln!(out, "{}", loaded.source);
    let _ = writeln!(out, "  digest  {}", image.digest());
    let _ = writeln!(
        out,
        "  size    {} ({} bytes)",
        format_size(image.size() as u64),
        image.size()
    );
    if let Some(stored) = &loaded.stored {
        render_stored(&mut out, stored);
    }
    let world = image.world();
    render_functions(&mut out, "imports", &world.imports);
    render_functions(&mut out, "exports", &world.exports);
    if !world.types.is_empty() {
        out.push_str("\ntypes:\n");
        let mut current: Option<Option<&str>> = None;
        for ty in &world.types {
            let interface = ty.interface.as_deref();
            let indent = match interface {
                Some(name) => {
                    if current != Some(Some(name)) {
                        let _ = writeln!(out, "  {name}");
                    }
                    "    "
                }
                None => "  ",
            };
            current = Some(interface);
            let _ = writeln!(out, "{indent}{}", ty.wit);
        }
    }
    if is_command(image) {
        out.push_str("\nThis is a `wasi:cli/command`: run it with `tairitsu run`.\n");
    }
    out
}

fn render_stored(out: &mut String, stored: &StoredImage) {
    let references = if stored.references.is_empty() {
        "<none>".to_string()
    } else {
        stored.references.join(", ")
    };
    let _ = writeln!(out, "  tags    {references}");
    // The registry digests, to pin the image by (`tairitsu image pull REGISTRY/REPO@sha256:…`).
    for pinned in &stored.repo_digests {
        let _ = writeln!(out, "  pinned  {pinned}");
    }
    if let Some(age) = stored.loaded.and_then(|t| t.elapsed().ok()) {
        let _ = writeln!(out, "  loaded  {}", format_age(age));
    }
    let _ = writeln!(out, "  file    {}", stored.path.display());
}

fn render_functions(out: &mut String, title: &str, functions: &[FunctionSignature]) {
    if functions.is_empty() {
        let _ = writeln!(out, "\n{title}: none");
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    // Root functions first, then each interface with its functions.
    for f in functions.iter().filter(|f| f.interface.is_none()) {
        let _ = writeln!(out, "  {}", f.to_wit());
    }
    let mut current: Option<&str> = None;
    for f in functions.iter().filter(|f| f.interface.is_some()) {
        let interface = f.interface.as_deref();
        if current != interface {
            let _ = writeln!(out, "  {}", interface.unwrap_or_default());
            current = interface;
        }
        let _ = writeln!(out, "    {}", f.to_wit());
    }
}

/// Whether the component exports `wasi:cli/run`.
pub fn is_command(image: &Image) -> bool {
    image.resolve_export("wasi:cli/run#run").is_ok()
}
