/* Reading election definitions back from the database into the in-memory
 * model, and the audited single-field edits (poll-closing time,
 * certification). Saving a whole definition is in store.c. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/elections.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static char *column_dup(pc_stmt_t *stmt, int i) {
  const char *text = pc_stmt_column_text(stmt, i);
  return pc_xstrdup(text ? text : "");
}

/* The columns read_election reads, in its order; joined into each statement
 * at compile time, so every statement is a constant. */
#define SELECT_ELECTION \
    "SELECT id, code, name, election_date, election_type, jurisdiction, COALESCE(poll_close_at, ''), mode," \
    " zero_report_sha256 IS NOT NULL FROM elections "

static void read_election(pc_stmt_t *stmt, pc_election_t *out) {
  memset(out, 0, sizeof *out);
  out->id = pc_stmt_column_int64(stmt, 0);
  pc_strlcpy(out->code, pc_stmt_column_text(stmt, 1), sizeof out->code);
  pc_strlcpy(out->name, pc_stmt_column_text(stmt, 2), sizeof out->name);
  pc_strlcpy(out->date, pc_stmt_column_text(stmt, 3), sizeof out->date);
  pc_strlcpy(out->type, pc_stmt_column_text(stmt, 4), sizeof out->type);
  pc_strlcpy(out->jurisdiction, pc_stmt_column_text(stmt, 5), sizeof out->jurisdiction);
  pc_strlcpy(out->poll_close_at, pc_stmt_column_text(stmt, 6), sizeof out->poll_close_at);
  pc_strlcpy(out->mode, pc_stmt_column_text(stmt, 7), sizeof out->mode);
  out->zero_report_done = (int)pc_stmt_column_int64(stmt, 8);
}

int pc_elections_get(pc_store_t *store, int64_t id, pc_election_t *out, pc_error_t *err) {
  const char *sql = id ? SELECT_ELECTION "WHERE id = ?" : SELECT_ELECTION "ORDER BY id DESC LIMIT 1";
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  if (id) pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) read_election(stmt, out), rc = 0;
  else if (rc == PC_STORE_DONE)
    rc = id ? pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "election", "no election with id %lld", (long long)id)
            : pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "election", "no election defined yet (import one first)");
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_elections_resolve(pc_store_t *store, const char *id_or_code, int64_t *id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM elections WHERE code = ? OR CAST(id AS TEXT) = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, id_or_code);
  pc_stmt_bind_text(stmt, 2, id_or_code);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) *id = pc_stmt_column_int64(stmt, 0), rc = 0;
  else if (rc == PC_STORE_DONE)
    rc = pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "--election", "no election with id or code \"%s\"", id_or_code);
  pc_stmt_finalize(stmt);
  return rc;
}

/* Index of the row with database id WANTED in an array of COUNT structs of
 * STRIDE bytes, sorted by id, each starting with its int64_t id; -1 if absent. */
static int find_by_id(const void *array, size_t count, size_t stride, int64_t wanted) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int64_t id;
    memcpy(&id, (const char *)array + mid * stride, sizeof id);
    if (id == wanted) return (int)mid;
    if (id < wanted) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}
#define FIND_BY_ID(array, count, wanted) find_by_id((array), (count), sizeof *(array), (wanted))

/* Steps through SQL (bound to the election id) calling ROW for each row. */
static int each_row(pc_store_t *store, const char *sql, int64_t election, pc_election_model_t *m,
                    void (*row)(pc_stmt_t *stmt, pc_election_model_t *m), pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) row(stmt, m);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

#define GROW(array, count) ((array) = pc_xreallocarray((array), (count) + 1, sizeof *(array)), &(array)[(count)++])

static void party_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_party_t *p = GROW(m->parties, m->party_count);
  *p = (pc_party_t){pc_stmt_column_int64(s, 0), column_dup(s, 1), column_dup(s, 2), column_dup(s, 3)};
}

