/* Tests for election definitions: CSV set import, ERR export/import round
 * trip, validation rules, the demo model, certification and poll close. */
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
#include "precinct/fileio.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef pc_test_election_t fixture_t;

static int setup(void **state) {
  fixture_t *f = pc_test_election_open();
  static const char *const names[] = {"Alder", "Birch", "Cedar", "Dogwood", "Elm", NULL};
  pc_test_election_counties(f, &f->actor, names);
  *state = f;
  return 0;
}

static int teardown(void **state) { return pc_test_election_teardown(state); }

static void import_csv_set(fixture_t *f, int64_t *id) {
  pc_test_election_import_csv_set(f, &f->actor);
  *id = f->election;
}

static void test_csv_set_import(void **state) {
  fixture_t *f = *state;
  int64_t id = 0;
  import_csv_set(f, &id);
  pc_election_model_t m;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, id, &m, &err), 0);
  assert_string_equal(m.election.code, "2026-test");
  assert_string_equal(m.election.mode, "test");
  assert_string_equal(m.election.poll_close_at, "2026-11-04T01:00:00Z");
  assert_int_equal(m.precinct_count, 3);
  assert_int_equal(m.contest_count, 5);
  assert_int_equal(m.ballot_style_count, 2);
  assert_int_equal(m.party_count, 2);
  assert_int_equal(m.polling_place_count, 1);
  /* 3 governor + 3 council + 3 mayor + the retention judge. */
  assert_int_equal(m.candidate_count, 10);
  int council = pc_elections_find_contest(&m, "council");
  assert_int_equal(m.contests[council].vote_for, 2);
  assert_string_equal(m.contests[council].district_code, "county-alder");
  int mayor = pc_elections_find_contest(&m, "Mayor");
  assert_int_equal(m.contests[mayor].kind, PC_CONTEST_RCV);
  int judge = pc_elections_find_contest(&m, "judge");
  assert_int_equal(m.contests[judge].kind, PC_CONTEST_RETENTION);
  assert_string_equal(m.candidates[m.contests[judge].retention_candidate].ballot_name, "Pat Smith");
  int gov = pc_elections_find_contest(&m, "gov");
  assert_int_equal(pc_elections_find_choice(&m, gov, "Bob Brown"), 1);
  assert_int_equal(m.contests[gov].choices[2].is_write_in, 1);
  int b1 = pc_elections_find_precinct(&m, "B-1");
  assert_string_equal(m.counties[m.precincts[b1].county].name, "Birch");
  assert_false(pc_elections_style_has_contest(&m, m.precincts[b1].ballot_style, council));
  assert_true(pc_elections_style_has_contest(&m, m.precincts[b1].ballot_style, gov));
  assert_non_null(m.precincts[pc_elections_find_precinct(&m, "A-1")].boundary_geojson);
  assert_null(m.precincts[pc_elections_find_precinct(&m, "A-2")].boundary_geojson);
  pc_elections_model_free(&m);
}

static void test_err_round_trip(void **state) {
  fixture_t *f = *state;
  int64_t id = 0;
  import_csv_set(f, &id);
  pc_election_model_t m;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, id, &m, &err), 0);
  char before[65];
  assert_int_equal(pc_elections_definition_sha256(&m, before, &err), 0);
  char *json = NULL;
  size_t length = 0;
  assert_int_equal(pc_elections_export_err(&m, &json, &length, &err), 0);
  pc_elections_model_free(&m);
  /* Importing our own export under another code gives the same definition. */
  json_t *root = json_loads(json, 0, NULL);
  free(json);
  assert_non_null(root);
  json_t *ids = json_object_get(json_array_get(json_object_get(root, "Election"), 0), "ExternalIdentifier");
  json_object_set_new(json_array_get(ids, 0), "Value", json_string("2026-copy"));
  json = json_dumps(root, 0);
  json_decref(root);
  pc_election_model_t copy;
  assert_int_equal(pc_elections_parse_err(json, strlen(json), &copy, &err), 0);
  free(json);
  int64_t copy_id = 0;
  assert_int_equal(pc_elections_save(f->store, &f->actor, &copy, &copy_id, &err), 0);
  pc_elections_model_free(&copy);
  assert_int_not_equal(copy_id, id);
  assert_int_equal(pc_elections_load(f->store, copy_id, &copy, &err), 0);
  pc_strlcpy(copy.election.code, "2026-test", sizeof copy.election.code);
  char after[65];
  assert_int_equal(pc_elections_definition_sha256(&copy, after, &err), 0);
  assert_string_equal(before, after);
  pc_elections_model_free(&copy);
}

static void expect_import_error(fixture_t *f, const char *json, const char *fragment) {
  pc_election_model_t m;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_elections_parse_err(json, strlen(json), &m, &err);
  if (rc == 0) {
    int64_t id;
    rc = pc_elections_save(f->store, &f->actor, &m, &id, &err);
    pc_elections_model_free(&m);
  }
  assert_int_not_equal(rc, 0);
  if (!strstr(err.message, fragment)) fail_msg("expected \"%s\" in \"%s\"", fragment, err.message);
}

