//! `Builder::trappable_imports(true)`: handler methods return `wasmtime::Result`, and an `Err`
//! traps the guest's call with that error, the function named in its context.

use std::collections::HashMap;

use tairitsu::wasmtime::component::{Component, Linker, Resource};
use tairitsu::wasmtime::{Config, Engine, Error, Result, Store};
use tairitsu::{WitCommand, WitCommandDispatcher};
use tairitsu_build_e2e::trappable::blob_user::BlobUser;
use tairitsu_build_e2e::trappable::blob_user::test::blobs::blobs::{Blob, BlobsHandler};
use tairitsu_build_e2e::trappable::host_import::HostImport;
use tairitsu_build_e2e::trappable::host_import::test::host::log::LogHandler;
use tairitsu_build_e2e::trappable::host_import::test::host::math::{
    self, MathCommand, MathHandler, MathResponse,
};

fn engine() -> Engine {
    let mut config = Config::new();
    config.concurrency_support(false);
    Engine::new(&config).expect("engine")
}

/// Doubles even numbers; refuses odd ones with an error.
#[derive(Default)]
struct Host {
    logged: Vec<String>,
}

impl LogHandler for Host {
    fn log(&mut self, message: String) -> Result<()> {
        self.logged.push(message);
        Ok(())
    }
}

impl MathHandler for Host {
    fn double(&mut self, x: u32) -> Result<u32> {
        if x % 2 == 1 {
            return Err(Error::msg(format!("{x} is odd")));
        }
        Ok(x * 2)
    }
}

#[test]
fn an_err_from_a_handler_traps_the_call_and_names_the_function() -> Result<()> {
    let engine = engine();
    let component = Component::new(&engine, tairitsu_fixtures::host_import())?;
    let mut linker = Linker::<Host>::new(&engine);
    HostImport::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let guest = HostImport::instantiate(&mut store, &component, &linker)?;

    assert_eq!(guest.call_run(&mut store, 20)?, 41);
    let err = guest.call_run(&mut store, 3).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("the host handler of `test:host/math@0.1.0#double` failed: 3 is odd"),
        "{text}"
    );
    assert_eq!(store.data().logged, ["run called", "run called"]);

    // `handle` passes the error on, and so does the dispatcher.
    let mut host = Host::default();
    assert_eq!(
        MathHandler::handle(&mut host, MathCommand::Double { x: 4 })?,
        MathResponse::Double(8)
    );
    assert!(MathHandler::handle(&mut host, MathCommand::Double { x: 5 }).is_err());
    let mut dispatcher = WitCommandDispatcher::new();
    math::register(&mut dispatcher, Host::default());
    let err = dispatcher
        .dispatch(MathCommand::Double { x: 5 })
        .unwrap_err();
    assert!(err.to_string().contains("5 is odd"), "{err}");
    assert_eq!(MathCommand::Double { x: 1 }.command_name(), "double");
    Ok(())
}

/// Blobs by rep; the drop of blob 1 fails.
#[derive(Default)]
struct Blobs {
    next: u32,
    live: HashMap<u32, Vec<u8>>,
}

impl BlobsHandler for Blobs {
    fn blob_new(&mut self, data: Vec<u8>) -> Result<Resource<Blob>> {
        let rep = self.next;
        self.next += 1;
        self.live.insert(rep, data);
        Ok(Resource::new_own(rep))
    }

    fn blob_size(&mut self, blob: Resource<Blob>) -> Result<u32> {
        let data = self
            .live
            .get(&blob.rep())
            .ok_or_else(|| Error::msg("no such blob"))?;
        Ok(data.len() as u32)
    }

    fn blob_drop(&mut self, blob: Resource<Blob>) -> Result<()> {
        if blob.rep() == 1 {
            return Err(Error::msg("blob 1 is pinned"));
        }
        self.live.remove(&blob.rep());
        Ok(())
    }
}

#[test]
fn an_err_from_a_drop_traps_the_call_that_dropped() -> Result<()> {
    let engine = engine();
    let component = Component::new(&engine, tairitsu_fixtures::blob_user())?;
    let mut linker = Linker::<Blobs>::new(&engine);
    BlobUser::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Blobs::default());
    let guest = BlobUser::instantiate(&mut store, &component, &linker)?;
    assert_eq!(guest.call_blob_size(&mut store, &[1, 2])?, 2);
    let err = guest.call_blob_size(&mut store, &[1]).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("the host handler of `test:blobs/blobs@0.1.0#[resource-drop]blob` failed: blob 1 is pinned"),
        "{text}"
    );
    Ok(())
}

#[test]
fn in_a_container_an_err_is_a_host_failure_and_restart_recovers() {
    use tairitsu::{Container, ContainerState, HostState, Image};

    let image = Image::from_bytes(tairitsu_fixtures::host_import()).unwrap();
    let mut c = Container::builder(image)
        .with_host_state(Host::default())
        .with_linker(|linker| HostImport::add_to_linker(linker, HostState::data_mut))
        .with_bindings::<HostImport>()
        .build()
        .unwrap();
    assert_eq!(
        c.invoke(|g: &HostImport, store| g.call_run(store, 10))
            .unwrap(),
        21
    );
    let err = c
        .invoke(|g: &HostImport, store| g.call_run(store, 7))
        .unwrap_err();
    assert!(matches!(err, tairitsu::Error::Host { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("the host handler of `test:host/math@0.1.0#double` failed: 7 is odd"),
        "{err}"
    );
    assert!(matches!(c.state(), ContainerState::Failed { .. }));
    c.restart().unwrap();
    assert_eq!(
        c.invoke(|g: &HostImport, store| g.call_run(store, 2))
            .unwrap(),
        5
    );
}
