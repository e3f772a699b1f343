/* Internals shared by the PostgreSQL backend's files (postgres.c: connection,
 * transactions, statements; postgres_admin.c: backup, restore, integrity).
 * Only src/store/ includes this header. */
#ifndef PRECINCT_STORE_POSTGRES_H
#define PRECINCT_STORE_POSTGRES_H

#include "store_backend.h"

#include <libpq-fe.h>

enum { PG_CACHE_BUCKETS = 256 };

typedef struct pg_stmt pg_stmt_t;

typedef struct pg_store {
  pc_store_t base;
  PGconn *conn;
  unsigned generation;  /* bumped on every (re)connect: server-side statements are gone */
  unsigned next_name;   /* for naming server-side prepared statements */
  int64_t changes;
  int busy_timeout_ms;
  int read_only;
  int sync_warning;     /* the server warned that a commit was not replicated */
  pg_stmt_t *cache[PG_CACHE_BUCKETS];
} pg_store_t;

/* Maps a failed result (or a NULL one) on STORE's connection to a PC_E* code
 * and message: SQLSTATE classes 23 -> PC_ECONFLICT, 40001/40P01/55P03 ->
 * PC_EBUSY, 08 and a broken connection -> PC_EUNAVAIL, 53/58 -> PC_EIO,
 * XX001/XX002 -> PC_EINTEGRITY, 22 -> PC_EINVAL, else PC_EDB. */
int pc_pg_error(pg_store_t *store, const PGresult *result, pc_error_t *err, const char *what);

/* Forgets every server-side prepared statement (after a restore replaced the
 * tables they refer to); they are prepared again on next use. */
void pc_pg_invalidate_statements(pg_store_t *store);

int pc_pg_backup(pc_store_t *store, const char *dest_path, pc_error_t *err);
int pc_pg_restore_file(pc_store_t *store, const char *path, pc_error_t *err);
int pc_pg_restore_from(pc_store_t *dest, pc_store_t *source, pc_error_t *err);
int pc_pg_integrity_check(pc_store_t *store, pc_error_t *err);

#endif
