/* Internal to src/voters: the compact record duplicate detection works on,
 * its pair score and the blocking search, separated from the database so
 * tests and the benchmark can drive them directly. */
#ifndef PRECINCT_VOTERS_DEDUP_H
#define PRECINCT_VOTERS_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/voters_tools.h"

typedef struct pc_dedup_record {
  int64_t id;
  char ncid[13];
  char first[20], last[24], middle[20], suffix[4];
  char street[40], zip[10];
  char race[4], birth_state[4], phone[14], party[4], ethnicity[4];
  char last_soundex[5];
  char gender, canonical_initial, canonical_second;
  uint16_t birth_year;
  uint8_t birth_month, birth_day; /* 0 when only the year is known */
  uint32_t canonical_first;       /* hash of the nickname-resolved given name */
  uint64_t dl, ssn4;              /* first 8 bytes of the ID HMACs (low bit set), 0 if none */
} pc_dedup_record_t;

typedef struct pc_dedup_pair {
  uint32_t a, b; /* indexes into the record array, a < b */
  double score;
} pc_dedup_pair_t;

void pc_dedup_record_from(const pc_voter_t *v, pc_dedup_record_t *r);
/* 0..1; pairs at PC_DEDUP_THRESHOLD or more are flagged by default. */
#define PC_DEDUP_THRESHOLD 0.55
double pc_dedup_score(const pc_dedup_record_t *a, const pc_dedup_record_t *b);
/* Finds every pair sharing a blocking key and scoring >= THRESHOLD, sorted
 * by (a, b) and unique. *PAIRS is freed by the caller. */
int pc_dedup_find(const pc_dedup_record_t *records, size_t count, int threads, double threshold, pc_dedup_pair_t **pairs,
                  size_t *pair_count, int64_t *comparisons);

#endif
