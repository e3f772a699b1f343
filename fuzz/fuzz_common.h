/* Shared by the CVR fuzz targets: a per-process scratch folder, writing the
 * input to a file in it, and a callback that touches every delivered string
 * (so ASan sees any dangling pointer). */
#ifndef PRECINCT_FUZZ_COMMON_H
#define PRECINCT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "precinct/cvr.h"

static char fuzz_dir[256];

static inline const char *fuzz_scratch(void) {
  if (fuzz_dir[0] == '\0') {
    snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/precinct-fuzz-XXXXXX");
    if (mkdtemp(fuzz_dir) == NULL) abort();
  }
  return fuzz_dir;
}

static inline void fuzz_write(const char *path, const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
}

static inline int fuzz_ballot(void *context, const pc_cvr_ballot_t *b, pc_error_t *err) {
  (void)err;
  size_t *total = context;
  if (b->ballot_id) *total += strlen(b->ballot_id);
  if (b->precinct) *total += strlen(b->precinct);
  if (b->batch) *total += strlen(b->batch);
  for (size_t i = 0; i < b->mark_count; i++) *total += strlen(b->marks[i].candidate) + (size_t)b->marks[i].rank;
  return 0;
}

#endif
