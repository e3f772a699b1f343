/* Unit tests for src/store, the instance folder and counties. The same suite
 * runs against SQLite and PostgreSQL (PRECINCT_TEST_BACKEND, see support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/alloc.h"
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/instance.h"
#include "precinct/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
} fixture_t;

/* Each test gets a fresh instance (and, on PostgreSQL, a fresh database). */
static int setup_instance(void **state) {
  fixture_t *f = pc_xcalloc(1, sizeof *f);
  pc_test_instance(&f->instance, &f->store);
  *state = f;
  return 0;
}

static int teardown_instance(void **state) {
  fixture_t *f = *state;
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  free(f);
  return 0;
}

static void instance_has_latest_schema_and_settings(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  int current = 0, latest = 0;
  assert_int_equal(pc_store_schema_version(store, &current, &latest, &err), 0);
  assert_true(latest >= 2);
  assert_int_equal(current, latest);
  char name[64];
  assert_int_equal(pc_instance_setting_get(store, "state_name", name, sizeof name, &err), 0);
  assert_string_equal(name, "Test State");
  struct stat st;
  assert_int_equal(stat(f->instance.data_dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(stat(f->instance.keys_dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  /* A second init on the same folder is refused and leaves it intact. */
  pc_instance_t again;
  assert_int_equal(pc_instance_create(f->instance.data_dir, "Other", &again, &err), PC_EEXIST);
  if (!pc_test_is_postgres()) assert_int_equal(access(f->instance.database_path, F_OK), 0);
  assert_string_equal(pc_test_backend(), f->instance.config.backend);
}

static void transactions_commit_and_roll_back(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
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
}

static void prepared_statements_bind_every_type(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
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
  /* A blob bound without a copy is stored as given. */
  unsigned char bytes[300];
  for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)(i * 7);
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (s, b, n) VALUES ('nocopy', ?, 1) RETURNING id", &stmt, &err), 0);
  pc_stmt_bind_blob_nocopy(stmt, 1, bytes, sizeof bytes);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  id = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  assert_int_equal(pc_store_prepare(store, "SELECT b FROM t WHERE id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  blob = pc_stmt_column_blob(stmt, 0, &size);
  assert_int_equal(size, sizeof bytes);
  assert_memory_equal(blob, bytes, sizeof bytes);
  pc_stmt_finalize(stmt);
  /* Syntax errors are reported, not crashed on. */
  assert_int_equal(pc_store_prepare(store, "SELEC nonsense", &stmt, &err), PC_EDB);
}

static void backup_and_restore_round_trip(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  assert_int_equal(pc_counties_create(store, &actor, "Alder", "99001", NULL, &err), 0);
  char backup[1200];
  pc_snprintf(backup, sizeof backup, "%s/backup.db", f->instance.data_dir);
  assert_int_equal(pc_store_backup(store, backup, &err), 0);
  assert_int_equal(pc_store_backup(store, backup, &err), PC_EEXIST);
  assert_int_equal(pc_counties_create(store, &actor, "Birch", "99003", NULL, &err), 0);
  assert_int_equal(pc_store_restore_file(store, backup, &err), 0);
  assert_int_equal(pc_store_integrity_check(store, &err), 0);
  pc_county_t county;
  assert_int_equal(pc_counties_find(store, "Alder", &county, &err), 0);
  assert_int_equal(pc_counties_find(store, "Birch", &county, &err), PC_ENOTFOUND);
  /* The restored database takes writes again, through cached statements too. */
  assert_int_equal(pc_counties_create(store, &actor, "Cedar", "99005", NULL, &err), 0);
  assert_int_equal(pc_counties_find(store, "Cedar", &county, &err), 0);
  /* A missing backup is refused and changes nothing. */
  char missing[1300];
  pc_snprintf(missing, sizeof missing, "%s/none.db", f->instance.data_dir);
  assert_int_not_equal(pc_store_restore_file(store, missing, &err), 0);
  assert_int_equal(pc_counties_find(store, "Cedar", &county, &err), 0);
}

static void counties_validate_and_audit(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
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
}

/* Runs SQL that returns one integer. */
static int64_t query_int(pc_store_t *store, const char *sql) {
  pc_stmt_t *stmt;
  pc_error_t err;
  if (pc_store_prepare(store, sql, &stmt, &err) != 0) fail_msg("%s: %s", sql, err.message);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  int64_t value = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return value;
}

static void insert_n(pc_store_t *store, int64_t n, int expected) {
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (n) VALUES (?)", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, n);
  assert_int_equal(pc_stmt_step(stmt, &err), expected);
  pc_stmt_finalize(stmt);
}

static void failed_statement_undoes_only_itself(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  assert_int_equal(pc_store_exec(store, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE)", &err), 0);
  assert_int_equal(pc_store_begin(store, &err), 0);
  insert_n(store, 1, PC_STORE_DONE);
  assert_int_equal(pc_store_changes(store), 1);
  /* A constraint violation inside a transaction is PC_ECONFLICT and the
   * transaction goes on, as under SQLite. */
  insert_n(store, 1, PC_ECONFLICT);
  insert_n(store, 2, PC_STORE_DONE);
  /* Error messages name the constraint but never quote the row's values. */
  pc_stmt_t *dup;
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (n) VALUES (?)", &dup, &err), 0);
  pc_stmt_bind_int64(dup, 1, 424242);
  assert_int_equal(pc_stmt_step(dup, &err), PC_STORE_DONE);
  pc_stmt_reset(dup);
  pc_stmt_bind_int64(dup, 1, 424242);
  assert_int_equal(pc_stmt_step(dup, &err), PC_ECONFLICT);
  assert_null(strstr(err.message, "424242"));
  pc_stmt_finalize(dup);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(store, "SELEC nonsense", &stmt, &err), PC_EDB);
  insert_n(store, 3, PC_STORE_DONE);
  assert_int_equal(pc_store_commit(store, &err), 0);
  assert_int_equal(query_int(store, "SELECT COUNT(*) FROM t"), 4);
  assert_int_equal(query_int(store, "SELECT SUM(n) FROM t"), 6 + 424242);
  assert_int_equal(pc_store_exec(store, "UPDATE t SET n = n + 10", &err), 0);
  assert_int_equal(pc_store_changes(store), 4);
  /* Explicit ids can be inserted into an INTEGER PRIMARY KEY column. */
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (id, n) VALUES (?, ?) RETURNING id", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, 1000);
  pc_stmt_bind_int64(stmt, 2, 99);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_int_equal(pc_stmt_column_int64(stmt, 0), 1000);
  pc_stmt_finalize(stmt);
}

static void column_types_and_untyped_parameters(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  assert_int_equal(pc_store_exec(store, "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER)", &err), 0);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(store, "INSERT INTO t (s, b, n) VALUES (?, ?, ?)", &stmt, &err), 0);
  pc_stmt_bind_text(stmt, 1, "it's ? not a placeholder");
  pc_stmt_bind_blob(stmt, 2, "", 0);
  pc_stmt_bind_int64(stmt, 3, INT64_MIN);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
  pc_stmt_finalize(stmt);
  /* '?' inside a literal is text; `? IS NULL` has no type to infer. */
  assert_int_equal(pc_store_prepare(store,
                                    "SELECT s, b, n, 'a?b', 1.5, NULL, COUNT(*) FROM t "
                                    "WHERE (? IS NULL OR s = ?) GROUP BY s, b, n",
                                    &stmt, &err), 0);
  pc_stmt_bind_null(stmt, 1);
  pc_stmt_bind_null(stmt, 2);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_int_equal(pc_stmt_column_count(stmt), 7);
  assert_string_equal(pc_stmt_column_name(stmt, 0), "s");
  assert_int_equal(pc_stmt_column_type(stmt, 0), PC_COLUMN_TEXT);
  assert_string_equal(pc_stmt_column_text(stmt, 0), "it's ? not a placeholder");
  assert_int_equal(pc_stmt_column_type(stmt, 1), PC_COLUMN_BLOB);
  size_t size = 99;
  (void)pc_stmt_column_blob(stmt, 1, &size);
  assert_int_equal(size, 0);
  assert_int_equal(pc_stmt_column_type(stmt, 2), PC_COLUMN_INTEGER);
  assert_true(pc_stmt_column_int64(stmt, 2) == INT64_MIN);
  assert_string_equal(pc_stmt_column_text(stmt, 3), "a?b");
  assert_int_equal(pc_stmt_column_type(stmt, 4), PC_COLUMN_FLOAT);
  assert_true(pc_stmt_column_double(stmt, 4) == 1.5);
  assert_int_equal(pc_stmt_column_type(stmt, 5), PC_COLUMN_NULL);
  assert_null(pc_stmt_column_text(stmt, 5));
  assert_int_equal(pc_stmt_column_type(stmt, 6), PC_COLUMN_INTEGER);
  assert_int_equal(pc_stmt_column_int64(stmt, 6), 1);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
  /* Reset and run again with other bindings: the filter now excludes the row. */
  pc_stmt_reset(stmt);
  pc_stmt_bind_text(stmt, 1, "x");
  pc_stmt_bind_text(stmt, 2, "x");
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_DONE);
  pc_stmt_finalize(stmt);
  /* A bind index out of range is refused. */
  assert_int_equal(pc_store_prepare(store, "SELECT n FROM t WHERE n = ?", &stmt, &err), 0);
  assert_int_equal(pc_stmt_bind_int64(stmt, 2, 1), PC_EINVAL);
  pc_stmt_finalize(stmt);
}

static void writers_are_serialised(void **state) {
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  pc_store_options_t options;
  pc_test_store_options(&f->instance, &options);
  options.busy_timeout_ms = 200;
  pc_store_t *other;
  assert_int_equal(pc_store_open(&options, &other, &err), 0);
  /* While one connection holds a write transaction, another cannot start
   * one (PC_EBUSY after its busy timeout) but can still read. */
  assert_int_equal(pc_store_begin(store, &err), 0);
  assert_int_equal(pc_instance_setting_set(store, "k", "held", &err), 0);
  assert_int_equal(pc_store_begin(other, &err), PC_EBUSY);
  assert_false(pc_store_in_transaction(other));
  assert_int_equal(pc_store_begin_read(other, &err), 0);
  char value[16];
  assert_int_equal(pc_instance_setting_get(other, "k", value, sizeof value, &err), PC_ENOTFOUND);
  pc_store_rollback(other);
  assert_int_equal(pc_store_commit(store, &err), 0);
  assert_int_equal(pc_store_begin(other, &err), 0);
  assert_int_equal(pc_instance_setting_get(other, "k", value, sizeof value, &err), 0);
  assert_string_equal(value, "held");
  assert_int_equal(pc_store_commit(other, &err), 0);
  pc_store_close(other);
}

/* Ends STORE's server session from another connection (PostgreSQL only). */
static void kill_session(const pc_instance_t *instance, pc_store_t *store) {
  int64_t pid = query_int(store, "SELECT pg_backend_pid()");
  pc_store_options_t options;
  pc_test_store_options(instance, &options);
  pc_store_t *admin;
  pc_error_t err;
  assert_int_equal(pc_store_open(&options, &admin, &err), 0);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(admin, "SELECT pg_terminate_backend(?::int4, 5000)", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, pid);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_int_equal(pc_stmt_column_int64(stmt, 0), 1);
  pc_stmt_finalize(stmt);
  pc_store_close(admin);
}

static void lost_connection_fails_cleanly_and_recovers(void **state) {
  if (!pc_test_is_postgres()) skip();
  fixture_t *f = *state;
  pc_store_t *store = f->store;
  pc_error_t err;
  /* A connection lost mid-transaction: the transaction fails, its writes
   * are gone, and nothing reports success. */
  assert_int_equal(pc_store_begin(store, &err), 0);
  assert_int_equal(pc_instance_setting_set(store, "lost", "1", &err), 0);
  kill_session(&f->instance, store);
  int rc = pc_instance_setting_set(store, "lost2", "1", &err);
  assert_int_equal(rc, PC_EUNAVAIL);
  assert_int_equal(pc_store_commit(store, &err), PC_EUNAVAIL);
  assert_false(pc_store_in_transaction(store));
  /* The next statement reconnects by itself. */
  char value[16];
  assert_int_equal(pc_instance_setting_get(store, "lost", value, sizeof value, &err), PC_ENOTFOUND);
  /* Lost between statements: a read reconnects and is retried, and
   * cached statements are prepared again on the new session. */
  kill_session(&f->instance, store);
  assert_int_equal(pc_instance_setting_get(store, "state_name", value, sizeof value, &err), 0);
  assert_string_equal(value, "Test State");
  /* So does a write transaction's BEGIN. */
  kill_session(&f->instance, store);
  assert_int_equal(pc_store_begin(store, &err), 0);
  assert_int_equal(pc_instance_setting_set(store, "after", "ok", &err), 0);
  assert_int_equal(pc_store_commit(store, &err), 0);
  assert_int_equal(pc_instance_setting_get(store, "after", value, sizeof value, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(instance_has_latest_schema_and_settings, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(transactions_commit_and_roll_back, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(prepared_statements_bind_every_type, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(backup_and_restore_round_trip, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(counties_validate_and_audit, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(failed_statement_undoes_only_itself, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(column_types_and_untyped_parameters, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(writers_are_serialised, setup_instance, teardown_instance),
      cmocka_unit_test_setup_teardown(lost_connection_fails_cleanly_and_recovers, setup_instance, teardown_instance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
