/* `precinct user add|list|disable|enable|reset-password|token --data DIR`:
 * account management by the operator at the console, with full rights and
 * audited as the operator. Generated passwords and API tokens are printed
 * once, never stored in the clear or logged. Token listing and revocation
 * are in the web interface and API (/api/me/tokens), not here. */
#include "cli/cli.h"
#include "precinct/auth.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: precinct user add --data DIR --role ROLE [--county NAME] USERNAME\n"
    "       precinct user list --data DIR\n"
    "       precinct user disable --data DIR USERNAME\n"
    "       precinct user enable --data DIR USERNAME\n"
    "       precinct user reset-password --data DIR USERNAME\n"
    "       precinct user token --data DIR --scope read|write --label LABEL USERNAME\n"
    "\n"
    "add             creates an account and prints its generated password once\n"
    "                (ROLE: state_admin, county_admin, clerk, auditor; every role\n"
    "                but state_admin needs --county)\n"
    "list            prints every account: username, role, county, state, TOTP\n"
    "disable/enable  stops or restores an account's sign-in (disable also ends\n"
    "                its sessions)\n"
    "reset-password  sets and prints a new generated password, ending sessions\n"
    "token           creates an API token (Bearer) acting as USERNAME with the\n"
    "                given scope and prints it once\n";

int pc_cli_create_user(const pc_instance_t *instance, pc_store_t *store, const char *username, const char *role,
                       const char *county, pc_error_t *err) {
  pc_auth_t *auth;
  int rc = pc_auth_open(instance, 0, &auth, err);
  if (rc != 0) return rc;
  char password[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(password);
  rc = pc_auth_user_create(store, auth, NULL, username, role, county, password, NULL, err);
  if (rc == 0)
    printf("Created %s %s%s%s.\n  username: %s\n  password: %s\n(shown once: give it to the user)\n", role, username,
           county && county[0] ? " in " : "", county && county[0] ? county : "", username, password);
  sodium_memzero(password, sizeof password);
  pc_auth_close(auth);
  return rc;
}

static int print_user(const pc_user_t *user, void *context) {
  (void)context;
  printf("%-24s %-13s %-20s %-9s %s\n", user->username, user->role, user->county[0] ? user->county : "-",
         user->disabled ? "disabled" : "active", user->totp_enabled ? "totp" : "no-totp");
  return 0;
}

static int reset_password(const pc_instance_t *instance, pc_store_t *store, int64_t user_id, const char *username,
                          pc_error_t *err) {
  pc_auth_t *auth;
  int rc = pc_auth_open(instance, 0, &auth, err);
  if (rc != 0) return rc;
  char password[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(password);
  rc = pc_auth_user_set_password(store, auth, NULL, user_id, password, err);
  if (rc == 0) printf("New password for %s: %s\n(shown once; their sessions have ended)\n", username, password);
  sodium_memzero(password, sizeof password);
  pc_auth_close(auth);
  return rc;
}

static int create_token(pc_store_t *store, const pc_user_t *user, const char *scope, const char *label,
                        pc_error_t *err) {
  char token[PC_AUTH_API_TOKEN_SIZE];
  int64_t id = 0;
  int read_only = strcmp(scope, "read") == 0;
  int rc = pc_auth_token_create(store, NULL, user->id, label, read_only, token, &id, err);
  if (rc == 0)
    printf("Created %s API token %lld (%s) for %s.\n  token: %s\n(shown once: keep it where the script runs)\n",
           scope, (long long)id, label, user->username, token);
  sodium_memzero(token, sizeof token);
  return rc;
}

/* What each action needs besides --data. */
typedef struct user_options {
  const char *role, *county, *scope, *label;
} user_options_t;

static int run(const char *action, const pc_instance_t *instance, pc_store_t *store, const char *username,
               const user_options_t *opts, pc_error_t *err) {
  const char *role = opts->role, *county = opts->county;
  if (strcmp(action, "add") == 0) return pc_cli_create_user(instance, store, username, role, county, err);
  if (strcmp(action, "list") == 0) {
    printf("%-24s %-13s %-20s %-9s %s\n", "USERNAME", "ROLE", "COUNTY", "STATE", "TOTP");
    return pc_auth_user_each(store, 0, print_user, NULL, err);
  }
  pc_user_t user;
  int rc = pc_auth_user_get(store, username, &user, err);
  if (rc != 0) return rc;
  if (strcmp(action, "reset-password") == 0) return reset_password(instance, store, user.id, username, err);
  if (strcmp(action, "token") == 0) return create_token(store, &user, opts->scope, opts->label, err);
  int disable = strcmp(action, "disable") == 0;
  rc = pc_auth_user_set_disabled(store, NULL, user.id, disable, err);
  if (rc == 0) printf("%s %s.\n", disable ? "Disabled" : "Enabled", username);
  return rc;
}

int pc_cmd_user(int argc, char **argv) {
  const char *data_dir = NULL;
  user_options_t opts = {NULL, NULL, NULL, NULL};
  const pc_cli_option_t options[] = {{.name = "data", .text = &data_dir},    {.name = "role", .text = &opts.role},
                                     {.name = "county", .text = &opts.county}, {.name = "scope", .text = &opts.scope},
                                     {.name = "label", .text = &opts.label},   {.name = NULL}};
  int code = pc_cli_parse("user", usage, argc, argv, options);
  if (code != PC_CLI_CONTINUE) return code;
  if (optind >= argc) return pc_cli_usage_error("user", "expected an action: add, list, disable, enable, reset-password, token");
  const char *action = argv[optind];
  int is_list = strcmp(action, "list") == 0, is_add = strcmp(action, "add") == 0;
  int is_token = strcmp(action, "token") == 0;
  if (!is_list && !is_add && !is_token && strcmp(action, "disable") != 0 && strcmp(action, "enable") != 0 &&
      strcmp(action, "reset-password") != 0)
    return pc_cli_usage_error("user", "unknown action '%s'", action);
  int expected = is_list ? 1 : 2;
  if (argc - optind != expected)
    return pc_cli_usage_error("user", is_list ? "list takes no USERNAME" : "expected one USERNAME");
  if (is_add && opts.role == NULL) return pc_cli_usage_error("user", "add needs --role ROLE");
  if (!is_add && (opts.role || opts.county)) return pc_cli_usage_error("user", "--role and --county go with add only");
  if (is_token && (opts.scope == NULL || opts.label == NULL))
    return pc_cli_usage_error("user", "token needs --scope read|write and --label LABEL");
  if (is_token && strcmp(opts.scope, "read") != 0 && strcmp(opts.scope, "write") != 0)
    return pc_cli_usage_error("user", "--scope is read or write, not '%s'", opts.scope);
  if (!is_token && (opts.scope || opts.label)) return pc_cli_usage_error("user", "--scope and --label go with token only");
  pc_instance_t instance;
  pc_store_t *store;
  code = pc_cli_open_store("user", data_dir, &instance, &store);
  if (code != PC_EXIT_OK) return code;
  pc_error_t err;
  pc_error_clear(&err);
  int rc = run(action, &instance, store, is_list ? NULL : argv[optind + 1], &opts, &err);
  pc_store_close(store);
  return rc == 0 ? PC_EXIT_OK : pc_cli_fail(&err);
}
