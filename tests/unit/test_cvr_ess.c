/* Unit tests for the ES&S .xlsx reader: real RCTab test workbooks (exact
 * ballots), synthetic workbooks for every cell kind, and malformed inputs
 * with their exact error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"
#include "cvr_collect.h"

#include "precinct/cvr.h"

static pc_cvr_source_t ess_source(const char *path, int first_col, int first_row, int id_col) {
  pc_cvr_source_t s = {.provider = PC_CVR_ESS, .path = path, .first_vote_column_index = first_col,
                       .first_vote_row_index = first_row, .id_column_index = id_col};
  return s;
}

static void real_overvote_delimiter_file(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/test_set_overvote_delimiter/test_set_overvote_delimiter_cvr.xlsx", path, sizeof path);
  pc_cvr_source_t s = ess_source(path, 2, 2, 1);
  s.overvote_delimiter = "|";
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 9);
  assert_int_equal(c.count, 9);
  assert_string_equal(c.lines[0], "2|1|-|-|1:A,2:B,3:C");
  assert_string_equal(c.lines[6], "8|7|-|-|1:C,2:D,2:A,3:A");
  assert_string_equal(c.lines[7], "9|8|-|-|1:C,2:A,2:D,3:A");
  assert_string_equal(c.lines[8], "10|9|-|-|1:D,2:,3:");
  cvr_collect_free(&c);
  /* without the delimiter the cell is one candidate string */
  s.overvote_delimiter = NULL;
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_string_equal(c.lines[6], "8|7|-|-|1:C,2:D|A,3:A");
  cvr_collect_free(&c);
}

static void real_precinct_and_blank_cells(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/missing_precinct_example/missing_precinct_example_cvr.xlsx", path, sizeof path);
  pc_cvr_source_t s = ess_source(path, 2, 2, 0);
  s.precinct_column_index = 1;
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 4);
  assert_string_equal(c.lines[0], "2|-|MINNEAPOLIS W-13 P-13|-|1:Tom Hoch,2:Jacob Frey,3:Betsy Hodges,4:1");
  /* A4 is absent: the precinct is unknown (RCTab groups it as missing_precinct_id) */
  assert_string_equal(c.lines[2], "4|-|-|-|1:Jacob Frey,2:Nekima Levy-Pounds,3:Aswar Rahman,4:1");
  cvr_collect_free(&c);

  pc_test_data_path("rctab/_shared/simple_ess_cvr.xlsx", path, sizeof path);
  s = ess_source(path, 2, 2, 0);
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 10);
  assert_string_equal(c.lines[0], "2|-|-|-|1:Mookie Blaylock,2:,3:");
  assert_string_equal(c.lines[9], "11|-|-|-|1:Sedale Threatt,2:George Gervin,3:");
  cvr_collect_free(&c);
}

static void real_labels_pass_through(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/test_set_treat_blank_as_undeclared_write_in/"
                    "test_set_treat_blank_as_undeclared_write_in_cvr.xlsx", path, sizeof path);
  pc_cvr_source_t s = ess_source(path, 2, 2, 0);
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 12);
  assert_string_equal(c.lines[0], "2|-|-|-|1:,2:B,3:C,4:D");
  assert_string_equal(c.lines[8], "10|-|-|-|1:C,2:overvote,3:B,4:undervote");
  assert_string_equal(c.lines[11], "13|-|-|-|1:A,2:B,3:C,4:C");
  cvr_collect_free(&c);
}

