#!/bin/sh
# Stops the throwaway PostgreSQL server started by start.sh and removes its
# files. Usage: tests/pg/stop.sh STATE_DIR
set -eu
state=${1:?usage: stop.sh STATE_DIR}
[ -f "$state/pgdir" ] || exit 0
pgdir=$(cat "$state/pgdir")
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$bindir/pg_ctl" ] || bindir=$(dirname "$(command -v pg_ctl)")
if [ -f "$pgdir/data/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u precinct-test -- "$bindir/pg_ctl" --pgdata="$pgdir/data" --mode=immediate --wait stop >/dev/null || true
  else
    "$bindir/pg_ctl" --pgdata="$pgdir/data" --mode=immediate --wait stop >/dev/null || true
  fi
fi
case "$pgdir" in
  */precinct-pg.*) rm -rf "$pgdir" ;;
esac
rm -f "$state/pgdir" "$state/url"
