/* SQLite backend: WAL journal, synchronous=FULL (a commit is on disk before
 * it returns), foreign keys on, a busy timeout, and a per-connection cache of
 * prepared statements. Nothing outside src/store/ sees sqlite3.h. */
#include "store_backend.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CACHE_BUCKETS = 256 };

typedef struct sqlite_stmt {
  pc_stmt_t base;
  sqlite3_stmt *handle;
  char *sql;                 /* cache key */
  int cached;                /* owned by the cache; finalize only resets */
  int in_use;
  struct sqlite_stmt *next;  /* bucket chain */
} sqlite_stmt_t;

typedef struct sqlite_store {
  pc_store_t base;
  sqlite3 *db;
  char *path;
  sqlite_stmt_t *cache[CACHE_BUCKETS];
} sqlite_store_t;

static const pc_store_ops_t sqlite_ops;

static int map_error(sqlite3 *db, int code, pc_error_t *err, const char *what) {
  int primary = code & 0xff;
  int pc_code = PC_EDB;
  if (primary == SQLITE_CONSTRAINT) pc_code = PC_ECONFLICT;
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) pc_code = PC_EBUSY;
  else if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) pc_code = PC_EIO;
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) pc_code = PC_EINTEGRITY;
  return pc_error_set(err, pc_code, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

/* No memory statistics: with them on, every SQLite allocation in every
 * thread takes one global mutex, which the server's threads (one connection
 * each) then contend for. Must run before SQLite initialises. */
static void configure_library(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int pc_store_sqlite_open(const pc_store_options_t *options, pc_store_t **out, pc_error_t *err) {
  static pthread_once_t configured = PTHREAD_ONCE_INIT;
  pthread_once(&configured, configure_library);
  sqlite3 *db = NULL;
  int flags = options->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX; /* one connection per thread: no engine-level locking needed */
  int rc = sqlite3_open_v2(options->path, &db, flags, NULL);
  if (rc != SQLITE_OK) {
    pc_error_set_at(err, PC_EIO, options->path, 0, NULL, "cannot open database: %s",
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return PC_EIO;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options->busy_timeout_ms > 0 ? options->busy_timeout_ms : 5000);
  /* mmap_size: reads come straight from the OS page cache instead of a
   * pread() copy into each connection's own small page cache; with a roll of
   * millions of voters read at random by the public lookup that copy and its
   * allocations were a fifth of the server's CPU (docs/BENCHMARKS.md). */
  static const char *const pragmas_rw[] = {
      "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
      "PRAGMA trusted_schema=OFF", "PRAGMA mmap_size=17179869184", NULL};
  static const char *const pragmas_ro[] = {"PRAGMA foreign_keys=ON", "PRAGMA trusted_schema=OFF",
                                           "PRAGMA mmap_size=17179869184", NULL};
  for (const char *const *pragma = options->read_only ? pragmas_ro : pragmas_rw; *pragma; pragma++) {
    rc = sqlite3_exec(db, *pragma, NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_BUSY) {
      pc_error_set_at(err, PC_EBUSY, options->path, 0, NULL,
                      "another process holds the database alone (a voter import into an empty roll, say);"
                      " try again when it has finished");
      sqlite3_close(db);
      return PC_EBUSY;
    }
    if (rc != SQLITE_OK) {
      map_error(db, rc, err, *pragma);
      sqlite3_close(db);
      return err ? err->code : PC_EDB;
    }
  }
  sqlite_store_t *store = pc_xcalloc(1, sizeof *store);
  store->base.ops = &sqlite_ops;
  store->db = db;
  store->path = pc_xstrdup(options->path);
  *out = &store->base;
  return 0;
}

static void sqlite_close(pc_store_t *base) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  for (int i = 0; i < CACHE_BUCKETS; i++) {
    sqlite_stmt_t *s = store->cache[i];
    while (s) {
      sqlite_stmt_t *next = s->next;
      sqlite3_finalize(s->handle);
      free(s->sql);
      free(s);
      s = next;
    }
  }
  sqlite3_close(store->db);
  free(store->path);
  free(store);
}

static int sqlite_exec(pc_store_t *base, const char *sql, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) return map_error(store->db, rc, err, "exec");
  return 0;
}

static int sqlite_prepare(pc_store_t *base, const char *sql, pc_stmt_t **out, pc_error_t *err);

/* Runs a transaction statement through the statement cache: BEGIN,
 * COMMIT and ROLLBACK are parsed once per connection instead of by
 * sqlite3_exec on every transaction (a tenth of a public lookup's CPU). */
static int exec_cached(pc_store_t *base, const char *sql, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  pc_stmt_t *stmt;
  int rc = sqlite_prepare(base, sql, &stmt, err);
  if (rc != 0) return rc;
  sqlite_stmt_t *s = (sqlite_stmt_t *)stmt;
  int step = sqlite3_step(s->handle);
  sqlite3_reset(s->handle);
  s->in_use = 0;
  if (step != SQLITE_DONE && step != SQLITE_ROW) return map_error(store->db, step, err, sql);
  return 0;
}

static int sqlite_begin(pc_store_t *base, int write, pc_error_t *err) {
  /* IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a
   * write transaction never fails half way with SQLITE_BUSY on upgrade. */
  return exec_cached(base, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", err);
}

static int sqlite_commit(pc_store_t *base, pc_error_t *err) {
  return exec_cached(base, "COMMIT", err);
}

static void sqlite_rollback(pc_store_t *base) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  if (!sqlite3_get_autocommit(store->db)) exec_cached(base, "ROLLBACK", NULL);
}

static int sqlite_prepare(pc_store_t *base, const char *sql, pc_stmt_t **out, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  unsigned bucket = pc_store_hash_sql(sql, CACHE_BUCKETS);
  for (sqlite_stmt_t *s = store->cache[bucket]; s; s = s->next) {
    if (!s->in_use && strcmp(s->sql, sql) == 0) {
      s->in_use = 1;
      *out = &s->base;
      return 0;
    }
  }
  sqlite3_stmt *handle = NULL;
  int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &handle, NULL);
  if (rc != SQLITE_OK) return map_error(store->db, rc, err, "prepare");
  if (handle == NULL) return pc_error_set(err, PC_EINVAL, "prepare: empty SQL");
  sqlite_stmt_t *s = pc_xcalloc(1, sizeof *s);
  s->base.ops = &sqlite_ops;
  s->base.store = base;
  s->handle = handle;
  s->sql = pc_xstrdup(sql);
  s->in_use = 1;
  s->cached = 1;
  s->next = store->cache[bucket];
  store->cache[bucket] = s;
  *out = &s->base;
  return 0;
}

