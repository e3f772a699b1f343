#!/bin/sh
# Backup -> restore -> audit verify drill, on either backend
# (tests/integration/backend.sh): an instance with the demo state and
# audited changes made by the CLI and by the server, a backup taken while the
# server runs, more changes, then restore --force. Afterwards the database
# holds exactly the backed-up state (the later account and its audit entries
# are gone), `precinct db check` and `precinct audit verify` pass, and the
# restored instance keeps working: a new audited change, audit verify again.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
. "$(dirname "$0")/backend.sh"
work=$(mktemp -d)
server_pid=""
trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; backend_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expected-code command...
  want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "exit $got, expected $want: $*"; }
}
audit_entries() { backend_sql "$data" 'SELECT COUNT(*) FROM audit_log'; }

data="$work/instance"
expect_exit 0 backend_init "$data" --state "Drill State"
expect_exit 0 "$PRECINCT" demo --data "$data"
expect_exit 0 "$PRECINCT" user add --data "$data" --role clerk --county Birch before-backup
expect_exit 0 "$PRECINCT" user token --data "$data" --scope write --label drill admin
token=$(sed -n 's/^  token: //p' "$work/out")

# A change through the server, then the backup while it still runs.
"$PRECINCT" serve --data "$data" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
tries=0
until base=$(sed -n 's/.*serving \(http:[^ ]*\).*/\1/p' "$work/serve.out") && [ -n "$base" ]; do
  tries=$((tries + 1)); [ "$tries" -lt 100 ] || { cat "$work/serve.err" >&2; fail "server did not start"; }
  sleep 0.1
done
patch() { # county value
  curl -sS -o "$work/patch" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"office_address\":\"$2\"}" "$base/api/counties/$1"
}
[ "$(patch Alder "1 Before Street")" = 200 ] || fail "PATCH before the backup: $(cat "$work/patch")"
expect_exit 0 "$PRECINCT" backup --data "$data" "$work/drill.backup"
entries_at_backup=$(audit_entries)
[ "$(patch Alder "2 After Avenue")" = 200 ] || fail "PATCH after the backup"
kill "$server_pid"; wait "$server_pid" || fail "server exit status on SIGTERM"
server_pid=""
expect_exit 0 "$PRECINCT" user add --data "$data" --role clerk --county Birch after-backup
[ "$(audit_entries)" -gt "$entries_at_backup" ] || fail "changes after the backup were not audited"

expect_exit 0 "$PRECINCT" restore --data "$data" --force "$work/drill.backup"
expect_exit 0 "$PRECINCT" db check --data "$data"
expect_exit 0 "$PRECINCT" audit verify --data "$data"
grep -q 'audit log verified: OK' "$work/out" || fail "audit verify after restore: $(cat "$work/out")"
[ "$(audit_entries)" = "$entries_at_backup" ] || fail "audit log after restore: $(audit_entries) entries, backup had $entries_at_backup"
[ "$(backend_sql "$data" "SELECT office_address FROM counties WHERE name = 'Alder'")" = "1 Before Street" ] \
  || fail "county after restore"
expect_exit 0 "$PRECINCT" user list --data "$data"
grep -q '^before-backup ' "$work/out" || fail "restore lost an account made before the backup"
grep -q '^after-backup ' "$work/out" && fail "restore kept an account made after the backup"

# The restored instance keeps recording and verifying.
expect_exit 0 "$PRECINCT" user add --data "$data" --role clerk --county Birch after-restore
expect_exit 0 "$PRECINCT" audit verify --data "$data"
grep -q 'audit log verified: OK' "$work/out" || fail "audit verify after a change on the restored instance"
echo "backup drill ($backend): ok; audit entries at backup: $entries_at_backup"
