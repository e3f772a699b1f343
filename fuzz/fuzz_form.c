/* libFuzzer target: pc_http_parse_urlencoded on form bodies, checking that
 * every accepted field is NUL-free, within the limits, and that parsing is
 * deterministic. */
#include "precinct/http.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_http_fields_t fields;
  if (pc_http_parse_urlencoded((const char *)data, size, &pc_http_form_limits, &fields, NULL) != 0) return 0;
  assert(fields.count <= pc_http_form_limits.max_fields);
  for (size_t i = 0; i < fields.count; i++) {
    assert(strlen(fields.items[i].name) <= pc_http_form_limits.max_name_bytes);
    assert(strlen(fields.items[i].value) <= pc_http_form_limits.max_value_bytes);
    assert(pc_http_fields_get(&fields, fields.items[i].name) != NULL);
  }
  pc_http_fields_free(&fields);
  return 0;
}
