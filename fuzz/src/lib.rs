//! What the fuzz targets share: random WIT value types and values built from the fuzzer's
//! bytes, and a fixed catalogue of wasmtime types read from real components.

use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use tairitsu_fixtures::Bodies;
use tairitsu_runtime::dynamic::{FuncType, ValueType};
use tairitsu_runtime::wasmtime::component::types::ComponentItem;
use tairitsu_runtime::wasmtime::component::{Component, Type, Val};
use tairitsu_runtime::wasmtime::{Config, Engine};

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
    "some",
    "r",
];
/// Case and flag names: RON's own identifiers among them (`none` is `r#None`, `na-n` is
/// `r#NaN`).
const CASES: &[&str] = &[
    "red",
    "dark-magenta",
    "none",
    "some",
    "ok",
    "err",
    "na-n",
    "inf",
    "circle",
    "empty",
    "HTTP",
    "handle",
];

/// Up to `max` distinct names of `pool`, at least one, in pool order.
fn names(u: &mut Unstructured<'_>, pool: &[&'static str], max: usize) -> Result<Vec<&'static str>> {
    let mut picked = Vec::new();
    for name in pool {
        if picked.len() < max && u.arbitrary::<bool>()? {
            picked.push(*name);
        }
    }
    if picked.is_empty() {
        picked.push(*u.choose(pool)?);
    }
    Ok(picked)
}

/// A random value type, nested at most `depth` levels (no resources).
///
/// # Errors
///
/// When the input runs out in a way `arbitrary` reports.
pub fn value_type(u: &mut Unstructured<'_>, depth: usize) -> Result<ValueType> {
    let leaves = 15;
    let kinds = if depth == 0 { leaves } else { leaves + 6 };
    Ok(match u.int_in_range(0..=kinds - 1)? {
        0 => ValueType::Bool,
        1 => ValueType::S8,
        2 => ValueType::U8,
        3 => ValueType::S16,
        4 => ValueType::U16,
        5 => ValueType::S32,
        6 => ValueType::U32,
        7 => ValueType::S64,
        8 => ValueType::U64,
        9 => ValueType::F32,
        10 => ValueType::F64,
        11 => ValueType::Char,
        12 => ValueType::String,
        13 => ValueType::enumeration(None, names(u, CASES, 5)?),
        14 => ValueType::flags(None, names(u, CASES, 12)?),
        15 => ValueType::list(value_type(u, depth - 1)?),
        16 => ValueType::option(value_type(u, depth - 1)?),
        17 => {
            let ok = if u.arbitrary()? {
                Some(value_type(u, depth - 1)?)
            } else {
                None
            };
            let err = if u.arbitrary()? {
                Some(value_type(u, depth - 1)?)
            } else {
                None
            };
            ValueType::result(ok, err)
        }
        18 => {
            let n = u.int_in_range(1..=4)?;
            ValueType::tuple(
                (0..n)
                    .map(|_| value_type(u, depth - 1))
                    .collect::<Result<Vec<_>>>()?,
            )
        }
        19 => {
            let fields = names(u, FIELDS, 4)?;
            let types = fields
                .iter()
                .map(|_| value_type(u, depth - 1))
                .collect::<Result<Vec<_>>>()?;
            let name = if u.arbitrary()? { Some("point") } else { None };
            ValueType::record(name, fields.into_iter().zip(types))
        }
        _ => {
            let cases = names(u, CASES, 4)?;
            let mut typed = Vec::new();
            for case in cases {
                let ty = if u.arbitrary()? {
                    Some(value_type(u, depth - 1)?)
                } else {
                    None
                };
                typed.push((case, ty));
            }
            ValueType::variant(None, typed)
        }
    })
}

/// A random value of `ty`.
///
/// # Errors
///
/// When the input runs out in a way `arbitrary` reports.
pub fn value(u: &mut Unstructured<'_>, ty: &ValueType) -> Result<Val> {
    let boxed =
        |u: &mut Unstructured<'_>, t: &Option<Box<ValueType>>| -> Result<Option<Box<Val>>> {
            Ok(match t {
                Some(t) => Some(Box::new(value(u, t)?)),
                None => None,
            })
        };
    Ok(match ty {
        ValueType::Bool => Val::Bool(u.arbitrary()?),
        ValueType::S8 => Val::S8(u.arbitrary()?),
        ValueType::U8 => Val::U8(u.arbitrary()?),
        ValueType::S16 => Val::S16(u.arbitrary()?),
        ValueType::U16 => Val::U16(u.arbitrary()?),
        ValueType::S32 => Val::S32(u.arbitrary()?),
        ValueType::U32 => Val::U32(u.arbitrary()?),
        ValueType::S64 => Val::S64(u.arbitrary()?),
        ValueType::U64 => Val::U64(u.arbitrary()?),
        ValueType::F32 => Val::Float32(f32::from_bits(u.arbitrary()?)),
        ValueType::F64 => Val::Float64(f64::from_bits(u.arbitrary()?)),
        ValueType::Char => Val::Char(u.arbitrary()?),
        ValueType::String => Val::String(u.arbitrary()?),
        ValueType::List(elem) => {
            let n = u.int_in_range(0..=4)?;
            Val::List((0..n).map(|_| value(u, elem)).collect::<Result<_>>()?)
        }
        ValueType::Option(payload) => Val::Option(if u.arbitrary()? {
            Some(Box::new(value(u, payload)?))
        } else {
            None
        }),
        ValueType::Result(r) => Val::Result(if u.arbitrary()? {
            Ok(boxed(u, &r.ok)?)
        } else {
            Err(boxed(u, &r.err)?)
        }),
        ValueType::Tuple(elems) => {
            Val::Tuple(elems.iter().map(|t| value(u, t)).collect::<Result<_>>()?)
        }
        ValueType::Record(r) => Val::Record(
            r.fields
                .iter()
                .map(|f| Ok((f.name.wit().to_string(), value(u, &f.ty)?)))
                .collect::<Result<_>>()?,
        ),
        ValueType::Variant(v) => {
            let case = u.choose(&v.cases)?;
            let payload = match &case.ty {
                Some(t) => Some(Box::new(value(u, t)?)),
                None => None,
            };
            Val::Variant(case.name.wit().to_string(), payload)
        }
        ValueType::Enum(e) => Val::Enum(u.choose(&e.cases)?.wit().to_string()),
        ValueType::Flags(f) => {
            let mut set = Vec::new();
            for flag in &f.flags {
                if u.arbitrary()? {
                    set.push(flag.wit().to_string());
                }
            }
            Val::Flags(set)
        }
        // `value_type` makes none of these: resources need a live store, and the rest are
        // described by the dynamic path but not read or written as values.
        ValueType::Own(_)
        | ValueType::Borrow(_)
        | ValueType::Future(_)
        | ValueType::Stream(_)
        | ValueType::ErrorContext
        | ValueType::Map(..)
        | ValueType::FixedList(..) => return Err(arbitrary::Error::IncorrectFormat),
    })
}

