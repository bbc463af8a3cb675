//! RON of generated types: exactly the text of DESIGN.md's table, and every value round-trips.

mod common;

use common::*;
use tairitsu_build_e2e::kitchen::exports::test::kitchen::echo::{EchoCommand, EchoResponse};
use tairitsu_build_e2e::kitchen::test::kitchen::types::{
    Big, Color, Deep, ItemInfo, Permissions, Person, Point, Scalar, Shape,
};

/// `value.to_ron()` is `text`, and `from_ron(text)` gives the value back.
macro_rules! ron_is {
    ($ty:ty, $value:expr, $text:expr) => {{
        let value: $ty = $value;
        let text = value.to_ron().unwrap();
        assert_eq!(text, $text, "RON of {value:?}");
        assert_eq!(
            <$ty>::from_ron(&text).unwrap(),
            value,
            "round trip of {text}"
        );
    }};
}

#[test]
fn records_omit_names_and_use_snake_case_fields() {
    ron_is!(Point, point(1, -2), "(x:1,y:-2)");
    ron_is!(
        ItemInfo,
        item_info(),
        r#"(item_id:18446744073709551615,type:"gear",self_ref:Some("me"),in_stock:true)"#
    );
    ron_is!(
        Person,
        person(),
        r#"(name:"Ada",age:36,tags:["math","engines"],home:Some((x:1,y:-2)))"#
    );
    // The named form is accepted too.
    assert_eq!(Point::from_ron("Point(x: 1, y: -2)").unwrap(), point(1, -2));
}

