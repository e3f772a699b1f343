/* Tools over the whole roll: the synthetic roll generator (for tests and
 * benchmarks) and duplicate-registration detection with its review queue.
 * Detection only flags: merging is an official's decision
 * (pc_voters_dedup_decide). See docs/internals/voters.md. */
#ifndef PRECINCT_VOTERS_TOOLS_H
#define PRECINCT_VOTERS_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/voters.h"

typedef struct pc_voters_generate_options {
  int64_t count;          /* lines to write, duplicates included */
  uint64_t seed;          /* same seed, same file */
  double dup_rate;        /* share of lines that duplicate an earlier voter, 0..0.5 */
  const char *out_path;   /* NC layout + birth_date extension; labels in OUT_PATH.labels.csv */
  const char *const *counties; /* county names to use, NULL for NC's 100 */
  size_t county_count;
  int quiet;
  const char *streets_dir; /* NULL, or write each county's street index as DIR/<COUNTY>.csv */
} pc_voters_generate_options_t;

/* Writes a synthetic state roll from US Census 1990 name frequencies with
 * planted duplicates (typos, nicknames, swapped day/month, moves, married
 * names) and the labels file (header ncid_a,ncid_b) listing every planted
 * pair. Every address lies in its precinct by the county's street index,
 * which is a function of the county and the roll's size, written with
 * OPTIONS->streets_dir. *PAIRS (may be NULL) receives the number of pairs. */
int pc_voters_generate(const pc_voters_generate_options_t *options, int64_t *pairs, pc_error_t *err);

typedef struct pc_voters_dedup_options {
  const char *out_path;  /* CSV ncid_a,ncid_b,score; NULL for none */
  int threads;           /* scoring threads, 0 = 2 */
  double threshold;      /* minimum score to flag, 0 = default 0.55 */
  int fill_queue;        /* insert new pairs into duplicate_candidates */
  int quiet;
} pc_voters_dedup_options_t;

typedef struct pc_voters_dedup_result {
  int64_t voters, comparisons, pairs, queued;
  int64_t milliseconds;
} pc_voters_dedup_result_t;

/* Finds likely duplicate registrations among the voters in V's scope that
 * were not already merged into another (removed voters are included: a new
 * registration matching a removed one is worth a look). Blocking keys (birth date + first initial, sorted
 * day/month + Soundex of the surname, Soundex + canonical first name + birth
 * year, ID hashes, address + first initial) bound the comparisons; each
 * pair is scored on names (Jaro-Winkler, nicknames), birth date (including
 * transposed day/month), address and ID hashes. */
int pc_voters_dedup(pc_voters_t *v, const pc_voters_dedup_options_t *options, pc_voters_dedup_result_t *result,
                    pc_error_t *err);

/* Decides review-queue entry CANDIDATE_ID: "merge" cancels voter B as a
 * duplicate of voter A (both records and their histories stay; B points to
 * A), "dismiss" closes it. Audited, own transaction. */
int pc_voters_dedup_decide(pc_voters_t *v, int64_t candidate_id, const char *decision, pc_error_t *err);

/* Calls VISIT for up to LIMIT open review-queue entries whose two voters
 * are both in V's county scope (all of them when statewide), oldest first,
 * with the entry id, its score text and both records (identity-proof fields
 * included: the caller shows only what is public). Stops early when VISIT
 * returns non-zero (returned as is). */
int pc_voters_dedup_each_open(pc_voters_t *v, int limit,
                              int (*visit)(void *context, int64_t candidate_id, const char *score, const pc_voter_t *a,
                                           const pc_voter_t *b),
                              void *context, pc_error_t *err);

/* The score of two voters as dedup computes it (0..1); for tests and the
 * review page. */
double pc_voters_match_score(const pc_voter_t *a, const pc_voter_t *b);

#endif
