/* Ranked-choice CVRs uploaded as a NIST SP 1500-103 CDF XML report: the
 * Unisyn report RCTab's tests use (tests/data/rctab/unisyn_cvrs), ingested
 * whole through pc_results_ingest for an election with its eight contests,
 * published, and each contest's published rounds equal to RCTab's expected
 * report; refusals (unknown candidate, contest, another county's precinct,
 * broken XML) with file, CVR and field, and nothing stored after them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "results_cvr_support.h"

#define UNISYN "rctab/unisyn_cvrs/101-RCV-CVT_TEST_3_UNIOVS2103-2.xml"

/* The report's contests (Election Contest Name) and candidates; "*" adds the
 * contest's write-in choice (the report has write-in selections). */
static const char *const contests[][14] = {
    {"cc-coroner", "For City C Coroner (1/3)", "Emily Van Zandt", "Terry Halloran", "Ullrike Winterhausen",
     "Susan Brown", "Angela Thompson", "Esteban Ferraro", "*", NULL},
    {"cc-council", "For City C Council Member (1/3)", "Fred Wallace", "Sylvia Vaugn", "Stephen Miller",
     "Carrie Underwood", "Nolan Ryder", "Terry Williams", "Lonnie Alsup", "Hal Newman", "*", NULL},
    {"cc-mayor", "For City C Mayor (1/3)", "Karen Petersen", "Jon Miller", "Jerry Meyer", "Jerry Lang", "Tess Soto",
     "Josh Bennett", "Terry Landon", "Steven Wilkins", "Nadia Freeman", "Danielle Davis", "Carrol Wilson",
     "Chelsey Williams"},
    {"county-coroner", "For County Coroner (1/2)", "Andrea Doria", "Jimmy Hendriks", "Emily Steffan", "Laura Brown",
     "Kay Daniels", "Niels Larson", "Walter Gerber", "Willy Wonka", NULL},
    {"tax", "For County Tax Collector (1/3)", "Greg Smith", "Wendy McDonald", "Mel Bonham", "Brady Gordon",
     "Harry Nelson", "Sandy Wallace", "Wendy Simpson", "Daniel Gregory", "*", NULL},
    {"police", "For City C Chief of Police (1/3)", "Jessie James", "Kenneth Parker", "MaryAnn Wilson", "Randy Carlson",
     "Ivan Hillerman", "Emily Stevens", "Sandra Berringer", NULL},
    {"sheriff", "For County Sheriff (1/3)", "Beth Small", "Terry Baker", "John Wayne Jr.", "Warren Norell",
     "Thomas Soto", "Tony Seiler", "Sandra Williams", "*", NULL},
};

static const char precincts[] =
    "code,name,county,ballot_style,registered_voters\n"
    "u-1,Precinct 7,Alder,S1,100\nu-2,Precinct 1,Alder,S1,100\nu-3,Precinct 4A,Alder,S1,100\n"
    "u-4,Precinct 11,Alder,S1,100\nu-5,Precinct 8,Alder,S1,100\nu-6,Precinct 10,Alder,S1,100\n"
    "u-7,Precinct 2,Alder,S1,100\nu-8,Precinct 8B,Alder,S1,100\nu-9,Precinct 9,Alder,S1,100\n"
    "u-10,Precinct 2B,Alder,S1,100\nu-11,Precinct 6A,Alder,S1,100\nu-12,Precinct 3,Alder,S1,100\n"
    "u-13,Precinct 12C,Alder,S1,100\nu-14,Precinct 12A,Alder,S1,100\nu-15,Precinct 12,Alder,S1,100\n"
    "u-16,Precinct 4,Alder,S1,100\nu-17,Precinct 4B,Alder,S1,100\nu-18,Precinct 5,Alder,S1,100\n"
    "u-19,Precinct 8A,Alder,S1,100\nu-20,Precinct 2A,Alder,S1,100\nu-21,Precinct 6,Alder,S1,100\n"
    "u-22,Precinct 2C,Alder,S1,100\nb-1,Birch 1,Birch,S1,100\n";

