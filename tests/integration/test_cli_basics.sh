#!/bin/sh
# CLI contract: init, demo, db status/check, backup, restore (refusal without
# --force, success with it), exit codes 0/1/2, --help and --version. On
# either backend (tests/integration/backend.sh).
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
. "$(dirname "$0")/backend.sh"
work=$(mktemp -d)
trap 'backend_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expected-code command...
  want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "exit $got, expected $want: $*"; }
}

expect_exit 0 "$PRECINCT" --version
grep -q '^precinct [0-9]' "$work/out" || fail "--version output"
expect_exit 2 "$PRECINCT"
expect_exit 2 "$PRECINCT" no-such-command
for command in init demo db backup restore; do
  expect_exit 0 "$PRECINCT" "$command" --help
  grep -q "usage: precinct $command" "$work/out" || fail "$command --help"
done

data="$work/instance"
expect_exit 2 "$PRECINCT" init
expect_exit 0 backend_init "$data" --state "Test State"
[ "$(stat -c %a "$data")" = 700 ] || fail "data dir mode"
expect_exit 1 "$PRECINCT" init --data "$data"
grep -q "exists here already" "$work/err" || fail "second init message"
expect_exit 0 "$PRECINCT" demo --data "$data" --no-election
expect_exit 1 "$PRECINCT" demo --data "$data" --no-election

expect_exit 0 "$PRECINCT" db status --data "$data"
grep -q '^schema version: [1-9]' "$work/out" || fail "db status version"
expect_exit 0 "$PRECINCT" db check --data "$data"
expect_exit 2 "$PRECINCT" db frobnicate --data "$data"
expect_exit 1 "$PRECINCT" db status --data "$work/nowhere"
grep -q "no precinct instance here" "$work/err" || fail "missing instance message"

# A typo in the configuration is an error naming the line and key.
cp "$data/precinct.conf" "$work/conf.orig"
printf '\n[server]\nthreds = 4\n' >> "$data/precinct.conf"
expect_exit 1 "$PRECINCT" db status --data "$data"
grep -q "server.threds" "$work/err" || fail "unknown key not named"
cp "$work/conf.orig" "$data/precinct.conf"

expect_exit 0 "$PRECINCT" backup --data "$data" "$work/backup.db"
expect_exit 1 "$PRECINCT" backup --data "$data" "$work/backup.db"
[ "$(backend_backup_count "$work/backup.db" counties)" = 5 ] || fail "backup content"

backend_sql "$data" "DELETE FROM counties WHERE name = 'Elm'"
expect_exit 1 "$PRECINCT" restore --data "$data" "$work/backup.db"
grep -q -- "--force" "$work/err" || fail "restore refusal should mention --force"
[ "$(backend_sql "$data" 'SELECT COUNT(*) FROM counties')" = 4 ] || fail "refused restore changed data"
expect_exit 1 "$PRECINCT" restore --data "$data" --force "$work/missing.db"
printf 'not a database' > "$work/junk.db"
expect_exit 1 "$PRECINCT" restore --data "$data" --force "$work/junk.db"
expect_exit 0 "$PRECINCT" restore --data "$data" --force "$work/backup.db"
[ "$(backend_sql "$data" 'SELECT COUNT(*) FROM counties')" = 5 ] || fail "restore content"
expect_exit 0 "$PRECINCT" db check --data "$data"
echo "cli basics ($backend): ok"
