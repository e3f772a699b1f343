/* Times the audit log at scale: appends N events (default 200000), then
 * measures a first checkpoint (hashing everything), an incremental one, a
 * streamed root, proofs and a full verify. Prints figures for
 * docs/BENCHMARKS.md; built by the test suite, never run by it. */
#include "precinct/audit.h"
#include "precinct/buf.h"
#include "precinct/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int append_events(pc_store_t *store, long long count, pc_error_t *err) {
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  for (long long done = 0; done < count;) {
    int rc = pc_store_begin(store, err);
    for (int i = 0; rc == 0 && i < 10000 && done < count; i++, done++) {
      char id[32];
      pc_snprintf(id, sizeof id, "%lld", done);
      rc = pc_audit_record_event(store, &actor, "bench.event", "bench", id, NULL, err);
    }
    if (rc == 0) rc = pc_store_commit(store, err);
    if (rc != 0) return rc;
  }
  return 0;
}

static void report(const char *what, int64_t start_ms) {
  printf("%-40s %8lld ms\n", what, (long long)(pc_clock_monotonic_ms() - start_ms));
}

int main(int argc, char **argv) {
  long long count = 200000;
  if (argc > 1 && pc_parse_int64(argv[1], 1, 100000000, &count) != 0) {
    fprintf(stderr, "usage: bench_audit [ENTRIES]\n");
    return 2;
  }
  if (sodium_init() < 0) return 1;
  pc_log_configure(PC_LOG_WARN, NULL);
  char dir[] = "/tmp/precinct-bench-audit-XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char data_dir[64];
  pc_snprintf(data_dir, sizeof data_dir, "%s/i", dir);
  pc_error_t err;
  pc_error_clear(&err);
  pc_instance_t instance;
  pc_store_t *store = NULL;
  pc_audit_key_t key;
  int rc = pc_instance_create(data_dir, "Bench", &instance, &err);
  if (rc == 0) rc = pc_audit_key_create(&instance, &err);
  if (rc == 0) rc = pc_audit_key_load(&instance, &key, &err);
  if (rc == 0) rc = pc_instance_open_store(&instance, &store, &err);
  int64_t t = pc_clock_monotonic_ms();
  if (rc == 0) rc = append_events(store, count, &err);
  if (rc == 0) report("append entries (10000 per transaction)", t);
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_checkpoint(store, &key, NULL, NULL, &err);
  if (rc == 0) report("first checkpoint (hash all leaves)", t);
  if (rc == 0) rc = append_events(store, 1000, &err);
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_checkpoint(store, &key, NULL, NULL, &err);
  if (rc == 0) report("incremental checkpoint (+1000 leaves)", t);
  unsigned char root[PC_HASH_SIZE], proof[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
  size_t length = 0;
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_tree_root(store, count, root, &err);
  if (rc == 0) report("streamed root of all leaves", t);
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_inclusion_proof(store, count / 3, count + 1000, proof, &length, &err);
  if (rc == 0) report("inclusion proof", t);
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_consistency_proof(store, count / 3, count + 1000, proof, &length, &err);
  if (rc == 0) report("consistency proof", t);
  pc_audit_verify_report_t result;
  t = pc_clock_monotonic_ms();
  if (rc == 0) rc = pc_audit_verify(store, key.public_key, NULL, &result, &err);
  if (rc == 0) report("verify (recompute every leaf)", t);
  if (rc == 0) printf("entries: %lld, checkpoints: %lld\n", (long long)result.tree_size,
                      (long long)result.checkpoints_checked);
  pc_store_close(store);
  pc_audit_key_wipe(&key);
  char path[128];
  const char *const files[] = {"i/precinct.db", "i/precinct.db-wal", "i/precinct.db-shm", "i/precinct.conf",
                               "i/keys/audit_ed25519.key", "i/keys/audit_ed25519.pub"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    pc_snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  pc_snprintf(path, sizeof path, "%s/i/keys", dir);
  rmdir(path);
  rmdir(data_dir);
  rmdir(dir);
  if (rc != 0) {
    fprintf(stderr, "bench_audit: %s\n", err.message);
    return 1;
  }
  return 0;
}
