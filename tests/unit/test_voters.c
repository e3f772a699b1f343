/* Unit tests for src/voters: registration rules, county scope, transfers,
 * cancellation, bulk import (all-or-nothing, round trip, audit digests), VRI,
 * duplicate detection and NVRA list maintenance, all with a fixed clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/alloc.h"
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/fileio.h"
#include "precinct/voters.h"
#include "precinct/voters_io.h"
#include "precinct/voters_maintenance.h"
#include "precinct/voters_tools.h"
#include "voters/dedup.h"
#include "voters/voters_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor;
  pc_voters_t voters;
} fixture_t;

static void set_today(const char *date) {
  char stamp[40];
  pc_snprintf(stamp, sizeof stamp, "%sT12:00:00Z", date);
  int64_t seconds = 0;
  assert_int_equal(pc_clock_parse_rfc3339(stamp, &seconds), 0);
  pc_clock_set_fixed(seconds);
}

static void open_fixture(fixture_t *f, const char *scope) {
  pc_test_instance(&f->instance, &f->store);
  pc_audit_cli_actor(&f->actor);
  pc_error_t err;
  assert_int_equal(pc_voters_open(&f->voters, &f->instance, f->store, &f->actor, scope, &err), 0);
}

static void close_fixture(fixture_t *f) {
  pc_voters_close(&f->voters);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_clock_set_fixed(0);
}

/* Two counties with one precinct each. */
static void add_counties(fixture_t *f) {
  pc_error_t err;
  assert_int_equal(pc_counties_create(f->store, &f->actor, "WAKE", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->actor, "DURHAM", NULL, NULL, &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->voters, "WAKE", "0001", "PRECINCT 1", &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->voters, "DURHAM", "0007", "PRECINCT 7", &err), 0);
}

static void application(pc_voter_application_t *app, const char *first, const char *last, const char *dob) {
  memset(app, 0, sizeof *app);
  pc_strlcpy(app->voter.first_name, first, sizeof app->voter.first_name);
  pc_strlcpy(app->voter.last_name, last, sizeof app->voter.last_name);
  pc_strlcpy(app->voter.birth_date, dob, sizeof app->voter.birth_date);
  pc_strlcpy(app->voter.res_street_address, "12 Oak St", sizeof app->voter.res_street_address);
  pc_strlcpy(app->voter.res_city, "Raleigh", sizeof app->voter.res_city);
  pc_strlcpy(app->voter.res_zip, "27601", sizeof app->voter.res_zip);
  pc_strlcpy(app->voter.precinct_code, "0001", sizeof app->voter.precinct_code);
  app->county = "WAKE";
  app->citizenship_attested = 1;
}

static int64_t count_rows(pc_store_t *store, const char *sql) {
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, sql, &stmt, &err), 0);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  int64_t n = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return n;
}

/* SQLite's journal mode on STORE's connection ("wal" between imports). */
static void assert_journal_mode(pc_store_t *store, const char *expected) {
  if (pc_test_is_postgres()) return;
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, "PRAGMA journal_mode", &stmt, &err), 0);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_string_equal(pc_stmt_column_text(stmt, 0), expected);
  pc_stmt_finalize(stmt);
}

/* The voters table's secondary indexes (both backends). */
static int64_t voter_indexes(pc_store_t *store) {
  return count_rows(store, pc_test_is_postgres()
                               ? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'voters' AND indexname LIKE 'voters\\_%'"
                                 " AND indexname <> 'voters_pkey'"
                               : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'voters'"
                                 " AND name LIKE 'voters%'");
}

static void federal_general_dates(void **state) {
  (void)state;
  char date[12];
  pc_voters_federal_general(2024, date);
  assert_string_equal(date, "2024-11-05");
  pc_voters_federal_general(2026, date);
  assert_string_equal(date, "2026-11-03");
  pc_voters_federal_general(2028, date);
  assert_string_equal(date, "2028-11-07");
  pc_voters_federal_general(2022, date);
  assert_string_equal(date, "2022-11-08");
  pc_voters_next_federal_general("2026-11-04", date);
  assert_string_equal(date, "2028-11-07");
  pc_voters_next_federal_general("2026-11-03", date);
  assert_string_equal(date, "2026-11-03");
  char first[12], second[12];
  pc_voters_removal_elections("2022-01-10", first, second);
  assert_string_equal(first, "2022-11-08");
  assert_string_equal(second, "2024-11-05");
  /* A notice sent on election day: that election does not count. */
  pc_voters_removal_elections("2022-11-08", first, second);
  assert_string_equal(first, "2024-11-05");
  assert_string_equal(second, "2026-11-03");
  int age = 0;
  assert_int_equal(pc_voters_age_on("2008-11-03", "2026-11-03", &age), 0);
  assert_int_equal(age, 18);
  assert_int_equal(pc_voters_age_on("2008-11-04", "2026-11-03", &age), 0);
  assert_int_equal(age, 17);
}

