/* Accounts and access: roles and the one authorization check, users,
 * passwords (argon2id), login throttling, TOTP second factor, sessions and
 * API tokens. No HTTP here: the server parses cookies/headers and calls
 * these functions. See docs/roles.md and docs/internals/auth.md. */
#ifndef PRECINCT_AUTH_H
#define PRECINCT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "precinct/audit.h"
#include "precinct/clock.h"
#include "precinct/config.h"
#include "precinct/error.h"
#include "precinct/instance.h"
#include "precinct/store.h"

/* ---- Roles and authorization (authorize.c) ---------------------------- */

typedef enum pc_access {
  PC_ACCESS_READ = 1, /* view data */
  PC_ACCESS_WRITE,    /* change domain data of a county */
  PC_ACCESS_ADMIN,    /* manage users and county settings */
  PC_ACCESS_STATE     /* state-wide administration */
} pc_access_t;

#define PC_AUTH_TOKEN_HEX 64 /* session and CSRF tokens: 32 random bytes as hex */

/* Who is making a request, as established by a session or an API token. */
typedef struct pc_principal {
  int64_t user_id;
  char username[65];
  char role[16];       /* "state_admin", "county_admin", "clerk", "auditor" */
  int64_t county_id;   /* 0 for state_admin */
  char county[128];    /* county name, "" for state_admin */
  int mfa_ok;          /* the session passed TOTP (always 1 for API tokens) */
  int via_api_token;   /* 1: authenticated by a Bearer token, no CSRF check */
  int token_read_only; /* 1: the token's scope is read: READ access only */
  char csrf_token[PC_AUTH_TOKEN_HEX + 1]; /* the session's CSRF token, "" for API tokens */
  int64_t session_id;  /* sessions.id, 0 for API tokens */
} pc_principal_t;

/* 1 when ROLE is one of the four role names, else 0. */
int pc_auth_role_valid(const char *role);
/* 1 when ROLE must use TOTP (state_admin, county_admin). */
int pc_auth_role_requires_totp(const char *role);

/* The one authorization check: may WHO have ACCESS to an object belonging to
 * COUNTY_ID (0 = a state-wide object)? Returns 0 or PC_EPERM (also for a NULL
 * WHO, an unknown role, an admin whose session has not passed TOTP, and any
 * non-READ access through a read-scoped token). The matrix is in docs/roles.md. */
int pc_auth_authorize(const pc_principal_t *who, pc_access_t access, int64_t county_id);

/* Fills ACTOR for the audit log from WHO; the strings point into WHO, which
 * must outlive ACTOR. A NULL WHO gives the CLI operator (pc_audit_cli_actor). */
void pc_auth_actor(const pc_principal_t *who, pc_actor_t *actor);

/* ---- Passwords (password.c) ------------------------------------------- */

#define PC_AUTH_PASSWORD_MAX 128
#define PC_AUTH_GENERATED_PASSWORD_LENGTH 20
#define PC_AUTH_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */

/* Checks PASSWORD against the policy: at least MIN_LENGTH and at most 128
 * characters (UTF-8 code points), not on the built-in list of common
 * passwords, not equal to USERNAME (may be NULL). No composition rules.
 * PC_EINVAL with the reason in ERR (which never quotes the password). */
int pc_auth_password_check(const char *password, const char *username, int min_length, pc_error_t *err);

/* Hashes PASSWORD with argon2id (libsodium crypto_pwhash_str, interactive
 * limits) into OUT as the self-describing "$argon2id$..." string. */
int pc_auth_password_hash(const char *password, char out[PC_AUTH_HASH_SIZE], pc_error_t *err);

/* 0 when PASSWORD matches HASH, PC_EAUTH otherwise (also for a malformed
 * HASH). Takes as long for a wrong password as for a right one. */
int pc_auth_password_verify(const char *hash, const char *password);

/* Writes 20 random characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I) into OUT, NUL-terminated. */
void pc_auth_password_generate(char out[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1]);

