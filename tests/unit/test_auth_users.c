/* Unit tests for accounts against a real instance: users and who may manage
 * them, login with throttling, sessions (expiry, CSRF, cookies), TOTP
 * enrolment and replay refusal, API tokens, and the audit log never holding
 * a secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include "precinct/auth.h"
#include "precinct/buf.h"
#include "precinct/clock.h"
#include "precinct/counties.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>

#define T0 1800000000 /* a fixed "now", on a 30-second boundary */
#define PW_ADMIN "state admin password 1"
#define PW_ALDER "alder admin password 1"
#define PW_CLERK "alder clerk password 1"
#define PW_BIRCH "birch clerk password 1"

typedef struct fixture {
  pc_instance_t instance;
  pc_store_t *store;
  pc_auth_t *auth;
  int64_t alder, birch;
  pc_user_t admin, alder_admin, clerk, birch_clerk;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  pc_test_instance(&f->instance, &f->store);
  f->instance.config.login_max_failures = 3;
  f->instance.config.login_window_minutes = 10;
  f->instance.config.session_idle_minutes = 30;
  f->instance.config.session_absolute_hours = 2;
  pc_clock_set_fixed(T0);
  pc_error_t err;
  assert_int_equal(pc_auth_open(&f->instance, 16, &f->auth, &err), 0);
  pc_actor_t op;
  pc_audit_cli_actor(&op);
  assert_int_equal(pc_counties_create(f->store, &op, "Alder", NULL, &f->alder, &err), 0);
  assert_int_equal(pc_counties_create(f->store, &op, "Birch", NULL, &f->birch, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "admin", "state_admin", NULL, PW_ADMIN, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "alder-admin", "county_admin", "Alder", PW_ALDER, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "alder-clerk", "clerk", "Alder", PW_CLERK, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "birch-clerk", "clerk", "Birch", PW_BIRCH, NULL, &err), 0);
  assert_int_equal(pc_auth_user_get(f->store, "admin", &f->admin, &err), 0);
  assert_int_equal(pc_auth_user_get(f->store, "alder-admin", &f->alder_admin, &err), 0);
  assert_int_equal(pc_auth_user_get(f->store, "alder-clerk", &f->clerk, &err), 0);
  assert_int_equal(pc_auth_user_get(f->store, "birch-clerk", &f->birch_clerk, &err), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  pc_clock_set_fixed(0);
  pc_auth_close(f->auth);
  pc_store_close(f->store);
  pc_test_rmtree(f->instance.data_dir);
  free(f);
  return 0;
}

/* A principal for USER as a session that passed TOTP would give. */
static pc_principal_t as(const pc_user_t *user) {
  pc_principal_t p;
  memset(&p, 0, sizeof p);
  p.user_id = user->id;
  pc_strlcpy(p.username, user->username, sizeof p.username);
  pc_strlcpy(p.role, user->role, sizeof p.role);
  p.county_id = user->county_id;
  pc_strlcpy(p.county, user->county, sizeof p.county);
  p.mfa_ok = 1;
  return p;
}

static int64_t query_int(pc_store_t *store, const char *sql, int64_t bind) {
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, sql, &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, bind);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  int64_t value = pc_stmt_column_int64(stmt, 0);
  pc_stmt_finalize(stmt);
  return value;
}

static int count_user(const pc_user_t *user, void *context) {
  pc_buf_t *names = context;
  pc_buf_appendf(names, "%s,", user->username);
  return 0;
}

