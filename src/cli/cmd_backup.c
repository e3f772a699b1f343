/* `precinct backup --data DIR FILE`: online, consistent copy of the database. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] =
    "usage: precinct backup --data DIR FILE\n"
    "\n"
    "Writes an online, consistent copy of the instance's database to FILE\n"
    "(which must not exist) while the server keeps running. The copy is\n"
    "written beside FILE, fsync'd and renamed into place, so FILE is complete\n"
    "or absent. Restore it with `precinct restore`.\n";

int pc_cmd_backup(int argc, char **argv) {
  const char *data_dir = NULL;
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir}, {.name = NULL}};
  int code = pc_cli_parse("backup", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind + 1 != argc) return pc_cli_usage_error("backup", "expected one FILE to write");
  pc_instance_t instance;
  pc_store_t *store;
  code = pc_cli_open_store("backup", data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_store_backup(store, argv[optind], &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Backup written to %s\n", argv[optind]);
  return PC_EXIT_OK;
}
