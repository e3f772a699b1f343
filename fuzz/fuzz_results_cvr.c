/* libFuzzer target: a county's ranked-choice CVR upload (NIST SP 1500-103
 * CDF JSON or XML, detected by content as the ingest does) against a small
 * demo election held in memory, then the stored encoding of what was
 * accepted, which must decode to the same ballots. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_results_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  init_model();
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') return 0; /* zips: fuzz_results_dominion_zip */
  pc_rcv_ballots_t *sets = NULL;
  size_t count = 0;
  pc_error_t err;
  if (pc_results_cvr_parse(&model, 0, "fuzz", (const char *)data, size, &sets, &count, &err) != 0) return 0;
  check_round_trip(sets, count);
  return 0;
}