static void users_are_created_looked_up_and_listed(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  assert_string_equal(f->clerk.role, "clerk");
  assert_int_equal(f->clerk.county_id, f->alder);
  assert_string_equal(f->clerk.county, "Alder");
  assert_int_equal(f->clerk.disabled, 0);
  assert_int_equal(f->clerk.totp_enabled, 0);
  assert_string_equal(f->clerk.created_at, "2027-01-15T08:00:00Z");
  assert_int_equal(f->admin.county_id, 0);
  assert_string_equal(f->admin.county, "");
  pc_user_t by_id;
  assert_int_equal(pc_auth_user_get_by_id(f->store, f->clerk.id, &by_id, &err), 0);
  assert_string_equal(by_id.username, "alder-clerk");
  assert_int_equal(pc_auth_user_get(f->store, "nobody", &by_id, &err), PC_ENOTFOUND);

  pc_buf_t names;
  pc_buf_init(&names, 1024);
  assert_int_equal(pc_auth_user_each(f->store, 0, count_user, &names, &err), 0);
  assert_string_equal(pc_buf_str(&names), "admin,alder-admin,alder-clerk,birch-clerk,");
  pc_buf_reset(&names);
  assert_int_equal(pc_auth_user_each(f->store, f->alder, count_user, &names, &err), 0);
  assert_string_equal(pc_buf_str(&names), "alder-admin,alder-clerk,");
  pc_buf_free(&names);

  const char *good = "a perfectly fine password";
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "alder-clerk", "clerk", "Alder", good, NULL, &err), PC_EEXIST);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "Al", "clerk", "Alder", good, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "username");
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "Upper", "clerk", "Alder", good, NULL, &err), PC_EINVAL);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x23", "mayor", "Alder", good, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "role");
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x23", "clerk", NULL, good, NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "county");
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x23", "state_admin", "Alder", good, NULL, &err), PC_EINVAL);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x23", "clerk", "Nowhere", good, NULL, &err), PC_ENOTFOUND);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x23", "clerk", "Alder", "password1234", NULL, &err), PC_EINVAL);
  assert_string_equal(err.field, "password");
  int64_t id = 0;
  assert_int_equal(pc_auth_user_create(f->store, f->auth, NULL, "x_2.3-y", "auditor", "Alder", good, &id, &err), 0);
  assert_true(id > f->birch_clerk.id);
}

static void who_may_manage_whom(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  const char *pw = "another fine password";
  pc_principal_t county_admin = as(&f->alder_admin), clerk = as(&f->clerk), admin = as(&f->admin);
  /* A county admin manages clerks, auditors and county admins of its own county only. */
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "alder-2", "clerk", "Alder", pw, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "alder-3", "auditor", "Alder", pw, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "alder-4", "county_admin", "Alder", pw, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "birch-2", "clerk", "Birch", pw, NULL, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "state-2", "state_admin", NULL, pw, NULL, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &clerk, "alder-5", "clerk", "Alder", pw, NULL, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &admin, "state-2", "state_admin", NULL, pw, NULL, &err), 0);
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &admin, "birch-2", "clerk", "Birch", pw, NULL, &err), 0);
  /* Without TOTP an admin can do nothing. */
  county_admin.mfa_ok = 0;
  assert_int_equal(pc_auth_user_create(f->store, f->auth, &county_admin, "alder-6", "clerk", "Alder", pw, NULL, &err), PC_EPERM);
  county_admin.mfa_ok = 1;

  assert_int_equal(pc_auth_user_set_disabled(f->store, &county_admin, f->clerk.id, 1, &err), 0);
  pc_user_t user;
  assert_int_equal(pc_auth_user_get(f->store, "alder-clerk", &user, &err), 0);
  assert_int_equal(user.disabled, 1);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &county_admin, f->clerk.id, 0, &err), 0);
  assert_int_equal(pc_auth_user_get(f->store, "alder-clerk", &user, &err), 0);
  assert_int_equal(user.disabled, 0);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &county_admin, f->birch_clerk.id, 1, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &county_admin, f->admin.id, 1, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &county_admin, f->alder_admin.id, 1, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &clerk, f->clerk.id, 1, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &admin, f->birch_clerk.id, 1, &err), 0);
  assert_int_equal(pc_auth_user_set_disabled(f->store, &admin, 9999, 1, &err), PC_ENOTFOUND);

  /* Passwords: oneself, or whoever administers the user. */
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, &clerk, f->clerk.id, pw, &err), 0);
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, &clerk, f->alder_admin.id, pw, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, &county_admin, f->clerk.id, "yet another password", &err), 0);
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, &county_admin, f->admin.id, pw, &err), PC_EPERM);
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, &admin, f->clerk.id, "short", &err), PC_EINVAL);
  assert_int_equal(pc_auth_user_change_password(f->store, f->auth, &clerk, "wrong current one", pw, &err), PC_EAUTH);
  assert_int_equal(pc_auth_user_change_password(f->store, f->auth, &clerk, "yet another password", PW_CLERK, &err), 0);
  pc_auth_login_result_t login;
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &login, &err), 0);
}

