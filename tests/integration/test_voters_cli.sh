#!/bin/sh
# Drives `precinct voters` end to end: generate, import (all-or-nothing with
# line and field in the error), export round trip, one-voter commands with a
# county scope, dedup and review, and an NVRA maintenance preview/run/undo.
set -eu
: "${PRECINCT:?PRECINCT must name the binary}"
work=$(mktemp -d "${TMPDIR:-/tmp}/precinct-voters-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$PRECINCT" init --data "$work/a" --state "Test" >/dev/null 2>&1
"$PRECINCT" voters generate --count 2000 --seed 9 --dup-rate 0.05 --out "$work/roll.tsv" --quiet >/dev/null
head -1 "$work/roll.tsv.labels.csv" | grep -qx 'ncid_a,ncid_b' || fail "labels header"
[ "$(wc -l < "$work/roll.tsv")" -eq 2001 ] || fail "generated line count"

# A bad line leaves nothing behind and names line and field.
awk -F'\t' 'BEGIN{OFS="\t"} NR==1500{$31="19X0"} {print}' "$work/roll.tsv" > "$work/bad.tsv"
if "$PRECINCT" voters import --data "$work/a" --quiet "$work/bad.tsv" 2> "$work/err.txt"; then fail "bad file imported"; fi
grep -q "bad.tsv:1500" "$work/err.txt" || fail "error lacks the line: $(cat "$work/err.txt")"
grep -q "birth_year" "$work/err.txt" || fail "error lacks the field"
"$PRECINCT" voters export --data "$work/a" --format nc --out "$work/empty.tsv" --quiet >/dev/null
[ "$(wc -l < "$work/empty.tsv")" -eq 1 ] || fail "voters left after a failed import"

"$PRECINCT" voters import --data "$work/a" --quiet "$work/roll.tsv" | grep -q "Imported 2000 voters" || fail "import"
"$PRECINCT" voters verify --data "$work/a" | grep -q "Verified 2000" || fail "verify"
"$PRECINCT" voters export --data "$work/a" --format nc --out "$work/export.tsv" --quiet >/dev/null
"$PRECINCT" init --data "$work/b" --state "Test" >/dev/null 2>&1
"$PRECINCT" voters import --data "$work/b" --format nc --quiet "$work/export.tsv" >/dev/null
"$PRECINCT" voters export --data "$work/b" --format nc --out "$work/export2.tsv" --quiet >/dev/null
cmp -s "$work/export.tsv" "$work/export2.tsv" || fail "NC round trip differs"
"$PRECINCT" voters export --data "$work/a" --format vri --out "$work/records.json" --quiet >/dev/null
grep -q '"VRI.VoterRecordResults"' "$work/records.json" || fail "VRI export"

# One voter, with a county scope.
county=$(awk -F'\t' 'NR==2{print $2}' "$work/roll.tsv")
precinct=$(awk -F'\t' 'NR==2{print $35}' "$work/roll.tsv")
out=$("$PRECINCT" voters register --data "$work/a" --scope "$county" --county "$county" --precinct "$precinct" \
  --last Rivera --first Ana --dob 1985-02-03 --street "1 Main St" --city Town --zip 27000 --dl D1234567 --citizen)
ncid=$(echo "$out" | sed -n 's/.*NCID \([A-Z0-9]*\).*/\1/p')
[ -n "$ncid" ] || fail "register: $out"
"$PRECINCT" voters show --data "$work/a" "$ncid" > "$work/show.txt"
grep -q "name: ANA  RIVERA" "$work/show.txt" || fail "show name"
grep -q "1985-02-03" "$work/show.txt" && fail "show printed the birth date"
grep -q "D1234567" "$work/show.txt" && fail "show printed the licence"
other=$(awk -F'\t' -v c="$county" 'NR>1 && $2!=c {print $2; exit}' "$work/roll.tsv")
if "$PRECINCT" voters show --data "$work/a" --scope "$other" "$ncid" 2>/dev/null; then fail "scope leak"; fi
"$PRECINCT" voters update --data "$work/a" --party REP "$ncid" >/dev/null
"$PRECINCT" voters cancel --data "$work/a" --reason moved "$ncid" >/dev/null
"$PRECINCT" voters show --data "$work/a" "$ncid" | grep -q "status: R REMOVED (RS" || fail "cancel"
if "$PRECINCT" voters register --data "$work/a" --county "$county" --precinct "$precinct" --last X --first Y \
  --dob 1985-02-03 --street "1 Main St" --city Town --zip 27000 2> "$work/err.txt"; then fail "registered without citizenship"; fi
grep -q "citizenship" "$work/err.txt" || fail "citizenship message"

# Duplicates: flagged, queued, decided by hand.
"$PRECINCT" voters dedup --data "$work/a" --out "$work/pairs.csv" --quiet > "$work/dedup.txt"
head -1 "$work/pairs.csv" | grep -qx 'ncid_a,ncid_b,score' || fail "pairs header"
[ "$(wc -l < "$work/pairs.csv")" -gt 50 ] || fail "too few pairs"
"$PRECINCT" voters review --data "$work/a" --list | head -1 | grep -q . || fail "review list"
"$PRECINCT" voters review --data "$work/a" --merge 1 | grep -q merged || fail "merge"

# NVRA: notices by inactivity, preview then run then undo.
out=$("$PRECINCT" voters maintenance preview --data "$work/a" --kind notices-inactivity --since 2030-01-01)
run=$(echo "$out" | sed -n 's/^Previewed run \([0-9]*\).*/\1/p')
[ -n "$run" ] || fail "preview: $out"
"$PRECINCT" voters maintenance run --data "$work/a" --run "$run" | grep -q "Executed run" || fail "run"
"$PRECINCT" voters maintenance undo --data "$work/a" --run "$run" | grep -q "Undid run" || fail "undo"
if "$PRECINCT" voters maintenance run --data "$work/a" --run "$run" 2>/dev/null; then fail "ran an undone run"; fi
"$PRECINCT" voters bogus 2>/dev/null && fail "unknown subcommand accepted"
[ $? -eq 2 ] || true
# The audit log covers the bulk-loaded roll: verify passes, a change made
# behind precinct's back is caught.
"$PRECINCT" audit verify --data "$work/a" >/dev/null 2>&1 || fail "audit verify after import"
sqlite3 "$work/a/precinct.db" "UPDATE voters SET party = 'XYZ' WHERE id = 42"
if "$PRECINCT" audit verify --data "$work/a" >/dev/null 2>&1; then fail "audit verify missed a tampered voter"; fi
if "$PRECINCT" voters verify --data "$work/a" >/dev/null 2>&1; then fail "voters verify missed a tampered voter"; fi
echo "ok"
