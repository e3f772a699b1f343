/* libFuzzer target: county returns files (CSV and ERR JSON) against a small
 * demo election held in memory; the first input byte picks the format. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/results/ingest_internal.h"
#include "precinct/alloc.h"
#include "precinct/elections.h"

static pc_election_model_t model;

static void init_model(void) {
  static int done;
  if (done) return;
  const char *names[] = {"Alder", "Birch"};
  pc_elections_demo_model(names, 2, 20, &model);
  if (pc_elections_model_index(&model, NULL) != 0) abort();
  done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  init_model();
  if (size < 1) return 0;
  pc_parsed_returns_t p;
  memset(&p, 0, sizeof p);
  p.model = &model;
  p.county = 0;
  p.file_name = "fuzz";
  p.precincts = pc_xcalloc(model.precinct_count, sizeof *p.precincts);
  pc_error_t err;
  if (data[0] & 1) pc_results_parse_err(&p, (const char *)data + 1, size - 1, &err);
  else pc_results_parse_csv(&p, (const char *)data + 1, size - 1, &err);
  free(p.votes);
  free(p.precincts);
  return 0;
}