static void fields_match_table_and_audit_hash(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  add_counties(&f);
  pc_voter_application_t app;
  application(&app, "Ann", "Lee", "1980-05-06");
  app.drivers_license = "NC-1234567";
  pc_error_t err;
  int64_t id = 0;
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f.store, "SELECT * FROM voter_records WHERE id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_int_equal(pc_stmt_column_count(stmt), pc_voter_field_count);
  for (int i = 0; i < pc_voter_field_count; i++) assert_string_equal(pc_stmt_column_name(stmt, i), pc_voter_fields[i].column);
  pc_voter_t v;
  pc_voter_read(stmt, &v);
  pc_stmt_finalize(stmt);
  unsigned char stored[PC_HASH_SIZE], computed[PC_HASH_SIZE];
  assert_int_equal(pc_audit_row_hash(f.store, "voters", id, stored, &err), 0);
  pc_voter_hash(&v, computed);
  assert_memory_equal(stored, computed, PC_HASH_SIZE);
  /* The licence number is kept only as its keyed hash. */
  unsigned char expected[PC_VOTER_HMAC_SIZE];
  pc_voters_id_hmac(&f.voters, "nc 1234567", expected);
  assert_true(v.has_dl_hmac);
  assert_memory_equal(v.dl_hmac, expected, PC_VOTER_HMAC_SIZE);
  assert_string_equal(v.drivers_lic, "Y");
  close_fixture(&f);
}

static void registration_rules(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01"); /* next federal general: 2026-11-03 */
  add_counties(&f);
  pc_voter_application_t app;
  pc_error_t err;
  int64_t id = 0;
  pc_voter_t v;
  /* 18 on election day exactly: active. */
  application(&app, "Ann", "Lee", "2008-11-03");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, id, &v, &err), 0);
  assert_string_equal(v.status, "A");
  assert_string_equal(v.last_name, "LEE");
  /* One day short: pre-registered (16 or older today). */
  application(&app, "Bo", "Lee", "2008-11-04");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, id, &v, &err), 0);
  assert_string_equal(v.status, "P");
  assert_string_equal(v.status_reason, "PR");
  /* Below the pre-registration age (16 on 2026-03-01 means born by 2010-03-01). */
  application(&app, "Cy", "Lee", "2010-03-02");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "birth_date");
  /* A configured pre-registration age of 17 refuses a 16-year-old. */
  assert_int_equal(pc_instance_setting_set(f.store, "voters.preregistration_age", "17", &err), 0);
  application(&app, "Di", "Lee", "2009-06-01");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "birth_date");
  /* Citizenship attestation. */
  application(&app, "Ed", "Lee", "1990-01-01");
  app.citizenship_attested = 0;
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "citizenship");
  /* Required fields, zip, unknown precinct. */
  application(&app, "", "Lee", "1990-01-01");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "first_name");
  application(&app, "Ed", "Lee", "1990-01-01");
  pc_strlcpy(app.voter.res_zip, "2760", sizeof app.voter.res_zip);
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "res_zip");
  application(&app, "Ed", "Lee", "1990-01-01");
  pc_strlcpy(app.voter.precinct_code, "0007", sizeof app.voter.precinct_code); /* Durham's, not Wake's */
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), PC_EINVAL);
  assert_string_equal(err.field, "precinct_code");
  /* HAVA 303(b): mail registrant with no ID number must show ID. */
  application(&app, "Flo", "Lee", "1990-01-01");
  app.mail_registration = 1;
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, id, &v, &err), 0);
  assert_int_equal(v.hava_id_required, 1);
  assert_string_equal(v.registration_source, "mail");
  application(&app, "Gus", "Lee", "1990-01-01");
  app.mail_registration = 1;
  app.ssn4 = "1234";
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, id, &v, &err), 0);
  assert_int_equal(v.hava_id_required, 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 4);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'voter.register'"), 4);
  /* No birth date reaches the audit log (entries hold row hashes only). */
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE leaf_data LIKE '%1990-01-01%'"), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE leaf_data LIKE '%2008-11-03%'"), 0);
  close_fixture(&f);
}

static void county_scope_and_transfer(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  add_counties(&f);
  pc_voter_application_t app;
  pc_error_t err;
  int64_t id = 0;
  application(&app, "Ann", "Lee", "1980-01-01");
  assert_int_equal(pc_voters_register(&f.voters, &app, &id, &err), 0);
  pc_voter_t before;
  assert_int_equal(pc_voters_get(&f.voters, id, &before, &err), 0);
  /* A Durham user neither sees nor changes a Wake voter, nor registers in Wake. */
  pc_voters_t durham;
  assert_int_equal(pc_voters_open(&durham, &f.instance, f.store, &f.actor, "DURHAM", &err), 0);
  pc_voter_t v;
  assert_int_equal(pc_voters_get(&durham, id, &v, &err), PC_ENOTFOUND);
  pc_voter_change_t change = {.party = "REP"};
  assert_int_equal(pc_voters_update(&durham, id, &change, &err), PC_ENOTFOUND);
  assert_int_equal(pc_voters_set_status(&durham, id, "I", "IN", &err), PC_ENOTFOUND);
  application(&app, "Bo", "Lee", "1980-01-01");
  assert_int_equal(pc_voters_register(&durham, &app, &id, &err), PC_EPERM);
  /* The Wake user transfers the voter to Durham: same record, new county. */
  pc_voters_t wake;
  assert_int_equal(pc_voters_open(&wake, &f.instance, f.store, &f.actor, "WAKE", &err), 0);
  change = (pc_voter_change_t){.county = "DURHAM", .precinct_code = "0007", .res_street_address = "9 Elm St",
                               .res_city = "Durham", .res_zip = "27701"};
  assert_int_equal(pc_voters_update(&wake, before.id, &change, &err), 0);
  assert_int_equal(pc_voters_get(&wake, before.id, &v, &err), PC_ENOTFOUND); /* now outside Wake */
  assert_int_equal(pc_voters_get(&durham, before.id, &v, &err), 0);
  assert_string_equal(v.ncid, before.ncid);
  assert_string_equal(v.res_city, "DURHAM");
  assert_string_equal(v.precinct_code, "0007");
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'voter.transfer'"), 1);
  /* History: two entries for this row (register, transfer), chained by hash. */
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'voters' AND object_id = '1'"), 2);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.object_id = a.object_id"
                                       " AND b.object_type = 'voters' AND a.object_type = 'voters' AND b.seq > a.seq"
                                       " AND b.before_hash = a.after_hash WHERE a.object_id = '1'"),
                   1);
  /* A move to a county without the precinct is refused. */
  change = (pc_voter_change_t){.county = "WAKE", .precinct_code = "0007"};
  assert_int_equal(pc_voters_update(&durham, before.id, &change, &err), PC_EINVAL);
  assert_string_equal(err.field, "precinct_code");
  pc_voters_close(&durham);
  pc_voters_close(&wake);
  close_fixture(&f);
}

