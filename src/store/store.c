/* Backend-neutral storage: dispatch to the configured backend, the migration
 * runner and the connection pool. Engine specifics live in sqlite.c and postgres*.c. */
#include "store_backend.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/embedded.h"
#include "precinct/log.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int pc_store_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err) {
  const char *backend = options->backend ? options->backend : "sqlite";
  if (strcmp(backend, "sqlite") == 0) return pc_store_sqlite_open(options, out, err);
  if (strcmp(backend, "postgres") == 0) return pc_store_postgres_open(options, out, err);
  return pc_error_set_at(err, PC_EINVAL, NULL, 0, "database.backend", "unsupported backend \"%s\"", backend);
}

unsigned pc_store_hash_sql(const char *sql, unsigned buckets) {
  unsigned h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)sql; *p; p++) h = (h ^ *p) * 16777619u;
  return h % buckets;
}

void pc_store_close(pc_store_t *store) {
  if (store) store->ops->close(store);
}

int pc_store_begin(pc_store_t *store, pc_error_t *err) {
  assert(!store->in_transaction && "transactions do not nest");
  int rc = store->ops->begin(store, 1, err);
  if (rc == 0) store->in_transaction = 1;
  return rc;
}

int pc_store_begin_read(pc_store_t *store, pc_error_t *err) {
  assert(!store->in_transaction && "transactions do not nest");
  int rc = store->ops->begin(store, 0, err);
  if (rc == 0) store->in_transaction = 1;
  return rc;
}

int pc_store_commit(pc_store_t *store, pc_error_t *err) {
  assert(store->in_transaction);
  int rc = store->ops->commit(store, err);
  if (rc == 0) store->in_transaction = 0;
  else pc_store_rollback(store);
  return rc;
}

void pc_store_rollback(pc_store_t *store) {
  if (!store->in_transaction) return;
  store->ops->rollback(store);
  store->in_transaction = 0;
}

int pc_store_in_transaction(const pc_store_t *store) {
  return store->in_transaction;
}

int pc_store_exec(pc_store_t *store, const char *sql, pc_error_t *err) {
  return store->ops->exec(store, sql, err);
}

int pc_store_prepare(pc_store_t *store, const char *sql, pc_stmt_t **out, pc_error_t *err) {
  return store->ops->prepare(store, sql, out, err);
}

int pc_stmt_bind_text(pc_stmt_t *stmt, int index, const char *value) {
  if (value == NULL) return stmt->ops->bind_null(stmt, index);
  return stmt->ops->bind_text(stmt, index, value, strlen(value));
}

int pc_stmt_bind_text_n(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  return stmt->ops->bind_text(stmt, index, value, length);
}

int pc_stmt_bind_text_nocopy(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  return stmt->ops->bind_text_nocopy(stmt, index, value, length);
}

int pc_stmt_bind_blob_nocopy(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  return stmt->ops->bind_blob_nocopy(stmt, index, data, size);
}

int pc_stmt_bind_int64(pc_stmt_t *stmt, int index, int64_t value) {
  return stmt->ops->bind_int64(stmt, index, value);
}

int pc_stmt_bind_blob(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  return stmt->ops->bind_blob(stmt, index, data, size);
}

int pc_stmt_bind_null(pc_stmt_t *stmt, int index) {
  return stmt->ops->bind_null(stmt, index);
}

int pc_stmt_step(pc_stmt_t *stmt, pc_error_t *err) {
  return stmt->ops->step(stmt, err);
}

void pc_stmt_reset(pc_stmt_t *stmt) {
  stmt->ops->reset(stmt);
}

int pc_stmt_column_count(pc_stmt_t *stmt) {
  return stmt->ops->column_count(stmt);
}

const char *pc_stmt_column_name(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_name(stmt, index);
}

int pc_stmt_column_type(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_type(stmt, index);
}

int64_t pc_stmt_column_int64(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_int64(stmt, index);
}

double pc_stmt_column_double(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_double(stmt, index);
}

const char *pc_stmt_column_text(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_text(stmt, index);
}

const void *pc_stmt_column_blob(pc_stmt_t *stmt, int index, size_t *size) {
  return stmt->ops->column_blob(stmt, index, size);
}

