/* Bulk import of an NC voter file into the roll, all-or-nothing in one
 * transaction. Two threads: the reader parses, resolves counties, numbers
 * voters and district sets; this thread inserts batches through one reused
 * prepared statement and folds each voter's audit row hash into the batch
 * digest (the hashing itself is shared between the threads). Into an empty (or much smaller) table the
 * secondary indexes are dropped and rebuilt after the load, inside the same
 * transaction. VRI files go to vri.c; the design is in
 * docs/internals/voters.md. */
#include "nc_layout.h"
#include "strmap.h"
#include "voters_internal.h"
#include "vri.h"

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/log.h"
#include "precinct/progress.h"
#include "precinct/sha256.h"
#include "precinct/voters_io.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

enum { BATCH_SIZE = 1024, QUEUE_DEPTH = 6, MAX_NEW_COUNTIES = 256 };

/* Keep in step with the indexes of 0004_voters.sql and 0012; the unique ones first. */
static const char *const index_drops[] = {"DROP INDEX voters_ncid", "DROP INDEX voters_county_reg",
                                          "DROP INDEX voters_name", "DROP INDEX voters_precinct",
                                          "DROP INDEX voters_county_name", NULL};
static const char *const index_creates[] = {
    "CREATE UNIQUE INDEX voters_ncid ON voters (ncid)",
    "CREATE UNIQUE INDEX voters_county_reg ON voters (county_id, voter_reg_num)",
    "CREATE INDEX voters_name ON voters (last_name, first_name, birth_year)",
    "CREATE INDEX voters_precinct ON voters (county_id, precinct_code, status)",
    "CREATE INDEX voters_county_name ON voters (county_id, last_name, first_name, id)", NULL};

typedef struct new_county {
  int64_t id;
  char name[64];
} new_county_t;

typedef struct batch {
  pc_voter_t voters[BATCH_SIZE];
  int64_t district_set_ids[BATCH_SIZE];
  unsigned char row_hashes[BATCH_SIZE][PC_HASH_SIZE]; /* audit row hash of each voter */
  char hashed[BATCH_SIZE];                            /* row_hashes[i] already set by the reader */
  int new_sets[BATCH_SIZE]; /* voters whose district set is new, in order */
  int new_set_count;
  long lines[BATCH_SIZE];
  char precinct_desc[BATCH_SIZE][64];
  int count;
  new_county_t new_counties[MAX_NEW_COUNTIES];
  int new_county_count;
} batch_t;

typedef struct pipeline {
  pc_voters_t *v;
  const char *path;
  /* queue: full batches to insert, empty ones to fill */
  pthread_mutex_t lock;
  pthread_cond_t changed;
  batch_t *full[QUEUE_DEPTH + 1], *empty[QUEUE_DEPTH + 1];
  int full_count, empty_count;
  int reader_done;
  atomic_int stop;
  atomic_ullong bytes_read;
  /* reader state */
  batch_t *current;
  pc_strmap_t counties; /* upper-case name -> id */
  pc_strmap_t district_sets; /* pc_voter_district_key -> id */
  pc_buf_t district_key;
  int64_t next_district_set_id;
  int64_t last_district_set_id; /* of the previous voter, whose districts follow */
  char last_districts[PC_VOTER_DISTRICTS][64];
  int64_t new_district_sets;
  int64_t next_county_id;
  int64_t scope_county_id;
  int64_t next_id, first_id, batch_id;
  int64_t rows;
  /* SHA-NI through precinct/sha256.h: 4x libsodium's portable SHA-256,
   * which matters for the 2.6 GB of a 10M-voter file */
  pc_sha256_t digest, file_hash;
  int reader_rc;
  pc_error_t reader_err;
  int new_county_total;
  int64_t loaded_ms;  /* when the last row was inserted, for the phase timings */
  int64_t reader_cpu_ms; /* CPU time of the reader thread */
  int64_t writer_cpu_ms; /* CPU time of the writing thread until the last row */
  /* writer state: the previous voter's precinct, known to exist */
  int64_t last_precinct_county;
  char last_precinct_code[sizeof(((pc_voter_t *)0)->precinct_code)];
} pipeline_t;

static void push(pipeline_t *p, batch_t **list, int *count, batch_t *b) {
  pthread_mutex_lock(&p->lock);
  list[(*count)++] = b;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
}

