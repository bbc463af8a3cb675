//! Host imports defined at run time, against the `host_import` fixture: `run(x)` logs
//! `"run called"` through `test:host/log`, then returns `double(x) + 1` from `test:host/math`.

use std::sync::{Arc, Mutex};

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
        .link(&mut linker, &component)
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
    let (engine, component) = component();
    let imports = HostImports::new().func("test:host/math@0.1.0#double", |args: &[Val]| {
        Ok(args.to_vec())
    });
    assert_eq!(
        imports.missing(&engine, &component),
        ["test:host/log@0.1.0#log"]
    );
    let err = imports.check(&engine, &component, |_| false).unwrap_err();
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
            .check(&engine, &component, |name| name
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
    let (engine, component) = component();
    assert!(imports.check(&engine, &component, |_| false).is_ok());
    // It instantiates; the call traps when the guest reaches `log`.
    let err = run(&imports, 1).unwrap_err();
    assert!(
        err.contains("unknown import: `test:host/log@0.1.0#log` has not been defined"),
        "{err}"
    );
}

#[test]
fn unmatched_names_are_listed() {
    let (engine, component) = component();
    let imports = HostImports::new()
        .func("test:host/math#double", |args: &[Val]| Ok(args.to_vec()))
        .func("test:host/math#tripple", |args: &[Val]| Ok(args.to_vec()))
        .func("not a name", |args: &[Val]| Ok(args.to_vec()));
    assert_eq!(
        imports.unmatched(&engine, &component),
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
