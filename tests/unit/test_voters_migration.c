/* Unit tests for migration 0009 (voter districts in district_sets): a roll
 * stored the old way, with imported, changed and re-audited voters, migrates
 * in place with every voter's audit row hash unchanged and `audit verify`
 * still passing; imports after it share district sets. Both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/fileio.h"
#include "precinct/voters.h"
#include "precinct/voters_io.h"
#include "precinct/voters_tools.h"
#include "voters/voters_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor;
  pc_voters_t voters;
} fixture_t;

static void open_fixture(fixture_t *f) {
  int64_t seconds = 0;
  assert_int_equal(pc_clock_parse_rfc3339("2026-03-01T12:00:00Z", &seconds), 0);
  pc_clock_set_fixed(seconds);
  pc_test_instance(&f->instance, &f->store);
  pc_audit_cli_actor(&f->actor);
  pc_error_t err;
  assert_int_equal(pc_voters_open(&f->voters, &f->instance, f->store, &f->actor, NULL, &err), 0);
  assert_int_equal(pc_audit_key_create(&f->instance, &err), 0);
}

static void close_fixture(fixture_t *f) {
  pc_voters_close(&f->voters);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_clock_set_fixed(0);
}

/* Prefixes the registration number and NCID (columns 3 and 4) of every data
 * line of PATH with PREFIX, so a second generated file is new voters. */
static void renumber(const char *path, char prefix) {
  char *data = NULL;
  size_t size = 0;
  pc_error_t err;
  assert_int_equal(pc_file_read_all(path, 1 << 26, &data, &size, &err), 0);
  pc_buf_t out;
  pc_buf_init(&out, 0);
  int column = 0, header = 1;
  for (size_t i = 0; i < size; i++) {
    if (!header && (column == 2 || column == 3) && (i == 0 || data[i - 1] == '\t')) pc_buf_append(&out, &prefix, 1);
    pc_buf_append(&out, &data[i], 1);
    if (data[i] == '\t') column++;
    if (data[i] == '\n') column = 0, header = 0;
  }
  assert_int_equal(pc_file_write_durable(path, out.data, out.len, 0600, 0, &err), 0);
  pc_buf_free(&out);
  free(data);
}

static void import_generated(fixture_t *f, const char *name, int64_t count, uint64_t seed, char prefix) {
  char path[1200];
  pc_snprintf(path, sizeof path, "%s/%s", f->instance.data_dir, name);
  pc_voters_generate_options_t o = {.count = count, .seed = seed, .out_path = path, .quiet = 1};
  pc_error_t err;
  assert_int_equal(pc_voters_generate(&o, NULL, &err), 0);
  if (prefix) renumber(path, prefix);
  pc_voters_import_result_t result;
  if (pc_voters_import(&f->voters, path, "nc", 1, &result, &err) != 0) fail_msg("import: %s", err.message);
  assert_int_equal(result.rows, count);
}

static void exec(pc_store_t *store, const char *sql) {
  pc_error_t err;
  if (pc_store_exec(store, sql, &err) != 0) fail_msg("%.120s: %s", sql, err.message);
}

/* Puts the roll back the way migrations 0004-0008 left it: the 31 district
 * columns on voters (at the end rather than in their old place, which the
 * migration does not depend on: it names every column), no district_sets,
 * no view, 0009 not recorded. */
static void unmigrate(pc_store_t *store) {
  pc_buf_t sql;
  pc_buf_init(&sql, 0);
  exec(store, "DROP VIEW voter_records");
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++) {
    pc_buf_reset(&sql);
    pc_buf_appendf(&sql, "ALTER TABLE voters ADD COLUMN %s TEXT NOT NULL DEFAULT ''", pc_voter_district_columns[i]);
    exec(store, pc_buf_str(&sql));
  }
  pc_buf_reset(&sql);
  pc_buf_append_str(&sql, "UPDATE voters SET ");
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++)
    pc_buf_appendf(&sql, "%s%s = (SELECT d.%s FROM district_sets d WHERE d.id = voters.district_set_id)", i ? ", " : "",
                   pc_voter_district_columns[i], pc_voter_district_columns[i]);
  exec(store, pc_buf_str(&sql));
  exec(store, "ALTER TABLE voters DROP COLUMN district_set_id");
  exec(store, "DROP TABLE district_sets");
  exec(store, "DELETE FROM schema_migrations WHERE version = 9");
  pc_buf_free(&sql);
}

