//! Containers: building, host state, initializers, limits, failures and restarts, on real
//! components.

use std::time::{Duration, Instant};

use tairitsu_runtime::wasmtime::component::{Instance, Val};
use tairitsu_runtime::{
    CacheDir, Container, ContainerState, Engine, EngineConfig, Error, GuestInstance, HostState,
    Image, Limits,
};

fn image(bytes: Vec<u8>) -> Image {
    Image::from_bytes(bytes).unwrap()
}

fn u32s(vals: &[Val]) -> Vec<u32> {
    vals.iter()
        .map(|v| match v {
            Val::U32(n) => *n,
            other => panic!("expected u32, got {other:?}"),
        })
        .collect()
}

#[test]
fn calls_root_exports() {
    let mut c = Container::builder(image(tairitsu_fixtures::root()))
        .build()
        .unwrap();
    assert_eq!(*c.state(), ContainerState::Running);
    assert_eq!(c.generation(), 1);
    assert_eq!(
        c.call_guest_binary("add", &[Val::U32(40), Val::U32(2)])
            .unwrap(),
        vec![Val::U32(42)]
    );
    assert_eq!(
        c.call_guest_binary("greet", &[Val::String("Tairitsu".into())])
            .unwrap(),
        vec![Val::String("Hello, Tairitsu!".into())]
    );
    let list = Val::List((1..=1000).map(Val::U32).collect());
    assert_eq!(
        c.call_guest_binary("sum", &[list]).unwrap(),
        vec![Val::U64(500_500)]
    );
}

#[test]
fn resolves_qualified_interface_and_bare_names() {
    let mut c = Container::builder(image(tairitsu_fixtures::calc()))
        .build()
        .unwrap();
    let args = [Val::S32(2), Val::S32(3)];
    for name in [
        "test:calc/api@0.1.0#add",
        "test:calc/api#add",
        "test:calc/api.add",
        "test:calc/api@0.1.0.add",
        "api.add",
    ] {
        assert_eq!(
            c.call_guest_binary(name, &args).unwrap(),
            vec![Val::S32(5)],
            "{name}"
        );
    }
    assert_eq!(
        c.call_guest_binary("extra.add", &args).unwrap(),
        vec![Val::S32(1005)]
    );
    assert_eq!(
        c.call_guest_binary("mul", &args).unwrap(),
        vec![Val::S32(6)]
    );

    let ambiguous = c.call_guest_binary("add", &args).unwrap_err();
    let text = ambiguous.to_string();
    assert!(matches!(ambiguous, Error::AmbiguousExport { .. }), "{text}");
    assert!(text.contains("test:calc/api@0.1.0#add"), "{text}");
    assert!(text.contains("test:calc/extra@0.1.0#add"), "{text}");

    let unknown = c.call_guest_binary("divide", &args).unwrap_err();
    assert!(matches!(unknown, Error::UnknownExport { .. }), "{unknown}");
    assert!(
        unknown.to_string().contains("test:calc/api@0.1.0#mul"),
        "{unknown}"
    );

    // Bad arguments are the caller's error: the container keeps running.
    let arity = c.call_guest_binary("mul", &[Val::S32(1)]).unwrap_err();
    assert!(
        arity
            .to_string()
            .contains("takes 2 arguments (a, b), got 1"),
        "{arity}"
    );
    let wrong = c
        .call_guest_binary("mul", &[Val::String("x".into()), Val::S32(1)])
        .unwrap_err();
    assert!(!wrong.is_guest_failure(), "{wrong}");
    assert_eq!(*c.state(), ContainerState::Running);
    assert_eq!(
        c.call_guest_binary("negate", &[Val::S32(9)]).unwrap(),
        vec![Val::S32(-9)]
    );
}