/* Takes a batch from LIST, waiting; NULL when the reader finished (for the
 * full list) or the import stopped. */
static batch_t *pop(pipeline_t *p, batch_t **list, int *count, int is_full_list) {
  pthread_mutex_lock(&p->lock);
  while (*count == 0 && !atomic_load(&p->stop) && !(is_full_list && p->reader_done))
    pthread_cond_wait(&p->changed, &p->lock);
  batch_t *b = NULL;
  if (*count > 0 && (is_full_list || !atomic_load(&p->stop))) {
    b = list[0];
    memmove(list, list + 1, (size_t)(*count - 1) * sizeof *list);
    (*count)--;
  }
  pthread_mutex_unlock(&p->lock);
  return b;
}

static void upper_copy(char *out, size_t size, const char *s) {
  pc_strlcpy(out, s, size);
  pc_voters_normalize(out);
}

static int resolve_county(pipeline_t *p, const char *name, int64_t code, long line, int64_t *id, pc_error_t *err) {
  char key[64];
  upper_copy(key, sizeof key, name);
  if (pc_strmap_get(&p->counties, key, id)) return 0;
  if (p->v->county_scope)
    return pc_error_set_at(err, PC_EPERM, p->path, line, "county_desc", "county %s is outside your county (%s)", name,
                           p->v->county_scope);
  if (p->new_county_total >= MAX_NEW_COUNTIES)
    return pc_error_set_at(err, PC_ELIMIT, p->path, line, "county_desc", "too many new counties in one file");
  /* Keep the file's county number as the id when it is free, so an export
   * of this instance numbers counties as the source did. */
  int64_t new_id = p->next_county_id;
  int taken = 0;
  for (size_t i = 0; code > 0 && i < p->counties.capacity; i++)
    if (p->counties.keys[i] && p->counties.values[i] == code) taken = 1;
  if (code > 0 && !taken) new_id = code;
  if (new_id >= p->next_county_id) p->next_county_id = new_id + 1;
  new_county_t *nc = &p->current->new_counties[p->current->new_county_count++];
  nc->id = new_id;
  pc_strlcpy(nc->name, name, sizeof nc->name);
  pc_strmap_put(&p->counties, key, new_id);
  p->new_county_total++;
  *id = new_id;
  return 0;
}

static int same_districts(const char (*a)[64], const char (*b)[64]) {
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++)
    if (strcmp(a[i], b[i]) != 0) return 0;
  return 1;
}

/* The reader parses each line straight into the next free place of the
 * current batch (a voter is ~2.9 KB: copying it cost the reader ~5%). */
static pc_voter_t *next_slot(void *context) {
  pipeline_t *p = context;
  if (atomic_load(&p->stop)) return NULL;
  if (p->current == NULL) {
    p->current = pop(p, p->empty, &p->empty_count, 0);
    if (p->current == NULL) return NULL;
    p->current->count = 0;
    p->current->new_county_count = 0;
    p->current->new_set_count = 0;
  }
  return &p->current->voters[p->current->count];
}

