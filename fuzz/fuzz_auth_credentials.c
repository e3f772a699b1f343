/* libFuzzer target for the auth functions that take outside input before
 * any database access: the password policy (UTF-8 walking), session-cookie
 * and CSRF token checks, and the Set-Cookie builder. */
#include "precinct/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = malloc(size + 1);
  if (text == NULL) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  pc_error_t err;
  (void)pc_auth_password_check(text, "fuzz-user", 12, &err);
  char header[256];
  (void)pc_auth_cookie_header(text, 1, 60, header, sizeof header);
  pc_principal_t who;
  memset(&who, 0, sizeof who);
  memset(who.csrf_token, 'a', PC_AUTH_TOKEN_HEX);
  (void)pc_auth_csrf_valid(&who, text);
  free(text);
  return 0;
}
