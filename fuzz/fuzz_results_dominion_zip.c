/* libFuzzer target: a county's Dominion export .zip upload (the results
 * module's zip entry path: limits, entry names, manifests matched to a demo
 * election, the Dominion reader over the extracted entries). An input that
 * starts with "PK" is the zip itself; otherwise it is split at NULs into
 * CvrExport.json, ContestManifest.json, CandidateManifest.json and
 * PrecinctPortionManifest.json, stored uncompressed in a zip so mutations
 * reach the JSON rather than fail the CRC. Small limits keep runs fast. */
#include <zip.h>

#include "fuzz_common.h"

#include "fuzz_results_model.h"

static char *pack(const uint8_t *data, size_t size, size_t *out_size) {
  static const char *const names[] = {"CvrExport.json", "ContestManifest.json", "CandidateManifest.json",
                                      "PrecinctPortionManifest.json"};
  char path[512];
  snprintf(path, sizeof path, "%s/upload.zip", fuzz_scratch());
  int zerr = 0;
  zip_t *zip = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL) abort();
  size_t at = 0;
  for (size_t i = 0; i < 4; i++) {
    const uint8_t *nul = at < size ? memchr(data + at, 0, size - at) : NULL;
    size_t len = at < size ? (nul ? (size_t)(nul - (data + at)) : size - at) : 0;
    zip_source_t *src = zip_source_buffer(zip, at < size ? data + at : (const uint8_t *)"", len, 0);
    zip_int64_t index = src ? zip_file_add(zip, names[i], src, 0) : -1;
    if (index < 0) abort();
    zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0);
    at += len + 1;
  }
  if (zip_close(zip) != 0) abort();
  FILE *f = fopen(path, "rb");
  if (f == NULL) abort();
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *bytes = pc_xmalloc((size_t)n + 1);
  if (fread(bytes, 1, (size_t)n, f) != (size_t)n) abort();
  fclose(f);
  *out_size = (size_t)n;
  return bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  init_model();
  setenv("TMPDIR", fuzz_scratch(), 1);
  size_t zip_size = size;
  char *zip_bytes = size >= 2 && data[0] == 'P' && data[1] == 'K' ? NULL : pack(data, size, &zip_size);
  const char *bytes = zip_bytes ? zip_bytes : (const char *)data;
  pc_rcv_zip_limits_t limits = {.entry_bytes = (uint64_t)1 << 20, .total_bytes = (uint64_t)4 << 20, .entries = 64};
  pc_rcv_ballots_t *sets = NULL;
  size_t count = 0;
  pc_error_t err;
  if (pc_results_dominion_parse_limited(&model, 0, "fuzz.zip", bytes, zip_size, &limits, &sets, &count, &err) == 0)
    check_round_trip(sets, count);
  free(zip_bytes);
  return 0;
}
