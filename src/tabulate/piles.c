/* Moving ballots between candidates' piles (see engine.h for the record
 * layout): RCTab's computeTalliesForRound for the ballots that need a new
 * recipient. A moved ballot is examined from the rank it counted at, not
 * from rank 1: every rank before it gave "no continuing candidate" and
 * still does, because candidates never become continuing again. */
#include <pthread.h>
#include <stdlib.h>

#include "precinct/alloc.h"
#include "tabulate/engine.h"

void pc_tab_engine_recycle(engine_t *e, pile_t *pile) {
  pthread_mutex_lock(&e->spare_lock);
  for (pile_block_t *block = pile->first, *next; block; block = next) {
    next = block->next;
    if (block->size_class < 0) {
      free(block);
      continue;
    }
    block->next = e->spare[block->size_class];
    e->spare[block->size_class] = block;
  }
  pthread_mutex_unlock(&e->spare_lock);
  memset(pile, 0, sizeof *pile);
}

void pc_tab_engine_free_spare(engine_t *e) {
  for (int c = 0; c < PILE_CLASSES; c++)
    for (pile_block_t *block = e->spare[c], *next; block; block = next) {
      next = block->next;
      free(block);
    }
  memset(e->spare, 0, sizeof e->spare);
}

/* A new block at the end of PILE with room for WORDS: the next size class
 * (twice the last block), recycled if one is spare. */
static void pile_grow(engine_t *e, pile_t *pile, size_t words) {
  int size_class = pile->last ? pile->last->size_class + 1 : 0;
  if (size_class < 0 || size_class >= PILE_CLASSES) size_class = PILE_CLASSES - 1;
  size_t capacity = (size_t)1024 << size_class;
  pile_block_t *block = NULL;
  if (words > capacity) {
    capacity = words;
    size_class = -1;
  } else {
    pthread_mutex_lock(&e->spare_lock);
    block = e->spare[size_class];
    if (block) e->spare[size_class] = block->next;
    pthread_mutex_unlock(&e->spare_lock);
  }
  if (!block) {
    block = pc_xmalloc(sizeof *block + capacity * sizeof(uint32_t));
    block->capacity = capacity;
    block->size_class = size_class;
  }
  block->next = NULL;
  block->used = 0;
  if (pile->last) pile->last->next = block;
  else pile->first = block;
  pile->last = block;
}

static inline void pile_reserve(engine_t *e, pile_t *pile, size_t words) {
  if (!pile->last || pile->last->used + words > pile->last->capacity) pile_grow(e, pile, words);
}

/* Appends FROM's blocks to PILE (FROM is left empty). */
static void pile_concat(pile_t *pile, pile_t *from) {
  if (!from->first) return;
  if (pile->last) pile->last->next = from->first;
  else pile->first = from->first;
  pile->last = from->last;
  pile->records += from->records;
  memset(from, 0, sizeof *from);
}

void pc_tab_engine_units(const engine_t *e, uint32_t b, int32_t units[2]) {
  const pc_tab_ballot_t *ballot = &e->ballots->ballots[b];
  units[0] = units[1] = -1;
  if (e->unit_count == 0) return;
  if (e->config->tabulate_by_precinct && ballot->precinct >= 0) units[0] = ballot->precinct;
  if (e->config->tabulate_by_batch && ballot->batch >= 0)
    units[1] = (int32_t)(e->config->tabulate_by_precinct ? e->ballots->precinct_count : 0) + ballot->batch;
}

/* Where a ballot's move is accounted: the round itself, or a worker's
 * private totals merged after the workers finish (sums are exact integers,
 * so the order of moves never changes a result). */
typedef struct sink {
  pc_dec_t *transfers;   /* (slots + 1) x (slots + 2) */
  pc_dec_t *inactive;    /* PC_ST_COUNT */
  pc_dec_t *running;     /* slots */
  pile_t *piles;         /* slots */
} sink_t;

/* A ballot being moved: its marks are a pile record's or, in round 1, the
 * arena's; either way read as words rank << 16 | (candidate + 2). */
typedef struct moving_ballot {
  uint32_t ballot;
  uint32_t prev_rank;  /* rank before the first mark (0 at rank 1) */
  uint32_t value_words[2];
  size_t count, resume;
  const void *marks;   /* see mark_format_t */
} moving_ballot_t;

