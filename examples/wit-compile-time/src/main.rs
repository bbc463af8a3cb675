//! Compile-time bindings: `tairitsu-build` turned `wit/analytics` into Rust in `build.rs`, and
//! this host uses it with full types, no strings, no `Val`s.
//!
//! ```text
//! cargo run -p wit-compile-time
//! ```

use std::collections::HashMap;

use anyhow::Result;
use tairitsu::{Container, HostState, Image};

/// The generated bindings. A module of their own keeps the WIT namespace (`tairitsu:`, here)
/// from shadowing crate names.
mod bindings {
    ::tairitsu::include_bindings!("analytics");
}

use bindings::Analytics;
use bindings::exports::tairitsu::analytics::analyzer::{
    AnalyzerCommand, AnalyzerResponse, Features,
};
use bindings::tairitsu::analytics::storage::StorageHandler;

/// The host's side of the `storage` import: a map, and a log of what the guest asked.
#[derive(Default)]
struct Storage {
    values: HashMap<String, String>,
    log: Vec<String>,
}

impl StorageHandler for Storage {
    fn set(&mut self, key: String, value: String) -> Option<String> {
        self.log.push(format!("set {key} = {value}"));
        self.values.insert(key, value)
    }

    fn get(&mut self, key: String) -> Option<String> {
        self.log.push(format!("get {key}"));
        self.values.get(&key).cloned()
    }
}

fn main() -> Result<()> {
    let image = Image::from_file(env!("ANALYTICS_WASM"))?;
    let mut container = Container::builder(image)
        .with_host_state(Storage::default())
        // Every import of the world, served by the host state's handler traits.
        .with_linker(|linker| Analytics::add_to_linker(linker, HostState::data_mut))
        // The typed exports, loaded after every start.
        .with_bindings::<Analytics>()
        .build()?;

    // Typed callers: Rust values in, Rust values out.
    let text = "I love this library! Is it fast? It is great, 100 percent great.";
    let report = container
        .invoke(|guest: &Analytics, store| guest.analyzer().call_analyze(store, text))?
        .map_err(|problem| anyhow::anyhow!("the guest refused the text: {problem:?}"))?;
    println!("report: {report:?}");
    println!(
        "mood {:?}, {} words, questions: {}",
        report.mood,
        report.words,
        report.features.contains(Features::HAS_QUESTIONS)
    );
    // The same value as RON, exactly what the dynamic path writes for it.
    println!("as RON: {}", report.to_ron()?);

    let top = container
        .invoke(|guest: &Analytics, store| guest.analyzer().call_top_words(store, text, 3))?;
    println!("top words: {top:?}");

    // Commands: one enum per interface, for queues, logs and dispatch tables.
    let command = AnalyzerCommand::Analyze {
        text: String::new(),
    };
    println!(
        "command {} as RON: {}",
        command.function_name(),
        command.to_ron()?
    );
    let response =
        container.invoke(|guest: &Analytics, store| guest.analyzer().call(store, command))?;
    if let AnalyzerResponse::Analyze(Err(problem)) = &response {
        println!("empty text: {problem:?}");
    }

    let analyzed =
        container.invoke(|guest: &Analytics, store| guest.analyzer().call_analyzed(store))?;
    println!("texts analysed: {analyzed}");
    println!(
        "the guest asked the host: {:?}",
        container.data().map(|s| &s.log)
    );

    // What the bindings know without a component: every function, as WIT.
    for f in Analytics::EXPORTS {
        println!("export {}", f.to_wit());
    }
    Ok(())
}
