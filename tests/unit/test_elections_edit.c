/* Tests for the one-object edits behind the admin pages: building an
 * election from nothing, field-named validation errors, ballot order,
 * refusals that protect returns and live elections, county scope, and that
 * the audit log and the definition hash keep up with every edit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_election.h"
#include "support.h"

#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/elections.h"
#include "precinct/elections_edit.h"
#include "precinct/results.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef pc_test_election_t fixture_t;

static int setup(void **state) {
  fixture_t *f = pc_test_election_open();
  pc_error_t err;
  assert_int_equal(pc_counties_create(f->store, &f->actor, "Alder", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->actor, "Birch", "99002", NULL, &err), 0);
  assert_int_equal(pc_audit_key_create(&f->instance, &err), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) { return pc_test_election_teardown(state); }

/* Name/value pairs, NULL-terminated, as a form would send them. */
static const char *pairs_get(void *context, const char *name, size_t index) {
  const char *const *pairs = context;
  for (size_t i = 0; pairs[i]; i += 2)
    if (strcmp(pairs[i], name) == 0 && index-- == 0) return pairs[i + 1];
  return NULL;
}

/* Runs one edit; returns its code and leaves the error in *ERR. */
static int edit(fixture_t *f, pc_edit_object_t object, pc_edit_op_t op, int64_t id, int64_t parent,
                const char *const *pairs, int64_t *out, pc_error_t *err) {
  pc_elections_edit_t request = {object, op, id, parent, 0, {pairs_get, (void *)pairs}};
  pc_error_clear(err);
  return pc_elections_edit(f->store, &f->actor, f->election, &request, out, err);
}

static int64_t must_edit(fixture_t *f, pc_edit_object_t object, pc_edit_op_t op, int64_t id, int64_t parent,
                         const char *const *pairs) {
  pc_error_t err;
  int64_t out = 0;
  int rc = edit(f, object, op, id, parent, pairs, &out, &err);
  if (rc != 0) fail_msg("edit %d/%d: %s (field %s)", (int)object, (int)op, err.message, err.field);
  return out;
}

static void expect_field(fixture_t *f, pc_edit_object_t object, pc_edit_op_t op, int64_t id, int64_t parent,
                         const char *const *pairs, int code, const char *field, const char *fragment) {
  pc_error_t err;
  int rc = edit(f, object, op, id, parent, pairs, NULL, &err);
  if (rc != code || strcmp(err.field, field) != 0 || !strstr(err.message, fragment))
    fail_msg("expected %d field \"%s\" with \"%s\", got %d field \"%s\": %s", code, field, fragment, rc, err.field,
             err.message);
}

static void audit_verifies(fixture_t *f) {
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  pc_error_t err;
  pc_audit_verify_report_t report;
  assert_int_equal(pc_audit_public_key_load(&f->instance, public_key, &err), 0);
  if (pc_audit_verify(f->store, public_key, NULL, &report, &err) != 0) fail_msg("audit verify: %s", err.message);
  assert_int_equal(report.problems, 0);
}

/* The stored definition hash is the hash of the definition as loaded now. */
static void hash_matches(fixture_t *f) {
  pc_election_model_t m;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, f->election, &m, &err), 0);
  char hex[65], sql[160];
  assert_int_equal(pc_elections_definition_sha256(&m, hex, &err), 0);
  pc_snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM elections WHERE id = %lld AND definition_sha256 = '%s'",
              (long long)f->election, hex);
  assert_int_equal(pc_test_query_int(f->store, sql), 1);
  pc_elections_model_free(&m);
}

static void create_election(fixture_t *f) {
  const char *const pairs[] = {"name", "2026 General", "date", "2026-11-03", "type", "general", "jurisdiction",
                               "Test State", "poll_close_at", "2026-11-03T20:00:00-05:00", NULL};
  pc_error_t err;
  pc_elections_values_t values = {pairs_get, (void *)pairs};
  if (pc_elections_create(f->store, &f->actor, &values, &f->election, &err) != 0) fail_msg("%s", err.message);
}

