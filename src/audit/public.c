/* The audit log's public JSON: the newest signed checkpoint, inclusion and
 * consistency proofs, and pages of entries for the viewer (shapes in
 * docs/api.md). Builds jansson values only; the HTTP layer serves them. */
#include "precinct/audit.h"

#include <sodium.h>
#include <string.h>

static json_t *hex_json(const unsigned char *data, size_t size) {
  char hex[2 * 64 + 1];
  sodium_bin2hex(hex, sizeof hex, data, size);
  return json_string(hex);
}

static json_t *base64_json(const unsigned char *data, size_t size) {
  char text[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(text, sizeof text, data, size, sodium_base64_VARIANT_ORIGINAL);
  return json_string(text);
}

static json_t *hash_array(const unsigned char hashes[][PC_HASH_SIZE], size_t length) {
  json_t *array = json_array();
  for (size_t i = 0; i < length; i++) json_array_append_new(array, hex_json(hashes[i], PC_HASH_SIZE));
  return array;
}

int pc_audit_json_checkpoint(pc_store_t *store, const unsigned char *public_key, json_t **out, pc_error_t *err) {
  pc_audit_checkpoint_t checkpoint;
  int rc = pc_audit_checkpoint_latest(store, &checkpoint, err);
  if (rc != 0) return rc;
  pc_buf_t text;
  pc_buf_init(&text, 4096);
  rc = pc_audit_checkpoint_text(&checkpoint, &text);
  if (rc != 0) {
    pc_buf_free(&text);
    return pc_error_set(err, rc, "checkpoint text too long");
  }
  json_t *json = json_object();
  json_object_set_new(json, "tree_size", json_integer(checkpoint.tree_size));
  json_object_set_new(json, "root_hash", hex_json(checkpoint.root_hash, PC_HASH_SIZE));
  json_object_set_new(json, "signed_at", json_string(checkpoint.signed_at));
  json_object_set_new(json, "state_name", json_string(checkpoint.state_name));
  json_object_set_new(json, "key_id", json_string(checkpoint.key_id));
  json_object_set_new(json, "signature", base64_json(checkpoint.signature, PC_AUDIT_SIGNATURE_SIZE));
  json_object_set_new(json, "signed_text", json_string(pc_buf_str(&text)));
  if (public_key) json_object_set_new(json, "public_key", base64_json(public_key, PC_AUDIT_PUBLIC_KEY_SIZE));
  pc_buf_free(&text);
  *out = json;
  return 0;
}

/* SIZE 0 means the newest checkpoint's size, or the whole log without one,
 * so a default proof is checkable against a signed root when there is one. */
static int resolve_size(pc_store_t *store, int64_t *size, pc_error_t *err) {
  if (*size != 0) return 0;
  pc_audit_checkpoint_t checkpoint;
  pc_error_t ignored;
  int rc = pc_audit_checkpoint_latest(store, &checkpoint, &ignored);
  if (rc == 0) {
    *size = checkpoint.tree_size;
    return 0;
  }
  if (rc != PC_ENOTFOUND) return pc_error_set(err, rc, "%s", ignored.message);
  return pc_audit_tree_size(store, size, err);
}

/* Reads one entry's leaf_data and stored leaf hash. */
static int read_leaf(pc_store_t *store, int64_t seq, json_t **leaf_data, unsigned char leaf_hash[PC_HASH_SIZE],
                     pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT leaf_data, leaf_hash FROM audit_log WHERE seq = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, seq);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    size_t size = 0;
    const void *hash = pc_stmt_column_blob(stmt, 1, &size);
    if (size != PC_HASH_SIZE) {
      rc = pc_error_set(err, PC_EINTEGRITY, "audit log leaf seq %lld has a malformed hash", (long long)seq);
    } else {
      memcpy(leaf_hash, hash, PC_HASH_SIZE);
      *leaf_data = json_string(pc_stmt_column_text(stmt, 0));
      rc = 0;
    }
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "seq", "no audit entry %lld", (long long)seq);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_audit_json_inclusion(pc_store_t *store, int64_t seq, int64_t size, json_t **out, pc_error_t *err) {
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  unsigned char path[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE], root[PC_HASH_SIZE], leaf_hash[PC_HASH_SIZE];
  size_t length = 0;
  json_t *leaf_data = NULL;
  rc = resolve_size(store, &size, err);
  if (rc == 0) rc = pc_audit_inclusion_proof(store, seq, size, path, &length, err);
  if (rc == 0) rc = pc_audit_tree_root(store, size, root, err);
  if (rc == 0) rc = read_leaf(store, seq, &leaf_data, leaf_hash, err);
  pc_store_rollback(store);
  if (rc != 0) return rc;
  json_t *json = json_object();
  json_object_set_new(json, "seq", json_integer(seq));
  json_object_set_new(json, "leaf_index", json_integer(seq - 1));
  json_object_set_new(json, "tree_size", json_integer(size));
  json_object_set_new(json, "leaf_data", leaf_data);
  json_object_set_new(json, "leaf_hash", hex_json(leaf_hash, PC_HASH_SIZE));
  json_object_set_new(json, "root_hash", hex_json(root, PC_HASH_SIZE));
  json_object_set_new(json, "path", hash_array(path, length));
  *out = json;
  return 0;
}

