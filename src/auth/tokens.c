/* API tokens for scripts: "pct_" + 64 hex characters, shown once and stored
 * only as SHA-256, with a read or write scope and an owner whose role and
 * county they act with. Create and revoke are audited. */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <string.h>

#define TOKEN_PREFIX "pct_"

static int may_manage_tokens_of(pc_store_t *store, const pc_principal_t *who, int64_t owner_id, pc_user_t *owner,
                                pc_error_t *err) {
  int rc = pc_auth_user_get_by_id(store, owner_id, owner, err);
  if (rc != 0) return rc;
  if (who == NULL) return 0;
  if (who->via_api_token) return pc_error_set(err, PC_EPERM, "API tokens cannot manage API tokens");
  if (who->user_id == owner_id) {
    /* Own tokens: still needs a session that passed TOTP where required. */
    return pc_auth_authorize(who, PC_ACCESS_READ, who->county_id) == 0
               ? 0
               : pc_error_set(err, PC_EPERM, "complete sign-in (TOTP) first");
  }
  if (pc_auth_may_administer(who, owner) != 0)
    return pc_error_set(err, PC_EPERM, "%s may not manage the tokens of %s", who->username, owner->username);
  return 0;
}

int pc_auth_token_create(pc_store_t *store, const pc_principal_t *who, int64_t owner_id, const char *label,
                         int read_only, char token[PC_AUTH_API_TOKEN_SIZE], int64_t *id, pc_error_t *err) {
  size_t label_length = label ? strlen(label) : 0;
  if (label_length == 0 || label_length > 128)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "label", "expected 1 to 128 characters");
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  pc_user_t owner;
  rc = may_manage_tokens_of(store, who, owner_id, &owner, err);
  if (rc == 0 && owner.disabled) rc = pc_error_set(err, PC_ESTATE, "%s is disabled", owner.username);
  char secret[PC_AUTH_TOKEN_HEX + 1], text[PC_AUTH_API_TOKEN_SIZE], hash[65], now[PC_RFC3339_SIZE];
  pc_auth_random_hex(secret);
  pc_snprintf(text, sizeof text, TOKEN_PREFIX "%s", secret);
  pc_auth_sha256_hex(text, hash);
  pc_clock_now_rfc3339(now);
  int64_t new_id = 0;
  pc_stmt_t *stmt;
  if (rc == 0)
    rc = pc_store_prepare(store,
                          "INSERT INTO api_tokens (token_hash, owner_id, label, read_only, created_at)"
                          " VALUES (?, ?, ?, ?, ?) RETURNING id",
                          &stmt, err);
  if (rc == 0) {
    pc_stmt_bind_text(stmt, 1, hash);
    pc_stmt_bind_int64(stmt, 2, owner_id);
    pc_stmt_bind_text(stmt, 3, label);
    pc_stmt_bind_int64(stmt, 4, read_only ? 1 : 0);
    pc_stmt_bind_text(stmt, 5, now);
    rc = pc_stmt_step(stmt, err);
    if (rc == PC_STORE_ROW) {
      new_id = pc_stmt_column_int64(stmt, 0);
      rc = 0;
    } else if (rc == PC_STORE_DONE) {
      rc = pc_error_set(err, PC_EINTERNAL, "token insert returned no id");
    }
    pc_stmt_finalize(stmt);
  }
  pc_actor_t actor;
  pc_auth_actor(who, &actor);
  if (rc == 0) rc = pc_audit_record(store, &actor, "api_token.create", "api_tokens", new_id, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) {
    memcpy(token, text, sizeof text);
    if (id) *id = new_id;
  }
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(text, sizeof text);
  return rc;
}