static void test_build_from_nothing(void **state) {
  fixture_t *f = *state;
  create_election(f);
  int64_t blue = must_edit(f, PC_EDIT_PARTY, PC_EDIT_CREATE, 0, 0,
                           (const char *const[]){"name", "Blue Party", "abbreviation", "BLU", NULL});
  must_edit(f, PC_EDIT_DISTRICT, PC_EDIT_CREATE, 0, 0,
            (const char *const[]){"name", "District 1", "unit_type", "congressional", NULL});
  int64_t a1 = must_edit(f, PC_EDIT_PRECINCT, PC_EDIT_CREATE, 0, 0,
                         (const char *const[]){"name", "Alder 1", "county", "Alder", "registered_voters", "900",
                                               "boundary", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}",
                                               NULL});
  int64_t b1 = must_edit(f, PC_EDIT_PRECINCT, PC_EDIT_CREATE, 0, 0,
                         (const char *const[]){"name", "Birch 1", "county", "Birch", NULL});
  int64_t council = must_edit(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
                              (const char *const[]){"name", "County Council", "kind", "candidate", "district",
                                                    "county-99002", "vote_for", "2", NULL});
  int64_t measure = must_edit(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
                              (const char *const[]){"name", "Question 1", "kind", "measure", "district", "state", NULL});
  must_edit(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
            (const char *const[]){"name", "Retain Judge Lee", "kind", "retention", "district", "state", "candidate",
                                  "Lee Park", NULL});
  char blue_id[24];
  pc_snprintf(blue_id, sizeof blue_id, "%lld", (long long)blue);
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_CREATE, 0, council, (const char *const[]){"name", "Ann Avery", "party", blue_id, NULL});
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_CREATE, 0, council, (const char *const[]){"name", "Bo Brown", NULL});
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_CREATE, 0, council, (const char *const[]){"name", "Write-in", "write_in", "1", NULL});
  char council_id[24], measure_id[24], a1_id[24], b1_id[24];
  pc_snprintf(council_id, sizeof council_id, "%lld", (long long)council);
  pc_snprintf(measure_id, sizeof measure_id, "%lld", (long long)measure);
  pc_snprintf(a1_id, sizeof a1_id, "%lld", (long long)a1);
  pc_snprintf(b1_id, sizeof b1_id, "%lld", (long long)b1);
  /* Values in any order: contests are stored in ballot order. */
  must_edit(f, PC_EDIT_BALLOT_STYLE, PC_EDIT_CREATE, 0, 0,
            (const char *const[]){"code", "style-1", "contest", measure_id, "contest", council_id, "precinct", b1_id, NULL});
  must_edit(f, PC_EDIT_POLLING_PLACE, PC_EDIT_CREATE, 0, 0,
            (const char *const[]){"name", "Birch Library", "address", "1 Main St", "hours", "7:00 AM - 8:00 PM",
                                  "precinct", b1_id, NULL});

  pc_election_model_t m;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, f->election, &m, &err), 0);
  assert_string_equal(m.election.code, "2026-11-03-2026-general");
  assert_string_equal(m.election.poll_close_at, "2026-11-04T01:00:00Z");
  assert_int_equal(m.precinct_count, 2);
  assert_string_equal(m.precincts[0].code, "precinct-alder-1");
  assert_int_equal(m.precincts[0].registered_voters, 900);
  assert_non_null(m.precincts[0].boundary_geojson);
  assert_int_equal(m.precincts[0].ballot_style, -1);
  assert_int_equal(m.precincts[1].ballot_style, 0);
  assert_int_equal(m.contest_count, 3);
  assert_string_equal(m.contests[0].code, "contest-county-council");
  assert_int_equal(m.contests[0].vote_for, 2);
  assert_int_equal(m.contests[0].choice_count, 3);
  assert_string_equal(m.contests[0].choices[0].name, "Ann Avery");
  assert_string_equal(m.parties[m.candidates[m.contests[0].choices[0].candidate].party].name, "Blue Party");
  assert_int_equal(m.contests[0].choices[1].candidate >= 0, 1);
  assert_int_equal(m.contests[0].choices[2].is_write_in, 1);
  assert_int_equal(m.contests[0].choices[2].candidate, -1);
  assert_string_equal(m.contests[1].choices[0].name, "Yes");
  assert_string_equal(m.contests[1].choices[1].name, "No");
  assert_int_equal(m.contests[2].kind, PC_CONTEST_RETENTION);
  assert_string_equal(m.candidates[m.contests[2].retention_candidate].ballot_name, "Lee Park");
  assert_int_equal(m.ballot_styles[0].contest_count, 2);
  assert_int_equal(m.ballot_styles[0].contests[0], 0);
  assert_int_equal(m.ballot_styles[0].contests[1], 1);
  assert_int_equal(m.polling_place_count, 1);
  assert_string_equal(m.polling_places[0].address, "1 Main St");
  assert_string_equal(m.polling_places[0].hours, "7:00 AM - 8:00 PM");

  /* What the pages built exports as ERR and imports again unchanged. */
  char *json = NULL, hex[65], again_hex[65];
  size_t length = 0;
  assert_int_equal(pc_elections_export_err(&m, &json, &length, &err), 0);
  pc_election_model_t again;
  assert_int_equal(pc_elections_parse_err(json, length, &again, &err), 0);
  assert_int_equal(pc_elections_definition_sha256(&m, hex, &err), 0);
  assert_int_equal(pc_elections_definition_sha256(&again, again_hex, &err), 0);
  assert_string_equal(hex, again_hex);
  assert_string_equal(again.polling_places[0].hours, "7:00 AM - 8:00 PM");
  free(json);
  pc_elections_model_free(&again);
  pc_elections_model_free(&m);
  hash_matches(f);
  audit_verifies(f);
  /* One entry per edit on the elections row, plus one per contest change. */
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'elections'"), 13);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE action = 'contest.create'"
                                               " AND object_type = 'contests'"),
                   3);
}

