/* Passwords: the NIST SP 800-63B policy (length only, plus a list of the
 * most common passwords), argon2id hashing through libsodium, and generated
 * passwords for accounts made from the CLI. No storage here (users.c). */
#include "precinct/auth.h"
#include "precinct/buf.h"

#include <sodium.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The most common passwords of at least 8 characters from public breach
 * corpora (the minimum length already rules out the shorter ones).
 * Compared case-insensitively. */
static const char *const common_passwords[] = {
    "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword",
    "12345678", "123456789", "1234567890", "12345678910", "123456789012", "1234567891", "123123123", "11111111",
    "111111111", "1111111111", "00000000", "0000000000", "87654321", "987654321", "qwertyuiop", "qwerty123",
    "qwerty1234", "qwertyuiop123", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "1qaz2wsx3edc", "zaq12wsx", "asdfghjkl",
    "asdfasdf", "iloveyou", "iloveyou1", "sunshine", "princess", "football", "football1", "baseball", "welcome1",
    "welcome123", "superman", "starwars", "trustno1", "letmein1", "letmeinplease", "whatever", "computer",
    "michelle", "jennifer", "charlie1", "11223344", "abcd1234", "abc12345", "abcdefgh", "abcdefg123", "changeme",
    "changeme123", "administrator", "admin123", "admin1234", "administrator1", "election", "election2024",
    "election2026", "precinct", "precinct123", "democracy", "correcthorsebatterystaple", "passwordpassword",
    "qwertyqwerty", "aaaaaaaaaaaa", "123456123456", "123412341234", "iloveyou123", "monkey123", "dragon123",
    NULL};

static int is_common(const char *password) {
  for (const char *const *p = common_passwords; *p; p++)
    if (strcasecmp(*p, password) == 0) return 1;
  return 0;
}

/* Counts UTF-8 code points; -1 for invalid UTF-8 or control characters. */
static long code_points(const char *s) {
  long count = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned char c = *p;
    int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || (extra == 0 && c < 0x20) || c == 0x7F) return -1;
    p++;
    for (int i = 0; i < extra; i++, p++)
      if ((*p & 0xC0) != 0x80) return -1;
    count++;
  }
  return count;
}

int pc_auth_password_check(const char *password, const char *username, int min_length, pc_error_t *err) {
  if (password == NULL) return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "a password is required");
  /* Bound the work before counting: 4 bytes per code point at most. */
  if (strlen(password) > 4 * PC_AUTH_PASSWORD_MAX)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "expected at most %d characters", PC_AUTH_PASSWORD_MAX);
  long length = code_points(password);
  if (length < 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "expected UTF-8 text without control characters");
  if (length < min_length)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "expected at least %d characters", min_length);
  if (length > PC_AUTH_PASSWORD_MAX)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "expected at most %d characters", PC_AUTH_PASSWORD_MAX);
  if (is_common(password))
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "this password is among the most common ones; choose another");
  if (username && strcasecmp(username, password) == 0)
    return pc_error_set_at(err, PC_EINVAL, NULL, 0, "password", "the password must not be the username");
  return 0;
}

int pc_auth_password_hash(const char *password, char out[PC_AUTH_HASH_SIZE], pc_error_t *err) {
  static_assert(PC_AUTH_HASH_SIZE == crypto_pwhash_STRBYTES, "hash buffer size");
  if (sodium_init() < 0) return pc_error_set(err, PC_EINTERNAL, "libsodium failed to initialise");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return pc_error_set(err, PC_EINTERNAL, "password hashing ran out of memory");
  memcpy(out, hash, sizeof hash);
  return 0;
}

int pc_auth_password_verify(const char *hash, const char *password) {
  if (hash == NULL || password == NULL || sodium_init() < 0) return PC_EAUTH;
  if (strlen(password) > 4 * PC_AUTH_PASSWORD_MAX) return PC_EAUTH;
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : PC_EAUTH;
}

void pc_auth_password_generate(char out[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1]) {
  /* 57 symbols: 20 of them give about 116 bits. */
  static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  if (sodium_init() < 0) abort();
  for (int i = 0; i < PC_AUTH_GENERATED_PASSWORD_LENGTH; i++)
    out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
  out[PC_AUTH_GENERATED_PASSWORD_LENGTH] = '\0';
}
