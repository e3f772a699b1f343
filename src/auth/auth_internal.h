/* Internals shared by the files of src/auth: the context's layout and small
 * helpers. Not part of the public API. */
#ifndef PRECINCT_AUTH_INTERNAL_H
#define PRECINCT_AUTH_INTERNAL_H

#include "precinct/auth.h"

#include <pthread.h>
#include <sodium.h>

#define PC_AUTH_SECRETS_KEY_SIZE crypto_secretbox_KEYBYTES

typedef struct pc_throttle_entry {
  char key[160];         /* "u:<username>" or "a:<address>" */
  int64_t window_start;  /* time of the first failure counted */
  int failures;
} pc_throttle_entry_t;

struct pc_auth {
  pc_config_t config;
  unsigned char secrets_key[PC_AUTH_SECRETS_KEY_SIZE];
  pthread_mutex_t throttle_lock;
  pc_throttle_entry_t *throttle;
  size_t throttle_capacity;
  size_t throttle_used;
};

/* SHA-256 of TEXT as lowercase hex (65 bytes). */
void pc_auth_sha256_hex(const char *text, char out[65]);
/* 32 random bytes as lowercase hex (65 bytes). */
void pc_auth_random_hex(char out[PC_AUTH_TOKEN_HEX + 1]);

/* Encrypts/decrypts a TOTP secret with the context's key: BOX is nonce ||
 * ciphertext, PC_AUTH_BOX_SIZE bytes. */
#define PC_AUTH_BOX_SIZE (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PC_AUTH_TOTP_SECRET_SIZE)
void pc_auth_seal(const pc_auth_t *auth, const unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE],
                  unsigned char box[PC_AUTH_BOX_SIZE]);
int pc_auth_open_box(const pc_auth_t *auth, const void *box, size_t box_size,
                     unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE]);

/* Fills OUT (a principal with no session) from user row USER. */
void pc_auth_principal_from_user(const pc_user_t *user, pc_principal_t *out);
/* 0 when WHO (NULL = operator) may administer TARGET: ADMIN on its county,
 * or STATE for a state_admin target. */
int pc_auth_may_administer(const pc_principal_t *who, const pc_user_t *target);
/* A change to user row USER_ID: _begin opens the transaction, then loads
 * TARGET (may be NULL) and the row's before-hash, so the authorization that
 * follows sees the row the change applies to (on failure nothing is left
 * open). _finish records ACTION in the audit log and commits when RC is 0,
 * else rolls back; it returns the final code. */
int pc_auth_user_change_begin(pc_store_t *store, int64_t user_id, pc_user_t *target,
                              unsigned char before[PC_HASH_SIZE], pc_error_t *err);
int pc_auth_user_change_finish(pc_store_t *store, const pc_principal_t *who, const char *action, int64_t user_id,
                               const unsigned char before[PC_HASH_SIZE], int rc, pc_error_t *err);
/* Copies USER_ID's password hash into OUT. */
int pc_auth_user_password_hash(pc_store_t *store, int64_t user_id, char out[PC_AUTH_HASH_SIZE], pc_error_t *err);
/* Reads the users row ID's encrypted TOTP columns and last step. */
int pc_auth_user_totp_state(pc_store_t *store, int64_t id, unsigned char *secret_box, size_t *secret_box_size,
                            unsigned char *pending_box, size_t *pending_box_size, int64_t *last_step, pc_error_t *err);
/* Checks CODE (6 digits) against SECRET at NOW ±1 step, refusing steps <=
 * LAST_STEP. *STEP receives the matching step. 0 or PC_EAUTH. */
int pc_auth_totp_match(const unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE], const char *code, int64_t now,
                       int64_t last_step, int64_t *step);

#endif
