/* libFuzzer target for the CDF JSON CVR reader (pc_cvr_read_cdf_json). */
#include "fuzz_cvr_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_cvr_file(data, size, "json", pc_cvr_read_cdf_json);
}
