//! `Builder::async_imports(true)` and `async_exports(true)` against the real host-import
//! component on a raw wasmtime `Store`: the guest's `run` calls `log` and `double`, served by
//! handler methods that really await (a tokio timer), and the host calls `run` through a typed
//! caller that awaits `call_async`.

use std::time::{Duration, Instant};

use tairitsu::wasmtime::component::{Component, Linker};
use tairitsu::wasmtime::{Config, Engine, Error, Result, Store};
use tairitsu_build_e2e::async_host_import::HostImport;
use tairitsu_build_e2e::async_host_import::test::host::log::{LogCommand, LogHandler};
use tairitsu_build_e2e::async_host_import::test::host::math::MathHandler;
use tairitsu_build_e2e::async_trappable_host_import as trappable;

fn engine() -> Engine {
    let mut config = Config::new();
    config.concurrency_support(false);
    Engine::new(&config).expect("engine")
}

const NAP: Duration = Duration::from_millis(30);

/// Sleeps in every import, on the tokio timer, and records what it served.
#[derive(Default)]
struct Host {
    logged: Vec<String>,
    doubled: Vec<u32>,
    /// How long the awaits in `double` took, all together.
    awaited: Duration,
    panic_in_double: bool,
}

impl LogHandler for Host {
    async fn log(&mut self, message: String) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.logged.push(message);
    }
}

impl MathHandler for Host {
    async fn double(&mut self, x: u32) -> u32 {
        let start = Instant::now();
        tokio::time::sleep(NAP).await;
        self.awaited += start.elapsed();
        if self.panic_in_double {
            panic!("no doubling today");
        }
        self.doubled.push(x);
        x * 2
    }
}

fn linked(engine: &Engine) -> Result<(Component, Linker<Host>)> {
    let component = Component::new(engine, tairitsu_fixtures::host_import())?;
    let mut linker = Linker::<Host>::new(engine);
    HostImport::add_to_linker(&mut linker, |h| h)?;
    Ok((component, linker))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_import_that_awaits_serves_the_guest_through_an_async_export() -> Result<()> {
    let engine = engine();
    let (component, linker) = linked(&engine)?;
    let mut store = Store::new(&engine, Host::default());
    let guest = HostImport::instantiate_async(&mut store, &component, &linker).await?;

    assert_eq!(guest.call_run(&mut store, 20).await?, 41);
    assert_eq!(guest.call_run(&mut store, 1).await?, 3);
    let host = store.data();
    assert_eq!(host.logged, ["run called", "run called"]);
    assert_eq!(host.doubled, [20, 1]);
    // The handler really waited on the timer, twice, while the guest was suspended.
    assert!(host.awaited >= NAP * 2, "{:?}", host.awaited);

    // The command form awaits too.
    let response = guest
        .call(
            &mut store,
            tairitsu_build_e2e::async_host_import::HostImportCommand::Run { x: 5 },
        )
        .await?;
    assert_eq!(
        response,
        tairitsu_build_e2e::async_host_import::HostImportResponse::Run(11)
    );
    // And so does the handler's provided `handle`.
    let mut host = Host::default();
    LogHandler::handle(
        &mut host,
        LogCommand::Log {
            message: "direct".into(),
        },
    )
    .await;
    assert_eq!(host.logged, ["direct"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_on_many_stores_run_on_tokio_tasks() -> Result<()> {
    let engine = engine();
    let (component, linker) = linked(&engine)?;
    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let (engine, component, linker) = (engine.clone(), component.clone(), linker.clone());
        tasks.push(tokio::spawn(async move {
            let mut store = Store::new(&engine, Host::default());
            let guest = HostImport::instantiate_async(&mut store, &component, &linker).await?;
            let r = guest.call_run(&mut store, i).await?;
            Ok::<_, Error>((i, r, store.into_data().doubled))
        }));
    }
    for task in tasks {
        let (i, r, doubled) = task.await.expect("the task ran")?;
        assert_eq!(r, i * 2 + 1);
        assert_eq!(doubled, [i]);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_an_async_handler_traps_the_call_and_names_the_function() -> Result<()> {
    let engine = engine();
    let (component, linker) = linked(&engine)?;
    let mut store = Store::new(
        &engine,
        Host {
            panic_in_double: true,
            ..Host::default()
        },
    );
    let guest = HostImport::instantiate_async(&mut store, &component, &linker).await?;
    let err = guest.call_run(&mut store, 2).await.unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains(
            "the host handler of `test:host/math@0.1.0#double` panicked: no doubling today"
        ),
        "{text}"
    );
    Ok(())
}

#[test]
fn a_sync_instantiation_with_async_imports_is_an_error() -> Result<()> {
    let engine = engine();
    let (component, linker) = linked(&engine)?;
    let mut store = Store::new(&engine, Host::default());
    let err = match HostImport::instantiate(&mut store, &component, &linker) {
        Ok(_) => panic!("a sync instantiation must not run async imports"),
        Err(e) => e,
    };
    assert!(format!("{err:#}").contains("async"), "{err:#}");
    Ok(())
}

/// Only `double` async, trappable: `log` stays a plain method; an `Err` from the awaiting
/// `double` traps the call.
#[derive(Default)]
struct Picky {
    logged: Vec<String>,
}

impl trappable::test::host::log::LogHandler for Picky {
    fn log(&mut self, message: String) -> Result<()> {
        self.logged.push(message);
        Ok(())
    }
}

impl trappable::test::host::math::MathHandler for Picky {
    async fn double(&mut self, x: u32) -> Result<u32> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        if x % 2 == 1 {
            return Err(Error::msg(format!("{x} is odd")));
        }
        Ok(x * 2)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_async_function_chosen_by_name_traps_on_err() -> Result<()> {
    let engine = engine();
    let component = Component::new(&engine, tairitsu_fixtures::host_import())?;
    let mut linker = Linker::<Picky>::new(&engine);
    trappable::HostImport::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Picky::default());
    let guest = trappable::HostImport::instantiate_async(&mut store, &component, &linker).await?;
    assert_eq!(guest.call_run(&mut store, 4).await?, 9);
    let err = guest.call_run(&mut store, 3).await.unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("the host handler of `test:host/math@0.1.0#double` failed: 3 is odd"),
        "{text}"
    );
    assert_eq!(store.data().logged, ["run called", "run called"]);
    Ok(())
}
