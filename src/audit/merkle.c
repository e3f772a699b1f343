/* RFC 6962 Merkle tree hashing: leaf and node hashes, roots over streamed
 * leaves in O(log n) memory, inclusion and consistency proofs (RFC 6962
 * §2.1.1-2.1.2) and their verifiers (RFC 9162 §2.1.3.2, §2.1.4.2). Knows
 * nothing of the database: proofs get subtree hashes through a callback. */
#include "precinct/audit.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

void pc_merkle_leaf_hash(const void *data, size_t size, unsigned char out[PC_HASH_SIZE]) {
  crypto_hash_sha256_state state;
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &prefix, 1);
  if (size) crypto_hash_sha256_update(&state, data, size);
  crypto_hash_sha256_final(&state, out);
}

void pc_merkle_node_hash(const unsigned char left[PC_HASH_SIZE], const unsigned char right[PC_HASH_SIZE],
                         unsigned char out[PC_HASH_SIZE]) {
  crypto_hash_sha256_state state;
  const unsigned char prefix = 0x01;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, left, PC_HASH_SIZE);
  crypto_hash_sha256_update(&state, right, PC_HASH_SIZE);
  crypto_hash_sha256_final(&state, out);
}

void pc_merkle_init(pc_merkle_t *tree) {
  memset(tree, 0, sizeof *tree);
}

void pc_merkle_append(pc_merkle_t *tree, const unsigned char leaf_hash[PC_HASH_SIZE]) {
  assert(tree->size < UINT64_MAX);
  unsigned char carry[PC_HASH_SIZE];
  memcpy(carry, leaf_hash, PC_HASH_SIZE);
  /* Each trailing 1 bit of the old size is a full subtree the new leaf's
   * subtree now pairs with, exactly as in binary addition. */
  for (uint64_t bits = tree->size; bits & 1; bits >>= 1) {
    assert(tree->depth > 0);
    pc_merkle_node_hash(tree->subtrees[tree->depth - 1], carry, carry);
    tree->depth--;
  }
  assert(tree->depth < 64);
  memcpy(tree->subtrees[tree->depth++], carry, PC_HASH_SIZE);
  tree->size++;
  assert(tree->depth == __builtin_popcountll(tree->size));
}

void pc_merkle_root(const pc_merkle_t *tree, unsigned char out[PC_HASH_SIZE]) {
  if (tree->depth == 0) {
    crypto_hash_sha256(out, NULL, 0);
    return;
  }
  /* MTH splits at the largest power of two below n: the subtrees are those
   * splits, left to right, so folding from the right rebuilds MTH. */
  unsigned char root[PC_HASH_SIZE];
  memcpy(root, tree->subtrees[tree->depth - 1], PC_HASH_SIZE);
  for (int i = tree->depth - 2; i >= 0; i--) pc_merkle_node_hash(tree->subtrees[i], root, root);
  memcpy(out, root, PC_HASH_SIZE);
}

void pc_merkle_frontier_save(const pc_merkle_t *tree, unsigned char *out, size_t *length) {
  memcpy(out, tree->subtrees, (size_t)tree->depth * PC_HASH_SIZE);
  *length = (size_t)tree->depth * PC_HASH_SIZE;
}

int pc_merkle_frontier_load(pc_merkle_t *tree, uint64_t size, const void *data, size_t length, pc_error_t *err) {
  int depth = __builtin_popcountll(size);
  if (length != (size_t)depth * PC_HASH_SIZE)
    return pc_error_set(err, PC_EINVAL, "Merkle frontier for %llu leaves needs %d hashes, got %zu bytes",
                        (unsigned long long)size, depth, length);
  pc_merkle_init(tree);
  if (length) memcpy(tree->subtrees, data, length);
  tree->size = size;
  tree->depth = depth;
  return 0;
}

int pc_merkle_array_subtree(void *context, uint64_t start, uint64_t end, unsigned char out[PC_HASH_SIZE],
                            pc_error_t *err) {
  (void)err;
  const unsigned char(*leaves)[PC_HASH_SIZE] = context;
  assert(start < end);
  pc_merkle_t tree;
  pc_merkle_init(&tree);
  for (uint64_t i = start; i < end; i++) pc_merkle_append(&tree, leaves[i]);
  pc_merkle_root(&tree, out);
  return 0;
}

/* The largest power of two strictly less than N (N > 1). */
static uint64_t split_point(uint64_t n) {
  assert(n > 1);
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k <<= 1;
  return k;
}

/* Proofs are found root-first but listed leaf-first. */
static void reverse_into(unsigned char top_down[][PC_HASH_SIZE], size_t count, unsigned char out[][PC_HASH_SIZE]) {
  for (size_t i = 0; i < count; i++) memcpy(out[i], top_down[count - 1 - i], PC_HASH_SIZE);
}

