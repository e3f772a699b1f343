#!/bin/sh
# Kill loop during bulk voter imports: KILL_ITERATIONS (default 100) times,
# a copy of a fresh instance imports a 20,000-voter file and is SIGKILLed at a
# random moment. After each kill: `db check` (SQLite integrity and foreign
# keys) passes, `audit verify` passes, and the import is all or nothing
# (0 voters and no batch row, or every voter and one batch row) — never a
# partially imported file. A final run without a kill must import everything.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
iterations=${KILL_ITERATIONS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count=20000

"$PRECINCT" init --data "$work/base" >/dev/null 2>&1 || fail "init"
"$PRECINCT" demo --data "$work/base" --no-election >/dev/null 2>&1 || fail "demo"
"$PRECINCT" voters generate --data "$work/base" --count $count --seed 11 --dup-rate 0.02 \
  --out "$work/voters.tsv" --quiet >/dev/null || fail "generate"

# How long an uninterrupted import takes, to spread the kills over it.
cp -a "$work/base" "$work/timing"
start=$(date +%s%N)
"$PRECINCT" voters import --data "$work/timing" "$work/voters.tsv" >/dev/null 2>&1 || fail "timing import"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(sqlite3 "$work/timing/precinct.db" 'SELECT COUNT(*) FROM voters')" = $count ] || fail "timing import count"
window_ms=$(( elapsed_ms + elapsed_ms / 4 + 1 ))

complete=0 empty=0 last=none
i=0
while [ $i -lt "$iterations" ]; do
  i=$((i + 1))
  rm -rf "$work/run"
  cp -a "$work/base" "$work/run"
  "$PRECINCT" voters import --data "$work/run" "$work/voters.tsv" >/dev/null 2>&1 &
  pid=$!
  delay_ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % window_ms ))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  "$PRECINCT" db check --data "$work/run" >"$work/check.out" 2>&1 || { cat "$work/check.out"; fail "iteration $i: db check"; }
  "$PRECINCT" audit verify --data "$work/run" >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; fail "iteration $i: audit verify"; }
  voters=$(sqlite3 "$work/run/precinct.db" 'SELECT COUNT(*) FROM voters')
  batches=$(sqlite3 "$work/run/precinct.db" 'SELECT COUNT(*) FROM voter_import_batches')
  if [ "$voters" = 0 ] && [ "$batches" = 0 ]; then
    empty=$((empty + 1))
    last=empty
  elif [ "$voters" = $count ] && [ "$batches" = 1 ]; then
    complete=$((complete + 1))
    last=complete
  else
    fail "iteration $i: partial import: $voters voters, $batches batch rows"
  fi
done

# The instance stays usable: when the last kill left nothing, importing the
# file again succeeds completely.
if [ "$last" = empty ]; then
  "$PRECINCT" voters import --data "$work/run" "$work/voters.tsv" >/dev/null 2>&1 || fail "import after the last kill"
  [ "$(sqlite3 "$work/run/precinct.db" 'SELECT COUNT(*) FROM voters')" = $count ] || fail "count after the last kill"
fi
echo "kill loop (voter import): $iterations kills, $empty left nothing, $complete complete, 0 partial; db check and audit verify passed after every kill"