static void synthetic_cell_kinds(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/kinds.xlsx", dir);
  cvr_write_xlsx(path,
                 "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
                 "<c r=\"C1\" t=\"inlineStr\"><is><t>Rank 2</t></is></c><c r=\"D1\" t=\"s\"><v>1</v></c>"
                 "<c r=\"E1\"/><c r=\"F1\" t=\"inlineStr\"><is><t>  </t></is></c></row>"
                 /* shared, inline rich text with phonetic run, padded text */
                 "<row r=\"3\"><c r=\"A3\"><v>101</v></c><c r=\"B3\" t=\"s\"><v>2</v></c>"
                 "<c r=\"C3\" t=\"inlineStr\"><is><r><t>Bo</t></r><r><t>b</t></r><rPh><t>x</t></rPh></is></c>"
                 "<c r=\"D3\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  Carol &amp; Co </t></is></c></row>"
                 /* no r attributes: columns by position; booleans; numbers; empty cell element */
                 "<row><c><v>102</v></c><c t=\"b\"><v>1</v></c><c/><c t=\"n\"><v>3.5</v></c></row>"
                 /* skipped columns and a trailing cell after the last rank column */
                 "<row r=\"7\"><c r=\"D7\" t=\"s\"><v>3</v></c><c r=\"G7\" t=\"s\"><v>2</v></c></row>"
                 /* a row element with no cells is still a ballot */
                 "<row r=\"8\"/>",
                 "<si><t>Ballot</t></si><si><t>Rank</t></si>"
                 "<si><r><t>Ann</t></r><r><t>e</t></r></si><si><t xml:space=\"preserve\"> Dee </t></si>");
  pc_cvr_source_t s = ess_source(path, 2, 3, 1);
  cvr_collect_t c = {0};
  uint64_t n = 0;
  pc_error_t err = {0};
  int rc = pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err);
  char text[1200];
  if (rc) fprintf(stderr, "%s\n", pc_error_format(&err, text, sizeof text));
  assert_int_equal(rc, PC_EINVAL); /* rows 7 and 8 have no ballot id */
  assert_string_equal(err.message, "votes.xml row 7 column A: cast vote record identifier missing; expected a "
                                   "ballot id in column idColumnIndex=1 (an incorrectly formatted xlsx file can "
                                   "cause this: copy the data into a new workbook)");
  assert_int_equal(err.line, 7);
  assert_int_equal(err.column, 1);
  assert_int_equal(c.count, 2);
  /* header's last titled column is D: ranks are B..D */
  assert_string_equal(c.lines[0], "3|101|-|-|1:Anne,2:Bob,3:Carol & Co");
  assert_string_equal(c.lines[1], "4|102|-|-|1:TRUE,2:,3:3.5");
  cvr_collect_free(&c);

  s.id_column_index = 0;
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 4);
  assert_string_equal(c.lines[2], "7|-|-|-|1:,2:,3:Dee");
  assert_string_equal(c.lines[3], "8|-|-|-|1:,2:,3:");
  cvr_collect_free(&c);

  /* first row 1: no header, rank columns run to each row's last cell */
  s = ess_source(path, 3, 1, 0);
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), 0);
  assert_int_equal(n, 5);
  assert_string_equal(c.lines[0], "1|-|-|-|1:Rank 2,2:Rank,3:,4:");
  assert_string_equal(c.lines[3], "7|-|-|-|1:,2:Dee,3:,4:,5:Anne");
  cvr_collect_free(&c);
  pc_test_rmtree(dir);
}

/* Reads a one-sheet workbook expected to fail; returns the error. */
static int read_bad(const char *sheet, const char *sst, pc_cvr_source_t *s, pc_error_t *err) {
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/bad.xlsx", dir);
  cvr_write_xlsx(path, sheet, sst);
  s->path = path;
  cvr_collect_t c = {0};
  pc_error_clear(err);
  int rc = pc_cvr_read_ess(s, cvr_collect, &c, NULL, err);
  cvr_collect_free(&c);
  pc_test_rmtree(dir);
  s->path = NULL;
  return rc;
}

