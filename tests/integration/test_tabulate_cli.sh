#!/bin/sh
# `precinct tabulate` from the outside: operator tie-break decisions,
# --expect-ballots, no report left behind on failure, audit.json hashes,
# usage errors. The per-case RCTab comparisons are the rctab.* tests.
set -eu
: "${PRECINCT:?}" "${PRECINCT_SOURCE:?}"
data="$PRECINCT_SOURCE/tests/data/rctab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. stopCountingAndAsk without a decision: refused, names the tied candidates, writes nothing
config="$data/sample_interactive_tiebreak/sample_interactive_tiebreak_config.json"
if "$PRECINCT" tabulate "$config" --out "$work/ask" --quiet 2>"$work/err"; then fail "tie without a decision counted"; fi
grep -q 'tie in round 2 among "George Gervin", "Yinka Dare"' "$work/err" || fail "tie message: $(cat "$work/err")"
[ ! -e "$work/ask" ] || fail "a report folder was left behind"
ls "$work" | grep -q tmp && fail "a temporary folder was left behind"

# 2. the operator's decision decides the loser, and the report says so
"$PRECINCT" tabulate "$config" --out "$work/ask" --quiet --tiebreak-choice "Yinka Dare"
grep -q '"eliminated": "Yinka Dare"' "$work/ask/summary.json" || fail "Yinka Dare should have lost the tie"
# with Gervin out, round 3 ties Blaylock and Dare for the win: a second decision, in order
if "$PRECINCT" tabulate "$config" --out "$work/ask2" --quiet --tiebreak-choice "George Gervin" 2>"$work/err"; then
  fail "the second tie needed a decision"
fi
grep -q 'tie in round 3 among "Mookie Blaylock", "Yinka Dare".*who wins' "$work/err" || fail "second tie: $(cat "$work/err")"
"$PRECINCT" tabulate "$config" --out "$work/ask2" --quiet --tiebreak-choice "George Gervin" --tiebreak-choice "Mookie Blaylock"
grep -q '"eliminated": "George Gervin"' "$work/ask2/summary.json" || fail "George Gervin should have lost the tie"
grep -q '"elected": "Mookie Blaylock"' "$work/ask2/summary.json" || fail "Mookie Blaylock should have won the tie"
if "$PRECINCT" tabulate "$config" --out "$work/ask3" --quiet --tiebreak-choice "Nobody" 2>"$work/err"; then
  fail "a choice outside the tie was accepted"
fi
grep -q 'not among the tied candidates' "$work/err" || fail "bad choice message: $(cat "$work/err")"

# 3. --expect-ballots: the right number counts, another refuses and writes nothing
config="$data/test_set_multi_winner_fractional_threshold/test_set_multi_winner_fractional_threshold_config.json"
"$PRECINCT" tabulate "$config" --out "$work/stv" --quiet --expect-ballots 30
if "$PRECINCT" tabulate "$config" --out "$work/stv2" --quiet --expect-ballots 31 2>"$work/err"; then
  fail "--expect-ballots 31 accepted 30 ballots"
fi
grep -q 'hold 30 ballots' "$work/err" || fail "expect-ballots message: $(cat "$work/err")"
[ ! -e "$work/stv2" ] || fail "a report was written despite the mismatch"

# 4. every report states the ballots read per source and in total
grep -q '"ballotsRead": 30' "$work/stv/summary.json" || fail "ballotsRead missing from summary.json"
grep -q '^Ballots Read,' "$work/stv/summary.csv" || fail "Ballots Read missing from summary.csv"

# 5. audit.json holds the SHA-256 of the inputs and outputs, and they are right
sum=$(sha256sum "$work/stv/summary.json" | cut -d' ' -f1)
grep -q "$sum" "$work/stv/audit.json" || fail "summary.json hash not in audit.json"
sum=$(sha256sum "$config" | cut -d' ' -f1)
grep -q "$sum" "$work/stv/audit.json" || fail "config hash not in audit.json"
grep -q '"tabulator": "precinct ' "$work/stv/audit.json" || fail "tabulator version missing"

# 6. an unreadable CVR: clear message, nothing written
mkdir -p "$work/bad"
sed "s|\"filePath\" : \"[^\"]*\"|\"filePath\" : \"$work/bad/cvr.json\"|" "$config" > "$work/bad/config.json"
printf '{"CVR": [ {"broken": ' > "$work/bad/cvr.json"
if "$PRECINCT" tabulate "$work/bad/config.json" --out "$work/bad/out" --quiet 2>"$work/err"; then fail "broken CVR accepted"; fi
grep -q "cvr.json" "$work/err" && grep -q "invalid JSON" "$work/err" || fail "broken CVR message: $(cat "$work/err")"
[ ! -e "$work/bad/out" ] || fail "a report was written for a broken CVR"

# 7. usage errors exit 2
set +e
"$PRECINCT" tabulate >/dev/null 2>&1; [ $? -eq 2 ] || fail "no CONFIG should be a usage error"
"$PRECINCT" tabulate "$config" --expect-ballots many >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --expect-ballots should be a usage error"
exit 0
