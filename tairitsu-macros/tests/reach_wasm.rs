//! The command layer reaching wasm: handlers registered on a `WitCommandDispatcher` in a
//! container's host state serve a guest's imports, through the code the macros generate (and,
//! for a derived command, through a hand-written linker function).
//!
//! The guests are `tairitsu-fixtures` components: no wasm target needed.

use std::collections::BTreeMap;

use tairitsu::wasmtime;
use tairitsu::{
    Container, Image, StatefulHandler, WitCommand, WitCommandDispatcher, simple_handler,
    stateful_handler, wit_interface,
};
use tairitsu_fixtures::Bodies;

/// `bindings!` for the fixture world `test:host/host-import`: imports `log` and `math`,
/// exports `run(x) = double(x) + 1` after logging.
mod host {
    tairitsu::bindings!(
        path = "../tairitsu-fixtures/wit/host",
        world = "host-import"
    );
}

use host::test::host::{log::LogCommand, log::LogResponse, math::MathCommand, math::MathResponse};

fn host_import_container(dispatcher: WitCommandDispatcher) -> Container<WitCommandDispatcher> {
    let image = Image::new(tairitsu_fixtures::host_import()).unwrap();
    Container::builder(image)
        .with_host_state(dispatcher)
        .with_wasi(false)
        .with_linker(|linker| host::HostImport::add_to_linker_dispatch(linker, |s| s.data_mut()))
        .with_bindings::<host::HostImport>()
        .build()
        .unwrap()
}

#[test]
fn handlers_on_a_dispatcher_serve_the_guests_imports() {
    let mut dispatcher = WitCommandDispatcher::new();
    dispatcher.register::<LogCommand, _>(stateful_handler!(
        Vec<String>,
        LogCommand,
        |lines, LogCommand::Log { message }| {
            lines.push(message);
            Ok(LogResponse::Log)
        }
    ));
    // Not what the WIT's docs ask for (`x * 2`): the guest must use whatever the host answers.
    dispatcher.register::<MathCommand, _>(simple_handler!(MathCommand, |command| match command {
        MathCommand::Double { x } => Ok(MathResponse::Double(x * 10)),
    }));
    let mut container = host_import_container(dispatcher);

    let answer = container
        .invoke(|guest: &host::HostImport, store| guest.call_run(store, 4))
        .unwrap();
    assert_eq!(
        answer, 41,
        "the guest answers double(4) + 1 with the host's double"
    );
    let answer = container
        .invoke(|guest: &host::HostImport, store| {
            guest.call(store, host::HostImportCommand::Run { x: 7 })
        })
        .unwrap();
    assert_eq!(answer, host::HostImportResponse::Run(71));

    // The guest's log calls reached the stateful handler.
    let dispatcher = container.data().unwrap();
    let log = dispatcher
        .handler::<LogCommand, StatefulHandler<Vec<String>, LogCommand>>()
        .unwrap();
    assert_eq!(log.state(), &["run called", "run called"]);
}

#[test]
fn a_missing_handler_traps_the_guests_call_and_names_the_interface() {
    let mut dispatcher = WitCommandDispatcher::new();
    dispatcher.register::<LogCommand, _>(|_| Ok(LogResponse::Log));
    let mut container = host_import_container(dispatcher);
    let err = container
        .invoke(|guest: &host::HostImport, store| guest.call_run(store, 1))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no handler is registered for interface `test:host/math@0.1.0`"),
        "{err}"
    );
}

#[test]
fn a_failing_handler_traps_the_guests_call_with_its_message() {
    let mut dispatcher = WitCommandDispatcher::new();
    dispatcher.register::<LogCommand, _>(|_| Ok(LogResponse::Log));
    dispatcher.register::<MathCommand, _>(|_| Err("the math service is down".to_string()));
    let mut container = host_import_container(dispatcher);
    let err = container
        .invoke(|guest: &host::HostImport, store| guest.call_run(store, 1))
        .unwrap_err()
        .to_string();
    assert!(err.contains("the math service is down"), "{err}");
}

/// What `bindings!` generated describes the component's own imports and exports.
#[test]
fn the_descriptors_match_the_component() {
    let image = Image::new(tairitsu_fixtures::host_import()).unwrap();
    let mut from_component: Vec<String> = image.imports().iter().map(|f| f.to_wit()).collect();
    let mut generated: Vec<String> = host::HostImport::IMPORTS
        .iter()
        .map(|f| f.to_wit())
        .collect();
    from_component.sort();
    generated.sort();
    assert_eq!(from_component, generated);
    let exports: Vec<String> = image.exports().iter().map(|f| f.to_wit()).collect();
    let generated: Vec<String> = host::HostImport::EXPORTS
        .iter()
        .map(|f| f.to_wit())
        .collect();
    assert_eq!(exports, generated);
}

wit_interface! {
    package test:files;

    /// The README's interface, Rust spelling.
    interface filesystem {
        read: func(path: String) -> Result<Vec<u8>, String>;
        write: func(path: String, data: Vec<u8>) -> Result<(), String>;
        delete: func(path: String) -> Result<(), String>;
        list: func(directory: String) -> Result<Vec<String>, String>;
    }
}

wit_interface! {
    package test:files;

    /// The same functions exported by the guest, WIT spelling: each relays to `filesystem`.
    export interface relay {
        read: func(path: string) -> result<list<u8>, string>;
        write: func(path: string, data: list<u8>) -> result<_, string>;
        delete: func(path: string) -> result<_, string>;
        %list: func(directory: string) -> result<list<string>, string>;
    }
}

#[derive(Default)]
struct MemoryFs {
    files: BTreeMap<String, Vec<u8>>,
}

