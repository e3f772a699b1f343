/* Tie-break selection (see tiebreak.c). Internal to src/tabulate. */
#ifndef PRECINCT_TABULATE_TIEBREAK_H
#define PRECINCT_TABULATE_TIEBREAK_H

#include "tabulate/internal.h"

typedef struct pc_tiebreak_ctx {
  pc_tiebreak_mode_t mode;
  const char *const *names;      /* per candidate slot */
  pc_java_random_t *random;
  const int32_t *permutation;    /* slot indexes, earliest wins */
  size_t permutation_count;
  const pc_dec_t *const *round_tallies; /* [round-1][slot] */
  pc_tab_tiebreak_input_t *ask;
} pc_tiebreak_ctx_t;

/* Chooses the winner (WINNER) or loser among TIED (COUNT > 1, reordered). */
int pc_tab_tiebreak(pc_tiebreak_ctx_t *ctx, bool winner, int32_t *tied, size_t count, int round, int32_t *out,
                    pc_error_t *err);
void pc_tab_sort_by_name(const pc_tiebreak_ctx_t *ctx, int32_t *items, size_t count);
void pc_tab_java_hashset_order(const pc_tiebreak_ctx_t *ctx, int32_t *items, size_t count);
/* Reorders ITEMS (indexes into NAMES) as a java.util.HashMap/HashSet of
 * CAPACITY buckets iterates them (String.hashCode, spread, bucket order; a
 * bucket keeps the given order). */
void pc_tab_java_hash_order(const char *const *names, int32_t *items, size_t count, size_t capacity);

#endif