static void test_field_errors(void **state) {
  fixture_t *f = *state;
  create_election(f);
  pc_error_t err;
  const char *const bad_date[] = {"name", "X", "date", "11/03/2026", "type", "general", "jurisdiction", "S", NULL};
  pc_elections_values_t values = {pairs_get, (void *)bad_date};
  assert_int_equal(pc_elections_create(f->store, &f->actor, &values, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "date");
  expect_field(f, PC_EDIT_PARTY, PC_EDIT_CREATE, 0, 0, (const char *const[]){"name", "", NULL}, PC_EINVAL, "name",
               "must not be empty");
  expect_field(f, PC_EDIT_PARTY, PC_EDIT_CREATE, 0, 0, (const char *const[]){"name", "Tab\there", NULL}, PC_EINVAL,
               "name", "control character");
  expect_field(f, PC_EDIT_DISTRICT, PC_EDIT_CREATE, 0, 0, (const char *const[]){"name", "D", "unit_type", "galaxy", NULL},
               PC_EINVAL, "unit_type", "not a district type");
  expect_field(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
               (const char *const[]){"name", "Q", "kind", "measure", "district", "state", "vote_for", "2", NULL},
               PC_EINVAL, "vote_for", "only candidate contests");
  expect_field(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
               (const char *const[]){"name", "Q", "kind", "candidate", "district", "county-alder", NULL}, PC_EINVAL,
               "district", "county with precincts");
  expect_field(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
               (const char *const[]){"name", "J", "kind", "retention", "district", "state", NULL}, PC_EINVAL, "candidate",
               "must not be empty");
  expect_field(f, PC_EDIT_PRECINCT, PC_EDIT_CREATE, 0, 0, (const char *const[]){"name", "P", "county", "Nowhere", NULL},
               PC_EINVAL, "county", "no county named");
  expect_field(f, PC_EDIT_PRECINCT, PC_EDIT_CREATE, 0, 0,
               (const char *const[]){"name", "P", "county", "Alder", "registered_voters", "-3", NULL}, PC_EINVAL,
               "registered_voters", "whole number");
  /* Boundaries: JSON, a polygon type, closed rings of positions, a size limit. */
  const struct { const char *geojson, *fragment; } bad[] = {
      {"{\"type\":\"Polygon\"", "not JSON"},
      {"{\"type\":\"Point\",\"coordinates\":[0,0]}", "\"Polygon\" or \"MultiPolygon\""},
      {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}", "end where it starts"},
      {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "at least 4"},
      {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"a\"],[1,1],[0,0]]]}", "position 2"},
      {"{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[200,0],[1,1],[0,0]]]]}", "position 2"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect_field(f, PC_EDIT_PRECINCT, PC_EDIT_CREATE, 0, 0,
                 (const char *const[]){"name", "P", "county", "Alder", "boundary", bad[i].geojson, NULL}, PC_EINVAL,
                 "boundary", bad[i].fragment);
  size_t big = PC_ELECTIONS_BOUNDARY_MAX + 1;
  char *huge = malloc(big + 1);
  memset(huge, ' ', big);
  huge[big] = '\0';
  assert_int_equal(pc_elections_check_boundary(huge, &err), PC_ELIMIT);
  free(huge);
  /* Nothing was written by the failed edits: one audit entry (the create). */
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'elections'"), 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM precincts"), 0);
}

static void test_ballot_order(void **state) {
  fixture_t *f = *state;
  create_election(f);
  int64_t ids[3];
  const char *names[] = {"First", "Second", "Third"};
  for (int i = 0; i < 3; i++)
    ids[i] = must_edit(f, PC_EDIT_CONTEST, PC_EDIT_CREATE, 0, 0,
                       (const char *const[]){"name", names[i], "kind", "candidate", "district", "state", NULL});
  int64_t choices[3];
  for (int i = 0; i < 3; i++)
    choices[i] = must_edit(f, PC_EDIT_CHOICE, PC_EDIT_CREATE, 0, ids[0], (const char *const[]){"name", names[i], NULL});
  must_edit(f, PC_EDIT_CONTEST, PC_EDIT_MOVE_UP, ids[2], 0, NULL);   /* First, Third, Second */
  must_edit(f, PC_EDIT_CONTEST, PC_EDIT_MOVE_UP, ids[0], 0, NULL);   /* already first: no change */
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_MOVE_DOWN, choices[0], 0, NULL); /* Second, First, Third */
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_MOVE_DOWN, choices[2], 0, NULL); /* already last */
  pc_election_model_t m;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, f->election, &m, &err), 0);
  assert_string_equal(m.contests[0].name, "First");
  assert_string_equal(m.contests[1].name, "Third");
  assert_string_equal(m.contests[2].name, "Second");
  assert_string_equal(m.contests[0].choices[0].name, "Second");
  assert_string_equal(m.contests[0].choices[1].name, "First");
  assert_string_equal(m.contests[0].choices[2].name, "Third");
  pc_elections_model_free(&m);
  /* A candidate renamed keeps its place; a deleted one takes its candidate row along. */
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_UPDATE, choices[1], 0, (const char *const[]){"name", "Second Renamed", NULL});
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_DELETE, choices[2], 0, NULL);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM candidates WHERE ballot_name = 'Third'"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM candidates WHERE ballot_name = 'Second Renamed'"), 1);
  must_edit(f, PC_EDIT_CONTEST, PC_EDIT_DELETE, ids[0], 0, NULL);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM candidates"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM contests"), 2);
  hash_matches(f);
  audit_verifies(f);
}

