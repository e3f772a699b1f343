/* Unit tests for the stored audit log: signing keys, checkpoints, roots and
 * proofs over the database, verification and tamper detection, and the
 * public JSON. The pure Merkle code is tested in test_audit_merkle.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/audit.h"
#include "precinct/counties.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_audit_key_t key;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_true(sodium_init() >= 0);
  pc_clock_set_fixed(1793793600); /* 2026-11-04T12:00:00Z */
  pc_test_instance(&f->instance, &f->store);
  pc_error_t err;
  assert_int_equal(pc_audit_key_create(&f->instance, &err), 0);
  assert_int_equal(pc_audit_key_load(&f->instance, &f->key, &err), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  pc_audit_key_wipe(&f->key);
  pc_clock_set_fixed(0);
  free(f);
  return 0;
}

static void add_counties(fixture_t *f, int first, int count) {
  pc_actor_t actor;
  pc_audit_cli_actor(&actor);
  pc_error_t err;
  for (int i = first; i < first + count; i++) {
    char name[32];
    pc_snprintf(name, sizeof name, "County %d", i);
    assert_int_equal(pc_counties_create(f->store, &actor, name, NULL, NULL, &err), 0);
  }
}

/* Root of the first N leaves computed independently: all leaf hashes in memory. */
static void array_root(fixture_t *f, int64_t n, unsigned char out[PC_HASH_SIZE]) {
  unsigned char(*leaves)[PC_HASH_SIZE] = calloc((size_t)n + 1, PC_HASH_SIZE);
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(f->store, "SELECT leaf_data FROM audit_log WHERE seq <= ? ORDER BY seq", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, n);
  int64_t i = 0;
  while (pc_stmt_step(stmt, &err) == PC_STORE_ROW) {
    const char *data = pc_stmt_column_text(stmt, 0);
    pc_merkle_leaf_hash(data, strlen(data), leaves[i++]);
  }
  pc_stmt_finalize(stmt);
  assert_int_equal(i, n);
  assert_int_equal(pc_merkle_array_subtree(leaves, 0, (uint64_t)n, out, &err), 0);
  free(leaves);
}

static void exec(fixture_t *f, const char *sql) {
  pc_error_t err;
  if (pc_store_exec(f->store, sql, &err) != 0) fail_msg("%s: %s", sql, err.message);
}

/* Overwrites every checkpoint's saved frontier with zero bytes of the same
 * length (portable SQL: the blob is bound, not made by an engine function). */
static void zero_frontiers(fixture_t *f) {
  pc_error_t err;
  pc_stmt_t *select;
  assert_int_equal(pc_store_prepare(f->store, "SELECT tree_size, frontier FROM audit_checkpoints", &select, &err), 0);
  int64_t sizes[64];
  size_t lengths[64], count = 0;
  while (count < 64 && pc_stmt_step(select, &err) == PC_STORE_ROW) {
    sizes[count] = pc_stmt_column_int64(select, 0);
    pc_stmt_column_blob(select, 1, &lengths[count]);
    count++;
  }
  pc_stmt_finalize(select);
  assert_int_equal(pc_store_begin(f->store, &err), 0);
  for (size_t i = 0; i < count; i++) {
    unsigned char *zeros = calloc(lengths[i] ? lengths[i] : 1, 1);
    pc_stmt_t *update;
    assert_int_equal(pc_store_prepare(f->store, "UPDATE audit_checkpoints SET frontier = ? WHERE tree_size = ?", &update, &err), 0);
    pc_stmt_bind_blob(update, 1, zeros, lengths[i]);
    pc_stmt_bind_int64(update, 2, sizes[i]);
    assert_int_equal(pc_stmt_step(update, &err), PC_STORE_DONE);
    pc_stmt_finalize(update);
    free(zeros);
  }
  assert_int_equal(pc_store_commit(f->store, &err), 0);
}

static void key_files_have_modes_and_id(void **state) {
  fixture_t *f = *state;
  char path[1200];
  struct stat st;
  pc_instance_key_path(&f->instance, PC_AUDIT_KEY_FILE, path, sizeof path);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, 65);
  pc_instance_key_path(&f->instance, PC_AUDIT_PUBLIC_KEY_FILE, path, sizeof path);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE], digest[32];
  pc_error_t err;
  assert_int_equal(pc_audit_public_key_load(&f->instance, public_key, &err), 0);
  assert_memory_equal(public_key, f->key.public_key, sizeof public_key);
  crypto_hash_sha256(digest, public_key, sizeof public_key);
  char expected_id[17];
  sodium_bin2hex(expected_id, sizeof expected_id, digest, 8);
  assert_string_equal(f->key.key_id, expected_id);
  /* A second create never replaces the key. */
  assert_int_equal(pc_audit_key_create(&f->instance, &err), PC_EEXIST);
  pc_audit_key_t again;
  assert_int_equal(pc_audit_key_load(&f->instance, &again, &err), 0);
  assert_memory_equal(again.secret_key, f->key.secret_key, sizeof again.secret_key);
  /* A private key others can read is refused. */
  pc_instance_key_path(&f->instance, PC_AUDIT_KEY_FILE, path, sizeof path);
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(pc_audit_key_load(&f->instance, &again, &err), PC_EPERM);
  assert_int_equal(chmod(path, 0600), 0);
}

