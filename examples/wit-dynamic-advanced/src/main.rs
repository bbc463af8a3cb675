//! The dynamic path at full stretch: no generated code, every value as text or `Val`.
//!
//! ```text
//! cargo run -p wit-dynamic-advanced
//! ```
//!
//! 1. discovery: what the component imports and exports, with its named types, as WIT;
//! 2. host imports defined at run time: `storage` served by closures, one over RON text and one
//!    over `Val`s, sharing one map;
//! 3. the same export called three ways: RON, WAVE and `Val`;
//! 4. errors that name the place and the expected type;
//! 5. host-side RON tools (`RonToolRegistry`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use tairitsu::dynamic::HostImports;
use tairitsu::tools::{RonToolRegistry, typed_ron_tool};
use tairitsu::wasmtime::component::Val;
use tairitsu::{Container, Image};

fn main() -> Result<()> {
    let image = Image::from_file(env!("ANALYTICS_WASM"))?;

    // 1. Discovery, from the component alone.
    println!("== discovery");
    for f in image
        .imports()
        .iter()
        .filter(|f| is_own(f.interface.as_deref()))
    {
        println!("import {}", f.to_wit());
    }
    for f in image.exports() {
        println!("export {}", f.to_wit());
    }
    for t in image
        .world()
        .types
        .iter()
        .filter(|t| is_own(t.interface.as_deref()))
    {
        println!("type   {}", t.wit);
    }

    // 2. Host imports at run time: `set` over RON text, `get` over `Val`s, one map behind both.
    let map: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let (for_set, for_get) = (map.clone(), map.clone());
    let imports = HostImports::new()
        .ron_func("tairitsu:analytics/storage#set", move |args| {
            // `args` is the RON of the argument list, `("key","value")`.
            let (key, value): (String, String) =
                tairitsu::serde_ron::from_str(args).map_err(|e| e.to_string())?;
            println!("host   set{args}");
            let old = for_set
                .lock()
                .map_err(|e| e.to_string())?
                .insert(key, value);
            tairitsu::serde_ron::to_string(&old).map_err(|e| e.to_string())
        })
        .func("tairitsu:analytics/storage#get", move |args: &[Val]| {
            let [Val::String(key)] = args else {
                return Err(format!("expected one string, got {args:?}"));
            };
            println!("host   get({key:?})");
            let value = for_get.lock().map_err(|e| e.to_string())?.get(key).cloned();
            Ok(vec![Val::Option(value.map(|v| Box::new(Val::String(v))))])
        });
    let mut container = Container::builder(image)
        .with_host_imports(imports)
        .build()?;

    // 3. One export, three ways.
    println!("== calls");
    let text = "Rust is great. Wasm is great too!";
    let ron = container.call_ron(&format!("analyze({text:?})"))?;
    println!("RON    analyze -> {ron}");
    let wave = container.call_wave(&format!("analyze({text:?})"))?;
    println!("WAVE   analyze -> {wave}");
    let vals =
        container.call_guest_binary("top-words", &[Val::String(text.into()), Val::U32(2)])?;
    println!("Val    top-words -> {vals:?}");
    println!(
        "RON    top-words(text: {text:?}, n: 1) -> {}",
        container.call_ron(&format!("top-words(text: {text:?}, n: 1)"))?
    );
    println!(
        "RON    analyze(\"\") -> {}",
        container.call_ron(r#"analyze("")"#)?
    );
    println!("RON    analyzed() -> {}", container.call_ron("analyzed()")?);
    println!(
        "host map: {:?}",
        map.lock().map_err(|e| anyhow::anyhow!("{e}"))?
    );

    // 4. Errors name the place and the expected WIT type; the container keeps running.
    println!("== errors");
    for bad in ["top-words(\"x\", -1)", "top-words(\"x\")", "analyse(\"x\")"] {
        match container.call_ron(bad) {
            Ok(out) => println!("{bad} -> unexpectedly {out}"),
            Err(e) => println!("{bad} -> error: {e}"),
        }
    }

    // 5. Host-side tools, invoked by name with RON input.
    println!("== RON tools");
    #[derive(Deserialize)]
    struct Sum {
        a: i64,
        b: i64,
    }
    #[derive(Serialize)]
    struct Total {
        total: i64,
    }
    let mut tools = RonToolRegistry::new();
    tools.register(
        "sum".to_string(),
        typed_ron_tool("sum", |s: Sum| Total { total: s.a + s.b }),
    );
    tools.register(
        "shout".to_string(),
        typed_ron_tool("shout", |s: String| s.to_uppercase()),
    );
    println!(
        "sum(a: 42, b: 58) -> {}",
        tools.invoke("sum", "(a: 42, b: 58)")?
    );
    println!("shout(\"hi\") -> {}", tools.invoke("shout", r#""hi""#)?);
    Ok(())
}

/// The plugin's own interfaces, not WASI's.
fn is_own(interface: Option<&str>) -> bool {
    !interface.is_some_and(|i| i.starts_with("wasi:"))
}
