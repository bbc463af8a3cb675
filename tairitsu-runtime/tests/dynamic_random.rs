//! Property tests over random WIT types and values, against a real component.
//!
//! Random `ValueType`s become a WIT interface of echo functions (`echo0: func(v: T0) -> T0`, …);
//! `tairitsu_fixtures::generate` builds the component. For each type, wasmtime's view of it must
//! be the model's (`ValueType::from_wasmtime`), and for random values of it:
//!
//! * RON written then read gives the same `Val` (with the model's type and wasmtime's);
//! * WAVE written then read gives the same `Val`;
//! * the guest echoes the `Val`, and the echo prints as the same RON text.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use tairitsu_runtime::dynamic::{
    Case, EnumType, Field, FlagsType, RecordType, ResultType, ValueType, VariantType, ron, wave,
};
use tairitsu_runtime::wasmtime::component::{Component, Linker, Val};
use tairitsu_runtime::wasmtime::{Config, Engine, Store};

/// Field names: kebab-case, Rust keywords, RON keywords.
const FIELDS: &[&str] = &[
    "a",
    "x-pos",
    "type",
    "self",
    "true",
    "inf",
    "item-id",
    "none",
    "b2",
    "HTTP-code",
];
/// Case and flag names: RON's own identifiers among them (`none` is `r#None`, `na-n` is
/// `r#NaN`).
const CASES: &[&str] = &[
    "red",
    "dark-magenta",
    "none",
    "some",
    "ok",
    "na-n",
    "circle",
    "empty",
    "HTTP",
];

fn names(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(pool, 1..=4)
}

fn value_type() -> impl Strategy<Value = ValueType> {
    let leaf = prop_oneof![
        Just(ValueType::Bool),
        Just(ValueType::S8),
        Just(ValueType::U8),
        Just(ValueType::S16),
        Just(ValueType::U16),
        Just(ValueType::S32),
        Just(ValueType::U32),
        Just(ValueType::S64),
        Just(ValueType::U64),
        Just(ValueType::F32),
        Just(ValueType::F64),
        Just(ValueType::Char),
        Just(ValueType::String),
        names(CASES).prop_map(|cases| ValueType::enumeration(None, cases)),
        names(CASES).prop_map(|flags| ValueType::flags(None, flags)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(ValueType::list),
            inner.clone().prop_map(ValueType::option),
            (
                prop::option::of(inner.clone()),
                prop::option::of(inner.clone())
            )
                .prop_map(|(ok, err)| ValueType::result(ok, err)),
            prop::collection::vec(inner.clone(), 1..4).prop_map(ValueType::tuple),
            (names(FIELDS), prop::collection::vec(inner.clone(), 4))
                .prop_map(|(names, types)| ValueType::record(None, names.into_iter().zip(types))),
            (
                names(CASES),
                prop::collection::vec(prop::option::of(inner), 4)
            )
                .prop_map(|(names, types)| ValueType::variant(None, names.into_iter().zip(types))),
        ]
    })
}

