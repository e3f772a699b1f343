/* libFuzzer target: the street-index CSV reader (pc_streets_parse_csv) and
 * the address parser (pc_streets_parse_address) on the same input, checking
 * what they promise: segments within the limits, sorted, normalised (a
 * second normalisation changes nothing), and an address's street as well. */
#include "precinct/buf.h"
#include "precinct/voters_streets.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_normalized(const char *street) {
  char again[PC_STREET_SIZE];
  pc_error_t err;
  assert(pc_streets_normalize(street, again, sizeof again, &err) == 0);
  assert(strcmp(again, street) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_street_segment_t *segments = NULL;
  size_t count = 0;
  pc_error_t err;
  if (pc_streets_parse_csv((const char *)data, size, "fuzz.csv", &segments, &count, &err) == 0) {
    assert(count <= PC_STREETS_MAX_SEGMENTS);
    for (size_t i = 0; i < count; i++) {
      const pc_street_segment_t *s = &segments[i];
      assert(s->low <= s->high && s->high <= PC_STREET_MAX_NUMBER);
      assert(s->parity == 'E' || s->parity == 'O' || s->parity == 'B');
      assert(strlen(s->zip) == 5 && s->precinct_code[0]);
      check_normalized(s->street);
      if (i) assert(strcmp(segments[i - 1].street, s->street) <= 0);
    }
    free(segments);
  }
  /* The first line (up to 200 bytes) as an address. */
  char line[201];
  size_t n = 0;
  while (n < size && n < sizeof line - 1 && data[n] != '\n' && data[n] != '\0') n++;
  memcpy(line, data, n);
  line[n] = '\0';
  pc_street_address_t address;
  if (pc_streets_parse_address(line, &address, &err) == 0) {
    assert(address.number >= 0 && address.number <= PC_STREET_MAX_NUMBER);
    check_normalized(address.street);
  }
  return 0;
}
