/* Unit tests for src/audit/merkle.c: RFC 6962 roots against the reference
 * vectors of the Certificate Transparency test suite, every inclusion and
 * consistency proof of trees up to 8 leaves, and tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "precinct/audit.h"

#include <sodium.h>
#include <string.h>

static const char *const leaf_inputs_hex[8] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};

static unsigned char leaves[8][PC_HASH_SIZE];

static void hex_to_bin(const char *hex, unsigned char *out, size_t max, size_t *length) {
  assert_int_equal(sodium_hex2bin(out, max, hex, strlen(hex), NULL, length, NULL), 0);
}

static void expect_hash(const unsigned char hash[PC_HASH_SIZE], const char *hex) {
  char got[PC_HASH_SIZE * 2 + 1];
  sodium_bin2hex(got, sizeof got, hash, PC_HASH_SIZE);
  assert_string_equal(got, hex);
}

static int setup_leaves(void **state) {
  (void)state;
  for (int i = 0; i < 8; i++) {
    unsigned char data[32];
    size_t length = 0;
    hex_to_bin(leaf_inputs_hex[i], data, sizeof data, &length);
    pc_merkle_leaf_hash(data, length, leaves[i]);
  }
  return 0;
}

static void root_of(uint64_t n, unsigned char out[PC_HASH_SIZE]) {
  pc_merkle_t tree;
  pc_merkle_init(&tree);
  for (uint64_t i = 0; i < n; i++) pc_merkle_append(&tree, leaves[i]);
  pc_merkle_root(&tree, out);
}

static void roots_match_reference_vectors(void **state) {
  (void)state;
  unsigned char root[PC_HASH_SIZE];
  root_of(0, root);
  expect_hash(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  root_of(1, root);
  expect_hash(root, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  root_of(8, root);
  expect_hash(root, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  /* Intermediate sizes from the same suite (RFC 6962 reference roots). */
  root_of(2, root);
  expect_hash(root, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
  root_of(3, root);
  expect_hash(root, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77");
  root_of(5, root);
  expect_hash(root, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4");
  root_of(7, root);
  expect_hash(root, "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c");
}

static void streamed_root_equals_recursive_definition(void **state) {
  (void)state;
  /* The compact-range root must equal MTH computed by splitting, for many sizes. */
  enum { N = 300 };
  static unsigned char many[N][PC_HASH_SIZE];
  for (int i = 0; i < N; i++) {
    unsigned char byte = (unsigned char)i;
    pc_merkle_leaf_hash(&byte, 1, many[i]);
  }
  pc_merkle_t tree;
  pc_merkle_init(&tree);
  for (uint64_t n = 1; n <= N; n++) {
    pc_merkle_append(&tree, many[n - 1]);
    unsigned char streamed[PC_HASH_SIZE], reference[PC_HASH_SIZE];
    pc_merkle_root(&tree, streamed);
    /* Reference: MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])). */
    if (n == 1) {
      memcpy(reference, many[0], PC_HASH_SIZE);
    } else {
      uint64_t k = 1;
      while (k * 2 < n) k *= 2;
      unsigned char left[PC_HASH_SIZE], right[PC_HASH_SIZE];
      assert_int_equal(pc_merkle_array_subtree(many, 0, k, left, NULL), 0);
      assert_int_equal(pc_merkle_array_subtree(many, k, n, right, NULL), 0);
      pc_merkle_node_hash(left, right, reference);
    }
    assert_memory_equal(streamed, reference, PC_HASH_SIZE);
    /* A saved and reloaded frontier continues to the same roots. */
    unsigned char frontier[64 * PC_HASH_SIZE];
    size_t length = 0;
    pc_merkle_frontier_save(&tree, frontier, &length);
    pc_merkle_t reloaded;
    assert_int_equal(pc_merkle_frontier_load(&reloaded, n, frontier, length, NULL), 0);
    unsigned char again[PC_HASH_SIZE];
    pc_merkle_root(&reloaded, again);
    assert_memory_equal(again, streamed, PC_HASH_SIZE);
    if (length > 0) assert_int_equal(pc_merkle_frontier_load(&reloaded, n, frontier, length - 1, NULL), PC_EINVAL);
  }
}

static void inclusion_proofs_match_reference(void **state) {
  (void)state;
  /* RFC 6962 reference: leaf 0 of 8 and leaf 5 of 8. */
  unsigned char path[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
  size_t length = 0;
  assert_int_equal(pc_merkle_inclusion_proof(0, 8, pc_merkle_array_subtree, leaves, path, &length, NULL), 0);
  assert_int_equal(length, 3);
  expect_hash(path[0], "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  expect_hash(path[1], "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  expect_hash(path[2], "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  assert_int_equal(pc_merkle_inclusion_proof(5, 8, pc_merkle_array_subtree, leaves, path, &length, NULL), 0);
  assert_int_equal(length, 3);
  expect_hash(path[0], "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
  expect_hash(path[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
  expect_hash(path[2], "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  assert_int_equal(pc_merkle_inclusion_proof(8, 8, pc_merkle_array_subtree, leaves, path, &length, NULL), PC_EINVAL);
}

static void every_inclusion_proof_verifies_and_tampering_fails(void **state) {
  (void)state;
  for (uint64_t n = 1; n <= 8; n++) {
    unsigned char root[PC_HASH_SIZE];
    root_of(n, root);
    for (uint64_t m = 0; m < n; m++) {
      unsigned char path[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
      size_t length = 0;
      assert_int_equal(pc_merkle_inclusion_proof(m, n, pc_merkle_array_subtree, leaves, path, &length, NULL), 0);
      assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[m], path, length, root), 0);
      /* Wrong leaf, wrong index, wrong size, wrong root, short or flipped path. */
      assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[(m + 1) % 8], path, length, root), PC_EINTEGRITY);
      if (n > 1)
        assert_int_equal(pc_merkle_verify_inclusion((m + 1) % n, n, leaves[m], path, length, root), PC_EINTEGRITY);
      if (n < 8) {
        /* The path of a smaller tree does not lead to the bigger tree's root. */
        unsigned char next_root[PC_HASH_SIZE];
        root_of(n + 1, next_root);
        assert_int_equal(pc_merkle_verify_inclusion(m, n + 1, leaves[m], path, length, next_root), PC_EINTEGRITY);
      }
      assert_int_equal(pc_merkle_verify_inclusion(m, m, leaves[m], path, length, root), PC_EINTEGRITY);
      unsigned char bad_root[PC_HASH_SIZE];
      memcpy(bad_root, root, PC_HASH_SIZE);
      bad_root[31] ^= 1;
      assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[m], path, length, bad_root), PC_EINTEGRITY);
      if (length > 0) {
        assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[m], path, length - 1, root), PC_EINTEGRITY);
        for (size_t i = 0; i < length; i++) {
          path[i][0] ^= 0x80;
          assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[m], path, length, root), PC_EINTEGRITY);
          path[i][0] ^= 0x80;
        }
      }
      /* An extra trailing hash is rejected too. */
      memcpy(path[length], root, PC_HASH_SIZE);
      assert_int_equal(pc_merkle_verify_inclusion(m, n, leaves[m], path, length + 1, root), PC_EINTEGRITY);
    }
  }
}

