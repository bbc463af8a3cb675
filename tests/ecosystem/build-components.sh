#!/usr/bin/env bash
# Builds the ecosystem suite's Python and JavaScript components from source:
#   componentize-py 0.25.x (PyPI) into target/ecosystem/venv,
#   @bytecodealliance/componentize-js 0.23.x (npm) into target/ecosystem/node,
# and writes the components to target/ecosystem/components/. A toolchain that cannot be
# installed fails the run, naming what could not be fetched.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${TAIRITSU_ECOSYSTEM_DIR:-$root/target/ecosystem}"
components="$out/components"
mkdir -p "$components"

fail() {
    echo "ecosystem: FAILED: $*" >&2
    exit 1
}

echo "--- componentize-py 0.25.x from PyPI into $out/venv"
command -v python3 >/dev/null || fail "python3 is not installed (componentize-py needs it)"
if [ ! -x "$out/venv/bin/componentize-py" ]; then
    python3 -m venv "$out/venv" || fail "cannot create a Python venv in $out/venv (install python3-venv)"
    "$out/venv/bin/pip" install --quiet 'componentize-py==0.25.*' \
        || fail "could not fetch componentize-py 0.25.x from PyPI"
fi
"$out/venv/bin/componentize-py" --version

echo "--- @bytecodealliance/componentize-js 0.23.x from npm into $out/node"
command -v npm >/dev/null || fail "npm is not installed (componentize-js needs Node.js and npm)"
js="$out/node/node_modules/.bin/componentize-js"
if [ ! -x "$js" ]; then
    mkdir -p "$out/node"
    (cd "$out/node" && { [ -f package.json ] || npm init -y >/dev/null; } \
        && npm install --no-audit --no-fund --silent '@bytecodealliance/componentize-js@0.23') \
        || fail "could not fetch @bytecodealliance/componentize-js 0.23.x from npm"
fi
"$js" --version

echo "--- python plugin"
(cd "$here/plugins/python" && "$out/venv/bin/componentize-py" -q -d "$root/wit/ecosystem" \
    -w plugin-world componentize app -o "$components/python-plugin.wasm") \
    || fail "componentize-py could not build tests/ecosystem/plugins/python"

echo "--- javascript plugin"
"$js" "$here/plugins/js/plugin.js" --wit "$root/wit/ecosystem" --world-name plugin-world \
    -o "$components/js-plugin.wasm" >/dev/null \
    || fail "componentize-js could not build tests/ecosystem/plugins/js"

echo "--- javascript proxy"
"$js" "$here/proxies/js/proxy.js" --wit "$here/proxies/js/wit" --world-name proxy \
    -o "$components/js-proxy.wasm" >/dev/null \
    || fail "componentize-js could not build tests/ecosystem/proxies/js"

ls -l "$components"
