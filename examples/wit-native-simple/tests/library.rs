//! The library parts: each handler alone, the interfaces and their composition, and the guest
//! served by them with other settings and a seeded store.

use tairitsu::{CompositeWitInterface, WitCommandDispatcher, WitCommandHandler, WitInterface};
use wit_native_simple::{
    ConfigCommand, ConfigInterface, ConfigResponse, CounterCommand, CounterResponse, GUEST_WASM,
    KvCommand, KvHandler, KvResponse, Level, LoggerCommand, LoggerResponse, LoggingInterface,
    StdoutLogger, StorageInterface, Store, config_handler, host_interfaces, kv_handler, log, send,
    start, store,
};

#[test]
fn the_hand_written_logger() {
    let mut logger = StdoutLogger::default();
    let answer = logger.execute(LoggerCommand::Log {
        level: Level::Warn,
        message: "careful".into(),
    });
    assert_eq!(answer, Ok(LoggerResponse::Log));
    assert_eq!(logger.lines, ["[warn] careful"]);
}

#[test]
fn the_stateful_and_simple_handlers() {
    let mut kv = kv_handler(Store::from([("a".to_string(), "1".to_string())]));
    assert_eq!(
        kv.execute(KvCommand::Get { key: "a".into() }),
        Ok(KvResponse::Get(Some("1".into())))
    );
    assert_eq!(
        kv.execute(KvCommand::Set {
            key: "a".into(),
            value: "2".into()
        }),
        Ok(KvResponse::Set(Some("1".into())))
    );
    assert_eq!(kv.state()["a"], "2");

    let mut config = config_handler();
    assert_eq!(
        config.execute(ConfigCommand::Get {
            key: "min-length".into()
        }),
        Ok(ConfigResponse::Get(Some("3".into())))
    );
    assert_eq!(
        config.execute(ConfigCommand::Get { key: "nope".into() }),
        Ok(ConfigResponse::Get(None))
    );
}

#[test]
fn the_composite_registers_every_interface() {
    let composite = host_interfaces(false, Store::new());
    assert_eq!(
        composite.interface_names(),
        [
            "example:simple/logger@0.1.0",
            "example:simple/kv@0.1.0",
            "example:simple/config@0.1.0"
        ]
    );
    let mut dispatcher = WitCommandDispatcher::new();
    composite.register_all(&mut dispatcher);
    assert_eq!(dispatcher.len(), 3);
    assert!(dispatcher.handles::<LoggerCommand>());
    assert!(dispatcher.handles::<KvCommand>());
    assert!(dispatcher.handles::<ConfigCommand>());
    assert_eq!(
        ConfigInterface.interface_name(),
        "example:simple/config@0.1.0"
    );

    // Composites nest.
    let outer = CompositeWitInterface::new()
        .with(CompositeWitInterface::new().with(LoggingInterface { print: false }))
        .with(StorageInterface::default());
    let mut dispatcher = WitCommandDispatcher::new();
    dispatcher.register_interface(&outer);
    assert_eq!(dispatcher.len(), 2);
}

/// The guest's answers are made of the host's: without the `config` interface its call traps;
/// with a store the host seeded, its counts go on from the host's numbers.
#[test]
fn the_guest_uses_the_hosts_answers() {
    let seed = Store::from([("the".to_string(), "40".to_string())]);
    let interfaces = CompositeWitInterface::new()
        .with(LoggingInterface { print: false })
        .with(StorageInterface { seed });
    let mut container = start(GUEST_WASM, &interfaces).unwrap();
    // No `config` handler is registered: the guest's first `config.get` traps.
    let err = send(
        &mut container,
        CounterCommand::Count {
            text: "the end".into(),
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("no handler is registered for interface `example:simple/config@0.1.0`"),
        "{err}"
    );

    // With every interface: the seeded count goes on from 40, "THE" is the same word.
    let seed = Store::from([("the".to_string(), "40".to_string())]);
    let mut container = start(GUEST_WASM, &host_interfaces(false, seed)).unwrap();
    assert_eq!(
        send(
            &mut container,
            CounterCommand::Count {
                text: "THE end of it".into()
            }
        )
        .unwrap(),
        CounterResponse::Count("2 words counted (1 new), 2 skipped".into())
    );
    assert_eq!(
        send(
            &mut container,
            CounterCommand::Occurrences { word: "the".into() }
        )
        .unwrap(),
        CounterResponse::Occurrences(41)
    );
    let store = store(&container).unwrap();
    assert_eq!(store["the"], "41");
    assert_eq!(store["end"], "1");
    assert_eq!(
        log(&container).unwrap(),
        [
            r#"[info] counting "THE end of it" (min-length 3)"#,
            "[warn] skipped 2 short words",
            "[debug] 1 new words in the store",
        ]
    );
    // The handler's type is nameable: read it back.
    assert!(
        container
            .data()
            .unwrap()
            .handler::<KvCommand, KvHandler>()
            .is_some()
    );
}
