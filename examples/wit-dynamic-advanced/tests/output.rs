//! What the dynamic example prints: discovery from the component, host imports served by RON
//! and `Val` closures, the same export through RON, WAVE and `Val`, errors, RON tools.

#[test]
fn every_dynamic_path_reaches_the_guest_and_back() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wit-dynamic-advanced"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "import set: func(key: string, value: string) -> option<string>",
        "export top-words: func(text: string, n: u32) -> list<tuple<string, u32>>",
        "type   record report { words: u32, sentences: u32, longest-word: option<string>, mood: mood, features: features }",
        "type   variant problem { empty, too-long(u32) }",
        r#"host   set("analyzed","1")"#,
        r#"RON    analyze -> Ok((words:7,sentences:2,longest_word:Some("great"),mood:Positive,features:[HasExclamations]))"#,
        r#"WAVE   analyze -> ok({words: 7, sentences: 2, longest-word: some("great"), mood: positive, features: {has-exclamations}})"#,
        r#"Val    top-words -> [List([Tuple([String("is"), U32(2)]), Tuple([String("great"), U32(2)])])]"#,
        r#"RON    analyze("") -> Err(Empty)"#,
        "RON    analyzed() -> 2",
        r#"host map: {"analyzed": "2"}"#,
        "argument `n` of `top-words`: -1 does not fit u32",
        "`top-words` takes 2 arguments (text: string, n: u32), 1 given",
        "has no export `analyse`",
        "sum(a: 42, b: 58) -> (total:100)",
        r#"shout("hi") -> "HI""#,
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}
