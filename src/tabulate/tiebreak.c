/* Tie-breaks as RCTab's Tiebreak class does them: random (java.util.Random),
 * previous round counts then random or ask, the candidate order of the
 * config, a generated permutation, or a decision supplied by the operator
 * (--tiebreak-choice) for "stop counting and ask". Also the iteration order
 * of java.util.HashSet, which RCTab's previous-round fallback inherits. */
#include "tabulate/tiebreak.h"

#include <stdlib.h>
#include <string.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"

/* String.hashCode over the UTF-16 code units of the UTF-8 string S. */
static int32_t java_string_hash(const char *s) {
  uint32_t h = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    uint32_t cp;
    if (*p < 0x80) cp = *p++;
    else if ((*p & 0xE0) == 0xC0 && p[1]) { cp = ((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F); p += 2; }
    else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) {
      cp = ((uint32_t)(*p & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
      p += 3;
    } else if ((*p & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
      cp = ((uint32_t)(*p & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
           (p[3] & 0x3F);
      p += 4;
    } else { cp = 0xFFFD; p++; }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      h = h * 31 + (0xD800 + (cp >> 10));
      h = h * 31 + (0xDC00 + (cp & 0x3FF));
    } else {
      h = h * 31 + cp;
    }
  }
  return (int32_t)h;
}

void pc_tab_java_hash_order(const char *const *names, int32_t *items, size_t count, size_t capacity) {
  int32_t *sorted = pc_xcalloc(count ? count : 1, sizeof *sorted);
  size_t n = 0;
  for (size_t bucket = 0; bucket < capacity; bucket++)
    for (size_t i = 0; i < count; i++) {
      uint32_t h = (uint32_t)java_string_hash(names[items[i]]);
      h ^= h >> 16;
      if ((h & (capacity - 1)) == bucket) sorted[n++] = items[i];
    }
  memcpy(items, sorted, count * sizeof *items);
  free(sorted);
}

void pc_tab_java_hashset_order(const pc_tiebreak_ctx_t *ctx, int32_t *items, size_t count) {
  /* new HashSet<>(collection): capacity tableSizeFor(max(size/.75f + 1, 16)) */
  size_t wanted = (size_t)((float)count / 0.75f) + 1;
  if (wanted < 16) wanted = 16;
  size_t capacity = 1;
  while (capacity < wanted) capacity <<= 1;
  pc_tab_java_hash_order(ctx->names, items, count, capacity);
}

static int by_name(const void *a, const void *b, void *context) {
  const pc_tiebreak_ctx_t *ctx = context;
  return strcmp(ctx->names[*(const int32_t *)a], ctx->names[*(const int32_t *)b]);
}

void pc_tab_sort_by_name(const pc_tiebreak_ctx_t *ctx, int32_t *items, size_t count) {
  /* Collections.sort of the names: String.compareTo, which is byte order for UTF-8 outside surrogates */
  qsort_r(items, count, sizeof *items, by_name, (void *)ctx);
}

static int ask(pc_tiebreak_ctx_t *ctx, bool winner, const int32_t *tied, size_t count, int round, int32_t *out,
               pc_error_t *err) {
  pc_buf_t list;
  pc_buf_init(&list, 0);
  for (size_t i = 0; i < count; i++) pc_buf_appendf(&list, "%s\"%s\"", i ? ", " : "", ctx->names[tied[i]]);
  if (!ctx->ask || ctx->ask->used >= ctx->ask->count) {
    pc_error_set(err, PC_ESTATE,
                 "tie in round %d among %s: tiebreakMode asks the operator to choose who %s; rerun with "
                 "--tiebreak-choice NAME (once per tie, in order)", round, pc_buf_str(&list), winner ? "wins" : "loses");
    pc_buf_free(&list);
    return PC_ESTATE;
  }
  const char *choice = ctx->ask->choices[ctx->ask->used];
  for (size_t i = 0; i < count; i++)
    if (strcmp(ctx->names[tied[i]], choice) == 0) {
      ctx->ask->used++;
      *out = tied[i];
      pc_buf_free(&list);
      return 0;
    }
  pc_error_set(err, PC_EINVAL, "--tiebreak-choice \"%s\" (tie-break %zu) is not among the tied candidates of round %d: %s",
               choice, ctx->ask->used + 1, round, pc_buf_str(&list));
  pc_buf_free(&list);
  return PC_EINVAL;
}

int pc_tab_tiebreak(pc_tiebreak_ctx_t *ctx, bool winner, int32_t *tied, size_t count, int round, int32_t *out,
                    pc_error_t *err) {
  pc_tab_sort_by_name(ctx, tied, count);
  switch (ctx->mode) {
  case PC_TB_RANDOM:
    *out = tied[pc_java_random_pick(ctx->random, (int32_t)count)];
    return 0;
  case PC_TB_ASK:
    return ask(ctx, winner, tied, count, round, out, err);
  case PC_TB_CONFIG_ORDER:
  case PC_TB_GENERATE_PERMUTATION: {
    size_t n = ctx->permutation_count;
    for (size_t k = 0; k < n; k++) {
      int32_t candidate = ctx->permutation[winner ? k : n - 1 - k];
      for (size_t i = 0; i < count; i++)
        if (tied[i] == candidate) {
          *out = candidate;
          return 0;
        }
    }
    return pc_error_set(err, PC_EINTERNAL, "tied candidate missing from the tie-break permutation");
  }
  case PC_TB_PREVIOUS_RANDOM:
  case PC_TB_PREVIOUS_ASK: {
    int32_t *contention = pc_xcalloc(count, sizeof *contention);
    memcpy(contention, tied, count * sizeof *tied);
    size_t n = count;
    for (int r = round - 1; r > 0 && n > 1; r--) {
      pc_tab_java_hashset_order(ctx, contention, n);
      const pc_dec_t *tally = ctx->round_tallies[r - 1];
      pc_dec_t best = tally[contention[0]];
      for (size_t i = 1; i < n; i++) {
        pc_dec_t v = tally[contention[i]];
        if (winner ? v > best : v < best) best = v;
      }
      size_t kept = 0;
      for (size_t i = 0; i < n; i++)
        if (tally[contention[i]] == best) contention[kept++] = contention[i];
      n = kept;
    }
    int rc = 0;
    if (n == 1) *out = contention[0];
    else if (ctx->mode == PC_TB_PREVIOUS_RANDOM) *out = contention[pc_java_random_pick(ctx->random, (int32_t)n)];
    else rc = ask(ctx, winner, contention, n, round, out, err);
    free(contention);
    return rc;
  }
  }
  return pc_error_set(err, PC_EINTERNAL, "unknown tie-break mode");
}