static void malformed_sheets(void **state) {
  (void)state;
  pc_error_t err;
  pc_cvr_source_t s = ess_source(NULL, 2, 2, 0);
  const char *header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c>"
                       "<c r=\"B1\" t=\"inlineStr\"><is><t>r1</t></is></c></row>";
  char sheet[2048];

  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"b2\"><v>1</v></c></row>", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 2 column A: invalid cell reference \"b2\"; expected a column (A to XFD) and a row");

  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"B3\"><v>1</v></c></row>", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 2 column B: cell reference \"B3\" is outside its row 2");

  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"B2\"><v>1</v></c></row>", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 2 column B: cell out of order; expected a column after 3");

  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v><v>1</v></c></row>", header);
  assert_int_equal(read_bad(sheet, "<si><t>A</t></si>", &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 2 column B: cell has more than one value; expected one <v> or <is>");

  const char *bad_rows[] = {"0", "2x", "x2", "123456789012"};
  for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
    snprintf(sheet, sizeof sheet, "%s<row r=\"%s\"/>", header, bad_rows[i]);
    assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
    char want[256];
    snprintf(want, sizeof want, "votes.xml row 1: invalid row number \"%s\"; expected 1 to 100000000", bad_rows[i]);
    assert_string_equal(err.message, want);
  }

  snprintf(sheet, sizeof sheet, "%s<row r=\"5\"/><row r=\"4\"/>", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 5: row 4 out of order; expected a row after 5");

  snprintf(sheet, sizeof sheet, "%s<row r=\"17\"><c r=\"B17\" t=\"s\"><v>7</v></c></row>", header);
  assert_int_equal(read_bad(sheet, "<si><t>A</t></si>", &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 17 column B: shared string index \"7\" invalid; expected 0 to 0");
  assert_int_equal(err.line, 17);
  assert_int_equal(err.column, 2);

  s.overvote_delimiter = "|";
  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>A| </t></is></c></row>", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 2 column B: a cell split by the overvote delimiter \"|\" has a "
                                   "blank candidate; expected a candidate on each side of every delimiter");
  s.overvote_delimiter = NULL;

  char big[PC_CVR_MAX_FIELD_BYTES + 200];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  char *long_sheet = malloc(sizeof big + 512);
  snprintf(long_sheet, sizeof big + 512, "%s<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>%s</t></is></c></row>", header, big);
  assert_int_equal(read_bad(long_sheet, NULL, &s, &err), PC_ELIMIT);
  assert_string_equal(err.message, "votes.xml row 2 column B: cell longer than 4096 bytes");
  free(long_sheet);

  snprintf(sheet, sizeof sheet, "%s<row r=\"2\"><c r=\"B2\"><v>1</v></c></row", header);
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "malformed XML in xl/worksheets/votes.xml at line 1"));

  snprintf(sheet, sizeof sheet, "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"/>");
  assert_int_equal(read_bad(sheet, NULL, &s, &err), PC_EINVAL);
  assert_string_equal(err.message, "votes.xml row 1 column B: header row has no column titles from "
                                   "firstVoteColumnIndex=2 on; expected one title per rank column");
}

static void too_many_marks(void **state) {
  (void)state;
  pc_buf_t row;
  pc_buf_init(&row, 0);
  pc_buf_append_str(&row, "<row r=\"1\">");
  for (int i = 0; i < PC_CVR_MAX_MARKS_PER_BALLOT + 1; i++) pc_buf_append_str(&row, "<c><v>7</v></c>");
  pc_buf_append_str(&row, "</row>");
  pc_cvr_source_t s = ess_source(NULL, 1, 1, 0);
  pc_error_t err;
  assert_int_equal(read_bad(pc_buf_str(&row), NULL, &s, &err), PC_ELIMIT);
  assert_string_equal(err.message, "votes.xml row 1 column FAO: more than 4096 marks in one ballot");
  pc_buf_free(&row);
}

static void not_a_workbook(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/plain.xlsx", dir);
  FILE *f = fopen(path, "w");
  fputs("Ballot,Rank 1\n1,A\n", f);
  fclose(f);
  pc_cvr_source_t s = ess_source(path, 2, 2, 0);
  pc_error_t err = {0};
  cvr_collect_t c = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "cannot open as an Excel .xlsx workbook: Not a zip archive");
  assert_string_equal(err.file, path);

  /* a zip without xl/workbook.xml */
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  cvr_add_entry(zip, "hello.txt", "hi");
  zip_close(zip);
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "workbook part xl/workbook.xml is missing; expected an Excel .xlsx workbook");

  s.path = "/nonexistent/cvr.xlsx";
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EIO);
  s.first_vote_row_index = 0;
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "firstVoteRowIndex");
  assert_int_equal(c.count, 0);
  pc_test_rmtree(dir);
}

