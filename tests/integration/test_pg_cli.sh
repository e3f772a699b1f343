#!/bin/sh
# The CLI on the PostgreSQL backend, against a throwaway server
# (tests/pg/start.sh): init --database-url, demo, user add/list, db
# status/check, backup (pg_dump archive), restore refused without --force,
# restore with --force brings back exactly the backed-up state, and a
# precinct.conf naming postgres without a URL is refused.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
. "$PRECINCT_SOURCE/tests/pg/lib.sh"
work=$(mktemp -d)
trap '"$PRECINCT_SOURCE/tests/pg/stop.sh" "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expected-code command...
  want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "exit $got, expected $want: $*"; }
}

"$PRECINCT_SOURCE/tests/pg/start.sh" "$work/pg" 5531 >/dev/null
url=$(cat "$work/pg/url")
"$bindir/psql" -X -q -d "$url dbname=postgres" -c "CREATE DATABASE precinct" >/dev/null
data="$work/instance"

expect_exit 1 "$PRECINCT" init --data "$work/nodb" --database-url "$url dbname=missing"
grep -q "cannot connect to PostgreSQL" "$work/err" || fail "init against a missing database: message"
[ ! -e "$work/nodb/precinct.conf" ] || fail "a failed init left precinct.conf behind"

expect_exit 0 "$PRECINCT" init --data "$data" --state "PG State" --database-url "$url dbname=precinct"
grep -q '^backend = postgres$' "$data/precinct.conf" || fail "precinct.conf backend"
[ ! -e "$data/precinct.db" ] || fail "a SQLite file was created for a postgres instance"
expect_exit 0 "$PRECINCT" demo --data "$data"
expect_exit 0 "$PRECINCT" db status --data "$data"
grep -q '^backend: postgres$' "$work/out" || fail "db status backend"
grep -q "host=" "$work/out" && fail "db status printed the connection string"
expect_exit 0 "$PRECINCT" db check --data "$data"
grep -q '^database check: ok$' "$work/out" || fail "db check output"

expect_exit 0 "$PRECINCT" backup --data "$data" "$work/backup.dump"
[ -s "$work/backup.dump" ] || fail "backup file missing or empty"
expect_exit 1 "$PRECINCT" backup --data "$data" "$work/backup.dump"

# A change after the backup, then restore: the change must be gone.
expect_exit 0 "$PRECINCT" user add --data "$data" --role state_admin after_backup
expect_exit 0 "$PRECINCT" user list --data "$data"
grep -q after_backup "$work/out" || fail "user add"
expect_exit 1 "$PRECINCT" restore --data "$data" "$work/backup.dump"
grep -q -- "--force" "$work/err" || fail "restore refusal message"
expect_exit 0 "$PRECINCT" restore --data "$data" --force "$work/backup.dump"
expect_exit 0 "$PRECINCT" user list --data "$data"
grep -q after_backup "$work/out" && fail "restore kept a change made after the backup"
expect_exit 0 "$PRECINCT" db check --data "$data"
# A broken archive changes nothing.
printf 'not an archive' >"$work/bad.dump"
expect_exit 1 "$PRECINCT" restore --data "$data" --force "$work/bad.dump"
expect_exit 0 "$PRECINCT" db status --data "$data"
grep -q '^schema version: [1-9]' "$work/out" || fail "database damaged by a failed restore"

# backend = postgres without a URL is a configuration error naming the key.
sed -i 's/^url = .*/url = /' "$data/precinct.conf"
expect_exit 1 "$PRECINCT" db status --data "$data"
grep -q "database.url" "$work/err" || fail "missing url message"
echo "pg cli: ok"
