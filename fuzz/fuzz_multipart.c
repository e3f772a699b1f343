/* libFuzzer target: the multipart/form-data collector (src/http/multipart.c)
 * fed the deliveries MHD_PostProcessor could make, decoded from the input:
 * part names, file names, offsets (in order or not) and data chunks. Checks
 * that accepted fields are NUL-free UTF-8 within the form limits, files stay
 * within the upload limit and count, and nothing leaks or overruns. The
 * post processor itself is libmicrohttpd's (fuzzed upstream). */
#include "http/http_internal.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

enum { MAX_TOTAL = 65536 };

static const char *const names[] = {"csrf_token", "election", "returns", "a", "", NULL};
static const char *const files[] = {NULL, NULL, "night.csv", "", "\xff\xfe.csv", "r\xc3\xa9sultats.json"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_http_multipart_t *m = pc_http_multipart_new(MAX_TOTAL);
  uint64_t offset = 0;
  size_t i = 0;
  while (i + 3 <= size) {
    uint8_t op = data[i], pick = data[i + 1];
    size_t length = data[i + 2] * (size_t)(op & 0x80 ? 97 : 1);
    i += 3;
    if (length > size - i) length = size - i;
    const char *name = names[pick % (sizeof names / sizeof names[0])];
    const char *file = files[(pick >> 4) % (sizeof files / sizeof files[0])];
    if ((op & 3) == 0) offset = 0;              /* a new part */
    else if ((op & 3) == 3) offset = op >> 2;   /* an arbitrary offset */
    if (pc_http_multipart_part(m, name, file, (op & 4) ? "text/csv" : NULL, offset, (const char *)data + i, length) != 0)
      break;
    offset += length;
    i += length;
  }
  pc_http_fields_t fields;
  const pc_http_upload_t *uploads;
  size_t count = 0;
  if (pc_http_multipart_finish(m, &fields, &uploads, &count, NULL) == 0) {
    assert(fields.count <= pc_http_form_limits.max_fields && count <= PC_HTTP_MAX_UPLOADS);
    for (size_t f = 0; f < fields.count; f++) {
      assert(strlen(fields.items[f].name) <= pc_http_form_limits.max_name_bytes);
      assert(strlen(fields.items[f].value) <= pc_http_form_limits.max_value_bytes);
      assert(pc_http_utf8_valid((const unsigned char *)fields.items[f].value, strlen(fields.items[f].value)));
    }
    size_t total = 0;
    for (size_t u = 0; u < count; u++) {
      total += uploads[u].size;
      assert(uploads[u].data[uploads[u].size] == '\0');
      assert(pc_http_utf8_valid((const unsigned char *)uploads[u].file_name, strlen(uploads[u].file_name)));
    }
    assert(total <= MAX_TOTAL);
    pc_http_fields_free(&fields);
  }
  pc_http_multipart_free(m);
  return 0;
}