static int64_t distinct_district_combinations(pc_store_t *store) {
  pc_buf_t sql;
  pc_buf_init(&sql, 0);
  pc_buf_append_str(&sql, "SELECT COUNT(*) FROM (SELECT DISTINCT ");
  for (int i = 0; i < PC_VOTER_DISTRICTS; i++) pc_buf_appendf(&sql, "%s%s", i ? ", " : "", pc_voter_district_columns[i]);
  pc_buf_append_str(&sql, " FROM voter_records) AS combinations");
  int64_t count = pc_test_query_int(store, pc_buf_str(&sql));
  pc_buf_free(&sql);
  return count;
}

/* Every voter's audit row hash, by id order. */
static unsigned char (*row_hashes(pc_store_t *store, int64_t *count))[PC_HASH_SIZE] {
  *count = pc_test_query_int(store, "SELECT COUNT(*) FROM voters");
  unsigned char(*hashes)[PC_HASH_SIZE] = calloc((size_t)*count, PC_HASH_SIZE);
  assert_non_null(hashes);
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, "SELECT id FROM voters ORDER BY id", &stmt, &err), 0);
  int64_t ids[4096], n = 0;
  while (pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
    assert_true(n < 4096);
    ids[n++] = pc_stmt_column_int64(stmt, 0);
  }
  pc_stmt_finalize(stmt);
  assert_int_equal(n, *count);
  for (int64_t i = 0; i < n; i++) assert_int_equal(pc_audit_row_hash(store, "voters", ids[i], hashes[i], &err), 0);
  return hashes;
}

static void audit_verifies(fixture_t *f) {
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  pc_error_t err;
  assert_int_equal(pc_audit_public_key_load(&f->instance, public_key, &err), 0);
  pc_audit_verify_options_t options = {0};
  pc_audit_verify_report_t report;
  if (pc_audit_verify(f->store, public_key, &options, &report, &err) != 0) fail_msg("audit verify: %s", err.message);
  assert_int_equal(report.problems, 0);
  int64_t rows = 0;
  if (pc_voters_verify_imports(f->store, &rows, &err) != 0) fail_msg("verify imports: %s", err.message);
  assert_true(rows > 0);
}

static void migration_keeps_audited_rows(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  import_generated(&f, "first.tsv", 400, 5, 0);
  /* Changes after the import: audited one by one, with before-hashes. */
  pc_error_t err;
  pc_voter_change_t change = {.party = "LIB"};
  assert_int_equal(pc_voters_update(&f.voters, 7, &change, &err), 0);
  assert_int_equal(pc_voters_set_status(&f.voters, 9, "I", "IN", &err), 0);
  int64_t sets = pc_test_query_int(f.store, "SELECT COUNT(*) FROM district_sets");
  assert_int_equal(sets, distinct_district_combinations(f.store));
  assert_true(sets > 1 && sets < 400);
  int64_t count = 0, count_after = 0;
  unsigned char(*before)[PC_HASH_SIZE] = row_hashes(f.store, &count);
  assert_int_equal(count, 400);

  unmigrate(f.store);
  assert_int_equal(pc_store_migrate(f.store, &err), 0);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM schema_migrations WHERE version = 9"), 1);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM district_sets"), sets);
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM voters WHERE district_set_id IS NULL"), 0);
  unsigned char(*after)[PC_HASH_SIZE] = row_hashes(f.store, &count_after);
  assert_int_equal(count_after, count);
  assert_memory_equal(before, after, (size_t)count * PC_HASH_SIZE);
  audit_verifies(&f);

  /* The roll goes on: a second file reuses the sets it shares, a change
   * moves a voter to another set, and everything still verifies. */
  import_generated(&f, "second.tsv", 300, 6, 'Z');
  assert_int_equal(pc_test_query_int(f.store, "SELECT COUNT(*) FROM district_sets"), distinct_district_combinations(f.store));
  pc_voter_t v;
  assert_int_equal(pc_voters_get(&f.voters, 450, &v, &err), 0);
  assert_int_equal(pc_voters_update(&f.voters, 450, &change, &err), 0);
  audit_verifies(&f);
  free(before);
  free(after);
  close_fixture(&f);
}

/* Tampering with a district set changes the records of its voters: the
 * audit log notices, as it would a change to the voters row itself. */
static void district_set_tampering_is_detected(void **state) {
  (void)state;
  fixture_t f;
  open_fixture(&f);
  import_generated(&f, "roll.tsv", 200, 8, 0);
  audit_verifies(&f);
  exec(f.store, "UPDATE district_sets SET nc_house_abbrv = '999' WHERE id = 1");
  pc_error_t err;
  int64_t rows = 0;
  assert_int_equal(pc_voters_verify_imports(f.store, &rows, &err), PC_EINTEGRITY);
  close_fixture(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(migration_keeps_audited_rows),
      cmocka_unit_test(district_set_tampering_is_detected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
