/* Fuzzes the Hart reader on one per-ballot XML file (the input). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *dir = fuzz_scratch();
  char path[512];
  snprintf(path, sizeof path, "%s/cvr.xml", dir);
  fuzz_write(path, data, size);
  pc_cvr_source_t source = {.provider = PC_CVR_HART, .path = dir, .contest_id = "b651b997-417a-46d9-a676-a43d4df94ddc",
                            .undeclared_write_in_label = "99cefa84-bad0-4d6b-a916-e606bd43f9cd"};
  size_t total = 0;
  pc_error_t err;
  (void)pc_cvr_read_hart(&source, fuzz_ballot, &total, NULL, &err);
  return 0;
}
