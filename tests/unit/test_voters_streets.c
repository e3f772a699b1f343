/* Unit tests for the county street index (src/voters/streets*.c) and its
 * use by registration (roll.c) and online-registration approval
 * (application_review.c): address parsing and normalisation, parity and
 * range ends, the CSV's field and overlap errors, all-or-nothing import,
 * derived / conflicting / unknown addresses, counties without an index,
 * and the audit entries, on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_voters.h"
#include "support.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/fileio.h"
#include "precinct/voters.h"
#include "precinct/voters_applications.h"
#include "precinct/voters_io.h"
#include "precinct/voters_streets.h"
#include "precinct/voters_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef pc_test_voters_t fixture_t;

/* WAKE has precincts 0001-0003 and gets a street index; DURHAM (0007) has none. */
static const char wake_index[] = "street,low,high,parity,zip,city,precinct\n"
                                 "Main Street,1,99,B,27601,Raleigh,0001\n"
                                 "MAIN ST,100,198,E,27601,RALEIGH,0002\n"
                                 "MAIN ST,101,199,O,27601,RALEIGH,0001\n"
                                 "North Oak Avenue,1,500,B,27603,RALEIGH,0003\n";

/* The shared roll fixture plus WAKE's precincts 0002 and 0003. */
static void open_fixture(fixture_t *f) {
  pc_test_voters_open(f);
  pc_error_t err;
  assert_int_equal(pc_voters_add_precinct(&f->voters, "WAKE", "0002", "PRECINCT 2", &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->voters, "WAKE", "0003", "PRECINCT 3", &err), 0);
}

static void write_file(fixture_t *f, const char *name, const char *text, char *path, size_t size) {
  pc_error_t err;
  pc_snprintf(path, size, "%s/%s", f->instance.data_dir, name);
  assert_int_equal(pc_file_write_durable(path, text, strlen(text), 0600, 0, &err), 0);
}

static void import_text(fixture_t *f, const char *county, const char *text, int expected_rc, pc_error_t *err) {
  char path[600];
  write_file(f, "streets.csv", text, path, sizeof path);
  pc_streets_import_result_t result;
  int rc = pc_voters_streets_import(&f->voters, county, path, &result, err);
  if (rc != expected_rc) fail_msg("import: expected %d, got %d: %s", expected_rc, rc, err->message);
}

static void expect_address(const char *line, int64_t number, const char *street, const char *unit) {
  pc_street_address_t a;
  pc_error_t err;
  if (pc_streets_parse_address(line, &a, &err) != 0) fail_msg("%s: %s", line, err.message);
  assert_int_equal(a.number, number);
  assert_string_equal(a.street, street);
  assert_string_equal(a.unit, unit);
}

