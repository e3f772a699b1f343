/* Shared checks for commands with subcommands (`elections`, `results`). */
#ifndef PRECINCT_CLI_SUBCOMMAND_H
#define PRECINCT_CLI_SUBCOMMAND_H

#include <stddef.h>

/* Checks that SUB is one of KNOWN (NULL-terminated) and writes "GROUP SUB"
 * into COMMAND (SIZE bytes) for messages. Returns PC_EXIT_OK, or prints a
 * usage error and returns PC_EXIT_USAGE. */
int pc_cli_subcommand_check(const char *group, const char *sub, const char *const *known, char *command, size_t size);

/* After getopt_long over ARGV (ARGC entries), checks that exactly WANT (0 or
 * 1) positional arguments remain; *REST receives them. Returns PC_EXIT_OK or
 * PC_EXIT_USAGE (message printed). */
int pc_cli_positional(const char *command, int argc, char **argv, int want, char ***rest);

#endif
