//! Hand-written `WitCommandHandler`, `WitInterface` and `CompositeWitInterface`, serving a real
//! guest.
//!
//! ```text
//! cargo run -p wit-native-simple
//! ```
//!
//! The guest counts words. It reads its settings from the host (`config`, a `simple_handler!`),
//! logs through the host (`logger`, a hand-written handler) and keeps its counts in the host's
//! store (`kv`, a `stateful_handler!`); the three interfaces are composed and registered on one
//! dispatcher.

use anyhow::Result;
use tairitsu::WitInterface;
use wit_native_simple::{CounterCommand, GUEST_WASM, WordCounter, host_interfaces, send, start};

fn main() -> Result<()> {
    let interfaces = host_interfaces(true, Default::default());
    println!(
        "host    {} interfaces: {}",
        interfaces.interface_name(),
        interfaces.interface_names().join(", ")
    );
    let mut container = start(GUEST_WASM, &interfaces)?;

    for text in ["The cat sat on the mat.", "A cat, a hat, THE END"] {
        let command = CounterCommand::Count { text: text.into() };
        println!("command {}", command.to_ron()?);
        println!("answer  {}", send(&mut container, command)?.to_ron()?);
    }
    // The typed caller of the same export, without a command.
    for word in ["the", "cat", "on"] {
        let n = container
            .invoke(|world: &WordCounter, store| world.counter().call_occurrences(store, word))?;
        println!("typed   occurrences({word:?}) = {n}");
    }

    let store = wit_native_simple::store(&container).expect("the kv handler is registered");
    let counts: Vec<String> = store.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("host    store: {}", counts.join(" "));
    let log = wit_native_simple::log(&container).expect("the logger is registered");
    println!("host    {} log lines from the guest", log.len());
    Ok(())
}
