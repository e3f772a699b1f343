/* Roots and proofs over the stored log: streams leaf hashes from audit_log
 * into the Merkle code (merkle.c) so no leaf array is ever held. Trusts the
 * stored leaf_hash column; recomputing it from leaf_data is verify.c's job. */
#include "precinct/audit.h"

#include <string.h>

int pc_audit_tree_size(pc_store_t *store, int64_t *size, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT COUNT(*), COALESCE(MAX(seq), 0), COALESCE(MIN(seq), 1) FROM audit_log",
                            &stmt, err);
  if (rc != 0) return rc;
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    int64_t count = pc_stmt_column_int64(stmt, 0), max = pc_stmt_column_int64(stmt, 1),
            min = pc_stmt_column_int64(stmt, 2);
    if (count != max || min != 1)
      rc = pc_error_set(err, PC_EINTEGRITY, "audit log has %lld entries numbered %lld to %lld; expected 1 to %lld",
                        (long long)count, (long long)min, (long long)max, (long long)count);
    else {
      *size = count;
      rc = 0;
    }
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_EINTERNAL, "audit log count returned no row");
  }
  pc_stmt_finalize(stmt);
  return rc;
}

/* pc_merkle_subtree_fn over the database: CONTEXT is the store. */
static int stored_subtree(void *context, uint64_t start, uint64_t end, unsigned char out[PC_HASH_SIZE],
                          pc_error_t *err) {
  pc_store_t *store = context;
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT seq, leaf_hash FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, (int64_t)start);
  pc_stmt_bind_int64(stmt, 2, (int64_t)end);
  pc_merkle_t tree;
  pc_merkle_init(&tree);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    size_t size = 0;
    const void *hash = pc_stmt_column_blob(stmt, 1, &size);
    int64_t seq = pc_stmt_column_int64(stmt, 0);
    if (seq != (int64_t)(start + tree.size + 1) || size != PC_HASH_SIZE) {
      rc = pc_error_set(err, PC_EINTEGRITY, "audit log leaf %lld is missing or has a malformed hash",
                        (long long)(start + tree.size + 1));
      break;
    }
    pc_merkle_append(&tree, hash);
  }
  pc_stmt_finalize(stmt);
  if (rc == PC_STORE_DONE && tree.size != end - start)
    rc = pc_error_set(err, PC_EINTEGRITY, "audit log leaf %lld is missing", (long long)(start + tree.size + 1));
  if (rc != PC_STORE_DONE) return rc;
  pc_merkle_root(&tree, out);
  return 0;
}

static int check_size(pc_store_t *store, int64_t size, const char *what, pc_error_t *err) {
  int64_t current = 0;
  int rc = pc_audit_tree_size(store, &current, err);
  if (rc != 0) return rc;
  if (size < 0 || size > current)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, what, "tree size %lld is outside the log (0 to %lld)",
                           (long long)size, (long long)current);
  return 0;
}

int pc_audit_tree_root(pc_store_t *store, int64_t size, unsigned char root[PC_HASH_SIZE], pc_error_t *err) {
  int rc = check_size(store, size, "size", err);
  if (rc != 0) return rc;
  if (size == 0) {
    pc_merkle_t empty;
    pc_merkle_init(&empty);
    pc_merkle_root(&empty, root);
    return 0;
  }
  return stored_subtree(store, 0, (uint64_t)size, root, err);
}

int pc_audit_inclusion_proof(pc_store_t *store, int64_t seq, int64_t size, unsigned char path[][PC_HASH_SIZE],
                             size_t *length, pc_error_t *err) {
  int rc = check_size(store, size, "size", err);
  if (rc != 0) return rc;
  if (seq < 1 || seq > size)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "seq", "entry %lld is not in a tree of %lld entries",
                           (long long)seq, (long long)size);
  return pc_merkle_inclusion_proof((uint64_t)seq - 1, (uint64_t)size, stored_subtree, store, path, length, err);
}

int pc_audit_consistency_proof(pc_store_t *store, int64_t from, int64_t to, unsigned char proof[][PC_HASH_SIZE],
                               size_t *length, pc_error_t *err) {
  int rc = check_size(store, to, "to", err);
  if (rc != 0) return rc;
  if (from < 1 || from > to)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "from", "expected 1 <= from <= to (%lld), got %lld",
                           (long long)to, (long long)from);
  return pc_merkle_consistency_proof((uint64_t)from, (uint64_t)to, stored_subtree, store, proof, length, err);
}