static void login_sessions_expire_and_end(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_auth_login_result_t login;
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &login, &err), 0);
  assert_int_equal(strlen(login.token), 64);
  assert_int_equal(login.principal.user_id, f->clerk.id);
  assert_int_equal(login.principal.county_id, f->alder);
  assert_int_equal(login.needs_totp_enrolment, 0);
  assert_int_equal(login.principal.mfa_ok, 0);
  assert_int_equal(pc_auth_authorize(&login.principal, PC_ACCESS_WRITE, f->alder), 0);
  /* Only the token's hash is stored. */
  char hash[65];
  unsigned char raw[32];
  crypto_hash_sha256(raw, (const unsigned char *)login.token, 64);
  sodium_bin2hex(hash, sizeof hash, raw, sizeof raw);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f->store, "SELECT token_hash, csrf_token FROM sessions WHERE id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, login.principal.session_id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  assert_string_equal(pc_stmt_column_text(stmt, 0), hash);
  assert_string_equal(pc_stmt_column_text(stmt, 1), login.principal.csrf_token);
  pc_stmt_finalize(stmt);

  pc_principal_t who;
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  assert_string_equal(who.username, "alder-clerk");
  assert_string_equal(who.csrf_token, login.principal.csrf_token);
  assert_int_equal(pc_auth_csrf_valid(&who, login.principal.csrf_token), 1);
  char wrong[65];
  memcpy(wrong, who.csrf_token, sizeof wrong);
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  assert_int_equal(pc_auth_csrf_valid(&who, wrong), 0);
  assert_int_equal(pc_auth_csrf_valid(&who, ""), 0);
  assert_int_equal(pc_auth_csrf_valid(&who, NULL), 0);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, "00", &who, &err), PC_EAUTH);
  char unknown[65];
  memset(unknown, 'a', 64);
  unknown[64] = '\0';
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, unknown, &who, &err), PC_EAUTH);

  /* last_seen is written at most once a minute; idle expiry after 30 minutes. */
  const char *last_seen_sql = "SELECT COUNT(*) FROM sessions WHERE id = ? AND last_seen_at = '2027-01-15T08:00:00Z'";
  pc_clock_set_fixed(T0 + 59);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  assert_int_equal(query_int(f->store, last_seen_sql, who.session_id), 1);
  pc_clock_set_fixed(T0 + 29 * 60);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  assert_int_equal(query_int(f->store, last_seen_sql, who.session_id), 0);
  pc_clock_set_fixed(T0 + 29 * 60 + 30 * 60 - 1);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  pc_clock_set_fixed(T0 + 29 * 60 + 30 * 60 - 1 + 30 * 60);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), PC_EAUTH);
  assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM sessions WHERE id = ?", who.session_id), 0);

  /* Absolute expiry after 2 hours however busy the session is. */
  pc_clock_set_fixed(T0);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, "", "10.0.0.1", &login, &err), 0);
  for (int minutes = 20; minutes < 120; minutes += 20) {
    pc_clock_set_fixed(T0 + minutes * 60);
    assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  }
  pc_clock_set_fixed(T0 + 120 * 60);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), PC_EAUTH);

  /* Pruning removes expired sessions nobody looks up again. */
  pc_auth_login_result_t stale, fresh;
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &stale, &err), 0);
  pc_clock_set_fixed(T0 + 120 * 60 + 29 * 60);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &fresh, &err), 0);
  int64_t deleted = -1;
  pc_clock_set_fixed(T0 + 120 * 60 + 30 * 60);
  assert_int_equal(pc_auth_session_prune(f->store, f->auth, &deleted, &err), 0);
  assert_int_equal(deleted, 1);
  assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM sessions WHERE id = ?", stale.principal.session_id), 0);
  assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM sessions WHERE id = ?", fresh.principal.session_id), 1);

  /* Logout, and disabling or a new password end every session. */
  pc_clock_set_fixed(T0);
  pc_auth_login_result_t a, b;
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &a, &err), 0);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.2", &b, &err), 0);
  assert_int_equal(pc_auth_session_destroy(f->store, &a.principal, &err), 0);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, a.token, &who, &err), PC_EAUTH);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, b.token, &who, &err), 0);
  assert_int_equal(pc_auth_user_set_password(f->store, f->auth, NULL, f->clerk.id, "a brand new password", &err), 0);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, b.token, &who, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "a brand new password", NULL, "10.0.0.1", &a, &err), 0);
  assert_int_equal(pc_auth_user_set_disabled(f->store, NULL, f->clerk.id, 1, &err), 0);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, a.token, &who, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "a brand new password", NULL, "10.0.0.1", &a, &err), PC_EAUTH);
  assert_string_equal(err.message, "wrong username, password or code");
  assert_int_equal(pc_auth_session_destroy_all(f->store, f->clerk.id, &err), PC_EINTERNAL); /* outside a transaction */
}

/* CPU time of the calling thread, in milliseconds. Unlike the wall clock it
 * does not grow while the thread waits for a core on a loaded machine. */
