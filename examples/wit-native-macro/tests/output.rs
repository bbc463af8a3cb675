//! What the example prints: the guest's answers to the host's commands, made from the files
//! the host served it, and the host's view of what the guest did.

use std::process::Command;

#[test]
fn handlers_serve_the_guest_and_commands_reach_its_exports() {
    let out = Command::new(env!("CARGO_BIN_EXE_wit-native-macro"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        // The Rust spelling, as WIT.
        "wit         read: func(path: string) -> result<list<u8>, string>;",
        "wit         %list: func(directory: string) -> result<list<string>, string>;",
        "host serves example:notes/filesystem@0.1.0 (4 functions); the guest exports example:notes/notes@0.1.0 (4 functions)",
        // Commands reach the guest's export, and its answers come back.
        r#"command Save(title:"groceries",body:"eggs milk bread")"#,
        r#"answer  Save(Ok("notes/groceries.txt"))"#,
        // An error made by the guest.
        r#"answer  Save(Err("a title cannot contain `/`: \"bad/title\""))"#,
        // The guest read back what the host stored for it.
        r#"answer  All(Ok([(title:"groceries",body:"eggs milk bread"),(title:"todo",body:"write the docs")]))"#,
        "answer  WordCount(Ok(6))",
        "answer  Remove(Ok(()))",
        // An error made by the host's handler, passed on by the guest.
        r#"answer  Remove(Err("no such file: notes/todo.txt"))"#,
        r#"answer  All(Ok([(title:"groceries",body:"eggs milk bread")]))"#,
        "typed   word-count() = Ok(3)",
        // The host's handler state, reached back through the dispatcher.
        r#"host    notes/groceries.txt = "eggs milk bread""#,
        "host    the guest called: delete 2, list 4, read 6, write 2",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // The refused note never reached the host; the removed one is gone from it.
    let host_files: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("host    notes/"))
        .collect();
    assert_eq!(
        host_files,
        [r#"host    notes/groceries.txt = "eggs milk bread""#],
        "{stdout}"
    );
}
