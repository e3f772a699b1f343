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

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/error.h"
#include "precinct/instance.h"
#include "precinct/store.h"

#include <jansson.h>

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

/* Where rows of TABLE are read for hashing: TABLE itself, or for a table
 * whose stored form changed (voters since migration 0009) the view that
 * presents its rows as they were always hashed. A constant string. */
const char *pc_audit_row_source(const char *table);

/* Computes the SHA-256 of row ID of TABLE (which must be in pc_audit_tables)
 * over a canonical encoding of every column (name, type, value). PC_ENOTFOUND
 * when the row does not exist. */
int pc_audit_row_hash(pc_store_t *store, const char *table, int64_t id, unsigned char out[PC_HASH_SIZE],
                      pc_error_t *err);

/* Incremental row hashing, for code that knows a row's values without
 * reading it back (bulk imports): feeding every column of the row, in table
 * order, with the type the database stores, gives exactly
 * pc_audit_row_hash's result. The state is opaque. */
typedef struct pc_audit_row_hasher {
  _Alignas(64) unsigned char opaque[4096];
} pc_audit_row_hasher_t;
void pc_audit_hasher_start(pc_audit_row_hasher_t *h, const char *table);
void pc_audit_hasher_null(pc_audit_row_hasher_t *h, const char *column);
void pc_audit_hasher_int64(pc_audit_row_hasher_t *h, const char *column, int64_t value);
void pc_audit_hasher_text(pc_audit_row_hasher_t *h, const char *column, const char *text, size_t length);
void pc_audit_hasher_blob(pc_audit_row_hasher_t *h, const char *column, const void *data, size_t size);
void pc_audit_hasher_finish(pc_audit_row_hasher_t *h, unsigned char out[PC_HASH_SIZE]);
/* The same for code hashing many rows of one table: a column's encoded name
 * is computed once (pc_audit_column_init: PC_ELIMIT for a name over 63
 * bytes) and each value is then one copy into the hasher. Mixing the two
 * kinds of calls on one hasher is fine; the digest is the same. */
typedef struct pc_audit_column {
  unsigned char encoded[72];
  unsigned char size;
} pc_audit_column_t;
int pc_audit_column_init(pc_audit_column_t *c, const char *column);
void pc_audit_hasher_null_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c);
void pc_audit_hasher_int64_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, int64_t value);
void pc_audit_hasher_text_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, const char *text, size_t length);
void pc_audit_hasher_blob_at(pc_audit_row_hasher_t *h, const pc_audit_column_t *c, const void *data, size_t size);

/* Hashes the current row of STMT, a `SELECT * FROM TABLE ...` statement,
 * exactly as pc_audit_row_hash would (for streaming over many rows). */
void pc_audit_row_hash_current(pc_stmt_t *stmt, const char *table, unsigned char out[PC_HASH_SIZE]);

/* Bulk-loaded tables (src/audit/bulk.c): a file of millions of rows gets one
 * audit entry, on a row of BATCH_TABLE whose columns `row_count` and
 * `rows_digest` (hex SHA-256 over the row hashes, as loaded, in id order)
 * cover every row of TABLE whose BATCH_COLUMN names it. A covered row that
 * changed later is represented by the before-hash of its first later entry.
 * Batches with an empty rows_digest cover nothing (their rows are audited one
 * by one). NULL-terminated. */
typedef struct pc_audit_bulk {
  const char *table, *batch_table, *batch_column;
  const char *batches_sql; /* constant: id, row_count, rows_digest of the batches with a digest, by id */
  const char *rows_sql;    /* constant: the rows of one batch (parameter 1), as hashed, by id */
} pc_audit_bulk_t;
extern const pc_audit_bulk_t pc_audit_bulk_tables[];

/* Checks every batch of BULK: recomputes its digest and row count. Calls
 * ON_PROBLEM (may be NULL) with a message per failing batch and counts them
 * in *PROBLEMS; *ROWS receives the rows covered. Errors only for database
 * failures. Run inside a read transaction for a consistent view. */
int pc_audit_bulk_verify(pc_store_t *store, const pc_audit_bulk_t *bulk, void (*on_problem)(void *context, const char *text),
                         void *context, int64_t *rows, int64_t *problems, pc_error_t *err);

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