static void district_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_district_t *d = GROW(m->districts, m->district_count);
  *d = (pc_district_t){pc_stmt_column_int64(s, 0), column_dup(s, 1), column_dup(s, 2), column_dup(s, 3)};
}

static void style_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_ballot_style_t *b = GROW(m->ballot_styles, m->ballot_style_count);
  *b = (pc_ballot_style_t){pc_stmt_column_int64(s, 0), column_dup(s, 1), NULL, 0};
}

static void county_row(pc_stmt_t *s, pc_election_model_t *m) {
  struct pc_model_county *c = GROW(m->counties, m->county_count);
  char unit[160];
  pc_elections_county_unit_code(pc_stmt_column_text(s, 1), pc_stmt_column_text(s, 2), unit, sizeof unit);
  c->id = pc_stmt_column_int64(s, 0);
  c->name = column_dup(s, 1);
  c->unit_code = pc_xstrdup(unit);
}

static void precinct_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_precinct_t *p = GROW(m->precincts, m->precinct_count);
  int64_t county = pc_stmt_column_int64(s, 1), style = pc_stmt_column_int64(s, 4);
  p->id = pc_stmt_column_int64(s, 0);
  p->county = FIND_BY_ID(m->counties, m->county_count, county);
  p->code = column_dup(s, 2);
  p->name = column_dup(s, 3);
  p->ballot_style = pc_stmt_column_is_null(s, 4) ? -1 : FIND_BY_ID(m->ballot_styles, m->ballot_style_count, style);
  p->registered_voters = pc_stmt_column_int64(s, 5);
  p->boundary_geojson = pc_stmt_column_is_null(s, 6) ? NULL : column_dup(s, 6);
  assert(p->county >= 0);
}

static void polling_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_polling_place_t *pp = GROW(m->polling_places, m->polling_place_count);
  int64_t precinct = pc_stmt_column_int64(s, 1);
  pp->id = pc_stmt_column_int64(s, 0);
  pp->precinct = FIND_BY_ID(m->precincts, m->precinct_count, precinct);
  pp->code = column_dup(s, 2);
  pp->name = column_dup(s, 3);
  pp->address = column_dup(s, 4);
  pp->hours = column_dup(s, 5);
}

static void candidate_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_candidate_t *c = GROW(m->candidates, m->candidate_count);
  int64_t party = pc_stmt_column_int64(s, 3);
  c->id = pc_stmt_column_int64(s, 0);
  c->code = column_dup(s, 1);
  c->ballot_name = column_dup(s, 2);
  c->party = pc_stmt_column_is_null(s, 3) ? -1 : FIND_BY_ID(m->parties, m->party_count, party);
}

static void contest_row(pc_stmt_t *s, pc_election_model_t *m) {
  pc_contest_t *c = GROW(m->contests, m->contest_count);
  memset(c, 0, sizeof *c);
  int64_t candidate = pc_stmt_column_int64(s, 6);
  c->id = pc_stmt_column_int64(s, 0);
  c->code = column_dup(s, 1);
  c->name = column_dup(s, 2);
  int rc = pc_elections_parse_kind(pc_stmt_column_text(s, 3), &c->kind);
  assert(rc == 0);
  (void)rc;
  c->district_code = column_dup(s, 4);
  c->vote_for = (int)pc_stmt_column_int64(s, 5);
  c->retention_candidate = pc_stmt_column_is_null(s, 6) ? -1 : FIND_BY_ID(m->candidates, m->candidate_count, candidate);
  c->certified = (int)pc_stmt_column_int64(s, 7);
}