static int64_t thread_cpu_ms(void) {
  struct timespec now;
  assert_int_equal(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now), 0);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void wrong_and_unknown_fail_alike(void **state) {
  fixture_t *f = *state;
  pc_error_t wrong, unknown;
  pc_auth_login_result_t login;
  int64_t start = thread_cpu_ms();
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "not the password", NULL, "10.0.0.1", &login, &wrong), PC_EAUTH);
  int64_t known_ms = thread_cpu_ms() - start;
  start = thread_cpu_ms();
  assert_int_equal(pc_auth_login(f->store, f->auth, "no-such-user", "not the password", NULL, "10.0.0.2", &login, &unknown), PC_EAUTH);
  int64_t unknown_ms = thread_cpu_ms() - start;
  print_message("failed login (CPU time): known user %lld ms, unknown user %lld ms\n", (long long)known_ms,
                (long long)unknown_ms);
  assert_string_equal(wrong.message, unknown.message);
  /* Both paths run one argon2id verification: neither is an order of magnitude faster. */
  assert_true(unknown_ms * 4 >= known_ms);
  assert_true(known_ms * 4 >= unknown_ms);
}

static void throttling_per_account_and_address(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_auth_login_result_t login;
  for (int i = 0; i < 3; i++)
    assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "bad guess number", NULL, "10.0.0.1", &login, &err), PC_EAUTH);
  /* Throttled: even the right password is not checked. */
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.9.9.9", &login, &err), PC_EBUSY);
  /* The address is throttled too, for every account. */
  assert_int_equal(pc_auth_login(f->store, f->auth, "birch-clerk", PW_BIRCH, NULL, "10.0.0.1", &login, &err), PC_EBUSY);
  assert_int_equal(pc_auth_login(f->store, f->auth, "birch-clerk", PW_BIRCH, NULL, "10.0.0.2", &login, &err), 0);
  /* Unknown names are throttled the same way. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(pc_auth_login(f->store, f->auth, "ghost", "bad guess number", NULL, "10.0.1.1", &login, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "ghost", "bad guess number", NULL, "10.0.1.2", &login, &err), PC_EBUSY);
  /* The window passes. */
  pc_clock_set_fixed(T0 + 10 * 60);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.0.1", &login, &err), 0);
  /* A success clears the account's count, not the address's. */
  pc_clock_set_fixed(T0 + 20 * 60);
  for (int i = 0; i < 2; i++)
    assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "bad guess number", NULL, "10.0.2.1", &login, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", PW_CLERK, NULL, "10.0.2.2", &login, &err), 0);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "bad guess number", NULL, "10.0.2.1", &login, &err), PC_EAUTH);
  assert_int_equal(pc_auth_throttle_check(f->auth, "alder-clerk", "10.0.3.1"), 0);
  assert_int_equal(pc_auth_throttle_check(f->auth, "someone-else", "10.0.2.1"), PC_EBUSY);
  /* Bounded: the table holds at most its capacity (16), old entries expire. */
  for (int i = 0; i < 40; i++) {
    char name[32], address[32];
    pc_snprintf(name, sizeof name, "user%d", i);
    pc_snprintf(address, sizeof address, "192.0.2.%d", i);
    pc_auth_throttle_failure(f->auth, name, address);
  }
  assert_int_equal(pc_auth_throttle_size(f->auth), 16);
  pc_clock_set_fixed(T0 + 40 * 60);
  pc_auth_throttle_failure(f->auth, "fresh", "192.0.2.200");
  assert_int_equal(pc_auth_throttle_size(f->auth), 2);
}

/* Decodes base32 (test helper: the server never needs to). */
static size_t base32_decode(const char *text, unsigned char *out) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  unsigned buffer = 0;
  int bits = 0;
  size_t n = 0;
  for (; *text && *text != '&'; text++) {
    buffer = (buffer << 5) | (unsigned)(strchr(alphabet, *text) - alphabet);
    bits += 5;
    if (bits >= 8) {
      out[n++] = (unsigned char)(buffer >> (bits - 8));
      bits -= 8;
    }
  }
  return n;
}

static void code_at(const unsigned char secret[20], int64_t time, char code[7]) {
  assert_int_equal(pc_auth_totp_code(secret, 20, time, 6, code), 0);
}

/* Whether the codes of the steps T0-60 ... T0+60 for SECRET and "000000" are
 * all different. */