#define REPORT_HEAD                                                                                               \
  "{\"@type\":\"ElectionResults.ElectionReport\",\"Issuer\":\"T\",\"Election\":[{\"@type\":\"ElectionResults.Election\"," \
  "\"StartDate\":\"2026-11-03\",\"Type\":\"general\",\"Name\":{\"Text\":[{\"Content\":\"E\"}]},"

static void test_validation(void **state) {
  fixture_t *f = *state;
  expect_import_error(f, "{\"@type\":\"x\"}", "ElectionReport");
  expect_import_error(f, "not json", "not valid JSON");
  const char *units_ok =
      "\"GpUnit\":[{\"@id\":\"st\",\"Type\":\"state\"},{\"@id\":\"cty\",\"Type\":\"county\",\"Name\":{\"Text\":[{"
      "\"Content\":\"Alder\"}]},\"ComposingGpUnitIds\":[\"p1\"]},{\"@id\":\"p1\",\"Type\":\"precinct\"}]}";
  char json[2048];
  /* Duplicate code across kinds. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[{\"@id\":\"p1\",\"@type\":\"ElectionResults.CandidateContest\","
                          "\"ElectionDistrictId\":\"st\",\"Name\":\"Gov\",\"VotesAllowed\":1,\"ContestSelection\":[{\"@id\":\"x\"}]}]}],%s",
              units_ok);
  expect_import_error(f, json, "names two objects");
  /* Unknown district. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[{\"@id\":\"c1\",\"@type\":\"ElectionResults.CandidateContest\","
                          "\"ElectionDistrictId\":\"nowhere\",\"Name\":\"Gov\",\"VotesAllowed\":1,\"ContestSelection\":[{\"@id\":\"x\"}]}]}],%s",
              units_ok);
  expect_import_error(f, json, "unknown district");
  /* Unknown county. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[{\"@id\":\"c1\",\"@type\":\"ElectionResults.CandidateContest\","
                          "\"ElectionDistrictId\":\"st\",\"Name\":\"Gov\",\"VotesAllowed\":1,\"ContestSelection\":[{\"@id\":\"x\"}]}]}],"
                          "\"GpUnit\":[{\"@id\":\"cty\",\"Type\":\"county\",\"Name\":{\"Text\":[{\"Content\":\"Nowhere\"}]},"
                          "\"ComposingGpUnitIds\":[\"p1\"]},{\"@id\":\"p1\",\"Type\":\"precinct\"}]}");
  expect_import_error(f, json, "does not exist");
  /* Contest without choices. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[{\"@id\":\"c1\",\"@type\":\"ElectionResults.CandidateContest\","
                          "\"ElectionDistrictId\":\"st\",\"Name\":\"Gov\",\"VotesAllowed\":1}]}],%s",
              units_ok);
  expect_import_error(f, json, "has no choices");
  /* A precinct in no county. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[]}],\"GpUnit\":[{\"@id\":\"p1\",\"Type\":\"precinct\"}]}");
  expect_import_error(f, json, "not in any county");
  /* A valid minimal one is accepted, and its code cannot be imported twice. */
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Contest\":[{\"@id\":\"c1\",\"@type\":\"ElectionResults.CandidateContest\","
                          "\"ElectionDistrictId\":\"st\",\"Name\":\"Gov\",\"VotesAllowed\":1,\"ContestSelection\":[{\"@id\":\"x\"}]}]}],%s",
              units_ok);
  pc_election_model_t m;
  pc_error_t err;
  int64_t id;
  assert_int_equal(pc_elections_parse_err(json, strlen(json), &m, &err), 0);
  assert_int_equal(pc_elections_save(f->store, &f->actor, &m, &id, &err), 0);
  pc_elections_model_free(&m);
  expect_import_error(f, json, "exists already");
}

static void test_csv_set_errors(void **state) {
  fixture_t *f = *state;
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  const char *files[][2] = {
      {"election.csv", "code,name,date,type,jurisdiction\ne1,E,2026-11-03,general,T\n"},
      {"precincts.csv", "code,name,county,ballot_style,registered_voters\nP1,P1,Alder,S,abc\n"},
      {"contests.csv", "code,name,kind\nc,C,candidate\n"},
      {"choices.csv", "contest,code,name\nc,x,X\n"},
      {"ballot_styles.csv", "ballot_style,contest\nS,c\n"}};
  pc_error_t err;
  for (size_t i = 0; i < 5; i++) {
    pc_snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
    assert_int_equal(pc_file_write_durable(path, files[i][1], strlen(files[i][1]), 0600, 0, &err), 0);
  }
  int64_t id;
  pc_error_clear(&err);
  assert_int_equal(pc_elections_import(f->store, &f->actor, dir, &id, &err), PC_EINVAL);
  assert_string_equal(err.file, "precincts.csv");
  assert_int_equal(err.line, 2);
  assert_string_equal(err.field, "registered_voters");
  pc_snprintf(path, sizeof path, "%s/precincts.csv", dir);
  const char *fixed = "code,name,county,ballot_style,registered_voters\nP1,P1,Alder,S,10\n";
  assert_int_equal(pc_file_write_durable(path, fixed, strlen(fixed), 0600, 0, &err), 0);
  assert_int_equal(pc_elections_import(f->store, &f->actor, dir, &id, &err), 0);
  pc_test_rmtree(dir);
}

