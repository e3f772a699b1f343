/* Shared helpers for CLI subcommands: exit codes, option parsing of the
 * common flags, and printing errors. Each subcommand lives in its own
 * cmd_<name>.c and is listed once in commands.def. */
#ifndef PRECINCT_CLI_H
#define PRECINCT_CLI_H

#include "precinct/error.h"
#include "precinct/instance.h"

enum { PC_EXIT_OK = 0, PC_EXIT_FAILURE = 1, PC_EXIT_USAGE = 2 };

#define PC_COMMAND(name, summary) int pc_cmd_##name(int argc, char **argv);
#include "cli/commands.def"
#undef PC_COMMAND

/* Prints "precinct: <formatted error>" to stderr and returns PC_EXIT_FAILURE. */
int pc_cli_fail(const pc_error_t *err);
/* Prints "precinct <command>: <message>" and a --help hint to stderr and returns PC_EXIT_USAGE. */
int pc_cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One option of a command for pc_cli_parse, named NAME (without "--").
 * Exactly one destination is set: TEXT receives the option's argument; FLAG
 * is set to 1 (an option without argument); NUMBER receives the argument as a
 * whole number from 1 up, and any other argument is the usage error
 * BAD_NUMBER. */
typedef struct pc_cli_option {
  const char *name;
  const char **text;
  int *flag;
  long long *number;
  const char *bad_number;
} pc_cli_option_t;

/* pc_cli_parse's answer when the command goes on (not an exit code). */
enum { PC_CLI_CONTINUE = -1 };

/* Parses ARGV (ARGC entries; ARGV[0] is the command word) with getopt_long
 * against OPTIONS (ended by a NULL name, at most 15) and --help/-h. Returns
 * PC_CLI_CONTINUE with optind at the first positional argument; PC_EXIT_OK
 * after printing USAGE to stdout for --help; PC_EXIT_USAGE after printing a
 * usage error for COMMAND (unknown option, bad number). */
int pc_cli_parse(const char *command, const char *usage, int argc, char **argv, const pc_cli_option_t *options);
/* True when ARG is "--help" or "-h". */
int pc_cli_is_help(const char *arg);
/* Loads the instance in DATA_DIR (NULL: usage error). Prints errors itself;
 * returns a PC_EXIT_* code. */
int pc_cli_load_instance(const char *command, const char *data_dir, pc_instance_t *instance);
/* Loads the instance and opens a migrated connection. */
int pc_cli_open_store(const char *command, const char *data_dir, pc_instance_t *instance, pc_store_t **store);

/* Creates USERNAME with ROLE (in COUNTY, NULL for state_admin) and a
 * generated password as the CLI operator, printing the username and the
 * password once to stdout (cmd_user.c). */
int pc_cli_create_user(const pc_instance_t *instance, pc_store_t *store, const char *username, const char *role,
                       const char *county, pc_error_t *err);

#endif