typedef enum { FROM_ARENA, WIDE, NARROW } mark_format_t;

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE uint32_t mark_word(const void *marks, size_t k, mark_format_t format) {
  if (format == WIDE) return ((const uint32_t *)marks)[k];
  if (format == NARROW) {
    uint32_t m = ((const uint16_t *)marks)[k];
    return (m >> 8) << 16 | (m & 0xffu);
  }
  const pc_tab_mark_t *mark = (const pc_tab_mark_t *)marks + k;
  return (uint32_t)mark->rank << 16 | (uint32_t)(mark->candidate + 2);
}

static void seen_add(uint64_t seen_small[4], int32_t **seen_big, size_t *seen_count, uint32_t key, bool *known) {
  if (key < 256) {
    *known = (seen_small[key >> 6] >> (key & 63)) & 1;
    seen_small[key >> 6] |= 1ULL << (key & 63);
    return;
  }
  *known = false;
  for (size_t q = 0; q < *seen_count; q++) *known |= (*seen_big)[q] == (int32_t)key;
  if (!*known) {
    *seen_big = pc_xreallocarray(*seen_big, *seen_count + 1, sizeof **seen_big);
    (*seen_big)[(*seen_count)++] = (int32_t)key;
  }
}

/* Tabulator.computeTalliesForRound for one ballot that needs a recipient:
 * SELECTED (from its mark AT), or -1 and the inactive STATUS. */
static ALWAYS_INLINE int decide(const engine_t *e, const moving_ballot_t *m, mark_format_t arena, size_t *at,
                                int32_t *selected, int *status, pc_error_t *err) {
  const pc_tab_config_t *config = e->config;
  const int32_t max_skipped = config->max_skipped_ranks;
  const bool exhaust_on_duplicate = config->exhaust_on_duplicate;
  const int overvote_rule = (int)config->overvote_rule;
  const uint8_t *cont = e->cont;
  const void *marks = m->marks;
  size_t count = m->count;
  *at = 0;
  *selected = -1;
  *status = PC_ST_UNDERVOTE;
  if (count == 0) return 0;
  uint64_t seen_small[4] = {0, 0, 0, 0}; /* candidates seen (key = candidate + 2), first 256 keys */
  int32_t *seen_big = NULL;
  size_t seen_count = 0;
  size_t i = m->resume;
  int last_rank = i > 0 ? (int)(mark_word(marks, i - 1, arena) >> 16) : (int)m->prev_rank;
  bool known;
  if (exhaust_on_duplicate)
    for (size_t k = 0; k < i; k++)
      seen_add(seen_small, &seen_big, &seen_count, mark_word(marks, k, arena) & 0xffffu, &known);
  int rc = 0;
  *status = PC_ST_EXHAUSTED;
  while (i < count) {
    int rank = (int)(mark_word(marks, i, arena) >> 16);
    /* one pass over the rank's marks: its end, an explicit overvote (key 0),
       and its continuing candidates (statuses do not change during the moves) */
    size_t end = i;
    bool explicit_overvote = false;
    int continuing_count = 0;
    int32_t first_continuing = -1;
    do {
      uint32_t key = mark_word(marks, end, arena) & 0xffffu;
      explicit_overvote |= key == 0;
      if (cont[key] && continuing_count++ == 0) first_continuing = (int32_t)key - 2;
      end++;
    } while (end < count && (int)(mark_word(marks, end, arena) >> 16) == rank);
    *at = i;
    if (max_skipped != INT32_MAX && rank - last_rank > max_skipped + 1) {
      *status = PC_ST_SKIPPED;
      break;
    }
    last_rank = rank;
    if (exhaust_on_duplicate) {
      bool duplicate = false;
      for (size_t k = i; k < end && !duplicate; k++) {
        seen_add(seen_small, &seen_big, &seen_count, mark_word(marks, k, arena) & 0xffffu, &known);
        duplicate = known;
      }
      if (duplicate) {
        *status = PC_ST_REPEATED;
        break;
      }
    }
    size_t at_rank = end - i;
    int decision = 0; /* 0 none, 1 exhaust, 2 skip */
    if (explicit_overvote) {
      if (at_rank != 1) {
        rc = pc_error_set(err, PC_EINVAL, "a ballot has the overvote label and other candidates at rank %d", rank);
        break;
      }
      decision = overvote_rule == PC_OV_EXHAUST_IMMEDIATELY ? 1 : 2;
    } else if (at_rank > 1) {
      if (overvote_rule == PC_OV_EXHAUST_IMMEDIATELY) decision = 1;
      else if (overvote_rule == PC_OV_ALWAYS_SKIP) decision = 2;
      else if (continuing_count > 1) decision = 1;
    }
    if (decision == 1) {
      *status = PC_ST_OVERVOTE;
      break;
    }
    if (decision != 2 && first_continuing >= 0) {
      *selected = first_continuing;
      *status = PC_ST_ACTIVE;
      break;
    }
    /* no continuing candidate at this rank: on to the next; a ballot that
       runs out of rankings is "exhausted choices" (RCTab 2), however many
       ranks it left unused (the status set before the loop) */
    i = end;
  }
  if (seen_big) free(seen_big);
  return rc;
}