static void cancellation_rules(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  add_counties(&f);
  pc_voter_application_t app;
  pc_error_t err;
  int64_t a = 0, b = 0;
  application(&app, "Ann", "Lee", "1980-01-01");
  assert_int_equal(pc_voters_register(&f.voters, &app, &a, &err), 0);
  application(&app, "Ann", "Lee", "1980-01-01");
  assert_int_equal(pc_voters_register(&f.voters, &app, &b, &err), 0);
  assert_int_equal(pc_voters_cancel(&f.voters, b, "felony", 0, &err), PC_ESTATE);
  assert_int_equal(pc_voters_cancel(&f.voters, b, "duplicate", 0, &err), PC_EINVAL);
  assert_int_equal(pc_voters_cancel(&f.voters, b, "vacation", 0, &err), PC_EINVAL);
  assert_int_equal(pc_voters_cancel(&f.voters, b, "duplicate", a, &err), 0);
  pc_voter_t v;
  assert_int_equal(pc_voters_get(&f.voters, b, &v, &err), 0);
  assert_string_equal(v.status, "R");
  assert_string_equal(v.status_reason, "R2");
  assert_int_equal(v.merged_into_id, a);
  assert_int_equal(pc_voters_cancel(&f.voters, b, "death", 0, &err), PC_ESTATE);
  assert_int_equal(pc_instance_setting_set(f.store, "voters.felony_removal", "yes", &err), 0);
  assert_int_equal(pc_voters_cancel(&f.voters, a, "felony", 0, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, a, &v, &err), 0);
  assert_string_equal(v.status_reason, "RF");
  assert_string_equal(v.status_date, "2026-03-01");
  close_fixture(&f);
}

/* Generates N voters (seed SEED) into DIR/NAME and returns the path. */
static void generate(const char *dir, const char *name, int64_t n, uint64_t seed, double dup_rate, char *path, size_t size) {
  pc_snprintf(path, size, "%s/%s", dir, name);
  pc_voters_generate_options_t o = {.count = n, .seed = seed, .dup_rate = dup_rate, .out_path = path, .quiet = 1};
  pc_error_t err;
  int64_t pairs = 0;
  assert_int_equal(pc_voters_generate(&o, &pairs, &err), 0);
}

static void import_is_all_or_nothing(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  char path[1200], bad[1200];
  generate(f.instance.data_dir, "good.tsv", 6000, 11, 0.0, path, sizeof path);
  /* Corrupt line 5000 (header is line 1): a birth year that is not a year. */
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  assert_int_equal(pc_file_read_all(path, 1 << 26, &data, &size, &err), 0);
  char *line = data;
  for (int i = 1; i < 5000; i++) line = strchr(line, '\n') + 1;
  char *field = line;
  for (int i = 0; i < 30; i++) field = strchr(field, '\t') + 1; /* column 31: birth_year */
  memcpy(field, "19X0", 4);
  pc_snprintf(bad, sizeof bad, "%s/bad.tsv", f.instance.data_dir);
  assert_int_equal(pc_file_write_durable(bad, data, size, 0600, 0, &err), 0);
  free(data);
  pc_voters_import_result_t result;
  pc_error_clear(&err);
  assert_int_equal(pc_voters_import(&f.voters, bad, NULL, 1, &result, &err), PC_EINVAL);
  assert_int_equal(err.line, 5000);
  assert_string_equal(err.field, "birth_year");
  assert_string_equal(err.file, bad);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM counties"), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voter_import_batches"), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log"), 0);
  /* The indexes dropped for the load are back after the rollback, and so is
   * the WAL the failed import left for a rollback journal. */
  assert_int_equal(voter_indexes(f.store), 5);
  assert_journal_mode(f.store, "wal");
  /* The good file imports whole, into the empty roll with the database held
   * alone on SQLite (no other connection is open), then back to WAL. */
  assert_int_equal(pc_voters_import(&f.voters, path, "nc", 1, &result, &err), 0);
  assert_int_equal(result.rows, 6000);
  assert_int_equal(result.held_alone, !pc_test_is_postgres());
  assert_journal_mode(f.store, "wal");
  /* Counties the file created keep its numbers; a county created later by
   * hand still gets a fresh id (PostgreSQL identity sequences included). */
  int64_t county_id = 0;
  assert_int_equal(pc_counties_create(f.store, &f.actor, "NEW COUNTY", NULL, &county_id, &err), 0);
  assert_true(county_id > count_rows(f.store, "SELECT MAX(id) FROM counties WHERE name <> 'NEW COUNTY'"));
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 6000);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'voters.import'"), 1);
  assert_int_equal(voter_indexes(f.store), 5);
  /* Importing it again: every NCID is taken; the error names line 2. */
  assert_int_equal(pc_voters_import(&f.voters, path, "nc", 1, &result, &err), PC_EINVAL);
  if (err.line != 2) fail_msg("%s line %ld field %s", err.message, err.line, err.field);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.field, "ncid");
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 6000);
  close_fixture(&f);
}

