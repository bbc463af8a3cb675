//! The dynamic RON writer against `ron::to_string` for serde-derived Rust types: byte for byte
//! the same text, and each side reads the other's text back to the same value.
//!
//! The Rust types are what the generator makes of the `kitchen` fixture's WIT types.

use std::fmt::Debug;

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tairitsu_runtime::dynamic::{ValueType, ron as dyn_ron};
use tairitsu_runtime::wasmtime::component::Val;

/// A Rust type with its WIT type and its `Val`.
trait Wit {
    fn ty() -> ValueType;
    fn val(&self) -> Val;
}

macro_rules! scalar {
    ($($t:ty => $ty:ident, $val:ident;)*) => {$(
        impl Wit for $t {
            fn ty() -> ValueType { ValueType::$ty }
            fn val(&self) -> Val { Val::$val(self.clone().into()) }
        }
    )*};
}

scalar! {
    bool => Bool, Bool;
    i8 => S8, S8;
    u8 => U8, U8;
    i16 => S16, S16;
    u16 => U16, U16;
    i32 => S32, S32;
    u32 => U32, U32;
    i64 => S64, S64;
    u64 => U64, U64;
    f32 => F32, Float32;
    f64 => F64, Float64;
    char => Char, Char;
    String => String, String;
}

impl<T: Wit> Wit for Vec<T> {
    fn ty() -> ValueType {
        ValueType::list(T::ty())
    }
    fn val(&self) -> Val {
        Val::List(self.iter().map(Wit::val).collect())
    }
}

impl<T: Wit> Wit for Option<T> {
    fn ty() -> ValueType {
        ValueType::option(T::ty())
    }
    fn val(&self) -> Val {
        Val::Option(self.as_ref().map(|v| Box::new(v.val())))
    }
}

/// `()` as a result payload: no payload.
trait Payload {
    fn payload_ty() -> Option<ValueType>;
    fn payload(&self) -> Option<Box<Val>>;
}

impl Payload for () {
    fn payload_ty() -> Option<ValueType> {
        None
    }
    fn payload(&self) -> Option<Box<Val>> {
        None
    }
}

macro_rules! payload {
    ($($t:ty),*) => {$(
        impl Payload for $t {
            fn payload_ty() -> Option<ValueType> { Some(<$t as Wit>::ty()) }
            fn payload(&self) -> Option<Box<Val>> { Some(Box::new(self.val())) }
        }
    )*};
}

payload!(u32, String, Vec<(Color, Shape)>, Option<Person>);

impl<T: Payload, E: Payload> Wit for Result<T, E> {
    fn ty() -> ValueType {
        ValueType::result(T::payload_ty(), E::payload_ty())
    }
    fn val(&self) -> Val {
        Val::Result(match self {
            Ok(v) => Ok(v.payload()),
            Err(e) => Err(e.payload()),
        })
    }
}

impl<A: Wit, B: Wit> Wit for (A, B) {
    fn ty() -> ValueType {
        ValueType::tuple([A::ty(), B::ty()])
    }
    fn val(&self) -> Val {
        Val::Tuple(vec![self.0.val(), self.1.val()])
    }
}

impl<A: Wit, B: Wit, C: Wit> Wit for (A, B, C) {
    fn ty() -> ValueType {
        ValueType::tuple([A::ty(), B::ty(), C::ty()])
    }
    fn val(&self) -> Val {
        Val::Tuple(vec![self.0.val(), self.1.val(), self.2.val()])
    }
}

impl<A: Wit> Wit for (A,) {
    fn ty() -> ValueType {
        ValueType::tuple([A::ty()])
    }
    fn val(&self) -> Val {
        Val::Tuple(vec![self.0.val()])
    }
}

