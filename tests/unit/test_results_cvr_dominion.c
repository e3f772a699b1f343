/* Ranked-choice CVRs uploaded as a Dominion export in one .zip: RCTab's
 * San Francisco multi-file export (tests/data/rctab/dominion_multi_file),
 * zipped here, for an election defined from its manifests (the six ranked
 * contests, their candidates, the precinct portions). Checks the published
 * rounds against RCTab's expected report, re-upload, refusals (unknown
 * candidate named with zip entry and manifest field, another county's
 * precinct, entry and total size limits, a lying header, corrupt zips) and
 * that nothing is stored and no temporary file is left after any of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "results_cvr_support.h"

#include "../src/results/rcv.h"

#include <zip.h>

#define SF_DIR "rctab/dominion_multi_file/dominion_multi_file_input_data"
#define SF_EXPECTED "rctab/dominion_multi_file/dominion_multi_file_expected_detailed_report.json"

static int setup(void **state) {
  *state = cvr_fixture_new();
  return 0;
}

static int teardown(void **state) {
  cvr_fixture_free(*state);
  return 0;
}

static void csv_field(pc_buf_t *b, const char *text) {
  pc_buf_append_char(b, '"');
  for (const char *p = text; *p; p++) {
    if (*p == '"') pc_buf_append_char(b, '"');
    pc_buf_append_char(b, *p);
  }
  pc_buf_append_char(b, '"');
}

static json_t *manifest(const char *name) {
  char path[1024];
  pc_snprintf(path, sizeof path, "%s/%s", SF_DIR, name);
  char full[1200];
  pc_test_data_path(path, full, sizeof full);
  json_t *root = json_load_file(full, 0, NULL);
  assert_non_null(root);
  return root;
}

/* RCTab's names for district 3's candidates (its config aliases the ids);
 * Spencer's code is the manifest's spelling, the others match by name with
 * the manifest's capitals. */
static const char *district3_name(json_int_t id, const char **code) {
  *code = NULL;
  switch (id) {
  case 27: return "Aaron Peskin";
  case 28: return "Danny Sauter";
  case 29: *code = "SPENCER SIMONSEN"; return "Spencer Simonson";
  case 30: return "Stephen (Lulu) Schwartz";
  default: return NULL;
  }
}

/* The election from the export's manifests: every precinct portion a
 * precinct of COUNTY, every ranked contest an RCV contest with its
 * candidates (but candidate id LEAVE_OUT, when not 0). */
static void define_from_manifests(cvr_fixture_t *f, const char *county, json_int_t leave_out) {
  pc_buf_t precincts, contests, choices, styles;
  pc_buf_init(&precincts, 0);
  pc_buf_init(&contests, 0);
  pc_buf_init(&choices, 0);
  pc_buf_init(&styles, 0);
  pc_buf_append_str(&precincts, "code,name,county,ballot_style,registered_voters\n");
  pc_buf_append_str(&contests, "code,name,kind,district,vote_for\n");
  pc_buf_append_str(&choices, "contest,code,name,party,write_in\n");
  pc_buf_append_str(&styles, "ballot_style,contest\n");
  json_t *portions = manifest("PrecinctPortionManifest.json"), *item;
  size_t i;
  json_array_foreach(json_object_get(portions, "List"), i, item) {
    (void)pc_buf_appendf(&precincts, "pp-%lld,", (long long)json_integer_value(json_object_get(item, "Id")));
    csv_field(&precincts, json_string_value(json_object_get(item, "Description")));
    (void)pc_buf_appendf(&precincts, ",%s,S1,1000\n", county);
  }
  json_decref(portions);
  pc_buf_append_str(&precincts, "b-1,Birch 1,Birch,S1,1000\n");
  json_t *contest_list = manifest("ContestManifest.json"), *candidate_list = manifest("CandidateManifest.json"), *c;
  json_array_foreach(json_object_get(contest_list, "List"), i, item) {
    if (json_integer_value(json_object_get(item, "NumOfRanks")) <= 0) continue;
    json_int_t contest_id = json_integer_value(json_object_get(item, "Id"));
    (void)pc_buf_appendf(&contests, "d%lld,", (long long)contest_id);
    csv_field(&contests, json_string_value(json_object_get(item, "Description")));
    pc_buf_append_str(&contests, ",rcv,state,1\n");
    (void)pc_buf_appendf(&styles, "S1,d%lld\n", (long long)contest_id);
    size_t k;
    json_array_foreach(json_object_get(candidate_list, "List"), k, c) {
      if (json_integer_value(json_object_get(c, "ContestId")) != contest_id) continue;
      json_int_t id = json_integer_value(json_object_get(c, "Id"));
      if (id == leave_out) continue;
      const char *code = NULL, *name = contest_id == 13 ? district3_name(id, &code) : NULL;
      int write_in = strcmp(json_string_value(json_object_get(c, "Type")), "WriteIn") == 0;
      if (!name) name = json_string_value(json_object_get(c, "Description"));
      if (code) (void)pc_buf_appendf(&choices, "d%lld,%s,", (long long)contest_id, code);
      else (void)pc_buf_appendf(&choices, "d%lld,k%lld,", (long long)contest_id, (long long)id);
      csv_field(&choices, name);
      pc_buf_append_str(&choices, write_in ? ",,1\n" : ",,\n");
    }
  }
  json_decref(contest_list);
  json_decref(candidate_list);
  cvr_define(f, pc_buf_str(&precincts), pc_buf_str(&contests), pc_buf_str(&choices), pc_buf_str(&styles));
  pc_buf_free(&precincts);
  pc_buf_free(&contests);
  pc_buf_free(&choices);
  pc_buf_free(&styles);
}

