#!/bin/sh
# Drives `precinct init`, `precinct demo` and `precinct user ...` end to end:
# generated passwords are printed once, accounts are listed, disabled,
# enabled and reset, and usage errors exit 2.
set -eu
: "${PRECINCT:?path of the precinct binary}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
data="$dir/instance"

fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$PRECINCT" init --data "$data" --admin chief 2>/dev/null)
echo "$out" | grep -q '^  username: chief$' || fail "init did not print the admin username: $out"
echo "$out" | grep -Eq '^  password: [a-km-zA-HJ-NP-Z2-9]{20}$' || fail "init did not print a generated password"

out=$("$PRECINCT" demo --data "$data" 2>/dev/null)
echo "$out" | grep -q '^  username: alder-admin$' || fail "demo made no alder-admin"
echo "$out" | grep -q '^  username: alder-clerk$' || fail "demo made no alder-clerk"
[ "$(echo "$out" | grep -c '^  password: ')" -eq 2 ] || fail "demo should print two passwords"

"$PRECINCT" user add --data "$data" --role auditor --county Birch birch-aud >/dev/null 2>&1 || fail "user add"
list=$("$PRECINCT" user list --data "$data" 2>/dev/null)
expected="USERNAME                 ROLE          COUNTY               STATE     TOTP
alder-admin              county_admin  Alder                active    no-totp
alder-clerk              clerk         Alder                active    no-totp
birch-aud                auditor       Birch                active    no-totp
chief                    state_admin   -                    active    no-totp"
[ "$list" = "$expected" ] || fail "user list printed:
$list"

"$PRECINCT" user disable --data "$data" birch-aud >/dev/null 2>&1 || fail "disable"
"$PRECINCT" user list --data "$data" 2>/dev/null | grep -q '^birch-aud .* disabled ' || fail "not disabled"
"$PRECINCT" user enable --data "$data" birch-aud >/dev/null 2>&1 || fail "enable"
"$PRECINCT" user list --data "$data" 2>/dev/null | grep -q '^birch-aud .* active ' || fail "not enabled"
out=$("$PRECINCT" user reset-password --data "$data" birch-aud 2>/dev/null)
echo "$out" | grep -Eq '^New password for birch-aud: [a-km-zA-HJ-NP-Z2-9]{20}$' || fail "reset-password printed: $out"

# API tokens for scripts: printed once, stored only hashed, audited.
token_out=$("$PRECINCT" user token --data "$data" --scope write --label "county sync" alder-admin 2>/dev/null) || fail "user token"
echo "$token_out" | grep -Eq '^Created write API token [0-9]+ \(county sync\) for alder-admin\.$' || fail "user token printed: $token_out"
token=$(echo "$token_out" | sed -n 's/^  token: //p')
echo "$token" | grep -Eq '^pct_[0-9a-f]{64}$' || fail "token format: $token"

# Failures exit 1, usage errors 2.
set +e
"$PRECINCT" user add --data "$data" --role clerk --county Nowhere someone >/dev/null 2>&1; [ $? -eq 1 ] || fail "unknown county should exit 1"
"$PRECINCT" user add --data "$data" --role clerk --county Alder alder-clerk >/dev/null 2>&1; [ $? -eq 1 ] || fail "duplicate should exit 1"
"$PRECINCT" user disable --data "$data" nobody >/dev/null 2>&1; [ $? -eq 1 ] || fail "unknown user should exit 1"
"$PRECINCT" user add --data "$data" someone >/dev/null 2>&1; [ $? -eq 2 ] || fail "add without --role should exit 2"
"$PRECINCT" user frobnicate --data "$data" >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown action should exit 2"
"$PRECINCT" user list >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing --data should exit 2"
"$PRECINCT" user token --data "$data" --label x alder-admin >/dev/null 2>&1; [ $? -eq 2 ] || fail "token without --scope should exit 2"
"$PRECINCT" user token --data "$data" --scope admin --label x alder-admin >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --scope should exit 2"
"$PRECINCT" user token --data "$data" --scope read alder-admin >/dev/null 2>&1; [ $? -eq 2 ] || fail "token without --label should exit 2"
"$PRECINCT" user token --data "$data" --scope read --label x nobody >/dev/null 2>&1; [ $? -eq 1 ] || fail "token for an unknown user should exit 1"
"$PRECINCT" user token --data "$data" --scope read --label x birch-aud >/dev/null 2>&1; [ $? -eq 0 ] || fail "read token"
"$PRECINCT" user disable --data "$data" --scope read birch-aud >/dev/null 2>&1; [ $? -eq 2 ] || fail "--scope outside token should exit 2"
set -e

# The generated passwords never reach the audit log or the log output.
if command -v sqlite3 >/dev/null 2>&1; then
  pw=$(echo "$out" | sed -n 's/^New password for birch-aud: //p')
  [ -n "$pw" ] || fail "no reset password to look for"
  sqlite3 "$data/precinct.db" "SELECT leaf_data FROM audit_log" | grep -q "$pw" && fail "password in the audit log"
  [ "$(sqlite3 "$data/precinct.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'user.create'")" -eq 4 ] || fail "user.create entries"
  sqlite3 "$data/precinct.db" "SELECT leaf_data FROM audit_log" | grep -q "$token" && fail "API token in the audit log"
  sqlite3 "$data/precinct.db" "SELECT token_hash FROM api_tokens" | grep -q "${token#pct_}" && fail "API token stored in the clear"
  [ "$(sqlite3 "$data/precinct.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.create'")" -eq 2 ] || fail "api_token.create entries"
fi
echo "ok"
