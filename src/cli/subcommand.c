/* Subcommand name and positional-argument checks shared by cmd_elections.c
 * and cmd_results.c. Options are parsed by pc_cli_parse (cli_common.c). */
#include "cli/subcommand.h"
#include "cli/cli.h"
#include "precinct/buf.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int pc_cli_subcommand_start(const char *group, const char *usage, int argc, char **argv, const char *const *known,
                            char *command, size_t size) {
  if (argc < 2 || pc_cli_is_help(argv[1])) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PC_EXIT_USAGE : PC_EXIT_OK;
  }
  const char *sub = argv[1];
  pc_snprintf(command, size, "%s %s", group, sub);
  for (int i = 0; known[i]; i++)
    if (strcmp(known[i], sub) == 0) return PC_CLI_CONTINUE;
  return pc_cli_usage_error(group, "unknown subcommand '%s'", sub);
}

int pc_cli_positional(const char *command, int argc, char **argv, int want, char ***rest) {
  int positional = argc - optind;
  *rest = argv + optind;
  if (positional == want) return PC_EXIT_OK;
  if (want == 1) return pc_cli_usage_error(command, "expected one argument");
  return pc_cli_usage_error(command, "unexpected argument '%s'", (*rest)[0]);
}
