/* `precinct audit verify|proof|checkpoint --data DIR`: checks the audit log
 * end to end, prints inclusion and consistency proofs as JSON, and signs a
 * checkpoint on demand. The work itself lives in src/audit/. */
#include "cli/cli.h"
#include "precinct/audit.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: precinct audit verify --data DIR [--quiet]\n"
    "       precinct audit proof --data DIR --seq N [--size M]\n"
    "       precinct audit proof --data DIR --from M [--to N]\n"
    "       precinct audit checkpoint --data DIR\n"
    "\n"
    "verify      recompute every leaf hash from its data, the root at every\n"
    "            signed checkpoint and its Ed25519 signature, and compare each\n"
    "            row of every audited table with the log's newest hash for it.\n"
    "            Exit 0 only when everything verifies; each problem is printed.\n"
    "proof       print an inclusion proof of entry N in the tree of M entries,\n"
    "            or a consistency proof between the trees of M and N entries,\n"
    "            as JSON (docs/api.md). M or N defaults to the newest checkpoint.\n"
    "checkpoint  sign a checkpoint of the log now (if it grew since the last).\n"
    "\n"
    "  --data DIR   instance directory\n"
    "  --quiet      no progress bar\n";

static void print_problem(void *context, const char *text) {
  (void)context;
  printf("FAIL: %s\n", text);
}

/* Loads the instance and opens its store (printing any error itself). */
static int open_instance(const char *data_dir, pc_instance_t *instance, pc_store_t **store, pc_error_t *err) {
  pc_error_clear(err);
  return pc_cli_open_store("audit", data_dir, instance, store);
}

static int run_verify(const char *data_dir, int quiet) {
  pc_instance_t instance;
  pc_store_t *store;
  pc_error_t err;
  int code = open_instance(data_dir, &instance, &store, &err);
  if (code != PC_EXIT_OK) return code;
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  int rc = pc_audit_public_key_load(&instance, public_key, &err);
  pc_audit_verify_report_t report;
  memset(&report, 0, sizeof report);
  if (rc == 0) {
    pc_audit_verify_options_t options = {!quiet, print_problem, NULL};
    rc = pc_audit_verify(store, public_key, &options, &report, &err);
  }
  pc_store_close(store);
  if (rc != 0 && rc != PC_EINTEGRITY) return pc_cli_fail(&err);
  char root[PC_HASH_SIZE * 2 + 1], key_id[PC_AUDIT_KEY_ID_SIZE];
  sodium_bin2hex(root, sizeof root, report.root_hash, PC_HASH_SIZE);
  pc_audit_key_id(public_key, key_id);
  printf("tree size:           %lld\n"
         "root hash:           %s\n"
         "signing key:         %s\n"
         "checkpoints checked: %lld (newest at tree size %lld; %lld entries since, not yet signed)\n"
         "rows checked:        %lld\n",
         (long long)report.tree_size, root, key_id, (long long)report.checkpoints_checked,
         (long long)report.newest_checkpoint_size, (long long)(report.tree_size - report.newest_checkpoint_size),
         (long long)report.rows_checked);
  if (rc != 0) {
    printf("audit log verification FAILED: %lld problem(s)\n", (long long)report.problems);
    return pc_cli_fail(&err);
  }
  printf("audit log verified: OK\n");
  return PC_EXIT_OK;
}

static int print_json(json_t *json) {
  char *text = json_dumps(json, JSON_INDENT(2));
  json_decref(json);
  if (text == NULL) return PC_EXIT_FAILURE;
  printf("%s\n", text);
  free(text);
  return PC_EXIT_OK;
}

