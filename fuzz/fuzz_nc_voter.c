/* libFuzzer target for the NC voter file parser (src/voters/nc_reader.c):
 * arbitrary bytes, fed in two pieces to exercise chunk boundaries. Every
 * parsed record is checked for NUL-terminated, in-bounds fields. */
#include "precinct/voters_io.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int check_record(void *context, pc_voter_t *voter, const char *county_desc, int64_t county_code,
                        const char *precinct_desc, long line, pc_error_t *err) {
  (void)context;
  (void)county_code;
  (void)err;
  assert(memchr(voter->ncid, '\0', sizeof voter->ncid) != NULL);
  assert(memchr(voter->last_name, '\0', sizeof voter->last_name) != NULL);
  assert(strlen(county_desc) < 64 && strlen(precinct_desc) < 64);
  assert(line >= 2);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_nc_sink_t sink = {.record = check_record};
  pc_nc_reader_t *reader = pc_nc_reader_new("fuzz", &sink);
  pc_error_t err;
  size_t half = size / 2;
  if (pc_nc_reader_feed(reader, data, half, &err) == 0 && pc_nc_reader_feed(reader, data + half, size - half, &err) == 0)
    pc_nc_reader_finish(reader, &err);
  pc_nc_reader_free(reader);
  return 0;
}
