/* The ballot builder: reads every CVR source of a contest (a thread per
 * source, up to the number of cores) through pc_cvr_read and turns each
 * ballot's candidate strings into candidate indexes in one compact arena,
 * applying the source's labels (overvote, skipped rank, undeclared write-in,
 * blanks) and the config's aliases. Sources are merged in config order so
 * the result does not depend on thread timing. It does not count. */
#include "tabulate/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"

#define MARK_SKIP (-3)

typedef struct name_table {
  char **keys;
  int32_t *values;
  size_t capacity; /* power of two */
} name_table_t;

static uint64_t hash_string(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void table_put(name_table_t *t, const char *key, int32_t value) {
  size_t i = hash_string(key) & (t->capacity - 1);
  while (t->keys[i]) {
    if (strcmp(t->keys[i], key) == 0) return; /* first definition wins */
    i = (i + 1) & (t->capacity - 1);
  }
  t->keys[i] = pc_xstrdup(key);
  t->values[i] = value;
}

static int table_get(const name_table_t *t, const char *key, int32_t *value) {
  size_t i = hash_string(key) & (t->capacity - 1);
  while (t->keys[i]) {
    if (strcmp(t->keys[i], key) == 0) {
      *value = t->values[i];
      return 1;
    }
    i = (i + 1) & (t->capacity - 1);
  }
  return 0;
}

static void table_init(name_table_t *t, size_t entries) {
  t->capacity = 16;
  while (t->capacity < entries * 2 + 2) t->capacity *= 2;
  t->keys = pc_xcalloc(t->capacity, sizeof(char *));
  t->values = pc_xcalloc(t->capacity, sizeof(int32_t));
}

static void table_free(name_table_t *t) {
  if (!t->keys) return;
  for (size_t i = 0; i < t->capacity; i++) free(t->keys[i]);
  free(t->keys);
  free(t->values);
  memset(t, 0, sizeof *t);
}

/* A recent answer of resolve(): a reader hands the same interned string
 * (an ES&S shared string) for most marks, so its pointer finds the answer;
 * the text is compared too, as a pointer may be reused for other text. */
#define RESOLVE_SLOTS 256
#define RESOLVE_TEXT 48
typedef struct {
  const char *text;
  int32_t value;
  char copy[RESOLVE_TEXT];
} resolved_t;

typedef struct source_job {
  const pc_tab_config_t *config;
  const name_table_t *names;
  size_t source_index;
  pc_tab_ballots_t ballots;   /* this source's ballots; precinct/batch indexes local */
  name_table_t precincts, batches;
  char **precinct_names; size_t precinct_count;
  char **batch_names; size_t batch_count;
  pc_tab_mark_t *scratch;
  resolved_t *resolved; /* RESOLVE_SLOTS recent answers of resolve() */
  bool keep_ids;
  int rc;
  pc_error_t err;
} source_job_t;

static int32_t intern(name_table_t *table, char ***names, size_t *count, const char *name) {
  int32_t index;
  if (!name || !*name) return -1;
  if (!table->keys) table_init(table, 1024);
  if (table_get(table, name, &index)) return index;
  if (*count * 2 + 2 >= table->capacity) {
    name_table_t bigger;
    table_init(&bigger, table->capacity);
    for (size_t i = 0; i < *count; i++) table_put(&bigger, (*names)[i], (int32_t)i);
    table_free(table);
    *table = bigger;
  }
  *names = pc_xreallocarray(*names, *count + 1, sizeof(char *));
  (*names)[*count] = pc_xstrdup(name);
  table_put(table, name, (int32_t)*count);
  return (int32_t)(*count)++;
}

static int resolve(const source_job_t *job, const pc_cvr_source_t *source, const char *text, int32_t *out) {
  const pc_tab_config_t *config = job->config;
  int32_t uwi = (int32_t)config->candidate_count;
  if (!text || !*text) {
    *out = source->treat_blank_as_undeclared_write_in ? uwi : MARK_SKIP;
    return 0;
  }
  if (source->overvote_label && strcmp(text, source->overvote_label) == 0) {
    *out = PC_TAB_OVERVOTE;
    return 0;
  }
  if (source->undervote_label && strcmp(text, source->undervote_label) == 0) {
    *out = MARK_SKIP;
    return 0;
  }
  if (source->undeclared_write_in_label && strcmp(text, source->undeclared_write_in_label) == 0) {
    *out = uwi;
    return 0;
  }
  if (strcmp(text, PC_TAB_UWI_NAME) == 0 && source->provider == PC_CVR_CDF) {
    *out = uwi;
    return 0;
  }
  return table_get(job->names, text, out) ? 0 : PC_ENOTFOUND;
}

/* resolve() through the job's cache of recent answers. */
static int resolve_cached(source_job_t *job, const pc_cvr_source_t *source, const char *text, int32_t *out) {
  if (!text) return resolve(job, source, text, out);
  resolved_t *slot = &job->resolved[((uintptr_t)text >> 3) % RESOLVE_SLOTS];
  if (slot->text == text && strcmp(slot->copy, text) == 0) {
    *out = slot->value;
    return 0;
  }
  int rc = resolve(job, source, text, out);
  size_t len = strlen(text);
  if (rc == 0 && len < RESOLVE_TEXT) {
    slot->text = text;
    slot->value = *out;
    memcpy(slot->copy, text, len + 1);
  }
  return rc;
}

/* Stable insertion sort by rank: marks are few and usually arrive in rank order. */
static void sort_marks(pc_tab_mark_t *marks, size_t count) {
  for (size_t i = 1; i < count; i++) {
    pc_tab_mark_t m = marks[i];
    size_t j = i;
    for (; j > 0 && marks[j - 1].rank > m.rank; j--) marks[j] = marks[j - 1];
    marks[j] = m;
  }
}

static int on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  source_job_t *job = context;
  const pc_tab_config_t *config = job->config;
  const pc_cvr_source_t *source = &config->sources[job->source_index];
  pc_tab_ballots_t *b = &job->ballots;
  if (ballot->mark_count > PC_CVR_MAX_MARKS_PER_BALLOT)
    return pc_error_set_at(err, PC_ELIMIT, ballot->file, ballot->line, NULL, "ballot has %zu marks; at most %d allowed",
                           ballot->mark_count, PC_CVR_MAX_MARKS_PER_BALLOT);
  size_t kept = 0;
  for (size_t i = 0; i < ballot->mark_count; i++) {
    const pc_cvr_mark_t *mark = &ballot->marks[i];
    int32_t candidate, spelling = 0;
    /* RCTab's ES&S reader only reads maxRankingsAllowed columns; other
       readers refuse a ballot with more rankings than allowed (below) */
    if (mark->rank > config->max_rankings && source->provider == PC_CVR_ESS) continue;
    if (resolve_cached(job, source, mark->candidate, &candidate) != 0)
      return pc_error_set_at(err, PC_EINVAL, ballot->file, ballot->line, NULL,
                             "unrecognized candidate \"%s\" at rank %d: expected a candidate name or alias from the "
                             "config, or one of the source's labels", mark->candidate, mark->rank);
    if (candidate == MARK_SKIP) continue;
    if (candidate >= 65536) {
      spelling = candidate & ~0xFFFF;
      candidate &= 0xFFFF;
    }
    if (mark->rank < 1)
      return pc_error_set_at(err, PC_EINVAL, ballot->file, ballot->line, NULL, "rank %d is not a positive integer",
                             mark->rank);
    if (mark->rank > PC_TAB_MAX_RANK)
      return pc_error_set_at(err, PC_ELIMIT, ballot->file, ballot->line, NULL, "rank %d is above %d", mark->rank,
                             PC_TAB_MAX_RANK);
    if (mark->rank > config->max_rankings)
      return pc_error_set_at(err, PC_EINVAL, ballot->file, ballot->line, NULL,
                             "candidate \"%s\" is ranked %d, but maxRankingsAllowed is %d", mark->candidate, mark->rank,
                             config->max_rankings);
    /* the same candidate twice at one rank is one mark */
    int duplicate = 0;
    for (size_t k = 0; k < kept; k++)
      if (job->scratch[k].rank == mark->rank && job->scratch[k].candidate == candidate) duplicate = 1;
    if (duplicate) continue;
    if (candidate == (int32_t)config->candidate_count) b->has_uwi = true;
    job->scratch[kept].rank = (uint16_t)mark->rank;
    job->scratch[kept].spelling = (uint16_t)(spelling >> 16);
    job->scratch[kept].candidate = candidate;
    kept++;
  }
  sort_marks(job->scratch, kept);
  if (b->count == b->capacity) {
    b->capacity = b->capacity ? b->capacity * 2 : 1024;
    b->ballots = pc_xreallocarray(b->ballots, b->capacity, sizeof *b->ballots);
  }
  if (b->mark_count + kept > b->mark_capacity) {
    while (b->mark_count + kept > b->mark_capacity) b->mark_capacity = b->mark_capacity ? b->mark_capacity * 2 : 4096;
    b->marks = pc_xreallocarray(b->marks, b->mark_capacity, sizeof *b->marks);
  }
  if (b->mark_count + kept > UINT32_MAX)
    return pc_error_set_at(err, PC_ELIMIT, ballot->file, ballot->line, NULL, "too many marks in one contest");
  pc_tab_ballot_t *out = &b->ballots[b->count++];
  out->mark_offset = (uint32_t)b->mark_count;
  out->mark_count = (uint16_t)kept;
  out->source = (uint16_t)job->source_index;
  /* a row whose precinct/batch cell is empty still gets a report, under
     the names RCTab's ES&S and CSV readers give it */
  const char *precinct = ballot->precinct, *batch = ballot->batch;
  if ((!precinct || !*precinct) && source->precinct_column_index) {
    if (source->provider == PC_CVR_ESS) precinct = "missing_precinct_id";
    else if (source->provider == PC_CVR_GENERIC_CSV) precinct = "no precinct id";
  }
  if ((!batch || !*batch) && source->batch_column_index && source->provider == PC_CVR_GENERIC_CSV) batch = "no batch id";
  out->precinct = intern(&job->precincts, &job->precinct_names, &job->precinct_count, precinct);
  out->batch = intern(&job->batches, &job->batch_names, &job->batch_count, batch);
  if (kept > 0) memcpy(b->marks + b->mark_count, job->scratch, kept * sizeof *job->scratch);
  b->mark_count += kept;
  if (job->keep_ids) {
    /* RCTab's CVR id for Dominion: TabulatorId-BatchId-RecordId; the other
       formats' ids are derived from the source and position when written */
    b->ballot_ids = pc_xreallocarray(b->ballot_ids, b->capacity, sizeof *b->ballot_ids);
    char *id = NULL;
    if (source->provider == PC_CVR_DOMINION && ballot->tabulator_id && ballot->batch && ballot->ballot_id) {
      pc_buf_t text;
      pc_buf_init(&text, 0);
      pc_buf_appendf(&text, "%s-%s-%s", ballot->tabulator_id, ballot->batch, ballot->ballot_id);
      id = pc_buf_detach(&text, NULL);
    }
    b->ballot_ids[b->count - 1] = id;
  }
  return 0;
}