/* The election, with EXTRA_PRECINCTS (precincts.csv rows) added. */
static int setup_with(void **state, const char *extra_precincts) {
  cvr_fixture_t *f = cvr_fixture_new();
  pc_buf_t contest_csv, choice_csv, style_csv;
  pc_buf_init(&contest_csv, 0);
  pc_buf_init(&choice_csv, 0);
  pc_buf_init(&style_csv, 0);
  pc_buf_append_str(&contest_csv, "code,name,kind,district,vote_for\n");
  pc_buf_append_str(&choice_csv, "contest,code,name,party,write_in\n");
  pc_buf_append_str(&style_csv, "ballot_style,contest\n");
  for (size_t c = 0; c < sizeof contests / sizeof contests[0]; c++) {
    (void)pc_buf_appendf(&contest_csv, "%s,%s,rcv,state,1\n", contests[c][0], contests[c][1]);
    (void)pc_buf_appendf(&style_csv, "S1,%s\n", contests[c][0]);
    for (size_t k = 2; k < 14 && contests[c][k]; k++) {
      if (strcmp(contests[c][k], "*") == 0) (void)pc_buf_appendf(&choice_csv, "%s,%s-w,Write-in,,1\n", contests[c][0], contests[c][0]);
      else (void)pc_buf_appendf(&choice_csv, "%s,%s-%zu,%s,,\n", contests[c][0], contests[c][0], k - 1, contests[c][k]);
    }
  }
  pc_buf_append_str(&contest_csv, "question,Statewide Public Question,measure,state,1\n");
  pc_buf_append_str(&choice_csv, "question,q-for,FOR,,\nquestion,q-against,AGAINST,,\n");
  pc_buf_append_str(&style_csv, "S1,question\n");
  pc_buf_t precinct_csv;
  pc_buf_init(&precinct_csv, 0);
  pc_buf_append_str(&precinct_csv, precincts);
  pc_buf_append_str(&precinct_csv, extra_precincts);
  cvr_define(f, pc_buf_str(&precinct_csv), pc_buf_str(&contest_csv), pc_buf_str(&choice_csv), pc_buf_str(&style_csv));
  pc_buf_free(&precinct_csv);
  pc_buf_free(&contest_csv);
  pc_buf_free(&choice_csv);
  pc_buf_free(&style_csv);
  *state = f;
  return 0;
}

static int setup(void **state) { return setup_with(state, ""); }

/* Birch has a "Precinct 1" too (precinct names are unique per county only). */
static int setup_shared_name(void **state) { return setup_with(state, "b-2,Precinct 1,Birch,S1,100\n"); }

static int teardown(void **state) {
  cvr_fixture_free(*state);
  return 0;
}

static char *unisyn(size_t *size) {
  char path[1024];
  pc_test_data_path(UNISYN, path, sizeof path);
  return cvr_read_file(path, size);
}

static void test_xml_rounds_match_rctab(void **state) {
  cvr_fixture_t *f = *state;
  size_t size = 0;
  char *data = unisyn(&size);
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = cvr_ingest(f, "Alder", "unisyn.xml", data, size, &report, &err);
  if (rc != 0) fail_msg("%s:%ld: %s: %s", err.file, err.line, err.field, err.message);
  assert_string_equal(report.format, "cdf-cvr-xml");
  assert_int_equal(report.version, 1);
  assert_int_equal(report.unchanged, 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'current'"), 7);
  /* The same bytes again change nothing. */
  int64_t entries = pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log");
  assert_int_equal(cvr_ingest(f, "Alder", "unisyn.xml", data, size, &report, &err), 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log"), entries);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads"), 7);
  /* Other bytes (a comment added), the same ballots: a new audited version of each contest. */
  pc_buf_t corrected;
  pc_buf_init(&corrected, 0);
  pc_buf_append(&corrected, data, size);
  pc_buf_append_str(&corrected, "<!-- re-exported -->\n");
  assert_int_equal(cvr_ingest(f, "Alder", "unisyn-2.xml", corrected.data, corrected.len, &report, &err), 0);
  assert_int_equal(report.unchanged, 0);
  assert_int_equal(report.version, 2);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'superseded'"), 7);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE action = 'results.cvr_supersede'"), 7);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'current' AND"
                                               " file_name = 'unisyn-2.xml' AND version = 2"), 7);
  pc_buf_free(&corrected);
  free(data);

  cvr_publish(f);
  /* Tabulated by RCTab's rules in both: every round equal. */
  cvr_expect_rounds(f, "For City C Coroner (1/3)",
                    "rctab/unisyn_xml_cdf_city_coroner/unisyn_xml_cdf_city_coroner_expected_detailed_report.json", 0);
  cvr_expect_rounds(f, "For County Tax Collector (1/3)",
                    "rctab/unisyn_xml_cdf_city_tax_collector/unisyn_xml_cdf_city_tax_collector_expected_detailed_report.json", 0);
  /* Ties broken at random with another seed, or RCTab's zero write-in
   * eliminated first: the same as `precinct tabulate` with the published
   * rules, and round 1 as RCTab's. */
  cvr_expect_as_tabulate(f, "For City C Chief of Police (1/3)", UNISYN, "cdf",
                         "rctab/unisyn_xml_cdf_city_chief_of_police/unisyn_xml_cdf_city_chief_of_police_expected_detailed_report.json");
  cvr_expect_as_tabulate(f, "For City C Council Member (1/3)", UNISYN, "cdf",
                         "rctab/unisyn_xml_cdf_city_council_member/unisyn_xml_cdf_city_council_member_expected_detailed_report.json");
  cvr_expect_as_tabulate(f, "For County Coroner (1/2)", UNISYN, "cdf",
                         "rctab/unisyn_xml_cdf_county_coroner/unisyn_xml_cdf_county_coroner_expected_detailed_report.json");
}

