/* `precinct init --data DIR`: creates a new instance, its audit signing key
 * and the log's first entry and signed checkpoint. */
#include "cli/cli.h"
#include "precinct/audit.h"
#include "precinct/buf.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: precinct init --data DIR [--state NAME] [--admin NAME] [--database-url URL]\n"
    "\n"
    "Creates a new instance in DIR: precinct.conf with every setting at its\n"
    "default, the database with the current schema, keys/ with the audit\n"
    "log's Ed25519 signing key (audit_ed25519.key, audit_ed25519.pub), and the\n"
    "first state admin account, whose generated password is printed once. The\n"
    "log's first entry records the creation and is signed as checkpoint 1.\n"
    "\n"
    "  --data DIR           instance directory (created with mode 0700 if missing)\n"
    "  --state NAME         name of the state or jurisdiction (default \"Demo State\")\n"
    "  --admin NAME         username of the first state admin (default \"admin\")\n"
    "  --database-url URL   use PostgreSQL (backend = postgres) at this libpq\n"
    "                       connection string instead of a SQLite file; the\n"
    "                       database must exist, e.g.\n"
    "                       postgresql://precinct@db1,db2/precinct?target_session_attrs=read-write\n";

/* Creates the signing key, logs the creation and signs the first checkpoint,
 * so the log's history is anchored from the instance's first moment. */
static int start_audit_log(const pc_instance_t *instance, const char *state_name, pc_error_t *err) {
  int rc = pc_audit_key_create(instance, err);
  if (rc != 0) return rc;
  pc_store_t *store;
  rc = pc_instance_open_store(instance, &store, err);
  if (rc != 0) return rc;
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  rc = pc_store_begin(store, err);
  if (rc == 0) rc = pc_audit_record_event(store, &actor, "instance.create", "instance", state_name, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  pc_audit_checkpoint_t checkpoint;
  memset(&checkpoint, 0, sizeof checkpoint);
  if (rc == 0) rc = pc_audit_checkpoint_instance(instance, store, &checkpoint, NULL, err);
  pc_store_close(store);
  if (rc == 0) printf("Audit signing key %s created; checkpoint 1 signed.\n", checkpoint.key_id);
  return rc;
}

int pc_cmd_init(int argc, char **argv) {
  const char *data_dir = NULL, *state_name = "Demo State", *admin = "admin", *url = NULL;
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir},  {.name = "state", .text = &state_name},
                                     {.name = "admin", .text = &admin},    {.name = "database-url", .text = &url},
                                     {.name = NULL}};
  int code = pc_cli_parse("init", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind != argc) return pc_cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
  if (data_dir == NULL) return pc_cli_usage_error("init", "--data DIR is required");
  pc_error_t err;
  pc_error_clear(&err);
  pc_instance_t instance;
  pc_config_t config;
  pc_config_defaults(&config);
  if (url) {
    pc_strlcpy(config.backend, "postgres", sizeof config.backend);
    if (pc_strlcpy(config.database_url, url, sizeof config.database_url) != 0)
      return pc_cli_usage_error("init", "--database-url is longer than %zu characters", sizeof config.database_url - 1);
  }
  if (pc_instance_create_with_config(data_dir, state_name, &config, &instance, &err) != 0) return pc_cli_fail(&err);
  if (start_audit_log(&instance, state_name, &err) != 0) {
    fprintf(stderr, "precinct: the instance in %s was created but its audit log was not started\n", data_dir);
    return pc_cli_fail(&err);
  }
  printf("Created instance in %s for %s.\n", data_dir, state_name);
  pc_store_t *store;
  int rc = pc_instance_open_store(&instance, &store, &err);
  if (rc == 0) {
    rc = pc_cli_create_user(&instance, store, admin, "state_admin", NULL, &err);
    pc_store_close(store);
  }
  if (rc != 0) {
    pc_cli_fail(&err);
    fprintf(stderr, "precinct: the instance exists but has no admin; add one with `precinct user add`\n");
    return PC_EXIT_FAILURE;
  }
  return PC_EXIT_OK;
}
