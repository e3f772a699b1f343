#!/bin/sh
# Measures `precinct serve` throughput on loopback: wrk, 2 threads, 64
# connections, 10 s against GET /healthz. Prints wrk's requests/s and p99.
# usage: bench/bench_http.sh [path-to-precinct]   (default build/precinct)
# Record results in docs/BENCHMARKS.md with `nproc` and the CPU model.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
precinct=${1:-$here/build/precinct}
command -v wrk >/dev/null || { echo "bench_http: wrk is not installed (scripts/install-deps)"; exit 1; }
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
"$precinct" init --data "$work/instance" >/dev/null 2>&1
"$precinct" serve --data "$work/instance" --listen 127.0.0.1:0 >"$work/out" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do grep -q serving "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^precinct: serving //p' "$work/out")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "command: wrk -t2 -c64 -d10s --latency $url/healthz"
wrk -t2 -c64 -d10s --latency "$url/healthz" | tee "$work/wrk"
echo "summary: $(awk '/Requests\/sec/ {print $2}' "$work/wrk") req/s, p99 $(awk '$1 == "99%" {print $2}' "$work/wrk")"
kill -TERM $server
wait $server