/* ---- Signing key and checkpoints, src/audit/checkpoint.c -----------------
 * The instance's Ed25519 key lives in keys/: audit_ed25519.key (0600, the
 * 32-byte seed as hex) and audit_ed25519.pub (0644, the raw 32-byte public
 * key as base64). The key id is the hex of the first 8 bytes of
 * SHA-256(public key). */

#define PC_AUDIT_KEY_FILE "audit_ed25519.key"
#define PC_AUDIT_PUBLIC_KEY_FILE "audit_ed25519.pub"
#define PC_AUDIT_PUBLIC_KEY_SIZE 32
#define PC_AUDIT_SIGNATURE_SIZE 64
#define PC_AUDIT_KEY_ID_SIZE 17 /* 16 hex digits and NUL */

typedef struct pc_audit_key {
  unsigned char secret_key[64];
  unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE];
  char key_id[PC_AUDIT_KEY_ID_SIZE];
} pc_audit_key_t;

typedef struct pc_audit_checkpoint {
  int64_t tree_size;
  unsigned char root_hash[PC_HASH_SIZE];
  char signed_at[PC_RFC3339_SIZE];
  char state_name[256];
  char key_id[PC_AUDIT_KEY_ID_SIZE];
  unsigned char signature[PC_AUDIT_SIGNATURE_SIZE];
} pc_audit_checkpoint_t;

/* Writes KEY_ID (16 lowercase hex digits) for PUBLIC_KEY. */
void pc_audit_key_id(const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE], char key_id[PC_AUDIT_KEY_ID_SIZE]);

/* Generates the instance's signing key and writes both key files durably.
 * PC_EEXIST (and nothing written) when the private key file exists. */
int pc_audit_key_create(const pc_instance_t *instance, pc_error_t *err);
/* Loads the private key. PC_EPERM when the file is readable by group or
 * others; PC_EINVAL when it is malformed or does not match the .pub file.
 * Wipe *KEY with pc_audit_key_wipe when done. */
int pc_audit_key_load(const pc_instance_t *instance, pc_audit_key_t *key, pc_error_t *err);
/* Loads the public key (all verification needs). */
int pc_audit_public_key_load(const pc_instance_t *instance, unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE],
                             pc_error_t *err);
void pc_audit_key_wipe(pc_audit_key_t *key);

/* Appends to OUT the exact bytes CHECKPOINT's signature covers:
 * "precinct audit checkpoint v1\n<state_name>\n<tree_size>\n<root hex>\n<signed_at>\n". */
int pc_audit_checkpoint_text(const pc_audit_checkpoint_t *checkpoint, pc_buf_t *out);
/* 0 when CHECKPOINT's signature verifies under PUBLIC_KEY and its key id is
 * that key's; PC_EINTEGRITY otherwise. */
int pc_audit_checkpoint_verify_signature(const pc_audit_checkpoint_t *checkpoint,
                                         const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE]);

/* Signs a checkpoint of the whole log with KEY when the log grew since the
 * newest checkpoint, in its own write transaction (STORE must have none
 * open: PC_ESTATE). *CREATED (may be NULL) is 1 when a row was written, 0
 * when the newest checkpoint already covers the log or the log is empty.
 * *OUT (may be NULL) receives the newest checkpoint (untouched when none).
 * Hashes only the leaves appended since the last checkpoint. */
int pc_audit_checkpoint(pc_store_t *store, const pc_audit_key_t *key, pc_audit_checkpoint_t *out, int *created,
                        pc_error_t *err);
/* What the server calls every audit.checkpoint_interval_seconds: loads
 * INSTANCE's key, runs pc_audit_checkpoint and wipes the key. */
int pc_audit_checkpoint_instance(const pc_instance_t *instance, pc_store_t *store, pc_audit_checkpoint_t *out,
                                 int *created, pc_error_t *err);
/* The newest checkpoint (PC_ENOTFOUND when there is none), and the first
 * one larger than AFTER_SIZE (PC_ENOTFOUND when none). */