/* ---- The auth context the server owns (context.c) ---------------------- */

/* Configuration, the key for secrets at rest and the login throttle. One per
 * process; thread-safe (the throttle has its own mutex, the rest is read-only
 * after pc_auth_open). */
typedef struct pc_auth pc_auth_t;

/* Loads (creating on first use, 32 random bytes, mode 0600) the instance's
 * keys/secrets.key and copies INSTANCE's [auth] and [server] settings.
 * THROTTLE_CAPACITY bounds the throttle's memory (entries; 0 = 4096). Free
 * *OUT with pc_auth_close. */
int pc_auth_open(const pc_instance_t *instance, size_t throttle_capacity, pc_auth_t **out, pc_error_t *err);
void pc_auth_close(pc_auth_t *auth);
/* The configuration copied at open (for password_min_length etc.). */
const pc_config_t *pc_auth_config(const pc_auth_t *auth);

/* ---- Login throttling (throttle.c) ------------------------------------ */

/* 0 when another login attempt for USERNAME from ADDRESS is allowed;
 * PC_EBUSY when either has had login_max_failures failures within the last
 * login_window_minutes. */
int pc_auth_throttle_check(pc_auth_t *auth, const char *username, const char *address);
/* Counts one failure against USERNAME and against ADDRESS. */
void pc_auth_throttle_failure(pc_auth_t *auth, const char *username, const char *address);
/* Forgets USERNAME's failures (after a successful login); ADDRESS's stay. */
void pc_auth_throttle_success(pc_auth_t *auth, const char *username);
/* Number of entries held (tests). */
size_t pc_auth_throttle_size(pc_auth_t *auth);

/* ---- Users (users.c) -------------------------------------------------- */

typedef struct pc_user {
  int64_t id;
  char username[65];
  char role[16];
  int64_t county_id;  /* 0 for state_admin */
  char county[128];   /* "" for state_admin */
  int disabled;
  int totp_enabled;   /* a confirmed TOTP secret exists */
  char created_at[PC_RFC3339_SIZE];
} pc_user_t;

/* Every mutating function below takes WHO, the principal acting: it is
 * checked with pc_auth_authorize and named in the audit entry. WHO == NULL
 * means the CLI operator, who has full rights (audited as pc_audit_cli_actor).
 * Each opens and commits its own transaction. */

/* Creates USERNAME (3-64 of [a-z0-9._-]) with ROLE, in county COUNTY (name;
 * NULL or "" for state_admin, required otherwise) and PASSWORD (checked
 * against the policy). Creating a state_admin needs STATE access; any other
 * role needs ADMIN on its county. PC_EEXIST when the name is taken,
 * PC_ENOTFOUND for an unknown county, PC_EPERM, PC_EINVAL. *ID may be NULL. */
int pc_auth_user_create(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, const char *username,
                        const char *role, const char *county, const char *password, int64_t *id, pc_error_t *err);

/* Looks a user up by name or id. PC_ENOTFOUND when absent. */
int pc_auth_user_get(pc_store_t *store, const char *username, pc_user_t *out, pc_error_t *err);
int pc_auth_user_get_by_id(pc_store_t *store, int64_t id, pc_user_t *out, pc_error_t *err);

/* Calls VISIT for each user in username order, only those of COUNTY_ID when
 * it is not 0. Stops early when VISIT returns non-zero and returns that. */
int pc_auth_user_each(pc_store_t *store, int64_t county_id, int (*visit)(const pc_user_t *user, void *context),
                      void *context, pc_error_t *err);

/* Disables (DISABLED=1) or enables a user; disabling ends all its sessions.
 * Needs ADMIN on the user's county (STATE for a state_admin); nobody can
 * disable themselves. */
int pc_auth_user_set_disabled(pc_store_t *store, const pc_principal_t *who, int64_t user_id, int disabled,
                              pc_error_t *err);

