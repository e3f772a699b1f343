/* Shared by the results CVR fuzz targets: a small demo election held in
 * memory (ids as a saved model has them) and the check that every accepted
 * ballot set survives the stored encoding unchanged. */
#ifndef PRECINCT_FUZZ_RESULTS_MODEL_H
#define PRECINCT_FUZZ_RESULTS_MODEL_H

#include <stdlib.h>
#include <string.h>

#include "../src/results/rcv.h"
#include "precinct/alloc.h"
#include "precinct/elections.h"

static pc_election_model_t model;

static inline void init_model(void) {
  static int done;
  if (done) return;
  const char *names[] = {"Alder", "Birch"};
  pc_elections_demo_model(names, 2, 20, &model);
  if (pc_elections_model_index(&model, NULL) != 0) abort();
  /* The stored encoding names precincts and contests by id, as a saved model has. */
  for (size_t p = 0; p < model.precinct_count; p++) model.precincts[p].id = (int64_t)p + 1;
  for (size_t c = 0; c < model.contest_count; c++) model.contests[c].id = (int64_t)c + 1;
  done = 1;
}

/* Encodes and decodes each of SETS (then frees them and the array); aborts
 * when a set comes back different. */
static inline void check_round_trip(pc_rcv_ballots_t *sets, size_t count) {
  pc_error_t err;
  for (size_t i = 0; i < count; i++) {
    pc_buf_t encoded;
    pc_buf_init(&encoded, 0);
    pc_rcv_encode(&model, &sets[i], &encoded);
    pc_rcv_ballots_t back;
    pc_rcv_ballots_init(&back, sets[i].contest);
    if (pc_rcv_decode(&model, encoded.data, encoded.len, &back, &err) != 0 || back.count != sets[i].count ||
        back.mark_count != sets[i].mark_count ||
        memcmp(back.marks, sets[i].marks, back.mark_count * sizeof *back.marks) != 0 ||
        memcmp(back.precinct, sets[i].precinct, back.count * sizeof *back.precinct) != 0)
      abort();
    pc_rcv_ballots_free(&back);
    pc_buf_free(&encoded);
    pc_rcv_ballots_free(&sets[i]);
  }
  free(sets);
}

#endif