int pc_merkle_inclusion_proof(uint64_t index, uint64_t size, pc_merkle_subtree_fn subtree, void *context,
                              unsigned char path[][PC_HASH_SIZE], size_t *length, pc_error_t *err) {
  if (index >= size)
    return pc_error_set(err, PC_EINVAL, "leaf index %llu is outside a tree of %llu leaves", (unsigned long long)index,
                        (unsigned long long)size);
  unsigned char top_down[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
  size_t count = 0;
  uint64_t start = 0, n = size, m = index;
  while (n > 1) {
    uint64_t k = split_point(n);
    assert(count < PC_MERKLE_MAX_PROOF);
    int rc;
    if (m < k) {
      rc = subtree(context, start + k, start + n, top_down[count], err);
      n = k;
    } else {
      rc = subtree(context, start, start + k, top_down[count], err);
      start += k;
      m -= k;
      n -= k;
    }
    if (rc != 0) return rc;
    count++;
  }
  reverse_into(top_down, count, path);
  *length = count;
  return 0;
}

int pc_merkle_consistency_proof(uint64_t first, uint64_t second, pc_merkle_subtree_fn subtree, void *context,
                                unsigned char proof[][PC_HASH_SIZE], size_t *length, pc_error_t *err) {
  if (first == 0 || first > second)
    return pc_error_set(err, PC_EINVAL, "no consistency proof from %llu to %llu leaves (need 0 < from <= to)",
                        (unsigned long long)first, (unsigned long long)second);
  unsigned char top_down[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
  size_t count = 0;
  uint64_t start = 0, n = second, m = first;
  int whole_old_tree = 1; /* SUBPROOF's b: the old root is known to the verifier */
  for (;;) {
    int rc = 0;
    assert(count < PC_MERKLE_MAX_PROOF);
    if (m == n) {
      if (!whole_old_tree) rc = subtree(context, start, start + n, top_down[count++], err);
      if (rc != 0) return rc;
      break;
    }
    uint64_t k = split_point(n);
    if (m <= k) {
      rc = subtree(context, start + k, start + n, top_down[count], err);
      n = k;
    } else {
      rc = subtree(context, start, start + k, top_down[count], err);
      start += k;
      m -= k;
      n -= k;
      whole_old_tree = 0;
    }
    if (rc != 0) return rc;
    count++;
  }
  reverse_into(top_down, count, proof);
  *length = count;
  return 0;
}

int pc_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf_hash[PC_HASH_SIZE],
                               const unsigned char path[][PC_HASH_SIZE], size_t length,
                               const unsigned char root[PC_HASH_SIZE]) {
  if (index >= size) return PC_EINTEGRITY;
  uint64_t fn = index, sn = size - 1;
  unsigned char r[PC_HASH_SIZE];
  memcpy(r, leaf_hash, PC_HASH_SIZE);
  for (size_t i = 0; i < length; i++) {
    if (sn == 0) return PC_EINTEGRITY;
    if ((fn & 1) || fn == sn) {
      pc_merkle_node_hash(path[i], r, r);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      pc_merkle_node_hash(r, path[i], r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || sodium_memcmp(r, root, PC_HASH_SIZE) != 0) return PC_EINTEGRITY;
  return 0;
}

int pc_merkle_verify_consistency(uint64_t first, uint64_t second, const unsigned char first_root[PC_HASH_SIZE],
                                 const unsigned char second_root[PC_HASH_SIZE], const unsigned char proof[][PC_HASH_SIZE],
                                 size_t length) {
  if (first > second) return PC_EINTEGRITY;
  if (first == second)
    return length == 0 && sodium_memcmp(first_root, second_root, PC_HASH_SIZE) == 0 ? 0 : PC_EINTEGRITY;
  if (first == 0) {
    unsigned char empty[PC_HASH_SIZE];
    crypto_hash_sha256(empty, NULL, 0);
    return length == 0 && sodium_memcmp(first_root, empty, PC_HASH_SIZE) == 0 ? 0 : PC_EINTEGRITY;
  }
  if (length == 0) return PC_EINTEGRITY;
  /* When FIRST is a power of two its root is the proof's implied first node. */
  int prepend = (first & (first - 1)) == 0;
  size_t total = length + (size_t)prepend;
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  unsigned char fr[PC_HASH_SIZE], sr[PC_HASH_SIZE];
  memcpy(fr, prepend ? first_root : proof[0], PC_HASH_SIZE);
  memcpy(sr, fr, PC_HASH_SIZE);
  for (size_t i = 1; i < total; i++) {
    const unsigned char *c = proof[i - (size_t)prepend];
    if (sn == 0) return PC_EINTEGRITY;
    if ((fn & 1) || fn == sn) {
      pc_merkle_node_hash(c, fr, fr);
      pc_merkle_node_hash(c, sr, sr);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      pc_merkle_node_hash(sr, c, sr);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || sodium_memcmp(fr, first_root, PC_HASH_SIZE) != 0 ||
      sodium_memcmp(sr, second_root, PC_HASH_SIZE) != 0)
    return PC_EINTEGRITY;
  return 0;
}
