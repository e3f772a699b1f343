/* Shared by the `precinct voters` subcommand files: opening the instance
 * with the county scope, and each subcommand's entry point. */
#ifndef PRECINCT_CLI_VOTERS_CLI_H
#define PRECINCT_CLI_VOTERS_CLI_H

#include "precinct/audit.h"
#include "precinct/instance.h"
#include "precinct/voters.h"

typedef struct pc_voters_cli {
  pc_instance_t instance;
  pc_store_t *store;
  pc_actor_t actor;
  pc_voters_t voters;
} pc_voters_cli_t;

/* Opens DATA_DIR's store and a voters session scoped to COUNTY (NULL:
 * statewide). Returns a PC_EXIT_* code, printing errors itself. */
int pc_voters_cli_open(const char *command, const char *data_dir, const char *county, pc_voters_cli_t *c);
void pc_voters_cli_close(pc_voters_cli_t *c);

/* Subcommands: ARGV[0] is the subcommand name. */
int pc_voters_cli_dedup(int argc, char **argv);
int pc_voters_cli_review(int argc, char **argv);
int pc_voters_cli_register(int argc, char **argv);
int pc_voters_cli_update(int argc, char **argv);
int pc_voters_cli_status(int argc, char **argv);
int pc_voters_cli_cancel(int argc, char **argv);
int pc_voters_cli_show(int argc, char **argv);
int pc_voters_cli_vote(int argc, char **argv);
int pc_voters_cli_precinct(int argc, char **argv);
int pc_voters_cli_maintenance(int argc, char **argv);
int pc_voters_cli_applications(int argc, char **argv);
int pc_voters_cli_streets(int argc, char **argv);

#endif
