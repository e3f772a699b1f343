#!/bin/sh
# Server crash durability (PostgreSQL backend): one store_writer runs
# throughout while, ITERATIONS times (default 20), every process of the
# PostgreSQL server is killed with SIGKILL at a random moment (50-550 ms of
# writing) and the server restarted (crash recovery). The writer reconnects
# by itself and prints only acknowledged records. Afterwards every
# acknowledged record is in the database, whole, and no record is half
# there. Prints: crashes, writes acknowledged, writes lost (must be 0).
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_STORE_WRITER:?set PRECINCT_STORE_WRITER to tests/store_writer}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
. "$PRECINCT_SOURCE/tests/pg/lib.sh"
iterations=${CRASH_LOOP_ITERATIONS:-20}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
writer_pid=""
cleanup() {
  [ -n "$writer_pid" ] && kill -TERM "$writer_pid" 2>/dev/null || true
  "$PRECINCT_SOURCE/tests/pg/stop.sh" "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$PRECINCT_SOURCE/tests/pg/start.sh" "$work/pg" 5521 >/dev/null
pgdir=$(cat "$work/pg/pgdir")
base_url=$(cat "$work/pg/url")
"$bindir/psql" -X -q -d "$base_url dbname=postgres" -c "CREATE DATABASE precinct" >/dev/null
"$PRECINCT" init --data "$work/instance" --state "Crash Loop" --database-url "$base_url dbname=precinct" >/dev/null 2>&1 \
  || fail "precinct init"

random_ms() { echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 )); }

"$PRECINCT_STORE_WRITER" --data "$work/instance" --audit --max-errors 1000000 >"$work/acked" 2>"$work/writer.err" &
writer_pid=$!
i=0
restart_ms=0
while [ "$i" -lt "$iterations" ]; do
  i=$((i + 1))
  ms=$((50 + $(random_ms 500)))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  postmaster=$(head -1 "$pgdir/data/postmaster.pid")
  children=$(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')
  # shellcheck disable=SC2086
  t0=$(date +%s%3N); kill -KILL "$postmaster" $children 2>/dev/null || true
  while kill -0 "$postmaster" 2>/dev/null; do sleep 0.01; done
  as_server "$bindir/pg_ctl" --pgdata="$pgdir/data" --log="$pgdir/server.log" --wait start >/dev/null 2>&1 \
    || { tail -20 "$pgdir/server.log" >&2; fail "restart after crash $i"; }
  restart_ms=$((restart_ms + $(date +%s%3N) - t0))
done
sleep 1
kill -TERM "$writer_pid" 2>/dev/null || true
wait "$writer_pid" 2>/dev/null || true
writer_pid=""

grep -E '^[0-9]+$' "$work/acked" | sort >"$work/acked.sorted" || true
acknowledged=$(wc -l <"$work/acked.sorted")
q() { "$bindir/psql" -X -q -At -d "$base_url dbname=precinct" -c "$1"; }
half=$(q "SELECT n FROM kill_rows GROUP BY n HAVING COUNT(*) <> 3")
[ -z "$half" ] || fail "records with some but not all rows (torn transaction): $half"
q "SELECT DISTINCT n FROM kill_rows" | sort >"$work/rows"
q "SELECT substr(name, 2) FROM counties WHERE name LIKE 'K%'" | sort >"$work/counties"
lost=$(( $(comm -23 "$work/acked.sorted" "$work/rows" | wc -l) + $(comm -23 "$work/acked.sorted" "$work/counties" | wc -l) ))
failed=$(grep -c "not acknowledged" "$work/writer.err" || true)
"$PRECINCT" db check --data "$work/instance" >/dev/null 2>&1 || fail "precinct db check after the crashes"
echo "pg crash loop: crashes=$iterations acknowledged=$acknowledged not-acknowledged=$failed lost=$lost" \
     "mean kill-to-ready $((restart_ms / iterations)) ms"
[ "$lost" -eq 0 ] || fail "$lost acknowledged writes lost"
[ "$acknowledged" -gt 0 ] || fail "no write was acknowledged: the test proved nothing"
