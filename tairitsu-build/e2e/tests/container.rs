//! Generated bindings inside a `Container`: `with_linker` serves the imports from the host
//! state, `with_bindings` loads the typed guest after every start, `invoke` calls it under the
//! container's deadline and failure tracking.

mod common;

use common::*;
use tairitsu::{Container, ContainerState, Error, HostState, Image};
use tairitsu_build_e2e::kitchen::Kitchen;
use tairitsu_build_e2e::root::Root;

fn kitchen_container(host: Host) -> Container<Host> {
    let image = Image::from_bytes(tairitsu_fixtures::kitchen()).unwrap();
    Container::builder(image)
        .with_host_state(host)
        .with_linker(|linker| Kitchen::add_to_linker(linker, HostState::data_mut))
        .with_bindings::<Kitchen>()
        .build()
        .unwrap()
}

#[test]
fn the_typed_guest_comes_out_of_the_container() {
    let mut c = kitchen_container(Host::default());
    assert!(c.guest_as::<Kitchen>().is_some());
    let p = c
        .invoke(|k: &Kitchen, store| k.echo().call_echo_point(store, &point(3, -4)))
        .unwrap();
    assert_eq!(p, point(3, -4));
    // Through the host's handler and back.
    let n = c
        .invoke(|k: &Kitchen, store| k.relay().call_echo_u64(store, u64::MAX))
        .unwrap();
    assert_eq!(n, u64::MAX);
    assert_eq!(c.data().unwrap().calls, ["echo_u64"]);
    // The imported resource, through the host's table.
    let size = c
        .invoke(|k: &Kitchen, store| k.call_blob_size(store, &[1, 2, 3]))
        .unwrap();
    assert_eq!(size, 3);
    assert_eq!(c.data().unwrap().dropped.len(), 1);
    // The dynamic path works on the same container.
    assert_eq!(c.call_ron("echo.echo-u8(7)").unwrap(), "7");
}

#[test]
fn a_panicking_handler_fails_the_call_and_restart_reloads_the_bindings() {
    let mut c = kitchen_container(Host {
        panic_on: Some("echo_string"),
        ..Host::default()
    });
    let err = c
        .invoke(|k: &Kitchen, store| k.relay().call_echo_string(store, "x"))
        .unwrap_err();
    assert!(err.to_string().contains("echo-string"), "{err}");
    assert!(matches!(c.state(), ContainerState::Failed { .. }));
    c.data_mut().unwrap().panic_on = None;
    c.restart().unwrap();
    assert_eq!(c.generation(), 2);
    let s = c
        .invoke(|k: &Kitchen, store| k.relay().call_echo_string(store, "ok"))
        .unwrap();
    assert_eq!(s, "ok");
}

#[test]
fn wrong_bindings_are_an_error_not_a_panic() {
    let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let err = Container::builder(image)
        .with_bindings::<Kitchen>()
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Instantiate { .. }), "{err}");
    assert!(err.to_string().contains("test:kitchen/kitchen"), "{err}");

    // Asking for another guest type than the one loaded.
    let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let mut c = Container::builder(image)
        .with_bindings::<Root>()
        .build()
        .unwrap();
    let err = c
        .invoke(|k: &Kitchen, store| k.echo().call_echo_u8(store, 1))
        .unwrap_err();
    assert!(matches!(err, Error::ExportType { .. }), "{err}");
    assert_eq!(
        c.invoke(|r: &Root, store| r.call_add(store, 2, 3)).unwrap(),
        5
    );
}

/// `invoke_async` with generated async callers: the answer, a wrong guest type refused with the
/// container left running, and a sync `invoke` on the async container refused by mode.
#[tokio::test]
async fn invoke_async_calls_async_bindings_and_refuses_the_wrong_type() {
    use tairitsu_build_e2e::async_root::Root as AsyncRoot;

    let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let mut c = Container::builder(image)
        .with_wasi(false)
        .with_async(true)
        .with_bindings::<AsyncRoot>()
        .build_async()
        .await
        .unwrap();
    let sum = c
        .invoke_async(|r: &AsyncRoot, store| Box::pin(r.call_add(store, 2, 3)))
        .await
        .unwrap();
    assert_eq!(sum, 5);

    let err = c
        .invoke_async(|r: &Root, store| Box::pin(async move { r.call_add(store, 2, 3) }))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ExportType { .. }), "{err}");
    assert!(err.to_string().contains("not of this type"), "{err}");
    assert!(
        matches!(c.state(), ContainerState::Running),
        "{:?}",
        c.state()
    );

    let err = c.invoke(|_: &AsyncRoot, _store| Ok(())).unwrap_err();
    assert!(matches!(err, Error::CallMode { .. }), "{err}");
    let sum = c
        .invoke_async(|r: &AsyncRoot, store| Box::pin(r.call_add(store, 20, 22)))
        .await
        .unwrap();
    assert_eq!(sum, 42);
}