/* A county user imports only its own county: the first line of another
 * county stops the file, naming the line and field. */
static void import_respects_county_scope(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  add_counties(&f);
  char path[1200];
  const char *const counties[] = {"WAKE", "DURHAM"};
  pc_snprintf(path, sizeof path, "%s/two.tsv", f.instance.data_dir);
  pc_voters_generate_options_t o = {.count = 500, .seed = 2, .out_path = path, .counties = counties, .county_count = 2,
                                    .quiet = 1};
  pc_error_t err;
  assert_int_equal(pc_voters_generate(&o, NULL, &err), 0);
  /* The first Durham line of the file, for the expected error. */
  char *data = NULL;
  size_t size = 0;
  assert_int_equal(pc_file_read_all(path, 1 << 24, &data, &size, &err), 0);
  long line = 1, durham_line = 0;
  for (char *p = data; *p && durham_line == 0; p = strchr(p, '\n') + 1, line++)
    if (line > 1 && strncmp(strchr(p, '\t') + 1, "DURHAM\t", 7) == 0) durham_line = line;
  free(data);
  assert_true(durham_line > 1);
  pc_voters_t wake;
  assert_int_equal(pc_voters_open(&wake, &f.instance, f.store, &f.actor, "WAKE", &err), 0);
  pc_voters_import_result_t result;
  assert_int_equal(pc_voters_import(&wake, path, "nc", 1, &result, &err), PC_EPERM);
  assert_int_equal(err.line, durham_line);
  assert_string_equal(err.field, "county_desc");
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 0);
  /* The state imports it whole, into the existing counties. */
  assert_int_equal(pc_voters_import(&f.voters, path, "nc", 1, &result, &err), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM counties"), 2);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 500);
  /* NCOA-style moved list: notices to exactly the listed active voters. */
  pc_voter_t first, second;
  assert_int_equal(pc_voters_get(&f.voters, 1, &first, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, 2, &second, &err), 0);
  char list[1200], text[64];
  pc_snprintf(list, sizeof list, "%s/moved.txt", f.instance.data_dir);
  pc_snprintf(text, sizeof text, "ncid\n%s\n%s\nNOSUCHID\n", first.ncid, second.ncid);
  assert_int_equal(pc_file_write_durable(list, text, strlen(text), 0600, 0, &err), 0);
  pc_maintenance_request_t request = {.kind = "notices-moved", .moved_list_path = list};
  int64_t run = 0, count = 0, changed = 0, skipped = 0;
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), 0);
  int64_t active = (strcmp(first.status, "A") == 0) + (strcmp(second.status, "A") == 0);
  assert_int_equal(count, active);
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM confirmation_notices WHERE reason = 'moved'"), active);
  pc_voters_close(&wake);
  close_fixture(&f);
}

/* A line over the 8192-byte limit is refused at its own line number, also
 * when 64 KB reading chunks put many short lines before it or split it. */
static void import_refuses_overlong_line_at_its_line(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  char path[1200];
  generate(f.instance.data_dir, "roll.tsv", 600, 13, 0.0, path, sizeof path);
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  assert_int_equal(pc_file_read_all(path, 1 << 24, &data, &size, &err), 0);
  /* Line 400 (the header is line 1) gets 9000 more bytes in its last field. */
  char *line = data;
  for (int i = 1; i < 400; i++) line = strchr(line, '\n') + 1;
  char *line_end = strchr(line, '\n');
  size_t before = (size_t)(line_end - data), pad = 9000;
  char *bad = pc_xmalloc(size + pad);
  memcpy(bad, data, before);
  memset(bad + before, 'X', pad);
  memcpy(bad + before + pad, line_end, size - before);
  char bad_path[1200];
  pc_snprintf(bad_path, sizeof bad_path, "%s/long.tsv", f.instance.data_dir);
  assert_int_equal(pc_file_write_durable(bad_path, bad, size + pad, 0600, 0, &err), 0);
  free(bad);
  free(data);
  pc_voters_import_result_t result;
  assert_int_equal(pc_voters_import(&f.voters, bad_path, "nc", 1, &result, &err), PC_ELIMIT);
  assert_int_equal(err.line, 400);
  assert_string_equal(err.file, bad_path);
  assert_non_null(strstr(err.message, "line longer than the limit"));
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 0);
  close_fixture(&f);
}