static int64_t id_of(fixture_t *f, const char *table, const char *code) {
  char sql[200];
  pc_snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE code = '%s'", table, code);
  return pc_test_query_int(f->store, sql);
}

static void test_returns_and_live_guard(void **state) {
  fixture_t *f = *state;
  char path[1024];
  pc_error_t err;
  pc_test_data_path("elections/csv-set", path, sizeof path);
  assert_int_equal(pc_elections_import(f->store, &f->actor, path, &f->election, &err), 0);
  static const char returns[] = "precinct,contest,choice,counting_group,votes,ballots_cast,registered_voters\n"
                                "A-1,gov,gov-a,election-day,300,500,1000\n"
                                "A-1,council,c-1,election-day,100,,\n";
  pc_results_ingest_report_t report;
  if (pc_results_ingest(f->store, &f->actor, f->election, "Alder", "r.csv", returns, strlen(returns), &report, &err))
    fail_msg("ingest: %s", err.message);
  int64_t gov = id_of(f, "contests", "gov"), council = id_of(f, "contests", "council");
  int64_t a1 = id_of(f, "precincts", "A-1"), b1 = id_of(f, "precincts", "B-1");
  int64_t gov_a = id_of(f, "choices", "gov-a"), q1_yes = id_of(f, "choices", "q1-yes");
  expect_field(f, PC_EDIT_CONTEST, PC_EDIT_DELETE, gov, 0, NULL, PC_ESTATE, "", "has returns");
  expect_field(f, PC_EDIT_CHOICE, PC_EDIT_DELETE, gov_a, 0, NULL, PC_ESTATE, "", "has returns");
  expect_field(f, PC_EDIT_PRECINCT, PC_EDIT_DELETE, a1, 0, NULL, PC_ESTATE, "", "has returns");
  expect_field(f, PC_EDIT_CHOICE, PC_EDIT_CREATE, 0, gov, (const char *const[]){"name", "Late Entry", NULL}, PC_ESTATE, "",
               "has returns");
  expect_field(f, PC_EDIT_CONTEST, PC_EDIT_UPDATE, council, 0,
               (const char *const[]){"name", "Alder County Council", "kind", "candidate", "district", "county-alder",
                                     "vote_for", "3", NULL},
               PC_ESTATE, "", "has returns");
  expect_field(f, PC_EDIT_PRECINCT, PC_EDIT_UPDATE, a1, 0,
               (const char *const[]){"name", "Alder 1", "county", "Birch", "ballot_style", "", NULL}, PC_ESTATE, "",
               "has returns");
  /* Whatever does not change the counts still may: a renamed contest, a
   * choice without returns, a precinct without returns. */
  must_edit(f, PC_EDIT_CONTEST, PC_EDIT_UPDATE, council, 0,
            (const char *const[]){"name", "Alder Council", "kind", "candidate", "district", "county-alder", "vote_for",
                                  "2", NULL});
  must_edit(f, PC_EDIT_CHOICE, PC_EDIT_UPDATE, q1_yes, 0, (const char *const[]){"name", "For", NULL});
  must_edit(f, PC_EDIT_PRECINCT, PC_EDIT_DELETE, b1, 0, NULL);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM precincts"), 2);

  pc_buf_t text;
  pc_buf_init(&text, 0);
  if (pc_results_go_live(f->store, &f->actor, f->election, &text, &err) != 0) fail_msg("live: %s", err.message);
  pc_buf_free(&text);
  int64_t party = id_of(f, "parties", "party-1");
  expect_field(f, PC_EDIT_PARTY, PC_EDIT_UPDATE, party, 0, (const char *const[]){"name", "Teal", NULL}, PC_ESTATE, "",
               "the election is live");
  const char *const renamed[] = {"name", "Renamed", "date", "2026-11-03", "type", "general", "jurisdiction",
                                 "Test State", "poll_close_at", "2026-11-04T01:00:00Z", NULL};
  expect_field(f, PC_EDIT_ELECTION, PC_EDIT_UPDATE, f->election, 0, renamed, PC_ESTATE, "", "the election is live");
  const char *const later[] = {"name", "2026 Test General", "date", "2026-11-03", "type", "general", "jurisdiction",
                               "Test State", "poll_close_at", "2026-11-04T02:00:00Z", NULL};
  must_edit(f, PC_EDIT_ELECTION, PC_EDIT_UPDATE, f->election, 0, later);
  int64_t pp = id_of(f, "polling_places", "pp-1");
  char a1_id[24];
  pc_snprintf(a1_id, sizeof a1_id, "%lld", (long long)a1);
  must_edit(f, PC_EDIT_POLLING_PLACE, PC_EDIT_UPDATE, pp, 0,
            (const char *const[]){"name", "Alder Library", "address", "2 Elm St", "precinct", a1_id, NULL});
  pc_election_t election;
  assert_int_equal(pc_elections_get(f->store, f->election, &election, &err), 0);
  assert_string_equal(election.poll_close_at, "2026-11-04T02:00:00Z");
  hash_matches(f);
  audit_verifies(f);
}