/* The ballot M (counting for FROM, -1 in round 1, its marks in FORMAT) now
 * counts for SELECTED from its mark AT, or is inactive with STATUS
 * (SELECTED < 0). Records are written with HEAD header words and NARROW
 * marks or not (the engine's pile format). */
static ALWAYS_INLINE void apply(engine_t *e, sink_t *sink, int32_t from, const moving_ballot_t *m,
                                mark_format_t format, unsigned head, bool narrow, size_t at, int32_t selected,
                                int status) {
  int64_t value64;
  memcpy(&value64, m->value_words, sizeof value64);
  pc_dec_t value = (pc_dec_t)value64;
  int32_t to = selected >= 0 ? selected : (int32_t)e->slots;
  if (value > 0 && from >= 0) sink->transfers[engine_transfer_index(e, from, to)] += value;
  if (e->unit_count > 0) {
    int32_t units[2];
    pc_tab_engine_units(e, m->ballot, units);
    for (int k = 0; k < 2; k++) {
      int32_t u = units[k];
      if (u < 0) continue;
      if (value > 0 && from >= 0) e->unit_round[u]->transfers[engine_transfer_index(e, from, to)] += value;
      if (from >= 0) e->unit_running[(size_t)u * e->slots + (size_t)from] -= value;
      if (selected >= 0) e->unit_running[(size_t)u * e->slots + (size_t)selected] += value;
      else e->unit_inactive[(size_t)u * PC_ST_COUNT + (size_t)status] += value;
    }
  }
  if (selected < 0) {
    sink->inactive[status] += value;
    return;
  }
  size_t count = m->count;
  size_t start = e->config->exhaust_on_duplicate ? 0 : at;
  size_t kept = count - start;
  size_t words = head + (narrow ? (kept + 1) / 2 : kept);
  pile_t *pile = &sink->piles[selected];
  pile_reserve(e, pile, words);
  uint32_t *out = pile->last->words + pile->last->used;
  out[0] = m->ballot;
  out[1] = (uint32_t)kept | (uint32_t)(at - start) << 16;
  out[2] = at > 0 ? mark_word(m->marks, at - 1, format) >> 16 : m->prev_rank;
  if (head == 5) {
    out[3] = m->value_words[0];
    out[4] = m->value_words[1];
  }
  if (narrow && format == NARROW) {
    uint16_t *marks = (uint16_t *)(out + head);
    const uint16_t *from_marks = (const uint16_t *)m->marks + start;
    for (size_t k = 0; k < kept; k++) marks[k] = from_marks[k];
    if (kept & 1) marks[kept] = 0; /* the record's last half word */
  } else if (narrow) {
    uint16_t *marks = (uint16_t *)(out + head);
    const pc_tab_mark_t *from_marks = (const pc_tab_mark_t *)m->marks + start; /* round 1: the arena */
    for (size_t k = 0; k < kept; k++) marks[k] = (uint16_t)(from_marks[k].rank << 8 | (from_marks[k].candidate + 2));
    if (kept & 1) marks[kept] = 0;
  } else {
    for (size_t k = start; k < count; k++) out[head + k - start] = mark_word(m->marks, k, format);
  }
  pile->last->used += words;
  pile->records++;
  sink->running[selected] += value;
}

static ALWAYS_INLINE int assign(engine_t *e, sink_t *sink, int32_t from, const moving_ballot_t *m,
                                mark_format_t format, unsigned head, bool narrow, pc_error_t *err) {
  size_t at;
  int32_t selected;
  int status;
  int rc = decide(e, m, format, &at, &selected, &status, err);
  if (rc == 0) apply(e, sink, from, m, format, head, narrow, at, selected, status);
  return rc;
}

