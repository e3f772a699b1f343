/* libFuzzer target: the precinct boundary check of the election admin pages
 * (GeoJSON typed into a form, parsed with jansson, rings and positions
 * walked), on NUL-terminated text as the form layer hands it over. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "precinct/elections_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > PC_ELECTIONS_BOUNDARY_MAX + 16) return 0;
  char *text = malloc(size + 1);
  if (text == NULL) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  pc_error_t err;
  (void)pc_elections_check_boundary(text, &err);
  free(text);
  return 0;
}