/* The export folder zipped (entries under "export/", as a county's zip
 * of the folder has them; Configuration.json too, which is not read).
 * Returns the zip's bytes. */
static char *zip_export(cvr_fixture_t *f, const char *extra_name, const char *extra_text, size_t *size) {
  char dir[1024], zip_path[1300];
  pc_test_data_path(SF_DIR, dir, sizeof dir);
  pc_snprintf(zip_path, sizeof zip_path, "%s/export.zip", f->dir);
  remove(zip_path);
  int zerr = 0;
  zip_t *zip = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  assert_non_null(zip);
  struct dirent **names = NULL;
  int n = scandir(dir, &names, NULL, alphasort); /* zip order = name order, so limits trip at a known entry */
  assert_true(n > 0);
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    if (name[0] != '.') {
      char path[1300], entry[300];
      pc_snprintf(path, sizeof path, "%s/%s", dir, name);
      pc_snprintf(entry, sizeof entry, "export/%s", name);
      zip_source_t *source = zip_source_file(zip, path, 0, -1);
      assert_non_null(source);
      assert_true(zip_file_add(zip, entry, source, ZIP_FL_ENC_UTF_8) >= 0);
    }
    free(names[i]);
  }
  free(names);
  if (extra_name) {
    zip_source_t *source = zip_source_buffer(zip, extra_text, strlen(extra_text), 0);
    assert_true(zip_file_add(zip, extra_name, source, ZIP_FL_ENC_UTF_8) >= 0);
  }
  assert_int_equal(zip_close(zip), 0);
  return cvr_read_file(zip_path, size);
}

static void expect_stored_nothing(cvr_fixture_t *f) {
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_first_choices"), 0);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'results.cvr%'"), 0);
}

static void expect_refusal(cvr_fixture_t *f, const char *county, const char *data, size_t size, int code,
                           const char *file, long line, const char *field, const char *message) {
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = cvr_ingest(f, county, "sf.zip", data, size, &report, &err);
  if (rc != code || strcmp(err.file, file) != 0 || err.line != line || strcmp(err.field, field) != 0 ||
      strcmp(err.message, message) != 0)
    fail_msg("got %d %s:%ld: [%s] %s", rc, err.file, err.line, err.field, err.message);
  expect_stored_nothing(f);
}

