//! Help texts and usage errors.

use crate::support::*;

#[test]
fn help_texts_have_examples_and_usage_errors_exit_with_2() {
    let help = tairitsu(["--help"]).run();
    let text = help.ok();
    for needle in [
        "inspect",
        "call",
        "run",
        "bindgen",
        "image",
        "Exit codes:",
        "TAIRITSU_STORE",
    ] {
        assert!(text.contains(needle), "`{needle}` not in {text}");
    }
    for command in [
        &["inspect"][..],
        &["call"],
        &["run"],
        &["bindgen"],
        &["image"],
        &["image", "load"],
        &["image", "ls"],
        &["image", "inspect"],
        &["image", "rm"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = tairitsu(&args).run();
        assert!(out.ok().contains("Examples:"), "{command:?}: {out:#?}");
    }
    assert!(
        tairitsu(["call", "--help"])
            .run()
            .ok()
            .contains("--import <NAME=VALUE>")
    );
    assert!(
        tairitsu(["--version"])
            .run()
            .ok()
            .contains(env!("CARGO_PKG_VERSION"))
    );
    let out = tairitsu(["call", "root.wasm"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("<CALL>"), "{out:#?}");
    let out = tairitsu(["frobnicate"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    let out = tairitsu(["call", "root.wasm", "add(1, 2)", "--format", "json"]).run();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("ron"), "{out:#?}");
}