static void checkpoint_signs_exact_text_and_only_when_grown(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_audit_checkpoint_t checkpoint;
  memset(&checkpoint, 0, sizeof checkpoint);
  int created = -1;
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, &checkpoint, &created, &err), 0);
  assert_int_equal(created, 0); /* empty log: nothing to sign */
  assert_int_equal(checkpoint.tree_size, 0);
  add_counties(f, 1, 3);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, &checkpoint, &created, &err), 0);
  assert_int_equal(created, 1);
  assert_int_equal(checkpoint.tree_size, 3);
  unsigned char root[PC_HASH_SIZE];
  array_root(f, 3, root);
  assert_memory_equal(checkpoint.root_hash, root, PC_HASH_SIZE);
  assert_string_equal(checkpoint.signed_at, "2026-11-04T12:00:00Z");
  pc_buf_t text;
  pc_buf_init(&text, 0);
  assert_int_equal(pc_audit_checkpoint_text(&checkpoint, &text), 0);
  char root_hex[65], expected[256];
  sodium_bin2hex(root_hex, sizeof root_hex, root, PC_HASH_SIZE);
  pc_snprintf(expected, sizeof expected, "precinct audit checkpoint v1\nTest State\n3\n%s\n2026-11-04T12:00:00Z\n", root_hex);
  assert_string_equal(pc_buf_str(&text), expected);
  /* Any Ed25519 implementation verifies the stored signature over that text. */
  assert_int_equal(crypto_sign_verify_detached(checkpoint.signature, (const unsigned char *)text.data, text.len,
                                               f->key.public_key),
                   0);
  pc_buf_free(&text);
  /* No growth, no new row. */
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, &checkpoint, &created, &err), 0);
  assert_int_equal(created, 0);
  assert_int_equal(checkpoint.tree_size, 3);
  /* Refused inside a caller's transaction. */
  assert_int_equal(pc_store_begin(f->store, &err), 0);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, NULL, NULL, &err), PC_ESTATE);
  pc_store_rollback(f->store);
}

static void incremental_checkpoints_match_full_recompute(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_audit_checkpoint_t checkpoint;
  int total = 0;
  for (int round = 1; round <= 6; round++) {
    add_counties(f, total, round);
    total += round;
    assert_int_equal(pc_audit_checkpoint(f->store, &f->key, &checkpoint, NULL, &err), 0);
    assert_int_equal(checkpoint.tree_size, total);
    unsigned char root[PC_HASH_SIZE], streamed[PC_HASH_SIZE];
    array_root(f, total, root);
    assert_memory_equal(checkpoint.root_hash, root, PC_HASH_SIZE);
    assert_int_equal(pc_audit_tree_root(f->store, total, streamed, &err), 0);
    assert_memory_equal(streamed, root, PC_HASH_SIZE);
  }
  /* A damaged frontier is not trusted: the next root is still right. */
  zero_frontiers(f);
  add_counties(f, 100, 2);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, &checkpoint, NULL, &err), 0);
  unsigned char root[PC_HASH_SIZE];
  array_root(f, total + 2, root);
  assert_memory_equal(checkpoint.root_hash, root, PC_HASH_SIZE);
  assert_int_equal(pc_audit_tree_root(f->store, total + 3, root, &err), PC_EINVAL);
}

/* Collects problems reported during verification. */
typedef struct problems {
  int count;
  char text[8][300];
} problems_t;

static void collect(void *context, const char *problem) {
  problems_t *p = context;
  if (p->count < 8) pc_strlcpy(p->text[p->count], problem, sizeof p->text[0]);
  p->count++;
}

static int verify(fixture_t *f, pc_audit_verify_report_t *report, problems_t *problems, pc_error_t *err) {
  memset(problems, 0, sizeof *problems);
  pc_audit_verify_options_t options = {0, collect, problems};
  return pc_audit_verify(f->store, f->key.public_key, &options, report, err);
}