/* A worker's share: ballots [first, last) of the arena in round 1, or the
 * records of SEGMENTS. */
typedef struct segment { const uint32_t *begin, *end; int32_t from; } segment_t;
typedef struct move_job {
  engine_t *e;
  size_t first, last;
  const segment_t *segments;
  size_t segment_count;
  sink_t sink;
  int rc;
  pc_error_t err;
} move_job_t;

/* Round 1: straight from the arena; the record is written where the ballot lands. */
static ALWAYS_INLINE void move_arena(move_job_t *job, unsigned head, bool narrow) {
  engine_t *e = job->e;
  const pc_tab_ballots_t *ballots = e->ballots;
  moving_ballot_t m;
  int64_t one = (int64_t)e->one;
  memcpy(m.value_words, &one, sizeof one);
  m.prev_rank = 0;
  m.resume = 0;
  for (size_t b = job->first; b < job->last && job->rc == 0; b++) {
    const pc_tab_ballot_t *ballot = &ballots->ballots[b];
    m.ballot = (uint32_t)b;
    m.count = ballot->mark_count;
    m.marks = ballots->marks + ballot->mark_offset;
    if (narrow && m.count > 0 && ballots->marks[ballot->mark_offset + m.count - 1].rank > 255) {
      job->rc = pc_error_set(&job->err, PC_EINTERNAL, "a rank above maxRankingsAllowed reached the count");
      break;
    }
    job->rc = assign(e, &job->sink, -1, &m, FROM_ARENA, head, narrow, &job->err);
  }
}

/* Later rounds: the records of the job's segments, in the engine's format. */
static ALWAYS_INLINE void move_records(move_job_t *job, unsigned head, bool narrow) {
  engine_t *e = job->e;
  moving_ballot_t m;
  int64_t one = (int64_t)e->one;
  memcpy(m.value_words, &one, sizeof one);
  for (size_t s = 0; s < job->segment_count && job->rc == 0; s++) {
    const segment_t *segment = &job->segments[s];
    for (const uint32_t *r = segment->begin; r < segment->end && job->rc == 0; r += pile_size_as(r, head, narrow)) {
      m.ballot = r[0];
      m.count = pile_count(r);
      m.resume = pile_resume(r);
      m.prev_rank = r[2];
      if (head == 5) {
        m.value_words[0] = r[3];
        m.value_words[1] = r[4];
      }
      m.marks = r + head;
      job->rc = assign(e, &job->sink, segment->from, &m, narrow ? NARROW : WIDE, head, narrow, &job->err);
    }
  }
}

static void *move_worker(void *arg) {
  move_job_t *job = arg;
  engine_t *e = job->e;
  pc_error_clear(&job->err);
  /* one copy of the loop per record format, so the format tests fold away */
  bool narrow = e->pile_narrow, valued = e->pile_head == 5;
  if (!job->segments) {
    if (valued) narrow ? move_arena(job, 5, true) : move_arena(job, 5, false);
    else narrow ? move_arena(job, 3, true) : move_arena(job, 3, false);
  } else {
    if (valued) narrow ? move_records(job, 5, true) : move_records(job, 5, false);
    else narrow ? move_records(job, 3, true) : move_records(job, 3, false);
  }
  return NULL;
}

/* Cuts the records of MOVING into WORKERS runs of about TOTAL / WORKERS
 * records, in order: one segment per block and run, worker w's segments
 * from segments[first[w]] to segments[first[w + 1]]. */
static segment_t *split(const engine_t *e, const pile_t *moving, const int32_t *from, size_t count, size_t total,
                        size_t workers, size_t *first) {
  size_t blocks = 0;
  for (size_t p = 0; p < count; p++)
    for (const pile_block_t *block = moving[p].first; block; block = block->next) blocks++;
  segment_t *segments = pc_xcalloc(blocks + workers, sizeof *segments);
  size_t n = 0, w = 0, taken = 0, target = total / workers;
  for (size_t i = 0; i <= workers; i++) first[i] = 0;
  for (size_t p = 0; p < count; p++)
    for (const pile_block_t *block = moving[p].first; block; block = block->next) {
      const uint32_t *r = block->words, *end = block->words + block->used;
      while (r < end) {
        segment_t *segment = &segments[n++];
        segment->begin = r;
        segment->from = from[p];
        if (w == workers - 1) r = end; /* the last worker takes the rest */
        while (r < end && taken < target) {
          r += pile_size(e, r);
          taken++;
        }
        segment->end = r;
        if (w < workers - 1 && taken >= target) {
          first[++w] = n;
          target = total * (w + 1) / workers;
        }
      }
    }
  while (w < workers) first[++w] = n;
  return segments;
}