int pc_audit_json_consistency(pc_store_t *store, int64_t from, int64_t to, json_t **out, pc_error_t *err) {
  int rc = pc_store_begin_read(store, err);
  if (rc != 0) return rc;
  unsigned char proof[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE], first_root[PC_HASH_SIZE], second_root[PC_HASH_SIZE];
  size_t length = 0;
  rc = resolve_size(store, &to, err);
  if (rc == 0) rc = pc_audit_consistency_proof(store, from, to, proof, &length, err);
  if (rc == 0) rc = pc_audit_tree_root(store, from, first_root, err);
  if (rc == 0) rc = pc_audit_tree_root(store, to, second_root, err);
  pc_store_rollback(store);
  if (rc != 0) return rc;
  json_t *json = json_object();
  json_object_set_new(json, "first_size", json_integer(from));
  json_object_set_new(json, "second_size", json_integer(to));
  json_object_set_new(json, "first_root_hash", hex_json(first_root, PC_HASH_SIZE));
  json_object_set_new(json, "second_root_hash", hex_json(second_root, PC_HASH_SIZE));
  json_object_set_new(json, "proof", hash_array(proof, length));
  *out = json;
  return 0;
}

static json_t *text_or_null(pc_stmt_t *stmt, int column) {
  const char *text = pc_stmt_column_text(stmt, column);
  return text ? json_string(text) : json_null();
}

int pc_audit_json_entries(pc_store_t *store, int64_t after, int limit, json_t **out, pc_error_t *err) {
  if (limit == 0) limit = 100;
  if (limit < 1 || limit > PC_AUDIT_ENTRIES_MAX)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "limit", "expected 1 to %d", PC_AUDIT_ENTRIES_MAX);
  if (after < 0) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "after", "expected a seq >= 0");
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT seq, recorded_at, actor, role, county, action, object_type, object_id, before_hash,"
                            " after_hash, leaf_data, leaf_hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, after);
  pc_stmt_bind_int64(stmt, 2, limit);
  static const char *const names[] = {"recorded_at", "actor",     "role",        "county",    "action",
                                      "object_type", "object_id", "before_hash", "after_hash", "leaf_data"};
  json_t *entries = json_array();
  int64_t last = -1;
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    json_t *entry = json_object();
    last = pc_stmt_column_int64(stmt, 0);
    json_object_set_new(entry, "seq", json_integer(last));
    for (int i = 0; i < 10; i++) json_object_set_new(entry, names[i], text_or_null(stmt, i + 1));
    size_t size = 0;
    const void *hash = pc_stmt_column_blob(stmt, 11, &size);
    json_object_set_new(entry, "leaf_hash", size == PC_HASH_SIZE ? hex_json(hash, size) : json_null());
    json_array_append_new(entries, entry);
  }
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) {
    json_decref(entries);
    return rc;
  }
  json_t *json = json_object();
  json_object_set_new(json, "entries", entries);
  json_object_set_new(json, "next_after",
                      (int64_t)json_array_size(entries) == limit ? json_integer(last) : json_null());
  *out = json;
  return 0;
}
