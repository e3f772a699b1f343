/* The auth context a server owns: configuration, the key protecting TOTP
 * secrets at rest, and the throttle's storage. Also the small crypto helpers
 * the rest of src/auth shares (token hashing, sealing secrets). */
#include "auth_internal.h"

#include "precinct/alloc.h"
#include "precinct/fileio.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_or_create_key(const pc_instance_t *instance, unsigned char key[PC_AUTH_SECRETS_KEY_SIZE],
                              pc_error_t *err) {
  char path[1300];
  if (pc_instance_key_path(instance, "secrets.key", path, sizeof path) != 0)
    return pc_error_set(err, PC_ELIMIT, "keys directory path is too long");
  char *data = NULL;
  size_t size = 0;
  int rc = pc_file_read_all(path, 1024, &data, &size, err);
  if (rc == PC_ENOTFOUND || (rc == PC_EIO && access(path, F_OK) != 0)) {
    randombytes_buf(key, PC_AUTH_SECRETS_KEY_SIZE);
    /* Exclusive: two processes starting at once must not each make a key. */
    rc = pc_file_write_durable(path, key, PC_AUTH_SECRETS_KEY_SIZE, 0600, 1, err);
    if (rc == PC_EEXIST) return load_or_create_key(instance, key, err);
    return rc;
  }
  if (rc != 0) return rc;
  if (size != PC_AUTH_SECRETS_KEY_SIZE) {
    sodium_memzero(data, size);
    free(data);
    return pc_error_set_at(err, PC_EINTEGRITY, path, 0, NULL, "expected a %d-byte key, found %zu bytes",
                           PC_AUTH_SECRETS_KEY_SIZE, size);
  }
  memcpy(key, data, PC_AUTH_SECRETS_KEY_SIZE);
  sodium_memzero(data, size);
  free(data);
  return 0;
}

int pc_auth_open(const pc_instance_t *instance, size_t throttle_capacity, pc_auth_t **out, pc_error_t *err) {
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  pc_auth_t *auth = pc_xcalloc(1, sizeof *auth);
  auth->config = instance->config;
  int rc = load_or_create_key(instance, auth->secrets_key, err);
  if (rc != 0) {
    sodium_memzero(auth, sizeof *auth);
    free(auth);
    return rc;
  }
  auth->throttle_capacity = throttle_capacity ? throttle_capacity : 4096;
  auth->throttle = pc_xcalloc(auth->throttle_capacity, sizeof *auth->throttle);
  pthread_mutex_init(&auth->throttle_lock, NULL);
  *out = auth;
  return 0;
}

void pc_auth_close(pc_auth_t *auth) {
  if (auth == NULL) return;
  pthread_mutex_destroy(&auth->throttle_lock);
  free(auth->throttle);
  sodium_memzero(auth, sizeof *auth);
  free(auth);
}

const pc_config_t *pc_auth_config(const pc_auth_t *auth) {
  return &auth->config;
}

void pc_auth_sha256_hex(const char *text, char out[65]) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
  sodium_bin2hex(out, 65, hash, sizeof hash);
}

void pc_auth_random_hex(char out[PC_AUTH_TOKEN_HEX + 1]) {
  unsigned char bytes[PC_AUTH_TOKEN_HEX / 2];
  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2hex(out, PC_AUTH_TOKEN_HEX + 1, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
}

void pc_auth_seal(const pc_auth_t *auth, const unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE],
                  unsigned char box[PC_AUTH_BOX_SIZE]) {
  randombytes_buf(box, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, PC_AUTH_TOTP_SECRET_SIZE, box,
                        auth->secrets_key);
}

int pc_auth_open_box(const pc_auth_t *auth, const void *box, size_t box_size,
                     unsigned char secret[PC_AUTH_TOTP_SECRET_SIZE]) {
  if (box == NULL || box_size != PC_AUTH_BOX_SIZE) return PC_EINTEGRITY;
  const unsigned char *bytes = box;
  if (crypto_secretbox_open_easy(secret, bytes + crypto_secretbox_NONCEBYTES, box_size - crypto_secretbox_NONCEBYTES,
                                 bytes, auth->secrets_key) != 0)
    return PC_EINTEGRITY;
  return 0;
}
