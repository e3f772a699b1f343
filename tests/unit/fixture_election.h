/* A fixture shared by the election and results unit tests: a fresh instance
 * with its store, the actors the tests act as, counties, and the csv-set
 * election (tests/data/elections/csv-set) imported on request. */
#ifndef PRECINCT_TESTS_FIXTURE_ELECTION_H
#define PRECINCT_TESTS_FIXTURE_ELECTION_H

#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/instance.h"
#include "precinct/store.h"

typedef struct pc_test_election {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor;      /* the CLI operator */
  pc_actor_t alice, bob; /* two state admins, user ids 1 and 2 */
  int64_t election;      /* the imported election's id, 0 before an import */
  char key_path[1200];   /* the instance's publishing key */
} pc_test_election_t;

/* Opens a fresh instance (pc_test_instance) and fills the actors and key
 * path. Free with pc_test_election_close. */
pc_test_election_t *pc_test_election_open(void);
/* Creates the counties named in NAMES (NULL-terminated) as BY; fails the
 * test on an error. */
void pc_test_election_counties(pc_test_election_t *f, const pc_actor_t *by, const char *const *names);
/* Imports the csv-set election as BY into f->election; fails the test with
 * the error's place on an error. */
void pc_test_election_import_csv_set(pc_test_election_t *f, const pc_actor_t *by);
/* Back to the real clock; closes the store, removes the instance, frees F. */
void pc_test_election_close(pc_test_election_t *f);

/* The csv-set election's poll-closing time (2026-11-04T01:00:00Z). */
#define PC_TEST_CSV_SET_POLLS_CLOSE 1793754000

/* cmocka setup for the publication tests: counties Alder and Birch and the
 * csv-set election, both created by alice, and the clock fixed 80 minutes
 * after polls close. *STATE receives the fixture. */
int pc_test_election_setup_after_close(void **state);
/* cmocka teardown: pc_test_election_close of *STATE. */
int pc_test_election_teardown(void **state);

#endif
