/* Shared unit-test helpers (see support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/buf.h"
#include "precinct/log.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void pc_test_tempdir(char *out, size_t size) {
  const char *base = getenv("TMPDIR");
  assert_int_equal(pc_snprintf(out, size, "%s/precinct-test-XXXXXX", base ? base : "/tmp"), 0);
  assert_non_null(mkdtemp(out));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void pc_test_rmtree(const char *dir) {
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void pc_test_instance(pc_instance_t *instance, pc_store_t **store) {
  char dir[512];
  pc_test_tempdir(dir, sizeof dir);
  pc_log_configure(PC_LOG_WARN, NULL);
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_instance_create(dir, "Test State", instance, &err);
  if (rc != 0) fail_msg("instance create: %s", err.message);
  rc = pc_instance_open_store(instance, store, &err);
  if (rc != 0) fail_msg("open store: %s", err.message);
}

void pc_test_data_path(const char *relative, char *out, size_t size) {
  const char *base = getenv("PRECINCT_TEST_DATA");
  assert_non_null(base);
  assert_int_equal(pc_snprintf(out, size, "%s/%s", base, relative), 0);
}

int64_t pc_test_query_int(pc_store_t *store, const char *sql) {
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, sql, &stmt, &err), 0);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  int64_t value = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return value;
}