static void test_county_scope(void **state) {
  fixture_t *f = *state;
  char path[1024];
  pc_error_t err;
  pc_test_data_path("elections/csv-set", path, sizeof path);
  assert_int_equal(pc_elections_import(f->store, &f->actor, path, &f->election, &err), 0);
  pc_county_t birch;
  assert_int_equal(pc_counties_find(f->store, "Birch", &birch, &err), 0);
  pc_actor_t clerk = {0, "birch-admin", "county_admin", "Birch"};
  char a1_id[24], b1_id[24];
  pc_snprintf(a1_id, sizeof a1_id, "%lld", (long long)id_of(f, "precincts", "A-1"));
  pc_snprintf(b1_id, sizeof b1_id, "%lld", (long long)id_of(f, "precincts", "B-1"));
  const char *const in_birch[] = {"name", "Birch Hall", "address", "3 Oak Rd", "precinct", b1_id, NULL};
  const char *const in_alder[] = {"name", "Alder Hall", "precinct", a1_id, NULL};
  pc_elections_edit_t request = {PC_EDIT_POLLING_PLACE, PC_EDIT_CREATE, 0, 0, birch.id, {pairs_get, (void *)in_birch}};
  int64_t created = 0;
  assert_int_equal(pc_elections_edit(f->store, &clerk, f->election, &request, &created, &err), 0);
  request.values.context = (void *)in_alder;
  assert_int_equal(pc_elections_edit(f->store, &clerk, f->election, &request, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "precinct");
  request = (pc_elections_edit_t){PC_EDIT_POLLING_PLACE, PC_EDIT_DELETE, id_of(f, "polling_places", "pp-1"), 0, birch.id,
                                  {pairs_get, (void *)in_birch}};
  assert_int_equal(pc_elections_edit(f->store, &clerk, f->election, &request, NULL, &err), PC_EPERM);
  request = (pc_elections_edit_t){PC_EDIT_PRECINCT, PC_EDIT_DELETE, id_of(f, "precincts", "B-1"), 0, birch.id,
                                  {pairs_get, (void *)in_birch}};
  assert_int_equal(pc_elections_edit(f->store, &clerk, f->election, &request, NULL, &err), PC_EPERM);
  request = (pc_elections_edit_t){PC_EDIT_POLLING_PLACE, PC_EDIT_DELETE, created, 0, birch.id,
                                  {pairs_get, (void *)in_birch}};
  assert_int_equal(pc_elections_edit(f->store, &clerk, f->election, &request, NULL, &err), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE actor = 'birch-admin'"), 2);
  audit_verifies(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_build_from_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_field_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ballot_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_returns_and_live_guard, setup, teardown),
      cmocka_unit_test_setup_teardown(test_county_scope, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