static int on_record(void *context, pc_voter_t *voter, const char *county_desc, int64_t county_code,
                     const char *precinct_desc, long line, pc_error_t *err) {
  pipeline_t *p = context;
  if (atomic_load(&p->stop)) return PC_EINTERNAL;
  batch_t *b = p->current;
  assert(b != NULL && voter == &b->voters[b->count]);
  int64_t county_id = 0;
  int rc = resolve_county(p, county_desc, county_code, line, &county_id, err);
  if (rc != 0) return rc;
  pc_voter_t *v = voter;
  v->id = p->next_id++;
  v->county_id = county_id;
  v->import_batch_id = p->batch_id;
  v->merged_into_id = 0;
  v->has_dl_hmac = v->has_ssn4_hmac = 0;
  /* District sets are numbered here, like voters; the writer creates the new
   * ones before the batch's voters. Neighbours in a file usually share one. */
  int64_t set_id = p->last_district_set_id;
  if (set_id == 0 || !same_districts(v->district, p->last_districts)) {
    pc_voter_district_key(v, &p->district_key);
    if (!pc_strmap_get(&p->district_sets, pc_buf_str(&p->district_key), &set_id)) {
      set_id = p->next_district_set_id++;
      pc_strmap_put(&p->district_sets, pc_buf_str(&p->district_key), set_id);
      b->new_sets[b->new_set_count++] = b->count;
      p->new_district_sets++;
    }
    memcpy(p->last_districts, v->district, sizeof p->last_districts);
    p->last_district_set_id = set_id;
  }
  b->district_set_ids[b->count] = set_id;
  /* The audit row hash (~1.5 us) costs as much as the parsing; the writer
   * thread, which also inserts, hashes two voters in three and this thread
   * the third, which evens the two threads out (measured at 10M: reader 32 s,
   * writer 45 s of CPU with all the hashing on the writer). */
  b->hashed[b->count] = v->id % 3 == 0;
  if (b->hashed[b->count]) pc_voter_hash(v, b->row_hashes[b->count]);
  b->lines[b->count] = line;
  pc_strlcpy(b->precinct_desc[b->count], precinct_desc, sizeof b->precinct_desc[0]);
  b->count++;
  p->rows++;
  if (b->count == BATCH_SIZE) {
    push(p, p->full, &p->full_count, b);
    p->current = NULL;
  }
  return 0;
}

static int64_t thread_cpu_ms(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void *reader_main(void *arg) {
  pipeline_t *p = arg;
  pc_nc_sink_t sink = {.record = on_record, .context = p, .slot = next_slot};
  pc_nc_reader_t *reader = pc_nc_reader_new(p->path, &sink);
  FILE *f = fopen(p->path, "rb");
  int rc = 0;
  if (f == NULL) {
    rc = pc_error_set_at(&p->reader_err, PC_EIO, p->path, 0, NULL, "cannot open: %s", strerror(errno));
  } else {
    enum { CHUNK = 1 << 20 };
    unsigned char *chunk = pc_xmalloc(CHUNK);
    size_t got;
    while (rc == 0 && (got = fread(chunk, 1, CHUNK, f)) > 0) {
      pc_sha256_update(&p->file_hash, chunk, got);
      rc = pc_nc_reader_feed(reader, chunk, got, &p->reader_err);
      atomic_fetch_add(&p->bytes_read, got);
    }
    if (rc == 0 && ferror(f)) rc = pc_error_set_at(&p->reader_err, PC_EIO, p->path, 0, NULL, "read error");
    if (rc == 0) rc = pc_nc_reader_finish(reader, &p->reader_err);
    free(chunk);
    fclose(f);
  }
  pc_nc_reader_free(reader);
  if (rc == 0 && p->current) {
    push(p, p->full, &p->full_count, p->current);
    p->current = NULL;
  }
  p->reader_rc = rc;
  p->reader_cpu_ms = thread_cpu_ms();
  pthread_mutex_lock(&p->lock);
  p->reader_done = 1;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

static int query_int(pc_store_t *store, const char *sql, int64_t *out, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) *out = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

static int load_counties(pipeline_t *p, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(p->v->store, "SELECT id, name FROM counties", &stmt, err);
  if (rc != 0) return rc;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    char key[64];
    int64_t id = pc_stmt_column_int64(stmt, 0);
    upper_copy(key, sizeof key, pc_stmt_column_text(stmt, 1));
    if (p->v->county_scope == NULL || strcasecmp(pc_stmt_column_text(stmt, 1), p->v->county_scope) == 0)
      pc_strmap_put(&p->counties, key, id);
    if (id >= p->next_county_id) p->next_county_id = id + 1;
  }
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

static int load_district_sets(pipeline_t *p, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(p->v->store, "SELECT * FROM district_sets", &stmt, err);
  if (rc != 0) return rc;
  pc_voter_t *scratch = pc_xcalloc(1, sizeof *scratch);
  p->next_district_set_id = 1;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int64_t id = pc_stmt_column_int64(stmt, 0);
    for (int i = 0; i < PC_VOTER_DISTRICTS; i++) {
      const char *text = pc_stmt_column_text(stmt, i + 1);
      pc_strlcpy(scratch->district[i], text ? text : "", sizeof scratch->district[i]);
    }
    pc_voter_district_key(scratch, &p->district_key);
    pc_strmap_put(&p->district_sets, pc_buf_str(&p->district_key), id);
    if (id >= p->next_district_set_id) p->next_district_set_id = id + 1;
  }
  pc_stmt_finalize(stmt);
  free(scratch);
  return rc < 0 ? rc : 0;
}

static int create_county(pc_voters_t *v, const new_county_t *c, pc_error_t *err) {
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, "INSERT INTO counties (id, name, created_at) VALUES (?, ?, ?)", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, c->id);
  pc_stmt_bind_text(stmt, 2, c->name);
  pc_stmt_bind_text(stmt, 3, now);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  return pc_audit_record(v->store, &v->actor, "county.create", "counties", c->id, NULL, NULL, err);
}

