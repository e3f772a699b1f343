/* libFuzzer target: election definitions as ERR JSON, and the CSV row reader
 * every CSV import uses; the first input byte picks which. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "precinct/csvrows.h"
#include "precinct/elections.h"

static int count_row(const char *const *fields, size_t count, long line, void *context) {
  (void)line;
  for (size_t i = 0; i < count; i++) *(size_t *)context += strlen(fields[i]);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  pc_error_t err;
  if (data[0] & 1) {
    pc_election_model_t model;
    if (pc_elections_parse_err((const char *)data + 1, size - 1, &model, &err) == 0) {
      pc_elections_model_index(&model, &err);
      pc_elections_model_free(&model);
    }
  } else {
    size_t total = 0;
    pc_csvrows_parse((const char *)data + 1, size - 1, "fuzz", count_row, &total, &err);
  }
  return 0;
}
