/* Unit tests for the Dominion reader: the real Alaska and multi-file San
 * Francisco exports (exact ballots), adjudicated sessions, ambiguous marks,
 * and malformed exports with their exact error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"
#include "cvr_collect.h"

#include "precinct/cvr.h"

static void real_alaska(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/_shared/dominion_alaska/alaska_input_data", path, sizeof path);
  pc_cvr_source_t s = {.provider = PC_CVR_DOMINION, .path = path, .contest_id = "1",
                       .undeclared_write_in_label = "12"};
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 1000);
  /* IsVote=false marks still count, as in RCTab; ids are Dominion candidate ids */
  assert_string_equal(c.lines[0], "1|1|-|1|1:9,2:1,3:12,4:8,5:7");
  assert_string_equal(c.lines[1], "2|2|-|1|1:1,2:12,3:4,4:11,5:7");
  assert_string_equal(c.lines[999], "1000|20|-|1|1:9,2:12,3:3,4:5,5:4");
  cvr_collect_free(&c);
}

static void real_multi_file(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/dominion_multi_file/dominion_multi_file_input_data", path, sizeof path);
  pc_cvr_source_t s = {.provider = PC_CVR_DOMINION, .path = path, .contest_id = "13"};
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, &n, &err), 0);
  /* CvrExport_1, _2, _3 and _6: every numbered file, as RCTab (25 ballots) */
  assert_int_equal(n, 25);
  assert_string_equal(c.lines[0], "8|56|-|892|1:30,2:27,3:28,4:29");
  assert_string_equal(c.lines[24], "56|28|-|876|");
  cvr_collect_free(&c);

  s.contest_id = "999";
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "no cast vote record data found for contest '999'");
  cvr_collect_free(&c);
}

static void make_folder(char *dir, size_t size, const char *export_json) {
  pc_test_tempdir(dir, size);
  cvr_write_text(dir, "CandidateManifest.json",
             "{\"List\":[{\"Description\":\"Ann\",\"Id\":5,\"ContestId\":7},{\"Description\":\"Bob\",\"Id\":6,\"ContestId\":7},"
             "{\"Description\":\"Other\",\"Id\":9,\"ContestId\":8}]}");
  cvr_write_text(dir, "ContestManifest.json", "{\"List\":[{\"Description\":\"Mayor\",\"Id\":7,\"VoteFor\":1,\"NumOfRanks\":3},"
                                          "{\"Description\":\"Clerk\",\"Id\":8,\"VoteFor\":1,\"NumOfRanks\":0}]}");
  cvr_write_text(dir, "PrecinctPortionManifest.json", "{\"List\":[{\"Description\":\"P1 part\",\"Id\":1}]}");
  cvr_write_text(dir, "PrecinctManifest.json", "{\"List\":[{\"Description\":\"Precinct One\",\"Id\":11}]}");
  cvr_write_text(dir, "CvrExport.json", export_json);
}

static int read_folder(const char *export_json, cvr_collect_t *c, pc_error_t *err) {
  char dir[512];
  make_folder(dir, sizeof dir, export_json);
  pc_cvr_source_t s = {.provider = PC_CVR_DOMINION, .path = dir, .contest_id = "7",
                       .undeclared_write_in_label = "99"};
  pc_error_clear(err);
  int rc = pc_cvr_read_dominion(&s, cvr_collect, c, NULL, err);
  pc_test_rmtree(dir);
  return rc;
}

#define MARK(cand, rank, amb) "{\"CandidateId\":" #cand ",\"Rank\":" #rank ",\"IsAmbiguous\":" #amb ",\"IsVote\":true}"

static void sessions_and_marks(void **state) {
  (void)state;
  cvr_collect_t c = {0};
  pc_error_t err;
  int rc = read_folder(
      "\xEF\xBB\xBF{\"Version\":\"5.10\",\"ElectionId\":\"E\",\"Sessions\":[\n"
      /* original, two cards, the contest on the second; rank order restored */
      "{\"TabulatorId\":3,\"BatchId\":4,\"RecordId\":5,\"Original\":{\"PrecinctPortionId\":1,\"PrecinctId\":11,\"IsCurrent\":true,"
      "\"Cards\":[{\"Contests\":[{\"Id\":8,\"Marks\":[" MARK(9, 1, false) "]}]},"
      "{\"Contests\":[{\"Id\":7,\"Marks\":[" MARK(6, 2, false) "," MARK(5, 1, false) "," MARK(99, 3, false) "]}]}]}},\n"
      /* adjudicated: Modified replaces Original; ambiguous marks dropped; no Cards level */
      "{\"TabulatorId\":3,\"BatchId\":4,\"RecordId\":6,\"Original\":{\"IsCurrent\":false,\"Contests\":[{\"Id\":7,\"Marks\":[" MARK(5, 1, false) "]}]},"
      "\"Modified\":{\"IsCurrent\":true,\"Contests\":[{\"Id\":7,\"Marks\":[" MARK(6, 1, false) "," MARK(5, 2, true) "]}]}},\n"
      /* not current and no Modified: skipped as RCTab does */
      "{\"TabulatorId\":3,\"BatchId\":4,\"RecordId\":7,\"Original\":{\"IsCurrent\":false,\"Contests\":[{\"Id\":7,\"Marks\":[]}]}},\n"
      /* overvote at rank 1 */
      "{\"TabulatorId\":3,\"BatchId\":\"B9\",\"RecordId\":8,\"Original\":{\"IsCurrent\":true,\"Contests\":[{\"Id\":7,\"Marks\":[" MARK(6, 1, false) "," MARK(5, 1, false) "]}]}}\n"
      "],\"Trailer\":{\"x\":[1,2,{\"y\":null}]}}\n",
      &c, &err);
  assert_int_equal(rc, 0);
  assert_int_equal(c.count, 3);
  assert_string_equal(c.lines[0], "1|5|Precinct One|4|1:5,2:6,3:99");
  assert_string_equal(c.lines[1], "2|6|-|4|1:6");
  assert_string_equal(c.lines[2], "4|8|-|B9|1:6,1:5");
  cvr_collect_free(&c);
}

