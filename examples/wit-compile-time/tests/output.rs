//! What the compile-time example prints: typed values from the guest, the host's storage
//! reached by the guest, RON and descriptors.

#[test]
fn typed_calls_reach_the_guest_and_the_guest_reaches_the_host() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wit-compile-time"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "mood Positive, 13 words, questions: true",
        r#"as RON: (words:13,sentences:3,longest_word:Some("percent"),mood:Positive,features:[HasNumbers,HasQuestions,HasExclamations])"#,
        r#"top words: [("is", 2), ("it", 2), ("great", 2)]"#,
        r#"command analyze as RON: Analyze(text:"")"#,
        "empty text: Empty",
        "texts analysed: 1",
        r#"the guest asked the host: Some(["get analyzed", "set analyzed = 1", "get analyzed"])"#,
        "export analyze: func(text: string) -> result<report, problem>",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}
