/* Tests for returns ingest: every validation rule, idempotent re-upload,
 * replacement as a new version, aggregation, ERR JSON returns, county scope,
 * and the test/live switch with its zero report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_election.h"
#include "support.h"

#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/results.h"

#include <stdlib.h>
#include <string.h>

typedef pc_test_election_t fixture_t;

static int setup(void **state) {
  fixture_t *f = pc_test_election_open();
  static const char *const counties[] = {"Alder", "Birch", NULL};
  pc_test_election_counties(f, &f->actor, counties);
  pc_test_election_import_csv_set(f, &f->actor);
  *state = f;
  return 0;
}

static int teardown(void **state) { return pc_test_election_teardown(state); }

#define HEADER "precinct,contest,choice,counting_group,votes,ballots_cast,registered_voters\n"

static const char alder_v1[] = HEADER
    "A-1,gov,gov-a,election-day,300,500,1000\n"
    "A-1,gov,gov-b,election-day,150,,\n"
    "A-1,gov,gov-a,absentee-mail,20,,\n"
    "A-1,council,c-1,election-day,400,,\n"
    "A-1,council,c-2,election-day,350,,\n"
    "A-1,mayor,m-1,election-day,200,,\n"
    "A-1,q1,q1-yes,election-day,260,,\n"
    "A-1,q1,q1-no,election-day,200,,\n"
    "A-2,gov,gov-a,election-day,100,300,\n"
    "A-2,gov,Bob Brown,election-day,150,,\n";

static int ingest(fixture_t *f, const char *county, const char *data, pc_results_ingest_report_t *report, pc_error_t *err) {
  pc_error_clear(err);
  return pc_results_ingest(f->store, &f->actor, f->election, county, "returns.csv", data, strlen(data), report, err);
}

static void test_ingest_and_aggregate(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = ingest(f, "Alder", alder_v1, &report, &err);
  if (rc != 0) fail_msg("%s line %ld: %s", err.field, err.line, err.message);
  assert_int_equal(report.unchanged, 0);
  assert_int_equal(report.version, 1);
  assert_int_equal(report.precincts, 2);
  assert_int_equal(report.vote_rows, 10);
  assert_int_equal(report.total_votes, 2130);
  assert_string_equal(report.mode, "test");
  assert_string_equal(report.format, "csv");

  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int gov = pc_elections_find_contest(&r.model, "gov");
  int alder = 0;
  while (strcmp(r.model.counties[alder].name, "Alder") != 0) alder++;
  assert_int_equal(pc_results_votes(&r, gov, 0, -1, -1), 420);
  assert_int_equal(pc_results_votes(&r, gov, 0, -1, PC_GROUP_ELECTION_DAY), 400);
  assert_int_equal(pc_results_votes(&r, gov, 0, -1, PC_GROUP_MAIL), 20);
  assert_int_equal(pc_results_votes(&r, gov, 1, alder, -1), 300);
  long reporting, total;
  pc_results_reporting(&r, gov, -1, &reporting, &total);
  assert_int_equal(reporting, 2);
  assert_int_equal(total, 3);
  pc_results_reporting(&r, pc_elections_find_contest(&r.model, "council"), -1, &reporting, &total);
  assert_int_equal(reporting, 2);
  assert_int_equal(total, 2);
  int64_t ballots, registered;
  pc_results_turnout(&r, -1, 1, &ballots, &registered);
  assert_int_equal(ballots, 800);
  assert_int_equal(registered, 1800); /* A-1 from the file (1000), A-2 from the definition (800) */
  pc_results_free(&r);
}

static void run_sql(fixture_t *f, const char *sql) {
  pc_error_t err;
  assert_int_equal(pc_store_exec(f->store, sql, &err), 0);
}

/* Counts are stored as one text value per precinct (migration 0013); uploads
 * stored before it keep one vote_returns row per count and must load the
 * same; a damaged counts value is an integrity error, never a guess. */