/* With another connection open on the database (a server, say), an import
 * into the empty roll cannot hold the database alone: it goes through the
 * WAL, the other connection keeps reading meanwhile, and sees every voter
 * after the commit. */
static void import_beside_another_connection(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  char path[1200];
  generate(f.instance.data_dir, "roll.tsv", 2000, 12, 0.0, path, sizeof path);
  pc_store_options_t options;
  pc_test_store_options(&f.instance, &options);
  pc_store_t *other = NULL;
  pc_error_t err;
  assert_int_equal(pc_store_open(&options, &other, &err), 0);
  assert_int_equal(count_rows(other, "SELECT COUNT(*) FROM voters"), 0);
  pc_voters_import_result_t result;
  assert_int_equal(pc_voters_import(&f.voters, path, "nc", 1, &result, &err), 0);
  assert_int_equal(result.rows, 2000);
  assert_int_equal(result.held_alone, 0);
  assert_journal_mode(f.store, "wal");
  assert_int_equal(count_rows(other, "SELECT COUNT(*) FROM voters"), 2000);
  pc_store_close(other);
  close_fixture(&f);
}

static void nc_round_trip_and_digest(void **state) {
  (void)state;
  fixture_t f, g;
  open_fixture(&f, NULL);
  open_fixture(&g, NULL);
  set_today("2026-03-01");
  char path[1200], first[1200], second[1200];
  generate(f.instance.data_dir, "roll.tsv", 3000, 5, 0.05, path, sizeof path);
  pc_error_t err;
  pc_voters_import_result_t result;
  assert_int_equal(pc_voters_import(&f.voters, path, NULL, 1, &result, &err), 0);
  pc_snprintf(first, sizeof first, "%s/export1.tsv", f.instance.data_dir);
  pc_snprintf(second, sizeof second, "%s/export2.tsv", g.instance.data_dir);
  int64_t rows = 0;
  assert_int_equal(pc_voters_export(&f.voters, "nc", first, 1, &rows, &err), 0);
  assert_int_equal(rows, 3000);
  assert_int_equal(pc_voters_import(&g.voters, first, "nc", 1, &result, &err), 0);
  assert_int_equal(pc_voters_export(&g.voters, "nc", second, 1, &rows, &err), 0);
  char *a = NULL, *b = NULL;
  size_t na = 0, nb = 0;
  assert_int_equal(pc_file_read_all(first, 1 << 26, &a, &na, &err), 0);
  assert_int_equal(pc_file_read_all(second, 1 << 26, &b, &nb, &err), 0);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, na);
  /* The public layout carries no birth date. */
  assert_null(strstr(a, "birth_date"));
  free(a);
  free(b);
  /* Digests verify; an audited change keeps them verifiable; a silent one does not. */
  int64_t checked = 0;
  assert_int_equal(pc_voters_verify_imports(f.store, &checked, &err), 0);
  assert_int_equal(checked, 3000);
  pc_voter_change_t change = {.party = "LIB"};
  assert_int_equal(pc_voters_update(&f.voters, 17, &change, &err), 0);
  assert_int_equal(pc_voters_verify_imports(f.store, &checked, &err), 0);
  assert_int_equal(pc_store_exec(f.store, "UPDATE voters SET party = 'XYZ' WHERE id = 42", &err), 0);
  assert_int_equal(pc_voters_verify_imports(f.store, &checked, &err), PC_EINTEGRITY);
  close_fixture(&g);
  close_fixture(&f);
}

static void vri_registration_import(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  add_counties(&f);
  char path[1024];
  pc_error_t err;
  pc_voters_import_result_t result;
  pc_test_data_path("voters/vri_example_ohio_registration.json", path, sizeof path);
  /* Ohio's example names county 78 and no precinct: refused, nothing stored. */
  assert_int_not_equal(pc_voters_import(&f.voters, path, NULL, 1, &result, &err), 0);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters"), 0);
  pc_test_data_path("voters/vri_registration_with_precinct.json", path, sizeof path);
  int rc = pc_voters_import(&f.voters, path, NULL, 1, &result, &err);
  if (rc != 0) fail_msg("%s (field %s)", err.message, err.field);
  assert_int_equal(result.rows, 1);
  pc_voter_t v;
  assert_int_equal(pc_voters_get(&f.voters, 1, &v, &err), 0);
  assert_string_equal(v.first_name, "JANE");
  assert_string_equal(v.last_name, "DOE");
  assert_string_equal(v.birth_date, "1993-11-12");
  assert_string_equal(v.res_street_address, "3818 BELMONT AVE");
  assert_string_equal(v.res_city, "YOUNGSTOWN");
  assert_string_equal(v.mail_addr[0], "2299 E STATE ST");
  assert_true(v.has_dl_hmac);
  assert_false(v.has_ssn4_hmac);
  assert_string_equal(v.status, "A");
  char out[1200];
  pc_snprintf(out, sizeof out, "%s/records.json", f.instance.data_dir);
  int64_t rows = 0;
  assert_int_equal(pc_voters_export(&f.voters, "vri", out, 1, &rows, &err), 0);
  char *data = NULL;
  size_t size = 0;
  assert_int_equal(pc_file_read_all(out, 1 << 20, &data, &size, &err), 0);
  assert_non_null(strstr(data, "\"@type\":\"VRI.VoterRecordResults\""));
  assert_non_null(strstr(data, "\"FirstName\":\"JANE\""));
  assert_null(strstr(data, "1993-11-12")); /* no birth date in exports */
  free(data);
  close_fixture(&f);
}

