/* The audit log: an append-only, tamper-evident record of every state
 * change, hashed as an RFC 6962 Merkle tree and signed in checkpoints.
 *
 * Domain code calls pc_audit_record inside the same store transaction as the
 * change it describes, so a change and its log entry commit or vanish
 * together. Entries hold who/what/when and SHA-256 hashes of the affected
 * row before and after, never the row itself: no personal data enters the
 * log. See docs/internals/audit.md. */
#ifndef PRECINCT_AUDIT_H
#define PRECINCT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/error.h"
#include "precinct/store.h"

#define PC_HASH_SIZE 32

/* Who is acting. For CLI work done by the operator, username is
 * "operator:<login name>" and role "operator". */
typedef struct pc_actor {
  int64_t user_id;      /* 0 when not a precinct account */
  const char *username;
  const char *role;     /* "state_admin", "county_admin", "clerk", "auditor", "operator", "public" */
  const char *county;   /* county name the actor is scoped to, NULL for state-wide */
} pc_actor_t;

/* Fills ACTOR for the operator running the CLI (from the login name). The
 * strings point at static storage. */
void pc_audit_cli_actor(pc_actor_t *actor);

/* Tables whose rows the log covers: `audit verify` recomputes each row's hash
 * and compares it with the newest entry for that row. Each has an integer
 * primary key `id`. NULL-terminated. */
extern const char *const pc_audit_tables[];

/* Computes the SHA-256 of row ID of TABLE (which must be in pc_audit_tables)
 * over a canonical encoding of every column (name, type, value). PC_ENOTFOUND
 * when the row does not exist. */
int pc_audit_row_hash(pc_store_t *store, const char *table, int64_t id, unsigned char out[PC_HASH_SIZE],
                      pc_error_t *err);

/* Appends one entry for a change to row ID of TABLE: ACTION names it
 * ("county.create", "user.disable"...). BEFORE is the row's hash before the
 * change (NULL for a create); the after-hash is computed here from the row as
 * it now is (none when the row was deleted). Must run inside a write
 * transaction on STORE. *SEQ (may be NULL) receives the entry's number. */
int pc_audit_record(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *table, int64_t id,
                    const unsigned char *before, int64_t *seq, pc_error_t *err);

/* Appends an entry for an event that changes no audited row (login, logout,
 * failed verification, export...). OBJECT_TYPE/OBJECT_ID may be NULL. */
int pc_audit_record_event(pc_store_t *store, const pc_actor_t *actor, const char *action, const char *object_type,
                          const char *object_id, int64_t *seq, pc_error_t *err);

/* ---- Merkle tree (RFC 6962 / RFC 9162 hashing), src/audit/merkle.c ------
 * Leaf index I (0-based) is audit_log seq I+1. Pure functions: nothing here
 * touches the database. */

/* Longest proof any tree of up to 2^64 leaves needs (inclusion <= 64,
 * consistency <= 65 hashes). */
#define PC_MERKLE_MAX_PROOF 72

/* A compact range: the perfect subtrees covering leaves [0, size), largest
 * first, one per set bit of size. Appending and taking the root use O(log n)
 * memory, so roots over millions of streamed leaves need no leaf array. */
typedef struct pc_merkle {
  uint64_t size;
  int depth;                                /* subtrees held = popcount(size) */
  unsigned char subtrees[64][PC_HASH_SIZE];
} pc_merkle_t;

/* SHA-256(0x00 || DATA) and SHA-256(0x01 || LEFT || RIGHT). */
void pc_merkle_leaf_hash(const void *data, size_t size, unsigned char out[PC_HASH_SIZE]);
void pc_merkle_node_hash(const unsigned char left[PC_HASH_SIZE], const unsigned char right[PC_HASH_SIZE],
                         unsigned char out[PC_HASH_SIZE]);

/* Empties TREE (size 0). */
void pc_merkle_init(pc_merkle_t *tree);
/* Appends the leaf whose hash (already prefixed, see pc_merkle_leaf_hash) is LEAF_HASH. */
void pc_merkle_append(pc_merkle_t *tree, const unsigned char leaf_hash[PC_HASH_SIZE]);
/* MTH of the leaves appended so far; SHA-256("") for the empty tree. */
void pc_merkle_root(const pc_merkle_t *tree, unsigned char out[PC_HASH_SIZE]);
/* Serialises TREE's subtrees (popcount(size) x 32 bytes) into OUT, which has
 * room for 64 x 32 bytes; *LENGTH receives the bytes written. */
void pc_merkle_frontier_save(const pc_merkle_t *tree, unsigned char *out, size_t *length);
/* Restores a tree of SIZE leaves from a saved frontier. PC_EINVAL when LENGTH
 * does not match SIZE. */
int pc_merkle_frontier_load(pc_merkle_t *tree, uint64_t size, const void *data, size_t length, pc_error_t *err);

/* Supplies MTH(D[start:end]) (0 <= start < end) for proof building, e.g. by
 * streaming leaf hashes from the database. Returns 0 or a PC_E* code. */
typedef int (*pc_merkle_subtree_fn)(void *context, uint64_t start, uint64_t end, unsigned char out[PC_HASH_SIZE],
                                    pc_error_t *err);
/* A pc_merkle_subtree_fn over an in-memory array of leaf hashes (CONTEXT is
 * a `const unsigned char (*)[PC_HASH_SIZE]`). */
int pc_merkle_array_subtree(void *context, uint64_t start, uint64_t end, unsigned char out[PC_HASH_SIZE],
                            pc_error_t *err);

/* RFC 6962 §2.1.1 PATH(index, D[size]): the audit path of leaf INDEX in the
 * tree of SIZE leaves, leaf-side first, into PATH (PC_MERKLE_MAX_PROOF
 * slots); *LENGTH receives its length. PC_EINVAL when INDEX >= SIZE. The
 * subtrees requested are disjoint, so SUBTREE reads each leaf at most once. */
int pc_merkle_inclusion_proof(uint64_t index, uint64_t size, pc_merkle_subtree_fn subtree, void *context,
                              unsigned char path[][PC_HASH_SIZE], size_t *length, pc_error_t *err);
/* RFC 6962 §2.1.2 PROOF(first, D[second]) for 0 < FIRST <= SECOND (empty when
 * equal). PC_EINVAL for other sizes. */
int pc_merkle_consistency_proof(uint64_t first, uint64_t second, pc_merkle_subtree_fn subtree, void *context,
                                unsigned char proof[][PC_HASH_SIZE], size_t *length, pc_error_t *err);

/* RFC 9162 §2.1.3.2: 0 when PATH proves the leaf hash LEAF_HASH sits at
 * INDEX in the tree of SIZE leaves whose root is ROOT; PC_EINTEGRITY
 * otherwise. */
int pc_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf_hash[PC_HASH_SIZE],
                               const unsigned char path[][PC_HASH_SIZE], size_t length,
                               const unsigned char root[PC_HASH_SIZE]);
/* RFC 9162 §2.1.4.2: 0 when PROOF shows the tree of FIRST leaves with root
 * FIRST_ROOT is a prefix of the tree of SECOND leaves with root SECOND_ROOT;
 * PC_EINTEGRITY otherwise. FIRST == SECOND needs an empty proof and equal
 * roots; FIRST == 0 needs an empty proof and the empty-tree root. */
int pc_merkle_verify_consistency(uint64_t first, uint64_t second, const unsigned char first_root[PC_HASH_SIZE],
                                 const unsigned char second_root[PC_HASH_SIZE], const unsigned char proof[][PC_HASH_SIZE],
                                 size_t length);

#endif
