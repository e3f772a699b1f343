/* Unit tests for the CSV readers (RCTab generic CSV and Clear Ballot): real
 * RCTab test files (exact ballots), quoting, and malformed files with their
 * exact error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"
#include "cvr_collect.h"

#include "precinct/cvr.h"

static void write_temp(char *dir, size_t size, char *path, size_t path_size, const char *text) {
  pc_test_tempdir(dir, size);
  snprintf(path, path_size, "%s/cvr.csv", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void generic_real_files(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/generic_csv_test/generic_csv_test_cvr.csv", path, sizeof path);
  pc_cvr_source_t s = {.provider = PC_CVR_GENERIC_CSV, .path = path, .first_vote_column_index = 4,
                       .first_vote_row_index = 2, .id_column_index = 1, .precinct_column_index = 2,
                       .batch_column_index = 3};
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 26);
  assert_string_equal(c.lines[0], "2|R_3QEQ85E7gV2DuyG|p1|b1|1:Cucumber,2:Broccoli");
  assert_string_equal(c.lines[2], "4|R_22G3akvxq7ggl01|p1|b1|1:Cauliflower,2:Cucumber,3:Lettuce,4:Write-In,5:Broccoli");
  /* empty precinct and batch cells are unknown */
  assert_string_equal(c.lines[25], "27|R_33dwoHsyajiIzbF|-|-|1:Cucumber,2:Broccoli,3:Cauliflower,4:Lettuce");
  cvr_collect_free(&c);

  pc_test_data_path("rctab/csv_missing_header_test/csv_missing_header_test_cvr.csv", path, sizeof path);
  s = (pc_cvr_source_t){.provider = PC_CVR_GENERIC_CSV, .path = path, .first_vote_column_index = 2,
                        .first_vote_row_index = 2};
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 26);
  assert_string_equal(c.lines[0], "2|-|-|-|1:Cucumber,2:Broccoli");
  cvr_collect_free(&c);
}