static int totp_codes_distinct(const unsigned char secret[20]) {
  char codes[6][7];
  pc_strlcpy(codes[0], "000000", sizeof codes[0]);
  for (int i = 1; i < 6; i++) code_at(secret, T0 + (i - 3) * 30, codes[i]);
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++)
      if (strcmp(codes[i], codes[j]) == 0) return 0;
  return 1;
}

static void totp_enrolment_login_and_replay(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_auth_login_result_t login;
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, NULL, "10.0.0.1", &login, &err), 0);
  assert_int_equal(login.needs_totp_enrolment, 1);
  assert_int_equal(login.principal.mfa_ok, 0);
  assert_int_equal(pc_auth_authorize(&login.principal, PC_ACCESS_READ, f->alder), PC_EPERM);
  char uri[256];
  const char *prefix = "otpauth://totp/precinct:alder-admin?secret=";
  unsigned char secret[32];
  /* The secret is random: begin again (a new pending secret) until the codes
   * of the steps used below, T0-60 to T0+60, differ from each other and from
   * "000000", so that a refused code is never refused only by luck (two
   * equal six-digit codes among five: about 1 secret in 100,000). */
  for (int attempt = 0;; attempt++) {
    assert_true(attempt < 10);
    assert_int_equal(pc_auth_totp_begin(f->store, f->auth, &login.principal, uri, sizeof uri, &err), 0);
    assert_int_equal(strncmp(uri, prefix, strlen(prefix)), 0);
    assert_non_null(strstr(uri, "&issuer=precinct&algorithm=SHA1&digits=6&period=30"));
    assert_int_equal(base32_decode(uri + strlen(prefix), secret), 20);
    if (totp_codes_distinct(secret)) break;
  }
  /* Stored encrypted: the raw secret is nowhere in the row. */
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(f->store, "SELECT totp_pending FROM users WHERE id = ?", &stmt, &err), 0);
  pc_stmt_bind_int64(stmt, 1, f->alder_admin.id);
  assert_int_equal(pc_stmt_step(stmt, &err), PC_STORE_ROW);
  size_t size = 0;
  const unsigned char *blob = pc_stmt_column_blob(stmt, 0, &size);
  assert_int_equal(size, 24 + 16 + 20);
  for (size_t i = 0; i + 20 <= size; i++) assert_int_not_equal(memcmp(blob + i, secret, 20), 0);
  pc_stmt_finalize(stmt);

  char code[7];
  code_at(secret, T0 - 60, code); /* two steps old: refused */
  assert_int_equal(pc_auth_totp_confirm(f->store, f->auth, &login.principal, code, &err), PC_EAUTH);
  assert_int_equal(pc_auth_totp_confirm(f->store, f->auth, &login.principal, "12345", &err), PC_EAUTH);
  code_at(secret, T0 - 30, code); /* one step old: accepted */
  assert_int_equal(pc_auth_totp_confirm(f->store, f->auth, &login.principal, code, &err), 0);
  assert_int_equal(login.principal.mfa_ok, 1);
  assert_int_equal(pc_auth_totp_confirm(f->store, f->auth, &login.principal, code, &err), PC_ESTATE);
  pc_principal_t who;
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), 0);
  assert_int_equal(who.mfa_ok, 1);
  assert_int_equal(pc_auth_authorize(&who, PC_ACCESS_ADMIN, f->alder), 0);
  pc_user_t user;
  assert_int_equal(pc_auth_user_get(f->store, "alder-admin", &user, &err), 0);
  assert_int_equal(user.totp_enabled, 1);

  /* Login now needs the code. */
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, NULL, "10.0.0.1", &login, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, "000000", "10.0.0.2", &login, &err), PC_EAUTH);
  /* The step used at enrolment cannot be used again, */
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, code, "10.0.0.3", &login, &err), PC_EAUTH);
  /* nor can a fresh code once used. */
  pc_auth_throttle_success(f->auth, "alder-admin");
  code_at(secret, T0, code);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, code, "10.0.0.4", &login, &err), 0);
  assert_int_equal(login.principal.mfa_ok, 1);
  assert_int_equal(login.needs_totp_enrolment, 0);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, code, "10.0.0.5", &login, &err), PC_EAUTH);
  pc_clock_set_fixed(T0 + 30);
  code_at(secret, T0 + 30, code);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-admin", PW_ALDER, code, "10.0.0.6", &login, &err), 0);

  /* Reset by an administrator: TOTP gone, sessions ended. */
  pc_principal_t admin = as(&f->admin), clerk = as(&f->clerk);
  assert_int_equal(pc_auth_totp_reset(f->store, &clerk, f->alder_admin.id, &err), PC_EPERM);
  assert_int_equal(pc_auth_totp_reset(f->store, &admin, f->alder_admin.id, &err), 0);
  assert_int_equal(pc_auth_session_lookup(f->store, f->auth, login.token, &who, &err), PC_EAUTH);
  assert_int_equal(pc_auth_user_get(f->store, "alder-admin", &user, &err), 0);
  assert_int_equal(user.totp_enabled, 0);
}

