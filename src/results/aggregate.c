/* Aggregation: loads an election's current returns (its current mode only,
 * so test and live counts never meet) into dense arrays and sums them to
 * county and state level; precincts reporting and turnout. */
#include "precinct/alloc.h"
#include "precinct/results.h"
#include "rcv.h"

#include "precinct/sha256.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct choice_key {
  int64_t id;
  int contest, choice;
} choice_key_t;

static int compare_choice_key(const void *a, const void *b) {
  const choice_key_t *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int compare_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static size_t cell(const pc_results_t *r, size_t precinct, size_t choice, int group) {
  return (precinct * r->choice_total + choice) * PC_GROUP_COUNT + (size_t)group;
}

static int precinct_by_id(const pc_results_t *r, const int64_t *ids, int64_t id) {
  const int64_t *hit = bsearch(&id, ids, r->model.precinct_count, sizeof *ids, compare_id);
  return hit ? (int)(hit - ids) : -1;
}

typedef struct choice_index {
  const choice_key_t *keys; /* sorted by id */
  size_t count;
  const choice_key_t *last; /* the previous hit: counts come in choice order */
} choice_index_t;

static const choice_key_t *find_choice(choice_index_t *index, int64_t id) {
  const choice_key_t *last = index->last;
  if (last && last->id == id) return last;
  if (last && last + 1 < index->keys + index->count && last[1].id == id) return index->last = last + 1;
  choice_key_t probe = {id, 0, 0};
  const choice_key_t *hit = bsearch(&probe, index->keys, index->count, sizeof *index->keys, compare_choice_key);
  if (hit) index->last = hit;
  return hit;
}

static void set_count(pc_results_t *r, size_t precinct, const choice_key_t *key, int group, int64_t votes) {
  size_t global = r->choice_base[key->contest] + (size_t)key->choice;
  r->votes[cell(r, precinct, global, group)] = (int32_t)votes;
  r->group_used[(precinct * r->model.contest_count + (size_t)key->contest) * PC_GROUP_COUNT + (size_t)group] = 1;
}

/* Reads digits up to STOP (which must follow them) into *OUT. */
static int take_number(const char **at, const char *end, char stop, int64_t *out) {
  const char *p = *at;
  int64_t value = 0;
  if (p == end || *p < '0' || *p > '9') return -1;
  for (; p < end && *p >= '0' && *p <= '9'; p++) {
    if (value > (INT64_MAX - 9) / 10) return -1;
    value = value * 10 + (*p - '0');
  }
  if (p == end || *p != stop) return -1;
  *at = p + 1;
  *out = value;
  return 0;
}

/* Decodes precinct_returns.counts (migration 0013), written by ingest.c:
 * lines "<choice id> <counting group> <votes>". Anything else is reported as
 * damage rather than guessed at. */
static int decode_counts(pc_results_t *r, choice_index_t *choices, size_t precinct, const char *text,
                         pc_error_t *err) {
  const char *at = text, *end = text + strlen(text);
  while (at < end) {
    const char *line = at;
    int64_t id, votes;
    int group = -1;
    const choice_key_t *key = NULL;
    if (take_number(&at, end, ' ', &id) == 0) {
      const char *name = at;
      while (at < end && *at != ' ') at++;
      for (int g = 0; g < PC_GROUP_COUNT && group < 0; g++) {
        const char *known = pc_results_group_name(g);
        if (strlen(known) == (size_t)(at - name) && memcmp(known, name, (size_t)(at - name)) == 0) group = g;
      }
      key = find_choice(choices, id);
    }
    if (group < 0 || !key || at++ == end || take_number(&at, end, '\n', &votes) != 0 || votes > PC_RESULTS_VOTES_MAX)
      return pc_error_set(err, PC_EINTEGRITY, "the stored counts of precinct %s are damaged at byte %zu",
                          r->model.precincts[precinct].code, (size_t)(line - text));
    set_count(r, precinct, key, group, votes);
  }
  return 0;
}

static int load_precincts(pc_store_t *store, pc_results_t *r, const int64_t *ids, choice_index_t *choices,
                          pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT p.precinct_id, p.ballots_cast, p.registered_voters, p.counts FROM precinct_returns p"
                            " JOIN results_uploads u ON u.id = p.upload_id"
                            " WHERE u.election_id = ? AND u.mode = ? AND u.status = 'current'",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, r->model.election.id);
  pc_stmt_bind_text(stmt, 2, r->model.election.mode);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int p = precinct_by_id(r, ids, pc_stmt_column_int64(stmt, 0));
    assert(p >= 0);
    r->reporting[p] = 1;
    r->ballots_cast[p] = pc_stmt_column_int64(stmt, 1);
    r->registered[p] = pc_stmt_column_int64(stmt, 2);
    const char *counts = pc_stmt_column_text(stmt, 3); /* NULL: stored before 0013, in vote_returns */
    if (counts && (rc = decode_counts(r, choices, (size_t)p, counts, err)) != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

/* Counts of uploads stored before migration 0013: one vote_returns row each. */
static int load_votes(pc_store_t *store, pc_results_t *r, const int64_t *ids, choice_index_t *choices,
                      pc_error_t *err) {
  const pc_election_model_t *m = &r->model;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT v.precinct_id, v.choice_id, v.counting_group, v.votes FROM vote_returns v"
                            " JOIN results_uploads u ON u.id = v.upload_id"
                            " WHERE u.election_id = ? AND u.mode = ? AND u.status = 'current'",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, m->election.id);
  pc_stmt_bind_text(stmt, 2, m->election.mode);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    int p = precinct_by_id(r, ids, pc_stmt_column_int64(stmt, 0));
    const choice_key_t *key = find_choice(choices, pc_stmt_column_int64(stmt, 1));
    int group;
    int known = pc_results_parse_group(pc_stmt_column_text(stmt, 2), &group) == 0;
    assert(p >= 0 && key && known);
    (void)known;
    set_count(r, (size_t)p, key, group, pc_stmt_column_int64(stmt, 3));
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

static void sum_levels(pc_results_t *r) {
  const pc_election_model_t *m = &r->model;
  size_t per_level = r->choice_total * PC_GROUP_COUNT;
  r->level_totals = pc_xcalloc((m->county_count + 1) * per_level + 1, sizeof *r->level_totals);
  for (size_t p = 0; p < m->precinct_count; p++) {
    if (!r->reporting[p]) continue;
    const int32_t *row = &r->votes[cell(r, p, 0, 0)];
    int64_t *county = &r->level_totals[((size_t)m->precincts[p].county + 1) * per_level];
    int64_t *state = r->level_totals;
    for (size_t i = 0; i < per_level; i++) {
      county[i] += row[i];
      state[i] += row[i];
    }
  }
}

/* Hash of each contest's counts: for every reporting precinct its id, the
 * counting groups present and, for each, the choices' counts. */
static void hash_contests(pc_results_t *r) {
  const pc_election_model_t *m = &r->model;
  r->contest_sha256 = pc_xcalloc(m->contest_count + 1, sizeof *r->contest_sha256);
  int32_t *row = pc_xcalloc(r->choice_total + 1, sizeof *row);
  for (size_t c = 0; c < m->contest_count; c++) {
    pc_sha256_t state;
    pc_sha256_init(&state);
    size_t choices = m->contests[c].choice_count, base = r->choice_base[c];
    for (size_t p = 0; p < m->precinct_count; p++) {
      if (!r->reporting[p]) continue;
      const unsigned char *used = &r->group_used[(p * m->contest_count + c) * PC_GROUP_COUNT];
      pc_sha256_update(&state, &m->precincts[p].id, sizeof m->precincts[p].id);
      pc_sha256_update(&state, used, PC_GROUP_COUNT);
      for (int g = 0; g < PC_GROUP_COUNT; g++) {
        if (!used[g]) continue;
        for (size_t k = 0; k < choices; k++) row[k] = r->votes[cell(r, p, base + k, g)];
        pc_sha256_update(&state, row, choices * sizeof *row);
      }
    }
    pc_sha256_final_hex(&state, r->contest_sha256[c]);
  }
  free(row);
}

int pc_results_load(pc_store_t *store, int64_t election_id, pc_results_t *out, pc_error_t *err) {
  pc_results_t r;
  memset(&r, 0, sizeof r);
  int rc = pc_elections_load(store, election_id, &r.model, err);
  if (rc != 0) return rc;
  const pc_election_model_t *m = &r.model;
  r.choice_base = pc_xcalloc(m->contest_count + 1, sizeof *r.choice_base);
  for (size_t c = 0; c < m->contest_count; c++) {
    r.choice_base[c] = r.choice_total;
    r.choice_total += m->contests[c].choice_count;
  }
  size_t precincts = m->precinct_count;
  r.votes = pc_xcalloc(precincts * r.choice_total * PC_GROUP_COUNT + 1, sizeof *r.votes);
  r.group_used = pc_xcalloc(precincts * m->contest_count * PC_GROUP_COUNT + 1, 1);
  r.reporting = pc_xcalloc(precincts + 1, 1);
  r.ballots_cast = pc_xcalloc(precincts + 1, sizeof *r.ballots_cast);
  r.registered = pc_xcalloc(precincts + 1, sizeof *r.registered);
  int64_t *ids = pc_xcalloc(precincts + 1, sizeof *ids);
  for (size_t p = 0; p < precincts; p++) {
    ids[p] = m->precincts[p].id;
    r.registered[p] = m->precincts[p].registered_voters;
    assert(p == 0 || ids[p] > ids[p - 1]); /* load returns precincts in id order */
  }
  choice_key_t *keys = pc_xcalloc(r.choice_total + 1, sizeof *keys);
  for (size_t c = 0; c < m->contest_count; c++)
    for (size_t k = 0; k < m->contests[c].choice_count; k++)
      keys[r.choice_base[c] + k] = (choice_key_t){m->contests[c].choices[k].id, (int)c, (int)k};
  qsort(keys, r.choice_total, sizeof *keys, compare_choice_key);
  choice_index_t choices = {keys, r.choice_total, NULL};
  rc = load_precincts(store, &r, ids, &choices, err);
  if (rc == 0) rc = load_votes(store, &r, ids, &choices, err);
  if (rc == 0) rc = pc_results_rcv_overlay(store, &r, err); /* ranked-choice CVRs: rcv_overlay.c */
  free(keys);
  free(ids);
  if (rc != 0) {
    pc_results_free(&r);
    return rc;
  }
  sum_levels(&r);
  hash_contests(&r);
  pc_results_rcv_hash(&r);
  *out = r;
  return 0;
}

void pc_results_free(pc_results_t *r) {
  if (!r) return;
  pc_elections_model_free(&r->model);
  free(r->choice_base);
  free(r->votes);
  free(r->group_used);
  free(r->reporting);
  free(r->ballots_cast);
  free(r->registered);
  free(r->level_totals);
  free(r->contest_sha256);
  pc_results_rcv_free(r);
  memset(r, 0, sizeof *r);
}

int64_t pc_results_votes(const pc_results_t *r, int contest, int choice, int county, int group) {
  assert(contest >= 0 && (size_t)contest < r->model.contest_count);
  assert(county >= -1 && county < (int)r->model.county_count);
  size_t per_level = r->choice_total * PC_GROUP_COUNT;
  const int64_t *level = &r->level_totals[(size_t)(county + 1) * per_level];
  const int64_t *cells = &level[(r->choice_base[contest] + (size_t)choice) * PC_GROUP_COUNT];
  if (group >= 0) return cells[group];
  int64_t sum = 0;
  for (int g = 0; g < PC_GROUP_COUNT; g++) sum += cells[g];
  return sum;
}

void pc_results_reporting(const pc_results_t *r, int contest, int county, long *reporting, long *total) {
  const pc_election_model_t *m = &r->model;
  long in_contest = 0, reported = 0;
  for (size_t p = 0; p < m->precinct_count; p++) {
    if (county >= 0 && m->precincts[p].county != county) continue;
    if (!pc_elections_style_has_contest(m, m->precincts[p].ballot_style, contest)) continue;
    in_contest++;
    reported += r->reporting[p];
  }
  *reporting = reported;
  *total = in_contest;
}

void pc_results_turnout(const pc_results_t *r, int county, int reporting_only, int64_t *ballots, int64_t *registered) {
  const pc_election_model_t *m = &r->model;
  int64_t cast = 0, voters = 0;
  for (size_t p = 0; p < m->precinct_count; p++) {
    if (county >= 0 && m->precincts[p].county != county) continue;
    if (reporting_only && !r->reporting[p]) continue;
    cast += r->ballots_cast[p];
    voters += r->registered[p];
  }
  *ballots = cast;
  *registered = voters;
}
