#!/usr/bin/env bash
# The load run of BENCHMARKS.md: wrk, 64 connections for 10 s, against the release build of the
# server on 127.0.0.1, once calling `greet` (no host import) and once `lookup` (an async host
# import that awaits the store's 1 ms delay).
#
#   [CONTAINERS=8] bash examples/wit-async-server/load.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10s}
connections=${2:-64}
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }

# The release binary, built as a test target so that it shares the bench profile's artifacts
# (SERVER=… picks another build).
if [ -z "${SERVER:-}" ]; then
    cargo test --release --workspace --test server --no-run >/dev/null 2>&1 || \
        cargo test --release --workspace --test server --no-run
fi
server=${SERVER:-target/release/wit-async-server}

work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$server" --addr 127.0.0.1:0 --containers "${CONTAINERS:-8}" >"$work/out" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/out")

for call in 'greet("wrk")' 'lookup("alpha")'; do
    cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$call'
LUA
    echo "=== $call: wrk -t2 -c$connections -d$duration --latency"
    wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/post.lua" "$url/plugins/lookup/call"
done
