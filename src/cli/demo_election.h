/* The demo state's election for `precinct demo` (see demo_election.c). */
#ifndef PRECINCT_CLI_DEMO_ELECTION_H
#define PRECINCT_CLI_DEMO_ELECTION_H

#include "precinct/audit.h"
#include "precinct/error.h"
#include "precinct/instance.h"
#include "precinct/store.h"

/* Defines the demo general election over the instance's counties (PRECINCTS
 * precincts in all), switches it live, loads partial returns and publishes
 * them (requested by "demo:alice", approved by "demo:bob"). */
int pc_cli_demo_election(const pc_instance_t *instance, pc_store_t *store, const pc_actor_t *actor, int precincts,
                         pc_error_t *err);

#endif
