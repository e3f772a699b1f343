/* libFuzzer target for the CDF XML CVR reader (pc_cvr_read_cdf_xml, two
 * expat passes). */
#include "fuzz_cvr_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_cvr_file(data, size, "xml", pc_cvr_read_cdf_xml);
}
