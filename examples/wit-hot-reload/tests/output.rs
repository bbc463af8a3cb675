//! The example's output: every step happened, and the calls went on through all of them.

use std::process::Command;

#[test]
fn the_host_keeps_calling_while_versions_take_over_are_refused_and_rolled_back() {
    let out = Command::new(env!("CARGO_BIN_EXE_wit-hot-reload"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "start  2 containers of plugin:live on version 1",
        "answer version 1 from left",
        "answer version 2 from right",
        "rollout version 2 to 2 containers, healthy, their counters handed over",
        "answer version 3 from left",
        "answer version 3 from right",
        "reject half a file: ",
        "refuse version 5: ",
        "serve  version 3 after the rollback",
        "calls  failed: 0",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // No version other than the three that took over ever answered.
    assert!(!stdout.contains("answer version 4"), "{stdout}");
    assert!(!stdout.contains("answer version 5"), "{stdout}");
    let ms: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("watch  version 3 answered "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no watch line in:\n{stdout}"));
    assert!(ms < 10_000, "{ms} ms from write to answer");
    for version in 1..=3 {
        let count: u64 = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("calls  version {version}: ")))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count for version {version} in:\n{stdout}"));
        assert!(count > 0, "version {version} answered no call");
    }
}
