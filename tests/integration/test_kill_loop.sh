#!/bin/sh
# Crash durability (SQLite backend): ITERATIONS times (default 100), start
# store_writer (tests/tools/store_writer.c) on one instance and SIGKILL it at
# a random moment (0-400 ms). The writer prints a record's number only after
# the store acknowledged its commit. Afterwards: the database passes
# PRAGMA integrity_check and `precinct db check`; every acknowledged record
# is present with all three of its rows; no record is half there (a
# transaction is all or nothing); every acknowledged audited county exists;
# and `precinct audit verify` passes when this build has that command.
# Prints: iterations, writes acknowledged, writes lost (must be 0).
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_STORE_WRITER:?set PRECINCT_STORE_WRITER to tests/store_writer}"
iterations=${KILL_LOOP_ITERATIONS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "the sqlite3 command-line tool is needed (scripts/install-deps)"

data="$work/instance"
"$PRECINCT" init --data "$data" --state "Kill Loop" >/dev/null
db="$data/precinct.db"
acked="$work/acked"
: >"$acked"

random_ms() { # 0..$1-1
  echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}

i=0
while [ "$i" -lt "$iterations" ]; do
  i=$((i + 1))
  "$PRECINCT_STORE_WRITER" --data "$data" --audit >>"$acked" 2>>"$work/writer.err" &
  pid=$!
  ms=$(random_ms 400)
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done

# Ignore a torn last line, should one ever appear (it would not be a number).
grep -E '^[0-9]+$' "$acked" | sort >"$work/acked.sorted"
acknowledged=$(wc -l <"$work/acked.sorted")

[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "PRAGMA integrity_check"
"$PRECINCT" db check --data "$data" >/dev/null || fail "precinct db check"
half=$(sqlite3 "$db" 'SELECT n FROM kill_rows GROUP BY n HAVING COUNT(*) <> 3')
[ -z "$half" ] || fail "records with some but not all rows (torn transaction): $half"
sqlite3 "$db" 'SELECT DISTINCT n FROM kill_rows' | sort >"$work/rows"
sqlite3 "$db" "SELECT substr(name, 2) FROM counties WHERE name LIKE 'K%'" | sort >"$work/counties"
lost_rows=$(comm -23 "$work/acked.sorted" "$work/rows" | wc -l)
lost_counties=$(comm -23 "$work/acked.sorted" "$work/counties" | wc -l)
lost=$((lost_rows + lost_counties))

if "$PRECINCT" audit --help >/dev/null 2>&1; then
  "$PRECINCT" audit verify --data "$data" >"$work/verify" 2>&1 || { cat "$work/verify" >&2; fail "precinct audit verify"; }
  audit="audit verify: ok"
else
  audit="audit verify: skipped (no 'precinct audit' command in this build)"
fi

committed=$(sqlite3 "$db" 'SELECT COUNT(DISTINCT n) FROM kill_rows')
echo "kill loop: iterations=$iterations acknowledged=$acknowledged committed=$committed lost=$lost; $audit"
[ "$lost" -eq 0 ] || fail "$lost acknowledged writes lost"
[ "$acknowledged" -gt 0 ] || fail "no write was acknowledged: the test proved nothing"