static void address_parsing(void **state) {
  (void)state;
  expect_address("123 MAIN ST", 123, "MAIN ST", "");
  expect_address("45 N Oak Avenue Apt 2", 45, "N OAK AVE", "APT 2");
  expect_address("45 north oak avenue #2", 45, "N OAK AVE", "#2");
  expect_address("45 North Oak Ave., Unit B", 45, "N OAK AVE", "UNIT B");
  expect_address("  9   elm   street.  ", 9, "ELM ST", "");
  expect_address("12A West St", 12, "WEST ST", "");
  expect_address("7 Main Street Northwest", 7, "MAIN ST NW", "");
  expect_address("10 1/2 Park Avenue", 10, "PARK AVE", "");
  /* A period is dropped from words, not from between digits: 12.5 is not 125. */
  expect_address("12.5 Park Ave.", 12, "PARK AVE", "");
  expect_address("7 N. Route 1.5", 7, "N ROUTE 1.5", "");
  expect_address("300 Lane Road Suite 100", 300, "LANE RD", "SUITE 100");
  expect_address("5 Apt St", 5, "APT ST", ""); /* a unit word first is the street's name */
  expect_address("0 Boulevard", 0, "BOULEVARD", ""); /* a lone word is a name, not a suffix */
  pc_street_address_t a;
  pc_error_t err;
  assert_int_equal(pc_streets_parse_address("PO BOX 12", &a, &err), PC_EINVAL);
  assert_string_equal(err.field, "res_street_address");
  assert_int_equal(pc_streets_parse_address("123", &a, &err), PC_EINVAL);
  /* A fraction alone is not house number 1. */
  assert_int_equal(pc_streets_parse_address("1/2 Main St", &a, &err), PC_EINVAL);
  assert_string_equal(err.message, "expected a house number and a street: \"1/2 Main St\"");
  assert_int_equal(pc_streets_parse_address("1000000 MAIN ST", &a, &err), PC_EINVAL);
  assert_int_equal(pc_streets_parse_address("", &a, &err), PC_EINVAL);
  assert_int_equal(pc_streets_parse_address("12 MAIN\x01 ST", &a, &err), PC_EINVAL);
  char out[PC_STREET_SIZE];
  assert_int_equal(pc_streets_normalize("n oak ave", out, sizeof out, &err), 0);
  assert_string_equal(out, "N OAK AVE");
  assert_int_equal(pc_streets_normalize(out, out, sizeof out, &err), 0); /* normalising twice changes nothing */
  assert_string_equal(out, "N OAK AVE");
  assert_int_equal(pc_streets_normalize("Martin Luther King Jr. Parkway", out, sizeof out, &err), 0);
  assert_string_equal(out, "MARTIN LUTHER KING JR PKWY");
  /* An ordinal name is one street however it is written: FIRST is 1ST. */
  expect_address("100 West First Street", 100, "W 1ST ST", "");
  expect_address("100 W. 1st St.", 100, "W 1ST ST", "");
  expect_address("8 Twenty-First Ave", 8, "21ST AVE", "");
  expect_address("8 twenty first avenue apt 2", 8, "21ST AVE", "APT 2");
  expect_address("8 Thirty Second Ave", 8, "32ND AVE", "");
  expect_address("8 Eleventh St", 8, "11TH ST", "");
  expect_address("8 North Twenty Third", 8, "N 23RD", ""); /* as "N 23rd" */
  expect_address("8 Twenty Oaks Rd", 8, "TWENTY OAKS RD", "");
  /* A direction is a pre-directional only before a name of the street's
   * own: North Street West is not N Street West (the street named N), and
   * North Broadway is N Broadway. */
  expect_address("9 North Street West", 9, "NORTH ST W", "");
  expect_address("9 N Street W", 9, "N ST W", "");
  expect_address("9 East Street Northwest", 9, "EAST ST NW", "");
  expect_address("9 E St NW", 9, "E ST NW", "");
  expect_address("9 North Broadway", 9, "N BROADWAY", "");
  expect_address("9 N. Broadway", 9, "N BROADWAY", "");
  expect_address("9 North Main Street", 9, "N MAIN ST", "");
  expect_address("9 West Street", 9, "WEST ST", "");
  assert_int_equal(pc_streets_normalize("Ninetieth Street", out, sizeof out, &err), 0);
  assert_string_equal(out, "90TH ST");
  assert_int_equal(pc_streets_normalize("   ", out, sizeof out, &err), PC_EINVAL);
  char small[8];
  assert_int_equal(pc_streets_normalize("LONG NAME ST", small, sizeof small, &err), PC_ELIMIT);
}

static void parity_and_range_ends(void **state) {
  (void)state;
  pc_street_segment_t even = {.low = 100, .high = 198, .parity = 'E'};
  pc_street_segment_t odd = {.low = 101, .high = 199, .parity = 'O'};
  pc_street_segment_t both = {.low = 1, .high = 99, .parity = 'B'};
  assert_true(pc_streets_segment_contains(&even, 100));
  assert_true(pc_streets_segment_contains(&even, 198));
  assert_false(pc_streets_segment_contains(&even, 99));
  assert_false(pc_streets_segment_contains(&even, 101));
  assert_false(pc_streets_segment_contains(&even, 200));
  assert_true(pc_streets_segment_contains(&odd, 101));
  assert_true(pc_streets_segment_contains(&odd, 199));
  assert_false(pc_streets_segment_contains(&odd, 100));
  assert_false(pc_streets_segment_contains(&odd, 201));
  assert_true(pc_streets_segment_contains(&both, 1));
  assert_true(pc_streets_segment_contains(&both, 2));
  assert_true(pc_streets_segment_contains(&both, 99));
  assert_false(pc_streets_segment_contains(&both, 0));
  assert_false(pc_streets_segment_contains(&both, 100));
}

static int parse_text(const char *text, pc_street_segment_t **segments, size_t *count, pc_error_t *err) {
  pc_error_clear(err);
  return pc_streets_parse_csv(text, strlen(text), "streets.csv", segments, count, err);
}

