/* libFuzzer target for the CDF JSON CVR reader: the input is written to a
 * temporary file and read as a CDF source for contest "Mayor". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "precinct/cvr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  (void)err;
  size_t *marks = context;
  for (size_t i = 0; i < ballot->mark_count; i++) *marks += ballot->marks[i].candidate ? strlen(ballot->marks[i].candidate) : 0;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[64];
  if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_cdf_json.%ld.json", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  pc_cvr_source_t source;
  memset(&source, 0, sizeof source);
  source.provider = PC_CVR_CDF;
  source.path = path;
  source.contest_id = "Mayor";
  size_t marks = 0;
  uint64_t read = 0;
  pc_error_t err;
  pc_cvr_read_cdf_json(&source, on_ballot, &marks, &read, &err);
  return 0;
}