static void test_counts_storage(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM precinct_returns"), 2);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM vote_returns"), 0);
  pc_results_t before;
  assert_int_equal(pc_results_load(f->store, f->election, &before, &err), 0);
  const pc_election_model_t *m = &before.model;
  int gov = pc_elections_find_contest(m, "gov");
  int a2 = 0;
  while (strcmp(m->precincts[a2].code, "A-2") != 0) a2++;
  char expected[128];
  snprintf(expected, sizeof expected, "%lld election-day 100\n%lld election-day 150\n",
           (long long)m->contests[gov].choices[0].id, (long long)m->contests[gov].choices[1].id);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f->store, "SELECT counts FROM precinct_returns WHERE precinct_id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, m->precincts[a2].id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_string_equal(pc_stmt_column_text(stmt, 0), expected);
  pc_stmt_finalize(stmt);

  /* The same counts as rows of the old layout. */
  assert_int_equal(pc_store_begin(f->store, &err), 0);
  assert_int_equal(pc_store_prepare(f->store,
                                    "INSERT INTO vote_returns (upload_id, precinct_id, contest_id, choice_id, counting_group,"
                                    " votes) VALUES (?, ?, ?, ?, ?, ?)",
                                    &stmt, &err),
                   0);
  for (size_t p = 0; p < m->precinct_count; p++)
    for (size_t c = 0; c < m->contest_count; c++)
      for (int g = 0; g < PC_GROUP_COUNT; g++) {
        if (!before.group_used[(p * m->contest_count + c) * PC_GROUP_COUNT + (size_t)g]) continue;
        for (size_t k = 0; k < m->contests[c].choice_count; k++) {
          pc_stmt_bind_int64(stmt, 1, report.upload_id);
          pc_stmt_bind_int64(stmt, 2, m->precincts[p].id);
          pc_stmt_bind_int64(stmt, 3, m->contests[c].id);
          pc_stmt_bind_int64(stmt, 4, m->contests[c].choices[k].id);
          pc_stmt_bind_text(stmt, 5, pc_results_group_name(g));
          pc_stmt_bind_int64(stmt, 6, before.votes[(p * before.choice_total + before.choice_base[c] + k) * PC_GROUP_COUNT + (size_t)g]);
          assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
          pc_stmt_reset(stmt);
        }
      }
  pc_stmt_finalize(stmt);
  run_sql(f, "UPDATE precinct_returns SET counts = NULL");
  assert_int_equal(pc_store_commit(f->store, &err), 0);
  /* Every choice of each contest and group present, zeros included. */
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM vote_returns"), 17);
  pc_results_t after;
  assert_int_equal(pc_results_load(f->store, f->election, &after, &err), 0);
  size_t cells = m->precinct_count * before.choice_total * PC_GROUP_COUNT;
  assert_memory_equal(after.votes, before.votes, cells * sizeof *before.votes);
  assert_memory_equal(after.group_used, before.group_used, m->precinct_count * m->contest_count * PC_GROUP_COUNT);
  for (size_t c = 0; c < m->contest_count; c++) assert_string_equal(after.contest_sha256[c], before.contest_sha256[c]);
  pc_results_free(&after);
  pc_results_free(&before);

  static const char *const damaged[] = {"12 total", "x total 1\n", "1 nowhere 5\n", "99999999 total 5\n"};
  for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
    assert_int_equal(pc_store_prepare(f->store, "UPDATE precinct_returns SET counts = ?", &stmt, &err), 0);
    pc_stmt_bind_text(stmt, 1, damaged[i]);
    assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
    pc_stmt_finalize(stmt);
    pc_error_clear(&err);
    assert_int_equal(pc_results_load(f->store, f->election, &after, &err), PC_EINTEGRITY);
    assert_non_null(strstr(err.message, "damaged"));
  }
}

static void expect_reject(fixture_t *f, const char *county, const char *data, long line, const char *fragment) {
  pc_results_ingest_report_t report;
  pc_error_t err;
  int64_t audit_before = pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log");
  int rc = ingest(f, county, data, &report, &err);
  if (rc == 0) fail_msg("accepted a file that should fail with \"%s\"", fragment);
  if (!strstr(err.message, fragment)) fail_msg("expected \"%s\" in \"%s\"", fragment, err.message);
  if (line >= 0 && err.line != line) fail_msg("expected line %ld, got %ld (%s)", line, err.line, err.message);
  assert_string_equal(err.file, "returns.csv");
  /* Nothing of a rejected file is kept. */
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM results_uploads"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM vote_returns"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM precinct_returns"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log"), audit_before);
}

