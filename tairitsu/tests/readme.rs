//! Every code block of the README is compiled: Rust blocks are doc tests of this crate, and the
//! `rust,ignore` blocks are excerpts of the examples, which this test finds verbatim in the file
//! named by the `<!-- snippet: PATH -->` line above each.

use std::path::Path;

#[test]
fn readme_excerpts_are_verbatim_from_compiled_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("```rust") && lines[i].contains("ignore") {
            let marker = i
                .checked_sub(1)
                .map(|p| lines[p])
                .and_then(|l| l.strip_prefix("<!-- snippet: "))
                .and_then(|l| l.strip_suffix(" -->"))
                .unwrap_or_else(|| {
                    panic!(
                        "README line {}: a `rust,ignore` block must follow a `<!-- snippet: PATH -->` line",
                        i + 1
                    )
                });
            let end = (i + 1..lines.len())
                .find(|&j| lines[j] == "```")
                .expect("a closed code block");
            let excerpt = lines[i + 1..end].join("\n");
            let source = std::fs::read_to_string(root.join(marker))
                .unwrap_or_else(|e| panic!("README line {}: {marker}: {e}", i + 1));
            assert!(
                source.contains(&excerpt),
                "README line {}: the excerpt is not in {marker} any more; copy it again:\n{excerpt}",
                i + 1
            );
            checked += 1;
            i = end;
        }
        i += 1;
    }
    assert!(checked >= 2, "the README's excerpts were not found");
}
