//! Host imports defined at run time, against the `host_import` fixture: `run(x)` logs
//! `"run called"` through `test:host/log`, then returns `double(x) + 1` from `test:host/math`.

use std::sync::{Arc, Mutex};

use tairitsu_runtime::Surface;
use tairitsu_runtime::dynamic::{HostImportError, HostImports};
use tairitsu_runtime::wasmtime::component::{Component, Linker, Val};
use tairitsu_runtime::wasmtime::{Config, Engine, Store};

fn component() -> (Engine, Component) {
    let engine = Engine::new(Config::new().concurrency_support(false)).expect("engine");
    let component = Component::new(&engine, tairitsu_fixtures::host_import()).expect("compiles");
    (engine, component)
}

/// Links `imports`, instantiates, calls `run(x)`.
fn run(imports: &HostImports, x: u32) -> Result<u32, String> {
    let (engine, component) = component();
    let mut linker = Linker::new(&engine);
    imports
        .link(&mut linker, &Surface::from_component(&component))
        .map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .map_err(|e| format!("{e:#}"))?;
    let func = instance
        .get_func(&mut store, "run")
        .ok_or("no export `run`")?;
    let mut results = [Val::U32(0)];
    func.call(&mut store, &[Val::U32(x)], &mut results)
        .map_err(|e| format!("{e:#}"))?;
    match results {
        [Val::U32(v)] => Ok(v),
        other => Err(format!("unexpected result {other:?}")),
    }
}

#[test]
fn val_closures_serve_the_imports() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let imports = HostImports::new()
        .func("test:host/log@0.1.0#log", move |args: &[Val]| match args {
            [Val::String(message)] => {
                seen.lock().unwrap().push(message.clone());
                Ok(vec![])
            }
            other => Err(format!("unexpected arguments {other:?}")),
        })
        .func("test:host/math@0.1.0#double", |args: &[Val]| match args {
            [Val::U32(x)] => Ok(vec![Val::U32(x.wrapping_mul(2))]),
            other => Err(format!("unexpected arguments {other:?}")),
        });
    assert_eq!(run(&imports, 20), Ok(41));
    assert_eq!(*log.lock().unwrap(), ["run called"]);
}

#[test]
fn ron_closures_serve_the_imports_and_versionless_names_match() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let imports = HostImports::new()
        .ron_func("test:host/log#log", move |args: &str| {
            seen.lock().unwrap().push(args.to_string());
            Ok("()".to_string())
        })
        .ron_func("test:host/math#double", |args: &str| {
            // `(21)`: the argument list of `double(x: u32)`.
            let x: u32 = args
                .trim_matches(['(', ')'])
                .parse()
                .map_err(|e| format!("{e}"))?;
            Ok((x * 2).to_string())
        });
    assert_eq!(run(&imports, 21), Ok(43));
    assert_eq!(*log.lock().unwrap(), ["(\"run called\")"]);
}

#[test]
fn a_missing_import_is_reported_by_name() {
    let (_engine, component) = component();
    let imports = HostImports::new().func("test:host/math@0.1.0#double", |args: &[Val]| {
        Ok(args.to_vec())
    });
    assert_eq!(
        imports.missing(&Surface::from_component(&component)),
        ["test:host/log@0.1.0#log"]
    );
    let err = imports
        .check(&Surface::from_component(&component), |_| false)
        .unwrap_err();
    assert_eq!(
        err,
        HostImportError::Missing(vec!["test:host/log@0.1.0#log".to_string()])
    );
    assert_eq!(
        err.to_string(),
        "the component imports 1 function that nobody provides: test:host/log@0.1.0#log"
    );
    // Provided elsewhere: no error.
    assert!(
        imports
            .check(&Surface::from_component(&component), |name| name
                .starts_with("test:host/log"))
            .is_ok()
    );
    // Without traps, instantiation fails and wasmtime names the import too.
    let err = run(&imports, 1).unwrap_err();
    assert!(err.contains("test:host/log@0.1.0"), "{err}");
}

#[test]
fn unknown_imports_can_be_traps() {
    let imports = HostImports::new()
        .func("test:host/math@0.1.0#double", |args: &[Val]| {
            Ok(args.to_vec())
        })
        .define_unknown_imports_as_traps(true);
    let (_engine, component) = component();
    assert!(
        imports
            .check(&Surface::from_component(&component), |_| false)
            .is_ok()
    );
    // It instantiates; the call traps when the guest reaches `log`.
    let err = run(&imports, 1).unwrap_err();
    assert!(
        err.contains("unknown import: `test:host/log@0.1.0#log` has not been defined"),
        "{err}"
    );
}

#[test]
fn unmatched_names_are_listed() {
    let (_engine, component) = component();
    let imports = HostImports::new()
        .func("test:host/math#double", |args: &[Val]| Ok(args.to_vec()))
        .func("test:host/math#tripple", |args: &[Val]| Ok(args.to_vec()))
        .func("not a name", |args: &[Val]| Ok(args.to_vec()));
    assert_eq!(
        imports.unmatched(&Surface::from_component(&component)),
        ["not a name", "test:host/math#tripple"]
    );
}

