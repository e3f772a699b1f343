/* `precinct db status|check --data DIR`: schema version and consistency. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: precinct db status --data DIR\n"
    "       precinct db check --data DIR\n"
    "\n"
    "status  prints the backend, database path and schema version (current and\n"
    "        the newest this build knows; pending migrations apply at start-up)\n"
    "check   runs the database engine's integrity and foreign-key checks;\n"
    "        exits 1 when they find a problem\n";

int pc_cmd_db(int argc, char **argv) {
  const char *data_dir = NULL;
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir}, {.name = NULL}};
  int code = pc_cli_parse("db", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind + 1 != argc) return pc_cli_usage_error("db", "expected one action: status or check");
  const char *action = argv[optind];
  if (strcmp(action, "status") != 0 && strcmp(action, "check") != 0)
    return pc_cli_usage_error("db", "unknown action '%s'", action);
  pc_instance_t instance;
  code = pc_cli_load_instance("db", data_dir, &instance);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  /* Status opens without migrating, so it reports what is on disk. */
  pc_store_options_t store_options;
  pc_instance_store_options(&instance, &store_options);
  pc_store_t *store;
  if (pc_store_open(&store_options, &store, &err) != 0) return pc_cli_fail(&err);
  int current = 0, latest = 0;
  int rc = 0;
  if (strcmp(action, "status") == 0) {
    rc = pc_store_schema_version(store, &current, &latest, &err);
    if (rc == 0) {
      /* The URL may hold a password: name it, never print it. */
      int sqlite = strcmp(instance.config.backend, "sqlite") == 0;
      printf("backend: %s\ndatabase: %s\nschema version: %d\nlatest known: %d\n", instance.config.backend,
             sqlite ? instance.database_path : "database.url in precinct.conf", current, latest);
      if (current < latest) printf("pending migrations: %d (applied when precinct next opens the database)\n", latest - current);
    }
  } else {
    rc = pc_store_integrity_check(store, &err);
    if (rc == 0) printf("database check: ok\n");
  }
  pc_store_close(store);
  return rc == 0 ? PC_EXIT_OK : pc_cli_fail(&err);
}
