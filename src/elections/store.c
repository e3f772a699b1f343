/* Election definitions in the database: checking and saving a whole model in
 * one audited transaction, loading it back, and the few audited edits
 * (poll-closing time, certification). Formats live in err_*.c / csv_import.c. */
#include "precinct/alloc.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/elections.h"
#include "elections_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int fail(pc_error_t *err, const char *field, const char *fmt, const char *a, const char *b) {
  return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, fmt, a, b ? b : "");
}

static int has_control(const char *value) {
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return 1;
  return 0;
}

int pc__elections_check_text(pc_error_t *err, const char *field, const char *value, size_t max) {
  if (!value || !value[0]) return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "must not be empty");
  if (strlen(value) > max) return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "longer than %zu characters", max);
  /* Names reach HTML, CSV and JSON outputs: no control characters. */
  if (has_control(value)) return pc_error_set_at(err, PC_EINVAL, NULL, 0, field, "\"%s\" holds a control character", value);
  return 0;
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every ERR @id in the definition must be unique document-wide. */
static int check_unique_codes(const pc_election_model_t *m, pc_error_t *err) {
  size_t cap = 1 + m->county_count + m->party_count + m->district_count + m->ballot_style_count + m->precinct_count +
               m->polling_place_count + m->candidate_count + m->contest_count;
  for (size_t i = 0; i < m->contest_count; i++) cap += m->contests[i].choice_count;
  const char **codes = pc_xcalloc(cap, sizeof *codes);
  size_t n = 0;
  codes[n++] = "state";
  for (size_t i = 0; i < m->county_count; i++) codes[n++] = m->counties[i].unit_code;
  for (size_t i = 0; i < m->party_count; i++) codes[n++] = m->parties[i].code;
  for (size_t i = 0; i < m->district_count; i++) codes[n++] = m->districts[i].code;
  for (size_t i = 0; i < m->ballot_style_count; i++) codes[n++] = m->ballot_styles[i].code;
  for (size_t i = 0; i < m->precinct_count; i++) codes[n++] = m->precincts[i].code;
  for (size_t i = 0; i < m->polling_place_count; i++) codes[n++] = m->polling_places[i].code;
  for (size_t i = 0; i < m->candidate_count; i++) codes[n++] = m->candidates[i].code;
  for (size_t i = 0; i < m->contest_count; i++) {
    codes[n++] = m->contests[i].code;
    for (size_t k = 0; k < m->contests[i].choice_count; k++) codes[n++] = m->contests[i].choices[k].code;
  }
  assert(n == cap);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (!codes[i] || !codes[i][0]) rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "code", "an object has no code");
    else if (strlen(codes[i]) > PC_ELECTION_CODE_MAX)
      rc = fail(err, "code", "code \"%s\" is longer than 64 characters%s", codes[i], NULL);
    else if (has_control(codes[i]))
      rc = fail(err, "code", "code \"%s\" holds a control character%s", codes[i], NULL);
  }
  if (rc == 0) {
    qsort(codes, n, sizeof *codes, compare_strings);
    for (size_t i = 1; i < n && rc == 0; i++)
      if (strcmp(codes[i - 1], codes[i]) == 0)
        rc = fail(err, "code", "code \"%s\" names two objects; codes (ERR @id) must be unique%s", codes[i], NULL);
  }
  free(codes);
  return rc;
}

int pc__elections_known_district(const pc_election_model_t *m, const char *code) {
  if (strcmp(code, "state") == 0) return 1;
  for (size_t i = 0; i < m->county_count; i++)
    if (strcmp(m->counties[i].unit_code, code) == 0) return 1;
  for (size_t i = 0; i < m->district_count; i++)
    if (strcmp(m->districts[i].code, code) == 0) return 1;
  return 0;
}