static int collect_token(const pc_api_token_t *token, void *context) {
  pc_buf_appendf(context, "%lld:%s:%s:%d:%d,", (long long)token->id, token->owner, token->label, token->read_only,
                 token->revoked);
  return 0;
}

static void api_tokens(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_principal_t clerk = as(&f->clerk), county_admin = as(&f->alder_admin), birch = as(&f->birch_clerk);
  char read_token[PC_AUTH_API_TOKEN_SIZE], write_token[PC_AUTH_API_TOKEN_SIZE];
  int64_t read_id = 0, write_id = 0;
  assert_int_equal(pc_auth_token_create(f->store, &clerk, f->clerk.id, "nightly export", 1, read_token, &read_id, &err), 0);
  assert_int_equal(pc_auth_token_create(f->store, &county_admin, f->clerk.id, "loader", 0, write_token, &write_id, &err), 0);
  assert_int_equal(pc_auth_token_create(f->store, &birch, f->clerk.id, "nope", 0, write_token + 0, NULL, &err), PC_EPERM);
  assert_int_equal(pc_auth_token_create(f->store, &clerk, f->clerk.id, "", 0, write_token, NULL, &err), PC_EINVAL);
  assert_int_equal(strlen(read_token), 68);
  assert_int_equal(strncmp(read_token, "pct_", 4), 0);
  assert_string_not_equal(read_token, write_token);

  pc_principal_t who;
  assert_int_equal(pc_auth_token_lookup(f->store, read_token, &who, &err), 0);
  assert_int_equal(who.user_id, f->clerk.id);
  assert_int_equal(who.via_api_token, 1);
  assert_int_equal(who.token_read_only, 1);
  assert_string_equal(who.csrf_token, "");
  assert_int_equal(pc_auth_authorize(&who, PC_ACCESS_READ, f->alder), 0);
  assert_int_equal(pc_auth_authorize(&who, PC_ACCESS_WRITE, f->alder), PC_EPERM);
  /* A token cannot make tokens. */
  char another[PC_AUTH_API_TOKEN_SIZE];
  assert_int_equal(pc_auth_token_create(f->store, &who, f->clerk.id, "chain", 0, another, NULL, &err), PC_EPERM);
  assert_int_equal(pc_auth_token_lookup(f->store, write_token, &who, &err), 0);
  assert_int_equal(who.token_read_only, 0);
  assert_int_equal(pc_auth_authorize(&who, PC_ACCESS_WRITE, f->alder), 0);
  assert_int_equal(pc_auth_authorize(&who, PC_ACCESS_WRITE, f->birch), PC_EPERM);

  pc_buf_t list;
  pc_buf_init(&list, 1024);
  assert_int_equal(pc_auth_token_each(f->store, f->clerk.id, collect_token, &list, &err), 0);
  char expected[256];
  pc_snprintf(expected, sizeof expected, "%lld:alder-clerk:loader:0:0,%lld:alder-clerk:nightly export:1:0,",
              (long long)write_id, (long long)read_id);
  assert_string_equal(pc_buf_str(&list), expected);

  assert_int_equal(pc_auth_token_revoke(f->store, &birch, read_id, &err), PC_EPERM);
  assert_int_equal(pc_auth_token_revoke(f->store, &clerk, read_id, &err), 0);
  assert_int_equal(pc_auth_token_revoke(f->store, &clerk, read_id, &err), PC_ESTATE);
  assert_int_equal(pc_auth_token_lookup(f->store, read_token, &who, &err), PC_EAUTH);
  pc_buf_reset(&list);
  assert_int_equal(pc_auth_token_each(f->store, 0, collect_token, &list, &err), 0);
  pc_snprintf(expected, sizeof expected, "%lld:alder-clerk:loader:0:0,%lld:alder-clerk:nightly export:1:1,",
              (long long)write_id, (long long)read_id);
  assert_string_equal(pc_buf_str(&list), expected);
  pc_buf_free(&list);

  assert_int_equal(pc_auth_token_lookup(f->store, "pct_zz", &who, &err), PC_EAUTH);
  assert_int_equal(pc_auth_token_lookup(f->store, NULL, &who, &err), PC_EAUTH);
  char forged[PC_AUTH_API_TOKEN_SIZE];
  memcpy(forged, write_token, sizeof forged);
  forged[20] = forged[20] == '0' ? '1' : '0';
  assert_int_equal(pc_auth_token_lookup(f->store, forged, &who, &err), PC_EAUTH);
  /* A disabled owner's tokens stop working. */
  assert_int_equal(pc_auth_user_set_disabled(f->store, NULL, f->clerk.id, 1, &err), 0);
  assert_int_equal(pc_auth_token_lookup(f->store, write_token, &who, &err), PC_EAUTH);
}