#[test]
fn a_trap_fails_the_call_and_restart_gives_a_fresh_instance() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .with_name("faulty")
        .build()
        .unwrap();
    assert_eq!(u32s(&c.call_guest_binary("count", &[]).unwrap()), [1]);
    assert_eq!(u32s(&c.call_guest_binary("count", &[]).unwrap()), [2]);

    let err = c.call_guest_binary("crash", &[]).unwrap_err();
    assert!(matches!(err, Error::Trap { .. }), "{err}");
    assert!(err.to_string().contains("faulty/crash"), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    // The cause comes first, the guest's frames after it.
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains("unreachable"), "{text}");
    assert!(text.contains("\nguest backtrace:\n  0:"), "{text}");
    assert!(!text.contains("error while executing"), "{text}");
    assert!(matches!(c.state(), ContainerState::Failed { .. }));

    let refused = c.call_guest_binary("ok", &[]).unwrap_err();
    assert!(
        matches!(refused, Error::ContainerFailed { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("restart"), "{refused}");

    c.restart().unwrap();
    assert_eq!(*c.state(), ContainerState::Running);
    assert_eq!(c.generation(), 2);
    assert_eq!(u32s(&c.call_guest_binary("ok", &[]).unwrap()), [42]);
    // Fresh instance: the counter starts again.
    assert_eq!(u32s(&c.call_guest_binary("count", &[]).unwrap()), [1]);
}

#[test]
fn traps_of_each_kind_are_reported() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .build()
        .unwrap();
    let cases: [(&str, Vec<Val>, &str); 3] = [
        ("divide", vec![Val::S32(1), Val::S32(0)], "divide by zero"),
        ("out-of-bounds", vec![], "out of bounds"),
        ("recurse", vec![Val::U32(0)], "stack"),
    ];
    for (name, args, expected) in cases {
        let err = c.call_guest_binary(name, &args).unwrap_err();
        assert!(matches!(err, Error::Trap { .. }), "{name}: {err}");
        assert!(err.to_string().contains(expected), "{name}: {err}");
        c.restart().unwrap();
        assert_eq!(u32s(&c.call_guest_binary("ok", &[]).unwrap()), [42]);
    }
}

#[test]
fn an_endless_loop_is_stopped_by_the_deadline() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .with_limits(Limits::new().deadline(Some(Duration::from_millis(100))))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.call_guest_binary("spin", &[]).unwrap_err();
    let elapsed = started.elapsed();
    println!("spin interrupted after {elapsed:?}");
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(err.to_string().contains("100ms"), "{err}");
    // Ten 10 ms ticks, the first of which may come at once; late on a busy machine, not never.
    assert!(elapsed >= Duration::from_millis(90), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(matches!(c.state(), ContainerState::Failed { .. }));
    c.restart().unwrap();
    assert_eq!(u32s(&c.call_guest_binary("ok", &[]).unwrap()), [42]);
}

#[test]
fn memory_growth_is_stopped_by_the_limit() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .with_limits(Limits::new().max_memory(4 << 20))
        .build()
        .unwrap();
    let err = c.call_guest_binary("grow-memory", &[]).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("memory limit of 4 MiB"), "{err}");
    c.restart().unwrap();
    assert_eq!(u32s(&c.call_guest_binary("ok", &[]).unwrap()), [42]);

    // Without trapping, the guest sees memory.grow fail and stops by itself.
    let mut soft = Container::builder(image(tairitsu_fixtures::faults()))
        .with_limits(
            Limits::new()
                .max_memory(4 << 20)
                .trap_on_grow_failure(false),
        )
        .build()
        .unwrap();
    let grown = u32s(&soft.call_guest_binary("grow-memory", &[]).unwrap())[0];
    assert!(grown > 0 && grown < 64, "grew {grown} pages");
}

#[test]
fn table_growth_is_stopped_by_the_limit() {
    let mut c = Container::builder(image(tairitsu_fixtures::faults()))
        .with_limits(Limits::new().max_table_elements(500))
        .build()
        .unwrap();
    let err = c.call_guest_binary("grow-table", &[]).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("table limit of 500"), "{err}");
    c.restart().unwrap();
    assert_eq!(u32s(&c.call_guest_binary("ok", &[]).unwrap()), [42]);
}

#[test]
fn a_failing_container_does_not_touch_another() {
    let img = image(tairitsu_fixtures::faults());
    let mut a = Container::builder(img.clone()).build().unwrap();
    let mut b = Container::builder(img).build().unwrap();
    assert_eq!(u32s(&b.call_guest_binary("count", &[]).unwrap()), [1]);
    a.call_guest_binary("crash", &[]).unwrap_err();
    assert!(matches!(a.state(), ContainerState::Failed { .. }));
    assert_eq!(*b.state(), ContainerState::Running);
    assert_eq!(u32s(&b.call_guest_binary("count", &[]).unwrap()), [2]);
}

