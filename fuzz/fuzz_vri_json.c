/* libFuzzer target for the NIST VRI registration-request reader
 * (src/voters/vri.c): arbitrary bytes as a VRI JSON document; every request
 * it accepts must yield NUL-terminated, bounded fields. */
#include "voters/vri.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int check_request(void *context, pc_voter_application_t *app, long index, pc_error_t *err) {
  (void)context;
  (void)err;
  assert(index >= 1);
  assert(memchr(app->voter.first_name, '\0', sizeof app->voter.first_name) != NULL);
  assert(memchr(app->voter.res_street_address, '\0', sizeof app->voter.res_street_address) != NULL);
  assert(app->county != NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_error_t err;
  pc_vri_parse_buffer((const char *)data, size, check_request, NULL, &err);
  return 0;
}
