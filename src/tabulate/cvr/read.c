/* pc_cvr_read: dispatches a CVR source to the reader for its provider. CDF
 * files are JSON or XML by extension (then by first character). Readers of
 * the other providers live in their own files of this folder. */
#include "precinct/cvr.h"

#include <stdio.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int first_char(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return EOF;
  int c;
  while ((c = fgetc(f)) != EOF && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB ||
                                   c == 0xBF)) {
  }
  fclose(f);
  return c;
}

int pc_cvr_read(const pc_cvr_source_t *source, pc_cvr_ballot_fn on_ballot, void *context, uint64_t *ballots_read,
                pc_error_t *err) {
  switch (source->provider) {
  case PC_CVR_CDF:
    if (ends_with(source->path, ".xml")) return pc_cvr_read_cdf_xml(source, on_ballot, context, ballots_read, err);
    if (ends_with(source->path, ".json")) return pc_cvr_read_cdf_json(source, on_ballot, context, ballots_read, err);
    if (first_char(source->path) == '<') return pc_cvr_read_cdf_xml(source, on_ballot, context, ballots_read, err);
    return pc_cvr_read_cdf_json(source, on_ballot, context, ballots_read, err);
  case PC_CVR_CLEAR_BALLOT: return pc_cvr_read_clear_ballot(source, on_ballot, context, ballots_read, err);
  case PC_CVR_DOMINION: return pc_cvr_read_dominion(source, on_ballot, context, ballots_read, err);
  case PC_CVR_ESS: return pc_cvr_read_ess(source, on_ballot, context, ballots_read, err);
  case PC_CVR_HART: return pc_cvr_read_hart(source, on_ballot, context, ballots_read, err);
  case PC_CVR_GENERIC_CSV: return pc_cvr_read_generic_csv(source, on_ballot, context, ballots_read, err);
  }
  return pc_error_set_at(err, PC_EINVAL, source->path, 0, "provider", "unknown CVR provider");
}
