#!/bin/sh
# Drives `precinct voters streets` end to end: a generated roll and the
# street indexes the generator writes, import (all-or-nothing, FILE:LINE in
# the error, overlaps naming both lines), lookup of generated voters'
# addresses, registration deriving and checking the precinct, export round
# trip, and `audit verify` over it all.
set -eu
: "${PRECINCT:?PRECINCT must name the binary}"
work=$(mktemp -d "${TMPDIR:-/tmp}/precinct-streets-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$PRECINCT" init --data "$work/a" --state "Test" >/dev/null 2>&1
"$PRECINCT" voters generate --count 3000 --seed 4 --dup-rate 0.02 --out "$work/roll.tsv" --streets "$work/streets" \
  --quiet >/dev/null
[ "$(ls "$work/streets" | wc -l)" -eq 100 ] || fail "expected one index per county"
head -1 "$work/streets/WAKE.csv" | grep -qx 'street,low,high,parity,zip,city,precinct' || fail "index header"
"$PRECINCT" voters import --data "$work/a" --quiet "$work/roll.tsv" >/dev/null

# A voter of the roll: county, street, ZIP, precinct.
line=$(awk -F'\t' 'NR>1 {print; exit}' "$work/roll.tsv")
county=$(echo "$line" | awk -F'\t' '{print $2}')
street=$(echo "$line" | awk -F'\t' '{print $13}')
zip=$(echo "$line" | awk -F'\t' '{print $16}')
precinct=$(echo "$line" | awk -F'\t' '{print $35}')
file="$work/streets/$(echo "$county" | tr -c 'A-Za-z0-9\n' '_').csv"

# Before the county has an index: lookup says so, registration needs --precinct.
if "$PRECINCT" voters streets lookup --data "$work/a" --county "$county" "$street" "$zip" 2> "$work/err.txt"; then
  fail "lookup without an index"; fi
grep -q "the county has no street index" "$work/err.txt" || fail "no-index message: $(cat "$work/err.txt")"

# A bad line: nothing imported, FILE:LINE and field in the error.
awk -F, 'BEGIN{OFS=","} NR==3{$4="X"} {print}' "$file" > "$work/bad.csv"
if "$PRECINCT" voters streets import --data "$work/a" --county "$county" "$work/bad.csv" 2> "$work/err.txt"; then
  fail "bad index imported"; fi
grep -q "bad.csv:3: field 'parity'" "$work/err.txt" || fail "bad line error: $(cat "$work/err.txt")"
# Two segments giving one address two precincts: both lines named.
{ echo "street,low,high,parity,zip,precinct"; echo "ELM ST,1,99,B,$zip,$precinct"; echo "ELM ST,2,8,E,$zip,ZZZ"; } > "$work/overlap.csv"
if "$PRECINCT" voters streets import --data "$work/a" --county "$county" "$work/overlap.csv" 2> "$work/err.txt"; then
  fail "overlap imported"; fi
grep -q "overlap.csv:3: field 'precinct': segment overlaps line 2: 2 ELM ST $zip would be in precinct $precinct (line 2) and ZZZ (line 3)" \
  "$work/err.txt" || fail "overlap error: $(cat "$work/err.txt")"

out=$("$PRECINCT" voters streets import --data "$work/a" --county "$county" "$file")
echo "$out" | grep -q "^Imported [0-9]* street segments for $county (index version 1" || fail "import: $out"
[ "$("$PRECINCT" voters streets lookup --data "$work/a" --county "$county" "$street" "$zip")" = "$precinct" ] ||
  fail "lookup of $street $zip did not give $precinct"
# Every voter of that county is found in their precinct.
awk -F'\t' -v c="$county" 'NR>1 && $2==c {print $13 "\t" $16 "\t" $35}' "$work/roll.tsv" | head -40 |
  while IFS="$(printf '\t')" read -r s z p; do
    got=$("$PRECINCT" voters streets lookup --data "$work/a" --county "$county" "$s" "$z")
    [ "$got" = "$p" ] || fail "$s $z: index $got, roll $p"
  done

# Registration derives the precinct, refuses a conflicting one and an unknown address.
out=$("$PRECINCT" voters register --data "$work/a" --county "$county" --last Rivera --first Ana --dob 1985-02-03 \
  --street "$(echo "$street" | sed 's/ ST$/ Street/')" --city Town --zip "$zip" --citizen)
echo "$out" | grep -q "precinct $precinct" || fail "register did not derive $precinct: $out"
if "$PRECINCT" voters register --data "$work/a" --county "$county" --last Rivera --first Bo --dob 1985-02-03 \
  --street "99999 NOWHERE RD" --city Town --zip "$zip" --citizen 2> "$work/err.txt"; then fail "unknown address registered"; fi
grep -q "not in the county's street index: 99999 NOWHERE RD $zip" "$work/err.txt" || fail "unknown address: $(cat "$work/err.txt")"
# The official's precinct is accepted for an address the index lacks (a new
# street), and refused when it disagrees with the index.
out=$("$PRECINCT" voters register --data "$work/a" --county "$county" --last Rivera --first Bo --dob 1985-02-03 \
  --street "99999 NOWHERE RD" --city Town --zip "$zip" --precinct "$precinct" --citizen) || fail "new street with --precinct"
echo "$out" | grep -q "precinct $precinct" || fail "new street with --precinct: $out"
other=ZZZ
if "$PRECINCT" voters register --data "$work/a" --county "$county" --last Rivera --first Cy --dob 1985-02-03 \
  --street "$street" --city Town --zip "$zip" --precinct "$other" --citizen 2> "$work/err.txt"; then
  fail "a precinct against the index was accepted"
fi
grep -q "by the county's street index, not in precinct $other" "$work/err.txt" || fail "conflict: $(cat "$work/err.txt")"

# Export reads back the same index.
"$PRECINCT" voters streets export --data "$work/a" --county "$county" --out "$work/export.csv" | grep -q "Exported" || fail "export"
"$PRECINCT" voters streets import --data "$work/a" --county "$county" "$work/export.csv" | grep -q "index version 2" || fail "re-import"
"$PRECINCT" voters streets export --data "$work/a" --county "$county" --out "$work/export2.csv" >/dev/null
cmp -s "$work/export.csv" "$work/export2.csv" || fail "export round trip differs"
[ "$(wc -l < "$work/export.csv")" -eq "$(wc -l < "$file")" ] || fail "export row count"

"$PRECINCT" audit verify --data "$work/a" >/dev/null 2>&1 || fail "audit verify"
echo "ok"