#[test]
fn a_closure_answering_the_wrong_type_fails_the_call() {
    let imports = HostImports::new()
        .ron_func("test:host/log@0.1.0#log", |_: &str| Ok("()".to_string()))
        .func("test:host/math@0.1.0#double", |_: &[Val]| {
            Ok(vec![Val::String("two".into())])
        });
    let err = run(&imports, 1).unwrap_err();
    assert!(
        err.contains("double") || err.contains("type mismatch"),
        "{err}"
    );

    let imports = HostImports::new()
        .ron_func("test:host/log@0.1.0#log", |_: &str| Ok("5".to_string()))
        .func("test:host/math@0.1.0#double", |args: &[Val]| {
            Ok(args.to_vec())
        });
    let err = run(&imports, 1).unwrap_err();
    assert!(
        err.contains("host function `test:host/log@0.1.0#log` failed: its answer `5` does not fit"),
        "{err}"
    );
}

/// The blobs of a host: a rep is an index into `slots`; a dropped blob leaves `None`.
#[derive(Default)]
struct Blobs {
    slots: Vec<Option<Vec<u8>>>,
    calls: Vec<String>,
    dropped: Vec<u32>,
}

/// `HostImports` serving the kitchen's `blobs` interface from `blobs`, `host` trapped.
fn blob_imports(blobs: &Arc<Mutex<Blobs>>) -> HostImports {
    let (new, size, drop) = (blobs.clone(), blobs.clone(), blobs.clone());
    HostImports::new()
        .resource("test:kitchen/blobs#blob", move |rep| {
            let mut blobs = drop.lock().unwrap();
            blobs.dropped.push(rep);
            match blobs.slots.get_mut(rep as usize).and_then(Option::take) {
                Some(_) => Ok(()),
                None => Err(format!("no blob {rep}")),
            }
        })
        .ron_func("test:kitchen/blobs#[constructor]blob", move |args| {
            let mut blobs = new.lock().unwrap();
            blobs.calls.push(format!("new{args}"));
            let (data,): (Vec<u8>,) = ron::from_str(args).map_err(|e| e.to_string())?;
            blobs.slots.push(Some(data));
            Ok(format!("Handle({})", blobs.slots.len() - 1))
        })
        .ron_func("test:kitchen/blobs#[method]blob.size", move |args| {
            let mut blobs = size.lock().unwrap();
            blobs.calls.push(format!("size{args}"));
            let rep: usize = args
                .strip_prefix("(Handle(")
                .and_then(|rest| rest.strip_suffix("))"))
                .ok_or_else(|| format!("unexpected arguments {args}"))?
                .parse()
                .map_err(|e| format!("{e}"))?;
            let blob = blobs.slots.get(rep).and_then(Option::as_ref);
            Ok(blob.ok_or("no such blob")?.len().to_string())
        })
        .define_unknown_imports_as_traps(true)
}

fn kitchen() -> tairitsu_runtime::Image {
    tairitsu_runtime::Image::from_bytes(tairitsu_fixtures::kitchen()).expect("kitchen image")
}

fn kitchen_container(imports: HostImports) -> tairitsu_runtime::Container {
    tairitsu_runtime::Container::builder(kitchen())
        .with_host_imports(imports)
        .build()
        .unwrap()
}

#[test]
fn ron_closures_serve_an_imported_resource() {
    let blobs = Arc::new(Mutex::new(Blobs {
        // Rep 0 is taken already: the guest sees the host's numbers, not its own.
        slots: vec![Some(b"old".to_vec())],
        ..Blobs::default()
    }));
    let mut container = kitchen_container(blob_imports(&blobs));
    // `blob-size` constructs a blob through the import, calls `size`, drops it.
    assert_eq!(container.call_ron("blob-size([1, 2, 3, 4])").unwrap(), "4");
    assert_eq!(container.call_ron("blob-size([])").unwrap(), "0");
    let blobs = blobs.lock().unwrap();
    assert_eq!(
        blobs.calls,
        [
            "new([1,2,3,4])",
            "size(Handle(1))",
            "new([])",
            "size(Handle(2))"
        ]
    );
    assert_eq!(blobs.dropped, [1, 2]);
    assert_eq!(blobs.slots, [Some(b"old".to_vec()), None, None]);
}

