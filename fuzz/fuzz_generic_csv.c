/* Fuzzes RCTab's generic CSV reader on one file (the input). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/cvr.csv", fuzz_scratch());
  fuzz_write(path, data, size);
  pc_cvr_source_t source = {.provider = PC_CVR_GENERIC_CSV, .path = path, .first_vote_column_index = 3,
                            .first_vote_row_index = 2, .id_column_index = 1, .precinct_column_index = 2,
                            .batch_column_index = 9};
  size_t total = 0;
  pc_error_t err;
  (void)pc_cvr_read_generic_csv(&source, fuzz_ballot, &total, NULL, &err);
  return 0;
}