static void callback_stops_reading(void **state) {
  (void)state;
  char path[4096];
  pc_test_data_path("rctab/_shared/simple_ess_cvr.xlsx", path, sizeof path);
  pc_cvr_source_t s = ess_source(path, 2, 2, 0);
  cvr_collect_t c = {.stop_after = 3};
  uint64_t n = 77;
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, &n, &err), PC_EINVAL);
  assert_string_equal(err.message, "stopped by the test");
  assert_int_equal(c.count, 3);
  assert_int_equal(n, 77); /* untouched on failure */
  cvr_collect_free(&c);
}

/* The sheet parser (libxml2 SAX2) delivers CDATA and character references as
 * text and refuses a DTD outright, so no entity is ever defined or expanded. */
static void cdata_and_dtd(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/x.xlsx", dir);
  cvr_write_xlsx(path,
                 "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t><![CDATA[A&<]]>&#66;&amp;C</t></is></c>"
                 "<x:c r=\"B1\"><v>9</v></x:c></row>",
                 NULL);
  pc_cvr_source_t s = ess_source(path, 1, 1, 0);
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), 0);
  assert_int_equal(c.count, 1);
  assert_string_equal(c.lines[0], "1|-|-|-|1:A&<B&C"); /* a prefixed <x:c> is not a cell */
  cvr_collect_free(&c);

  int zerr = 0;
  zip_t *zip = zip_open(path, 0, &zerr);
  assert_non_null(zip);
  static const char dtd_sheet[] =
      "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
      "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
      "</sheetData></worksheet>";
  zip_source_t *src = zip_source_buffer(zip, dtd_sheet, strlen(dtd_sheet), 0);
  assert_true(zip_file_add(zip, "xl/worksheets/votes.xml", src, ZIP_FL_OVERWRITE) >= 0);
  assert_int_equal(zip_close(zip), 0);
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EINVAL);
  assert_string_equal(err.message, "xl/worksheets/votes.xml has a document type declaration; expected "
                                   "none in a workbook part");
  assert_int_equal(c.count, 0);
  pc_test_rmtree(dir);
}

/* An inflate error (here the CRC of a stored sheet) surfaces from libxml2's
 * read callback as an I/O error naming the part, not as malformed XML. */
static void crc_error_is_io(void **state) {
  (void)state;
  char dir[512], path[1024];
  pc_test_tempdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/crc.xlsx", dir);
  cvr_write_xlsx(path, "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Anne</t></is></c></row>", NULL);
  int zerr = 0;
  zip_t *zip = zip_open(path, 0, &zerr);
  assert_non_null(zip);
  zip_int64_t index = zip_name_locate(zip, "xl/worksheets/votes.xml", 0);
  assert_true(index >= 0);
  assert_int_equal(zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0), 0);
  assert_int_equal(zip_close(zip), 0);
  /* flip "Anne" to "Bnne" in the stored bytes: still XML, wrong CRC */
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  char data[8192];
  size_t n = fread(data, 1, sizeof data, f);
  char *hit = memmem(data, n, "<t>Anne</t>", 11);
  assert_non_null(hit);
  assert_int_equal(fseek(f, (long)(hit - data) + 3, SEEK_SET), 0);
  fputc('B', f);
  fclose(f);
  pc_cvr_source_t s = ess_source(path, 1, 1, 0);
  cvr_collect_t c = {0};
  pc_error_t err = {0};
  assert_int_equal(pc_cvr_read_ess(&s, cvr_collect, &c, NULL, &err), PC_EIO);
  assert_string_equal(err.message, "cannot inflate workbook part xl/worksheets/votes.xml: CRC error");
  cvr_collect_free(&c);
  pc_test_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(real_overvote_delimiter_file), cmocka_unit_test(real_precinct_and_blank_cells),
      cmocka_unit_test(real_labels_pass_through),     cmocka_unit_test(synthetic_cell_kinds),
      cmocka_unit_test(malformed_sheets),             cmocka_unit_test(not_a_workbook),
      cmocka_unit_test(too_many_marks),
      cmocka_unit_test(callback_stops_reading),       cmocka_unit_test(cdata_and_dtd),
      cmocka_unit_test(crc_error_is_io),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