static void person(pc_voter_t *v, int64_t id, const char *first, const char *middle, const char *last, const char *dob,
                   const char *street, const char *gender) {
  memset(v, 0, sizeof *v);
  v->id = id;
  pc_snprintf(v->ncid, sizeof v->ncid, "T%04lld", (long long)id);
  pc_strlcpy(v->first_name, first, sizeof v->first_name);
  pc_strlcpy(v->middle_name, middle, sizeof v->middle_name);
  pc_strlcpy(v->last_name, last, sizeof v->last_name);
  pc_strlcpy(v->birth_date, dob, sizeof v->birth_date);
  v->birth_year = strtoll(dob, NULL, 10);
  pc_strlcpy(v->res_street_address, street, sizeof v->res_street_address);
  pc_strlcpy(v->res_zip, "27601", sizeof v->res_zip);
  pc_strlcpy(v->gender, gender, sizeof v->gender);
  pc_strlcpy(v->race, "W", sizeof v->race);
  pc_strlcpy(v->birth_state, "NC", sizeof v->birth_state);
}

static void dedup_finds_exactly_the_planted_pairs(void **state) {
  (void)state;
  pc_voter_t v[16];
  int n = 0;
  /* Planted pairs: (0,1) typo, (2,3) nickname, (4,5) day/month swapped,
   * (6,7) moved, (8,9) married name (maiden name now the middle). */
  person(&v[n++], 1, "JONATHAN", "PAUL", "WHITFIELD", "1971-03-14", "12 OAK ST", "M");
  person(&v[n++], 2, "JONATHAN", "PAUL", "WHITFEILD", "1971-03-14", "12 OAK ST", "M");
  person(&v[n++], 3, "WILLIAM", "HENRY", "BARNES", "1955-07-02", "4 ELM RD", "M");
  person(&v[n++], 4, "BILL", "HENRY", "BARNES", "1955-07-02", "4 ELM RD", "M");
  person(&v[n++], 5, "MARIA", "LUISA", "ORTEGA", "1988-04-09", "77 PINE AVE", "F");
  person(&v[n++], 6, "MARIA", "LUISA", "ORTEGA", "1988-09-04", "77 PINE AVE", "F");
  person(&v[n++], 7, "DESMOND", "RAY", "KOWALSKI", "1964-12-30", "9 BIRCH LN", "M");
  person(&v[n++], 8, "DESMOND", "RAY", "KOWALSKI", "1964-12-30", "310 HARBOR DR", "M");
  person(&v[n++], 9, "REBECCA", "ANNE", "MILLS", "1990-02-17", "5 CEDAR CT", "F");
  person(&v[n++], 10, "REBECCA", "MILLS", "DONOVAN", "1990-02-17", "5 CEDAR CT", "F");
  /* Distractors: a household (same surname and address, other people), a
   * namesake born another year, a JR/SR pair. */
  person(&v[n++], 11, "THOMAS", "EARL", "WHITFIELD", "1969-08-01", "12 OAK ST", "M");
  person(&v[n++], 12, "JONATHAN", "PAUL", "WHITFIELD", "1993-03-14", "88 LAKE DR", "M");
  person(&v[n++], 13, "GEORGE", "ALAN", "PRICE", "1950-05-05", "3 HILL ST", "M");
  person(&v[n++], 14, "GEORGE", "ALAN", "PRICE", "1975-05-05", "3 HILL ST", "M");
  pc_strlcpy(v[12].name_suffix, "SR", sizeof v[12].name_suffix);
  pc_strlcpy(v[13].name_suffix, "JR", sizeof v[13].name_suffix);
  pc_dedup_record_t records[16];
  for (int i = 0; i < n; i++) pc_dedup_record_from(&v[i], &records[i]);
  pc_dedup_pair_t *pairs = NULL;
  size_t count = 0;
  int64_t comparisons = 0;
  assert_int_equal(pc_dedup_find(records, (size_t)n, 2, PC_DEDUP_THRESHOLD, &pairs, &count, &comparisons), 0);
  assert_int_equal(count, 5);
  for (size_t i = 0; i < count; i++) {
    assert_int_equal(pairs[i].a, 2 * i);
    assert_int_equal(pairs[i].b, 2 * i + 1);
  }
  free(pairs);
  assert_true(pc_voters_match_score(&v[10], &v[11]) < PC_DEDUP_THRESHOLD);
}

