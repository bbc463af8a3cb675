//! The two RON paths agree: the text a generated type writes is the text the dynamic path
//! writes for the same value, and each reads the other's.
//!
//! For each value: the generated type writes RON, the dynamic path sends that text to the
//! guest's echo export and prints the result, and the two texts must be equal; then the
//! generated type reads the dynamic text back to the same value.

mod common;

use common::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tairitsu::dynamic::HostImports;
use tairitsu::{Container, Image};
use tairitsu_build_e2e::kitchen::test::kitchen::types::{Color, Permissions, Scalar, Shape};

fn dynamic() -> Container {
    let image = Image::from_bytes(tairitsu_fixtures::kitchen()).unwrap();
    Container::builder(image)
        .with_host_imports(HostImports::new().define_unknown_imports_as_traps(true))
        .build()
        .unwrap()
}

fn agree<V>(c: &mut Container, function: &str, value: V)
where
    V: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let typed = tairitsu::serde_ron::to_string(&value).unwrap();
    let dynamic = c
        .call_ron(&format!("echo.{function}({typed})"))
        .unwrap_or_else(|e| panic!("{function}({typed}): {e}"));
    assert_eq!(
        dynamic, typed,
        "{function}: dynamic RON differs from generated RON"
    );
    let back: V = tairitsu::serde_ron::from_str(&dynamic).unwrap();
    assert_eq!(
        back, value,
        "{function}: generated type reads the dynamic text"
    );
}

#[test]
fn generated_and_dynamic_ron_are_the_same_text() {
    let mut c = dynamic();
    agree(&mut c, "echo-point", point(-1, 2));
    agree(&mut c, "echo-person", person());
    agree(&mut c, "echo-item-info", item_info());
    agree(&mut c, "echo-deep", deep());
    agree(&mut c, "echo-big", big());
    for shape in [
        Shape::Circle(2.5),
        Shape::Rectangle(point(1, 1)),
        Shape::Label("x \"y\" ü".into()),
        Shape::Empty,
    ] {
        agree(&mut c, "echo-shape", shape);
    }
    for color in [Color::Red, Color::DarkMagenta] {
        agree(&mut c, "echo-color", color);
    }
    for perms in [
        Permissions::empty(),
        Permissions::READ,
        Permissions::READ | Permissions::WRITE | Permissions::EXEC,
    ] {
        agree(&mut c, "echo-permissions", perms);
    }
    for scalar in [
        Scalar::Int(-3),
        Scalar::Float(0.5),
        Scalar::Double(-1e300),
        Scalar::Letter('ü'),
        Scalar::None,
    ] {
        agree(&mut c, "echo-scalar", scalar);
    }
    agree(&mut c, "echo-option-option", Some(None::<u32>));
    agree(&mut c, "echo-option-option", Some(Some(7u32)));
    agree(&mut c, "echo-result", Err::<u32, String>("no".into()));
    agree(&mut c, "echo-result-no-ok", Ok::<(), String>(()));
    agree(&mut c, "echo-result-no-err", Err::<u32, ()>(()));
    agree(&mut c, "echo-result-empty", Ok::<(), ()>(()));
    agree(&mut c, "echo-u64", u64::MAX);
    agree(&mut c, "echo-s64", i64::MIN);
    agree(&mut c, "echo-f64", f64::INFINITY);
    agree(&mut c, "echo-f32", -0.25f32);
    agree(&mut c, "echo-char", '\'');
    agree(&mut c, "echo-string", "tab\tquote\"newline\n".to_string());
    agree(
        &mut c,
        "echo-nested",
        vec![
            Some(Ok(point(1, 2))),
            None,
            Some(Err(Shape::Label("e".into()))),
        ],
    );
    agree(&mut c, "echo-tuple", (1u8, "a".to_string(), 0.5f64));
}

#[test]
fn both_paths_refuse_an_unknown_record_field_and_default_a_missing_option() {
    use tairitsu_build_e2e::kitchen::test::kitchen::types::{Person, Point};

    // A misspelt field: an error on both paths, not a value with the field dropped.
    let misspelt = "(name:\"Ada\",age:36,tags:[],hmoe:None)";
    let typed = Person::from_ron(misspelt).unwrap_err().to_string();
    assert!(typed.contains("hmoe"), "{typed}");
    let mut c = dynamic();
    let dynamic = c
        .call_ron(&format!("echo.echo-person({misspelt})"))
        .unwrap_err()
        .to_string();
    assert!(dynamic.contains("unknown field `hmoe`"), "{dynamic}");
    assert!(Point::from_ron("(x:1,y:2,z:3)").is_err());

    // A misspelt argument name in a command, or in a dynamic call: an error on both.
    use tairitsu_build_e2e::kitchen::exports::test::kitchen::echo::EchoCommand;
    let command = EchoCommand::from_ron("EchoPoint(v:(x:1,y:2),w:3)")
        .unwrap_err()
        .to_string();
    assert!(command.contains("`w`"), "{command}");
    assert!(EchoCommand::from_ron("EchoPoint(v:(x:1,y:2))").is_ok());
    let call = c
        .call_ron("echo.echo-point(v: (x:1,y:2), w: 3)")
        .unwrap_err()
        .to_string();
    assert!(call.contains('w'), "{call}");

    // A missing `option` field is `None` on both.
    let short = "(name:\"Ada\",age:36,tags:[])";
    let person = Person::from_ron(short).unwrap();
    assert_eq!(person.home, None);
    assert_eq!(
        c.call_ron(&format!("echo.echo-person({short})")).unwrap(),
        person.to_ron().unwrap()
    );
}