int pc__elections_check(const pc_election_model_t *m, int complete, pc_error_t *err) {
  const pc_election_t *e = &m->election;
  int rc = pc__elections_check_text(err, "election.code", e->code, PC_ELECTION_CODE_MAX);
  if (rc == 0) rc = pc__elections_check_text(err, "election.name", e->name, PC_ELECTION_NAME_MAX);
  if (rc == 0) rc = pc__elections_check_text(err, "election.jurisdiction", e->jurisdiction, 127);
  int64_t seconds;
  char probe[48];
  pc_snprintf(probe, sizeof probe, "%sT00:00:00Z", e->date);
  if (rc == 0 && (strlen(e->date) != 10 || pc_clock_parse_rfc3339(probe, &seconds) != 0))
    rc = fail(err, "election.date", "expected YYYY-MM-DD, got \"%s\"%s", e->date, NULL);
  if (rc == 0 && !pc_elections_valid_type(e->type))
    rc = fail(err, "election.type", "\"%s\" is not an ERR ElectionType (general, primary, special, ...)%s", e->type, NULL);
  if (rc == 0 && e->poll_close_at[0] && pc_clock_parse_rfc3339(e->poll_close_at, &seconds) != 0)
    rc = fail(err, "election.poll_close_at", "expected an RFC 3339 time, got \"%s\"%s", e->poll_close_at, NULL);
  if (rc == 0 && complete && m->precinct_count == 0) rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "precincts", "no precincts");
  if (rc == 0 && complete && m->contest_count == 0) rc = pc_error_set_at(err, PC_EINVAL, NULL, 0, "contests", "no contests");
  if (rc == 0) rc = check_unique_codes(m, err);
  for (size_t i = 0; rc == 0 && i < m->district_count; i++)
    if (!pc_elections_valid_unit_type(m->districts[i].unit_type))
      rc = fail(err, "district.type", "district %s: \"%s\" is not an ERR ReportingUnitType", m->districts[i].code,
                m->districts[i].unit_type);
  for (size_t i = 0; rc == 0 && i < m->precinct_count; i++) {
    const pc_precinct_t *p = &m->precincts[i];
    rc = pc__elections_check_text(err, "precinct.name", p->name, PC_ELECTION_NAME_MAX);
    if (rc == 0 && (p->county < 0 || (size_t)p->county >= m->county_count))
      rc = fail(err, "precinct.county", "precinct %s has no county%s", p->code, NULL);
    if (rc == 0 && (p->ballot_style < -1 || p->ballot_style >= (int)m->ballot_style_count))
      rc = fail(err, "precinct.ballot_style", "precinct %s names an unknown ballot style%s", p->code, NULL);
    if (rc == 0 && p->registered_voters < 0)
      rc = fail(err, "precinct.registered_voters", "precinct %s: negative registered voters%s", p->code, NULL);
  }
  for (size_t i = 0; rc == 0 && i < m->contest_count; i++) {
    const pc_contest_t *c = &m->contests[i];
    rc = pc__elections_check_text(err, "contest.name", c->name, PC_ELECTION_NAME_MAX);
    if (rc == 0 && !pc__elections_known_district(m, c->district_code))
      rc = fail(err, "contest.district", "contest %s: unknown district \"%s\"", c->code, c->district_code);
    if (rc == 0 && (c->vote_for < 1 || c->vote_for > 100))
      rc = fail(err, "contest.vote_for", "contest %s: vote-for must be 1 to 100%s", c->code, NULL);
    if (rc == 0 && complete && c->choice_count == 0) rc = fail(err, "contest.choices", "contest %s has no choices%s", c->code, NULL);
    if (rc == 0 && c->kind != PC_CONTEST_CANDIDATE && c->vote_for != 1)
      rc = fail(err, "contest.vote_for", "contest %s: %s contests are vote for 1", c->code, pc_elections_kind_name(c->kind));
    if (rc == 0 && c->kind == PC_CONTEST_RETENTION && c->retention_candidate < 0)
      rc = fail(err, "contest.candidate", "retention contest %s names no candidate%s", c->code, NULL);
    for (size_t k = 0; rc == 0 && k < c->choice_count; k++)
      rc = pc__elections_check_text(err, "choice.name", c->choices[k].name, PC_ELECTION_NAME_MAX);
  }
  for (size_t i = 0; rc == 0 && i < m->party_count; i++) rc = pc__elections_check_text(err, "party.name", m->parties[i].name, 200);
  for (size_t i = 0; rc == 0 && i < m->district_count; i++) rc = pc__elections_check_text(err, "district.name", m->districts[i].name, 200);
  for (size_t i = 0; rc == 0 && i < m->candidate_count; i++)
    rc = pc__elections_check_text(err, "candidate.ballot_name", m->candidates[i].ballot_name, 200);
  for (size_t i = 0; rc == 0 && i < m->polling_place_count; i++)
    rc = pc__elections_check_text(err, "polling_place.name", m->polling_places[i].name, 200);
  for (size_t i = 0; rc == 0 && i < m->polling_place_count; i++)
    if (m->polling_places[i].precinct < 0 || (size_t)m->polling_places[i].precinct >= m->precinct_count)
      rc = fail(err, "polling_place.precinct", "polling place %s names no precinct%s", m->polling_places[i].code, NULL);
  return rc;
}