static void choice_row(pc_stmt_t *s, pc_election_model_t *m) {
  int64_t contest_id = pc_stmt_column_int64(s, 0), candidate = pc_stmt_column_int64(s, 4);
  int contest = FIND_BY_ID(m->contests, m->contest_count, contest_id);
  assert(contest >= 0);
  pc_contest_t *c = &m->contests[contest];
  pc_choice_t *ch = GROW(c->choices, c->choice_count);
  ch->id = pc_stmt_column_int64(s, 1);
  ch->code = column_dup(s, 2);
  ch->name = column_dup(s, 3);
  ch->candidate = pc_stmt_column_is_null(s, 4) ? -1 : FIND_BY_ID(m->candidates, m->candidate_count, candidate);
  ch->is_write_in = (int)pc_stmt_column_int64(s, 5);
}

static void style_contest_row(pc_stmt_t *s, pc_election_model_t *m) {
  int64_t style_id = pc_stmt_column_int64(s, 0), contest_id = pc_stmt_column_int64(s, 1);
  int style = FIND_BY_ID(m->ballot_styles, m->ballot_style_count, style_id);
  int contest = FIND_BY_ID(m->contests, m->contest_count, contest_id);
  assert(style >= 0 && contest >= 0);
  pc_ballot_style_t *b = &m->ballot_styles[style];
  *GROW(b->contests, b->contest_count) = contest;
}

/* Contests are read in id order (FIND_BY_ID needs it); their ballot order is
 * the sequence column, which the admin pages change. Puts M->contests in
 * sequence order and remaps the ballot styles' contest indexes. */
static int order_contests(pc_store_t *store, int64_t election, pc_election_model_t *m, pc_error_t *err) {
  if (m->contest_count < 2) return 0;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM contests WHERE election_id = ? ORDER BY sequence, id", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, election);
  int *old_of_new = pc_xcalloc(m->contest_count, sizeof *old_of_new);
  size_t n = 0;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW && n < m->contest_count)
    old_of_new[n++] = FIND_BY_ID(m->contests, m->contest_count, pc_stmt_column_int64(stmt, 0));
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_ROW || rc == PC_STORE_DONE) rc = n == m->contest_count ? 0 : PC_EINTERNAL;
  if (rc == 0) {
    int *new_of_old = pc_xcalloc(m->contest_count, sizeof *new_of_old);
    pc_contest_t *ordered = pc_xcalloc(m->contest_count, sizeof *ordered);
    for (size_t i = 0; i < n; i++) {
      assert(old_of_new[i] >= 0);
      ordered[i] = m->contests[old_of_new[i]];
      new_of_old[old_of_new[i]] = (int)i;
    }
    free(m->contests);
    m->contests = ordered;
    for (size_t s = 0; s < m->ballot_style_count; s++)
      for (size_t k = 0; k < m->ballot_styles[s].contest_count; k++)
        m->ballot_styles[s].contests[k] = new_of_old[m->ballot_styles[s].contests[k]];
    free(new_of_old);
  } else if (rc == PC_EINTERNAL) {
    pc_error_set(err, rc, "contests changed while the election was read");
  }
  free(old_of_new);
  return rc;
}