static int64_t csv_pairs(const char *path, char (**pairs)[32]) {
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  assert_int_equal(pc_file_read_all(path, 1 << 26, &data, &size, &err), 0);
  int64_t n = 0;
  *pairs = NULL;
  char *line = strchr(data, '\n') + 1;
  while (line && *line) {
    char *next = strchr(line, '\n');
    if (next) *next++ = '\0';
    char a[16] = "", b[16] = "";
    char *comma = strchr(line, ',');
    assert_non_null(comma);
    pc_snprintf(a, sizeof a, "%.*s", (int)(comma - line), line);
    char *end = strchr(comma + 1, ',');
    pc_snprintf(b, sizeof b, "%.*s", end ? (int)(end - comma - 1) : (int)strlen(comma + 1), comma + 1);
    *pairs = realloc(*pairs, (size_t)(n + 1) * sizeof **pairs);
    pc_snprintf((*pairs)[n++], 32, "%s,%s", strcmp(a, b) < 0 ? a : b, strcmp(a, b) < 0 ? b : a);
    line = next;
  }
  free(data);
  return n;
}

/* Generates COUNT voters (SEED, 5% duplicates) into F, imports them, runs
 * dedup (filling the queue when FILL_QUEUE) and reads both pair lists. */
typedef struct dedup_run {
  char (*truth)[32], (*found)[32];
  int64_t truth_count, found_count;
  pc_voters_dedup_options_t options;
  pc_voters_dedup_result_t result;
  char out[1200];
} dedup_run_t;

static void generate_and_dedup(fixture_t *f, int64_t count, uint64_t seed, int fill_queue, dedup_run_t *run) {
  char path[1200], labels[1300];
  generate(f->instance.data_dir, "roll.tsv", count, seed, 0.05, path, sizeof path);
  pc_error_t err;
  pc_voters_import_result_t imported;
  assert_int_equal(pc_voters_import(&f->voters, path, "nc", 1, &imported, &err), 0);
  pc_snprintf(run->out, sizeof run->out, "%s/pairs.csv", f->instance.data_dir);
  run->options = (pc_voters_dedup_options_t){.out_path = run->out, .fill_queue = fill_queue, .quiet = 1};
  assert_int_equal(pc_voters_dedup(&f->voters, &run->options, &run->result, &err), 0);
  pc_snprintf(labels, sizeof labels, "%s.labels.csv", path);
  run->truth_count = csv_pairs(labels, &run->truth);
  run->found_count = csv_pairs(run->out, &run->found);
}

static void dedup_precision_and_recall_on_generated_roll(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  dedup_run_t run;
  generate_and_dedup(&f, 20000, 3, 1, &run);
  pc_error_t err;
  char(*truth)[32] = run.truth, (*found)[32] = run.found;
  int64_t nt = run.truth_count, nf = run.found_count;
  pc_voters_dedup_options_t o = run.options;
  pc_voters_dedup_result_t r = run.result;
  assert_true(nt > 800);
  int64_t hits = 0;
  for (int64_t i = 0; i < nf; i++)
    for (int64_t j = 0; j < nt; j++)
      if (strcmp(found[i], truth[j]) == 0) {
        hits++;
        break;
      }
  double precision = (double)hits / (double)nf, recall = (double)hits / (double)nt;
  print_message("dedup on 20000: %lld planted, %lld flagged, precision %.4f recall %.4f\n", (long long)nt, (long long)nf,
                precision, recall);
  assert_true(precision >= 0.95);
  assert_true(recall >= 0.95);
  free(truth);
  free(found);
  /* The queue holds every pair; nothing was merged by itself. */
  assert_int_equal(r.queued, nf);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM duplicate_candidates WHERE state = 'open'"), nf);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters WHERE merged_into_id IS NOT NULL"), 0);
  /* An official merges the first and dismisses the second. */
  assert_int_equal(pc_voters_dedup_decide(&f.voters, 1, "merge", &err), 0);
  assert_int_equal(pc_voters_dedup_decide(&f.voters, 2, "dismiss", &err), 0);
  assert_int_equal(pc_voters_dedup_decide(&f.voters, 1, "dismiss", &err), PC_ESTATE);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM voters WHERE merged_into_id IS NOT NULL AND status = 'R'"), 1);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM duplicate_candidates WHERE state = 'open'"), nf - 2);
  /* A second run flags no pair again and skips the merged voter. */
  assert_int_equal(pc_voters_dedup(&f.voters, &o, &r, &err), 0);
  assert_int_equal(r.queued, 0);
  close_fixture(&f);
}

/* A small generated roll (seed 9, 2,000 voters, 92 planted duplicates): the
 * pairs found are exactly the planted ones, in the same order. */
static void dedup_exact_pairs_on_small_generated_roll(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2026-03-01");
  dedup_run_t run;
  generate_and_dedup(&f, 2000, 9, 0, &run);
  assert_int_equal(run.truth_count, 92);
  assert_int_equal(run.found_count, 92);
  for (int64_t i = 0; i < run.truth_count; i++) assert_string_equal(run.found[i], run.truth[i]);
  free(run.truth);
  free(run.found);
  close_fixture(&f);
}

/* Registers N active voters in Wake registered in 2020. */
static void register_many(fixture_t *f, int n, int64_t *ids) {
  for (int i = 0; i < n; i++) {
    pc_voter_application_t app;
    char first[16];
    pc_snprintf(first, sizeof first, "VOTER%c", 'A' + i);
    application(&app, first, "SMITH", "1970-01-01");
    pc_error_t err;
    assert_int_equal(pc_voters_register(&f->voters, &app, &ids[i], &err), 0);
  }
}

