/* Times the round engine alone: builds N synthetic ranked ballots over C
 * candidates in memory (deterministic, Zipf-like first choices, up to R
 * ranks with occasional skips and overvotes) and counts them as a single
 * winner IRV contest, printing rounds and milliseconds. Reading CVR files is
 * measured by bench_cvr_read; this isolates pc_tab_count.
 * usage: bench_tabulate_rounds [BALLOTS [CANDIDATES [RANKS]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "tabulate/internal.h"

static int atoi_free(const char *text) {
  long long value = INT32_MAX;
  if (pc_parse_int64(text, 1, INT32_MAX, &value) != 0) value = INT32_MAX;
  return (int)value;
}

static uint64_t state = 88172645463325252ULL;
static uint64_t next_random(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int main(int argc, char **argv) {
  long long ballots = 1041313, candidates = 35, ranks = 10;
  if (argc > 1 && pc_parse_int64(argv[1], 1, 100000000, &ballots) != 0) return 2;
  if (argc > 2 && pc_parse_int64(argv[2], 2, 1000, &candidates) != 0) return 2;
  if (argc > 3 && pc_parse_int64(argv[3], 1, 100, &ranks) != 0) return 2;
  pc_tab_config_t config;
  memset(&config, 0, sizeof config);
  config.candidate_count = (size_t)candidates;
  config.candidates = pc_xcalloc((size_t)candidates, sizeof *config.candidates);
  for (long long c = 0; c < candidates; c++) {
    char name[32];
    pc_snprintf(name, sizeof name, "Candidate %03lld", c);
    config.candidates[c].name = pc_xstrdup(name);
  }
  config.tiebreak_mode = PC_TB_RANDOM;
  config.overvote_rule = PC_OV_ALWAYS_SKIP;
  config.winner_mode = PC_WM_SINGLE;
  config.number_of_winners = 1;
  config.decimal_places = 4;
  config.max_skipped_ranks = 1;
  config.max_rankings = (int)ranks;
  config.count_threads = getenv("COUNT_THREADS") ? atoi_free(getenv("COUNT_THREADS")) : 0;
  config.stop_after_round = getenv("STOP_AFTER") ? atoi_free(getenv("STOP_AFTER")) : INT32_MAX;
  pc_tab_ballots_t b;
  memset(&b, 0, sizeof b);
  b.count = (size_t)ballots;
  b.ballots = pc_xcalloc(b.count, sizeof *b.ballots);
  b.marks = pc_xcalloc(b.count * (size_t)ranks, sizeof *b.marks);
  b.per_source = pc_xcalloc(1, sizeof *b.per_source);
  for (size_t i = 0; i < b.count; i++) {
    pc_tab_ballot_t *ballot = &b.ballots[i];
    ballot->mark_offset = (uint32_t)b.mark_count;
    ballot->precinct = ballot->batch = -1;
    int length = (int)(next_random() % (uint64_t)(ranks + 1));
    int rank = 0;
    for (int k = 0; k < length; k++) {
      rank += (next_random() % 20 == 0) ? 2 : 1;
      if (rank > ranks) break;
      /* skewed popularity: low indexes are favourites */
      uint64_t r = next_random() % ((uint64_t)candidates * (uint64_t)candidates);
      int32_t candidate = (int32_t)(candidates - 1 - (long long)(r / (uint64_t)candidates) * (long long)(r % (uint64_t)candidates) / candidates);
      if (candidate < 0) candidate = 0;
      b.marks[b.mark_count].rank = rank;
      b.marks[b.mark_count++].candidate = candidate;
      ballot->mark_count++;
    }
  }
  b.per_source[0] = b.count;
  bool *excluded = pc_xcalloc((size_t)candidates + 1, sizeof *excluded);
  pc_java_random_t random;
  pc_java_random_init(&random, 1);
  pc_tab_result_t result;
  pc_error_t err;
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  int rc = pc_tab_count(&config, &b, excluded, 1, &random, NULL, &result, &err);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc != 0) {
    fprintf(stderr, "count failed: %s\n", err.message);
    return 1;
  }
  pc_dec_t moved = 0;
  size_t slots = result.candidate_slots;
  for (size_t r = 0; r < result.round_count; r++)
    for (size_t i = 0; i < (slots + 1) * (slots + 2); i++) moved += result.rounds[r].transfers[i];
  printf("ballot moves after round 1: %lld\n", (long long)(moved / pc_dec_pow10(config.decimal_places)));
  double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  double cpu_ms = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
  printf("ballots=%zu candidates=%lld rounds=%zu winner=\"%s\" cpu_ms=%.1f count_ms=%.1f\n", b.count, candidates,
         result.round_count, result.winner_count ? pc_tab_candidate_name(&config, result.winners[0]) : "-", cpu_ms, ms);
  pc_tab_result_free(&result);
  pc_tab_ballots_free(&b);
  for (long long c = 0; c < candidates; c++) free(config.candidates[c].name);
  free(config.candidates);
  free(excluded);
  return 0;
}