static void generic_quoting_and_errors(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_cvr_source_t s = {.provider = PC_CVR_GENERIC_CSV, .first_vote_column_index = 2, .first_vote_row_index = 2,
                       .id_column_index = 1};
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  write_temp(dir, sizeof dir, path, sizeof path,
             "\xEF\xBB\xBFid,\"Smith, Ann\",\"Bob \"\"B\"\" Lee\",Cy\r\n"
             "a1, 2 ,1,\r\n"
             "\"a\n2\",1,1,3\r\n"
             "a3\r\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), 0);
  assert_int_equal(c.count, 3);
  assert_string_equal(c.lines[0], "2|a1|-|-|1:Bob \"B\" Lee,2:Smith, Ann");
  assert_string_equal(c.lines[1], "3|a\n2|-|-|1:Smith, Ann,1:Bob \"B\" Lee,3:Cy");
  assert_string_equal(c.lines[2], "4|a3|-|-|");
  cvr_collect_free(&c);
  pc_test_rmtree(dir);

  write_temp(dir, sizeof dir, path, sizeof path, "id,A,B\nr1,1,x\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "row r1 expected a number (a rank) at column 3, but got \"x\" instead");
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 3);
  assert_string_equal(err.field, "B");
  pc_test_rmtree(dir);

  write_temp(dir, sizeof dir, path, sizeof path, "id,A, \nr1,1,2\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "candidate name in column 3 cannot be empty; expected a name in every column "
                                   "from firstVoteColumnIndex on");
  pc_test_rmtree(dir);

  write_temp(dir, sizeof dir, path, sizeof path, "id,A\nr1,1,2\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "row 2 has 3 columns; expected at most 2 as in the header row");
  pc_test_rmtree(dir);

  write_temp(dir, sizeof dir, path, sizeof path, "id,A\nr1,\"1\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "row 2: malformed CSV at end of file (error parsing data while strict "
                                   "checking enabled); expected a closing quote");
  pc_test_rmtree(dir);

  write_temp(dir, sizeof dir, path, sizeof path, "");
  s.path = path;
  assert_int_equal(pc_cvr_read_generic_csv(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "empty file; expected a header row naming the candidates");
  pc_test_rmtree(dir);
  assert_int_equal(c.count, 0);
}

static void clear_ballot_real_file(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/clear_ballot_with_inline_comma/clear_ballot_with_inline_comma_cvr.csv", path, sizeof path);
  pc_cvr_source_t s = {.provider = PC_CVR_CLEAR_BALLOT, .path = path, .contest_id = "City of Portland, Auditor"};
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 178);
  assert_string_equal(c.lines[0], "2|RCV-0255+10003|76|-|");
  assert_string_equal(c.lines[89], "91|RCV-0256+10003|79|-|1:Simone test Rede,2:Write-in-28");
  assert_string_equal(c.lines[177], "179|RCV-0256+10179|75|-|1:Simone test Rede");
  cvr_collect_free(&c);
}

static void clear_ballot_errors(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_cvr_source_t s = {.provider = PC_CVR_CLEAR_BALLOT, .contest_id = "Mayor"};
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  const char *fixed = "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,ScanComputerName,Status,Remade";
  char text[1024];
  snprintf(text, sizeof text, "%s,Choice_1_1:Mayor:1:Number of Winners 1:Ann:NON,Choice_2_1:Mayor:1:Number of Winners 1:Bob:NON,"
                              "Choice_1_1:Mayor:2:Number of Winners 1:Ann:NON,Choice_3_1:Clerk:1:Number of Winners 1:Cy:NON\n"
                              "1,B,1,id-1,P1,1,S,Scan,0,0,0,1,1,1\n"
                              "2,B,2,id-2,P2,1,S,Scan,0,0,1,1,0,0\n", fixed);
  write_temp(dir, sizeof dir, path, sizeof path, text);
  s.path = path;
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, NULL, &err), 0);
  assert_int_equal(c.count, 2);
  assert_string_equal(c.lines[0], "2|id-1|P1|-|1:Bob,2:Ann");
  assert_string_equal(c.lines[1], "3|id-2|P2|-|1:Ann,1:Bob");
  cvr_collect_free(&c);
  pc_test_rmtree(dir);

  snprintf(text, sizeof text, "%s,Choice_1_1:Mayor:1:Ann:NON\n", fixed);
  write_temp(dir, sizeof dir, path, sizeof path, text);
  s.path = path;
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "header column 11 \"Choice_1_1:Mayor:1:Ann:NON\": wrong number of choice header "
                                   "fields; expected Choice_<id>_<n>:<contest>:<rank>:<vote rule>:<candidate>:<party>");
  pc_test_rmtree(dir);

  snprintf(text, sizeof text, "%s,Choice_1_1:Mayor:1:W:Ann:NON\n1,B,1,id-1,P1,1,S,Scan,0,0,yes\n", fixed);
  write_temp(dir, sizeof dir, path, sizeof path, text);
  s.path = path;
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "row 2 column 11: expected 0 or 1 in a choice column, got \"yes\"");
  assert_int_equal(err.column, 11);
  pc_test_rmtree(dir);

  s.contest_id = "Clerk";
  snprintf(text, sizeof text, "%s,Choice_1_1:Mayor:1:W:Ann:NON\n1,B,1,id-1,P1,1,S,Scan,0,0,1\n", fixed);
  write_temp(dir, sizeof dir, path, sizeof path, text);
  s.path = path;
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "no choice column for contest 'Clerk'; expected Choice_... columns whose second "
                                   "field is the contest id");
  assert_string_equal(err.field, "contestId");
  pc_test_rmtree(dir);
  s.contest_id = "Mayor";

  write_temp(dir, sizeof dir, path, sizeof path, "RowNumber,BoxID\n");
  s.path = path;
  assert_int_equal(pc_cvr_read_clear_ballot(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "no choice columns found in cast vote record file; expected 10 fixed columns "
                                   "then Choice_... columns");
  pc_test_rmtree(dir);
  assert_int_equal(c.count, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(generic_real_files), cmocka_unit_test(generic_quoting_and_errors),
      cmocka_unit_test(clear_ballot_real_file), cmocka_unit_test(clear_ballot_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