#[test]
fn stop_keeps_host_data_and_start_resumes() {
    let mut c = Container::builder(image(tairitsu_fixtures::root()))
        .with_host_state(vec![1u8, 2, 3])
        .build()
        .unwrap();
    c.data_mut().unwrap().push(4);
    c.stop();
    assert_eq!(*c.state(), ContainerState::Stopped);
    assert_eq!(c.data().unwrap(), &vec![1, 2, 3, 4]);
    let err = c.call_guest_binary("version", &[]).unwrap_err();
    assert!(matches!(err, Error::ContainerStopped { .. }), "{err}");
    c.start().unwrap();
    assert_eq!(c.data().unwrap(), &vec![1, 2, 3, 4]);
    assert_eq!(
        c.call_guest_binary("version", &[]).unwrap(),
        vec![Val::String("1.0.0".into())]
    );
}

/// The host data of the import test: what the guest logged, and a multiplier.
#[derive(Default)]
struct HostLog {
    messages: Vec<String>,
    factor: u32,
}

fn host_linker(
    linker: &mut tairitsu_runtime::wasmtime::component::Linker<HostState<HostLog>>,
) -> tairitsu_runtime::wasmtime::Result<()> {
    linker.instance("test:host/log@0.1.0")?.func_wrap(
        "log",
        |mut store: tairitsu_runtime::wasmtime::StoreContextMut<'_, HostState<HostLog>>,
         (message,): (String,)| {
            store.data_mut().data_mut().messages.push(message);
            Ok(())
        },
    )?;
    linker.instance("test:host/math@0.1.0")?.func_wrap(
        "double",
        |store: tairitsu_runtime::wasmtime::StoreContextMut<'_, HostState<HostLog>>,
         (x,): (u32,)| Ok((x * store.data().data().factor,)),
    )?;
    Ok(())
}

#[test]
fn host_state_serves_imports_through_the_linker() {
    let mut c = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_state(HostLog {
            factor: 2,
            ..HostLog::default()
        })
        .with_linker(host_linker)
        .build()
        .unwrap();
    assert_eq!(
        u32s(&c.call_guest_binary("run", &[Val::U32(20)]).unwrap()),
        [41]
    );
    c.data_mut().unwrap().factor = 3;
    assert_eq!(
        u32s(&c.call_guest_binary("run", &[Val::U32(20)]).unwrap()),
        [61]
    );
    assert_eq!(c.data().unwrap().messages, ["run called", "run called"]);
}

#[test]
fn missing_imports_are_listed_by_name() {
    let err = Container::builder(image(tairitsu_fixtures::host_import()))
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::MissingImports { .. }), "{text}");
    assert!(text.contains("test:host/log@0.1.0#log"), "{text}");
    assert!(text.contains("test:host/math@0.1.0#double"), "{text}");

    // Trapping them instead: the container starts; calling the import traps with its name.
    let mut c = Container::builder(image(tairitsu_fixtures::host_import()))
        .trap_unknown_imports(true)
        .build()
        .unwrap();
    let err = c.call_guest_binary("run", &[Val::U32(1)]).unwrap_err();
    assert!(err.to_string().contains("test:host/log@0.1.0#log"), "{err}");
    assert!(matches!(c.state(), ContainerState::Failed { .. }));
}

