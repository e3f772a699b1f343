/* A fixture shared by the roll's registration tests (online applications,
 * the street index): a fresh instance with its store, the CLI operator, a
 * fixed clock, counties WAKE (precinct 0001) and DURHAM (0007), and a
 * statewide session on the roll. */
#ifndef PRECINCT_TESTS_FIXTURE_VOTERS_H
#define PRECINCT_TESTS_FIXTURE_VOTERS_H

#include "precinct/audit.h"
#include "precinct/instance.h"
#include "precinct/store.h"
#include "precinct/voters.h"

typedef struct pc_test_voters {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor; /* the CLI operator */
  pc_voters_t voters;
} pc_test_voters_t;

/* Opens F at 2026-03-02T12:00:00Z (fixed clock); fails the test on an error.
 * Free with pc_test_voters_close. */
void pc_test_voters_open(pc_test_voters_t *f);
/* Closes F, removes its instance and frees the clock. */
void pc_test_voters_close(pc_test_voters_t *f);

#endif