static void expect_csv_error(const char *text, int code, long line, const char *field, const char *fragment) {
  pc_street_segment_t *segments = NULL;
  size_t count = 0;
  pc_error_t err;
  int rc = parse_text(text, &segments, &count, &err);
  if (rc != code || err.line != line || strcmp(err.field, field) != 0 || strstr(err.message, fragment) == NULL)
    fail_msg("expected %d at line %ld field \"%s\" with \"%s\"; got %d at %ld field \"%s\": %s", code, line, field,
             fragment, rc, err.line, err.field, err.message);
  assert_string_equal(err.file, "streets.csv");
  assert_null(segments);
}

static void csv_fields_and_overlaps(void **state) {
  (void)state;
  pc_street_segment_t *segments = NULL;
  size_t count = 0;
  pc_error_t err;
  assert_int_equal(parse_text(wake_index, &segments, &count, &err), 0);
  assert_int_equal(count, 4);
  assert_string_equal(segments[0].street, "MAIN ST"); /* sorted by street, ZIP, low */
  assert_int_equal(segments[0].low, 1);
  assert_int_equal(segments[0].line, 2);
  assert_string_equal(segments[3].street, "N OAK AVE");
  assert_string_equal(segments[3].city, "RALEIGH");
  free(segments);
  /* Columns in any order, city optional, ZIP+4 taken as its 5 digits. */
  assert_int_equal(parse_text("precinct,zip,parity,high,low,street\n0001,27601-1234,b,9,1,Elm St\n", &segments, &count, &err), 0);
  assert_int_equal(count, 1);
  assert_string_equal(segments[0].zip, "27601");
  assert_int_equal(segments[0].parity, 'B');
  free(segments);
  /* Even and odd sides of one range in two precincts, overlaps within one
   * precinct, and odd ends around an even range do not conflict. */
  assert_int_equal(parse_text("street,low,high,parity,zip,precinct\n"
                              "ELM ST,2,10,E,27601,0001\nELM ST,1,9,O,27601,0002\n"
                              "ELM ST,3,7,O,27601,0002\nELM ST,11,19,O,27601,0001\n"
                              "OAK ST,1,9,E,27601,0001\nOAK ST,9,20,E,27601,0002\n",
                              &segments, &count, &err),
                   0);
  assert_int_equal(count, 6);
  free(segments);
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,99,B,27601,0001\nOAK ST,1,9,B,27601,0001\n"
                   "ELM ST,50,60,E,27601,0002\n",
                   PC_EINVAL, 4, "precinct", "overlaps line 2: 50 ELM ST 27601 would be in precinct 0001 (line 2) and 0002 (line 4)");
  /* Found however the lines are ordered, and through a long segment. */
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,999,O,27601,0001\nELM ST,2,2,E,27601,0002\n"
                   "ELM ST,3,3,B,27601,0001\nELM ST,501,505,B,27601,0003\n",
                   PC_EINVAL, 5, "precinct", "overlaps line 2: 501 ELM ST 27601");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,9,X,27601,0001\n", PC_EINVAL, 2, "parity",
                   "expected E (even), O (odd) or B (both), got \"X\"");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,9,E,27601,0001\nELM ST,9,1,E,27601,0001\n", PC_EINVAL, 3,
                   "high", "high 1 is below low 9");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,one,9,E,27601,0001\n", PC_EINVAL, 2, "low",
                   "expected a house number");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,9,E,2760,0001\n", PC_EINVAL, 2, "zip",
                   "expected a 5-digit ZIP code, got \"2760\"");
  expect_csv_error("street,low,high,parity,zip,precinct\n,1,9,E,27601,0001\n", PC_EINVAL, 2, "street", "no street name");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,9,E,27601,0001234\n", PC_EINVAL, 2, "precinct",
                   "1-6 characters");
  expect_csv_error("street,low,high,parity,zip\nELM ST,1,9,E,27601\n", PC_EINVAL, 1, "precinct", "no \"precinct\" column");
  expect_csv_error("street,low,high,parity,zip,precinct,ward\n", PC_EINVAL, 1, "ward", "unknown column \"ward\"");
  /* A line with more fields than the header is shifted (here an unquoted
   * "1,200"): refused, not read as 1-1 with the 200 dropped. */
  expect_csv_error("street,parity,zip,precinct,low,high\nMAIN ST,B,27601,0001,1,1,200\n", PC_EINVAL, 2, "",
                   "7 fields, but the header names 6 columns");
  /* Trailing delimiters (empty columns at the end, as spreadsheets write
   * them) are not a shift. */
  assert_int_equal(parse_text("street,low,high,parity,zip,precinct,\r\nMAIN ST,1,9,B,27601,0001,\r\nOAK ST,1,9,B,27601,0001,,\r\n",
                              &segments, &count, &err),
                   0);
  assert_int_equal(count, 2);
  free(segments);
  expect_csv_error("street,low,high,parity,zip,precinct,\nMAIN ST,1,9,B,27601,0001,X\n", PC_EINVAL, 2, "",
                   "7 fields, but the header names 6 columns");
  expect_csv_error("street,low,high,parity,zip,precinct\nELM ST,1,9,E\n", PC_EINVAL, 2, "zip", "missing");
  expect_csv_error("", PC_EINVAL, 1, "", "empty file");
}

