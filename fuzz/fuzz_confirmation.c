/* libFuzzer target: confirmation numbers as typed by the public
 * (/register/status) through pc_confirmation_parse. Whatever is accepted is
 * 10 symbols of the alphabet, parses again to itself, and survives the
 * display format. */
#include "precinct/voters_applications.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256) return 0; /* the form field's limit is far smaller */
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';
  char canonical[PC_CONFIRMATION_SIZE], again[PC_CONFIRMATION_SIZE], shown[PC_CONFIRMATION_SIZE + 2];
  if (pc_confirmation_parse(text, canonical) == 0) {
    assert(strlen(canonical) == PC_CONFIRMATION_LENGTH);
    assert(strspn(canonical, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == PC_CONFIRMATION_LENGTH);
    assert(pc_confirmation_parse(canonical, again) == 0 && strcmp(again, canonical) == 0);
    pc_confirmation_format(canonical, shown);
    assert(pc_confirmation_parse(shown, again) == 0 && strcmp(again, canonical) == 0);
  }
  free(text);
  return 0;
}