static void verify_passes_then_names_each_tampering(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_audit_verify_report_t report;
  problems_t problems;
  assert_int_equal(verify(f, &report, &problems, &err), 0); /* empty log */
  assert_int_equal(report.tree_size, 0);
  add_counties(f, 1, 4);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, NULL, NULL, &err), 0);
  add_counties(f, 5, 1);
  assert_int_equal(verify(f, &report, &problems, &err), 0);
  assert_int_equal(report.tree_size, 5);
  assert_int_equal(report.checkpoints_checked, 1);
  assert_int_equal(report.newest_checkpoint_size, 4);
  assert_int_equal(report.rows_checked, 5);
  assert_int_equal(report.problems, 0);
  unsigned char root[PC_HASH_SIZE];
  array_root(f, 5, root);
  assert_memory_equal(report.root_hash, root, PC_HASH_SIZE);

  exec(f, "UPDATE counties SET website = 'https://evil.example' WHERE id = 2");
  assert_int_equal(verify(f, &report, &problems, &err), PC_EINTEGRITY);
  assert_int_equal(problems.count, 1);
  assert_string_equal(problems.text[0],
                      "counties row 2 does not match its last audit entry (seq 2): changed outside precinct");
  assert_string_equal(err.message, problems.text[0]);
  exec(f, "UPDATE counties SET website = '' WHERE id = 2");
  assert_int_equal(verify(f, &report, &problems, &err), 0);

  /* A wrong public key fails every checkpoint signature. */
  unsigned char other[PC_AUDIT_PUBLIC_KEY_SIZE];
  memcpy(other, f->key.public_key, sizeof other);
  other[0] ^= 1;
  pc_audit_verify_options_t options = {0, collect, &problems};
  memset(&problems, 0, sizeof problems);
  assert_int_equal(pc_audit_verify(f->store, other, &options, &report, &err), PC_EINTEGRITY);
  assert_int_equal(problems.count, 1);
  assert_non_null(strstr(problems.text[0], "audit checkpoint at tree size 4: signature does not verify"));

  /* The copied columns must agree with the hashed leaf data. */
  exec(f, "UPDATE audit_log SET after_hash = NULL WHERE seq = 3");
  assert_int_equal(verify(f, &report, &problems, &err), PC_EINTEGRITY);
  assert_string_equal(problems.text[0], "audit log leaf seq 3: column after_hash differs from leaf_data");
  assert_non_null(strstr(err.message, "(and 1 more problems)")); /* and row 3 now looks deleted */
}

static void verify_catches_deleted_leaves_and_bad_seq(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_audit_verify_report_t report;
  problems_t problems;
  add_counties(f, 1, 3);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, NULL, NULL, &err), 0);
  exec(f, "UPDATE audit_log SET leaf_data = replace(leaf_data, '\"seq\":2', '\"seq\":9') WHERE seq = 2");
  assert_int_equal(verify(f, &report, &problems, &err), PC_EINTEGRITY);
  assert_string_equal(problems.text[0], "audit log leaf seq 2: leaf_hash does not match SHA-256(0x00 || leaf_data)");
  assert_string_equal(problems.text[1], "audit log leaf seq 2: leaf_data names a different seq");
  assert_string_equal(problems.text[2],
                      "audit checkpoint at tree size 3: signed root does not match the log's recomputed root");
  assert_int_equal(problems.count, 3);
  exec(f, "DELETE FROM audit_log WHERE seq = 2");
  assert_int_equal(verify(f, &report, &problems, &err), PC_EINTEGRITY);
  assert_string_equal(problems.text[0],
                      "audit log leaf seq 3: found where seq 2 was expected (entries missing or renumbered)");
  assert_string_equal(problems.text[1],
                      "audit checkpoint at tree size 3: the log has only 2 entries (entries removed)");
  assert_string_equal(problems.text[2], "counties row 2 has no audit entry: inserted outside precinct");
}

static json_t *decode_hash(json_t *value, unsigned char out[PC_HASH_SIZE]) {
  assert_true(json_is_string(value));
  size_t length = 0;
  assert_int_equal(sodium_hex2bin(out, PC_HASH_SIZE, json_string_value(value), json_string_length(value), NULL,
                                  &length, NULL),
                   0);
  assert_int_equal(length, PC_HASH_SIZE);
  return value;
}

static size_t decode_path(json_t *array, unsigned char out[][PC_HASH_SIZE]) {
  assert_true(json_is_array(array));
  for (size_t i = 0; i < json_array_size(array); i++) decode_hash(json_array_get(array, i), out[i]);
  return json_array_size(array);
}

