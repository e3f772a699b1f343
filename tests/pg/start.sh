#!/bin/sh
# Starts a throwaway PostgreSQL 15 server for the test suite and writes its
# base connection string (no dbname) to STATE_DIR/url. The cluster lives in
# a fresh temporary directory (mode 0700), listens only on a unix socket
# there (mode 0700) and trusts the connections that can reach it: the
# server's user and root. stop.sh removes it all. As root (CI) the server runs
# as the unprivileged user precinct-test, created when missing, because
# initdb refuses to run as root.
# Usage: tests/pg/start.sh STATE_DIR [PORT]
set -eu
state=${1:?usage: start.sh STATE_DIR [PORT]}
port=${2:-5499}
. "$(dirname "$0")/lib.sh"

mkdir -p "$state"
if [ -f "$state/pgdir" ]; then "$(dirname "$0")/stop.sh" "$state" || true; fi
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/precinct-pg.XXXXXX")
echo "$pgdir" > "$state/pgdir"
chmod 0700 "$pgdir"

give_to_server "$pgdir"

as_server "$bindir/initdb" --pgdata="$pgdir/data" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C --data-checksums >"$pgdir/initdb.log" 2>&1 \
  || { cat "$pgdir/initdb.log" >&2; exit 1; }
cat >>"$pgdir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$pgdir'
unix_socket_permissions = 0700
port = $port
max_connections = 200
shared_buffers = 32MB
synchronous_commit = on
fsync = on
# Crash recovery syncs the data directory first: one syncfs() is much faster
# than an fsync per file (tests/integration/test_pg_crash_loop.sh restarts often).
recovery_init_sync_method = syncfs
CONF
as_server "$bindir/pg_ctl" --pgdata="$pgdir/data" --log="$pgdir/server.log" --wait --timeout=60 start >/dev/null \
  || { cat "$pgdir/server.log" >&2; exit 1; }
url="host=$pgdir port=$port user=postgres"
# amcheck in the template: every test database gets it, so
# pc_store_integrity_check runs its full path in the tests.
"$bindir/psql" -X -q -d "$url dbname=template1" -c "CREATE EXTENSION IF NOT EXISTS amcheck" >/dev/null
echo "$url" > "$state/url"
echo "start.sh: PostgreSQL running at $pgdir (port $port)"
