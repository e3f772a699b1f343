#!/bin/sh
# I/O fault injection (SQLite backend): runs store_writer with the
# LD_PRELOAD shim tests/faults/fault_shim.c failing the Nth write-family or
# fsync call on the database files with EIO or ENOSPC, once (transient) or
# from then on (persistent). Each case checks that the store reported the
# failure (a record not acknowledged), then, with the fault cleared: the
# database passes PRAGMA integrity_check and `precinct db check`, every
# acknowledged record is there whole, no record is half written, and the
# store takes new writes. Prints one line per case and a summary.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_STORE_WRITER:?set PRECINCT_STORE_WRITER to tests/store_writer}"
: "${PRECINCT_FAULT_SHIM:?set PRECINCT_FAULT_SHIM to tests/libpc_fault_shim.so}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "the sqlite3 command-line tool is needed (scripts/install-deps)"
# The shim is preloaded ahead of the sanitizer runtime in sanitizer builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

cases=0
total_acked=0
for calls in write sync; do
  for code in EIO ENOSPC; do
    for at in 1 3 10; do
      for count in 1 0; do
        cases=$((cases + 1))
        mode=$([ "$count" -eq 1 ] && echo transient || echo persistent)
        name="$calls/$code/at=$at/$mode"
        data="$work/case$cases"
        "$PRECINCT" init --data "$data" --state "Faults" >/dev/null 2>&1
        db="$data/precinct.db"
        # One clean record first, so the faulted run starts with its table made.
        "$PRECINCT_STORE_WRITER" --data "$data" --count 1 --audit >"$work/acked" 2>"$work/err" \
          || { cat "$work/err" >&2; fail "$name: clean first write"; }
        set +e
        env LD_PRELOAD="$PRECINCT_FAULT_SHIM" PC_FAULT_CALLS="$calls" PC_FAULT_ERRNO="$code" \
          PC_FAULT_AT="$at" PC_FAULT_COUNT="$count" \
          "$PRECINCT_STORE_WRITER" --data "$data" --count 20 --audit --max-errors 3 >>"$work/acked" 2>"$work/err"
        status=$?
        set -e
        reported=$(grep -c "not acknowledged" "$work/err" || true)
        injected=$(grep -c "fault_shim: failing" "$work/err" || true)
        [ "$injected" -gt 0 ] || { cat "$work/err" >&2; fail "$name: the fault was never injected"; }
        [ "$reported" -gt 0 ] || [ "$status" -ne 0 ] || { cat "$work/err" >&2; fail "$name: a failed write went unreported"; }
        # Fault cleared: consistent, nothing acknowledged lost, still usable.
        [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "$name: integrity_check"
        "$PRECINCT" db check --data "$data" >/dev/null 2>&1 || fail "$name: precinct db check"
        half=$(sqlite3 "$db" 'SELECT n FROM kill_rows GROUP BY n HAVING COUNT(*) <> 3')
        [ -z "$half" ] || fail "$name: torn records $half"
        sort "$work/acked" >"$work/acked.sorted"
        sqlite3 "$db" 'SELECT DISTINCT n FROM kill_rows' | sort >"$work/rows"
        sqlite3 "$db" "SELECT substr(name, 2) FROM counties WHERE name LIKE 'K%'" | sort >"$work/counties"
        lost=$(( $(comm -23 "$work/acked.sorted" "$work/rows" | wc -l) + $(comm -23 "$work/acked.sorted" "$work/counties" | wc -l) ))
        [ "$lost" -eq 0 ] || fail "$name: $lost acknowledged records lost"
        "$PRECINCT_STORE_WRITER" --data "$data" --count 5 --audit >"$work/after" 2>"$work/err" \
          || { cat "$work/err" >&2; fail "$name: store not usable after the fault cleared"; }
        [ "$(wc -l <"$work/after")" -eq 5 ] || fail "$name: writes after the fault not all acknowledged"
        acked=$(wc -l <"$work/acked")
        total_acked=$((total_acked + acked))
        first=$(grep -v "fault_shim" "$work/err" | head -1 || true)
        echo "fault $name: injected=$injected writer-exit=$status not-acknowledged=$reported acknowledged=$acked lost=0 usable-after=yes; reported: $first"
        rm -rf "$data"
      done
    done
  done
done
echo "store faults: cases=$cases acknowledged=$total_acked lost=0"
