# Tairitsu's tasks. The two quick-start commands need no `just`: `cargo run -p wit-runtime`
# and `cargo test --workspace` are what `just demo` and `just test` run.

# The main job end to end: load a real component, list its WIT, start a container, call it.
demo:
    cargo run -p wit-runtime

# Every test of the workspace (unit, integration, doc tests, examples).
test:
    cargo test --workspace

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# What CI runs, from a clean clone.
ci:
    bash .ci/run

# The benchmarks (release build, criterion); `just bench-quick` is the smoke run CI does.
bench:
    cargo bench --workspace

bench-quick:
    cargo bench --workspace -- --quick --noplot
