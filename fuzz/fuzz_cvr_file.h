/* Shared body of the CVR reader fuzz targets: writes the input to a
 * per-process temporary file and reads it with READER as a CDF source for
 * contest "Mayor" (the seed corpora name their contest so). */
#ifndef PRECINCT_FUZZ_CVR_FILE_H
#define PRECINCT_FUZZ_CVR_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "precinct/cvr.h"

typedef int (*fuzz_reader_fn)(const pc_cvr_source_t *, pc_cvr_ballot_fn, void *, uint64_t *, pc_error_t *);

static int fuzz_on_ballot(void *context, const pc_cvr_ballot_t *ballot, pc_error_t *err) {
  (void)err;
  size_t *bytes = context;
  for (size_t i = 0; i < ballot->mark_count; i++)
    *bytes += ballot->marks[i].candidate ? strlen(ballot->marks[i].candidate) : 0;
  return 0;
}

static int fuzz_cvr_file(const uint8_t *data, size_t size, const char *extension, fuzz_reader_fn reader) {
  static char path[64];
  if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_cvr.%ld.%s", (long)getpid(), extension);
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  pc_cvr_source_t source;
  memset(&source, 0, sizeof source);
  source.provider = PC_CVR_CDF;
  source.path = path;
  source.contest_id = "Mayor";
  size_t bytes = 0;
  uint64_t read = 0;
  pc_error_t err;
  reader(&source, fuzz_on_ballot, &bytes, &read, &err);
  return 0;
}

#endif
