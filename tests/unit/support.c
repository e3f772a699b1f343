/* Shared unit-test helpers (see support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/buf.h"
#include "precinct/fileio.h"
#include "precinct/log.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

const char *pc_test_backend(void) {
  const char *backend = getenv("PRECINCT_TEST_BACKEND");
  return backend && backend[0] ? backend : "sqlite";
}

int pc_test_is_postgres(void) {
  return strcmp(pc_test_backend(), "postgres") == 0;
}

/* The server's base connection string (no dbname). */
static void pg_base_url(char *out, size_t size) {
  const char *url = getenv("PRECINCT_TEST_PG_URL");
  if (url && url[0]) {
    assert_int_equal(pc_strlcpy(out, url, size), 0);
    return;
  }
  const char *file = getenv("PRECINCT_TEST_PG_URL_FILE");
  if (file == NULL) fail_msg("PRECINCT_TEST_BACKEND=postgres needs PRECINCT_TEST_PG_URL or PRECINCT_TEST_PG_URL_FILE");
  char *data = NULL;
  size_t length = 0;
  pc_error_t err;
  if (pc_file_read_all(file, 4096, &data, &length, &err) != 0) fail_msg("%s: %s", file, err.message);
  while (length > 0 && (data[length - 1] == '\n' || data[length - 1] == ' ')) data[--length] = '\0';
  assert_int_equal(pc_strlcpy(out, data, size), 0);
  free(data);
}

/* Creates an empty database for one test; its name is unique per process. */
static void pg_fresh_database(char *url, size_t size) {
  static int counter;
  char base[900], maintenance[1000], name[64], sql[128];
  pg_base_url(base, sizeof base);
  pc_snprintf(maintenance, sizeof maintenance, "%s dbname=postgres", base);
  pc_snprintf(name, sizeof name, "pct_%ld_%d", (long)getpid(), ++counter);
  pc_store_options_t options = {.backend = "postgres", .url = maintenance};
  pc_store_t *store;
  pc_error_t err;
  if (pc_store_open(&options, &store, &err) != 0) fail_msg("postgres: %s", err.message);
  pc_snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
  if (pc_store_exec(store, sql, &err) != 0) fail_msg("%s: %s", sql, err.message);
  pc_snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
  if (pc_store_exec(store, sql, &err) != 0) fail_msg("%s: %s", sql, err.message);
  pc_store_close(store);
  assert_int_equal(pc_snprintf(url, size, "%s dbname=%s", base, name), 0);
}

void pc_test_store_options(const pc_instance_t *instance, pc_store_options_t *options) {
  pc_instance_store_options(instance, options);
}

void pc_test_instance(pc_instance_t *instance, pc_store_t **store) {
  char dir[512];
  pc_test_tempdir(dir, sizeof dir);
  pc_log_configure(PC_LOG_WARN, NULL);
  pc_error_t err;
  pc_error_clear(&err);
  pc_config_t config;
  pc_config_defaults(&config);
  if (pc_test_is_postgres()) {
    assert_int_equal(pc_strlcpy(config.backend, "postgres", sizeof config.backend), 0);
    pg_fresh_database(config.database_url, sizeof config.database_url);
  }
  int rc = pc_instance_create_with_config(dir, "Test State", &config, instance, &err);
  if (rc != 0) fail_msg("instance create: %s", err.message);
  rc = pc_instance_open_store(instance, store, &err);
  if (rc != 0) fail_msg("open store: %s", err.message);
}

void pc_test_data_path(const char *relative, char *out, size_t size) {
  const char *base = getenv("PRECINCT_TEST_DATA");
  assert_non_null(base);
  assert_int_equal(pc_snprintf(out, size, "%s/%s", base, relative), 0);
}
