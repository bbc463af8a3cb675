//! The quick start's output: what a new user sees first.

use std::process::Command;

#[test]
fn the_quick_start_loads_lists_and_calls_the_greeter() {
    let out = Command::new(env!("CARGO_BIN_EXE_wit-runtime"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "import tairitsu:greeter/host@0.1.0  log: func(message: string)",
        "export tairitsu:greeter/greeter@0.1.0  describe: func(name: string, loud: bool) -> greeting",
        "type   record greeting { text: string, length: u32, shouted: bool }",
        r#"guest  log("greet called with \"world\"")"#,
        r#"call   greet("world") -> "Hello, world!""#,
        r#"call   describe(name: "Tairitsu", loud: true) -> (text:"HELLO, TAIRITSU!",length:16,shouted:true)"#,
        "call   add(40, 2) -> 42",
        "call   min-max([2.5, -1.0, 8.0]) -> Some((-1.0,8.0))",
        "call   min-max([]) -> None",
        r#"wave   {text: "Hello, wave!", length: 12, shouted: false}"#,
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}

#[test]
fn any_other_component_is_listed_without_being_called() {
    let dir = std::env::temp_dir().join(format!("wit-runtime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("calc.wasm");
    std::fs::write(&path, tairitsu_fixtures::calc()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wit-runtime"))
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("export test:calc/api@0.1.0  mul: func(a: s32, b: s32) -> s32"),
        "{stdout}"
    );
    assert!(!stdout.contains("call "), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