/* Runs SQL with the given bindings ('s' text, 'i' int64, 'n' null-or-text)
 * and returns the RETURNING id in *ID when ID is not NULL. */
static int insert(pc_store_t *store, const char *sql, int64_t *id, pc_error_t *err, const char *types, ...) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  va_list ap;
  va_start(ap, types);
  for (int i = 0; types[i]; i++) {
    if (types[i] == 'i') pc_stmt_bind_int64(stmt, i + 1, va_arg(ap, int64_t));
    else pc_stmt_bind_text(stmt, i + 1, va_arg(ap, const char *));
  }
  va_end(ap);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW && id) *id = pc_stmt_column_int64(stmt, 0);
  if (rc == PC_STORE_ROW || rc == PC_STORE_DONE) rc = 0;
  pc_stmt_finalize(stmt);
  return rc;
}

static int resolve_counties(pc_store_t *store, pc_election_model_t *m, pc_error_t *err) {
  for (size_t i = 0; i < m->county_count; i++) {
    pc_county_t county;
    int rc = pc_counties_find(store, m->counties[i].name, &county, err);
    if (rc != 0) return rc == PC_ENOTFOUND ? pc_error_set(err, PC_ENOTFOUND, "county \"%s\" does not exist; create it first", m->counties[i].name) : rc;
    m->counties[i].id = county.id;
    char unit[160];
    pc_elections_county_unit_code(county.name, county.fips, unit, sizeof unit);
    /* Contests may name the county by the unit code the file used. */
    for (size_t c = 0; m->counties[i].unit_code && c < m->contest_count; c++)
      if (strcmp(m->contests[c].district_code, m->counties[i].unit_code) == 0) {
        free(m->contests[c].district_code);
        m->contests[c].district_code = pc_xstrdup(unit);
      }
    free(m->counties[i].unit_code);
    m->counties[i].unit_code = pc_xstrdup(unit);
  }
  return 0;
}

static int save_rows(pc_store_t *store, pc_election_model_t *m, int64_t election, pc_error_t *err) {
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < m->party_count; i++)
    rc = insert(store, "INSERT INTO parties (election_id, code, name, abbreviation) VALUES (?, ?, ?, ?) RETURNING id",
                &m->parties[i].id, err, "isss", election, m->parties[i].code, m->parties[i].name,
                m->parties[i].abbreviation ? m->parties[i].abbreviation : "");
  for (size_t i = 0; rc == 0 && i < m->district_count; i++)
    rc = insert(store, "INSERT INTO districts (election_id, code, name, unit_type) VALUES (?, ?, ?, ?) RETURNING id",
                &m->districts[i].id, err, "isss", election, m->districts[i].code, m->districts[i].name,
                m->districts[i].unit_type);
  for (size_t i = 0; rc == 0 && i < m->ballot_style_count; i++)
    rc = insert(store, "INSERT INTO ballot_styles (election_id, code) VALUES (?, ?) RETURNING id",
                &m->ballot_styles[i].id, err, "is", election, m->ballot_styles[i].code);
  for (size_t i = 0; rc == 0 && i < m->precinct_count; i++) {
    pc_precinct_t *p = &m->precincts[i];
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store,
                          "INSERT INTO precincts (election_id, county_id, code, name, ballot_style_id, registered_voters,"
                          " boundary_geojson) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
    if (rc != 0) break;
    pc_stmt_bind_int64(stmt, 1, election);
    pc_stmt_bind_int64(stmt, 2, m->counties[p->county].id);
    pc_stmt_bind_text(stmt, 3, p->code);
    pc_stmt_bind_text(stmt, 4, p->name);
    if (p->ballot_style >= 0) pc_stmt_bind_int64(stmt, 5, m->ballot_styles[p->ballot_style].id);
    else pc_stmt_bind_null(stmt, 5);
    pc_stmt_bind_int64(stmt, 6, p->registered_voters);
    pc_stmt_bind_text(stmt, 7, p->boundary_geojson);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) p->id = pc_stmt_column_int64(stmt, 0), rc = 0;
    pc_stmt_finalize(stmt);
  }
  for (size_t i = 0; rc == 0 && i < m->polling_place_count; i++) {
    pc_polling_place_t *pp = &m->polling_places[i];
    rc = insert(store,
                "INSERT INTO polling_places (election_id, precinct_id, code, name, address, hours)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &pp->id, err, "iissss", election, m->precincts[pp->precinct].id, pp->code, pp->name,
                pp->address ? pp->address : "", pp->hours ? pp->hours : "");
  }
  for (size_t i = 0; rc == 0 && i < m->candidate_count; i++) {
    pc_candidate_t *c = &m->candidates[i];
    int64_t party = c->party >= 0 ? m->parties[c->party].id : 0;
    rc = insert(store,
                "INSERT INTO candidates (election_id, code, ballot_name, party_id) VALUES (?, ?, ?, NULLIF(?, 0))"
                " RETURNING id",
                &c->id, err, "issi", election, c->code, c->ballot_name, party);
  }
  for (size_t i = 0; rc == 0 && i < m->contest_count; i++) {
    pc_contest_t *c = &m->contests[i];
    int64_t candidate = c->retention_candidate >= 0 ? m->candidates[c->retention_candidate].id : 0;
    rc = insert(store,
                "INSERT INTO contests (election_id, code, name, kind, district_code, vote_for, sequence,"
                " retention_candidate_id, certified) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?) RETURNING id",
                &c->id, err, "issssiiii", election, c->code, c->name, pc_elections_kind_name(c->kind),
                c->district_code, (int64_t)c->vote_for, (int64_t)(i + 1), candidate, (int64_t)(c->certified != 0));
    for (size_t k = 0; rc == 0 && k < c->choice_count; k++) {
      pc_choice_t *ch = &c->choices[k];
      rc = insert(store,
                  "INSERT INTO choices (contest_id, code, name, candidate_id, is_write_in, sequence)"
                  " VALUES (?, ?, ?, NULLIF(?, 0), ?, ?) RETURNING id",
                  &ch->id, err, "issiii", c->id, ch->code, ch->name,
                  ch->candidate >= 0 ? m->candidates[ch->candidate].id : (int64_t)0,
                  (int64_t)(ch->is_write_in != 0), (int64_t)(k + 1));
    }
  }
  for (size_t s = 0; rc == 0 && s < m->ballot_style_count; s++)
    for (size_t k = 0; rc == 0 && k < m->ballot_styles[s].contest_count; k++)
      rc = insert(store, "INSERT INTO ballot_style_contests (ballot_style_id, contest_id) VALUES (?, ?)", NULL, err,
                  "ii", m->ballot_styles[s].id, m->contests[m->ballot_styles[s].contests[k]].id);
  return rc;
}