static void *run_job(void *arg) {
  source_job_t *job = arg;
  uint64_t read = 0;
  pc_error_clear(&job->err);
  job->scratch = pc_xmalloc(PC_CVR_MAX_MARKS_PER_BALLOT * sizeof *job->scratch);
  job->resolved = pc_xcalloc(RESOLVE_SLOTS, sizeof *job->resolved);
  job->rc = pc_cvr_read(&job->config->sources[job->source_index], on_ballot, job, &read, &job->err);
  free(job->scratch);
  job->scratch = NULL;
  free(job->resolved);
  job->resolved = NULL;
  return NULL;
}

typedef struct pool {
  source_job_t *jobs;
  size_t count;
  size_t next;
  pthread_mutex_t lock;
  size_t *order; /* job indexes, largest file first */
  off_t *sizes;  /* for the sort */
  void (*side_job)(void *);
  void *side_arg;
} pool_t;

/* Largest sources first, so the last job to finish is a small one and both
 * cores stay busy; results are merged in source order whatever the order. */
static const off_t *sort_sizes;
static int larger_first(const void *a, const void *b) {
  off_t x = sort_sizes[*(const size_t *)a], y = sort_sizes[*(const size_t *)b];
  if (x != y) return x > y ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void order_jobs(pool_t *pool, const pc_tab_config_t *config) {
  pool->order = pc_xcalloc(pool->count ? pool->count : 1, sizeof *pool->order);
  pool->sizes = pc_xcalloc(pool->count ? pool->count : 1, sizeof *pool->sizes);
  for (size_t i = 0; i < pool->count; i++) {
    struct stat st;
    pool->order[i] = i;
    pool->sizes[i] = stat(config->sources[i].path, &st) == 0 ? st.st_size : 0;
  }
  static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER; /* qsort has no context */
  pthread_mutex_lock(&sort_lock);
  sort_sizes = pool->sizes;
  qsort(pool->order, pool->count, sizeof *pool->order, larger_first);
  pthread_mutex_unlock(&sort_lock);
}

static void *worker(void *arg) {
  pool_t *pool = arg;
  for (;;) {
    pthread_mutex_lock(&pool->lock);
    size_t index = pool->next++;
    void (*side_job)(void *) = index >= pool->count ? pool->side_job : NULL;
    if (side_job) pool->side_job = NULL;
    pthread_mutex_unlock(&pool->lock);
    if (side_job) side_job(pool->side_arg);
    if (index >= pool->count) return NULL;
    run_job(&pool->jobs[pool->order[index]]);
  }
}

static void free_job(source_job_t *job) {
  pc_tab_ballots_free(&job->ballots);
  table_free(&job->precincts);
  table_free(&job->batches);
  for (size_t i = 0; i < job->precinct_count; i++) free(job->precinct_names[i]);
  for (size_t i = 0; i < job->batch_count; i++) free(job->batch_names[i]);
  free(job->precinct_names);
  free(job->batch_names);
}

int pc_tab_ballots_read(const pc_tab_config_t *config, int threads, bool keep_ids, void (*side_job)(void *),
                        void *side_arg, pc_tab_ballots_t *out, pc_error_t *err) {
  name_table_t names;
  size_t entries = config->candidate_count;
  for (size_t i = 0; i < config->candidate_count; i++) entries += config->candidates[i].alias_count;
  table_init(&names, entries);
  /* value = candidate index + 65536 * spelling (0 the name, k the k-th alias) */
  for (size_t i = 0; i < config->candidate_count; i++) table_put(&names, config->candidates[i].name, (int32_t)i);
  for (size_t i = 0; i < config->candidate_count; i++)
    for (size_t a = 0; a < config->candidates[i].alias_count && a < 32767; a++)
      table_put(&names, config->candidates[i].aliases[a], (int32_t)(i + 65536 * (a + 1)));

  pool_t pool = {pc_xcalloc(config->source_count, sizeof(source_job_t)), config->source_count, 0,
                 PTHREAD_MUTEX_INITIALIZER, NULL, NULL, side_job, side_arg};
  for (size_t i = 0; i < config->source_count; i++) {
    pool.jobs[i].config = config;
    pool.jobs[i].names = &names;
    pool.jobs[i].source_index = i;
    pool.jobs[i].keep_ids = keep_ids;
  }
  order_jobs(&pool, config);
  if (threads <= 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cores > 0 ? (int)cores : 1;
  }
  if ((size_t)threads > config->source_count) threads = (int)config->source_count;
  if (threads <= 1) {
    worker(&pool);
  } else {
    pthread_t *ids = pc_xcalloc((size_t)threads, sizeof *ids);
    int started = 0;
    for (int t = 0; t < threads; t++)
      if (pthread_create(&ids[t], NULL, worker, &pool) == 0) started++;
      else break;
    if (started == 0) worker(&pool);
    for (int t = 0; t < started; t++) pthread_join(ids[t], NULL);
    free(ids);
  }
  int rc = 0;
  for (size_t i = 0; i < config->source_count && rc == 0; i++)
    if (pool.jobs[i].rc != 0) {
      rc = pool.jobs[i].rc;
      if (err) *err = pool.jobs[i].err;
      if (err && !err->file[0]) pc_strlcpy(err->file, config->sources[i].path, sizeof err->file);
    }
  pc_tab_ballots_t merged;
  memset(&merged, 0, sizeof merged);
  if (rc == 0) {
    name_table_t precincts = {0}, batches = {0};
    size_t total = 0, total_marks = 0;
    for (size_t i = 0; i < pool.count; i++) {
      total += pool.jobs[i].ballots.count;
      total_marks += pool.jobs[i].ballots.mark_count;
    }
    if (total_marks > UINT32_MAX) {
      rc = pc_error_set(err, PC_ELIMIT, "the contest has more than %u marks", UINT32_MAX);
    } else {
      merged.ballots = pc_xcalloc(total ? total : 1, sizeof *merged.ballots);
      merged.marks = pc_xcalloc(total_marks ? total_marks : 1, sizeof *merged.marks);
      merged.capacity = total ? total : 1;
      merged.mark_capacity = total_marks ? total_marks : 1;
      merged.per_source = pc_xcalloc(pool.count, sizeof *merged.per_source);
      if (keep_ids) merged.ballot_ids = pc_xcalloc(total ? total : 1, sizeof *merged.ballot_ids);
      for (size_t i = 0; i < pool.count; i++) {
        source_job_t *job = &pool.jobs[i];
        int32_t *precinct_map = pc_xcalloc(job->precinct_count + 1, sizeof(int32_t));
        int32_t *batch_map = pc_xcalloc(job->batch_count + 1, sizeof(int32_t));
        for (size_t p = 0; p < job->precinct_count; p++)
          precinct_map[p] = intern(&precincts, &merged.precincts, &merged.precinct_count, job->precinct_names[p]);
        for (size_t p = 0; p < job->batch_count; p++)
          batch_map[p] = intern(&batches, &merged.batches, &merged.batch_count, job->batch_names[p]);
        for (size_t k = 0; k < job->ballots.count; k++) {
          pc_tab_ballot_t ballot = job->ballots.ballots[k];
          ballot.mark_offset += (uint32_t)merged.mark_count;
          if (ballot.precinct >= 0) ballot.precinct = precinct_map[ballot.precinct];
          if (ballot.batch >= 0) ballot.batch = batch_map[ballot.batch];
          if (keep_ids) {
            merged.ballot_ids[merged.count] = job->ballots.ballot_ids[k];
            job->ballots.ballot_ids[k] = NULL;
          }
          merged.ballots[merged.count++] = ballot;
        }
        if (job->ballots.mark_count)
          memcpy(merged.marks + merged.mark_count, job->ballots.marks, job->ballots.mark_count * sizeof *merged.marks);
        merged.mark_count += job->ballots.mark_count;
        merged.per_source[i] = job->ballots.count;
        merged.has_uwi |= job->ballots.has_uwi;
        free(precinct_map);
        free(batch_map);
      }
    }
    table_free(&precincts);
    table_free(&batches);
  }
  for (size_t i = 0; i < pool.count; i++) free_job(&pool.jobs[i]);
  free(pool.jobs);
  free(pool.order);
  free(pool.sizes);
  table_free(&names);
  if (rc != 0) {
    pc_tab_ballots_free(&merged);
    return rc;
  }
  *out = merged;
  return 0;
}

void pc_tab_ballots_free(pc_tab_ballots_t *ballots) {
  for (size_t i = 0; ballots->ballot_ids && i < ballots->count; i++) free(ballots->ballot_ids[i]);
  free(ballots->ballot_ids);
  free(ballots->ballots);
  free(ballots->marks);
  for (size_t i = 0; i < ballots->precinct_count; i++) free(ballots->precincts[i]);
  for (size_t i = 0; i < ballots->batch_count; i++) free(ballots->batches[i]);
  free(ballots->precincts);
  free(ballots->batches);
  free(ballots->per_source);
  memset(ballots, 0, sizeof *ballots);
}