/* Sets USER_ID's password to NEW_PASSWORD (policy-checked) and ends all its
 * sessions. Allowed to the user themself (the caller must have verified the
 * current password: see pc_auth_user_change_password) and to whoever may
 * administer the user. */
int pc_auth_user_set_password(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, int64_t user_id,
                              const char *new_password, pc_error_t *err);
/* The self-service form: checks CURRENT_PASSWORD, then sets NEW_PASSWORD.
 * PC_EAUTH when the current password is wrong. */
int pc_auth_user_change_password(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who,
                                 const char *current_password, const char *new_password, pc_error_t *err);

/* ---- TOTP, RFC 6238 (totp.c, totp_enrol.c) ---------------------------- */

#define PC_AUTH_TOTP_SECRET_SIZE 20
#define PC_AUTH_TOTP_STEP 30

/* The TOTP code of SECRET at Unix time TIME with DIGITS digits (6-8), HMAC-
 * SHA1, 30-second steps, written zero-padded into OUT (DIGITS + 1 bytes). */
int pc_auth_totp_code(const unsigned char *secret, size_t secret_size, int64_t time, int digits, char *out);

/* RFC 4648 base32 (no padding) of DATA into OUT; PC_ELIMIT if OUT is too small. */
int pc_auth_base32_encode(const unsigned char *data, size_t size, char *out, size_t out_size);

/* otpauth://totp/precinct:USER?secret=...&issuer=precinct&algorithm=SHA1&digits=6&period=30 */
int pc_auth_totp_uri(const char *username, const unsigned char *secret, size_t secret_size, char *out,
                     size_t out_size);

/* Renders URI as a QR code in an SVG document made only of <svg>, <rect>
 * elements (no style attributes, no scripts) so it can be inlined under a
 * strict Content-Security-Policy. *SVG is malloc'd; free() it. */
int pc_auth_totp_qr_svg(const char *uri, char **svg, pc_error_t *err);

/* Step one of enrolment: makes a new random secret for WHO's own account,
 * stores it encrypted as pending (replacing any earlier pending one) and
 * writes its otpauth:// URI into URI (256 bytes is enough). Audited. */
int pc_auth_totp_begin(pc_store_t *store, const pc_auth_t *auth, const pc_principal_t *who, char *uri,
                       size_t uri_size, pc_error_t *err);
/* Step two: CODE must be valid for the pending secret (±1 step); the secret
 * becomes the account's TOTP secret, and WHO's session (if any) is marked
 * mfa_ok. PC_EAUTH for a wrong code, PC_ESTATE when nothing is pending. Audited. */
int pc_auth_totp_confirm(pc_store_t *store, const pc_auth_t *auth, pc_principal_t *who, const char *code,
                         pc_error_t *err);
/* Removes USER_ID's TOTP (lost device) so they must enrol again, and ends
 * their sessions. Needs the rights to administer the user. Audited. */
int pc_auth_totp_reset(pc_store_t *store, const pc_principal_t *who, int64_t user_id, pc_error_t *err);

/* ---- Login and sessions (login.c, sessions.c) ------------------------- */

typedef struct pc_auth_login_result {
  char token[PC_AUTH_TOKEN_HEX + 1]; /* the cookie value: give it to the client, never store or log it */
  pc_principal_t principal;          /* the new session's principal */
  int needs_totp_enrolment;          /* an admin without TOTP: only enrolment is allowed */
} pc_auth_login_result_t;

/* Password login. ADDRESS is the client's address (throttling key). CODE is
 * the 6-digit TOTP code, required when the account has TOTP enabled (it may
 * be NULL or "" otherwise). Order: throttle (PC_EBUSY without looking at the
 * password), then the password (hashed against a dummy when the user is
 * unknown, so an unknown name costs the same), then the account state and the
 * code. Every failure is PC_EAUTH with the same message, counted against the
 * account name and the address, and audited ("auth.login_failed", username
 * only). Success creates a session and is audited ("auth.login"). */
int pc_auth_login(pc_store_t *store, pc_auth_t *auth, const char *username, const char *password, const char *code,
                  const char *address, pc_auth_login_result_t *out, pc_error_t *err);

