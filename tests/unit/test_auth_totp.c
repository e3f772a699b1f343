/* Unit tests for passwords and TOTP primitives: policy, argon2id hashing
 * (with its measured cost), generated passwords, RFC 6238 Appendix B
 * vectors, base32, the otpauth URI and the QR SVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "precinct/auth.h"
#include "precinct/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rfc6238_appendix_b_sha1_vectors(void **state) {
  (void)state;
  const unsigned char *secret = (const unsigned char *)"12345678901234567890";
  static const struct { int64_t time; const char *code; } vectors[] = {
      {59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
    char code[9];
    assert_int_equal(pc_auth_totp_code(secret, 20, vectors[i].time, 8, code), 0);
    assert_string_equal(code, vectors[i].code);
  }
  /* Six digits are the last six of the same truncation. */
  char six[7];
  assert_int_equal(pc_auth_totp_code(secret, 20, 59, 6, six), 0);
  assert_string_equal(six, "287082");
  assert_int_equal(pc_auth_totp_code(secret, 20, 59, 5, six), PC_EINVAL);
  assert_int_equal(pc_auth_totp_code(secret, 20, -1, 6, six), PC_EINVAL);
}

static void base32_matches_rfc4648(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(pc_auth_base32_encode((const unsigned char *)"foobar", 6, out, sizeof out), 0);
  assert_string_equal(out, "MZXW6YTBOI"); /* RFC 4648 section 10, without padding */
  assert_int_equal(pc_auth_base32_encode((const unsigned char *)"f", 1, out, sizeof out), 0);
  assert_string_equal(out, "MY");
  assert_int_equal(pc_auth_base32_encode((const unsigned char *)"12345678901234567890", 20, out, sizeof out), 0);
  assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assert_int_equal(pc_auth_base32_encode((const unsigned char *)"foobar", 6, out, 10), PC_ELIMIT);
}

static void uri_and_qr_svg(void **state) {
  (void)state;
  char uri[256];
  assert_int_equal(pc_auth_totp_uri("alder.clerk", (const unsigned char *)"12345678901234567890", 20, uri, sizeof uri), 0);
  assert_string_equal(uri, "otpauth://totp/precinct:alder.clerk?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                           "&issuer=precinct&algorithm=SHA1&digits=6&period=30");
  char *svg = NULL;
  pc_error_t err;
  assert_int_equal(pc_auth_totp_qr_svg(uri, &svg, &err), 0);
  assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 53), 0);
  assert_string_equal(svg + strlen(svg) - 6, "</svg>");
  assert_null(strstr(svg, "style"));
  assert_null(strstr(svg, "script"));
  /* Only <svg> and <rect> elements. */
  int rects = 0;
  for (const char *p = strchr(svg + 1, '<'); p; p = strchr(p + 1, '<')) {
    if (strncmp(p, "<rect ", 6) == 0) rects++;
    else assert_string_equal(p, "</svg>");
  }
  assert_true(rects > 20);
  free(svg);
}

static void password_policy(void **state) {
  (void)state;
  pc_error_t err;
  assert_int_equal(pc_auth_password_check("correct horse battery", "alice", 12, &err), 0);
  assert_int_equal(pc_auth_password_check("short pass", "alice", 12, &err), PC_EINVAL);
  assert_string_equal(err.message, "expected at least 12 characters");
  assert_string_equal(err.field, "password");
  /* Length counts characters, not bytes: 12 two-byte letters pass. */
  assert_int_equal(pc_auth_password_check("éééééééééééé", NULL, 12, &err), 0);
  assert_int_equal(pc_auth_password_check("ééééééééééé", NULL, 12, &err), PC_EINVAL);
  char long_password[130];
  memset(long_password, 'x', 129);
  long_password[129] = '\0';
  assert_int_equal(pc_auth_password_check(long_password, NULL, 12, &err), PC_EINVAL);
  assert_string_equal(err.message, "expected at most 128 characters");
  long_password[128] = '\0';
  assert_int_equal(pc_auth_password_check(long_password, NULL, 12, &err), 0);
  /* No composition rules, but common passwords are refused, in any case. */
  assert_int_equal(pc_auth_password_check("PASSWORD1234", NULL, 12, &err), PC_EINVAL);
  assert_non_null(strstr(err.message, "most common"));
  assert_int_equal(pc_auth_password_check("abcdefghijkl", NULL, 12, &err), 0);
  assert_int_equal(pc_auth_password_check("alice.smith.x", "alice.smith.x", 12, &err), PC_EINVAL);
  assert_int_equal(pc_auth_password_check("bad\x01password!", NULL, 12, &err), PC_EINVAL);
  assert_int_equal(pc_auth_password_check("bad\xff password!", NULL, 12, &err), PC_EINVAL);
  assert_null(strstr(err.message, "bad"));
}

static void hashing_and_verification(void **state) {
  (void)state;
  char hash[PC_AUTH_HASH_SIZE];
  pc_error_t err;
  int64_t start = pc_clock_monotonic_ms();
  assert_int_equal(pc_auth_password_hash("correct horse battery", hash, &err), 0);
  int64_t hash_ms = pc_clock_monotonic_ms() - start;
  print_message("argon2id (interactive limits) hash: %lld ms\n", (long long)hash_ms);
  assert_int_equal(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
  assert_int_equal(pc_auth_password_verify(hash, "correct horse battery"), 0);
  assert_int_equal(pc_auth_password_verify(hash, "correct horse batterY"), PC_EAUTH);
  assert_int_equal(pc_auth_password_verify("not a hash", "correct horse battery"), PC_EAUTH);
  assert_int_equal(pc_auth_password_verify(NULL, "x"), PC_EAUTH);
  char again[PC_AUTH_HASH_SIZE];
  assert_int_equal(pc_auth_password_hash("correct horse battery", again, &err), 0);
  assert_string_not_equal(hash, again); /* salted */
}

static void generated_passwords(void **state) {
  (void)state;
  char a[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1], b[PC_AUTH_GENERATED_PASSWORD_LENGTH + 1];
  pc_auth_password_generate(a);
  pc_auth_password_generate(b);
  assert_int_equal(strlen(a), 20);
  assert_string_not_equal(a, b);
  assert_int_equal(strspn(a, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"), 20);
  assert_null(strpbrk(a, "0O1lI"));
  pc_error_t err;
  assert_int_equal(pc_auth_password_check(a, "user", 12, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rfc6238_appendix_b_sha1_vectors), cmocka_unit_test(base32_matches_rfc4648),
      cmocka_unit_test(uri_and_qr_svg),                  cmocka_unit_test(password_policy),
      cmocka_unit_test(hashing_and_verification),        cmocka_unit_test(generated_passwords),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
