/* The count's results: freeing them, a precinct's or batch's view of them,
 * candidate names, and RCTab's file-name form of a name. The count itself
 * is in engine.c. */
#include "tabulate/internal.h"

#include <stdlib.h>
#include <string.h>

static void free_rounds(pc_tab_round_t *rounds, size_t count) {
  for (size_t r = 0; r < count; r++) {
    pc_tab_round_t *round = &rounds[r];
    free(round->tally);
    free(round->in_tally);
    free(round->transfers);
    free(round->elected);
    free(round->eliminated);
    free(round->residual_by_winner);
    free(round->by_tiebreak);
  }
  free(rounds);
}

void pc_tab_result_free(pc_tab_result_t *result) {
  for (size_t r = 0; r < result->round_count && result->snapshot_recipient; r++) {
    free(result->snapshot_recipient[r]);
    free(result->snapshot_value[r]);
  }
  free(result->snapshot_recipient);
  free(result->snapshot_value);
  free(result->allocations);
  free_rounds(result->rounds, result->round_count);
  for (size_t u = 0; u < result->unit_count; u++) free_rounds(result->units[u].rounds, result->round_count);
  free(result->units);
  free(result->winners);
  memset(result, 0, sizeof *result);
}

const char *pc_tab_candidate_name(const pc_tab_config_t *config, int32_t index) {
  if (index >= 0 && (size_t)index < config->candidate_count) return config->candidates[index].name;
  return PC_TAB_UWI_NAME;
}

pc_tab_result_t pc_tab_unit_view(const pc_tab_result_t *result, size_t unit) {
  pc_tab_result_t view = *result;
  view.rounds = result->units[unit].rounds;
  view.total_ballots = result->units[unit].ballots;
  view.undervotes = result->units[unit].undervotes;
  view.units = NULL;
  view.unit_count = 0;
  view.unit_name = result->units[unit].name;
  view.overall_rounds = result->rounds;
  view.unit_is_batch = result->units[unit].is_batch;
  return view;
}

void pc_tab_sanitize_name(const char *name, char *out, size_t size) {
  size_t n = 0;
  for (const char *p = name; *p && n + 1 < size; p++) {
    char c = *p;
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                c == '.';
    out[n++] = keep ? c : '_';
  }
  out[n] = '\0';
}
