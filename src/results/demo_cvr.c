/* Demo election night, ranked-choice part: cast vote records (NIST SP
 * 1500-103 CDF JSON, built with jansson) for every RCV contest, one ballot
 * per ballot cast in each reporting precinct of the first counties, with
 * rankings drawn from a one-dimensional preference model so the count takes
 * several rounds; fed through the real ingest. Deterministic. Demo data only. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/results.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static uint32_t next(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* 0..999 */
static int draw(uint32_t *seed) { return (int)(next(seed) % 1000); }

static json_t *skeleton(const pc_election_model_t *m, int contest, json_t **cvrs, json_t **units) {
  const pc_contest_t *c = &m->contests[contest];
  json_t *root = json_object();
  json_object_set_new(root, "@type", json_string("CVR.CastVoteRecordReport"));
  json_object_set_new(root, "Version", json_string("1.0.0"));
  json_object_set_new(root, "ReportType", json_pack("[s]", "originating-device-export"));
  json_object_set_new(root, "ReportGeneratingDeviceIds", json_pack("[s]", "demo-tabulator"));
  json_t *candidates = json_array(), *selections = json_array();
  for (size_t k = 0; k < c->choice_count; k++) {
    char id[32], selection[32];
    pc_snprintf(id, sizeof id, "cand-%zu", k + 1);
    pc_snprintf(selection, sizeof selection, "cs-%zu", k + 1);
    json_array_append_new(candidates, json_pack("{s:s, s:s, s:s}", "@id", id, "@type", "CVR.Candidate", "Name",
                                                c->choices[k].name));
    json_array_append_new(selections, json_pack("{s:s, s:s, s:[s]}", "@id", selection, "@type",
                                                "CVR.CandidateSelection", "CandidateIds", id));
  }
  json_t *contest_json = json_pack("{s:s, s:s, s:s, s:o}", "@id", "contest-1", "@type", "CVR.CandidateContest", "Name",
                                   c->code, "ContestSelection", selections);
  json_t *election = json_pack("{s:s, s:s, s:s, s:o, s:[o]}", "@id", "election-1", "@type", "CVR.Election", "Name",
                               m->election.name, "Candidate", candidates, "Contest", contest_json);
  json_object_set_new(root, "Election", json_pack("[o]", election));
  *units = json_array();
  json_object_set(root, "GpUnit", *units);
  *cvrs = json_array();
  json_object_set(root, "CVR", *cvrs);
  return root;
}

/* One voter: a position on a line; candidates sit at fixed points; the
 * voter ranks the nearest first and stops after 1 to all choices. */
static json_t *ballot(size_t choices, const int *position, int lean, uint32_t *seed, const char *unit, long number) {
  int voter = lean + draw(seed) - 500;
  size_t order[64];
  int distance[64];
  for (size_t k = 0; k < choices; k++) {
    order[k] = k;
    distance[k] = abs(voter - position[k]) + draw(seed) / 4;
  }
  for (size_t i = 1; i < choices; i++) /* insertion sort by distance */
    for (size_t j = i; j > 0 && distance[order[j]] < distance[order[j - 1]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  int roll = draw(seed);
  size_t ranked = roll < 25 ? 0 : roll < 300 ? 1 : roll < 550 ? 2 : roll < 800 ? 3 : choices;
  if (ranked > choices) ranked = choices;
  json_t *selections = json_array();
  for (size_t r = 0; r < ranked; r++) {
    char selection[32];
    pc_snprintf(selection, sizeof selection, "cs-%zu", order[r] + 1);
    json_array_append_new(selections,
                          json_pack("{s:s, s:s, s:[{s:s, s:s, s:i, s:i}]}", "@type", "CVR.CVRContestSelection",
                                    "ContestSelectionId", selection, "SelectionPosition", "@type",
                                    "CVR.SelectionPosition", "HasIndication", "yes", "NumberVotes", 1, "Rank",
                                    (int)r + 1));
  }
  char snapshot[48], id[48];
  pc_snprintf(snapshot, sizeof snapshot, "s-%ld", number);
  pc_snprintf(id, sizeof id, "%ld", number);
  json_t *contest = json_pack("{s:s, s:s, s:o}", "@type", "CVR.CVRContest", "ContestId", "contest-1",
                              "CVRContestSelection", selections);
  return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:[o]}]}", "@type", "CVR.CVR", "BallotPrePrintedId", id,
                   "BallotStyleUnitId", unit, "CurrentSnapshotId", snapshot, "CVRSnapshot", "@id", snapshot, "@type",
                   "CVR.CVRSnapshot", "Type", "original", "CVRContest", contest);
}

int pc_results_demo_cvrs(pc_store_t *store, const pc_actor_t *actor, int64_t election_id, int counties,
                         pc_error_t *err) {
  pc_results_t r;
  int rc = pc_results_load(store, election_id, &r, err);
  if (rc != 0) return rc;
  const pc_election_model_t *m = &r.model;
  for (size_t c = 0; rc == 0 && c < m->contest_count; c++) {
    const pc_contest_t *contest = &m->contests[c];
    if (contest->kind != PC_CONTEST_RCV || contest->choice_count == 0 || contest->choice_count > 64) continue;
    int position[64];
    for (size_t k = 0; k < contest->choice_count; k++) position[k] = (int)(1000 * (k + 1) / (contest->choice_count + 1));
    for (size_t county = 0; rc == 0 && county < m->county_count && (int)county < counties; county++) {
      json_t *cvrs, *units;
      json_t *root = skeleton(m, (int)c, &cvrs, &units);
      uint32_t seed = 88172645u + (uint32_t)county * 104729u;
      long number = 0;
      for (size_t p = 0; p < m->precinct_count; p++) {
        if (m->precincts[p].county != (int)county || !r.reporting[p]) continue;
        if (!pc_elections_style_has_contest(m, m->precincts[p].ballot_style, (int)c)) continue;
        char unit[32];
        pc_snprintf(unit, sizeof unit, "gpu-%zu", p + 1);
        json_array_append_new(units, json_pack("{s:s, s:s, s:s, s:s}", "@id", unit, "@type", "CVR.GpUnit", "Type",
                                               "precinct", "Name", m->precincts[p].code));
        int lean = 350 + (int)(p * 37 % 300); /* precincts differ */
        for (int64_t b = 0; b < r.ballots_cast[p]; b++)
          json_array_append_new(cvrs, ballot(contest->choice_count, position, lean, &seed, unit, ++number));
      }
      char *text = json_array_size(cvrs) ? json_dumps(root, JSON_COMPACT) : NULL;
      json_decref(units);
      json_decref(cvrs);
      json_decref(root);
      if (!text) continue;
      char name[64];
      pc_snprintf(name, sizeof name, "demo-cvr-%zu.json", county + 1);
      pc_results_ingest_report_t report;
      rc = pc_results_ingest(store, actor, m->election.id, m->counties[county].name, name, text, strlen(text), &report,
                             err);
      free(text);
    }
  }
  pc_results_free(&r);
  return rc;
}