static int64_t sqlite_changes(pc_store_t *base) {
  return sqlite3_changes64(((sqlite_store_t *)base)->db);
}

static int fsync_path(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

static int sqlite_backup(pc_store_t *base, const char *dest_path, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  struct stat st;
  if (stat(dest_path, &st) == 0)
    return pc_error_set_at(err, PC_EEXIST, dest_path, 0, NULL, "backup file exists; choose a new name");
  /* Write beside the destination and rename, so a failed backup never leaves
   * a file that looks complete. */
  pc_buf_t temp;
  pc_buf_init(&temp, 4096);
  if (pc_buf_appendf(&temp, "%s.partial", dest_path) != 0) {
    pc_buf_free(&temp);
    return pc_error_set_at(err, PC_ELIMIT, dest_path, 0, NULL, "path too long");
  }
  unlink(temp.data);
  sqlite3 *dest = NULL;
  int rc = sqlite3_open_v2(temp.data, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  int result = 0;
  if (rc == SQLITE_OK) {
    sqlite3_backup *backup = sqlite3_backup_init(dest, "main", store->db, "main");
    if (backup == NULL) {
      result = map_error(dest, sqlite3_errcode(dest), err, "backup");
    } else {
      /* Copy in steps so writers are not blocked for the whole copy; the
       * backup restarts itself if the source changes underneath it. */
      do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
      } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
      sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) result = map_error(dest, rc, err, "backup");
    }
    if (result == 0) {
      rc = sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
      if (rc != SQLITE_OK) result = map_error(dest, rc, err, "backup");
    }
  } else {
    result = map_error(dest, rc, err, "backup open");
  }
  sqlite3_close(dest);
  if (result == 0 && fsync_path(temp.data) != 0)
    result = pc_error_set_at(err, PC_EIO, temp.data, 0, NULL, "fsync: %s", strerror(errno));
  if (result == 0 && rename(temp.data, dest_path) != 0)
    result = pc_error_set_at(err, PC_EIO, dest_path, 0, NULL, "rename: %s", strerror(errno));
  if (result == 0) {
    /* Make the rename itself durable. */
    (void)pc_file_sync_parent(dest_path);
  } else {
    unlink(temp.data);
  }
  pc_buf_free(&temp);
  return result;
}

