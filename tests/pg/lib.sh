# Sourced by the PostgreSQL test scripts: finds the PostgreSQL 15 server
# binaries (PG_BINDIR) and defines as_server, which runs a command as the
# user the server runs as: the caller, or, when that is root (CI; initdb
# refuses root), the unprivileged user precinct-test, created when missing.
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bindir/initdb" ] && command -v initdb >/dev/null 2>&1; then
  bindir=$(dirname "$(command -v initdb)")
fi
[ -x "$bindir/initdb" ] || { echo "PostgreSQL 15 server not installed (scripts/install-deps)" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  pg_user=precinct-test
  if ! id "$pg_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user"
  fi
  as_server() { runuser -u "$pg_user" -- "$@"; }
  # Hands a directory to the server's user.
  give_to_server() { chown -R "$pg_user" "$@"; }
else
  as_server() { "$@"; }
  give_to_server() { :; }
fi
