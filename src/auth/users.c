/* Users: create, look up, list, disable/enable and set passwords, each
 * change authorized with pc_auth_authorize and audited in its transaction.
 * Password hashes and TOTP secrets stay in the row; only the row's hash
 * reaches the audit log. Login is in login.c, TOTP in totp_enrol.c. */
#include "auth_internal.h"

#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"

#include <string.h>

/* The user columns read_user reads, in its order; joined into each statement
 * at compile time, so every statement is a constant. */
#define SELECT_USER \
    "SELECT u.id, u.username, u.role, COALESCE(u.county_id, 0), COALESCE(c.name, ''), u.disabled," \
    " u.totp_secret IS NOT NULL, u.created_at FROM users u LEFT JOIN counties c ON c.id = u.county_id "

static void read_user(pc_stmt_t *stmt, pc_user_t *out) {
  memset(out, 0, sizeof *out);
  out->id = pc_stmt_column_int64(stmt, 0);
  pc_strlcpy(out->username, pc_stmt_column_text(stmt, 1), sizeof out->username);
  pc_strlcpy(out->role, pc_stmt_column_text(stmt, 2), sizeof out->role);
  out->county_id = pc_stmt_column_int64(stmt, 3);
  pc_strlcpy(out->county, pc_stmt_column_text(stmt, 4), sizeof out->county);
  out->disabled = (int)pc_stmt_column_int64(stmt, 5);
  out->totp_enabled = (int)pc_stmt_column_int64(stmt, 6);
  pc_strlcpy(out->created_at, pc_stmt_column_text(stmt, 7), sizeof out->created_at);
}

/* Reads the one user SQL (a constant statement with one parameter) finds:
 * by TEXT when given, else by ID. */