static void test_validation_rules(void **state) {
  fixture_t *f = *state;
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nA-9,gov,gov-a,election-day,1,10,\n", 3,
                "unknown precinct \"A-9\"");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nA-1,sheriff,x,election-day,1,,\n", 3,
                "unknown contest \"sheriff\"");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-z,election-day,1,10,\n", 2, "unknown choice \"gov-z\"");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nB-1,gov,gov-a,election-day,1,10,\n", 3,
                "is in Birch County, outside the uploading county");
  expect_reject(f, "Birch", HEADER "B-1,council,c-1,election-day,1,10,\n", 2, "not on its ballot style");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,-5,10,\n", 2, "negative number -5");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,12.5,10,\n", 2, "expected a whole number");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,-10,\n", 2, "negative number -10");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,sometime,1,10,\n", 2, "unknown counting group \"sometime\"");
  /* 6 + 5 votes for governor (vote for 1) with 10 ballots cast. */
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,6,10,\nA-1,q1,q1-yes,early,1,,\nA-1,gov,gov-b,early,5,,\n", 4,
                "11 votes, more than 10 ballots cast x 1");
  /* Council is vote for 2: 20 votes on 10 ballots is fine, 21 is not. */
  expect_reject(f, "Alder", HEADER "A-1,council,c-1,election-day,10,10,\nA-1,council,c-2,election-day,10,,\nA-1,council,c-3,election-day,1,,\n",
                4, "21 votes, more than 10 ballots cast x 2");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nA-1,gov,gov-a,election-day,2,,\n", 3, "counted twice");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,,\n", 2, "has no ballots_cast");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nA-1,gov,gov-b,total,2,,\n", 3, "cannot be mixed");
  expect_reject(f, "Alder", HEADER "A-1,gov,gov-a,election-day,1,10,\nA-1,gov,gov-b,election-day,2,11,\n", 3,
                "different value earlier (10)");
  expect_reject(f, "Alder", "precinct,contest,choice\nA-1,gov,gov-a\n", 1, "missing column \"counting_group\"");
  expect_reject(f, "Alder", HEADER "A-1,gov,\"gov-a,election-day,1,10,\n", -1, "malformed CSV");
  expect_reject(f, "Alder", HEADER, 0, "no counts");
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(ingest(f, "Nowhere", alder_v1, &report, &err), PC_ENOTFOUND);
  /* The fixed file goes in. */
  assert_int_equal(ingest(f, "Alder", HEADER "A-1,council,c-1,election-day,10,10,\nA-1,council,c-2,election-day,10,,\n",
                          &report, &err), 0);
}

static void test_reupload_and_replace(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  int64_t first = report.upload_id;
  int64_t audit_after_first = pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log");
  /* Same bytes: nothing changes, not even the audit log. */
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(report.upload_id, first);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM results_uploads"), 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log"), audit_after_first);
  /* A corrected file is a new version; the old one is kept, superseded. */
  const char *corrected = HEADER "A-1,gov,gov-a,election-day,310,500,1000\nA-1,gov,gov-b,election-day,150,,\n";
  assert_int_equal(ingest(f, "Alder", corrected, &report, &err), 0);
  assert_int_equal(report.unchanged, 0);
  assert_int_equal(report.version, 2);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM results_uploads WHERE status = 'superseded'"), 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM results_uploads WHERE status = 'current'"), 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log"), audit_after_first + 2);
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int gov = pc_elections_find_contest(&r.model, "gov");
  assert_int_equal(pc_results_votes(&r, gov, 0, -1, -1), 310);
  long reporting, total;
  pc_results_reporting(&r, gov, -1, &reporting, &total);
  assert_int_equal(reporting, 1);
  pc_results_free(&r);
  /* Going back to the first file is a change too: version 3. */
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  assert_int_equal(report.version, 3);
}

static void test_county_scope(void **state) {
  fixture_t *f = *state;
  pc_actor_t clerk = {7, "clerk.birch", "clerk", "Birch"};
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(pc_results_ingest(f->store, &clerk, f->election, "Alder", "r.csv", alder_v1, strlen(alder_v1),
                                     &report, &err), PC_EPERM);
  const char *birch = HEADER "B-1,gov,gov-a,early,3,5,\n";
  assert_int_equal(pc_results_ingest(f->store, &clerk, f->election, "Birch", "r.csv", birch, strlen(birch), &report, &err),
                   0);
}

