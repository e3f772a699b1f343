/* In-memory cache of the current publication for `precinct serve`: a
 * refcounted snapshot pinned to one publication id, whose files are loaded on
 * first use and never change (publications are immutable). Which publication
 * is current is re-read at most every 100 ms, or at once after a bump. It
 * does not cache misses (nginx or a CDN fronts the public in production). */
#include "precinct/alloc.h"
#include "precinct/clock.h"
#include "precinct/log.h"
#include "precinct/results.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { CHECK_INTERVAL_MS = 100 };

typedef struct cached_file {
  char *name;
  char *data;
  size_t size;
} cached_file_t;

typedef struct snapshot {
  int64_t publication_id, number;
  cached_file_t **files; /* each immutable once inserted; the array grows under the lock */
  size_t count, capacity;
  atomic_int refs;       /* the cache's own reference plus readers' (and responses being sent) */
} snapshot_t;

struct pc_results_cache {
  pthread_mutex_t lock;
  snapshot_t *current;   /* NULL: nothing published at the last check */
  int checked;
  int64_t checked_ms;
  uint_least64_t generation_seen;
};

static atomic_uint_least64_t generation;

void pc_results_cache_bump(void) { atomic_fetch_add(&generation, 1); }

pc_results_cache_t *pc_results_cache_new(void) {
  pc_results_cache_t *cache = pc_xcalloc(1, sizeof *cache);
  pthread_mutex_init(&cache->lock, NULL);
  return cache;
}

static void snapshot_free(snapshot_t *snap) {
  for (size_t i = 0; i < snap->count; i++) {
    free(snap->files[i]->name);
    free(snap->files[i]->data);
    free(snap->files[i]);
  }
  free(snap->files);
  free(snap);
}

/* Drops one reference. No lock is needed: a snapshot that can still be
 * found (cache->current) holds the cache's own reference, so only an
 * unreachable snapshot can drop to zero, and then nobody else has it. */
static void release(snapshot_t *snap) {
  if (snap == NULL) return;
  int before = atomic_fetch_sub(&snap->refs, 1);
  assert(before > 0);
  if (before == 1) snapshot_free(snap);
}

void pc_results_cache_release(void *ref) { release(ref); }

void pc_results_cache_free(pc_results_cache_t *cache) {
  if (cache == NULL) return;
  pthread_mutex_lock(&cache->lock);
  release(cache->current);
  cache->current = NULL;
  pthread_mutex_unlock(&cache->lock);
  pthread_mutex_destroy(&cache->lock);
  free(cache);
}

/* The current publication of the newest election that has one: *ID 0 when none. */
static int read_current(pc_store_t *store, int64_t *id, int64_t *number, pc_error_t *err) {
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "SELECT p.id, p.number FROM results_current c JOIN publications p ON p.id = c.publication_id"
                        " WHERE c.election_id = (SELECT MAX(election_id) FROM results_current)",
                        &stmt, err);
  if (rc == 0) {
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      *id = pc_stmt_column_int64(stmt, 0);
      *number = pc_stmt_column_int64(stmt, 1);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      *id = 0;
      *number = 0;
      rc = 0;
    }
    pc_stmt_finalize(stmt);
  }
  pc_store_rollback(store); /* ends the read transaction */
  return rc;
}

/* File NAME of publication PUBLICATION_ID (current or not: files never change). */
static int read_file(pc_store_t *store, int64_t publication_id, const char *name, cached_file_t **out,
                     pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT content FROM publication_files WHERE publication_id = ? AND name = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, publication_id);
  pc_stmt_bind_text(stmt, 2, name);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    size_t length = 0;
    const void *blob = pc_stmt_column_blob(stmt, 0, &length);
    cached_file_t *file = pc_xcalloc(1, sizeof *file);
    file->name = pc_xstrdup(name);
    file->data = pc_xmalloc(length + 1);
    if (length) memcpy(file->data, blob, length);
    file->data[length] = '\0';
    file->size = length;
    *out = file;
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no current publication file \"%s\"", name);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

static cached_file_t *find_locked(const snapshot_t *snap, const char *name) {
  for (size_t i = 0; i < snap->count; i++)
    if (strcmp(snap->files[i]->name, name) == 0) return snap->files[i];
  return NULL;
}

/* Re-reads which publication is current and installs a new snapshot when it
 * changed. *SNAP (a reference the caller holds, or NULL) is replaced by a
 * reference to the snapshot now current (NULL when nothing is published). */