static int get_one(pc_store_t *store, const char *sql, const char *text, int64_t id, pc_user_t *out,
                   pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  if (text) pc_stmt_bind_text(stmt, 1, text);
  else pc_stmt_bind_int64(stmt, 1, id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    read_user(stmt, out);
    rc = 0;
  } else if (rc == PC_STORE_DONE) {
    rc = text ? pc_error_set_at(err, PC_ENOTFOUND, NULL, 0, "username", "no user named \"%s\"", text)
              : pc_error_set(err, PC_ENOTFOUND, "no user with id %lld", (long long)id);
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_auth_user_get(pc_store_t *store, const char *username, pc_user_t *out, pc_error_t *err) {
  return get_one(store, SELECT_USER "WHERE u.username = ?", username, 0, out, err);
}

int pc_auth_user_get_by_id(pc_store_t *store, int64_t id, pc_user_t *out, pc_error_t *err) {
  return get_one(store, SELECT_USER "WHERE u.id = ?", NULL, id, out, err);
}

int pc_auth_user_each(pc_store_t *store, int64_t county_id, int (*visit)(const pc_user_t *user, void *context),
                      void *context, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, SELECT_USER "WHERE ? = 0 OR u.county_id = ? ORDER BY u.username", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, county_id);
  pc_stmt_bind_int64(stmt, 2, county_id);
  while ((rc = pc_stmt_step(stmt, err)) == PC_STORE_ROW) {
    pc_user_t user;
    read_user(stmt, &user);
    rc = visit(&user, context);
    if (rc != 0) break;
  }
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

void pc_auth_principal_from_user(const pc_user_t *user, pc_principal_t *out) {
  memset(out, 0, sizeof *out);
  out->user_id = user->id;
  pc_strlcpy(out->username, user->username, sizeof out->username);
  pc_strlcpy(out->role, user->role, sizeof out->role);
  out->county_id = user->county_id;
  pc_strlcpy(out->county, user->county, sizeof out->county);
}

static int may_manage(const pc_principal_t *who, const char *role, int64_t county_id) {
  if (who == NULL) return 0; /* the CLI operator */
  if (strcmp(role, "state_admin") == 0) return pc_auth_authorize(who, PC_ACCESS_STATE, 0);
  return pc_auth_authorize(who, PC_ACCESS_ADMIN, county_id);
}

int pc_auth_may_administer(const pc_principal_t *who, const pc_user_t *target) {
  return may_manage(who, target->role, target->county_id);
}

static int validate_username(const char *username, pc_error_t *err) {
  size_t length = username ? strlen(username) : 0;
  if (length < 3 || length > 64 || strspn(username, "abcdefghijklmnopqrstuvwxyz0123456789._-") != length)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "username",
                           "expected 3 to 64 characters from a-z, 0-9, '.', '_' and '-'");
  return 0;
}

static int insert_user(pc_store_t *store, const char *username, const char *role, int64_t county_id,
                       const char *hash, int64_t *id, pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store,
                            "INSERT INTO users (username, role, county_id, password_hash, created_at, updated_at)"
                            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                            &stmt, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  pc_stmt_bind_text(stmt, 1, username);
  pc_stmt_bind_text(stmt, 2, role);
  if (county_id) pc_stmt_bind_int64(stmt, 3, county_id);
  else pc_stmt_bind_null(stmt, 3);
  pc_stmt_bind_text(stmt, 4, hash);
  pc_stmt_bind_text(stmt, 5, now);
  pc_stmt_bind_text(stmt, 6, now);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) {
    *id = pc_stmt_column_int64(stmt, 0);
    rc = 0;
  } else if (rc == PC_ECONFLICT) {
    rc = pc_error_set_at(err, PC_EEXIST, NULL, 0, "username", "a user named \"%s\" exists already", username);
  } else if (rc == PC_STORE_DONE) {
    rc = pc_error_set(err, PC_EINTERNAL, "insert returned no id");
  }
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_auth_user_create(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, const char *username,
                        const char *role, const char *county, const char *password, int64_t *id, pc_error_t *err) {
  int rc = validate_username(username, err);
  if (rc != 0) return rc;
  if (!pc_auth_role_valid(role))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "role",
                           "expected state_admin, county_admin, clerk or auditor, got \"%s\"", role ? role : "");
  int state_wide = strcmp(role, "state_admin") == 0;
  int has_county = county && county[0];
  if (state_wide && has_county)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "county", "a state_admin is not scoped to a county");
  if (!state_wide && !has_county)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "county", "a %s must belong to a county", role);
  pc_county_t found = {0};
  if (has_county && (rc = pc_counties_find(store, county, &found, err)) != 0) return rc;
  if (who && may_manage(who, role, found.id) != 0)
    return pc_error_set(err, PC_EPERM, "%s may not create a %s%s%s", who->username, role, has_county ? " in " : "",
                        has_county ? county : "");
  rc = pc_auth_password_check(password, username, auth->config.password_min_length, err);
  if (rc != 0) return rc;
  char hash[PC_AUTH_HASH_SIZE];
  rc = pc_auth_password_hash(password, hash, err);
  if (rc != 0) return rc;
  rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  int64_t new_id = 0;
  rc = insert_user(store, username, role, found.id, hash, &new_id, err);
  pc_actor_t actor;
  pc_auth_actor(who, &actor);
  if (rc == 0) rc = pc_audit_record(store, &actor, "user.create", "users", new_id, NULL, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  sodium_memzero(hash, sizeof hash);
  if (rc == 0 && id) *id = new_id;
  return rc;
}

int pc_auth_user_change_begin(pc_store_t *store, int64_t user_id, pc_user_t *target,
                              unsigned char before[PC_HASH_SIZE], pc_error_t *err) {
  int rc = pc_store_begin(store, err);
  if (rc != 0) return rc;
  pc_user_t loaded;
  rc = pc_auth_user_get_by_id(store, user_id, target ? target : &loaded, err);
  if (rc == 0) rc = pc_audit_row_hash(store, "users", user_id, before, err);
  if (rc != 0) pc_store_rollback(store);
  return rc;
}

int pc_auth_user_change_finish(pc_store_t *store, const pc_principal_t *who, const char *action, int64_t user_id,
                               const unsigned char before[PC_HASH_SIZE], int rc, pc_error_t *err) {
  pc_actor_t actor;
  pc_auth_actor(who, &actor);
  if (rc == 0) rc = pc_audit_record(store, &actor, action, "users", user_id, before, NULL, err);
  if (rc == 0) rc = pc_store_commit(store, err);
  else pc_store_rollback(store);
  return rc;
}

