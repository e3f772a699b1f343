/* Sessions: random 256-bit cookie tokens of which only the SHA-256 is
 * stored, idle and absolute expiry, a per-session CSRF token, logout, and the
 * Set-Cookie header. Password/TOTP checking before a session is made is in
 * login.c. */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <string.h>

/* last_seen_at is written at most this often, to keep requests read-only. */
#define TOUCH_INTERVAL_SECONDS 60

static int is_hex_token(const char *token) {
  return token && strlen(token) == PC_AUTH_TOKEN_HEX && strspn(token, "0123456789abcdef") == PC_AUTH_TOKEN_HEX;
}

int pc_auth_session_create(pc_store_t *store, const pc_auth_t *auth, int64_t user_id, int mfa_ok,
                           char token[PC_AUTH_TOKEN_HEX + 1], pc_principal_t *out, pc_error_t *err) {
  pc_user_t user;
  int rc = pc_auth_user_get_by_id(store, user_id, &user, err);
  if (rc != 0) return rc;
  if (user.disabled) return pc_error_set(err, PC_EAUTH, "the account is disabled");
  char new_token[PC_AUTH_TOKEN_HEX + 1], token_hash[65], csrf[PC_AUTH_TOKEN_HEX + 1];
  pc_auth_random_hex(new_token);
  pc_auth_random_hex(csrf);
  pc_auth_sha256_hex(new_token, token_hash);
  int64_t now = pc_clock_now();
  char now_text[PC_RFC3339_SIZE], absolute[PC_RFC3339_SIZE];
  pc_clock_format_rfc3339(now, now_text);
  pc_clock_format_rfc3339(now + (int64_t)auth->config.session_absolute_hours * 3600, absolute);
  pc_stmt_t *stmt;
  rc = pc_store_prepare(store,
                        "INSERT INTO sessions (token_hash, user_id, csrf_token, mfa_ok, created_at, last_seen_at,"
                        " absolute_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, token_hash);
  pc_stmt_bind_int64(stmt, 2, user_id);
  pc_stmt_bind_text(stmt, 3, csrf);
  pc_stmt_bind_int64(stmt, 4, mfa_ok ? 1 : 0);
  pc_stmt_bind_text(stmt, 5, now_text);
  pc_stmt_bind_text(stmt, 6, now_text);
  pc_stmt_bind_text(stmt, 7, absolute);
  rc = pc_stmt_step(stmt, err);
  int64_t session_id = rc == PC_STORE_ROW ? pc_stmt_column_int64(stmt, 0) : 0;
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_ROW) return rc < 0 ? rc : pc_error_set(err, PC_EINTERNAL, "session insert returned no id");
  memcpy(token, new_token, sizeof new_token);
  if (out) {
    pc_auth_principal_from_user(&user, out);
    out->mfa_ok = mfa_ok ? 1 : 0;
    out->session_id = session_id;
    memcpy(out->csrf_token, csrf, sizeof csrf);
  }
  sodium_memzero(new_token, sizeof new_token);
  return 0;
}

