/* Helpers shared by the CLI subcommands (see cli.h). */
#include "cli/cli.h"

#include "precinct/buf.h"

#include <getopt.h>
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pc_cli_fail(const pc_error_t *err) {
  char text[1400];
  fprintf(stderr, "precinct: %s\n", pc_error_format(err, text, sizeof text));
  return PC_EXIT_FAILURE;
}

int pc_cli_usage_error(const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "precinct %s: ", command);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'precinct %s --help'.\n", command);
  va_end(ap);
  return PC_EXIT_USAGE;
}

int pc_cli_parse(const char *command, const char *usage, int argc, char **argv, const pc_cli_option_t *options) {
  enum { MAX_OPTIONS = 15 };
  struct option long_options[MAX_OPTIONS + 2];
  int count = 0;
  for (; options[count].name; count++) {
    assert(count < MAX_OPTIONS);
    long_options[count] = (struct option){.name = options[count].name,
                                          .has_arg = options[count].flag ? no_argument : required_argument,
                                          .val = 256 + count};
  }
  long_options[count] = (struct option){.name = "help", .has_arg = no_argument, .val = 'h'};
  long_options[count + 1] = (struct option){.name = NULL};
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    if (option == 'h') {
      fputs(usage, stdout);
      return PC_EXIT_OK;
    }
    if (option < 256 || option >= 256 + count) return pc_cli_usage_error(command, "unknown option");
    const pc_cli_option_t *o = &options[option - 256];
    if (o->flag) *o->flag = 1;
    else if (o->text) *o->text = optarg;
    else if (pc_parse_int64(optarg, 1, INT64_MAX, o->number) != 0) return pc_cli_usage_error(command, "%s", o->bad_number);
  }
  return PC_CLI_CONTINUE;
}

int pc_cli_is_help(const char *arg) {
  return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int pc_cli_load_instance(const char *command, const char *data_dir, pc_instance_t *instance) {
  if (data_dir == NULL) return pc_cli_usage_error(command, "--data DIR is required");
  pc_error_t err;
  pc_error_clear(&err);
  if (pc_instance_load(data_dir, instance, &err) != 0) return pc_cli_fail(&err);
  return PC_EXIT_OK;
}

int pc_cli_open_store(const char *command, const char *data_dir, pc_instance_t *instance, pc_store_t **store) {
  int code = pc_cli_load_instance(command, data_dir, instance);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  if (pc_instance_open_store(instance, store, &err) != 0) return pc_cli_fail(&err);
  return PC_EXIT_OK;
}
