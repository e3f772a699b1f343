/* libFuzzer target: pc_http_parse_cookies on arbitrary Cookie headers. */
#include "precinct/http.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_http_fields_t cookies;
  if (pc_http_parse_cookies((const char *)data, size, &pc_http_cookie_limits, &cookies, NULL) != 0) return 0;
  assert(cookies.count <= pc_http_cookie_limits.max_fields);
  for (size_t i = 0; i < cookies.count; i++) {
    assert(cookies.items[i].name[0] != '\0');
    assert(strchr(cookies.items[i].name, ';') == NULL && strchr(cookies.items[i].value, ';') == NULL);
    assert(strlen(cookies.items[i].value) <= pc_http_cookie_limits.max_value_bytes);
  }
  pc_http_fields_free(&cookies);
  return 0;
}
