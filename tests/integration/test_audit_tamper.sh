#!/bin/sh
# Integration: `precinct audit verify` passes on an honest instance and
# names what was tampered with when a table row, a leaf's data or a
# checkpoint signature is edited directly in the database with sqlite3.
set -eu
: "${PRECINCT:?PRECINCT must name the precinct binary}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 CLI missing (scripts/install-deps)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }

# new_instance NAME: an instance with the demo counties and a checkpoint over all of them.
new_instance() {
  dir="$work/$1"
  "$PRECINCT" init --data "$dir" --state "Tamper State" >/dev/null 2>&1 || fail "init $1"
  "$PRECINCT" demo --data "$dir" --no-election >/dev/null 2>&1 || fail "demo $1"
  "$PRECINCT" audit checkpoint --data "$dir" >/dev/null 2>&1 || fail "checkpoint $1"
  "$PRECINCT" audit verify --data "$dir" --quiet >"$work/$1.ok" 2>&1 || { cat "$work/$1.ok"; fail "honest $1 does not verify"; }
  grep -q "audit log verified: OK" "$work/$1.ok" || fail "no OK line for $1"
  grep -q "^tree size: *9$" "$work/$1.ok" || fail "expected 9 entries (init, admin, 5 counties, 2 demo users) in $1"
  grep -q "^rows checked: *8$" "$work/$1.ok" || fail "expected 8 rows checked in $1"
  grep -q "^checkpoints checked: *2 (newest at tree size 9; 0 entries since" "$work/$1.ok" || fail "expected 2 checkpoints in $1"
}

# expect_failure NAME PATTERN...: verify exits 1 and its output matches every PATTERN.
expect_failure() {
  name=$1
  shift
  status=0
  "$PRECINCT" audit verify --data "$work/$name" --quiet >"$work/$name.out" 2>&1 || status=$?
  [ "$status" -eq 1 ] || { cat "$work/$name.out"; fail "$name: verify exited $status, expected 1"; }
  for pattern in "$@"; do
    grep -q -- "$pattern" "$work/$name.out" || { cat "$work/$name.out"; fail "$name: output lacks '$pattern'"; }
  done
}

# 1. A county row changed behind precinct's back is named by table and id.
new_instance row
sqlite3 "$work/row/precinct.db" "UPDATE counties SET name='Evil' WHERE id=2"
expect_failure row "counties row 2 does not match" "FAILED: 1 problem"
grep -q "counties" "$work/row.out" && grep -q "2" "$work/row.out" || fail "row: table and id not named"
# Putting the row back makes the instance verify again.
sqlite3 "$work/row/precinct.db" "UPDATE counties SET name='Birch' WHERE id=2"
"$PRECINCT" audit verify --data "$work/row" --quiet >/dev/null 2>&1 || fail "row: restored row does not verify"

# 2. Rows inserted or deleted outside precinct.
new_instance rows
sqlite3 "$work/rows/precinct.db" "INSERT INTO counties (name, created_at) VALUES ('Ghost', '2026-01-01T00:00:00Z'); DELETE FROM counties WHERE id=4"
expect_failure rows "counties row 6 has no audit entry" "counties row 4 was deleted without an audit entry"

# 3. A leaf's data edited: its hash no longer matches, nor does the signed root.
new_instance leaf
sqlite3 "$work/leaf/precinct.db" "UPDATE audit_log SET leaf_data = replace(leaf_data, '\"county.create\"', '\"county.delete\"') WHERE seq=3"
expect_failure leaf "leaf seq 3: leaf_hash does not match" "checkpoint at tree size 9: signed root does not match"

# 3b. Leaf data and hash rewritten together: only the signed checkpoint catches it.
new_instance rehash
sqlite3 "$work/rehash/precinct.db" "UPDATE audit_log SET leaf_data = replace(leaf_data, '\"county.create\"', '\"county.delete\"'), action = 'county.delete' WHERE seq=3"
hash=$(sqlite3 "$work/rehash/precinct.db" "SELECT leaf_data FROM audit_log WHERE seq=3" | tr -d '\n' \
  | { printf '\000'; cat; } | sha256sum | cut -c1-64)
sqlite3 "$work/rehash/precinct.db" "UPDATE audit_log SET leaf_hash = x'$hash' WHERE seq=3"
expect_failure rehash "checkpoint at tree size 9: signed root does not match"
if grep -q "leaf seq 3" "$work/rehash.out"; then fail "rehash: leaf hash should have been consistent"; fi

# 4. One byte of a checkpoint signature changed.
new_instance signature
# The byte is flipped, not overwritten with a constant: a signature whose
# 11th byte already held that constant would be left unchanged (1 run in 256).
before=$(sqlite3 "$work/signature/precinct.db" "SELECT hex(signature) FROM audit_checkpoints WHERE tree_size=9")
sqlite3 "$work/signature/precinct.db" \
  "UPDATE audit_checkpoints SET signature = CAST(substr(signature, 1, 10) || CASE WHEN substr(signature, 11, 1) = x'ff' THEN x'00' ELSE x'ff' END || substr(signature, 12) AS BLOB) WHERE tree_size=9"
after=$(sqlite3 "$work/signature/precinct.db" "SELECT hex(signature) FROM audit_checkpoints WHERE tree_size=9")
[ -n "$before" ] && [ "$before" != "$after" ] || fail "signature: the edit did not change the signature"
expect_failure signature "checkpoint at tree size 9: signature does not verify"

# 5. Entries removed from the end of the log, under a signed checkpoint.
new_instance truncate
sqlite3 "$work/truncate/precinct.db" "DELETE FROM audit_log WHERE seq=9"
expect_failure truncate "checkpoint at tree size 9: the log has only 8 entries"

# Proofs are printed as JSON for the honest instance.
"$PRECINCT" audit proof --data "$work/signature" --seq 2 --size 9 >"$work/proof.json" 2>/dev/null || fail "inclusion proof"
grep -q '"tree_size": 9' "$work/proof.json" || fail "inclusion proof lacks tree_size"
"$PRECINCT" audit proof --data "$work/row" --from 1 --to 9 >"$work/consistency.json" 2>/dev/null || fail "consistency proof"
grep -q '"second_size": 9' "$work/consistency.json" || fail "consistency proof lacks second_size"
status=0
"$PRECINCT" audit proof --data "$work/row" --seq 10 >/dev/null 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "proof of an entry beyond the log should fail, got $status"
echo "test_audit_tamper: ok"