static void test_dominion_zip_rounds_match_rctab(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Alder", 0);
  size_t size = 0;
  char *data = zip_export(f, NULL, NULL, &size);
  pc_results_ingest_report_t report;
  pc_error_t err;
  int rc = cvr_ingest(f, "Alder", "sf.zip", data, size, &report, &err);
  if (rc != 0) fail_msg("%s:%ld: [%s] %s", err.file, err.line, err.field, err.message);
  assert_string_equal(report.format, "dominion-zip");
  assert_int_equal(report.version, 1);
  assert_int_equal(report.vote_rows, 110); /* ballots of the six ranked contests */
  assert_int_equal(pc_test_query_int(f->store, "SELECT ballots FROM cvr_uploads u JOIN contests c ON c.id = u.contest_id"
                                               " WHERE c.code = 'd13'"), 25);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM cvr_uploads WHERE status = 'current'"), 6);
  int64_t entries = pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log");
  assert_int_equal(cvr_ingest(f, "Alder", "sf.zip", data, size, &report, &err), 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(pc_test_query_int(f->store, "SELECT COUNT(*) FROM audit_log"), entries);
  free(data);
  cvr_publish(f);
  /* RCTab's config names write-in id 122 as the undeclared write-in: listed at 0 there. */
  cvr_expect_rounds(f, "BOARD OF SUPERVISORS DISTRICT 3", SF_EXPECTED, 1);
}

static void test_dominion_zip_refusals(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Birch", 28); /* Danny Sauter left out */
  size_t size = 0;
  char *data = zip_export(f, NULL, NULL, &size);
  expect_refusal(f, "Birch", data, size, PC_EINVAL, "sf.zip/export/CandidateManifest.json", 0, "List[64].Description",
                 "candidate \"DANNY SAUTER\" (Id 28) is not a choice of contest \"d13\" in election 2026-rcv");
  free(data);
}

static void test_dominion_zip_other_county(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Alder", 0);
  size_t size = 0;
  char *data = zip_export(f, NULL, NULL, &size);
  /* Session 4 is the first ballot of district 1, the first ranked contest. */
  expect_refusal(f, "Birch", data, size, PC_EINVAL, "sf.zip/export/CvrExport_1.json", 4, "PrecinctPortionId",
                 "precinct \"PCT 9106\" is in Alder County, not Birch County");
  free(data);
}

/* Sets a 32-bit field of ENTRY in both its local and its central header
 * (a zip that lies consistently): the uncompressed size, or the CRC. */
enum { FIELD_SIZE, FIELD_CRC };
static void patch_header(char *data, size_t size, const char *entry, int field, uint32_t value) {
  size_t n = strlen(entry);
  int patched = 0;
  for (size_t at = 0; at + n <= size; at++) {
    if (memcmp(data + at, entry, n) != 0) continue;
    size_t offset = 0;
    if (at >= 30 && memcmp(data + at - 30, "PK\003\004", 4) == 0) offset = at - 30 + (field == FIELD_SIZE ? 22 : 14);
    else if (at >= 46 && memcmp(data + at - 46, "PK\001\002", 4) == 0) offset = at - 46 + (field == FIELD_SIZE ? 24 : 16);
    else continue;
    for (int b = 0; b < 4; b++) data[offset + (size_t)b] = (char)((value >> (8 * b)) & 0xff);
    patched++;
  }
  assert_int_equal(patched, 2);
}

static void expect_limited(cvr_fixture_t *f, const pc_rcv_zip_limits_t *limits, const char *data, size_t size,
                           const char *file, const char *message) {
  pc_election_model_t model;
  pc_error_t err;
  assert_int_equal(pc_elections_load(f->store, f->election, &model, &err), 0);
  pc_rcv_ballots_t *sets = NULL;
  size_t count = 0;
  int alder = strcmp(model.counties[0].name, "Alder") == 0 ? 0 : 1;
  pc_error_clear(&err);
  int rc = pc_results_dominion_parse_limited(&model, alder, "sf.zip", data, size, limits, &sets, &count, &err);
  pc_elections_model_free(&model);
  if (rc != PC_ELIMIT || strcmp(err.file, file) != 0 || strcmp(err.message, message) != 0)
    fail_msg("got %d %s: %s", rc, err.file, err.message);
  assert_null(sets);
  assert_int_equal(cvr_tmp_entries(f), 0);
}

static void test_dominion_zip_limits(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Alder", 0);
  size_t size = 0;
  char *data = zip_export(f, NULL, NULL, &size);
  pc_rcv_zip_limits_t limits = pc_rcv_zip_default_limits;
  limits.entry_bytes = 500000;
  expect_limited(f, &limits, data, size, "sf.zip/export/CvrExport_1.json",
                 "zip entry inflates to 956769 bytes, more than the 500000 allowed");
  limits = pc_rcv_zip_default_limits;
  limits.total_bytes = 1000000;
  expect_limited(f, &limits, data, size, "sf.zip/export/CvrExport_1.json",
                 "the zip's entries inflate to more than the 1000000 bytes allowed");
  limits = pc_rcv_zip_default_limits;
  limits.entries = 5;
  expect_limited(f, &limits, data, size, "sf.zip", "the zip has 19 entries, more than the 5 allowed");
  /* Through the ingest: a header claiming 3.75 GiB is refused before inflating... */
  char *lying = pc_xmalloc(size);
  memcpy(lying, data, size);
  patch_header(lying, size, "export/CvrExport_2.json", FIELD_SIZE, 0xF0000000u);
  expect_refusal(f, "Alder", lying, size, PC_ELIMIT, "sf.zip/export/CvrExport_2.json", 0, "",
                 "zip entry inflates to 4026531840 bytes, more than the 2147483648 allowed");
  /* ... and one claiming 1000 bytes stops at 1000, not at the disk's end. */
  memcpy(lying, data, size);
  patch_header(lying, size, "export/CvrExport_2.json", FIELD_SIZE, 1000);
  expect_refusal(f, "Alder", lying, size, PC_ELIMIT, "sf.zip/export/CvrExport_2.json", 0, "",
                 "zip entry inflates beyond the 1000 bytes its header declares");
  free(lying);
  free(data);
}

static void test_dominion_zip_corrupt(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Alder", 0);
  size_t size = 0;
  char *data = zip_export(f, NULL, NULL, &size);
  /* The central directory cut off. */
  expect_refusal(f, "Alder", data, size - 100, PC_EINVAL, "sf.zip", 0, "", "not a readable zip: Not a zip archive");
  /* CvrExport_3.json's data does not match its CRC. */
  patch_header(data, size, "export/CvrExport_3.json", FIELD_CRC, 0x12345678u);
  expect_refusal(f, "Alder", data, size, PC_EINVAL, "sf.zip/export/CvrExport_3.json", 0, "", "corrupt zip entry: CRC error");
  free(data);
  /* An ES&S workbook is a zip too, and is not taken for a Dominion export. */
  data = zip_export(f, "xl/workbook.xml", "<workbook/>", &size);
  expect_refusal(f, "Alder", data, size, PC_EINVAL, "sf.zip", 0, "",
                 "an Excel workbook (ES&S) is not accepted; upload a Dominion export .zip or a CDF report");
  free(data);
}

/* The reader opens CvrExport.json alone, or CvrExport_<n>.json rebuilt from
 * each number: an entry spelling its number another way was read as its twin
 * (CvrExport_1.json counted twice, 169 vote rows instead of 110, accepted),
 * and numbered files beside CvrExport.json were never read. Both refused. */
static void test_dominion_zip_export_names(void **state) {
  cvr_fixture_t *f = *state;
  define_from_manifests(f, "Alder", 0);
  size_t size = 0;
  char *data = zip_export(f, "export/CvrExport_01.json", "{\"Version\": \"5.10.50.85\", \"Sessions\": []}", &size);
  expect_refusal(f, "Alder", data, size, PC_EINVAL, "sf.zip", 0, "",
                 "entry export/CvrExport_01.json: an export file's number has no leading zero (expected CvrExport_1.json)");
  free(data);
  data = zip_export(f, "export/CvrExport.json", "{\"Version\": \"5.10.50.85\", \"Sessions\": []}", &size);
  expect_refusal(f, "Alder", data, size, PC_EINVAL, "sf.zip", 0, "",
                 "the zip holds a single-file export and a multi-file export (export/CvrExport_1.json and "
                 "export/CvrExport.json); upload one");
  free(data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_dominion_zip_rounds_match_rctab, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dominion_zip_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dominion_zip_other_county, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dominion_zip_limits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dominion_zip_corrupt, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dominion_zip_export_names, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
