#!/bin/sh
# Stops the throwaway PostgreSQL server started by start.sh and removes its
# files. Usage: tests/pg/stop.sh STATE_DIR
set -eu
state=${1:?usage: stop.sh STATE_DIR}
[ -f "$state/pgdir" ] || exit 0
pgdir=$(cat "$state/pgdir")
. "$(dirname "$0")/lib.sh"
if [ -f "$pgdir/data/postmaster.pid" ]; then
  as_server "$bindir/pg_ctl" --pgdata="$pgdir/data" --mode=immediate --wait stop >/dev/null || true
fi
case "$pgdir" in
  */precinct-pg.*) rm -rf "$pgdir" ;;
esac
rm -f "$state/pgdir" "$state/url"
