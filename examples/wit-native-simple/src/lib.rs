//! The trait path: the host serves a guest with handlers written by hand, grouped into
//! interfaces and composed.
//!
//! `tairitsu::bindings!` reads the guest's WIT (`wit/simple`) and generates the command enums
//! (`LoggerCommand`, `KvCommand`, `ConfigCommand`, …) and the linker wiring. Everything that
//! answers those commands is written here, four ways:
//!
//! - [`StdoutLogger`]: a struct implementing [`WitCommandHandler`] by hand;
//! - the `kv` store: [`stateful_handler!`], a map as its state;
//! - the `config` settings: [`simple_handler!`], stateless;
//! - [`LoggingInterface`] and [`StorageInterface`] implement [`WitInterface`] by hand,
//!   [`ConfigInterface`] through [`impl_wit_interface!`], and [`host_interfaces`] composes the
//!   three into one [`CompositeWitInterface`] that registers everything on a dispatcher at once.
//!
//! The dispatcher is the container's host state; the world's `add_to_linker_dispatch` turns each
//! of the guest's import calls into a command dispatched to these handlers.

use std::collections::BTreeMap;

use tairitsu::{
    CompositeWitInterface, Container, HostState, Image, StatefulHandler, WitCommandDispatcher,
    WitCommandHandler, WitInterface, impl_wit_interface, simple_handler, stateful_handler,
};

/// The bindings of world `example:simple/word-counter`, generated from `wit/simple` by the
/// macro at compile time.
pub mod bindings {
    tairitsu::bindings!(path = "../../wit/simple", world = "word-counter");
}

pub use bindings::WordCounter;
pub use bindings::example::simple::config::{ConfigCommand, ConfigResponse};
pub use bindings::example::simple::kv::{KvCommand, KvResponse};
pub use bindings::example::simple::logger::{Level, LoggerCommand, LoggerResponse};
pub use bindings::exports::example::simple::counter::{CounterCommand, CounterResponse};

/// The guest component `build.rs` built from `examples/guests/wordcount`.
pub const GUEST_WASM: &str = env!("WORDCOUNT_WASM");

/// The `logger` handler, written by hand: prints each line and keeps a copy.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StdoutLogger {
    /// Lines logged so far, as printed (`[info] …`).
    pub lines: Vec<String>,
    /// Whether to print them too.
    pub print: bool,
}

impl WitCommandHandler<LoggerCommand> for StdoutLogger {
    fn execute(&mut self, command: LoggerCommand) -> Result<LoggerResponse, String> {
        match command {
            LoggerCommand::Log { level, message } => {
                let level = match level {
                    Level::Debug => "debug",
                    Level::Info => "info",
                    Level::Warn => "warn",
                };
                let line = format!("[{level}] {message}");
                if self.print {
                    println!("guest   {line}");
                }
                self.lines.push(line);
                Ok(LoggerResponse::Log)
            }
        }
    }
}

/// The `kv` store's state.
pub type Store = BTreeMap<String, String>;

/// How the `kv` handler sits in the dispatcher.
pub type KvHandler = StatefulHandler<Store, KvCommand>;

/// The `kv` handler: [`stateful_handler!`] over a map that starts with `initial`.
pub fn kv_handler(initial: Store) -> KvHandler {
    stateful_handler!(Store = initial, KvCommand, |store, command| Ok(
        match command {
            KvCommand::Get { key } => KvResponse::Get(store.get(&key).cloned()),
            KvCommand::Set { key, value } => KvResponse::Set(store.insert(key, value)),
        }
    ))
}

/// The settings the `config` handler answers with.
pub const SETTINGS: &[(&str, &str)] = &[("min-length", "3"), ("case", "insensitive")];

/// The `config` handler: [`simple_handler!`], stateless, answering from [`SETTINGS`].
pub fn config_handler() -> tairitsu::SimpleHandler<ConfigCommand> {
    simple_handler!(ConfigCommand, |ConfigCommand::Get { key }| {
        let value = SETTINGS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string());
        Ok(ConfigResponse::Get(value))
    })
}

/// The `logger` interface: registers a [`StdoutLogger`]. [`WitInterface`] implemented by hand.
#[derive(Debug, Clone, Copy)]
pub struct LoggingInterface {
    /// Whether the logger prints.
    pub print: bool,
}

impl WitInterface for LoggingInterface {
    fn interface_name(&self) -> &'static str {
        bindings::example::simple::logger::INTERFACE
    }

    fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
        dispatcher.register::<LoggerCommand, _>(StdoutLogger {
            lines: Vec::new(),
            print: self.print,
        });
    }
}

/// The `kv` interface: registers the store, seeded with `seed`. [`WitInterface`] implemented by
/// hand.
#[derive(Debug, Clone, Default)]
pub struct StorageInterface {
    /// What the store holds before the guest runs.
    pub seed: Store,
}

impl WitInterface for StorageInterface {
    fn interface_name(&self) -> &'static str {
        bindings::example::simple::kv::INTERFACE
    }

    fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
        dispatcher.register::<KvCommand, _>(kv_handler(self.seed.clone()));
    }
}

/// The `config` interface, implemented with [`impl_wit_interface!`].
#[derive(Debug, Clone, Copy)]
pub struct ConfigInterface;

impl_wit_interface!(
    ConfigInterface,
    bindings::example::simple::config::INTERFACE,
    fn register_handlers(&self, dispatcher: &mut WitCommandDispatcher) {
        dispatcher.register::<ConfigCommand, _>(config_handler());
    }
);

/// Everything the guest imports, as one composite: logging and storage (and the settings).
pub fn host_interfaces(print: bool, seed: Store) -> CompositeWitInterface {
    CompositeWitInterface::new()
        .with(LoggingInterface { print })
        .with(StorageInterface { seed })
        .with(ConfigInterface)
}

/// A container running the component at `wasm`, every import served by the handlers of
/// `interfaces` through a dispatcher in the host state.
///
/// # Errors
///
/// When the component cannot be read or compiled, or does not fit the world.
pub fn start(
    wasm: &str,
    interfaces: &CompositeWitInterface,
) -> tairitsu::Result<Container<WitCommandDispatcher>> {
    let mut dispatcher = WitCommandDispatcher::new();
    interfaces.register_all(&mut dispatcher);
    Container::builder(Image::from_file(wasm)?)
        .with_host_state(dispatcher)
        .with_linker(|linker| WordCounter::add_to_linker_dispatch(linker, HostState::data_mut))
        .with_bindings::<WordCounter>()
        .build()
}

/// Sends one command to the guest's `counter` export.
///
/// # Errors
///
/// When the guest traps (or a host handler fails, which traps the guest's call).
pub fn send(
    container: &mut Container<WitCommandDispatcher>,
    command: CounterCommand,
) -> tairitsu::Result<CounterResponse> {
    container.invoke(|world: &WordCounter, store| world.counter().call(store, command))
}

/// The store as the guest left it.
pub fn store(container: &Container<WitCommandDispatcher>) -> Option<&Store> {
    let handler = container.data()?.handler::<KvCommand, KvHandler>()?;
    Some(handler.state())
}

/// The lines the guest logged.
pub fn log(container: &Container<WitCommandDispatcher>) -> Option<&[String]> {
    let logger = container.data()?.handler::<LoggerCommand, StdoutLogger>()?;
    Some(&logger.lines)
}