static int ensure_precinct(pc_voters_t *v, pc_strmap_t *precincts, int64_t county_id, const char *code,
                           const char *name, pc_error_t *err) {
  char key[48];
  pc_snprintf(key, sizeof key, "%lld|%s", (long long)county_id, code);
  int64_t id;
  if (pc_strmap_get(precincts, key, &id)) return 0;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, "SELECT id FROM voter_precincts WHERE county_id = ? AND code = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  pc_stmt_bind_text(stmt, 2, code);
  rc = pc_stmt_step(stmt, err);
  id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  if (id == 0) {
    rc = pc_store_prepare(v->store, "INSERT INTO voter_precincts (county_id, code, name) VALUES (?, ?, ?) RETURNING id", &stmt, err);
    if (rc != 0) return rc;
    pc_stmt_bind_int64(stmt, 1, county_id);
    pc_stmt_bind_text(stmt, 2, code);
    pc_stmt_bind_text(stmt, 3, name);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) id = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
    if (rc == 0) rc = pc_audit_record(v->store, &v->actor, "precinct.create", "voter_precincts", id, NULL, NULL, err);
    if (rc != 0) return rc;
  }
  pc_strmap_put(precincts, key, id);
  return 0;
}

/* Line numbers by voter id, so a conflict found when rebuilding an index can
 * still name the line. */
typedef struct line_table {
  long *lines;
  size_t count, capacity;
} line_table_t;

static void remember_line(line_table_t *t, long line) {
  if (t->count == t->capacity) {
    t->capacity = t->capacity ? t->capacity * 2 : 65536;
    t->lines = pc_xreallocarray(t->lines, t->capacity, sizeof *t->lines);
  }
  t->lines[t->count++] = line;
}

static int create_district_set(pc_voters_t *v, int64_t id, const pc_voter_t *voter, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store, pc_voter_district_set_insert_sql(), &stmt, err);
  if (rc != 0) return rc;
  pc_voter_bind_district_set(stmt, id, voter);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc < 0 ? rc : 0;
}

static int insert_batch(pipeline_t *p, batch_t *b, pc_stmt_t *insert, pc_strmap_t *precincts, line_table_t *lines,
                        pc_error_t *err) {
  int rc = 0;
  for (int i = 0; rc == 0 && i < b->new_county_count; i++) rc = create_county(p->v, &b->new_counties[i], err);
  for (int i = 0; rc == 0 && i < b->new_set_count; i++) {
    int at = b->new_sets[i];
    rc = create_district_set(p->v, b->district_set_ids[at], &b->voters[at], err);
  }
  for (int i = 0; rc == 0 && i < b->count; i++) {
    const pc_voter_t *voter = &b->voters[i];
    if (voter->precinct_code[0] &&
        (voter->county_id != p->last_precinct_county || strcmp(voter->precinct_code, p->last_precinct_code) != 0)) {
      p->last_precinct_county = voter->county_id;
      pc_strlcpy(p->last_precinct_code, voter->precinct_code, sizeof p->last_precinct_code);
      rc = ensure_precinct(p->v, precincts, voter->county_id, voter->precinct_code, b->precinct_desc[i], err);
      if (rc != 0) break;
    }
    /* The reader hashed every third voter; the rest are hashed here (see
     * on_record). The digest is folded in id order either way. */
    if (!b->hashed[i]) pc_voter_hash(voter, b->row_hashes[i]);
    pc_sha256_update(&p->digest, b->row_hashes[i], PC_HASH_SIZE);
    pc_voter_bind(insert, voter, b->district_set_ids[i]);
    rc = pc_stmt_step(insert, err);
    pc_stmt_reset(insert);
    if (rc == PC_ECONFLICT)
      rc = pc_error_set_at(err, PC_EINVAL, p->path, b->lines[i], "ncid",
                           "NCID %s (or registration number %s in its county) is already on the roll", voter->ncid,
                           voter->voter_reg_num);
    else if (rc > 0) rc = 0;
    else if (rc < 0) err->line = b->lines[i];
    remember_line(lines, b->lines[i]);
  }
  return rc;
}