#[test]
fn a_failing_drop_or_a_bad_handle_fails_the_call_and_names_the_resource() {
    // The drop closure fails: the guest's call that dropped the blob fails with its message.
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let imports = blob_imports(&blobs).resource("test:kitchen/blobs#blob", |rep| {
        Err(format!("blob {rep} is pinned"))
    });
    let mut container = kitchen_container(imports);
    let err = container
        .call_ron("blob-size([1])")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "dropping host resource `test:kitchen/blobs#blob` (0) failed: blob 0 is pinned"
        ),
        "{err}"
    );

    // A constructor answering a handle that is not a u32.
    let imports = blob_imports(&blobs).ron_func("test:kitchen/blobs#[constructor]blob", |_| {
        Ok("Handle(4294967296)".to_string())
    });
    let mut container = kitchen_container(imports);
    let err = container
        .call_ron("blob-size([1])")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`Handle(4294967296)` is out of range: a host resource's number is a u32"),
        "{err}"
    );
    // A restart keeps the closures: the same bad answer fails the same way.
    container.restart().unwrap();
    let again = container
        .call_ron("blob-size([1])")
        .unwrap_err()
        .to_string();
    assert!(again.contains("is out of range"), "{again}");
}

#[test]
fn an_undefined_resource_type_is_reported_by_name() {
    let image = kitchen();
    // The functions without the type.
    let imports = HostImports::new()
        .ron_func("test:kitchen/blobs#[constructor]blob", |_| {
            Ok("Handle(0)".to_string())
        })
        .ron_func("test:kitchen/blobs#[method]blob.size", |_| {
            Ok("0".to_string())
        })
        .resource("test:kitchen/blobs#blobb", |_| Ok(()));
    let missing = imports.missing(image.surface());
    assert!(
        missing.contains(&"test:kitchen/blobs@0.1.0#[resource]blob".to_string()),
        "{missing:?}"
    );
    assert!(
        !missing.iter().any(|m| m.contains("[constructor]blob")),
        "{missing:?}"
    );
    assert_eq!(
        imports.unmatched(image.surface()),
        ["test:kitchen/blobs#blobb"]
    );
    let message = imports
        .check(image.surface(), |_| false)
        .unwrap_err()
        .to_string();
    let functions = missing.len() - 1;
    assert!(
        message.starts_with(&format!(
            "the component imports {functions} functions and 1 resource type that nobody provides: "
        )),
        "{message}"
    );
    // The container names it too, with the `host` functions nobody provides.
    let err = tairitsu_runtime::Container::builder(image)
        .with_host_imports(imports)
        .build()
        .unwrap_err();
    // The error says what would provide them.
    let hint = err.hint().expect("missing imports have a hint");
    assert!(hint.contains("with_host_imports"), "{hint}");
    assert!(hint.contains("trap_unknown_imports(true)"), "{hint}");
    let err = err.to_string();
    assert!(
        err.contains("test:kitchen/blobs@0.1.0#[resource]blob"),
        "{err}"
    );
    assert!(
        err.contains(" functions and 1 resource type that nobody provides"),
        "{err}"
    );
}

#[test]
fn val_closures_serve_an_imported_resource_through_host_resources() {
    let blobs = Arc::new(Mutex::new(Blobs::default()));
    let (new, size, drop) = (blobs.clone(), blobs.clone(), blobs.clone());
    let imports = HostImports::new()
        .resource("test:kitchen/blobs#blob", move |rep| {
            drop.lock().unwrap().dropped.push(rep);
            Ok(())
        })
        .func_with_resources(
            "test:kitchen/blobs#[constructor]blob",
            move |resources, args| {
                let [Val::List(bytes)] = args else {
                    return Err(format!("unexpected arguments {args:?}"));
                };
                let data: Vec<u8> = bytes
                    .iter()
                    .map(|b| match b {
                        Val::U8(b) => *b,
                        _ => 0,
                    })
                    .collect();
                let mut blobs = new.lock().unwrap();
                blobs.slots.push(Some(data));
                // Unknown and qualified names.
                assert!(
                    resources
                        .own("file", 0)
                        .unwrap_err()
                        .contains("no host resource `file`")
                );
                let rep = (blobs.slots.len() - 1) as u32;
                match rep {
                    0 => resources.own("blob", rep),
                    _ => resources.own("test:kitchen/blobs@0.1.0#blob", rep),
                }
                .map(|handle| vec![handle])
            },
        )
        .func_with_resources(
            "test:kitchen/blobs#[method]blob.size",
            move |resources, args| {
                let [Val::Resource(blob)] = args else {
                    return Err(format!("unexpected arguments {args:?}"));
                };
                let rep = resources.rep(*blob)?;
                let mut blobs = size.lock().unwrap();
                blobs.calls.push(format!("size {rep}"));
                let len = blobs.slots[rep as usize].as_ref().map_or(0, Vec::len);
                Ok(vec![Val::U32(len as u32)])
            },
        )
        .define_unknown_imports_as_traps(true);
    let mut container = kitchen_container(imports);
    assert_eq!(container.call_ron("blob-size([7, 7])").unwrap(), "2");
    assert_eq!(container.call_ron("blob-size([7, 7, 7])").unwrap(), "3");
    let blobs = blobs.lock().unwrap();
    assert_eq!(blobs.calls, ["size 0", "size 1"]);
    assert_eq!(blobs.dropped, [0, 1]);
}