static void consistency_proofs_match_reference(void **state) {
  (void)state;
  /* RFC 6962 reference proofs: 1->8, 6->8, 2->5. */
  unsigned char proof[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
  size_t length = 0;
  assert_int_equal(pc_merkle_consistency_proof(1, 8, pc_merkle_array_subtree, leaves, proof, &length, NULL), 0);
  assert_int_equal(length, 3);
  expect_hash(proof[0], "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  expect_hash(proof[1], "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  expect_hash(proof[2], "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  assert_int_equal(pc_merkle_consistency_proof(6, 8, pc_merkle_array_subtree, leaves, proof, &length, NULL), 0);
  assert_int_equal(length, 3);
  expect_hash(proof[0], "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a");
  expect_hash(proof[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
  expect_hash(proof[2], "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  assert_int_equal(pc_merkle_consistency_proof(2, 5, pc_merkle_array_subtree, leaves, proof, &length, NULL), 0);
  assert_int_equal(length, 2);
  expect_hash(proof[0], "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  expect_hash(proof[1], "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
  assert_int_equal(pc_merkle_consistency_proof(0, 5, pc_merkle_array_subtree, leaves, proof, &length, NULL), PC_EINVAL);
  assert_int_equal(pc_merkle_consistency_proof(6, 5, pc_merkle_array_subtree, leaves, proof, &length, NULL), PC_EINVAL);
}

static void every_consistency_proof_verifies_and_tampering_fails(void **state) {
  (void)state;
  for (uint64_t n = 1; n <= 8; n++) {
    unsigned char second_root[PC_HASH_SIZE];
    root_of(n, second_root);
    for (uint64_t m = 1; m <= n; m++) {
      unsigned char first_root[PC_HASH_SIZE];
      root_of(m, first_root);
      unsigned char proof[PC_MERKLE_MAX_PROOF][PC_HASH_SIZE];
      size_t length = 0;
      assert_int_equal(pc_merkle_consistency_proof(m, n, pc_merkle_array_subtree, leaves, proof, &length, NULL), 0);
      assert_int_equal(pc_merkle_verify_consistency(m, n, first_root, second_root, proof, length), 0);
      if (m == n) {
        assert_int_equal(length, 0);
        continue;
      }
      assert_true(length > 0);
      /* Swapped roots, wrong sizes, tampered hashes, truncated proof all fail. */
      assert_int_equal(pc_merkle_verify_consistency(m, n, second_root, first_root, proof, length), PC_EINTEGRITY);
      if (n < 8) {
        unsigned char next_root[PC_HASH_SIZE];
        root_of(n + 1, next_root);
        assert_int_equal(pc_merkle_verify_consistency(m, n + 1, first_root, next_root, proof, length), PC_EINTEGRITY);
      }
      assert_int_equal(pc_merkle_verify_consistency(n, m, first_root, second_root, proof, length), PC_EINTEGRITY);
      assert_int_equal(pc_merkle_verify_consistency(m, n, first_root, second_root, proof, length - 1), PC_EINTEGRITY);
      unsigned char bad[PC_HASH_SIZE];
      memcpy(bad, first_root, PC_HASH_SIZE);
      bad[0] ^= 1;
      assert_int_equal(pc_merkle_verify_consistency(m, n, bad, second_root, proof, length), PC_EINTEGRITY);
      memcpy(bad, second_root, PC_HASH_SIZE);
      bad[0] ^= 1;
      assert_int_equal(pc_merkle_verify_consistency(m, n, first_root, bad, proof, length), PC_EINTEGRITY);
      for (size_t i = 0; i < length; i++) {
        proof[i][5] ^= 0x10;
        assert_int_equal(pc_merkle_verify_consistency(m, n, first_root, second_root, proof, length), PC_EINTEGRITY);
        proof[i][5] ^= 0x10;
      }
    }
  }
  /* Edge cases: equal sizes need equal roots and no proof; from 0 needs the empty root. */
  unsigned char empty[PC_HASH_SIZE], one[PC_HASH_SIZE];
  root_of(0, empty);
  root_of(1, one);
  assert_int_equal(pc_merkle_verify_consistency(0, 1, empty, one, NULL, 0), 0);
  assert_int_equal(pc_merkle_verify_consistency(0, 1, one, one, NULL, 0), PC_EINTEGRITY);
  assert_int_equal(pc_merkle_verify_consistency(1, 1, one, empty, NULL, 0), PC_EINTEGRITY);
  assert_int_equal(pc_merkle_verify_consistency(2, 3, one, one, NULL, 0), PC_EINTEGRITY);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roots_match_reference_vectors),
      cmocka_unit_test(streamed_root_equals_recursive_definition),
      cmocka_unit_test(inclusion_proofs_match_reference),
      cmocka_unit_test(every_inclusion_proof_verifies_and_tampering_fails),
      cmocka_unit_test(consistency_proofs_match_reference),
      cmocka_unit_test(every_consistency_proof_verifies_and_tampering_fails),
  };
  return cmocka_run_group_tests(tests, setup_leaves, NULL);
}
