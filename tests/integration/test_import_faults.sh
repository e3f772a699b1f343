#!/bin/sh
# I/O fault injection into a voter import into an empty roll, the path that
# holds the database alone with a rollback journal (pc_store_bulk_exclusive):
# the LD_PRELOAD shim tests/faults/fault_shim.c fails the Nth write-family or
# fsync call on the database files with EIO, once or from then on. Each case:
# the import is whole or absent, never partial (exit 0 means every voter and
# one batch row; a failure leaves no voter, or all of them when only the
# journal's last step after the commit failed, as SQLite reports it); an
# error is never swallowed (exit 0 after an injected fault only when it hit
# the switch back to WAL after the commit, which is logged); with
# the fault cleared the database passes integrity_check, `db check` and
# `audit verify`, is back in WAL mode, and imports the file when it has no
# voter. Prints one line per case and a summary.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_FAULT_SHIM:?set PRECINCT_FAULT_SHIM to tests/libpc_fault_shim.so}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "the sqlite3 command-line tool is needed (scripts/install-deps)"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
count=5000

"$PRECINCT" init --data "$work/base" --state "Faults" >/dev/null 2>&1 || fail "init"
"$PRECINCT" voters generate --count $count --seed 5 --dup-rate 0 --out "$work/roll.tsv" --quiet >/dev/null 2>&1 \
  || fail "generate"

cases=0 failed_imports=0 injected_total=0
for calls in sync write; do
  for times in 1 0; do
    for at in 1 2 3 4 5 6 7 8 10 15 30 60 120; do
      cases=$((cases + 1))
      name="$calls/at=$at/$([ "$times" -eq 1 ] && echo transient || echo persistent)"
      data="$work/case"
      rm -rf "$data"
      cp -a "$work/base" "$data"
      db="$data/precinct.db"
      set +e
      env LD_PRELOAD="$PRECINCT_FAULT_SHIM" PC_FAULT_CALLS="$calls" PC_FAULT_ERRNO=EIO PC_FAULT_AT="$at" \
        PC_FAULT_COUNT="$times" "$PRECINCT" voters import --data "$data" --quiet "$work/roll.tsv" >"$work/out" 2>&1
      status=$?
      set -e
      injected=$(grep -c "fault_shim: failing" "$work/out" || true)
      injected_total=$((injected_total + injected))
      [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "$name: integrity_check"
      "$PRECINCT" db check --data "$data" >"$work/check" 2>&1 || { cat "$work/check"; fail "$name: db check"; }
      "$PRECINCT" audit verify --data "$data" >"$work/check" 2>&1 || { cat "$work/check"; fail "$name: audit verify"; }
      [ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal ] || fail "$name: not back in WAL mode"
      voters=$(sqlite3 "$db" 'SELECT COUNT(*) FROM voters')
      batches=$(sqlite3 "$db" 'SELECT COUNT(*) FROM voter_import_batches')
      if [ "$status" -eq 0 ]; then
        [ "$voters" = $count ] && [ "$batches" = 1 ] || fail "$name: acknowledged import has $voters voters, $batches batches"
        # A fault may pass unreported only after the commit, on the way back to WAL, and is logged there.
        if [ "$injected" -gt 0 ] && ! grep -q "could not switch back to WAL" "$work/out"; then
          cat "$work/out"
          fail "$name: an I/O error was swallowed"
        fi
      else
        failed_imports=$((failed_imports + 1))
        [ "$injected" -gt 0 ] || { cat "$work/out"; fail "$name: failed without an injected fault"; }
        if [ "$voters" = 0 ]; then
          [ "$batches" = 0 ] || fail "$name: batch row without voters"
          "$PRECINCT" voters import --data "$data" --quiet "$work/roll.tsv" >"$work/again" 2>&1 \
            || { cat "$work/again"; fail "$name: import after the fault cleared"; }
        else
          [ "$voters" = $count ] && [ "$batches" = 1 ] || fail "$name: partial import: $voters voters, $batches batches"
        fi
      fi
      echo "fault $name: injected=$injected exit=$status voters=$voters; $(grep -v fault_shim "$work/out" | tail -1 | cut -c1-100)"
    done
  done
done
[ "$failed_imports" -gt 0 ] || fail "no case made the import fail: the faults missed it"
echo "import faults: cases=$cases failed=$failed_imports injected=$injected_total partial=0"
