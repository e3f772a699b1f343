#!/bin/sh
# Patroni failover drill on loopback (not part of CTest: Patroni and etcd
# are not build dependencies). One etcd member and two PostgreSQL 15 nodes
# managed by Patroni with synchronous_mode (strict unless SYNC_STRICT=false),
# a precinct instance whose database.url lists both nodes with
# target_session_attrs=read-write, and two writers: api_writer.mjs through
# `precinct serve` and the store writer (numbered records, exact check).
# After WARMUP seconds the leader's Patroni and every PostgreSQL process of
# it are killed with SIGKILL at once. In strict mode the killed node is
# started again as soon as the other one is leader (commits wait for a
# synchronous standby by design). Reports: time to promotion, the longest
# gap without an acknowledged write for each writer, writes acknowledged and
# lost (must be 0), then `precinct db check` and `precinct audit verify`.
# Usage: PRECINCT=build/precinct PRECINCT_STORE_WRITER=build/tests/store_writer \
#        tests/patroni/failover.sh      (as root or as a user that may run PostgreSQL)
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_STORE_WRITER:?set PRECINCT_STORE_WRITER to build/tests/store_writer}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../pg/lib.sh"
strict=${SYNC_STRICT:-true}
warmup=${WARMUP:-5}
fail() { echo "FAIL: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
for tool in patroni etcd curl node; do command -v $tool >/dev/null || fail "$tool not installed"; done

base=$(mktemp -d "${TMPDIR:-/tmp}/precinct-patroni.XXXXXX")
chmod 0700 "$base"
etcd_pid="" store_pid="" api_pid=""
cleanup() {
  set +e
  touch "$base/stop"
  for pid in $store_pid $api_pid; do kill -TERM "$pid" 2>/dev/null; done
  for node in n1 n2; do
    [ -f "$base/$node.pid" ] && kill -TERM $(patroni_pids "$node") 2>/dev/null
  done
  sleep 3
  for node in n1 n2; do
    [ -f "$base/$node/postmaster.pid" ] && as_server "$bindir/pg_ctl" --pgdata="$base/$node" --mode=immediate stop >/dev/null 2>&1
  done
  [ -n "$etcd_pid" ] && kill -TERM "$etcd_pid" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$base"
}
trap cleanup EXIT

etcd --name e1 --data-dir "$base/etcd" --listen-client-urls http://127.0.0.1:2479 \
  --advertise-client-urls http://127.0.0.1:2479 --listen-peer-urls http://127.0.0.1:2480 \
  --initial-advertise-peer-urls http://127.0.0.1:2480 --initial-cluster e1=http://127.0.0.1:2480 \
  >"$base/etcd.log" 2>&1 &
etcd_pid=$!

rest_port() { [ "$1" = n1 ] && echo 8021 || echo 8022; }
pg_port() { [ "$1" = n1 ] && echo 5521 || echo 5522; }
for node in n1 n2; do
  cat >"$base/$node.yml" <<YAML
scope: precinct-drill
namespace: /precinct-drill/
name: $node
log:
  dir: $base/log-$node
restapi:
  listen: 127.0.0.1:$(rest_port $node)
  connect_address: 127.0.0.1:$(rest_port $node)
etcd3:
  hosts: 127.0.0.1:2479
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 0
    synchronous_mode: true
    synchronous_mode_strict: $strict
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        synchronous_commit: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
        wal_log_hints: "on"
        max_connections: 100
  initdb:
    - encoding: UTF8
    - locale: C
    - data-checksums
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$(pg_port $node)
  connect_address: 127.0.0.1:$(pg_port $node)
  data_dir: $base/$node
  bin_dir: $bindir
  pgpass: $base/pgpass-$node
  authentication:
    superuser: {username: postgres, password: drill}
    replication: {username: replicator, password: drill}
    rewind: {username: postgres, password: drill}
  parameters:
    unix_socket_directories: $base
YAML
  mkdir -p "$base/log-$node"
done
give_to_server "$base"

start_node() { # node
  as_server patroni "$base/$1.yml" >>"$base/patroni-$1.out" 2>&1 &
  echo $! >"$base/$1.pid"
}
# The Patroni process of NODE and the shell and runuser wrapping it: every
# descendant of the process start_node recorded.
patroni_pids() {
  found=$(cat "$base/$1.pid"); level=$found
  while [ -n "$level" ]; do
    next=""
    for pid in $level; do next="$next $(ps -o pid= --ppid "$pid" | tr '\n' ' ')"; done
    level=$(echo $next)
    found="$found $level"
  done
  echo $found
}
role_of() { # node -> primary | replica | down
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(rest_port "$1")/primary" || true)
  case "$code" in 200) echo primary ;; 503) echo replica ;; *) echo down ;; esac
}
sync_standby() { # node: 0 when it is the synchronous standby
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(rest_port "$1")/sync" || true)" = 200 ]
}
wait_for() { # seconds description command...
  limit=$1; what=$2; shift 2
  deadline=$(( $(date +%s) + limit ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$base"/log-*/patroni.log >&2 2>/dev/null; fail "timed out: $what"; }
    sleep 0.2
  done
}
is_primary() { [ "$(role_of "$1")" = primary ]; }

start_node n1
wait_for 90 "n1 becomes leader" is_primary n1
start_node n2
wait_for 120 "n2 becomes the synchronous standby" sync_standby n2
url="host=127.0.0.1,127.0.0.1 port=5521,5522 user=postgres dbname=precinct target_session_attrs=read-write connect_timeout=2"
"$bindir/psql" -X -q -d "host=127.0.0.1 port=5521 user=postgres dbname=postgres" -c "CREATE DATABASE precinct"
"$PRECINCT" init --data "$base/instance" --state "Patroni Drill" --database-url "$url" >/dev/null 2>&1 || fail "precinct init"
"$PRECINCT" demo --data "$base/instance" >/dev/null 2>&1 || fail "precinct demo"

PRECINCT="$PRECINCT" node "$here/api_writer.mjs" "$base/instance" "$base/stop" >"$base/api.acked" 2>"$base/api.err" &
api_pid=$!
"$PRECINCT_STORE_WRITER" --data "$base/instance" --audit --timestamps --max-errors 1000000 >"$base/store.acked" 2>"$base/store.err" &
store_pid=$!
sleep "$warmup"

leader=n1; other=n2
is_primary n1 || { leader=n2; other=n1; }
postmaster=$(head -1 "$base/$leader/postmaster.pid")
victims="$(patroni_pids $leader) $postmaster $(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')"
kill_ms=$(now_ms)
# shellcheck disable=SC2086
kill -KILL $victims 2>/dev/null || true
wait_for 120 "$other becomes leader" is_primary $other
promoted_ms=$(now_ms)
if [ "$strict" = true ]; then
  start_node $leader
  wait_for 180 "$leader rejoins as synchronous standby" sync_standby $leader
fi
rejoined_ms=$(now_ms)
sleep 5
touch "$base/stop"
kill -TERM "$store_pid" 2>/dev/null || true
wait "$store_pid" 2>/dev/null || true
store_pid=""
wait "$api_pid" || { cat "$base/api.err" >&2; fail "API writer: $(tail -1 "$base/api.acked")"; }
api_pid=""

# The store writer's numbered records: every acknowledged one, whole, on the cluster.
DB() { "$bindir/psql" -X -q -At -d "$url" -c "$1"; }
grep -E '^[0-9]+ [0-9]+$' "$base/store.acked" >"$base/store.ok" || true
cut -d' ' -f1 "$base/store.ok" | sort >"$base/store.sorted"
DB "SELECT DISTINCT n FROM kill_rows" | sort >"$base/rows"
DB "SELECT substr(name, 2) FROM counties WHERE name LIKE 'K%'" | sort >"$base/kcounties"
[ -z "$(DB "SELECT n FROM kill_rows GROUP BY n HAVING COUNT(*) <> 3")" ] || fail "torn records"
store_lost=$(( $(comm -23 "$base/store.sorted" "$base/rows" | wc -l) + $(comm -23 "$base/store.sorted" "$base/kcounties" | wc -l) ))
store_acked=$(wc -l <"$base/store.ok")

gap() { # file with "<ms> ..." lines, field -> longest gap in seconds
  awk -v f="$2" '$f ~ /^[0-9]+$/ { if (n++ && $f - prev > max) max = $f - prev; prev = $f } END { printf "%.1f", max / 1000 }' "$1"
}
summary=$(tail -1 "$base/api.acked")
api_acked=$(echo "$summary" | sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p')
api_lost=$(echo "$summary" | sed -n 's/.* lost=\([0-9]*\).*/\1/p')
"$PRECINCT" db check --data "$base/instance" >/dev/null 2>&1 || fail "precinct db check"
"$PRECINCT" audit verify --data "$base/instance" 2>&1 | grep -q 'audit log verified: OK' || fail "precinct audit verify"
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
rejoin=""
[ "$strict" = true ] && rejoin="; $leader back as synchronous standby after $(seconds $((rejoined_ms - kill_ms))) s"
echo "patroni failover (synchronous_mode_strict=$strict): leader $leader killed;" \
     "$other promoted after $(seconds $((promoted_ms - kill_ms))) s$rejoin"
echo "  API writer:   acknowledged=$api_acked lost=$api_lost longest gap $(gap "$base/api.acked" 1) s ($summary)"
echo "  store writer: acknowledged=$store_acked lost=$store_lost longest gap $(gap "$base/store.ok" 2) s"
echo "  db check: ok; audit verify: ok"
[ "$api_lost" -eq 0 ] && [ "$store_lost" -eq 0 ] || fail "acknowledged writes lost"
