/* Unit tests for the CDF JSON reader's element splitting: the CVR array may
 * come before or after the Election, CVR strings may hold quotes, brackets
 * and escapes, and whatever cannot be split (or is not JSON) fails with its
 * exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"
#include "cvr_collect.h"

#include "precinct/cvr.h"

#define ELECTION                                                                                   \
  "\"Election\":[{\"@id\":\"e\",\"Candidate\":[{\"@id\":\"c1\",\"Name\":\"Ann\"},{\"@id\":\"c2\","  \
  "\"Name\":\"Bo [x]\"}],\"Contest\":[{\"@id\":\"k\",\"Name\":\"Mayor\",\"ContestSelection\":["   \
  "{\"@id\":\"s1\",\"CandidateIds\":[\"c1\"]},{\"@id\":\"s2\",\"CandidateIds\":[\"c2\"]}]}]}],"    \
  "\"GpUnit\":[{\"@id\":\"p1\",\"Name\":\"North {1}\"}]"

/* A CVR with ID, ranking s1 then s2 (or only s1 when ONE is set). */
#define CVR(ID)                                                                                    \
  "{\"BallotPrePrintedId\":" ID ",\"BallotStyleUnitId\":\"p1\",\"CurrentSnapshotId\":\"x\","       \
  "\"CVRSnapshot\":[{\"@id\":\"x\",\"CVRContest\":[{\"ContestId\":\"k\",\"CVRContestSelection\":[" \
  "{\"ContestSelectionId\":\"s1\",\"SelectionPosition\":[{\"HasIndication\":\"yes\",\"Rank\":1}]},"  \
  "{\"ContestSelectionId\":\"s2\",\"SelectionPosition\":[{\"HasIndication\":\"yes\",\"Rank\":2}]}"   \
  "]}]}]}"

static char dir[512], path[1024];

static int read_json(const char *text, cvr_collect_t *c, uint64_t *n, pc_error_t *err) {
  cvr_write_text(dir, "cvr.json", text);
  pc_cvr_source_t s = {.provider = PC_CVR_CDF, .path = path, .contest_id = "Mayor"};
  pc_error_clear(err);
  return pc_cvr_read_cdf_json(&s, cvr_collect, c, n, err);
}

static int setup(void **state) {
  (void)state;
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/cvr.json", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  pc_test_rmtree(dir);
  return 0;
}

static void cvrs_split_in_any_order(void **state) {
  (void)state;
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err;
  /* CVR first, strings with quotes, brackets and escapes, a key spelled with \u */
  assert_int_equal(read_json("{\n  \"CVR\" : [\n " CVR("\"a\\\"]}[{\\\\\"") " ,\n" CVR("\"b\"") "\n ] ,"
                             ELECTION ", \"Note\": \"\\\"CVR\\\": [\"}",
                             &c, &n, &err),
                   0);
  assert_int_equal(n, 2);
  assert_int_equal(c.count, 2);
  assert_string_equal(c.lines[0], "1|a\"]}[{\\|North {1}|-|1:Ann,2:Bo [x]");
  assert_string_equal(c.lines[1], "2|b|North {1}|-|1:Ann,2:Bo [x]");
  cvr_collect_free(&c);

  memset(&c, 0, sizeof c);
  assert_int_equal(read_json("{" ELECTION ",\"\\u0043VR\":[" CVR("\"z\"") "]}", &c, &n, &err), 0);
  assert_int_equal(n, 1);
  assert_string_equal(c.lines[0], "1|z|North {1}|-|1:Ann,2:Bo [x]");
  cvr_collect_free(&c);

  memset(&c, 0, sizeof c);
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[ ]}", &c, &n, &err), 0);
  assert_int_equal(n, 0);
}

static void unsplittable_reports_fail(void **state) {
  (void)state;
  cvr_collect_t c = {0};
  pc_error_t err;
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") ",]}", &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "invalid JSON: the CVR array ends after a ','; expected a CVR object");
  assert_int_equal(c.count, 1);
  cvr_collect_free(&c);

  memset(&c, 0, sizeof c);
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") " 7]}", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON: '7' at byte "));
  assert_non_null(strstr(err.message, " between CVRs; expected ',' or ']'"));
  cvr_collect_free(&c);

  memset(&c, 0, sizeof c);
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") "}}", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON: the \"CVR\" array ends with '}' at byte "));
  assert_int_equal(c.count, 0); /* nothing delivered before the whole file is split */

  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") "", &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "invalid JSON: the \"CVR\" array is not closed at the end of the file");

  assert_int_equal(read_json("{" ELECTION "]]", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON: unbalanced ']' at byte "));

  assert_int_equal(read_json("{\"CVR\":[]," ELECTION ",\"CVR\":[]}", &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "the report has more than one \"CVR\" member; expected one");

  /* jansson validates each element and the rest of the report */
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") ",{\"x\":}]}", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON in CVR 2 (from byte "));
  assert_int_equal(err.line, 2);
  cvr_collect_free(&c);
  memset(&c, 0, sizeof c);
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":[" CVR("\"a\"") "], \"x\" 1}", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON at byte "));
  assert_int_equal(c.count, 0);
  assert_int_equal(read_json("{\"Election\" 1, \"CVR\":[]}", &c, NULL, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "invalid JSON at column 13"));
  assert_int_equal(read_json("{" ELECTION ",\"CVR\":{\"a\":[]}}", &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "required array missing from the CDF report");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cvrs_split_in_any_order),
      cmocka_unit_test(unsplittable_reports_fail),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