static void test_demo_model(void **state) {
  fixture_t *f = *state;
  const char *names[] = {"Alder", "Birch", "Cedar", "Dogwood", "Elm"};
  pc_election_model_t m;
  pc_elections_demo_model(names, 5, 3000, &m);
  pc_error_t err;
  int64_t id;
  int rc = pc_elections_save(f->store, &f->actor, &m, &id, &err);
  if (rc != 0) fail_msg("save: %s", err.message);
  pc_elections_model_free(&m);
  assert_int_equal(pc_elections_load(f->store, id, &m, &err), 0);
  assert_int_equal(m.precinct_count, 3000);
  assert_int_equal(m.contest_count, 9 + 4 + 10 + 20 + 15 + 1);
  assert_int_equal(m.contests[m.contest_count - 1].kind, PC_CONTEST_RCV);
  assert_int_equal(m.polling_place_count, 1000);
  assert_true(m.ballot_style_count > 20);
  for (size_t p = 0; p < m.precinct_count; p++) assert_true(m.precincts[p].ballot_style >= 0);
  pc_elections_model_free(&m);
}

/* A party or candidate without @id is refused by name, before contests. */
static void test_missing_ids(void **state) {
  (void)state;
  const char *units_ok =
      "\"GpUnit\":[{\"@id\":\"st\",\"Type\":\"state\"},{\"@id\":\"cty\",\"Type\":\"county\",\"Name\":{\"Text\":[{"
      "\"Content\":\"Alder\"}]},\"ComposingGpUnitIds\":[\"p1\"]},{\"@id\":\"p1\",\"Type\":\"precinct\"}]}";
  char json[2048];
  pc_election_model_t m;
  pc_error_t err;
  pc_snprintf(json, sizeof json, REPORT_HEAD "\"Contest\":[]}],\"Party\":[{\"@id\":\"p-a\"},{\"Abbreviation\":\"X\"}],%s",
              units_ok);
  assert_int_equal(pc_elections_parse_err(json, strlen(json), &m, &err), PC_EINVAL);
  assert_string_equal(err.field, "Party");
  assert_string_equal(err.message, "a party lacks @id");
  pc_snprintf(json, sizeof json,
              REPORT_HEAD "\"Candidate\":[{\"@id\":\"c-a\",\"PartyId\":\"p-a\"},{\"PartyId\":\"p-a\"}],"
                          "\"Contest\":[]}],\"Party\":[{\"@id\":\"p-a\"}],%s",
              units_ok);
  assert_int_equal(pc_elections_parse_err(json, strlen(json), &m, &err), PC_EINVAL);
  assert_string_equal(err.field, "Candidate");
  assert_string_equal(err.message, "a candidate lacks @id");
}

static void test_poll_close_and_certify(void **state) {
  fixture_t *f = *state;
  int64_t id = 0;
  import_csv_set(f, &id);
  pc_error_t err;
  assert_int_equal(pc_elections_set_poll_close(f->store, &f->actor, id, "2026-11-03T20:00:00-05:00", &err), 0);
  pc_election_t e;
  assert_int_equal(pc_elections_get(f->store, id, &e, &err), 0);
  assert_string_equal(e.poll_close_at, "2026-11-04T01:00:00Z");
  assert_int_equal(pc_elections_set_poll_close(f->store, &f->actor, id, "tonight", &err), PC_EINVAL);
  assert_int_equal(pc_elections_set_certified(f->store, &f->actor, id, "gov", 1, &err), 0);
  assert_int_equal(pc_elections_set_certified(f->store, &f->actor, id, "nope", 1, &err), PC_ENOTFOUND);
  pc_election_model_t m;
  assert_int_equal(pc_elections_load(f->store, id, &m, &err), 0);
  assert_int_equal(m.contests[pc_elections_find_contest(&m, "gov")].certified, 1);
  pc_elections_model_free(&m);
  int64_t resolved = 0;
  assert_int_equal(pc_elections_resolve(f->store, "2026-test", &resolved, &err), 0);
  assert_int_equal(resolved, id);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_csv_set_import, setup, teardown),
      cmocka_unit_test_setup_teardown(test_err_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_csv_set_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_demo_model, setup, teardown),
      cmocka_unit_test_setup_teardown(test_poll_close_and_certify, setup, teardown),
      cmocka_unit_test(test_missing_ids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