int pc_elections_load(pc_store_t *store, int64_t id, pc_election_model_t *model, pc_error_t *err) {
  pc_election_model_t m;
  memset(&m, 0, sizeof m);
  int rc = pc_elections_get(store, id, &m.election, err);
  if (rc != 0) return rc;
  int64_t e = m.election.id;
  /* Contests are read in id order (their ballot order is the insertion
   * order), which FIND_BY_ID needs; so is every other table. */
  rc = each_row(store, "SELECT id, code, name, abbreviation FROM parties WHERE election_id = ? ORDER BY id", e, &m,
                party_row, err);
  if (rc == 0)
    rc = each_row(store, "SELECT id, code, name, unit_type FROM districts WHERE election_id = ? ORDER BY id", e, &m,
                  district_row, err);
  if (rc == 0)
    rc = each_row(store, "SELECT id, code FROM ballot_styles WHERE election_id = ? ORDER BY id", e, &m, style_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT id, name, COALESCE(fips, '') FROM counties WHERE id IN"
                  " (SELECT county_id FROM precincts WHERE election_id = ?) ORDER BY id",
                  e, &m, county_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT id, county_id, code, name, ballot_style_id, registered_voters, boundary_geojson"
                  " FROM precincts WHERE election_id = ? ORDER BY id",
                  e, &m, precinct_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT id, precinct_id, code, name, address, hours FROM polling_places WHERE election_id = ? ORDER BY id",
                  e, &m, polling_row, err);
  if (rc == 0)
    rc = each_row(store, "SELECT id, code, ballot_name, party_id FROM candidates WHERE election_id = ? ORDER BY id",
                  e, &m, candidate_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT id, code, name, kind, district_code, vote_for, retention_candidate_id, certified"
                  " FROM contests WHERE election_id = ? ORDER BY id",
                  e, &m, contest_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT ch.contest_id, ch.id, ch.code, ch.name, ch.candidate_id, ch.is_write_in FROM choices ch"
                  " JOIN contests c ON c.id = ch.contest_id WHERE c.election_id = ? ORDER BY ch.contest_id, ch.sequence",
                  e, &m, choice_row, err);
  if (rc == 0)
    rc = each_row(store,
                  "SELECT bsc.ballot_style_id, bsc.contest_id FROM ballot_style_contests bsc"
                  " JOIN ballot_styles b ON b.id = bsc.ballot_style_id WHERE b.election_id = ? ORDER BY bsc.id",
                  e, &m, style_contest_row, err);
  if (rc == 0) rc = order_contests(store, e, &m, err);
  if (rc == 0) rc = pc_elections_model_index(&m, err);
  if (rc != 0) {
    pc_elections_model_free(&m);
    return rc;
  }
  *model = m;
  return 0;
}

/* Runs an audited one-row UPDATE of TABLE row ROW_ID. */
static int audited_update(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *table,
                          int64_t row_id, const char *sql, const char *text, int64_t number, pc_error_t *err) {
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  unsigned char before[PC_HASH_SIZE];
  rc = pc_audit_row_hash(store, table, row_id, before, err);
  pc_stmt_t *stmt;
  if (rc == 0) rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc == 0) {
    if (text) pc_stmt_bind_text(stmt, 1, text);
    else pc_stmt_bind_int64(stmt, 1, number);
    pc_stmt_bind_int64(stmt, 2, row_id);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_DONE) rc = 0;
    pc_stmt_finalize(stmt);
  }
  if (rc == 0) rc = pc_audit_record(store, actor, action, table, row_id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

int pc_elections_set_poll_close(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *rfc3339,
                                pc_error_t *err) {
  int64_t seconds;
  if (pc_clock_parse_rfc3339(rfc3339, &seconds) != 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "--poll-close", "expected an RFC 3339 time, got \"%s\"", rfc3339);
  char normal[PC_RFC3339_SIZE];
  pc_clock_format_rfc3339(seconds, normal);
  pc_election_t election;
  int rc = pc_elections_get(store, id, &election, err);
  if (rc != 0) return rc;
  return audited_update(store, actor, "election.poll_close", "elections", id,
                        "UPDATE elections SET poll_close_at = ? WHERE id = ?", normal, 0, err);
}

int pc_elections_set_certified(pc_store_t *store, const pc_actor_t *actor, int64_t id, const char *contest_code,
                               int certified, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT id FROM contests WHERE election_id = ? AND code = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  pc_stmt_bind_text(stmt, 2, contest_code);
  int64_t contest = 0;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) contest = pc_stmt_column_int64(stmt, 0), rc = 0;
  else if (rc == PC_STORE_DONE)
    rc = pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "--contest", "no contest \"%s\" in election %lld", contest_code,
                         (long long)id);
  pc_stmt_finalize(stmt);
  if (rc != 0) return rc;
  return audited_update(store, actor, certified ? "contest.certify" : "contest.uncertify", "contests", contest,
                        "UPDATE contests SET certified = ? WHERE id = ?", NULL, certified ? 1 : 0, err);
}