int pc_audit_checkpoint_latest(pc_store_t *store, pc_audit_checkpoint_t *out, pc_error_t *err);
int pc_audit_checkpoint_next(pc_store_t *store, int64_t after_size, pc_audit_checkpoint_t *out, pc_error_t *err);

/* ---- Roots and proofs over the stored log, src/audit/tree.c ------------- */

/* Number of leaves in the log (PC_EINTEGRITY when seqs are not 1..n). */
int pc_audit_tree_size(pc_store_t *store, int64_t *size, pc_error_t *err);
/* Root of the first SIZE leaves, streamed from the database. */
int pc_audit_tree_root(pc_store_t *store, int64_t size, unsigned char root[PC_HASH_SIZE], pc_error_t *err);
/* Inclusion proof of leaf SEQ (1-based) in the first SIZE leaves, and
 * consistency proof between the first FROM and the first TO leaves; *LENGTH
 * receives the number of hashes (PC_MERKLE_MAX_PROOF slots). PC_EINVAL when
 * a size is beyond the log. */
int pc_audit_inclusion_proof(pc_store_t *store, int64_t seq, int64_t size, unsigned char path[][PC_HASH_SIZE],
                             size_t *length, pc_error_t *err);
int pc_audit_consistency_proof(pc_store_t *store, int64_t from, int64_t to, unsigned char proof[][PC_HASH_SIZE],
                               size_t *length, pc_error_t *err);

/* ---- Verification, src/audit/verify.c ----------------------------------- */

typedef struct pc_audit_verify_options {
  int show_progress;                                 /* progress bar on stderr */
  void (*on_problem)(void *context, const char *problem); /* each failure, may be NULL */
  void *context;
} pc_audit_verify_options_t;

typedef struct pc_audit_verify_report {
  int64_t tree_size;
  unsigned char root_hash[PC_HASH_SIZE];
  int64_t checkpoints_checked;
  int64_t newest_checkpoint_size; /* entries after it are not yet signed */
  int64_t rows_checked;        /* rows of audited tables compared with the log */
  int64_t problems;
} pc_audit_verify_report_t;

/* Recomputes everything (docs/internals/audit.md): each leaf hash from its
 * leaf_data, seq order and the columns copied from leaf_data, the root at
 * every checkpoint and its signature under PUBLIC_KEY, and that every row of
 * every audited table matches the newest after-hash logged for it (and that
 * rows whose newest entry is a deletion are gone). Runs in one read
 * transaction. *REPORT is always filled. PC_EINTEGRITY when anything fails,
 * ERR naming the first failure (table and row id, leaf seq or checkpoint
 * size) and how many more there were; OPTIONS->on_problem sees each. */
int pc_audit_verify(pc_store_t *store, const unsigned char public_key[PC_AUDIT_PUBLIC_KEY_SIZE],
                    const pc_audit_verify_options_t *options, pc_audit_verify_report_t *report, pc_error_t *err);

/* ---- Public JSON, src/audit/public.c (shapes in docs/api.md) ------------ */

/* GET /api/audit/checkpoint: the newest checkpoint; PUBLIC_KEY (may be NULL)
 * is included as base64. PC_ENOTFOUND when none exists yet. */
int pc_audit_json_checkpoint(pc_store_t *store, const unsigned char *public_key, json_t **out, pc_error_t *err);
/* GET /api/audit/proof/inclusion?seq=N&size=M (SIZE 0: the newest
 * checkpoint's size, or the whole log when there is none). */
int pc_audit_json_inclusion(pc_store_t *store, int64_t seq, int64_t size, json_t **out, pc_error_t *err);
/* GET /api/audit/proof/consistency?from=M&to=N (TO 0: as SIZE above). */
int pc_audit_json_consistency(pc_store_t *store, int64_t from, int64_t to, json_t **out, pc_error_t *err);
/* GET /api/audit/entries?after=&limit=: entries with seq > AFTER, oldest
 * first, at most LIMIT (1..PC_AUDIT_ENTRIES_MAX; 0 means 100). */
#define PC_AUDIT_ENTRIES_MAX 1000
int pc_audit_json_entries(pc_store_t *store, int64_t after, int limit, json_t **out, pc_error_t *err);

#endif
