/* Subcommand name and positional-argument checks shared by cmd_elections.c
 * and cmd_results.c. Option parsing stays in each command. */
#include "cli/subcommand.h"
#include "cli/cli.h"
#include "precinct/buf.h"

#include <getopt.h>
#include <string.h>

int pc_cli_subcommand_check(const char *group, const char *sub, const char *const *known, char *command, size_t size) {
  pc_snprintf(command, size, "%s %s", group, sub);
  for (int i = 0; known[i]; i++)
    if (strcmp(known[i], sub) == 0) return PC_EXIT_OK;
  return pc_cli_usage_error(group, "unknown subcommand '%s'", sub);
}

int pc_cli_positional(const char *command, int argc, char **argv, int want, char ***rest) {
  int positional = argc - optind;
  *rest = argv + optind;
  if (positional == want) return PC_EXIT_OK;
  if (want == 1) return pc_cli_usage_error(command, "expected one argument");
  return pc_cli_usage_error(command, "unexpected argument '%s'", (*rest)[0]);
}
