/* TOTP against stored secrets: two-step enrolment (pending secret, then
 * confirmation with a valid code), checking a code at login with replay
 * refusal (the last accepted step is stored per user), and reset. Secrets are
 * stored sealed with the instance's secrets.key (context.c). */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <string.h>

int pc_auth_user_totp_state(pc_store_t *store, int64_t id, unsigned char *secret_box, size_t *secret_box_size,
                            unsigned char *pending_box, size_t *pending_box_size, int64_t *last_step,
                            pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = ?", &stmt,
                            err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    unsigned char *boxes[2] = {secret_box, pending_box};
    size_t *sizes[2] = {secret_box_size, pending_box_size};
    for (int i = 0; i < 2; i++) {
      size_t size = 0;
      const void *blob = pc_stmt_column_is_null(stmt, i) ? NULL : pc_stmt_column_blob(stmt, i, &size);
      *sizes[i] = 0;
      if (blob && size == PC_AUTH_BOX_SIZE) {
        memcpy(boxes[i], blob, size);
        *sizes[i] = size;
      }
    }
    *last_step = pc_stmt_column_int64(stmt, 2);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_ENOTFOUND, "no user with id %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_auth_totp_match(const unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE], const char *code, int64_t now,
                       int64_t last_step, int64_t *step) {
  if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6) return PC_EAUTH;
  int64_t current = now / PC_AUTH_TOTP_STEP;
  int found = 0;
  /* Every candidate is computed and compared, so timing does not tell which matched. */
  for (int64_t candidate = current - 1; candidate <= current + 1; candidate++) {
    char expected[7];
    if (candidate < 0 || pc_auth_totp_code(secret, PC_AUTH_TOTP_SECRET_SIZE, candidate * PC_AUTH_TOTP_STEP, 6,
                                           expected) != 0)
      continue;
    if (sodium_memcmp(expected, code, 6) == 0 && candidate > last_step && !found) {
      found = 1;
      *step = candidate;
    }
  }
  return found ? 0 : PC_EAUTH;
}

/* Runs SQL binding, in order: BOX (when given), STEP (when >= 0), now, ID. */
static int store_boxes(pc_store_t *store, int64_t id, const char *sql, const unsigned char *box, int64_t step,
                       pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  int index = 1;
  if (box) pc_stmt_bind_blob(stmt, index++, box, PC_AUTH_BOX_SIZE);
  if (step >= 0) pc_stmt_bind_int64(stmt, index++, step);
  pc_stmt_bind_text(stmt, index++, now);
  pc_stmt_bind_int64(stmt, index, id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

int pc_auth_totp_begin(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, char *uri,
                       size_t uri_size, pc_error_t *err) {
  if (who == NULL || who->user_id <= 0 || who->via_api_token)
    return pc_error_set(err, PC_EPERM, "only a signed-in user enrols their own authenticator");
  unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE], box[PC_AUTH_BOX_SIZE], before[PC_HASH_SIZE];
  randombytes_buf(secret, sizeof secret);
  int rc = pc_auth_totp_uri(who->username, secret, sizeof secret, uri, uri_size);
  if (rc != 0) rc = pc_error_set(err, rc, "URI buffer too small");
  if (rc == 0) {
    pc_auth_seal(auth, secret, box);
    rc = pc_auth_user_change_begin(store, who->user_id, NULL, before, err);
    if (rc == 0) {
      rc = store_boxes(store, who->user_id, "UPDATE users SET totp_pending = ?, updated_at = ? WHERE id = ?", box, -1,
                       err);
      rc = pc_auth_user_change_finish(store, who, "user.totp_begin", who->user_id, before, rc, err);
    }
  }
  sodium_memzero(secret, sizeof secret);
  if (rc != 0 && uri_size) sodium_memzero(uri, uri_size);
  return rc;
}

int pc_auth_totp_confirm(pc_store_t *store, const pc_auth_t *auth, pc_principal_t *who, const char *code,
                         pc_error_t *err) {
  if (who == NULL || who->user_id <= 0 || who->via_api_token)
    return pc_error_set(err, PC_EPERM, "only a signed-in user enrols their own authenticator");
  unsigned char before[PC_HASH_SIZE], secret_box[PC_AUTH_BOX_SIZE], pending_box[PC_AUTH_BOX_SIZE];
  unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE];
  size_t secret_size = 0, pending_size = 0;
  int64_t last_step = 0, step = 0;
  int rc = pc_auth_user_change_begin(store, who->user_id, NULL, before, err);
  if (rc != 0) return rc;
  rc = pc_auth_user_totp_state(store, who->user_id, secret_box, &secret_size, pending_box, &pending_size, &last_step,
                               err);
  if (rc == 0 && pending_size == 0) rc = pc_error_set(err, PC_ESTATE, "no authenticator enrolment is pending");
  if (rc == 0 && pc_auth_open_box(auth, pending_box, pending_size, secret) != 0)
    rc = pc_error_set(err, PC_EINTEGRITY, "the pending TOTP secret does not decrypt with keys/secrets.key");
  if (rc == 0 && pc_auth_totp_match(secret, code, pc_clock_now(), last_step, &step) != 0)
    rc = pc_error_set_at(err, PC_EAUTH, NULL, 0, "code", "the code does not match; check the device's clock");
  sodium_memzero(secret, sizeof secret);
  if (rc == 0)
    rc = store_boxes(store, who->user_id,
                     "UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = ?, updated_at = ?"
                     " WHERE id = ?",
                     pending_box, step, err);
  if (rc == 0 && who->session_id > 0) {
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store, "UPDATE sessions SET mfa_ok = 1 WHERE id = ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_int64(stmt, 1, who->session_id);
      rc = pc_stmt_step(stmt, err);
      rc = rc == PC_STORE_DONE ? 0 : rc;
      pc_stmt_finalize(stmt);
    }
  }
  rc = pc_auth_user_change_finish(store, who, "user.totp_enable", who->user_id, before, rc, err);
  if (rc == 0) who->mfa_ok = 1;
  return rc;
}

int pc_auth_totp_reset(pc_store_t *store, const pc_principal_t *who, int64_t user_id, pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  pc_user_t target;
  int rc = pc_auth_user_change_begin(store, user_id, &target, before, err);
  if (rc != 0) return rc;
  if (who && pc_auth_may_administer(who, &target) != 0)
    rc = pc_error_set(err, PC_EPERM, "%s may not administer %s", who->username, target.username);
  if (rc == 0)
    rc = store_boxes(store, user_id,
                     "UPDATE users SET totp_secret = NULL, totp_pending = NULL, updated_at = ? WHERE id = ?", NULL, -1,
                     err);
  if (rc == 0) rc = pc_auth_session_destroy_all(store, user_id, err);
  return pc_auth_user_change_finish(store, who, "user.totp_reset", user_id, before, rc, err);
}
