//! The generated bindings against the real kitchen component: every export through the typed
//! callers and through commands, the imports served by the generated handler traits (through
//! `relay`), resources both ways, and a panicking handler.

mod common;

use common::*;
use tairitsu::wasmtime::Store;
use tairitsu::wasmtime::component::Linker;
use tairitsu::{WitCommand, WitCommandDispatcher};
use tairitsu_build_e2e::kitchen::exports::test::kitchen::{counters, echo, relay};
use tairitsu_build_e2e::kitchen::test::kitchen::types::{Color, Permissions, Scalar, Shape};
use tairitsu_build_e2e::kitchen::test::kitchen::{blobs, host};
use tairitsu_build_e2e::kitchen::{Kitchen, KitchenPre};

type Result<T = ()> = std::result::Result<T, tairitsu::wasmtime::Error>;

fn instantiate(host: Host) -> Result<(Store<Host>, Kitchen)> {
    let mut linker = Linker::<Host>::new(engine());
    Kitchen::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(engine(), host);
    let kitchen = Kitchen::instantiate(&mut store, kitchen(), &linker)?;
    Ok((store, kitchen))
}

/// Calls `echo-*` and `relay-*` with `$v` through the typed caller and through a command, and
/// checks that each answer is `$v` and that relay reached the host.
macro_rules! check {
    ($store:ident, $k:ident, $caller:ident, $variant:ident, ref $v:expr) => {
        check!(@ $store, $k, $caller, $variant, $v, |v| &v)
    };
    ($store:ident, $k:ident, $caller:ident, $variant:ident, $v:expr) => {
        check!(@ $store, $k, $caller, $variant, $v, |v| v)
    };
    (@ $store:ident, $k:ident, $caller:ident, $variant:ident, $v:expr, |$p:ident| $pass:expr) => {{
        let v = $v;
        let $p = v.clone();
        assert_eq!(
            $k.echo().$caller(&mut $store, $pass)?,
            v,
            "echo {}",
            stringify!($caller)
        );
        let before = $store.data().calls.len();
        let $p = v.clone();
        assert_eq!(
            $k.relay().$caller(&mut $store, $pass)?,
            v,
            "relay {}",
            stringify!($caller)
        );
        assert_eq!(
            $store.data().calls.len(),
            before + 1,
            "relay of {} reached the host",
            stringify!($caller)
        );
        match $k
            .echo()
            .call(&mut $store, echo::EchoCommand::$variant { v: v.clone() })?
        {
            echo::EchoResponse::$variant(r) => assert_eq!(r, v),
            other => panic!("wrong response {other:?}"),
        }
        match $k
            .relay()
            .call(&mut $store, relay::RelayCommand::$variant { v: v.clone() })?
        {
            relay::RelayResponse::$variant(r) => assert_eq!(r, v),
            other => panic!("wrong response {other:?}"),
        }
    }};
}

