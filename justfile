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
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# The examples that run to completion, each against its real Rust guest (wit-async-server is a
# server: `cargo run -p wit-async-server`; its load run is `bash examples/wit-async-server/load.sh`).
examples:
    cargo run -p wit-runtime
    cargo run -p wit-compile-time
    cargo run -p wit-dynamic-advanced
    cargo run -p wit-native-macro
    cargo run -p wit-native-simple
    cargo run -p wit-hot-reload

# What CI runs, from a clean clone.
ci:
    bash .ci/run

# The benchmarks (release build, criterion); `just bench-quick` is the smoke run CI does.
bench:
    cargo bench --workspace
    cargo bench --manifest-path benches/default-config/Cargo.toml

bench-quick:
    cargo bench --workspace -- --quick --noplot

# The fuzz targets (fuzz/, its own workspace; not part of `just test`), each for `seconds`.
# cargo-fuzz needs nightly flags, which RUSTC_BOOTSTRAP=1 allows on the stable toolchain; the
# code under test has no `unsafe`, so the targets run without a sanitizer, which is faster.
# Install it once with `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/<target>/.
fuzz seconds="600":
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none ron_typed -- -max_total_time={{seconds}} -dict=fuzz/dict/ron.dict
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none ron_roundtrip -- -max_total_time={{seconds}}
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none wave_typed -- -max_total_time={{seconds}} -dict=fuzz/dict/wave.dict
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none codegen_wit_smith -- -max_total_time={{seconds}} -len_control=0
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none call_text -- -max_total_time={{seconds}} -dict=fuzz/dict/call.dict
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none image_decode -- -max_total_time={{seconds}}

# The ecosystem suite: the same plugin in Rust, Python (componentize-py from PyPI) and
# JavaScript (componentize-js from npm), checked by one host; proxies served by `tairitsu
# serve`. Installs both toolchains under target/ecosystem; fails when one cannot be fetched.
ecosystem:
    bash tests/ecosystem/run.sh

# `tairitsu serve` against `wasmtime serve` with wrk (BENCHMARKS.md, "Serving HTTP").
bench-serve:
    bash benches/serve/run.sh