#[test]
fn variants_and_enums_use_upper_camel_case() {
    ron_is!(Shape, Shape::Circle(1.0), "Circle(1.0)");
    ron_is!(Shape, Shape::Rectangle(point(1, 2)), "Rectangle((x:1,y:2))");
    ron_is!(Shape, Shape::Label("l".into()), r#"Label("l")"#);
    ron_is!(Shape, Shape::Empty, "Empty");
    ron_is!(Color, Color::Red, "Red");
    ron_is!(Color, Color::DarkMagenta, "DarkMagenta");
    ron_is!(Scalar, Scalar::Letter('ü'), "Letter('ü')");
    // A case named like a RON keyword (`none`, `some`, `true`…) is written as a raw identifier,
    // so that it cannot be mistaken for `Option::None`; the plain form reads back too.
    ron_is!(Scalar, Scalar::None, "r#None");
    assert_eq!(Scalar::from_ron("None").unwrap(), Scalar::None);
    ron_is!(Scalar, Scalar::Int(i64::MIN), "Int(-9223372036854775808)");
}

#[test]
fn flags_are_a_list_of_names() {
    ron_is!(
        Permissions,
        Permissions::READ | Permissions::WRITE,
        "[Read,Write]"
    );
    ron_is!(Permissions, Permissions::empty(), "[]");
    ron_is!(Permissions, Permissions::all(), "[Read,Write,Exec]");
    assert_eq!(
        Permissions::from_ron("[Exec, Read]").unwrap(),
        Permissions::READ | Permissions::EXEC
    );
}

#[test]
fn commands_and_responses() {
    ron_is!(
        EchoCommand,
        EchoCommand::EchoU64 { v: u64::MAX },
        "EchoU64(v:18446744073709551615)"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoS64 { v: i64::MIN },
        "EchoS64(v:-9223372036854775808)"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoBool { v: true },
        "EchoBool(v:true)"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoChar { v: 'ü' },
        "EchoChar(v:'ü')"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoString { v: "hi".into() },
        r#"EchoString(v:"hi")"#
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoListU32 { v: vec![1, 2] },
        "EchoListU32(v:[1,2])"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoTuple {
            v: (1, "a".into(), 1.5)
        },
        r#"EchoTuple(v:(1,"a",1.5))"#
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoOptionString {
            v: Some("s".into())
        },
        r#"EchoOptionString(v:Some("s"))"#
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoOptionOption { v: Some(None) },
        "EchoOptionOption(v:Some(None))"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoResult { v: Ok(1) },
        "EchoResult(v:Ok(1))"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoResult { v: Err("e".into()) },
        r#"EchoResult(v:Err("e"))"#
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoResultEmpty { v: Ok(()) },
        "EchoResultEmpty(v:Ok(()))"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoResultNoErr { v: Err(()) },
        "EchoResultNoErr(v:Err(()))"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::Pair {
            a: "a".into(),
            b: 2
        },
        r#"Pair(a:"a",b:2)"#
    );
    ron_is!(EchoCommand, EchoCommand::Nothing, "Nothing");
    ron_is!(EchoResponse, EchoResponse::EchoF32(1.5), "EchoF32(1.5)");
    ron_is!(EchoResponse, EchoResponse::Nothing, "Nothing");
    ron_is!(
        EchoResponse,
        EchoResponse::EchoColor(Color::Blue),
        "EchoColor(Blue)"
    );
}

#[test]
fn floats_keep_nan_and_infinities() {
    let text = EchoCommand::EchoF64 { v: f64::NAN }.to_ron().unwrap();
    assert_eq!(text, "EchoF64(v:NaN)");
    match EchoCommand::from_ron(&text).unwrap() {
        EchoCommand::EchoF64 { v } => assert!(v.is_nan()),
        other => panic!("{other:?}"),
    }
    ron_is!(
        EchoCommand,
        EchoCommand::EchoF64 { v: f64::INFINITY },
        "EchoF64(v:inf)"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoF32 {
            v: f32::NEG_INFINITY
        },
        "EchoF32(v:-inf)"
    );
    ron_is!(
        EchoCommand,
        EchoCommand::EchoF64 { v: 1e300 },
        "EchoF64(v:1e300)"
    );
}

#[test]
fn every_type_round_trips() {
    ron_is!(
        Deep,
        deep(),
        r#"(label:"deep",grid:[[Some((x:1,y:2)),None],[]],outcome:Ok([(Red,Circle(1.5)),(DarkMagenta,Label("l")),(Blue,Rectangle((x:3,y:4))),(Green,Empty)]),perms:[Read,Exec])"#
    );
    let b: Big = big();
    assert_eq!(Big::from_ron(&b.to_ron().unwrap()).unwrap(), b);
    let nested = EchoCommand::EchoNested {
        v: vec![Some(Ok(point(1, 1))), None, Some(Err(Shape::Empty))],
    };
    ron_is!(
        EchoCommand,
        nested,
        "EchoNested(v:[Some(Ok((x:1,y:1))),None,Some(Err(Empty))])"
    );
    let deep_err = Deep {
        outcome: Err(Some(person())),
        ..deep()
    };
    assert_eq!(
        Deep::from_ron(&deep_err.to_ron().unwrap()).unwrap(),
        deep_err
    );
}

#[test]
fn errors_have_a_position() {
    let err = Point::from_ron("(x: 1,\n y: \"no\")").unwrap_err();
    let text = err.to_string();
    assert!(text.contains('2'), "line in {text}");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn point_s() -> impl Strategy<Value = Point> {
        (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Point { x, y })
    }

    fn shape_s() -> impl Strategy<Value = Shape> {
        prop_oneof![
            any::<f64>()
                .prop_filter("NaN != NaN", |f| !f.is_nan())
                .prop_map(Shape::Circle),
            point_s().prop_map(Shape::Rectangle),
            any::<String>().prop_map(Shape::Label),
            Just(Shape::Empty),
        ]
    }

    fn item_s() -> impl Strategy<Value = ItemInfo> {
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

    proptest! {
        #[test]
        fn shapes_round_trip(s in shape_s()) {
            prop_assert_eq!(Shape::from_ron(&s.to_ron().unwrap()).unwrap(), s);
        }

        #[test]
        fn items_round_trip(i in item_s()) {
            prop_assert_eq!(ItemInfo::from_ron(&i.to_ron().unwrap()).unwrap(), i);
        }

        #[test]
        fn scalars_round_trip(n in any::<i64>(), c in any::<char>(), f in any::<f32>().prop_filter("NaN", |f| !f.is_nan())) {
            for s in [Scalar::Int(n), Scalar::Letter(c), Scalar::Float(f)] {
                prop_assert_eq!(Scalar::from_ron(&s.to_ron().unwrap()).unwrap(), s);
            }
        }

        #[test]
        fn flags_round_trip(bits in 0u8..8) {
            let mut p = Permissions::empty();
            if bits & 1 != 0 { p |= Permissions::READ; }
            if bits & 2 != 0 { p |= Permissions::WRITE; }
            if bits & 4 != 0 { p |= Permissions::EXEC; }
            prop_assert_eq!(Permissions::from_ron(&p.to_ron().unwrap()).unwrap(), p);
        }
    }
}