fn value_of(ty: &ValueType) -> BoxedStrategy<Val> {
    match ty {
        ValueType::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        ValueType::S8 => any::<i8>().prop_map(Val::S8).boxed(),
        ValueType::U8 => any::<u8>().prop_map(Val::U8).boxed(),
        ValueType::S16 => any::<i16>().prop_map(Val::S16).boxed(),
        ValueType::U16 => any::<u16>().prop_map(Val::U16).boxed(),
        ValueType::S32 => any::<i32>().prop_map(Val::S32).boxed(),
        ValueType::U32 => any::<u32>().prop_map(Val::U32).boxed(),
        ValueType::S64 => any::<i64>().prop_map(Val::S64).boxed(),
        ValueType::U64 => any::<u64>().prop_map(Val::U64).boxed(),
        ValueType::F32 => prop_oneof![
            any::<f32>(),
            Just(f32::NAN),
            Just(f32::INFINITY),
            Just(f32::NEG_INFINITY),
            Just(-0.0f32)
        ]
        .prop_map(Val::Float32)
        .boxed(),
        ValueType::F64 => prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::NEG_INFINITY),
            Just(-0.0)
        ]
        .prop_map(Val::Float64)
        .boxed(),
        ValueType::Char => any::<char>().prop_map(Val::Char).boxed(),
        ValueType::String => any::<String>().prop_map(Val::String).boxed(),
        ValueType::List(elem) => prop::collection::vec(value_of(elem), 0..4)
            .prop_map(Val::List)
            .boxed(),
        ValueType::Option(payload) => prop::option::of(value_of(payload))
            .prop_map(|v| Val::Option(v.map(Box::new)))
            .boxed(),
        ValueType::Result(r) => {
            let side = |t: &Option<Box<ValueType>>| match t {
                Some(t) => value_of(t).prop_map(|v| Some(Box::new(v))).boxed(),
                None => Just(None).boxed(),
            };
            prop_oneof![
                side(&r.ok).prop_map(|v| Val::Result(Ok(v))),
                side(&r.err).prop_map(|v| Val::Result(Err(v))),
            ]
            .boxed()
        }
        ValueType::Tuple(elems) => elems
            .iter()
            .map(value_of)
            .collect::<Vec<_>>()
            .prop_map(Val::Tuple)
            .boxed(),
        ValueType::Record(r) => {
            let names: Vec<String> = r.fields.iter().map(|f| f.name.wit().to_string()).collect();
            r.fields
                .iter()
                .map(|f| value_of(&f.ty))
                .collect::<Vec<_>>()
                .prop_map(move |vals| Val::Record(names.clone().into_iter().zip(vals).collect()))
                .boxed()
        }
        ValueType::Variant(v) => {
            let cases: Vec<BoxedStrategy<Val>> = v
                .cases
                .iter()
                .map(|c| {
                    let name = c.name.wit().to_string();
                    match &c.ty {
                        Some(t) => value_of(t)
                            .prop_map(move |p| Val::Variant(name.clone(), Some(Box::new(p))))
                            .boxed(),
                        None => Just(Val::Variant(name, None)).boxed(),
                    }
                })
                .collect();
            prop::strategy::Union::new(cases).boxed()
        }
        ValueType::Enum(e) => prop::sample::select(
            e.cases
                .iter()
                .map(|c| c.wit().to_string())
                .collect::<Vec<_>>(),
        )
        .prop_map(Val::Enum)
        .boxed(),
        ValueType::Flags(f) => {
            let all: Vec<String> = f.flags.iter().map(|c| c.wit().to_string()).collect();
            prop::sample::subsequence(all.clone(), 0..=all.len())
                .prop_map(Val::Flags)
                .boxed()
        }
        ValueType::Own(_) | ValueType::Borrow(_) => unreachable!("no resources here"),
        ValueType::Future(_)
        | ValueType::Stream(_)
        | ValueType::ErrorContext
        | ValueType::Map(..)
        | ValueType::FixedList(..) => unreachable!("the dynamic path does not read these"),
    }
}

fn wit_name(name: &str) -> String {
    if name == "type" {
        "%type".to_string()
    } else {
        name.to_string()
    }
}

fn next_name(defs: &[String]) -> Option<tairitsu_runtime::dynamic::Name> {
    Some(tairitsu_runtime::dynamic::Name::case(format!(
        "t{}",
        defs.len()
    )))
}

