/* What a storage backend implements. store.c holds the backend-neutral parts
 * (dispatch, pool, migration runner) and forwards everything else here. Only
 * files under src/store/ include this header or a database engine's header. */
#ifndef PRECINCT_STORE_BACKEND_H
#define PRECINCT_STORE_BACKEND_H

#include "precinct/store.h"

typedef struct pc_store_ops {
  const char *name;
  void (*close)(pc_store_t *store);
  int (*begin)(pc_store_t *store, int write, pc_error_t *err);
  int (*commit)(pc_store_t *store, pc_error_t *err);
  void (*rollback)(pc_store_t *store);
  int (*exec)(pc_store_t *store, const char *sql, pc_error_t *err);
  int (*prepare)(pc_store_t *store, const char *sql, pc_stmt_t **out, pc_error_t *err);
  int64_t (*changes)(pc_store_t *store);
  int (*backup)(pc_store_t *store, const char *dest_path, pc_error_t *err);
  int (*restore_from)(pc_store_t *dest, pc_store_t *source, pc_error_t *err);
  int (*restore_file)(pc_store_t *store, const char *path, pc_error_t *err);
  int (*integrity_check)(pc_store_t *store, pc_error_t *err);
  int (*bulk_mode)(pc_store_t *store, int mode, pc_error_t *err);
  int (*bulk_exclusive)(pc_store_t *store, int on, pc_error_t *err);
  int (*sync_ids)(pc_store_t *store, const char *table, pc_error_t *err);

  int (*bind_text)(pc_stmt_t *stmt, int index, const char *value, size_t length);
  int (*bind_text_nocopy)(pc_stmt_t *stmt, int index, const char *value, size_t length);
  int (*bind_int64)(pc_stmt_t *stmt, int index, int64_t value);
  int (*bind_blob)(pc_stmt_t *stmt, int index, const void *data, size_t size);
  int (*bind_blob_nocopy)(pc_stmt_t *stmt, int index, const void *data, size_t size);
  int (*bind_null)(pc_stmt_t *stmt, int index);
  int (*step)(pc_stmt_t *stmt, pc_error_t *err);
  void (*reset)(pc_stmt_t *stmt);
  void (*finalize)(pc_stmt_t *stmt);
  int (*column_count)(pc_stmt_t *stmt);
  const char *(*column_name)(pc_stmt_t *stmt, int index);
  int (*column_type)(pc_stmt_t *stmt, int index);
  int64_t (*column_int64)(pc_stmt_t *stmt, int index);
  double (*column_double)(pc_stmt_t *stmt, int index);
  const char *(*column_text)(pc_stmt_t *stmt, int index);
  const void *(*column_blob)(pc_stmt_t *stmt, int index, size_t *size);
} pc_store_ops_t;

/* Every backend's connection and statement structs start with these. */
struct pc_store {
  const pc_store_ops_t *ops;
  int in_transaction;
};

struct pc_stmt {
  const pc_store_ops_t *ops;
  pc_store_t *store;
};

/* Bucket of SQL in a backend's statement cache of BUCKETS buckets (FNV-1a). */
unsigned pc_store_hash_sql(const char *sql, unsigned buckets);

int pc_store_postgres_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err);
int pc_store_sqlite_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err);

#endif
