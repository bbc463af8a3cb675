//! The quick start: load a real component, look at what it offers, start a container, call it.
//!
//! ```text
//! cargo run -p wit-runtime                 # the bundled greeter plugin
//! cargo run -p wit-runtime -- plugin.wasm  # any component; calls nothing it does not know
//! ```
//!
//! The host knows nothing about the plugin at compile time: it reads the component's WIT,
//! serves its imports with closures defined at run time, and calls its exports with RON text.

use anyhow::Result;
use tairitsu::dynamic::HostImports;
use tairitsu::{Container, Image};

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| env!("GREETER_WASM").to_string());

    // 1. An image: the component, compiled once (or read from the artifact cache).
    let image = Image::from_file(&path)?.tagged("greeter:0.1.0")?;
    println!(
        "image  {} ({} bytes, {:?})",
        image.digest(),
        image.size(),
        image.origin()
    );

    // 2. What it imports and exports, read from the component itself.
    let (wasi, own): (Vec<_>, Vec<_>) = image.imports().iter().partition(|f| {
        f.interface
            .as_deref()
            .is_some_and(|i| i.starts_with("wasi:"))
    });
    for f in own {
        println!(
            "import {}  {}",
            f.interface.as_deref().unwrap_or("(world)"),
            f.to_wit()
        );
    }
    if !wasi.is_empty() {
        println!(
            "import ({} WASI functions, served by the sandbox)",
            wasi.len()
        );
    }
    for f in image.exports() {
        println!(
            "export {}  {}",
            f.interface.as_deref().unwrap_or("(world)"),
            f.to_wit()
        );
    }
    for t in image.world().types.iter().filter(|t| {
        !t.interface
            .as_deref()
            .is_some_and(|i| i.starts_with("wasi:"))
    }) {
        println!("type   {}", t.wit);
    }

    // 3. A container: the host serves `log` with a closure that takes RON and answers RON.
    let imports = HostImports::new()
        .ron_func("tairitsu:greeter/host#log", |args| {
            println!("guest  log{args}");
            Ok("()".to_string())
        })
        // Imports of other components are trapped rather than refused, so any component runs.
        .define_unknown_imports_as_traps(true);
    let mut container = Container::builder(image.clone())
        .with_host_imports(imports)
        .build()?;

    // 4. Calls, written as text. Only the greeter's functions are called by name.
    if image.exports().iter().any(|f| f.name == "greet") {
        for call in [
            r#"greet("world")"#,
            r#"describe(name: "Tairitsu", loud: true)"#,
            "add(40, 2)",
            "min-max([2.5, -1.0, 8.0])",
            "min-max([])",
        ] {
            println!("call   {call} -> {}", container.call_ron(call)?);
        }
        println!(
            "wave   {}",
            container.call_wave(r#"describe("wave", false)"#)?
        );
    }
    Ok(())
}
