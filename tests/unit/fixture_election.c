/* The election fixture (fixture_election.h): one instance per test, the
 * counties and csv-set import the election and results tests start from.
 * Test-specific data stays in each test file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_election.h"
#include "support.h"

#include "precinct/alloc.h"
#include "precinct/clock.h"
#include "precinct/counties.h"
#include "precinct/elections.h"

#include <stdlib.h>

pc_test_election_t *pc_test_election_open(void) {
  pc_test_election_t *f = pc_xcalloc(1, sizeof *f);
  pc_test_instance(&f->instance, &f->store);
  pc_audit_cli_actor(&f->actor);
  f->alice = (pc_actor_t){.user_id = 1, .username = "alice", .role = "state_admin", .county = NULL};
  f->bob = (pc_actor_t){.user_id = 2, .username = "bob", .role = "state_admin", .county = NULL};
  pc_instance_key_path(&f->instance, "publish_ed25519.key", f->key_path, sizeof f->key_path);
  return f;
}

void pc_test_election_counties(pc_test_election_t *f, const pc_actor_t *by, const char *const *names) {
  pc_error_t err;
  for (int i = 0; names[i]; i++) assert_int_equal(pc_counties_create(f->store, by, names[i], NULL, NULL, &err), 0);
}

void pc_test_election_import_csv_set(pc_test_election_t *f, const pc_actor_t *by) {
  char path[1024];
  pc_test_data_path("elections/csv-set", path, sizeof path);
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_elections_import(f->store, by, path, &f->election, &err);
  if (rc != 0) fail_msg("import: %s (%s:%ld)", err.message, err.file, err.line);
}

int pc_test_election_setup_after_close(void **state) {
  pc_test_election_t *f = pc_test_election_open();
  static const char *const counties[] = {"Alder", "Birch", NULL};
  pc_test_election_counties(f, &f->alice, counties);
  pc_test_election_import_csv_set(f, &f->alice);
  pc_clock_set_fixed(PC_TEST_CSV_SET_POLLS_CLOSE + 4800);
  *state = f;
  return 0;
}

int pc_test_election_teardown(void **state) {
  pc_test_election_close(*state);
  return 0;
}

void pc_test_election_close(pc_test_election_t *f) {
  pc_clock_set_fixed(0);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  free(f);
}