static void cookie_header(void **state) {
  (void)state;
  char token[65], out[256];
  memset(token, 'f', 64);
  token[64] = '\0';
  assert_int_equal(pc_auth_cookie_header(token, 1, -1, out, sizeof out), 0);
  assert_string_equal(out, "Set-Cookie: precinct_session=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;"
                           " Path=/; HttpOnly; SameSite=Strict; Secure");
  assert_int_equal(pc_auth_cookie_header(token, 0, 3600, out, sizeof out), 0);
  assert_string_equal(out, "Set-Cookie: precinct_session=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;"
                           " Path=/; HttpOnly; SameSite=Strict; Max-Age=3600");
  assert_int_equal(pc_auth_cookie_header("", 1, 0, out, sizeof out), 0);
  assert_string_equal(out, "Set-Cookie: precinct_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0");
  assert_int_equal(pc_auth_cookie_header("abc; Domain=evil", 1, 0, out, sizeof out), PC_EINVAL);
  assert_int_equal(pc_auth_cookie_header(token, 1, 0, out, 40), PC_ELIMIT);
}

/* Every column of every audit entry, concatenated. */
static char *audit_text(pc_store_t *store) {
  pc_stmt_t *stmt;
  pc_error_t err;
  assert_int_equal(pc_store_prepare(store, "SELECT leaf_data, actor, COALESCE(object_id, '') FROM audit_log", &stmt, &err), 0);
  pc_buf_t all;
  pc_buf_init(&all, 1 << 24);
  while (pc_stmt_step(stmt, &err) == PC_STORE_ROW)
    for (int i = 0; i < 3; i++) assert_int_equal(pc_buf_appendf(&all, "%s\n", pc_stmt_column_text(stmt, i)), 0);
  pc_stmt_finalize(stmt);
  return pc_buf_detach(&all, NULL);
}

static int row_hash_matches_log(pc_store_t *store, const char *table, int64_t id) {
  unsigned char hash[PC_HASH_SIZE];
  char hex[65], sql[160];
  pc_error_t err;
  assert_int_equal(pc_audit_row_hash(store, table, id, hash, &err), 0);
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  pc_snprintf(sql, sizeof sql, "SELECT after_hash FROM audit_log WHERE object_type = '%s' AND object_id = ?"
              " AND after_hash IS NOT NULL ORDER BY seq DESC LIMIT 1", table);
  pc_stmt_t *stmt;
  assert_int_equal(pc_store_prepare(store, sql, &stmt, &err), 0);
  char id_text[32];
  pc_snprintf(id_text, sizeof id_text, "%lld", (long long)id);
  pc_stmt_bind_text(stmt, 1, id_text);
  int matches = pc_stmt_step(stmt, &err) == PC_STORE_ROW && strcmp(pc_stmt_column_text(stmt, 0), hex) == 0;
  pc_stmt_finalize(stmt);
  return matches;
}

