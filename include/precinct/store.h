/* Storage: the one interface domain code uses to reach the database.
 *
 * SQL given to these functions is the portable subset precinct's backends
 * share: `?` placeholders (never `?NNN` or `$N`), `RETURNING` instead of
 * last-insert-id, TEXT/INTEGER/BLOB columns, timestamps as RFC 3339 TEXT.
 * Values are only ever bound, never spliced into SQL text.
 *
 * A pc_store_t is one connection and must be used by one thread at a time;
 * servers take connections from a pc_store_pool_t. */
#ifndef PRECINCT_STORE_H
#define PRECINCT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/error.h"

typedef struct pc_store pc_store_t;
typedef struct pc_stmt pc_stmt_t;
typedef struct pc_store_pool pc_store_pool_t;

typedef struct pc_store_options {
  const char *backend;  /* "sqlite" or "postgres" */
  const char *path;     /* database file for sqlite */
  int busy_timeout_ms;  /* how long to wait for a lock */
  int read_only;        /* open without write access */
  const char *url;      /* libpq connection string for postgres (may list several
                         * hosts; add target_session_attrs=read-write). Last, so
                         * positional initialisers written before it still work. */
} pc_store_options_t;

enum { PC_STORE_DONE = 0, PC_STORE_ROW = 1 };

enum {
  PC_COLUMN_NULL = 0,
  PC_COLUMN_INTEGER,
  PC_COLUMN_FLOAT,
  PC_COLUMN_TEXT,
  PC_COLUMN_BLOB
};

/* Opens a connection (creating the database file if needed, except when
 * read_only). Does not migrate. *OUT is freed by pc_store_close. */
int pc_store_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err);
/* Closes STORE, finalising its cached statements. STORE may be NULL. */
void pc_store_close(pc_store_t *store);

/* Applies every embedded migration newer than the database's schema
 * version, each in its own transaction, in number order. Logs each one. */
int pc_store_migrate(pc_store_t *store, pc_error_t *err);
/* The schema version the database is at, and the newest this build knows. */
int pc_store_schema_version(pc_store_t *store, int *current, int *latest, pc_error_t *err);

/* Transactions. pc_store_begin starts a write transaction (it takes the
 * write lock at once, so a transaction never fails half way for lack of it);
 * commit returns only when the change is durable on disk. rollback is safe to
 * call when no transaction is open. Transactions do not nest. */
int pc_store_begin(pc_store_t *store, pc_error_t *err);
int pc_store_begin_read(pc_store_t *store, pc_error_t *err);
int pc_store_commit(pc_store_t *store, pc_error_t *err);
void pc_store_rollback(pc_store_t *store);
int pc_store_in_transaction(const pc_store_t *store);

/* Runs SQL that takes no parameters and returns no rows (schema changes,
 * pragmas): SQL must be a constant, never text derived from input. */
int pc_store_exec(pc_store_t *store, const char *sql, pc_error_t *err);

/* Prepares SQL. The statement is cached by the connection: preparing the same
 * SQL again is cheap. Release it with pc_stmt_finalize (which resets a cached
 * statement rather than destroying it). */
int pc_store_prepare(pc_store_t *store, const char *sql, pc_stmt_t **out, pc_error_t *err);

/* Binding: INDEX is 1-based. Text and blobs are copied. A NULL text binds SQL NULL. */
int pc_stmt_bind_text(pc_stmt_t *stmt, int index, const char *value);
int pc_stmt_bind_text_n(pc_stmt_t *stmt, int index, const char *value, size_t length);
int pc_stmt_bind_int64(pc_stmt_t *stmt, int index, int64_t value);
int pc_stmt_bind_blob(pc_stmt_t *stmt, int index, const void *data, size_t size);
int pc_stmt_bind_null(pc_stmt_t *stmt, int index);
/* Binds text WITHOUT copying it: VALUE must stay unchanged until the next
 * step, reset or finalize of STMT. For bulk loads, where copying every
 * column of every row costs more than the insert itself. */
int pc_stmt_bind_text_nocopy(pc_stmt_t *stmt, int index, const char *value, size_t length);
/* Binds a blob WITHOUT copying it, under the same rule (a publication's
 * results.json is tens of MB). */
int pc_stmt_bind_blob_nocopy(pc_stmt_t *stmt, int index, const void *data, size_t size);

/* Advances: PC_STORE_ROW when a row is ready, PC_STORE_DONE at the end, or a
 * negative error (PC_ECONFLICT for a constraint violation, PC_EBUSY, PC_EDB). */
