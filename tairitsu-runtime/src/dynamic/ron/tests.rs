use super::*;
use crate::dynamic::DEFAULT_MAX_DEPTH;

fn point() -> ValueType {
    ValueType::record(
        Some("point"),
        [("x-pos", ValueType::S32), ("y", ValueType::S32)],
    )
}

fn round_trip(text: &str, ty: &ValueType) -> String {
    let val = parse(text, ty).unwrap_or_else(|e| panic!("{text}: {e}"));
    to_string(&val, ty).unwrap()
}

#[test]
fn scalars() {
    assert_eq!(round_trip(" 0x1F ", &ValueType::U8), "31");
    assert_eq!(round_trip("-128", &ValueType::S8), "-128");
    assert_eq!(round_trip("1_000u32", &ValueType::U32), "1000");
    assert_eq!(round_trip("b'a'", &ValueType::U8), "97");
    assert_eq!(
        round_trip("18446744073709551615", &ValueType::U64),
        "18446744073709551615"
    );
    assert_eq!(
        round_trip("-9223372036854775808", &ValueType::S64),
        "-9223372036854775808"
    );
    assert_eq!(round_trip("1", &ValueType::F64), "1.0");
    assert_eq!(round_trip("-.5e1", &ValueType::F64), "-5.0");
    assert_eq!(round_trip("-NaN", &ValueType::F64), "-NaN");
    assert_eq!(round_trip("+inf", &ValueType::F32), "inf");
    assert_eq!(round_trip("1e300", &ValueType::F64), "1e300");
    assert_eq!(round_trip("0.1f32", &ValueType::F32), "0.1");
    assert_eq!(round_trip("'\\''", &ValueType::Char), "'\\''");
    assert_eq!(round_trip("'\\u{fc}'", &ValueType::Char), "'ü'");
    assert_eq!(round_trip("true", &ValueType::Bool), "true");
}

