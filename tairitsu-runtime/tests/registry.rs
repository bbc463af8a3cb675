//! The registry: images by reference and digest, containers by id and name, from many threads.

use std::sync::Arc;

use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{ContainerState, Error, Limits, Registry};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn registry_is_send_and_sync() {
    assert_send_sync::<Registry>();
    assert_send_sync::<Registry<Vec<String>>>();
}

#[test]
fn images_by_reference_and_digest() {
    let registry = Registry::new().unwrap();
    let root = registry
        .load_image("root:1.0", tairitsu_fixtures::root())
        .unwrap();
    registry
        .load_image("root:latest", tairitsu_fixtures::root())
        .unwrap();
    let calc = registry
        .load_image("calc", tairitsu_fixtures::calc())
        .unwrap();

    let rows = registry.images();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let root_row = rows.iter().find(|r| r.digest == root.digest()).unwrap();
    assert_eq!(root_row.references, ["root:1.0", "root:latest"]);
    assert_eq!(root_row.size, tairitsu_fixtures::root().len());

    assert!(registry.image("root:1.0").unwrap().same(&root));
    assert!(
        registry.image("root").unwrap().same(&root),
        "bare name means :latest"
    );
    assert!(registry.image(&calc.digest()).unwrap().same(&calc));
    assert!(
        registry
            .image(&calc.digest_hex()[..10])
            .unwrap()
            .same(&calc)
    );
    assert_eq!(
        registry
            .image("calc")
            .unwrap()
            .reference()
            .unwrap()
            .to_string(),
        "calc:latest"
    );
    assert!(matches!(
        registry.image("nope:1"),
        Err(Error::ImageNotFound(_))
    ));

    // Removing one of two tags keeps the image; removing the last removes it.
    registry.remove_image("root:1.0", false).unwrap();
    assert!(registry.image("root:1.0").is_err());
    assert!(registry.image("root:latest").is_ok());
    registry.remove_image("root:latest", false).unwrap();
    assert_eq!(registry.images().len(), 1);
}

#[test]
fn removing_an_image_in_use_is_refused_unless_forced() {
    let registry = Registry::new().unwrap();
    registry
        .load_image("root:1", tairitsu_fixtures::root())
        .unwrap();
    let c = registry.run("root:1", Some("r1"), Ok).unwrap();
    let err = registry.remove_image("root:1", false).unwrap_err();
    assert!(matches!(err, Error::ImageInUse { .. }), "{err}");
    assert!(err.to_string().contains(c.id()), "{err}");
    assert_eq!(registry.images()[0].containers, 1);

    registry.remove_image("root:1", true).unwrap();
    assert!(registry.images().is_empty());
    // The container keeps its copy of the code.
    assert_eq!(
        c.lock()
            .call_guest_binary("add", &[Val::U32(1), Val::U32(2)])
            .unwrap(),
        vec![Val::U32(3)]
    );
}

#[test]
fn container_lifecycle_through_the_registry() {
    let registry = Registry::new().unwrap();
    registry
        .load_image("faults:1", tairitsu_fixtures::faults())
        .unwrap();
    let a = registry.run("faults:1", Some("a"), Ok).unwrap();
    let b = registry
        .run("faults:1", None, |b| {
            Ok(b.with_limits(Limits::new().max_memory(1 << 20)))
        })
        .unwrap();
    assert!(matches!(
        registry.run("faults:1", Some("a"), Ok),
        Err(Error::NameTaken(_))
    ));

    let list = registry.containers();
    assert_eq!(list.len(), 2);
    let row = list.iter().find(|r| r.id == a.id()).unwrap();
    assert_eq!(row.name.as_deref(), Some("a"));
    assert_eq!(row.image, "faults:1");
    assert_eq!(row.state, ContainerState::Running);

    // By name or id.
    assert_eq!(registry.container("a").unwrap().id(), a.id());
    assert_eq!(registry.container(b.id()).unwrap().id(), b.id());
    assert!(matches!(
        registry.container("zzz"),
        Err(Error::ContainerNotFound(_))
    ));

    // A failure shows in the listing; restart through the registry fixes it.
    a.lock().call_guest_binary("crash", &[]).unwrap_err();
    let state = |id: &str| {
        registry
            .containers()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap()
            .state
    };
    assert!(matches!(state(a.id()), ContainerState::Failed { .. }));
    assert_eq!(state(b.id()), ContainerState::Running);
    registry.restart("a").unwrap();
    assert_eq!(state(a.id()), ContainerState::Running);

    registry.stop("a").unwrap();
    assert_eq!(state(a.id()), ContainerState::Stopped);
    let err = registry.remove(b.id(), false).unwrap_err();
    assert!(err.to_string().contains("running"), "{err}");
    registry.remove("a", false).unwrap();
    registry.remove(b.id(), true).unwrap();
    assert!(registry.containers().is_empty());
    // The name is free again.
    registry.run("faults:1", Some("a"), Ok).unwrap();
}

#[test]
fn two_threads_drive_the_registry_at_once() {
    let registry = Arc::new(Registry::new().unwrap());
    registry
        .load_image("root:1", tairitsu_fixtures::root())
        .unwrap();
    registry
        .load_image("faults:1", tairitsu_fixtures::faults())
        .unwrap();

    let threads: Vec<_> = (0..2)
        .map(|t| {
            let registry = registry.clone();
            std::thread::spawn(move || {
                let mut total = 0u64;
                for i in 0..10u32 {
                    let name = format!("t{t}-{i}");
                    let c = registry.run("root:1", Some(&name), Ok).unwrap();
                    let out = c
                        .lock()
                        .call_guest_binary("add", &[Val::U32(i), Val::U32(t)])
                        .unwrap();
                    assert_eq!(out, vec![Val::U32(i + t)]);
                    total += u64::from(i + t);
                    // A failing container on the side, restarted by name.
                    let f = registry
                        .run("faults:1", Some(&format!("{name}-f")), Ok)
                        .unwrap();
                    f.lock().call_guest_binary("crash", &[]).unwrap_err();
                    registry.restart(&format!("{name}-f")).unwrap();
                    assert!(registry.containers().len() >= 2);
                    if i % 2 == 0 {
                        registry.remove(&name, true).unwrap();
                    }
                }
                total
            })
        })
        .collect();
    let totals: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(totals, [45, 55]);
    let list = registry.containers();
    // Each thread kept 5 `root` containers and 10 `faults` containers.
    assert_eq!(list.len(), 30, "{list:?}");
    assert!(list.iter().all(|c| c.state == ContainerState::Running));
    assert_eq!(
        registry
            .images()
            .iter()
            .map(|i| i.containers)
            .sum::<usize>(),
        30
    );
}
