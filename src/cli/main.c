/* `precinct`: entry point. Dispatches to the subcommands listed in
 * commands.def; each prints its own --help. Exit codes: 0 ok, 1 failure,
 * 2 usage error. */
#include "cli/cli.h"

#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} command_t;

static const command_t commands[] = {
#define PC_COMMAND(name, summary) {#name, summary, pc_cmd_##name},
#include "cli/commands.def"
#undef PC_COMMAND
};

static void print_usage(FILE *out) {
  fprintf(out, "usage: precinct COMMAND [OPTIONS]\n       precinct --version\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nRun 'precinct COMMAND --help' for a command's options. Docs: docs/cli.md\n");
}

int main(int argc, char **argv) {
  setlocale(LC_ALL, "C");
  if (sodium_init() < 0) {
    fprintf(stderr, "precinct: libsodium failed to initialise\n");
    return PC_EXIT_FAILURE;
  }
  if (argc < 2) {
    print_usage(stderr);
    return PC_EXIT_USAGE;
  }
  if (pc_cli_is_help(argv[1])) {
    print_usage(stdout);
    return PC_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("precinct %s\n", PRECINCT_VERSION);
    return PC_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "precinct: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return PC_EXIT_USAGE;
}