static int run_on_id(pc_store_t *store, const char *sql, const char *text, int64_t id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  int index = 1;
  if (text) pc_stmt_bind_text(stmt, index++, text);
  pc_stmt_bind_int64(stmt, index, id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

int pc_auth_session_lookup(pc_store_t *store, const pc_auth_t *auth, const char *token, pc_principal_t *out,
                           pc_error_t *err) {
  if (!is_hex_token(token)) return pc_error_set(err, PC_EAUTH, "not signed in");
  char token_hash[65];
  pc_auth_sha256_hex(token, token_hash);
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "SELECT id, user_id, csrf_token, mfa_ok, last_seen_at, absolute_expires_at FROM sessions"
                            " WHERE token_hash = ?",
                            &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, token_hash);
  rc = pc_stmt_step(stmt, err);
  if (rc != PC_STORE_ROW) {
    pc_stmt_finalize(stmt);
    return rc < 0 ? rc : pc_error_set(err, PC_EAUTH, "not signed in");
  }
  int64_t session_id = pc_stmt_column_int64(stmt, 0), user_id = pc_stmt_column_int64(stmt, 1);
  char csrf[PC_AUTH_TOKEN_HEX + 1];
  pc_strlcpy(csrf, pc_stmt_column_text(stmt, 2), sizeof csrf);
  int mfa_ok = (int)pc_stmt_column_int64(stmt, 3);
  int64_t last_seen = 0, absolute = 0;
  int parsed = pc_clock_parse_rfc3339(pc_stmt_column_text(stmt, 4), &last_seen) == 0 &&
               pc_clock_parse_rfc3339(pc_stmt_column_text(stmt, 5), &absolute) == 0;
  pc_stmt_finalize(stmt);
  int64_t now = pc_clock_now();
  int expired = !parsed || now >= absolute || now - last_seen >= (int64_t)auth->config.session_idle_minutes * 60;
  if (expired) {
    rc = run_on_id(store, "DELETE FROM sessions WHERE id = ?", NULL, session_id, err);
    return rc != 0 ? rc : pc_error_set(err, PC_EAUTH, "the session has expired; sign in again");
  }
  pc_user_t user;
  rc = pc_auth_user_get_by_id(store, user_id, &user, err);
  if (rc != 0) return rc;
  if (user.disabled) return pc_error_set(err, PC_EAUTH, "the account is disabled");
  if (now - last_seen >= TOUCH_INTERVAL_SECONDS) {
    char now_text[PC_RFC3339_SIZE];
    pc_clock_format_rfc3339(now, now_text);
    rc = run_on_id(store, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", now_text, session_id, err);
    if (rc != 0) return rc;
  }
  pc_auth_principal_from_user(&user, out);
  out->mfa_ok = mfa_ok;
  out->session_id = session_id;
  memcpy(out->csrf_token, csrf, sizeof csrf);
  return 0;
}

int pc_auth_session_destroy(pc_store_t *store, const pc_principal_t *who, pc_error_t *err) {
  if (who == NULL || who->session_id <= 0) return pc_error_set(err, PC_EINVAL, "no session to end");
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = run_on_id(store, "DELETE FROM sessions WHERE id = ?", NULL, who->session_id, err);
  pc_actor_t actor;
  pc_auth_actor(who, &actor);
  char id[32];
  pc_snprintf(id, sizeof id, "%lld", (long long)who->user_id);
  if (rc == 0) rc = pc_audit_record_event(store, &actor, "auth.logout", "users", id, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

int pc_auth_session_destroy_all(pc_store_t *store, int64_t user_id, pc_error_t *err) {
  if (!pc_store_in_transaction(store))
    return pc_error_set(err, PC_EINTERNAL, "ending a user's sessions must be part of the change's transaction");
  return run_on_id(store, "DELETE FROM sessions WHERE user_id = ?", NULL, user_id, err);
}

int pc_auth_session_prune(pc_store_t *store, const pc_auth_t *auth, int64_t *deleted, pc_error_t *err) {
  int64_t now = pc_clock_now();
  char now_text[PC_RFC3339_SIZE], idle_cutoff[PC_RFC3339_SIZE];
  pc_clock_format_rfc3339(now, now_text);
  pc_clock_format_rfc3339(now - (int64_t)auth->config.session_idle_minutes * 60, idle_cutoff);
  pc_stmt_t *stmt;
  /* RFC 3339 UTC timestamps of one format order as text. */
  int rc = pc_store_prepare(store, "DELETE FROM sessions WHERE absolute_expires_at <= ? OR last_seen_at <= ?", &stmt,
                            err);
  if (rc != 0) return rc;
  pc_stmt_bind_text(stmt, 1, now_text);
  pc_stmt_bind_text(stmt, 2, idle_cutoff);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  if (rc != PC_STORE_DONE) return rc;
  if (deleted) *deleted = pc_store_changes(store);
  return 0;
}

int pc_auth_csrf_valid(const pc_principal_t *who, const char *submitted) {
  if (who == NULL || submitted == NULL || !is_hex_token(who->csrf_token) || strlen(submitted) != PC_AUTH_TOKEN_HEX)
    return 0;
  return sodium_memcmp(who->csrf_token, submitted, PC_AUTH_TOKEN_HEX) == 0;
}

int pc_auth_cookie_header(const char *token, int secure, long max_age, char *out, size_t out_size) {
  if (token == NULL || (token[0] && !is_hex_token(token))) return PC_EINVAL;
  char age[48] = "";
  if (max_age >= 0) pc_snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
  return pc_snprintf(out, out_size, "Set-Cookie: precinct_session=%s; Path=/; HttpOnly; SameSite=Strict%s%s", token,
                     secure ? "; Secure" : "", age) == 0
             ? 0
             : PC_ELIMIT;
}