/* DATA with the first FROM replaced by TO (a new string). */
static char *replaced(const char *data, size_t size, const char *from, const char *to, size_t *out_size) {
  const char *at = memmem(data, size, from, strlen(from));
  assert_non_null(at);
  pc_buf_t b;
  pc_buf_init(&b, 0);
  pc_buf_append(&b, data, (size_t)(at - data));
  pc_buf_append_str(&b, to);
  pc_buf_append(&b, at + strlen(from), size - (size_t)(at - data) - strlen(from));
  *out_size = b.len;
  return b.data;
}

static void expect_refusal(cvr_fixture_t *f, const char *county, const char *data, size_t size, int code, long line,
                           const char *field, const char *message) {
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = cvr_ingest(f, county, "unisyn.xml", data, size, &report, &err);
  if (rc != code) fail_msg("expected %d (%s), got %d: %s", code, message, rc, err.message);
  if (strcmp(err.file, "unisyn.xml") != 0 || err.line != line || strcmp(err.field, field) != 0 ||
      strcmp(err.message, message) != 0)
    fail_msg("got %s:%ld: [%s] %s", err.file, err.line, err.field, err.message);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_first_choices"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'results.cvr%'"), 0);
}

static void test_xml_refusals(void **state) {
  cvr_fixture_t *f = *state;
  size_t size = 0, bad_size = 0;
  char *data = unisyn(&size);
  /* The first CVR is in Precinct 1, an Alder precinct. */
  expect_refusal(f, "Birch", data, size, PC_EINVAL, 1, "BallotStyleUnitId",
                 "precinct \"Precinct 1\" is in Alder County, not Birch County");
  /* A candidate the definition does not have: the first CVR ranking him. */
  char *bad = replaced(data, size, "<Name>Terry Halloran</Name>", "<Name>Terry Hallorann</Name>", &bad_size);
  expect_refusal(f, "Alder", bad, bad_size, PC_EINVAL, 1, "CandidateIds",
                 "candidate \"Terry Hallorann\" is not a choice of contest \"cc-coroner\"");
  free(bad);
  /* A contest the election does not have: its end tag's line. */
  bad = replaced(data, size, "<Name>Statewide Public Question</Name>", "<Name>Local Question</Name>", &bad_size);
  expect_refusal(f, "Alder", bad, bad_size, PC_EINVAL, 7723, "Election.Contest[7]",
                 "contest \"Local Question\" is not in election 2026-rcv");
  free(bad);
  /* Cut short: no ballot of a broken report is kept. */
  expect_refusal(f, "Alder", data, size - 200, PC_EINVAL, 7859, "", "invalid XML (column 4): unclosed token");
  free(data);
}

/* Alder's report names its precincts by name; Birch's "Precinct 1" does not
 * make Alder's ambiguous: an uploader's precinct is looked up in its county. */
static void test_xml_precinct_name_shared_with_other_county(void **state) {
  cvr_fixture_t *f = *state;
  size_t size = 0;
  char *data = unisyn(&size);
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = cvr_ingest(f, "Alder", "unisyn.xml", data, size, &report, &err);
  if (rc != 0) fail_msg("%s:%ld: %s: %s", err.file, err.line, err.field, err.message);
  free(data);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'current'"), 7);
  const char *in_precinct = "SELECT COALESCE(SUM(c.ballots), 0) FROM cvr_precincts c JOIN precincts p ON"
                            " p.id = c.precinct_id WHERE p.code = '%s'";
  char sql[300];
  pc_snprintf(sql, sizeof sql, in_precinct, "b-2");
  assert_int_equal(pc_test_query_int(f->store, sql), 0);
  pc_snprintf(sql, sizeof sql, in_precinct, "u-2");
  assert_true(pc_test_query_int(f->store, sql) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_xml_rounds_match_rctab, setup, teardown),
      cmocka_unit_test_setup_teardown(test_xml_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_xml_precinct_name_shared_with_other_county, setup_shared_name, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