/* Creates a session for USER_ID with MFA_OK, writing the cookie token into
 * TOKEN and the principal into OUT (may be NULL). Usually called by
 * pc_auth_login. */
int pc_auth_session_create(pc_store_t *store, const pc_auth_t *auth, int64_t user_id, int mfa_ok,
                           char token[PC_AUTH_TOKEN_HEX + 1], pc_principal_t *out, pc_error_t *err);

/* Finds the session of cookie value TOKEN: PC_EAUTH when it is unknown,
 * expired (idle or absolute, then it is deleted) or its user is disabled.
 * Records the use (last_seen) at most once a minute. */
int pc_auth_session_lookup(pc_store_t *store, const pc_auth_t *auth, const char *token, pc_principal_t *out,
                           pc_error_t *err);

/* Ends WHO's session (logout), audited as "auth.logout". */
int pc_auth_session_destroy(pc_store_t *store, const pc_principal_t *who, pc_error_t *err);
/* Ends every session of USER_ID. Must run inside the caller's transaction. */
int pc_auth_session_destroy_all(pc_store_t *store, int64_t user_id, pc_error_t *err);

/* Deletes every session past its idle or absolute expiry (housekeeping for
 * sessions never looked up again). *DELETED (may be NULL) gets the count. */
int pc_auth_session_prune(pc_store_t *store, const pc_auth_t *auth, int64_t *deleted, pc_error_t *err);

/* 1 when SUBMITTED (from a form field or header) equals WHO's CSRF token,
 * compared in constant time; 0 otherwise (also when either is empty).
 * Callers skip the check for principals with via_api_token set. */
int pc_auth_csrf_valid(const pc_principal_t *who, const char *submitted);

/* Writes "Set-Cookie: precinct_session=TOKEN; Path=/; HttpOnly;
 * SameSite=Strict[; Secure][; Max-Age=N]" into OUT. MAX_AGE < 0 omits
 * Max-Age (a browser-session cookie); 0 with an empty TOKEN clears the
 * cookie. PC_ELIMIT when OUT is too small, PC_EINVAL for a token that is not
 * hex. */
int pc_auth_cookie_header(const char *token, int secure, long max_age, char *out, size_t out_size);

/* ---- API tokens (tokens.c) -------------------------------------------- */

#define PC_AUTH_API_TOKEN_SIZE 69 /* "pct_" + 64 hex + NUL */

typedef struct pc_api_token {
  int64_t id;
  int64_t owner_id;
  char owner[65];
  char label[129];
  int read_only;
  char created_at[PC_RFC3339_SIZE];
  int revoked;
} pc_api_token_t;

/* Creates an API token owned by OWNER_ID (WHO themself, or a user WHO may
 * administer) with LABEL (1-128 characters) and scope read (READ_ONLY=1) or
 * write. The token text goes to TOKEN: show it once, it is stored only
 * hashed. A principal that came in with a token cannot make tokens. Audited. */
int pc_auth_token_create(pc_store_t *store, const pc_principal_t *who, int64_t owner_id, const char *label,
                         int read_only, char token[PC_AUTH_API_TOKEN_SIZE], int64_t *id, pc_error_t *err);
/* Calls VISIT for each token of OWNER_ID (0: all), newest first. */
int pc_auth_token_each(pc_store_t *store, int64_t owner_id, int (*visit)(const pc_api_token_t *token, void *context),
                       void *context, pc_error_t *err);
/* Revokes token ID (by its owner or whoever may administer the owner). Audited. */
int pc_auth_token_revoke(pc_store_t *store, const pc_principal_t *who, int64_t id, pc_error_t *err);
/* Finds the principal of an `Authorization: Bearer` value: PC_EAUTH when the
 * token is malformed, unknown, revoked, or its owner disabled. */
int pc_auth_token_lookup(pc_store_t *store, const char *bearer, pc_principal_t *out, pc_error_t *err);

#endif
