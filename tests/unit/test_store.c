/* Unit tests for src/store (SQLite backend), the instance folder and counties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/instance.h"
#include "precinct/store.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void instance_has_latest_schema_and_settings(void **state) {
  (void)state;
  pc_instance_t instance;
  pc_store_t *store;
  pc_test_instance(&instance, &store);
  pc_error_t err;
  int current = 0, latest = 0;
  assert_int_equal(pc_store_schema_version(store, &current, &latest, &err), 0);
  assert_true(latest >= 2);
  assert_int_equal(current, latest);
  char name[64];
  assert_int_equal(pc_instance_setting_get(store, "state_name", name, sizeof name, &err), 0);
  assert_string_equal(name, "Test State");
  struct stat st;
  assert_int_equal(stat(instance.data_dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(stat(instance.keys_dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  /* A second init on the same folder is refused and leaves it intact. */
  pc_instance_t again;
  assert_int_equal(pc_instance_create(instance.data_dir, "Other", &again, &err), PC_EEXIST);
  assert_int_equal(access(instance.database_path, F_OK), 0);
  pc_store_close(store);
  pc_test_rmtree(instance.data_dir);
}

static void transactions_commit_and_roll_back(void **state) {
  (void)state;
  pc_instance_t instance;
  pc_store_t *store;
  pc_test_instance(&instance, &store);
  pc_error_t err;
  assert_int_equal(pc_store_begin(store, &err), 0);
  assert_int_equal(pc_instance_setting_set(store, "k", "v1", &err), 0);
  pc_store_rollback(store);
  char value[16];
  assert_int_equal(pc_instance_setting_get(store, "k", value, sizeof value, &err), PC_ENOTFOUND);
  assert_int_equal(pc_store_begin(store, &err), 0);
  assert_int_equal(pc_instance_setting_set(store, "k", "v2", &err), 0);
  assert_int_equal(pc_store_commit(store, &err), 0);
  assert_int_equal(pc_instance_setting_get(store, "k", value, sizeof value, &err), 0);
  assert_string_equal(value, "v2");
  pc_store_close(store);
  pc_test_rmtree(instance.data_dir);
}

static void prepared_statements_bind_every_type(void **state) {
  (void)state;
  pc_instance_t instance;
  pc_store_t *store;
  pc_test_instance(&instance, &store);
  pc_error_t err;
  assert_int_equal(pc_store_exec(store, "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER)", &err), 0);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (s, b, n) VALUES (?, ?, ?) RETURNING id", &stmt, &err), 0);
  /* Input that would break string-built SQL is just data when bound. */
  pc_stmt_bind_text(stmt, 1, "Robert'); DROP TABLE t;--");
  pc_stmt_bind_blob(stmt, 2, "\0\1\2", 3);
  pc_stmt_bind_null(stmt, 3);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  int64_t id = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  assert_int_equal(pc_store_prepare(store, "SELECT s, b, n FROM t WHERE id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_string_equal(pc_stmt_column_text(stmt, 0), "Robert'); DROP TABLE t;--");
  size_t size;
  const unsigned char *blob = pc_stmt_column_blob(stmt, 1, &size);
  assert_int_equal(size, 3);
  assert_int_equal(blob[2], 2);
  assert_true(pc_stmt_column_is_null(stmt, 2));
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
  pc_stmt_finalize(stmt);
  /* Syntax errors are reported, not crashed on. */
  assert_int_equal(pc_store_prepare(store, "SELEC nonsense", &stmt, &err), PC_EDB);
  pc_store_close(store);
  pc_test_rmtree(instance.data_dir);
}

static void backup_and_restore_round_trip(void **state) {
  (void)state;
  pc_instance_t instance;
  pc_store_t *store;
  pc_test_instance(&instance, &store);
  pc_error_t err;
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  assert_int_equal(pc_counties_create(store, &actor, "Alder", "99001", NULL, &err), 0);
  char backup[1200];
  pc_snprintf(backup, sizeof backup, "%s/backup.db", instance.data_dir);
  assert_int_equal(pc_store_backup(store, backup, &err), 0);
  assert_int_equal(pc_store_backup(store, backup, &err), PC_EEXIST);
  assert_int_equal(pc_counties_create(store, &actor, "Birch", "99003", NULL, &err), 0);
  pc_store_options_t options = {.backend = "sqlite", .path = backup, .read_only = 1};
  pc_store_t *copy;
  assert_int_equal(pc_store_open(&options, &copy, &err), 0);
  assert_int_equal(pc_store_integrity_check(copy, &err), 0);
  assert_int_equal(pc_store_restore_from(store, copy, &err), 0);
  pc_store_close(copy);
  pc_county_t county;
  assert_int_equal(pc_counties_find(store, "Alder", &county, &err), 0);
  assert_int_equal(pc_counties_find(store, "Birch", &county, &err), PC_ENOTFOUND);
  pc_store_close(store);
  pc_test_rmtree(instance.data_dir);
}

static void counties_validate_and_audit(void **state) {
  (void)state;
  pc_instance_t instance;
  pc_store_t *store;
  pc_test_instance(&instance, &store);
  pc_error_t err;
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  int64_t id;
  assert_int_equal(pc_counties_create(store, &actor, "Alder", "99001", &id, &err), 0);
  assert_int_equal(pc_counties_create(store, &actor, "Alder", "99002", NULL, &err), PC_EEXIST);
  assert_int_equal(pc_counties_create(store, &actor, "Bad", "9x", NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "fips");
  assert_int_equal(pc_counties_update_contact(store, &actor, id, "1 Main St", NULL, NULL, &err), 0);
  pc_county_t county;
  assert_int_equal(pc_counties_get(store, id, &county, &err), 0);
  assert_string_equal(county.office_address, "1 Main St");
  /* Two changes, two log entries; the newest after-hash matches the row. */
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(store, "SELECT COUNT(*), MAX(seq) FROM audit_log WHERE object_type = 'counties'", &stmt, &err), 0);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_int_equal(pc_stmt_column_int64(stmt, 0), 2);
  pc_stmt_finalize(stmt);
  unsigned char hash[PC_HASH_SIZE];
  assert_int_equal(pc_audit_row_hash(store, "counties", id, hash, &err), 0);
  pc_buf_t hex;
  pc_buf_init(&hex, 0);
  pc_buf_append_hex(&hex, hash, sizeof hash);
  assert_int_equal(pc_store_prepare(store, "SELECT after_hash FROM audit_log ORDER BY seq DESC LIMIT 1", &stmt, &err), 0);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_string_equal(pc_stmt_column_text(stmt, 0), pc_buf_str(&hex));
  pc_stmt_finalize(stmt);
  pc_buf_free(&hex);
  pc_store_close(store);
  pc_test_rmtree(instance.data_dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(instance_has_latest_schema_and_settings),
      cmocka_unit_test(transactions_commit_and_roll_back),
      cmocka_unit_test(prepared_statements_bind_every_type),
      cmocka_unit_test(backup_and_restore_round_trip),
      cmocka_unit_test(counties_validate_and_audit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