#[test]
fn every_type_kind_through_callers_commands_and_relay() -> Result {
    let (mut s, k) = instantiate(Host::default())?;
    check!(s, k, call_echo_bool, EchoBool, true);
    check!(s, k, call_echo_s8, EchoS8, i8::MIN);
    check!(s, k, call_echo_u8, EchoU8, u8::MAX);
    check!(s, k, call_echo_s16, EchoS16, i16::MIN);
    check!(s, k, call_echo_u16, EchoU16, u16::MAX);
    check!(s, k, call_echo_s32, EchoS32, -123_456);
    check!(s, k, call_echo_u32, EchoU32, u32::MAX);
    check!(s, k, call_echo_s64, EchoS64, i64::MIN);
    check!(s, k, call_echo_u64, EchoU64, u64::MAX);
    check!(s, k, call_echo_f32, EchoF32, 1.5f32);
    check!(s, k, call_echo_f64, EchoF64, -2.25f64);
    check!(s, k, call_echo_char, EchoChar, 'ü');
    check!(s, k, call_echo_string, EchoString, ref "héllo".to_string());
    check!(s, k, call_echo_list_u32, EchoListU32, ref vec![1, 2, u32::MAX]);
    check!(
        s,
        k,
        call_echo_list_string,
        EchoListString,
        ref vec!["a".to_string(), String::new()]
    );
    check!(s, k, call_echo_bytes, EchoBytes, ref vec![0u8, 255, 7]);
    check!(
        s,
        k,
        call_echo_tuple,
        EchoTuple,
        ref (7u8, "t".to_string(), 0.5f64)
    );
    check!(s, k, call_echo_point, EchoPoint, ref point(-1, 2));
    check!(s, k, call_echo_item_info, EchoItemInfo, ref item_info());
    check!(s, k, call_echo_person, EchoPerson, ref person());
    for shape in [
        Shape::Circle(2.0),
        Shape::Rectangle(point(1, 2)),
        Shape::Label("x".into()),
        Shape::Empty,
    ] {
        check!(s, k, call_echo_shape, EchoShape, ref shape);
    }
    for color in [Color::Red, Color::Green, Color::Blue, Color::DarkMagenta] {
        check!(s, k, call_echo_color, EchoColor, color);
    }
    for perms in [
        Permissions::empty(),
        Permissions::READ | Permissions::WRITE,
        Permissions::all(),
    ] {
        check!(s, k, call_echo_permissions, EchoPermissions, perms);
    }
    check!(
        s,
        k,
        call_echo_option_string,
        EchoOptionString,
        ref Some("o".to_string())
    );
    check!(s, k, call_echo_option_string, EchoOptionString, ref None);
    check!(s, k, call_echo_option_option, EchoOptionOption, ref Some(None));
    check!(
        s,
        k,
        call_echo_option_option,
        EchoOptionOption,
        ref Some(Some(3))
    );
    check!(s, k, call_echo_option_option, EchoOptionOption, ref None);
    check!(s, k, call_echo_result, EchoResult, ref Ok(4));
    check!(s, k, call_echo_result, EchoResult, ref Err("bad".to_string()));
    check!(s, k, call_echo_result_no_ok, EchoResultNoOk, ref Ok(()));
    check!(
        s,
        k,
        call_echo_result_no_ok,
        EchoResultNoOk,
        ref Err("e".to_string())
    );
    check!(s, k, call_echo_result_no_err, EchoResultNoErr, ref Ok(9));
    check!(s, k, call_echo_result_no_err, EchoResultNoErr, ref Err(()));
    check!(s, k, call_echo_result_empty, EchoResultEmpty, ref Ok(()));
    check!(s, k, call_echo_result_empty, EchoResultEmpty, ref Err(()));
    check!(s, k, call_echo_id, EchoId, 42u64);
    check!(
        s,
        k,
        call_echo_nested,
        EchoNested,
        ref vec![
            Some(Ok(point(1, 1))),
            None,
            Some(Err(Shape::Label("n".into())))
        ]
    );
    for scalar in [
        Scalar::Int(i64::MIN),
        Scalar::Float(0.25),
        Scalar::Double(1e300),
        Scalar::Letter('z'),
        Scalar::None,
    ] {
        check!(s, k, call_echo_scalar, EchoScalar, ref scalar);
    }
    check!(s, k, call_echo_deep, EchoDeep, ref deep());
    check!(s, k, call_echo_big, EchoBig, ref big());

    // Several parameters, and no parameters or result.
    assert_eq!(k.echo().call_pair(&mut s, "p", 3)?, ("p".to_string(), 3));
    assert_eq!(k.relay().call_pair(&mut s, "p", 3)?, ("p".to_string(), 3));
    k.echo().call_nothing(&mut s)?;
    k.relay().call_nothing(&mut s)?;
    assert_eq!(
        k.relay().call(&mut s, relay::RelayCommand::Nothing)?,
        relay::RelayResponse::Nothing
    );
    assert_eq!(
        k.echo().call(
            &mut s,
            echo::EchoCommand::Pair {
                a: "q".into(),
                b: 1
            }
        )?,
        echo::EchoResponse::Pair(("q".into(), 1))
    );
    assert_eq!(s.data().calls.last(), Some(&"nothing"));
    Ok(())
}

