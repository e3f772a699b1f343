/* `precinct restore --data DIR [--force] FILE`: replaces the database with a
 * backup made by `precinct backup`. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: precinct restore --data DIR [--force] FILE\n"
    "\n"
    "Replaces the instance's database with the backup FILE. FILE is checked\n"
    "first (integrity check, schema no newer than this build). Refuses while a\n"
    "server runs on the instance, and refuses to overwrite an existing\n"
    "database unless --force is given. The replacement is one transaction:\n"
    "a failed restore leaves the database as it was.\n"
    "\n"
    "  --force   overwrite the existing database\n";

/* PostgreSQL: the backup is a pg_dump archive that cannot be opened as a
 * database, so it is checked by restoring it: pg_restore runs in one
 * transaction (a bad archive changes nothing), then the restored database
 * is integrity-checked and migrated. */
static int restore_postgres(const pc_instance_t *instance, const char *backup_path, int force, pc_error_t *err) {
  pc_store_options_t options;
  pc_instance_store_options(instance, &options);
  pc_store_t *live = NULL;
  int current = 0, latest = 0;
  int rc = pc_store_open(&options, &live, err);
  if (rc == 0) rc = pc_store_schema_version(live, &current, &latest, err);
  if (rc == 0 && current > 0 && !force)
    rc = pc_error_set(err, PC_EEXIST, "the PostgreSQL database holds a precinct schema; restoring would "
                                      "overwrite it. Re-run with --force.");
  if (rc == 0) rc = pc_store_restore_file(live, backup_path, err);
  if (rc == 0) rc = pc_store_integrity_check(live, err);
  if (rc == 0) rc = pc_store_schema_version(live, &current, &latest, err);
  if (rc == 0 && (current == 0 || current > latest))
    rc = pc_error_set_at(err, PC_EINVAL, backup_path, 0, NULL,
                         "restored a backup this build cannot use (schema version %d, this build knows up to %d)",
                         current, latest);
  if (rc == 0) rc = pc_store_migrate(live, err);
  pc_store_close(live);
  if (rc == 0) printf("Restored the PostgreSQL database from %s (schema version %d).\n", backup_path, current);
  return rc;
}

int pc_cmd_restore(int argc, char **argv) {
  const char *data_dir = NULL;
  int force = 0;
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir}, {.name = "force", .flag = &force}, {.name = NULL}};
  int code = pc_cli_parse("restore", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind + 1 != argc) return pc_cli_usage_error("restore", "expected one backup FILE");
  const char *backup_path = argv[optind];
  pc_instance_t instance;
  code = pc_cli_load_instance("restore", data_dir, &instance);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int lock_fd;
  if (pc_instance_lock(&instance, &lock_fd, &err) != 0) return pc_cli_fail(&err);
  if (strcmp(instance.config.backend, "postgres") == 0) {
    int rc = restore_postgres(&instance, backup_path, force, &err);
    close(lock_fd);
    return rc == 0 ? PC_EXIT_OK : pc_cli_fail(&err);
  }
  if (access(instance.database_path, F_OK) == 0 && !force) {
    close(lock_fd);
    fprintf(stderr, "precinct: %s holds a database; restoring would overwrite it. Re-run with --force.\n",
            instance.database_path);
    return PC_EXIT_FAILURE;
  }
  /* Check the backup before touching anything. */
  pc_store_options_t backup_options = {.backend = instance.config.backend, .path = backup_path, .read_only = 1};
  pc_store_t *backup = NULL;
  int current = 0, latest = 0;
  int rc = access(backup_path, R_OK) == 0 ? 0
                                          : pc_error_set_at(&err, PC_ENOTFOUND, backup_path, 0, NULL, "cannot read backup file");
  if (rc == 0) rc = pc_store_open(&backup_options, &backup, &err);
  if (rc == 0) rc = pc_store_integrity_check(backup, &err);
  if (rc == 0) rc = pc_store_schema_version(backup, &current, &latest, &err);
  if (rc == 0 && (current == 0 || current > latest))
    rc = pc_error_set_at(&err, PC_EINVAL, backup_path, 0, NULL,
                         "not a precinct backup this build can use (schema version %d, this build knows up to %d)",
                         current, latest);
  pc_store_t *live = NULL;
  if (rc == 0) {
    pc_store_options_t live_options;
    pc_instance_store_options(&instance, &live_options);
    rc = pc_store_open(&live_options, &live, &err);
  }
  /* Copying backup -> live with the engine's backup API replaces the live
   * database in one transaction. */
  if (rc == 0) rc = pc_store_restore_from(live, backup, &err);
  if (rc == 0) rc = pc_store_migrate(live, &err);
  pc_store_close(live);
  pc_store_close(backup);
  close(lock_fd);
  if (rc != 0) return pc_cli_fail(&err);
  printf("Restored %s from %s (schema version %d).\n", instance.database_path, backup_path, current);
  return PC_EXIT_OK;
}