int pc_elections_save(pc_store_t *store, const pc_actor_t *actor, pc_election_model_t *model, int64_t *id,
                      pc_error_t *err) {
  int rc = resolve_counties(store, model, err);
  if (rc == 0) rc = pc__elections_check(model, 1, err);
  if (rc == 0) rc = pc_elections_model_index(model, err);
  if (rc != 0) return rc;
  /* The definition's hash goes into the audited elections row, so the audit
   * log covers the whole definition without one entry per precinct. */
  char hex[65];
  rc = pc_elections_definition_sha256(model, hex, err);
  if (rc != 0) return rc;

  rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  int64_t election = 0;
  const pc_election_t *e = &model->election;
  rc = insert(store,
              "INSERT INTO elections (code, name, election_date, election_type, jurisdiction, poll_close_at, mode,"
              " definition_sha256, created_at) VALUES (?, ?, ?, ?, ?, NULLIF(?, ''), 'test', ?, ?) RETURNING id",
              &election, err, "ssssssss", e->code, e->name, e->date, e->type, e->jurisdiction, e->poll_close_at, hex,
              now);
  if (rc == PC_ECONFLICT) rc = fail(err, "election.code", "an election with code \"%s\" exists already%s", e->code, NULL);
  if (rc == 0) rc = save_rows(store, model, election, err);
  if (rc == PC_ECONFLICT) rc = pc_error_set(err, PC_EINVAL, "the definition breaks a uniqueness rule: %s", err ? err->message : "");
  if (rc == 0) rc = pc_audit_record(store, actor, "election.import", "elections", election, NULL, NULL, err);
  /* Contests carry state of their own (certification): each is audited. The
   * rest of the definition is covered by definition_sha256 on the election. */
  for (size_t i = 0; rc == 0 && i < model->contest_count; i++)
    rc = pc_audit_record(store, actor, "contest.create", "contests", model->contests[i].id, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) {
    model->election.id = election;
    pc_strlcpy(model->election.mode, "test", sizeof model->election.mode);
    if (id) *id = election;
  }
  return rc;
}