impl filesystem::FilesystemHandler for MemoryFs {
    fn read(&mut self, path: String) -> Result<Vec<u8>, String> {
        self.files
            .get(&path)
            .cloned()
            .ok_or(format!("no such file: {path}"))
    }

    fn write(&mut self, path: String, data: Vec<u8>) -> Result<(), String> {
        self.files.insert(path, data);
        Ok(())
    }

    fn delete(&mut self, path: String) -> Result<(), String> {
        self.files
            .remove(&path)
            .map(drop)
            .ok_or(format!("no such file: {path}"))
    }

    fn list(&mut self, directory: String) -> Result<Vec<String>, String> {
        Ok(self
            .files
            .keys()
            .filter(|p| p.starts_with(&directory))
            .cloned()
            .collect())
    }
}

/// A guest that imports `filesystem` and exports `relay`, built from the two macros' WIT.
fn relay_guest() -> Vec<u8> {
    let relay_interface = relay::WIT
        .split_once("interface relay")
        .and_then(|(_, rest)| rest.split_once("\n}\n"))
        .map(|(body, _)| format!("interface relay{body}\n}}\n"))
        .expect("the relay WIT has its interface");
    let wit = format!(
        "{}\n{relay_interface}\nworld relayed {{\n    import filesystem;\n    export relay;\n}}\n",
        filesystem::WIT
    );
    tairitsu_fixtures::generate(
        &wit,
        "relayed",
        &Bodies::new().relay_interface("relay", "filesystem"),
    )
    .unwrap()
}

#[test]
fn wit_interface_handlers_serve_a_guest_and_commands_reach_its_exports() {
    use filesystem::{FilesystemCommand, FilesystemService};
    use relay::{RelayCommand, RelayResponse, RelayWorld};

    let mut dispatcher = WitCommandDispatcher::new();
    filesystem::register(&mut dispatcher, MemoryFs::default());
    let image = Image::new(relay_guest()).unwrap();
    let mut container = Container::builder(image)
        .with_host_state(dispatcher)
        .with_wasi(false)
        .with_linker(|linker| filesystem::add_to_linker_dispatch(linker, |s| s.data_mut()))
        .with_bindings::<RelayWorld>()
        .build()
        .unwrap();
    let mut call = |command: RelayCommand| {
        container
            .invoke(|world: &RelayWorld, store| world.relay().call(store, command))
            .unwrap()
    };
    assert_eq!(
        call(RelayCommand::Write {
            path: "notes/a".into(),
            data: b"alpha".to_vec(),
        }),
        RelayResponse::Write(Ok(()))
    );
    call(RelayCommand::Write {
        path: "notes/b".into(),
        data: b"beta".to_vec(),
    });
    assert_eq!(
        call(RelayCommand::Read {
            path: "notes/a".into()
        }),
        RelayResponse::Read(Ok(b"alpha".to_vec()))
    );
    assert_eq!(
        call(RelayCommand::List {
            directory: "notes/".into()
        }),
        RelayResponse::List(Ok(vec!["notes/a".into(), "notes/b".into()]))
    );
    assert_eq!(
        call(RelayCommand::Delete {
            path: "missing".into()
        }),
        RelayResponse::Delete(Err("no such file: missing".into()))
    );
    call(RelayCommand::Delete {
        path: "notes/b".into(),
    });

    // The host's handler holds what the guest wrote, reached back through the dispatcher.
    let dispatcher = container.data_mut().unwrap();
    let fs = dispatcher
        .handler_mut::<FilesystemCommand, FilesystemService<MemoryFs>>()
        .unwrap();
    assert_eq!(
        fs.0.files.keys().collect::<Vec<_>>(),
        ["notes/a"],
        "written and deleted by the guest"
    );
}

/// A hand-written command enum, with a hand-written linker function that dispatches it.
#[derive(Debug, WitCommand)]
#[wit(interface = "test:audit/log", response = ())]
enum AuditCommand {
    Note { event: String },
}

#[test]
fn a_derived_command_reaches_its_handler_from_a_guest() {
    const WIT: &str = "
        package test:audit;
        interface log { note: func(event: string); }
        interface api { note: func(event: string); }
        world audited { import log; export api; }
    ";
    let wasm =
        tairitsu_fixtures::generate(WIT, "audited", &Bodies::new().relay_interface("api", "log"))
            .unwrap();
    let mut dispatcher = WitCommandDispatcher::new();
    dispatcher.register::<AuditCommand, _>(stateful_handler!(
        Vec<String>,
        AuditCommand,
        |events, AuditCommand::Note { event }| {
            events.push(event);
            Ok(())
        }
    ));
    let mut container = Container::builder(Image::new(wasm).unwrap())
        .with_host_state(dispatcher)
        .with_wasi(false)
        .with_linker(|linker| {
            linker.instance(AuditCommand::INTERFACE)?.func_wrap(
                "note",
                |mut store: wasmtime::StoreContextMut<
                    '_,
                    tairitsu::HostState<WitCommandDispatcher>,
                >,
                 (event,): (String,)| {
                    store
                        .data_mut()
                        .data_mut()
                        .dispatch(AuditCommand::Note { event })
                        .map_err(wasmtime::Error::new)
                },
            )
        })
        .build()
        .unwrap();
    container.call_ron(r#"note("started")"#).unwrap();
    container.call_ron(r#"note("stopped")"#).unwrap();
    let events = container
        .data()
        .unwrap()
        .handler::<AuditCommand, StatefulHandler<Vec<String>, AuditCommand>>()
        .unwrap();
    assert_eq!(events.state(), &["started", "stopped"]);
}
