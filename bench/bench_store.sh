#!/bin/sh
# Store throughput through the real server, SQLite and PostgreSQL in one run:
# for each backend a fresh instance with the demo state and a write-scope API
# token (`precinct user token`), `precinct serve` on loopback (server.threads
# as configured, default 4), then wrk (2 threads, 32 connections, DURATION
# seconds each) with
#   lookup: GET /api/counties/{county}                (store_lookup.lua)
#   write:  PATCH /api/counties/{county}, unique body  (store_write.lua;
#           one audited, fsync'd transaction per request)
# The PostgreSQL server is a throwaway local one (tests/pg/start.sh: unix
# socket, fsync and synchronous_commit on, no standby). Prints req/s, p99
# and non-2xx counts per backend and load, and the machine.
# usage: bench/bench_store.sh [path-to-precinct]   (default build/precinct)
# Record results in docs/BENCHMARKS.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
precinct=${1:-$here/build/precinct}
duration=${DURATION:-10}
command -v wrk >/dev/null || { echo "bench_store: wrk is not installed (scripts/install-deps)"; exit 1; }
work=$(mktemp -d)
server=""
trap '[ -z "$server" ] || kill $server 2>/dev/null || true; "$here/tests/pg/stop.sh" "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$here/tests/pg/start.sh" "$work/pg" 5551 >/dev/null
pg_url=$(cat "$work/pg/url")
psql -X -q -d "$pg_url dbname=postgres" -c "CREATE DATABASE bench" >/dev/null

for backend in sqlite postgres; do
  data="$work/$backend"
  if [ "$backend" = postgres ]; then
    "$precinct" init --data "$data" --database-url "$pg_url dbname=bench" >/dev/null 2>&1
  else
    "$precinct" init --data "$data" >/dev/null 2>&1
  fi
  "$precinct" demo --data "$data" >/dev/null 2>&1
  PRECINCT_TOKEN=$("$precinct" user token --data "$data" --scope write --label bench admin 2>/dev/null | sed -n 's/^  token: //p')
  export PRECINCT_TOKEN
  "$precinct" serve --data "$data" --listen 127.0.0.1:0 >"$work/out" 2>/dev/null &
  server=$!
  for _ in $(seq 1 100); do grep -q serving "$work/out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^precinct: serving //p' "$work/out")
  for load in lookup write; do
    wrk -t2 -c32 -d"${duration}s" --latency -s "$here/bench/store_$load.lua" "$url" >"$work/wrk"
    errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk")
    echo "$backend $load: $(awk '/Requests\/sec/ {print $2}' "$work/wrk") req/s, p99 $(awk '$1 == "99%" {print $2}' "$work/wrk"), p50 $(awk '$1 == "50%" {print $2}' "$work/wrk"), non-2xx ${errors:-0}"
  done
  kill -TERM $server
  wait $server
  server=""
  "$precinct" db check --data "$data" >/dev/null
  "$precinct" audit verify --data "$data" 2>/dev/null | grep -q 'verified: OK'
done
echo "command: wrk -t2 -c32 -d${duration}s --latency -s bench/store_{lookup,write}.lua URL; server.threads = 4"