static int run_update(pc_store_t *store, const char *sql, const char *text, int64_t number, int64_t user_id,
                      pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, sql, &stmt, err);
  if (rc != 0) return rc;
  char now[PC_RFC3339_SIZE];
  pc_clock_now_rfc3339(now);
  if (text) pc_stmt_bind_text(stmt, 1, text);
  else pc_stmt_bind_int64(stmt, 1, number);
  pc_stmt_bind_text(stmt, 2, now);
  pc_stmt_bind_int64(stmt, 3, user_id);
  rc = pc_stmt_step(stmt, err);
  pc_stmt_finalize(stmt);
  return rc == PC_STORE_DONE ? 0 : rc;
}

int pc_auth_user_set_disabled(pc_store_t *store, const pc_principal_t *who, int64_t user_id, int disabled,
                              pc_error_t *err) {
  if (who && who->user_id == user_id) return pc_error_set(err, PC_EPERM, "you cannot disable or enable yourself");
  pc_user_t target;
  unsigned char before[PC_HASH_SIZE];
  int rc = pc_auth_user_change_begin(store, user_id, &target, before, err);
  if (rc != 0) return rc;
  if (who && pc_auth_may_administer(who, &target) != 0) {
    pc_store_rollback(store);
    return pc_error_set(err, PC_EPERM, "%s may not administer %s", who->username, target.username);
  }
  rc = run_update(store, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", NULL, disabled ? 1 : 0,
                  user_id, err);
  if (rc == 0 && disabled) rc = pc_auth_session_destroy_all(store, user_id, err);
  return pc_auth_user_change_finish(store, who, disabled ? "user.disable" : "user.enable", user_id, before, rc, err);
}

int pc_auth_user_set_password(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, int64_t user_id,
                              const char *new_password, pc_error_t *err) {
  pc_user_t target;
  int rc = pc_auth_user_get_by_id(store, user_id, &target, err);
  if (rc != 0) return rc;
  /* Checked (and hashed: slow) before the transaction, re-checked inside. */
  rc = pc_auth_password_check(new_password, target.username, auth->config.password_min_length, err);
  if (rc != 0) return rc;
  char hash[PC_AUTH_HASH_SIZE];
  rc = pc_auth_password_hash(new_password, hash, err);
  if (rc != 0) return rc;
  unsigned char before[PC_HASH_SIZE];
  rc = pc_auth_user_change_begin(store, user_id, &target, before, err);
  if (rc == 0) {
    int self = who && who->user_id == user_id && !who->via_api_token;
    if (who && !self && pc_auth_may_administer(who, &target) != 0)
      rc = pc_error_set(err, PC_EPERM, "%s may not set the password of %s", who->username, target.username);
    if (rc == 0)
      rc = run_update(store, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, 0, user_id, err);
    if (rc == 0) rc = pc_auth_session_destroy_all(store, user_id, err);
    rc = pc_auth_user_change_finish(store, who, "user.set_password", user_id, before, rc, err);
  }
  sodium_memzero(hash, sizeof hash);
  return rc;
}

int pc_auth_user_password_hash(pc_store_t *store, int64_t user_id, char out[PC_AUTH_HASH_SIZE], pc_error_t *err) {
  pc_stmt_t *stmt;
  int rc = pc_store_prepare(store, "SELECT password_hash FROM users WHERE id = ?", &stmt, err);
  if (rc != 0) return rc;
  pc_stmt_bind_int64(stmt, 1, user_id);
  rc = pc_stmt_step(stmt, err);
  if (rc == PC_STORE_ROW) rc = pc_strlcpy(out, pc_stmt_column_text(stmt, 0), PC_AUTH_HASH_SIZE);
  else if (rc == PC_STORE_DONE) rc = pc_error_set(err, PC_ENOTFOUND, "no user with id %lld", (long long)user_id);
  pc_stmt_finalize(stmt);
  return rc;
}

int pc_auth_user_change_password(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who,
                                 const char *current_password, const char *new_password, pc_error_t *err) {
  if (who == NULL || who->via_api_token) return pc_error_set(err, PC_EPERM, "only a signed-in user changes their password");
  char hash[PC_AUTH_HASH_SIZE];
  int rc = pc_auth_user_password_hash(store, who->user_id, hash, err);
  if (rc != 0) return rc;
  rc = pc_auth_password_verify(hash, current_password);
  sodium_memzero(hash, sizeof hash);
  if (rc != 0) return pc_error_set_at(err, PC_EAUTH, NULL, 0, "current_password", "the current password is wrong");
  return pc_auth_user_set_password(store, auth, who, who->user_id, new_password, err);
}