int pc_tab_engine_move(engine_t *e, pc_tab_round_t *round, const pile_t *moving, const int32_t *moving_from,
                       size_t moving_count, pc_error_t *err) {
  sink_t global = {round->transfers, e->inactive, e->running, e->piles};
  /* statuses do not change while ballots move: one lookup table per round */
  memset(e->cont, 0, e->slots + 2);
  for (size_t s = 0; s < e->slots; s++) e->cont[s + 2] = engine_continuing(e, (int32_t)s);
  size_t total = 0;
  if (!moving) total = e->ballots->count;
  for (size_t p = 0; p < moving_count; p++) total += moving[p].records;
  size_t workers = e->threads > 1 ? (size_t)e->threads : 1;
  size_t min_chunk = e->config->parallel_min_ballots ? (size_t)e->config->parallel_min_ballots : 65536;
  if (e->unit_count > 0 || total < 2 * min_chunk) workers = 1;
  if (workers > total / min_chunk) workers = total / min_chunk > 0 ? total / min_chunk : 1;
  move_job_t *jobs = pc_xcalloc(workers, sizeof *jobs);
  size_t *first = pc_xcalloc(workers + 1, sizeof *first);
  segment_t *segments = NULL;
  if (moving) {
    segments = split(e, moving, moving_from, moving_count, total, workers, first);
  }
  for (size_t w = 0; w < workers; w++) {
    jobs[w].e = e;
    jobs[w].first = e->ballots->count * w / workers;
    jobs[w].last = e->ballots->count * (w + 1) / workers;
    jobs[w].segments = segments ? segments + first[w] : NULL;
    jobs[w].segment_count = segments ? first[w + 1] - first[w] : 0;
    if (workers == 1) {
      jobs[w].sink = global;
      continue;
    }
    jobs[w].sink.transfers = pc_xcalloc((e->slots + 1) * (e->slots + 2), sizeof(pc_dec_t));
    jobs[w].sink.inactive = pc_xcalloc(PC_ST_COUNT, sizeof(pc_dec_t));
    jobs[w].sink.running = pc_xcalloc(e->slots, sizeof(pc_dec_t));
    jobs[w].sink.piles = pc_xcalloc(e->slots, sizeof(pile_t));
  }
  pthread_t *threads = pc_xcalloc(workers, sizeof *threads);
  bool *started = pc_xcalloc(workers, sizeof *started);
  for (size_t w = 1; w < workers; w++) started[w] = pthread_create(&threads[w], NULL, move_worker, &jobs[w]) == 0;
  move_worker(&jobs[0]);
  for (size_t w = 1; w < workers; w++) {
    if (started[w]) pthread_join(threads[w], NULL);
    else move_worker(&jobs[w]); /* no thread: do it here */
  }
  int rc = 0;
  for (size_t w = 0; w < workers; w++) {
    move_job_t *job = &jobs[w];
    if (rc == 0 && job->rc != 0) {
      rc = job->rc;
      if (err) *err = job->err;
    }
    if (workers == 1) break;
    /* merged in worker order: the piles' order matches a single thread's */
    size_t transfer_cells = (e->slots + 1) * (e->slots + 2);
    for (size_t i = 0; i < transfer_cells; i++) round->transfers[i] += job->sink.transfers[i];
    for (int st = 0; st < PC_ST_COUNT; st++) e->inactive[st] += job->sink.inactive[st];
    for (size_t s = 0; s < e->slots; s++) {
      e->running[s] += job->sink.running[s];
      pile_concat(&e->piles[s], &job->sink.piles[s]);
    }
    free(job->sink.transfers);
    free(job->sink.inactive);
    free(job->sink.running);
    free(job->sink.piles);
  }
  free(segments);
  free(first);
  free(jobs);
  free(threads);
  free(started);
  return rc;
}