static int run_proof(const char *data_dir, long long seq, long long size, long long from, long long to) {
  if ((seq != 0) == (from != 0))
    return pc_cli_usage_error("audit", "proof needs either --seq N [--size M] or --from M [--to N]");
  if ((seq != 0 && to != 0) || (from != 0 && size != 0))
    return pc_cli_usage_error("audit", "--size goes with --seq, --to with --from");
  pc_instance_t instance;
  pc_store_t *store;
  pc_error_t err;
  int code = open_instance(data_dir, &instance, &store, &err);
  if (code != PC_EXIT_OK) return code;
  json_t *json = NULL;
  int rc = seq != 0 ? pc_audit_json_inclusion(store, seq, size, &json, &err)
                    : pc_audit_json_consistency(store, from, to, &json, &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  return print_json(json);
}

static int run_checkpoint(const char *data_dir) {
  pc_instance_t instance;
  pc_store_t *store;
  pc_error_t err;
  int code = open_instance(data_dir, &instance, &store, &err);
  if (code != PC_EXIT_OK) return code;
  pc_audit_checkpoint_t checkpoint;
  memset(&checkpoint, 0, sizeof checkpoint);
  int created = 0;
  int rc = pc_audit_checkpoint_instance(&instance, store, &checkpoint, &created, &err);
  pc_store_close(store);
  if (rc != 0) return pc_cli_fail(&err);
  if (checkpoint.tree_size == 0) {
    printf("The audit log is empty: nothing to sign.\n");
    return PC_EXIT_OK;
  }
  char root[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(root, sizeof root, checkpoint.root_hash, PC_HASH_SIZE);
  printf("%s checkpoint: tree size %lld, root %s, signed %s by key %s\n", created ? "Signed" : "Unchanged since last",
         (long long)checkpoint.tree_size, root, checkpoint.signed_at, checkpoint.key_id);
  return PC_EXIT_OK;
}

static int parse_count(const char *option, const char *text, long long *out) {
  if (pc_parse_int64(text, 1, INT64_MAX, out) != 0)
    return pc_cli_usage_error("audit", "%s expects a positive integer, got '%s'", option, text);
  return PC_EXIT_OK;
}

int pc_cmd_audit(int argc, char **argv) {
  if (argc < 2) return pc_cli_usage_error("audit", "expected verify, proof or checkpoint");
  if (pc_cli_is_help(argv[1])) {
    fputs(usage, stdout);
    return PC_EXIT_OK;
  }
  const char *action = argv[1];
  if (strcmp(action, "verify") != 0 && strcmp(action, "proof") != 0 && strcmp(action, "checkpoint") != 0)
    return pc_cli_usage_error("audit", "unknown action '%s'; expected verify, proof or checkpoint", action);
  static const struct option options[] = {
      {"data", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
      {"seq", required_argument, NULL, 'n'},  {"size", required_argument, NULL, 'm'},
      {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
      {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
  const char *data_dir = NULL;
  int quiet = 0, code = PC_EXIT_OK, option;
  long long seq = 0, size = 0, from = 0, to = 0;
  optind = 1;
  while (code == PC_EXIT_OK && (option = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
    switch (option) {
    case 'd': data_dir = optarg; break;
    case 'q': quiet = 1; break;
    case 'n': code = parse_count("--seq", optarg, &seq); break;
    case 'm': code = parse_count("--size", optarg, &size); break;
    case 'f': code = parse_count("--from", optarg, &from); break;
    case 't': code = parse_count("--to", optarg, &to); break;
    case 'h': fputs(usage, stdout); return PC_EXIT_OK;
    default: return pc_cli_usage_error("audit", "unknown option");
    }
  }
  if (code != PC_EXIT_OK) return code;
  if (optind != argc - 1) return pc_cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
  if (data_dir == NULL) return pc_cli_usage_error("audit", "--data DIR is required");
  int is_proof = strcmp(action, "proof") == 0;
  if (!is_proof && (seq || size || from || to))
    return pc_cli_usage_error("audit", "--seq, --size, --from and --to belong to `audit proof`");
  if (strcmp(action, "verify") == 0) return run_verify(data_dir, quiet);
  if (is_proof) return run_proof(data_dir, seq, size, from, to);
  return run_checkpoint(data_dir);
}
