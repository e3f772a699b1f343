/* Shared checks for commands with subcommands (`elections`, `results`). */
#ifndef PRECINCT_CLI_SUBCOMMAND_H
#define PRECINCT_CLI_SUBCOMMAND_H

#include <stddef.h>

/* Starts `precinct GROUP SUB ...` (ARGV[0] is GROUP): with no SUB prints
 * USAGE to stderr and returns PC_EXIT_USAGE; for --help/-h prints it to
 * stdout and returns PC_EXIT_OK; an SUB not in KNOWN (NULL-terminated) is a
 * usage error. Otherwise writes "GROUP SUB" into COMMAND (SIZE bytes) for
 * messages and returns PC_CLI_CONTINUE. */
int pc_cli_subcommand_start(const char *group, const char *usage, int argc, char **argv, const char *const *known,
                            char *command, size_t size);

/* After getopt_long over ARGV (ARGC entries), checks that exactly WANT (0 or
 * 1) positional arguments remain; *REST receives them. Returns PC_EXIT_OK or
 * PC_EXIT_USAGE (message printed). */
int pc_cli_positional(const char *command, int argc, char **argv, int want, char ***rest);

#endif