static void audit_log_holds_events_but_no_secrets(void **state) {
  fixture_t *f = *state;
  pc_error_t err;
  pc_auth_login_result_t login;
  assert_int_equal(pc_auth_login(f->store, f->auth, "admin", PW_ADMIN, NULL, "10.0.0.1", &login, &err), 0);
  char uri[256];
  assert_int_equal(pc_auth_totp_begin(f->store, f->auth, &login.principal, uri, sizeof uri, &err), 0);
  const char *secret_text = strstr(uri, "secret=") + 7;
  unsigned char secret[32];
  base32_decode(secret_text, secret);
  char code[7];
  code_at(secret, T0, code);
  assert_int_equal(pc_auth_totp_confirm(f->store, f->auth, &login.principal, code, &err), 0);
  pc_clock_set_fixed(T0 + 30);
  code_at(secret, T0 + 30, code);
  assert_int_equal(pc_auth_login(f->store, f->auth, "admin", PW_ADMIN, code, "10.0.0.1", &login, &err), 0);
  char api_token[PC_AUTH_API_TOKEN_SIZE];
  assert_int_equal(pc_auth_token_create(f->store, &login.principal, f->admin.id, "script", 0, api_token, NULL, &err), 0);
  /* A password typed into the name field, and a wrong password. */
  assert_int_equal(pc_auth_login(f->store, f->auth, "My Secret Pass!", "x", NULL, "10.0.0.9", &login, &err), PC_EAUTH);
  assert_int_equal(pc_auth_login(f->store, f->auth, "alder-clerk", "typo'd password", NULL, "10.0.0.8", &login, &err), PC_EAUTH);
  /* Failed logins leave LOGIN as the last success made it: log that session out. */
  assert_int_equal(pc_auth_session_destroy(f->store, &login.principal, &err), 0);

  char *text = audit_text(f->store);
  const char *secrets[] = {PW_ADMIN, PW_ALDER, PW_CLERK, PW_BIRCH, "typo'd password", "My Secret Pass!", "$argon2id",
                           api_token, api_token + 4, login.token, login.principal.csrf_token};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
    if (secrets[i][0]) assert_null(strstr(text, secrets[i]));
  char base32[40];
  pc_strlcpy(base32, secret_text, 33);
  assert_null(strstr(text, base32));
  char secret_hex[41];
  sodium_bin2hex(secret_hex, sizeof secret_hex, secret, 20);
  assert_null(strstr(text, secret_hex));
  /* The events are there. */
  const char *actions[] = {"\"action\":\"user.create\"", "\"action\":\"auth.login\"", "\"action\":\"user.totp_begin\"",
                           "\"action\":\"user.totp_enable\"", "\"action\":\"api_token.create\"",
                           "\"action\":\"auth.login_failed\"", "\"action\":\"auth.logout\"", "\"actor\":\"(invalid username)\""};
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) assert_non_null(strstr(text, actions[i]));
  free(text);
  /* Every change to an audited row was logged: row hashes match the log. */
  const pc_user_t *users[] = {&f->admin, &f->alder_admin, &f->clerk, &f->birch_clerk};
  for (int i = 0; i < 4; i++) assert_true(row_hash_matches_log(f->store, "users", users[i]->id));
  assert_true(row_hash_matches_log(f->store, "api_tokens", 1));
  /* The secrets key exists with mode 0600 and reopening uses the same key. */
  char path[1300];
  assert_int_equal(pc_instance_key_path(&f->instance, "secrets.key", path, sizeof path), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, 32);
  pc_auth_t *again;
  assert_int_equal(pc_auth_open(&f->instance, 0, &again, &err), 0);
  pc_clock_set_fixed(T0 + 60);
  code_at(secret, T0 + 60, code);
  assert_int_equal(pc_auth_login(f->store, again, "admin", PW_ADMIN, code, "10.0.0.1", &login, &err), 0);
  pc_auth_close(again);
}

static void *hammer(void *context) {
  pc_auth_t *auth = context;
  for (int i = 0; i < 500; i++) {
    char name[32];
    pc_snprintf(name, sizeof name, "t%d", i % 50);
    pc_auth_throttle_failure(auth, name, "198.51.100.1");
    (void)pc_auth_throttle_check(auth, name, "198.51.100.2");
  }
  return NULL;
}

static void throttle_is_thread_safe(void **state) {
  fixture_t *f = *state;
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&threads[i], NULL, hammer, f->auth), 0);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  assert_true(pc_auth_throttle_size(f->auth) <= 16);
  assert_int_equal(pc_auth_throttle_check(f->auth, "anyone", "198.51.100.1"), PC_EBUSY);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(users_are_created_looked_up_and_listed, setup, teardown),
      cmocka_unit_test_setup_teardown(who_may_manage_whom, setup, teardown),
      cmocka_unit_test_setup_teardown(login_sessions_expire_and_end, setup, teardown),
      cmocka_unit_test_setup_teardown(wrong_and_unknown_fail_alike, setup, teardown),
      cmocka_unit_test_setup_teardown(throttling_per_account_and_address, setup, teardown),
      cmocka_unit_test_setup_teardown(throttle_is_thread_safe, setup, teardown),
      cmocka_unit_test_setup_teardown(totp_enrolment_login_and_replay, setup, teardown),
      cmocka_unit_test_setup_teardown(api_tokens, setup, teardown),
      cmocka_unit_test(cookie_header),
      cmocka_unit_test_setup_teardown(audit_log_holds_events_but_no_secrets, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
