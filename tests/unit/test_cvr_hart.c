/* Unit tests for the Hart reader: the real Cedar Park archive (exact
 * ballots), rank strings with overvotes, missing contests, and malformed
 * files with their exact error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"
#include "cvr_collect.h"

#include "precinct/cvr.h"

#define CONTEST "b651b997-417a-46d9-a676-a43d4df94ddc"

static void real_archive(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/_shared/hart_cvr_archive", path, sizeof path);
  pc_cvr_source_t s = {.provider = PC_CVR_HART, .path = path, .contest_id = CONTEST,
                       .undeclared_write_in_label = "99cefa84-bad0-4d6b-a916-e606bd43f9cd"};
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), 0);
  /* 9 of the 10 files have the contest; files are read in name order */
  assert_int_equal(n, 9);
  assert_string_equal(c.lines[0], "1|0e4cb797-392c-4e64-9034-94694bf97419|PRC1-PRC1|1|");
  assert_string_equal(c.lines[1], "1|1a0e576b-0b2d-474d-8d65-89c968b42262|102|1|"
                                  "1:145d5655-9914-4b7a-9b04-6740d377c7e3,2:9d64820a-ec36-48fc-a12c-0a77933f11d1,"
                                  "3:2b6f6f6a-4693-40fb-9ea2-38c4819c08bf,4:c0398b1e-9837-48ad-937d-a9048390eb65,"
                                  "5:5f1a7e93-d5d7-498d-94d5-101356477f30,6:6f2df7d3-5c83-4fc7-b4a5-c2eca9e5fdb4");
  /* rank 5 skipped; the write-in id is passed through for the builder */
  assert_string_equal(c.lines[4], "1|826a70f1-5df6-458c-bc78-8443ba3b20b0|ABC~!@#^&()_+|?><,.[]\\][ k1234567@-C!~@#^&|1|"
                                  "1:2b6f6f6a-4693-40fb-9ea2-38c4819c08bf,2:c0398b1e-9837-48ad-937d-a9048390eb65,"
                                  "3:9d64820a-ec36-48fc-a12c-0a77933f11d1,4:145d5655-9914-4b7a-9b04-6740d377c7e3,"
                                  "6:99cefa84-bad0-4d6b-a916-e606bd43f9cd");
  cvr_collect_free(&c);
}

#define CVR_HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?><Cvr xmlns=\"http://tempuri.org/CVRDesign.xsd\"><Contests>"
#define CVR_TAIL "</Contests><PrecinctSplit><Name>P 1</Name><Id>p1</Id></PrecinctSplit><BatchNumber>7</BatchNumber><CvrGuid>%s</CvrGuid></Cvr>"
#define OPTION(name, id, value) "<Option><Name>" name "</Name><Id>" id "</Id><Value>" value "</Value></Option>"

static void remove_file(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  assert_int_equal(remove(path), 0);
}

static void synthetic_files(void **state) {
  (void)state;
  char dir[512];
  pc_test_tempdir(dir, sizeof dir);
  pc_cvr_source_t s = {.provider = PC_CVR_HART, .path = dir, .contest_id = "c1"};
  char text[2048];
  snprintf(text, sizeof text, CVR_HEAD "<Contest><Name>Mayor</Name><Id>c1</Id><Options>" OPTION("Ann", "a", "0101")
           OPTION("Bob", "b", "1000") OPTION("Cy", "c", "0100") "</Options></Contest>" CVR_TAIL, "g1");
  cvr_write_text(dir, "b.XML", text);
  /* another contest, and the contest's <Id> after its <Options>; a code seen with
   * another name in a contest not counted is not an error */
  snprintf(text, sizeof text, CVR_HEAD "<Contest><Name>Clerk</Name><Id>c2</Id><Options>" OPTION("Zed", "a", "1")
           "</Options></Contest><Contest><Options>" OPTION("Ann", "a", "001") "</Options><Id>c1</Id></Contest>" CVR_TAIL, "g2");
  cvr_write_text(dir, "a.xml", text);
  cvr_write_text(dir, "b.XML.sig.xml", "<not-a-cvr/>");
  cvr_write_text(dir, "notes.txt", "ignored");
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 2);
  assert_string_equal(c.lines[0], "1|g2|P 1|7|3:a");
  assert_string_equal(c.lines[1], "1|g1|P 1|7|1:b,2:a,2:c,4:a");
  cvr_collect_free(&c);

  snprintf(text, sizeof text, CVR_HEAD "<Contest><Name>Mayor</Name><Id>c1</Id><Options>" OPTION("Anne", "a", "1")
           "</Options></Contest>" CVR_TAIL, "g3");
  cvr_write_text(dir, "c.xml", text);
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "candidate code a is associated with more than one candidate name: first 'Ann', here 'Anne'");
  assert_non_null(strstr(err.file, "/c.xml"));
  cvr_collect_free(&c);

  cvr_write_text(dir, "c.xml", "<Ballot/>");
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "expected a Hart <Cvr> document, found <Ballot");
  cvr_collect_free(&c);

  cvr_write_text(dir, "c.xml", "<Cvr><Contests>");
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "malformed XML at line 1 column 15: no element found");
  cvr_collect_free(&c);

  s.contest_id = "c9";
  remove_file(dir, "c.xml");
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "no ballot file has contest 'c9' (2 .xml files read); expected the contest's "
                                   "<Id> as the Hart files give it");
  s.contest_id = NULL;
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.field, "contestId");
  s.path = "/nonexistent-folder";
  s.contest_id = "c1";
  assert_int_equal(pc_cvr_read_hart(&s, cvr_collect, &c, &n, &err), PC_EIO);
  assert_string_equal(err.message, "unable to find any files in directory: No such file or directory");
  pc_test_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(real_archive), cmocka_unit_test(synthetic_files)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
