/* Plurality (vote for N) and approval counts over CVR sources, for the
 * results module: every ballot's marks for the contest, matched to the
 * given candidate names. Ranks are ignored; a candidate marked twice on one
 * ballot counts once. It does no ranked-choice rounds. */
#include <stdlib.h>
#include <string.h>

#include "precinct/alloc.h"
#include "precinct/tabulate.h"

typedef struct simple_count {
  const char *const *candidates;
  size_t candidate_count;
  int votes_allowed;          /* 0: approval, every mark counts */
  uint64_t *counts;
  pc_tabulate_simple_result_t result;
  unsigned char *marked;      /* per candidate, for the ballot being read */
} simple_count_t;

static int on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  simple_count_t *c = context;
  memset(c->marked, 0, c->candidate_count);
  size_t distinct = 0;
  for (size_t i = 0; i < ballot->mark_count; i++) {
    const char *name = ballot->marks[i].candidate;
    if (!name || !*name) continue;
    size_t k = 0;
    while (k < c->candidate_count && strcmp(c->candidates[k], name) != 0) k++;
    if (k == c->candidate_count)
      return pc_error_set_at(err, PC_EINVAL, ballot->file, ballot->line, NULL,
                             "unrecognized candidate \"%s\": expected one of the contest's candidates", name);
    if (!c->marked[k]) distinct++;
    c->marked[k] = 1;
  }
  c->result.ballots++;
  if (distinct == 0) {
    c->result.undervotes++;
    return 0;
  }
  if (c->votes_allowed > 0 && distinct > (size_t)c->votes_allowed) {
    c->result.overvotes++;
    return 0;
  }
  for (size_t k = 0; k < c->candidate_count; k++) c->counts[k] += c->marked[k];
  return 0;
}

static int count(const pc_cvr_source_t *sources, size_t source_count, const char *const *candidates,
                 size_t candidate_count, int votes_allowed, uint64_t *counts, pc_tabulate_simple_result_t *result,
                 pc_error_t *err) {
  simple_count_t c;
  memset(&c, 0, sizeof c);
  c.candidates = candidates;
  c.candidate_count = candidate_count;
  c.votes_allowed = votes_allowed;
  c.counts = pc_xcalloc(candidate_count ? candidate_count : 1, sizeof *c.counts);
  c.marked = pc_xcalloc(candidate_count ? candidate_count : 1, 1);
  int rc = 0;
  for (size_t s = 0; s < source_count && rc == 0; s++) rc = pc_cvr_read(&sources[s], on_ballot, &c, NULL, err);
  if (rc == 0) {
    memcpy(counts, c.counts, candidate_count * sizeof *counts);
    if (result) *result = c.result;
  }
  free(c.counts);
  free(c.marked);
  return rc;
}

int pc_tabulate_plurality(const pc_cvr_source_t *sources, size_t source_count, const char *const *candidates,
                          size_t candidate_count, int votes_allowed, uint64_t *counts,
                          pc_tabulate_simple_result_t *result, pc_error_t *err) {
  if (votes_allowed < 1) return pc_error_set(err, PC_EINVAL, "votes allowed must be at least 1");
  return count(sources, source_count, candidates, candidate_count, votes_allowed, counts, result, err);
}

int pc_tabulate_approval(const pc_cvr_source_t *sources, size_t source_count, const char *const *candidates,
                         size_t candidate_count, uint64_t *counts, pc_tabulate_simple_result_t *result,
                         pc_error_t *err) {
  return count(sources, source_count, candidates, candidate_count, 0, counts, result, err);
}
