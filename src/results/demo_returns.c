/* Demo election night: plausible partial returns for every county of an
 * election, generated deterministically and fed through the real ingest
 * (so the demo exercises every validation rule). Demo data only. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/results.h"

#include <string.h>

/* A small deterministic generator (xorshift): the demo looks the same every run. */
static uint32_t next(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

static void precinct_lines(const pc_election_model_t *m, size_t p, uint32_t *seed, pc_buf_t *csv) {
  const pc_precinct_t *pr = &m->precincts[p];
  int64_t ballots = pr->registered_voters * (45 + (int64_t)(next(seed) % 25)) / 100;
  static const int groups[] = {PC_GROUP_ELECTION_DAY, PC_GROUP_MAIL, PC_GROUP_EARLY};
  static const int shares[] = {60, 30, 10};
  int first = 1;
  for (size_t c = 0; c < m->contest_count; c++) {
    if (!pc_elections_style_has_contest(m, pr->ballot_style, (int)c)) continue;
    const pc_contest_t *contest = &m->contests[c];
    int per_ballot = contest->kind == PC_CONTEST_CANDIDATE ? contest->vote_for : 1;
    /* About 95% of ballots mark this contest; weights favour earlier choices a little. */
    int64_t marks = ballots * per_ballot * (90 + (int64_t)(next(seed) % 8)) / 100;
    uint32_t weights[64], weight_sum = 0;
    size_t choices = contest->choice_count < 64 ? contest->choice_count : 64;
    for (size_t k = 0; k < choices; k++) weight_sum += weights[k] = 40 + next(seed) % 60 + (uint32_t)(choices - k) * 5;
    for (size_t g = 0; g < 3; g++) {
      int64_t group_marks = marks * shares[g] / 100;
      for (size_t k = 0; k < choices; k++) {
        int64_t votes = group_marks * weights[k] / weight_sum;
        pc_buf_appendf(csv, "%s,%s,%s,%s,%lld,", pr->code, contest->code, contest->choices[k].code,
                       pc_results_group_name(groups[g]), (long long)votes);
        if (first) pc_buf_appendf(csv, "%lld,%lld\n", (long long)ballots, (long long)pr->registered_voters);
        else pc_buf_append_str(csv, ",\n");
        first = 0;
      }
    }
  }
}

int pc_results_demo_returns(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, int fraction_percent,
                            pc_error_t *err) {
  pc_election_model_t m;
  int rc = pc_elections_load(store, election_id, &m, err);
  if (rc != 0) return rc;
  for (size_t county = 0; rc == 0 && county < m.county_count; county++) {
    pc_buf_t csv;
    pc_buf_init(&csv, 0);
    pc_buf_append_str(&csv, "precinct,contest,choice,counting_group,votes,ballots_cast,registered_voters\n");
    uint32_t seed = 2463534242u + (uint32_t)county * 7919u;
    /* Counties report at different speeds: later ones have counted less. */
    int share = fraction_percent - (int)county * 8;
    if (share < 5) share = 5;
    for (size_t p = 0; p < m.precinct_count; p++) {
      if (m.precincts[p].county != (int)county) continue;
      if ((int)(next(&seed) % 100) >= share) continue;
      precinct_lines(&m, p, &seed, &csv);
    }
    char name[64];
    pc_snprintf(name, sizeof name, "demo-%zu.csv", county + 1);
    pc_results_ingest_report_t report;
    if (csv.len > 80)
      rc = pc_results_ingest(store, actor, m.election.id, m.counties[county].name, name, csv.data, csv.len, &report, err);
    pc_buf_free(&csv);
  }
  pc_elections_model_free(&m);
  return rc;
}
