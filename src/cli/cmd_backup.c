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
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *data_dir = NULL;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'h': fputs(usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("backup", "unknown option");
    }
  }
  if (optind + 1 != argc) return pc_cli_usage_error("backup", "expected one FILE to write");
  pc_instance_t instance;
  pc_store_t *store;
  int code = pc_cli_open_store("backup", data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = pc_store_backup(store, argv[optind], &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Backup written to %s\n", argv[optind]);
  return PC_EXIT_OK;
}
