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

/* Incremental row hashing, for code that knows a row's values without
 * reading it back (bulk imports): feeding every column of the row, in table
 * order, with the type the database stores, gives exactly
 * pc_audit_row_hash's result. The state is opaque. */
typedef struct pc_audit_row_hasher {
  _Alignas(64) unsigned char opaque[1024];
} pc_audit_row_hasher_t;
void pc_audit_hasher_start(pc_audit_row_hasher_t *h, const char *table);
void pc_audit_hasher_null(pc_audit_row_hasher_t *h, const char *column);
void pc_audit_hasher_int64(pc_audit_row_hasher_t *h, const char *column, int64_t value);
void pc_audit_hasher_text(pc_audit_row_hasher_t *h, const char *column, const char *text, size_t length);
void pc_audit_hasher_blob(pc_audit_row_hasher_t *h, const char *column, const void *data, size_t size);
void pc_audit_hasher_finish(pc_audit_row_hasher_t *h, unsigned char out[PC_HASH_SIZE]);

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

#endif
