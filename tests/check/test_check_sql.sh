#!/bin/sh
# scripts/check-sql must reject each of the six places in sql_built/ where SQL
# text is built at run time, name them by line, and exit non-zero.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$("$here/../../scripts/check-sql" "$here/sql_built")
rc=$?
expected='src/example/built.c:7: SQL text built at run time
src/example/built.c:16: SQL text built at run time
src/example/built.c:22: SQL text built at run time
src/example/built.c:11: pc_store_prepare/exec is handed "saved_sql", text built at run time
src/example/built.c:18: pc_store_prepare/exec is handed "sql", text built at run time
src/example/built.c:23: pc_store_prepare/exec is handed "pc_buf_str(text", text built at run time
check-sql: SQL must be constant strings with bound parameters (see HOUSE_STYLE.md)'
if [ "$rc" -eq 0 ] || [ "$out" != "$expected" ]; then
  echo "check-sql exit $rc, output:"
  echo "$out"
  exit 1
fi
echo "check-sql rejects all six"