static int refresh(pc_results_cache_t *cache, pc_store_t *store, snapshot_t **snap, pc_error_t *err) {
  int64_t id = 0, number = 0;
  int rc = read_current(store, &id, &number, err);
  if (rc != 0) return rc;
  pthread_mutex_lock(&cache->lock);
  snapshot_t *now = cache->current;
  if ((now == NULL && id != 0) || (now != NULL && now->publication_id != id)) {
    snapshot_t *fresh = NULL;
    if (id != 0) {
      fresh = pc_xcalloc(1, sizeof *fresh);
      fresh->publication_id = id;
      fresh->number = number;
      atomic_init(&fresh->refs, 1);
    }
    release(cache->current);
    cache->current = fresh;
    now = fresh;
  }
  if (now) atomic_fetch_add(&now->refs, 1);
  release(*snap);
  *snap = now;
  pthread_mutex_unlock(&cache->lock);
  return 0;
}

int pc_results_cache_share(pc_results_cache_t *cache, pc_results_store_fn get_store, void *context, const char *name,
                           pc_results_cache_file_t *out, pc_error_t *err) {
  int64_t now_ms = pc_clock_monotonic_ms();
  uint_least64_t gen = atomic_load(&generation);
  pthread_mutex_lock(&cache->lock);
  /* One reader per interval re-checks; the others keep using the snapshot
   * they have, at most 100 ms (or one bump) old. With no snapshot every
   * reader checks, so none answers "not found" while the first check runs. */
  int check = !cache->checked || cache->current == NULL || now_ms - cache->checked_ms >= CHECK_INTERVAL_MS ||
              gen != cache->generation_seen;
  if (check) {
    cache->checked = 1;
    cache->checked_ms = now_ms;
    cache->generation_seen = gen;
  }
  snapshot_t *snap = cache->current;
  if (snap) atomic_fetch_add(&snap->refs, 1);
  pthread_mutex_unlock(&cache->lock);

  pc_store_t *store = NULL;
  int rc = 0;
  if (check) {
    store = get_store(context);
    rc = store ? refresh(cache, store, &snap, err) : pc_error_set(err, PC_EUNAVAIL, "no database connection");
    if (rc != 0) {
      /* Try again on the next request rather than in 100 ms; meanwhile the
       * snapshot we have (if any) is still a whole publication. */
      pthread_mutex_lock(&cache->lock);
      cache->checked = 0;
      pthread_mutex_unlock(&cache->lock);
      if (snap != NULL) {
        pc_log(PC_LOG_WARN, "results cache: cannot check the current publication, serving %lld: %s",
               (long long)snap->number, err ? err->message : "");
        if (err) pc_error_clear(err);
        rc = 0;
      }
    }
  }
  if (rc == 0 && snap == NULL) rc = pc_error_set(err, PC_ENOTFOUND, "nothing is published");

  cached_file_t *file = NULL;
  if (rc == 0) {
    pthread_mutex_lock(&cache->lock);
    file = find_locked(snap, name);
    pthread_mutex_unlock(&cache->lock);
  }
  if (rc == 0 && file == NULL) {
    if (!store) store = get_store(context);
    cached_file_t *loaded = NULL;
    rc = store ? read_file(store, snap->publication_id, name, &loaded, err)
               : pc_error_set(err, PC_EUNAVAIL, "no database connection");
    if (rc == 0) {
      pthread_mutex_lock(&cache->lock);
      file = find_locked(snap, name); /* another reader may have loaded it meanwhile */
      if (file == NULL) {
        if (snap->count == snap->capacity) {
          snap->capacity = snap->capacity ? snap->capacity * 2 : 32;
          snap->files = pc_xrealloc(snap->files, snap->capacity * sizeof *snap->files);
        }
        snap->files[snap->count++] = loaded;
        file = loaded;
        loaded = NULL;
      }
      pthread_mutex_unlock(&cache->lock);
      if (loaded) {
        free(loaded->name);
        free(loaded->data);
        free(loaded);
      }
    }
  }
  /* FILE's bytes stay valid while SNAP is held: the reference goes to OUT. */
  if (rc == 0) {
    out->data = file->data;
    out->size = file->size;
    out->number = snap->number;
    out->ref = snap;
    return 0;
  }
  release(snap);
  return rc;
}

int pc_results_cache_get(pc_results_cache_t *cache, pc_results_store_fn get_store, void *context, const char *name,
                         pc_buf_t *out, int64_t *number, pc_error_t *err) {
  pc_results_cache_file_t file;
  int rc = pc_results_cache_share(cache, get_store, context, name, &file, err);
  if (rc != 0) return rc;
  rc = pc_buf_append(out, file.data, file.size);
  if (rc == 0) *number = file.number;
  pc_results_cache_release(file.ref);
  return rc;
}