/* After a failed CREATE UNIQUE INDEX: find a duplicated key and its line. */
static int explain_duplicate(pipeline_t *p, const line_table_t *lines, pc_error_t *err) {
  static const char *const queries[] = {
      "SELECT MAX(id), ncid FROM voters GROUP BY ncid HAVING COUNT(*) > 1 LIMIT 1",
      "SELECT MAX(id), voter_reg_num FROM voters GROUP BY county_id, voter_reg_num HAVING COUNT(*) > 1 LIMIT 1"};
  static const char *const fields[] = {"ncid", "voter_reg_num"};
  for (int q = 0; q < 2; q++) {
    pc_stmt_t *stmt;
    pc_error_t ignored;
    if (pc_store_prepare(p->v->store, queries[q], &stmt, &ignored) != 0) continue;
    if (pc_stmt_step(stmt, &ignored) == PC_STORE_ROW) {
      int64_t id = pc_stmt_column_int64(stmt, 0);
      char key[32];
      pc_strlcpy(key, pc_stmt_column_text(stmt, 1), sizeof key);
      pc_stmt_finalize(stmt);
      long line = id >= p->first_id && (size_t)(id - p->first_id) < lines->count ? lines->lines[id - p->first_id] : 0;
      return pc_error_set_at(err, PC_EINVAL, p->path, line, fields[q], "%s %s appears twice (in this file or on the roll)",
                             fields[q], key);
    }
    pc_stmt_finalize(stmt);
  }
  return err->code ? err->code : PC_EDB;
}

static int consume(pipeline_t *p, int rebuild, pc_progress_t *progress, line_table_t *lines, pc_error_t *err) {
  pc_strmap_t precincts;
  pc_strmap_init(&precincts);
  pc_stmt_t *insert = NULL;
  int rc = pc_store_prepare(p->v->store, pc_voter_insert_sql(), &insert, err);
  batch_t *b;
  while ((b = pop(p, p->full, &p->full_count, 1)) != NULL) {
    if (rc == 0) rc = insert_batch(p, b, insert, &precincts, lines, err);
    if (rc != 0) atomic_store(&p->stop, 1);
    push(p, p->empty, &p->empty_count, b);
    pc_progress_update(progress, atomic_load(&p->bytes_read));
  }
  pc_stmt_finalize(insert);
  pc_strmap_free(&precincts);
  p->loaded_ms = pc_clock_monotonic_ms();
  p->writer_cpu_ms = thread_cpu_ms();
  if (rc == 0 && rebuild && p->reader_rc == 0) { /* no index work for a file that failed to parse */
    rc = pc_store_bulk_mode(p->v->store, PC_STORE_BULK_INDEX, err);
    for (int i = rebuild == 2 ? 0 : 2; rc == 0 && index_creates[i]; i++) {
      rc = pc_store_exec(p->v->store, index_creates[i], err);
      if (rc == PC_ECONFLICT) rc = explain_duplicate(p, lines, err);
    }
  }
  return rc;
}