static void public_json_proofs_verify(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  json_t *json;
  assert_int_equal(pc_audit_json_checkpoint(f->store, NULL, &json, &err), PC_ENOTFOUND);
  add_counties(f, 1, 7);
  assert_int_equal(pc_audit_checkpoint(f->store, &f->key, NULL, NULL, &err), 0);
  add_counties(f, 8, 2);
  assert_int_equal(pc_audit_json_checkpoint(f->store, f->key.public_key, &json, &err), 0);
  assert_int_equal(json_integer_value(json_object_get(json, "tree_size")), 7);
  assert_string_equal(json_string_value(json_object_get(json, "key_id")), f->key.key_id);
  assert_string_equal(json_string_value(json_object_get(json, "state_name")), "Test State");
  unsigned char checkpoint_root[PC_HASH_SIZE], signature[64];
  decode_hash(json_object_get(json, "root_hash"), checkpoint_root);
  size_t length = 0;
  const char *signature_text = json_string_value(json_object_get(json, "signature"));
  assert_int_equal(sodium_base642bin(signature, sizeof signature, signature_text, strlen(signature_text), NULL,
                                     &length, NULL, sodium_base64_VARIANT_ORIGINAL),
                   0);
  const char *signed_text = json_string_value(json_object_get(json, "signed_text"));
  assert_int_equal(crypto_sign_verify_detached(signature, (const unsigned char *)signed_text, strlen(signed_text),
                                               f->key.public_key),
                   0);
  json_decref(json);

  /* Inclusion of every entry in the signed tree of 7 (the default size). */
  for (int64_t seq = 1; seq <= 7; seq++) {
    assert_int_equal(pc_audit_json_inclusion(f->store, seq, 0, &json, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json, "tree_size")), 7);
    unsigned char path[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE], root[PC_HASH_SIZE], leaf[PC_HASH_SIZE];
    size_t n = decode_path(json_object_get(json, "path"), path);
    decode_hash(json_object_get(json, "root_hash"), root);
    assert_memory_equal(root, checkpoint_root, PC_HASH_SIZE);
    const char *leaf_data = json_string_value(json_object_get(json, "leaf_data"));
    pc_merkle_leaf_hash(leaf_data, strlen(leaf_data), leaf);
    assert_int_equal(pc_merkle_verify_inclusion((uint64_t)seq - 1, 7, leaf, path, n, checkpoint_root), 0);
    json_decref(json);
  }
  assert_int_equal(pc_audit_json_inclusion(f->store, 8, 0, &json, &err), PC_EINVAL);
  assert_int_equal(pc_audit_json_inclusion(f->store, 9, 9, &json, &err), 0);
  json_decref(json);
  assert_int_equal(pc_audit_json_inclusion(f->store, 1, 10, &json, &err), PC_EINVAL);

  /* Consistency of the signed tree with the current one. */
  assert_int_equal(pc_audit_json_consistency(f->store, 7, 9, &json, &err), 0);
  unsigned char proof[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE], first[PC_HASH_SIZE], second[PC_HASH_SIZE];
  size_t n = decode_path(json_object_get(json, "proof"), proof);
  decode_hash(json_object_get(json, "first_root_hash"), first);
  decode_hash(json_object_get(json, "second_root_hash"), second);
  assert_memory_equal(first, checkpoint_root, PC_HASH_SIZE);
  assert_int_equal(pc_merkle_verify_consistency(7, 9, first, second, proof, n), 0);
  json_decref(json);
  assert_int_equal(pc_audit_json_consistency(f->store, 0, 9, &json, &err), PC_EINVAL);

  /* Entries page by page. */
  assert_int_equal(pc_audit_json_entries(f->store, 0, 4, &json, &err), 0);
  json_t *entries = json_object_get(json, "entries");
  assert_int_equal(json_array_size(entries), 4);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(entries, 0), "seq")), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "action")), "county.create");
  assert_int_equal(json_integer_value(json_object_get(json, "next_after")), 4);
  json_decref(json);
  assert_int_equal(pc_audit_json_entries(f->store, 8, 0, &json, &err), 0);
  assert_int_equal(json_array_size(json_object_get(json, "entries")), 1);
  assert_true(json_is_null(json_object_get(json, "next_after")));
  json_decref(json);
  assert_int_equal(pc_audit_json_entries(f->store, 0, PC_AUDIT_ENTRIES_MAX + 1, &json, &err), PC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(key_files_have_modes_and_id, setup, teardown),
      cmocka_unit_test_setup_teardown(checkpoint_signs_exact_text_and_only_when_grown, setup, teardown),
      cmocka_unit_test_setup_teardown(incremental_checkpoints_match_full_recompute, setup, teardown),
      cmocka_unit_test_setup_teardown(verify_passes_then_names_each_tampering, setup, teardown),
      cmocka_unit_test_setup_teardown(verify_catches_deleted_leaves_and_bad_seq, setup, teardown),
      cmocka_unit_test_setup_teardown(public_json_proofs_verify, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
