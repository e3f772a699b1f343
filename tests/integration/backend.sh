# Sourced by integration tests that make instances, so that they run on
# either backend: SQLite (default) or PostgreSQL when
# PRECINCT_TEST_BACKEND=postgres, on a fresh database of the test server
# named by PRECINCT_TEST_PG_URL or the file PRECINCT_TEST_PG_URL_FILE
# (tests/pg/start.sh). Call backend_cleanup from the EXIT trap.
backend=${PRECINCT_TEST_BACKEND:-sqlite}
backend_databases=""
case "$backend" in
  sqlite) ;;
  postgres)
    pg_base=${PRECINCT_TEST_PG_URL:-}
    if [ -z "$pg_base" ]; then
      pg_base=$(cat "${PRECINCT_TEST_PG_URL_FILE:?PRECINCT_TEST_BACKEND=postgres needs PRECINCT_TEST_PG_URL or PRECINCT_TEST_PG_URL_FILE}")
    fi
    ;;
  *) echo "unknown PRECINCT_TEST_BACKEND $backend" >&2; exit 1 ;;
esac

# backend_init DATA [init options...]: `precinct init` on the backend.
backend_init() {
  init_data=$1; shift
  if [ "$backend" = postgres ]; then
    init_db="it_$$_$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
    psql -X -q -v ON_ERROR_STOP=1 -d "$pg_base dbname=postgres" -c "CREATE DATABASE $init_db" >/dev/null
    backend_databases="$backend_databases $init_db"
    "$PRECINCT" init --data "$init_data" --database-url "$pg_base dbname=$init_db" "$@"
  else
    "$PRECINCT" init --data "$init_data" "$@"
  fi
}

# backend_sql DATA SQL: runs SQL on the instance's database, prints the rows
# (columns separated by |).
backend_sql() {
  if [ "$backend" = postgres ]; then
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$(sed -n 's/^url = //p' "$1/precinct.conf")" -c "$2"
  else
    sqlite3 "$1/precinct.db" "$2"
  fi
}

# backend_backup_count FILE TABLE: rows of TABLE in a `precinct backup` file.
backend_backup_count() {
  if [ "$backend" = postgres ]; then
    pg_restore --data-only --table="$2" --file=- "$1" | sed -n '/^COPY /,/^\\\.$/p' | sed '1d;$d' | wc -l
  else
    sqlite3 "$1" "SELECT COUNT(*) FROM $2"
  fi
}

backend_cleanup() {
  for cleanup_db in $backend_databases; do
    psql -X -q -d "$pg_base dbname=postgres" -c "DROP DATABASE IF EXISTS $cleanup_db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
