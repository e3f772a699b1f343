/* The state of one count, shared by the round engine (engine.c: rounds,
 * thresholds, winners, eliminations) and the ballot piles (piles.c: where
 * each ballot counts and how it moves). Internal to src/tabulate. */
#ifndef PRECINCT_TABULATE_ENGINE_H
#define PRECINCT_TABULATE_ENGINE_H

#include <pthread.h>
#include <string.h>

#include "tabulate/internal.h"
#include "tabulate/tiebreak.h"

enum { CS_CONTINUING, CS_WINNER, CS_ELIMINATED, CS_EXCLUDED, CS_ABSENT };

/* A candidate's pile: one record per ballot counting for it, back to back,
 * each a copy of everything a move needs, so eliminating a candidate reads
 * its pile front to back and appends to the receivers' piles:
 *   [0] ballot index  [1] mark count | resume << 16  [2] rank before resume
 *   [3..4] remaining value (int64 at the contest's scale, never above 1),
 *          only when values can change (multi-winner); else every value is 1
 *   then the marks: one 32-bit word each, rank << 16 | (candidate + 2), or,
 *   when every rank and candidate + 2 is below 256, 16 bits each,
 *   rank << 8 | (candidate + 2) (pile_narrow).
 * The marks start at the rank the ballot counts at (resume = 0), or at its
 * first rank with exhaustOnDuplicateCandidate (which needs the earlier ones).
 * A pile is a chain of blocks (4 KiB doubling to 256 KiB) that the engine
 * recycles: no copying when a pile grows or workers' piles are merged, and
 * memory freed by an eliminated candidate is reused without page faults. */
typedef struct pile_block {
  struct pile_block *next;
  size_t used, capacity;   /* in words */
  int size_class;          /* -1: an oversized block (one huge record), never pooled */
  uint32_t words[];
} pile_block_t;
typedef struct pile { pile_block_t *first, *last; size_t records; } pile_t;
#define PILE_MAX_KEY 65535u   /* candidate + 2 fits 16 bits */
#define PILE_CLASSES 7        /* block sizes 1024 << class words */

typedef struct engine {
  const pc_tab_config_t *config;
  const pc_tab_ballots_t *ballots;
  size_t slots;            /* candidates + UWI */
  int32_t uwi;
  int number_of_winners;
  int scale;
  pc_dec_t one;
  uint8_t *status;         /* per slot */
  uint8_t *cont;           /* [mark candidate + 2]: continuing during a round's moves */
  int *won_round, *eliminated_round;
  size_t winners, eliminated;
  pile_t *piles;           /* per slot */
  unsigned pile_head;      /* record header words: 3, or 5 with a value */
  bool pile_narrow;        /* 16-bit marks */
  pile_block_t *spare[PILE_CLASSES]; /* recycled blocks by size class */
  pthread_mutex_t spare_lock;
  pc_dec_t *running;       /* per slot: sum of values of its pile */
  pc_dec_t *allocated;     /* per slot: value kept by a winner (surplus) */
  pc_dec_t inactive[PC_ST_COUNT];
  pc_tab_result_t *result;
  pc_tiebreak_ctx_t tiebreak;
  const pc_dec_t **round_tallies;
  int32_t *permutation;
  pc_java_random_t *random;
  int num_candidates;
  int num_declared;
  int threads;             /* workers for large rounds */
  /* precinct and batch views (see pc_tab_unit_result_t) */
  size_t unit_count;
  pc_dec_t *unit_running;    /* [unit * slots + slot] */
  pc_dec_t *unit_allocated;  /* [unit * slots + slot] */
  pc_dec_t *unit_inactive;   /* [unit * PC_ST_COUNT + status] */
  pc_tab_round_t **unit_round; /* the current round of each unit */
} engine_t;

static inline size_t pile_count(const uint32_t *record) { return record[1] & 0xffffu; }
static inline size_t pile_resume(const uint32_t *record) { return record[1] >> 16; }
static inline size_t pile_size_as(const uint32_t *record, unsigned head, bool narrow) {
  size_t marks = pile_count(record);
  return head + (narrow ? (marks + 1) / 2 : marks);
}
static inline size_t pile_size(const engine_t *e, const uint32_t *record) {
  return pile_size_as(record, e->pile_head, e->pile_narrow);
}
static inline int64_t pile_value(const engine_t *e, const uint32_t *record) {
  if (e->pile_head < 5) return (int64_t)e->one;
  int64_t value;
  memcpy(&value, record + 3, sizeof value);
  return value;
}
static inline void pile_set_value(uint32_t *record, int64_t value) { memcpy(record + 3, &value, sizeof value); }
#define PILE_EACH(record, pile, e)                                                                          \
  for (pile_block_t *block_##record = (pile)->first; block_##record; block_##record = block_##record->next) \
    for (uint32_t *record = block_##record->words; record < block_##record->words + block_##record->used;  \
         record += pile_size(e, record))

static inline bool engine_continuing(const engine_t *e, int32_t slot) {
  if (slot < 0) return false;
  return e->status[slot] == CS_CONTINUING || (e->status[slot] == CS_WINNER && e->config->continue_until_two);
}

/* to: a slot, slots = exhausted, slots + 1 = residual surplus */
static inline size_t engine_transfer_index(const engine_t *e, int32_t from, int32_t to) {
  return (size_t)from * (e->slots + 2) + (size_t)to;
}

/* Gives PILE's blocks back to the engine for reuse (fresh memory costs a
 * page fault per 4 KiB on first touch) and empties it; free_spare frees
 * the recycled blocks. */
void pc_tab_engine_recycle(engine_t *e, pile_t *pile);
void pc_tab_engine_free_spare(engine_t *e);

/* The precinct view (first) and batch view (second) of ballot B, -1 when none. */
void pc_tab_engine_units(const engine_t *e, uint32_t b, int32_t units[2]);

/* Gives every ballot of MOVING (piles taken from candidates who stopped
 * continuing; NULL in round 1: every ballot of the arena) a candidate or an
 * inactive status, as RCTab's computeTalliesForRound does, accounting the
 * transfers into ROUND. Large rounds are shared among worker threads; the
 * result never depends on how many. */
int pc_tab_engine_move(engine_t *e, pc_tab_round_t *round, const pile_t *moving, const int32_t *moving_from,
                       size_t moving_count, pc_error_t *err);

#endif
