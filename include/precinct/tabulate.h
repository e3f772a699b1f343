/* Ranked-choice tabulation compatible with RCTab (BrightSpots/rcv): contest
 * configuration, the count, and the reports. Also plain plurality and
 * approval counts for the results module. The CVR readers are in cvr.h;
 * this module owns the rules applied to what they deliver. */
#ifndef PRECINCT_TABULATE_H
#define PRECINCT_TABULATE_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/cvr.h"
#include "precinct/error.h"

/* Options of one `precinct tabulate` run. Strings are borrowed. */
typedef struct pc_tabulate_options {
  const char *config_path;        /* RCTab contest configuration (JSON) */
  const char *out_dir;            /* NULL: the config's outputDirectory */
  int64_t expect_ballots;         /* -1: no check; else refuse when the CVRs hold another number */
  const char *const *tiebreak_choices; /* for stopCountingAndAsk: names, used in order */
  size_t tiebreak_choice_count;
  int threads;                    /* 0: one per source up to the number of cores */
  int quiet;                      /* no progress lines on stderr */
  int convert_to_cdf;             /* instead of counting: the CVRs as CDF JSON (cvr_cdf.json) */
  int convert_to_csv;             /* instead of counting: the CVRs as RCTab's generic CSV (cvr.csv) */
} pc_tabulate_options_t;

/* Reads the configuration and every CVR source, counts every pass and writes
 * the reports (summary*.json, summary*.csv, per-precinct/per-batch reports,
 * CDF JSON when asked, audit.json) into a temporary directory beside the
 * output directory, renamed into place only when everything succeeded. On
 * failure nothing is left behind and ERR names the file, row, field and what
 * was expected. */
/* With convert_to_cdf or convert_to_csv nothing is counted: the CVRs are
 * written as asked (and audit.json), the same way. */
int pc_tabulate_run(const pc_tabulate_options_t *options, pc_error_t *err);

/* Plurality (vote for N) and approval counts over CVR sources (CDF or any
 * provider pc_cvr_read knows), for the results module. COUNTS receives one
 * count per name of CANDIDATES (CANDIDATE_COUNT entries, filled only on
 * success). A mark is a vote for the candidate whose name matches exactly;
 * ranks are ignored and a candidate marked twice on a ballot counts once.
 * Plurality: a ballot marking more than VOTES_ALLOWED candidates is an
 * overvote and counts for nobody. Approval: every marked candidate counts.
 * A name not in CANDIDATES is an error (file, record). RESULT (may be NULL)
 * receives the ballot totals. */
typedef struct pc_tabulate_simple_result {
  uint64_t ballots;     /* ballots that had the contest */
  uint64_t overvotes;   /* ballots with more marks than allowed (plurality) */
  uint64_t undervotes;  /* ballots with no mark */
} pc_tabulate_simple_result_t;

int pc_tabulate_plurality(const pc_cvr_source_t *sources, size_t source_count, const char *const *candidates,
                          size_t candidate_count, int votes_allowed, uint64_t *counts,
                          pc_tabulate_simple_result_t *result, pc_error_t *err);
int pc_tabulate_approval(const pc_cvr_source_t *sources, size_t source_count, const char *const *candidates,
                         size_t candidate_count, uint64_t *counts, pc_tabulate_simple_result_t *result,
                         pc_error_t *err);

#endif