int pc_auth_token_each(pc_store_t *store, int64_t owner_id, int (*visit)(const pc_api_token_t *token, void *context),
                       void *context, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT t.id, t.owner_id, u.username, t.label, t.read_only, t.created_at,"
                            " t.revoked_at IS NOT NULL FROM api_tokens t JOIN users u ON u.id = t.owner_id"
                            " WHERE ? = 0 OR t.owner_id = ? ORDER BY t.id DESC",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, owner_id);
  pc_stmt_bind_int64(stmt, 2, owner_id);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_api_token_t token;
    memset(&token, 0, sizeof token);
    token.id = pc_stmt_column_int64(stmt, 0);
    token.owner_id = pc_stmt_column_int64(stmt, 1);
    pc_strlcpy(token.owner, pc_stmt_column_text(stmt, 2), sizeof token.owner);
    pc_strlcpy(token.label, pc_stmt_column_text(stmt, 3), sizeof token.label);
    token.read_only = (int)pc_stmt_column_int64(stmt, 4);
    pc_strlcpy(token.created_at, pc_stmt_column_text(stmt, 5), sizeof token.created_at);
    token.revoked = (int)pc_stmt_column_int64(stmt, 6);
    rc = visit(&token, context);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

/* Reads token ID's owner and revocation state. */
static int token_owner(pc_store_t *store, int64_t id, int64_t *owner_id, int *revoked, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT owner_id, revoked_at IS NOT NULL FROM api_tokens WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *owner_id = pc_stmt_column_int64(stmt, 0);
    *revoked = (int)pc_stmt_column_int64(stmt, 1);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no API token with id %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_auth_token_revoke(pc_store_t *store, const pc_principal_t *who, int64_t id, pc_error_t *err) {
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  int64_t owner_id = 0;
  int revoked = 0;
  pc_user_t owner;
  unsigned char before[PC_HASH_SIZE];
  rc = token_owner(store, id, &owner_id, &revoked, err);
  if (rc == 0) rc = may_manage_tokens_of(store, who, owner_id, &owner, err);
  if (rc == 0 && revoked) rc = pc_error_set(err, PC_ESTATE, "API token %lld is revoked already", (long long)id);
  if (rc == 0) rc = pc_audit_row_hash(store, "api_tokens", id, before, err);
  pc_stmt_t *stmt;
  if (rc == 0) rc = pc_store_prepare(store, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", &stmt, err);
  if (rc == 0) {
    char now[PC_RFC3339_SIZE];
    pc_clock_now_rfc3339(now);
    pc_stmt_bind_text(stmt, 1, now);
    pc_stmt_bind_int64(stmt, 2, id);
    rc = pc_stmt_step(stmt, err);
    rc = rc == PC_STORE_DONE ? 0 : rc;
    pc_stmt_finalize(stmt);
  }
  pc_actor_t actor;
  pc_auth_actor(who, &actor);
  if (rc == 0) rc = pc_audit_record(store, &actor, "api_token.revoke", "api_tokens", id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

int pc_auth_token_lookup(pc_store_t *store, const char *bearer, pc_principal_t *out, pc_error_t *err) {
  size_t prefix = sizeof TOKEN_PREFIX - 1;
  if (bearer == NULL || strlen(bearer) != prefix + PC_AUTH_TOKEN_HEX || strncmp(bearer, TOKEN_PREFIX, prefix) != 0 ||
      strspn(bearer + prefix, "0123456789abcdef") != PC_AUTH_TOKEN_HEX)
    return pc_error_set(err, PC_EAUTH, "invalid API token");
  char hash[65];
  pc_auth_sha256_hex(bearer, hash);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT owner_id, read_only FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, hash);
  rc = pc_stmt_step(stmt, err);
  int64_t owner_id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  int read_only = rc == PC_STORE_ROW ? (int)pc_stmt_column_int64(stmt, 1) : 1;
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_ROW) return rc < 0 ? rc : pc_error_set(err, PC_EAUTH, "invalid API token");
  pc_user_t owner;
  rc = pc_auth_user_get_by_id(store, owner_id, &owner, err);
  if (rc != 0) return rc;
  if (owner.disabled) return pc_error_set(err, PC_EAUTH, "invalid API token");
  pc_auth_principal_from_user(&owner, out);
  out->mfa_ok = 1; /* the token was made from a session that passed TOTP where required */
  out->via_api_token = 1;
  out->token_read_only = read_only;
  return 0;
}