#[test]
fn exported_resources() -> Result {
    let (mut s, k) = instantiate(Host::default())?;
    let c = k.counters();
    let a = c.call_counter_new(&mut s, 5)?;
    assert_eq!(c.call_counter_increment(&mut s, a)?, 6);
    assert_eq!(c.call_counter_get(&mut s, a)?, 6);
    let b = c.call_make_counter(&mut s, 10)?;
    assert_eq!(c.call_total(&mut s, a, b)?, 16);
    // Through commands.
    match c.call(
        &mut s,
        counters::CountersCommand::CounterIncrement { self_: b },
    )? {
        counters::CountersResponse::CounterIncrement(n) => assert_eq!(n, 11),
        other => panic!("{other:?}"),
    }
    a.resource_drop(&mut s)?;
    b.resource_drop(&mut s)?;
    Ok(())
}

#[test]
fn imported_resources() -> Result {
    let (mut s, k) = instantiate(Host::default())?;
    assert_eq!(k.call_blob_size(&mut s, &[1, 2, 3, 4])?, 4);
    assert_eq!(
        k.call(
            &mut s,
            tairitsu_build_e2e::kitchen::KitchenCommand::BlobSize { data: vec![9; 10] }
        )?,
        tairitsu_build_e2e::kitchen::KitchenResponse::BlobSize(10)
    );
    let host = s.data();
    assert_eq!(
        host.calls,
        [
            "blob_new",
            "blob_size",
            "blob_drop",
            "blob_new",
            "blob_size",
            "blob_drop"
        ]
    );
    assert!(host.blobs.is_empty(), "the guest's drop reached the host");
    assert_eq!(host.dropped, [1, 2]);
    Ok(())
}

#[test]
fn a_panicking_handler_is_an_error_not_a_crash() -> Result {
    let host = Host {
        panic_on: Some("echo_string"),
        ..Host::default()
    };
    let (mut s, k) = instantiate(host)?;
    let err = k.relay().call_echo_string(&mut s, "x").unwrap_err();
    let text = format!("{err:?}");
    assert!(
        text.contains("test:kitchen/host@0.1.0#echo-string"),
        "{text}"
    );
    assert!(text.contains("panicked"), "{text}");
    assert!(text.contains("host told to panic"), "{text}");

    // The process is fine and a new instance works.
    let (mut s, k) = instantiate(Host::default())?;
    assert_eq!(k.relay().call_echo_string(&mut s, "y")?, "y");
    Ok(())
}

#[derive(Default)]
struct Dispatching {
    dispatcher: WitCommandDispatcher,
}

#[test]
fn imports_served_by_a_dispatcher() -> Result {
    let mut dispatcher = WitCommandDispatcher::new();
    // A closure for `host`, the generated handler (through `register`) for `blobs`.
    dispatcher.register::<host::HostCommand, _>(|cmd: host::HostCommand| match cmd {
        host::HostCommand::EchoU32 { v } => Ok(host::HostResponse::EchoU32(v * 2)),
        host::HostCommand::EchoString { v } => Ok(host::HostResponse::EchoString(v.to_uppercase())),
        other => Err(format!("not served: {}", other.command_name())),
    });
    blobs::register(&mut dispatcher, Host::default());

    let mut linker = Linker::<Dispatching>::new(engine());
    Kitchen::add_to_linker_dispatch(&mut linker, |d| &mut d.dispatcher)?;
    let pre = KitchenPre::new(linker.instantiate_pre(kitchen())?)?;
    let mut s = Store::new(engine(), Dispatching { dispatcher });
    let k = pre.instantiate(&mut s)?;
    assert_eq!(k.relay().call_echo_u32(&mut s, 21)?, 42);
    assert_eq!(k.relay().call_echo_string(&mut s, "abc")?, "ABC");
    assert_eq!(k.call_blob_size(&mut s, &[0; 7])?, 7);

    // A handler error traps the call with the dispatcher's message.
    let err = k.relay().call_echo_bool(&mut s, true).unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("not served: echo-bool"), "{text}");
    Ok(())
}