int pc_stmt_step(pc_stmt_t *stmt, pc_error_t *err);
/* Resets STMT for another run with new bindings. */
void pc_stmt_reset(pc_stmt_t *stmt);

/* Columns of the current row, 0-based. Returned pointers stay valid until the
 * next step, reset or finalize. Text of a NULL column is NULL. */
int pc_stmt_column_count(pc_stmt_t *stmt);
const char *pc_stmt_column_name(pc_stmt_t *stmt, int index);
int pc_stmt_column_type(pc_stmt_t *stmt, int index);
int64_t pc_stmt_column_int64(pc_stmt_t *stmt, int index);
double pc_stmt_column_double(pc_stmt_t *stmt, int index);
const char *pc_stmt_column_text(pc_stmt_t *stmt, int index);
const void *pc_stmt_column_blob(pc_stmt_t *stmt, int index, size_t *size);
int pc_stmt_column_is_null(pc_stmt_t *stmt, int index);

/* Releases STMT (NULL is fine). */
void pc_stmt_finalize(pc_stmt_t *stmt);

/* Rows changed by the last INSERT/UPDATE/DELETE on STORE. */
int64_t pc_store_changes(pc_store_t *store);

/* Switches the connection's tuning for a bulk load (MODE=PC_STORE_BULK_LOAD:
 * a large page cache, so the rows being appended stay in memory), for the
 * index builds after it (PC_STORE_BULK_INDEX: on SQLite a small cache, which
 * makes CREATE INDEX sort in cache-sized runs on helper threads and merge
 * them, measured 2x less CPU at 10M rows than one huge in-memory sort) and
 * back (PC_STORE_BULK_OFF). Durability is unchanged: commits are still
 * synchronous; pages a smaller cache cannot hold go to the journal early. */
enum { PC_STORE_BULK_OFF = 0, PC_STORE_BULK_LOAD = 1, PC_STORE_BULK_INDEX = 2 };
int pc_store_bulk_mode(pc_store_t *store, int mode, pc_error_t *err);

/* Outside a transaction, before a bulk load into empty tables (ON=1), and
 * after its commit or rollback (ON=0): lets this connection hold the
 * database alone so that each new page is written once. On SQLite the
 * journal goes from WAL to a rollback journal with exclusive locking: pages
 * appended beyond the file's old end need no journal copy, and no WAL copy
 * and checkpoint follow (docs/internals/voters.md has the figures). Commits
 * stay synchronous; a crash leaves a hot journal that the next open rolls
 * back. Other connections wait (busy timeout) until ON=0. Returns 1 when
 * engaged; 0 when another connection has the database open (nothing
 * changes: the load goes through the WAL) or the backend has no such mode. */
int pc_store_bulk_exclusive(pc_store_t *store, int on, pc_error_t *err);

/* After rows were inserted into TABLE with explicit ids, makes later
 * inserts that let the database pick the id continue after MAX(id)
 * (PostgreSQL identity sequences; SQLite needs nothing). TABLE must be a
 * constant identifier, never input. */
int pc_store_sync_ids(pc_store_t *store, const char *table, pc_error_t *err);

/* Writes an online, consistent copy of the database to DEST_PATH (which must
 * not exist), fsync'd before returning. SQLite writes a database file,
 * PostgreSQL a pg_dump custom-format archive. */
int pc_store_backup(pc_store_t *store, const char *dest_path, pc_error_t *err);
/* Replaces DEST's whole contents with SOURCE's, in one transaction on DEST
 * (both must be the same backend). */
int pc_store_restore_from(pc_store_t *dest, pc_store_t *source, pc_error_t *err);
/* Replaces STORE's whole contents with the backup file at PATH, written by
 * pc_store_backup of the same backend (SQLite: a database file; PostgreSQL:
 * a pg_dump custom-format archive, restored with pg_restore --clean in one
 * transaction). STORE must not be in a transaction. */
int pc_store_restore_file(pc_store_t *store, const char *path, pc_error_t *err);
/* Runs the engine's own consistency check; PC_EINTEGRITY with details if it fails. */
int pc_store_integrity_check(pc_store_t *store, pc_error_t *err);

/* Pools: SIZE connections opened up front and migrated once. acquire blocks
 * until one is free; every acquire is paired with a release. */
int pc_store_pool_open(const pc_store_options_t *options, int size, pc_store_pool_t **out,
                       pc_error_t *err);
pc_store_t *pc_store_pool_acquire(pc_store_pool_t *pool);
void pc_store_pool_release(pc_store_pool_t *pool, pc_store_t *store);
void pc_store_pool_close(pc_store_pool_t *pool);

#endif
