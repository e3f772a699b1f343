/* Durability test driver: writes numbered records through the store and
 * prints each number on stdout only after pc_store_commit returned 0, so the
 * printed numbers are exactly the writes the store acknowledged. Each
 * record is one transaction of three rows in kill_rows (all or none must
 * survive) plus, with --audit, one audited county created through the
 * domain code. Used by tests/integration/test_kill_loop.sh and
 * test_store_faults.sh; it does not check anything itself.
 * With --timestamps each line is "N MILLISECONDS" (CLOCK_REALTIME), for
 * measuring unavailability during a failover.
 * Usage: store_writer --data DIR [--count N] [--audit] [--max-errors N] [--timestamps] */
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/counties.h"
#include "precinct/instance.h"
#include "precinct/log.h"
#include "precinct/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int write_record(pc_store_t *store, int64_t n, int audit, pc_error_t *err) {
  int rc = pc_store_begin(store, err);
  for (int part = 0; rc == 0 && part < 3; part++) {
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store, "INSERT INTO kill_rows (n, part, payload) VALUES (?, ?, ?)", &stmt, err);
    if (rc != 0) break;
    char payload[64];
    pc_snprintf(payload, sizeof payload, "record %lld part %d", (long long)n, part);
    pc_stmt_bind_int64(stmt, 1, n);
    pc_stmt_bind_int64(stmt, 2, part);
    pc_stmt_bind_text(stmt, 3, payload);
    rc = pc_stmt_step(stmt, err);
    pc_stmt_finalize(stmt);
    if (rc == PC_STORE_DONE) rc = 0;
  }
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc != 0 || !audit) return rc;
  char name[32], fips[16];
  pc_snprintf(name, sizeof name, "K%lld", (long long)n);
  pc_snprintf(fips, sizeof fips, "%05lld", (long long)(n % 100000));
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  return pc_counties_create(store, &actor, name, fips, NULL, err);
}

int main(int argc, char **argv) {
  static const struct option options[] = {{"data", required_argument, NULL, 'd'},
                                          {"count", required_argument, NULL, 'c'},
                                          {"audit", no_argument, NULL, 'a'},
                                          {"max-errors", required_argument, NULL, 'e'},
                                          {"timestamps", no_argument, NULL, 't'},
                                          {NULL, 0, NULL, 0}};
  const char *data_dir = NULL;
  long long count = 1000000, max_errors = 1;
  int audit = 0, timestamps = 0, option;
  while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'c': if (pc_parse_int64(optarg, 1, 100000000, &count) != 0) return 2; break;
    case 'a': audit = 1; break;
    case 't': timestamps = 1; break;
    case 'e': if (pc_parse_int64(optarg, 1, 1000000, &max_errors) != 0) return 2; break;
    default: return 2;
    }
  }
  if (data_dir == NULL) {
    fputs("usage: store_writer --data DIR [--count N] [--audit] [--max-errors N] [--timestamps]\n", stderr);
    return 2;
  }
  /* One write(2) per acknowledged line: a kill never leaves half a number. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  pc_log_configure(PC_LOG_ERROR, NULL);
  pc_error_t err;
  pc_error_clear(&err);
  pc_instance_t instance;
  pc_store_t *store;
  if (pc_instance_load(data_dir, &instance, &err) != 0 || pc_instance_open_store(&instance, &store, &err) != 0) {
    fprintf(stderr, "store_writer: %s\n", err.message);
    return 1;
  }
  int rc = pc_store_exec(store,
                         "CREATE TABLE IF NOT EXISTS kill_rows (n INTEGER NOT NULL, part INTEGER NOT NULL,"
                         " payload TEXT NOT NULL, PRIMARY KEY (n, part))",
                         &err);
  /* Continue after the highest number any earlier run committed, whether
   * or not that run lived to acknowledge it. */
  pc_stmt_t *stmt = NULL;
  int64_t next = 1;
  if (rc == 0) rc = pc_store_prepare(store, "SELECT COALESCE(MAX(n), 0) + 1 FROM kill_rows", &stmt, &err);
  if (rc == 0 && (rc = pc_stmt_step(stmt, &err)) == PC_STORE_ROW) {
    next = pc_stmt_column_int64(stmt, 0);
    rc = 0;
  }
  pc_stmt_finalize(stmt);
  if (rc != 0) {
    fprintf(stderr, "store_writer: setup: %s\n", err.message);
    pc_store_close(store);
    return 1;
  }
  long long errors = 0;
  for (long long i = 0; i < count && errors < max_errors; i++, next++) {
    rc = write_record(store, next, audit, &err);
    if (rc == 0 && timestamps) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      printf("%lld %lld\n", (long long)next, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    } else if (rc == 0) {
      printf("%lld\n", (long long)next);
    } else {
      errors++;
      fprintf(stderr, "store_writer: record %lld not acknowledged: %s (code %d)\n", (long long)next, err.message, rc);
    }
  }
  pc_store_close(store);
  return errors ? 1 : 0;
}