#[test]
fn a_pre_instantiates_many_times() -> Result {
    let mut linker = Linker::<Host>::new(engine());
    Kitchen::add_to_linker(&mut linker, |h| h)?;
    let pre = KitchenPre::new(linker.instantiate_pre(kitchen())?)?;
    for i in 0..3u32 {
        let mut s = Store::new(engine(), Host::default());
        let k = pre.instantiate(&mut s)?;
        assert_eq!(k.echo().call_echo_u32(&mut s, i)?, i);
    }
    Ok(())
}

#[test]
fn bindings_trait_and_descriptors() -> Result {
    use tairitsu::Bindings;
    let indices = <Kitchen as Bindings>::indices(kitchen())?;
    let mut linker = Linker::<Host>::new(engine());
    Kitchen::add_to_linker(&mut linker, |h| h)?;
    let mut s = Store::new(engine(), Host::default());
    let instance = linker.instantiate(&mut s, kitchen())?;
    let k = <Kitchen as Bindings>::load(&mut s, &instance, &indices)?;
    assert_eq!(k.echo().call_echo_u8(&mut s, 3)?, 3);
    assert_eq!(<Kitchen as Bindings>::WORLD, "test:kitchen/kitchen@0.1.0");

    // A component of another world is refused with a clear message.
    let root = tairitsu::wasmtime::component::Component::new(engine(), tairitsu_fixtures::root())?;
    let err = <Kitchen as Bindings>::indices(&root).unwrap_err();
    assert!(
        err.to_string()
            .contains("does not export `test:kitchen/echo@0.1.0`"),
        "{err}"
    );

    let find = |list: &[tairitsu::FunctionSignature], q: &str| {
        list.iter()
            .find(|s| s.qualified_name() == q)
            .map(|s| s.to_wit())
            .unwrap_or_else(|| panic!("no {q}"))
    };
    assert_eq!(
        find(Kitchen::EXPORTS, "test:kitchen/echo@0.1.0#echo-nested"),
        "echo-nested: func(v: list<option<result<point, shape>>>) -> list<option<result<point, shape>>>"
    );
    assert_eq!(
        find(Kitchen::EXPORTS, "test:kitchen/counters@0.1.0#total"),
        "total: func(a: borrow<counter>, b: borrow<counter>) -> u32"
    );
    assert_eq!(
        find(
            Kitchen::EXPORTS,
            "test:kitchen/counters@0.1.0#[method]counter.increment"
        ),
        "[method]counter.increment: func(self: borrow<counter>) -> u32"
    );
    assert_eq!(
        find(
            Kitchen::IMPORTS,
            "test:kitchen/blobs@0.1.0#[constructor]blob"
        ),
        "[constructor]blob: func(data: list<u8>) -> blob"
    );
    assert_eq!(
        find(
            Kitchen::IMPORTS,
            "test:kitchen/host@0.1.0#echo-result-no-ok"
        ),
        "echo-result-no-ok: func(v: result<_, string>) -> result<_, string>"
    );
    assert_eq!(
        find(Kitchen::EXPORTS, "blob-size"),
        "blob-size: func(data: list<u8>) -> u32"
    );
    assert_eq!(Kitchen::EXPORTS.len(), 36 * 2 + 5 + 1);
    assert_eq!(Kitchen::IMPORTS.len(), 36 + 2);
    assert_eq!(echo::DESCRIPTORS.len(), 36);
    assert_eq!(echo::INTERFACE, "test:kitchen/echo@0.1.0");
    assert_eq!(
        <echo::EchoCommand as WitCommand>::INTERFACE,
        "test:kitchen/echo@0.1.0"
    );
    assert_eq!(echo::EchoCommand::Nothing.command_name(), "nothing");
    assert_eq!(
        counters::CountersCommand::CounterNew { start: 1 }.command_name(),
        "[constructor]counter"
    );
    Ok(())
}