static void lookup(fixture_t *f, const char *county, const char *address, const char *zip, int expected_rc,
                   const char *expected) {
  int64_t county_id = 0;
  pc_error_t err;
  char precinct[8] = "";
  assert_int_equal(pc_voters_county_id(f->store, county, &county_id, &err), 0);
  int rc = pc_voters_streets_lookup(f->store, county_id, address, zip, precinct, &err);
  if (rc != expected_rc) fail_msg("%s %s: expected %d, got %d: %s", address, zip, expected_rc, rc, err.message);
  if (rc == 0) assert_string_equal(precinct, expected);
  else assert_string_equal(err.message, expected);
}

static void import_replaces_all_or_nothing(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  lookup(&f, "WAKE", "150 MAIN ST", "27601", PC_ENOTFOUND, "the county has no street index");
  import_text(&f, "WAKE", wake_index, 0, &err);
  lookup(&f, "WAKE", "150 Main Street", "27601", 0, "0002");
  lookup(&f, "WAKE", "151 MAIN ST APT 4", "27601-1234", 0, "0001");
  lookup(&f, "WAKE", "99 MAIN ST", "27601", 0, "0001");
  lookup(&f, "WAKE", "45 N Oak Ave # 2", "27603", 0, "0003");
  lookup(&f, "WAKE", "200 MAIN ST", "27601", PC_ENOTFOUND, "not in the county's street index: 200 MAIN ST 27601");
  lookup(&f, "WAKE", "150 MAIN ST", "27603", PC_ENOTFOUND, "not in the county's street index: 150 MAIN ST 27603");
  /* A bad line anywhere: nothing changes. */
  import_text(&f, "WAKE",
              "street,low,high,parity,zip,city,precinct\nMAIN ST,1,199,B,27601,RALEIGH,0003\n"
              "ELM ST,1,9,B,27601,RALEIGH,0001\nELM ST,1,9,Q,27601,RALEIGH,0001\n",
              PC_EINVAL, &err);
  assert_int_equal(err.line, 4);
  /* An unknown precinct is refused at its line. */
  import_text(&f, "WAKE", "street,low,high,parity,zip,precinct\nMAIN ST,1,199,B,27601,0003\nELM ST,1,9,B,27601,0009\n",
              PC_EINVAL, &err);
  assert_int_equal(err.line, 3);
  assert_string_equal(err.message, "precinct \"0009\" is not a known precinct of WAKE (add it with `precinct voters precinct`)");
  /* A precinct of another county is not one of this county's. */
  import_text(&f, "WAKE", "street,low,high,parity,zip,precinct\nMAIN ST,1,199,B,27601,0007\n", PC_EINVAL, &err);
  lookup(&f, "WAKE", "150 MAIN ST", "27601", 0, "0002");
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voter_street_versions"), 1);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voter_street_segments"), 4);
  /* A good file replaces the index as a whole; the old version stays as history. */
  import_text(&f, "WAKE", "street,low,high,parity,zip,precinct\nMAIN ST,1,199,B,27601,0003\n", 0, &err);
  lookup(&f, "WAKE", "150 MAIN ST", "27601", 0, "0003");
  lookup(&f, "WAKE", "45 N OAK AVE", "27603", PC_ENOTFOUND, "not in the county's street index: 45 N OAK AVE 27603");
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voter_street_segments"), 5);
  /* Export writes the current version, which imports back the same. */
  char path[600];
  pc_snprintf(path, sizeof path, "%s/export.csv", f.instance.data_dir);
  int64_t rows = 0;
  assert_int_equal(pc_voters_streets_export(&f.voters, "WAKE", path, &rows, &err), 0);
  assert_int_equal(rows, 1);
  char *data = NULL;
  size_t size = 0;
  assert_int_equal(pc_file_read_all(path, 1 << 20, &data, &size, &err), 0);
  assert_string_equal(data, "street,low,high,parity,zip,city,precinct\nMAIN ST,1,199,B,27601,,0003\n");
  free(data);
  /* A county-scoped session cannot touch another county's index. */
  pc_voters_t durham = f.voters;
  durham.county_scope = "DURHAM";
  pc_snprintf(path, sizeof path, "%s/streets.csv", f.instance.data_dir);
  assert_int_equal(pc_voters_streets_import(&durham, "WAKE", path, NULL, &err), PC_EPERM);
  assert_int_equal(pc_voters_streets_export(&durham, "WAKE", path, &rows, &err), PC_EPERM);
  pc_test_voters_close(&f);
}