#[test]
fn strings() {
    assert_eq!(
        round_trip(
            r#""a\x41\u{301}\
             b""#,
            &ValueType::String
        ),
        r#""aA\u{301}b""#
    );
    assert_eq!(
        round_trip(r###"r#"a"b"#"###, &ValueType::String),
        r#""a\"b""#
    );
    assert_eq!(round_trip(r#""it's""#, &ValueType::String), r#""it\'s""#);
    assert_eq!(round_trip("\"\\xc3\\xbc\"", &ValueType::String), "\"ü\"");
}

#[test]
fn records_in_every_form() {
    let ty = point();
    for text in [
        "(x_pos:1,y:2)",
        "Point(x_pos: 1, y: 2,)",
        "point(y: 2, x-pos: 1)",
        "/* c */ ( // line\n x_pos : 1 , y : 2 )",
    ] {
        assert_eq!(round_trip(text, &ty), "(x_pos:1,y:2)", "{text}");
    }
}

#[test]
fn record_errors_list_the_fields() {
    let ty = point();
    let err = parse("(x_pos: 1)", &ty).unwrap_err().to_string();
    assert!(err.contains("missing field `y` of point"), "{err}");
    let err = parse("(x_pos: 1, z: 2)", &ty).unwrap_err().to_string();
    assert!(
        err.contains("unknown field `z`") && err.contains("x_pos: s32, y: s32"),
        "{err}"
    );
    let err = parse("(x_pos: 1, x_pos: 2)", &ty).unwrap_err().to_string();
    assert!(err.contains("given twice"), "{err}");
    let err = parse("Line(x_pos: 1, y: 2)", &ty).unwrap_err().to_string();
    assert!(err.contains("expected point"), "{err}");
    let err = parse("(x_pos: 1, y: 300000000000)", &ty)
        .unwrap_err()
        .to_string();
    assert_eq!(err, ".y: 300000000000 does not fit s32 (line 1, column 15)");
}

#[test]
fn missing_option_field_is_none() {
    let ty = ValueType::record(
        None,
        [
            ("a", ValueType::U8),
            ("b", ValueType::option(ValueType::U8)),
        ],
    );
    assert_eq!(round_trip("(a: 1)", &ty), "(a:1,b:None)");
}

#[test]
fn variants_enums_flags() {
    let shape = ValueType::variant(
        Some("shape"),
        [
            ("circle", Some(ValueType::F64)),
            ("rectangle", Some(point())),
            ("empty", None),
            ("none", None),
        ],
    );
    assert_eq!(round_trip("Circle(1)", &shape), "Circle(1.0)");
    assert_eq!(
        round_trip("rectangle(Point(x_pos:1,y:2))", &shape),
        "Rectangle((x_pos:1,y:2))"
    );
    assert_eq!(round_trip("Empty", &shape), "Empty");
    assert_eq!(round_trip("None", &shape), "r#None");
    assert_eq!(round_trip("r#None", &shape), "r#None");
    let err = parse("Square(1)", &shape).unwrap_err().to_string();
    assert!(
        err.contains("unknown case `Square` of shape; expected one of Circle"),
        "{err}"
    );

    let color = ValueType::enumeration(Some("color"), ["red", "dark-magenta"]);
    assert_eq!(round_trip("dark-magenta", &color), "DarkMagenta");
    let perms = ValueType::flags(Some("permissions"), ["read", "write", "exec"]);
    assert_eq!(round_trip("[Exec, read, Exec]", &perms), "[Read,Exec]");
    assert_eq!(round_trip("[]", &perms), "[]");
}

#[test]
fn options_results_tuples_lists() {
    let ty = ValueType::option(ValueType::option(ValueType::U32));
    assert_eq!(round_trip("Some(None)", &ty), "Some(None)");
    assert_eq!(round_trip("Some ( Some ( 3 ) )", &ty), "Some(Some(3))");
    let ty = ValueType::result(None, Some(ValueType::String));
    assert_eq!(round_trip("Ok( () )", &ty), "Ok(())");
    assert_eq!(round_trip("Err(\"e\")", &ty), "Err(\"e\")");
    assert!(parse("Ok()", &ty).is_err());
    let ty = ValueType::tuple([ValueType::U8, ValueType::String]);
    assert_eq!(round_trip("(1, \"a\",)", &ty), "(1,\"a\")");
    assert!(
        parse("(1)", &ty)
            .unwrap_err()
            .to_string()
            .contains("has 2 elements, found 1")
    );
    assert!(
        parse("(1, \"a\", 2)", &ty)
            .unwrap_err()
            .to_string()
            .contains("too many")
    );
    let ty = ValueType::list(ValueType::U8);
    assert_eq!(round_trip("[1, 2, 3,]", &ty), "[1,2,3]");
    let err = parse("[1, 2, 300]", &ty).unwrap_err().to_string();
    assert_eq!(err, "[2]: 300 does not fit u8 (line 1, column 8)");
}

#[test]
fn bad_input_is_an_error() {
    let cases: &[(&str, ValueType)] = &[
        ("", ValueType::U8),
        ("-1", ValueType::U8),
        ("1.5", ValueType::U32),
        ("1u8", ValueType::U32),
        ("\"abc", ValueType::String),
        ("'ab'", ValueType::Char),
        ("[1 2]", ValueType::list(ValueType::U8)),
        ("1 2", ValueType::U8),
        ("/* open", ValueType::U8),
        ("\"\\q\"", ValueType::String),
        ("\"\\u{110000}\"", ValueType::String),
        ("Some(1", ValueType::option(ValueType::U8)),
        ("Handle(1)", ValueType::Own(Default::default())),
        ("truex", ValueType::Bool),
        ("é", ValueType::U8),
    ];
    for (text, ty) in cases {
        assert!(
            parse(text, ty).is_err(),
            "{text:?} should not parse as {ty}"
        );
    }
}

#[test]
fn depth_is_bounded_without_recursion_on_input() {
    let mut ty = ValueType::U8;
    for _ in 0..200 {
        ty = ValueType::list(ty);
    }
    let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let err = parse(&text, &ty).unwrap_err().to_string();
    assert!(err.contains("deeper than 128 levels"), "{err}");
}

#[test]
fn the_deepest_value_allowed_fits_a_small_stack() {
    // 127 nested lists around a record inside options: the whole depth budget, read and
    // written on a thread with a 512 KiB stack (a debug build, where frames are largest: about
    // 2.3 KiB a level when reading, 1.2 KiB when writing).
    let leaf = ValueType::option(ValueType::record(Some("p"), [("x", ValueType::U8)]));
    let mut ty = leaf;
    for _ in 0..(DEFAULT_MAX_DEPTH - 3) {
        ty = ValueType::list(ty);
    }
    let text = format!(
        "{}Some((x:1)){}",
        "[".repeat(DEFAULT_MAX_DEPTH - 3),
        "]".repeat(DEFAULT_MAX_DEPTH - 3)
    );
    let written = std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(move || {
            let val = parse(&text, &ty).unwrap();
            to_string(&val, &ty).unwrap() == text
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(written);
}

#[test]
fn size_is_bounded() {
    let limits = ValueLimits {
        max_text_len: 8,
        ..ValueLimits::default()
    };
    let ty = ValueType::String;
    assert!(parse_with("\"0123456789\"", &ty, &limits, &mut NoHandles).is_err());
    let val = Val::String("0123456789".into());
    assert!(to_string_with(&val, &ty, &limits, &mut NoHandles).is_err());
}

#[test]
fn writer_checks_the_value_against_the_type() {
    let err = to_string(&Val::U32(1), &ValueType::U8)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "expected u8, found a u32 value");
    let val = Val::List(vec![Val::U8(1), Val::String("x".into())]);
    let err = to_string(&val, &ValueType::list(ValueType::U8))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "[1]: expected u8, found a string value");
}
