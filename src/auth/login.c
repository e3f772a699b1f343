/* Password (and TOTP) login: throttling first, then a password check that
 * costs the same whether or not the account exists, then the second factor,
 * then a new session. Every outcome is audited (username only; the password
 * and code never leave this file). */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"

#include <pthread.h>
#include <string.h>

static char dummy_hash[PC_AUTH_HASH_SIZE];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A real argon2id hash of a random password, checked against when the
 * account does not exist so that an unknown name takes as long as a known one. */
static void make_dummy_hash(void) {
  char password[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(password);
  if (pc_auth_password_hash(password, dummy_hash, NULL) != 0) abort();
  sodium_memzero(password, sizeof password);
}

static const char failure_message[] = "wrong username, password or code";

/* The username as it may appear in the audit log: only a syntactically valid
 * one, so a password typed into the name field is not recorded. */
static const char *loggable_username(const char *username) {
  size_t length = username ? strlen(username) : 0;
  if (length < 3 || length > 64 || strspn(username, "abcdefghijklmnopqrstuvwxyz0123456789._-") != length)
    return "(invalid username)";
  return username;
}

static int audit_event(pc_store_t *store, const char *username, const char *action, pc_error_t *err) {
  pc_actor_t actor = {.user_id = 0, .username = loggable_username(username), .role = "public", .county = NULL};
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = pc_audit_record_event(store, &actor, action, "users", NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

static int fail(pc_store_t *store, pc_auth_t *auth, const char *username, const char *address, pc_error_t *err) {
  pc_auth_throttle_failure(auth, username, address);
  int rc = audit_event(store, username, "auth.login_failed", err);
  if (rc != 0) return rc;
  return pc_error_set(err, PC_EAUTH, failure_message);
}

/* Checks the second factor of USER: 0 with *STEP set (or -1 when the account
 * has no TOTP), PC_EAUTH for a wrong, missing or replayed code. */
static int check_code(pc_store_t *store, const pc_auth_t *auth, const pc_user_t *user, const char *code,
                      int64_t *step, pc_error_t *err) {
  *step = -1;
  if (!user->totp_enabled) return 0;
  unsigned char secret_box[PC_AUTH_BOX_SIZE], pending_box[PC_AUTH_BOX_SIZE], secret[PC_AUTH_TOTP_SECRET_SIZE];
  size_t secret_size = 0, pending_size = 0;
  int64_t last_step = 0;
  int rc = pc_auth_user_totp_state(store, user->id, secret_box, &secret_size, pending_box, &pending_size, &last_step,
                                   err);
  if (rc != 0) return rc;
  if (pc_auth_open_box(auth, secret_box, secret_size, secret) != 0)
    return pc_error_set(err, PC_EINTEGRITY, "the TOTP secret of user %lld does not decrypt with keys/secrets.key",
                        (long long)user->id);
  rc = pc_auth_totp_match(secret, code, pc_clock_now(), last_step, step);
  sodium_memzero(secret, sizeof secret);
  return rc;
}

static int start_session(pc_store_t *store, pc_auth_t *auth, const pc_user_t *user, int64_t step,
                         pc_auth_login_result_t *out, pc_error_t *err) {
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  rc = pc_audit_row_hash(store, "users", user->id, before, err);
  /* The step is stored under the transaction with the WHERE guard, so two
   * logins racing with the same code cannot both succeed. */
  if (rc == 0 && step >= 0) {
    pc_stmt_t *stmt;
    rc = pc_store_prepare(store, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", &stmt, err);
    if (rc == 0) {
      pc_stmt_bind_int64(stmt, 1, step);
      pc_stmt_bind_int64(stmt, 2, user->id);
      pc_stmt_bind_int64(stmt, 3, step);
      rc = pc_stmt_step(stmt, err);
      rc = rc == PC_STORE_DONE ? 0 : rc;
      pc_stmt_finalize(stmt);
      if (rc == 0 && pc_store_changes(store) != 1) rc = PC_EAUTH;
    }
  }
  pc_auth_login_result_t result;
  memset(&result, 0, sizeof result);
  int mfa_ok = step >= 0;
  if (rc == 0) rc = pc_auth_session_create(store, auth, user->id, mfa_ok, result.token, &result.principal, err);
  pc_actor_t actor;
  pc_auth_actor(&result.principal, &actor);
  if (rc == 0) rc = pc_audit_record(store, &actor, "auth.login", "users", user->id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  if (rc == 0) {
    result.needs_totp_enrolment = pc_auth_role_requires_totp(user->role) && !user->totp_enabled;
    *out = result;
  }
  sodium_memzero(&result, sizeof result);
  return rc;
}

int pc_auth_login(pc_store_t *store, pc_auth_t *auth, const char *username, const char *password, const char *code,
                  const char *address, pc_auth_login_result_t *out, pc_error_t *err) {
  if (username == NULL || password == NULL) return pc_error_set(err, PC_EINVAL, "username and password are required");
  if (pc_auth_throttle_check(auth, username, address) != 0) {
    int rc = audit_event(store, username, "auth.login_throttled", err);
    if (rc != 0) return rc;
    return pc_error_set(err, PC_EBUSY, "too many failed sign-ins; wait %d minutes and try again",
                        auth->config.login_window_minutes);
  }
  pthread_once(&dummy_once, make_dummy_hash);
  pc_user_t user;
  pc_error_t lookup_err;
  int rc = pc_auth_user_get(store, username, &user, &lookup_err);
  if (rc != 0 && rc != PC_ENOTFOUND) return pc_error_set(err, rc, "%s", lookup_err.message);
  int known = rc == 0;
  char hash[PC_AUTH_HASH_SIZE];
  if (known && (rc = pc_auth_user_password_hash(store, user.id, hash, err)) != 0) return rc;
  /* Always one argon2id verification, against the dummy when unknown. */
  int password_ok = pc_auth_password_verify(known ? hash : dummy_hash, password) == 0;
  sodium_memzero(hash, sizeof hash);
  if (!known || !password_ok || user.disabled) return fail(store, auth, username, address, err);
  int64_t step = -1;
  rc = check_code(store, auth, &user, code, &step, err);
  if (rc == PC_EAUTH) return fail(store, auth, username, address, err);
  if (rc != 0) return rc;
  rc = start_session(store, auth, &user, step, out, err);
  if (rc == PC_EAUTH) return fail(store, auth, username, address, err);
  if (rc == 0) pc_auth_throttle_success(auth, username);
  return rc;
}