#[test]
fn a_host_function_error_and_panic_fail_only_that_call() {
    let mut c = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_state(0u32)
        .with_linker(|linker| {
            linker
                .instance("test:host/log@0.1.0")?
                .func_wrap("log", |_, (_,): (String,)| Ok(()))?;
            linker.instance("test:host/math@0.1.0")?.func_wrap(
                "double",
                |_, (x,): (u32,)| -> tairitsu_runtime::wasmtime::Result<(u32,)> {
                    match x {
                        0 => Err(tairitsu_runtime::wasmtime::Error::msg("the host refuses 0")),
                        1 => panic!("the host panics on 1"),
                        x => Ok((x * 2,)),
                    }
                },
            )
        })
        .build()
        .unwrap();
    let err = c.call_guest_binary("run", &[Val::U32(0)]).unwrap_err();
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("the host refuses 0"), "{err}");
    c.restart().unwrap();
    let err = c.call_guest_binary("run", &[Val::U32(1)]).unwrap_err();
    assert!(matches!(err, Error::Host { .. }), "{err}");
    assert!(err.to_string().contains("the host panics on 1"), "{err}");
    c.restart().unwrap();
    assert_eq!(
        u32s(&c.call_guest_binary("run", &[Val::U32(5)]).unwrap()),
        [11]
    );
}

#[test]
fn the_original_builder_with_a_guest_initializer() {
    struct Calculator {
        instance: Instance,
    }
    let mut container = Container::builder(image(tairitsu_fixtures::host_import()))
        .with_host_state(HostLog {
            factor: 2,
            ..HostLog::default()
        })
        .with_guest_initializer(|ctx| {
            host_linker(ctx.linker)?;
            let instance = ctx.linker.instantiate(&mut *ctx.store, ctx.component)?;
            Ok(GuestInstance::new(Calculator { instance }).with_instance(instance))
        })
        .build()
        .unwrap();
    let guest = container.guest().downcast_ref::<Calculator>().unwrap();
    let instance = guest.instance;
    let store = container.store_mut().unwrap();
    let run = instance
        .get_typed_func::<(u32,), (u32,)>(&mut *store, "run")
        .unwrap();
    assert_eq!(run.call(&mut *store, (10,)).unwrap(), (21,));
    // Dynamic calls work too, and restarts rerun the initializer.
    assert_eq!(
        u32s(&container.call_guest_binary("run", &[Val::U32(1)]).unwrap()),
        [3]
    );
    container.restart().unwrap();
    assert!(container.guest_as::<Calculator>().is_some());
    assert_eq!(
        u32s(&container.call_guest_binary("run", &[Val::U32(2)]).unwrap()),
        [5]
    );
    assert_eq!(container.data().unwrap().messages.len(), 3);
}

#[test]
fn initializer_context_instantiate_enables_dynamic_calls() {
    let mut c = Container::builder(image(tairitsu_fixtures::root()))
        .with_guest_initializer(|ctx| Ok(GuestInstance::new(ctx.instantiate()?)))
        .build()
        .unwrap();
    assert!(c.guest_as::<Instance>().is_some());
    assert_eq!(
        c.call_guest_binary("add", &[Val::U32(1), Val::U32(1)])
            .unwrap(),
        vec![Val::U32(2)]
    );
}

// A builder with `with_host_state` after a hook no longer compiles (issue 12): the
// `compile_fail` example on `ContainerBuilder` is its test.

#[test]
fn the_default_sandbox_grants_nothing_and_wasi_is_linked() {
    // A guest importing WASI links against the default (empty) sandbox: clocks and random only.
    let mut c = Container::builder(image(tairitsu_fixtures::root()))
        .build()
        .unwrap();
    assert_eq!(u32s(&c.call_guest_binary("count", &[]).unwrap()), [1]);
}

#[test]
fn pooling_engine_starts_and_restarts_containers() {
    let engine = Engine::new(EngineConfig::new().pooling(true).cache(CacheDir::Disabled)).unwrap();
    assert!(engine.config().is_pooling());
    let img = Image::from_bytes_with(&engine, tairitsu_fixtures::faults()).unwrap();
    let mut containers: Vec<_> = (0..20)
        .map(|_| Container::builder(img.clone()).build().unwrap())
        .collect();
    for c in &mut containers {
        assert_eq!(u32s(&c.call_guest_binary("count", &[]).unwrap()), [1]);
    }
    containers[3].call_guest_binary("crash", &[]).unwrap_err();
    containers[3].restart().unwrap();
    assert_eq!(
        u32s(&containers[3].call_guest_binary("count", &[]).unwrap()),
        [1]
    );
    assert_eq!(
        u32s(&containers[4].call_guest_binary("count", &[]).unwrap()),
        [2]
    );
}
