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
echo "--- the tairitsu command"
cargo build -p tairitsu-cli
echo "--- the suite"
cargo test -p tairitsu-ecosystem -- --include-ignored
