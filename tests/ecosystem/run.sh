#!/usr/bin/env bash
# The ecosystem suite (`just ecosystem`): builds the Python and JavaScript components with
# their toolchains from PyPI and npm, then runs every check on the Rust, Python and JavaScript
# plugins and proxies, the `--include-ignored` ones too (they are the ones that need those
# components). Fails, never passes quietly, when a toolchain cannot be installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
bash "$here/build-components.sh"
echo "--- the suite"
# `--workspace` resolves features as `cargo test --workspace` does, so nothing is compiled
# twice; `--test cli` builds the `tairitsu` binary the suite runs.
cargo test --workspace --test cli --test ecosystem_plugins --test ecosystem_cli -- --include-ignored