static void test_err_json_returns(void **state) {
  fixture_t *f = *state;
  const char *json =
      "{\"@type\":\"ElectionResults.ElectionReport\",\"GpUnit\":[{\"@id\":\"B-1\",\"@type\":\"ElectionResults.ReportingUnit\","
      "\"Type\":\"precinct\",\"VotersRegistered\":520}],\"Election\":[{\"@type\":\"ElectionResults.Election\","
      "\"BallotCounts\":[{\"GpUnitId\":\"B-1\",\"Type\":\"total\",\"BallotsCast\":40}],"
      "\"Contest\":[{\"@id\":\"gov\",\"ContestSelection\":[{\"@id\":\"gov-a\",\"VoteCounts\":["
      "{\"GpUnitId\":\"B-1\",\"Type\":\"election-day\",\"Count\":20},{\"GpUnitId\":\"B-1\",\"Type\":\"uocava\",\"Count\":2},"
      "{\"GpUnitId\":\"state\",\"Type\":\"total\",\"Count\":999}]},"
      "{\"@id\":\"gov-b\",\"VoteCounts\":[{\"GpUnitId\":\"B-1\",\"Type\":\"election-day\",\"Count\":15}]}]}]}]}";
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = ingest(f, "Birch", json, &report, &err);
  if (rc != 0) fail_msg("%s: %s", err.field, err.message);
  assert_string_equal(report.format, "err-json");
  assert_int_equal(report.total_votes, 37);
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  int gov = pc_elections_find_contest(&r.model, "gov");
  assert_int_equal(pc_results_votes(&r, gov, 0, -1, PC_GROUP_UOCAVA), 2);
  int64_t ballots, registered;
  pc_results_turnout(&r, -1, 1, &ballots, &registered);
  assert_int_equal(ballots, 40);
  assert_int_equal(registered, 520);
  pc_results_free(&r);
  const char *bad = "{\"@type\":\"ElectionResults.ElectionReport\",\"Election\":[{\"BallotCounts\":[{\"GpUnitId\":\"B-1\","
                    "\"Type\":\"total\",\"BallotsCast\":4}],\"Contest\":[{\"@id\":\"gov\",\"ContestSelection\":[{\"@id\":"
                    "\"gov-a\",\"VoteCounts\":[{\"GpUnitId\":\"B-1\",\"Type\":\"early\",\"Count\":-3}]}]}]}]}";
  assert_int_equal(ingest(f, "Birch", bad, &report, &err), PC_EINVAL);
  assert_string_equal(err.field, "Election[0].Contest[0].ContestSelection[0].VoteCounts[0]");
  assert_non_null(strstr(err.message, "negative"));
}

static void test_live_switch_and_zero_report(void **state) {
  fixture_t *f = *state;
  pc_results_ingest_report_t report;
  pc_error_t err;
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  assert_string_equal(report.mode, "test");
  pc_buf_t text;
  pc_buf_init(&text, 0);
  int rc = pc_results_go_live(f->store, &f->actor, f->election, &text, &err);
  if (rc != 0) fail_msg("go live: %s", err.message);
  assert_non_null(strstr(pc_buf_str(&text), "RESULT: ALL ZERO"));
  assert_non_null(strstr(pc_buf_str(&text), "Total votes: 0    Precincts reporting: 0 of 3"));
  assert_non_null(strstr(pc_buf_str(&text), "Governor"));
  pc_buf_free(&text);
  /* Test returns are gone; the upload rows stay, marked cleared. */
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM vote_returns"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM results_uploads WHERE status = 'cleared'"), 1);
  pc_election_t e;
  assert_int_equal(pc_elections_get(f->store, f->election, &e, &err), 0);
  assert_string_equal(e.mode, "live");
  assert_int_equal(e.zero_report_done, 1);
  pc_buf_init(&text, 0);
  assert_int_equal(pc_results_go_live(f->store, &f->actor, f->election, &text, &err), PC_ESTATE);
  pc_buf_free(&text);
  /* The same file again is a new live upload, version 1 of live mode. */
  assert_int_equal(ingest(f, "Alder", alder_v1, &report, &err), 0);
  assert_int_equal(report.unchanged, 0);
  assert_string_equal(report.mode, "live");
  assert_int_equal(report.version, 1);
  pc_results_t r;
  assert_int_equal(pc_results_load(f->store, f->election, &r, &err), 0);
  assert_int_equal(pc_results_votes(&r, pc_elections_find_contest(&r.model, "gov"), 0, -1, -1), 420);
  pc_results_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ingest_and_aggregate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_validation_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_counts_storage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reupload_and_replace, setup, teardown),
      cmocka_unit_test_setup_teardown(test_county_scope, setup, teardown),
      cmocka_unit_test_setup_teardown(test_err_json_returns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_live_switch_and_zero_report, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