/// `val` with the names of every flags value sorted: two readers may list set flags in
/// different orders.
pub fn sorted_flags(val: &Val) -> Val {
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

/// One parameter type of a real component: wasmtime's type, and the dynamic path's model of it
/// when it has one (resources and unsupported kinds have none).
pub struct Typed {
    /// wasmtime's type, for WAVE.
    pub wasmtime: Type,
    /// The model, for RON.
    pub model: Option<ValueType>,
}

/// The types and functions of the fixed components the WAVE target reads against.
pub struct Catalogue {
    /// Every distinct parameter type.
    pub types: Vec<Typed>,
    /// Every exported function the dynamic path can call.
    pub funcs: Vec<FuncType>,
}

/// Types the kitchen fixture lacks: deep nesting, wide tuples and flags (32, the most allowed), names that are RON or
/// Rust keywords, many enum cases.
fn tricky_wit() -> String {
    let mut deep_list = String::from("u8");
    for _ in 0..12 {
        deep_list = format!("list<{deep_list}>");
    }
    let mut deep_option = String::from("string");
    for _ in 0..12 {
        deep_option = format!("option<{deep_option}>");
    }
    let many: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
    let wide: Vec<String> = (0..32).map(|i| format!("w{i}")).collect();
    let tuple = vec!["u8"; 16].join(", ");
    let types = [
        deep_list,
        deep_option,
        "keywords".into(),
        "rusty".into(),
        "many".into(),
        "wide".into(),
        format!("tuple<{tuple}>"),
        "result<result<option<rusty>, list<char>>, result<_, wide>>".into(),
        "list<tuple<keywords, many, f32, f64, s64, u64>>".into(),
        "option<result>".into(),
    ];
    let funcs: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("    f{i}: func(v: {t}) -> {t};"))
        .collect();
    format!(
        "package test:tricky;
interface api {{
    record keywords {{ %type: u8, %self: string, none: option<u8>, inf: f32, na-n: f64, some: bool }}
    variant rusty {{ none, some(u8), ok(string), err(option<u8>), na-n, inf(f64), handle(u32) }}
    enum many {{ {} }}
    flags wide {{ {} }}
    two: func(a: u32, b: string);
{}
}}
world tricky {{ export api; }}
",
        many.join(", "),
        wide.join(", "),
        funcs.join("\n")
    )
}

fn read_component(engine: &Engine, bytes: &[u8], catalogue: &mut Catalogue) {
    let component = Component::new(engine, bytes).expect("the fixture compiles");
    let mut items: Vec<(String, ComponentItem)> = component
        .component_type()
        .exports(engine)
        .map(|(n, e)| (n.to_string(), e.ty))
        .collect();
    while let Some((name, item)) = items.pop() {
        match item {
            ComponentItem::ComponentInstance(instance) => items.extend(
                instance
                    .exports(engine)
                    .map(|(n, e)| (format!("{name}#{n}"), e.ty)),
            ),
            ComponentItem::ComponentFunc(func) => {
                for (_, ty) in func.params() {
                    if !catalogue.types.iter().any(|t| t.wasmtime == ty) {
                        let model = ValueType::from_wasmtime(&ty).ok();
                        catalogue.types.push(Typed {
                            wasmtime: ty,
                            model,
                        });
                    }
                }
                if let Ok(func) = FuncType::from_wasmtime(name, &func) {
                    catalogue.funcs.push(func);
                }
            }
            _ => {}
        }
    }
}

/// The catalogue, built once per process from the `kitchen` fixture (every kind of WIT value,
/// resources too) and a generated component of tricky types.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let engine = Engine::new(Config::new().concurrency_support(false)).expect("an engine");
        let mut catalogue = Catalogue {
            types: Vec::new(),
            funcs: Vec::new(),
        };
        read_component(&engine, &tairitsu_fixtures::kitchen(), &mut catalogue);
        let tricky = tairitsu_fixtures::generate(
            &tricky_wit(),
            "tricky",
            &Bodies::new().echo_interface("api").wat("api#two", ""),
        )
        .expect("the tricky fixture builds");
        read_component(&engine, &tricky, &mut catalogue);
        catalogue.funcs.sort_by(|a, b| a.name.cmp(&b.name));
        catalogue
    })
}