static void maintenance_two_elections_and_ninety_days(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f, NULL);
  set_today("2021-06-01");
  add_counties(&f);
  int64_t ids[4];
  register_many(&f, 4, ids);
  pc_error_t err;
  /* Voter 0 votes in 2021; the others have no contact since. */
  set_today("2021-12-01");
  assert_int_equal(pc_voters_record_vote(&f.voters, ids[0], "2021-11-02", "MUNICIPAL", "in_person", &err), 0);
  set_today("2022-01-10");
  pc_maintenance_request_t request = {.kind = "notices-inactivity", .since = "2021-07-01"};
  int64_t run = 0, count = 0, changed = 0, skipped = 0;
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), 0);
  assert_int_equal(count, 3);
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM confirmation_notices"), 0); /* preview changes nothing */
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), 0);
  assert_int_equal(changed, 3);
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), PC_ESTATE); /* once only */
  assert_int_equal(count_rows(f.store, "SELECT COUNT(*) FROM confirmation_notices WHERE sent_date = '2022-01-10'"), 3);
  /* Voter 1 answers; after 30 days the other two become inactive. */
  assert_int_equal(pc_voters_notice_respond(&f.voters, 1, "confirmed", &err), 0);
  set_today("2022-02-15");
  request = (pc_maintenance_request_t){.kind = "inactivate"};
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), 0);
  assert_int_equal(count, 2);
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), 0);
  pc_voter_t v;
  assert_int_equal(pc_voters_get(&f.voters, ids[2], &v, &err), 0);
  assert_string_equal(v.status, "I");
  /* Voter 3 votes in the 2022 general: contact, back to active. */
  assert_int_equal(pc_voters_record_vote(&f.voters, ids[3], "2022-11-08", "GENERAL", "absentee", &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, ids[3], &v, &err), 0);
  assert_string_equal(v.status, "A");
  /* Removal: not before the day after the second federal general election. */
  request = (pc_maintenance_request_t){.kind = "remove"};
  set_today("2023-06-01");
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), 0);
  assert_int_equal(count, 0);
  /* 2024-08-15 is within 90 days of 2024-11-05: refused outright. */
  set_today("2024-08-15");
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), PC_ESTATE);
  assert_non_null(strstr(err.message, "90 days"));
  assert_non_null(strstr(err.message, "2024-11-05"));
  /* 2024-11-05 itself is still inside the window; 2024-11-06 is the first day. */
  set_today("2024-11-06");
  assert_int_equal(pc_voters_maintenance_preview(&f.voters, &request, &run, &count, &err), 0);
  assert_int_equal(count, 1);
  /* A configured federal primary 2025-01-20 puts execution inside a window. */
  assert_int_equal(pc_instance_setting_set(f.store, "voters.federal_election_dates", "2025-01-20", &err), 0);
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), PC_ESTATE);
  assert_int_equal(pc_instance_setting_set(f.store, "voters.federal_election_dates", "", &err), 0);
  assert_int_equal(pc_voters_maintenance_run(&f.voters, run, &changed, &skipped, &err), 0);
  assert_int_equal(pc_voters_get(&f.voters, ids[2], &v, &err), 0);
  assert_string_equal(v.status, "R");
  assert_string_equal(v.status_reason, "RM");
  /* Undo restores the voter exactly. */
  int64_t restored = 0;
  assert_int_equal(pc_voters_maintenance_undo(&f.voters, run, &restored, &err), 0);
  assert_int_equal(restored, 1);
  assert_int_equal(pc_voters_get(&f.voters, ids[2], &v, &err), 0);
  assert_string_equal(v.status, "I");
  assert_string_equal(v.status_reason, "IN");
  assert_string_equal(v.status_date, "2022-02-15");
  assert_int_equal(pc_voters_maintenance_undo(&f.voters, run, &restored, &err), PC_ESTATE);
  /* A Durham user cannot execute a statewide run. */
  pc_voters_t durham;
  assert_int_equal(pc_voters_open(&durham, &f.instance, f.store, &f.actor, "DURHAM", &err), 0);
  assert_int_equal(pc_voters_maintenance_undo(&durham, run, &restored, &err), PC_EPERM);
  pc_voters_close(&durham);
  close_fixture(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(federal_general_dates),
      cmocka_unit_test(fields_match_table_and_audit_hash),
      cmocka_unit_test(registration_rules),
      cmocka_unit_test(county_scope_and_transfer),
      cmocka_unit_test(cancellation_rules),
      cmocka_unit_test(import_is_all_or_nothing),
      cmocka_unit_test(import_beside_another_connection),
      cmocka_unit_test(import_refuses_overlong_line_at_its_line),
      cmocka_unit_test(import_respects_county_scope),
      cmocka_unit_test(nc_round_trip_and_digest),
      cmocka_unit_test(vri_registration_import),
      cmocka_unit_test(dedup_finds_exactly_the_planted_pairs),
      cmocka_unit_test(dedup_precision_and_recall_on_generated_roll),
      cmocka_unit_test(dedup_exact_pairs_on_small_generated_roll),
      cmocka_unit_test(maintenance_two_elections_and_ninety_days),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