int pc_stmt_column_is_null(pc_stmt_t *stmt, int index) {
  return stmt->ops->column_type(stmt, index) == PC_COLUMN_NULL;
}

void pc_stmt_finalize(pc_stmt_t *stmt) {
  if (stmt) stmt->ops->finalize(stmt);
}

int64_t pc_store_changes(pc_store_t *store) {
  return store->ops->changes(store);
}

int pc_store_backup(pc_store_t *store, const char *dest_path, pc_error_t *err) {
  return store->ops->backup(store, dest_path, err);
}

int pc_store_restore_from(pc_store_t *dest, pc_store_t *source, pc_error_t *err) {
  if (dest->ops != source->ops) return pc_error_set(err, PC_EINVAL, "restore needs two databases of the same backend");
  return dest->ops->restore_from(dest, source, err);
}

int pc_store_bulk_mode(pc_store_t *store, int on, pc_error_t *err) {
  return store->ops->bulk_mode(store, on, err);
}

int pc_store_bulk_exclusive(pc_store_t *store, int on, pc_error_t *err) {
  assert(!store->in_transaction);
  return store->ops->bulk_exclusive(store, on, err);
}

int pc_store_sync_ids(pc_store_t *store, const char *table, pc_error_t *err) {
  for (const char *c = table; *c; c++) assert((*c >= 'a' && *c <= 'z') || *c == '_');
  return store->ops->sync_ids(store, table, err);
}

int pc_store_restore_file(pc_store_t *store, const char *path, pc_error_t *err) {
  assert(!store->in_transaction);
  return store->ops->restore_file(store, path, err);
}

int pc_store_integrity_check(pc_store_t *store, pc_error_t *err) {
  return store->ops->integrity_check(store, err);
}

/* ---- migrations ---------------------------------------------------------- */

/* Migration files are named NNNN_description.sql; returns NNNN or -1. */
static int migration_number(const char *name) {
  long long number;
  char digits[8];
  size_t i = 0;
  while (i < sizeof digits - 1 && name[i] >= '0' && name[i] <= '9') {
    digits[i] = name[i];
    i++;
  }
  digits[i] = '\0';
  if (i != 4 || name[i] != '_') return -1;
  if (pc_parse_int64(digits, 1, 9999, &number) != 0) return -1;
  return (int)number;
}

static int latest_migration(void) {
  int latest = 0;
  for (const pc_embedded_file_t *f = pc_embedded_migrations; f->name; f++) {
    int number = migration_number(f->name);
    if (number > latest) latest = number;
  }
  return latest;
}

static const char create_migrations_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

static int current_version(pc_store_t *store, int *version, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *version = (int)pc_stmt_column_int64(stmt, 0);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_EINTERNAL, "schema version query returned no row");
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_store_schema_version(pc_store_t *store, int *current, int *latest, pc_error_t *err) {
  int rc = pc_store_exec(store, create_migrations_table, err);
  if (rc == 0) rc = current_version(store, current, err);
  if (rc == 0) *latest = latest_migration();
  return rc;
}

/* 1 when migration NUMBER is recorded as applied, 0 when not, or an error. */
static int is_applied(pc_store_t *store, int number, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, number);
  rc = pc_stmt_step(stmt, err);
  int applied = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) > 0 : rc == PC_STORE_DONE ? PC_EDB : rc;
  pc_stmt_finalize(stmt);
  return applied;
}

static int apply_migration(pc_store_t *store, const pc_embedded_file_t *file, int number, pc_error_t *err) {
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  /* Re-check inside the write transaction: another process may have migrated. */
  int applied = is_applied(store, number, err);
  if (applied != 0) {
    pc_store_rollback(store);
    return applied < 0 ? applied : 0;
  }
  if (rc == 0) rc = pc_store_exec(store, file->data, err);
  if (rc != 0 && err) {
    char where[600];
    pc_snprintf(where, sizeof where, "migration %s: %s", file->name, err->message);
    pc_strlcpy(err->message, where, sizeof err->message);
  }
  pc_stmt_t *stmt = NULL;
  if (rc == 0) rc = pc_store_prepare(store, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_int64(stmt, 1, number);
    pc_stmt_bind_text(stmt, 2, file->name);
    pc_stmt_bind_text(stmt, 3, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_DONE) rc = 0;
  }
  pc_stmt_finalize(stmt);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) pc_log(PC_LOG_INFO, "applied migration %s", file->name);
  return rc;
}

