/* Shared between the returns parsers (CSV, ERR JSON) and the ingest core:
 * the parsed form of one returns file before it is checked and stored. */
#ifndef PRECINCT_RESULTS_INGEST_INTERNAL_H
#define PRECINCT_RESULTS_INGEST_INTERNAL_H

#include <stdint.h>

#include "precinct/elections.h"
#include "precinct/error.h"

typedef struct pc_vote_line {
  int precinct, contest, choice, group;
  int64_t votes;
  long line;          /* CSV line, or index of the count in the JSON */
} pc_vote_line_t;

typedef struct pc_precinct_line {
  int seen;
  int has_ballots, has_registered;
  int64_t ballots_cast, registered;
  long line;
} pc_precinct_line_t;

typedef struct pc_parsed_returns {
  const pc_election_model_t *model;
  int county;              /* model county index the uploader reports for */
  const char *file_name;
  pc_vote_line_t *votes;
  size_t vote_count, vote_cap;
  pc_precinct_line_t *precincts; /* one per model precinct */
  /* Lines of a file usually repeat the previous line's precinct and
   * contest: the last lookups are remembered. */
  char last_precinct[128], last_contest[128];
  int last_precinct_index, last_contest_index;
} pc_parsed_returns_t;

/* Row-level checks shared by both parsers: the precinct is known and in the
 * uploader's county, the contest is on its ballot style, the choice belongs
 * to the contest, the group is known and the count is a whole number >= 0.
 * LINE and FIELD locate errors. Appends the count on success. */
int pc_results_add_vote(pc_parsed_returns_t *p, const char *precinct, const char *contest, const char *choice,
                        const char *group, const char *votes, long line, const char *where, pc_error_t *err);
/* Records ballots cast / registered voters for PRECINCT (either may be
 * NULL or ""): they must agree with earlier values for the same precinct. */
int pc_results_add_precinct(pc_parsed_returns_t *p, const char *precinct, const char *ballots_cast,
                            const char *registered, long line, const char *where, pc_error_t *err);

/* Fills P from an ERR JSON ElectionReport holding VoteCounts per precinct. */
int pc_results_parse_err(pc_parsed_returns_t *p, const char *data, size_t size, pc_error_t *err);
/* Fills P from the returns CSV layout (docs/results.md). */
int pc_results_parse_csv(pc_parsed_returns_t *p, const char *data, size_t size, pc_error_t *err);

#endif