static int start_batch_row(pipeline_t *p, const char *format, pc_error_t *err) {
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(p->v->store,
                            "INSERT INTO voter_import_batches (file_name, file_sha256, format, row_count, rows_digest,"
                            " imported_at) VALUES (?, '', ?, 0, '', ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  const char *base = strrchr(p->path, '/');
  pc_stmt_bind_text(stmt, 1, base ? base + 1 : p->path);
  pc_stmt_bind_text(stmt, 2, format);
  pc_stmt_bind_text(stmt, 3, now);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) p->batch_id = pc_stmt_column_int64(stmt, 0), rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_voters_finish_batch(pc_voters_t *v, int64_t batch_id, const char *file_sha256, int64_t rows, int64_t first_id,
                           const unsigned char digest[PC_HASH_SIZE], pc_error_t *err) {
  char digest_hex[PC_HASH_SIZE * 2 + 1] = "";
  if (digest) sodium_bin2hex(digest_hex, sizeof digest_hex, digest, PC_HASH_SIZE);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(v->store,
                            "UPDATE voter_import_batches SET file_sha256 = ?, row_count = ?, first_voter_id = ?,"
                            " last_voter_id = ?, rows_digest = ? WHERE id = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, file_sha256);
  pc_stmt_bind_int64(stmt, 2, rows);
  if (rows) pc_stmt_bind_int64(stmt, 3, first_id), pc_stmt_bind_int64(stmt, 4, first_id + rows - 1);
  else pc_stmt_bind_null(stmt, 3), pc_stmt_bind_null(stmt, 4);
  pc_stmt_bind_text(stmt, 5, digest_hex);
  pc_stmt_bind_int64(stmt, 6, batch_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc < 0) return rc;
  return pc_audit_record(v->store, &v->actor, "voters.import", "voter_import_batches", batch_id, NULL, NULL, err);
}

static int import_nc(pc_voters_t *v, const char *path, int quiet, pc_voters_import_result_t *result, pc_error_t *err) {
  struct stat st;
  if (stat(path, &st) != 0) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
  int64_t started = pc_clock_monotonic_ms(), writer_cpu_start = thread_cpu_ms();
  pipeline_t *p = pc_xcalloc(1, sizeof *p);
  p->v = v;
  p->path = path;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->changed, NULL);
  pc_strmap_init(&p->counties);
  pc_strmap_init(&p->district_sets);
  pc_buf_init(&p->district_key, 0);
  p->next_county_id = 1;
  pc_sha256_init(&p->digest);
  pc_sha256_init(&p->file_hash);
  pc_error_clear(&p->reader_err);
  for (int i = 0; i < QUEUE_DEPTH; i++) p->empty[p->empty_count++] = pc_xmalloc(sizeof(batch_t));
  line_table_t lines = {0};

  int64_t existing = 0;
  int rebuild = 0;
  /* Into an empty roll the new pages are written once, with the database
   * held alone for the import (pc_store_bulk_exclusive), when no other
   * connection has it open; otherwise through the WAL as usual. */
  int exclusive = 0;
  int rc = query_int(v->store, "SELECT COUNT(*) FROM (SELECT 1 FROM voters LIMIT 1) AS any_voter", &existing, err);
  if (rc == 0 && existing == 0) {
    exclusive = pc_store_bulk_exclusive(v->store, 1, err);
    if (exclusive < 0) rc = exclusive;
  }
  if (rc == 0) rc = pc_store_begin(v->store, err);
  int began = rc == 0;
  if (rc == 0) rc = pc_store_bulk_mode(v->store, PC_STORE_BULK_LOAD, err);
  if (rc == 0) rc = query_int(v->store, "SELECT COUNT(*) FROM voters", &existing, err);
  if (rc == 0) rc = query_int(v->store, "SELECT COALESCE(MAX(id), 0) + 1 FROM voters", &p->next_id, err);
  if (rc == 0) rc = load_counties(p, err);
  if (rc == 0) rc = load_district_sets(p, err);
  if (rc == 0) rc = start_batch_row(p, "nc", err);
  /* Rebuilding costs a sort of the whole table; inserting into live indexes
   * costs a random B-tree descent per row. Into an empty table all four are
   * rebuilt; into a table smaller than the file (at ~300 bytes a line) the
   * two plain ones are, and the unique ones stay live so that a clash with a
   * voter already on the roll fails at its line on every backend (after a
   * failed statement PostgreSQL cannot run the query that explains it). */
  if (rc == 0 && (existing == 0 || existing < (int64_t)st.st_size / 300)) {
    rebuild = existing == 0 ? 2 : 1;
    for (int i = rebuild == 2 ? 0 : 2; rc == 0 && index_drops[i]; i++) rc = pc_store_exec(v->store, index_drops[i], err);
  }
  p->first_id = p->next_id;
  if (rc == 0) {
    pc_progress_t *progress = pc_progress_start("import", (uint64_t)st.st_size, quiet);
    pthread_t reader;
    pthread_create(&reader, NULL, reader_main, p);
    rc = consume(p, rebuild, progress, &lines, err);
    pthread_join(reader, NULL);
    pc_progress_finish(progress);
    /* The first failure wins: a consumer error stops the reader (which then
     * reports PC_EINTERNAL), a reader error stops the consumer. */
    if (rc == 0 && p->reader_rc != 0 && p->reader_rc != PC_EINTERNAL) {
      if (err) *err = p->reader_err;
      rc = p->reader_rc;
    } else if (rc == 0 && p->reader_rc != 0) {
      rc = pc_error_set(err, PC_EINTERNAL, "reader stopped without a reason");
    }
  }
  unsigned char digest[PC_HASH_SIZE];
  pc_sha256_final(&p->digest, digest);
  char file_hex[PC_HASH_SIZE * 2 + 1];
  pc_sha256_final_hex(&p->file_hash, file_hex);
  /* Counties were created with the file's numbers as ids. */
  if (rc == 0 && p->new_county_total) rc = pc_store_sync_ids(v->store, "counties", err);
  if (rc == 0 && p->new_district_sets) rc = pc_store_sync_ids(v->store, "district_sets", err);
  if (rc == 0) rc = pc_voters_finish_batch(v, p->batch_id, file_hex, p->rows, p->first_id, digest, err);
  int64_t indexed_ms = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_store_commit(v->store, err);
  if (rc != 0 && began) pc_store_rollback(v->store);
  if (began) pc_store_bulk_mode(v->store, PC_STORE_BULK_OFF, NULL);
  if (exclusive == 1) {
    pc_error_t back;
    /* The import's own commit is durable either way; the next connection to
     * open the file switches it to WAL. */
    if (pc_store_bulk_exclusive(v->store, 0, &back) != 0)
      pc_log(PC_LOG_WARN, "after the import: could not switch back to WAL: %s", back.message);
  }
  if (rc == 0) {
    result->rows = p->rows;
    result->batch_id = p->batch_id;
    result->milliseconds = pc_clock_monotonic_ms() - started;
    pc_strlcpy(result->file_sha256, file_hex, sizeof result->file_sha256);
    result->rebuilt_indexes = rebuild;
    result->held_alone = exclusive == 1;
    pc_log(PC_LOG_INFO,
           "imported %lld voters from %s in %lld ms%s (load %lld, indexes %lld, commit %lld; CPU ms: reader %lld,"
           " writer %lld + %lld after the load)",
           (long long)p->rows, path, (long long)result->milliseconds, exclusive == 1 ? " holding the database alone" : "",
           (long long)(p->loaded_ms - started),
           (long long)(indexed_ms - p->loaded_ms), (long long)(pc_clock_monotonic_ms() - indexed_ms),
           (long long)p->reader_cpu_ms, (long long)(p->writer_cpu_ms - writer_cpu_start),
           (long long)(thread_cpu_ms() - p->writer_cpu_ms));
  }
  for (int i = 0; i < p->empty_count; i++) free(p->empty[i]);
  for (int i = 0; i < p->full_count; i++) free(p->full[i]);
  free(p->current);
  free(lines.lines);
  pc_strmap_free(&p->counties);
  pc_strmap_free(&p->district_sets);
  pc_buf_free(&p->district_key);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->changed);
  free(p);
  return rc;
}

static int detect_format(const char *path, char *format, size_t size, pc_error_t *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return pc_error_set_at(err, PC_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
  int c;
  while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF) {
  }
  fclose(f);
  return pc_strlcpy(format, c == '{' ? "vri" : "nc", size);
}

int pc_voters_import(pc_voters_t *v, const char *path, const char *format, int quiet,
                     pc_voters_import_result_t *result, pc_error_t *err) {
  char detected[8];
  if (format == NULL) {
    int rc = detect_format(path, detected, sizeof detected, err);
    if (rc != 0) return rc;
    format = detected;
  }
  pc_voters_import_result_t r;
  memset(&r, 0, sizeof r);
  int rc;
  if (strcmp(format, "nc") == 0) rc = import_nc(v, path, quiet, &r, err);
  else if (strcmp(format, "vri") == 0) rc = pc_vri_import(v, path, &r, err);
  else return pc_error_set_at(err, PC_EINVAL, NULL, 0, "format", "expected nc or vri");
  if (rc == 0 && result) *result = r;
  return rc;
}
