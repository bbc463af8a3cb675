//! What the example prints: the guest's answers, made with the host's settings and store, and
//! the host's store as the guest left it.

use std::process::Command;

#[test]
fn hand_written_handlers_serve_the_guest_and_its_answers_come_back() {
    let out = Command::new(env!("CARGO_BIN_EXE_wit-native-simple"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "host    composite interfaces: example:simple/logger@0.1.0, example:simple/kv@0.1.0, example:simple/config@0.1.0",
        r#"command Count(text:"The cat sat on the mat.")"#,
        // The guest read `min-length` = 3 from the host's simple_handler!.
        r#"guest   [info] counting "The cat sat on the mat." (min-length 3)"#,
        // The guest logged through the hand-written handler.
        "guest   [warn] skipped 1 short words",
        r#"answer  Count("5 words counted (4 new), 1 skipped")"#,
        // `case` = `insensitive` from the host: "THE" counts as "the", already in the store.
        r#"answer  Count("4 words counted (2 new), 2 skipped")"#,
        "typed   occurrences(\"the\") = 3",
        "typed   occurrences(\"cat\") = 2",
        "typed   occurrences(\"on\") = 0",
        // The stateful_handler!'s state, read back from the dispatcher.
        "host    store: cat=2 end=1 hat=1 mat=1 sat=1 the=3",
        "host    6 log lines from the guest",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}