static int sqlite_restore_from(pc_store_t *dest_base, pc_store_t *source_base, pc_error_t *err) {
  sqlite_store_t *dest = (sqlite_store_t *)dest_base, *source = (sqlite_store_t *)source_base;
  sqlite3_backup *backup = sqlite3_backup_init(dest->db, "main", source->db, "main");
  if (backup == NULL) return map_error(dest->db, sqlite3_errcode(dest->db), err, "restore");
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return map_error(dest->db, rc, err, "restore");
  return 0;
}

static int sqlite_restore_file(pc_store_t *base, const char *path, pc_error_t *err) {
  pc_store_options_t options = {.backend = "sqlite", .path = path, .read_only = 1};
  pc_store_t *source;
  int rc = pc_store_sqlite_open(&options, &source, err);
  if (rc != 0) return rc;
  rc = sqlite_restore_from(base, source, err);
  sqlite_close(source);
  return rc;
}

static int sqlite_integrity_check(pc_store_t *base, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(store->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK) return map_error(store->db, rc, err, "integrity_check");
  int result = 0;
  pc_buf_t problems;
  pc_buf_init(&problems, 700);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *line = (const char *)sqlite3_column_text(stmt, 0);
    if (line && strcmp(line, "ok") != 0) {
      result = PC_EINTEGRITY;
      (void)pc_buf_appendf(&problems, "%s; ", line);
    }
  }
  if (rc != SQLITE_DONE) result = map_error(store->db, rc, err, "integrity_check");
  else if (result != 0) pc_error_set(err, result, "SQLite integrity_check: %s", pc_buf_str(&problems));
  sqlite3_finalize(stmt);
  if (result == 0) {
    rc = sqlite3_prepare_v2(store->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
    if (rc != SQLITE_OK) return map_error(store->db, rc, err, "foreign_key_check");
    if (sqlite3_step(stmt) == SQLITE_ROW)
      result = pc_error_set(err, PC_EINTEGRITY, "foreign key violation in table %s, row %lld",
                            (const char *)sqlite3_column_text(stmt, 0), (long long)sqlite3_column_int64(stmt, 1));
    sqlite3_finalize(stmt);
  }
  pc_buf_free(&problems);
  return result;
}

/* ---- statements ---------------------------------------------------------- */

#define HANDLE(stmt) (((sqlite_stmt_t *)(stmt))->handle)
#define DB(stmt) (((sqlite_store_t *)(stmt)->store)->db)

static int bind_result(int rc) {
  if (rc == SQLITE_OK) return 0;
  if (rc == SQLITE_RANGE) return PC_EINVAL;
  if (rc == SQLITE_TOOBIG) return PC_ELIMIT;
  return PC_EDB;
}