fn record(fields: Vec<(&str, Val)>) -> Val {
    Val::Record(
        fields
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Point {
    x: i32,
    y: i32,
}

impl Wit for Point {
    fn ty() -> ValueType {
        ValueType::record(
            Some("point"),
            [("x", ValueType::S32), ("y", ValueType::S32)],
        )
    }
    fn val(&self) -> Val {
        record(vec![("x", self.x.val()), ("y", self.y.val())])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ItemInfo {
    item_id: u64,
    r#type: String,
    self_ref: Option<String>,
    in_stock: bool,
}

impl Wit for ItemInfo {
    fn ty() -> ValueType {
        ValueType::record(
            Some("item-info"),
            [
                ("item-id", ValueType::U64),
                ("type", ValueType::String),
                ("self-ref", ValueType::option(ValueType::String)),
                ("in-stock", ValueType::Bool),
            ],
        )
    }
    fn val(&self) -> Val {
        record(vec![
            ("item-id", self.item_id.val()),
            ("type", self.r#type.val()),
            ("self-ref", self.self_ref.val()),
            ("in-stock", self.in_stock.val()),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Person {
    name: String,
    age: u8,
    tags: Vec<String>,
    home: Option<Point>,
}

impl Wit for Person {
    fn ty() -> ValueType {
        ValueType::record(
            Some("person"),
            [
                ("name", ValueType::String),
                ("age", ValueType::U8),
                ("tags", ValueType::list(ValueType::String)),
                ("home", ValueType::option(Point::ty())),
            ],
        )
    }
    fn val(&self) -> Val {
        record(vec![
            ("name", self.name.val()),
            ("age", self.age.val()),
            ("tags", self.tags.val()),
            ("home", self.home.val()),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Circle(f64),
    Rectangle(Point),
    Label(String),
    Empty,
}

impl Wit for Shape {
    fn ty() -> ValueType {
        ValueType::variant(
            Some("shape"),
            [
                ("circle", Some(ValueType::F64)),
                ("rectangle", Some(Point::ty())),
                ("label", Some(ValueType::String)),
                ("empty", None),
            ],
        )
    }
    fn val(&self) -> Val {
        let (case, payload) = match self {
            Shape::Circle(r) => ("circle", Some(r.val())),
            Shape::Rectangle(p) => ("rectangle", Some(p.val())),
            Shape::Label(l) => ("label", Some(l.val())),
            Shape::Empty => ("empty", None),
        };
        Val::Variant(case.into(), payload.map(Box::new))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Color {
    Red,
    Green,
    Blue,
    DarkMagenta,
}

impl Wit for Color {
    fn ty() -> ValueType {
        ValueType::enumeration(Some("color"), ["red", "green", "blue", "dark-magenta"])
    }
    fn val(&self) -> Val {
        Val::Enum(
            match self {
                Color::Red => "red",
                Color::Green => "green",
                Color::Blue => "blue",
                Color::DarkMagenta => "dark-magenta",
            }
            .into(),
        )
    }
}

/// Flags as the generator writes them: a list of the set flags, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Permission {
    Read,
    Write,
    Exec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
struct Permissions(Vec<Permission>);

impl Wit for Permissions {
    fn ty() -> ValueType {
        ValueType::flags(Some("permissions"), ["read", "write", "exec"])
    }
    fn val(&self) -> Val {
        Val::Flags(
            self.0
                .iter()
                .map(|p| match p {
                    Permission::Read => "read".to_string(),
                    Permission::Write => "write".to_string(),
                    Permission::Exec => "exec".to_string(),
                })
                .collect(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Scalar {
    Int(i64),
    Float(f32),
    Double(f64),
    Letter(char),
    None,
}

impl Wit for Scalar {
    fn ty() -> ValueType {
        ValueType::variant(
            Some("scalar"),
            [
                ("int", Some(ValueType::S64)),
                ("float", Some(ValueType::F32)),
                ("double", Some(ValueType::F64)),
                ("letter", Some(ValueType::Char)),
                ("none", None),
            ],
        )
    }
    fn val(&self) -> Val {
        let (case, payload) = match self {
            Scalar::Int(v) => ("int", Some(v.val())),
            Scalar::Float(v) => ("float", Some(v.val())),
            Scalar::Double(v) => ("double", Some(v.val())),
            Scalar::Letter(v) => ("letter", Some(v.val())),
            Scalar::None => ("none", None),
        };
        Val::Variant(case.into(), payload.map(Box::new))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Deep {
    label: String,
    grid: Vec<Vec<Option<Point>>>,
    outcome: Result<Vec<(Color, Shape)>, Option<Person>>,
    perms: Permissions,
}

impl Wit for Deep {
    fn ty() -> ValueType {
        ValueType::record(
            Some("deep"),
            [
                ("label", ValueType::String),
                ("grid", <Vec<Vec<Option<Point>>>>::ty()),
                (
                    "outcome",
                    <Result<Vec<(Color, Shape)>, Option<Person>>>::ty(),
                ),
                ("perms", Permissions::ty()),
            ],
        )
    }
    fn val(&self) -> Val {
        record(vec![
            ("label", self.label.val()),
            ("grid", self.grid.val()),
            ("outcome", self.outcome.val()),
            ("perms", self.perms.val()),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Big {
    info: ItemInfo,
    owner: Person,
    value: Scalar,
}

impl Wit for Big {
    fn ty() -> ValueType {
        ValueType::record(
            Some("big"),
            [
                ("info", ItemInfo::ty()),
                ("owner", Person::ty()),
                ("value", Scalar::ty()),
            ],
        )
    }
    fn val(&self) -> Val {
        record(vec![
            ("info", self.info.val()),
            ("owner", self.owner.val()),
            ("value", self.value.val()),
        ])
    }
}

/// The dynamic text is `ron::to_string`'s, and each reads the other back to the same value.
fn check<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Wit + Serialize + DeserializeOwned + Debug,
{
    let ty = T::ty();
    let val = value.val();
    let expected = ron::to_string(value).expect("ron writes it");
    let written = dyn_ron::to_string(&val, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&written, &expected, "value {:?}", value);
    let parsed = dyn_ron::parse(&expected, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&parsed, &val, "parsing {}", expected);
    let back: T = ron::from_str(&written).map_err(|e| TestCaseError::fail(e.to_string()))?;
    // Compare through `Val`, whose equality takes NaN as equal to NaN.
    prop_assert_eq!(back.val(), val);
    Ok(())
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>(),
        Just(f32::NAN),
        Just(-f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(-0.0f32),
        Just(1.0f32),
        Just(f32::MIN_POSITIVE),
        Just(f32::MAX),
    ]
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(-f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(1.0),
        Just(1e300),
        Just(5e-324),
    ]
}

fn point() -> impl Strategy<Value = Point> {
    (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Point { x, y })
}

fn item_info() -> impl Strategy<Value = ItemInfo> {
    (
        any::<u64>(),
        any::<String>(),
        any::<Option<String>>(),
        any::<bool>(),
    )
        .prop_map(|(item_id, r#type, self_ref, in_stock)| ItemInfo {
            item_id,
            r#type,
            self_ref,
            in_stock,
        })
}

fn person() -> impl Strategy<Value = Person> {
    (
        any::<String>(),
        any::<u8>(),
        prop::collection::vec(any::<String>(), 0..3),
        prop::option::of(point()),
    )
        .prop_map(|(name, age, tags, home)| Person {
            name,
            age,
            tags,
            home,
        })
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        any_f64().prop_map(Shape::Circle),
        point().prop_map(Shape::Rectangle),
        any::<String>().prop_map(Shape::Label),
        Just(Shape::Empty),
    ]
}

fn color() -> impl Strategy<Value = Color> {
    prop_oneof![
        Just(Color::Red),
        Just(Color::Green),
        Just(Color::Blue),
        Just(Color::DarkMagenta)
    ]
}

fn permissions() -> impl Strategy<Value = Permissions> {
    prop::collection::btree_set(
        prop_oneof![
            Just(Permission::Read),
            Just(Permission::Write),
            Just(Permission::Exec)
        ],
        0..=3,
    )
    .prop_map(|set| Permissions(set.into_iter().collect()))
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<i64>().prop_map(Scalar::Int),
        any_f32().prop_map(Scalar::Float),
        any_f64().prop_map(Scalar::Double),
        any::<char>().prop_map(Scalar::Letter),
        Just(Scalar::None),
    ]
}

fn deep() -> impl Strategy<Value = Deep> {
    (
        any::<String>(),
        prop::collection::vec(prop::collection::vec(prop::option::of(point()), 0..3), 0..3),
        prop_oneof![
            prop::collection::vec((color(), shape()), 0..3).prop_map(Ok),
            prop::option::of(person()).prop_map(Err),
        ],
        permissions(),
    )
        .prop_map(|(label, grid, outcome, perms)| Deep {
            label,
            grid,
            outcome,
            perms,
        })
}

fn big() -> impl Strategy<Value = Big> {
    (item_info(), person(), scalar()).prop_map(|(info, owner, value)| Big { info, owner, value })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn integers(a in any::<i8>(), b in any::<u8>(), c in any::<i16>(), d in any::<u16>(),
                e in any::<i32>(), f in any::<u32>(), g in any::<i64>(), h in any::<u64>()) {
        check(&a)?; check(&b)?; check(&c)?; check(&d)?;
        check(&e)?; check(&f)?; check(&g)?; check(&h)?;
        check(&i64::MIN)?; check(&u64::MAX)?;
    }

    #[test]
    fn floats(a in any_f32(), b in any_f64()) {
        check(&a)?;
        check(&b)?;
    }

    #[test]
    fn chars_and_strings(c in any::<char>(), s in any::<String>(), b in any::<bool>()) {
        check(&c)?;
        check(&s)?;
        check(&b)?;
    }

    #[test]
    fn lists_tuples_options_results(
        bytes in prop::collection::vec(any::<u8>(), 0..8),
        strings in prop::collection::vec(any::<String>(), 0..4),
        tuple in (any::<u8>(), any::<String>(), any_f64()),
        single in any::<u32>(),
        nested in any::<Option<Option<u32>>>(),
        result in prop_oneof![any::<u32>().prop_map(Ok), any::<String>().prop_map(Err)],
        no_ok in prop_oneof![Just(Ok(())), any::<String>().prop_map(Err)],
        no_err in prop_oneof![any::<u32>().prop_map(Ok), Just(Err(()))],
        empty in prop_oneof![Just(Ok(())), Just(Err(()))],
        pair in (any::<String>(), any::<u32>()),
    ) {
        check(&bytes)?;
        check(&strings)?;
        check(&tuple)?;
        check(&(single,))?;
        check(&nested)?;
        check(&result)?;
        check::<Result<(), String>>(&no_ok)?;
        check::<Result<u32, ()>>(&no_err)?;
        check::<Result<(), ()>>(&empty)?;
        check(&pair)?;
    }

    #[test]
    fn records_variants_enums_flags(
        p in point(), i in item_info(), who in person(), s in shape(), c in color(),
        perms in permissions(), sc in scalar(),
    ) {
        check(&p)?;
        check(&i)?;
        check(&who)?;
        check(&s)?;
        check(&c)?;
        check(&perms)?;
        check(&sc)?;
    }

    #[test]
    fn nested_records(d in deep(), b in big()) {
        check(&d)?;
        check(&b)?;
    }
}

#[test]
fn hand_picked_texts() {
    // The table of DESIGN.md, and `ron`'s raw identifiers.
    assert_eq!(
        dyn_ron::to_string(&Scalar::None.val(), &Scalar::ty()).unwrap(),
        "r#None"
    );
    assert_eq!(ron::to_string(&Scalar::None).unwrap(), "r#None");
    let item = ItemInfo {
        item_id: 1,
        r#type: "t".into(),
        self_ref: None,
        in_stock: true,
    };
    assert_eq!(
        dyn_ron::to_string(&item.val(), &ItemInfo::ty()).unwrap(),
        "(item_id:1,type:\"t\",self_ref:None,in_stock:true)"
    );
    let shape = Shape::Rectangle(Point { x: 1, y: 2 });
    assert_eq!(
        dyn_ron::to_string(&shape.val(), &Shape::ty()).unwrap(),
        "Rectangle((x:1,y:2))"
    );
}