static void malformed_exports(void **state) {
  (void)state;
  cvr_collect_t c = {0};
  pc_error_t err;
  const char *head = "{\"Sessions\":[{\"TabulatorId\":3,\"BatchId\":4,\"RecordId\":5,\"Original\":{\"IsCurrent\":true,";

  char json[2048];
  snprintf(json, sizeof json, "%s\"PrecinctId\":12,\"Contests\":[]}}]}", head);
  assert_int_equal(read_folder(json, &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "session 1: precinct ID \"12\" from CVR not found in manifest data");
  assert_int_equal(err.line, 1);

  snprintf(json, sizeof json, "%s\"PrecinctPortionId\":2,\"Contests\":[]}}]}", head);
  assert_int_equal(read_folder(json, &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "session 1: precinct portion ID \"2\" from CVR not found in manifest data");

  snprintf(json, sizeof json, "%s\"Contests\":[{\"Id\":7,\"Marks\":[" MARK(9, 1, false) "]}]}}]}", head);
  assert_int_equal(read_folder(json, &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "session 1: candidate ID '9' is not valid for contest '7'; expected a candidate "
                                   "of that contest in CandidateManifest.json");

  snprintf(json, sizeof json, "%s\"Contests\":[{\"Id\":7,\"Marks\":[{\"CandidateId\":5,\"Rank\":\"1\",\"IsAmbiguous\":false}]}]}}]}", head);
  assert_int_equal(read_folder(json, &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "session 1: mark 1: expected \"CandidateId\", integer \"Rank\" and boolean \"IsAmbiguous\"");

  assert_int_equal(read_folder("{\"Sessions\":[{\"TabulatorId\":3,}]}", &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "malformed JSON at byte 31: string or '}' expected near '}'");

  assert_int_equal(read_folder("{\"Sessions\":[] \"x\":1}", &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "malformed JSON at byte 15: expected ',' or '}' after a member");

  assert_int_equal(read_folder("{\"Version\":1}", &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "expected a \"Sessions\" array");

  assert_int_equal(read_folder("{\"Sessions\":[]} []", &c, &err), PC_EINVAL);
  assert_string_equal(err.message, "malformed JSON at byte 16: data after the export object");
  assert_int_equal(c.count, 0);
}

static void missing_manifests(void **state) {
  (void)state;
  char dir[512];
  pc_test_tempdir(dir, sizeof dir);
  pc_cvr_source_t s = {.provider = PC_CVR_DOMINION, .path = dir, .contest_id = "7"};
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, NULL, &err), PC_EIO);
  assert_non_null(strstr(err.file, "PrecinctPortionManifest.json"));
  assert_string_equal(err.message, "cannot open Dominion manifest: No such file or directory");
  pc_test_rmtree(dir);
  make_folder(dir, sizeof dir, "{}");
  char path[1024];
  snprintf(path, sizeof path, "%s/CvrExport.json", dir);
  remove(path);
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, NULL, &err), PC_ENOTFOUND);
  assert_string_equal(err.message, "neither CvrExport.json nor CvrExport_<n>.json files exist in the folder");
  pc_test_rmtree(dir);
}

/* Numbered exports are read by number: CvrExport_01.json beside
 * CvrExport_1.json made the list [1, 1], so CvrExport_1.json was counted
 * twice and CvrExport_01.json never read. A leading zero is refused. */
static void numbered_export_names(void **state) {
  (void)state;
  char dir[512], path[1024];
  const char *one = "{\"Sessions\":[{\"TabulatorId\":1,\"BatchId\":1,\"RecordId\":1,\"CountingGroupId\":1,"
                    "\"Original\":{\"PrecinctPortionId\":1,\"IsCurrent\":true,\"Cards\":[{\"Contests\":[{\"Id\":7,\"Marks\":["
                    MARK(5, 1, false) "]}]}]}}]}";
  make_folder(dir, sizeof dir, "{}");
  snprintf(path, sizeof path, "%s/CvrExport.json", dir);
  remove(path);
  cvr_write_text(dir, "CvrExport_1.json", one);
  cvr_write_text(dir, "CvrExport_01.json", one);
  pc_cvr_source_t s = {.provider = PC_CVR_DOMINION, .path = dir, .contest_id = "7"};
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "CvrExport_01.json: an export file's number has no leading zero (expected "
                                   "CvrExport_1.json)");
  cvr_collect_free(&c);
  snprintf(path, sizeof path, "%s/CvrExport_01.json", dir);
  remove(path);
  uint64_t n = 0;
  assert_int_equal(pc_cvr_read_dominion(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 1);
  cvr_collect_free(&c);
  pc_test_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(real_alaska), cmocka_unit_test(real_multi_file), cmocka_unit_test(sessions_and_marks),
      cmocka_unit_test(malformed_exports), cmocka_unit_test(missing_manifests), cmocka_unit_test(numbered_export_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