/// Names every record, variant, enum and flags `tN`, and returns the WIT text of the type,
/// pushing the definitions it needs to `defs`.
fn to_wit(ty: &mut ValueType, defs: &mut Vec<String>) -> String {
    match ty {
        ValueType::Bool => "bool".into(),
        ValueType::S8 => "s8".into(),
        ValueType::U8 => "u8".into(),
        ValueType::S16 => "s16".into(),
        ValueType::U16 => "u16".into(),
        ValueType::S32 => "s32".into(),
        ValueType::U32 => "u32".into(),
        ValueType::S64 => "s64".into(),
        ValueType::U64 => "u64".into(),
        ValueType::F32 => "f32".into(),
        ValueType::F64 => "f64".into(),
        ValueType::Char => "char".into(),
        ValueType::String => "string".into(),
        ValueType::List(t) => format!("list<{}>", to_wit(t, defs)),
        ValueType::Option(t) => format!("option<{}>", to_wit(t, defs)),
        ValueType::Result(ResultType { ok, err }) => {
            match (
                ok.as_deref_mut().map(|t| to_wit(t, defs)),
                err.as_deref_mut().map(|t| to_wit(t, defs)),
            ) {
                (None, None) => "result".into(),
                (Some(ok), None) => format!("result<{ok}>"),
                (None, Some(err)) => format!("result<_, {err}>"),
                (Some(ok), Some(err)) => format!("result<{ok}, {err}>"),
            }
        }
        ValueType::Tuple(ts) => {
            let parts: Vec<String> = ts.iter_mut().map(|t| to_wit(t, defs)).collect();
            format!("tuple<{}>", parts.join(", "))
        }
        ValueType::Record(RecordType { name: n, fields }) => {
            let parts: Vec<String> = fields
                .iter_mut()
                .map(|Field { name, ty }| format!("{}: {}", wit_name(name.wit()), to_wit(ty, defs)))
                .collect();
            *n = next_name(defs);
            let n = n.as_ref().unwrap().wit().to_string();
            defs.push(format!("record {n} {{ {} }}", parts.join(", ")));
            n
        }
        ValueType::Variant(VariantType { name: n, cases }) => {
            let parts: Vec<String> = cases
                .iter_mut()
                .map(|Case { name, ty }| match ty {
                    Some(t) => format!("{}({})", name.wit(), to_wit(t, defs)),
                    None => name.wit().to_string(),
                })
                .collect();
            *n = next_name(defs);
            let n = n.as_ref().unwrap().wit().to_string();
            defs.push(format!("variant {n} {{ {} }}", parts.join(", ")));
            n
        }
        ValueType::Enum(EnumType { name: n, cases }) => {
            *n = next_name(defs);
            let n = n.as_ref().unwrap().wit().to_string();
            let parts: Vec<&str> = cases.iter().map(|c| c.wit()).collect();
            defs.push(format!("enum {n} {{ {} }}", parts.join(", ")));
            n
        }
        ValueType::Flags(FlagsType { name: n, flags }) => {
            *n = next_name(defs);
            let n = n.as_ref().unwrap().wit().to_string();
            let parts: Vec<&str> = flags.iter().map(|c| c.wit()).collect();
            defs.push(format!("flags {n} {{ {} }}", parts.join(", ")));
            n
        }
        ValueType::Own(_) | ValueType::Borrow(_) => unreachable!("no resources here"),
        ValueType::Future(_)
        | ValueType::Stream(_)
        | ValueType::ErrorContext
        | ValueType::Map(..)
        | ValueType::FixedList(..) => unreachable!("the dynamic path does not read these"),
    }
}

/// The type with every type name removed, as wasmtime sees it.
fn anonymous(ty: &ValueType) -> ValueType {
    match ty {
        ValueType::List(t) => ValueType::list(anonymous(t)),
        ValueType::Option(t) => ValueType::option(anonymous(t)),
        ValueType::Result(r) => ValueType::result(
            r.ok.as_deref().map(anonymous),
            r.err.as_deref().map(anonymous),
        ),
        ValueType::Tuple(ts) => ValueType::tuple(ts.iter().map(anonymous)),
        ValueType::Record(r) => ValueType::Record(RecordType {
            name: None,
            fields: r
                .fields
                .iter()
                .map(|f| Field {
                    name: f.name.clone(),
                    ty: anonymous(&f.ty),
                })
                .collect(),
        }),
        ValueType::Variant(v) => ValueType::Variant(VariantType {
            name: None,
            cases: v
                .cases
                .iter()
                .map(|c| Case {
                    name: c.name.clone(),
                    ty: c.ty.as_ref().map(anonymous),
                })
                .collect(),
        }),
        ValueType::Enum(e) => ValueType::Enum(EnumType {
            name: None,
            ..e.clone()
        }),
        ValueType::Flags(f) => ValueType::Flags(FlagsType {
            name: None,
            ..f.clone()
        }),
        other => other.clone(),
    }
}

/// `val` with the names of every flags value sorted.
fn sorted_flags(val: &Val) -> Val {
    let boxed = |v: &Option<Box<Val>>| v.as_deref().map(|v| Box::new(sorted_flags(v)));
    match val {
        Val::Flags(names) => {
            let mut names = names.clone();
            names.sort();
            Val::Flags(names)
        }
        Val::List(vs) => Val::List(vs.iter().map(sorted_flags).collect()),
        Val::Tuple(vs) => Val::Tuple(vs.iter().map(sorted_flags).collect()),
        Val::Record(fs) => Val::Record(
            fs.iter()
                .map(|(n, v)| (n.clone(), sorted_flags(v)))
                .collect(),
        ),
        Val::Variant(n, v) => Val::Variant(n.clone(), boxed(v)),
        Val::Option(v) => Val::Option(boxed(v)),
        Val::Result(Ok(v)) => Val::Result(Ok(boxed(v))),
        Val::Result(Err(v)) => Val::Result(Err(boxed(v))),
        other => other.clone(),
    }
}

