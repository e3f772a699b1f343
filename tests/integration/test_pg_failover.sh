#!/bin/sh
# Failover without losing an acknowledged write (PostgreSQL backend), on
# loopback: a primary and a synchronous standby (streaming replication,
# synchronous_commit = on, synchronous_standby_names = standby1). The store
# writer runs with database.url listing both nodes and
# target_session_attrs=read-write; after a few seconds every process of
# the primary is killed with SIGKILL and the standby is promoted (what
# Patroni does, done here by hand). The writer reconnects by itself. Checks
# that every write acknowledged before, during and after the failover is on
# the new primary (whole), and reports the seconds without an acknowledged
# write. Prints: acknowledged, lost (must be 0), unavailable seconds.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_STORE_WRITER:?set PRECINCT_STORE_WRITER to tests/store_writer}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
. "$PRECINCT_SOURCE/tests/pg/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

base=$(mktemp -d "${TMPDIR:-/tmp}/precinct-failover.XXXXXX")
chmod 0700 "$base"
give_to_server "$base"
writer_pid=""
cleanup() {
  [ -n "$writer_pid" ] && kill -TERM "$writer_pid" 2>/dev/null || true
  for node in primary standby; do
    if [ -f "$base/$node/postmaster.pid" ]; then
      as_server "$bindir/pg_ctl" --pgdata="$base/$node" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$base"
}
trap cleanup EXIT
p1=5511
p2=5512
psql_at() { # port sql
  "$bindir/psql" -X -q -At -d "host=$base port=$1 user=postgres dbname=${DB:-postgres}" -c "$2"
}
now_ms() { date +%s%3N; }

as_server "$bindir/initdb" --pgdata="$base/primary" --username=postgres --auth=trust --encoding=UTF8 \
  --locale=C --data-checksums >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; fail initdb; }
cat >>"$base/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$base'
unix_socket_permissions = 0700
port = $p1
wal_level = replica
max_wal_senders = 5
wal_keep_size = 128MB
hot_standby = on
synchronous_commit = on
synchronous_standby_names = 'FIRST 1 (standby1)'
CONF
as_server "$bindir/pg_ctl" --pgdata="$base/primary" --log="$base/primary.log" --wait start >/dev/null \
  || { cat "$base/primary.log" >&2; fail "primary start"; }
as_server "$bindir/pg_basebackup" --host="$base" --port=$p1 --username=postgres --pgdata="$base/standby" \
  --wal-method=stream --checkpoint=fast >/dev/null 2>&1 || fail pg_basebackup
# The standby's own settings come last and win over the copied primary's.
cat >>"$base/standby/postgresql.conf" <<CONF
port = $p2
primary_conninfo = 'host=$base port=$p1 user=postgres application_name=standby1'
synchronous_standby_names = ''
CONF
as_server touch "$base/standby/standby.signal"
as_server "$bindir/pg_ctl" --pgdata="$base/standby" --log="$base/standby.log" --wait start >/dev/null \
  || { cat "$base/standby.log" >&2; fail "standby start"; }
tries=0
until [ "$(psql_at $p1 "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ]; do
  tries=$((tries + 1))
  [ "$tries" -lt 100 ] || fail "standby never became synchronous"
  sleep 0.1
done
psql_at $p1 "CREATE DATABASE precinct" >/dev/null

url="host=$base,$base port=$p1,$p2 user=postgres dbname=precinct target_session_attrs=read-write connect_timeout=2"
"$PRECINCT" init --data "$base/instance" --state "Failover" --database-url "$url" >/dev/null 2>&1 || fail "precinct init"

"$PRECINCT_STORE_WRITER" --data "$base/instance" --audit --timestamps --max-errors 100000 >"$base/acked" 2>"$base/writer.err" &
writer_pid=$!
# Writes acknowledged after MS (epoch milliseconds).
acked_after() { awk -v k="$1" 'NF == 2 && $2 ~ /^[0-9]+$/ && $2 > k' "$base/acked" | wc -l; }
# A few seconds of writing; on a loaded machine, as long as it takes to see
# the first acknowledgement (up to 60 s).
sleep 3
tries=0
while [ "$(acked_after 0)" -eq 0 ] && [ "$tries" -lt 570 ]; do tries=$((tries + 1)); sleep 0.1; done
before=$(wc -l <"$base/acked")
[ "$before" -gt 0 ] || { cat "$base/writer.err" >&2; fail "no write acknowledged before the failover"; }
# Kill the whole primary at once: postmaster and every backend.
postmaster=$(head -1 "$base/primary/postmaster.pid")
children=$(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')
kill_ms=$(now_ms)
# shellcheck disable=SC2086
kill -KILL "$postmaster" $children 2>/dev/null || true
as_server "$bindir/pg_ctl" --pgdata="$base/standby" --wait promote >/dev/null || fail "promote"
promoted_ms=$(now_ms)
# Writing goes on for 3 s after the promotion, or until the first write on
# the new primary is acknowledged when reconnecting takes longer (up to 60 s).
sleep 3
tries=0
while [ "$(acked_after "$kill_ms")" -eq 0 ] && [ "$tries" -lt 570 ]; do tries=$((tries + 1)); sleep 0.1; done
kill -TERM "$writer_pid" 2>/dev/null || true
wait "$writer_pid" 2>/dev/null || true
writer_pid=""

grep -E '^[0-9]+ [0-9]+$' "$base/acked" >"$base/acked.ok" || true
acknowledged=$(wc -l <"$base/acked.ok")
after=$(awk -v k="$kill_ms" '$2 > k' "$base/acked.ok" | wc -l)
[ "$after" -gt 0 ] || { tail -5 "$base/writer.err" >&2; fail "no write acknowledged after the failover"; }
cut -d' ' -f1 "$base/acked.ok" | sort >"$base/acked.sorted"
DB=precinct psql_at $p2 "SELECT DISTINCT n FROM kill_rows" | sort >"$base/rows"
DB=precinct psql_at $p2 "SELECT substr(name, 2) FROM counties WHERE name LIKE 'K%'" | sort >"$base/counties"
half=$(DB=precinct psql_at $p2 "SELECT n FROM kill_rows GROUP BY n HAVING COUNT(*) <> 3")
[ -z "$half" ] || fail "torn records on the new primary: $half"
lost=$(( $(comm -23 "$base/acked.sorted" "$base/rows" | wc -l) + $(comm -23 "$base/acked.sorted" "$base/counties" | wc -l) ))
# Unavailability: the longest gap between two acknowledged writes.
gap_ms=$(awk 'NR > 1 && $2 - prev > max { max = $2 - prev } { prev = $2 } END { print max + 0 }' "$base/acked.ok")
failed=$(grep -c "not acknowledged" "$base/writer.err" || true)
"$PRECINCT" db check --data "$base/instance" >/dev/null 2>&1 || fail "precinct db check on the new primary"
echo "pg failover: acknowledged=$acknowledged (before kill $before, after $after) not-acknowledged=$failed lost=$lost" \
     "promote took $((promoted_ms - kill_ms)) ms; longest gap without an acknowledged write $(awk -v g="$gap_ms" 'BEGIN { printf "%.2f", g / 1000 }') s"
[ "$lost" -eq 0 ] || fail "$lost acknowledged writes lost in the failover"