static int sqlite_bind_text(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  return bind_result(sqlite3_bind_text64(HANDLE(stmt), index, value, length, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sqlite_bind_text_nocopy(pc_stmt_t *stmt, int index, const char *value, size_t length) {
  return bind_result(sqlite3_bind_text64(HANDLE(stmt), index, value, length, SQLITE_STATIC, SQLITE_UTF8));
}

static int sqlite_bind_int64(pc_stmt_t *stmt, int index, int64_t value) {
  return bind_result(sqlite3_bind_int64(HANDLE(stmt), index, value));
}

static int sqlite_bind_blob(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  /* A zero-length blob must still be a blob, not NULL. */
  if (size == 0) return bind_result(sqlite3_bind_zeroblob(HANDLE(stmt), index, 0));
  return bind_result(sqlite3_bind_blob64(HANDLE(stmt), index, data, size, SQLITE_TRANSIENT));
}

static int sqlite_bind_blob_nocopy(pc_stmt_t *stmt, int index, const void *data, size_t size) {
  if (size == 0) return bind_result(sqlite3_bind_zeroblob(HANDLE(stmt), index, 0));
  return bind_result(sqlite3_bind_blob64(HANDLE(stmt), index, data, size, SQLITE_STATIC));
}

static int sqlite_bind_null(pc_stmt_t *stmt, int index) {
  return bind_result(sqlite3_bind_null(HANDLE(stmt), index));
}

static int sqlite_step(pc_stmt_t *stmt, pc_error_t *err) {
  int rc = sqlite3_step(HANDLE(stmt));
  if (rc == SQLITE_ROW) return PC_STORE_ROW;
  if (rc == SQLITE_DONE) return PC_STORE_DONE;
  return map_error(DB(stmt), rc, err, "step");
}

static void sqlite_reset(pc_stmt_t *stmt) {
  sqlite3_reset(HANDLE(stmt));
  sqlite3_clear_bindings(HANDLE(stmt));
}

static void sqlite_finalize(pc_stmt_t *stmt) {
  sqlite_stmt_t *s = (sqlite_stmt_t *)stmt;
  sqlite_reset(stmt);
  s->in_use = 0;
}

static int sqlite_column_count(pc_stmt_t *stmt) {
  return sqlite3_column_count(HANDLE(stmt));
}

static const char *sqlite_column_name(pc_stmt_t *stmt, int index) {
  return sqlite3_column_name(HANDLE(stmt), index);
}

static int sqlite_column_type(pc_stmt_t *stmt, int index) {
  switch (sqlite3_column_type(HANDLE(stmt), index)) {
  case SQLITE_INTEGER: return PC_COLUMN_INTEGER;
  case SQLITE_FLOAT: return PC_COLUMN_FLOAT;
  case SQLITE_TEXT: return PC_COLUMN_TEXT;
  case SQLITE_BLOB: return PC_COLUMN_BLOB;
  default: return PC_COLUMN_NULL;
  }
}

static int64_t sqlite_column_int64(pc_stmt_t *stmt, int index) {
  return sqlite3_column_int64(HANDLE(stmt), index);
}

static double sqlite_column_double(pc_stmt_t *stmt, int index) {
  return sqlite3_column_double(HANDLE(stmt), index);
}

static const char *sqlite_column_text(pc_stmt_t *stmt, int index) {
  return (const char *)sqlite3_column_text(HANDLE(stmt), index);
}

static const void *sqlite_column_blob(pc_stmt_t *stmt, int index, size_t *size) {
  const void *data = sqlite3_column_blob(HANDLE(stmt), index);
  if (size) *size = (size_t)sqlite3_column_bytes(HANDLE(stmt), index);
  return data;
}

static int sqlite_bulk_mode(pc_store_t *base, int mode, pc_error_t *err) {
  /* Loading: 1 GiB of page cache, the B-tree pages being appended stay in
   * memory. Index builds: the sorter's run size is the cache size (up to
   * 512 MB); one run of 10M keys is a linked-list merge sort that misses the
   * CPU caches on every step, while 16 MB runs sort fast on PRAGMA threads
   * helpers and merge in one streaming pass (docs/internals/voters.md).
   * Off: the defaults. Keep temp_store on files: in memory the sorter makes
   * one run whatever the size. */
  static const char *const cache[] = {"PRAGMA cache_size=-2000", "PRAGMA cache_size=-1048576",
                                      "PRAGMA cache_size=-16384"};
  if (mode < PC_STORE_BULK_OFF || mode > PC_STORE_BULK_INDEX) return pc_error_set(err, PC_EINVAL, "bulk mode %d", mode);
  int rc = sqlite_exec(base, cache[mode], err);
  if (rc == 0) rc = sqlite_exec(base, mode == PC_STORE_BULK_OFF ? "PRAGMA threads=0" : "PRAGMA threads=2", err);
  return rc;
}

/* A rollback journal with exclusive locking for a load into empty tables
 * (store.h). Leaving WAL needs the only connection to the file: when another
 * has it open, SQLite keeps WAL (or reports busy) and so does the load. The
 * way back sets NORMAL locking first: WAL entered under EXCLUSIVE locking
 * would keep the lock until the connection closes. If the way back fails,
 * the next connection to open the file switches it to WAL (sqlite_open). */
static int sqlite_bulk_exclusive(pc_store_t *base, int on, pc_error_t *err) {
  sqlite_store_t *store = (sqlite_store_t *)base;
  if (!on) {
    int rc = sqlite_exec(base, "PRAGMA locking_mode=NORMAL", err);
    if (rc == 0) rc = sqlite_exec(base, "PRAGMA journal_mode=WAL", err);
    return rc;
  }
  int rc = sqlite_exec(base, "PRAGMA locking_mode=EXCLUSIVE", err);
  if (rc != 0) return rc;
  /* The switch commits a change of the file header: its errors (a failed
   * fsync, say) surface at the step or at the finalize, and fail the load.
   * Busy means another connection: no switch, no error. */
  int engaged = 0;
  sqlite3_stmt *stmt;
  int code = sqlite3_prepare_v2(store->db, "PRAGMA journal_mode=DELETE", -1, &stmt, NULL);
  if (code == SQLITE_OK) {
    code = sqlite3_step(stmt);
    if (code == SQLITE_ROW) {
      const unsigned char *mode = sqlite3_column_text(stmt, 0);
      engaged = mode != NULL && strcmp((const char *)mode, "delete") == 0;
    }
    int finished = sqlite3_finalize(stmt);
    if (code == SQLITE_ROW || code == SQLITE_DONE) code = finished;
  }
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    code = SQLITE_OK;
    engaged = 0;
  }
  if (code != SQLITE_OK) {
    rc = map_error(store->db, code, err, "switching to a rollback journal for the load");
    sqlite3_exec(store->db, "PRAGMA locking_mode=NORMAL", NULL, NULL, NULL);
    return rc;
  }
  if (!engaged) return sqlite_exec(base, "PRAGMA locking_mode=NORMAL", err);
  return 1;
}

/* INTEGER PRIMARY KEY picks MAX(rowid) + 1 by itself. */
static int sqlite_sync_ids(pc_store_t *base, const char *table, pc_error_t *err) {
  (void)base;
  (void)table;
  (void)err;
  return 0;
}

static const pc_store_ops_t sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .changes = sqlite_changes,
    .backup = sqlite_backup,
    .restore_from = sqlite_restore_from,
    .restore_file = sqlite_restore_file,
    .integrity_check = sqlite_integrity_check,
    .bulk_mode = sqlite_bulk_mode,
    .bulk_exclusive = sqlite_bulk_exclusive,
    .sync_ids = sqlite_sync_ids,
    .bind_text = sqlite_bind_text,
    .bind_text_nocopy = sqlite_bind_text_nocopy,
    .bind_int64 = sqlite_bind_int64,
    .bind_blob = sqlite_bind_blob,
    .bind_blob_nocopy = sqlite_bind_blob_nocopy,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .column_count = sqlite_column_count,
    .column_name = sqlite_column_name,
    .column_type = sqlite_column_type,
    .column_int64 = sqlite_column_int64,
    .column_double = sqlite_column_double,
    .column_text = sqlite_column_text,
    .column_blob = sqlite_column_blob,
};