const TYPES: usize = 40;
const VALUES_PER_TYPE: u32 = 64;

#[test]
fn random_types_round_trip_through_text_and_a_real_guest() -> tairitsu_runtime::wasmtime::Result<()>
{
    // Random types, from a fixed seed so that a failure reproduces.
    let mut runner = TestRunner::deterministic();
    let mut types = Vec::new();
    let mut defs = Vec::new();
    let mut funcs = Vec::new();
    for i in 0..TYPES {
        let mut ty = value_type()
            .new_tree(&mut runner)
            .map_err(|e| tairitsu_runtime::wasmtime::format_err!("{e}"))?
            .current();
        let text = to_wit(&mut ty, &mut defs);
        funcs.push(format!("echo{i}: func(v: {text}) -> {text};"));
        types.push(ty);
    }
    let wit = format!(
        "package test:fuzz;\ninterface api {{\n{}\n{}\n}}\nworld fuzz {{ export api; }}\n",
        defs.join("\n"),
        funcs.join("\n")
    );
    let bytes = tairitsu_fixtures::generate(
        &wit,
        "fuzz",
        &tairitsu_fixtures::Bodies::new().echo_interface("api"),
    )
    .map_err(|e| tairitsu_runtime::wasmtime::format_err!("{e:#}\n{wit}"))?;

    let engine = Engine::new(Config::new().concurrency_support(false))?;
    let component = Component::new(&engine, &bytes)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let (_, api) = component
        .get_export(None, "test:fuzz/api")
        .ok_or_else(|| tairitsu_runtime::wasmtime::format_err!("no api"))?;

    let mut checked = 0;
    for (i, ty) in types.iter().enumerate() {
        let (_, index) = component
            .get_export(Some(&api), format!("echo{i}"))
            .ok_or_else(|| tairitsu_runtime::wasmtime::format_err!("no echo{i}"))?;
        let func = instance
            .get_func(&mut store, index)
            .ok_or_else(|| tairitsu_runtime::wasmtime::format_err!("echo{i} is not a function"))?;
        let wasmtime_ty = func.ty(&store).params().next().expect("one parameter").1;
        let from_wasmtime = ValueType::from_wasmtime(&wasmtime_ty)?;
        assert_eq!(
            from_wasmtime,
            anonymous(ty),
            "wasmtime's view of echo{i}: {ty}"
        );

        let mut values = TestRunner::new_with_rng(
            RunnerConfig {
                cases: VALUES_PER_TYPE,
                failure_persistence: None,
                ..RunnerConfig::default()
            },
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        );
        let store = std::cell::RefCell::new(&mut store);
        values
            .run(&value_of(ty), |val| {
                let text =
                    ron::to_string(&val, ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let back = ron::parse(&text, ty)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
                prop_assert_eq!(&back, &val, "RON {}", text);
                let back = ron::parse(&text, &from_wasmtime)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
                prop_assert_eq!(&back, &val, "RON with wasmtime's type {}", text);

                let wave_text =
                    wave::to_string(&val).map_err(|e| TestCaseError::fail(e.to_string()))?;
                // Our writer's text is wasm-wave's, byte for byte.
                let theirs = tairitsu_runtime::wasmtime::component::wasm_wave::to_string(&val)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&wave_text, &theirs, "WAVE writers differ on {:?}", val);
                let back = wave::parse(&wave_text, &wasmtime_ty)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {wave_text}")))?;
                // wasm-wave reads flags in its own order: compare them as sets.
                prop_assert_eq!(
                    sorted_flags(&back),
                    sorted_flags(&val),
                    "WAVE {}",
                    wave_text
                );

                let mut results = [Val::Bool(false)];
                func.call(
                    &mut **store.borrow_mut(),
                    std::slice::from_ref(&val),
                    &mut results,
                )
                .map_err(|e| TestCaseError::fail(format!("calling echo{i}({text}): {e:#}")))?;
                prop_assert_eq!(&results[0], &val, "echo of {}", text);
                let echoed = ron::to_string(&results[0], &from_wasmtime)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(echoed, text);
                Ok(())
            })
            .map_err(|e| tairitsu_runtime::wasmtime::format_err!("echo{i}: {ty}: {e}"))?;
        checked += 1;
    }
    assert_eq!(checked, TYPES);
    Ok(())
}
