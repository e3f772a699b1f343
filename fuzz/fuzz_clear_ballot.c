/* Fuzzes the Clear Ballot CSV reader on one file (the input). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/cvr.csv", fuzz_scratch());
  fuzz_write(path, data, size);
  pc_cvr_source_t source = {.provider = PC_CVR_CLEAR_BALLOT, .path = path, .contest_id = "City of Portland, Auditor"};
  size_t total = 0;
  pc_error_t err;
  (void)pc_cvr_read_clear_ballot(&source, fuzz_ballot, &total, NULL, &err);
  return 0;
}