int pc_store_migrate(pc_store_t *store, pc_error_t *err) {
  int rc = pc_store_exec(store, create_migrations_table, err);
  if (rc != 0) return rc;
  int version = 0;
  rc = current_version(store, &version, err);
  if (rc != 0) return rc;
  int latest = latest_migration();
  if (version > latest)
    return pc_error_set(err, PC_ESTATE, "database schema version %d is newer than this precinct (%d); upgrade precinct",
                        version, latest);
  /* Every migration of the build not yet recorded, in number order. Numbers
   * are reserved per branch, so one may land after a higher one: a gap is
   * skipped now and the migration applied when a build brings it. */
  for (int number = 1; number <= latest; number++) {
    const pc_embedded_file_t *found = NULL;
    for (const pc_embedded_file_t *f = pc_embedded_migrations; f->name; f++) {
      if (migration_number(f->name) != number) continue;
      if (found != NULL)
        return pc_error_set(err, PC_EINTERNAL, "two migrations are numbered %04d: %s and %s", number, found->name, f->name);
      found = f;
    }
    if (found == NULL) continue;
    int applied = number <= version ? is_applied(store, number, err) : 0;
    if (applied < 0) return applied;
    if (applied) continue;
    rc = apply_migration(store, found, number, err);
    if (rc != 0) return rc;
  }
  return 0;
}

/* ---- pool ---------------------------------------------------------------- */

struct pc_store_pool {
  pthread_mutex_t lock;
  pthread_cond_t available;
  pc_store_t **free_stores;
  int free_count;
  int size;
};

int pc_store_pool_open(const pc_store_options_t *options, int size, pc_store_pool_t **out, pc_error_t *err) {
  assert(size > 0);
  pc_store_pool_t *pool = pc_xcalloc(1, sizeof *pool);
  pool->free_stores = pc_xcalloc((size_t)size, sizeof *pool->free_stores);
  pool->size = size;
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->available, NULL);
  for (int i = 0; i < size; i++) {
    pc_store_t *store;
    int rc = pc_store_open(options, &store, err);
    if (rc == 0 && i == 0) {
      rc = pc_store_migrate(store, err);
      if (rc != 0) pc_store_close(store);
    }
    if (rc != 0) {
      pc_store_pool_close(pool);
      return rc;
    }
    pool->free_stores[pool->free_count++] = store;
  }
  *out = pool;
  return 0;
}

pc_store_t *pc_store_pool_acquire(pc_store_pool_t *pool) {
  pthread_mutex_lock(&pool->lock);
  while (pool->free_count == 0) pthread_cond_wait(&pool->available, &pool->lock);
  pc_store_t *store = pool->free_stores[--pool->free_count];
  pthread_mutex_unlock(&pool->lock);
  return store;
}

void pc_store_pool_release(pc_store_pool_t *pool, pc_store_t *store) {
  /* A connection must come back clean: an open transaction here is a bug in
   * the caller, and rolling it back keeps the next user from inheriting it. */
  if (store->in_transaction) {
    pc_log(PC_LOG_ERROR, "store connection released with an open transaction; rolled back");
    pc_store_rollback(store);
  }
  pthread_mutex_lock(&pool->lock);
  assert(pool->free_count < pool->size);
  pool->free_stores[pool->free_count++] = store;
  pthread_cond_signal(&pool->available);
  pthread_mutex_unlock(&pool->lock);
}

void pc_store_pool_close(pc_store_pool_t *pool) {
  if (pool == NULL) return;
  for (int i = 0; i < pool->free_count; i++) pc_store_close(pool->free_stores[i]);
  pthread_mutex_destroy(&pool->lock);
  pthread_cond_destroy(&pool->available);
  free(pool->free_stores);
  free(pool);
}