static void application(pc_voter_application_t *app, const char *first, const char *street, const char *zip,
                        const char *county, const char *precinct) {
  memset(app, 0, sizeof *app);
  pc_strlcpy(app->voter.first_name, first, sizeof app->voter.first_name);
  pc_strlcpy(app->voter.last_name, "RIVERA", sizeof app->voter.last_name);
  pc_strlcpy(app->voter.birth_date, "1980-04-09", sizeof app->voter.birth_date);
  pc_strlcpy(app->voter.res_street_address, street, sizeof app->voter.res_street_address);
  pc_strlcpy(app->voter.res_city, "Raleigh", sizeof app->voter.res_city);
  pc_strlcpy(app->voter.res_zip, zip, sizeof app->voter.res_zip);
  pc_strlcpy(app->voter.precinct_code, precinct, sizeof app->voter.precinct_code);
  app->county = county;
  app->citizenship_attested = 1;
}

static void expect_register(fixture_t *f, pc_voter_application_t *app, int code, const char *field, const char *message,
                            const char *precinct) {
  pc_error_t err;
  pc_error_clear(&err);
  int64_t id = 0;
  int rc = pc_voters_register(&f->voters, app, &id, &err);
  if (rc != code) fail_msg("register %s: expected %d, got %d: %s", app->voter.first_name, code, rc, err.message);
  if (rc != 0) {
    assert_string_equal(err.field, field);
    assert_string_equal(err.message, message);
    return;
  }
  pc_voter_t voter;
  assert_int_equal(pc_voters_get(&f->voters, id, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, precinct);
}

static void registration_uses_the_index(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  pc_voter_application_t app;
  /* Before any index: today's rules (precinct required). */
  application(&app, "ANA", "150 Main St", "27601", "WAKE", "");
  expect_register(&f, &app, PC_EINVAL, "precinct_code", "is required (the county has no street index)", NULL);
  application(&app, "ANA", "150 Main St", "27601", "WAKE", "0003");
  expect_register(&f, &app, 0, NULL, NULL, "0003");
  import_text(&f, "WAKE", wake_index, 0, &err);
  application(&app, "BEA", "150 Main Street", "27601", "WAKE", "");
  expect_register(&f, &app, 0, NULL, NULL, "0002");
  application(&app, "CAL", "45 north oak avenue apt 3", "276030001", "WAKE", "0003");
  expect_register(&f, &app, 0, NULL, NULL, "0003");
  application(&app, "DEE", "150 Main Street", "27601", "WAKE", "0001");
  expect_register(&f, &app, PC_EINVAL, "precinct_code",
                  "150 MAIN STREET 27601 is in precinct 0002 by the county's street index, not in precinct 0001", NULL);
  application(&app, "EVE", "900 Main Street", "27601", "WAKE", "");
  expect_register(&f, &app, PC_EINVAL, "res_street_address", "not in the county's street index: 900 MAIN ST 27601", NULL);
  /* A precinct given for an address the index lacks needs the override. */
  application(&app, "EVE", "900 Main Street", "27601", "WAKE", "0002");
  expect_register(&f, &app, PC_EINVAL, "res_street_address", "not in the county's street index: 900 MAIN ST 27601", NULL);
  app.precinct_override = 1;
  expect_register(&f, &app, 0, NULL, NULL, "0002");
  application(&app, "FAY", "150 Main Street", "27601", "WAKE", "0001");
  app.precinct_override = 1; /* never against the index */
  expect_register(&f, &app, PC_EINVAL, "precinct_code",
                  "150 MAIN STREET 27601 is in precinct 0002 by the county's street index, not in precinct 0001", NULL);
  /* Too long to read (more than 16 words): refused on the address like
   * any address the index lacks, so an official's precinct still stands. */
  application(&app, "GIL", "1 A B C D E F G H I J K L M N O P Q", "27601", "WAKE", "0002");
  expect_register(&f, &app, PC_EINVAL, "res_street_address", "more than 16 words", NULL);
  app.precinct_override = 1;
  expect_register(&f, &app, 0, NULL, NULL, "0002");
  lookup(&f, "WAKE", "12 Main St Apt 1234567890 123456789012", "27601", PC_EINVAL, "unit longer than 23 characters");
  application(&app, "GUS", "PO Box 77", "27601", "WAKE", "");
  expect_register(&f, &app, PC_EINVAL, "res_street_address", "expected a house number and a street: \"PO BOX 77\"", NULL);
  /* Durham has no index: unchanged. */
  application(&app, "HAL", "900 Main Street", "27701", "DURHAM", "");
  expect_register(&f, &app, PC_EINVAL, "precinct_code", "is required (the county has no street index)", NULL);
  application(&app, "HAL", "900 Main Street", "27701", "DURHAM", "0007");
  expect_register(&f, &app, 0, NULL, NULL, "0007");
  int64_t hal = pc_test_query_int(f.store, "SELECT id FROM voters WHERE first_name = 'HAL'");
  int64_t bea = pc_test_query_int(f.store, "SELECT id FROM voters WHERE first_name = 'BEA'");

  /* A move within Wake: the new address gives the new precinct. */
  pc_voter_change_t move = {.res_street_address = "151 Main St"};
  assert_int_equal(pc_voters_update(&f.voters, bea, &move, &err), 0);
  pc_voter_t voter;
  assert_int_equal(pc_voters_get(&f.voters, bea, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0001");
  pc_voter_change_t wrong = {.precinct_code = "0003"};
  assert_int_equal(pc_voters_update(&f.voters, bea, &wrong, &err), PC_EINVAL);
  assert_string_equal(err.message, "151 MAIN ST 27601 is in precinct 0001 by the county's street index, not in precinct 0003");
  pc_voter_change_t away = {.res_street_address = "7 Nowhere Rd"};
  assert_int_equal(pc_voters_update(&f.voters, bea, &away, &err), PC_EINVAL);
  assert_string_equal(err.message, "not in the county's street index: 7 NOWHERE RD 27601");
  /* A name change leaves the residence alone: no index check. */
  pc_voter_change_t name = {.last_name = "RIVERA-SOTO"};
  assert_int_equal(pc_voters_update(&f.voters, bea, &name, &err), 0);
  /* Transfer Durham -> Wake: the index gives the precinct. */
  pc_voter_change_t transfer = {.county = "WAKE", .res_street_address = "46 N Oak Ave", .res_zip = "27603"};
  assert_int_equal(pc_voters_update(&f.voters, hal, &transfer, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, hal, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0003");
  /* Back to Durham (no index): the precinct must be given, as before. */
  pc_voter_change_t back = {.county = "DURHAM", .res_zip = "27701"};
  assert_int_equal(pc_voters_update(&f.voters, hal, &back, &err), PC_EINVAL);
  assert_string_equal(err.message, "a move to another county needs the new precinct (the county has no street index)");
  back.precinct_code = "0007";
  assert_int_equal(pc_voters_update(&f.voters, hal, &back, &err), 0);
  pc_test_voters_close(&f);
}

static int64_t store_app(fixture_t *f, const char *first, const char *street, const char *zip) {
  pc_voter_app_input_t in = {.kind = "new", .lang = "en", .first_name = first, .last_name = "Okafor",
                             .birth_date = "1991-02-03", .res_street_address = street, .res_city = "Raleigh",
                             .res_zip = zip, .county = "wake", .party = "", .drivers_license = "NC 555-1212",
                             .citizenship_attested = 1};
  pc_voter_app_t app;
  pc_error_t err;
  assert_int_equal(pc_voters_app_check(&f->voters, &in, &app, NULL, &err), 0);
  assert_int_equal(pc_store_begin(f->store, &err), 0);
  assert_int_equal(pc_voters_app_insert(f->store, &app, &err), 0);
  assert_int_equal(pc_store_commit(f->store, &err), 0);
  return app.id;
}

typedef struct seen {
  char text[256];
} seen_t;

static int note_precinct(void *context, const pc_voter_app_summary_t *app) {
  seen_t *seen = context;
  size_t used = strlen(seen->text);
  pc_snprintf(seen->text + used, sizeof seen->text - used, "%s:%d:%s;", app->name, app->street_index, app->street_precinct);
  return 0;
}

static void approval_derives_precinct(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  pc_voters_t wake = f.voters;
  wake.county_scope = "WAKE";
  int64_t before = store_app(&f, "Ada", "150 Main St", "27601");
  seen_t seen = {""};
  assert_int_equal(pc_voters_app_each_open(&wake, 10, 1, note_precinct, &seen, &err), 0);
  assert_string_equal(seen.text, "ADA OKAFOR:0:;");
  import_text(&f, "WAKE", wake_index, 0, &err);
  int64_t inside = store_app(&f, "Bo", "45 North Oak Avenue", "27603");
  int64_t outside = store_app(&f, "Cy", "12 New Street", "27601");
  int64_t processed = 0;
  assert_int_equal(pc_voters_app_process(&wake, 100, &processed, &err), 0);
  assert_int_equal(processed, 3);
  seen.text[0] = '\0';
  assert_int_equal(pc_voters_app_each_open(&wake, 10, 1, note_precinct, &seen, &err), 0);
  assert_string_equal(seen.text, "ADA OKAFOR:1:0002;BO OKAFOR:1:0003;CY OKAFOR:2:;");
  int64_t voter_id = 0;
  pc_voter_t voter;
  assert_int_equal(pc_voters_app_approve(&wake, before, NULL, 0, &voter_id, &err), 0);
  assert_int_equal(pc_voters_get(&wake, voter_id, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0002");
  assert_int_equal(pc_voters_app_approve(&wake, inside, "0001", 0, &voter_id, &err), PC_EINVAL);
  assert_string_equal(err.message,
                      "45 NORTH OAK AVENUE 27603 is in precinct 0003 by the county's street index, not in precinct 0001");
  assert_int_equal(pc_voters_app_approve(&wake, inside, "", 0, &voter_id, &err), 0);
  assert_int_equal(pc_voters_get(&wake, voter_id, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0003");
  /* Not in the index: the clerk chooses. */
  assert_int_equal(pc_voters_app_approve(&wake, outside, NULL, 0, &voter_id, &err), PC_EINVAL);
  assert_string_equal(err.field, "precinct_code");
  assert_string_equal(err.message, "not in the county's street index: 12 NEW ST 27601: choose the applicant's precinct");
  assert_int_equal(pc_voters_app_approve(&wake, outside, "0001", 0, &voter_id, &err), 0);
  assert_int_equal(pc_voters_get(&wake, voter_id, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0001");
  /* An address the index cannot read (a word over 31 letters) is not in
   * the index: the list still shows, and the clerk chooses. */
  int64_t unreadable = store_app(&f, "Di", "12 Abcdefghijklmnopqrstuvwxyzabcdefgh Rd", "27601");
  assert_int_equal(pc_voters_app_process(&wake, 100, &processed, &err), 0);
  seen.text[0] = '\0';
  assert_int_equal(pc_voters_app_each_open(&wake, 10, 1, note_precinct, &seen, &err), 0);
  assert_string_equal(seen.text, "DI OKAFOR:2:;");
  assert_int_equal(pc_voters_app_approve(&wake, unreadable, NULL, 0, &voter_id, &err), PC_EINVAL);
  assert_string_equal(err.field, "precinct_code");
  assert_int_equal(pc_voters_app_approve(&wake, unreadable, "0002", 0, &voter_id, &err), 0);
  assert_int_equal(pc_voters_get(&wake, voter_id, &voter, &err), 0);
  assert_string_equal(voter.precinct_code, "0002");
  pc_test_voters_close(&f);
}

static void audited(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  pc_error_t err;
  import_text(&f, "WAKE", wake_index, 0, &err);
  import_text(&f, "WAKE", "street,low,high,parity,zip,precinct\n", 0, &err); /* an empty index clears it */
  lookup(&f, "WAKE", "150 MAIN ST", "27601", PC_ENOTFOUND, "the county has no street index");
  import_text(&f, "WAKE", wake_index, 0, &err);
  char path[600];
  pc_snprintf(path, sizeof path, "%s/export.csv", f.instance.data_dir);
  assert_int_equal(pc_voters_streets_export(&f.voters, "WAKE", path, NULL, &err), 0);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'streets.import'"
                                              " AND object_type = 'voter_street_versions' AND after_hash IS NOT NULL"),
                   3);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'streets.export'"
                                              " AND object_type = 'voter_street_versions' AND object_id = '3'"),
                   1);
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  pc_audit_verify_report_t report;
  assert_int_equal(pc_audit_key_create(&f.instance, &err), 0);
  assert_int_equal(pc_audit_public_key_load(&f.instance, public_key, &err), 0);
  if (pc_audit_verify(f.store, public_key, NULL, &report, &err) != 0) fail_msg("audit verify: %s", err.message);
  /* A segment changed behind the log's back is found. */
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f.store, "UPDATE voter_street_segments SET precinct_code = '0003' WHERE id = 6", &stmt,
                                    &err),
                   0);
  assert_true(pc_stmt_step(stmt, &err) >= 0);
  pc_stmt_finalize(stmt);
  assert_int_equal(pc_audit_verify(f.store, public_key, NULL, &report, &err), PC_EINTEGRITY);
  assert_non_null(strstr(err.message, "voter_street_segments batch 3: its rows no longer match the audited digest"));
  pc_test_voters_close(&f);
}

/* Every generated voter's address is in its precinct by the street index
 * the generator writes, and the index imports without overlaps. */
static void generated_roll_matches_its_index(void **state) {
  (void)state;
  fixture_t f;
  pc_test_instance(&f.instance, &f.store);
  pc_audit_cli_actor(&f.actor);
  pc_error_t err;
  assert_int_equal(pc_voters_open(&f.voters, &f.instance, f.store, &f.actor, NULL, &err), 0);
  static const char *const counties[] = {"ASH", "NEW OAK"};
  char roll[600], streets[600];
  pc_snprintf(roll, sizeof roll, "%s/roll.tsv", f.instance.data_dir);
  pc_snprintf(streets, sizeof streets, "%s/streets", f.instance.data_dir);
  pc_voters_generate_options_t o = {.count = 12000, .seed = 5, .dup_rate = 0.05, .out_path = roll, .counties = counties,
                                    .county_count = 2, .quiet = 1, .streets_dir = streets};
  assert_int_equal(pc_voters_generate(&o, NULL, &err), 0);
  pc_voters_import_result_t imported;
  assert_int_equal(pc_voters_import(&f.voters, roll, "nc", 1, &imported, &err), 0);
  assert_int_equal(imported.rows, 12000);
  static const char *const files[] = {"ASH.csv", "NEW_OAK.csv"};
  for (int i = 0; i < 2; i++) {
    char path[700];
    pc_snprintf(path, sizeof path, "%s/%s", streets, files[i]);
    pc_streets_import_result_t result;
    if (pc_voters_streets_import(&f.voters, counties[i], path, &result, &err) != 0) fail_msg("%s: %s", path, err.message);
    assert_true(result.segments > 0);
  }
  typedef struct home {
    int64_t county_id;
    char street[72], zip[12], precinct[8];
  } home_t;
  home_t *homes = calloc(12000, sizeof *homes);
  assert_non_null(homes);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f.store, "SELECT county_id, res_street_address, res_zip, precinct_code FROM voters ORDER BY id",
                                    &stmt, &err),
                   0);
  int64_t count = 0;
  while (count < 12000 && pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
    homes[count].county_id = pc_stmt_column_int64(stmt, 0);
    pc_strlcpy(homes[count].street, pc_stmt_column_text(stmt, 1), sizeof homes[count].street);
    pc_strlcpy(homes[count].zip, pc_stmt_column_text(stmt, 2), sizeof homes[count].zip);
    pc_strlcpy(homes[count].precinct, pc_stmt_column_text(stmt, 3), sizeof homes[count].precinct);
    count++;
  }
  pc_stmt_finalize(stmt);
  int64_t checked = 0;
  for (int64_t i = 0; i < count; i++) {
    char found[8] = "";
    if (pc_voters_streets_lookup(f.store, homes[i].county_id, homes[i].street, homes[i].zip, found, &err) != 0)
      fail_msg("%s %s: %s", homes[i].street, homes[i].zip, err.message);
    if (strcmp(found, homes[i].precinct) != 0)
      fail_msg("%s %s: index %s, roll %s", homes[i].street, homes[i].zip, found, homes[i].precinct);
    checked++;
  }
  free(homes);
  assert_int_equal(checked, 12000);
  pc_test_voters_close(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(address_parsing),
      cmocka_unit_test(parity_and_range_ends),
      cmocka_unit_test(csv_fields_and_overlaps),
      cmocka_unit_test(import_replaces_all_or_nothing),
      cmocka_unit_test(registration_uses_the_index),
      cmocka_unit_test(approval_derives_precinct),
      cmocka_unit_test(audited),
      cmocka_unit_test(generated_roll_matches_its_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
