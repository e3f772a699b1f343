/* The roll fixture (fixture_voters.h): one instance per test with the two
 * counties the registration tests start from. Test-specific data (more
 * precincts, street indexes, applications) stays in each test file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_voters.h"
#include "support.h"

#include "precinct/clock.h"
#include "precinct/counties.h"

void pc_test_voters_open(pc_test_voters_t *f) {
  pc_test_instance(&f->instance, &f->store);
  pc_audit_cli_actor(&f->actor);
  pc_error_t err;
  int64_t seconds = 0;
  assert_int_equal(pc_clock_parse_rfc3339("2026-03-02T12:00:00Z", &seconds), 0);
  pc_clock_set_fixed(seconds);
  assert_int_equal(pc_voters_open(&f->voters, &f->instance, f->store, &f->actor, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->actor, "WAKE", NULL, NULL, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &f->actor, "DURHAM", NULL, NULL, &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->voters, "WAKE", "0001", "PRECINCT 1", &err), 0);
  assert_int_equal(pc_voters_add_precinct(&f->voters, "DURHAM", "0007", "PRECINCT 7", &err), 0);
}

void pc_test_voters_close(pc_test_voters_t *f) {
  pc_voters_close(&f->voters);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_clock_set_fixed(0);
}
